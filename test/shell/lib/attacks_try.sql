-- Attacks 5, 6 and 7 (test/shell/attacks.sh), the login's half: run as the
-- login under attack, with calls on its standard input (COPY text lines
-- id  function  argument  variant  sql  mask, as attacks_calls.sql writes
-- them).  Each call runs in a subtransaction of its own; with :keep = 'off'
-- it is rolled back even when it succeeds (the world stays as it was), with
-- 'on' what succeeds is kept and committed.
-- Output, tab-separated: id function argument variant sqlstate answer md5
--   sqlstate  00000 when the call succeeds, else the error's
--   answer    the result, or what psql shows of the error with
--             VERBOSITY=default and SHOW_CONTEXT=errors (ERROR, DETAIL,
--             HINT, CONTEXT), one line, with the texts of mask replaced by
--             <arg> (so that an id or key given does not make two answers
--             differ); cut at 1000 characters
--   md5       of the whole answer so masked (what the suite compares)
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SET search_path = pg_catalog, pg_temp;
CREATE TEMP TABLE call (n int, fn text, arg text, variant text, sql text, mask text[]);
\copy call FROM pstdin

CREATE FUNCTION pg_temp.try(sql text, keep boolean, OUT state text, OUT answer text)
LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	detail text;
	hint text;
	context text;
BEGIN
	IF sql IS NULL THEN
		state := 'none';
		answer := 'no value known for the argument';
		RETURN;
	END IF;
	BEGIN
		EXECUTE sql INTO answer;
		state := '00000';
		IF NOT keep THEN
			RAISE EXCEPTION 'roll the call back' USING ERRCODE = 'ZX999';
		END IF;
	EXCEPTION
		WHEN SQLSTATE 'ZX999' THEN
			NULL;
		WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
			    detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT, context = PG_EXCEPTION_CONTEXT;
			answer := concat_ws(E'\n', 'ERROR:  ' || msg, 'DETAIL:  ' || nullif(detail, ''),
			                    'HINT:  ' || nullif(hint, ''), 'CONTEXT:  ' || nullif(context, ''));
	END;
END $$;

-- the masked answer; the temporary schema of this session's try() named
-- the same whatever the session (pg_temp_3, pg_temp_4: it shows in CONTEXT)
CREATE FUNCTION pg_temp.masked(answer text, mask text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	m text;
BEGIN
	answer := regexp_replace(answer, '\mpg_temp_[0-9]+\.', 'pg_temp.', 'g');
	FOREACH m IN ARRAY coalesce(mask, '{}') LOOP
		answer := CASE WHEN m ~ '^[0-9]+$' THEN regexp_replace(answer, '\m' || m || '\M', '<arg>', 'g')
		               ELSE replace(answer, m, '<arg>') END;
	END LOOP;
	RETURN answer;
END $$;

SELECT c.n, c.fn, c.arg, c.variant, t.state, left(replace(replace(m, E'\n', ' | '), E'\t', ' '), 1000), md5(coalesce(m, ''))
  FROM call c, LATERAL pg_temp.try(c.sql, :'keep'::boolean) AS t,
       LATERAL pg_temp.masked(t.answer, c.mask) AS m
 ORDER BY c.n;
