/* sql/30_reference/wiring.sql: triggers and privileges of the reference tables */

-- Triggers: the rules held whichever client writes
CREATE OR REPLACE TRIGGER country_changed BEFORE INSERT OR UPDATE ON @extschema@.country
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.reference_row_changed();

CREATE OR REPLACE TRIGGER sku_changed BEFORE INSERT OR UPDATE ON @extschema@.sku
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.reference_row_changed();

ALTER TABLE @extschema@.country ENABLE ALWAYS TRIGGER country_changed;
ALTER TABLE @extschema@.sku ENABLE ALWAYS TRIGGER sku_changed;

CREATE OR REPLACE TRIGGER setting_changed BEFORE INSERT OR UPDATE ON @extschema@.setting
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.reference_row_changed();

ALTER TABLE @extschema@.setting ENABLE ALWAYS TRIGGER setting_changed;

-- Privileges
REVOKE ALL ON FUNCTION
	por_partner_internal.reference_row_changed()
FROM PUBLIC;

GRANT SELECT ON
	@extschema@.country, @extschema@.sku, @extschema@.setting
TO por_partner_partner;

GRANT SELECT ON
	@extschema@.country, @extschema@.sku
TO por_partner_reader;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.country', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sku', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.setting', 'WHERE NOT shipped');
