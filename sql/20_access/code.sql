/* sql/20_access/code.sql: who is calling, whom it acts for, a partner's book (rule A3), the argument checks every function opens with */

COMMENT ON SCHEMA por_partner_internal IS
	'por_partner''s internal functions: trigger functions and the checks and helpers of the functions of schema por_partner.  Not an interface: operators only.';

COMMENT ON SCHEMA @extschema@ IS
	'por_partner: the Microsoft 365 partner domain (product keys, tenants, subscriptions, delegated admin, partner of record, renewals).';

CREATE OR REPLACE FUNCTION @extschema@.caller() RETURNS regrole
AS 'MODULE_PATHNAME', 'por_partner_caller'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.caller() IS
	'The role calling: the login, or the role chosen with SET ROLE; inside a SECURITY DEFINER function still the role that called it, not the function''s owner.';

CREATE OR REPLACE FUNCTION por_partner_internal.partner_login_check() RETURNS trigger
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

COMMENT ON FUNCTION por_partner_internal.partner_login_check() IS
	'Trigger: a mapped login is a member of por_partner_partner.';

-- PL/pgSQL rather than SQL: a SECURITY DEFINER SQL function is not inlined,
-- and would be planned again in every transaction that calls it
CREATE OR REPLACE FUNCTION @extschema@.caller_partner_id() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	RETURN (SELECT l.partner_id FROM @extschema@.partner_login l WHERE l.login = @extschema@.caller());
END $$;

COMMENT ON FUNCTION @extschema@.caller_partner_id() IS
	'The partner the calling login acts for (por_partner.partner_login), or null.';

-- schema-qualified and without SET, so that the planner inlines them
CREATE OR REPLACE FUNCTION @extschema@.caller_is_operator() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.pg_has_role(@extschema@.caller(), 'por_partner_operator', 'USAGE') $$;

COMMENT ON FUNCTION @extschema@.caller_is_operator() IS
	'True when the calling role has the privileges of por_partner_operator (superusers have them).';

CREATE OR REPLACE FUNCTION @extschema@.caller_reads_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.pg_has_role(@extschema@.caller(), 'por_partner_operator', 'USAGE')
          OR pg_catalog.pg_has_role(@extschema@.caller(), 'por_partner_reader', 'USAGE') $$;

COMMENT ON FUNCTION @extschema@.caller_reads_all() IS
	'True when the calling role reads every partner''s book: operators and readers (BI).';

-- A partner's customers: the tenants it created, administers as accepted
-- functions below limit a partner's login to these.
CREATE OR REPLACE FUNCTION @extschema@.partner_tenants() RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	RETURN QUERY SELECT DISTINCT b FROM por_partner_internal.partner_book(@extschema@.caller_partner_id()) AS b;
END $$;

COMMENT ON FUNCTION @extschema@.partner_tenants() IS
	'The tenants of the calling login''s partner: created by it, administered by it as delegated admin, or with it as partner of record; none for a login mapped to no partner.';

-- The partner the caller acts for, for the checks below: null for operators
-- (they pass every check), 42501 for a login mapped to no partner.
CREATE OR REPLACE FUNCTION por_partner_internal.acting_partner() RETURNS bigint
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

COMMENT ON FUNCTION por_partner_internal.acting_partner() IS
	'Internal: the partner the calling login acts for; null for operators; 42501 for a login mapped to no partner.';

-- The checks of the functions partners call.  Those functions run as
-- SECURITY DEFINER (a partner's login has no write privilege on the tables),
-- so they check here whom the caller acts for, and refuse with 42501.  For a
-- partner, an id it may not reach is refused whether or not it exists, so
-- that other partners' ids cannot be probed.
CREATE OR REPLACE FUNCTION por_partner_internal.require_acting_partner(partner_id bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	me bigint := por_partner_internal.acting_partner();
BEGIN
	IF me IS NOT NULL AND me IS DISTINCT FROM require_acting_partner.partner_id THEN
		RAISE EXCEPTION 'role % acts for partner %, not for partner %', @extschema@.caller(), me,
				require_acting_partner.partner_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner''s login acts only for its own partner.',
			      HINT = 'Pass your own partner_id.';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_acting_partner(bigint) IS
	'Internal: raises 42501 unless the caller is an operator or acts for the partner.';

-- A partner's login reaches a tenant of its book (to see it, and to offer it
-- delegated admin: rules A3, P3), and administers only the tenants it set up
-- or is the accepted delegated admin of (administer: rule D7).  One answer
-- for another partner's tenant and one that does not exist.
CREATE OR REPLACE FUNCTION por_partner_internal.require_tenant_access(tenant_id bigint, what text DEFAULT NULL,
	administer boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	me bigint := por_partner_internal.acting_partner();
BEGIN
	IF me IS NULL THEN
		RETURN;
	END IF;
	IF administer AND NOT EXISTS (SELECT 1 FROM por_partner_internal.partner_administered(me) AS a (tenant_id)
	                               WHERE a.tenant_id = require_tenant_access.tenant_id) THEN
		RAISE EXCEPTION '% is not administered by partner %',
				coalesce(what, format('tenant %s', require_tenant_access.tenant_id)), me
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner administers the customers it set up and those whose accepted delegated admin it is; being partner of record gives no admin rights (rule D7).',
			      HINT = 'Check the id; the customer may have to accept a delegated admin offer first.';
	END IF;
	IF NOT administer AND NOT EXISTS (SELECT 1 FROM por_partner_internal.partner_book(me) AS b (tenant_id)
	                                   WHERE b.tenant_id = require_tenant_access.tenant_id) THEN
		RAISE EXCEPTION '% is not in the book of partner %',
				coalesce(what, format('tenant %s', require_tenant_access.tenant_id)), me
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner reaches only the tenants it created, administers as delegated admin or is partner of record for.',
			      HINT = 'Check the id; the customer may have to accept a delegated admin offer first.';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_tenant_access(bigint, text, boolean) IS
	'Internal: raises 42501 unless the caller is an operator or the tenant is in its partner''s book (administer: one its partner administers, rule D7); one answer for another partner''s tenant and one that does not exist.';

CREATE OR REPLACE FUNCTION por_partner_internal.require_subscription_access(subscription_id bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF @extschema@.caller_is_operator() THEN
		RETURN;
	END IF;
	PERFORM por_partner_internal.require_tenant_access(
		coalesce((SELECT s.tenant_id FROM @extschema@.subscription s WHERE s.subscription_id = $1), -1),
		format('subscription %s', $1), administer => true);
END $$;

COMMENT ON FUNCTION por_partner_internal.require_subscription_access(bigint) IS
	'Internal: raises 42501 unless the caller is an operator or its partner administers the subscription''s tenant (rule D7).';

CREATE OR REPLACE FUNCTION por_partner_internal.require_partner_user_access(partner_user_id bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	me bigint := por_partner_internal.acting_partner();
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

COMMENT ON FUNCTION por_partner_internal.require_partner_user_access(bigint) IS
	'Internal: raises 42501 unless the caller is an operator or the partner user belongs to its partner.';

-- Refuse a NULL argument with 22004, naming it.
CREATE OR REPLACE FUNCTION por_partner_internal.require_arg(value anyelement, name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF value IS NULL THEN
		RAISE EXCEPTION 'argument "%" must not be null', name
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_arg(anyelement, text) IS
	'Internal: raises 22004 when a required argument is null.';

-- Refuse a malformed e-mail address with 22023 before a row is written (the
-- CHECK constraints of the tables stay as a backstop), and one over 254
-- characters (RFC 5321), which no mail system delivers and no index takes.
-- Refuse a text longer than its kind's maximum (text_limit) with 22001,
-- before anything is written; the tables' CHECK constraints are the backstop.
-- require_length is inlined into its caller's expression (SQL, no SET), so a
-- check costs a length() and a comparison with a constant; only a text that
-- is too long calls refuse_too_long.
CREATE OR REPLACE FUNCTION por_partner_internal.refuse_too_long(value text, name text, kind text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	RAISE EXCEPTION 'argument "%" is too long', name
		USING ERRCODE = 'string_data_right_truncation',
		      DETAIL = format('It has %s characters; at most %s are allowed.', length(value), por_partner_internal.text_limit(kind)),
		      HINT = 'The README lists the longest text each argument takes.';
END $$;

COMMENT ON FUNCTION por_partner_internal.refuse_too_long(text, text, text) IS
	'Internal: raises 22001 for an argument longer than its kind allows (text_limit).';

CREATE OR REPLACE FUNCTION por_partner_internal.require_length(value text, name text, kind text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN pg_catalog.length(value) OPERATOR(pg_catalog.>) por_partner_internal.text_limit(kind)
	            THEN por_partner_internal.refuse_too_long(value, name, kind) ELSE true END
$$;

COMMENT ON FUNCTION por_partner_internal.require_length(text, text, text) IS
	'Internal: true, or 22001 when a text argument is longer than its kind allows (text_limit).';

CREATE OR REPLACE FUNCTION por_partner_internal.require_email(email text, name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	PERFORM por_partner_internal.require_length(email, name, 'email');
	IF email !~ '^[^@\s]+@[^@\s]+$' THEN
		RAISE EXCEPTION 'invalid e-mail address: "%"', left(email, 200)
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('Argument "%s" must be a local part, one "@" and a domain, without white space.', name),
			      HINT = 'Pass one address, such as anna@fabrikam.example.';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_email(text, text) IS
	'Internal: raises 22023 when a non-null e-mail address is malformed or longer than 254 characters.';

-- A day plus a number of days, held to the dates PostgreSQL represents
-- (4714-11-24 BC to 5874897-12-31) instead of overflowing; infinite days stay
-- as they are.  Inlinable: schema-qualified, no SET.
CREATE OR REPLACE FUNCTION por_partner_internal.date_add_clamped(d date, days int) RETURNS date
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

COMMENT ON FUNCTION por_partner_internal.date_add_clamped(date, int) IS
	'Internal: d + days, held to the first and last date PostgreSQL represents instead of overflowing; infinite d unchanged.';

-- Refuse a number of days more than all dates span (2147483493) with 22008.
CREATE OR REPLACE FUNCTION por_partner_internal.require_window_days(within_days int) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF within_days NOT BETWEEN -2147483493 AND 2147483493 THEN
		RAISE EXCEPTION 'within_days % is out of range', within_days
			USING ERRCODE = 'datetime_field_overflow',
			      DETAIL = 'A window of more than 2147483493 days ends past the last or before the first date PostgreSQL represents, whatever day it starts on.',
			      HINT = 'Pass a number of days such as 30.';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_window_days(int) IS
	'Internal: raises 22008 for a number of days more than all dates span.';

-- Refuse a null day with 22004 and an infinite one with 22008, naming the
-- argument; hint: what to pass instead.
CREATE OR REPLACE FUNCTION por_partner_internal.require_finite_day(d date, name text, hint text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF d IS NULL THEN
		PERFORM por_partner_internal.require_arg(d, name);
	END IF;
	IF NOT isfinite(d) THEN
		RAISE EXCEPTION '% must be a finite date, not %', name, d
			USING ERRCODE = 'datetime_field_overflow', HINT = hint;
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_finite_day(date, text, text) IS
	'Internal: raises 22004 for a null day, 22008 for an infinite one.';

-- Rule D7 in one place: a partner administers the customers it set up and
-- those that accepted it as delegated admin; a partner's book (what it may
-- see, rule A3) adds those it is partner of record for, which bring notices
-- and the right to offer delegated admin but no admin rights (P3, P4).
-- Inlinable (SQL, not STRICT, no SET, schema-qualified): a caller's condition
-- on the tenant is pushed into each branch, so that asking for one tenant
-- reads an index entry a branch, not the whole book.  UNION ALL: a tenant
-- may come twice (created by the partner and administered by it); callers
-- ask whether a tenant is in the set, or count distinct ones.
CREATE OR REPLACE FUNCTION por_partner_internal.partner_administered(partner_id bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT t.tenant_id FROM @extschema@.tenant t WHERE t.created_by OPERATOR(pg_catalog.=) $1
	UNION ALL
	SELECT d.tenant_id FROM @extschema@.delegated_admin d WHERE d.partner_id OPERATOR(pg_catalog.=) $1
$$;

COMMENT ON FUNCTION por_partner_internal.partner_administered(bigint) IS
	'Internal: the customers a partner administers, the tenants it created and those whose accepted delegated admin it is (rule D7); a tenant may come twice.';

CREATE OR REPLACE FUNCTION por_partner_internal.partner_book(partner_id bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT a.tenant_id FROM por_partner_internal.partner_administered($1) AS a (tenant_id)
	UNION ALL
	SELECT s.tenant_id FROM @extschema@.subscription s WHERE s.partner_of_record OPERATOR(pg_catalog.=) $1
$$;

COMMENT ON FUNCTION por_partner_internal.partner_book(bigint) IS
	'Internal: a partner''s customers, the tenants it administers (rule D7) or is partner of record for (rule A3; row-level security through partner_tenants()); a tenant may come more than once.';
