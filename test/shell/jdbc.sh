#!/usr/bin/env bash
# pgJDBC as the README's "Drivers" and "BI tools" recipes say (issue 15):
# Debian's libpostgresql-jdbc-java (/usr/share/java/postgresql.jar) and a
# JDK, with test/drivers/jdbc/Check.java compiled once.
#   - the trap: setString of a product key to a function taking product_key
#     fails (42883: the driver sends varchar); stringtype=unspecified in the
#     URL, setObject(i, key, Types.OTHER) or a cast ?::por_partner.product_key
#     make it work;
#   - keys read with getString come back canonical (upper case, hyphens), and
#     masked for a reader;
#   - a por_partner_reader login (ALTER ROLE ... SET search_path) with
#     hideUnprivilegedObjects=true lists, of everything that is not
#     PostgreSQL's own (pg_catalog, information_schema), exactly the tables
#     and views it may read, the README's list, each of which it reads; and
#     the extension's functions it lists are those it may call, none refused;
#     nothing of por_partner_internal or por_partner_book; every column it
#     lists has a comment (REMARKS); without the property it lists more.
# The expected sets are computed in SQL as the reader, not by the driver.
#
# Needs PGHOST/PGPORT/PGUSER of a running cluster with por_partner installed,
# listening on 127.0.0.1 (scripts/cluster.sh).  Prints TAP; exits non-zero
# when a test fails.  Drops what it creates.
set -u

BIN=${PGBIN:-/usr/lib/postgresql/15/bin}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
JAR=${PGJDBC_JAR:-/usr/share/java/postgresql.jar}
DB=por_partner_jdbc_$$
READER=por_partner_jdbc_reader_$$
OPERATOR=por_partner_jdbc_operator_$$
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_jdbc.XXXXXX")
chmod 755 "$TMP"

. "$HERE/lib/tap.sh"

if ! command -v javac >/dev/null || ! command -v java >/dev/null || [ ! -r "$JAR" ]; then
	# make deps installs both: their absence is a broken set-up, not a reason
	# to claim the recipe without running it
	ok 1 "pgJDBC and a JDK are installed (javac: $(command -v javac || echo none); $JAR: $([ -r "$JAR" ] && echo readable || echo missing); make deps installs openjdk-17-jdk-headless and libpostgresql-jdbc-java)"
	rm -rf "$TMP"
	finish
fi

cleanup() {
	"$BIN/dropdb" --if-exists "$DB" >/dev/null 2>&1
	"$BIN/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS $READER" -c "DROP ROLE IF EXISTS $OPERATOR" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

q() {		# role sql: the rows, unaligned
	"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -U "$1" -d "$DB" -c "$2"
}
url() {		# role [params]
	echo "jdbc:postgresql://127.0.0.1:$PGPORT/$DB?user=$1${2:+&$2}"
}
check() {	# mode args...
	java -cp "$JAR:$TMP/classes" Check "$@"
}

"$BIN/createdb" "$DB" 2>"$TMP/setup.err" &&
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" >"$TMP/setup.out" 2>>"$TMP/setup.err" \
	-c "SET client_min_messages = warning" -c "CREATE EXTENSION por_partner CASCADE" \
	-f "$REPO/test/fixtures/book.sql" \
	-c "CREATE ROLE $READER LOGIN IN ROLE por_partner_reader" \
	-c "ALTER ROLE $READER SET search_path = por_partner" \
	-c "CREATE ROLE $OPERATOR LOGIN IN ROLE por_partner_operator" \
	-c "ALTER ROLE $OPERATOR SET search_path = por_partner"
ok $? "a database with the book fixture, a reader's and an operator's login (search_path set per role)"
diag <"$TMP/setup.err"

mkdir -p "$TMP/classes" && javac -cp "$JAR" -d "$TMP/classes" "$REPO/test/drivers/jdbc/Check.java" 2>"$TMP/javac.err"
ok $? "Check.java compiles against pgJDBC $(unzip -p "$JAR" META-INF/MANIFEST.MF 2>/dev/null | sed -n 's/^Implementation-Version: *//p' | tr -d '\r')"
diag <"$TMP/javac.err"

# --- the trap, and the three ways out ------------------------------------------
key=$(q postgres "SELECT product_key::text FROM por_partner.key_card ORDER BY 1 LIMIT 1")
messy=$(tr 'A-Z' 'a-z' <<<"${key//-/}")
masked=$(q postgres "SELECT por_partner.product_key_mask('$key')")
check trap "$(url "$READER")" "$messy" >"$TMP/trap.out" 2>&1
grep -q $'^bind\tsetString\t42883\t.*product_key_mask(character varying) does not exist' "$TMP/trap.out"
ok $? "setString of a key to product_key_mask(?) fails: 42883, product_key_mask(character varying) does not exist"
for way in stringtype=unspecified Types.OTHER cast; do
	got=$(awk -F'\t' -v w="$way" '$2 == w { print $3 " " $4 }' "$TMP/trap.out")
	[ -n "$masked" ] && [ "$got" = "ok $masked" ]
	ok $? "with $way it works: $got (the key given as '$messy')"
done
grep -v $'^bind\t[^\t]*\tok\t' "$TMP/trap.out" | diag

# --- keys come back canonical -----------------------------------------------------
check keys "$(url "$OPERATOR" stringtype=unspecified)" \
	"SELECT product_key FROM por_partner.key_card WHERE product_key = ?" "$messy" >"$TMP/keys.out" 2>&1
[ -n "$key" ] && [ "$(cat "$TMP/keys.out")" = "key	$key" ]
ok $? "an operator finds a key written '$messy' and getString gives it canonical: $(cut -f2 "$TMP/keys.out" | head -n 1)"
check keys "$(url "$OPERATOR")" \
	"SELECT product_key FROM por_partner.key_card WHERE product_key = ?" "$messy" >"$TMP/keys_trap.out" 2>&1
grep -q 'operator does not exist: \(por_partner\.\)\{0,1\}product_key = character varying' "$TMP/keys_trap.out"
ok $? "without stringtype=unspecified the same query fails: $(grep -o 'operator does not exist[^"]*varying' "$TMP/keys_trap.out" | head -n 1)"
check keys "$(url "$READER")" "SELECT product_key FROM key_card_overview ORDER BY 1" | cut -f2 >"$TMP/masked.jdbc" 2>&1
q "$READER" "SELECT product_key FROM key_card_overview ORDER BY 1" >"$TMP/masked.psql"
[ -s "$TMP/masked.psql" ] && cmp -s "$TMP/masked.jdbc" "$TMP/masked.psql" &&
	! grep -qvE '^XXXXX-XXXXX-XXXXX-XXXXX-[2346789BCDFGHJKMNPQRTVWXY]{5}$' "$TMP/masked.jdbc"
ok $? "the reader's getString of key_card_overview: every key masked, as psql shows them ($(wc -l <"$TMP/masked.jdbc") keys)"

# --- what the reader lists, with hideUnprivilegedObjects=true ----------------------
check list "$(url "$READER" hideUnprivilegedObjects=true)" >"$TMP/hide.out" 2>"$TMP/hide.err"
ok $? "the reader's getTables, getFunctions and getColumns with hideUnprivilegedObjects=true"
diag <"$TMP/hide.err"
own() {		# file kind: SCHEMA.NAME of what is listed outside pg_catalog and information_schema
	awk -F'\t' -v k="$2" '$1 == k && $2 != "pg_catalog" && $2 != "information_schema" { print $2 "." $3 }' "$1" | LC_ALL=C sort
}
own "$TMP/hide.out" table >"$TMP/tables.listed"
q "$READER" "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')" |
	LC_ALL=C sort >"$TMP/tables.readable"
[ -s "$TMP/tables.listed" ] && cmp -s "$TMP/tables.listed" "$TMP/tables.readable"
ok $? "it lists exactly the tables and views it may read: $(paste -sd' ' "$TMP/tables.listed")"
diff "$TMP/tables.listed" "$TMP/tables.readable" | diag

: >"$TMP/limit0.sql"
while read -r t; do echo "SELECT * FROM $t LIMIT 0;" >>"$TMP/limit0.sql"; done <"$TMP/tables.listed"
"$BIN/psql" -X -q -U "$READER" -d "$DB" -f "$TMP/limit0.sql" >/dev/null 2>"$TMP/limit0.err"
[ -s "$TMP/limit0.sql" ] && ! grep -q ERROR "$TMP/limit0.err"
ok $? "and reads each of them (SELECT ... LIMIT 0)"
diag <"$TMP/limit0.err"

# the README's roles table: "| `por_partner_reader` | BI tools | read `a`, `b` (...), ...; call `f()` and `g()`; ..."
row=$(grep -m1 '^| `por_partner_reader` |' "$REPO/README.md")
documented() {	# verb: the names in backquotes between "verb " and the next ";"
	sed -n "s/.*| $1 \([^;]*\);.*/\1/p; s/.*; $1 \([^;]*\);.*/\1/p" <<<"$row" | head -n 1 |
		grep -oE '`[a-z_]+' | tr -d '`' | LC_ALL=C sort
}
documented read >"$TMP/tables.readme"
sed 's/^[^.]*\.//' "$TMP/tables.listed" | LC_ALL=C sort | cmp -s - "$TMP/tables.readme" &&
	[ "$(cut -d. -f1 "$TMP/tables.listed" | sort -u)" = por_partner ]
ok $? "which are the README's: $(paste -sd' ' "$TMP/tables.readme"), all of schema por_partner"

own "$TMP/hide.out" function >"$TMP/functions.listed"
awk -F'\t' '$1 == "function" && $2 ~ /^por_partner/ { sub(/.*_/, "", $4); print $4 }' "$TMP/hide.out" | paste -sd, >"$TMP/oids"
q "$READER" "SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname LIKE 'por\\_partner%' AND p.prokind = 'f'
                AND has_schema_privilege(n.oid, 'USAGE') AND has_function_privilege(p.oid, 'EXECUTE')" |
	LC_ALL=C sort >"$TMP/functions.callable"
grep '^por_partner' "$TMP/functions.listed" | cmp -s - "$TMP/functions.callable" && [ -s "$TMP/functions.callable" ]
ok $? "of the extension's schemas it lists the functions it may call, $(wc -l <"$TMP/functions.callable") (EXECUTE, and USAGE on the schema)"
grep '^por_partner' "$TMP/functions.listed" | diff - "$TMP/functions.callable" | diag

"$BIN/psql" -X -q -U "$READER" -d "$DB" >"$TMP/calls.out" 2>&1 <<SQL
DO \$\$
DECLARE
	r record;
	refused text[] := '{}';
	n int := 0;
BEGIN
	FOR r IN SELECT p.oid::regprocedure AS f,
	                format('SELECT %I.%I(%s)', n.nspname, p.proname,
	                       (SELECT string_agg('(SELECT NULL::' || format_type(t, NULL) || ')', ', ') FROM unnest(p.proargtypes) AS t)) AS call
	           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	          WHERE p.oid = ANY ('{$(cat "$TMP/oids")}'::oid[])
	LOOP
		n := n + 1;
		BEGIN
			EXECUTE r.call;
		EXCEPTION
			WHEN insufficient_privilege OR undefined_function OR invalid_schema_name OR cannot_coerce THEN
				refused := refused || format('%s: %s', r.f, SQLSTATE);
			WHEN OTHERS THEN
				NULL;	-- a bad argument (22004, ...): called, and answered
		END;
	END LOOP;
	RAISE NOTICE 'called % refused %', n, coalesce(array_to_string(refused, ', '), '');
END
\$\$;
SQL
called=$(sed -n 's/.*NOTICE:  called \([0-9]*\) refused.*/\1/p' "$TMP/calls.out")
grep -q 'NOTICE:  called [0-9]* refused $' "$TMP/calls.out" && [ "${called:-0}" -eq "$(wc -l <"$TMP/functions.callable")" ]
ok $? "the reader calls each of them (null arguments, as sub-selects so that the privilege is checked): none refused (42501), not found or not callable from SQL (an internal argument) ($(grep -o 'called.*' "$TMP/calls.out"))"
grep -v NOTICE "$TMP/calls.out" | diag

documented call | sed 's/^/por_partner./' >"$TMP/functions.readme"
[ -s "$TMP/functions.readme" ] && [ -z "$(LC_ALL=C comm -23 "$TMP/functions.readme" "$TMP/functions.callable")" ]
ok $? "the README's $(paste -sd' ' "$TMP/functions.readme") are among them"

bad=$(grep -E '^(por_partner_internal|por_partner_book)\.' "$TMP/tables.listed" "$TMP/functions.listed")
[ -z "$bad" ]
ok $? "nothing of schemas por_partner_internal or por_partner_book is listed"
[ -z "$bad" ] || diag <<<"$bad"

nocomment=$(awk -F'\t' '$1 == "column" && $5 == "" { print $2 "." $3 "." $4 }' "$TMP/hide.out")
[ -n "$(awk -F'\t' '$1 == "column"' "$TMP/hide.out")" ] && [ -z "$nocomment" ]
ok $? "every column it lists has a comment (getColumns REMARKS, $(grep -c '^column' "$TMP/hide.out") columns)"
[ -z "$nocomment" ] || diag <<<"$nocomment"

# --- without the property -----------------------------------------------------------
check list "$(url "$READER")" >"$TMP/all.out" 2>&1
ext() { own "$1" "$2" | grep -c '^por_partner'; }
t_all=$(ext "$TMP/all.out" table)
f_all=$(ext "$TMP/all.out" function)
t_hide=$(grep -c '^por_partner' "$TMP/tables.listed")
f_hide=$(grep -c '^por_partner' "$TMP/functions.listed")
[ "$t_all" -gt "$t_hide" ] && [ "$f_all" -gt "$f_hide" ] &&
	grep -qE $'^(table|function)\tpor_partner_internal\t' "$TMP/all.out"
ok $? "without hideUnprivilegedObjects the reader lists $t_all relations and $f_all functions of the extension's schemas (internal ones too), $t_hide and $f_hide with it"

finish
