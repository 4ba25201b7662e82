-- The tables of the extension: name, columns in order, the rows pg_dump keeps
-- (test/shell/upgrade.sh).
SELECT c.oid::regclass::text,
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
       coalesce((SELECT x.cond FROM unnest(e.extconfig, e.extcondition) AS x (rel, cond) WHERE x.rel = c.oid), '')
  FROM pg_extension e
  JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
  JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid AND c.relkind IN ('r', 'p')
 WHERE e.extname = 'por_partner'
 ORDER BY 1
