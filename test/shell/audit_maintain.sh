#!/usr/bin/env bash
# The audit trail's daily partition step (issue 13), against the locks of
# other sessions: audit_maintain() leaves a month's partition for the next run
# when a session of its own database uses the default partition (attaching
# would wait for it), and only then.  Two databases, the second cloned from
# the first (CREATE DATABASE ... TEMPLATE), so that their default partitions
# have the same oid: a session of one must not hold up the other's job (it
# did in 0.4.0 before this test: bench/scale.sh runs the job in clones at
# once).
#
# Runs against the cluster in PGHOST/PGPORT/PGUSER; prints TAP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/tap.sh"
A=por_partner_maint_a
B=por_partner_maint_b
HOLDER=''

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
cleanup() {
	[ -n "$HOLDER" ] && release
	dropdb --if-exists --force "$B" 2>/dev/null
	dropdb --if-exists --force "$A" 2>/dev/null
}
trap cleanup EXIT
hold() {	# database: a session that keeps the default partition locked (ACCESS SHARE)
	PGAPPNAME=por_partner_maint_holder psql -X -q -d "$1" -c "BEGIN; LOCK TABLE por_partner.audit_change_default IN ACCESS SHARE MODE; SELECT pg_sleep(60)" >/dev/null 2>&1 &
	HOLDER=$!
	for _ in $(seq 1 100); do
		[ "$(q "$1" "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		              WHERE d.datname = '$1' AND l.relation = 'por_partner.audit_change_default'::regclass AND l.pid <> pg_backend_pid()")" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}
release() {	# the holding session ends (its backend too, not only psql)
	q postgres "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'por_partner_maint_holder'" >/dev/null
	wait "$HOLDER" 2>/dev/null
	HOLDER=''
}
# the actions of a run as of a month no partition exists for (five years on)
maintain() { q "$1" "SELECT string_agg(action, '; ' ORDER BY action) FROM por_partner.audit_maintain((current_date + interval '5 years')::date) WHERE action LIKE '%created%'"; }

cleanup
createdb "$A" && q "$A" "SET client_min_messages = warning; CREATE EXTENSION por_partner CASCADE" >/dev/null &&
	createdb -T "$A" "$B"
ok $? "database $B cloned from $A, the extension in both"
oid_a=$(q "$A" "SELECT 'por_partner.audit_change_default'::regclass::oid")
oid_b=$(q "$B" "SELECT 'por_partner.audit_change_default'::regclass::oid")
[ -n "$oid_a" ] && [ "$oid_a" = "$oid_b" ]
ok $? "their default partitions have the same oid ($oid_a, $oid_b)"

hold "$A"
ok $? "a session of $A holds its default partition"
got=$(maintain "$B")
[ "$got" = "created; created" ]
ok $? "the job in $B makes its two partitions all the same (got: $got)"
release

hold "$B"
ok $? "a session of $B holds its own default partition"
got=$(q "$B" "SELECT string_agg(action, '; ' ORDER BY action) FROM por_partner.audit_maintain((current_date + interval '7 years')::date) WHERE action LIKE '%created%'")
case $got in *"not created: audit_change_default is in use"*) r=0 ;; *) r=1 ;; esac
ok $r "the job in $B leaves a month for the next run while its own default partition is in use (got: $got)"
release

finish
