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
