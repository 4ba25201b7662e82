/* sql/90_lifecycle/code_notices.sql: the phase changes of a term, as change notices to the partner of record (rule P3) */

-- A phase change is marked by no row change: the day simply comes.  The
-- daily job records, for every subscription whose partner of record has its
-- benefits active, the phase its term is in on the day, once a term and
-- phase, if it entered that phase at most 30 days before: a job that missed
-- days catches up, and a term that ended long ago is not news.  Superseded
-- subscriptions are left out: the switch (or the trial's conversion) was
-- their notice.  Three index range scans on expires_on.
CREATE OR REPLACE FUNCTION @extschema@.send_phase_notices(as_of date DEFAULT current_date)
RETURNS SETOF @extschema@.change_notice
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	n @extschema@.change_notice;
	recorded boolean := false;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		PERFORM por_partner_internal.require_finite_day(as_of, 'as_of', 'Pass the day the notices are sent on, such as current_date.');
	END IF;
	FOR n IN
		INSERT INTO @extschema@.change_notice (subscription_id, tenant_id, partner_id, what, old_value, new_value,
		                                       expires_on, changed_on)
		SELECT s.subscription_id, s.tenant_id, s.partner_of_record, 'phase', ph.left_phase::text, ph.phase::text,
		       s.expires_on, as_of
		  FROM (SELECT ph.phase, ph.left_phase, por_partner_internal.subscription_phase_start(ph.phase) AS first_day
		          FROM (VALUES ('expired'::@extschema@.subscription_phase, 'active'::@extschema@.subscription_phase),
		                       ('disabled', 'expired'), ('deprovisioned', 'disabled')) AS ph (phase, left_phase)) AS ph
		  JOIN @extschema@.subscription s
		    ON s.expires_on <= por_partner_internal.date_add_clamped(as_of, -ph.first_day)
		   AND s.expires_on > por_partner_internal.date_add_clamped(as_of, -ph.first_day - 30)
		  JOIN @extschema@.partner p ON p.partner_id = s.partner_of_record
		 WHERE s.superseded_by IS NULL
		   AND @extschema@.subscription_phase(s.expires_on, as_of) = ph.phase
		   AND @extschema@.partner_benefits_active(p)
		 ORDER BY s.subscription_id
		ON CONFLICT (subscription_id, partner_id, expires_on, new_value) WHERE what = 'phase' DO NOTHING
		RETURNING *
	LOOP
		RETURN NEXT n;
		recorded := true;
	END LOOP;
	IF recorded THEN
		PERFORM pg_notify('por_partner_renewal_notice', '');
	END IF;
END $$;

COMMENT ON FUNCTION @extschema@.send_phase_notices(date) IS
	'Records, as change notices to the partner of record while its benefits are active (rule P3), the phase each term is in on a day (default today): expired, disabled or deprovisioned, once a term and phase, if entered at most 30 days before; returns them.  send_renewal_notices() runs it, so the daily job records both.';
