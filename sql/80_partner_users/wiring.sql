/* sql/80_partner_users/wiring.sql: triggers, row-level security, privileges and pg_dump of partner users */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER partner_contact_check BEFORE UPDATE OF email, phone, address ON @extschema@.partner
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.partner_contact_check();

-- The audit trail (95_audit)
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.partner_user
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('u', 'partner_user_id');

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
	por_partner_internal.lock_managed_user(bigint, bigint, text, boolean),
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
