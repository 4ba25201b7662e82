#!/usr/bin/env bash
# The README's recipes "The search_path: set per role or per database" and
# "Behind pgbouncer" (issue 15), run as written with the real tools: Debian's
# pgbouncer 1.18, psycopg 3 (python3-psycopg) and node-postgres 8 (from the
# npm registry, test/drivers/node/package-lock.json, installed into
# build/node).
#   1. The search_path: a partner's login without por_partner on its
#      search_path cannot compare keys (42883); OPERATOR(por_partner.=) can;
#      ALTER ROLE ... SET search_path, or ALTER DATABASE ... SET search_path
#      for a login without a role setting, make `product_key = '...'` work.
#   2. pgbouncer in transaction pooling (pool_mode = transaction, SCRAM with an
#      auth_file copied from pg_authid, the server asking SCRAM too), two
#      partner logins mapped in partner_login with the role's search_path:
#      psycopg (prepare_threshold=None) and node-postgres (unnamed statements)
#      clients of both logins at once, 6 a login over default_pool_size = 2
#      server connections, each call reading the book and comparing keys
#      (WHERE product_key = $1, no SET): every call gets exactly the book an
#      operator reads directly for that partner, and no error.
#   3. The traps the recipe warns of, on a database entry with pool_size=1 so
#      that they are deterministic: options=-csearch_path is refused; a
#      SET search_path of one client reaches the next client of the server
#      connection (SET LOCAL in a transaction does not); psycopg's default
#      prepared statements and node-postgres's named statements fail (42P05)
#      for the second client, and a named statement fails (26000) when run
#      again on the other server connection of a pool of two; LISTEN through
#      pgbouncer gets nothing.
#
# Needs PGHOST/PGPORT/PGUSER of a running cluster with por_partner installed
# (PGHOST a socket directory).  Starts its own pgbouncer on a free port as the
# cluster's owner (pgbouncer refuses root, as the server does), adds two lines
# to the cluster's pg_hba.conf for its own database and logins.  Prints TAP;
# exits non-zero when a test fails.  Stops what it starts, drops what it makes,
# puts pg_hba.conf back.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$REPO/scripts/cluster.sh"		# as_owner, free_port (its cluster is not used)
BIN=$PGBIN
. "$HERE/lib/tap.sh"
. "$HERE/lib/node_pg.sh"
PYTHON=${PYTHON:-/usr/bin/python3}	# Debian's, with python3-psycopg
PGBOUNCER=${PGBOUNCER:-/usr/sbin/pgbouncer}
DB=por_partner_bouncer_$$
A=por_partner_bouncer_a_$$		# partner 5100001's application
B=por_partner_bouncer_b_$$		# partner 5100002's application
PWA=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
PWB=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_bouncer.XXXXXX")
chmod 755 "$TMP"
RUN=$TMP/pgbouncer			# pgbouncer's files, owned by the cluster's owner
mkdir -p "$RUN"
[ "$(id -u)" -eq 0 ] && chown postgres: "$RUN"
HBA=
CLIENTS=3				# a driver, a login: 6 clients a login over 2 server connections
ROUNDS=20

cleanup() {
	local pid
	pid=$(cat "$RUN/pgbouncer.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	if [ -n "$HBA" ] && [ -f "$TMP/pg_hba.conf.orig" ]; then
		cat "$TMP/pg_hba.conf.orig" >"$HBA"
		"$BIN/psql" -X -q -d postgres -c 'SELECT pg_reload_conf()' >/dev/null 2>&1
	fi
	"$BIN/dropdb" --if-exists "$DB" >/dev/null 2>&1
	"$BIN/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS $A" -c "DROP ROLE IF EXISTS $B" >/dev/null 2>&1
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

q() {		# sql: the rows, unaligned, tab-separated, as the operator (superuser)
	"$BIN/psql" -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}
as_login() {	# login password sql...: psql as the login, directly (verbose errors)
	local u=$1 p=$2
	shift 2
	PGPASSWORD=$p "$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$DB" -U "$u" "$@"
}
bouncer() {	# dbname login password sql...: psql through pgbouncer
	local d=$1 u=$2 p=$3
	shift 3
	PGPASSWORD=$p "$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
		-d "host=127.0.0.1 port=$BPORT dbname=$d user=$u" "$@"
}

# --- the book, two partners' logins ---------------------------------------
"$BIN/createdb" "$DB" 2>"$TMP/setup.err" &&
	"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" >"$TMP/setup.out" 2>>"$TMP/setup.err" \
		-c "SET client_min_messages = warning" -c "CREATE EXTENSION por_partner CASCADE" \
		-f "$REPO/test/fixtures/book.sql" &&
	q "CREATE ROLE $A LOGIN PASSWORD '$PWA' IN ROLE por_partner_partner;
	   CREATE ROLE $B LOGIN PASSWORD '$PWB' IN ROLE por_partner_partner;
	   INSERT INTO por_partner.partner_login (login, partner_id)
	   SELECT '$A'::regrole, partner_id FROM por_partner.partner WHERE mpn_id = '5100001'
	   UNION ALL
	   SELECT '$B'::regrole, partner_id FROM por_partner.partner WHERE mpn_id = '5100002'" >/dev/null 2>>"$TMP/setup.err"
ok $? "a database with test/fixtures/book.sql, two partners' logins mapped in partner_login"
diag <"$TMP/setup.err"
PA=$(q "SELECT partner_id FROM por_partner.partner WHERE mpn_id = '5100001'")
PB=$(q "SELECT partner_id FROM por_partner.partner WHERE mpn_id = '5100002'")
KA=$(q "SELECT product_key FROM por_partner.key_card WHERE partner_id = $PA ORDER BY product_key::text COLLATE \"C\" LIMIT 1")
KB=$(q "SELECT product_key FROM por_partner.key_card WHERE partner_id = $PB ORDER BY product_key::text COLLATE \"C\" LIMIT 1")

# the server asks the two logins for their passwords (SCRAM), as in production
HBA=$(q "SHOW hba_file")
if [ -f "$HBA" ] && cp "$HBA" "$TMP/pg_hba.conf.orig"; then
	{
		echo "local $DB $A,$B scram-sha-256	# test/shell/pgbouncer.sh, removed when it ends"
		echo "host $DB $A,$B 127.0.0.1/32 scram-sha-256"
		cat "$TMP/pg_hba.conf.orig"
	} >"$TMP/pg_hba.conf.new" && cat "$TMP/pg_hba.conf.new" >"$HBA"
	q "SELECT pg_reload_conf()" >/dev/null
	sleep 0.2
else
	HBA=
fi
PGPASSWORD=wrong "$BIN/psql" -X -q -d "$DB" -U "$A" -c 'SELECT 1' >/dev/null 2>&1
rc=$?
as_login "$A" "$PWA" -c 'SELECT 1' >/dev/null 2>&1
rc2=$?
[ "$rc" -ne 0 ] && [ "$rc2" -eq 0 ]
ok $? "the server asks the logins for their passwords (scram-sha-256 in pg_hba.conf): a wrong one is refused"

# --- 1. the search_path: set per role or per database ----------------------
as_login "$A" "$PWA" -c "SELECT count(*) FROM por_partner_book.key_card WHERE product_key = '$KA'::por_partner.product_key" \
	>"$TMP/nopath.out" 2>&1
rc=$?
as_login "$A" "$PWA" -c "SELECT count(*) FROM por_partner_book.key_card WHERE product_key = '$KA'" \
	>"$TMP/nopath_literal.out" 2>&1
rc2=$?
[ "$rc" -ne 0 ] && grep -q '42883: operator does not exist: por_partner.product_key = por_partner.product_key' "$TMP/nopath.out" &&
	[ "$rc2" -ne 0 ] && grep -q '42883: operator does not exist: por_partner.product_key = unknown' "$TMP/nopath_literal.out"
ok $? "without por_partner on the search_path, comparing keys fails: 42883 operator does not exist (with a key, and with a literal: = unknown)"
head -n 1 "$TMP/nopath.out" "$TMP/nopath_literal.out" | grep ERROR | diag
got=$(as_login "$A" "$PWA" -c "SELECT count(*) FROM por_partner_book.key_card WHERE product_key OPERATOR(por_partner.=) '$KA'" 2>&1)
want=$(q "SELECT count(*) FROM por_partner.key_card WHERE partner_id = $PA AND product_key::text = '$KA'")
[ "$got" = "$want" ] && [ "$want" = 1 ]
ok $? "without any setting, OPERATOR(por_partner.=) compares them (got $got, operator: $want)"

q "ALTER ROLE $A SET search_path = por_partner_book, por_partner" >/dev/null
got=$(as_login "$A" "$PWA" -c "SHOW search_path" -c "SELECT count(*) FROM key_card WHERE product_key = '$KA'" 2>&1 | tr '\n' ' ')
[ "$got" = "por_partner_book, por_partner 1 " ]
ok $? "ALTER ROLE ... SET search_path = por_partner_book, por_partner: a new session of the login compares keys, unqualified (got: $got)"

got=$(as_login "$B" "$PWB" -c "SELECT count(*) FROM por_partner_book.key_card WHERE product_key = '$KB'" 2>&1)
q "ALTER DATABASE $DB SET search_path = \"\$user\", public, por_partner" >/dev/null
got2=$(as_login "$B" "$PWB" -c "SELECT count(*) FROM por_partner_book.key_card WHERE product_key = '$KB'" 2>&1)
[ "$got2" = 1 ] && grep -q 42883 <<<"$got"
ok $? "ALTER DATABASE ... SET search_path = \"\$user\", public, por_partner: a login without a role setting compares keys (before: ${got%%:*}; after: $got2)"
q "ALTER DATABASE $DB RESET search_path; ALTER ROLE $B SET search_path = por_partner_book, por_partner" >/dev/null

# --- 2. pgbouncer, as the recipe says -------------------------------------
BPORT=$(free_port)
# the auth_file: the logins' SCRAM secrets, as pg_authid holds them
q "SELECT format('\"%s\" \"%s\"', rolname, rolpassword) FROM pg_authid WHERE rolname IN ('$A', '$B')" \
	>"$RUN/userlist.txt"
cat >"$RUN/pgbouncer.ini" <<EOF
[databases]
book = host=$PGHOST port=$PGPORT dbname=$DB
; the traps, made deterministic by a single server connection (or two)
book_one = host=$PGHOST port=$PGPORT dbname=$DB pool_size=1
book_two = host=$PGHOST port=$PGPORT dbname=$DB pool_size=2

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BPORT
unix_socket_dir =
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
auth_type = scram-sha-256
auth_file = $RUN/userlist.txt
ignore_startup_parameters = extra_float_digits
logfile = $RUN/pgbouncer.log
pidfile = $RUN/pgbouncer.pid
EOF
[ "$(id -u)" -eq 0 ] && chown postgres: "$RUN"/*
chmod 600 "$RUN/userlist.txt"
as_owner "$PGBOUNCER" -d "$RUN/pgbouncer.ini" >"$TMP/pgbouncer.start" 2>&1
for _ in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$BPORT") 2>/dev/null && break
	sleep 0.1
done
got=$(bouncer book "$A" "$PWA" -c "SHOW search_path" 2>&1)
[ "$got" = "por_partner_book, por_partner" ]
ok $? "pgbouncer $("$PGBOUNCER" --version | sed -n '1s/^PgBouncer //p') on 127.0.0.1:$BPORT, transaction pooling, SCRAM: a login gets its role's search_path ($got)"
diag <"$TMP/pgbouncer.start"
[ "$got" = "por_partner_book, por_partner" ] || tail -n 20 "$RUN/pgbouncer.log" 2>/dev/null | diag

PGPASSWORD=wrong "$BIN/psql" -X -q -d "host=127.0.0.1 port=$BPORT dbname=book user=$A" -c 'SELECT 1' >/dev/null 2>&1
ok $((! $?)) "pgbouncer refuses a wrong password"

got=$(PGPASSWORD=$PWA "$BIN/psql" -X -q -A -t -d "host=127.0.0.1 port=$BPORT dbname=book user=$A options=-csearch_path=por_partner" \
	-c "SELECT 1" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && grep -q 'unsupported startup parameter: options' <<<"$got"
ok $? "options=-csearch_path=... in the connection string is refused by pgbouncer (the recipe's warning)"
diag <<<"$got"

node_pg_install "$TMP/npm.log"
rc=$?
ok $rc "node-postgres $(node -e 'console.log(require("pg/package.json").version)' 2>/dev/null) installed from the npm registry into build/node (npm ci)"
[ "$rc" -eq 0 ] || tail -n 20 "$TMP/npm.log" | diag

# the config of the drivers' clients: each login probes every key of the
# book, its own and the other partner's
keys_json() { q "SELECT coalesce(json_agg(product_key::text ORDER BY product_key::text COLLATE \"C\"), '[]') FROM por_partner.key_card"; }
config() {	# dbname rounds clients [extra json]
	cat <<-EOF
	{"host": "127.0.0.1", "port": $BPORT, "dbname": "$1", "rounds": $2, "clients": $3, "seed": 15 ${4:+, $4},
	 "logins": [{"user": "$A", "password": "$PWA", "probe": $(keys_json)},
	            {"user": "$B", "password": "$PWB", "probe": $(keys_json)}]}
	EOF
}
config book $ROUNDS $CLIENTS '"prepare_threshold": null' >"$TMP/book.json"

# what an operator reads directly: each partner's book (its partner row; its
# key cards; the subscriptions and tenants of the customers it created,
# administers as accepted delegated admin or is partner of record of), and
# for every key whether it is the partner's
expected_book() {	# login partner_id
	q "WITH t AS (SELECT tenant_id FROM por_partner.tenant WHERE created_by = $2
	              UNION SELECT tenant_id FROM por_partner.delegated_admin WHERE partner_id = $2
	              UNION SELECT tenant_id FROM por_partner.subscription WHERE partner_of_record = $2)
	   SELECT 'book', '$1', '$2',
	          (SELECT string_agg(product_key::text, ',' ORDER BY product_key::text COLLATE \"C\")
	             FROM por_partner.key_card WHERE partner_id = $2),
	          (SELECT string_agg(subscription_id::text, ',' ORDER BY subscription_id)
	             FROM por_partner.subscription WHERE tenant_id IN (SELECT tenant_id FROM t)),
	          (SELECT string_agg(tenant_id::text, ',' ORDER BY tenant_id) FROM t)"
	q "SELECT 'probe', '$1', product_key::text, CASE WHEN partner_id = $2 THEN partner_id::text ELSE 'none' END
	     FROM por_partner.key_card"
}
{ expected_book "$A" "$PA"; expected_book "$B" "$PB"; } | LC_ALL=C sort >"$TMP/expected"

start=$SECONDS
"$PYTHON" "$REPO/test/drivers/bouncer.py" book "$TMP/book.json" >"$TMP/py.out" 2>"$TMP/py.err" &
py=$!
node "$REPO/test/drivers/node/bouncer.js" book "$TMP/book.json" >"$TMP/node.out" 2>"$TMP/node.err"
rcn=$?
wait "$py"
rcp=$?
secs=$((SECONDS - start))
cat "$TMP/py.out" "$TMP/node.out" >"$TMP/all.out"
calls=$(grep -c -E '^(book|probe)	' "$TMP/all.out")
errors=$(grep -c '^error	' "$TMP/all.out")
want_calls=$((2 * 2 * CLIENTS * ROUNDS * 4))
[ "$rcp" -eq 0 ] && [ "$rcn" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$calls" -eq "$want_calls" ]
ok $? "psycopg (prepare_threshold=None) and node-postgres (unnamed statements) at once, $((2 * CLIENTS)) clients a login: $calls of $want_calls calls answered, $errors errors (${secs} s)"
grep '^error	' "$TMP/all.out" | sort | uniq -c | sort -rn | head -n 10 | diag
cat "$TMP/py.err" "$TMP/node.err" | head -n 20 | diag

grep -E '^(book|probe)	' "$TMP/all.out" | LC_ALL=C sort -u >"$TMP/got"
grep '^book	' "$TMP/got" | cut -f2 | sort | uniq -d >"$TMP/two_books"
[ -s "$TMP/got" ] && [ ! -s "$TMP/two_books" ] && cmp -s <(grep '^book	' "$TMP/got") <(grep '^book	' "$TMP/expected")
ok $? "every call of each login read exactly its partner's book, as an operator reads it directly (partner row, key cards, subscriptions, tenants)"
diff <(grep '^book	' "$TMP/expected") <(grep '^book	' "$TMP/got") | head -n 20 | diag
cmp -s <(grep '^probe	' "$TMP/got") <(grep '^probe	' "$TMP/expected")
ok $? "WHERE product_key = \$1 with no SET: each key found for its own partner only, $(grep -c '^probe	' "$TMP/all.out") comparisons, no wrong answer"
diff <(grep '^probe	' "$TMP/expected") <(grep '^probe	' "$TMP/got") | head -n 20 | diag

shared=0
for login in "$A" "$B"; do
	pids=$(awk -F'\t' -v l="$login" '$1 == "pid" && $2 == l { print $4 }' "$TMP/all.out" | sort -u | wc -l)
	clients=$(awk -F'\t' -v l="$login" '$1 == "pid" && $2 == l { print $3 }' "$TMP/all.out" | sort -u | wc -l)
	both=$(comm -12 <(awk -F'\t' -v l="$login" '$1 == "pid" && $2 == l && $3 ~ /^psycopg/ { print $4 }' "$TMP/all.out" | sort -u) \
		<(awk -F'\t' -v l="$login" '$1 == "pid" && $2 == l && $3 ~ /^node/ { print $4 }' "$TMP/all.out" | sort -u) | wc -l)
	echo "$login: $clients clients on $pids server connections, $both of them used by both drivers" | diag
	[ "$pids" -ge 1 ] && [ "$pids" -le 2 ] && [ "$clients" -eq $((2 * CLIENTS)) ] || shared=1
done
ok $shared "the server connections were shared: each login's $((2 * CLIENTS)) clients ran on at most default_pool_size = 2 server connections"

# --- 3. the traps, on book_one (a single server connection) ----------------
got=$(bouncer book_one "$A" "$PWA" -c "SET search_path = public" 2>&1 &&
	bouncer book_one "$A" "$PWA" -c "SHOW search_path" -c "SELECT count(*) FROM key_card" 2>&1)
grep -q '^public$' <<<"$got" && grep -q '42P01' <<<"$got"
ok $? "trap: a SET search_path of one client reaches the next client of the server connection (it sees 'public', and key_card is not found: 42P01)"
head -n 3 <<<"$got" | diag
bouncer book_one "$A" "$PWA" -c "RESET search_path" >/dev/null 2>&1
got=$(bouncer book_one "$A" "$PWA" -c "BEGIN" -c "SET LOCAL search_path = public" -c "COMMIT" 2>&1 &&
	bouncer book_one "$A" "$PWA" -c "SHOW search_path" -c "SELECT count(*) FROM key_card WHERE product_key = '$KA'" 2>&1 | tr '\n' ' ')
[ "$got" = "por_partner_book, por_partner 1 " ]
ok $? "SET LOCAL inside a transaction ends with it: the next client has the role's search_path and compares keys (got: $got)"

config book_one 0 0 >"$TMP/default.json"
"$PYTHON" "$REPO/test/drivers/bouncer.py" prepared "$TMP/default.json" >"$TMP/prep_default.out" 2>&1
[ "$(grep -c '^probe	' "$TMP/prep_default.out")" -ge 8 ] && grep -q -E '^error	[^	]*	(42P05|26000)	' "$TMP/prep_default.out"
ok $? "trap: psycopg's default prepare_threshold, the first client is answered, the second client of the server connection fails ($(cut -f1,3 "$TMP/prep_default.out" | grep '^error' | sort | uniq -c | tr -s ' \t\n' ' '))"
grep '^error' "$TMP/prep_default.out" | head -n 3 | diag
config book_one 0 0 '"prepare_threshold": null' >"$TMP/none.json"
"$PYTHON" "$REPO/test/drivers/bouncer.py" prepared "$TMP/none.json" >"$TMP/prep_none.out" 2>&1
[ "$(grep -c '^probe	' "$TMP/prep_none.out")" -eq 16 ] && ! grep -q '^error' "$TMP/prep_none.out" &&
	[ -z "$(grep '^probe	' "$TMP/prep_none.out" | LC_ALL=C sort -u | comm -23 - "$TMP/expected")" ]
ok $? "with prepare_threshold=None, the same two clients: 16 answers, all right, no error"
grep '^error' "$TMP/prep_none.out" | head -n 3 | diag

config book_one 0 0 '"named": true' >"$TMP/named.json"
node "$REPO/test/drivers/node/bouncer.js" named "$TMP/named.json" >"$TMP/named.out" 2>&1
[ "$(grep -c '^probe	' "$TMP/named.out")" -ge 8 ] && grep -q -E '^error	[^	]*	(42P05|26000)	' "$TMP/named.out"
ok $? "trap: node-postgres named statements (name: in the query config), the first client is answered, the second client of the server connection fails ($(cut -f1,3 "$TMP/named.out" | grep '^error' | sort | uniq -c | tr -s ' \t\n' ' '))"
grep '^error' "$TMP/named.out" | head -n 3 | diag
config book_two 0 0 >"$TMP/moved.json"
node "$REPO/test/drivers/node/bouncer.js" moved "$TMP/moved.json" >"$TMP/moved.out" 2>&1
x=$(awk -F'\t' '$1 == "pid" && $3 == "node-x" { print $4 }' "$TMP/moved.out")
y1=$(awk -F'\t' '$1 == "pid" && $3 == "node-y1" { print $4 }' "$TMP/moved.out")
y2=$(awk -F'\t' '$1 == "pid" && $3 == "node-y2" { print $4 }' "$TMP/moved.out")
[ "$(grep -c '^probe	' "$TMP/moved.out")" -eq 1 ] && [ -n "$x" ] && [ "$x" = "$y2" ] && [ "$y1" != "$y2" ] &&
	grep -q -E '^error	[^	]*	26000	' "$TMP/moved.out"
ok $? "trap: node-postgres named statements, a pool of two: run again when the server connection that prepared it is taken, the statement gets the other and fails ($(cut -f1,3 "$TMP/moved.out" | grep '^error' | sort | uniq -c | tr -s ' \t\n' ' '))"
grep -v '^probe' "$TMP/moved.out" | head -n 5 | diag
node "$REPO/test/drivers/node/bouncer.js" named "$TMP/none.json" >"$TMP/unnamed.out" 2>&1
[ "$(grep -c '^probe	' "$TMP/unnamed.out")" -eq 16 ] && ! grep -q '^error' "$TMP/unnamed.out" &&
	[ -z "$(grep '^probe	' "$TMP/unnamed.out" | LC_ALL=C sort -u | comm -23 - "$TMP/expected")" ]
ok $? "with unnamed statements (no name:), the same two clients: 16 answers, all right, no error"
grep '^error' "$TMP/unnamed.out" | head -n 3 | diag

# LISTEN: the notification is sent while the server connection is back in the pool
listen_script() {	# how psql reaches the server for the NOTIFY
	cat <<-EOF
	LISTEN por_partner_bouncer_test;
	\\! "$BIN/psql" -X -q -d "$DB" -c "NOTIFY por_partner_bouncer_test"
	SELECT pg_sleep(0.5);
	SELECT 1;
	EOF
}
direct=$(listen_script | as_login "$A" "$PWA" 2>&1 | grep -c 'Asynchronous notification')
through=$(listen_script | bouncer book_one "$A" "$PWA" 2>&1 | grep -c 'Asynchronous notification')
[ "$direct" -eq 1 ] && [ "$through" -eq 0 ]
ok $? "trap: LISTEN through pgbouncer gets nothing ($through notifications; connected directly: $direct): the mailer connects to the server directly"

finish
