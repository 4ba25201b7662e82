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
