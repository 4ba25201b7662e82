#!/usr/bin/env bash
# The README's logical replication recipe, run as written (issue 15): a
# database that uses por_partner replicates to a second cluster exactly, and
# the second one takes over at a switch-over.
#
# Two clusters of its own (test/shell/lib/nodes.sh): a publisher with
# wal_level = logical and a subscriber.  On the publisher a database is loaded
# through the functions (test/fixtures/book.sql: every kind of row, and
# operators' changes to shipped rows of sku, setting and the notice
# schedule, a shipped schedule row re-keyed, DE closed).  Then the recipe:
#   1. roles first: pg_dumpall --roles-only of the publisher into the subscriber;
#   2. CREATE EXTENSION por_partner CASCADE on the subscriber, and the rows it
#      made emptied (the four reference tables, job_state): the copy brings
#      the publisher's;
#   3. CREATE PUBLICATION ... FOR TABLES IN SCHEMA por_partner,
#      TABLE por_partner_internal.job_state WITH (publish_via_partition_root);
#   4. CREATE SUBSCRIPTION on the subscriber, one direction only.
# It waits for the initial copy (every pg_subscription_rel row 'r'), makes
# changes on the publisher through the functions (a user added), an
# operator's change to a shipped country row, and the daily job, and waits
# for them to arrive (the slot's confirmed_flush_lsn).  Then every table of
# the extension (found in pg_depend, so new tables are covered) must have the
# same row count and md5 of its ordered rows on both; the shipped flags of
# the reference tables the same; and a pg_dump of the subscriber the same
# rows of them as one of the publisher (the operators' rows only: before the
# fix, the subscriber's triggers set every shipped row to shipped = false and
# its dump held all 249 countries).
#
# The switch-over: writes stopped on the publisher, caught up, the
# subscription dropped; a first insert through a function (add_user) on the
# new primary fails while its identity sequences start at 1 (23505: the ids
# are the replicated rows'), the sequences are moved (last_value read on the
# publisher, setval on the subscriber) and are then the publisher's, and the
# same call succeeds with ids above the publisher's.
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
export PGTZ=UTC PGDATESTYLE=ISO		# timestamps compare as text
unset PGDATABASE PGOPTIONS
DB=book
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_repl.XXXXXX")
chmod 755 "$TMP"

cleanup() {
	nodes_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bail() {	# description file: a failed step the rest depends on
	ok 1 "$1"
	[ -s "$2" ] && head -n 40 "$2" | diag
	finish
}
wait_for() {	# node sql seconds: until the query returns t
	local i
	for i in $(seq 1 $(($3 * 5))); do
		[ "$(q "$1" "$2" 2>/dev/null)" = t ] && return 0
		sleep 0.2
	done
	return 1
}
signature() {	# node table: "rows md5" over its rows in a fixed order
	q "$1" "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\")), '-') FROM $2 t"
}
sequences() {	# node: every sequence of the extension's schemas, last value and whether called
	q "$1" "SELECT string_agg(format('%s=%s', sequencename, coalesce(last_value::text, 'unused')), ' ' ORDER BY sequencename)
	          FROM pg_sequences WHERE schemaname IN ('por_partner', 'por_partner_internal')"
}
dumped() {	# file table: the data lines pg_dump wrote for the table (plain format)
	awk -v t="COPY $2 " 'index($0, t) == 1 { on = 1; next } on && $0 == "\\." { on = 0 } on' "$1"
}

# --- two clusters: a publisher (wal_level = logical) and a subscriber -------

t0=$EPOCHREALTIME
nodes_init && node_new pub "wal_level = logical" >"$TMP/nodes.err" 2>&1 && node_new sub >>"$TMP/nodes.err" 2>&1
rc=$?
[ "$rc" -eq 0 ] || bail "a publisher (wal_level = logical) and a subscriber cluster" "$TMP/nodes.err"
ok 0 "a publisher (wal_level = $(on pub "$BIN/psql" -X -A -t -d postgres -c 'SHOW wal_level')) on port $(cat "$NODES/pub.port") and a subscriber on port $(cat "$NODES/sub.port")"

on pub "$BIN/createdb" "$DB" 2>"$TMP/load.err" &&
	on pub "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c 'SET client_min_messages = warning' \
		-c 'CREATE EXTENSION por_partner CASCADE' -f "$ROOT/test/fixtures/book.sql" >"$TMP/load.out" 2>>"$TMP/load.err" ||
	bail "the publisher's database loaded through the functions (test/fixtures/book.sql)" "$TMP/load.err"
changed=$(q pub "SELECT (SELECT count(*) FILTER (WHERE NOT shipped) FROM por_partner.country) || '+' ||
                        (SELECT count(*) FILTER (WHERE NOT shipped) FROM por_partner.sku) || '+' ||
                        (SELECT count(*) FILTER (WHERE NOT shipped) FROM por_partner.setting) || '+' ||
                        (SELECT count(*) FILTER (WHERE NOT shipped) FROM por_partner.renewal_notice_schedule)")
ok 0 "the publisher's database loaded through the functions ($(q pub "SELECT count(*) FROM por_partner.subscription") subscriptions, $(q pub "SELECT count(*) FROM por_partner.audit_log") audit rows, $changed reference rows an operator's)"

# every table of the extension, by pg_depend (its members), in both schemas;
# a partition as part of its root (audit_change's rows are published as the
# trail's, and each cluster keeps them in the partitions it has)
mapfile -t TABLES < <(q pub "SELECT c.oid::regclass::text FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
                              WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind IN ('r', 'p')
                                AND NOT c.relispartition
                                AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'por_partner')
                              ORDER BY 1")

# --- the recipe ------------------------------------------------------------

# 1. roles first: partner_login.login is a regrole, grants name roles
on pub "$BIN/pg_dumpall" --roles-only -f "$TMP/roles.sql" 2>"$TMP/roles.err" &&
	on sub "$BIN/psql" -X -q -d postgres -f "$TMP/roles.sql" >/dev/null 2>>"$TMP/roles.err"
grep ERROR "$TMP/roles.err" | grep -v 'role "postgres" already exists' >"$TMP/roles.bad"
[ ! -s "$TMP/roles.bad" ] && [ "$(q pub "SELECT count(*) FROM por_partner.partner_login")" -gt 0 ]
ok $? "1. roles first: pg_dumpall --roles-only of the publisher loads into the subscriber (the logins of partner_login among them)"
diag <"$TMP/roles.bad"

# 2. the extension, then what CREATE EXTENSION filled emptied
on sub "$BIN/createdb" "$DB" 2>"$TMP/ext.err" &&
	on sub "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null 2>>"$TMP/ext.err" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION por_partner CASCADE;
DELETE FROM por_partner.renewal_notice_schedule;
DELETE FROM por_partner.setting;
DELETE FROM por_partner.sku;
DELETE FROM por_partner.country;
DELETE FROM por_partner_internal.job_state;
SQL
ok $? "2. CREATE EXTENSION por_partner CASCADE on the subscriber; its reference rows and job_state emptied"
diag <"$TMP/ext.err"

# 3. the publication: the extension's tables, partitions as their root
q pub "CREATE PUBLICATION por_partner_pub FOR TABLES IN SCHEMA por_partner, TABLE por_partner_internal.job_state
       WITH (publish_via_partition_root = true)" >/dev/null 2>"$TMP/pub.err"
ok $? "3. CREATE PUBLICATION por_partner_pub FOR TABLES IN SCHEMA por_partner, TABLE por_partner_internal.job_state WITH (publish_via_partition_root = true)"
diag <"$TMP/pub.err"
published=$(q pub "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'por_partner_pub'")

# 4. the subscription, one direction only
t1=$EPOCHREALTIME
q sub "CREATE SUBSCRIPTION por_partner_sub
         CONNECTION 'host=$NODES/pub port=$(cat "$NODES/pub.port") dbname=$DB user=postgres'
         PUBLICATION por_partner_pub" >/dev/null 2>"$TMP/sub.err"
ok $? "4. CREATE SUBSCRIPTION por_partner_sub on the subscriber"
diag <"$TMP/sub.err"

sync="SELECT count(*) = $published AND bool_and(srsubstate = 'r') FROM pg_subscription_rel"
wait_for sub "$sync" 40
rc=$?
ok $rc "the initial copy is done: all $published published tables 'r' in pg_subscription_rel, in $(awk -v a="$t1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
[ "$rc" -eq 0 ] || { q sub "SELECT srrelid::regclass || ' ' || srsubstate FROM pg_subscription_rel WHERE srsubstate <> 'r'" | diag
	grep -m5 ERROR "$NODES/sub/server.log" | diag; }

# --- changes after the copy, on the publisher --------------------------------

# an operator's change to a shipped row, the daily job, and a user added
# through the function, last
# an operator's deletion of an audit row (audit_change has no primary key:
# its rows are identified by all their columns, REPLICA IDENTITY FULL)
q pub "UPDATE por_partner.country SET service_available = false WHERE code = 'FR'" >/dev/null 2>"$TMP/late.err" &&
	q pub "DELETE FROM por_partner.audit_change WHERE audit_id = (SELECT min(audit_id) FROM por_partner.audit_change)" >/dev/null 2>>"$TMP/late.err" &&
	q pub "CALL por_partner.run_daily_job()" >/dev/null 2>>"$TMP/late.err" &&
	late=$(q pub "SELECT por_partner.add_user(s.tenant_id, 'Late', 'Arrival', 'late.arrival@fabrikam.example', s.subscription_id)
	                FROM por_partner.subscription s JOIN por_partner.tenant t USING (tenant_id)
	               WHERE t.organization_name = 'Fabrikam, Inc.' AND s.licensed_users < s.seats
	               ORDER BY s.subscription_id LIMIT 1" 2>>"$TMP/late.err")
[[ "${late:-}" =~ ^[0-9]+$ ]]
ok $? "changes on the publisher after the copy: FR closed and the first audit row deleted by an operator, the daily job, user $late added with add_user"
diag <"$TMP/late.err"

# caught up: the slot's confirmed_flush_lsn reaches the publisher's WAL position
lsn=$(q pub "SELECT pg_current_wal_lsn()")
wait_for pub "SELECT confirmed_flush_lsn >= '$lsn' FROM pg_replication_slots WHERE slot_name = 'por_partner_sub'" 30
rc=$?
got=$(q sub "SELECT count(*) FROM por_partner.tenant_user WHERE user_id = ${late:-0}")
[ "$rc" -eq 0 ] && [ "$got" = 1 ]
ok $? "the changes arrive: the slot confirmed $lsn, user ${late:-?} is on the subscriber"
[ "$rc" -eq 0 ] || grep -m5 ERROR "$NODES/sub/server.log" | diag

# --- every table the same -----------------------------------------------------

for t in "${TABLES[@]}"; do
	a=$(signature pub "$t")
	b=$(signature sub "$t" 2>&1)
	[ "$a" = "$b" ]
	ok $? "table $t identical on the subscriber (${a%% *} rows$([ "$t" = por_partner.audit_change ] && echo ', with its partitions'))"
	if [ "$a" != "$b" ]; then
		printf 'publisher:  %s\nsubscriber: %s\n' "$a" "$b" | diag
		diff <(q pub "SELECT t::text FROM $t t ORDER BY 1" 2>&1) <(q sub "SELECT t::text FROM $t t ORDER BY 1" 2>&1) |
			grep '^[<>]' | head -n 6 | diag
	fi
done

shipped="SELECT string_agg(x, ' ' ORDER BY x) FROM (
           SELECT 'country=' || count(*) FILTER (WHERE shipped) || '/' || count(*) FROM por_partner.country
           UNION ALL SELECT 'sku=' || count(*) FILTER (WHERE shipped) || '/' || count(*) FROM por_partner.sku
           UNION ALL SELECT 'setting=' || count(*) FILTER (WHERE shipped) || '/' || count(*) FROM por_partner.setting
           UNION ALL SELECT 'schedule=' || count(*) FILTER (WHERE shipped) || '/' || count(*) FROM por_partner.renewal_notice_schedule) AS s (x)"
a=$(q pub "$shipped")
b=$(q sub "$shipped" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ]
ok $? "the reference tables' shipped flags are the publisher's (shipped/all: $b)"
[ "$a" = "$b" ] || echo "# publisher: $a"

# pg_dump keeps the reference rows that are not shipped: the same on both
on pub "$BIN/pg_dump" -f "$TMP/pub.sql" "$DB" 2>"$TMP/dump.err" && on sub "$BIN/pg_dump" -f "$TMP/sub.sql" "$DB" 2>>"$TMP/dump.err" &&
	: >"$TMP/dump.err"	# its warnings (circular foreign keys) only when it failed
bad=
seen=
for t in country sku setting renewal_notice_schedule; do
	a=$(dumped "$TMP/pub.sql" "por_partner.$t" | md5sum)
	b=$(dumped "$TMP/sub.sql" "por_partner.$t" | md5sum)
	n=$(dumped "$TMP/sub.sql" "por_partner.$t" | wc -l)
	want=$(q pub "SELECT count(*) FROM por_partner.$t WHERE NOT shipped")
	seen="$seen $t=$n"
	[ "$a" = "$b" ] && [ "$n" = "$want" ] || bad="$bad $t (publisher's dump $(dumped "$TMP/pub.sql" "por_partner.$t" | wc -l), subscriber's $n, want $want)"
done
[ -s "$TMP/pub.sql" ] && [ -s "$TMP/sub.sql" ] && [ -z "$bad" ]
ok $? "a pg_dump of the subscriber holds the same reference rows as one of the publisher, the operators' only (rows:$seen)"
[ -n "$bad" ] && echo "# differing:$bad"
diag <"$TMP/dump.err"

# --- the switch-over -------------------------------------------------------

# writes stopped on the publisher, the subscriber caught up
q pub "ALTER DATABASE $DB SET default_transaction_read_only = on" >/dev/null
got=$(sqlstate pub "SELECT por_partner.add_user(1, 'Too', 'Late', 'too.late@fabrikam.example')")
lsn=$(q pub "SELECT pg_current_wal_lsn()")
wait_for pub "SELECT confirmed_flush_lsn >= '$lsn' FROM pg_replication_slots WHERE slot_name = 'por_partner_sub'" 30
rc=$?
[ "$got" = 25006 ] && [ "$rc" -eq 0 ]
ok $? "switch-over: writes stopped on the publisher (default_transaction_read_only: a write gets $got), the subscriber caught up to $lsn"

q sub "DROP SUBSCRIPTION por_partner_sub" >/dev/null 2>"$TMP/drop.err"
slots=$(q pub "SELECT count(*) FROM pg_replication_slots")
[ -z "$(grep ERROR "$TMP/drop.err")" ] && [ "$slots" = 0 ]
ok $? "DROP SUBSCRIPTION on the new primary; the publisher's slot is gone with it ($slots slots left)"
diag <"$TMP/drop.err"

# the trap: identity sequences are not replicated
user_call="SELECT por_partner.add_user(u.tenant_id, 'First', 'Afterwards', 'first.afterwards@fabrikam.example')
             FROM por_partner.tenant_user u WHERE u.user_id = ${late:-0}"
before=$(sequences sub)
got=$(sqlstate sub "$user_call")
[ "$got" = 23505 ]
ok $? "without the sequences moved, the first insert on the new primary fails (got $got, want 23505: its sequences start where the replicated ids began)"

# the recipe: last_value of every sequence read on the publisher, setval on the subscriber
q pub "SELECT format('SELECT setval(%L, %s);', quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value)
         FROM pg_sequences WHERE schemaname IN ('por_partner', 'por_partner_internal') AND last_value IS NOT NULL" \
	>"$TMP/setval.sql" 2>"$TMP/setval.err" &&
	on sub "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$TMP/setval.sql" >/dev/null 2>>"$TMP/setval.err"
rc=$?
a=$(sequences pub)
b=$(sequences sub)
[ "$rc" -eq 0 ] && [ "$a" = "$b" ] && [ "$a" != "$before" ]
ok $? "the sequences moved: setval on the subscriber of each last_value of the publisher ($(wc -l <"$TMP/setval.sql") sequences; $b)"
[ "$a" = "$b" ] || printf 'publisher:  %s\nsubscriber: %s\n' "$a" "$b" | diag
diag <"$TMP/setval.err"

max=$(q pub "SELECT max(user_id) FROM por_partner.tenant_user")
got=$(q sub "$user_call" 2>&1)
[[ "$got" =~ ^[0-9]+$ ]] && [ "$got" -gt "$max" ]
ok $? "then the first insert through a function on the new primary succeeds: user $got, above the publisher's $max"

echo "# run time $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
finish
