-- Attack 6 (test/shell/attacks.sh): every table of schema por_partner, as
-- the superuser sees it (every row), with its row count and an md5 over its
-- rows in a fixed order: one line  table  count  md5
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
CREATE FUNCTION pg_temp.checksum(OUT tab text, OUT n bigint, OUT digest text) RETURNS SETOF record
LANGUAGE plpgsql AS $$
BEGIN
	FOR tab IN SELECT c.oid::regclass::text FROM pg_class c
	            WHERE c.relnamespace = 'por_partner'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1 LOOP
		EXECUTE format('SELECT count(*), coalesce(md5(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C")), ''-'') FROM %s t', tab)
		   INTO n, digest;
		RETURN NEXT;
	END LOOP;
END $$;
SELECT * FROM pg_temp.checksum();
