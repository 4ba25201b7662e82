#!/usr/bin/env bash
# The README's hot standby recipe, run as written (issue 15): reads anywhere,
# writes, the daily job and the mailer on the primary.
#
# A primary of its own (test/shell/lib/nodes.sh, wal_level = replica, the
# default) and a hot standby made from it with pg_basebackup -R.  Then data is
# loaded on the primary through the functions (test/fixtures/book.sql, with
# its login acting for Contoso, and a BI reader's login), and the standby
# waits for its replay (pg_last_wal_replay_lsn).  On the standby, as on the
# primary and with the same logins:
#   - a partner's login reads every view of por_partner_book (found in the
#     catalog) and calls the read functions documented for partners
#     (expiring_subscriptions, renewal_notices_due, partner_customer_count,
#     customer_management_view); a reader reads subscription_overview and
#     key_card_overview and calls expiring_subscriptions and
#     renewal_notices_due: the same answers (row count and md5 of the ordered
#     rows) as on the primary, no error (a read path that wrote, an audit row
#     say, would fail there);
#   - writes fail with 25006 (read_only_sql_transaction): a partner's
#     add_user, an operator's INSERT, the daily job, claim_notices (the
#     mailer's call);
#   - LISTEN is refused (25006, "cannot execute LISTEN during recovery"):
#     the mailer runs against the primary.
# Finally the standby is promoted (pg_promote) and takes writes: the daily job
# runs there and a partner's add_user succeeds.
#
# Needs the extension installed for the server programs of PGBIN (cluster.sh);
# ignores PGHOST/PGPORT.  Prints TAP; exits non-zero when a test fails.
# Removes both clusters on exit, also on failure or interruption.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/cluster.sh"		# PGBIN, as_owner, free_port
BIN=$PGBIN
[ -x "$BIN/psql" ] || BIN=/usr/lib/postgresql/15/bin	# a private installation has the server only
. "$HERE/lib/tap.sh"
. "$HERE/lib/nodes.sh"
export PGTZ=UTC PGDATESTYLE=ISO
unset PGDATABASE PGOPTIONS
DB=book
PARTNER=upgrade_test_contoso		# book.sql's login acting for Contoso
READER=pp_standby_reader
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_standby.XXXXXX")
chmod 755 "$TMP"

cleanup() {
	nodes_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bail() {
	ok 1 "$1"
	[ -s "$2" ] && head -n 40 "$2" | diag
	finish
}
wait_for() {	# node sql seconds: until the query returns t
	local i
	for i in $(seq 1 $(($3 * 5))); do
		[ "$(on "$1" "$BIN/psql" -X -q -A -t -d postgres -c "$2" 2>/dev/null)" = t ] && return 0
		sleep 0.2
	done
	return 1
}
answer() {	# node role query: "rows md5" of its rows in a fixed order, or the error
	q "$1" "SELECT count(*) || ' ' || coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text COLLATE \"C\")), '-')
	          FROM ($3) AS r" "$2" 2>&1 | head -n 1
}

# --- a primary, and a hot standby of it ------------------------------------

nodes_init && node_new primary >"$TMP/nodes.err" 2>&1 &&
	node_standby standby primary "hot_standby = on" >>"$TMP/nodes.err" 2>&1 ||
	bail "a primary and a hot standby made with pg_basebackup -R" "$TMP/nodes.err"
got=$(on standby "$BIN/psql" -X -A -t -d postgres -c "SELECT pg_is_in_recovery()" 2>&1)
senders=$(on primary "$BIN/psql" -X -A -t -d postgres -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>&1)
[ "$got" = t ] && [ "$senders" = 1 ]
ok $? "a primary (wal_level = $(on primary "$BIN/psql" -X -A -t -d postgres -c 'SHOW wal_level')) and a hot standby made with pg_basebackup -R, streaming (in recovery: $got; $senders streaming)"

# --- data loaded on the primary, replayed ------------------------------------

on primary "$BIN/createdb" "$DB" 2>"$TMP/load.err" &&
	on primary "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c 'SET client_min_messages = warning' \
		-c 'CREATE EXTENSION por_partner CASCADE' -f "$ROOT/test/fixtures/book.sql" \
		-c "CREATE ROLE $READER LOGIN IN ROLE por_partner_reader" \
		-c "CALL por_partner.run_daily_job()" >"$TMP/load.out" 2>>"$TMP/load.err" ||
	bail "data loaded on the primary through the functions" "$TMP/load.err"
lsn=$(q primary "SELECT pg_current_wal_lsn()")
wait_for standby "SELECT pg_last_wal_replay_lsn() >= '$lsn'" 30
rc=$?
ok $rc "data loaded on the primary through the functions ($(q primary "SELECT count(*) FROM por_partner.subscription") subscriptions, the daily job run), replayed on the standby up to $lsn"

PID=$(q primary "SELECT partner_id FROM por_partner.partner_login WHERE login = '$PARTNER'::regrole")
DUE=$(q primary "SELECT max(expires_on) - 1 FROM por_partner.subscription")	# a day notices are due
TENANT=$(q primary "SELECT min(tenant_id) FROM por_partner.tenant WHERE created_by = ${PID:-0}")	# one it administers

# --- every read path, read-only, the same answers ----------------------------

reads=()
while read -r v; do
	reads+=("$PARTNER|SELECT * FROM por_partner_book.$v")
done < <(q primary "SELECT viewname FROM pg_views WHERE schemaname = 'por_partner_book' ORDER BY 1")
reads+=(
	"$PARTNER|SELECT * FROM por_partner.expiring_subscriptions(3650)"
	"$PARTNER|SELECT * FROM por_partner.renewal_notices_due()"
	"$PARTNER|SELECT * FROM por_partner.renewal_notices_due('$DUE')"
	"$PARTNER|SELECT por_partner.partner_customer_count($PID)"
	"$PARTNER|SELECT por_partner.customer_management_view($PID)"
	"$READER|SELECT * FROM por_partner.subscription_overview"
	"$READER|SELECT * FROM por_partner.key_card_overview"
	"$READER|SELECT * FROM por_partner.expiring_subscriptions(3650)"
	"$READER|SELECT * FROM por_partner.renewal_notices_due('$DUE')"
)
for r in "${reads[@]}"; do
	role=${r%%|*}
	sql=${r#*|}
	a=$(answer primary "$role" "$sql")
	b=$(answer standby "$role" "$sql")
	[[ "$a" =~ ^[0-9]+\ [0-9a-f-]+$ ]] && [ "$a" = "$b" ]
	ok $? "on the standby, as ${role/upgrade_test_contoso/the partner\'s login}: $sql: the primary's answer (${b%% *} rows)"
	[ "$a" = "$b" ] || printf 'primary: %s\nstandby: %s\n' "$a" "$b" | diag
done

# --- writes, the daily job and the mailer: the primary's ---------------------

writes=(
	"$PARTNER|SELECT por_partner.add_user($TENANT, 'On', 'Standby', 'on.standby@fabrikam.example')|25006|a partner's add_user"
	"postgres|INSERT INTO por_partner.partner (mpn_id, name) VALUES ('5199999', 'Standby Co')|25006|an operator's INSERT"
	"postgres|CALL por_partner.run_daily_job()|25006|the daily job"
	"postgres|SELECT * FROM por_partner.claim_notices()|25006|the mailer's claim_notices()"
	"postgres|LISTEN por_partner_renewal_notice|25006|the mailer's LISTEN"
)
for w in "${writes[@]}"; do
	IFS='|' read -r role sql want what <<<"$w"
	if [[ "$sql" == CALL* ]]; then		# it commits: run, as it runs on the primary
		a=$(sqlstate primary "$sql" "$role")
	else
		a=$(sqlstate primary "BEGIN; $sql; ROLLBACK" "$role")
	fi
	b=$(sqlstate standby "$sql" "$role")
	[ "$b" = "$want" ] && [ "$a" = none ]
	ok $? "on the standby, $what fails with $want (got $b; on the primary: ${a/none/no error}): $sql"
done
msg=$(on standby "$BIN/psql" -X -q -d "$DB" -c "LISTEN por_partner_renewal_notice" 2>&1)
grep -q 'cannot execute LISTEN during recovery' <<<"$msg"
ok $? "LISTEN on the standby: ${msg#ERROR:  }"

# --- after a promotion: the new primary takes writes and the daily job --------

got=$(q standby "SELECT pg_promote(wait => true)" 2>&1)
rec=$(q standby "SELECT pg_is_in_recovery()" 2>&1)
[ "$got" = t ] && [ "$rec" = f ]
ok $? "pg_promote(): the standby is a primary (in recovery: $rec)"
q standby "CALL por_partner.run_daily_job()" >/dev/null 2>"$TMP/job.err"
ok $? "after the promotion the daily job runs on the new primary"
diag <"$TMP/job.err"
max=$(q primary "SELECT max(user_id) FROM por_partner.tenant_user")
got=$(q standby "SELECT por_partner.add_user($TENANT, 'After', 'Promotion', 'after.promotion@fabrikam.example')" "$PARTNER" 2>&1)
[[ "$got" =~ ^[0-9]+$ ]] && [ "$got" -gt "$max" ]
ok $? "and a partner's add_user succeeds there: user $got, above the old primary's $max (sequences are replicated by WAL)"

finish
