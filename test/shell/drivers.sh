#!/usr/bin/env bash
# The README's recipe "Drivers" for psycopg 3 and node-postgres (issue 15),
# with the real drivers: Debian's python3-psycopg and node-postgres 8 from the
# npm registry (test/drivers/node/package-lock.json, installed into build/node;
# if npm cannot fetch it, the test fails).
#   psycopg (test/drivers/psycopg_check.py): on its own, keys come back as str
#   in text mode, as the 16 raw bytes of the server's binary form in binary
#   mode (cursor(binary=True)), and product_key[] as the str '{...}'; with
#   examples/drivers/por_partner_psycopg.py registered, binary and text mode
#   return the same strings for every key of the fixture, arrays as lists, and
#   keys sent as binary parameters round-trip; its codec agrees with the
#   server's product_key_send on 500 more keys and refuses what the server's
#   input refuses.
#   node-postgres (test/drivers/node/drivers.js): keys are strings, parameters
#   compare; product_key[] comes back as the string '{...}' until a type parser
#   is registered for the array type's OID, then as an array of strings;
#   `binary: true` garbles every key.
# The expected values are the server's own (product_key::text,
# product_key_send, product_key_is_valid), read with psql.
#
# Needs PGHOST/PGPORT/PGUSER of a running cluster with por_partner installed.
# Prints TAP; exits non-zero when a test fails.  Drops what it creates.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${PGBIN:-/usr/lib/postgresql/15/bin}
. "$HERE/lib/tap.sh"
. "$HERE/lib/node_pg.sh"
PYTHON=${PYTHON:-/usr/bin/python3}	# Debian's, with python3-psycopg
DB=por_partner_drivers_$$
OP=por_partner_drivers_op_$$		# an operator's login: reads every key
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_drivers.XXXXXX")
chmod 755 "$TMP"

cleanup() {
	"$BIN/dropdb" --if-exists "$DB" >/dev/null 2>&1
	"$BIN/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS $OP" >/dev/null 2>&1
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

q() {		# sql: the rows, unaligned, as the superuser
	"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}
report() {	# file: its "check NAME ok|fail DETAIL" lines as TAP, described by name
	local name desc
	while IFS=$'\t' read -r tag name status detail; do
		[ "$tag" = check ] || continue
		desc=$(grep -m1 "^$name	" "$TMP/descriptions" | cut -f2)
		[ "$status" = ok ]
		ok $? "${desc:-$name}${detail:+ ($detail)}"
	done <"$1"
}

"$BIN/createdb" "$DB" 2>"$TMP/setup.err" &&
	"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" >"$TMP/setup.out" 2>>"$TMP/setup.err" \
		-c "SET client_min_messages = warning" -c "CREATE EXTENSION por_partner CASCADE" \
		-f "$REPO/test/fixtures/book.sql" &&
	q "CREATE ROLE $OP LOGIN IN ROLE por_partner_operator;
	   ALTER ROLE $OP SET search_path = por_partner" >/dev/null 2>>"$TMP/setup.err"
ok $? "a database with test/fixtures/book.sql, an operator's login with search_path = por_partner"
diag <"$TMP/setup.err"

# what the server itself answers: each key's text and binary form, the
# array's text, 500 more keys (test/fixtures/key.sql), texts it refuses
KA=$(q "SELECT product_key FROM por_partner.key_card ORDER BY product_key::text COLLATE \"C\" LIMIT 1")
INVALID="'AAAAA-${KA#*-}', 'NNBCD-FGHJK-MPQRT-VWXY2-34678', '${KA%?}', '${KA:0:4}-${KA:4:1}${KA:6}', '${KA:0:5}${KA:6}'"
"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -f "$REPO/test/fixtures/key.sql" -c "
	SELECT json_build_object(
	  'dsn', format('host=%s port=%s dbname=%s user=%s', '$PGHOST', '$PGPORT', '$DB', '$OP'),
	  'node', json_build_object('host', '$PGHOST', 'port', $PGPORT, 'database', '$DB', 'user', '$OP'),
	  'keys', (SELECT json_agg(json_build_array(product_key::text, encode(por_partner.product_key_send(product_key), 'hex'))
	                           ORDER BY product_key::text COLLATE \"C\") FROM por_partner.key_card),
	  'array_text', (SELECT array_agg(product_key ORDER BY product_key::text COLLATE \"C\")::text FROM por_partner.key_card),
	  'generated', (SELECT json_agg(json_build_array(k::text, encode(por_partner.product_key_send(k), 'hex')))
	                  FROM (SELECT pg_temp.key('drivers', i) FROM generate_series(1, 500) AS i) AS s (k)),
	  'invalid', (SELECT json_agg(t) FROM unnest(ARRAY[$INVALID]) AS t))" >"$TMP/config.json" 2>"$TMP/config.err"
valid=$(q "SELECT count(*) FILTER (WHERE por_partner.product_key_is_valid(t)) || ' of ' || count(*) FROM unnest(ARRAY[$INVALID]) AS t")
[ -s "$TMP/config.json" ] && [ "$valid" = "0 of 5" ]
ok $? "the server's answers for the drivers to meet: $(q "SELECT count(*) FROM por_partner.key_card") keys of the fixture and 500 more, texts and binary forms; 5 texts its input refuses ($valid valid)"
diag <"$TMP/config.err"

cat >"$TMP/descriptions" <<'EOF'
text_plain	psycopg, text mode (the default): every key comes back as the str the server prints
text_param_plain	psycopg, text mode: every key as a str parameter (%s, lower case, no hyphens) finds its card, no cast
binary_plain_bytes	trap: psycopg, binary mode (cursor(binary=True)) without the module: every key comes back as its 16 raw bytes (the server's product_key_send)
array_plain_str	trap: psycopg without the module: product_key[] comes back as the str '{...}', unparsed
binary_param_plain_refused	trap: psycopg, a str sent as a binary parameter (%b) is typed text, which product_key's = does not take (42883)
register_oids	por_partner_psycopg.register(conn) finds the OIDs of product_key and product_key[] in the database at hand
text_module	psycopg with the module, text mode: every key the same str (a ProductKey)
text_module_array	psycopg with the module, text mode: product_key[] as a list of the keys
binary_module	psycopg with the module, binary mode: every key the same str as in text mode
binary_module_array	psycopg with the module, binary mode: product_key[] as a list of the keys
binary_param_roundtrip	psycopg with the module: every key sent as a binary parameter (ProductKey, lower case, no hyphens) comes back as its text and finds its card
binary_param_array	psycopg with the module: a list of keys sent as a binary product_key[] parameter round-trips and finds every card (= ANY)
text_param_roundtrip	psycopg with the module: keys sent as text parameters round-trip too
codec_generated	the module's codec against the server's product_key_send: decode and encode agree on every key, either case, with or without hyphens
codec_refuses_invalid	the module's encoder refuses each text the server's input refuses (a vowel, two Ns, 24 symbols, a hyphen out of place, some hyphens missing)
codec_refuses_bad_bytes	the module's decoder refuses 16 bytes that encode no key
text_plain_node	node-postgres, text mode: every key comes back as the string the server prints
EOF
cat >>"$TMP/descriptions" <<'EOF'
text_param	node-postgres: a key as a parameter ($1, lower case, no hyphens) compares, unnamed statement, no cast
text_param_array	node-postgres: a JS array of keys as a parameter (= ANY($1)) finds every card
array_plain_string	trap: node-postgres without a type parser: product_key[] comes back as the string '{...}', unparsed
binary_garbles	trap: node-postgres with binary: true garbles every key (its 16 bytes read as UTF-8): keep text mode
array_parsed	node-postgres, after types.setTypeParser(OID of product_key[], the text[] parser): an array of the keys' strings
array_parsed_new_client	node-postgres: the parser holds for every client made afterwards
no_error	node-postgres: no error
EOF

# --- psycopg --------------------------------------------------------------
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$REPO/examples/drivers "$PYTHON" "$REPO/test/drivers/psycopg_check.py" "$TMP/config.json" \
	>"$TMP/psycopg.out" 2>"$TMP/psycopg.err"
rc=$?
n=$(grep -c '^check	' "$TMP/psycopg.out")
[ "$rc" -eq 0 ] && [ "$n" -eq 16 ]
ok $? "psycopg $("$PYTHON" -c 'import psycopg; print(psycopg.__version__)' 2>/dev/null): the checks ran to the end ($n of 16)"
diag <"$TMP/psycopg.err"
report "$TMP/psycopg.out"

# --- node-postgres --------------------------------------------------------
node_pg_install "$TMP/npm.log"
rc=$?
ok $rc "node-postgres $(node -e 'console.log(require("pg/package.json").version)' 2>/dev/null) installed from the npm registry into build/node (npm ci)"
[ "$rc" -eq 0 ] || tail -n 20 "$TMP/npm.log" | diag
node "$REPO/test/drivers/node/drivers.js" "$TMP/config.json" >"$TMP/node.out" 2>"$TMP/node.err"
rc=$?
sed -i 's/^check	text_plain	/check	text_plain_node	/' "$TMP/node.out"
n=$(grep -c '^check	' "$TMP/node.out")
[ "$rc" -eq 0 ] && [ "$n" -eq 7 ]
ok $? "node-postgres: the checks ran to the end ($n of 7)"
diag <"$TMP/node.err"
report "$TMP/node.out"

finish
