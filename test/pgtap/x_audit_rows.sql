-- The audit trail's rows before and after, rebuilt (issue 13; README, "The
-- audit trail"): audit_change keeps of a change only what the live row and
-- the later changes do not tell (an INSERT nothing of the row, an UPDATE the
-- old values of the columns it changed, a DELETE the whole row), and view
-- audit_log gives back, for every change, the row before and after exactly
-- as they were.  Each step's row is taken here as it is written, and compared
-- with what the view rebuilds once the row has changed again, has been
-- deleted, and has come back under the same key.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(27);

CREATE TEMP TABLE snap (step int PRIMARY KEY, r jsonb);

INSERT INTO partner (mpn_id, name) VALUES ('761001', 'Rebuilt Partner'), ('761002', 'Second Partner');
SELECT partner_id AS pa FROM partner WHERE mpn_id = '761001' \gset
SELECT partner_id AS pb FROM partner WHERE mpn_id = '761002' \gset

-- a partner user: made, changed twice, deleted
INSERT INTO partner_user (partner_id, email, display_name, company_role)
VALUES (:pa, 'first@rebuilt.example', 'First Name', 'user_admin');
SELECT partner_user_id AS u FROM partner_user WHERE email = 'first@rebuilt.example' \gset
INSERT INTO snap SELECT 1, to_jsonb(t) FROM partner_user t WHERE partner_user_id = :u;
UPDATE partner_user SET display_name = 'Second Name' WHERE partner_user_id = :u;
INSERT INTO snap SELECT 2, to_jsonb(t) FROM partner_user t WHERE partner_user_id = :u;
UPDATE partner_user SET email = 'third@rebuilt.example', company_role = 'billing_admin', customer_access = 'full'
 WHERE partner_user_id = :u;
INSERT INTO snap SELECT 3, to_jsonb(t) FROM partner_user t WHERE partner_user_id = :u;

SELECT is((SELECT array[old_row = (SELECT r FROM snap WHERE step = 1), new_row = (SELECT r FROM snap WHERE step = 2)]
             FROM audit_log WHERE table_name = 'partner_user' AND row_key = jsonb_build_object('partner_user_id', :u)
              AND operation = 'UPDATE' ORDER BY audit_id LIMIT 1),
          ARRAY[true, true],
          'an UPDATE followed by another: the row before and after it, rebuilt, are the rows as they were');
SELECT is((SELECT new_row FROM audit_log WHERE table_name = 'partner_user' AND row_key = jsonb_build_object('partner_user_id', :u)
              AND operation = 'INSERT'),
          (SELECT r FROM snap WHERE step = 1),
          'an INSERT followed by two UPDATEs: the row it made, rebuilt');

DELETE FROM partner_user WHERE partner_user_id = :u;

SELECT is((SELECT array_agg(operation || ' ' || coalesce(s_old.step::text, '-') || '>' || coalesce(s_new.step::text, '-') ORDER BY audit_id)
             FROM audit_log l
             LEFT JOIN snap s_old ON s_old.r = l.old_row
             LEFT JOIN snap s_new ON s_new.r = l.new_row
            WHERE l.table_name = 'partner_user' AND l.row_key = jsonb_build_object('partner_user_id', :u)),
          ARRAY['INSERT ->1', 'UPDATE 1>2', 'UPDATE 2>3', 'DELETE 3>-'],
          'a row made, changed twice and deleted: every row before and after, rebuilt, is the row as it was at that step');
SELECT is((SELECT count(*) FROM audit_log WHERE table_name = 'partner_user' AND row_key = jsonb_build_object('partner_user_id', :u)
              AND ((operation <> 'INSERT' AND old_row IS NULL) OR (operation <> 'DELETE' AND new_row IS NULL))),
          0::bigint, 'no row before or after is missing');

-- one row's history, through the index
SELECT is((SELECT array_agg(h.operation ORDER BY h.audit_id) FROM audit_history('partner_user', jsonb_build_object('partner_user_id', :u)) AS h),
          ARRAY['INSERT', 'UPDATE', 'UPDATE', 'DELETE'], 'audit_history() gives one row''s changes, oldest first');
SELECT is((SELECT array_agg(h.audit_id ORDER BY h.audit_id) FROM audit_history('partner_user', jsonb_build_object('partner_user_id', :u)) AS h),
          (SELECT array_agg(l.audit_id ORDER BY l.audit_id) FROM audit_log l
            WHERE l.table_name = 'partner_user' AND l.row_key = jsonb_build_object('partner_user_id', :u)),
          'the same rows as the view filtered on table_name and row_key');
SELECT throws_ok($$SELECT * FROM audit_history('tenant', '{"tenant_id": 1}')$$, '22023', 'table_name must name an audited table',
                 'audit_history() of a table that is not audited: 22023');
SELECT throws_ok($$SELECT * FROM audit_history(repeat('x', 1000000), '{}')$$, '22023', 'table_name must name an audited table',
                 'audit_history() of a 1 MB table name: 22023');
SELECT throws_ok($$SELECT * FROM audit_history(NULL, '{}')$$, '22023', 'table_name must name an audited table',
                 'audit_history() of NULL: 22023');
SELECT throws_ok($$SELECT * FROM audit_history('delegated_admin', '{"partner_id": 1}')$$, '22023',
                 'row_key must be a JSON object of the key columns of delegated_admin',
                 'audit_history() with a key short of a column: 22023');
SELECT throws_ok($$SELECT * FROM audit_history('partner', NULL)$$, '22023', NULL, 'audit_history() of a NULL key: 22023');

-- what is stored: as little as the change
SELECT is((SELECT array_agg(operation::text || ' ' || coalesce((SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(old_values) AS k), '(null)') ORDER BY audit_id)
             FROM audit_change WHERE table_code = 'u' AND row_key = :'u'),
          ARRAY['I (null)', 'U display_name', 'U company_role,customer_access,email',
                'D company_role,customer_access,display_name,email,partner_id,partner_user_id'],
          'audit_change keeps nothing of the row for an INSERT, the old values of the changed columns for an UPDATE, the whole row for a DELETE');
SELECT is((SELECT old_values FROM audit_change WHERE table_code = 'u' AND row_key = :'u' AND operation = 'U' ORDER BY audit_id LIMIT 1),
          '{"display_name": "First Name"}'::jsonb, 'an UPDATE keeps the old value of the column it changed, nothing else');

-- a key that comes back: the rows of the first life are rebuilt from its
-- DELETE, not from the live row of the second
CREATE ROLE pp_audit_rows_login NOLOGIN IN ROLE por_partner_partner;
INSERT INTO partner_login (login, partner_id) VALUES ('pp_audit_rows_login', :pa);
INSERT INTO snap SELECT 11, to_jsonb(t) FROM partner_login t WHERE login = 'pp_audit_rows_login'::regrole;
DELETE FROM partner_login WHERE login = 'pp_audit_rows_login'::regrole;
INSERT INTO partner_login (login, partner_id, created_at) VALUES ('pp_audit_rows_login', :pb, now() - interval '1 day');
INSERT INTO snap SELECT 12, to_jsonb(t) FROM partner_login t WHERE login = 'pp_audit_rows_login'::regrole;
UPDATE partner_login SET partner_id = :pa WHERE login = 'pp_audit_rows_login'::regrole;
INSERT INTO snap SELECT 13, to_jsonb(t) FROM partner_login t WHERE login = 'pp_audit_rows_login'::regrole;

SELECT is((SELECT array_agg(operation || ' ' || coalesce(s_old.step::text, '-') || '>' || coalesce(s_new.step::text, '-') ORDER BY audit_id)
             FROM audit_log l
             LEFT JOIN snap s_old ON s_old.r = l.old_row
             LEFT JOIN snap s_new ON s_new.r = l.new_row
            WHERE l.table_name = 'partner_login' AND l.row_key = '{"login": "pp_audit_rows_login"}'),
          ARRAY['INSERT ->11', 'DELETE 11>-', 'INSERT ->12', 'UPDATE 12>13'],
          'a key deleted and made again: each life''s rows rebuilt from its own end (the DELETE, then the live row)');

-- the difference an UPDATE stores (src/jsonb_delta.c): jsonb equality, as
-- IS DISTINCT FROM on jsonb values
SELECT is(por_partner_internal.jsonb_delta('{"a": 1, "b": 2.0, "c": {"x": 1}, "d": null, "e": [1, 2]}',
                                            '{"a": 1, "b": 2, "c": {"x": 2}, "d": null, "e": [1, 2]}'),
          '{"c": {"x": 1}}'::jsonb, 'jsonb_delta: a changed nested object is kept; 2.0 and 2, equal nulls and arrays are not');
SELECT is(por_partner_internal.jsonb_delta('{"a": 1, "b": "s", "c": "1", "d": true}', '{"a": 1, "c": 1, "d": false}'),
          '{"b": "s", "c": "1", "d": true}'::jsonb, 'jsonb_delta: a key gone, a string become a number, a changed boolean');
SELECT is(por_partner_internal.jsonb_delta('{"a": "x"}', '{"a": "x", "b": 1}'), '{}'::jsonb,
          'jsonb_delta: nothing taken away, only a key added: {}');
SELECT is((SELECT bool_and(por_partner_internal.jsonb_delta(o, n)
                           = coalesce((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(o) AS e
                                        WHERE e.value IS DISTINCT FROM n -> e.key), '{}'))
             FROM (SELECT jsonb_build_object('k', i % 3, 'v', (i % 5)::numeric / 2, 't', repeat('x', i % 4)) AS o,
                          jsonb_build_object('k', i % 2, 'v', (i % 7)::numeric / 2, 't', repeat('x', i % 3)) AS n
                     FROM generate_series(1, 200) AS i) AS x),
          true, 'jsonb_delta agrees with the SQL definition (jsonb_each, IS DISTINCT FROM) on 200 pairs');
SELECT throws_ok($$SELECT por_partner_internal.jsonb_delta('[1]', '{}')$$, '22023', 'jsonb_delta needs two JSON objects',
                 'jsonb_delta of an array: 22023');

-- every audited table's trigger names the code of its row in audited_table,
-- and that row names the table and its primary key
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname)
             FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             JOIN por_partner_internal.audited_table a
               ON a.table_code = split_part(encode(g.tgargs, 'escape'), '\000', 1)::"char"
              AND a.table_name = c.relname
              AND a.key_columns = (SELECT array_agg(t.attname::text ORDER BY array_position(i.indkey::int2[], t.attnum))
                                     FROM pg_index i JOIN pg_attribute t ON t.attrelid = i.indrelid AND t.attnum = ANY (i.indkey)
                                    WHERE i.indrelid = c.oid AND i.indisprimary)
            WHERE g.tgname = 'audit' AND c.relnamespace = 'por_partner'::regnamespace),
          (SELECT array_agg(table_name ORDER BY table_name) FROM por_partner_internal.audited_table),
          'every audited table''s trigger passes its code, and audited_table names its primary key columns');
SELECT is((SELECT array_agg(split_part(encode(g.tgargs, 'escape'), '\000', 2) ORDER BY c.relname)
             FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
            WHERE g.tgname = 'audit' AND c.relnamespace = 'por_partner'::regnamespace),
          (SELECT array_agg(key_columns[1] ORDER BY table_name) FROM por_partner_internal.audited_table),
          'and the trigger''s key columns are those');

-- a subscription's rows leave out the license count, whose changes are not
-- recorded; every other column's change is
SELECT is((SELECT omitted FROM por_partner_internal.audited_table WHERE table_name = 'subscription'),
          ARRAY['licensed_users'], 'a subscription''s license count is left out');
SELECT is((SELECT array_agg(a.attname::text ORDER BY a.attnum)
             FROM pg_attribute a
            WHERE a.attrelid = 'por_partner.subscription'::regclass AND a.attnum > 0 AND NOT a.attisdropped
              AND a.attnum <> ALL ((SELECT g.tgattr FROM pg_trigger g WHERE g.tgrelid = a.attrelid AND g.tgname = 'audit')::int2[])),
          ARRAY['licensed_users'],
          'the subscription''s audit trigger fires on an UPDATE of every column but licensed_users');

-- partners and readers reach the stored trail only through the views
SELECT ok(NOT has_table_privilege('por_partner_partner', 'por_partner.audit_change', 'SELECT')
          AND NOT has_table_privilege('por_partner_reader', 'por_partner.audit_change', 'SELECT'),
          'partners and readers have no SELECT on audit_change');
SELECT ok(NOT has_function_privilege('por_partner_partner', 'por_partner_internal.audit_after("char", text, bigint, "char")', 'EXECUTE')
          AND NOT has_function_privilege('por_partner_partner', 'por_partner.audit_history(text, jsonb)', 'EXECUTE'),
          'nor may call the functions that rebuild rows, which read every change');

-- the rows are rebuilt in the select list: a query with ORDER BY and LIMIT
-- rebuilds the rows it returns only, one that reads neither row none
-- (issue 13: no index orders the trail, and a time window of a large
-- platform holds many rows)
SET LOCAL track_functions = 'all';
SELECT count(x.new_row) FROM (SELECT l.new_row FROM audit_log l ORDER BY l.audit_id DESC LIMIT 3) AS x;
SELECT count(*) FROM audit_log;
SELECT is((SELECT calls FROM pg_stat_xact_user_functions WHERE schemaname = 'por_partner_internal' AND funcname = 'audit_after'),
          (SELECT count(*) FROM (SELECT c.operation FROM audit_change c ORDER BY c.audit_id DESC LIMIT 3) AS x WHERE x.operation <> 'D'),
          'newest first with LIMIT 3 rebuilds the 3 rows returned (none for a DELETE), of the many the trail holds; a count rebuilds none');
SELECT cmp_ok((SELECT count(*) FROM audit_change), '>', 6::bigint, '(the trail holds more than twice as many rows)');

SELECT * FROM finish();
ROLLBACK;
