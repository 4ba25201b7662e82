-- rule K1: a product key is 25 symbols from BCDFGHJKMNPQRTVWXY2346789, at
-- most one N, case-insensitive, with or without hyphens; output canonical.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(22);

SELECT has_type('por_partner', 'product_key', 'rule K1: the type exists');

-- rule K1: accepted spellings all mean one canonical key
SELECT is('bcdfg-hjkmp-qrtvw-xy234-6789b'::product_key::text,
          'BCDFG-HJKMP-QRTVW-XY234-6789B', 'rule K1: lower case is canonicalised');
SELECT is('BCDFGHJKMPQRTVWXY2346789B'::product_key::text,
          'BCDFG-HJKMP-QRTVW-XY234-6789B', 'rule K1: hyphens are added');
SELECT is(E' \tBCDFG-HJKMP-QRTVW-XY234-6789B\n'::product_key::text,
          'BCDFG-HJKMP-QRTVW-XY234-6789B', 'rule K1: surrounding white space is ignored');
SELECT is('BCDFG-HJKMP-QRTVW-XY234-6789N'::product_key::text,
          'BCDFG-HJKMP-QRTVW-XY234-6789N', 'rule K1: one N is allowed');
SELECT ok('bcdfghjkmpqrtvwxy2346789b'::product_key = 'BCDFG-HJKMP-QRTVW-XY234-6789B'::product_key,
          'rule K1: spellings of one key compare equal');

-- rule K1: refusals, SQLSTATE 22P02 with the core message
SELECT throws_ok($$SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789'::por_partner.product_key$$,
                 '22P02', 'invalid input syntax for type product_key: "BCDFG-HJKMP-QRTVW-XY234-6789"',
                 'rule K1: 24 symbols are refused');
SELECT throws_ok($$SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789BB'::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: 26 symbols are refused');
SELECT throws_ok($$SELECT 'ACDFG-HJKMP-QRTVW-XY234-6789B'::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: a vowel is refused');
SELECT throws_ok($$SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789L'::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: L is refused');
SELECT throws_ok($$SELECT '0CDFG-HJKMP-QRTVW-XY234-67891'::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: 0 and 1 are refused');
SELECT throws_ok($$SELECT '5CDFG-HJKMP-QRTVW-XY234-6789S'::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: 5 and S are refused');
SELECT throws_ok($$SELECT 'NCDFG-HJKMP-QRTVW-XY234-6789N'::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: two N are refused');
SELECT throws_ok($$SELECT 'BCDF-GHJKM-PQRTV-WXY23-46789B'::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: hyphens inside a group are refused');
SELECT throws_ok($$SELECT 'BCDFG-HJKMPQRTVW-XY234-6789B'::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: hyphens between some groups only are refused');
SELECT throws_ok($$SELECT ''::por_partner.product_key$$,
                 '22P02', NULL, 'rule K1: the empty string is refused');

-- rule K1: validation without errors, masking
SELECT ok(product_key_is_valid('bcdfghjkmpqrtvwxy2346789b'), 'rule K1: is_valid accepts a key');
SELECT ok(NOT product_key_is_valid('BCDFG-HJKMP-QRTVW-XY234-6789A'), 'rule K1: is_valid refuses a bad one');
SELECT lives_ok($$SELECT por_partner.product_key_is_valid(repeat(E'\\x', 100000))$$,
                'rule K1: is_valid never raises');
SELECT is(product_key_mask('BCDFG-HJKMP-QRTVW-XY234-6789B'), 'XXXXX-XXXXX-XXXXX-XXXXX-6789B',
          'rule K1: the mask shows the last group only');

-- rule K1: one key, one row
CREATE TEMP TABLE k1_keys (k product_key PRIMARY KEY);
INSERT INTO k1_keys VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B');
SELECT throws_ok($$INSERT INTO k1_keys VALUES ('bcdfghjkmpqrtvwxy2346789b')$$,
                 '23505', NULL, 'rule K1: a key spelled differently is still a duplicate');
SELECT is(pg_column_size('BCDFG-HJKMP-QRTVW-XY234-6789B'::product_key), 16,
          'rule K1: a key is stored in 16 bytes');

SELECT * FROM finish();
ROLLBACK;
