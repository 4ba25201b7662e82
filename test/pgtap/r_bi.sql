-- rule R2: a BI tool, logged in as a member of por_partner_reader, reads expirations
-- through subscription_overview and expiring_subscriptions(), and changes nothing.
-- What a BI tool shows of the catalog: every view and view column of the
-- extension has a comment, and what a reader may list (pgJDBC's
-- hideUnprivilegedObjects: any privilege on a relation, EXECUTE on a
-- function) is what it may use.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(14);

INSERT INTO partner (mpn_id, name, reseller, subscription_advisor) VALUES ('770001', 'BI Partner', true, true);
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT 'WWWWW-WWWWW-WWWWW-WWWWW-WWWW2', 'O365_SMALL_BUSINESS', 1, partner_id FROM partner WHERE mpn_id = '770001';
SELECT create_customer_subscription(partner_id, ARRAY['WWWWW-WWWWW-WWWWW-WWWWW-WWWW2']::product_key[],
	'Report AG', 'CH', 'Rita', 'Report', 'rita@report.example', current_date - 300) AS s1
  FROM partner WHERE mpn_id = '770001' \gset

-- a BI tool's login: a member of por_partner_reader, nothing else
CREATE ROLE por_partner_test_bi LOGIN IN ROLE por_partner_reader;
SET SESSION AUTHORIZATION por_partner_test_bi;

SELECT results_eq(format($$SELECT organization_name, phase::text, days_to_expiry FROM por_partner.subscription_overview WHERE subscription_id = %s$$, :s1),
                  $$VALUES ('Report AG'::text, 'active'::text, (current_date - 300 + interval '1 year')::date - current_date)$$,
                  'rule R2: a read-only role reads the overview, phase and days to expiry included');
SELECT ok((SELECT next_notice_on FROM por_partner.subscription_overview WHERE subscription_id = :s1)
          = (SELECT expires_on - 60 FROM por_partner.subscription_overview WHERE subscription_id = :s1),
          'rule R2: the next notice of a term 65 days from its end is the 60-day one');
SELECT results_eq(format($$SELECT mpn_id, days_left FROM por_partner.expiring_subscriptions(90) WHERE subscription_id = %s$$, :s1),
                  $$VALUES ('770001'::text, ((current_date - 300 + interval '1 year')::date - current_date)::int)$$,
                  'rule R2: the read-only role lists what expires within 90 days, per partner');
SELECT throws_ok($$UPDATE por_partner.subscription_overview SET seats = 99$$, '55000', NULL,
                 'rule R2: nobody changes anything through the overview: it is not updatable');
SELECT throws_ok($$UPDATE por_partner.subscription SET seats = 99$$, '42501', NULL,
                 'rule R2: nor in the tables behind it, which it may not even read');
-- the type works for a reader without its support functions (revoked from
-- PUBLIC): input, output, sort and hash are PostgreSQL's own calls
SET LOCAL enable_sort = off;
SELECT results_eq($$SELECT k::text, count(*) FROM (VALUES ('bcdfghjkmpqrtvwxy2346789b'::text), ('BCDFG-HJKMP-QRTVW-XY234-6789B'),
                                                        ('22222-22222-22222-22222-22222')) AS v (t),
                          LATERAL (SELECT t::por_partner.product_key AS k) AS c GROUP BY k ORDER BY k$$,
                  $$VALUES ('22222-22222-22222-22222-22222'::text, 1::bigint), ('BCDFG-HJKMP-QRTVW-XY234-6789B', 2)$$,
                  'a reader parses, compares, hashes, sorts and prints keys without the type''s support functions');
RESET enable_sort;
RESET SESSION AUTHORIZATION;

-- the extension's objects, from the catalog
CREATE TEMP VIEW bi_ext_member AS
SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'por_partner'
 WHERE d.deptype = 'e';
SELECT is_empty($$SELECT c.oid::regclass FROM pg_class c JOIN bi_ext_member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
                   WHERE c.relkind = 'v' AND coalesce(btrim(obj_description(c.oid, 'pg_class')), '') = ''$$,
                'every view of the extension has a comment');
SELECT is_empty($$SELECT c.oid::regclass, a.attname FROM pg_class c JOIN bi_ext_member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   WHERE c.relkind = 'v' AND coalesce(btrim(col_description(c.oid, a.attnum)), '') = ''$$,
                'every column of every view of the extension has a comment');
SELECT ok((SELECT count(*) >= 150 FROM pg_class c JOIN bi_ext_member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 WHERE c.relkind = 'v'),
          'and those are the columns of the views of por_partner and por_partner_book');
SELECT is((SELECT col_description('por_partner_book.subscription'::regclass, a.attnum) FROM pg_attribute a
            WHERE a.attrelid = 'por_partner_book.subscription'::regclass AND a.attname = 'seats'),
          (SELECT col_description(a.attrelid, a.attnum) FROM pg_attribute a
            WHERE a.attrelid = 'por_partner.subscription'::regclass AND a.attname = 'seats'),
          'a book view''s column says what its table''s column says');

-- what pgJDBC lists with hideUnprivilegedObjects=true: a relation the role
-- has any of these privileges on, a function it may execute
SELECT is_empty($$SELECT c.oid::regclass FROM pg_class c JOIN bi_ext_member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
                   WHERE has_table_privilege('por_partner_reader', c.oid, 'SELECT, INSERT, UPDATE, DELETE, RULE, REFERENCES, TRIGGER')
                     AND NOT (has_table_privilege('por_partner_reader', c.oid, 'SELECT')
                              AND has_schema_privilege('por_partner_reader', c.relnamespace, 'USAGE'))$$,
                'every relation of the extension a reader may list, it may read');
SET LOCAL search_path = public;	-- names qualified by their schema
SELECT set_eq($$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN bi_ext_member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
                 WHERE has_function_privilege('por_partner_reader', p.oid, 'EXECUTE')$$,
              ARRAY['por_partner.caller()', 'por_partner.caller_is_operator()', 'por_partner.caller_reads_all()',
                    'por_partner.expiring_subscriptions(integer,date)', 'por_partner.renewal_notices_due(date)',
                    'por_partner.subscription_phase(date,date)',
                    'por_partner.product_key(text)', 'por_partner.text(por_partner.product_key)',
                    'por_partner.product_key_is_valid(text)', 'por_partner.product_key_mask(por_partner.product_key)',
                    'por_partner.product_key_eq(por_partner.product_key,por_partner.product_key)',
                    'por_partner.product_key_ne(por_partner.product_key,por_partner.product_key)',
                    'por_partner.product_key_lt(por_partner.product_key,por_partner.product_key)',
                    'por_partner.product_key_le(por_partner.product_key,por_partner.product_key)',
                    'por_partner.product_key_gt(por_partner.product_key,por_partner.product_key)',
                    'por_partner.product_key_ge(por_partner.product_key,por_partner.product_key)'],
              'a reader may execute its two report functions, the type''s functions and operators, and what its views call (who calls, the phase of a date)');
SET LOCAL search_path = por_partner, public;
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc p JOIN bi_ext_member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
                   WHERE (p.oid IN (SELECT typinput FROM pg_type UNION SELECT typoutput FROM pg_type
                                    UNION SELECT typreceive FROM pg_type UNION SELECT typsend FROM pg_type
                                    UNION SELECT amproc FROM pg_amproc)
                          OR 'internal'::regtype = ANY (p.proargtypes))
                     AND p.oid NOT IN (SELECT oprcode FROM pg_operator UNION SELECT castfunc FROM pg_cast)
                     AND (has_function_privilege('public', p.oid, 'EXECUTE')
                          OR has_function_privilege('por_partner_reader', p.oid, 'EXECUTE')
                          OR has_function_privilege('por_partner_partner', p.oid, 'EXECUTE'))$$,
                'nobody but operators may execute the type''s support functions, which PostgreSQL calls without a privilege check');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc p JOIN bi_ext_member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
                   WHERE has_function_privilege('public', p.oid, 'EXECUTE')
                     AND EXISTS (SELECT 1 FROM unnest(p.proargtypes) AS t (oid) JOIN pg_type ty ON ty.oid = t.oid
                                  WHERE ty.typrelid <> 0
                                    AND NOT has_table_privilege('por_partner_reader', ty.typrelid, 'SELECT')
                                    AND NOT has_table_privilege('por_partner_partner', ty.typrelid, 'SELECT'))$$,
                'no function anyone may execute takes a row of a table neither readers nor partners read');

SELECT * FROM finish();
ROLLBACK;
