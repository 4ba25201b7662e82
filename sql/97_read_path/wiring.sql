/* sql/97_read_path/wiring.sql: who reads what */

-- Privileges
-- partners: their book, through por_partner_book only; no table of schema
-- por_partner holding partners' rows or secrets (the reference tables stay)
GRANT USAGE ON SCHEMA por_partner_book TO por_partner_partner;
REVOKE ALL ON FUNCTION
	por_partner_book.partner_rows(),
	por_partner_book.partner_login_rows(),
	por_partner_book.partner_user_rows(),
	por_partner_book.key_card_rows(),
	por_partner_book.tenant_rows(),
	por_partner_book.tenant_user_rows(),
	por_partner_book.subscription_rows(),
	por_partner_book.license_rows(),
	por_partner_book.delegated_admin_offer_rows(),
	por_partner_book.delegated_admin_rows(),
	por_partner_book.trial_invitation_rows(),
	por_partner_book.purchase_offer_rows(),
	por_partner_book.purchase_offer_line_rows(),
	por_partner_book.renewal_notice_rows(),
	por_partner_book.audit_log_rows(),
	por_partner_book.subscription_overview_rows(),
	por_partner_book.key_card_overview_rows()
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
	por_partner_book.partner_rows(),
	por_partner_book.partner_login_rows(),
	por_partner_book.partner_user_rows(),
	por_partner_book.key_card_rows(),
	por_partner_book.tenant_rows(),
	por_partner_book.tenant_user_rows(),
	por_partner_book.subscription_rows(),
	por_partner_book.license_rows(),
	por_partner_book.delegated_admin_offer_rows(),
	por_partner_book.delegated_admin_rows(),
	por_partner_book.trial_invitation_rows(),
	por_partner_book.purchase_offer_rows(),
	por_partner_book.purchase_offer_line_rows(),
	por_partner_book.renewal_notice_rows(),
	por_partner_book.audit_log_rows(),
	por_partner_book.subscription_overview_rows(),
	por_partner_book.key_card_overview_rows()
TO por_partner_partner;
GRANT SELECT ON ALL TABLES IN SCHEMA por_partner_book TO por_partner_partner;
REVOKE SELECT ON
	@extschema@.partner, @extschema@.partner_login, @extschema@.partner_user, @extschema@.key_card,
	@extschema@.tenant, @extschema@.tenant_user, @extschema@.subscription, @extschema@.license,
	@extschema@.delegated_admin_offer, @extschema@.delegated_admin, @extschema@.trial_invitation,
	@extschema@.purchase_offer, @extschema@.purchase_offer_line, @extschema@.renewal_notice,
	@extschema@.audit_log, @extschema@.subscription_overview, @extschema@.key_card_overview
FROM por_partner_partner;

-- operators: every view too
GRANT USAGE ON SCHEMA por_partner_book TO por_partner_operator;
GRANT SELECT ON ALL TABLES IN SCHEMA por_partner_book TO por_partner_operator;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA por_partner_book TO por_partner_operator;
