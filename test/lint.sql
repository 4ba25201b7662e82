-- test/lint.sh: plpgsql_check over every PL/pgSQL function of por_partner.
-- Lines "function <fn>" for each function checked and "finding <fn> <level>
-- <message (line, statement)>" for each finding; a trigger function is
-- checked against each table one of its triggers is on.
WITH fn AS (
	SELECT p.oid, p.oid::regprocedure::text AS name, p.prorettype = 'trigger'::regtype AS is_trigger
	  FROM pg_proc p
	  JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
	  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'por_partner'
),
target AS (
	SELECT fn.oid, fn.name, 0::oid AS relid FROM fn WHERE NOT fn.is_trigger
	UNION
	SELECT fn.oid, fn.name, t.tgrelid FROM fn JOIN pg_trigger t ON t.tgfoid = fn.oid WHERE fn.is_trigger
),
finding AS (
	SELECT t.name, c.level,
	       c.message || CASE WHEN t.relid <> 0 THEN ' [on ' || t.relid::regclass::text || ']' ELSE '' END
	       || ' (line ' || coalesce(c.lineno::text, '-') || ', ' || coalesce(c.statement, '-') || ')' AS message
	  FROM target t
	  CROSS JOIN LATERAL plpgsql_check_function_tb(t.oid, relid => t.relid, fatal_errors => false,
	                                               extra_warnings => true, security_warnings => true) AS c
)
SELECT 'function', name, NULL, NULL FROM fn
UNION ALL
SELECT DISTINCT 'finding', name, level, message FROM finding
ORDER BY 1 DESC, 2, 4;
