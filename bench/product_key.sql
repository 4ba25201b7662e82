-- bench/product_key.sql: the product_key benchmark, run by bench/product_key.sh.
--
-- psql variables (set by product_key.sh):  keys    keys (and uuids) to generate
--                                  probes  index lookups per measurement
--                                  reps    recorded runs per measurement
--                                  plans   file that receives the EXPLAIN plans
--
-- Three ways to store a product key are compared on the same data:
--   product_key   the extension's type (16 bytes)
--   uuid          core's uuid (16 bytes): the reference for a fixed-size type
--                 parsed from text (text -> uuid goes through uuid_in)
--   text domain   text with a regex CHECK, what one would write without the
--                 extension
-- Every measurement is a server-side clock_timestamp() delta around one
-- statement, run reps times (after one unrecorded warm-up round); within a
-- round the variants run one after the other (A B C), in an order rotated
-- from round to round, so that a noisy moment hits every variant alike.
-- The report gives medians, and ratios of medians.
--
-- Progress goes to stderr (\warn); the report is the only thing on stdout.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
-- one backend does everything, the same way for every variant
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
SET jit = off;

CREATE EXTENSION IF NOT EXISTS por_partner CASCADE;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
-- bench objects go to public; the type's operators are found in por_partner
SET search_path = public, por_partner;

--------------------------------------------------------------------------
-- The competitor: a text domain with a fair regex.  25 symbols of the
-- alphabet, case-insensitive, an optional hyphen between groups of five, at
-- most one N.  (It is laxer than product_key, which wants hyphens between
-- all groups or none, so it is if anything favoured.)
--------------------------------------------------------------------------

CREATE DOMAIN product_key_text AS text
	CONSTRAINT product_key_text_check CHECK (
		VALUE ~* '^[BCDFGHJKMNPQRTVWXY2346789]{5}(-?[BCDFGHJKMNPQRTVWXY2346789]{5}){4}$'
		AND VALUE !~* 'N.*N');

--------------------------------------------------------------------------
-- Data.  UNLOGGED tables (not temporary ones: those live in the small
-- temp_buffers instead of shared_buffers).
--------------------------------------------------------------------------

\warn 'bench: generating' :keys 'random product keys and uuids'

-- key_text: random valid keys in canonical text (upper case, hyphenated).
-- Each symbol is drawn from the 24 letters other than N; every other key
-- then gets one N at a random position.
CREATE UNLOGGED TABLE key_text (t text NOT NULL);
INSERT INTO key_text
WITH raw AS MATERIALIZED (
	SELECT g,
		   (SELECT string_agg(substr('BCDFGHJKMPQRTVWXY2346789',
									 1 + floor(random() * 24)::int, 1), '')
			  FROM generate_series(1, 25)
			 WHERE g IS NOT NULL) AS s		-- correlated: drawn anew per row
	  FROM generate_series(1, :keys) AS g
), with_n AS MATERIALIZED (
	SELECT CASE WHEN g % 2 = 0
				THEN overlay(s PLACING 'N' FROM 1 + floor(random() * 25)::int)
				ELSE s END AS s
	  FROM raw
)
SELECT concat_ws('-', substr(s, 1, 5), substr(s, 6, 5), substr(s, 11, 5),
				 substr(s, 16, 5), substr(s, 21, 5))
  FROM with_n;

-- uuid_text: random uuids in their canonical text
CREATE UNLOGGED TABLE uuid_text (t text NOT NULL);
INSERT INTO uuid_text SELECT gen_random_uuid()::text FROM generate_series(1, :keys);

-- the same values stored in each of the three types (same order as the text)
CREATE UNLOGGED TABLE pk_col (k por_partner.product_key NOT NULL);
INSERT INTO pk_col SELECT t::por_partner.product_key FROM key_text;
CREATE UNLOGGED TABLE uuid_col (k uuid NOT NULL);
INSERT INTO uuid_col SELECT t::uuid FROM uuid_text;
CREATE UNLOGGED TABLE dom_col (k product_key_text NOT NULL);
INSERT INTO dom_col SELECT t::product_key_text FROM key_text;

-- the lookup probes: random existing values, in random order, of each type
CREATE UNLOGGED TABLE pk_probe AS
	SELECT k FROM pk_col ORDER BY random() LIMIT :probes;
CREATE UNLOGGED TABLE uuid_probe AS
	SELECT k FROM uuid_col ORDER BY random() LIMIT :probes;
CREATE UNLOGGED TABLE dom_probe AS
	SELECT k FROM dom_col ORDER BY random() LIMIT :probes;

-- sanity: every generated key is valid, about half carry an N, and the
-- domain accepts and rejects what product_key does on a few samples
CREATE FUNCTION bench_assert(ok boolean, what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'bench: sanity check failed: %', what;
	END IF;
END
$$;
CREATE FUNCTION bench_domain_accepts(s text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM s::product_key_text;
	RETURN true;
EXCEPTION WHEN check_violation THEN
	RETURN false;
END
$$;
SELECT bench_assert(count(*) FILTER (WHERE NOT por_partner.product_key_is_valid(t)) = 0,
					'generated keys are valid'),
	   bench_assert(count(*) FILTER (WHERE t LIKE '%N%')
					BETWEEN 0.45 * count(*) AND 0.55 * count(*),
					'about half the generated keys have an N')
  FROM key_text \g /dev/null
SELECT bench_assert(por_partner.product_key_is_valid(s) = bench_domain_accepts(s),
					'domain and product_key agree on ' || s)
  FROM unnest(ARRAY['BCDFG-HJKMN-PQRTV-WXY23-46789', 'bcdfghjkmnpqrtvwxy2346789',
					'BCDFG-HJKMN-PQRTV-WXY23-4678N', 'BCDFG-HJKMA-PQRTV-WXY23-46789',
					'BCDFG-HJKMP-QRTVW-XY234-6789', 'BCDFG-HJKMP-QRTVW-XY234-6789BC']) AS s
  \g /dev/null

-- hint bits, visibility map (index-only scans) and statistics, then a clean
-- start: nothing dirty in shared_buffers
VACUUM (FREEZE, ANALYZE) key_text, uuid_text, pk_col, uuid_col, dom_col,
	pk_probe, uuid_probe, dom_probe;
CHECKPOINT;

-- index size target: the btree index on a plain text column holding the
-- canonical keys (built once; dropped so no later plan can use it)
CREATE TABLE bench_size (name text PRIMARY KEY, bytes bigint NOT NULL);
CREATE INDEX key_text_idx ON key_text (t);
INSERT INTO bench_size VALUES ('text', pg_relation_size('key_text_idx'));
DROP INDEX key_text_idx;

--------------------------------------------------------------------------
-- The measurements.  Each row: a statement to time, an untimed statement
-- run just before it in the same transaction (setup) and one just after
-- (after), and the count the statement must return.
--------------------------------------------------------------------------

CREATE TABLE bench_query (
	metric	text NOT NULL,
	variant text NOT NULL,
	setup	text,
	query	text NOT NULL,
	after	text,
	expect	bigint,
	PRIMARY KEY (metric, variant)
);

-- Conversions must happen on every row: the FILTER evaluates the cast for
-- each row, and the count proves it succeeded for each.  The baselines are
-- the same scans and the same FILTER without the cast; query minus baseline
-- is the net cost of the conversion.
INSERT INTO bench_query (metric, variant, query, expect) VALUES
	-- text -> type
	('to_type', 'product_key',
	 'SELECT count(*) FILTER (WHERE t::por_partner.product_key IS NOT NULL) FROM key_text', :keys),
	('to_type', 'uuid',
	 'SELECT count(*) FILTER (WHERE t::uuid IS NOT NULL) FROM uuid_text', :keys),
	('to_type', 'text domain',
	 'SELECT count(*) FILTER (WHERE t::product_key_text IS NOT NULL) FROM key_text', :keys),
	('to_type', 'baseline key_text',
	 'SELECT count(*) FILTER (WHERE t IS NOT NULL) FROM key_text', :keys),
	('to_type', 'baseline uuid_text',
	 'SELECT count(*) FILTER (WHERE t IS NOT NULL) FROM uuid_text', :keys),
	-- type -> text (for the domain a mere relabelling: no work at all)
	('to_text', 'product_key',
	 'SELECT count(*) FILTER (WHERE k::text IS NOT NULL) FROM pk_col', :keys),
	('to_text', 'uuid',
	 'SELECT count(*) FILTER (WHERE k::text IS NOT NULL) FROM uuid_col', :keys),
	('to_text', 'text domain',
	 'SELECT count(*) FILTER (WHERE k::text IS NOT NULL) FROM dom_col', :keys),
	('to_text', 'baseline product_key',
	 'SELECT count(*) FILTER (WHERE k IS NOT NULL) FROM pk_col', :keys),
	('to_text', 'baseline uuid',
	 'SELECT count(*) FILTER (WHERE k IS NOT NULL) FROM uuid_col', :keys),
	('to_text', 'baseline text domain',
	 'SELECT count(*) FILTER (WHERE k IS NOT NULL) FROM dom_col', :keys);

-- btree index build (in memory: maintenance_work_mem is large).  The index
-- is then loaded into shared_buffers (untimed), so that the lookups do not
-- pay for reading a freshly written index.
INSERT INTO bench_query (metric, variant, setup, query, after)
SELECT 'index', v, format('DROP INDEX IF EXISTS %I', tab || '_idx'),
	   format('CREATE INDEX %I ON %I (k)', tab || '_idx', tab),
	   format('SELECT pg_prewarm(%L)', tab || '_idx')
  FROM (VALUES ('product_key', 'pk_col'), ('uuid', 'uuid_col'),
			   ('text domain', 'dom_col')) AS v(v, tab);

-- equality lookups: every probe through the index, by a nested loop join
-- (no hash or merge join, no seq scan or bitmap scan of the big table, no
-- memoize); the tables are vacuumed, so these are index-only scans
INSERT INTO bench_query (metric, variant, setup, query, expect)
SELECT 'lookup', v,
	   'SELECT set_config(''enable_hashjoin'', ''off'', true),
			   set_config(''enable_mergejoin'', ''off'', true),
			   set_config(''enable_seqscan'', ''off'', true),
			   set_config(''enable_bitmapscan'', ''off'', true),
			   set_config(''enable_memoize'', ''off'', true)',
	   format('SELECT count(*) FROM %I p JOIN %I c ON c.k = p.k', probe, tab),
	   :probes
  FROM (VALUES ('product_key', 'pk_col', 'pk_probe'),
			   ('uuid', 'uuid_col', 'uuid_probe'),
			   ('text domain', 'dom_col', 'dom_probe')) AS v(v, tab, probe);

CREATE TABLE bench_sample (
	metric	text NOT NULL,
	variant text NOT NULL,
	round	int NOT NULL,
	ms		double precision NOT NULL
);

-- Run one statement of bench_query; return its wall time in ms.
CREATE FUNCTION bench_time(m text, v text) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
	q	bench_query;
	t0	timestamptz;
	t1	timestamptz;
	n	bigint;
BEGIN
	SELECT * INTO STRICT q FROM bench_query WHERE metric = m AND variant = v;
	IF q.setup IS NOT NULL THEN
		EXECUTE q.setup;
	END IF;
	IF q.expect IS NULL THEN
		t0 := clock_timestamp();
		EXECUTE q.query;
		t1 := clock_timestamp();
	ELSE
		t0 := clock_timestamp();
		EXECUTE q.query INTO n;
		t1 := clock_timestamp();
		IF n IS DISTINCT FROM q.expect THEN
			RAISE EXCEPTION 'bench: % / % returned %, expected %', m, v, n, q.expect;
		END IF;
	END IF;
	IF q.after IS NOT NULL THEN
		EXECUTE q.after;
	END IF;
	RETURN extract(epoch FROM t1 - t0) * 1000;
END
$$;

-- Round 0 warms up (caches, the indexes for the lookups) and is not
-- recorded; rounds 1..reps are.  Metric by metric, the variants run in an
-- order rotated by one every round.  Each statement is its own transaction
-- (the COMMIT also ends the SET LOCALs of the lookups).
CREATE PROCEDURE bench_run(reps int)
LANGUAGE plpgsql AS $$
DECLARE
	r		int;
	i		int;
	m		text;
	vs		text[];
	v		text;
	ms		double precision;
BEGIN
	FOR r IN 0..reps LOOP
		FOREACH m IN ARRAY ARRAY['to_type', 'to_text', 'index', 'lookup'] LOOP
			SELECT array_agg(variant ORDER BY variant) INTO vs
			  FROM bench_query WHERE metric = m;
			FOR i IN 0..cardinality(vs) - 1 LOOP
				v := vs[1 + (i + r) % cardinality(vs)];
				ms := bench_time(m, v);
				IF r > 0 THEN
					INSERT INTO bench_sample VALUES (m, v, r, ms);
				END IF;
				COMMIT;
			END LOOP;
		END LOOP;
		RAISE WARNING 'bench: round %/% done%', r, reps,
			CASE WHEN r = 0 THEN ' (warm-up)' ELSE '' END;
	END LOOP;
END
$$;

\warn 'bench: measuring,' :reps 'rounds after a warm-up'
SET client_min_messages = warning;
CALL bench_run(:reps);

INSERT INTO bench_size
SELECT v, pg_relation_size(tab || '_idx')
  FROM (VALUES ('product_key', 'pk_col'), ('uuid', 'uuid_col'),
			   ('text domain', 'dom_col')) AS v(v, tab);

--------------------------------------------------------------------------
-- The plans, for the record: the conversions scan, the lookups are nested
-- loops over index-only scans.
--------------------------------------------------------------------------

CREATE FUNCTION bench_explain(m text, v text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	q		bench_query;
	line	text;
BEGIN
	SELECT * INTO STRICT q FROM bench_query WHERE metric = m AND variant = v;
	RETURN NEXT format('-- %s / %s', m, v);
	IF q.setup IS NOT NULL AND q.setup LIKE 'SELECT set_config%' THEN
		EXECUTE q.setup;
	END IF;
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) ' || q.query LOOP
		RETURN NEXT line;
	END LOOP;
	RETURN NEXT '';
END
$$;

\o :plans
-- one statement (one transaction) per plan, so that no setting leaks
SELECT format('SELECT * FROM bench_explain(%L, %L)', metric, variant)
  FROM bench_query WHERE metric <> 'index' ORDER BY metric, variant \gexec
\o

--------------------------------------------------------------------------
-- The report
--------------------------------------------------------------------------

CREATE FUNCTION bench_med(m text, v text) RETURNS double precision
LANGUAGE sql STABLE AS $$
	SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)
	  FROM bench_sample WHERE metric = m AND variant = v
$$;

-- One line of the table: a label, the three values, and the ratios
-- product_key/uuid and product_key/domain (unless ratios is false; the one
-- to the domain unless dom_ratio is false).  A ratio to a value not above
-- zero_below (noise around zero) is shown as n/a.
CREATE FUNCTION bench_line(label text, pk float8, uu float8, dom float8,
						   digits int, ratios boolean,
						   zero_below float8 DEFAULT 0, dom_ratio boolean DEFAULT true)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT format('%-36s %12s %12s %12s %9s %9s', label,
				  round(pk::numeric, digits), round(uu::numeric, digits),
				  round(dom::numeric, digits),
				  CASE WHEN NOT ratios THEN ''
					   WHEN uu > zero_below THEN to_char(pk / uu, 'FM9990.00') || 'x'
					   ELSE 'n/a' END,
				  CASE WHEN NOT ratios THEN ''
					   WHEN dom_ratio AND dom > zero_below
					   THEN to_char(pk / dom, 'FM9990.00') || 'x'
					   ELSE 'n/a' END)
$$;

CREATE FUNCTION bench_report(n bigint, probes bigint, reps int) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	-- text -> type: queries, baselines, net ns per value
	tq_pk	float8 := bench_med('to_type', 'product_key');
	tq_uu	float8 := bench_med('to_type', 'uuid');
	tq_dom	float8 := bench_med('to_type', 'text domain');
	tb_key	float8 := bench_med('to_type', 'baseline key_text');
	tb_uu	float8 := bench_med('to_type', 'baseline uuid_text');
	tn_pk	float8 := (tq_pk - tb_key) * 1e6 / n;
	tn_uu	float8 := (tq_uu - tb_uu) * 1e6 / n;
	tn_dom	float8 := (tq_dom - tb_key) * 1e6 / n;
	-- type -> text
	oq_pk	float8 := bench_med('to_text', 'product_key');
	oq_uu	float8 := bench_med('to_text', 'uuid');
	oq_dom	float8 := bench_med('to_text', 'text domain');
	ob_pk	float8 := bench_med('to_text', 'baseline product_key');
	ob_uu	float8 := bench_med('to_text', 'baseline uuid');
	ob_dom	float8 := bench_med('to_text', 'baseline text domain');
	-- index build, sizes, lookups
	ib_pk	float8 := bench_med('index', 'product_key');
	ib_uu	float8 := bench_med('index', 'uuid');
	ib_dom	float8 := bench_med('index', 'text domain');
	sz_pk	float8 := (SELECT bytes FROM bench_size WHERE name = 'product_key');
	sz_uu	float8 := (SELECT bytes FROM bench_size WHERE name = 'uuid');
	sz_dom	float8 := (SELECT bytes FROM bench_size WHERE name = 'text domain');
	sz_txt	float8 := (SELECT bytes FROM bench_size WHERE name = 'text');
	lk_pk	float8 := bench_med('lookup', 'product_key');
	lk_uu	float8 := bench_med('lookup', 'uuid');
	lk_dom	float8 := bench_med('lookup', 'text domain');
	mb		float8 := 1024.0 * 1024.0;
	r		float8;
BEGIN
	RETURN NEXT format('%-36s %12s %12s %12s %9s %9s', '(medians of ' || reps || ' runs)',
					   'product_key', 'uuid', 'text domain', 'pk/uuid', 'pk/domain');
	RETURN NEXT repeat('-', 95);
	RETURN NEXT bench_line('text -> type: query, ms', tq_pk, tq_uu, tq_dom, 1, true);
	RETURN NEXT bench_line('  baseline scan (no cast), ms', tb_key, tb_uu, tb_key, 1, false);
	RETURN NEXT bench_line('  net conversion, ns/value *', tn_pk, tn_uu, tn_dom, 1, true, 0.5);
	RETURN NEXT bench_line('type -> text: query, ms', oq_pk, oq_uu, oq_dom, 1, true);
	RETURN NEXT bench_line('  baseline scan (no cast), ms', ob_pk, ob_uu, ob_dom, 1, false);
	RETURN NEXT bench_line('  net conversion, ns/value', (oq_pk - ob_pk) * 1e6 / n,
						   (oq_uu - ob_uu) * 1e6 / n, (oq_dom - ob_dom) * 1e6 / n, 1, true,
						   0.5, false);	-- the domain's: noise around zero
	RETURN NEXT bench_line('btree index build, ms', ib_pk, ib_uu, ib_dom, 1, true);
	RETURN NEXT bench_line('btree index size, MB', sz_pk / mb, sz_uu / mb, sz_dom / mb, 2, true);
	RETURN NEXT bench_line(format('equality lookups (%s probes), ms', probes),
						   lk_pk, lk_uu, lk_dom, 1, true);
	RETURN NEXT bench_line('  per lookup, us', lk_pk * 1000 / probes, lk_uu * 1000 / probes,
						   lk_dom * 1000 / probes, 2, true);
	RETURN NEXT '';
	RETURN NEXT '* net conversion = (median query - median baseline scan of the same column) / '
		|| n || ' values.';
	RETURN NEXT '  The conversion targets are judged on this net cost, not on the raw query time.';
	RETURN NEXT '  The texts converted are canonical: keys upper case with hyphens, uuids as uuid_out writes them.';
	RETURN NEXT '  text domain -> text is a relabelling (no work), hence n/a.';
	RETURN NEXT 'Ratios are product_key / other, from the medians: below 1 means product_key';
	RETURN NEXT 'is faster (or smaller).';
	RETURN NEXT '';
	RETURN NEXT 'Targets (PASS/MISS is reported, never enforced):';
	r := tn_pk / nullif(tn_uu, 0);
	RETURN NEXT format('  %-54s %9s  %s', 'text -> product_key net cost <= 1.1x text -> uuid',
					   coalesce(to_char(r, 'FM9990.00') || 'x', 'n/a'),
					   CASE WHEN tn_pk <= 1.1 * tn_uu THEN 'PASS' ELSE 'MISS' END);
	r := tn_dom / nullif(tn_pk, 0);
	RETURN NEXT format('  %-54s %9s  %s', 'text -> product_key >= 3x faster than the text domain',
					   CASE WHEN tn_pk <= 0 THEN 'inf'
							ELSE to_char(r, 'FM9990.00') || 'x' END,
					   CASE WHEN tn_pk <= 0 OR tn_dom >= 3 * tn_pk THEN 'PASS' ELSE 'MISS' END);
	r := sz_pk / sz_txt;
	RETURN NEXT format('  %-54s %9s  %s  (%s MB / %s MB)',
					   'product_key btree <= 75% of the btree on canonical text',
					   to_char(100 * r, 'FM990.0') || '%',
					   CASE WHEN r <= 0.75 THEN 'PASS' ELSE 'MISS' END,
					   round((sz_pk / mb)::numeric, 2), round((sz_txt / mb)::numeric, 2));
END
$$;

SELECT * FROM bench_report(:keys, :probes, :reps);
