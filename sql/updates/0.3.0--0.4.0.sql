/* sql/updates/0.3.0--0.4.0.sql: from 0.3.0 to 0.4.0, what CREATE OR REPLACE cannot do */

-- The build appends every code layer and every wiring layer of sql/ to this
-- (scripts/build_sql.sh).  Here stands only what that cannot do.

-- rule K4: the fewest licenses a card of a per-card product carries (2 for
-- Midsize Business); the shipped rows stay shipped
ALTER TABLE @extschema@.sku ADD COLUMN min_licenses_per_key int NOT NULL DEFAULT 1
	CONSTRAINT sku_min_licenses_per_key_positive CHECK (min_licenses_per_key > 0);
COMMENT ON COLUMN @extschema@.sku.min_licenses_per_key IS
	'The fewest licenses a card of this product carries, where each card states its own count: 2 for Midsize Business, whose one key gives several licenses (rule K4).';
ALTER TABLE @extschema@.sku DISABLE TRIGGER sku_changed;
UPDATE @extschema@.sku SET min_licenses_per_key = 2 WHERE sku_code = 'O365_MIDSIZE_BUSINESS' AND shipped;
ALTER TABLE @extschema@.sku ENABLE ALWAYS TRIGGER sku_changed;

-- rule R4's warning is a setting, the project's advice
COMMENT ON TABLE @extschema@.setting IS
	'Settings an operator may change: invitation_url_base, where trial invitation and purchase offer URLs point; max_invitations_per_day, how many of them a partner makes in 24 hours; direct_billing_warning (on, off), whether a switch to direct billing that loses more than 7 days of a term warns.';
ALTER TABLE @extschema@.setting DISABLE TRIGGER setting_changed;
INSERT INTO @extschema@.setting VALUES ('direct_billing_warning', 'on', true) ON CONFLICT (name) DO NOTHING;
ALTER TABLE @extschema@.setting ENABLE ALWAYS TRIGGER setting_changed;

-- rule D5: create_customer_subscription offers delegated admin with the
-- set-up (two arguments more; the eight-argument function goes)
DROP FUNCTION @extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date);
