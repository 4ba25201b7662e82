/* sql/40_customers/code_redeem.sql: redeeming keys, creating customers, adding and licensing users (rules K3, K5, C1-C5, A6) */

-- A new customer's tenant (rule C1), by whichever way it comes: keys
-- (create_customer_subscription) or a trial invitation.  Its values are
-- checked first (the table's CHECK constraints, foreign key and trigger stay
-- as a backstop); its admin becomes a user by the tenant's trigger (C3).
CREATE OR REPLACE FUNCTION por_partner_internal.create_tenant(organization_name text, country_code text,
	admin_first_name text, admin_last_name text, admin_email text, agreement text, created_by bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	new_tenant bigint;
BEGIN
	PERFORM por_partner_internal.require_length(create_tenant.organization_name, 'organization_name', 'organization_name'),
	        por_partner_internal.require_length(create_tenant.country_code, 'country_code', 'country_code'),
	        por_partner_internal.require_length(create_tenant.admin_first_name, 'admin_first_name', 'name'),
	        por_partner_internal.require_length(create_tenant.admin_last_name, 'admin_last_name', 'name');
	IF organization_name ~ '^\s*$' THEN
		RAISE EXCEPTION 'argument "organization_name" must not be blank'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass the name of the customer''s organization.';
	END IF;
	-- whether the code exists is tenant_check's; a value of another length
	-- would fail the char(2) cast (22001) before that trigger sees it
	IF length(rtrim(create_tenant.country_code, ' ')) <> 2 THEN
		RAISE EXCEPTION 'country "%" does not exist', upper(left(create_tenant.country_code, 100))
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Use an ISO 3166-1 alpha-2 code from table por_partner.country.';
	END IF;
	PERFORM por_partner_internal.require_email(admin_email, 'admin_email');
	INSERT INTO @extschema@.tenant AS t (organization_name, country_code, agreement, created_by,
	                                     admin_first_name, admin_last_name, admin_email)
	VALUES (create_tenant.organization_name, create_tenant.country_code, create_tenant.agreement,
	        create_tenant.created_by, create_tenant.admin_first_name, create_tenant.admin_last_name,
	        create_tenant.admin_email)
	RETURNING t.tenant_id INTO new_tenant;
	RETURN new_tenant;
END $$;

COMMENT ON FUNCTION por_partner_internal.create_tenant(text, text, text, text, text, text, bigint) IS
	'Internal: checks a new customer''s values (22023 for a blank organization name or a malformed admin e-mail, 23503 for a country code that is not two letters long; tenant_check finds whether it exists) and inserts its tenant; returns the tenant_id.';

/*
 * Lock the cards of a set of keys, in key order (so that two callers never
 * deadlock), and return their SKU and licenses.  The keys must all be cards
 * of owner (any partner's when owner is null, for an operator), be given once
 * each and be of one SKU.  Only the owner's cards are locked: a partner's
 * call never holds another partner's card, whatever keys it names.  A key
 * that is not one of owner's cards gets one answer whether it exists or not
 * (42501), so that keys cannot be probed; an operator is told 23503 for a
 * key that does not exist.  Whether the cards are unredeemed is checked
 * where they are redeemed (the key_card trigger).
 */
CREATE OR REPLACE FUNCTION por_partner_internal.lock_key_cards(keys @extschema@.product_key[], owner bigint,
	OUT sku_code text, OUT licenses bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp
-- a generic plan for "product_key = ANY (keys)": the planner's guess for an
-- array of unknown length made a custom plan win, planned again every call
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
	missing @extschema@.product_key;
	dup @extschema@.product_key;
	skus text[];
	found_cards int;
BEGIN
	IF keys IS NULL THEN
		PERFORM por_partner_internal.require_arg(keys, 'keys');
	END IF;
	IF cardinality(keys) = 0 THEN
		RAISE EXCEPTION 'no product key given'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass at least one product key.';
	END IF;

	-- lock the owner's cards in key order, and sum them up
	SELECT count(*), array_agg(DISTINCT c.sku_code ORDER BY c.sku_code), sum(c.licenses)
	  INTO found_cards, skus, licenses
	  FROM (SELECT k.sku_code, k.licenses FROM @extschema@.key_card k
	         WHERE k.product_key = ANY (keys) AND (owner IS NULL OR k.partner_id = owner)
	         ORDER BY k.product_key FOR UPDATE) AS c;

	-- fewer cards than keys: a null, a key given twice, or a key that is not
	-- one of the owner's cards
	IF found_cards <> cardinality(keys) THEN
		IF array_position(keys, NULL) IS NOT NULL THEN
			RAISE EXCEPTION 'product key % of the array is null', array_position(keys, NULL)
				USING ERRCODE = 'null_value_not_allowed';
		END IF;
		SELECT k INTO dup FROM unnest(keys) AS k GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'product key % is given more than once', dup
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Give each key once.';
		END IF;
		SELECT k INTO missing FROM unnest(keys) AS k
		 WHERE NOT EXISTS (SELECT 1 FROM @extschema@.key_card c
		                    WHERE c.product_key = k AND (owner IS NULL OR c.partner_id = owner))
		 ORDER BY k LIMIT 1;
		IF @extschema@.caller_is_operator()
		   AND NOT EXISTS (SELECT 1 FROM @extschema@.key_card c WHERE c.product_key = missing) THEN
			RAISE EXCEPTION 'product key % does not exist', missing
				USING ERRCODE = 'foreign_key_violation',
				      HINT = 'Check the key against the key card; only keys bought and recorded in por_partner.key_card can be redeemed.';
		END IF;
		RAISE EXCEPTION 'product key % is not a key card of partner %', missing, owner
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner redeems only the key cards it bought (rule K2).',
			      HINT = 'Check the key against the key card.';
	END IF;
	IF cardinality(skus) > 1 THEN
		RAISE EXCEPTION 'the product keys are for different products: %', array_to_string(skus, ', ')
			USING ERRCODE = 'check_violation',
			      DETAIL = 'Keys redeemed together activate, extend or renew one subscription of one product (rule K3).',
			      HINT = 'Redeem the keys of each product separately.';
	END IF;
	sku_code := skus[1];
END $$;

COMMENT ON FUNCTION por_partner_internal.lock_key_cards(@extschema@.product_key[], bigint) IS
	'Internal: validates an array of keys and locks their cards, which must be owner''s (any partner''s for null), in key order; returns their one SKU and the licenses they carry.';

-- The seats of a term are the licenses its keys carry (rules K4, R3): at
-- most what an int holds.
CREATE OR REPLACE FUNCTION por_partner_internal.require_seat_count(licenses bigint)
RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF licenses > 2147483647 THEN
		RAISE EXCEPTION 'the product keys carry % licenses, more seats than a subscription holds', licenses
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'A subscription has at most 2147483647 seats.',
			      HINT = 'Check the license counts of the key cards.';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_seat_count(bigint) IS
	'Internal: raises 22023 when the keys carry more licenses than a subscription has seats (2147483647).';

-- A new subscription of a tenant, activated with keys the caller has locked
-- (lock_key_cards): the seats are the licenses they carry (rules K3, K4, K5).
-- The activation key is redeemed after the subscription it references exists:
-- its check waits for the end of the transaction, even where the caller made
-- constraints immediate.
CREATE OR REPLACE FUNCTION por_partner_internal.activate_subscription(tenant_id bigint, keys @extschema@.product_key[],
	sku_code text, licenses bigint, starts_on date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp
-- a generic plan for "= ANY (keys)" (lock_key_cards())
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
	s @extschema@.sku;
	new_subscription bigint;
BEGIN
	PERFORM por_partner_internal.require_seat_count(activate_subscription.licenses);
	SELECT * INTO s FROM @extschema@.sku sk WHERE sk.sku_code = activate_subscription.sku_code;
	SET CONSTRAINTS @extschema@.subscription_has_activation_key DEFERRED;
	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, agreement)
	VALUES (activate_subscription.tenant_id, s.sku_code, activate_subscription.licenses, 'product_key',
	        activate_subscription.starts_on, (activate_subscription.starts_on + s.term)::date, s.agreement)
	RETURNING subscription_id INTO new_subscription;
	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = new_subscription, redeemed_as = 'activate'
	 WHERE c.product_key = ANY (activate_subscription.keys);
	RETURN new_subscription;
END $$;

COMMENT ON FUNCTION por_partner_internal.activate_subscription(bigint, @extschema@.product_key[], text, bigint, date) IS
	'Internal: inserts a subscription of the tenant billed by product key, with the licenses of the keys (locked by the caller) as seats, and redeems them to activate it (rules K3-K5); returns the subscription_id.';

CREATE OR REPLACE FUNCTION @extschema@.create_customer_subscription(
	partner_id bigint,
	keys @extschema@.product_key[],
	organization_name text,
	country_code text,
	admin_first_name text,
	admin_last_name text,
	admin_email text,
	starts_on date DEFAULT current_date,
	offer_delegated_admin boolean DEFAULT false,
	offer_message text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	p record;
	cards record;
	new_tenant bigint;
	new_subscription bigint;
BEGIN
	IF num_nulls(create_customer_subscription.partner_id, create_customer_subscription.organization_name, create_customer_subscription.country_code, create_customer_subscription.admin_first_name, create_customer_subscription.admin_last_name, create_customer_subscription.admin_email, create_customer_subscription.starts_on, create_customer_subscription.offer_delegated_admin) > 0 THEN
		PERFORM por_partner_internal.require_arg(create_customer_subscription.partner_id, 'partner_id'),
		        por_partner_internal.require_arg(create_customer_subscription.organization_name, 'organization_name'),
		        por_partner_internal.require_arg(create_customer_subscription.country_code, 'country_code'),
		        por_partner_internal.require_arg(create_customer_subscription.admin_first_name, 'admin_first_name'),
		        por_partner_internal.require_arg(create_customer_subscription.admin_last_name, 'admin_last_name'),
		        por_partner_internal.require_arg(create_customer_subscription.admin_email, 'admin_email'),
		        por_partner_internal.require_arg(create_customer_subscription.starts_on, 'starts_on'),
		        por_partner_internal.require_arg(create_customer_subscription.offer_delegated_admin, 'offer_delegated_admin');
	END IF;
	PERFORM por_partner_internal.require_length(create_customer_subscription.offer_message, 'offer_message', 'message');
	IF create_customer_subscription.starts_on IS NULL OR NOT isfinite(create_customer_subscription.starts_on) THEN
		PERFORM por_partner_internal.require_finite_day(create_customer_subscription.starts_on, 'starts_on',
		                                       'Pass the first day of the subscription, such as current_date.');
	END IF;
	PERFORM por_partner_internal.require_acting_partner(create_customer_subscription.partner_id);

	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = create_customer_subscription.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % does not exist', create_customer_subscription.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;

	cards := por_partner_internal.lock_key_cards(keys, p.partner_id);
	PERFORM por_partner_internal.require_seat_count(cards.licenses);
	new_tenant := por_partner_internal.create_tenant(create_customer_subscription.organization_name,
	                                        create_customer_subscription.country_code,
	                                        create_customer_subscription.admin_first_name,
	                                        create_customer_subscription.admin_last_name,
	                                        create_customer_subscription.admin_email,
	                                        (SELECT sk.agreement FROM @extschema@.sku sk WHERE sk.sku_code = cards.sku_code),
	                                        p.partner_id);
	new_subscription := por_partner_internal.activate_subscription(new_tenant, keys, cards.sku_code, cards.licenses,
	                                                               create_customer_subscription.starts_on);
	-- delegated admin offered with the set-up (rule D5; D3 applies: only a
	-- Cloud Essentials partner offers it, else nothing is created)
	IF create_customer_subscription.offer_delegated_admin THEN
		PERFORM @extschema@.offer_delegated_admin(p.partner_id, new_tenant, create_customer_subscription.offer_message);
	END IF;
	RETURN new_subscription;
END $$;

COMMENT ON FUNCTION @extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date, boolean, text) IS
	'Redeems product keys to create a customer: its tenant, admin user (licensed), and a subscription with the licenses the keys carry, all or nothing (rules K3, K5, K6, C1-C4, A6); with offer_delegated_admin, a pending delegated admin offer to the new customer in the same transaction (rules D3, D5).  Returns the subscription_id.';

-- Keys activate a new subscription for a customer already in the book, too
-- (rules K3, D5): a second product, or a new start after deprovisioning.  The
-- partner administers the customer (rule D7); the keys are its own.
CREATE OR REPLACE FUNCTION @extschema@.create_subscription(tenant_id bigint, keys @extschema@.product_key[],
	starts_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	cards record;
BEGIN
	IF num_nulls(create_subscription.tenant_id, create_subscription.starts_on) > 0 THEN
		PERFORM por_partner_internal.require_arg(create_subscription.tenant_id, 'tenant_id'),
		        por_partner_internal.require_arg(create_subscription.starts_on, 'starts_on');
	END IF;
	PERFORM por_partner_internal.require_tenant_access(create_subscription.tenant_id, administer => true);
	IF NOT isfinite(create_subscription.starts_on) THEN
		PERFORM por_partner_internal.require_finite_day(create_subscription.starts_on, 'starts_on',
		                                       'Pass the first day of the subscription, such as current_date.');
	END IF;
	PERFORM por_partner_internal.lock_tenant(create_subscription.tenant_id);
	cards := por_partner_internal.lock_key_cards(keys, por_partner_internal.acting_partner());
	RETURN por_partner_internal.activate_subscription(create_subscription.tenant_id, keys, cards.sku_code,
	                                                  cards.licenses, create_subscription.starts_on);
END $$;

COMMENT ON FUNCTION @extschema@.create_subscription(bigint, @extschema@.product_key[], date) IS
	'Redeems product keys to activate a new subscription for an existing customer the partner administers (rules K3, K5, K6, D7, A6): a second product, or a new start after deprovisioning, with the licenses the keys carry as seats; one paid term of a product on any day (23P01, rules R3, R4); it converts the customer''s running trial of the product (rule A4).  Returns the subscription_id.';

-- The tenant a call adds a subscription to, locked (FOR NO KEY UPDATE) until
-- the end of the transaction, so that two calls for one customer take turns;
-- 23503 when it does not exist.
CREATE OR REPLACE FUNCTION por_partner_internal.lock_tenant(tenant_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	PERFORM 1 FROM @extschema@.tenant t WHERE t.tenant_id = lock_tenant.tenant_id FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'tenant % does not exist', lock_tenant.tenant_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.lock_tenant(bigint) IS
	'Internal: locks the tenant''s row FOR NO KEY UPDATE; 23503 when it does not exist.';

-- The subscription a call changes, locked until the end of the transaction
-- (FOR UPDATE: renewals and seat changes of one subscription queue up).
CREATE OR REPLACE FUNCTION por_partner_internal.lock_subscription(subscription_id bigint)
RETURNS @extschema@.subscription
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	s @extschema@.subscription;
BEGIN
	SELECT * INTO s FROM @extschema@.subscription su
	 WHERE su.subscription_id = lock_subscription.subscription_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', lock_subscription.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN s;
END $$;

COMMENT ON FUNCTION por_partner_internal.lock_subscription(bigint) IS
	'Internal: the subscription, locked FOR UPDATE; 23503 when it does not exist.';

-- Product keys work on subscriptions set up with product keys (rule K3).
CREATE OR REPLACE FUNCTION por_partner_internal.require_key_billing(s @extschema@.subscription, purpose text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF s.billing <> 'product_key' THEN
		RAISE EXCEPTION 'subscription % is billed %, not by product key', s.subscription_id,
				CASE s.billing WHEN 'direct' THEN 'directly' ELSE 'as a trial' END
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = format('Product keys %s subscriptions set up with product keys.', purpose);
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_key_billing(@extschema@.subscription, text) IS
	'Internal: raises 55000 unless the subscription is billed by product key; purpose says what the keys were to do (rule K3).';

CREATE OR REPLACE FUNCTION @extschema@.add_licenses(subscription_id bigint, keys @extschema@.product_key[])
RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp
-- a generic plan for "= ANY (keys)" (lock_key_cards())
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
	s @extschema@.subscription;
	cards record;
	new_seats int;
BEGIN
	IF num_nulls(add_licenses.subscription_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(add_licenses.subscription_id, 'subscription_id');
	END IF;
	PERFORM por_partner_internal.require_subscription_access(add_licenses.subscription_id);
	s := por_partner_internal.lock_subscription(add_licenses.subscription_id);
	PERFORM por_partner_internal.require_not_superseded(s, 'given seats');
	PERFORM por_partner_internal.require_key_billing(s, 'add users to');
	cards := por_partner_internal.lock_key_cards(keys, por_partner_internal.acting_partner());
	IF s.seats + cards.licenses > 2147483647 THEN
		RAISE EXCEPTION 'subscription % would have % seats, more than a subscription holds', s.subscription_id,
				s.seats + cards.licenses
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('It has %s seats and the keys carry %s licenses; a subscription has at most 2147483647 seats.',
			                      s.seats, cards.licenses),
			      HINT = 'Check the license counts of the key cards.';
	END IF;
	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = s.subscription_id, redeemed_as = 'add_users'
	 WHERE c.product_key = ANY (keys);
	UPDATE @extschema@.subscription su SET seats = su.seats + cards.licenses
	 WHERE su.subscription_id = s.subscription_id
	RETURNING su.seats INTO new_seats;
	RETURN new_seats;
END $$;

COMMENT ON FUNCTION @extschema@.add_licenses(bigint, @extschema@.product_key[]) IS
	'Redeems product keys of the subscription''s SKU to add seats to its current term (rules K3, K5, K6).  Returns the new seat count.';

-- A user is looked up in the subscription's tenant only, so that a partner
-- cannot probe the users of other partners' customers: a user of another
-- tenant and a user that does not exist get one answer (23503).
CREATE OR REPLACE FUNCTION por_partner_internal.require_user_of_subscription(subscription_id bigint, user_id bigint)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	t bigint;
BEGIN
	SELECT su.tenant_id INTO t FROM @extschema@.subscription su
	 WHERE su.subscription_id = require_user_of_subscription.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', require_user_of_subscription.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant_user u
	                WHERE u.user_id = require_user_of_subscription.user_id AND u.tenant_id = t) THEN
		RAISE EXCEPTION 'user % does not exist in tenant % of subscription %', require_user_of_subscription.user_id, t,
				require_user_of_subscription.subscription_id
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'A license is held by a user of the subscription''s tenant.';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_user_of_subscription(bigint, bigint) IS
	'Internal: raises 23503 unless the user is one of the subscription''s tenant''s users (one answer for a user of another tenant and one that does not exist).';

CREATE OR REPLACE FUNCTION @extschema@.assign_license(subscription_id bigint, user_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF num_nulls(assign_license.subscription_id, assign_license.user_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(assign_license.subscription_id, 'subscription_id'),
		        por_partner_internal.require_arg(assign_license.user_id, 'user_id');
	END IF;
	PERFORM por_partner_internal.require_subscription_access(assign_license.subscription_id);
	INSERT INTO @extschema@.license (subscription_id, user_id)
	VALUES (assign_license.subscription_id, assign_license.user_id);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'user % already has a license on subscription %', assign_license.user_id,
			assign_license.subscription_id
		USING ERRCODE = 'unique_violation',
		      DETAIL = 'A user holds at most one license on a subscription.',
		      HINT = 'Nothing needs to be done; por_partner.license lists the licenses of a subscription.';
END $$;

COMMENT ON FUNCTION @extschema@.assign_license(bigint, bigint) IS
	'Gives a user of the subscription''s tenant a license on it, when a seat is free (rule C5).';

CREATE OR REPLACE FUNCTION @extschema@.remove_license(subscription_id bigint, user_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	IF num_nulls(remove_license.subscription_id, remove_license.user_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(remove_license.subscription_id, 'subscription_id'),
		        por_partner_internal.require_arg(remove_license.user_id, 'user_id');
	END IF;
	PERFORM por_partner_internal.require_subscription_access(remove_license.subscription_id);
	PERFORM por_partner_internal.require_user_of_subscription(remove_license.subscription_id, remove_license.user_id);
	DELETE FROM @extschema@.license l
	 WHERE l.subscription_id = remove_license.subscription_id AND l.user_id = remove_license.user_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user % has no license on subscription %', remove_license.user_id,
				remove_license.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'Only a license the user holds can be taken back.',
			      HINT = 'por_partner.license lists the licenses of a subscription.';
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.remove_license(bigint, bigint) IS
	'Takes a user''s license on a subscription back, freeing the seat.';

CREATE OR REPLACE FUNCTION @extschema@.add_user(tenant_id bigint, first_name text, last_name text, email text,
	subscription_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	new_user bigint;
BEGIN
	IF num_nulls(add_user.tenant_id, add_user.email) > 0 THEN
		PERFORM por_partner_internal.require_arg(add_user.tenant_id, 'tenant_id'),
		        por_partner_internal.require_arg(add_user.email, 'email');
	END IF;
	PERFORM por_partner_internal.require_tenant_access(add_user.tenant_id, administer => true);
	PERFORM por_partner_internal.require_length(add_user.first_name, 'first_name', 'name'),
	        por_partner_internal.require_length(add_user.last_name, 'last_name', 'name'),
	        por_partner_internal.require_email(add_user.email, 'email');
	INSERT INTO @extschema@.tenant_user (tenant_id, first_name, last_name, email)
	VALUES (add_user.tenant_id, add_user.first_name, add_user.last_name, add_user.email)
	RETURNING user_id INTO new_user;
	IF add_user.subscription_id IS NOT NULL THEN
		PERFORM @extschema@.assign_license(add_user.subscription_id, new_user);
	END IF;
	RETURN new_user;
END $$;

COMMENT ON FUNCTION @extschema@.add_user(bigint, text, text, text, bigint) IS
	'Adds a user to a tenant (e-mail unique in the tenant, whatever its case) and licenses it on the subscription when one is given (rule C5).  Returns the user_id.';
