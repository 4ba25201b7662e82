-- Attack 1c (test/shell/attacks.sh): run as the login under attack, reads
-- everything it may read, found in the catalog: every relation of schemas
-- por_partner and por_partner_book it may SELECT (the columns it may, when
-- not all), and every set-returning function of those schemas it may
-- EXECUTE whose required arguments are integers or dates (integers 36500,
-- dates :'day', a day when renewal notices are due; the optional arguments
-- too when they all are).  One line a row:
--   relation-or-function  row-as-text    (or "... ERROR sqlstate: message")
-- The suite searches the lines for what the login must not see.
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION pg_temp.read_all(day date) RETURNS TABLE (source text, line text)
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	sql text;
BEGIN
	FOR r IN
		SELECT c.oid::regclass::text AS relation,
		       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
		         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		           AND has_column_privilege(c.oid, a.attnum, 'SELECT')) AS cols
		  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname IN ('por_partner', 'por_partner_book') AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
		   AND has_any_column_privilege(c.oid, 'SELECT')
		 ORDER BY 1
	LOOP
		source := r.relation;
		BEGIN
			RETURN QUERY EXECUTE format('SELECT %L, t::text FROM (SELECT %s FROM %s) AS t', r.relation, r.cols, r.relation);
		EXCEPTION WHEN OTHERS THEN
			line := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
			RETURN NEXT;
		END;
	END LOOP;
	FOR r IN
		SELECT p.oid::regprocedure::text AS fn, format('%I.%I', n.nspname, p.proname) AS name,
		       (SELECT string_agg(CASE WHEN t IN ('date'::regtype) THEN quote_literal(day) || '::date'
		                               ELSE '36500' END, ', ' ORDER BY i)
		          FROM unnest(p.proargtypes[0:p.pronargs - 1 - CASE WHEN all_given THEN 0 ELSE p.pronargdefaults END]::regtype[])
		               WITH ORDINALITY AS a (t, i)) AS args
		  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
		       LATERAL (SELECT p.proargtypes::regtype[] <@ ARRAY['date', 'integer', 'bigint', 'smallint']::regtype[]) AS g (all_given)
		 WHERE n.nspname IN ('por_partner', 'por_partner_book') AND p.proretset AND p.prokind = 'f'
		   AND p.provolatile <> 'v'
		   AND has_function_privilege(p.oid, 'EXECUTE')
		   AND p.proargtypes[0:p.pronargs - p.pronargdefaults - 1]::regtype[]
		       <@ ARRAY['date', 'integer', 'bigint', 'smallint']::regtype[]
		 ORDER BY 1
	LOOP
		source := r.fn;
		sql := format('SELECT %L, t::text FROM %s(%s) AS t', r.fn, r.name, coalesce(r.args, ''));
		BEGIN
			RETURN QUERY EXECUTE sql;
		EXCEPTION WHEN OTHERS THEN
			line := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
			RETURN NEXT;
		END;
	END LOOP;
END $$;
BEGIN;
SELECT * FROM pg_temp.read_all(:'day');
ROLLBACK;
