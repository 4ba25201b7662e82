#!/usr/bin/env bash
# The pgTAP suites against a running server (PGHOST, PGPORT, PGUSER: a role
# that may create databases and extensions), with pg_prove:
#
#   test/pgtap.sh [-d DB] [SUITE...]
#
# SUITE: files of test/pgtap/ (all of them by default).  Without -d, a
# database of their own (por_partner_tap) is made with pgtap and por_partner
# and dropped again; with -d, they run in DB, which has por_partner (pgtap is
# added when missing), as the upgrade test does on an updated database.  Each
# suite runs in one transaction it rolls back.  pg_prove's verbose output goes
# to standard output; the exit status is pg_prove's.
set -u
cd "$(dirname "$0")/.."
BIN=${PGBIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}

db=
if [ "${1:-}" = -d ]; then
	db=$2
	shift 2
fi
[ $# -gt 0 ] || set -- test/pgtap/*.sql

own=
if [ -z "$db" ]; then
	db=por_partner_tap
	own=1
	"$BIN/dropdb" --if-exists "$db" >/dev/null 2>&1
	"$BIN/createdb" "$db" || exit 1
fi
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'SET client_min_messages = warning' \
	-c 'CREATE EXTENSION IF NOT EXISTS pgtap' -c 'CREATE EXTENSION IF NOT EXISTS por_partner CASCADE' || exit 1

pg_prove --verbose --failures -d "$db" "$@"
rc=$?
[ -z "$own" ] || "$BIN/dropdb" "$db"
exit $rc
