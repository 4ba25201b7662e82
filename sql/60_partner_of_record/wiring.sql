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

-- the variant on a partner row serves the functions and triggers (rule P3's
-- one definition); only operators read partner rows to pass it
REVOKE ALL ON FUNCTION @extschema@.partner_benefits_active(bigint), @extschema@.partner_benefits_active(@extschema@.partner)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.partner_benefits_active(bigint) TO por_partner_partner;

-- Change notices (rule P3): after the row is changed, whoever changes it
CREATE OR REPLACE TRIGGER subscription_change_notice
	AFTER UPDATE OF seats, billing, expires_on, partner_of_record, superseded_by ON @extschema@.subscription
	FOR EACH ROW WHEN ((NEW.partner_of_record IS NOT NULL OR OLD.partner_of_record IS NOT NULL)
	                   AND (NEW.seats, NEW.billing, NEW.expires_on, NEW.partner_of_record, NEW.superseded_by)
	                       IS DISTINCT FROM (OLD.seats, OLD.billing, OLD.expires_on, OLD.partner_of_record, OLD.superseded_by))
	EXECUTE FUNCTION por_partner_internal.subscription_change_notice();

ALTER TABLE @extschema@.change_notice ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.change_notice;
CREATE POLICY operator_all ON @extschema@.change_notice TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.change_notice;
CREATE POLICY partner_own ON @extschema@.change_notice TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

REVOKE ALL ON FUNCTION por_partner_internal.subscription_change_notice() FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.change_notice', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.change_notice', 'notice_id'), '');
