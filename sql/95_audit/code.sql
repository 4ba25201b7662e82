/* sql/95_audit/code.sql: the audit trail's trigger function */

CREATE OR REPLACE FUNCTION por_partner_internal.jsonb_delta(old jsonb, new jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'por_partner_jsonb_delta'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION por_partner_internal.jsonb_delta(jsonb, jsonb) IS
	'Internal: the pairs of the object old whose key the object new lacks or holds with another value (jsonb equality); {} for none.  What an UPDATE took away, for the audit trail (src/jsonb_delta.c).';

-- The trigger of every audited table: audit_row(code, key columns...), code
-- the table's in audited_table.  It records the change as audit_change
-- stores it: for an UPDATE the old values of the columns that changed, for a
-- DELETE the whole row, for an INSERT nothing of the row (the live row and
-- the later changes tell it).  C (src/audit_row.c): it runs on every audited
-- write; SECURITY DEFINER, the trail being the owner's to write, and so it
-- refuses to fire on any table but the audited table of its code (no role
-- may attach it: EXECUTE is revoked from all).  Its statements name every
-- object with its schema, and search_path is pinned all the same, so that its
-- kept plans are never planned again for a caller's; so are the settings that
-- change the text it stores (a role name quoted, a bytea in JSON).
CREATE OR REPLACE FUNCTION por_partner_internal.audit_row() RETURNS trigger
AS 'MODULE_PATHNAME', 'por_partner_audit_row'
LANGUAGE C SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
SET quote_all_identifiers = off
SET bytea_output = hex;

COMMENT ON FUNCTION por_partner_internal.audit_row() IS
	'Internal: trigger: records the change of a row in audit_change; the arguments are the table''s code (audited_table) and the columns of its primary key.';

-- The live row of an audited table; null if there is none
CREATE OR REPLACE FUNCTION por_partner_internal.audit_live_row(code "char", key text) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT CASE code
		WHEN 'p' THEN (SELECT to_jsonb(t) FROM @extschema@.partner t WHERE t.partner_id = key::bigint)
		WHEN 'l' THEN (SELECT to_jsonb(t) FROM @extschema@.partner_login t WHERE t.login = pg_catalog.to_regrole(key))
		WHEN 'u' THEN (SELECT to_jsonb(t) FROM @extschema@.partner_user t WHERE t.partner_user_id = key::bigint)
		WHEN 'k' THEN (SELECT to_jsonb(t) FROM @extschema@.key_card t WHERE t.product_key = key::@extschema@.product_key)
		WHEN 's' THEN (SELECT to_jsonb(t) FROM @extschema@.subscription t WHERE t.subscription_id = key::bigint)
		WHEN 'o' THEN (SELECT to_jsonb(t) FROM @extschema@.delegated_admin_offer t WHERE t.offer_id = key::bigint)
		WHEN 'd' THEN (SELECT to_jsonb(t) FROM @extschema@.delegated_admin t
		                WHERE t.partner_id = split_part(key, ',', 1)::bigint AND t.tenant_id = split_part(key, ',', 2)::bigint)
		WHEN 'i' THEN (SELECT to_jsonb(t) FROM @extschema@.trial_invitation t WHERE t.invitation_id = key::bigint)
		WHEN 'q' THEN (SELECT to_jsonb(t) FROM @extschema@.purchase_offer t WHERE t.purchase_offer_id = key::bigint)
	END
$$;

COMMENT ON FUNCTION por_partner_internal.audit_live_row("char", text) IS
	'Internal: the live row of an audited table (by its code and its key as audit_change holds them) as JSON; null if there is none.';

-- jsonb || jsonb over rows, the later ones winning
CREATE OR REPLACE AGGREGATE por_partner_internal.jsonb_merge_agg(jsonb) (
	SFUNC = pg_catalog.jsonb_concat,
	STYPE = jsonb,
	INITCOND = '{}'
);

COMMENT ON AGGREGATE por_partner_internal.jsonb_merge_agg(jsonb) IS
	'Internal: merges JSON objects, the value of a later row winning for a key that several hold.';

-- A row's changes, through the index on the hash of its key (schema.sql):
-- the one place that knows how that index is asked.  Plain SQL, so that the
-- planner inlines it into its callers' queries.
CREATE OR REPLACE FUNCTION por_partner_internal.audit_changes_of(code "char", key text)
RETURNS SETOF @extschema@.audit_change
LANGUAGE sql STABLE AS $$
	SELECT c.* FROM @extschema@.audit_change c
	 WHERE pg_catalog.hashtextextended(c.row_key, 0) OPERATOR(pg_catalog.=) pg_catalog.hashtextextended(key, 0)
	   AND c.row_key OPERATOR(pg_catalog.=) key AND c.table_code OPERATOR(pg_catalog.=) code
$$;

COMMENT ON FUNCTION por_partner_internal.audit_changes_of("char", text) IS
	'Internal: the changes of one row of audit_change (a table''s code and the row''s key as audit_change holds them), found through the index on the hash of the key.';

-- The row after a change, rebuilt: after an INSERT or UPDATE the live row,
-- or the whole row of the first later DELETE, with the old values of every
-- later UPDATE until then put back, the latest first; null after a DELETE.
-- The row before an UPDATE is that with the change's own old values put
-- back, before a DELETE the row the DELETE recorded (view audit_log).  It
-- reads every later change of the row whoever made it, and the live row,
-- whatever the caller may read: it tells of a change only what was recorded
-- of that change.  The table's omitted columns (audited_table), whose
-- changes are not recorded, are the caller's to leave out.
CREATE OR REPLACE FUNCTION por_partner_internal.audit_after(code "char", key text, id bigint, op "char")
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	WITH later AS MATERIALIZED (
		SELECT l.audit_id, l.operation, l.old_values FROM por_partner_internal.audit_changes_of(code, key) AS l
		 WHERE l.audit_id > id
	), gone AS (
		SELECT (SELECT min(l.audit_id) FROM later l WHERE l.operation = 'D') AS id
	)
	SELECT CASE WHEN op = 'D' THEN NULL
	            ELSE coalesce((SELECT l.old_values FROM later l WHERE l.audit_id = g.id),
	                          CASE WHEN g.id IS NULL THEN por_partner_internal.audit_live_row(code, key) END)
	                 || (SELECT por_partner_internal.jsonb_merge_agg(l.old_values ORDER BY l.audit_id DESC)
	                       FROM later l WHERE l.operation = 'U' AND (g.id IS NULL OR l.audit_id < g.id))
	       END
	  FROM gone g
$$;

COMMENT ON FUNCTION por_partner_internal.audit_after("char", text, bigint, "char") IS
	'Internal: the row after a change of audit_change, rebuilt from the live row and the later changes of the row (null after a DELETE, and where it cannot be: the row is gone with no DELETE recorded).';

-- A row's key as JSON, from the text audit_change keeps: the key columns'
-- values, numbers for the ids, strings for a key card's key and a login
CREATE OR REPLACE FUNCTION por_partner_internal.audit_key_json(code "char", key_columns text[], key text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN code IN ('k', 'l') THEN jsonb_build_object(key_columns[1], key)
	            WHEN cardinality(key_columns) = 1 THEN jsonb_build_object(key_columns[1], key::numeric)
	            ELSE (SELECT jsonb_object_agg(x.col, x.v::numeric) FROM unnest(key_columns, string_to_array(key, ',')) AS x (col, v))
	       END
$$;

COMMENT ON FUNCTION por_partner_internal.audit_key_json("char", text[], text) IS
	'Internal: a row''s primary key as a JSON object, from its columns and the comma-separated values audit_change.row_key holds.';

-- What the audit trail promises (README): every change, when, by whom, the
-- row''s key and the row before and after.  The rows are rebuilt in the
-- select list, not in FROM: a query with ORDER BY and LIMIT rebuilds only
-- the rows it returns (the planner computes a costly column after the sort),
-- and one that asks for neither row rebuilds none; one that asks for both
-- rebuilds an UPDATE's row twice (old_row is new_row with the change's old
-- values put back).
CREATE OR REPLACE VIEW @extschema@.audit_log AS
SELECT c.audit_id, c.at, c.actor, c.actor_partner_id, t.table_name,
       CASE c.operation WHEN 'I' THEN 'INSERT' WHEN 'U' THEN 'UPDATE' WHEN 'D' THEN 'DELETE' END AS operation,
       por_partner_internal.audit_key_json(c.table_code, t.key_columns, c.row_key) AS row_key,
       CASE c.operation
            WHEN 'U' THEN (por_partner_internal.audit_after(c.table_code, c.row_key, c.audit_id, c.operation) - t.omitted)
                          || (c.old_values - t.omitted)
            WHEN 'D' THEN c.old_values - t.omitted
       END AS old_row,
       CASE WHEN c.operation <> 'D'
            THEN por_partner_internal.audit_after(c.table_code, c.row_key, c.audit_id, c.operation) - t.omitted
       END AS new_row,
       c.transaction_id
  FROM @extschema@.audit_change c
  JOIN por_partner_internal.audited_table t ON t.table_code = c.table_code;

COMMENT ON VIEW @extschema@.audit_log IS
	'Who (role, and the partner it acts for) did what, and when, to partners, logins, key cards, subscriptions (not the license count), delegated admin offers and relationships, invitations and purchase offers: a row a change, with the row before and after as JSON, rebuilt from audit_change.  For operators; a partner reads its own doings in por_partner_book.audit_log.';

-- One row's history through the index: the view's rows of one table and key
CREATE OR REPLACE FUNCTION @extschema@.audit_history(table_name text, row_key jsonb)
RETURNS SETOF @extschema@.audit_log
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	t por_partner_internal.audited_table;
	k text;
BEGIN
	SELECT * INTO t FROM por_partner_internal.audited_table a WHERE a.table_name = audit_history.table_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table_name must name an audited table'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('Got %s.', coalesce(quote_literal(left(audit_history.table_name, 64)), 'NULL')),
			      HINT = format('One of: %s.', (SELECT string_agg(a.table_name, ', ' ORDER BY a.table_name) FROM por_partner_internal.audited_table a));
	END IF;
	IF row_key IS NULL OR jsonb_typeof(row_key) <> 'object' OR NOT row_key ?& t.key_columns
	   OR EXISTS (SELECT 1 FROM unnest(t.key_columns) AS c WHERE jsonb_typeof(row_key -> c) NOT IN ('string', 'number')) THEN
		RAISE EXCEPTION 'row_key must be a JSON object of the key columns of %', t.table_name
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = format('Such as jsonb_build_object(%s).',
			                    (SELECT string_agg(format('%L, ...', c), ', ') FROM unnest(t.key_columns) AS c));
	END IF;
	k := (SELECT string_agg(row_key ->> c, ',' ORDER BY i) FROM unnest(t.key_columns) WITH ORDINALITY AS x (c, i));
	RETURN QUERY
		SELECT l.* FROM @extschema@.audit_log l
		 WHERE l.audit_id = ANY (ARRAY(SELECT c.audit_id FROM por_partner_internal.audit_changes_of(t.table_code, k) AS c))
		 ORDER BY l.audit_id;
END $$;

COMMENT ON FUNCTION @extschema@.audit_history(text, jsonb) IS
	'The changes of one row, oldest first, as audit_log shows them, read through the index of audit_change: audit_history(''subscription'', ''{"subscription_id": 42}'').  table_name is one of the audited tables (at most 64 characters are shown back); for operators.';

-- the view's columns say what audit_change's same-named columns say; these
-- are the view's own
DO $do$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT a.attname, coalesce(o.comment, pg_catalog.col_description(src.attrelid, src.attnum)) AS comment
	           FROM pg_catalog.pg_attribute a
	           LEFT JOIN pg_catalog.pg_attribute src
	             ON src.attrelid = '@extschema@.audit_change'::regclass AND src.attname = a.attname
	           LEFT JOIN (VALUES
		('table_name', 'The table changed (partner, key_card, subscription, ...), without its schema.'),
		('operation', 'INSERT, UPDATE or DELETE.'),
		('row_key', 'The primary key of the row, as a JSON object.  One row''s history through the index: audit_history(table_name, row_key).'),
		('old_row', 'The row before the change, as JSON; null for an INSERT.  A subscription''s rows leave out licensed_users, whose changes are not recorded.'),
		('new_row', 'The row after the change, as JSON; null for a DELETE.  A subscription''s rows leave out licensed_users, whose changes are not recorded.')
	           ) AS o (col, comment) ON o.col = a.attname
	          WHERE a.attrelid = '@extschema@.audit_log'::regclass AND a.attnum > 0 LOOP
		EXECUTE format('COMMENT ON COLUMN @extschema@.audit_log.%I IS %L', r.attname, r.comment);
	END LOOP;
END
$do$;

-- The audit trail's partitions (issue 13): one a calendar month (UTC) of
-- at.  audit_maintain() makes the partitions of the month of as_of and of the
-- next one (so that rows never wait in the default partition while the daily
-- job runs), moving into a new one the rows the default partition holds for
-- its month, and drops the partitions that ended more than
-- audit_retention_months (setting, 24) months before as_of's month, and the
-- default partition's rows as old: retention drops whole months, it never
-- deletes row by row.  SECURITY DEFINER: the partitions belong to the
-- extension's owner, whoever runs the job; they are reached through
-- audit_change only (no privilege on them is granted).
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
	moving text := 'audit_change_moving';	-- a temporary table, while a month's rows move
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
	PERFORM pg_advisory_xact_lock('por_partner.audit_change'::regclass::oid::bigint);
	FOR m IN SELECT (date_trunc('month', as_of) + i * interval '1 month')::date FROM generate_series(0, 1) AS i LOOP
		part := format('audit_change_%s', to_char(m, 'YYYY_MM'));
		CONTINUE WHEN to_regclass(format('@extschema@.%I', part)) IS NOT NULL;
		lo := m::timestamp AT TIME ZONE 'UTC';
		hi := (m + interval '1 month')::timestamp AT TIME ZONE 'UTC';
		-- writers in the default partition (no partition for their month
		-- yet): attaching would wait for them; the next run makes it.  Locks
		-- of this database only: a database cloned from this one (CREATE
		-- DATABASE ... TEMPLATE) has its default partition under the same oid
		IF EXISTS (SELECT 1 FROM pg_locks l WHERE l.relation = '@extschema@.audit_change_default'::regclass
		                                      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
		                                      AND l.pid <> pg_backend_pid()) THEN
			partition := NULL;
			action := format('not created: %s is in use; the next run makes it', 'audit_change_default');
			RETURN NEXT;
			CONTINUE;
		END IF;
		BEGIN
			EXECUTE format('CREATE TABLE @extschema@.%I (LIKE @extschema@.audit_change INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
			-- the rows of its month that wait in the default partition move
			-- into it through the trail, once it is attached, never into the
			-- table alone: logical replication publishes the trail as one
			-- table (publish_via_partition_root, README), and a subscriber,
			-- which has no such table, would stop at a row written to it
			-- (issue 15)
			EXECUTE format('CREATE TEMP TABLE %I (LIKE @extschema@.audit_change) ON COMMIT DROP', moving);
			EXECUTE format('WITH moved AS (DELETE FROM @extschema@.audit_change_default d WHERE d.at >= %L AND d.at < %L RETURNING d.*)
			                INSERT INTO pg_temp.%I SELECT * FROM moved', lo, hi, moving);
			EXECUTE format('ALTER TABLE @extschema@.%I ENABLE ROW LEVEL SECURITY, REPLICA IDENTITY FULL', part);
			EXECUTE format('ALTER TABLE @extschema@.audit_change ATTACH PARTITION @extschema@.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
			EXECUTE format('INSERT INTO @extschema@.audit_change OVERRIDING SYSTEM VALUE SELECT * FROM pg_temp.%I', moving);
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
	          WHERE i.inhparent = '@extschema@.audit_change'::regclass AND c.relname ~ '^audit_change_[0-9]{4}_[0-9]{2}$'
	          ORDER BY c.relname LOOP
		-- FOR VALUES FROM ('...') TO ('...'): the upper bound
		hi := substring(r.bound FROM 'TO \(''([^'']+)''\)')::timestamptz;
		CONTINUE WHEN hi > cutoff;
		BEGIN
			EXECUTE format('ALTER TABLE @extschema@.audit_change DETACH PARTITION %s', r.rel);
			EXECUTE format('DROP TABLE %s', r.rel);
			action := format('dropped %s', r.rel);
		EXCEPTION WHEN lock_not_available THEN
			action := format('not dropped: %s is in use; the next run drops it', r.rel);
		END;
		partition := NULL;
		RETURN NEXT;
	END LOOP;
	DELETE FROM @extschema@.audit_change_default d WHERE d.at < cutoff;
END $$;

COMMENT ON FUNCTION @extschema@.audit_maintain(date) IS
	'Keeps the audit trail''s monthly partitions: makes those of the month of a day (default today) and of the next month, and drops those that ended more than audit_retention_months (setting, default 24) months before that day''s month (retention by whole months).  run_daily_job() calls it; returns what it did.  For operators.';
