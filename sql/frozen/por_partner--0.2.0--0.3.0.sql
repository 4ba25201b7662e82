/* por_partner--0.2.0--0.3.0.sql, built from sql/ by scripts/build_sql.sh: edit the sources, not this file */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION por_partner UPDATE TO '0.3.0'" to load this file. \quit

/* sql/updates/0.2.0--0.3.0.sql: from 0.2.0 to 0.3.0, what CREATE OR REPLACE cannot do */

-- The build appends every code layer and every wiring layer of sql/ to this
-- (scripts/build_sql.sh): functions and views are replaced, triggers,
-- policies and grants made again.  Here stands only what that cannot do:
-- new tables and columns, dropped or renamed functions, changed return types.

-- keys are locked only when they are the caller's own cards: lock_key_cards
-- takes the owner, and require_own_keys is no longer needed
DROP FUNCTION @extschema@.lock_key_cards(@extschema@.product_key[]);
DROP FUNCTION @extschema@.require_own_keys(bigint[]);

-- one caller check for a tenant, which may also ask for the right to administer it
DROP FUNCTION @extschema@.require_tenant_access(bigint, text);

-- one helper, create_tenant(), makes a customer's tenant and checks its values
DROP FUNCTION @extschema@.require_tenant_values(text, text, text);

-- the internal functions move to a schema of their own (the code layer then
-- replaces them there; triggers, defaults and grants follow the move)
CREATE SCHEMA por_partner_internal;
CREATE SCHEMA por_partner_book;
ALTER FUNCTION @extschema@.random_code() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_login_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.acting_partner() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_acting_partner(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_subscription_access(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_partner_user_access(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_arg(anyelement,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_email(text,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.date_add_clamped(date,integer) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_window_days(integer) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_book(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.reference_row_changed() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.tenant_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.tenant_create_admin() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.subscription_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.subscription_license_admin() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.subscription_has_activation_key() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.license_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.license_count() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.key_card_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.delegated_admin_offer_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.delegated_admin_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.delegated_admin_removed() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_flags_changed() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.answer_delegated_admin_offer(bigint,boolean) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.subscription_por_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.advisor_offer_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.invitation_url(text,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.invitation_code(text,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.grant_included_delegated_admin(bigint,bigint,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.contact_edit_begin(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.contact_edit_partner() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_contact_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.audit_row() SET SCHEMA por_partner_internal;

-- the maxima of the text a caller sends: the tables hold them too (rows that
-- break one stop the update; shorten them first)
-- The maximum length of each kind of text a caller may send, in characters:
-- the one definition the functions' argument checks (22001) and the tables'
-- CHECK constraints ask.  Here, with the schema: the constraints need it.
CREATE FUNCTION por_partner_internal.text_limit(kind text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE kind
	       WHEN 'name' THEN 100              -- a person's first or last name
	       WHEN 'display_name' THEN 200
	       WHEN 'partner_name' THEN 200
	       WHEN 'organization_name' THEN 256
	       WHEN 'email' THEN 254             -- RFC 5321
	       WHEN 'phone' THEN 50
	       WHEN 'address' THEN 1000
	       WHEN 'message' THEN 2000          -- a delegated admin offer's
	       WHEN 'sku_code' THEN 50
	       WHEN 'country_code' THEN 2
	       WHEN 'mpn_id' THEN 20
	       WHEN 'url' THEN 2048
	       WHEN 'action' THEN 50
	       WHEN 'role' THEN 50               -- a company role or access level
	       END
$$;

COMMENT ON FUNCTION por_partner_internal.text_limit(text) IS
	'Internal: the most characters a text of the kind may have (name, display_name, partner_name, organization_name, email, phone, address, message, sku_code, country_code, mpn_id, url, action, role).';
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_name_length
	CHECK (length(name) <= 200);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_email_length
	CHECK (length(email) <= 254);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_phone_length
	CHECK (length(phone) <= 50);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_address_length
	CHECK (length(address) <= 1000);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_organization_name_length
	CHECK (length(organization_name) <= 256);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_first_name_length
	CHECK (length(admin_first_name) <= 100);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_last_name_length
	CHECK (length(admin_last_name) <= 100);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_email_length
	CHECK (length(admin_email) <= 254);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_first_name_length
	CHECK (length(first_name) <= 100);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_last_name_length
	CHECK (length(last_name) <= 100);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_email_length
	CHECK (length(email) <= 254);
ALTER TABLE @extschema@.delegated_admin_offer ADD CONSTRAINT delegated_admin_offer_message_length
	CHECK (length(message) <= 2000);
ALTER TABLE @extschema@.partner_user ADD CONSTRAINT partner_user_email_length
	CHECK (length(email) <= 254);
ALTER TABLE @extschema@.partner_user ADD CONSTRAINT partner_user_display_name_length
	CHECK (length(display_name) <= 200);

-- invitation and offer codes are kept as their SHA-256 only, and the audit
-- trail forgets them; the tables' own triggers stay off for the move
ALTER TABLE @extschema@.trial_invitation DISABLE TRIGGER USER;
ALTER TABLE @extschema@.purchase_offer DISABLE TRIGGER USER;
ALTER TABLE @extschema@.trial_invitation ADD COLUMN code_hash bytea;
UPDATE @extschema@.trial_invitation SET code_hash = pg_catalog.sha256(pg_catalog.convert_to(code, 'UTF8'));
ALTER TABLE @extschema@.trial_invitation ALTER COLUMN code_hash SET NOT NULL,
	ADD CONSTRAINT trial_invitation_code_hash_key UNIQUE (code_hash),
	ADD CONSTRAINT trial_invitation_code_hash_sha256 CHECK (length(code_hash) = 32),
	DROP COLUMN code;
ALTER TABLE @extschema@.purchase_offer ADD COLUMN code_hash bytea;
UPDATE @extschema@.purchase_offer SET code_hash = pg_catalog.sha256(pg_catalog.convert_to(code, 'UTF8'));
ALTER TABLE @extschema@.purchase_offer ALTER COLUMN code_hash SET NOT NULL,
	ADD CONSTRAINT purchase_offer_code_hash_key UNIQUE (code_hash),
	ADD CONSTRAINT purchase_offer_code_hash_sha256 CHECK (length(code_hash) = 32),
	DROP COLUMN code;
ALTER TABLE @extschema@.trial_invitation ENABLE TRIGGER USER;
ALTER TABLE @extschema@.purchase_offer ENABLE TRIGGER USER;
COMMENT ON COLUMN @extschema@.trial_invitation.code_hash IS
	'SHA-256 of the code in the invitation''s URL: the URL is shown once, when the invitation is made, and cannot be read back from the table, a dump or the audit trail.';
COMMENT ON COLUMN @extschema@.purchase_offer.code_hash IS
	'SHA-256 of the code in the offer''s URL: the URL is shown once, when the offer is made, and cannot be read back from the table, a dump or the audit trail.';
CREATE INDEX trial_invitation_partner_created_idx ON @extschema@.trial_invitation (partner_id, created_at);
CREATE INDEX purchase_offer_partner_created_idx ON @extschema@.purchase_offer (partner_id, created_at);
UPDATE @extschema@.audit_log a
   SET old_row = CASE WHEN a.old_row ? 'code'
                      THEN (a.old_row - 'code') || jsonb_build_object('code_hash',
                           pg_catalog.sha256(pg_catalog.convert_to(a.old_row ->> 'code', 'UTF8')))
                      ELSE a.old_row END,
       new_row = CASE WHEN a.new_row ? 'code'
                      THEN (a.new_row - 'code') || jsonb_build_object('code_hash',
                           pg_catalog.sha256(pg_catalog.convert_to(a.new_row ->> 'code', 'UTF8')))
                      ELSE a.new_row END
 WHERE a.table_name IN ('trial_invitation', 'purchase_offer');

-- the cap on invitations and offers a partner makes in a day (setting)
COMMENT ON TABLE @extschema@.setting IS
	'Settings an operator may change: invitation_url_base, where trial invitation and purchase offer URLs point; max_invitations_per_day, how many of them a partner makes in 24 hours.';
ALTER TABLE @extschema@.setting DISABLE TRIGGER setting_changed;
INSERT INTO @extschema@.setting VALUES ('max_invitations_per_day', '200', true) ON CONFLICT (name) DO NOTHING;
ALTER TABLE @extschema@.setting ENABLE ALWAYS TRIGGER setting_changed;

-- at most one pending delegated admin offer from a partner to a tenant: the
-- older of two pending offers is withdrawn
UPDATE @extschema@.delegated_admin_offer o SET status = 'withdrawn', answered_at = now()
 WHERE o.status = 'pending'
   AND EXISTS (SELECT 1 FROM @extschema@.delegated_admin_offer n
                WHERE n.partner_id = o.partner_id AND n.tenant_id = o.tenant_id
                  AND n.status = 'pending' AND n.offer_id > o.offer_id);
CREATE UNIQUE INDEX delegated_admin_offer_pending_key ON @extschema@.delegated_admin_offer (partner_id, tenant_id)
	WHERE status = 'pending';

/* sql/10_product_key/code.sql: product_key functions beyond the type: validity test and masking */

CREATE OR REPLACE FUNCTION @extschema@.product_key_is_valid(text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'product_key_is_valid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.product_key_is_valid(text) IS
	'True when the text is a well-formed product key (rule K1); never raises an error.';

CREATE OR REPLACE FUNCTION @extschema@.product_key_mask(@extschema@.product_key)
RETURNS text
AS 'MODULE_PATHNAME', 'product_key_mask'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.product_key_mask(@extschema@.product_key) IS
	'The key as the admin center shows it: XXXXX-XXXXX-XXXXX-XXXXX- followed by the last group.';

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

/* sql/30_reference/code.sql: shipped rows of the reference tables survive pg_dump */

/*
 * Shipped rows of country, sku and setting: a change marks the row as no
 * longer shipped, and pg_dump keeps exactly the rows that are not shipped.
 * When a dump is restored, CREATE EXTENSION has already made the shipped
 * rows, so an incoming row with the key of an untouched shipped row replaces
 * it.  These triggers fire always, also under session_replication_role =
 * replica, the documented way to restore.
 */
CREATE OR REPLACE FUNCTION por_partner_internal.reference_row_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	-- the incoming row as a row of each table, so that every branch is
	-- checked against its own table's columns (plpgsql_check, test/lint.sh)
	c @extschema@.country;
	st @extschema@.setting;
	r @extschema@.renewal_notice_schedule;
	s @extschema@.sku;
BEGIN
	IF TG_OP = 'UPDATE' THEN
		NEW.shipped := false;
		RETURN NEW;
	END IF;
	-- INSERT
	IF TG_TABLE_NAME = 'country' THEN
		c := jsonb_populate_record(c, to_jsonb(NEW));
		UPDATE @extschema@.country t
		   SET name = c.name, service_available = c.service_available
		 WHERE t.code = c.code AND t.shipped;
	ELSIF TG_TABLE_NAME = 'setting' THEN
		st := jsonb_populate_record(st, to_jsonb(NEW));
		UPDATE @extschema@.setting t SET value = st.value WHERE t.name = st.name AND t.shipped;
	ELSIF TG_TABLE_NAME = 'renewal_notice_schedule' THEN
		r := jsonb_populate_record(r, to_jsonb(NEW));
		UPDATE @extschema@.renewal_notice_schedule t SET shipped = t.shipped
		 WHERE t.days_before = r.days_before AND t.shipped;
	ELSE
		s := jsonb_populate_record(s, to_jsonb(NEW));
		UPDATE @extschema@.sku t
		   SET name = s.name, licenses_per_key = s.licenses_per_key, term = s.term,
		       trial_term = s.trial_term, trial_seats = s.trial_seats, agreement = s.agreement
		 WHERE t.sku_code = s.sku_code AND t.shipped;
	END IF;
	IF FOUND THEN
		RETURN NULL;			-- merged into the shipped row
	END IF;
	NEW.shipped := false;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION por_partner_internal.reference_row_changed() IS
	'Trigger: keeps the shipped flag of country, sku, setting and renewal_notice_schedule true only for rows as shipped, so that pg_dump keeps operators'' changes.';

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
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
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
		PERFORM por_partner_internal.require_arg(create_customer_subscription.partner_id, 'partner_id'),
		        por_partner_internal.require_arg(create_customer_subscription.organization_name, 'organization_name'),
		        por_partner_internal.require_arg(create_customer_subscription.country_code, 'country_code'),
		        por_partner_internal.require_arg(create_customer_subscription.admin_first_name, 'admin_first_name'),
		        por_partner_internal.require_arg(create_customer_subscription.admin_last_name, 'admin_last_name'),
		        por_partner_internal.require_arg(create_customer_subscription.admin_email, 'admin_email'),
		        por_partner_internal.require_arg(create_customer_subscription.starts_on, 'starts_on');
	END IF;
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
	IF cards.licenses > 2147483647 THEN
		RAISE EXCEPTION 'the product keys carry % licenses, more seats than a subscription holds', cards.licenses
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'A subscription has at most 2147483647 seats.',
			      HINT = 'Check the license counts of the key cards.';
	END IF;
	SELECT * INTO s FROM @extschema@.sku sk WHERE sk.sku_code = cards.sku_code;

	new_tenant := por_partner_internal.create_tenant(create_customer_subscription.organization_name,
	                                        create_customer_subscription.country_code,
	                                        create_customer_subscription.admin_first_name,
	                                        create_customer_subscription.admin_last_name,
	                                        create_customer_subscription.admin_email, s.agreement, p.partner_id);

	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, agreement)
	VALUES (new_tenant, s.sku_code, cards.licenses, 'product_key', create_customer_subscription.starts_on,
	        (create_customer_subscription.starts_on + s.term)::date, s.agreement)
	RETURNING subscription_id INTO new_subscription;

	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = new_subscription, redeemed_as = 'activate'
	 WHERE c.product_key = ANY (keys);
	RETURN new_subscription;
END $$;

COMMENT ON FUNCTION @extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date) IS
	'Redeems product keys to create a customer: its tenant, admin user (licensed), and a subscription with the licenses the keys carry, all or nothing (rules K3, K5, K6, C1-C4, A6).  Returns the subscription_id.';

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
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
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

/* sql/40_customers/code_rules.sql: the rules of tenants, subscriptions, licenses and key cards, held by triggers whichever client writes */

-- Tenants: the country must be one where the service is offered (rule C2);
-- a new tenant's admin becomes a user with the global_admin role (rule C3).
CREATE OR REPLACE FUNCTION por_partner_internal.tenant_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	c record;
BEGIN
	NEW.country_code := upper(NEW.country_code);
	IF TG_OP = 'UPDATE' AND NEW.country_code = OLD.country_code THEN
		RETURN NEW;
	END IF;
	SELECT * INTO c FROM @extschema@.country WHERE code = NEW.country_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'country "%" does not exist', NEW.country_code
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Use an ISO 3166-1 alpha-2 code from table por_partner.country.';
	END IF;
	IF NOT c.service_available THEN
		RAISE EXCEPTION 'Microsoft 365 is not offered in "%" (country code "%")', c.name, c.code
			USING ERRCODE = 'check_violation',
			      DETAIL = 'Customers can be created only in countries and regions where the service is offered (rule C2).',
			      HINT = 'If the service is offered there now, an operator can set por_partner.country.service_available.';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.tenant_check() IS
	'Trigger: a tenant''s country must be one where the service is offered (rule C2).';

CREATE OR REPLACE FUNCTION por_partner_internal.tenant_create_admin() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	INSERT INTO @extschema@.tenant_user (tenant_id, first_name, last_name, email, admin_role)
	VALUES (NEW.tenant_id, NEW.admin_first_name, NEW.admin_last_name, NEW.admin_email, 'global_admin');
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.tenant_create_admin() IS
	'Trigger: a new tenant''s admin person becomes its first user, with the global_admin role (rule C3).';

-- Subscriptions: licensed_users starts at 0 and is kept by the license
-- triggers; seats never drop below it (rule C5); the agreement comes from the
-- SKU (rule C4); a new subscription licenses the tenant's admin (rule C3).
CREATE OR REPLACE FUNCTION por_partner_internal.subscription_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	sku_agreement text;
BEGIN
	IF TG_OP = 'INSERT' THEN
		NEW.licensed_users := 0;
	END IF;
	IF TG_OP = 'INSERT' OR NEW.agreement IS DISTINCT FROM OLD.agreement OR NEW.sku_code <> OLD.sku_code THEN
		SELECT s.agreement INTO sku_agreement FROM @extschema@.sku s WHERE s.sku_code = NEW.sku_code;
		IF NEW.agreement IS NULL THEN
			NEW.agreement := sku_agreement;
		ELSIF sku_agreement IS NOT NULL AND NEW.agreement <> sku_agreement THEN
			RAISE EXCEPTION 'a % subscription is under the "%", not the "%"', NEW.sku_code, sku_agreement, NEW.agreement
				USING ERRCODE = 'check_violation',
				      DETAIL = 'The agreement that applies is the one of the subscription''s product (rule C4).',
				      HINT = 'Leave agreement null to have it filled in.';
		END IF;
	END IF;
	IF TG_OP = 'INSERT' THEN
		RETURN NEW;
	END IF;
	IF @extschema@.subscription_phase(OLD.expires_on, current_date) = 'deprovisioned'
	   AND (NEW.licensed_users > OLD.licensed_users
	        OR (NEW.subscription_id, NEW.tenant_id, NEW.sku_code, NEW.seats, NEW.billing, NEW.starts_on,
	            NEW.expires_on, NEW.partner_of_record, NEW.agreement)
	           IS DISTINCT FROM
	           (OLD.subscription_id, OLD.tenant_id, OLD.sku_code, OLD.seats, OLD.billing, OLD.starts_on,
	            OLD.expires_on, OLD.partner_of_record, OLD.agreement)) THEN
		RAISE EXCEPTION 'subscription % is deprovisioned', OLD.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than %s days ago; it can no longer be changed or reactivated (rule R6).',
			                      OLD.expires_on, por_partner_internal.subscription_phase_start('deprovisioned')),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	IF NEW.licensed_users IS DISTINCT FROM OLD.licensed_users AND pg_catalog.pg_trigger_depth() < 2 THEN
		RAISE EXCEPTION 'column "licensed_users" of subscription % cannot be set', OLD.subscription_id
			USING ERRCODE = 'generated_always',
			      DETAIL = 'It counts the licenses of the subscription and is kept by the extension.',
			      HINT = 'Use por_partner.assign_license() and por_partner.remove_license().';
	END IF;
	IF NEW.seats < NEW.licensed_users THEN
		RAISE EXCEPTION 'subscription % has % licensed users, so it cannot have % seats', OLD.subscription_id,
				NEW.licensed_users, NEW.seats
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A subscription never has more licensed users than seats (rule C5).',
			      HINT = 'Remove licenses first.';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.subscription_check() IS
	'Trigger: keeps subscription.licensed_users to the license triggers and seats at or above it (rule C5); fills the agreement from the SKU (rule C4).';

CREATE OR REPLACE FUNCTION por_partner_internal.subscription_license_admin() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	-- the admin person named on the tenant, else its first global admin
	INSERT INTO @extschema@.license (subscription_id, user_id, tenant_id)
	SELECT NEW.subscription_id, u.user_id, u.tenant_id
	  FROM @extschema@.tenant_user u
	  JOIN @extschema@.tenant t ON t.tenant_id = u.tenant_id
	 WHERE u.tenant_id = NEW.tenant_id AND u.admin_role = 'global_admin'
	   AND @extschema@.subscription_phase(NEW.expires_on, current_date) IN ('active', 'expired')
	 ORDER BY lower(u.email) = lower(t.admin_email) DESC, u.user_id
	 LIMIT 1;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.subscription_license_admin() IS
	'Trigger: a new subscription gives the tenant''s admin a license (rule C3), unless it is brought in already disabled or deprovisioned (rule R6).';

-- A subscription billed by product key exists only with a key redeemed to
-- activate it (rules K3, A6); checked at commit, after the keys are marked.
-- SECURITY DEFINER: a deferred trigger runs at commit, after the function
-- that wrote the row has returned, as the caller (a partner's login reads no
-- key_card).
CREATE OR REPLACE FUNCTION por_partner_internal.subscription_has_activation_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	-- the trigger's WHEN clause calls this only for billing = 'product_key'
	IF NOT EXISTS (
			SELECT 1 FROM @extschema@.key_card k
			 WHERE k.subscription_id = NEW.subscription_id AND k.redeemed_as = 'activate') THEN
		RAISE EXCEPTION 'subscription % is billed by product key but no key activated it', NEW.subscription_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A subscription is set up with product keys by redeeming them (rules K3, A6).',
			      HINT = 'Use por_partner.create_customer_subscription().';
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.subscription_has_activation_key() IS
	'Constraint trigger: a subscription billed by product key has a key redeemed to activate it (rules K3, A6).';

-- Licenses: the user belongs to the subscription's tenant; seats are never
-- exceeded (rule C5).  The count is kept on the subscription row, whose row
-- lock serializes concurrent assignments to one subscription.
CREATE OR REPLACE FUNCTION por_partner_internal.license_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	expires date;
	phase @extschema@.subscription_phase;
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF (NEW.subscription_id, NEW.user_id) IS DISTINCT FROM (OLD.subscription_id, OLD.user_id) THEN
			RAISE EXCEPTION 'a license cannot be moved'
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      HINT = 'Remove the license and assign a new one.';
		END IF;
		NEW.tenant_id := OLD.tenant_id;
		RETURN NEW;
	END IF;
	SELECT s.tenant_id, s.expires_on INTO NEW.tenant_id, expires
	  FROM @extschema@.subscription s WHERE s.subscription_id = NEW.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', NEW.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	phase := @extschema@.subscription_phase(expires, current_date);
	IF phase IN ('disabled', 'deprovisioned') THEN
		RAISE EXCEPTION 'subscription % is %', NEW.subscription_id, phase
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s; from day %s after expiry users lose access and no license is assigned (rules R5, R6).',
			                      expires, por_partner_internal.subscription_phase_start('disabled')),
			      HINT = CASE phase WHEN 'disabled' THEN 'Renew the subscription to reactivate it.'
			                        ELSE format('The subscription is past day %s and cannot be reactivated.',
			                                    por_partner_internal.subscription_phase_start('deprovisioned')) END;
	END IF;
	-- one answer for a user of another tenant and one that does not exist
	PERFORM por_partner_internal.require_user_of_subscription(NEW.subscription_id, NEW.user_id);
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.license_check() IS
	'Trigger: a license joins a user and a subscription of the same tenant, is never moved, and is not assigned on a disabled or deprovisioned subscription (rules R5, R6).';

CREATE OR REPLACE FUNCTION por_partner_internal.license_count() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	s record;
BEGIN
	IF TG_OP = 'DELETE' THEN
		UPDATE @extschema@.subscription SET licensed_users = licensed_users - 1
		 WHERE subscription_id = OLD.subscription_id;
		RETURN NULL;
	END IF;
	-- lock first: an assignment waits for a concurrent one, or for a removal,
	-- to commit, and then sees its count (under REPEATABLE READ it fails 40001)
	SELECT seats, licensed_users INTO s FROM @extschema@.subscription
	 WHERE subscription_id = NEW.subscription_id FOR NO KEY UPDATE;
	IF s.licensed_users < s.seats THEN
		UPDATE @extschema@.subscription SET licensed_users = licensed_users + 1
		 WHERE subscription_id = NEW.subscription_id;
	ELSE
		RAISE EXCEPTION 'subscription % has no free seat', NEW.subscription_id
			USING ERRCODE = 'check_violation',
			      DETAIL = format('All %s seats are licensed; a subscription never has more licensed users than seats (rule C5).', s.seats),
			      HINT = 'Add seats with por_partner.add_licenses(), or remove a license first.';
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.license_count() IS
	'Trigger: counts licenses on subscription.licensed_users and refuses one over the seats (rule C5).';

-- Key cards: bought only by resellers (rule K2); a Small Business card
-- carries one license (rule K4); redeemed at most once (rule K6), on a
-- subscription of the card's SKU (rule K3), and only an authorized
-- subscription advisor activates a subscription with keys (rule A6).
CREATE OR REPLACE FUNCTION por_partner_internal.key_card_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
	per_key int;
	sub_sku text;
BEGIN
	-- a redeemed card is history: it never changes and is never deleted (K6)
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.redeemed_at IS NOT NULL THEN
		RAISE EXCEPTION 'product key % was already redeemed', OLD.product_key
			USING ERRCODE = 'unique_violation',
			      DETAIL = format('It was redeemed on %s to %s subscription %s; a key is redeemed at most once (rule K6), and its card is kept.',
			                      to_char(OLD.redeemed_at, 'YYYY-MM-DD'),
			                      replace(OLD.redeemed_as, '_', ' '), OLD.subscription_id),
			      HINT = 'Use a key that has not been redeemed.';
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;

	SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
	IF TG_OP = 'INSERT' OR (NEW.partner_id, NEW.sku_code, NEW.licenses)
	                       IS DISTINCT FROM (OLD.partner_id, OLD.sku_code, OLD.licenses) THEN
		IF p.partner_id IS NOT NULL AND NOT p.reseller THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) may not buy key cards', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only partners with a reseller relationship with an authorized distributor buy product keys (rule K2).',
				      HINT = 'Set por_partner.partner.reseller once the partner has that relationship.';
		END IF;
		SELECT s.licenses_per_key INTO per_key FROM @extschema@.sku s WHERE s.sku_code = NEW.sku_code;
		IF per_key IS NOT NULL AND NEW.licenses <> per_key THEN
			RAISE EXCEPTION 'key cards of % carry % license each, not %', NEW.sku_code, per_key, NEW.licenses
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Each key of this product is one license for one user (rule K4).',
				      HINT = format('Set licenses to %s, and buy one key for each user.', per_key);
		END IF;
	END IF;

	IF NEW.redeemed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.redeemed_at IS NULL) THEN
		SELECT s.sku_code INTO sub_sku FROM @extschema@.subscription s
		 WHERE s.subscription_id = NEW.subscription_id;
		IF FOUND AND sub_sku <> NEW.sku_code THEN
			RAISE EXCEPTION 'product key % is for %, but subscription % is %', NEW.product_key,
					NEW.sku_code, NEW.subscription_id, sub_sku
				USING ERRCODE = 'check_violation',
				      DETAIL = 'A key activates, adds users to or renews a subscription of its own product (rule K3).',
				      HINT = format('Use %s keys.', sub_sku);
		END IF;
		IF NEW.redeemed_as = 'activate' AND p.partner_id IS NOT NULL AND NOT p.subscription_advisor THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) is not an authorized subscription advisor', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only authorized subscription advisors set up customer subscriptions with product keys (rule A6).',
				      HINT = 'Set por_partner.partner.subscription_advisor once the partner is authorized.';
		END IF;
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.key_card_check() IS
	'Trigger: key cards are bought by resellers (K2), carry the SKU''s licenses (K4), are redeemed once and then kept unchanged (K6), on a subscription of their SKU (K3), and activate only for advisors (A6).';

/* sql/50_delegated_admin/code.sql: offering, answering and removing delegated administration (rules D1-D6) */

-- An offer comes only from a Cloud Essentials partner (rule D3) and is
-- answered once (rule D2).
CREATE OR REPLACE FUNCTION por_partner_internal.delegated_admin_offer_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p @extschema@.partner;
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
		IF FOUND AND NOT @extschema@.partner_benefits_active(p) THEN
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
		IF EXISTS (SELECT 1 FROM @extschema@.delegated_admin_offer o
		            WHERE o.partner_id = NEW.partner_id AND o.tenant_id = NEW.tenant_id AND o.status = 'pending') THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) has a pending delegated admin offer to tenant % already', p.name, p.mpn_id, NEW.tenant_id
				USING ERRCODE = 'unique_violation',
				      DETAIL = 'A partner has at most one pending offer to a customer; it waits for the customer''s answer (rule D2).',
				      HINT = 'Wait for the answer to the offer already sent.';
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

COMMENT ON FUNCTION por_partner_internal.delegated_admin_offer_check() IS
	'Trigger: offers come from Cloud Essentials partners (D3), start pending and are answered once (D2).';

-- A relationship exists only from an accepted offer (rule D2).
CREATE OR REPLACE FUNCTION por_partner_internal.delegated_admin_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.delegated_admin_offer o
	                WHERE o.offer_id = NEW.offer_id AND o.status = 'accepted') THEN
		RAISE EXCEPTION 'partner % is not delegated admin of tenant % without an accepted offer',
				NEW.partner_id, NEW.tenant_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'The customer must accept the partner''s offer first; a pending or declined offer grants nothing (rule D2).',
			      HINT = 'Use por_partner.accept_delegated_admin_offer().';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.delegated_admin_check() IS
	'Trigger: a delegated admin relationship rests on an accepted offer (rule D2).';

CREATE OR REPLACE FUNCTION por_partner_internal.delegated_admin_removed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	UPDATE @extschema@.delegated_admin_offer SET status = 'removed'
	 WHERE offer_id = OLD.offer_id AND status = 'accepted';
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.delegated_admin_removed() IS
	'Trigger: when a customer removes a delegated admin, the accepted offer behind it is marked removed, so that it cannot grant the rights again (rule D2).';

-- Leaving Cloud Essentials withdraws the partner's pending offers (rule D3);
-- accepted relationships stay, since the customer granted them, but a
-- partner allowed neither delegated admin nor service provision cannot act
-- on them (partner_can, rule A3).  Losing subscription advisor status keeps
-- existing partner-of-record links.
CREATE OR REPLACE FUNCTION por_partner_internal.partner_flags_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF @extschema@.partner_benefits_active(OLD) AND NOT @extschema@.partner_benefits_active(NEW) THEN
		UPDATE @extschema@.delegated_admin_offer
		   SET status = 'withdrawn', answered_at = now()
		 WHERE partner_id = NEW.partner_id AND status = 'pending';
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.partner_flags_changed() IS
	'Trigger: a partner that leaves Cloud Essentials has its pending delegated admin offers withdrawn (rule D3).';

CREATE OR REPLACE FUNCTION @extschema@.offer_delegated_admin(partner_id bigint, tenant_id bigint, message text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	new_offer bigint;
BEGIN
	IF num_nulls(offer_delegated_admin.partner_id, offer_delegated_admin.tenant_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(offer_delegated_admin.partner_id, 'partner_id'),
		        por_partner_internal.require_arg(offer_delegated_admin.tenant_id, 'tenant_id');
	END IF;
	PERFORM por_partner_internal.require_acting_partner(offer_delegated_admin.partner_id);
	PERFORM por_partner_internal.require_tenant_access(offer_delegated_admin.tenant_id);
	PERFORM por_partner_internal.require_length(offer_delegated_admin.message, 'message', 'message');
	INSERT INTO @extschema@.delegated_admin_offer (partner_id, tenant_id, message)
	VALUES (offer_delegated_admin.partner_id, offer_delegated_admin.tenant_id, offer_delegated_admin.message)
	RETURNING offer_id INTO new_offer;
	RETURN new_offer;
END $$;

COMMENT ON FUNCTION @extschema@.offer_delegated_admin(bigint, bigint, text) IS
	'Sends a delegated admin offer, with a message, from a Cloud Essentials partner to a customer (rules D2, D3).  Returns the offer_id.';

-- Answer a pending offer; the row lock makes two answers at once end with one.
CREATE OR REPLACE FUNCTION por_partner_internal.answer_delegated_admin_offer(offer_id bigint, accept boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	o record;
BEGIN
	IF num_nulls(answer_delegated_admin_offer.offer_id, answer_delegated_admin_offer.accept) > 0 THEN
		PERFORM por_partner_internal.require_arg(answer_delegated_admin_offer.offer_id, 'offer_id'),
		        por_partner_internal.require_arg(answer_delegated_admin_offer.accept, 'accept');
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

COMMENT ON FUNCTION por_partner_internal.answer_delegated_admin_offer(bigint, boolean) IS
	'Internal: accepts or declines a pending delegated admin offer, once (rule D2).';

CREATE OR REPLACE FUNCTION @extschema@.accept_delegated_admin_offer(offer_id bigint) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT por_partner_internal.answer_delegated_admin_offer(offer_id, true) $$;

COMMENT ON FUNCTION @extschema@.accept_delegated_admin_offer(bigint) IS
	'The customer accepts a pending offer: the partner becomes its delegated admin, with admin rights and no license (rules D2, D4).';

CREATE OR REPLACE FUNCTION @extschema@.decline_delegated_admin_offer(offer_id bigint) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT por_partner_internal.answer_delegated_admin_offer(offer_id, false) $$;

COMMENT ON FUNCTION @extschema@.decline_delegated_admin_offer(bigint) IS
	'The customer declines a pending offer; it grants nothing (rule D2).';

-- Operators ask about any partner; a partner's login about its own partner
-- only: false for another's, the answer of a relationship that does not exist.
CREATE OR REPLACE FUNCTION @extschema@.is_delegated_admin(partner_id bigint, tenant_id bigint) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM @extschema@.delegated_admin d
	                WHERE d.partner_id = $1 AND d.tenant_id = $2
	                  AND (@extschema@.caller_is_operator() OR d.partner_id = @extschema@.caller_partner_id()))
$$;

COMMENT ON FUNCTION @extschema@.is_delegated_admin(bigint, bigint) IS
	'True when the partner is the tenant''s delegated admin through an accepted offer (rules D1, D2); a partner''s login asks about its own partner only (false for another).';

CREATE OR REPLACE FUNCTION @extschema@.remove_delegated_admin(partner_id bigint, tenant_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	IF num_nulls(remove_delegated_admin.partner_id, remove_delegated_admin.tenant_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(remove_delegated_admin.partner_id, 'partner_id'),
		        por_partner_internal.require_arg(remove_delegated_admin.tenant_id, 'tenant_id');
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

COMMENT ON FUNCTION @extschema@.remove_delegated_admin(bigint, bigint) IS
	'The customer withdraws a partner''s delegated admin rights.';

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
		PERFORM por_partner_internal.require_arg(accept_trial_invitation.url, 'url'),
		        por_partner_internal.require_arg(accept_trial_invitation.organization_name, 'organization_name'),
		        por_partner_internal.require_arg(accept_trial_invitation.country_code, 'country_code'),
		        por_partner_internal.require_arg(accept_trial_invitation.admin_first_name, 'admin_first_name'),
		        por_partner_internal.require_arg(accept_trial_invitation.admin_last_name, 'admin_last_name'),
		        por_partner_internal.require_arg(accept_trial_invitation.admin_email, 'admin_email');
	END IF;
	SELECT * INTO i FROM @extschema@.trial_invitation t
	 WHERE t.code_hash = por_partner_internal.code_hash(por_partner_internal.invitation_code(accept_trial_invitation.url, 'trial'));
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no trial invitation has this URL'
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Ask the partner for a new invitation.';
	END IF;
	SELECT * INTO s FROM @extschema@.sku sk WHERE sk.sku_code = i.sku_code;
	new_tenant := por_partner_internal.create_tenant(accept_trial_invitation.organization_name,
	                                        accept_trial_invitation.country_code,
	                                        accept_trial_invitation.admin_first_name,
	                                        accept_trial_invitation.admin_last_name,
	                                        accept_trial_invitation.admin_email, s.agreement, i.partner_id);
	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on,
	                                      partner_of_record, agreement)
	VALUES (new_tenant, s.sku_code, s.trial_seats, 'trial', current_date, (current_date + s.trial_term)::date,
	        i.partner_id, s.agreement)
	RETURNING subscription_id INTO new_subscription;
	IF i.include_delegated_admin THEN
		PERFORM por_partner_internal.grant_included_delegated_admin(i.partner_id, new_tenant, 'trial invitation');
	END IF;
	RETURN new_subscription;
END $$;

COMMENT ON FUNCTION @extschema@.accept_trial_invitation(text, text, text, text, text, text) IS
	'A customer accepts a trial invitation: its tenant and admin (licensed, rule C3) and a trial subscription with the SKU''s trial term, the advisor as partner of record, and delegated admin if included (rules A4, D5).  Returns the subscription_id.';

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
		PERFORM por_partner_internal.grant_included_delegated_admin(o.partner_id, accept_purchase_offer.tenant_id, 'purchase offer');
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.accept_purchase_offer(text, bigint, int) IS
	'A customer buys what a purchase offer lists: one subscription a line, billed directly, for the SKU''s term, with licenses changed at purchase if given (rule A5), the advisor as partner of record, and delegated admin if included (rule D5).  Returns the new subscription_ids.';

/* sql/80_partner_users/code.sql: company information (rule A1) and customer management (rules A2, A3) */

-- Company information is changed only through update_partner_contact (A1):
-- the function marks the partner it edits in a backend-local flag (see
-- src/contact_edit.c) that no client can set.
CREATE OR REPLACE FUNCTION por_partner_internal.contact_edit_begin(partner_id bigint) RETURNS void
AS 'MODULE_PATHNAME', 'por_partner_contact_edit_begin'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.contact_edit_begin(bigint) IS
	'Internal: marks the partner whose company information update_partner_contact() is changing (0: none); cleared at the end of the (sub)transaction.';

CREATE OR REPLACE FUNCTION por_partner_internal.contact_edit_partner() RETURNS bigint
AS 'MODULE_PATHNAME', 'por_partner_contact_edit_partner'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.contact_edit_partner() IS
	'Internal: the partner whose company information update_partner_contact() is changing in this backend, or 0.';

CREATE OR REPLACE FUNCTION por_partner_internal.partner_contact_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF (NEW.email, NEW.phone, NEW.address) IS DISTINCT FROM (OLD.email, OLD.phone, OLD.address)
	   AND por_partner_internal.contact_edit_partner() <> NEW.partner_id THEN
		RAISE EXCEPTION 'the company information of partner % is changed by its global admins', NEW.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Phone, e-mail and address are shown to customers; a partner user with the global_admin role edits them (rule A1).',
			      HINT = 'Use por_partner.update_partner_contact().';
	END IF;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION por_partner_internal.partner_contact_check() IS
	'Trigger: a partner''s phone, e-mail and address change only through update_partner_contact() (rule A1).';

CREATE OR REPLACE FUNCTION @extschema@.update_partner_contact(partner_user_id bigint, email text, phone text, address text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	u record;
BEGIN
	IF num_nulls(update_partner_contact.partner_user_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(update_partner_contact.partner_user_id, 'partner_user_id');
	END IF;
	PERFORM por_partner_internal.require_partner_user_access(update_partner_contact.partner_user_id);
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
	PERFORM por_partner_internal.require_email(update_partner_contact.email, 'email'),
	        por_partner_internal.require_length(update_partner_contact.phone, 'phone', 'phone'),
	        por_partner_internal.require_length(update_partner_contact.address, 'address', 'address');
	PERFORM por_partner_internal.contact_edit_begin(u.partner_id);
	UPDATE @extschema@.partner p
	   SET email = update_partner_contact.email, phone = update_partner_contact.phone,
	       address = update_partner_contact.address
	 WHERE p.partner_id = u.partner_id;
	PERFORM por_partner_internal.contact_edit_begin(0);
END $$;

COMMENT ON FUNCTION @extschema@.update_partner_contact(bigint, text, text, text) IS
	'A partner user with the global_admin role sets the company''s e-mail, phone and address (rule A1).';

CREATE OR REPLACE FUNCTION @extschema@.partner_customer_count(partner_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	PERFORM por_partner_internal.require_acting_partner($1);
	RETURN (SELECT count(DISTINCT b) FROM por_partner_internal.partner_book($1) AS b);
END $$;

COMMENT ON FUNCTION @extschema@.partner_customer_count(bigint) IS
	'The number of a partner''s customers: tenants it created, administers as delegated admin or is partner of record for.';

-- Rule A3 in one place: managing customers is open to partners authorized
-- to offer delegated admin (Cloud Essentials, rules D3, P3) and to
-- authorized service providers.  A predicate on a partner row, inlined.
CREATE OR REPLACE FUNCTION por_partner_internal.partner_manages_customers(p @extschema@.partner) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT @extschema@.partner_benefits_active(p) OR p.service_provider $$;

COMMENT ON FUNCTION por_partner_internal.partner_manages_customers(@extschema@.partner) IS
	'Internal: true when the partner may manage customers, as a Cloud Essentials partner or an authorized service provider (rule A3).';

CREATE OR REPLACE FUNCTION @extschema@.customer_management_view(partner_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p @extschema@.partner;
BEGIN
	IF num_nulls(customer_management_view.partner_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(customer_management_view.partner_id, 'partner_id');
	END IF;
	PERFORM por_partner_internal.require_acting_partner(customer_management_view.partner_id);
	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = customer_management_view.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % does not exist', customer_management_view.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NOT por_partner_internal.partner_manages_customers(p) THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) may not manage customers', p.name, p.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Managing customers is open to partners authorized to offer delegated admin and to authorized service providers (rule A3).';
	END IF;
	RETURN CASE WHEN @extschema@.partner_customer_count(p.partner_id) < 100
	            THEN 'manage_customers' ELSE 'find_and_help_customers' END;
END $$;

COMMENT ON FUNCTION @extschema@.customer_management_view(bigint) IS
	'The customer management page a partner uses (rule A3): manage_customers below 100 customers, find_and_help_customers from 100; an error (42501) for a partner allowed neither.';

CREATE OR REPLACE FUNCTION @extschema@.partner_can(partner_user_id bigint, tenant_id bigint, action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	found_user boolean;
	allowed boolean;
BEGIN
	IF num_nulls(partner_user_id, tenant_id, action) > 0 THEN
		PERFORM por_partner_internal.require_arg(partner_user_id, 'partner_user_id'),
		        por_partner_internal.require_arg(tenant_id, 'tenant_id'),
		        por_partner_internal.require_arg(action, 'action');
	END IF;
	IF action NOT IN ('reset_password', 'manage_users', 'manage_licenses', 'manage_subscriptions',
	                  'manage_domains', 'service_requests') THEN
		-- a known action is short: only an unknown one can be too long
		PERFORM por_partner_internal.require_length(action, 'action', 'action');
		RAISE EXCEPTION 'unknown action "%"', left(action, 100)
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Actions: reset_password, manage_users, manage_licenses, manage_subscriptions, manage_domains, service_requests.';
	END IF;
	PERFORM por_partner_internal.require_partner_user_access(partner_user_id);
	SELECT true,
	       EXISTS (SELECT 1 FROM por_partner_internal.partner_administered(u.partner_id) AS a (tenant_id)
	                WHERE a.tenant_id = partner_can.tenant_id)
	       AND por_partner_internal.partner_manages_customers(p)
	       AND (u.customer_access = 'full' OR (u.customer_access = 'limited' AND action = 'reset_password'))
	  INTO found_user, allowed
	  FROM @extschema@.partner_user u
	  JOIN @extschema@.partner p ON p.partner_id = u.partner_id
	 WHERE u.partner_user_id = partner_can.partner_user_id;
	IF found_user IS NULL THEN
		RAISE EXCEPTION 'partner user % does not exist', partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN allowed;
END $$;

COMMENT ON FUNCTION @extschema@.partner_can(bigint, bigint, text) IS
	'True when the partner user may do the action in the customer''s tenant: its partner is the tenant''s delegated admin (D1, D2) and may manage customers (A3), and the user''s access covers the action: limited covers reset_password alone, full covers every action (A2, D6).';

/*
 * Partner users are made, changed and removed through these functions only
 * (a partner's login has no write privilege on partner_user), each by an
 * acting user of the same partner: a global admin or a user admin manages the
 * company's users (rule A2), and only a global admin grants, changes or takes
 * away the global_admin role, which edits the company information (rule A1);
 * the partner's last global admin stays one.  Operators may act with any
 * user.  Every change is in the audit trail.
 */
CREATE OR REPLACE FUNCTION por_partner_internal.require_user_manager(acting_partner_user_id bigint, touches_global_admin boolean)
RETURNS @extschema@.partner_user
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	a @extschema@.partner_user;
BEGIN
	PERFORM por_partner_internal.require_partner_user_access(acting_partner_user_id);
	SELECT * INTO a FROM @extschema@.partner_user u WHERE u.partner_user_id = acting_partner_user_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner user % does not exist', acting_partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF a.company_role IS DISTINCT FROM 'global_admin'
	   AND (touches_global_admin OR a.company_role IS DISTINCT FROM 'user_admin') THEN
		RAISE EXCEPTION 'partner user % may not %', a.partner_user_id,
				CASE WHEN touches_global_admin THEN 'grant, change or take away the global_admin role'
				     ELSE 'manage the company''s users' END
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = CASE WHEN touches_global_admin
			                    THEN 'Only a global admin of the partner makes or unmakes global admins (rules A1, A2).'
			                    ELSE 'Global admins and user admins of the partner manage its users (rule A2).' END,
			      HINT = 'Act as a global admin of your company.';
	END IF;
	RETURN a;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_user_manager(bigint, boolean) IS
	'Internal: the acting partner user, when it may manage its partner''s users (global or user admin; global admin alone where the global_admin role is touched); 42501 otherwise (rules A1, A2).';

CREATE OR REPLACE FUNCTION por_partner_internal.require_partner_user_values(email text, display_name text,
	company_role text, customer_access text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	PERFORM por_partner_internal.require_email(email, 'email'),
	        por_partner_internal.require_length(display_name, 'display_name', 'display_name'),
	        por_partner_internal.require_length(company_role, 'company_role', 'role'),
	        por_partner_internal.require_length(customer_access, 'customer_access', 'role');
	IF company_role NOT IN ('global_admin', 'billing_admin', 'user_admin', 'password_admin', 'service_admin') THEN
		RAISE EXCEPTION 'unknown company role "%"', company_role
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Roles: global_admin, billing_admin, user_admin, password_admin, service_admin, or NULL for none.';
	END IF;
	IF customer_access NOT IN ('none', 'full', 'limited') THEN
		RAISE EXCEPTION 'unknown customer access "%"', customer_access
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Access levels: none, full (Global admin in each customer), limited (Password admin).';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_partner_user_values(text, text, text, text) IS
	'Internal: 22001/22023 for a partner user''s e-mail, display name, company role or customer access that is too long, malformed or unknown.';

CREATE OR REPLACE FUNCTION @extschema@.create_partner_user(acting_partner_user_id bigint, email text,
	display_name text DEFAULT NULL, company_role text DEFAULT NULL, customer_access text DEFAULT 'none')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	a @extschema@.partner_user;
	new_user bigint;
BEGIN
	IF num_nulls(create_partner_user.acting_partner_user_id, create_partner_user.email,
	             create_partner_user.customer_access) > 0 THEN
		PERFORM por_partner_internal.require_arg(create_partner_user.acting_partner_user_id, 'acting_partner_user_id'),
		        por_partner_internal.require_arg(create_partner_user.email, 'email'),
		        por_partner_internal.require_arg(create_partner_user.customer_access, 'customer_access');
	END IF;
	PERFORM por_partner_internal.require_partner_user_values(create_partner_user.email, create_partner_user.display_name,
	                                                          create_partner_user.company_role, create_partner_user.customer_access);
	a := por_partner_internal.require_user_manager(create_partner_user.acting_partner_user_id,
	                                               create_partner_user.company_role IS NOT DISTINCT FROM 'global_admin');
	INSERT INTO @extschema@.partner_user AS u (partner_id, email, display_name, company_role, customer_access)
	VALUES (a.partner_id, create_partner_user.email, create_partner_user.display_name,
	        create_partner_user.company_role, create_partner_user.customer_access)
	RETURNING u.partner_user_id INTO new_user;
	RETURN new_user;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'partner % has a user with e-mail address "%" already', a.partner_id, create_partner_user.email
		USING ERRCODE = 'unique_violation',
		      DETAIL = 'An e-mail address names one user of a partner, whatever its case.',
		      HINT = 'Change that user with por_partner.update_partner_user().';
END $$;

COMMENT ON FUNCTION @extschema@.create_partner_user(bigint, text, text, text, text) IS
	'An acting partner user (a global or user admin) adds a user to its own company: e-mail, display name, company role, access to customers (rule A2); only a global admin makes a global admin (rule A1).  Returns the partner_user_id.';

CREATE OR REPLACE FUNCTION @extschema@.update_partner_user(acting_partner_user_id bigint, partner_user_id bigint,
	display_name text, company_role text, customer_access text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	a @extschema@.partner_user;
	t @extschema@.partner_user;
BEGIN
	IF num_nulls(update_partner_user.acting_partner_user_id, update_partner_user.partner_user_id,
	             update_partner_user.customer_access) > 0 THEN
		PERFORM por_partner_internal.require_arg(update_partner_user.acting_partner_user_id, 'acting_partner_user_id'),
		        por_partner_internal.require_arg(update_partner_user.partner_user_id, 'partner_user_id'),
		        por_partner_internal.require_arg(update_partner_user.customer_access, 'customer_access');
	END IF;
	PERFORM por_partner_internal.require_partner_user_access(update_partner_user.partner_user_id);
	SELECT * INTO t FROM @extschema@.partner_user u WHERE u.partner_user_id = update_partner_user.partner_user_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner user % does not exist', update_partner_user.partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	PERFORM por_partner_internal.require_partner_user_values(t.email, update_partner_user.display_name,
	                                                          update_partner_user.company_role, update_partner_user.customer_access);
	a := por_partner_internal.require_user_manager(update_partner_user.acting_partner_user_id,
	         (t.company_role IS NOT DISTINCT FROM 'global_admin') <> (update_partner_user.company_role IS NOT DISTINCT FROM 'global_admin'));
	IF a.partner_id <> t.partner_id THEN
		RAISE EXCEPTION 'partner user % is not a user of partner %', t.partner_user_id, a.partner_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner user manages the users of its own partner only.';
	END IF;
	PERFORM por_partner_internal.keep_a_global_admin(t, update_partner_user.company_role);
	UPDATE @extschema@.partner_user u
	   SET display_name = update_partner_user.display_name, company_role = update_partner_user.company_role,
	       customer_access = update_partner_user.customer_access
	 WHERE u.partner_user_id = t.partner_user_id;
END $$;

COMMENT ON FUNCTION @extschema@.update_partner_user(bigint, bigint, text, text, text) IS
	'An acting partner user (a global or user admin) changes a user of its own company: display name, company role, access to customers (rule A2); only a global admin makes or unmakes a global admin, and the last one stays (rule A1).';

CREATE OR REPLACE FUNCTION @extschema@.remove_partner_user(acting_partner_user_id bigint, partner_user_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	a @extschema@.partner_user;
	t @extschema@.partner_user;
BEGIN
	IF num_nulls(remove_partner_user.acting_partner_user_id, remove_partner_user.partner_user_id) > 0 THEN
		PERFORM por_partner_internal.require_arg(remove_partner_user.acting_partner_user_id, 'acting_partner_user_id'),
		        por_partner_internal.require_arg(remove_partner_user.partner_user_id, 'partner_user_id');
	END IF;
	PERFORM por_partner_internal.require_partner_user_access(remove_partner_user.partner_user_id);
	SELECT * INTO t FROM @extschema@.partner_user u WHERE u.partner_user_id = remove_partner_user.partner_user_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner user % does not exist', remove_partner_user.partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	a := por_partner_internal.require_user_manager(remove_partner_user.acting_partner_user_id,
	                                               t.company_role IS NOT DISTINCT FROM 'global_admin');
	IF a.partner_id <> t.partner_id THEN
		RAISE EXCEPTION 'partner user % is not a user of partner %', t.partner_user_id, a.partner_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'A partner user manages the users of its own partner only.';
	END IF;
	PERFORM por_partner_internal.keep_a_global_admin(t, NULL);
	DELETE FROM @extschema@.partner_user u WHERE u.partner_user_id = t.partner_user_id;
END $$;

COMMENT ON FUNCTION @extschema@.remove_partner_user(bigint, bigint) IS
	'An acting partner user (a global or user admin) removes a user of its own company; only a global admin removes a global admin, and not the last one (rules A1, A2).';

-- A partner keeps at least one global admin, who edits its company
-- information (rule A1): refuse to demote or remove the last one.
CREATE OR REPLACE FUNCTION por_partner_internal.keep_a_global_admin(t @extschema@.partner_user, new_role text)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF t.company_role = 'global_admin' AND new_role IS DISTINCT FROM 'global_admin'
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.partner_user u
	                    WHERE u.partner_id = t.partner_id AND u.company_role = 'global_admin'
	                      AND u.partner_user_id <> t.partner_user_id) THEN
		RAISE EXCEPTION 'partner user % is the last global admin of partner %', t.partner_user_id, t.partner_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'A partner keeps a global admin, who edits its company information (rule A1).',
			      HINT = 'Make another user a global admin first.';
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.keep_a_global_admin(@extschema@.partner_user, text) IS
	'Internal: raises 55000 when a change would leave the partner without a global admin (rule A1).';

/* sql/90_lifecycle/code.sql: phases, renewal notices, renewals, the purge, and the BI views (rules R1-R6, P4) */

CREATE OR REPLACE FUNCTION @extschema@.subscription_phase(expires_on date, as_of date DEFAULT current_date)
RETURNS @extschema@.subscription_phase
AS 'MODULE_PATHNAME', 'por_partner_subscription_phase'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.subscription_phase(date, date) IS
	'The phase of a subscription whose term ends on expires_on (the first day it no longer covers), as of a day (default today): active, expired (days 0-29, rule R5), disabled (30-119, rule R6) or deprovisioned (120 on).  Infinite dates: expires_on = infinity is always active, -infinity always deprovisioned.';

CREATE OR REPLACE FUNCTION por_partner_internal.subscription_phase_start(phase @extschema@.subscription_phase)
RETURNS int
AS 'MODULE_PATHNAME', 'por_partner_subscription_phase_start'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION por_partner_internal.subscription_phase_start(@extschema@.subscription_phase) IS
	'Internal: the day, counted from expires_on, on which a subscription enters the phase: 0 expired, 30 disabled, 120 deprovisioned (rules R5, R6); null for active.  The lifecycle''s day counts, from the C code of subscription_phase().';

CREATE OR REPLACE FUNCTION @extschema@.subscription_phase(s @extschema@.subscription, as_of date DEFAULT current_date)
RETURNS @extschema@.subscription_phase
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT @extschema@.subscription_phase(s.expires_on, as_of) $$;

COMMENT ON FUNCTION @extschema@.subscription_phase(@extschema@.subscription, date) IS
	'The phase of a subscription row as of a day (default today): SELECT subscription_phase(s) FROM por_partner.subscription s.';

CREATE OR REPLACE FUNCTION @extschema@.renewal_notices_due(as_of date DEFAULT current_date)
RETURNS TABLE (subscription_id bigint, tenant_id bigint, recipient text, partner_id bigint,
               days_before int, expires_on date)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	-- subscriptions active at as_of whose first notice date has come: an
	-- index range scan on expires_on, whatever the size of the table
	WITH horizon AS (SELECT max(days_before) AS days FROM @extschema@.renewal_notice_schedule),
	-- operators and readers: every subscription in the window; a partner:
	-- its customers' only, read from its book, so that neither the work done
	-- nor the time taken depends on other partners' subscriptions
	reads_all AS (SELECT @extschema@.caller_reads_all() AS yes),
	scope AS (
		SELECT s.* FROM @extschema@.subscription s, horizon h, reads_all a
		 WHERE a.yes AND s.expires_on > as_of
		   -- held to the last date: as_of near it is no overflow, whatever the plan
		   AND s.expires_on <= por_partner_internal.date_add_clamped(as_of, h.days)
		UNION ALL
		SELECT s.* FROM @extschema@.subscription s, horizon h, reads_all a
		 WHERE NOT a.yes
		   AND s.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(@extschema@.caller_partner_id()) AS b (tenant_id))
		   AND s.expires_on > as_of AND s.expires_on <= por_partner_internal.date_add_clamped(as_of, h.days)
	),
	candidate AS (
		SELECT s.subscription_id, s.tenant_id, s.expires_on, s.partner_of_record,
		       -- the latest notice whose send date (expires_on - days_before) has come
		       (SELECT min(r.days_before) FROM @extschema@.renewal_notice_schedule r
		         WHERE r.days_before >= s.expires_on - as_of) AS days_before
		  FROM scope s
		 WHERE s.starts_on <= as_of
	)
	SELECT c.subscription_id, c.tenant_id, w.recipient, w.partner_id, c.days_before, c.expires_on
	  FROM candidate c
	  CROSS JOIN LATERAL (
		SELECT 'customer'::text AS recipient, NULL::bigint AS partner_id
		UNION ALL
		SELECT 'partner', p.partner_id FROM @extschema@.partner p
		 WHERE p.partner_id = c.partner_of_record AND @extschema@.partner_benefits_active(p)
	  ) AS w
	 WHERE NOT EXISTS (SELECT 1 FROM @extschema@.renewal_notice n
	                    WHERE n.subscription_id = c.subscription_id AND n.expires_on = c.expires_on
	                      AND n.recipient = w.recipient AND n.days_before = c.days_before)
$$;

COMMENT ON FUNCTION @extschema@.renewal_notices_due(date) IS
	'The renewal notices due on a day (default today) (rules R1, P3, P4): for every subscription active then, to the customer and to its partner of record while that partner''s benefits are active, the notice of the smallest days_before whose send date has come, unless sent already for this term.  A job that missed days catches up with the latest notice only.';

CREATE OR REPLACE FUNCTION @extschema@.send_renewal_notices(as_of date DEFAULT current_date)
RETURNS SETOF @extschema@.renewal_notice
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	n @extschema@.renewal_notice;
	recorded boolean := false;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		PERFORM por_partner_internal.require_finite_day(as_of, 'as_of', 'Pass the day the notices are sent on, such as current_date.');
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
		RETURN NEXT n;
		recorded := true;
	END LOOP;
	-- A wake-up with no data in it: any role may LISTEN on a channel (and
	-- NOTIFY on it), so a listener learns only that the ledger has news; the
	-- mailer reads renewal_notice with operator rights.  Sent at commit, once
	-- a transaction whatever the number of notices.
	IF recorded THEN
		PERFORM pg_notify('por_partner_renewal_notice', '');
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.send_renewal_notices(date) IS
	'Records the renewal notices due on a day (default today) in renewal_notice and returns them; when it recorded any, NOTIFY por_partner_renewal_notice with an empty payload wakes the mailer at commit.  Each notice is recorded once, however often or concurrently it runs (rules R1, P4).';

-- Renewals (R3-R6)

-- A subscription past day 120 is renewed neither way (rule R6); the phase it
-- is in on the day of the renewal otherwise.
CREATE OR REPLACE FUNCTION por_partner_internal.require_renewable(s @extschema@.subscription, as_of date)
RETURNS @extschema@.subscription_phase
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	phase @extschema@.subscription_phase := @extschema@.subscription_phase(s.expires_on, as_of);
BEGIN
	IF phase = 'deprovisioned' THEN
		RAISE EXCEPTION 'subscription % is deprovisioned and cannot be renewed', s.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than %s days before %s; its data is gone (rule R6).',
			                      s.expires_on, por_partner_internal.subscription_phase_start('deprovisioned'), as_of),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	RETURN phase;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_renewable(@extschema@.subscription, date) IS
	'Internal: raises 55000 when the subscription is deprovisioned on the day (rule R6); else returns its phase then.';
CREATE OR REPLACE FUNCTION @extschema@.renew_subscription(subscription_id bigint, keys @extschema@.product_key[],
	as_of date DEFAULT current_date)
RETURNS date
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s @extschema@.subscription;
	cards record;
	term interval;
	phase @extschema@.subscription_phase;
	new_start date;
	new_end date;
BEGIN
	IF num_nulls(renew_subscription.subscription_id, renew_subscription.as_of) > 0 THEN
		PERFORM por_partner_internal.require_arg(renew_subscription.subscription_id, 'subscription_id'),
		        por_partner_internal.require_arg(renew_subscription.as_of, 'as_of');
	END IF;
	PERFORM por_partner_internal.require_subscription_access(renew_subscription.subscription_id);
	IF renew_subscription.as_of IS NULL OR NOT isfinite(renew_subscription.as_of) THEN
		PERFORM por_partner_internal.require_finite_day(renew_subscription.as_of, 'as_of',
		                                       'Pass the day of the renewal, such as current_date.');
	END IF;
	s := por_partner_internal.lock_subscription(renew_subscription.subscription_id);
	PERFORM por_partner_internal.require_key_billing(s, 'renew');
	phase := por_partner_internal.require_renewable(s, renew_subscription.as_of);
	cards := por_partner_internal.lock_key_cards(keys, por_partner_internal.acting_partner());
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

COMMENT ON FUNCTION @extschema@.renew_subscription(bigint, @extschema@.product_key[], date) IS
	'Renews a subscription with product keys of its SKU covering all its seats (rule R3), as of a day (default today).  Active or expired: the new term follows the old without a gap; disabled: a reactivation, the term starts that day (rules R5, R6); deprovisioned: an error.  Returns the new expires_on.';

CREATE OR REPLACE FUNCTION @extschema@.renew_with_direct_billing(subscription_id bigint, as_of date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s @extschema@.subscription;
	term interval;
	new_subscription bigint;
BEGIN
	IF num_nulls(renew_with_direct_billing.subscription_id, renew_with_direct_billing.as_of) > 0 THEN
		PERFORM por_partner_internal.require_arg(renew_with_direct_billing.subscription_id, 'subscription_id'),
		        por_partner_internal.require_arg(renew_with_direct_billing.as_of, 'as_of');
	END IF;
	IF renew_with_direct_billing.as_of IS NULL OR NOT isfinite(renew_with_direct_billing.as_of) THEN
		PERFORM por_partner_internal.require_finite_day(renew_with_direct_billing.as_of, 'as_of',
		                                       'Pass the day the direct subscription starts, such as current_date.');
	END IF;
	s := por_partner_internal.lock_subscription(renew_with_direct_billing.subscription_id);
	PERFORM por_partner_internal.require_renewable(s, renew_with_direct_billing.as_of);
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

COMMENT ON FUNCTION @extschema@.renew_with_direct_billing(bigint, date) IS
	'Switches a customer to direct billing (rules R3, R4): a new subscription billed directly starts that day (default today) with the same tenant, SKU, seats, partner of record and licensed users, and the old one ends that day; a WARNING says when more than 7 days of the old term are lost.  Returns the new subscription_id.';

CREATE OR REPLACE FUNCTION @extschema@.purge_deprovisioned(as_of date DEFAULT current_date)
RETURNS int
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	subs bigint[];
	tenants bigint[];
	-- a subscription that expired on this day or before is deprovisioned on
	-- as_of (rule R6)
	gone date;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		PERFORM por_partner_internal.require_finite_day(as_of, 'as_of', 'Pass the day to purge as of, such as current_date.');
	END IF;
	gone := as_of - por_partner_internal.subscription_phase_start('deprovisioned');
	-- subscriptions deprovisioned at as_of that still hold data: licenses, or
	-- users of a tenant left with no subscription that is not deprovisioned
	SELECT coalesce(array_agg(s.subscription_id), '{}'), coalesce(array_agg(DISTINCT s.tenant_id), '{}')
	  INTO subs, tenants
	  FROM @extschema@.subscription s
	 WHERE s.expires_on <= gone
	   AND (s.licensed_users > 0
	        OR (EXISTS (SELECT 1 FROM @extschema@.tenant_user u WHERE u.tenant_id = s.tenant_id)
	            AND NOT EXISTS (SELECT 1 FROM @extschema@.subscription o
	                             WHERE o.tenant_id = s.tenant_id AND o.expires_on > gone)));
	DELETE FROM @extschema@.license l WHERE l.subscription_id = ANY (subs);
	DELETE FROM @extschema@.tenant_user u
	 WHERE u.tenant_id = ANY (tenants)
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.subscription o
	                    WHERE o.tenant_id = u.tenant_id AND o.expires_on > gone);
	RETURN cardinality(subs);
END $$;

COMMENT ON FUNCTION @extschema@.purge_deprovisioned(date) IS
	'Deletes the data of subscriptions past day 120 on a day (default today): their licenses, and the users of a tenant left with no subscription inside 120 days; the subscription rows stay as history (rule R6).  Returns how many subscriptions had data deleted.';

-- For BI tools (R2)
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
 -- operators and readers see every subscription; a partner reads its own
 -- customers' in por_partner_book.subscription_overview
 WHERE (SELECT @extschema@.caller_reads_all());

COMMENT ON VIEW @extschema@.subscription_overview IS
	'For operators and readers (BI): every subscription with its customer, SKU, seats, licensed users, term, phase and days to expiry today, partner of record (MPN ID) and the date of its next renewal notice (rule R2).  Column names are stable.  A partner''s login reads por_partner_book.subscription_overview.';

CREATE OR REPLACE FUNCTION @extschema@.expiring_subscriptions(within_days int, as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, mpn_id text, subscription_id bigint, tenant_id bigint,
               organization_name text, sku_code text, seats int, billing text, expires_on date,
               days_left int, phase @extschema@.subscription_phase)
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp
-- planned for each call's partner and window, never generically: the right
-- index for one partner is not the right one for another
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
	me bigint;
	last_day date;
BEGIN
	-- a window longer than all dates span is refused; the last day is held to
	-- the last date, so that as_of near it is no overflow
	PERFORM por_partner_internal.require_window_days(within_days);
	last_day := por_partner_internal.date_add_clamped(as_of, within_days);
	IF @extschema@.caller_reads_all() THEN
		-- operators and readers: every subscription in the window
		RETURN QUERY
		SELECT p.partner_id, p.mpn_id, s.subscription_id, s.tenant_id, t.organization_name, s.sku_code,
		       s.seats, s.billing, s.expires_on, s.expires_on - as_of,
		       @extschema@.subscription_phase(s.expires_on, as_of)
		  FROM @extschema@.subscription s
		  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
		  JOIN @extschema@.partner p ON p.partner_id = coalesce(s.partner_of_record, t.created_by)
		 WHERE s.expires_on > as_of AND s.expires_on <= last_day
		 ORDER BY p.partner_id, s.expires_on, s.subscription_id;
		RETURN;
	END IF;
	-- a partner: the subscriptions it is partner of record of, and those of
	-- the customers it set up that have none, each by its own index (planned
	-- for this partner), so that neither the work nor the time depends on
	-- other partners' subscriptions
	me := @extschema@.caller_partner_id();
	RETURN QUERY
	SELECT p.partner_id, p.mpn_id, s.subscription_id, s.tenant_id, t.organization_name, s.sku_code,
	       s.seats, s.billing, s.expires_on, s.expires_on - as_of,
	       @extschema@.subscription_phase(s.expires_on, as_of)
	  FROM (SELECT su.* FROM @extschema@.subscription su
	         WHERE su.partner_of_record = me AND su.expires_on > as_of AND su.expires_on <= last_day
	        UNION ALL
	        SELECT su.* FROM @extschema@.tenant tc JOIN @extschema@.subscription su ON su.tenant_id = tc.tenant_id
	         WHERE tc.created_by = me AND su.partner_of_record IS NULL
	           AND su.expires_on > as_of AND su.expires_on <= last_day) AS s
	  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
	  JOIN @extschema@.partner p ON p.partner_id = me
	 ORDER BY s.expires_on, s.subscription_id;
END $$;

COMMENT ON FUNCTION @extschema@.expiring_subscriptions(int, date) IS
	'Subscriptions still active on a day (default today) that expire within the given number of days, per partner (the partner of record, else the partner who set the customer up), soonest first (rule R2).';

CREATE OR REPLACE VIEW @extschema@.key_card_overview WITH (security_barrier) AS
SELECT CASE WHEN (SELECT @extschema@.caller_is_operator())
            THEN k.product_key::text
            ELSE @extschema@.product_key_mask(k.product_key) END AS product_key,
       k.sku_code, k.licenses, k.partner_id, p.mpn_id, k.purchased_on, k.redeemed_at, k.redeemed_as,
       k.subscription_id, s.tenant_id
  FROM @extschema@.key_card k
  JOIN @extschema@.partner p ON p.partner_id = k.partner_id
  LEFT JOIN @extschema@.subscription s ON s.subscription_id = k.subscription_id
 -- operators and readers see every card (readers masked); a partner reads
 -- its own and those redeemed on its customers in por_partner_book
 WHERE (SELECT @extschema@.caller_reads_all());

COMMENT ON VIEW @extschema@.key_card_overview IS
	'For operators and readers (BI): every key card, the product key in full for operators and as product_key_mask() shows it for readers.  A partner''s login reads por_partner_book.key_card_overview.';

/* sql/95_audit/code.sql: the audit trail's trigger function */

CREATE OR REPLACE FUNCTION por_partner_internal.audit_row() RETURNS trigger
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

COMMENT ON FUNCTION por_partner_internal.audit_row() IS
	'Trigger: records the change of a row in audit_log; the arguments name the columns of its primary key.';

/* sql/97_read_path/code.sql: what partners and readers read, behind a wall the planner cannot see through */

/*
 * Partners and readers have no SELECT on the tables that hold partners' rows
 * or secrets.  A partner reads its book through the views of schema
 * por_partner_book, named and shaped like the tables; readers and partners
 * read the BI views of schema por_partner.  Each view is a security_barrier
 * view over a SECURITY DEFINER set-returning function that filters by the
 * caller first: PostgreSQL plans a caller's own predicates above the
 * function scan, never into it, so that neither EXPLAIN (ANALYZE) nor the
 * planner's estimates of the caller's query show anything of the rows it may
 * not see (a function's inner plan is not shown, and its row estimate is a
 * constant).  Row-level security stays on the tables, for operators' and
 * direct reads, as a second wall.
 */

-- The book of a partner, table by table: which rows of each table its login
-- may read (me: the partner it acts for).  One function and one view a
-- table, made from this list, so that a table's book is one row here.
DO $do$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES
		('partner', 't.partner_id = me',
		 'its own partner row'),
		('partner_login', 't.partner_id = me',
		 'the logins acting for its partner'),
		('partner_user', 't.partner_id = me',
		 'its own company''s users'),
		('key_card', 't.partner_id = me',
		 'the key cards its partner bought, keys in full'),
		('tenant', 't.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b)',
		 'its customers: created by it, administered by it as delegated admin, or with it as partner of record'),
		('tenant_user', 't.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b)',
		 'the users of its customers'),
		('subscription', 't.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b)',
		 'its customers'' subscriptions'),
		('license', 't.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b)',
		 'its customers'' licenses'),
		('delegated_admin_offer', 't.partner_id = me',
		 'the delegated admin offers it sent'),
		('delegated_admin', 't.partner_id = me',
		 'the customers whose delegated admin it is'),
		('trial_invitation', 't.partner_id = me',
		 'its trial invitations (codes as their hash)'),
		('purchase_offer', 't.partner_id = me',
		 'its purchase offers (codes as their hash)'),
		('purchase_offer_line', 't.purchase_offer_id IN (SELECT o.purchase_offer_id FROM @extschema@.purchase_offer o WHERE o.partner_id = me)',
		 'the lines of its purchase offers'),
		('renewal_notice', '(t.partner_id = me OR t.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b))',
		 'the renewal notices of its customers, and those to it'),
		('audit_log', 't.actor_partner_id = me',
		 'the audit rows of its own doings')
	) AS v (tab, rows_of_me, what) LOOP
		EXECUTE format($f$
			CREATE OR REPLACE FUNCTION por_partner_book.%1$s_rows() RETURNS SETOF @extschema@.%1$s
			LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
				SELECT t.* FROM @extschema@.%1$s t, (SELECT @extschema@.caller_partner_id() AS me) AS c
				 WHERE %2$s
			$$$f$, r.tab, r.rows_of_me);
		EXECUTE format($f$COMMENT ON FUNCTION por_partner_book.%1$s_rows() IS %2$L$f$, r.tab,
		               format('The rows of por_partner.%s the calling partner''s login may read: %s.  Behind view por_partner_book.%s.',
		                      r.tab, r.what, r.tab));
		EXECUTE format($f$CREATE OR REPLACE VIEW por_partner_book.%1$s WITH (security_barrier) AS
		                  SELECT * FROM por_partner_book.%1$s_rows()$f$, r.tab);
		EXECUTE format($f$COMMENT ON VIEW por_partner_book.%1$s IS %2$L$f$, r.tab,
		               format('For a partner''s login: %s; the columns of table por_partner.%s.', r.what, r.tab));
	END LOOP;
END
$do$;

CREATE OR REPLACE FUNCTION por_partner_book.subscription_overview_rows()
RETURNS TABLE (subscription_id bigint, tenant_id bigint, organization_name text, country_code char(2),
               sku_code text, seats int, licensed_users int, billing text, starts_on date, expires_on date,
               phase @extschema@.subscription_phase, days_to_expiry int, partner_of_record_mpn_id text,
               next_notice_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT s.subscription_id, s.tenant_id, t.organization_name, t.country_code, s.sku_code, s.seats,
	       s.licensed_users, s.billing, s.starts_on, s.expires_on,
	       @extschema@.subscription_phase(s.expires_on, current_date),
	       s.expires_on - current_date,
	       p.mpn_id,
	       (SELECT min(s.expires_on - r.days_before) FROM @extschema@.renewal_notice_schedule r
	         WHERE s.expires_on - r.days_before >= current_date)
	  FROM @extschema@.tenant t
	  JOIN @extschema@.subscription s ON s.tenant_id = t.tenant_id
	  LEFT JOIN @extschema@.partner p ON p.partner_id = s.partner_of_record
	 WHERE t.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(@extschema@.caller_partner_id()) AS b (tenant_id))
$$;

COMMENT ON FUNCTION por_partner_book.subscription_overview_rows() IS
	'The calling partner''s customers'' subscriptions, as por_partner.subscription_overview shows them (rule R2).  Behind view por_partner_book.subscription_overview.';

CREATE OR REPLACE VIEW por_partner_book.subscription_overview WITH (security_barrier) AS
SELECT * FROM por_partner_book.subscription_overview_rows();

COMMENT ON VIEW por_partner_book.subscription_overview IS
	'For a partner''s login: its customers'' subscriptions with customer, SKU, seats, licensed users, term, phase and days to expiry today, partner of record (MPN ID) and the date of the next renewal notice (rule R2); the columns of por_partner.subscription_overview.';

CREATE OR REPLACE FUNCTION por_partner_book.key_card_overview_rows()
RETURNS TABLE (product_key text, sku_code text, licenses int, partner_id bigint, mpn_id text, purchased_on date,
               redeemed_at timestamptz, redeemed_as text, subscription_id bigint, tenant_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	-- the partner's own cards, keys in full
	SELECT k.product_key::text, k.sku_code, k.licenses, k.partner_id, p.mpn_id, k.purchased_on, k.redeemed_at,
	       k.redeemed_as, k.subscription_id, s.tenant_id
	  FROM @extschema@.key_card k
	  JOIN @extschema@.partner p ON p.partner_id = k.partner_id
	  LEFT JOIN @extschema@.subscription s ON s.subscription_id = k.subscription_id
	 WHERE k.partner_id = @extschema@.caller_partner_id()
	UNION ALL
	-- other partners' cards redeemed on its customers'' subscriptions, masked
	SELECT @extschema@.product_key_mask(k.product_key), k.sku_code, k.licenses, k.partner_id, p.mpn_id,
	       k.purchased_on, k.redeemed_at, k.redeemed_as, k.subscription_id, s.tenant_id
	  FROM @extschema@.subscription s
	  JOIN @extschema@.key_card k ON k.subscription_id = s.subscription_id
	  JOIN @extschema@.partner p ON p.partner_id = k.partner_id
	 WHERE s.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(@extschema@.caller_partner_id()) AS b (tenant_id))
	   AND k.partner_id IS DISTINCT FROM @extschema@.caller_partner_id()
$$;

COMMENT ON FUNCTION por_partner_book.key_card_overview_rows() IS
	'The key cards the calling partner''s login may see: its own with the key in full, and those other partners redeemed on its customers'' subscriptions, masked.  Behind view por_partner_book.key_card_overview.';

CREATE OR REPLACE VIEW por_partner_book.key_card_overview WITH (security_barrier) AS
SELECT * FROM por_partner_book.key_card_overview_rows();

COMMENT ON VIEW por_partner_book.key_card_overview IS
	'For a partner''s login: its key cards with the key in full, and the cards other partners redeemed on its customers'' subscriptions with the key masked (product_key_mask()); the columns of por_partner.key_card_overview.';

COMMENT ON SCHEMA por_partner_book IS
	'What a partner''s login reads: its book, as views named and shaped like the tables of schema por_partner (SET search_path = por_partner_book, por_partner), each over a SECURITY DEFINER function that filters by the caller first.';

/* sql/20_access/wiring.sql: roles, the operators' privileges, row-level security of partners and logins */

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

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER partner_login_check BEFORE INSERT OR UPDATE ON @extschema@.partner_login
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.partner_login_check();

-- The audit trail (95_audit)
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.partner
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('partner_id');

CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.partner_login
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('login');

-- Row-level security
-- Every table with a partner's or a customer's data: operators see and
-- change every row; a partner's login the rows of its own partner and of
-- its customers (partner_tenants()).  Partners' logins only read the tables
-- (partner_user aside); they write through the functions, which check the
-- caller the same way.  Readers have no table at all, only the views.
ALTER TABLE @extschema@.partner ENABLE ROW LEVEL SECURITY;

ALTER TABLE @extschema@.partner_login ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.partner;
CREATE POLICY operator_all ON @extschema@.partner TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.partner_login;
CREATE POLICY operator_all ON @extschema@.partner_login TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.partner;
CREATE POLICY partner_own ON @extschema@.partner TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

DROP POLICY IF EXISTS partner_own ON @extschema@.partner_login;
CREATE POLICY partner_own ON @extschema@.partner_login TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.require_arg(anyelement, text), por_partner_internal.require_email(text, text),
	por_partner_internal.require_length(text, text, text), por_partner_internal.refuse_too_long(text, text, text),
	por_partner_internal.text_limit(text),
	por_partner_internal.date_add_clamped(date, int), por_partner_internal.require_window_days(int),
	por_partner_internal.require_finite_day(date, text, text)
FROM PUBLIC;

REVOKE ALL ON FUNCTION
	por_partner_internal.partner_book(bigint)
FROM PUBLIC;

GRANT USAGE ON SCHEMA @extschema@ TO por_partner_operator, por_partner_partner, por_partner_reader;

-- operators: every table (TRUNCATE aside, which would skip the rules) and
-- function; the edit flag of rule A1 stays with update_partner_contact()
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA @extschema@ TO por_partner_operator;

GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA @extschema@ TO por_partner_operator;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA @extschema@ TO por_partner_operator;
-- and the internal functions, which the functions operators call call in turn
GRANT USAGE ON SCHEMA por_partner_internal TO por_partner_operator;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA por_partner_internal TO por_partner_operator;

-- partners: read their rows; manage their own users; call the functions
-- that act for a partner
-- what names the caller's own partner and customers: partners only
REVOKE ALL ON FUNCTION @extschema@.caller_partner_id(), @extschema@.partner_tenants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.caller_partner_id(), @extschema@.partner_tenants() TO por_partner_partner;

-- nobody else: the internal helpers, and what reads every partner's book
REVOKE ALL ON FUNCTION
	por_partner_internal.partner_login_check(), por_partner_internal.acting_partner(),
	por_partner_internal.require_acting_partner(bigint), por_partner_internal.require_tenant_access(bigint, text, boolean),
	por_partner_internal.partner_administered(bigint),
	por_partner_internal.require_subscription_access(bigint), por_partner_internal.require_partner_user_access(bigint)
FROM PUBLIC;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.partner', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.partner', 'partner_id'), '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.partner_login', '');

/* sql/30_reference/wiring.sql: triggers and privileges of the reference tables */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER country_changed BEFORE INSERT OR UPDATE ON @extschema@.country
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.reference_row_changed();

CREATE OR REPLACE TRIGGER sku_changed BEFORE INSERT OR UPDATE ON @extschema@.sku
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.reference_row_changed();

ALTER TABLE @extschema@.country ENABLE ALWAYS TRIGGER country_changed;
ALTER TABLE @extschema@.sku ENABLE ALWAYS TRIGGER sku_changed;

CREATE OR REPLACE TRIGGER setting_changed BEFORE INSERT OR UPDATE ON @extschema@.setting
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.reference_row_changed();

ALTER TABLE @extschema@.setting ENABLE ALWAYS TRIGGER setting_changed;

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.reference_row_changed()
FROM PUBLIC;

GRANT SELECT ON
	@extschema@.country, @extschema@.sku, @extschema@.setting
TO por_partner_partner;

GRANT SELECT ON
	@extschema@.country, @extschema@.sku
TO por_partner_reader;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.country', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sku', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.setting', 'WHERE NOT shipped');

/* sql/40_customers/wiring.sql: triggers, row-level security, privileges and pg_dump of the customer tables */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER tenant_check BEFORE INSERT OR UPDATE OF country_code ON @extschema@.tenant
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.tenant_check();

CREATE OR REPLACE TRIGGER tenant_create_admin AFTER INSERT ON @extschema@.tenant
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.tenant_create_admin();

CREATE OR REPLACE TRIGGER subscription_check BEFORE INSERT OR UPDATE ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.subscription_check();

CREATE OR REPLACE TRIGGER subscription_license_admin AFTER INSERT ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.subscription_license_admin();

DROP TRIGGER IF EXISTS subscription_has_activation_key ON @extschema@.subscription;
CREATE CONSTRAINT TRIGGER subscription_has_activation_key
	AFTER INSERT OR UPDATE OF billing ON @extschema@.subscription
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.billing = 'product_key')
	EXECUTE FUNCTION por_partner_internal.subscription_has_activation_key();

CREATE OR REPLACE TRIGGER license_check BEFORE INSERT OR UPDATE ON @extschema@.license
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.license_check();

CREATE OR REPLACE TRIGGER license_count AFTER INSERT OR DELETE ON @extschema@.license
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.license_count();

CREATE OR REPLACE TRIGGER key_card_check BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.key_card
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.key_card_check();

-- The audit trail (95_audit)
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.key_card
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('product_key');

-- licensed_users moves with every license; the licenses are not audited
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR DELETE
	OR UPDATE OF tenant_id, sku_code, seats, billing, starts_on, expires_on, partner_of_record, agreement
	ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('subscription_id');

-- Row-level security
ALTER TABLE @extschema@.key_card ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.tenant_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.subscription ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.license ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.key_card;
CREATE POLICY operator_all ON @extschema@.key_card TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.tenant;
CREATE POLICY operator_all ON @extschema@.tenant TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.tenant_user;
CREATE POLICY operator_all ON @extschema@.tenant_user TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.subscription;
CREATE POLICY operator_all ON @extschema@.subscription TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.license;
CREATE POLICY operator_all ON @extschema@.license TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.key_card;
CREATE POLICY partner_own ON @extschema@.key_card TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

DROP POLICY IF EXISTS partner_customers ON @extschema@.tenant;
CREATE POLICY partner_customers ON @extschema@.tenant TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));

DROP POLICY IF EXISTS partner_customers ON @extschema@.tenant_user;
CREATE POLICY partner_customers ON @extschema@.tenant_user TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));

DROP POLICY IF EXISTS partner_customers ON @extschema@.subscription;
CREATE POLICY partner_customers ON @extschema@.subscription TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));

DROP POLICY IF EXISTS partner_customers ON @extschema@.license;
CREATE POLICY partner_customers ON @extschema@.license TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.tenant_check(), por_partner_internal.tenant_create_admin(), por_partner_internal.subscription_check(),
	por_partner_internal.subscription_license_admin(), por_partner_internal.subscription_has_activation_key(),
	por_partner_internal.license_check(), por_partner_internal.license_count(), por_partner_internal.key_card_check(),
	por_partner_internal.create_tenant(text, text, text, text, text, text, bigint),
	por_partner_internal.lock_subscription(bigint), por_partner_internal.require_user_of_subscription(bigint, bigint), por_partner_internal.require_key_billing(@extschema@.subscription, text),
	por_partner_internal.lock_key_cards(@extschema@.product_key[], bigint),
	@extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date),
	@extschema@.add_licenses(bigint, @extschema@.product_key[]),
	@extschema@.assign_license(bigint, bigint), @extschema@.remove_license(bigint, bigint),
	@extschema@.add_user(bigint, text, text, text, bigint)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	@extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date),
	@extschema@.add_licenses(bigint, @extschema@.product_key[]),
	@extschema@.assign_license(bigint, bigint), @extschema@.remove_license(bigint, bigint),
	@extschema@.add_user(bigint, text, text, text, bigint)
TO por_partner_partner;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_user', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.subscription', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.license', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.key_card', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.tenant', 'tenant_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.tenant_user', 'user_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.subscription', 'subscription_id'), '');

/* sql/50_delegated_admin/wiring.sql: triggers, row-level security, privileges and pg_dump of delegated administration */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER delegated_admin_offer_check BEFORE INSERT OR UPDATE ON @extschema@.delegated_admin_offer
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.delegated_admin_offer_check();

CREATE OR REPLACE TRIGGER delegated_admin_check BEFORE INSERT OR UPDATE ON @extschema@.delegated_admin
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.delegated_admin_check();

CREATE OR REPLACE TRIGGER delegated_admin_removed AFTER DELETE ON @extschema@.delegated_admin
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.delegated_admin_removed();

CREATE OR REPLACE TRIGGER partner_flags_changed AFTER UPDATE OF cloud_essentials ON @extschema@.partner
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.partner_flags_changed();

-- The audit trail (95_audit)
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.delegated_admin_offer
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('offer_id');

CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.delegated_admin
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('partner_id', 'tenant_id');

-- Row-level security
ALTER TABLE @extschema@.delegated_admin_offer ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.delegated_admin ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.delegated_admin_offer;
CREATE POLICY operator_all ON @extschema@.delegated_admin_offer TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.delegated_admin;
CREATE POLICY operator_all ON @extschema@.delegated_admin TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.delegated_admin_offer;
CREATE POLICY partner_own ON @extschema@.delegated_admin_offer TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

DROP POLICY IF EXISTS partner_own ON @extschema@.delegated_admin;
CREATE POLICY partner_own ON @extschema@.delegated_admin TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.delegated_admin_offer_check(), por_partner_internal.delegated_admin_check(),
	por_partner_internal.delegated_admin_removed(), por_partner_internal.partner_flags_changed(),
	por_partner_internal.answer_delegated_admin_offer(bigint, boolean),
	@extschema@.offer_delegated_admin(bigint, bigint, text),
	@extschema@.accept_delegated_admin_offer(bigint),
	@extschema@.decline_delegated_admin_offer(bigint),
	@extschema@.remove_delegated_admin(bigint, bigint)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	@extschema@.offer_delegated_admin(bigint, bigint, text), @extschema@.is_delegated_admin(bigint, bigint)
TO por_partner_partner;

REVOKE ALL ON FUNCTION @extschema@.is_delegated_admin(bigint, bigint) FROM PUBLIC;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.delegated_admin_offer', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.delegated_admin', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.delegated_admin_offer', 'offer_id'), '');

/* sql/60_partner_of_record/wiring.sql: triggers and privileges of partner of record */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER subscription_por_check BEFORE INSERT ON @extschema@.subscription
	FOR EACH ROW WHEN (NEW.partner_of_record IS NOT NULL)
	EXECUTE FUNCTION por_partner_internal.subscription_por_check();

CREATE OR REPLACE TRIGGER subscription_por_change BEFORE UPDATE OF partner_of_record ON @extschema@.subscription
	FOR EACH ROW WHEN (NEW.partner_of_record IS DISTINCT FROM OLD.partner_of_record
	                   AND NEW.partner_of_record IS NOT NULL)
	EXECUTE FUNCTION por_partner_internal.subscription_por_check();

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.subscription_por_check(), @extschema@.set_partner_of_record(bigint, text),
	@extschema@.clear_partner_of_record(bigint)
FROM PUBLIC;

REVOKE ALL ON FUNCTION @extschema@.partner_benefits_active(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.partner_benefits_active(bigint) TO por_partner_partner;

/* sql/70_invitations/wiring.sql: triggers, row-level security, privileges and pg_dump of invitations and offers */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER trial_invitation_check BEFORE INSERT OR UPDATE ON @extschema@.trial_invitation
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.advisor_offer_check();

CREATE OR REPLACE TRIGGER purchase_offer_check BEFORE INSERT OR UPDATE ON @extschema@.purchase_offer
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.advisor_offer_check();

CREATE OR REPLACE TRIGGER trial_invitation_cap BEFORE INSERT ON @extschema@.trial_invitation
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.invitation_cap();

CREATE OR REPLACE TRIGGER purchase_offer_cap BEFORE INSERT ON @extschema@.purchase_offer
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.invitation_cap();

-- The audit trail (95_audit)
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.trial_invitation
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('invitation_id');

CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.purchase_offer
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('purchase_offer_id');

-- Row-level security
ALTER TABLE @extschema@.trial_invitation ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.purchase_offer ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.purchase_offer_line ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.trial_invitation;
CREATE POLICY operator_all ON @extschema@.trial_invitation TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.purchase_offer;
CREATE POLICY operator_all ON @extschema@.purchase_offer TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.purchase_offer_line;
CREATE POLICY operator_all ON @extschema@.purchase_offer_line TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.trial_invitation;
CREATE POLICY partner_own ON @extschema@.trial_invitation TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

DROP POLICY IF EXISTS partner_own ON @extschema@.purchase_offer;
CREATE POLICY partner_own ON @extschema@.purchase_offer TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

DROP POLICY IF EXISTS partner_own ON @extschema@.purchase_offer_line;
CREATE POLICY partner_own ON @extschema@.purchase_offer_line TO por_partner_partner
	USING (purchase_offer_id IN (SELECT o.purchase_offer_id FROM @extschema@.purchase_offer o))
	WITH CHECK (purchase_offer_id IN (SELECT o.purchase_offer_id FROM @extschema@.purchase_offer o));

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.advisor_offer_check(), por_partner_internal.random_code(),
	por_partner_internal.code_hash(text), por_partner_internal.invitation_cap(),
	por_partner_internal.invitation_url(text, text), por_partner_internal.invitation_code(text, text),
	por_partner_internal.grant_included_delegated_admin(bigint, bigint, text),
	@extschema@.create_trial_invitation(bigint, text, boolean),
	@extschema@.accept_trial_invitation(text, text, text, text, text, text),
	@extschema@.create_purchase_offer(bigint, jsonb, boolean),
	@extschema@.accept_purchase_offer(text, bigint, int)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	@extschema@.create_trial_invitation(bigint, text, boolean),
	@extschema@.create_purchase_offer(bigint, jsonb, boolean)
TO por_partner_partner;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trial_invitation', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.purchase_offer', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.purchase_offer_line', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.trial_invitation', 'invitation_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.purchase_offer', 'purchase_offer_id'), '');

/* sql/80_partner_users/wiring.sql: triggers, row-level security, privileges and pg_dump of partner users */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER partner_contact_check BEFORE UPDATE OF email, phone, address ON @extschema@.partner
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.partner_contact_check();

-- The audit trail (95_audit)
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.partner_user
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('partner_user_id');

-- Row-level security
ALTER TABLE @extschema@.partner_user ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.partner_user;
CREATE POLICY operator_all ON @extschema@.partner_user TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.partner_user;
CREATE POLICY partner_own ON @extschema@.partner_user TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.partner_contact_check(), por_partner_internal.contact_edit_begin(bigint),
	por_partner_internal.contact_edit_partner(),
	@extschema@.update_partner_contact(bigint, text, text, text),
	por_partner_internal.partner_manages_customers(@extschema@.partner),
	por_partner_internal.require_user_manager(bigint, boolean),
	por_partner_internal.require_partner_user_values(text, text, text, text),
	por_partner_internal.keep_a_global_admin(@extschema@.partner_user, text),
	@extschema@.create_partner_user(bigint, text, text, text, text),
	@extschema@.update_partner_user(bigint, bigint, text, text, text),
	@extschema@.remove_partner_user(bigint, bigint)
FROM PUBLIC;

REVOKE EXECUTE ON FUNCTION por_partner_internal.contact_edit_begin(bigint) FROM por_partner_operator;

REVOKE INSERT, UPDATE, DELETE ON @extschema@.partner_user FROM por_partner_partner;

GRANT EXECUTE ON FUNCTION
	@extschema@.create_partner_user(bigint, text, text, text, text),
	@extschema@.update_partner_user(bigint, bigint, text, text, text),
	@extschema@.remove_partner_user(bigint, bigint),
	@extschema@.update_partner_contact(bigint, text, text, text),
	@extschema@.partner_customer_count(bigint), @extschema@.customer_management_view(bigint),
	@extschema@.partner_can(bigint, bigint, text)
TO por_partner_partner;

REVOKE ALL ON FUNCTION
	@extschema@.partner_customer_count(bigint), @extschema@.customer_management_view(bigint),
	@extschema@.partner_can(bigint, bigint, text)
FROM PUBLIC;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.partner_user', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.partner_user', 'partner_user_id'), '');

/* sql/90_lifecycle/wiring.sql: triggers, row-level security, privileges and pg_dump of the lifecycle */

-- Triggers: the rules held whichever client writes
-- The schedule's shipped rows survive pg_dump like country's (see above).
CREATE OR REPLACE TRIGGER renewal_notice_schedule_changed BEFORE INSERT OR UPDATE ON @extschema@.renewal_notice_schedule
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.reference_row_changed();

ALTER TABLE @extschema@.renewal_notice_schedule ENABLE ALWAYS TRIGGER renewal_notice_schedule_changed;

-- Row-level security
ALTER TABLE @extschema@.renewal_notice ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.renewal_notice;
CREATE POLICY operator_all ON @extschema@.renewal_notice TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_customers ON @extschema@.renewal_notice;
CREATE POLICY partner_customers ON @extschema@.renewal_notice TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()) OR tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()) OR tenant_id IN (SELECT @extschema@.partner_tenants()));

-- Privileges
REVOKE ALL ON FUNCTION
	@extschema@.send_renewal_notices(date),
	@extschema@.renew_subscription(bigint, @extschema@.product_key[], date),
	@extschema@.renew_with_direct_billing(bigint, date), @extschema@.purge_deprovisioned(date),
	por_partner_internal.require_renewable(@extschema@.subscription, date),
	por_partner_internal.subscription_phase_start(@extschema@.subscription_phase)
FROM PUBLIC;

GRANT SELECT ON
	@extschema@.renewal_notice_schedule
TO por_partner_partner;

GRANT EXECUTE ON FUNCTION
	@extschema@.renew_subscription(bigint, @extschema@.product_key[], date),
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
TO por_partner_partner;

-- readers (BI): the reporting views and functions
GRANT SELECT ON
	@extschema@.subscription_overview, @extschema@.key_card_overview,
	@extschema@.renewal_notice_schedule
TO por_partner_reader;

GRANT EXECUTE ON FUNCTION
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
TO por_partner_reader;

REVOKE ALL ON FUNCTION
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
FROM PUBLIC;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.renewal_notice_schedule', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.renewal_notice', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.renewal_notice', 'notice_id'), '');

/* sql/95_audit/wiring.sql: row-level security, privileges and pg_dump of the audit trail */

-- The audit trail (95_audit)
REVOKE ALL ON FUNCTION
	por_partner_internal.audit_row()
FROM PUBLIC;

-- Row-level security
ALTER TABLE @extschema@.audit_log ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.audit_log;
CREATE POLICY operator_all ON @extschema@.audit_log TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.audit_log;
CREATE POLICY partner_own ON @extschema@.audit_log TO por_partner_partner
	USING (actor_partner_id = (SELECT @extschema@.caller_partner_id()));

-- Privileges
-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.audit_log', 'audit_id'), '');

/* sql/97_read_path/wiring.sql: who reads what */

-- Privileges
-- partners: their book, through por_partner_book only; no table of schema
-- por_partner holding partners' rows or secrets (the reference tables stay)
GRANT USAGE ON SCHEMA por_partner_book TO por_partner_partner;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA por_partner_book FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA por_partner_book TO por_partner_partner;
GRANT SELECT ON ALL TABLES IN SCHEMA por_partner_book TO por_partner_partner;
REVOKE SELECT ON
	@extschema@.partner, @extschema@.partner_login, @extschema@.partner_user, @extschema@.key_card,
	@extschema@.tenant, @extschema@.tenant_user, @extschema@.subscription, @extschema@.license,
	@extschema@.delegated_admin_offer, @extschema@.delegated_admin, @extschema@.trial_invitation,
	@extschema@.purchase_offer, @extschema@.purchase_offer_line, @extschema@.renewal_notice,
	@extschema@.audit_log, @extschema@.subscription_overview, @extschema@.key_card_overview
FROM por_partner_partner;

-- operators: every view and function too
GRANT USAGE ON SCHEMA por_partner_book TO por_partner_operator;
GRANT SELECT ON ALL TABLES IN SCHEMA por_partner_book TO por_partner_operator;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA por_partner_book TO por_partner_operator;
