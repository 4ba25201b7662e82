/* sql/updates/0.2.0--0.3.0.sql: from 0.2.0 to 0.3.0, what CREATE OR REPLACE cannot do */

-- The build appends every code layer and every wiring layer of sql/ to this
-- (scripts/build_sql.sh): functions and views are replaced, triggers,
-- policies and grants made again.  Here stands only what that cannot do:
-- new tables and columns, dropped or renamed functions, changed return types.

-- keys are locked only when they are the caller's own cards: lock_key_cards
-- takes the owner, and require_own_keys is no longer needed
DROP FUNCTION @extschema@.lock_key_cards(@extschema@.product_key[]);
DROP FUNCTION @extschema@.require_own_keys(bigint[]);

-- one helper, create_tenant(), makes a customer's tenant and checks its values
DROP FUNCTION @extschema@.require_tenant_values(text, text, text);

-- the internal functions move to a schema of their own (the code layer then
-- replaces them there; triggers, defaults and grants follow the move)
CREATE SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.random_code() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_login_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.acting_partner() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_acting_partner(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_tenant_access(bigint,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_subscription_access(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_partner_user_access(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_arg(anyelement,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_email(text,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.date_add_clamped(date,integer) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_window_days(integer) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_book(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.reference_row_changed() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.tenant_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.tenant_create_admin() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.subscription_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.subscription_license_admin() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.subscription_has_activation_key() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.license_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.license_count() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.key_card_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.delegated_admin_offer_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.delegated_admin_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.delegated_admin_removed() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_flags_changed() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.answer_delegated_admin_offer(bigint,boolean) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.subscription_por_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.advisor_offer_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.invitation_url(text,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.invitation_code(text,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.grant_included_delegated_admin(bigint,bigint,text) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.contact_edit_begin(bigint) SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.contact_edit_partner() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_contact_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.audit_row() SET SCHEMA por_partner_internal;
