-- The audit trail in monthly partitions, with retention by whole months
-- (issue 13): audit_maintain() makes the partitions of this month and the
-- next, moving into each what the default partition holds of its month, and
-- drops the months older than setting audit_retention_months.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(21);

SELECT is((SELECT relkind::text FROM pg_class WHERE oid = 'por_partner.audit_change'::regclass), 'p',
          'the audit trail is a partitioned table');
SELECT is((SELECT pg_get_partkeydef('por_partner.audit_change'::regclass)), 'RANGE (at)', 'partitioned by the time of the change');
SELECT is((SELECT value FROM setting WHERE name = 'audit_retention_months'), '24', 'retention: 24 months as shipped');

-- rows of this month, and of 30 months ago, in the default partition
INSERT INTO partner (mpn_id, name) VALUES ('760901', 'Audited Partner');
INSERT INTO audit_change (at, actor, table_code, operation, row_key)
VALUES (now() - interval '30 months', 'old_actor', 'p', 'U', '-1');
SELECT ok((SELECT count(*) FROM ONLY audit_change_default) >= 2, 'rows of months without a partition wait in the default partition');

CREATE TEMP TABLE done AS SELECT * FROM audit_maintain(current_date);
SELECT is((SELECT count(*) FROM done WHERE action = 'created'), 2::bigint,
          'audit_maintain makes the partitions of this month and the next');
SELECT is((SELECT count(*) FROM ONLY audit_change_default WHERE at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0::bigint,
          'this month''s rows moved out of the default partition into their own');
SELECT is((SELECT tableoid::regclass::text FROM audit_change WHERE table_code = 'p' AND row_key = (SELECT partner_id::text FROM partner WHERE mpn_id = '760901')),
          'audit_change_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM'), 'a change of today is in this month''s partition');
SELECT is((SELECT count(*) FROM audit_change WHERE actor = 'old_actor'), 0::bigint,
          'a row older than the months kept is gone from the default partition');
SELECT is((SELECT count(*) FROM audit_maintain(current_date) WHERE action = 'created'), 0::bigint,
          'a second run makes nothing');

-- a partition of 26 months ago is dropped whole; one of 23 months ago stays
SELECT count(*) FROM audit_maintain((current_date - interval '26 months')::date);
SELECT count(*) FROM audit_maintain((current_date - interval '23 months')::date);
CREATE TEMP TABLE later AS SELECT * FROM audit_maintain(current_date);
SELECT is((SELECT count(*) FROM later WHERE action LIKE 'dropped %'), 2::bigint,
          'the partitions of 26 and 25 months ago are dropped whole (retention: 24 months)');
SELECT ok(to_regclass('por_partner.audit_change_' || to_char(current_date - interval '23 months', 'YYYY_MM')) IS NOT NULL,
          'the partition of 23 months ago stays');
SELECT is((SELECT count(*) FROM audit_maintain((current_date + interval '10 years')::date) WHERE action LIKE 'dropped %'), 0::bigint,
          'a run as of a later day never drops what is within the months kept from today');

-- issue 13: no unique index (400 bytes a subscription created); audit_id
-- unique by its identity, which no operator can insert past or move back;
-- every partition, those audit_maintain() makes too, replicated by its whole
-- row
SELECT is((SELECT array_agg(c.relname::text) FROM pg_partition_tree('por_partner.audit_change') t
             JOIN pg_index i ON i.indrelid = t.relid JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indisunique),
          ARRAY['audit_change_default_pkey'],
          'audit_change and its monthly partitions have no unique index; the default partition, where rows wait, has its own key');
SELECT is((SELECT string_agg(DISTINCT c.relreplident::text, ',') FROM pg_partition_tree('por_partner.audit_change') t
             JOIN pg_class c ON c.oid = t.relid), 'f',
          'audit_change and every partition, those audit_maintain makes among them, are REPLICA IDENTITY FULL');
SELECT ok((SELECT count(*) FROM pg_partition_tree('por_partner.audit_change') t WHERE t.isleaf AND t.relid <> 'por_partner.audit_change_default'::regclass) >= 2,
          '(monthly partitions audit_maintain made among them)');
CREATE ROLE audit_test_operator IN ROLE por_partner_operator;
SET LOCAL ROLE audit_test_operator;
SELECT throws_ok($$INSERT INTO por_partner.audit_change (actor, table_code, operation, row_key) VALUES ('x', 'p', 'I', '1')$$,
                 '42501', NULL, 'an operator inserts no audit row (the triggers write them)');
SELECT throws_ok($$SELECT setval(pg_get_serial_sequence('por_partner.audit_change', 'audit_id'), 1)$$,
                 '42501', NULL, 'nor sets the audit ids back');
-- the trigger function writes as the extension's owner: nobody attaches it
-- to a table of their choosing, and attached elsewhere it refuses to fire
-- (it would write as the owner into the audit_change of the table's schema,
-- a temporary one with a trigger of the attacker's)
CREATE TEMP TABLE audit_bait (x int PRIMARY KEY);
SELECT throws_ok($$CREATE TRIGGER audit AFTER INSERT ON audit_bait FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('p', 'x')$$,
                 '42501', NULL, 'an operator cannot attach the audit trigger to a table of its own');
RESET ROLE;
SELECT is((SELECT array_agg(r ORDER BY r) FROM unnest(ARRAY['por_partner_operator', 'por_partner_partner', 'por_partner_reader', 'audit_test_operator']) AS r
            WHERE has_function_privilege(r, 'por_partner_internal.audit_row()', 'EXECUTE')), NULL,
          'no role of the extension may execute the audit trigger function');
CREATE TRIGGER audit AFTER INSERT ON audit_bait FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('p', 'x');
SELECT throws_ok($$INSERT INTO audit_bait VALUES (1)$$, '42501', 'audit_row() fires only on the audited tables of schema "por_partner"',
                 'attached to a table outside the extension''s schema, it refuses to fire');
CREATE TABLE por_partner.audit_bait_in_schema (x int PRIMARY KEY);
CREATE TRIGGER audit AFTER INSERT ON por_partner.audit_bait_in_schema FOR EACH ROW EXECUTE FUNCTION por_partner_internal.audit_row('p', 'x');
SELECT throws_ok($$INSERT INTO por_partner.audit_bait_in_schema VALUES (1)$$, '42501', 'audit_row() fires only on the audited table of its code',
                 'and on a table of the schema that is not its code''s');

SELECT * FROM finish();
ROLLBACK;
