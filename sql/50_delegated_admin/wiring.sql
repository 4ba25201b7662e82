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
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('o', 'offer_id');

CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.delegated_admin
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('d', 'partner_id', 'tenant_id');

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
