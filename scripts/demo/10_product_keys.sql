-- The product_key type (rule K1)
\pset footer off
SET search_path = por_partner, public;
\echo
\echo '== Product keys: any spelling in, one canonical form out, 16 bytes stored =='
SELECT written AS "as written",
       written::product_key AS canonical,
       product_key_mask(written::product_key) AS "as the admin center shows it",
       pg_column_size(written::product_key) AS bytes
  FROM (VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B'),
               ('bcdfghjkmpqrtvwxy2346789b'),
               ('  7R2KN-QYX4B-HVCTD-9M3PG-W8J6F  '),
               ('ww3g8-ypd6c-fkxr4-hjb27-m9qtv')) AS v(written);

\echo
\echo '== Checking without raising: product_key_is_valid(text) =='
SELECT written AS "as written", product_key_is_valid(written) AS valid
  FROM (VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B'),
               ('BCDFG-HJKMP-QRTVW-XY234-6789A'),
               ('BCDFG-HJKMP-QRTVW-XY234'),
               ('NCDFG-HJKMP-QRTVW-XY234-6789N')) AS v(written);

\echo
\echo '== Rejected keys: SQLSTATE 22P02, a DETAIL naming the reason, a HINT =='
SELECT k AS "as written", r.sqlstate_ AS sqlstate, r.detail
  FROM unnest(ARRAY['BCDFG-HJKMP-QRTVW-XY234-6789A', 'BCDFG-HJKMP-QRTVW-XY234-6789',
                    'BCDF-GHJKMP-QRTVW-XY234-6789B', 'BCDFG-HJKMPQRTVW-XY234-6789B',
                    'NCDFG-HJKMP-QRTVW-XY234-6789N', 'bcdfg-hjkmp-qrtvw-xy234-6789é']) AS k,
       LATERAL pg_temp.attempt(format('SELECT %L::por_partner.product_key', k)) AS r;
SELECT DISTINCT r.message ~ '^invalid input syntax for type product_key' AS "message in core form", r.hint
  FROM unnest(ARRAY['BCDFG-HJKMP-QRTVW-XY234-6789A', 'BCDFG']) AS k,
       LATERAL pg_temp.attempt(format('SELECT %L::por_partner.product_key', k)) AS r;

\echo
\echo '== One key, one row: a primary key on product_key ignores case and hyphens =='
CREATE TEMP TABLE demo_keys (k product_key PRIMARY KEY);
INSERT INTO demo_keys VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B');
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message, r.detail
  FROM pg_temp.attempt($$INSERT INTO demo_keys VALUES ('bcdfghjkmpqrtvwxy2346789b')$$) AS r;
