/* sql/updates/0.2.0--0.3.0.sql: from 0.2.0 to 0.3.0, what CREATE OR REPLACE cannot do */

-- The build appends every code layer and every wiring layer of sql/ to this
-- (scripts/build_sql.sh): functions and views are replaced, triggers,
-- policies and grants made again.  Here stands only what that cannot do:
-- new tables and columns, dropped or renamed functions, changed return types.

-- one helper, create_tenant(), makes a customer's tenant and checks its values
DROP FUNCTION @extschema@.require_tenant_values(text, text, text);
