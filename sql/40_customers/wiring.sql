/* sql/40_customers/wiring.sql: triggers, row-level security, privileges and pg_dump of the customer tables */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER tenant_check BEFORE INSERT OR UPDATE OF country_code ON @extschema@.tenant
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.tenant_check();

CREATE OR REPLACE TRIGGER tenant_create_admin AFTER INSERT ON @extschema@.tenant
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.tenant_create_admin();

CREATE OR REPLACE TRIGGER subscription_check BEFORE INSERT ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.subscription_check();

-- the license triggers' own count update (licensed_users only, already held
-- to the seats by license_count, and marked as theirs: src/license_precount.c)
-- skips the check: it is on every license assigned or removed
CREATE OR REPLACE TRIGGER subscription_check_update BEFORE UPDATE ON @extschema@.subscription
	FOR EACH ROW WHEN (NOT por_partner_internal.count_being_kept(NEW.subscription_id)
	                   OR NEW.licensed_users IS NOT DISTINCT FROM OLD.licensed_users
	                   OR (NEW.subscription_id, NEW.tenant_id, NEW.sku_code, NEW.seats, NEW.billing, NEW.starts_on,
	                       NEW.expires_on, NEW.partner_of_record, NEW.agreement, NEW.created_at, NEW.superseded_by)
	                      IS DISTINCT FROM
	                      (OLD.subscription_id, OLD.tenant_id, OLD.sku_code, OLD.seats, OLD.billing, OLD.starts_on,
	                       OLD.expires_on, OLD.partner_of_record, OLD.agreement, OLD.created_at, OLD.superseded_by))
	EXECUTE FUNCTION por_partner_internal.subscription_check();

-- just before subscription_license_admin (triggers fire in name order, and
-- nothing runs between the two): the row version inserted, which that
-- trigger licenses the admin of where the row counted it
-- (src/license_precount.c)
CREATE OR REPLACE TRIGGER subscription_inserted_row AFTER INSERT ON @extschema@.subscription
	FOR EACH ROW WHEN (NEW.licensed_users = 1) EXECUTE FUNCTION por_partner_internal.subscription_inserted_row();

CREATE OR REPLACE TRIGGER subscription_license_admin AFTER INSERT ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.subscription_license_admin();

DROP TRIGGER IF EXISTS subscription_has_activation_key ON @extschema@.subscription;
CREATE CONSTRAINT TRIGGER subscription_has_activation_key
	AFTER INSERT OR UPDATE OF billing ON @extschema@.subscription
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.billing = 'product_key')
	EXECUTE FUNCTION por_partner_internal.subscription_has_activation_key();

-- the admin's license a new subscription's trigger is inserting is checked
-- by that trigger's own query (src/license_precount.c): 7% of a customer
-- created
CREATE OR REPLACE TRIGGER license_check BEFORE INSERT OR UPDATE ON @extschema@.license
	FOR EACH ROW WHEN (NOT por_partner_internal.admin_license_being_inserted(NEW.subscription_id))
	EXECUTE FUNCTION por_partner_internal.license_check();

CREATE OR REPLACE TRIGGER license_count AFTER INSERT OR DELETE ON @extschema@.license
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.license_count();

CREATE OR REPLACE TRIGGER key_card_check BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.key_card
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.key_card_check();

-- The audit trail (95_audit)
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON @extschema@.key_card
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('k', 'product_key');

-- licensed_users moves with every license; the licenses are not audited.
-- Every other column is: the audit trail rebuilds a row from its live one
-- and its later changes (95_audit)
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR DELETE
	OR UPDATE OF subscription_id, tenant_id, sku_code, seats, billing, starts_on, expires_on, partner_of_record,
	             agreement, created_at, superseded_by
	ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('s', 'subscription_id');

-- Row-level security
ALTER TABLE @extschema@.key_card ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.tenant_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.subscription ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.license ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.key_card;
CREATE POLICY operator_all ON @extschema@.key_card TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.tenant;
CREATE POLICY operator_all ON @extschema@.tenant TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.tenant_user;
CREATE POLICY operator_all ON @extschema@.tenant_user TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.subscription;
CREATE POLICY operator_all ON @extschema@.subscription TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS operator_all ON @extschema@.license;
CREATE POLICY operator_all ON @extschema@.license TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_own ON @extschema@.key_card;
CREATE POLICY partner_own ON @extschema@.key_card TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()));

DROP POLICY IF EXISTS partner_customers ON @extschema@.tenant;
CREATE POLICY partner_customers ON @extschema@.tenant TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));

DROP POLICY IF EXISTS partner_customers ON @extschema@.tenant_user;
CREATE POLICY partner_customers ON @extschema@.tenant_user TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));

DROP POLICY IF EXISTS partner_customers ON @extschema@.subscription;
CREATE POLICY partner_customers ON @extschema@.subscription TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));

DROP POLICY IF EXISTS partner_customers ON @extschema@.license;
CREATE POLICY partner_customers ON @extschema@.license TO por_partner_partner
	USING (tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (tenant_id IN (SELECT @extschema@.partner_tenants()));

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.tenant_check(), por_partner_internal.tenant_create_admin(), por_partner_internal.subscription_check(),
	por_partner_internal.subscription_license_admin(), por_partner_internal.subscription_has_activation_key(),
	por_partner_internal.license_check(), por_partner_internal.license_count(), por_partner_internal.key_card_check(),
	por_partner_internal.create_tenant(text, text, text, text, text, text, bigint),
	por_partner_internal.lock_subscription(bigint), por_partner_internal.require_user_of_subscription(bigint, bigint), por_partner_internal.require_key_billing(@extschema@.subscription, text),
	por_partner_internal.lock_key_cards(@extschema@.product_key[], bigint),
	por_partner_internal.require_not_superseded(@extschema@.subscription, text),
	por_partner_internal.raise_paid_term_overlap(@extschema@.subscription, @extschema@.subscription),
	por_partner_internal.paid_term_overlap(bigint, text, date, date, bigint),
	por_partner_internal.admin_license_precounted(bigint), por_partner_internal.precounted_license_taken(bigint),
	por_partner_internal.admin_license_being_inserted(bigint), por_partner_internal.count_kept(bigint), por_partner_internal.count_being_kept(bigint),
	por_partner_internal.subscription_inserted_row(), por_partner_internal.inserted_row_ctid(bigint),
	por_partner_internal.move_license_count(bigint, int),
	por_partner_internal.require_seat_count(bigint), por_partner_internal.lock_tenant(bigint),
	por_partner_internal.activate_subscription(bigint, @extschema@.product_key[], text, bigint, date),
	@extschema@.create_subscription(bigint, @extschema@.product_key[], date),
	@extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date, boolean, text),
	@extschema@.add_licenses(bigint, @extschema@.product_key[]),
	@extschema@.assign_license(bigint, bigint), @extschema@.remove_license(bigint, bigint),
	@extschema@.add_user(bigint, text, text, text, bigint)
FROM PUBLIC;

-- the SECURITY DEFINER triggers that may say a license was counted already,
-- or that they update a count, and what says it: the owner's alone
-- (src/license_precount.c)
REVOKE EXECUTE ON FUNCTION por_partner_internal.subscription_license_admin(), por_partner_internal.license_count(),
	por_partner_internal.admin_license_precounted(bigint), por_partner_internal.count_kept(bigint),
	por_partner_internal.subscription_inserted_row(), por_partner_internal.move_license_count(bigint, int)
FROM por_partner_operator;

GRANT EXECUTE ON FUNCTION
	@extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date, boolean, text),
	@extschema@.create_subscription(bigint, @extschema@.product_key[], date),
	@extschema@.add_licenses(bigint, @extschema@.product_key[]),
	@extschema@.assign_license(bigint, bigint), @extschema@.remove_license(bigint, bigint),
	@extschema@.add_user(bigint, text, text, text, bigint)
TO por_partner_partner;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_user', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.subscription', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.license', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.key_card', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.tenant', 'tenant_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.tenant_user', 'user_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.subscription', 'subscription_id'), '');
