/* sql/60_partner_of_record/code.sql: partner of record (rules P1-P4) */

-- Only an authorized subscription advisor is named partner of record (P2),
-- whichever client sets the column.
CREATE OR REPLACE FUNCTION por_partner_internal.subscription_por_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
BEGIN
	-- the triggers' WHEN clauses call this only for a new, non-null partner
	SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_of_record;
	IF FOUND AND NOT p.subscription_advisor THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) cannot be partner of record', p.name, p.mpn_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A customer names a partner as partner of record only if it is an authorized subscription advisor (rule P2).',
			      HINT = 'Name an authorized subscription advisor.';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.subscription_por_check() IS
	'Trigger: the partner of record is an authorized subscription advisor (rule P2).';

CREATE OR REPLACE FUNCTION @extschema@.set_partner_of_record(subscription_id bigint, mpn_id text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	p bigint;
	mpn text;
BEGIN
	IF num_nulls(set_partner_of_record.subscription_id, set_partner_of_record.mpn_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(set_partner_of_record.subscription_id, 'subscription_id'),
		        por_partner_internal.require_arg(set_partner_of_record.mpn_id, 'mpn_id');
	END IF;
	PERFORM por_partner_internal.require_length(set_partner_of_record.mpn_id, 'mpn_id', 'mpn_id');
	mpn := substring(set_partner_of_record.mpn_id FROM '^\s*([0-9]{1,20})\s*$');
	IF mpn IS NULL THEN
		RAISE EXCEPTION 'invalid Microsoft Partner ID: "%"', left(set_partner_of_record.mpn_id, 100)
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'A Microsoft Partner ID (MPN ID) is a number, such as 4411223.';
	END IF;
	SELECT pa.partner_id INTO p FROM @extschema@.partner pa WHERE pa.mpn_id = mpn;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no partner has Microsoft Partner ID %', mpn
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Check the Microsoft Partner ID with the partner.';
	END IF;
	UPDATE @extschema@.subscription s SET partner_of_record = p
	 WHERE s.subscription_id = set_partner_of_record.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', set_partner_of_record.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.set_partner_of_record(bigint, text) IS
	'The customer names a partner of record for a subscription by its Microsoft Partner ID (rule P1); only authorized subscription advisors (rule P2).';

CREATE OR REPLACE FUNCTION @extschema@.clear_partner_of_record(subscription_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	IF num_nulls(clear_partner_of_record.subscription_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(clear_partner_of_record.subscription_id, 'subscription_id');
	END IF;
	UPDATE @extschema@.subscription s SET partner_of_record = NULL
	 WHERE s.subscription_id = clear_partner_of_record.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', clear_partner_of_record.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.clear_partner_of_record(bigint) IS
	'Removes the partner of record from a subscription.';

-- Rule P3 in one place: the partner benefits (change notices, offering
-- delegated admin, rule D3) are active while the partner is enrolled in Cloud
-- Essentials.  On a partner row, inlined where a query reads the row
-- (renewal_notices_due), called by the triggers and functions that decide.
CREATE OR REPLACE FUNCTION @extschema@.partner_benefits_active(p @extschema@.partner) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT p.cloud_essentials $$;

COMMENT ON FUNCTION @extschema@.partner_benefits_active(@extschema@.partner) IS
	'True when the partner''s benefits (notices, offering delegated admin) are active: it is enrolled in Cloud Essentials (rule P3).';

-- Operators ask about any partner; a partner's login about its own only
-- (null for another, as for a partner that does not exist).
CREATE OR REPLACE FUNCTION @extschema@.partner_benefits_active(partner_id bigint) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT @extschema@.partner_benefits_active(p) FROM @extschema@.partner p
	 WHERE p.partner_id = $1 AND (@extschema@.caller_is_operator() OR p.partner_id = @extschema@.caller_partner_id())
$$;

COMMENT ON FUNCTION @extschema@.partner_benefits_active(bigint) IS
	'True when the partner''s benefits (notices, offering delegated admin) are active: it is enrolled in Cloud Essentials (rule P3); null for an unknown partner, and for a partner''s login asking about another partner.';

-- Change notices (rule P3): one a change of a subscription, to each partner
-- of record concerned whose benefits are active, whoever changes the row.
-- A partner is told only of itself: a change of partner of record names the
-- recipient's own MPN ID or nothing, never the other partner's.
CREATE OR REPLACE FUNCTION por_partner_internal.subscription_change_notice() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	now_por @extschema@.partner;
	was_por @extschema@.partner;
	n int;
BEGIN
	SELECT * INTO now_por FROM @extschema@.partner p WHERE p.partner_id = NEW.partner_of_record;
	IF NEW.partner_of_record IS DISTINCT FROM OLD.partner_of_record THEN
		SELECT * INTO was_por FROM @extschema@.partner p WHERE p.partner_id = OLD.partner_of_record;
	END IF;
	INSERT INTO @extschema@.change_notice (subscription_id, tenant_id, partner_id, what, old_value, new_value, expires_on)
	SELECT NEW.subscription_id, NEW.tenant_id, c.partner_id, c.what, c.old_value, c.new_value, NEW.expires_on
	  FROM (VALUES
		(now_por.partner_id, 'seats', OLD.seats::text, NEW.seats::text,
		 NEW.seats <> OLD.seats AND @extschema@.partner_benefits_active(now_por)),
		(now_por.partner_id, 'renewed', OLD.expires_on::text, NEW.expires_on::text,
		 NEW.expires_on > OLD.expires_on AND @extschema@.partner_benefits_active(now_por)),
		(now_por.partner_id, 'billing', OLD.billing,
		 coalesce((SELECT o.billing FROM @extschema@.subscription o WHERE o.subscription_id = NEW.superseded_by), NEW.billing),
		 (NEW.billing <> OLD.billing OR NEW.superseded_by IS DISTINCT FROM OLD.superseded_by)
		 AND @extschema@.partner_benefits_active(now_por)),
		(was_por.partner_id, 'partner_of_record', was_por.mpn_id, NULL,
		 was_por.partner_id IS NOT NULL AND @extschema@.partner_benefits_active(was_por)),
		(now_por.partner_id, 'partner_of_record', NULL, now_por.mpn_id,
		 NEW.partner_of_record IS DISTINCT FROM OLD.partner_of_record AND @extschema@.partner_benefits_active(now_por))
	  ) AS c (partner_id, what, old_value, new_value, due)
	 WHERE c.due AND c.partner_id IS NOT NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	-- the mailer's wake-up, as for renewal notices: no data in it
	IF n > 0 THEN
		PERFORM por_partner_internal.wake_mailer();
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.subscription_change_notice() IS
	'Trigger: records a change notice for each change of a subscription (seats, renewed, billing, partner of record) to its partner of record, and to the one removed, while their benefits are active (rule P3).';
