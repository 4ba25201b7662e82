-- The roles of the cluster besides its superuser and the logins the fill makes
-- (upgrade_test_*), with everything about them (test/shell/upgrade.sh).
WITH r AS (SELECT a.* FROM pg_authid a
            WHERE a.rolname <> current_user AND a.rolname !~ '^pg_' AND a.rolname !~ '^upgrade_test_')
SELECT line FROM (
	SELECT format('role %s: superuser %s, inherit %s, createrole %s, createdb %s, login %s, replication %s, bypassrls %s, connection limit %s, valid until %s, password %s',
	              r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
	              r.rolreplication, r.rolbypassrls, r.rolconnlimit, coalesce(r.rolvaliduntil::text, '-'),
	              CASE WHEN r.rolpassword IS NULL THEN 'none' ELSE 'set' END) AS line
	  FROM r
	UNION ALL
	SELECT format('role %s: comment %L', r.rolname, shobj_description(r.oid, 'pg_authid'))
	  FROM r WHERE shobj_description(r.oid, 'pg_authid') IS NOT NULL
	UNION ALL
	SELECT format('role %s: setting %s %s', r.rolname,
	              CASE WHEN s.setdatabase = 0 THEN 'everywhere' ELSE 'in a database' END, s.setconfig)
	  FROM r JOIN pg_db_role_setting s ON s.setrole = r.oid
	UNION ALL
	SELECT format('role %s is a member of %s, admin option %s, granted by %s',
	              m.member::regrole, m.roleid::regrole, m.admin_option, m.grantor::regrole)
	  FROM pg_auth_members m
	 WHERE (m.member IN (SELECT oid FROM r) OR m.roleid IN (SELECT oid FROM r))
	   AND m.member::regrole::text !~ '^upgrade_test_'
) AS lines
ORDER BY line COLLATE "C"
