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
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('i', 'invitation_id');

CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.purchase_offer
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('q', 'purchase_offer_id');

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
	@extschema@.accept_trial_invitation(text, bigint),
	por_partner_internal.trial_invitation_of(text),
	por_partner_internal.start_trial(@extschema@.trial_invitation, bigint),
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

-- Rule A4: a purchase converts the tenant's running trial of its product:
-- in trigger subscription_license_admin (40_customers)
REVOKE ALL ON FUNCTION por_partner_internal.convert_trial(@extschema@.subscription) FROM PUBLIC;
