-- test/load/report.sql: what the attempt ledger says about a run, as text
-- lines (run by test/load/run.sh): errors by SQLSTATE, then each kind of call
-- with its outcomes.
\set QUIET on
\pset format unaligned
\pset tuples_only on

WITH name (code, name) AS (VALUES
	('22004', 'null_value_not_allowed'), ('22023', 'invalid_parameter_value'),
	('23503', 'foreign_key_violation'), ('23505', 'unique_violation'), ('23514', 'check_violation'),
	('40001', 'serialization_failure'), ('40P01', 'deadlock_detected'),
	('42501', 'insufficient_privilege'), ('55000', 'object_not_in_prerequisite_state'),
	('55P03', 'lock_not_available'), ('57014', 'query_canceled')
), e AS (
	SELECT outcome, sum(k) AS n,
	       string_agg(kind || ' ' || k, ', ' ORDER BY k DESC, kind) AS by_kind
	  FROM (SELECT outcome, kind, count(*) AS k FROM load.attempt WHERE outcome <> 'ok' GROUP BY 1, 2) x
	 GROUP BY outcome
)
SELECT line FROM (
	SELECT 1 AS part, 0::numeric AS ord,
	       format('errors by SQLSTATE: %s in all (%s of %s calls)',
	              coalesce((SELECT sum(n) FROM e), 0),
	              round(100.0 * coalesce((SELECT sum(n) FROM e), 0) / greatest((SELECT count(*) FROM load.attempt), 1), 1) || '%',
	              (SELECT count(*) FROM load.attempt)) AS line
	UNION ALL
	SELECT 2, -e.n, format('  %s %-33s %8s  (%s)', e.outcome, coalesce(name.name, '?'), e.n, e.by_kind)
	  FROM e LEFT JOIN name ON name.code = e.outcome
	UNION ALL
	SELECT 3, 0, 'calls by kind (outcome: count):'
	UNION ALL
	SELECT 4, -sum(n), format('  %-13s %8s calls: %s', kind, sum(n),
	                          string_agg(outcome || ' ' || n, ', ' ORDER BY outcome <> 'ok', n DESC))
	  FROM (SELECT kind, outcome, count(*) AS n FROM load.attempt GROUP BY 1, 2) x
	 GROUP BY kind
	UNION ALL
	SELECT 5, 0,
	       format('effects: %s customers created, %s keys redeemed, %s renewals, %s users added, %s licenses assigned, %s removed, %s notices sent',
	              count(*) FILTER (WHERE kind = 'create' AND outcome = 'ok'),
	              (SELECT count(*) FROM load.attempt a, jsonb_array_elements(a.args->'keys')
	                WHERE a.outcome = 'ok' AND a.kind IN ('create', 'add_licenses', 'renew')),
	              count(*) FILTER (WHERE kind = 'renew' AND outcome = 'ok'),
	              count(*) FILTER (WHERE kind = 'add_user' AND outcome = 'ok'),
	              count(*) FILTER (WHERE kind = 'assign' AND outcome = 'ok')
	              + count(*) FILTER (WHERE kind = 'add_user' AND outcome = 'ok' AND args->>'subscription_id' IS NOT NULL),
	              count(*) FILTER (WHERE kind = 'remove' AND outcome = 'ok'),
	              (SELECT coalesce(sum(jsonb_array_length(result->'notice_ids')), 0) FROM load.attempt
	                WHERE kind = 'notices' AND outcome = 'ok'))
	  FROM load.attempt
) r ORDER BY part, ord, line;
