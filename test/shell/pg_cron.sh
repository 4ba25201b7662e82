#!/usr/bin/env bash
# The daily job under pg_cron (Debian's postgresql-15-cron), for real, as the
# README says to set it up (issue 14; rules R1, P3, P4, R6).  The README's
# recipe blocks (the lines after "<!-- pg_cron recipe: ... -->") are read out
# of README.md and used as written, 'mydb' and the schedule replaced, so the
# recipe is what this test runs.  Two throwaway clusters, each with a book
# of 20 customers (lib/mailer_book.sql) whose notices are due today:
#   A  the recipe: shared_preload_libraries, cron.database_name,
#      cron.use_background_workers = on; the README's SQL creates pg_cron and
#      the operator's login por_partner_cron and schedules, as that login,
#      CALL por_partner.run_daily_job() for the coming minute;
#   B  without background workers: the libpq block (cron.host on the socket,
#      the pg_hba.conf line with its peer mapping in pg_ident.conf) in front
#      of Debian's own lines (peer on the socket, a password over TCP).  The
#      job is scheduled before cron.host is set, so it keeps nodename
#      localhost (what the issue met), then the README's UPDATE points it at
#      the socket; a second job left on localhost shows the failure.
# Both wait for the same minute (at most about 75 s), then the checks of the
# README: cron.job, cron.job_run_details (succeeded, CALL, as the login), the
# pg_cron launcher, the ledger (every notice due recorded, in batches that
# committed one by one: COMMIT inside CALL works under pg_cron), the purge's
# mark moved (the whole procedure ran as an operator).
#
# Prints TAP; exits non-zero when a test fails.  Removes what it creates.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$REPO/scripts/cluster.sh"
BIN=$PGBIN
. "$HERE/lib/tap.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_cron.XXXXXX")
chmod 755 "$TMP"
DB=por_partner_cron_test
A_DIR='' B_DIR='' A_PORT='' B_PORT=''

q() {	# cluster-dir port sql: rows, unaligned, as the superuser
	"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U postgres -d "$DB" -c "$3"
}
recipe() {	# name: the lines of the README's block marked "<!-- pg_cron recipe: name -->"
	awk -v m="<!-- pg_cron recipe: $1 -->" '
		$0 == m { f = 1; next }
		f == 1 && /^```/ { f = 2; next }
		f == 2 && /^```/ { exit }
		f == 2 { print }' "$REPO/README.md"
}
section() {	# name file: the lines of the libpq block under "# <file>" up to the next "# " line
	recipe "$1" | awk -v h="# $2" 'index($0, h) == 1 { f = 1; next } /^# / { f = 0 } f'
}
stop_all() {
	local d
	for d in "$A_DIR" "$B_DIR"; do
		[ -n "$d" ] || continue
		CLUSTER_DIR=$d
		cluster_stop
	done
	rm -rf "$TMP"
}
setup_db() {	# cluster-dir port: the database, the book
	"$BIN/createdb" -h "$1" -p "$2" -U postgres "$DB" &&
		"$BIN/psql" -X -q -h "$1" -p "$2" -U postgres -d "$DB" -v customers=20 \
			-f "$HERE/lib/mailer_book.sql" >>"$TMP/setup.log" 2>&1
}

LIB=$("$PGBIN/pg_config" --pkglibdir)
SHARE=$("$PGBIN/pg_config" --sharedir)
[ -f "$LIB/pg_cron.so" ] && [ -f "$SHARE/extension/pg_cron.control" ]
rc=$?
ok $rc "pg_cron is installed (Debian's postgresql-15-cron; scripts/deps.sh)"
[ "$rc" -eq 0 ] || { rm -rf "$TMP"; finish; }

CONF=$(recipe postgresql.conf | sed "s/'mydb'/'$DB'/")
SQL_BLOCK=$(recipe SQL)
LIBPQ_CONF=$(section libpq postgresql.conf)
LIBPQ_HBA=$(section libpq pg_hba.conf | sed "s/ mydb / $DB /")
LIBPQ_IDENT=$(section libpq pg_ident.conf)
[ "$(grep -c . <<<"$CONF")" -eq 3 ] && grep -q "cron.use_background_workers = on" <<<"$CONF" &&
	grep -q "^CREATE EXTENSION pg_cron;" <<<"$SQL_BLOCK" && grep -q "'0 6 \* \* \*'" <<<"$SQL_BLOCK" &&
	grep -q "^cron.host = " <<<"$LIBPQ_CONF" && grep -q "peer map=" <<<"$LIBPQ_HBA" &&
	[ "$(wc -w <<<"$LIBPQ_IDENT")" -eq 3 ]
ok $? "the README's recipe: the postgresql.conf lines, the SQL, the libpq lines"
{ echo "$CONF"; echo "$SQL_BLOCK"; echo "$LIBPQ_CONF"; echo "$LIBPQ_HBA"; echo "$LIBPQ_IDENT"; } | diag

# A: the recipe's lines, each on its own line of postgresql.conf
mapfile -t conf_lines <<<"$CONF"
cluster_start "${conf_lines[@]}" >"$TMP/a.log" 2>&1
rc=$?
A_DIR=$CLUSTER_DIR A_PORT=$PGPORT
trap stop_all EXIT
[ "$rc" -eq 0 ] && setup_db "$A_DIR" "$A_PORT"
ok $? "cluster A starts with the recipe's postgresql.conf lines; a book of 20 customers"
[ "$rc" -eq 0 ] || { diag <"$TMP/a.log"; finish; }

# B: pg_cron without background workers, Debian's authentication and the
# README's lines for the socket; cron.host comes later
cluster_start "shared_preload_libraries = 'pg_cron'" "cron.database_name = '$DB'" >"$TMP/b.log" 2>&1
rc=$?
B_DIR=$CLUSTER_DIR B_PORT=$PGPORT
CLUSTER_DIR=
trap stop_all EXIT
OWNER=$(stat -c %U "$B_DIR/data")		# the server's OS user: its processes connect
{
	echo "local all postgres trust		# this test's own connections"
	echo "$LIBPQ_HBA"
	echo "local all all peer			# Debian's"
	echo "host all all 127.0.0.1/32 scram-sha-256	# Debian's"
	echo "host all all ::1/128 scram-sha-256	# Debian's"
} >"$B_DIR/data/pg_hba.conf"
awk -v o="$OWNER" '{ $2 = o; print }' <<<"$LIBPQ_IDENT" >>"$B_DIR/data/pg_ident.conf"
[ "$rc" -eq 0 ] && as_owner "$PGBIN/pg_ctl" -D "$B_DIR/data" reload >/dev/null && sleep 0.3 &&
	setup_db "$B_DIR" "$B_PORT"
ok $? "cluster B: pg_cron without background workers; Debian's pg_hba.conf with the README's socket line and peer mapping"
[ "$rc" -eq 0 ] || { diag <"$TMP/b.log"; finish; }

# the coming minute, in GMT (pg_cron 1.4), at least 15 s away (B restarts meanwhile)
now=$(date -u +%s)
at=$(((now / 60 + 1) * 60))
[ $((at - now)) -ge 15 ] || at=$((at + 60))
schedule="$((10#$(date -u -d "@$at" +%M))) $((10#$(date -u -d "@$at" +%H))) * * *"
SQL_A=${SQL_BLOCK//0 6 \* \* \*/$schedule}
for c in A B; do
	if [ "$c" = A ]; then d=$A_DIR p=$A_PORT; else d=$B_DIR p=$B_PORT; fi
	"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$d" -p "$p" -U postgres -d "$DB" >"$TMP/sql_$c.out" 2>&1 <<<"$SQL_A"
	echo $? >"$TMP/sql_$c.rc"
	q "$d" "$p" "SELECT count(*) FROM por_partner.renewal_notices_due()" >"$TMP/due_$c" 2>&1
done
[ "$(cat "$TMP/sql_A.rc")" -eq 0 ] && [ "$(cat "$TMP/sql_B.rc")" -eq 0 ] &&
	[ "$(q "$A_DIR" "$A_PORT" "SELECT username || ' ' || command || ' ' || schedule FROM cron.job")" = \
	  "por_partner_cron CALL por_partner.run_daily_job() $schedule" ]
ok $? "the README's SQL in both: the job is scheduled as the operator's login por_partner_cron, for $(date -u -d "@$at" +%H:%M) UTC ('$schedule')"
cat "$TMP/sql_A.out" "$TMP/sql_B.out" | diag

# B: scheduled before cron.host was set, the job has nodename localhost,
# and a restart with cron.host does not change it
before=$(q "$B_DIR" "$B_PORT" "SELECT nodename FROM cron.job")
echo "$LIBPQ_CONF" | sed "s|'/var/run/postgresql'|'$B_DIR'|" >>"$B_DIR/data/postgresql.conf"
as_owner "$PGBIN/pg_ctl" -D "$B_DIR/data" -l "$B_DIR/server.log" -w -t 60 restart >/dev/null 2>&1
after=$(q "$B_DIR" "$B_PORT" "SELECT nodename FROM cron.job")
[ "$before" = localhost ] && [ "$after" = localhost ] &&
	[ "$(q "$B_DIR" "$B_PORT" "SHOW cron.host")" = "$B_DIR" ]
ok $? "B: cron.host set after scheduling (and a restart) does not reach the job: nodename stays '$after'"
# the README's UPDATE; then a second job, left on localhost
fix=$(grep "^UPDATE cron.job SET nodename = '/var/run/postgresql'" "$REPO/README.md" | sed "s|/var/run/postgresql|$B_DIR|")
q "$B_DIR" "$B_PORT" "$fix" >"$TMP/fix.out" 2>&1 &&
	q "$B_DIR" "$B_PORT" "SET ROLE por_partner_cron; SELECT cron.schedule('on localhost', '$schedule', 'SELECT 1');
	                      RESET ROLE; UPDATE cron.job SET nodename = 'localhost' WHERE jobname = 'on localhost'" \
		>>"$TMP/fix.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && [ "$(q "$B_DIR" "$B_PORT" "SELECT nodename FROM cron.job WHERE jobname = 'por_partner daily job'")" = "$B_DIR" ]
ok $? "B: the README's UPDATE points the job at the socket; a probe job stays on localhost"
diag <"$TMP/fix.out"

# the run: both clusters, the same minute
finished() {	# dir port jobs: every job has a run that ended
	[ "$(q "$1" "$2" "SELECT count(*) FROM cron.job_run_details WHERE status IN ('succeeded', 'failed')" 2>/dev/null)" = "$3" ]
}
deadline=$((at + 10))
while [ "$(date -u +%s)" -lt "$deadline" ] && ! { finished "$A_DIR" "$A_PORT" 1 && finished "$B_DIR" "$B_PORT" 2; }; do
	sleep 1
done
finished "$A_DIR" "$A_PORT" 1 && finished "$B_DIR" "$B_PORT" 2
ok $? "both ran in the minute: $(date -u +%H:%M:%S) UTC, $(( $(date -u +%s) - now )) s after scheduling"

run_a=$(q "$A_DIR" "$A_PORT" "SELECT status || ' ' || return_message || ' ' || username FROM cron.job_run_details")
[ "$run_a" = "succeeded CALL por_partner_cron" ]
ok $? "A (background worker): cron.job_run_details says '$run_a'"
q "$A_DIR" "$A_PORT" "SELECT jobid, status, return_message, start_time, end_time FROM cron.job_run_details" | diag
ledger() {	# dir port due: the notices due were recorded, in more than one transaction, and the purge ran
	local due=$3
	[ "$due" -gt 1 ] &&
		[ "$(q "$1" "$2" "SELECT count(*) FROM por_partner.renewal_notice WHERE sent_on = current_date")" -eq "$due" ] &&
		[ "$(q "$1" "$2" "SELECT count(*) FROM por_partner.renewal_notices_due()")" -eq 0 ] &&
		[ "$(q "$1" "$2" "SELECT count(DISTINCT xmin::text) > 1 FROM por_partner.renewal_notice WHERE sent_on = current_date")" = t ] &&
		[ "$(q "$1" "$2" "SELECT purged_through IS NOT NULL FROM por_partner_internal.job_state")" = t ] &&
		[ "$(q "$1" "$2" "SELECT count(*) FROM por_partner.undelivered_notices WHERE what = 'renewal'")" -eq "$due" ]
}
ledger "$A_DIR" "$A_PORT" "$(cat "$TMP/due_A")"
ok $? "A: the $(cat "$TMP/due_A") notices due are in the ledger, in batches that committed one by one, the purge ran, each notice waits for the mailer"
q "$A_DIR" "$A_PORT" "SELECT pid, backend_type FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'" >"$TMP/launcher"
[ -s "$TMP/launcher" ]
ok $? "A: the README's check finds the pg_cron launcher in pg_stat_activity"

run_b=$(q "$B_DIR" "$B_PORT" "SELECT j.jobname || ': ' || d.status || ' ' || d.return_message FROM cron.job_run_details d
                              JOIN cron.job j USING (jobid) ORDER BY j.jobname")
grep -qx "por_partner daily job: succeeded CALL" <<<"$run_b" && ledger "$B_DIR" "$B_PORT" "$(cat "$TMP/due_B")"
ok $? "B (libpq over the socket, peer mapping): the daily job succeeded as por_partner_cron, its $(cat "$TMP/due_B") notices in the ledger"
grep -qx "on localhost: failed connection failed" <<<"$run_b" && grep -q "cron job [0-9]* connection failed" "$B_DIR/server.log"
ok $? "B: the job left on localhost fails as the issue says: 'connection failed', and only that in the log"
diag <<<"$run_b"
grep -i "cron" "$B_DIR/server.log" | tail -n 6 | diag
finish
