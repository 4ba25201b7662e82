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
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('p', 'partner_id');

CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.partner_login
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('l', 'login');

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
