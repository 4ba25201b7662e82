/* sql/por_partner--0.1.0--0.2.0.sql: from 0.1.0 to 0.2.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION por_partner UPDATE TO '0.2.0'" to load this file. \quit

-- Everything below also stands, in the same order and words, in
-- sql/por_partner--0.2.0.sql; test/shell/upgrade.sh checks that an updated
-- database and a fresh install have the same schema.
--------------------------------------------------------------------------
-- Roles, logins and who is calling (since 0.2.0)
--------------------------------------------------------------------------

-- Three group roles, created when missing (roles belong to the cluster, so
-- they outlive DROP EXTENSION and are shared by its databases):
--   por_partner_operator  runs the platform: every table and function
--   por_partner_partner   an application acting for one partner: reads its
--                         own rows, writes through the functions
--   por_partner_reader    BI: the reporting views and functions, keys masked
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES
		('por_partner_operator', 'por_partner: runs the platform; every table and function of the extension.'),
		('por_partner_partner', 'por_partner: an application acting for the partner its login is mapped to in por_partner.partner_login.'),
		('por_partner_reader', 'por_partner: BI tools; the reporting views and functions, product keys masked.')) AS v (name, comment)
	LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r.name);
			EXECUTE format('COMMENT ON ROLE %I IS %L', r.name, r.comment);
		END IF;
	END LOOP;
END $$;

CREATE FUNCTION @extschema@.caller() RETURNS regrole
AS 'MODULE_PATHNAME', 'por_partner_caller'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.caller() IS
	'The role calling: the login, or the role chosen with SET ROLE; inside a SECURITY DEFINER function still the role that called it, not the function''s owner.';

CREATE TABLE @extschema@.partner_login (
	login regrole PRIMARY KEY,
	partner_id bigint NOT NULL REFERENCES @extschema@.partner ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_login_partner_idx ON @extschema@.partner_login (partner_id);
COMMENT ON TABLE @extschema@.partner_login IS
	'Which partner each login acts for: a login (a member of por_partner_partner) is tied to one partner.  Managed by operators.';

CREATE FUNCTION @extschema@.partner_login_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF NOT pg_has_role(NEW.login, 'por_partner_partner', 'MEMBER') THEN
		RAISE EXCEPTION 'role % is not a member of por_partner_partner', NEW.login
			USING ERRCODE = 'check_violation',
			      DETAIL = 'Only members of por_partner_partner act for a partner.',
			      HINT = format('Grant the role first: GRANT por_partner_partner TO %s;', NEW.login);
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.partner_login_check() IS
	'Trigger: a mapped login is a member of por_partner_partner.';
CREATE TRIGGER partner_login_check BEFORE INSERT OR UPDATE ON @extschema@.partner_login
	FOR EACH ROW EXECUTE FUNCTION @extschema@.partner_login_check();

-- PL/pgSQL rather than SQL: a SECURITY DEFINER SQL function is not inlined,
-- and would be planned again in every transaction that calls it
CREATE FUNCTION @extschema@.caller_partner_id() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	RETURN (SELECT l.partner_id FROM @extschema@.partner_login l WHERE l.login = @extschema@.caller());
END $$;
COMMENT ON FUNCTION @extschema@.caller_partner_id() IS
	'The partner the calling login acts for (por_partner.partner_login), or null.';

-- schema-qualified and without SET, so that the planner inlines them
CREATE FUNCTION @extschema@.caller_is_operator() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.pg_has_role(@extschema@.caller(), 'por_partner_operator', 'USAGE') $$;
COMMENT ON FUNCTION @extschema@.caller_is_operator() IS
	'True when the calling role has the privileges of por_partner_operator (superusers have them).';

CREATE FUNCTION @extschema@.caller_reads_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.pg_has_role(@extschema@.caller(), 'por_partner_operator', 'USAGE')
          OR pg_catalog.pg_has_role(@extschema@.caller(), 'por_partner_reader', 'USAGE') $$;
COMMENT ON FUNCTION @extschema@.caller_reads_all() IS
	'True when the calling role reads every partner''s book: operators and readers (BI).';

-- A partner's customers: the tenants it created, administers as accepted
-- delegated admin or is partner of record for.  Row-level security and the
-- functions below limit a partner's login to these.
CREATE FUNCTION @extschema@.partner_tenants() RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	RETURN QUERY SELECT @extschema@.partner_book(@extschema@.caller_partner_id());
END $$;
COMMENT ON FUNCTION @extschema@.partner_tenants() IS
	'The tenants of the calling login''s partner: created by it, administered by it as delegated admin, or with it as partner of record; none for a login mapped to no partner.';

-- The partner the caller acts for, for the checks below: null for operators
-- (they pass every check), 42501 for a login mapped to no partner.
CREATE FUNCTION @extschema@.acting_partner() RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	me bigint;
BEGIN
	IF @extschema@.caller_is_operator() THEN
		RETURN NULL;
	END IF;
	me := @extschema@.caller_partner_id();
	IF me IS NULL THEN
		RAISE EXCEPTION 'role % does not act for any partner', @extschema@.caller()
			USING ERRCODE = 'insufficient_privilege',
			      HINT = 'An operator maps a login to its partner in por_partner.partner_login.';
	END IF;
	RETURN me;
END $$;
COMMENT ON FUNCTION @extschema@.acting_partner() IS
	'Internal: the partner the calling login acts for; null for operators; 42501 for a login mapped to no partner.';

-- The checks of the functions partners call.  Those functions run as
-- SECURITY DEFINER (a partner's login has no write privilege on the tables),
-- so they check here whom the caller acts for, and refuse with 42501.  For a
-- partner, an id it may not reach is refused whether or not it exists, so
-- that other partners' ids cannot be probed.
CREATE FUNCTION @extschema@.require_acting_partner(partner_id bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	me bigint := @extschema@.acting_partner();
BEGIN
	IF me IS NOT NULL AND me IS DISTINCT FROM require_acting_partner.partner_id THEN
		RAISE EXCEPTION 'role % acts for partner %, not for partner %', @extschema@.caller(), me,
				require_acting_partner.partner_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner''s login acts only for its own partner.',
			      HINT = 'Pass your own partner_id.';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.require_acting_partner(bigint) IS
	'Internal: raises 42501 unless the caller is an operator or acts for the partner.';

CREATE FUNCTION @extschema@.require_tenant_access(tenant_id bigint, what text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	me bigint := @extschema@.acting_partner();
BEGIN
	IF me IS NULL THEN
		RETURN;
	END IF;
	IF NOT (EXISTS (SELECT 1 FROM @extschema@.tenant t
	                 WHERE t.tenant_id = require_tenant_access.tenant_id AND t.created_by = me)
	        OR EXISTS (SELECT 1 FROM @extschema@.delegated_admin d
	                    WHERE d.tenant_id = require_tenant_access.tenant_id AND d.partner_id = me)
	        OR EXISTS (SELECT 1 FROM @extschema@.subscription s
	                    WHERE s.tenant_id = require_tenant_access.tenant_id AND s.partner_of_record = me)) THEN
		RAISE EXCEPTION '% is not in the book of partner %',
				coalesce(what, format('tenant %s', require_tenant_access.tenant_id)), me
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner reaches only the tenants it created, administers as delegated admin or is partner of record for.',
			      HINT = 'Check the id; the customer may have to accept a delegated admin offer first.';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.require_tenant_access(bigint, text) IS
	'Internal: raises 42501 unless the caller is an operator or the tenant is one of its partner''s customers.';

CREATE FUNCTION @extschema@.require_subscription_access(subscription_id bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF @extschema@.caller_is_operator() THEN
		RETURN;
	END IF;
	PERFORM @extschema@.require_tenant_access(
		coalesce((SELECT s.tenant_id FROM @extschema@.subscription s WHERE s.subscription_id = $1), -1),
		format('subscription %s', $1));
END $$;
COMMENT ON FUNCTION @extschema@.require_subscription_access(bigint) IS
	'Internal: raises 42501 unless the caller is an operator or the subscription''s tenant is one of its partner''s customers.';

CREATE FUNCTION @extschema@.require_partner_user_access(partner_user_id bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	me bigint := @extschema@.acting_partner();
BEGIN
	IF me IS NULL THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.partner_user u
	                WHERE u.partner_user_id = require_partner_user_access.partner_user_id AND u.partner_id = me) THEN
		RAISE EXCEPTION 'partner user % is not a user of partner %', require_partner_user_access.partner_user_id, me
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner''s login reaches only its own partner''s users.';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.require_partner_user_access(bigint) IS
	'Internal: raises 42501 unless the caller is an operator or the partner user belongs to its partner.';

CREATE FUNCTION @extschema@.require_own_keys(owners bigint[]) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	me bigint := @extschema@.acting_partner();
BEGIN
	IF me IS NULL THEN
		RETURN;
	END IF;
	IF owners IS DISTINCT FROM ARRAY[me] THEN
		RAISE EXCEPTION 'the product keys include cards partner % did not buy', me
			USING ERRCODE = 'insufficient_privilege',
			      HINT = 'A partner redeems only the key cards it bought.';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.require_own_keys(bigint[]) IS
	'Internal: raises 42501 unless the caller is an operator or its partner bought every card (owners: the partners who bought the cards, as lock_key_cards returns them).';

--------------------------------------------------------------------------
-- New internal helpers of the functions (argument checks)
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.require_email(email text, name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF length(email) > 254 THEN
		RAISE EXCEPTION 'invalid e-mail address: "%"', left(email, 200)
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('Argument "%s" has %s characters; an e-mail address has at most 254 (RFC 5321).', name, length(email)),
			      HINT = 'Pass one address, such as anna@fabrikam.example.';
	END IF;
	IF email !~ '^[^@\s]+@[^@\s]+$' THEN
		RAISE EXCEPTION 'invalid e-mail address: "%"', left(email, 200)
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('Argument "%s" must be a local part, one "@" and a domain, without white space.', name),
			      HINT = 'Pass one address, such as anna@fabrikam.example.';
	END IF;
END $$;

CREATE FUNCTION @extschema@.require_tenant_values(organization_name text, country_code text, admin_email text)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF organization_name ~ '^\s*$' THEN
		RAISE EXCEPTION 'argument "organization_name" must not be blank'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass the name of the customer''s organization.';
	END IF;
	-- whether the code exists is tenant_check's; a value of another length
	-- would fail the char(2) cast (22001) before that trigger sees it
	IF length(rtrim(require_tenant_values.country_code, ' ')) <> 2 THEN
		RAISE EXCEPTION 'country "%" does not exist', upper(left(require_tenant_values.country_code, 100))
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Use an ISO 3166-1 alpha-2 code from table por_partner.country.';
	END IF;
	PERFORM @extschema@.require_email(admin_email, 'admin_email');
END $$;

CREATE FUNCTION @extschema@.date_add_clamped(d date, days int) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN NOT pg_catalog.isfinite(d) THEN d
	            WHEN days OPERATOR(pg_catalog.>=) 0
	                 AND days OPERATOR(pg_catalog.>) (DATE '5874897-12-31' OPERATOR(pg_catalog.-) d)
	            THEN DATE '5874897-12-31'
	            WHEN days OPERATOR(pg_catalog.<) 0
	                 AND days OPERATOR(pg_catalog.<) (DATE '4714-11-24 BC' OPERATOR(pg_catalog.-) d)
	            THEN DATE '4714-11-24 BC'
	            ELSE d OPERATOR(pg_catalog.+) days END
$$;

CREATE FUNCTION @extschema@.require_window_days(within_days int) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF within_days NOT BETWEEN -2147483493 AND 2147483493 THEN
		RAISE EXCEPTION 'within_days % is out of range', within_days
			USING ERRCODE = 'datetime_field_overflow',
			      DETAIL = 'A window of more than 2147483493 days ends past the last or before the first date PostgreSQL represents, whatever day it starts on.',
			      HINT = 'Pass a number of days such as 30.';
	END IF;
END $$;

CREATE FUNCTION @extschema@.partner_book(partner_id bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
	SELECT t.tenant_id FROM @extschema@.tenant t WHERE t.created_by OPERATOR(pg_catalog.=) $1
	UNION
	SELECT d.tenant_id FROM @extschema@.delegated_admin d WHERE d.partner_id OPERATOR(pg_catalog.=) $1
	UNION
	SELECT s.tenant_id FROM @extschema@.subscription s WHERE s.partner_of_record OPERATOR(pg_catalog.=) $1
$$;
COMMENT ON FUNCTION @extschema@.require_email(text, text) IS
	'Internal: raises 22023 when a non-null e-mail address is malformed or longer than 254 characters.';
COMMENT ON FUNCTION @extschema@.require_tenant_values(text, text, text) IS
	'Internal: raises 22023 for a blank organization name or a malformed admin e-mail, 23503 for a country code that is not two letters long (tenant_check finds whether it exists).';
COMMENT ON FUNCTION @extschema@.date_add_clamped(date, int) IS
	'Internal: d + days, held to the first and last date PostgreSQL represents instead of overflowing; infinite d unchanged.';
COMMENT ON FUNCTION @extschema@.require_window_days(int) IS
	'Internal: raises 22008 for a number of days more than all dates span.';
COMMENT ON FUNCTION @extschema@.partner_book(bigint) IS
	'Internal: a partner''s customers, the tenants it created, administers as delegated admin or is partner of record for (rule A3; row-level security through partner_tenants()).';
REVOKE ALL ON FUNCTION
	@extschema@.require_email(text, text), @extschema@.require_tenant_values(text, text, text),
	@extschema@.date_add_clamped(date, int), @extschema@.require_window_days(int),
	@extschema@.partner_book(bigint)
FROM PUBLIC;

--------------------------------------------------------------------------
-- Changed functions: the caller checks, the argument checks
--------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.create_customer_subscription(
	partner_id bigint,
	keys @extschema@.product_key[],
	organization_name text,
	country_code text,
	admin_first_name text,
	admin_last_name text,
	admin_email text,
	starts_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	p record;
	cards record;
	s record;
	new_tenant bigint;
	new_subscription bigint;
BEGIN
	IF num_nulls(create_customer_subscription.partner_id, create_customer_subscription.organization_name, create_customer_subscription.country_code, create_customer_subscription.admin_first_name, create_customer_subscription.admin_last_name, create_customer_subscription.admin_email, create_customer_subscription.starts_on) > 0 THEN
		PERFORM @extschema@.require_arg(create_customer_subscription.partner_id, 'partner_id'),
		        @extschema@.require_arg(create_customer_subscription.organization_name, 'organization_name'),
		        @extschema@.require_arg(create_customer_subscription.country_code, 'country_code'),
		        @extschema@.require_arg(create_customer_subscription.admin_first_name, 'admin_first_name'),
		        @extschema@.require_arg(create_customer_subscription.admin_last_name, 'admin_last_name'),
		        @extschema@.require_arg(create_customer_subscription.admin_email, 'admin_email'),
		        @extschema@.require_arg(create_customer_subscription.starts_on, 'starts_on');
	END IF;
	IF NOT isfinite(create_customer_subscription.starts_on) THEN
		RAISE EXCEPTION 'starts_on must be a finite date, not %', create_customer_subscription.starts_on
			USING ERRCODE = 'datetime_field_overflow';
	END IF;
	PERFORM @extschema@.require_acting_partner(create_customer_subscription.partner_id);

	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = create_customer_subscription.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % does not exist', create_customer_subscription.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;

	PERFORM @extschema@.require_tenant_values(create_customer_subscription.organization_name,
	                                          create_customer_subscription.country_code,
	                                          create_customer_subscription.admin_email);

	cards := @extschema@.lock_key_cards(keys);
	IF cards.owners <> ARRAY[p.partner_id] THEN
		RAISE EXCEPTION 'product key % was not bought by partner "%" (MPN ID %)',
				(SELECT @extschema@.product_key_mask(c.product_key) FROM @extschema@.key_card c
				  WHERE c.product_key = ANY (keys) AND c.partner_id <> p.partner_id
				  ORDER BY c.product_key LIMIT 1),
				p.name, p.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      HINT = 'A partner redeems only the key cards it bought.';
	END IF;
	IF cards.licenses > 2147483647 THEN
		RAISE EXCEPTION 'the product keys carry % licenses, more seats than a subscription holds', cards.licenses
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'A subscription has at most 2147483647 seats.',
			      HINT = 'Check the license counts of the key cards.';
	END IF;
	SELECT * INTO s FROM @extschema@.sku sk WHERE sk.sku_code = cards.sku_code;

	INSERT INTO @extschema@.tenant (organization_name, country_code, agreement, created_by,
	                                admin_first_name, admin_last_name, admin_email)
	VALUES (create_customer_subscription.organization_name, create_customer_subscription.country_code,
	        s.agreement, p.partner_id, create_customer_subscription.admin_first_name,
	        create_customer_subscription.admin_last_name, create_customer_subscription.admin_email)
	RETURNING tenant_id INTO new_tenant;

	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, agreement)
	VALUES (new_tenant, s.sku_code, cards.licenses, 'product_key', create_customer_subscription.starts_on,
	        (create_customer_subscription.starts_on + s.term)::date, s.agreement)
	RETURNING subscription_id INTO new_subscription;

	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = new_subscription, redeemed_as = 'activate'
	 WHERE c.product_key = ANY (keys);
	RETURN new_subscription;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.add_licenses(subscription_id bigint, keys @extschema@.product_key[])
RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s record;
	cards record;
	new_seats int;
BEGIN
	IF num_nulls(add_licenses.subscription_id) > 0 THEN
		PERFORM @extschema@.require_arg(add_licenses.subscription_id, 'subscription_id');
	END IF;
	PERFORM @extschema@.require_subscription_access(add_licenses.subscription_id);
	SELECT * INTO s FROM @extschema@.subscription su
	 WHERE su.subscription_id = add_licenses.subscription_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', add_licenses.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF s.billing <> 'product_key' THEN
		RAISE EXCEPTION 'subscription % is billed %, not by product key', s.subscription_id,
				CASE s.billing WHEN 'direct' THEN 'directly' ELSE 'as a trial' END
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Product keys add users to subscriptions set up with product keys.';
	END IF;
	cards := @extschema@.lock_key_cards(keys);
	PERFORM @extschema@.require_own_keys(cards.owners);
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

CREATE OR REPLACE FUNCTION @extschema@.assign_license(subscription_id bigint, user_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF num_nulls(assign_license.subscription_id, assign_license.user_id) > 0 THEN
		PERFORM @extschema@.require_arg(assign_license.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(assign_license.user_id, 'user_id');
	END IF;
	PERFORM @extschema@.require_subscription_access(assign_license.subscription_id);
	INSERT INTO @extschema@.license (subscription_id, user_id)
	VALUES (assign_license.subscription_id, assign_license.user_id);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'user % already has a license on subscription %', assign_license.user_id,
			assign_license.subscription_id
		USING ERRCODE = 'unique_violation',
		      DETAIL = 'A user holds at most one license on a subscription.',
		      HINT = 'Nothing needs to be done; por_partner.license lists the licenses of a subscription.';
END $$;

CREATE OR REPLACE FUNCTION @extschema@.remove_license(subscription_id bigint, user_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	t bigint;
BEGIN
	IF num_nulls(remove_license.subscription_id, remove_license.user_id) > 0 THEN
		PERFORM @extschema@.require_arg(remove_license.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(remove_license.user_id, 'user_id');
	END IF;
	PERFORM @extschema@.require_subscription_access(remove_license.subscription_id);
	SELECT su.tenant_id INTO t FROM @extschema@.subscription su
	 WHERE su.subscription_id = remove_license.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', remove_license.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	-- a user is looked up in the subscription's tenant only, so that a
	-- partner cannot probe the users of other partners' customers
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant_user u
	                WHERE u.user_id = remove_license.user_id AND u.tenant_id = t) THEN
		RAISE EXCEPTION 'user % does not exist in tenant % of subscription %', remove_license.user_id, t,
				remove_license.subscription_id
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'A license is held by a user of the subscription''s tenant.';
	END IF;
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

CREATE OR REPLACE FUNCTION @extschema@.add_user(tenant_id bigint, first_name text, last_name text, email text,
	subscription_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	new_user bigint;
BEGIN
	IF num_nulls(add_user.tenant_id, add_user.email) > 0 THEN
		PERFORM @extschema@.require_arg(add_user.tenant_id, 'tenant_id'),
		        @extschema@.require_arg(add_user.email, 'email');
	END IF;
	PERFORM @extschema@.require_tenant_access(add_user.tenant_id);
	PERFORM @extschema@.require_email(add_user.email, 'email');
	INSERT INTO @extschema@.tenant_user (tenant_id, first_name, last_name, email)
	VALUES (add_user.tenant_id, add_user.first_name, add_user.last_name, add_user.email)
	RETURNING user_id INTO new_user;
	IF add_user.subscription_id IS NOT NULL THEN
		PERFORM @extschema@.assign_license(add_user.subscription_id, new_user);
	END IF;
	RETURN new_user;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.delegated_admin_offer_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
		IF FOUND AND NOT p.cloud_essentials THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) may not offer delegated administration', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only partners enrolled in Cloud Essentials send delegated admin offers (rule D3).',
				      HINT = 'Enroll the partner in Cloud Essentials first.';
		END IF;
		IF EXISTS (SELECT 1 FROM @extschema@.delegated_admin d
		            WHERE d.partner_id = NEW.partner_id AND d.tenant_id = NEW.tenant_id) THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) is already delegated admin of tenant %', p.name, p.mpn_id, NEW.tenant_id
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      DETAIL = 'The customer accepted an earlier offer of this partner, and the relationship stands.',
				      HINT = 'No new offer is needed; is_delegated_admin() tells whether a partner is delegated admin.';
		END IF;
		IF NEW.status <> 'pending' THEN
			RAISE EXCEPTION 'a delegated admin offer starts pending'
				USING ERRCODE = 'check_violation',
				      DETAIL = 'The customer accepts or declines an offer after it is sent (rule D2).';
		END IF;
		RETURN NEW;
	END IF;
	IF (NEW.partner_id, NEW.tenant_id, NEW.offered_at) IS DISTINCT FROM (OLD.partner_id, OLD.tenant_id, OLD.offered_at)
	   OR NEW.message IS DISTINCT FROM OLD.message THEN
		RAISE EXCEPTION 'delegated admin offer % cannot be changed', OLD.offer_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Send a new offer instead.';
	END IF;
	IF NEW.status IS DISTINCT FROM OLD.status AND OLD.status <> 'pending'
	   AND NOT (OLD.status = 'accepted' AND NEW.status = 'removed') THEN
		RAISE EXCEPTION 'delegated admin offer % was already %', OLD.offer_id, OLD.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'An offer is answered once (rule D2).',
			      HINT = 'The partner can send a new offer.';
	END IF;
	RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.offer_delegated_admin(partner_id bigint, tenant_id bigint, message text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	new_offer bigint;
BEGIN
	IF num_nulls(offer_delegated_admin.partner_id, offer_delegated_admin.tenant_id) > 0 THEN
		PERFORM @extschema@.require_arg(offer_delegated_admin.partner_id, 'partner_id'),
		        @extschema@.require_arg(offer_delegated_admin.tenant_id, 'tenant_id');
	END IF;
	PERFORM @extschema@.require_acting_partner(offer_delegated_admin.partner_id);
	PERFORM @extschema@.require_tenant_access(offer_delegated_admin.tenant_id);
	INSERT INTO @extschema@.delegated_admin_offer (partner_id, tenant_id, message)
	VALUES (offer_delegated_admin.partner_id, offer_delegated_admin.tenant_id, offer_delegated_admin.message)
	RETURNING offer_id INTO new_offer;
	RETURN new_offer;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.answer_delegated_admin_offer(offer_id bigint, accept boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	o record;
BEGIN
	IF num_nulls(answer_delegated_admin_offer.offer_id, answer_delegated_admin_offer.accept) > 0 THEN
		PERFORM @extschema@.require_arg(answer_delegated_admin_offer.offer_id, 'offer_id'),
		        @extschema@.require_arg(answer_delegated_admin_offer.accept, 'accept');
	END IF;
	SELECT * INTO o FROM @extschema@.delegated_admin_offer d
	 WHERE d.offer_id = answer_delegated_admin_offer.offer_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'delegated admin offer % does not exist', answer_delegated_admin_offer.offer_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	-- answered once (rule D2); the offer's trigger refuses a change of an
	-- answered offer's status, but answering again with the same answer
	-- changes nothing it could see, so the call checks itself
	IF o.status <> 'pending' THEN
		RAISE EXCEPTION 'delegated admin offer % was already %', o.offer_id, o.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'An offer is answered once (rule D2).',
			      HINT = 'The partner can send a new offer.';
	END IF;
	UPDATE @extschema@.delegated_admin_offer d
	   SET status = CASE WHEN accept THEN 'accepted' ELSE 'declined' END, answered_at = now()
	 WHERE d.offer_id = o.offer_id;
	IF accept AND @extschema@.is_delegated_admin(o.partner_id, o.tenant_id) THEN
		RAISE EXCEPTION 'partner % is already delegated admin of tenant %', o.partner_id, o.tenant_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Decline this offer; the relationship stands.';
	END IF;
	IF accept THEN
		INSERT INTO @extschema@.delegated_admin (partner_id, tenant_id, offer_id)
		VALUES (o.partner_id, o.tenant_id, o.offer_id);
	END IF;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.remove_delegated_admin(partner_id bigint, tenant_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	IF num_nulls(remove_delegated_admin.partner_id, remove_delegated_admin.tenant_id) > 0 THEN
		PERFORM @extschema@.require_arg(remove_delegated_admin.partner_id, 'partner_id'),
		        @extschema@.require_arg(remove_delegated_admin.tenant_id, 'tenant_id');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.partner p WHERE p.partner_id = remove_delegated_admin.partner_id) THEN
		RAISE EXCEPTION 'partner % does not exist', remove_delegated_admin.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant t WHERE t.tenant_id = remove_delegated_admin.tenant_id) THEN
		RAISE EXCEPTION 'tenant % does not exist', remove_delegated_admin.tenant_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	DELETE FROM @extschema@.delegated_admin d
	 WHERE d.partner_id = remove_delegated_admin.partner_id AND d.tenant_id = remove_delegated_admin.tenant_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % is not delegated admin of tenant %', remove_delegated_admin.partner_id,
				remove_delegated_admin.tenant_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'The tenant never accepted a delegated admin offer of the partner, or removed the relationship already.',
			      HINT = 'is_delegated_admin() tells whether a partner is delegated admin.';
	END IF;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.set_partner_of_record(subscription_id bigint, mpn_id text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	p bigint;
	mpn text;
BEGIN
	IF num_nulls(set_partner_of_record.subscription_id, set_partner_of_record.mpn_id) > 0 THEN
		PERFORM @extschema@.require_arg(set_partner_of_record.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(set_partner_of_record.mpn_id, 'mpn_id');
	END IF;
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

CREATE OR REPLACE FUNCTION @extschema@.create_trial_invitation(partner_id bigint, sku_code text,
	include_delegated_admin boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	c text;
BEGIN
	IF num_nulls(create_trial_invitation.partner_id, create_trial_invitation.sku_code, create_trial_invitation.include_delegated_admin) > 0 THEN
		PERFORM @extschema@.require_arg(create_trial_invitation.partner_id, 'partner_id'),
		        @extschema@.require_arg(create_trial_invitation.sku_code, 'sku_code'),
		        @extschema@.require_arg(create_trial_invitation.include_delegated_admin, 'include_delegated_admin');
	END IF;
	PERFORM @extschema@.require_acting_partner(create_trial_invitation.partner_id);
	IF NOT EXISTS (SELECT 1 FROM @extschema@.sku sk WHERE sk.sku_code = create_trial_invitation.sku_code) THEN
		RAISE EXCEPTION 'SKU "%" does not exist', left(create_trial_invitation.sku_code, 100)
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Use a sku_code from table por_partner.sku, such as O365_SMALL_BUSINESS.';
	END IF;
	INSERT INTO @extschema@.trial_invitation (partner_id, sku_code, include_delegated_admin)
	VALUES (create_trial_invitation.partner_id, create_trial_invitation.sku_code,
	        create_trial_invitation.include_delegated_admin)
	RETURNING code INTO c;
	RETURN @extschema@.invitation_url('trial', c);
END $$;

CREATE OR REPLACE FUNCTION @extschema@.accept_trial_invitation(url text, organization_name text, country_code text,
	admin_first_name text, admin_last_name text, admin_email text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	i record;
	s record;
	new_tenant bigint;
	new_subscription bigint;
BEGIN
	IF num_nulls(accept_trial_invitation.url, accept_trial_invitation.organization_name,
	             accept_trial_invitation.country_code, accept_trial_invitation.admin_first_name,
	             accept_trial_invitation.admin_last_name, accept_trial_invitation.admin_email) > 0 THEN
		PERFORM @extschema@.require_arg(accept_trial_invitation.url, 'url'),
		        @extschema@.require_arg(accept_trial_invitation.organization_name, 'organization_name'),
		        @extschema@.require_arg(accept_trial_invitation.country_code, 'country_code'),
		        @extschema@.require_arg(accept_trial_invitation.admin_first_name, 'admin_first_name'),
		        @extschema@.require_arg(accept_trial_invitation.admin_last_name, 'admin_last_name'),
		        @extschema@.require_arg(accept_trial_invitation.admin_email, 'admin_email');
	END IF;
	SELECT * INTO i FROM @extschema@.trial_invitation t
	 WHERE t.code = @extschema@.invitation_code(accept_trial_invitation.url, 'trial');
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no trial invitation has this URL'
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Ask the partner for a new invitation.';
	END IF;
	PERFORM @extschema@.require_tenant_values(accept_trial_invitation.organization_name,
	                                          accept_trial_invitation.country_code,
	                                          accept_trial_invitation.admin_email);
	SELECT * INTO s FROM @extschema@.sku sk WHERE sk.sku_code = i.sku_code;
	INSERT INTO @extschema@.tenant (organization_name, country_code, agreement, created_by,
	                                admin_first_name, admin_last_name, admin_email)
	VALUES (accept_trial_invitation.organization_name, accept_trial_invitation.country_code, s.agreement,
	        i.partner_id, accept_trial_invitation.admin_first_name, accept_trial_invitation.admin_last_name,
	        accept_trial_invitation.admin_email)
	RETURNING tenant_id INTO new_tenant;
	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on,
	                                      partner_of_record, agreement)
	VALUES (new_tenant, s.sku_code, s.trial_seats, 'trial', current_date, (current_date + s.trial_term)::date,
	        i.partner_id, s.agreement)
	RETURNING subscription_id INTO new_subscription;
	IF i.include_delegated_admin THEN
		PERFORM @extschema@.grant_included_delegated_admin(i.partner_id, new_tenant, 'trial invitation');
	END IF;
	RETURN new_subscription;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.create_purchase_offer(partner_id bigint, lines jsonb,
	include_delegated_admin boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	o record;
	line jsonb;
	n int := 0;
	skus text[] := '{}';
BEGIN
	IF num_nulls(create_purchase_offer.partner_id, lines, create_purchase_offer.include_delegated_admin) > 0 THEN
		PERFORM @extschema@.require_arg(create_purchase_offer.partner_id, 'partner_id'),
		        @extschema@.require_arg(lines, 'lines'),
		        @extschema@.require_arg(create_purchase_offer.include_delegated_admin, 'include_delegated_admin');
	END IF;
	PERFORM @extschema@.require_acting_partner(create_purchase_offer.partner_id);
	IF jsonb_typeof(lines) <> 'array' OR jsonb_array_length(lines) = 0 THEN
		RAISE EXCEPTION 'lines must be a non-empty JSON array'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass lines like [{"sku_code": "O365_MIDSIZE_BUSINESS", "licenses": 25}].';
	END IF;
	INSERT INTO @extschema@.purchase_offer (partner_id, include_delegated_admin)
	VALUES (create_purchase_offer.partner_id, create_purchase_offer.include_delegated_admin)
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
	RETURN @extschema@.invitation_url('offer', o.code);
END $$;

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
		PERFORM @extschema@.require_arg(accept_purchase_offer.tenant_id, 'tenant_id');
	END IF;
	SELECT * INTO o FROM @extschema@.purchase_offer po
	 WHERE po.code = @extschema@.invitation_code(accept_purchase_offer.url, 'offer');
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
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant t WHERE t.tenant_id = accept_purchase_offer.tenant_id) THEN
		RAISE EXCEPTION 'tenant % does not exist', accept_purchase_offer.tenant_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
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
		PERFORM @extschema@.grant_included_delegated_admin(o.partner_id, accept_purchase_offer.tenant_id, 'purchase offer');
	END IF;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.update_partner_contact(partner_user_id bigint, email text, phone text, address text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	u record;
BEGIN
	IF num_nulls(update_partner_contact.partner_user_id) > 0 THEN
		PERFORM @extschema@.require_arg(update_partner_contact.partner_user_id, 'partner_user_id');
	END IF;
	PERFORM @extschema@.require_partner_user_access(update_partner_contact.partner_user_id);
	SELECT * INTO u FROM @extschema@.partner_user pu WHERE pu.partner_user_id = update_partner_contact.partner_user_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner user % does not exist', update_partner_contact.partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF u.company_role IS DISTINCT FROM 'global_admin' THEN
		RAISE EXCEPTION 'partner user % (%) may not change the company information', u.partner_user_id, u.email
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Only the partner''s global admins edit its phone, e-mail and address (rule A1).',
			      HINT = 'Ask a global admin of your company.';
	END IF;
	PERFORM @extschema@.require_email(update_partner_contact.email, 'email');
	PERFORM @extschema@.contact_edit_begin(u.partner_id);
	UPDATE @extschema@.partner p
	   SET email = update_partner_contact.email, phone = update_partner_contact.phone,
	       address = update_partner_contact.address
	 WHERE p.partner_id = u.partner_id;
	PERFORM @extschema@.contact_edit_begin(0);
END $$;

CREATE OR REPLACE FUNCTION @extschema@.partner_customer_count(partner_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	PERFORM @extschema@.require_acting_partner($1);
	RETURN (SELECT count(*) FROM @extschema@.partner_book($1));
END $$;

CREATE OR REPLACE FUNCTION @extschema@.customer_management_view(partner_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
BEGIN
	IF num_nulls(customer_management_view.partner_id) > 0 THEN
		PERFORM @extschema@.require_arg(customer_management_view.partner_id, 'partner_id');
	END IF;
	PERFORM @extschema@.require_acting_partner(customer_management_view.partner_id);
	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = customer_management_view.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % does not exist', customer_management_view.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NOT (p.cloud_essentials OR p.service_provider) THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) may not manage customers', p.name, p.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Managing customers is open to partners authorized to offer delegated admin and to authorized service providers (rule A3).';
	END IF;
	RETURN CASE WHEN @extschema@.partner_customer_count(p.partner_id) < 100
	            THEN 'manage_customers' ELSE 'find_and_help_customers' END;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.partner_can(partner_user_id bigint, tenant_id bigint, action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	found_user boolean;
	allowed boolean;
BEGIN
	IF num_nulls(partner_user_id, tenant_id, action) > 0 THEN
		PERFORM @extschema@.require_arg(partner_user_id, 'partner_user_id'),
		        @extschema@.require_arg(tenant_id, 'tenant_id'),
		        @extschema@.require_arg(action, 'action');
	END IF;
	IF action NOT IN ('reset_password', 'manage_users', 'manage_licenses', 'manage_subscriptions',
	                  'manage_domains', 'service_requests') THEN
		RAISE EXCEPTION 'unknown action "%"', left(action, 100)
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Actions: reset_password, manage_users, manage_licenses, manage_subscriptions, manage_domains, service_requests.';
	END IF;
	PERFORM @extschema@.require_partner_user_access(partner_user_id);
	SELECT true,
	       d.partner_id IS NOT NULL
	       AND (p.cloud_essentials OR p.service_provider)
	       AND (u.customer_access = 'full' OR (u.customer_access = 'limited' AND action = 'reset_password'))
	  INTO found_user, allowed
	  FROM @extschema@.partner_user u
	  JOIN @extschema@.partner p ON p.partner_id = u.partner_id
	  LEFT JOIN @extschema@.delegated_admin d ON d.partner_id = u.partner_id AND d.tenant_id = partner_can.tenant_id
	 WHERE u.partner_user_id = partner_can.partner_user_id;
	IF found_user IS NULL THEN
		RAISE EXCEPTION 'partner user % does not exist', partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN allowed;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.renewal_notices_due(as_of date DEFAULT current_date)
RETURNS TABLE (subscription_id bigint, tenant_id bigint, recipient text, partner_id bigint,
               days_before int, expires_on date)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	-- subscriptions active at as_of whose first notice date has come: an
	-- index range scan on expires_on, whatever the size of the table
	WITH horizon AS (SELECT max(days_before) AS days FROM @extschema@.renewal_notice_schedule),
	candidate AS (
		SELECT s.subscription_id, s.tenant_id, s.expires_on, s.partner_of_record,
		       -- the latest notice whose send date (expires_on - days_before) has come
		       (SELECT min(r.days_before) FROM @extschema@.renewal_notice_schedule r
		         WHERE r.days_before >= s.expires_on - as_of) AS days_before
		  FROM @extschema@.subscription s, horizon h
		 WHERE s.expires_on > as_of
		   -- held to the last date: as_of near it is no overflow, whatever the plan
		   AND s.expires_on <= @extschema@.date_add_clamped(as_of, h.days)
		   AND s.starts_on <= as_of
	)
	SELECT c.subscription_id, c.tenant_id, w.recipient, w.partner_id, c.days_before, c.expires_on
	  FROM candidate c
	  CROSS JOIN LATERAL (
		SELECT 'customer'::text AS recipient, NULL::bigint AS partner_id
		UNION ALL
		SELECT 'partner', p.partner_id FROM @extschema@.partner p
		 WHERE p.partner_id = c.partner_of_record AND p.cloud_essentials
	  ) AS w
	 WHERE NOT EXISTS (SELECT 1 FROM @extschema@.renewal_notice n
	                    WHERE n.subscription_id = c.subscription_id AND n.expires_on = c.expires_on
	                      AND n.recipient = w.recipient AND n.days_before = c.days_before)
	   -- operators and readers see every notice, a partner its customers'
	   AND ((SELECT @extschema@.caller_reads_all()) OR c.tenant_id IN (SELECT @extschema@.partner_tenants()))
$$;

CREATE OR REPLACE FUNCTION @extschema@.send_renewal_notices(as_of date DEFAULT current_date)
RETURNS SETOF @extschema@.renewal_notice
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	n @extschema@.renewal_notice;
BEGIN
	IF as_of IS NULL THEN
		PERFORM @extschema@.require_arg(as_of, 'as_of');
	END IF;
	IF NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'as_of must be a finite date, not %', as_of
			USING ERRCODE = 'datetime_field_overflow',
			      HINT = 'Pass the day the notices are sent on, such as current_date.';
	END IF;
	-- ON CONFLICT: a concurrent run that recorded a notice first wins, and
	-- this one neither records nor announces it again
	FOR n IN
		INSERT INTO @extschema@.renewal_notice (subscription_id, tenant_id, expires_on, recipient, partner_id,
		                                        days_before, sent_on)
		SELECT d.subscription_id, d.tenant_id, d.expires_on, d.recipient, d.partner_id, d.days_before, as_of
		  FROM @extschema@.renewal_notices_due(as_of) AS d
		  -- the term must still be the one the notice is for: a renewal
		  -- committed meanwhile is waited for and seen (READ COMMITTED rechecks
		  -- the locked row), so a customer who just renewed gets no reminder
		  JOIN @extschema@.subscription s ON s.subscription_id = d.subscription_id AND s.expires_on = d.expires_on
		 ORDER BY d.subscription_id, d.recipient
		   FOR SHARE OF s
		ON CONFLICT (subscription_id, expires_on, recipient, days_before) DO NOTHING
		RETURNING *
	LOOP
		PERFORM pg_notify('por_partner_renewal_notice',
		                  json_build_object('notice_id', n.notice_id, 'subscription_id', n.subscription_id,
		                                    'tenant_id', n.tenant_id, 'recipient', n.recipient,
		                                    'partner_id', n.partner_id, 'days_before', n.days_before,
		                                    'expires_on', n.expires_on, 'sent_on', n.sent_on)::text);
		RETURN NEXT n;
	END LOOP;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.renew_subscription(subscription_id bigint, keys @extschema@.product_key[],
	as_of date DEFAULT current_date)
RETURNS date
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s record;
	cards record;
	term interval;
	phase @extschema@.subscription_phase;
	new_start date;
	new_end date;
BEGIN
	IF num_nulls(renew_subscription.subscription_id, renew_subscription.as_of) > 0 THEN
		PERFORM @extschema@.require_arg(renew_subscription.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(renew_subscription.as_of, 'as_of');
	END IF;
	PERFORM @extschema@.require_subscription_access(renew_subscription.subscription_id);
	IF NOT isfinite(renew_subscription.as_of) THEN
		RAISE EXCEPTION 'as_of must be a finite date, not %', renew_subscription.as_of
			USING ERRCODE = 'datetime_field_overflow',
			      HINT = 'Pass the day of the renewal, such as current_date.';
	END IF;
	SELECT * INTO s FROM @extschema@.subscription su
	 WHERE su.subscription_id = renew_subscription.subscription_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', renew_subscription.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF s.billing <> 'product_key' THEN
		RAISE EXCEPTION 'subscription % is billed %, not by product key', s.subscription_id,
				CASE s.billing WHEN 'direct' THEN 'directly' ELSE 'as a trial' END
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Product keys renew subscriptions set up with product keys.';
	END IF;
	phase := @extschema@.subscription_phase(s.expires_on, renew_subscription.as_of);
	IF phase = 'deprovisioned' THEN
		RAISE EXCEPTION 'subscription % is deprovisioned and cannot be renewed', s.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than 120 days before %s; its data is gone (rule R6).', s.expires_on, renew_subscription.as_of),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	cards := @extschema@.lock_key_cards(keys);
	PERFORM @extschema@.require_own_keys(cards.owners);
	IF cards.licenses < s.seats THEN
		RAISE EXCEPTION 'the keys carry % licenses, but subscription % has % seats', cards.licenses,
				s.subscription_id, s.seats
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A renewal covers every seat of the subscription (rule R3).',
			      HINT = 'Add keys, or remove seats first.';
	END IF;
	SELECT sk.term INTO term FROM @extschema@.sku sk WHERE sk.sku_code = s.sku_code;
	-- active or expired: the new term follows the old one; disabled: it is a
	-- reactivation and starts on the day of renewal (R5, R6)
	new_start := CASE WHEN phase = 'disabled' THEN renew_subscription.as_of ELSE s.expires_on END;
	new_end := (new_start + term)::date;
	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = s.subscription_id, redeemed_as = 'renew'
	 WHERE c.product_key = ANY (keys);
	UPDATE @extschema@.subscription su SET starts_on = new_start, expires_on = new_end
	 WHERE su.subscription_id = s.subscription_id;
	RETURN new_end;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.renew_with_direct_billing(subscription_id bigint, as_of date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s record;
	term interval;
	new_subscription bigint;
BEGIN
	IF num_nulls(renew_with_direct_billing.subscription_id, renew_with_direct_billing.as_of) > 0 THEN
		PERFORM @extschema@.require_arg(renew_with_direct_billing.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(renew_with_direct_billing.as_of, 'as_of');
	END IF;
	IF NOT isfinite(renew_with_direct_billing.as_of) THEN
		RAISE EXCEPTION 'as_of must be a finite date, not %', renew_with_direct_billing.as_of
			USING ERRCODE = 'datetime_field_overflow',
			      HINT = 'Pass the day the direct subscription starts, such as current_date.';
	END IF;
	SELECT * INTO s FROM @extschema@.subscription su
	 WHERE su.subscription_id = renew_with_direct_billing.subscription_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', renew_with_direct_billing.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF @extschema@.subscription_phase(s.expires_on, renew_with_direct_billing.as_of) = 'deprovisioned' THEN
		RAISE EXCEPTION 'subscription % is deprovisioned and cannot be renewed', s.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than 120 days before %s; its data is gone (rule R6).', s.expires_on, renew_with_direct_billing.as_of),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	IF renew_with_direct_billing.as_of < s.starts_on THEN
		RAISE EXCEPTION 'as_of % is before the current term of subscription % began', renew_with_direct_billing.as_of,
				s.subscription_id
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('The term began on %s; the old term ends on as_of, so it cannot be earlier.', s.starts_on),
			      HINT = format('Pass a day on or after %s, such as current_date.', s.starts_on);
	END IF;
	IF s.expires_on - renew_with_direct_billing.as_of > 7 THEN
		RAISE WARNING 'subscription % had % days left; they are lost', s.subscription_id,
				s.expires_on - renew_with_direct_billing.as_of
			USING DETAIL = 'A renewal through direct billing starts a new subscription at once (rule R4).',
			      HINT = 'Renew through direct billing just before the subscription expires.';
	END IF;
	SELECT sk.term INTO term FROM @extschema@.sku sk WHERE sk.sku_code = s.sku_code;
	-- the old term ends that day; the new subscription starts at once (R4)
	IF s.expires_on > renew_with_direct_billing.as_of THEN
		UPDATE @extschema@.subscription su SET expires_on = renew_with_direct_billing.as_of,
		       starts_on = least(su.starts_on, renew_with_direct_billing.as_of - 1)
		 WHERE su.subscription_id = s.subscription_id;
	END IF;
	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on,
	                                      partner_of_record)
	VALUES (s.tenant_id, s.sku_code, s.seats, 'direct', renew_with_direct_billing.as_of,
	        (renew_with_direct_billing.as_of + term)::date, s.partner_of_record)
	RETURNING subscription_id INTO new_subscription;
	-- the same licensed users (the admin may already hold one, from rule C3)
	INSERT INTO @extschema@.license (subscription_id, user_id)
	SELECT new_subscription, l.user_id FROM @extschema@.license l
	 WHERE l.subscription_id = s.subscription_id
	ON CONFLICT DO NOTHING;
	RETURN new_subscription;
END $$;

CREATE OR REPLACE FUNCTION @extschema@.purge_deprovisioned(as_of date DEFAULT current_date)
RETURNS int
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	subs bigint[];
	tenants bigint[];
BEGIN
	IF as_of IS NULL THEN
		PERFORM @extschema@.require_arg(as_of, 'as_of');
	END IF;
	IF NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'as_of must be a finite date, not %', as_of
			USING ERRCODE = 'datetime_field_overflow',
			      HINT = 'Pass the day to purge as of, such as current_date.';
	END IF;
	-- subscriptions past day 120 at as_of that still hold data: licenses, or
	-- users of a tenant left with no subscription inside 120 days
	SELECT coalesce(array_agg(s.subscription_id), '{}'), coalesce(array_agg(DISTINCT s.tenant_id), '{}')
	  INTO subs, tenants
	  FROM @extschema@.subscription s
	 WHERE s.expires_on <= as_of - 120
	   AND (s.licensed_users > 0
	        OR (EXISTS (SELECT 1 FROM @extschema@.tenant_user u WHERE u.tenant_id = s.tenant_id)
	            AND NOT EXISTS (SELECT 1 FROM @extschema@.subscription o
	                             WHERE o.tenant_id = s.tenant_id AND o.expires_on > as_of - 120)));
	DELETE FROM @extschema@.license l WHERE l.subscription_id = ANY (subs);
	DELETE FROM @extschema@.tenant_user u
	 WHERE u.tenant_id = ANY (tenants)
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.subscription o
	                    WHERE o.tenant_id = u.tenant_id AND o.expires_on > as_of - 120);
	RETURN cardinality(subs);
END $$;

CREATE OR REPLACE FUNCTION @extschema@.expiring_subscriptions(within_days int, as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, mpn_id text, subscription_id bigint, tenant_id bigint,
               organization_name text, sku_code text, seats int, billing text, expires_on date,
               days_left int, phase @extschema@.subscription_phase)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	-- a window longer than all dates span is refused, whatever the plan (a
	-- statement of its own, so that it runs before any row is read)
	SELECT CASE WHEN within_days NOT BETWEEN -2147483493 AND 2147483493
	            THEN @extschema@.require_window_days(within_days) END;
	SELECT p.partner_id, p.mpn_id, s.subscription_id, s.tenant_id, t.organization_name, s.sku_code,
	       s.seats, s.billing, s.expires_on, s.expires_on - as_of,
	       @extschema@.subscription_phase(s.expires_on, as_of)
	  FROM @extschema@.subscription s
	  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
	  JOIN @extschema@.partner p ON p.partner_id = coalesce(s.partner_of_record, t.created_by)
	 WHERE s.expires_on > as_of
	   -- held to the last date: as_of near it is no overflow, whatever the plan
	   AND s.expires_on <= @extschema@.date_add_clamped(as_of, within_days)
	   -- operators and readers see every partner's list, a partner its own
	   AND ((SELECT @extschema@.caller_reads_all()) OR p.partner_id = (SELECT @extschema@.caller_partner_id()))
	 ORDER BY p.partner_id, s.expires_on, s.subscription_id
$$;

CREATE OR REPLACE VIEW @extschema@.subscription_overview WITH (security_barrier) AS
SELECT s.subscription_id, s.tenant_id, t.organization_name, t.country_code, s.sku_code, s.seats,
       s.licensed_users, s.billing, s.starts_on, s.expires_on,
       @extschema@.subscription_phase(s.expires_on, current_date) AS phase,
       s.expires_on - current_date AS days_to_expiry,
       p.mpn_id AS partner_of_record_mpn_id,
       (SELECT min(s.expires_on - r.days_before) FROM @extschema@.renewal_notice_schedule r
         WHERE s.expires_on - r.days_before >= current_date) AS next_notice_on
  FROM @extschema@.subscription s
  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
  LEFT JOIN @extschema@.partner p ON p.partner_id = s.partner_of_record
 -- operators and readers see every subscription, a partner its customers'
 WHERE (SELECT @extschema@.caller_reads_all()) OR s.tenant_id IN (SELECT @extschema@.partner_tenants());

--------------------------------------------------------------------------
-- Product keys for everyone else: masked (since 0.2.0)
--------------------------------------------------------------------------

CREATE VIEW @extschema@.key_card_overview WITH (security_barrier) AS
SELECT CASE WHEN (SELECT @extschema@.caller_is_operator())
                 OR k.partner_id = (SELECT @extschema@.caller_partner_id())
            THEN k.product_key::text
            ELSE @extschema@.product_key_mask(k.product_key) END AS product_key,
       k.sku_code, k.licenses, k.partner_id, p.mpn_id, k.purchased_on, k.redeemed_at, k.redeemed_as,
       k.subscription_id, s.tenant_id
  FROM @extschema@.key_card k
  JOIN @extschema@.partner p ON p.partner_id = k.partner_id
  LEFT JOIN @extschema@.subscription s ON s.subscription_id = k.subscription_id
 -- operators and readers see every card; a partner its own, and the cards
 -- redeemed on its customers' subscriptions
 WHERE (SELECT @extschema@.caller_reads_all())
    OR k.partner_id = (SELECT @extschema@.caller_partner_id())
    OR s.tenant_id IN (SELECT @extschema@.partner_tenants());
COMMENT ON VIEW @extschema@.key_card_overview IS
	'Key cards with the product key in full for the partner who bought the card and for operators, and as product_key_mask() shows it for everyone else (readers, and partners seeing cards redeemed on their customers'' subscriptions).';

--------------------------------------------------------------------------
-- The audit trail (since 0.2.0)
--------------------------------------------------------------------------

CREATE TABLE @extschema@.audit_log (
	audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor name NOT NULL,
	actor_partner_id bigint,
	table_name text NOT NULL,
	operation text NOT NULL CONSTRAINT audit_log_operation_known CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
	row_key jsonb NOT NULL,
	old_row jsonb,
	new_row jsonb,
	transaction_id bigint NOT NULL DEFAULT txid_current()
);
CREATE INDEX audit_log_row_idx ON @extschema@.audit_log (table_name, row_key);
CREATE INDEX audit_log_actor_partner_idx ON @extschema@.audit_log (actor_partner_id);
COMMENT ON TABLE @extschema@.audit_log IS
	'Who (role, and the partner it acts for) did what, and when, to partners, logins, key cards, subscriptions, delegated admin offers and relationships, invitations and purchase offers.  Written by triggers, whatever the client; only operators may change or delete rows.';
COMMENT ON COLUMN @extschema@.audit_log.actor IS 'The calling role (the login, or the role chosen with SET ROLE), also inside functions.';
COMMENT ON COLUMN @extschema@.audit_log.actor_partner_id IS 'The partner the calling role acts for (partner_login); null for operators.';
COMMENT ON COLUMN @extschema@.audit_log.row_key IS 'The primary key of the row, as a JSON object.';

CREATE FUNCTION @extschema@.audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	o jsonb;
	n jsonb;
BEGIN
	IF TG_OP <> 'INSERT' THEN
		o := to_jsonb(OLD);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		n := to_jsonb(NEW);
	END IF;
	INSERT INTO @extschema@.audit_log (actor, actor_partner_id, table_name, operation, row_key, old_row, new_row)
	VALUES (@extschema@.caller()::text, @extschema@.caller_partner_id(), TG_TABLE_NAME, TG_OP,
	        (SELECT jsonb_object_agg(c, coalesce(n, o) -> c) FROM unnest(TG_ARGV) AS c), o, n);
	RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.audit_row() IS
	'Trigger: records the change of a row in audit_log; the arguments name the columns of its primary key.';

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.partner
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row('partner_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.partner_login
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row('login');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.key_card
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row('product_key');
-- licensed_users moves with every license; the licenses are not audited
CREATE TRIGGER audit AFTER INSERT OR DELETE
	OR UPDATE OF tenant_id, sku_code, seats, billing, starts_on, expires_on, partner_of_record, agreement
	ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row('subscription_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.delegated_admin_offer
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row('offer_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.delegated_admin
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row('partner_id', 'tenant_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.trial_invitation
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row('invitation_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.purchase_offer
	FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row('purchase_offer_id');

--------------------------------------------------------------------------
-- Row-level security and privileges (since 0.2.0)
--------------------------------------------------------------------------

-- Every table with a partner's or a customer's data: operators see and
-- change every row; a partner's login the rows of its own partner and of
-- its customers (partner_tenants()).  Partners' logins only read the tables
-- (partner_user aside); they write through the functions, which check the
-- caller the same way.  Readers have no table at all, only the views.
ALTER TABLE @extschema@.partner ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.partner_login ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.partner_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.key_card ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.tenant_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.subscription ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.license ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.delegated_admin_offer ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.delegated_admin ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.trial_invitation ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.purchase_offer ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.purchase_offer_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.renewal_notice ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.audit_log ENABLE ROW LEVEL SECURITY;

CREATE POLICY operator_all ON @extschema@.partner TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.partner_login TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.partner_user TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.key_card TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.tenant TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.tenant_user TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.subscription TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.license TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.delegated_admin_offer TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.delegated_admin TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.trial_invitation TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.purchase_offer TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.purchase_offer_line TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.renewal_notice TO por_partner_operator USING (true) WITH CHECK (true);
CREATE POLICY operator_all ON @extschema@.audit_log TO por_partner_operator USING (true) WITH CHECK (true);

CREATE POLICY partner_own ON @extschema@.partner TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));
CREATE POLICY partner_own ON @extschema@.partner_login TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));
CREATE POLICY partner_own ON @extschema@.partner_user TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));
CREATE POLICY partner_own ON @extschema@.key_card TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));
CREATE POLICY partner_customers ON @extschema@.tenant TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));
CREATE POLICY partner_customers ON @extschema@.tenant_user TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));
CREATE POLICY partner_customers ON @extschema@.subscription TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));
CREATE POLICY partner_customers ON @extschema@.license TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));
CREATE POLICY partner_own ON @extschema@.delegated_admin_offer TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));
CREATE POLICY partner_own ON @extschema@.delegated_admin TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));
CREATE POLICY partner_own ON @extschema@.trial_invitation TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));
CREATE POLICY partner_own ON @extschema@.purchase_offer TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));
CREATE POLICY partner_own ON @extschema@.purchase_offer_line TO por_partner_partner
	USING (purchase_offer_id IN (SELECT o.purchase_offer_id FROM @extschema@.purchase_offer o))
	WITH CHECK (purchase_offer_id IN (SELECT o.purchase_offer_id FROM @extschema@.purchase_offer o));
CREATE POLICY partner_customers ON @extschema@.renewal_notice TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()) OR tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()) OR tenant_id IN (SELECT @extschema@.partner_tenants()));
CREATE POLICY partner_own ON @extschema@.audit_log TO por_partner_partner
	USING (actor_partner_id = (SELECT @extschema@.caller_partner_id()));

GRANT USAGE ON SCHEMA @extschema@ TO por_partner_operator, por_partner_partner, por_partner_reader;

-- operators: every table (TRUNCATE aside, which would skip the rules) and
-- function; the edit flag of rule A1 stays with update_partner_contact()
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA @extschema@ TO por_partner_operator;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA @extschema@ TO por_partner_operator;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA @extschema@ TO por_partner_operator;
REVOKE EXECUTE ON FUNCTION @extschema@.contact_edit_begin(bigint) FROM por_partner_operator;

-- partners: read their rows; manage their own users; call the functions
-- that act for a partner
GRANT SELECT ON
	@extschema@.partner, @extschema@.partner_login, @extschema@.partner_user, @extschema@.key_card,
	@extschema@.tenant, @extschema@.tenant_user, @extschema@.subscription, @extschema@.license,
	@extschema@.delegated_admin_offer, @extschema@.delegated_admin,
	@extschema@.trial_invitation, @extschema@.purchase_offer, @extschema@.purchase_offer_line,
	@extschema@.renewal_notice, @extschema@.audit_log,
	@extschema@.country, @extschema@.sku, @extschema@.setting, @extschema@.renewal_notice_schedule,
	@extschema@.subscription_overview, @extschema@.key_card_overview
TO por_partner_partner;
GRANT INSERT, UPDATE, DELETE ON @extschema@.partner_user TO por_partner_partner;
GRANT EXECUTE ON FUNCTION
	@extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date),
	@extschema@.add_licenses(bigint, @extschema@.product_key[]),
	@extschema@.assign_license(bigint, bigint), @extschema@.remove_license(bigint, bigint),
	@extschema@.add_user(bigint, text, text, text, bigint),
	@extschema@.offer_delegated_admin(bigint, bigint, text),
	@extschema@.create_trial_invitation(bigint, text, boolean),
	@extschema@.create_purchase_offer(bigint, jsonb, boolean),
	@extschema@.update_partner_contact(bigint, text, text, text),
	@extschema@.partner_customer_count(bigint), @extschema@.customer_management_view(bigint),
	@extschema@.partner_can(bigint, bigint, text),
	@extschema@.renew_subscription(bigint, @extschema@.product_key[], date),
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
TO por_partner_partner;

-- readers (BI): the reporting views and functions
GRANT SELECT ON
	@extschema@.subscription_overview, @extschema@.key_card_overview,
	@extschema@.country, @extschema@.sku, @extschema@.renewal_notice_schedule
TO por_partner_reader;
GRANT EXECUTE ON FUNCTION
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
TO por_partner_reader;

-- nobody else: the internal helpers, and what reads every partner's book
REVOKE ALL ON FUNCTION
	@extschema@.partner_login_check(), @extschema@.audit_row(), @extschema@.acting_partner(),
	@extschema@.require_acting_partner(bigint), @extschema@.require_tenant_access(bigint, text),
	@extschema@.require_subscription_access(bigint), @extschema@.require_partner_user_access(bigint),
	@extschema@.require_own_keys(bigint[]),
	@extschema@.partner_customer_count(bigint), @extschema@.customer_management_view(bigint),
	@extschema@.partner_can(bigint, bigint, text),
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.partner_login', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.audit_log', 'audit_id'), '');
