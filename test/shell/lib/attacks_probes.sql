-- Attack 1 (test/shell/attacks.sh), the superuser's half: for every column
-- of every relation of schemas por_partner and por_partner_book that the
-- role :'login' may SELECT (from the catalog: has_column_privilege), the
-- values the column holds in the whole database, and a value it does not
-- hold (for the estimate comparison).  The values come from the table
-- itself as the superuser sees it (every row), or, for a view of
-- por_partner_book, from the base table of the same name in por_partner.
-- The login's session (attacks_oracle.sql) then keeps those it cannot see.
-- Output: COPY text lines  relation  column  type  kind(value|absent)  value
--   psql -v login=login_p1 -f attacks_probes.sql >probes.tsv
\set QUIET on
\ir ../../fixtures/key.sql
CREATE FUNCTION pg_temp.probes(login name)
RETURNS TABLE (rel text, col text, typ text, kind text, val text)
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	src text;
	absent text;
	taken boolean;
BEGIN
	FOR r IN
		SELECT c.oid::regclass::text AS relation, n.nspname, c.relname, a.attname, a.atttypid,
		       format_type(a.atttypid, a.atttypmod) AS type_name, t.typcategory
		  FROM pg_class c
		  JOIN pg_namespace n ON n.oid = c.relnamespace
		  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		  JOIN pg_type t ON t.oid = a.atttypid
		 WHERE n.nspname IN ('por_partner', 'por_partner_book')
		   AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
		   AND has_column_privilege(login, c.oid, a.attnum, 'SELECT')
		 ORDER BY 1, a.attnum
	LOOP
		src := r.relation;
		IF r.nspname = 'por_partner_book' AND EXISTS (
			SELECT 1 FROM pg_attribute b
			 WHERE b.attrelid = to_regclass(format('por_partner.%I', r.relname))
			   AND b.attname = r.attname AND NOT b.attisdropped) THEN
			src := format('por_partner.%I', r.relname);
		END IF;
		RETURN QUERY EXECUTE format(
			'SELECT %L::text, %L::text, %L::text, ''value''::text, v
			   FROM (SELECT DISTINCT %I::text AS v FROM %s WHERE %I IS NOT NULL) AS d
			  ORDER BY v LIMIT 400',
			r.relation, r.attname, r.type_name, r.attname, src, r.attname);
		absent := CASE
			WHEN r.atttypid = 'por_partner.product_key'::regtype THEN pg_temp.key('absent', 1)::text
			WHEN r.atttypid = 'regrole'::regtype THEN NULL
			WHEN r.typcategory = 'N' THEN '98765432'
			WHEN r.typcategory = 'S' THEN 'no such value'
			WHEN r.typcategory = 'D' THEN '1901-01-01'
		END;
		IF absent IS NOT NULL THEN
			EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I::text = %L)', src, r.attname, absent)
			   INTO taken;
			IF NOT taken THEN
				rel := r.relation; col := r.attname; typ := r.type_name; kind := 'absent'; val := absent;
				RETURN NEXT;
			END IF;
		END IF;
	END LOOP;
END $$;
COPY (SELECT * FROM pg_temp.probes(:'login')) TO STDOUT;
