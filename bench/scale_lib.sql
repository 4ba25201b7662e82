/* bench/scale_lib.sql: the helpers of bench/scale.sh, created in the book's template database (its clones inherit them) */
-- Run as superuser once, before the book is loaded.  Nothing here belongs to
-- the extension: the tables and procedures live in schema public.

-- The bulk load drops the indexes that nothing else needs while rows go in,
-- and builds them again afterwards, as pg_restore does (an index built over
-- the rows is faster to make, and as compact as a restored one).  Kept in
-- place: primary keys (inserted in key order, cheap) and the unique indexes
-- foreign keys rely on.  The definitions are read from the catalog, so
-- whatever the installed version defines is what is built again.
CREATE TABLE public.bench_ddl (
	n serial PRIMARY KEY,
	tab regclass NOT NULL,
	create_sql text NOT NULL
);

CREATE PROCEDURE public.bench_drop_indexes(tabs regclass[])
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT i.indexrelid, i.indrelid,
		       CASE WHEN c.oid IS NOT NULL
		            THEN format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
		            -- an index of a partitioned table is built on its partitions too
		            ELSE replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') END AS create_sql,
		       CASE WHEN c.oid IS NOT NULL
		            THEN format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, c.conname)
		            ELSE format('DROP INDEX %s', i.indexrelid::regclass) END AS drop_sql
		  FROM pg_index i
		  JOIN pg_class t ON t.oid = i.indrelid
		  LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
		 WHERE i.indrelid = ANY (tabs) AND t.relkind IN ('r', 'p') AND NOT t.relispartition
		   AND NOT i.indisprimary
		   AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
		 ORDER BY i.indrelid, i.indexrelid
	LOOP
		BEGIN
			EXECUTE r.drop_sql;
			INSERT INTO public.bench_ddl (tab, create_sql) VALUES (r.indrelid, r.create_sql);
		EXCEPTION WHEN OTHERS THEN
			RAISE NOTICE 'index kept during the load (%): %', SQLERRM, r.create_sql;
		END;
	END LOOP;
END $$;

CREATE PROCEDURE public.bench_restore_indexes(tabs regclass[])
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	t0 timestamptz;
BEGIN
	FOR r IN SELECT * FROM public.bench_ddl WHERE tab = ANY (tabs) ORDER BY n LOOP
		t0 := clock_timestamp();
		EXECUTE r.create_sql;
		DELETE FROM public.bench_ddl WHERE n = r.n;
		RAISE NOTICE 'built in % s: %', round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1), r.create_sql;
	END LOOP;
END $$;

-- One measured round of one query: q, run as role (null: the superuser), in a
-- subtransaction that is rolled back when rollback is set (so every round
-- finds the same rows), repeated until min_ms have passed or max_reps runs
-- were made; the round's time is the median of its runs.  The query's first
-- column of its first row is kept as its result.  An error is recorded with
-- the round (ok = false), and the following rounds of the same side are
-- skipped.  QUERY_CANCELED (statement_timeout) is not caught: the caller
-- records it.
CREATE TABLE public.bench_timings (
	side text NOT NULL,
	round int NOT NULL,
	ms float8,
	reps int,
	ok boolean NOT NULL,
	result text,
	err text
);

CREATE PROCEDURE public.bench_time(p_side text, p_round int, p_role text, p_q text, p_rollback boolean,
	p_min_ms float8 DEFAULT 0, p_max_reps int DEFAULT 1)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	el float8;
	times float8[] := '{}';
	res text;
	total float8 := 0;
	failure text;
BEGIN
	IF EXISTS (SELECT 1 FROM public.bench_timings t WHERE t.side = p_side AND NOT t.ok) THEN
		RETURN;
	END IF;
	LOOP
		BEGIN
			IF p_role IS NOT NULL THEN
				EXECUTE format('SET ROLE %I', p_role);
			END IF;
			t0 := clock_timestamp();
			EXECUTE p_q INTO res;
			el := extract(epoch FROM clock_timestamp() - t0) * 1000;
			IF p_role IS NOT NULL THEN
				RESET ROLE;
			END IF;
			IF p_rollback THEN
				RAISE EXCEPTION 'rolled back' USING ERRCODE = 'BR001';
			END IF;
		EXCEPTION
			WHEN SQLSTATE 'BR001' THEN
				NULL;
			WHEN OTHERS THEN
				failure := SQLSTATE || ' ' || SQLERRM;
		END;
		EXIT WHEN failure IS NOT NULL;
		times := times || el;
		total := total + el;
		EXIT WHEN total >= p_min_ms OR cardinality(times) >= p_max_reps;
	END LOOP;
	IF failure IS NOT NULL THEN
		INSERT INTO public.bench_timings VALUES (p_side, p_round, NULL, cardinality(times), false, NULL, failure);
	ELSE
		INSERT INTO public.bench_timings
		SELECT p_side, p_round, percentile_cont(0.5) WITHIN GROUP (ORDER BY t), cardinality(times), true, res, NULL
		  FROM unnest(times) AS t;
	END IF;
END $$;
