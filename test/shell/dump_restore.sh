#!/usr/bin/env bash
# pg_dump of a database that uses por_partner restores with its data.
#
# A source database gets partners, key cards, customers, users and licenses
# through the extension's functions (rules K2-K6, C1-C5), partner users,
# delegated admin offers, a partner of record, a trial invitation and a
# purchase offer (rules A1-A5, D2-D5, P1), an operator's change to a shipped
# country row (rule C2: DE no longer served) and to the shipped setting
# invitation_url_base, and an added SKU.
# It is dumped, then restored into fresh databases the documented way, with
# the rule triggers off for the data load (the AFTER INSERT triggers on tenant
# and subscription would otherwise create admin users and licenses again, rule
# C3):
#   PGOPTIONS='-c session_replication_role=replica' psql -d NEW -f dump.sql
#   PGOPTIONS='-c session_replication_role=replica' pg_restore --single-transaction --exit-on-error -d NEW dump.custom
# and every table of schema por_partner is compared (row count and an md5 over
# its ordered rows), the identity sequences are checked to continue, and the
# rules to hold again after the load.  Finally a plain restore, without that
# option, is tried and its outcome only reported (lines starting with "#").
#
# Needs PGHOST/PGPORT/PGUSER of a running cluster with por_partner installed.
# Prints TAP; exits non-zero when a test fails.  Drops what it creates.
set -u

BIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SRC=por_partner_dump_src_$$
DST=por_partner_dump_dst_$$
DST_CUSTOM=por_partner_dump_custom_$$
DST_PLAIN=por_partner_dump_plain_$$
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_dump.XXXXXX")
REPLICA="${PGOPTIONS:+$PGOPTIONS }-c session_replication_role=replica"

cleanup() {
	for db in "$SRC" "$DST" "$DST_CUSTOM" "$DST_PLAIN"; do
		"$BIN/dropdb" --if-exists "$db" >/dev/null 2>&1
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

. "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

q() {		# db sql: one value, unaligned, errors to stderr
	"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
sqlstate() {	# db sql: the SQLSTATE of the error it raises, or "none"
	local out
	out=$("$BIN/psql" -X -q -A -t -v VERBOSITY=sqlstate -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1)
	sed -n 's/^.*ERROR:  \([0-9A-Z]\{5\}\)$/\1/p' <<<"$out" | head -n 1 | grep . || echo none
}
signature() {	# db table [where]: "rows md5" over its rows in a fixed order
	q "$1" "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\")), '-')
	          FROM por_partner.$2 t ${3:-}"
}
kept() {	# table: the condition of the rows pg_dump keeps of it ('' for all)
	q "$SRC" "SELECT x.cond FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x (rel, cond)
	           WHERE e.extname = 'por_partner' AND x.rel = 'por_partner.$1'::regclass"
}
sequences() {	# db: every sequence of the schema with its state
	q "$1" "SELECT string_agg(format('%s=%s/%s', c.relname,
	                 (pg_sequence_last_value(c.oid::regclass)), s.seqincrement), ' ' ORDER BY c.relname)
	          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	          JOIN pg_sequence s ON s.seqrelid = c.oid
	         WHERE n.nspname = 'por_partner' AND c.relkind = 'S'"
}

# --- the source database, loaded through the functions ---------------------

"$BIN/createdb" "$SRC" 2>"$TMP/setup.err" &&
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$SRC" >"$TMP/setup.out" 2>>"$TMP/setup.err" \
	-c "CREATE EXTENSION por_partner CASCADE" -f "$(dirname "$0")/../fixtures/book.sql"
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "1..1"
	ok 1 "source database loaded through the functions"
	diag <"$TMP/setup.err"
	exit 1
fi

mapfile -t TABLES < <(q "$SRC" "SELECT tablename FROM pg_tables WHERE schemaname = 'por_partner' ORDER BY 1")
# 1 load + 2 dumps + 1 restore + tables + sequences + 4 after-restore checks
# + 1 custom-format restore
echo "1..$((1 + 2 + 1 + ${#TABLES[@]} + 1 + 4 + 1))"

# the load itself: counts, the seat rule and the redeemed keys as intended
got=$(q "$SRC" "SELECT (SELECT count(*) FROM por_partner.partner) || ' partners, ' ||
	(SELECT count(*) FROM por_partner.tenant) || ' tenants, ' ||
	(SELECT count(*) FROM por_partner.tenant_user) || ' users, ' ||
	(SELECT string_agg(seats || '/' || licensed_users, ' ' ORDER BY subscription_id) FROM por_partner.subscription) || ' seats, ' ||
	(SELECT count(*) FROM por_partner.license) || ' licenses, ' ||
	(SELECT count(*) FILTER (WHERE redeemed_at IS NULL) FROM por_partner.key_card) || ' unredeemed keys, ' ||
	(SELECT string_agg(status, ' ' ORDER BY offer_id) FROM por_partner.delegated_admin_offer) || ' offers, ' ||
	(SELECT count(*) FROM por_partner.delegated_admin) || ' delegated admins'")
want="3 partners, 4 tenants, 15 users, 4/3 8/7 2/2 10/1 30/1 seats, 14 licenses, 3 unredeemed keys, accepted declined pending accepted accepted offers, 3 delegated admins"
[ "$got" = "$want" ]
ok $? "source database loaded through the functions ($got)"
[ "$got" = "$want" ] || echo "# expected: $want"

# --- dump -------------------------------------------------------------------

"$BIN/pg_dump" -d "$SRC" -f "$TMP/dump.sql" 2>"$TMP/dump.err"
ok $? "pg_dump (plain SQL) of the source database"
diag <"$TMP/dump.err"
"$BIN/pg_dump" -Fc -d "$SRC" -f "$TMP/dump.custom" 2>"$TMP/dump-custom.err"
ok $? "pg_dump -Fc (custom archive) of the source database"
diag <"$TMP/dump-custom.err"

# --- the documented restore: psql with session_replication_role=replica ----

"$BIN/createdb" "$DST" &&
	PGOPTIONS="$REPLICA" "$BIN/psql" -X -q -d "$DST" -f "$TMP/dump.sql" >/dev/null 2>"$TMP/restore.err"
rc=$?
! grep -q 'ERROR' "$TMP/restore.err" && [ "$rc" -eq 0 ]
ok $? "PGOPTIONS='-c session_replication_role=replica' psql -f dump.sql restores without errors"
diag <"$TMP/restore.err"

# Of a reference table (country, sku, setting, renewal_notice_schedule),
# pg_dump keeps the rows an operator added or changed (WHERE NOT shipped) and
# CREATE EXTENSION makes the shipped ones: those two are compared; a shipped
# row an operator deleted (or whose key it changed) comes back, as the README
# says, and is only reported.
for t in "${TABLES[@]}"; do
	where=$(kept "$t")
	a=$(signature "$SRC" "$t" "$where")
	b=$(signature "$DST" "$t" "$where" 2>&1)
	if [ -n "$where" ]; then
		back=$(comm -13 <(q "$SRC" "SELECT t::text FROM por_partner.$t t ORDER BY 1" | sort) \
		                <(q "$DST" "SELECT t::text FROM por_partner.$t t ORDER BY 1" 2>&1 | sort))
		lost=$(comm -23 <(q "$SRC" "SELECT t::text FROM por_partner.$t t ORDER BY 1" | sort) \
		                <(q "$DST" "SELECT t::text FROM por_partner.$t t ORDER BY 1" 2>&1 | sort))
		[ "$a" = "$b" ] && [ -z "$lost" ]
		ok $? "table por_partner.$t restored: the ${a%% *} rows $where identical, no shipped row lost"
		[ -z "$lost" ] || echo "$lost" | sed 's/^/lost: /' | diag
		[ -z "$back" ] || echo "$back" | sed 's/^/shipped row back after the restore (deleted by an operator before the dump; README, Backups): /' | diag
	else
		[ "$a" = "$b" ]
		ok $? "table por_partner.$t restored identically (${a%% *} rows)"
	fi
	if [ "$a" != "$b" ]; then
		printf 'source:   %s\nrestored: %s\n' "$a" "$b" | diag
		diff <(q "$SRC" "SELECT t::text FROM por_partner.$t t ORDER BY t::text COLLATE \"C\"") \
			<(q "$DST" "SELECT t::text FROM por_partner.$t t ORDER BY t::text COLLATE \"C\"" 2>&1) |
			grep '^[<>]' | head -n 10 | diag
	fi
done

a=$(sequences "$SRC")
b=$(sequences "$DST" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ]
ok $? "identity sequences restored at their values"
[ "$a" = "$b" ] || printf 'source:   %s\nrestored: %s\n' "$a" "$b" | diag

# the identity sequences continue: a new partner gets the next id, a new
# customer fresh tenant, user and subscription ids (no collision)
want=$(q "$SRC" "SELECT last_value + 1 FROM por_partner.partner_partner_id_seq")
got=$(q "$DST" "INSERT INTO por_partner.partner (mpn_id, name, reseller, subscription_advisor)
                VALUES ('5100004', 'After Restore Ltd', true, true) RETURNING partner_id" 2>&1)
[ "$got" = "$want" ]
ok $? "a partner added after the restore gets the next id ($want)"
[ "$got" = "$want" ] || printf 'got: %s\n' "$got" | diag

max=$(q "$SRC" "SELECT (SELECT max(tenant_id) FROM por_partner.tenant) || ' ' ||
                       (SELECT max(subscription_id) FROM por_partner.subscription) || ' ' ||
                       (SELECT max(user_id) FROM por_partner.tenant_user)")
key5=$(q "$SRC" "SELECT product_key FROM por_partner.key_card WHERE redeemed_at IS NULL AND licenses = 1
                 AND partner_id = (SELECT partner_id FROM por_partner.partner WHERE mpn_id = '5100001')
                 ORDER BY product_key LIMIT 1")
sub=$(q "$DST" "SELECT por_partner.create_customer_subscription(p.partner_id, ARRAY['$key5']::por_partner.product_key[],
                        'After Restore Co', 'FR', 'Fay', 'First', 'fay@after.example')
                   FROM por_partner.partner p WHERE p.mpn_id = '5100001'" 2>&1)
got=$(q "$DST" "SELECT t.tenant_id || ' ' || s.subscription_id || ' ' || u.user_id
                  FROM por_partner.subscription s
                  JOIN por_partner.tenant t ON t.tenant_id = s.tenant_id
                  JOIN por_partner.tenant_user u ON u.tenant_id = t.tenant_id
                 WHERE s.subscription_id = ${sub//[^0-9]/0}" 2>&1)
[ -n "$got" ] || got=$sub
read -r t1 s1 u1 <<<"$max"
read -r t2 s2 u2 <<<"$got"
[[ "$t2" =~ ^[0-9]+$ && "$s2" =~ ^[0-9]+$ && "$u2" =~ ^[0-9]+$ ]] &&
	[ "$t2" -gt "$t1" ] && [ "$s2" -gt "$s1" ] && [ "$u2" -gt "$u1" ]
rc=$?
ok $rc "a customer created after the restore gets fresh tenant, subscription and user ids (above $max)"
[ "$rc" -eq 0 ] || printf 'got: %s\n' "$got" | diag

# the rules hold again once the load is over (the replica role was the
# session's only): a key redeemed before the dump stays redeemed (rule K6) ...
key1=$(q "$SRC" "SELECT product_key FROM por_partner.key_card WHERE redeemed_as = 'activate'
                 ORDER BY product_key LIMIT 1")
got=$(sqlstate "$DST" "SELECT por_partner.create_customer_subscription(partner_id, ARRAY['$key1']::por_partner.product_key[],
                        'Second Try', 'US', 'Sam', 'Second', 'sam@second.example')
                         FROM por_partner.key_card WHERE product_key::text = '$key1'")
[ "$got" = 23505 ]
ok $? "rule K6 after the restore: a key redeemed before the dump cannot be redeemed again (got $got, want 23505)"

# ... and the operator's change survives (rule C2): no new customer in DE
key6=$(q "$SRC" "SELECT product_key FROM por_partner.key_card WHERE redeemed_at IS NULL AND licenses = 1
                 AND partner_id = (SELECT partner_id FROM por_partner.partner WHERE mpn_id = '5100001')
                 ORDER BY product_key DESC LIMIT 1")
got=$(sqlstate "$DST" "SELECT por_partner.create_customer_subscription(partner_id, ARRAY['$key6']::por_partner.product_key[],
                        'Berlin Start-up', 'DE', 'Bea', 'Berlin', 'bea@berlin.example')
                         FROM por_partner.key_card WHERE product_key::text = '$key6'")
[ "$got" = 23514 ]
ok $? "rule C2 after the restore: DE, closed by the operator before the dump, takes no customer (got $got, want 23514)"

# --- the documented restore: pg_restore with session_replication_role=replica

"$BIN/createdb" "$DST_CUSTOM" &&
	PGOPTIONS="$REPLICA" "$BIN/pg_restore" --single-transaction --exit-on-error -d "$DST_CUSTOM" "$TMP/dump.custom" 2>"$TMP/restore-custom.err"
rc=$?
bad=
for t in "${TABLES[@]}"; do
	[ "$(signature "$SRC" "$t" "$(kept "$t")")" = "$(signature "$DST_CUSTOM" "$t" "$(kept "$t")" 2>&1)" ] || bad="$bad $t"
done
[ "$(sequences "$SRC")" = "$(sequences "$DST_CUSTOM" 2>&1)" ] || bad="$bad (sequences)"
[ "$rc" -eq 0 ] && [ -z "$bad" ]
ok $? "PGOPTIONS='-c session_replication_role=replica' pg_restore --single-transaction --exit-on-error of dump -Fc: no errors, every table (the rows pg_dump keeps) and sequence identical"
[ -n "$bad" ] && echo "# differing:$bad"
diag <"$TMP/restore-custom.err"

# --- for the record: a plain restore, triggers on (no assertion) -----------

"$BIN/createdb" "$DST_PLAIN" &&
	"$BIN/psql" -X -q -d "$DST_PLAIN" -f "$TMP/dump.sql" >/dev/null 2>"$TMP/restore-plain.err"
echo "# plain restore (psql -f dump.sql, without session_replication_role=replica), reported only:"
echo "#   $(grep -c 'ERROR' "$TMP/restore-plain.err") error(s)"
grep -E 'ERROR|DETAIL' "$TMP/restore-plain.err" | sed 's/^psql:[^ ]*: //; s/^/#   /'
for t in "${TABLES[@]}"; do
	a=$(signature "$SRC" "$t")
	b=$(signature "$DST_PLAIN" "$t" 2>&1)
	if [ "$a" = "$b" ]; then
		echo "#   $t: identical (${a%% *} rows)"
	else
		echo "#   $t: source ${a%% *} rows, restored ${b%% *} rows, contents differ"
	fi
done

[ "$FAILED" -eq 0 ]
