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
	@extschema@.audit_change, @extschema@.audit_log, @extschema@.subscription_overview, @extschema@.key_card_overview
FROM por_partner_partner;

-- operators: every view and function too
GRANT USAGE ON SCHEMA por_partner_book TO por_partner_operator;
GRANT SELECT ON ALL TABLES IN SCHEMA por_partner_book TO por_partner_operator;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA por_partner_book TO por_partner_operator;
