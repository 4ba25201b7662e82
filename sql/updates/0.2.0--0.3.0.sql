/* sql/updates/0.2.0--0.3.0.sql: from 0.2.0 to 0.3.0, what CREATE OR REPLACE cannot do */

-- The build appends every code layer and every wiring layer of sql/ to this
-- (scripts/build_sql.sh): functions and views are replaced, triggers,
-- policies and grants made again.  Here stands only what that cannot do:
-- new tables and columns, dropped or renamed functions, changed return types.

-- keys are locked only when they are the caller's own cards: lock_key_cards
-- takes the owner, and require_own_keys is no longer needed
DROP FUNCTION @extschema@.lock_key_cards(@extschema@.product_key[]);
DROP FUNCTION @extschema@.require_own_keys(bigint[]);

-- one caller check for a tenant, which may also ask for the right to administer it
DROP FUNCTION @extschema@.require_tenant_access(bigint, text);

-- one helper, create_tenant(), makes a customer's tenant and checks its values
DROP FUNCTION @extschema@.require_tenant_values(text, text, text);

-- the internal functions move to a schema of their own (the code layer then
-- replaces them there; triggers, defaults and grants follow the move)
CREATE SCHEMA por_partner_internal;
CREATE SCHEMA por_partner_book;
ALTER FUNCTION @extschema@.random_code() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.partner_login_check() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.acting_partner() SET SCHEMA por_partner_internal;
ALTER FUNCTION @extschema@.require_acting_partner(bigint) SET SCHEMA por_partner_internal;
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

-- the maxima of the text a caller sends: the tables hold them too (rows that
-- break one stop the update; shorten them first)
-- The maximum length of each kind of text a caller may send, in characters:
-- the one definition the functions' argument checks (22001) and the tables'
-- CHECK constraints ask.  Here, with the schema: the constraints need it.
CREATE FUNCTION por_partner_internal.text_limit(kind text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE kind
	       WHEN 'name' THEN 100              -- a person's first or last name
	       WHEN 'display_name' THEN 200
	       WHEN 'partner_name' THEN 200
	       WHEN 'organization_name' THEN 256
	       WHEN 'email' THEN 254             -- RFC 5321
	       WHEN 'phone' THEN 50
	       WHEN 'address' THEN 1000
	       WHEN 'message' THEN 2000          -- a delegated admin offer's
	       WHEN 'sku_code' THEN 50
	       WHEN 'country_code' THEN 2
	       WHEN 'mpn_id' THEN 20
	       WHEN 'url' THEN 2048
	       WHEN 'action' THEN 50
	       WHEN 'role' THEN 50               -- a company role or access level
	       END
$$;

COMMENT ON FUNCTION por_partner_internal.text_limit(text) IS
	'Internal: the most characters a text of the kind may have (name, display_name, partner_name, organization_name, email, phone, address, message, sku_code, country_code, mpn_id, url, action, role).';
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_name_length
	CHECK (length(name) <= 200);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_email_length
	CHECK (length(email) <= 254);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_phone_length
	CHECK (length(phone) <= 50);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_address_length
	CHECK (length(address) <= 1000);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_organization_name_length
	CHECK (length(organization_name) <= 256);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_first_name_length
	CHECK (length(admin_first_name) <= 100);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_last_name_length
	CHECK (length(admin_last_name) <= 100);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_email_length
	CHECK (length(admin_email) <= 254);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_first_name_length
	CHECK (length(first_name) <= 100);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_last_name_length
	CHECK (length(last_name) <= 100);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_email_length
	CHECK (length(email) <= 254);
ALTER TABLE @extschema@.delegated_admin_offer ADD CONSTRAINT delegated_admin_offer_message_length
	CHECK (length(message) <= 2000);
ALTER TABLE @extschema@.partner_user ADD CONSTRAINT partner_user_email_length
	CHECK (length(email) <= 254);
ALTER TABLE @extschema@.partner_user ADD CONSTRAINT partner_user_display_name_length
	CHECK (length(display_name) <= 200);

-- invitation and offer codes are kept as their SHA-256 only, and the audit
-- trail forgets them; the tables' own triggers stay off for the move
ALTER TABLE @extschema@.trial_invitation DISABLE TRIGGER USER;
ALTER TABLE @extschema@.purchase_offer DISABLE TRIGGER USER;
ALTER TABLE @extschema@.trial_invitation ADD COLUMN code_hash bytea;
UPDATE @extschema@.trial_invitation SET code_hash = pg_catalog.sha256(pg_catalog.convert_to(code, 'UTF8'));
ALTER TABLE @extschema@.trial_invitation ALTER COLUMN code_hash SET NOT NULL,
	ADD CONSTRAINT trial_invitation_code_hash_key UNIQUE (code_hash),
	ADD CONSTRAINT trial_invitation_code_hash_sha256 CHECK (length(code_hash) = 32),
	DROP COLUMN code;
ALTER TABLE @extschema@.purchase_offer ADD COLUMN code_hash bytea;
UPDATE @extschema@.purchase_offer SET code_hash = pg_catalog.sha256(pg_catalog.convert_to(code, 'UTF8'));
ALTER TABLE @extschema@.purchase_offer ALTER COLUMN code_hash SET NOT NULL,
	ADD CONSTRAINT purchase_offer_code_hash_key UNIQUE (code_hash),
	ADD CONSTRAINT purchase_offer_code_hash_sha256 CHECK (length(code_hash) = 32),
	DROP COLUMN code;
ALTER TABLE @extschema@.trial_invitation ENABLE TRIGGER USER;
ALTER TABLE @extschema@.purchase_offer ENABLE TRIGGER USER;
COMMENT ON COLUMN @extschema@.trial_invitation.code_hash IS
	'SHA-256 of the code in the invitation''s URL: the URL is shown once, when the invitation is made, and cannot be read back from the table, a dump or the audit trail.';
COMMENT ON COLUMN @extschema@.purchase_offer.code_hash IS
	'SHA-256 of the code in the offer''s URL: the URL is shown once, when the offer is made, and cannot be read back from the table, a dump or the audit trail.';
CREATE INDEX trial_invitation_partner_created_idx ON @extschema@.trial_invitation (partner_id, created_at);
CREATE INDEX purchase_offer_partner_created_idx ON @extschema@.purchase_offer (partner_id, created_at);
UPDATE @extschema@.audit_log a
   SET old_row = CASE WHEN a.old_row ? 'code'
                      THEN (a.old_row - 'code') || jsonb_build_object('code_hash',
                           pg_catalog.sha256(pg_catalog.convert_to(a.old_row ->> 'code', 'UTF8')))
                      ELSE a.old_row END,
       new_row = CASE WHEN a.new_row ? 'code'
                      THEN (a.new_row - 'code') || jsonb_build_object('code_hash',
                           pg_catalog.sha256(pg_catalog.convert_to(a.new_row ->> 'code', 'UTF8')))
                      ELSE a.new_row END
 WHERE a.table_name IN ('trial_invitation', 'purchase_offer');

-- the cap on invitations and offers a partner makes in a day (setting)
COMMENT ON TABLE @extschema@.setting IS
	'Settings an operator may change: invitation_url_base, where trial invitation and purchase offer URLs point; max_invitations_per_day, how many of them a partner makes in 24 hours.';
ALTER TABLE @extschema@.setting DISABLE TRIGGER setting_changed;
INSERT INTO @extschema@.setting VALUES ('max_invitations_per_day', '200', true) ON CONFLICT (name) DO NOTHING;
ALTER TABLE @extschema@.setting ENABLE ALWAYS TRIGGER setting_changed;

-- at most one pending delegated admin offer from a partner to a tenant: the
-- older of two pending offers is withdrawn
UPDATE @extschema@.delegated_admin_offer o SET status = 'withdrawn', answered_at = now()
 WHERE o.status = 'pending'
   AND EXISTS (SELECT 1 FROM @extschema@.delegated_admin_offer n
                WHERE n.partner_id = o.partner_id AND n.tenant_id = o.tenant_id
                  AND n.status = 'pending' AND n.offer_id > o.offer_id);
CREATE UNIQUE INDEX delegated_admin_offer_pending_key ON @extschema@.delegated_admin_offer (partner_id, tenant_id)
	WHERE status = 'pending';
