/* sql/95_audit/wiring.sql: row-level security, privileges and pg_dump of the audit trail */

-- The audit trail (95_audit)
REVOKE ALL ON FUNCTION
	por_partner_internal.audit_row(), @extschema@.audit_maintain(date),
	por_partner_internal.audit_live_row("char", text),
	por_partner_internal.audit_after("char", text, bigint, "char"),
	por_partner_internal.audit_changes_of("char", text),
	por_partner_internal.jsonb_merge_agg(jsonb),
	por_partner_internal.audit_key_json("char", text[], text),
	por_partner_internal.jsonb_delta(jsonb, jsonb),
	@extschema@.audit_history(text, jsonb)
FROM PUBLIC;

-- Row-level security
ALTER TABLE @extschema@.audit_change ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.audit_change;
CREATE POLICY operator_all ON @extschema@.audit_change TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.audit_change;
CREATE POLICY partner_own ON @extschema@.audit_change TO por_partner_partner
	USING (actor_partner_id = (SELECT @extschema@.caller_partner_id()));

-- the partitions are reached through audit_change, whose policies apply;
-- read directly, a partition shows a partner nothing (no privilege), and its
-- row security shows nothing to anyone but its owner
ALTER TABLE @extschema@.audit_change_default ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON @extschema@.audit_change_default FROM por_partner_partner, por_partner_reader;

-- the view rebuilds rows: nothing to write through it (operators change
-- audit_change)
REVOKE INSERT, UPDATE, DELETE ON @extschema@.audit_log FROM por_partner_operator;

-- audit rows are the triggers' to write: an operator changes or deletes
-- them, and neither inserts one nor moves the ids back, so that audit_id
-- stays unique with no unique index (schema.sql)
REVOKE INSERT ON @extschema@.audit_change FROM por_partner_operator;
REVOKE INSERT, UPDATE ON @extschema@.audit_change_default FROM por_partner_operator;
-- the trigger function writes as the owner: no role attaches it to a table
-- (CREATE TRIGGER needs EXECUTE; a trigger fires whoever writes)
REVOKE EXECUTE ON FUNCTION por_partner_internal.audit_row() FROM por_partner_operator;
DO $do$
BEGIN
	EXECUTE format('REVOKE UPDATE ON SEQUENCE %s FROM por_partner_operator',
	               pg_catalog.pg_get_serial_sequence('@extschema@.audit_change', 'audit_id'));
END
$do$;

-- Privileges
-- pg_dump keeps the rows (extension configuration tables)
-- (a partitioned table holds no rows itself: its default partition, which is
-- the extension's, is dumped as configuration; the monthly partitions
-- audit_maintain() makes are not the extension's, and pg_dump dumps them
-- whole, table and rows)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_change_default', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.audit_change', 'audit_id'), '');
