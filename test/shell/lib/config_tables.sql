-- The config tables with a condition, each with its condition and primary key
-- columns: pg_dump keeps the rows that meet it (test/shell/upgrade.sh).
SELECT c.rel::regclass::text, x.cond,
       coalesce((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY array_position(k.conkey, a.attnum))
                   FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
                  WHERE k.conrelid = c.rel AND k.contype = 'p'), 't.*')
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS c (rel, cond)
  CROSS JOIN LATERAL (SELECT regexp_replace(c.cond, '^\s*WHERE\s+', '', 'i') AS cond) AS x
 WHERE e.extname = 'por_partner' AND c.cond <> ''
 ORDER BY 1
