--
-- product_key: input, output, errors, casts, operators, indexes (rule K1)
--
CREATE EXTENSION por_partner;
SET search_path = por_partner, public;
\set SHOW_CONTEXT never

-- storage: fixed length, 16 bytes
SELECT typlen, typbyval, typalign, typstorage
  FROM pg_type WHERE oid = 'por_partner.product_key'::regtype;
SELECT pg_column_size('BCDFG-HJKMP-QRTVW-XY234-6789B'::product_key) AS bytes;

-- accepted spellings: canonical, lower and mixed case, without hyphens,
-- surrounding white space, one N
SELECT input, input::product_key AS canonical
  FROM (VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B'),
               ('bcdfg-hjkmp-qrtvw-xy234-6789b'),
               ('BcDfG-hJkMp-QrTvW-xY234-6789b'),
               ('BCDFGHJKMPQRTVWXY2346789B'),
               ('bcdfghjkmpqrtvwxy2346789b'),
               (E'  BCDFG-HJKMP-QRTVW-XY234-6789B\t\n'),
               (chr(13) || chr(11) || chr(12) || 'bcdfghjkmpqrtvwxy2346789b '),
               ('NCDFG-HJKMP-QRTVW-XY234-6789B'),
               ('BCDFG-HJKMP-QRTVW-XY234-6789n'),
               ('22222-22222-22222-22222-22222'),
               ('YYYYY-YYYYY-YYYYY-YYYYY-YYYYY')) AS v(input);

-- the full error: SQLSTATE 22P02, the core message, a DETAIL and a HINT
\set VERBOSITY sqlstate
SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789A'::product_key;
\set VERBOSITY default
SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789'::product_key;
SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789B'::text::product_key
     = 'BCDFG-HJKMP-QRTVW-XY234-678'::text::product_key;

-- every rejection reason, with its SQLSTATE and DETAIL
CREATE FUNCTION pg_temp.reject(t text,
	OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM t::por_partner.product_key;
	state := 'accepted';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

SELECT reason, r.state, r.detail
  FROM (VALUES
	('empty', ''),
	('only white space', '   '),
	('too short', 'BCDFG-HJKMP-QRTVW-XY234-6789'),
	('too long', 'BCDFG-HJKMP-QRTVW-XY234-6789BC'),
	('far too long', repeat('B', 100)),
	('vowel', 'BCDFG-HJKMP-QRTVW-XY234-6789A'),
	('digit 0', '0CDFG-HJKMP-QRTVW-XY234-6789B'),
	('digit 1', 'B1DFG-HJKMP-QRTVW-XY234-6789B'),
	('digit 5', 'BC5FG-HJKMP-QRTVW-XY234-6789B'),
	('letter L', 'BCDLG-HJKMP-QRTVW-XY234-6789B'),
	('letter S', 'BCDFS-HJKMP-QRTVW-XY234-6789B'),
	('letter Z', 'BCDFG-ZJKMP-QRTVW-XY234-6789B'),
	('lower-case vowel', 'bcdfg-hjkmp-qrtvw-xy234-6789e'),
	('inner space', 'BCDFG HJKMP-QRTVW-XY234-6789B'),
	('underscore', 'BCDFG_HJKMP_QRTVW_XY234_6789B'),
	('non-ASCII', 'BCDFG-HJKMP-QRTVW-XY234-6789É'),
	('non-ASCII early', 'ÉBCDFG-HJKMP-QRTVW-XY234-6789'),
	('leading hyphen', '-BCDFGHJKMPQRTVWXY2346789B'),
	('trailing hyphen', 'BCDFGHJKMPQRTVWXY2346789B-'),
	('hyphen inside a group', 'BCDF-GHJKMP-QRTVW-XY234-6789B'),
	('double hyphen', 'BCDFG--HJKMP-QRTVW-XY234-6789B'),
	('hyphens in groups of four', 'BCDF-GHJK-MPQR-TVWX-Y234-6789B'),
	('some hyphens missing', 'BCDFG-HJKMPQRTVW-XY234-6789B'),
	('only the last hyphen', 'BCDFGHJKMPQRTVWXY234-6789B'),
	('two N', 'NCDFG-HJKMP-QRTVW-XY234-6789N'),
	('all N', repeat('N', 25)),
	('invalid character before a length error', 'BCDFA'),
	('length error before a hyphen error', '-BCDF'),
	('hyphen error before too many N', '-NNDFGHJKMPQRTVWXY2346789B')
  ) AS v(reason, input),
  LATERAL pg_temp.reject(input) AS r;

-- every rejection carries the same message form and HINT
SELECT DISTINCT r.message ~ '^invalid input syntax for type product_key: ".*"$' AS core_form,
       r.hint
  FROM (VALUES (''), ('BCDFA'), ('-BCDF'), ('NNDFGHJKMPQRTVWXY2346789B'),
               ('BCDFG-HJKMPQRTVW-XY234-6789B')) AS v(input),
  LATERAL pg_temp.reject(input) AS r;

-- the message quotes at most 60 characters of the input, so that a long
-- input is never echoed back whole
SELECT what, (pg_temp.reject(input)).message
  FROM (VALUES ('1 MB', repeat('B', 1048576)), ('61 characters', repeat('É', 61)),
               ('60 characters', repeat('B', 60))) AS v(what, input);

-- product_key_is_valid never raises, and agrees with the input function
SELECT input, product_key_is_valid(input) AS valid, (pg_temp.reject(input)).state
  FROM (VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B'), ('bcdfghjkmpqrtvwxy2346789b'),
               ('BCDFG-HJKMP-QRTVW-XY234-6789A'), (''), ('NN'), ('-'),
               (E'\t'), ('BCDFG-HJKMP-QRTVW-XY234-6789Б'), (repeat('-', 29))) AS v(input);
SELECT product_key_is_valid(repeat('x', 1000000)) AS megabyte_of_x;
SELECT product_key_is_valid(NULL) IS NULL AS null_in_null_out;

-- output and mask
SELECT k, product_key_mask(k) AS masked, k::text AS as_text,
       length(k::text) AS len
  FROM (VALUES ('bcdfg-hjkmp-qrtvw-xy234-6789b'::product_key),
               ('NCDFGHJKMPQRTVWXY2346YYYY'::text::product_key)) AS v(k);

-- casts from text are explicit or assignment, never implicit
SELECT castsource::regtype, casttarget::regtype, castcontext, castmethod
  FROM pg_cast
 WHERE castsource = 'por_partner.product_key'::regtype
    OR casttarget = 'por_partner.product_key'::regtype
 ORDER BY castsource::regtype::text, casttarget::regtype::text;
SELECT product_key_mask('BCDFG-HJKMP-QRTVW-XY234-6789B'::text);
CREATE TEMP TABLE assign_test (k product_key);
INSERT INTO assign_test VALUES ('bcdfghjkmpqrtvwxy2346789b'::text),
                               ('BCDFG-HJKMP-QRTVW-XY234-6789C'::varchar);
SELECT k FROM assign_test ORDER BY k;

-- NULL handling: STRICT functions, NULLs sort last and never compare equal
SELECT NULL::product_key AS n, product_key_mask(NULL) IS NULL AS mask_null,
       (NULL::product_key = NULL::product_key) IS NULL AS eq_null,
       'BCDFG-HJKMP-QRTVW-XY234-6789B'::product_key < NULL AS lt_null;
INSERT INTO assign_test VALUES (NULL);
SELECT k FROM assign_test ORDER BY k;

-- operators
SELECT a.k AS a, b.k AS b,
       a.k = b.k AS eq, a.k <> b.k AS ne, a.k < b.k AS lt, a.k <= b.k AS le,
       a.k > b.k AS gt, a.k >= b.k AS ge, product_key_cmp(a.k, b.k) AS cmp
  FROM (VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B'::product_key),
               ('BCDFG-HJKMP-QRTVW-XY234-6789C'),
               ('2CDFG-HJKMP-QRTVW-XY234-6789B')) AS a(k),
       (VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B'::product_key),
               ('BCDFG-HJKMP-QRTVW-XY234-6789C')) AS b(k)
 ORDER BY 1, 2;
SELECT o.oprname, o.oprcom::regoperator AS commutator,
       o.oprnegate::regoperator AS negator, o.oprrest, o.oprjoin,
       o.oprcanhash, o.oprcanmerge
  FROM pg_operator o
 WHERE o.oprleft = 'por_partner.product_key'::regtype
 ORDER BY 1;

-- a sample of random keys: N anywhere, shared prefixes, so that the
-- abbreviated keys of the sort tie and the full comparison decides
SELECT setseed(0.42);
CREATE FUNCTION pg_temp.random_key(p_prefix text DEFAULT '') RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT CASE WHEN pos <= 25 THEN overlay(k PLACING 'N' FROM pos FOR 1) ELSE k END
	  FROM (SELECT (1 + floor(random() * 50))::int) AS p(pos),
	       (SELECT p_prefix || string_agg(substr('BCDFGHJKMPQRTVWXY2346789',
	                          1 + floor(random() * 24)::int, 1), '')
	          FROM generate_series(1, 25 - length(p_prefix))) AS s(k)
$$;
CREATE TABLE keys AS
	SELECT pg_temp.random_key(CASE WHEN i % 4 = 0 THEN 'BCDFGHJKMPQRT' ELSE '' END)::product_key AS k,
	       i AS id
	  FROM generate_series(1, 100000) AS i;
ANALYZE keys;
SELECT count(*) AS keys, count(DISTINCT k) = count(*) AS all_distinct,
       count(*) FILTER (WHERE k::text LIKE '%N%') BETWEEN 45000 AND 55000 AS half_with_n,
       count(*) FILTER (WHERE k::text LIKE 'BCDFG-HJKMP-QRT%') >= 25000 AS quarter_share_prefix
  FROM keys;

-- round trip through text
SELECT count(*) AS text_round_trip_failures
  FROM keys WHERE k::text::product_key <> k OR lower(k::text)::product_key <> k
     OR replace(k::text, '-', '')::product_key <> k;

-- sort order equals the order of the canonical text under "C"
SELECT count(*) AS order_mismatches
  FROM (SELECT k, row_number() OVER (ORDER BY k) AS by_key,
               row_number() OVER (ORDER BY k::text COLLATE "C") AS by_text
          FROM keys) AS s
 WHERE by_key <> by_text;
SET work_mem = '64kB';	-- an external sort as well
SELECT count(*) AS order_mismatches_external_sort
  FROM (SELECT k, row_number() OVER (ORDER BY k) AS by_key,
               row_number() OVER (ORDER BY k::text COLLATE "C") AS by_text
          FROM keys) AS s
 WHERE by_key <> by_text;
RESET work_mem;
SELECT count(*) AS pairwise_mismatches
  FROM (SELECT k, lead(k) OVER (ORDER BY id) AS nk FROM keys) AS s
 WHERE nk IS NOT NULL
   AND sign(product_key_cmp(k, nk)) <> sign((k::text COLLATE "C" > nk::text)::int
                                          - (k::text COLLATE "C" < nk::text)::int);

-- round trip through binary COPY
-- (the files go under the output directory pg_regress gives: psql works there)
\getenv abs_builddir PG_ABS_BUILDDIR
\cd :abs_builddir
\copy keys TO 'results/product_key.bin' WITH (FORMAT binary)
CREATE TABLE keys_copy (LIKE keys);
\copy keys_copy FROM 'results/product_key.bin' WITH (FORMAT binary)
SELECT count(*) AS copied,
       count(*) FILTER (WHERE c.k IS DISTINCT FROM k.k) AS binary_round_trip_failures
  FROM keys k FULL JOIN keys_copy c USING (id);

-- binary input is checked: 16 bytes that encode no key are refused (22P03)
CREATE TEMP TABLE raw (b bytea);
INSERT INTO raw VALUES ('\xffffffffffffffffffffffffffffffff');
\copy raw TO 'results/product_key_bad.bin' WITH (FORMAT binary)
CREATE TEMP TABLE bad_key (k product_key);
\set VERBOSITY sqlstate
\copy bad_key FROM 'results/product_key_bad.bin' WITH (FORMAT binary)
\set VERBOSITY default
-- two N: the first and last symbols (rank 16 = 0b10000)
TRUNCATE raw;
INSERT INTO raw VALUES ('\x80000000000000000000000000000080');
\copy raw TO 'results/product_key_bad.bin' WITH (FORMAT binary)
\copy bad_key FROM 'results/product_key_bad.bin' WITH (FORMAT binary)
-- one N: accepted
TRUNCATE raw;
INSERT INTO raw VALUES ('\x80000000000000000000000000000000');
\copy raw TO 'results/product_key_bad.bin' WITH (FORMAT binary)
\copy bad_key FROM 'results/product_key_bad.bin' WITH (FORMAT binary)
SELECT k FROM bad_key;

-- a primary key: one value however it is spelled (23505)
CREATE TABLE key_pk (k product_key PRIMARY KEY);
INSERT INTO key_pk VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B');
INSERT INTO key_pk VALUES ('bcdfghjkmpqrtvwxy2346789b');

-- btree index use
CREATE INDEX keys_k_btree ON keys (k);
ANALYZE keys;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM keys WHERE k = 'BCDFG-HJKMP-QRTVW-XY234-6789B';
EXPLAIN (COSTS OFF)
SELECT k FROM keys WHERE k < 'BCDFG-HJKMP-QRTVW-XY234-6789B' ORDER BY k;
SELECT count(*) = (SELECT count(*) FROM keys WHERE k::text COLLATE "C" < 'BCDFG-HJKMP-QRT')
       AS range_scan_matches_text
  FROM keys WHERE k < 'BCDFG-HJKMP-QRT22-22222-22222';
SELECT k = (SELECT k FROM keys WHERE id = 4242) AS found
  FROM keys WHERE k = (SELECT k FROM keys WHERE id = 4242);
DROP INDEX keys_k_btree;

-- hash index use
CREATE INDEX keys_k_hash ON keys USING hash (k);
EXPLAIN (COSTS OFF)
SELECT id FROM keys WHERE k = 'BCDFG-HJKMP-QRTVW-XY234-6789B';
SELECT id FROM keys WHERE k = (SELECT k FROM keys WHERE id = 777);
DROP INDEX keys_k_hash;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- hash join, hash aggregate, DISTINCT
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM keys a JOIN keys_copy b ON a.k = b.k;
SELECT count(*) AS joined FROM keys a JOIN keys_copy b ON a.k = b.k;
RESET enable_mergejoin;
RESET enable_nestloop;
SET enable_sort = off;
EXPLAIN (COSTS OFF)
SELECT k, count(*) FROM keys GROUP BY k;
SELECT count(*) AS groups FROM (SELECT k, count(*) FROM keys GROUP BY k) AS g;
EXPLAIN (COSTS OFF)
SELECT DISTINCT k FROM keys;
SELECT count(*) AS distinct_keys FROM (SELECT DISTINCT k FROM keys) AS d;
RESET enable_sort;

-- hash functions agree for equal values spelled differently
SELECT product_key_hash('BCDFG-HJKMP-QRTVW-XY234-6789B')
     = product_key_hash('bcdfghjkmpqrtvwxy2346789b') AS hash_equal,
       product_key_hash_extended('BCDFG-HJKMP-QRTVW-XY234-6789B', 0)
     = product_key_hash_extended('bcdfghjkmpqrtvwxy2346789b', 0) AS hash_ext_equal,
       product_key_hash_extended('BCDFG-HJKMP-QRTVW-XY234-6789B', 0)
     <> product_key_hash_extended('BCDFG-HJKMP-QRTVW-XY234-6789B', 1) AS seed_matters;

-- the operator classes are valid
SELECT opc.opcname, am.amname, amvalidate(opc.oid)
  FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
 WHERE opc.opcintype = 'por_partner.product_key'::regtype
 ORDER BY 1, 2;

-- every function of the extension is documented and marked precisely
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict, p.proparallel,
       p.proleakproof, obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'por_partner')
   AND (p.proname LIKE 'product\_key%'
        OR p.oid = 'por_partner.text(por_partner.product_key)'::regprocedure)
 ORDER BY p.oid::regprocedure::text;
SELECT obj_description('por_partner.product_key'::regtype, 'pg_type') IS NOT NULL AS type_comment;

DROP TABLE keys, keys_copy, key_pk;
