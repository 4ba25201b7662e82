/* sql/90_lifecycle/code_notices.sql: the phase changes of a term, as change notices to the partner of record (rule P3) */

-- A phase change is marked by no row change: the day simply comes.  The
-- daily job records, for every subscription whose partner of record has its
-- benefits active, the phase its term is in on the day, once a term and
-- phase, if it entered that phase since the last run (at most 30 days
-- before): a job that missed days catches up, and a term that ended long ago
-- is not news.  Superseded
-- subscriptions are left out: the switch (or the trial's conversion) was
-- their notice.  Three index range scans on expires_on.
CREATE OR REPLACE FUNCTION @extschema@.send_phase_notices(as_of date DEFAULT current_date)
RETURNS SETOF @extschema@.change_notice
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	n @extschema@.change_notice;
	recorded boolean := false;
	-- the day each phase begins, counted from expires_on (R5, R6)
	d_disabled int := por_partner_internal.subscription_phase_start('disabled');
	d_gone int := por_partner_internal.subscription_phase_start('deprovisioned');
	-- a phase entered at most 30 days before as_of is news, and of those
	-- only what entered it after the last run's day (job_state): a daily
	-- run looks at one day of each phase, a run after missed days at them
	window_days int := 30;
	done_through date;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		PERFORM por_partner_internal.require_finite_day(as_of, 'as_of', 'Pass the day the notices are sent on, such as current_date.');
	END IF;
	SELECT j.phase_notices_through INTO done_through FROM por_partner_internal.job_state j FOR UPDATE;
	IF done_through IS NOT NULL AND done_through <= as_of THEN
		window_days := least(window_days, greatest(1, as_of - done_through));
	END IF;
	-- each phase is one range of expires_on: the terms that entered it in
	-- the window, read by the expires_on index, whatever the history
	FOR n IN
		INSERT INTO @extschema@.change_notice (subscription_id, tenant_id, partner_id, what, old_value, new_value,
		                                       expires_on, changed_on)
		SELECT c.subscription_id, c.tenant_id, c.partner_of_record, 'phase', c.left_phase, c.phase, c.expires_on, as_of
		  FROM (SELECT s.subscription_id, s.tenant_id, s.partner_of_record, s.expires_on, s.superseded_by,
		               'active' AS left_phase, 'expired' AS phase
		          FROM @extschema@.subscription s
		         WHERE s.expires_on > por_partner_internal.date_add_clamped(as_of, -window_days) AND s.expires_on <= as_of
		        UNION ALL
		        SELECT s.subscription_id, s.tenant_id, s.partner_of_record, s.expires_on, s.superseded_by,
		               'expired', 'disabled'
		          FROM @extschema@.subscription s
		         WHERE s.expires_on > por_partner_internal.date_add_clamped(as_of, -d_disabled - window_days)
		           AND s.expires_on <= por_partner_internal.date_add_clamped(as_of, -d_disabled)
		        UNION ALL
		        SELECT s.subscription_id, s.tenant_id, s.partner_of_record, s.expires_on, s.superseded_by,
		               'disabled', 'deprovisioned'
		          FROM @extschema@.subscription s
		         WHERE s.expires_on > por_partner_internal.date_add_clamped(as_of, -d_gone - window_days)
		           AND s.expires_on <= por_partner_internal.date_add_clamped(as_of, -d_gone)) AS c
		  JOIN @extschema@.partner p ON p.partner_id = c.partner_of_record
		 WHERE c.superseded_by IS NULL AND @extschema@.partner_benefits_active(p)
		 ORDER BY c.subscription_id
		ON CONFLICT (subscription_id, partner_id, expires_on, new_value) WHERE what = 'phase' DO NOTHING
		RETURNING *
	LOOP
		RETURN NEXT n;
		recorded := true;
	END LOOP;
	IF recorded THEN
		PERFORM por_partner_internal.wake_mailer();
	END IF;
	-- a run as of a later day leaves the mark, so that the days between are
	-- still looked at when they come
	IF as_of <= current_date THEN
		UPDATE por_partner_internal.job_state SET phase_notices_through = greatest(phase_notices_through, as_of);
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.send_phase_notices(date) IS
	'Records, as change notices to the partner of record while its benefits are active (rule P3), the phase each term is in on a day (default today): expired, disabled or deprovisioned, once a term and phase, if entered since the last run''s day (at most 30 days before; a daily run looks at one day of each phase); returns them.  send_renewal_notices() runs it, so the daily job records both.';
