#!/usr/bin/env bash
# A database loaded to a realistic size moves to a new cluster with pg_dump and
# comes back identical (issue 6).
#
# In the cluster given (PGHOST/PGPORT/PGUSER), a database is loaded through
# the extension's functions and set-based SQL: 200 partners, 20,000 key
# cards, 3,000 customers set up with create_customer_subscription, seats added
# with keys, users and licenses, delegated admin offers accepted, declined,
# left pending, removed and withdrawn, partners of record, partner users,
# trial invitations and purchase offers accepted, renewals with keys and
# through direct billing, renewal notices sent on several days, a purge, and
# an operator's changes to shipped reference rows (setting, sku, country,
# renewal_notice_schedule).  Login roles are made, members of the extension's
# group roles por_partner_operator, por_partner_partner and por_partner_reader
# when the extension has them (from 0.2.0), with an operator's grants on the
# extension's objects, and mapped to partners when the extension has a table
# for that (partner_login from 0.2.0, found in the catalog).
#
# The database is dumped (pg_dump -Fc and plain SQL), the roles with
# pg_dumpall --roles-only.  A second cluster is made (initdb, a port and a
# socket directory of its own), the roles are loaded into it first, then the
# dumps are restored the documented way:
#   PGOPTIONS='-c session_replication_role=replica' pg_restore --single-transaction --exit-on-error -d DB dump.custom
#   PGOPTIONS='-c session_replication_role=replica' psql -d DB_plain -f dump.sql
# and compared with the source: every table of schema por_partner (found in
# the catalog, so new tables are covered) by row count and an md5 over its
# ordered rows, the sequences, the extension version and its registered
# configuration tables, the grants (relations, columns, schema, functions),
# row security and policies, the roles and the login mapping; each login
# role must see in the new cluster what it saw in the source.  Then the rules
# are checked to hold in the new cluster, and the new cluster to be gone once
# stopped.  What pg_dump is known not to carry (a shipped reference row an
# operator deleted, an operator's policy on an extension table) is tried on
# a small database and reported as "# KNOWN PROBLEM" lines, not asserted.
#
# Figures (rows, dump sizes, seconds) are printed as "# " lines; no test
# depends on a timing.  Prints TAP, the plan last; exits non-zero when a test
# fails.  Removes both its databases and roles in the given cluster and the
# whole second cluster on exit, also on failure or interruption.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/scripts/cluster.sh"		# PGBIN, as_owner, free_port, cluster_start/stop
BIN=$PGBIN

if [ -z "${PGHOST:-}" ] || [ -z "${PGPORT:-}" ]; then
	echo "not ok 1 - PGHOST and PGPORT name a running cluster with por_partner installed"
	echo "1..1"
	exit 1
fi
A_HOST=$PGHOST
A_PORT=$PGPORT
export PGUSER=${PGUSER:-postgres}
# timestamps compare as text: one time zone and date style for every session
export PGTZ=UTC PGDATESTYLE=ISO
unset PGDATABASE

SRC=por_partner_fresh_$$
LOGIN_A=pp_test_login_a_$$	# a partner's application (por_partner_partner), mapped to partner 7000001
LOGIN_B=pp_test_login_b_$$	# a BI tool (por_partner_reader)
LOGIN_C=pp_test_login_c_$$	# another partner's application, mapped to partner 7000002
LOGIN_D=pp_test_login_d_$$	# an operator (por_partner_operator)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_fresh.XXXXXX")
REPLICA="${PGOPTIONS:+$PGOPTIONS }-c session_replication_role=replica"
B_HOST=
B_PORT=
B_PID=
B_DIR=

# --- cleanup: both clusters as they were, whatever happens ------------------

stop_fresh() {	# stop the second cluster (fast, else immediate) and remove it
	[ -n "${CLUSTER_DIR:-}" ] || return 0
	if [ -f "$CLUSTER_DIR/data/postmaster.pid" ]; then
		as_owner "$BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
			as_owner "$BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1
	fi
	cluster_stop
}
cleanup() {
	stop_fresh
	for db in "$SRC" "${SRC}_rec"; do
		PGHOST=$A_HOST PGPORT=$A_PORT "$BIN/dropdb" --if-exists "$db" >/dev/null 2>&1
	done
	for r in "$LOGIN_A" "$LOGIN_B" "$LOGIN_C" "$LOGIN_D"; do
		PGHOST=$A_HOST PGPORT=$A_PORT "$BIN/psql" -X -q -d postgres \
			-c "DROP ROLE IF EXISTS \"$r\"" >/dev/null 2>&1
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers ----------------------------------------------------------------

. "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"
bail() {	# description file: a failed step the rest depends on
	ok 1 "$1"
	[ -s "$2" ] && head -n 40 "$2" | diag
	finish
}

on() {		# A|B command...: run it against the given cluster
	local c=$1
	shift
	if [ "$c" = A ]; then
		PGHOST=$A_HOST PGPORT=$A_PORT "$@"
	else
		PGHOST=$B_HOST PGPORT=$B_PORT "$@"
	fi
}
q() {		# A|B db sql: the result, unaligned, errors to stderr
	on "$1" "$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$2" -c "$3"
}
sqlstate() {	# A|B db sql: the SQLSTATE of the error it raises, or "none"
	local out
	out=$(on "$1" "$BIN/psql" -X -q -A -t -v VERBOSITY=sqlstate -v ON_ERROR_STOP=1 -d "$2" -c "$3" 2>&1)
	sed -n 's/^.*ERROR:  \([0-9A-Z]\{5\}\)$/\1/p' <<<"$out" | head -n 1 | grep . || echo none
}
now() { echo "$EPOCHREALTIME"; }
installed() {	# a checksum of the installed extension's files: another make install shows
	cat "$("$BIN/pg_config" --sharedir)"/extension/por_partner* "$("$BIN/pg_config" --pkglibdir)"/por_partner.so 2>/dev/null |
		md5sum | cut -c1-32
}
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
size() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

signature() {	# A|B db table: "rows md5" over its rows in a fixed order
	q "$1" "$2" "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\")), '-')
	             FROM por_partner.\"$3\" t"
}
sequences() {	# A|B db: every sequence of the schema, last value and whether called
	local s out=
	for s in $(q "$1" "$2" "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	                         WHERE n.nspname = 'por_partner' AND c.relkind = 'S' ORDER BY 1"); do
		out="$out $s=$(q "$1" "$2" "SELECT last_value || '/' || is_called FROM por_partner.\"$s\"")"
	done
	echo "${out# }"
}
extension() {	# A|B db: version, and the configuration tables with their conditions
	q "$1" "$2" "SELECT e.extversion || ' ' || coalesce((SELECT string_agg(c::regclass::text || coalesce(' ' || nullif(w, ''), ''), ', ' ORDER BY c::regclass::text)
	                                                    FROM unnest(e.extconfig, e.extcondition) AS u (c, w)), '-')
	               FROM pg_extension e WHERE e.extname = 'por_partner'"
}
grants() {	# A|B db: the privileges on the schema, its relations and their columns
	q "$1" "$2" "SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
	    SELECT 'schema ' || coalesce(nspacl::text, '-') FROM pg_namespace WHERE nspname = 'por_partner'
	    UNION ALL
	    SELECT c.relkind::text || ' ' || c.relname || ' ' || coalesce(c.relacl::text, '-')
	      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	     WHERE n.nspname = 'por_partner' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
	    UNION ALL
	    SELECT 'column ' || c.relname || '.' || a.attname || ' ' || a.attacl::text
	      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	     WHERE n.nspname = 'por_partner' AND a.attacl IS NOT NULL) AS g (x)"
}
routine_grants() {	# A|B db: the privileges on the schema's functions
	q "$1" "$2" "SELECT string_agg(p.oid::regprocedure::text || ' ' || coalesce(p.proacl::text, '-'), E'\\n'
	                          ORDER BY p.oid::regprocedure::text COLLATE \"C\")
	               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'por_partner'"
}
policies() {	# A|B db: row security of the schema's tables and their policies
	q "$1" "$2" "SELECT coalesce(string_agg(x, E'\\n' ORDER BY x), '-') FROM (
	    SELECT 'rls ' || c.relname || ' ' || c.relrowsecurity || ' ' || c.relforcerowsecurity
	      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	     WHERE n.nspname = 'por_partner' AND c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity)
	    UNION ALL
	    SELECT format('policy %s.%s %s %s %s using(%s) check(%s)', tablename, policyname, permissive, roles, cmd, qual, with_check)
	      FROM pg_policies WHERE schemaname = 'por_partner') AS p (x)"
}
roles() {	# A|B: the test's login roles and the extension's groups: attributes, password, memberships, comment
	q "$1" postgres "SELECT string_agg(format('%s login=%s inherit=%s connlimit=%s password=%s member_of=%s comment=%s', r.rolname,
	                          r.rolcanlogin, r.rolinherit, r.rolconnlimit, coalesce(md5(a.rolpassword), '-'),
	                          coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m
	                                     JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), '-'),
	                          coalesce(md5(shobj_description(r.oid, 'pg_authid')), '-')),
	                          E'\\n' ORDER BY r.rolname)
	                   FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid
	                  WHERE r.rolname IN ('$LOGIN_A', '$LOGIN_B', '$LOGIN_C', '$LOGIN_D',
	                                      'por_partner_operator', 'por_partner_partner', 'por_partner_reader')"
}
show_diff() {	# A|B db A|B db query: the first lines that differ between two results
	diff <(q "$1" "$2" "$5" 2>&1) <(q "$3" "$4" "$5" 2>&1) | grep '^[<>]' | head -n 10 | diag
}

# --- the source database, loaded through the functions ---------------------

INSTALLED=$(installed)
t0=$(now)
on A "$BIN/createdb" "$SRC" 2>"$TMP/load.err" &&
	on A "$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$SRC" >"$TMP/load.out" 2>>"$TMP/load.err" -f "$HERE/../fixtures/large_book.sql"
[ $? -eq 0 ] || bail "source database loaded through the functions" "$TMP/load.err"
t1=$(now)
LOAD_SECS=$(secs "$t0" "$t1")

mapfile -t TABLES < <(q A "$SRC" "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                  WHERE n.nspname = 'por_partner' AND c.relkind IN ('r', 'p') ORDER BY 1")

# the load: its size, and every kind of row it was meant to make
got=$(q A "$SRC" "SELECT (SELECT count(*) FROM por_partner.partner) || ' partners, ' ||
	(SELECT count(*) FROM por_partner.key_card) || ' key cards (' ||
	(SELECT string_agg(coalesce(redeemed_as, 'unredeemed'), ' ' ORDER BY redeemed_as NULLS FIRST)
	   FROM (SELECT DISTINCT redeemed_as FROM por_partner.key_card) AS k) || '), ' ||
	(SELECT count(*) FROM por_partner.tenant) || ' customers, subscriptions ' ||
	(SELECT string_agg(x, ' ' ORDER BY x) FROM (SELECT DISTINCT billing || '/' || por_partner.subscription_phase(s)
	   FROM por_partner.subscription s) AS b (x)) || ', offers ' ||
	(SELECT string_agg(DISTINCT status, ' ' ORDER BY status) FROM por_partner.delegated_admin_offer) || ', ' ||
	(SELECT count(DISTINCT days_before) FROM por_partner.renewal_notice) || ' notice days, ' ||
	(SELECT count(*) FILTER (WHERE NOT shipped) FROM por_partner.country) || '+' ||
	(SELECT count(*) FILTER (WHERE NOT shipped) FROM por_partner.sku) || '+' ||
	(SELECT count(*) FILTER (WHERE NOT shipped) FROM por_partner.setting) || '+' ||
	(SELECT count(*) FILTER (WHERE NOT shipped) FROM por_partner.renewal_notice_schedule) || ' reference rows changed'" 2>&1)
want="200 partners, 20000 key cards (unredeemed activate add_users renew), 3150 customers, subscriptions direct/active product_key/active product_key/deprovisioned product_key/disabled product_key/expired trial/active, offers accepted declined pending removed withdrawn, 5 notice days, 2+2+1+1 reference rows changed"
[ "$got" = "$want" ]
ok $? "source database loaded through the functions in ${LOAD_SECS}s ($got)"
[ "$got" = "$want" ] || echo "# expected: $want"


# --- roles: login roles in the extension's groups, an operator's grants ----

EXT_GROUPS=$(q A postgres "SELECT coalesce(string_agg(rolname, ' ' ORDER BY rolname), '') FROM pg_roles
                       WHERE rolname IN ('por_partner_operator', 'por_partner_partner', 'por_partner_reader')")
in_group() { [[ " $EXT_GROUPS " == *" $1 "* ]] && echo "GRANT $1 TO \"$2\";"; }
on A "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$SRC" >/dev/null 2>"$TMP/roles.err" <<SQL
CREATE ROLE "$LOGIN_A" LOGIN PASSWORD 'fresh-cluster-a' CONNECTION LIMIT 5;
CREATE ROLE "$LOGIN_B" LOGIN;
CREATE ROLE "$LOGIN_C" LOGIN;
CREATE ROLE "$LOGIN_D" LOGIN;
COMMENT ON ROLE "$LOGIN_B" IS 'the BI tool''s login';
$(in_group por_partner_partner "$LOGIN_A")
$(in_group por_partner_reader "$LOGIN_B")
$(in_group por_partner_partner "$LOGIN_C")
$(in_group por_partner_operator "$LOGIN_D")
-- an operator's grants on the extension's objects
GRANT USAGE ON SCHEMA por_partner TO "$LOGIN_A", "$LOGIN_B", "$LOGIN_C", "$LOGIN_D";
GRANT SELECT ON por_partner.subscription_overview TO "$LOGIN_B";
GRANT SELECT (subscription_id, expires_on) ON por_partner.subscription TO "$LOGIN_B";
GRANT SELECT ON por_partner.renewal_notice TO "$LOGIN_A", "$LOGIN_C";
GRANT SELECT ON por_partner.tenant TO "$LOGIN_D";
GRANT EXECUTE ON FUNCTION por_partner.send_renewal_notices(date) TO "$LOGIN_D";
SQL
rc=$?
ok $rc "login roles pp_test_login_{a,b,c,d}_$$ (groups: ${EXT_GROUPS:-none yet, so no memberships}), an operator's grants"
diag <"$TMP/roles.err"

# the extension's table mapping login roles to partners, when it has one: a
# table with a partner_id and a role column (regrole, name or oid), one named
# for logins first (0.2.0: partner_login (login regrole, partner_id))
MAP=$(q A "$SRC" "SELECT c.relname || ' ' || r.attname || ' ' || format_type(r.atttypid, NULL)
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    JOIN pg_attribute r ON r.attrelid = c.oid AND r.attnum > 0 AND NOT r.attisdropped
                    JOIN pg_attribute p ON p.attrelid = c.oid AND p.attname = 'partner_id'
                   WHERE n.nspname = 'por_partner' AND c.relkind = 'r'
                     AND (r.atttypid IN ('regrole'::regtype, 'name'::regtype, 'oid'::regtype) OR r.attname ~ 'login|rolname')
                   ORDER BY c.relname ~ 'login' DESC, r.atttypid = 'regrole'::regtype DESC, 1 LIMIT 1" 2>/dev/null)
role_map() {	# A|B: the mapping, by role name (an oid stored as a number would not survive)
	local t c ty
	read -r t c ty <<<"$MAP"
	case $ty in
	regrole) q "$1" "$SRC" "SELECT string_agg(m.\"$c\"::text || '=' || p.mpn_id, ' ' ORDER BY m.\"$c\"::text || '=' || p.mpn_id COLLATE \"C\") FROM por_partner.\"$t\" m
	                        JOIN por_partner.partner p USING (partner_id) WHERE m.\"$c\"::text LIKE 'pp\\_test\\_login\\_%'" ;;
	oid) q "$1" "$SRC" "SELECT string_agg(r.rolname || '=' || p.mpn_id, ' ' ORDER BY r.rolname || '=' || p.mpn_id COLLATE \"C\") FROM por_partner.\"$t\" m
	                    JOIN por_partner.partner p USING (partner_id) LEFT JOIN pg_roles r ON r.oid = m.\"$c\"
	                    WHERE coalesce(r.rolname, 'pp_test_login_?') LIKE 'pp\\_test\\_login\\_%'" ;;
	*) q "$1" "$SRC" "SELECT string_agg(m.\"$c\"::text || '=' || p.mpn_id, ' ' ORDER BY m.\"$c\"::text || '=' || p.mpn_id COLLATE \"C\") FROM por_partner.\"$t\" m
	                  JOIN por_partner.partner p USING (partner_id) WHERE m.\"$c\"::text LIKE 'pp\\_test\\_login\\_%'" ;;
	esac
}
MAPPED=
if [ -z "$MAP" ]; then
	skip "login roles mapped to partners" "the extension has no table mapping login roles to partners yet"
else
	read -r mt mc mty <<<"$MAP"
	val() { case $mty in regrole) echo "'$1'::regrole" ;; oid) echo "'$1'::regrole::oid" ;; *) echo "'$1'" ;; esac; }
	q A "$SRC" "INSERT INTO por_partner.\"$mt\" (partner_id, \"$mc\")
	            SELECT partner_id, $(val "$LOGIN_A") FROM por_partner.partner WHERE mpn_id = '7000001'
	            UNION ALL
	            SELECT partner_id, $(val "$LOGIN_C") FROM por_partner.partner WHERE mpn_id = '7000002'" >/dev/null 2>"$TMP/map.err"
	if [ $? -ne 0 ]; then
		# the table is a guess from the catalog: when it takes rows otherwise
		# (more columns, a function), this test needs teaching, not failing
		skip "login roles mapped to partners" "por_partner.$mt ($mc $mty) does not take (partner_id, $mc) rows; adapt this test"
		diag <"$TMP/map.err"
	else
		MAPPED=$(role_map A 2>>"$TMP/map.err")
		[ -n "$MAPPED" ]
		ok $? "login roles mapped to partners in por_partner.$mt.$mc ($mty): $MAPPED"
		diag <"$TMP/map.err"
	fi
fi

ROWS=0
EMPTY=
for t in "${TABLES[@]}"; do
	n=$(q A "$SRC" "SELECT count(*) FROM por_partner.\"$t\"")
	ROWS=$((ROWS + n))
	[ "$n" -eq 0 ] && EMPTY="$EMPTY $t"
done
echo "# source: $ROWS rows in ${#TABLES[@]} tables of schema por_partner"
[ -n "$EMPTY" ] && echo "# tables the load leaves empty:$EMPTY"

# --- dump -------------------------------------------------------------------

t0=$(now)
on A "$BIN/pg_dump" -Fc -d "$SRC" -f "$TMP/dump.custom" 2>"$TMP/dump-custom.err"
ok $? "pg_dump -Fc of the source database"
t1=$(now)
diag <"$TMP/dump-custom.err"
DUMP_C_SECS=$(secs "$t0" "$t1")
on A "$BIN/pg_dump" -d "$SRC" -f "$TMP/dump.sql" 2>"$TMP/dump.err"
ok $? "pg_dump (plain SQL) of the source database"
t2=$(now)
diag <"$TMP/dump.err"
DUMP_P_SECS=$(secs "$t1" "$t2")
on A "$BIN/pg_dumpall" --roles-only -f "$TMP/roles.sql" 2>"$TMP/dumpall.err" &&
	grep -q "CREATE ROLE $LOGIN_A;" "$TMP/roles.sql"
ok $? "pg_dumpall --roles-only of the source cluster"
diag <"$TMP/dumpall.err"
echo "# dump -Fc: $(size "$TMP/dump.custom") bytes ($(mib "$(size "$TMP/dump.custom")")) in ${DUMP_C_SECS}s;" \
	"plain: $(size "$TMP/dump.sql") bytes ($(mib "$(size "$TMP/dump.sql")")) in ${DUMP_P_SECS}s;" \
	"roles: $(size "$TMP/roles.sql") bytes"

# --- a second, fresh cluster ------------------------------------------------

t0=$(now)
cluster_start >"$TMP/cluster.out" 2>&1
rc=$?
trap cleanup EXIT		# cluster_start set its own; ours also stops it
B_HOST=$PGHOST
B_PORT=$PGPORT
B_DIR=${CLUSTER_DIR:-}
export PGHOST=$A_HOST PGPORT=$A_PORT
unset PGDATABASE
[ "$rc" -eq 0 ] && B_PID=$(head -n 1 "$B_DIR/data/postmaster.pid" 2>/dev/null)
[ "$rc" -eq 0 ] && [ -n "$B_PID" ] && [ "$B_PORT" != "$A_PORT" ] && [ "$B_HOST" != "$A_HOST" ] &&
	[ "$(q B postgres 'SELECT count(*) FROM pg_database')" = 3 ]
rc=$?
ok $rc "a fresh cluster (new initdb) started on port $B_PORT, socket in $B_DIR"
[ "$rc" -eq 0 ] || { diag <"$TMP/cluster.out"; finish; }
echo "# fresh cluster: initdb and start in $(secs "$t0" "$(now)")s"

# roles first: every role of the source cluster; "postgres" is there already
on B "$BIN/psql" -X -q -d postgres -f "$TMP/roles.sql" >/dev/null 2>"$TMP/roles-load.err"
grep 'ERROR' "$TMP/roles-load.err" | grep -v 'role "postgres" already exists' >"$TMP/roles-load.bad"
[ ! -s "$TMP/roles-load.bad" ]
ok $? "pg_dumpall --roles-only loads into the fresh cluster (no error but role \"postgres\" already exists)"
diag <"$TMP/roles-load.bad"

a=$(roles A)
b=$(roles B 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ]
ok $? "roles identical in the fresh cluster: attributes, password, group memberships"
if [ "$a" != "$b" ]; then printf 'source:\n%s\nfresh:\n%s\n' "$a" "$b" | diag; else diag <<<"$a"; fi

# --- the documented restores ------------------------------------------------

t0=$(now)
on B "$BIN/createdb" "$SRC" 2>"$TMP/restore-custom.err" &&
	PGOPTIONS="$REPLICA" on B "$BIN/pg_restore" --single-transaction --exit-on-error -d "$SRC" "$TMP/dump.custom" 2>>"$TMP/restore-custom.err"
rc=$?
t1=$(now)
RESTORE_C_SECS=$(secs "$t0" "$t1")
[ "$rc" -eq 0 ] && [ ! -s "$TMP/restore-custom.err" ]
ok $? "PGOPTIONS='-c session_replication_role=replica' pg_restore --single-transaction --exit-on-error of dump -Fc into the fresh cluster: no errors (${RESTORE_C_SECS}s)"
head -n 40 "$TMP/restore-custom.err" | diag

for t in "${TABLES[@]}"; do
	a=$(signature A "$SRC" "$t")
	b=$(signature B "$SRC" "$t" 2>&1)
	[ "$a" = "$b" ]
	ok $? "table por_partner.$t identical in the fresh cluster (${a%% *} rows)"
	if [ "$a" != "$b" ]; then
		printf 'source: %s\nfresh:  %s\n' "$a" "$b" | diag
		show_diff A "$SRC" B "$SRC" "SELECT t::text FROM por_partner.\"$t\" t ORDER BY t::text COLLATE \"C\""
	fi
done

t0=$(now)
on B "$BIN/createdb" "${SRC}_plain" 2>"$TMP/restore-plain.err" &&
	PGOPTIONS="$REPLICA" on B "$BIN/psql" -X -q -d "${SRC}_plain" -f "$TMP/dump.sql" >/dev/null 2>>"$TMP/restore-plain.err"
rc=$?
t1=$(now)
RESTORE_P_SECS=$(secs "$t0" "$t1")
bad=
for t in "${TABLES[@]}"; do
	[ "$(signature A "$SRC" "$t")" = "$(signature B "${SRC}_plain" "$t" 2>&1)" ] || bad="$bad $t"
done
[ "$rc" -eq 0 ] && ! grep -q 'ERROR' "$TMP/restore-plain.err" && [ -z "$bad" ]
ok $? "PGOPTIONS='-c session_replication_role=replica' psql -f dump.sql into the fresh cluster: no errors, every table identical (${RESTORE_P_SECS}s)"
[ -n "$bad" ] && echo "# differing:$bad"
grep -E 'ERROR|DETAIL' "$TMP/restore-plain.err" | head -n 20 | diag
echo "# restore: pg_restore ${RESTORE_C_SECS}s, psql -f ${RESTORE_P_SECS}s, $ROWS rows each"

# --- catalog state: sequences, extension, grants, policies, role mapping ---

a=$(sequences A "$SRC")
b=$(sequences B "$SRC" 2>&1)
c=$(sequences B "${SRC}_plain" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ]
ok $? "sequences identical in both restores ($(wc -w <<<"$a") sequences)"
[ "$a" = "$b" ] && [ "$a" = "$c" ] || printf 'source: %s\npg_restore: %s\npsql: %s\n' "$a" "$b" "$c" | diag

a=$(extension A "$SRC")
b=$(extension B "$SRC" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ]
ok $? "extension version and configuration tables identical (${a%% *})"
[ "$a" = "$b" ] || printf 'source: %s\nfresh:  %s\n' "$a" "$b" | diag

a=$(grants A "$SRC")
b=$(grants B "$SRC" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ] && grep -q "$LOGIN_D" <<<"$a"
ok $? "privileges on the schema, its relations and columns identical (relacl, attacl, nspacl)"
[ "$a" = "$b" ] || diff <(echo "$a") <(echo "$b") | grep '^[<>]' | head -n 10 | diag

a=$(routine_grants A "$SRC")
b=$(routine_grants B "$SRC" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ] && grep -q "$LOGIN_D" <<<"$a"
ok $? "privileges on the schema's functions identical (proacl)"
[ "$a" = "$b" ] || diff <(echo "$a") <(echo "$b") | grep '^[<>]' | head -n 10 | diag

a=$(policies A "$SRC")
b=$(policies B "$SRC" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ]
ok $? "row security and policies identical (pg_policies: $(grep -c '^policy' <<<"$a"))"
[ "$a" = "$b" ] || diff <(echo "$a") <(echo "$b") | grep '^[<>]' | head -n 10 | diag

if [ -n "$MAPPED" ]; then
	b=$(role_map B 2>&1)
	[ "$MAPPED" = "$b" ]
	ok $? "login roles mapped to the same partners by role name in the fresh cluster ($b)"
else
	skip "login roles mapped to the same partners in the fresh cluster" "no mapping table"
fi

# the login roles work in the fresh cluster: each logs in and sees what it
# saw in the source (grants, and the extension's row security and login
# mapping where it has them); in the source as SET ROLE
as_login() {	# A|B role sql
	if [ "$1" = A ]; then
		q A "$SRC" "SET ROLE \"$2\"; $3" 2>&1
	else
		on B "$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -U "$2" -d "$SRC" -c "$3" 2>&1
	fi
}
views=(
	"$LOGIN_A|SELECT count(*) || ' renewal notices' FROM por_partner.renewal_notice"
	"$LOGIN_B|SELECT count(*) || ' rows of subscription_overview' FROM por_partner.subscription_overview"
	"$LOGIN_C|SELECT count(*) || ' renewal notices' FROM por_partner.renewal_notice"
	"$LOGIN_D|SELECT count(*) || ' tenants' FROM por_partner.tenant"
)
bad=
seen=
for v in "${views[@]}"; do
	r=${v%%|*}
	a=$(as_login A "$r" "${v#*|}")
	b=$(as_login B "$r" "${v#*|}")
	seen="$seen, ${r%_*}: $b"
	[ "$a" = "$b" ] && [[ "$a" =~ ^[0-9]+\  ]] || bad="$bad ${r%_*} (source: $a; fresh: $b)"
done
[ -z "$bad" ]
ok $? "the login roles log in to the fresh cluster and see what they saw in the source${seen}"
[ -n "$bad" ] && echo "# differing:$bad"

# --- the rules hold again in the fresh cluster ------------------------------

# rule K6: a key redeemed before the dump cannot be redeemed again
key=$(q A "$SRC" "SELECT product_key FROM por_partner.key_card WHERE redeemed_as = 'activate' ORDER BY product_key LIMIT 1")
got=$(sqlstate B "$SRC" "SELECT por_partner.create_customer_subscription(partner_id, ARRAY['$key']::por_partner.product_key[],
                         'Second Try', 'US', 'Sam', 'Second', 'sam@second.example')
                          FROM por_partner.key_card WHERE product_key::text = '$key'")
[ "$got" = 23505 ]
ok $? "rule K6 in the fresh cluster: a key redeemed before the dump is refused (got $got, want 23505)"

# unredeemed Small Business keys of partners that may redeem them
mapfile -t FREE < <(q A "$SRC" "SELECT k.product_key FROM por_partner.key_card k JOIN por_partner.partner p USING (partner_id)
                               WHERE k.redeemed_at IS NULL AND k.sku_code = 'O365_SMALL_BUSINESS'
                                 AND p.reseller AND p.subscription_advisor ORDER BY k.product_key LIMIT 2")

# rule C2: the operator's change survives: no new customer in DE
got=$(sqlstate B "$SRC" "SELECT por_partner.create_customer_subscription(partner_id, ARRAY['${FREE[0]:-}']::por_partner.product_key[],
                         'Berlin Start-up', 'DE', 'Bea', 'Berlin', 'bea@berlin.example')
                          FROM por_partner.key_card WHERE product_key::text = '${FREE[0]:-}'")
[ "$got" = 23514 ]
ok $? "rule C2 in the fresh cluster: DE, closed by the operator before the dump, takes no customer (got $got, want 23514)"

# rule C3 and the identity sequences: a new customer gets fresh ids, and its
# admin user and license from the triggers (on again after the load)
max=$(q A "$SRC" "SELECT (SELECT max(tenant_id) FROM por_partner.tenant) || ' ' ||
                         (SELECT max(subscription_id) FROM por_partner.subscription) || ' ' ||
                         (SELECT max(user_id) FROM por_partner.tenant_user)")
sub=$(q B "$SRC" "SELECT por_partner.create_customer_subscription(partner_id,
                           ARRAY['${FREE[1]:-}']::por_partner.product_key[], 'After Move Co', 'FR',
                           'Fay', 'First', 'fay@after.example')
                    FROM por_partner.key_card WHERE product_key::text = '${FREE[1]:-}'" 2>&1)
if [[ "$sub" =~ ^[0-9]+$ ]]; then
	got=$(q B "$SRC" "SELECT s.tenant_id || ' ' || s.subscription_id || ' ' || u.user_id || ' ' ||
	                         coalesce(u.admin_role, '-') || ' ' || s.licensed_users
	                    FROM por_partner.subscription s JOIN por_partner.tenant_user u USING (tenant_id)
	                   WHERE s.subscription_id = $sub" 2>&1)
else
	got=$sub
fi
read -r t1 s1 u1 <<<"$max"
read -r t2 s2 u2 role lic <<<"$got"
[[ "$t2" =~ ^[0-9]+$ && "$s2" =~ ^[0-9]+$ && "$u2" =~ ^[0-9]+$ ]] &&
	[ "$t2" -gt "$t1" ] && [ "$s2" -gt "$s1" ] && [ "$u2" -gt "$u1" ] && [ "$role" = global_admin ] && [ "$lic" = 1 ]
ok $? "rule C3 in the fresh cluster: a new customer gets ids above $max, its admin and the admin's license (got: $got)"

# rule C5: a full subscription takes no more licensed users
sub=$(q A "$SRC" "SELECT subscription_id FROM por_partner.subscription
                   WHERE seats = licensed_users AND por_partner.subscription_phase(expires_on) = 'active'
                   ORDER BY subscription_id LIMIT 1")
got=$(sqlstate B "$SRC" "SELECT por_partner.add_user(tenant_id, 'One', 'Toomany', 'one.toomany@full.example', subscription_id)
                          FROM por_partner.subscription WHERE subscription_id = ${sub:-0}")
[ "$got" = 23514 ]
ok $? "rule C5 in the fresh cluster: full subscription $sub takes no more licensed users (got $got, want 23514)"

# rules R1, P4: the notices sent before the dump are not sent again
a=$(q A "$SRC" "SELECT count(*) FROM por_partner.renewal_notices_due(current_date)")
got=$(q B "$SRC" "SELECT count(*) FROM por_partner.send_renewal_notices(current_date - 1)" 2>&1)
got="$got $(q B "$SRC" "SELECT count(*) FROM por_partner.send_renewal_notices(current_date)" 2>&1)"
[ "$got" = "0 $a" ] && [ "$a" = 0 ]
ok $? "rules R1, P4 in the fresh cluster: notices sent before the dump are not sent again (sent $got for yesterday and today)"

# --- for the record: what pg_dump does not carry (reported, not asserted) --
# pg_dump keeps the rows of country, sku, setting and renewal_notice_schedule
# that are not shipped, so a shipped row an operator deleted (or changed the
# key of) comes back with CREATE EXTENSION; and pg_dump 15 dumps no row
# security and no policy of a table that belongs to an extension, so ones an
# operator added to the extension's tables are lost.
REC=${SRC}_rec
on A "$BIN/createdb" "$REC" 2>"$TMP/rec.err" &&
	q A "$REC" "CREATE EXTENSION por_partner CASCADE;
	            DELETE FROM por_partner.renewal_notice_schedule WHERE days_before = 1;
	            UPDATE por_partner.renewal_notice_schedule SET days_before = 45 WHERE days_before = 60;
	            DELETE FROM por_partner.country WHERE code = 'AQ';
	            ALTER TABLE por_partner.renewal_notice ENABLE ROW LEVEL SECURITY;
	            CREATE POLICY pp_test_partner_notices ON por_partner.renewal_notice FOR SELECT TO \"$LOGIN_A\"
	                USING (recipient = 'partner')" >/dev/null 2>>"$TMP/rec.err" &&
	on A "$BIN/pg_dump" -Fc -d "$REC" -f "$TMP/rec.custom" 2>>"$TMP/rec.err" &&
	on B "$BIN/createdb" "$REC" 2>>"$TMP/rec.err" &&
	PGOPTIONS="$REPLICA" on B "$BIN/pg_restore" --single-transaction --exit-on-error -d "$REC" "$TMP/rec.custom" 2>>"$TMP/rec.err"
record() {	# what sql: compare its result in both clusters
	local a b
	a=$(q A "$REC" "$2" 2>&1)
	b=$(q B "$REC" "$2" 2>&1)
	if [ "$a" = "$b" ]; then
		echo "# $1: kept ($a)"
	else
		echo "# KNOWN PROBLEM: $1: lost (source: $a; restored: $b)"
	fi
}
record "shipped notice days deleted (1) and re-keyed (60 to 45)" \
	"SELECT string_agg(days_before::text, ' ' ORDER BY days_before) FROM por_partner.renewal_notice_schedule"
record "shipped country AQ deleted" \
	"SELECT count(*) || ' of AQ' FROM por_partner.country WHERE code = 'AQ'"
record "an operator's row security and policy on renewal_notice" \
	"SELECT relrowsecurity || ' ' || (SELECT count(*) FROM pg_policies WHERE schemaname = 'por_partner') || ' policies'
	   FROM pg_class WHERE oid = 'por_partner.renewal_notice'::regclass"
diag <"$TMP/rec.err"

# --- the fresh cluster goes away --------------------------------------------

stop_fresh
left=
for _ in $(seq 1 50); do		# the postmaster may outlive its pid file a moment
	[ -n "$B_PID" ] && kill -0 "$B_PID" 2>/dev/null || break
	sleep 0.1
done
[ -n "$B_PID" ] && kill -0 "$B_PID" 2>/dev/null && left="$left postmaster $B_PID is running;"
(exec 3<>"/dev/tcp/127.0.0.1/$B_PORT") 2>/dev/null && left="$left port $B_PORT answers;"
[ -e "$B_DIR" ] && left="$left $B_DIR is there;"
[ -z "$left" ]
ok $? "the fresh cluster is stopped and removed (postmaster $B_PID gone, port $B_PORT free, $B_DIR removed)"
[ -n "$left" ] && echo "#$left"

[ "$(installed)" = "$INSTALLED" ] ||
	echo "# NOTE: the installed por_partner files changed while this test ran (another make install?): a difference may come from that"
echo "# figures: $ROWS rows; load ${LOAD_SECS}s; dump -Fc $(size "$TMP/dump.custom") bytes in ${DUMP_C_SECS}s," \
	"plain $(size "$TMP/dump.sql") bytes in ${DUMP_P_SECS}s; restore pg_restore ${RESTORE_C_SECS}s, psql ${RESTORE_P_SECS}s"
finish
