/* sql/70_invitations/code.sql: creating and accepting trial invitations and purchase offers (rules A4, A5, D5) */

CREATE OR REPLACE FUNCTION por_partner_internal.random_code() RETURNS text
AS 'MODULE_PATHNAME', 'por_partner_random_code'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION por_partner_internal.random_code() IS
	'Internal: 128 random bits from the server''s strong random source, as 32 hex digits: the code in invitation and offer URLs.';

-- What is stored of a URL's code: its SHA-256, so that no table, dump or
-- audit row holds a usable URL.
CREATE OR REPLACE FUNCTION por_partner_internal.code_hash(code text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.sha256(pg_catalog.convert_to(code, 'UTF8')) $$;

COMMENT ON FUNCTION por_partner_internal.code_hash(text) IS
	'Internal: the SHA-256 of an invitation or offer code, which is what the tables keep of it.';

-- A partner creates at most max_invitations_per_day trial invitations and
-- purchase offers in 24 hours (setting), so that no partner fills the
-- database; the partner's row lock makes concurrent creations count in turn.
CREATE OR REPLACE FUNCTION por_partner_internal.invitation_cap() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	cap int := (SELECT st.value::int FROM @extschema@.setting st WHERE st.name = 'max_invitations_per_day');
	made bigint;
BEGIN
	PERFORM 1 FROM @extschema@.partner p WHERE p.partner_id = NEW.partner_id FOR NO KEY UPDATE;
	SELECT (SELECT count(*) FROM @extschema@.trial_invitation t
	         WHERE t.partner_id = NEW.partner_id AND t.created_at > now() - interval '1 day')
	     + (SELECT count(*) FROM @extschema@.purchase_offer o
	         WHERE o.partner_id = NEW.partner_id AND o.created_at > now() - interval '1 day')
	  INTO made;
	IF made >= cap THEN
		RAISE EXCEPTION 'partner % made % trial invitations and purchase offers in the last 24 hours', NEW.partner_id, made
			USING ERRCODE = 'program_limit_exceeded',
			      DETAIL = format('A partner makes at most %s a day (setting max_invitations_per_day).', cap),
			      HINT = 'An invitation serves any number of customers; reuse one, or ask an operator to raise the setting.';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.invitation_cap() IS
	'Trigger: a partner makes at most max_invitations_per_day trial invitations and purchase offers in 24 hours (54000).';

-- Invitations and offers come from authorized subscription advisors (A4, A5),
-- and include delegated admin only from Cloud Essentials partners (D3, D5).
CREATE OR REPLACE FUNCTION por_partner_internal.advisor_offer_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p @extschema@.partner;
	what text := CASE TG_TABLE_NAME WHEN 'trial_invitation' THEN 'trial invitations' ELSE 'purchase offers' END;
BEGIN
	SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
	IF NOT FOUND THEN
		RETURN NEW;				-- the foreign key reports it
	END IF;
	IF NOT p.subscription_advisor THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) may not create %', p.name, p.mpn_id, what
			USING ERRCODE = 'check_violation',
			      DETAIL = format('Only authorized subscription advisors create %s (rule %s).', what,
			                      CASE TG_TABLE_NAME WHEN 'trial_invitation' THEN 'A4' ELSE 'A5' END),
			      HINT = 'Set por_partner.partner.subscription_advisor once the partner is authorized.';
	END IF;
	IF NEW.include_delegated_admin AND NOT @extschema@.partner_benefits_active(p) THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) may not include delegated administration', p.name, p.mpn_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'Only partners enrolled in Cloud Essentials offer delegated admin (rules D3, D5).',
			      HINT = 'Leave include_delegated_admin false.';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.advisor_offer_check() IS
	'Trigger: trial invitations and purchase offers come from authorized subscription advisors (A4, A5) and include delegated admin only from Cloud Essentials partners (D3, D5).';

CREATE OR REPLACE FUNCTION por_partner_internal.invitation_url(kind text, code text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT rtrim(s.value, '/') || '/' || kind || '/' || code
	  FROM @extschema@.setting s WHERE s.name = 'invitation_url_base'
$$;

COMMENT ON FUNCTION por_partner_internal.invitation_url(text, text) IS
	'Internal: the URL of a trial invitation (kind ''trial'') or purchase offer (kind ''offer'').';

-- The code of a URL of the given kind, or a 22023 error for a malformed one.
CREATE OR REPLACE FUNCTION por_partner_internal.invitation_code(url text, kind text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	m text[];
BEGIN
	IF num_nulls(url) > 0 THEN
		PERFORM por_partner_internal.require_arg(url, 'url');
	END IF;
	PERFORM por_partner_internal.require_length(url, 'url', 'url');
	m := regexp_match(url, '^\s*https?://[^/\s]+(?:/[^\s?#]*)?/' || kind || '/([0-9a-fA-F]{32})/?(?:[?#]\S*)?\s*$');
	IF m IS NULL THEN
		RAISE EXCEPTION 'invalid % URL: "%"',
				CASE kind WHEN 'trial' THEN 'trial invitation' ELSE 'purchase offer' END, left(url, 200)
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = format('Use the URL as the partner sent it; it ends in /%s/ and a 32-digit code.', kind);
	END IF;
	RETURN lower(m[1]);
END $$;

COMMENT ON FUNCTION por_partner_internal.invitation_code(text, text) IS
	'Internal: extracts the code of a trial invitation or purchase offer URL.';

-- Grant delegated admin from an invitation or offer that included it (D5):
-- the customer accepting it accepts the offer.  A partner that has left
-- Cloud Essentials since gets nothing, and the caller is warned.
CREATE OR REPLACE FUNCTION por_partner_internal.grant_included_delegated_admin(partner_id bigint, tenant_id bigint, source text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p @extschema@.partner;
	o bigint;
BEGIN
	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = grant_included_delegated_admin.partner_id;
	IF NOT @extschema@.partner_benefits_active(p) THEN
		RAISE WARNING 'delegated administration was not granted to partner "%" (MPN ID %)', p.name, p.mpn_id
			USING DETAIL = format('The %s included it, but the partner is no longer enrolled in Cloud Essentials (rule D3).', source);
		RETURN;
	END IF;
	IF @extschema@.is_delegated_admin(p.partner_id, tenant_id) THEN
		RETURN;
	END IF;
	o := @extschema@.offer_delegated_admin(p.partner_id, tenant_id, 'Included in the ' || source || '.');
	PERFORM por_partner_internal.answer_delegated_admin_offer(o, true);
END $$;

COMMENT ON FUNCTION por_partner_internal.grant_included_delegated_admin(bigint, bigint, text) IS
	'Internal: makes the partner the tenant''s delegated admin when an accepted invitation or offer included it (rule D5).';

CREATE OR REPLACE FUNCTION @extschema@.create_trial_invitation(partner_id bigint, sku_code text,
	include_delegated_admin boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	c text;
BEGIN
	IF num_nulls(create_trial_invitation.partner_id, create_trial_invitation.sku_code, create_trial_invitation.include_delegated_admin) > 0 THEN
		PERFORM por_partner_internal.require_arg(create_trial_invitation.partner_id, 'partner_id'),
		        por_partner_internal.require_arg(create_trial_invitation.sku_code, 'sku_code'),
		        por_partner_internal.require_arg(create_trial_invitation.include_delegated_admin, 'include_delegated_admin');
	END IF;
	PERFORM por_partner_internal.require_acting_partner(create_trial_invitation.partner_id);
	PERFORM por_partner_internal.require_length(create_trial_invitation.sku_code, 'sku_code', 'sku_code');
	IF NOT EXISTS (SELECT 1 FROM @extschema@.sku sk WHERE sk.sku_code = create_trial_invitation.sku_code) THEN
		RAISE EXCEPTION 'SKU "%" does not exist', left(create_trial_invitation.sku_code, 100)
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Use a sku_code from table por_partner.sku, such as O365_SMALL_BUSINESS.';
	END IF;
	c := por_partner_internal.random_code();
	INSERT INTO @extschema@.trial_invitation (partner_id, sku_code, include_delegated_admin, code_hash)
	VALUES (create_trial_invitation.partner_id, create_trial_invitation.sku_code,
	        create_trial_invitation.include_delegated_admin, por_partner_internal.code_hash(c));
	RETURN por_partner_internal.invitation_url('trial', c);
END $$;

COMMENT ON FUNCTION @extschema@.create_trial_invitation(bigint, text, boolean) IS
	'An authorized subscription advisor invites customers to a trial of one SKU (rule A4), optionally with delegated admin (rule D5).  Returns the invitation URL, whose code identifies the advisor; it is shown this once (the table keeps the code''s hash).';

-- The trial invitation of a URL; one answer for a malformed URL's code that
-- matches nothing and one no invitation has.
CREATE OR REPLACE FUNCTION por_partner_internal.trial_invitation_of(url text)
RETURNS @extschema@.trial_invitation
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	i @extschema@.trial_invitation;
BEGIN
	SELECT * INTO i FROM @extschema@.trial_invitation t
	 WHERE t.code_hash = por_partner_internal.code_hash(por_partner_internal.invitation_code(url, 'trial'));
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no trial invitation has this URL'
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Ask the partner for a new invitation.';
	END IF;
	RETURN i;
END $$;

COMMENT ON FUNCTION por_partner_internal.trial_invitation_of(text) IS
	'Internal: the trial invitation whose URL this is; 22023 for a malformed URL, 23503 when no invitation has it.';

-- The trial of an invitation for a tenant (rule A4): the SKU's trial term and
-- seats, the advisor as partner of record, delegated admin if included (D5).
-- A tenant takes at most one trial of a product (subscription_one_trial_idx).
CREATE OR REPLACE FUNCTION por_partner_internal.start_trial(i @extschema@.trial_invitation, tenant_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s @extschema@.sku;
	earlier bigint;
	new_subscription bigint;
BEGIN
	SELECT * INTO s FROM @extschema@.sku sk WHERE sk.sku_code = i.sku_code;
	SELECT su.subscription_id INTO earlier FROM @extschema@.subscription su
	 WHERE su.tenant_id = start_trial.tenant_id AND su.sku_code = s.sku_code AND su.billing = 'trial';
	IF FOUND THEN
		RAISE EXCEPTION 'tenant % already took a trial of %', start_trial.tenant_id, s.sku_code
			USING ERRCODE = 'unique_violation',
			      DETAIL = format('Subscription %s was its trial; a customer takes at most one trial of a product (rule A4).', earlier),
			      HINT = 'Buy the product: a purchase converts a running trial.';
	END IF;
	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on,
	                                      partner_of_record, agreement)
	VALUES (start_trial.tenant_id, s.sku_code, s.trial_seats, 'trial', current_date, (current_date + s.trial_term)::date,
	        i.partner_id, s.agreement)
	RETURNING subscription_id INTO new_subscription;
	IF i.include_delegated_admin THEN
		PERFORM por_partner_internal.grant_included_delegated_admin(i.partner_id, start_trial.tenant_id, 'trial invitation');
	END IF;
	RETURN new_subscription;
END $$;

COMMENT ON FUNCTION por_partner_internal.start_trial(@extschema@.trial_invitation, bigint) IS
	'Internal: starts the trial of an invitation for a tenant (rules A4, D5); 23505 when the tenant took a trial of the product before.';

CREATE OR REPLACE FUNCTION @extschema@.accept_trial_invitation(url text, organization_name text, country_code text,
	admin_first_name text, admin_last_name text, admin_email text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	i @extschema@.trial_invitation;
	new_tenant bigint;
BEGIN
	IF num_nulls(accept_trial_invitation.url, accept_trial_invitation.organization_name,
	             accept_trial_invitation.country_code, accept_trial_invitation.admin_first_name,
	             accept_trial_invitation.admin_last_name, accept_trial_invitation.admin_email) > 0 THEN
		PERFORM por_partner_internal.require_arg(accept_trial_invitation.url, 'url'),
		        por_partner_internal.require_arg(accept_trial_invitation.organization_name, 'organization_name'),
		        por_partner_internal.require_arg(accept_trial_invitation.country_code, 'country_code'),
		        por_partner_internal.require_arg(accept_trial_invitation.admin_first_name, 'admin_first_name'),
		        por_partner_internal.require_arg(accept_trial_invitation.admin_last_name, 'admin_last_name'),
		        por_partner_internal.require_arg(accept_trial_invitation.admin_email, 'admin_email');
	END IF;
	i := por_partner_internal.trial_invitation_of(accept_trial_invitation.url);
	new_tenant := por_partner_internal.create_tenant(accept_trial_invitation.organization_name,
	                                        accept_trial_invitation.country_code,
	                                        accept_trial_invitation.admin_first_name,
	                                        accept_trial_invitation.admin_last_name,
	                                        accept_trial_invitation.admin_email,
	                                        (SELECT sk.agreement FROM @extschema@.sku sk WHERE sk.sku_code = i.sku_code),
	                                        i.partner_id);
	RETURN por_partner_internal.start_trial(i, new_tenant);
END $$;

COMMENT ON FUNCTION @extschema@.accept_trial_invitation(text, text, text, text, text, text) IS
	'A new customer accepts a trial invitation: its tenant and admin (licensed, rule C3) and a trial subscription with the SKU''s trial term, the advisor as partner of record, and delegated admin if included (rules A4, D5).  Returns the subscription_id.';

CREATE OR REPLACE FUNCTION @extschema@.accept_trial_invitation(url text, tenant_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	i @extschema@.trial_invitation;
BEGIN
	IF num_nulls(accept_trial_invitation.url, accept_trial_invitation.tenant_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(accept_trial_invitation.url, 'url'),
		        por_partner_internal.require_arg(accept_trial_invitation.tenant_id, 'tenant_id');
	END IF;
	i := por_partner_internal.trial_invitation_of(accept_trial_invitation.url);
	PERFORM por_partner_internal.lock_tenant(accept_trial_invitation.tenant_id);
	RETURN por_partner_internal.start_trial(i, accept_trial_invitation.tenant_id);
END $$;

COMMENT ON FUNCTION @extschema@.accept_trial_invitation(text, bigint) IS
	'An existing customer accepts a trial invitation: a trial subscription of the invitation''s SKU for its tenant, with the advisor as partner of record and delegated admin if included (rules A4, D5); at most one trial of a product a customer (23505).  Returns the subscription_id.';

CREATE OR REPLACE FUNCTION @extschema@.create_purchase_offer(partner_id bigint, lines jsonb,
	include_delegated_admin boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	o record;
	c text;
	line jsonb;
	n int := 0;
	skus text[] := '{}'::text[];
BEGIN
	IF num_nulls(create_purchase_offer.partner_id, lines, create_purchase_offer.include_delegated_admin) > 0 THEN
		PERFORM por_partner_internal.require_arg(create_purchase_offer.partner_id, 'partner_id'),
		        por_partner_internal.require_arg(lines, 'lines'),
		        por_partner_internal.require_arg(create_purchase_offer.include_delegated_admin, 'include_delegated_admin');
	END IF;
	PERFORM por_partner_internal.require_acting_partner(create_purchase_offer.partner_id);
	IF jsonb_typeof(lines) <> 'array' OR jsonb_array_length(lines) = 0 THEN
		RAISE EXCEPTION 'lines must be a non-empty JSON array'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass lines like [{"sku_code": "O365_MIDSIZE_BUSINESS", "licenses": 25}].';
	END IF;
	IF jsonb_array_length(lines) > 100 THEN
		RAISE EXCEPTION 'a purchase offer has at most 100 lines, not %', jsonb_array_length(lines)
			USING ERRCODE = 'program_limit_exceeded',
			      HINT = 'Give each SKU once; send several offers for more.';
	END IF;
	c := por_partner_internal.random_code();
	INSERT INTO @extschema@.purchase_offer (partner_id, include_delegated_admin, code_hash)
	VALUES (create_purchase_offer.partner_id, create_purchase_offer.include_delegated_admin,
	        por_partner_internal.code_hash(c))
	RETURNING * INTO o;
	FOR line IN SELECT * FROM jsonb_array_elements(lines) LOOP
		n := n + 1;
		IF jsonb_typeof(line) <> 'object' OR jsonb_typeof(line -> 'sku_code') IS DISTINCT FROM 'string'
		   OR jsonb_typeof(line -> 'licenses') IS DISTINCT FROM 'number'
		   OR (line ->> 'licenses') !~ '^[0-9]{1,9}$' OR (line ->> 'licenses')::int = 0
		   OR (SELECT count(*) FROM jsonb_object_keys(line)) <> 2 THEN
			RAISE EXCEPTION 'line % of the purchase offer is malformed: %', n, left(line::text, 200)
				USING ERRCODE = 'invalid_parameter_value',
				      HINT = 'Each line is {"sku_code": "<SKU>", "licenses": <a whole number above 0>}.';
		END IF;
		PERFORM por_partner_internal.require_length(line ->> 'sku_code', format('lines[%s].sku_code', n), 'sku_code');
		IF NOT EXISTS (SELECT 1 FROM @extschema@.sku sk WHERE sk.sku_code = line ->> 'sku_code') THEN
			RAISE EXCEPTION 'SKU "%" on line % of the purchase offer does not exist', left(line ->> 'sku_code', 100), n
				USING ERRCODE = 'foreign_key_violation',
				      HINT = 'Use a sku_code from table por_partner.sku, such as O365_MIDSIZE_BUSINESS.';
		END IF;
		IF (line ->> 'sku_code') = ANY (skus) THEN
			RAISE EXCEPTION 'SKU "%" is on more than one line of the purchase offer', line ->> 'sku_code'
				USING ERRCODE = 'invalid_parameter_value',
				      DETAIL = format('Line %s repeats the SKU of line %s.', n, array_position(skus, line ->> 'sku_code')),
				      HINT = 'Give each SKU once, with all its licenses on one line.';
		END IF;
		skus := skus || (line ->> 'sku_code');
		INSERT INTO @extschema@.purchase_offer_line (purchase_offer_id, sku_code, licenses)
		VALUES (o.purchase_offer_id, line ->> 'sku_code', (line ->> 'licenses')::int);
	END LOOP;
	RETURN por_partner_internal.invitation_url('offer', c);
END $$;

COMMENT ON FUNCTION @extschema@.create_purchase_offer(bigint, jsonb, boolean) IS
	'An authorized subscription advisor offers services with license counts (rule A5), optionally with delegated admin (rule D5).  lines: [{"sku_code": ..., "licenses": ...}].  Returns the offer URL, shown this once (the table keeps the code''s hash).';

CREATE OR REPLACE FUNCTION @extschema@.accept_purchase_offer(url text, tenant_id bigint, licenses int DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	o record;
	l record;
	new_subscription bigint;
BEGIN
	IF num_nulls(accept_purchase_offer.tenant_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(accept_purchase_offer.tenant_id, 'tenant_id');
	END IF;
	SELECT * INTO o FROM @extschema@.purchase_offer po
	 WHERE po.code_hash = por_partner_internal.code_hash(por_partner_internal.invitation_code(accept_purchase_offer.url, 'offer'));
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no purchase offer has this URL'
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Ask the partner for a new offer.';
	END IF;
	IF accept_purchase_offer.licenses IS NOT NULL AND accept_purchase_offer.licenses < 1 THEN
		RAISE EXCEPTION 'licenses must be at least 1, not %', accept_purchase_offer.licenses
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'The license count replaces the count of every line of the offer.',
			      HINT = 'Pass a count of 1 or more, or NULL to buy the counts the offer lists.';
	END IF;
	PERFORM por_partner_internal.lock_tenant(accept_purchase_offer.tenant_id);
	FOR l IN SELECT pl.sku_code, pl.licenses, sk.term, sk.agreement
	           FROM @extschema@.purchase_offer_line pl JOIN @extschema@.sku sk USING (sku_code)
	          WHERE pl.purchase_offer_id = o.purchase_offer_id ORDER BY pl.sku_code LOOP
		INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on,
		                                      partner_of_record, agreement)
		VALUES (accept_purchase_offer.tenant_id, l.sku_code, coalesce(accept_purchase_offer.licenses, l.licenses),
		        'direct', current_date, (current_date + l.term)::date, o.partner_id, l.agreement)
		RETURNING subscription_id INTO new_subscription;
		RETURN NEXT new_subscription;
	END LOOP;
	IF o.include_delegated_admin THEN
		PERFORM por_partner_internal.grant_included_delegated_admin(o.partner_id, accept_purchase_offer.tenant_id, 'purchase offer');
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.accept_purchase_offer(text, bigint, int) IS
	'A customer buys what a purchase offer lists: one subscription a line, billed directly, for the SKU''s term, with licenses changed at purchase if given (rule A5), the advisor as partner of record, and delegated admin if included (rule D5).  Returns the new subscription_ids.';

-- Rule A4: a purchase of the product of the tenant's running trial (one
-- whose users still have access on the purchase's first day) converts it:
-- the trial's licensed users are licensed on the purchase, and the trial ends
-- that day, superseded by it.  Fewer seats than the trial's licensed users is
-- refused: no license is lost without an error.
CREATE OR REPLACE FUNCTION por_partner_internal.convert_trial(purchase @extschema@.subscription) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	t @extschema@.subscription;
	missing int;
	taken int;
BEGIN
	-- subscription_license_admin calls this for a purchase (not a trial) of
	-- a tenant that has a trial of its product
	SELECT * INTO t FROM @extschema@.subscription s
	 WHERE s.tenant_id = purchase.tenant_id AND s.sku_code = purchase.sku_code AND s.billing = 'trial'
	   AND s.superseded_by IS NULL AND s.starts_on <= purchase.starts_on
	   AND @extschema@.subscription_phase(s.expires_on, purchase.starts_on) IN ('active', 'expired')
	   FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT s.licensed_users INTO taken FROM @extschema@.subscription s WHERE s.subscription_id = purchase.subscription_id;
	SELECT count(*) INTO missing FROM @extschema@.license l
	 WHERE l.subscription_id = t.subscription_id
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.license n WHERE n.subscription_id = purchase.subscription_id AND n.user_id = l.user_id);
	IF taken + missing > purchase.seats THEN
		RAISE EXCEPTION 'subscription % has % seats, but the trial it converts has % licensed users', purchase.subscription_id,
				purchase.seats, taken + missing
			USING ERRCODE = 'check_violation',
			      DETAIL = format('A purchase converts the tenant''s running trial, subscription %s, and licenses its users (rule A4): remove %s licenses from the trial first, or buy %s more.',
			                      t.subscription_id, taken + missing - purchase.seats, taken + missing - purchase.seats),
			      HINT = 'por_partner.remove_license() takes a license back.';
	END IF;
	INSERT INTO @extschema@.license (subscription_id, user_id, tenant_id)
	SELECT purchase.subscription_id, l.user_id, l.tenant_id FROM @extschema@.license l
	 WHERE l.subscription_id = t.subscription_id
	 ORDER BY l.user_id
	ON CONFLICT DO NOTHING;
	-- the trial ends on the purchase's first day (a term is never empty: one
	-- that began that day is held to have begun the day before)
	UPDATE @extschema@.subscription s
	   SET expires_on = least(s.expires_on, purchase.starts_on),
	       starts_on = least(s.starts_on, least(s.expires_on, purchase.starts_on) - 1),
	       superseded_by = purchase.subscription_id
	 WHERE s.subscription_id = t.subscription_id;
END $$;

COMMENT ON FUNCTION por_partner_internal.convert_trial(@extschema@.subscription) IS
	'Internal, for the trigger subscription_license_admin: a purchase of the product of the tenant''s running trial licenses the trial''s users on it and ends the trial that day, superseded by the purchase (rule A4); 23514 when it has fewer seats than they need.';
