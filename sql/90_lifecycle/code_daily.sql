/* sql/90_lifecycle/code_daily.sql: the daily job, in batches that commit (rules R1, R6, P3, P4) */

-- CALL por_partner.run_daily_job(): the renewal notices due today, one
-- batch (one transaction) for each day of expiry in the notice window, then
-- the day's phase changes, then the purge.  Each batch commits on its own,
-- so a large book is never one long transaction, a failure loses only its
-- batch (the next run sends it), and a subscription another transaction
-- holds locked is skipped, never waited for: it delays only its own notice,
-- which the next run sends.  Each notice is recorded once and woken for at
-- its batch's commit.  A procedure that commits runs as its caller, with no
-- SET clause (PostgreSQL allows COMMIT in neither case): every name is
-- schema-qualified.  Run it outside a transaction block, as pg_cron does.
CREATE OR REPLACE PROCEDURE @extschema@.run_daily_job(as_of date DEFAULT current_date)
LANGUAGE plpgsql AS $$
DECLARE
	days int;
BEGIN
	IF as_of IS NULL OR NOT pg_catalog.isfinite(as_of) THEN
		PERFORM por_partner_internal.require_finite_day(as_of, 'as_of', 'Pass the day the job runs for, such as current_date.');
	END IF;
	-- the days of expiry a notice sent on as_of can be for: as_of + 1 to the
	-- horizon, which is held to the last date
	days := por_partner_internal.notice_horizon(as_of) OPERATOR(pg_catalog.-) as_of;
	FOR i IN 1 .. days LOOP
		PERFORM pg_catalog.count(*) FROM por_partner_internal.record_renewal_notices(as_of,
			as_of OPERATOR(pg_catalog.+) i, as_of OPERATOR(pg_catalog.+) i);
		COMMIT;
	END LOOP;
	PERFORM pg_catalog.count(*) FROM @extschema@.send_phase_notices(as_of);
	COMMIT;
	PERFORM @extschema@.purge_deprovisioned(as_of);
	COMMIT;
	PERFORM pg_catalog.count(*) FROM @extschema@.audit_maintain(as_of);
	COMMIT;
END $$;

COMMENT ON PROCEDURE @extschema@.run_daily_job(date) IS
	'The daily job, for pg_cron or any scheduler (CALL, outside a transaction block): the renewal notices due on a day (default today) in batches that commit, one a day of expiry in the notice window, skipping subscriptions other transactions hold locked (the next run sends their notices); then the phase changes as change notices; then the purge (rules R1, P3, P4, R6); then the audit trail''s partitions and retention (audit_maintain()).  For operators.';
