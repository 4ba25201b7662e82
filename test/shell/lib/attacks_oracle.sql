-- Attack 1a/1b (test/shell/attacks.sh), the login's half: run as the login
-- under attack, with the superuser's probes (attacks_probes.sql) on its
-- standard input.  For each column, the values the login cannot see itself
-- (at most two: the least and the greatest, as text) are probed:
--   lt_le   EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
--           SELECT 1 FROM rel WHERE col < v, and the same with col <= v,
--           with the default planner settings and with seq and bitmap scans
--           off: the two texts must be the same but for the operator (a
--           hidden row equal to v would be counted by <= alone);
--   eq_rows the same EXPLAIN ANALYZE of col = v and of col = a value no row
--           holds: the same nodes with the same row counts;
--   eq_est  plain EXPLAIN (estimates) of col = v and of col = the absent
--           value: the same nodes with the same estimated rows.
-- Output, tab-separated: check  relation  column  settings  verdict  value
-- detail (verdict same, differ or n/a; detail: the two plans when they
-- differ, one line each, newlines as " | ").
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SET search_path = pg_catalog, por_partner, pg_temp;
-- the forced plans cost over jit_above_cost: JIT would add 0.1 s a plan, and
-- changes no row count
SET jit = off;
CREATE TEMP TABLE probe (rel text, col text, typ text, kind text, val text);
\copy probe FROM pstdin

CREATE FUNCTION pg_temp.plan(q text, with_analyze boolean, forced boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	l text;
	r text := '';
BEGIN
	PERFORM set_config('enable_seqscan', CASE WHEN forced THEN 'off' ELSE 'on' END, true),
	        set_config('enable_bitmapscan', CASE WHEN forced THEN 'off' ELSE 'on' END, true);
	FOR l IN EXECUTE CASE WHEN with_analyze THEN 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) '
	                      ELSE 'EXPLAIN ' END || q LOOP
		r := r || l || E'\n';
	END LOOP;
	RETURN r;
EXCEPTION WHEN OTHERS THEN
	RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END $$;

-- the nodes of a plan with their row counts (actual or estimated), without
-- the conditions (which hold the literal)
CREATE FUNCTION pg_temp.row_counts(p text) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(regexp_replace(l, 'cost=[0-9.]+\.\.[0-9.]+ ', ''), E'\n' ORDER BY n)
	  FROM regexp_split_to_table(p, E'\n') WITH ORDINALITY AS s (l, n)
	 WHERE l ~ '\((actual|cost=|never executed)' OR l ~ 'Rows Removed by' OR l ~ '^ERROR'
$$;

CREATE FUNCTION pg_temp.q(r probe, op text, v text) RETURNS text LANGUAGE sql AS $$
	SELECT format('SELECT 1 FROM %s WHERE %I %s %L::%s', r.rel, r.col, op, v, r.typ)
$$;

CREATE FUNCTION pg_temp.visible(r probe) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	seen boolean;
BEGIN
	EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I::text = %L)', r.rel, r.col, r.val) INTO seen;
	RETURN seen;
EXCEPTION WHEN OTHERS THEN
	RETURN true;		-- not probed
END $$;

-- the least and the greatest (as text) of the values the login cannot see
CREATE TEMP TABLE hidden AS
SELECT (p::probe).*
  FROM (SELECT p, row_number() OVER (PARTITION BY rel, col ORDER BY val) AS lo,
               row_number() OVER (PARTITION BY rel, col ORDER BY val DESC) AS hi
          FROM probe p
         WHERE p.kind = 'value' AND NOT pg_temp.visible(p)) AS x
 WHERE lo = 1 OR hi = 1;

CREATE FUNCTION pg_temp.oracle()
RETURNS TABLE (test text, rel text, col text, settings text, verdict text, val text, detail text)
LANGUAGE plpgsql AS $$
DECLARE
	h probe;
	a text;
	forced boolean;
	p1 text;
	p2 text;
BEGIN
	FOR h IN SELECT * FROM hidden ORDER BY 1, 2, 5 LOOP
		rel := h.rel; col := h.col; val := h.val;
		SELECT p.val INTO a FROM probe p WHERE p.rel = h.rel AND p.col = h.col AND p.kind = 'absent';
		FOREACH forced IN ARRAY ARRAY[false, true] LOOP
			settings := CASE WHEN forced THEN 'enable_seqscan=off,enable_bitmapscan=off' ELSE 'default' END;
			-- < against <=
			test := 'lt_le';
			p1 := pg_temp.plan(pg_temp.q(h, '<', h.val), true, forced);
			p2 := pg_temp.plan(pg_temp.q(h, '<=', h.val), true, forced);
			verdict := CASE WHEN p1 ~ '^ERROR 42883' THEN 'n/a'
			                WHEN replace(p1, '<=', '<') = replace(p2, '<=', '<') THEN 'same' ELSE 'differ' END;
			detail := CASE WHEN verdict = 'differ' THEN replace(p1, E'\n', ' | ') || E'\t' || replace(p2, E'\n', ' | ') END;
			RETURN NEXT;
			-- = the hidden value against = a value nobody holds
			CONTINUE WHEN a IS NULL;
			test := 'eq_rows';
			p1 := pg_temp.plan(pg_temp.q(h, '=', h.val), true, forced);
			p2 := pg_temp.plan(pg_temp.q(h, '=', a), true, forced);
			verdict := CASE WHEN p1 ~ '^ERROR 42883' THEN 'n/a'
			                WHEN pg_temp.row_counts(p1) = pg_temp.row_counts(p2) THEN 'same' ELSE 'differ' END;
			detail := CASE WHEN verdict = 'differ' THEN replace(p1, E'\n', ' | ') || E'\t' || replace(p2, E'\n', ' | ') END;
			RETURN NEXT;
			CONTINUE WHEN forced;
			test := 'eq_est';
			p1 := pg_temp.plan(pg_temp.q(h, '=', h.val), false, false);
			p2 := pg_temp.plan(pg_temp.q(h, '=', a), false, false);
			verdict := CASE WHEN p1 ~ '^ERROR 42883' THEN 'n/a'
			                WHEN pg_temp.row_counts(p1) = pg_temp.row_counts(p2) THEN 'same' ELSE 'differ' END;
			detail := CASE WHEN verdict = 'differ' THEN replace(p1, E'\n', ' | ') || E'\t' || replace(p2, E'\n', ' | ') END;
			RETURN NEXT;
		END LOOP;
	END LOOP;
END $$;

SELECT * FROM pg_temp.oracle();
