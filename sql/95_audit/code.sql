/* sql/95_audit/code.sql: the audit trail's trigger function */

CREATE OR REPLACE FUNCTION por_partner_internal.audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	o jsonb;
	n jsonb;
BEGIN
	IF TG_OP <> 'INSERT' THEN
		o := to_jsonb(OLD);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		n := to_jsonb(NEW);
	END IF;
	INSERT INTO @extschema@.audit_log (actor, actor_partner_id, table_name, operation, row_key, old_row, new_row)
	VALUES (@extschema@.caller()::text, @extschema@.caller_partner_id(), TG_TABLE_NAME, TG_OP,
	        (SELECT jsonb_object_agg(c, coalesce(n, o) -> c) FROM unnest(TG_ARGV) AS c), o, n);
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.audit_row() IS
	'Trigger: records the change of a row in audit_log; the arguments name the columns of its primary key.';

-- The audit trail's partitions (issue 13): one a calendar month (UTC) of
-- at.  audit_maintain() makes the partitions of the month of as_of and of the
-- next one (so that rows never wait in the default partition while the daily
-- job runs), moving into a new one the rows the default partition holds for
-- its month, and drops the partitions that ended more than
-- audit_retention_months (setting, 24) months before as_of's month, and the
-- default partition's rows as old: retention drops whole months, it never
-- deletes row by row.  SECURITY DEFINER: the partitions belong to the
-- extension's owner, whoever runs the job; they are reached through
-- audit_log only (no privilege on them is granted).
CREATE OR REPLACE FUNCTION @extschema@.audit_maintain(as_of date DEFAULT current_date)
RETURNS TABLE (partition regclass, action text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp
-- attaching a partition locks the default partition, and detaching one the
-- trail, for a moment: a step that cannot have its lock at once is left for
-- the next run, so that the job never waits on writers, nor makes them wait
SET lock_timeout = '1s' AS $$
DECLARE
	keep int;
	m date;
	lo timestamptz;
	hi timestamptz;
	cutoff timestamptz;
	part text;
	moving text := 'audit_log_moving';	-- a temporary table, while a month's rows move
	r record;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		PERFORM por_partner_internal.require_finite_day(as_of, 'as_of', 'Pass the day the job runs for, such as current_date.');
	END IF;
	keep := (SELECT st.value::int FROM @extschema@.setting st WHERE st.name = 'audit_retention_months');
	IF keep IS NULL OR keep < 1 THEN
		RAISE EXCEPTION 'setting audit_retention_months must be a whole number of months of at least 1'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'UPDATE por_partner.setting SET value = ''24'' WHERE name = ''audit_retention_months''.';
	END IF;
	-- one run at a time
	PERFORM pg_advisory_xact_lock('por_partner.audit_log'::regclass::oid::bigint);
	FOR m IN SELECT (date_trunc('month', as_of) + i * interval '1 month')::date FROM generate_series(0, 1) AS i LOOP
		part := format('audit_log_%s', to_char(m, 'YYYY_MM'));
		CONTINUE WHEN to_regclass(format('@extschema@.%I', part)) IS NOT NULL;
		lo := m::timestamp AT TIME ZONE 'UTC';
		hi := (m + interval '1 month')::timestamp AT TIME ZONE 'UTC';
		-- writers in the default partition (no partition for their month
		-- yet): attaching would wait for them; the next run makes it
		IF EXISTS (SELECT 1 FROM pg_locks l WHERE l.relation = '@extschema@.audit_log_default'::regclass
		                                      AND l.pid <> pg_backend_pid()) THEN
			partition := NULL;
			action := format('not created: %s is in use; the next run makes it', 'audit_log_default');
			RETURN NEXT;
			CONTINUE;
		END IF;
		BEGIN
			EXECUTE format('CREATE TABLE @extschema@.%I (LIKE @extschema@.audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
			-- the rows of its month that wait in the default partition move
			-- into it through the trail, once it is attached, never into the
			-- table alone: logical replication publishes the trail as one
			-- table (publish_via_partition_root, README), and a subscriber,
			-- which has no such table, would stop at a row written to it
			-- (issue 15)
			EXECUTE format('CREATE TEMP TABLE %I (LIKE @extschema@.audit_log) ON COMMIT DROP', moving);
			EXECUTE format('WITH moved AS (DELETE FROM @extschema@.audit_log_default d WHERE d.at >= %L AND d.at < %L RETURNING d.*)
			                INSERT INTO pg_temp.%I SELECT * FROM moved', lo, hi, moving);
			EXECUTE format('ALTER TABLE @extschema@.%I ENABLE ROW LEVEL SECURITY', part);
			EXECUTE format('ALTER TABLE @extschema@.audit_log ATTACH PARTITION @extschema@.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
			EXECUTE format('INSERT INTO @extschema@.audit_log OVERRIDING SYSTEM VALUE SELECT * FROM pg_temp.%I', moving);
			EXECUTE format('DROP TABLE pg_temp.%I', moving);
			partition := format('@extschema@.%I', part)::regclass;
			action := 'created';
		EXCEPTION WHEN lock_not_available THEN
			partition := NULL;
			action := format('not created: %s is in use; the next run makes it', part);
		END;
		RETURN NEXT;
	END LOOP;
	-- retention counts from today at the latest: a run as of a later day
	-- never drops what is still within the months kept
	cutoff := (date_trunc('month', least(as_of, current_date)) - keep * interval '1 month')::timestamp AT TIME ZONE 'UTC';
	FOR r IN SELECT c.oid::regclass AS rel, pg_get_expr(c.relpartbound, c.oid) AS bound
	           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	          WHERE i.inhparent = '@extschema@.audit_log'::regclass AND c.relname ~ '^audit_log_[0-9]{4}_[0-9]{2}$'
	          ORDER BY c.relname LOOP
		-- FOR VALUES FROM ('...') TO ('...'): the upper bound
		hi := substring(r.bound FROM 'TO \(''([^'']+)''\)')::timestamptz;
		CONTINUE WHEN hi > cutoff;
		BEGIN
			EXECUTE format('ALTER TABLE @extschema@.audit_log DETACH PARTITION %s', r.rel);
			EXECUTE format('DROP TABLE %s', r.rel);
			action := format('dropped %s', r.rel);
		EXCEPTION WHEN lock_not_available THEN
			action := format('not dropped: %s is in use; the next run drops it', r.rel);
		END;
		partition := NULL;
		RETURN NEXT;
	END LOOP;
	DELETE FROM @extschema@.audit_log_default d WHERE d.at < cutoff;
END $$;

COMMENT ON FUNCTION @extschema@.audit_maintain(date) IS
	'Keeps the audit trail''s monthly partitions: makes those of the month of a day (default today) and of the next month, and drops those that ended more than audit_retention_months (setting, default 24) months before that day''s month (retention by whole months).  run_daily_job() calls it; returns what it did.  For operators.';
