#!/usr/bin/env bash
# ALTER EXTENSION por_partner UPDATE gives the schema of a fresh install and
# keeps the data (every release ships an update script por_partner--OLD--NEW.sql).
#
# The versions come from the installed files: the new version is the control
# file's default_version, and every older version with a full script
# (por_partner--X.sql) is a starting point, updated along the path PostgreSQL
# finds (pg_extension_update_paths, so chains like 0.1.0 -> 0.2.0 -> 0.3.0
# too).  A release therefore only adds files; this test needs no change.
#
# Roles are global, so everything runs in a private cluster of its own (started
# like test/run.sh's, PGHOST/PGPORT are not used): the roles a path creates are
# then exactly the roles of the cluster besides its superuser.
#   1. A fresh install (CREATE EXTENSION por_partner) is recorded: its schema
#      (below), its roles, the shipped rows of its config tables.  Then the
#      database and the roles are dropped.
#   2. For every older version OLD: CREATE EXTENSION por_partner VERSION 'OLD',
#      filled through OLD's functions (every table gets rows, operators change
#      shipped rows of country, sku, setting and renewal_notice_schedule);
#      ALTER EXTENSION por_partner UPDATE; then
#      - the schema equals the fresh install's, compared twice:
#        pg_dump --schema-only --binary-upgrade (which dumps extension members
#        one by one: types, functions with all their properties, operators,
#        operator classes and families, casts, tables with their columns in
#        attnum order, constraints, indexes, triggers and their enabled state,
#        views, row level security and policies, privileges with the initial
#        privileges of pg_init_privs, comments, owners), with the OID,
#        relfrozenxid and dropped-column lines filtered out and runs of GRANT
#        lines sorted; and catalog queries for what that dump hides or shows
#        by OID: the extension row, its config tables (extconfig, extcondition)
#        by name, its members, pg_init_privs, columns by position, enum labels,
#        row level security flags, policies, triggers, the database's ACL;
#      - the roles equal the fresh install's (attributes, comments, settings,
#        memberships);
#      - every table keeps its rows (count and md5 over the ordered rows, of
#        OLD's columns; of config tables the rows pg_dump keeps, for the
#        others all rows), the shipped rows are a fresh install's except where
#        an operator changed them, the sequences are where they were and
#        continue, and the rules still hold;
#      - a second database at OLD updates as well where the roles exist
#        already, and so does a fresh install: same schema; the pgTAP suites
#        pass on that second updated database.
# Differences are printed as a unified diff on "# " lines.
#
# Prints TAP; exits non-zero when a test fails.  Removes what it creates.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
EXT=por_partner
. "$REPO/scripts/cluster.sh"
BIN=$PGBIN
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_upgrade.XXXXXX")

. "$HERE/lib/tap.sh"
. "$HERE/lib/schema.sh"
cleanup() {
	cluster_stop
	rm -rf "$TMP"
}

sqlstate() {	# db sql: the SQLSTATE of the error it raises, or "none"
	local out
	out=$("$BIN/psql" -X -q -A -t -v VERBOSITY=sqlstate -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1)
	sed -n 's/^.*ERROR:  \([0-9A-Z]\{5\}\)$/\1/p' <<<"$out" | head -n 1 | grep . || echo none
}

# --- the schema, as compared: lib/schema.sh ------------------------------------

# the roles of the cluster besides its superuser and the logins the fill makes
# (upgrade_test_*): in this private cluster, the roles the extension made,
# with everything about them
ROLES_SQL=$(cat "$HERE/lib/roles.sql")

drop_roles() {	# drops the roles made in this cluster, the fill's too (their databases are gone)
	local r sql=
	while read -r r; do
		[ -n "$r" ] && sql="$sql DROP ROLE $r;"
	done < <(q postgres "SELECT quote_ident(rolname) FROM pg_roles WHERE rolname <> current_user AND rolname !~ '^pg_'")
	[ -z "$sql" ] || q postgres "$sql"
}

# config tables with a condition: pg_dump keeps the rows that meet it (the
# operators'), the others are the extension's (shipped); per table, each
# shipped row as "table  primary key  row"
SHIPPED_SQL=$(cat "$HERE/lib/config_tables.sql")
shipped_rows() {	# db: the shipped rows of the config tables, and the keys of the operators'
	local tab cond pk rc=0
	while IFS=$'\t' read -r tab cond pk; do
		q "$1" "SELECT 'shipped', '$tab', ROW($pk)::text, t::text FROM $tab t WHERE ($cond) IS NOT TRUE
		        UNION ALL
		        SELECT 'operator', '$tab', ROW($pk)::text, t::text FROM $tab t WHERE ($cond) IS TRUE" || rc=1
	done < <(q "$1" "$SHIPPED_SQL")
	return $rc
}

# Lines "problem" where the rows of the config tables after the update differ
# from a fresh install's (rows a fresh install has that pg_dump would keep are
# compared too: a script that inserts them with the reference_row_changed
# trigger on makes them so).  A row of a fresh install may be missing where an
# operator changed or deleted it: its key is an operator's row after the
# update, or it was shipped right after CREATE EXTENSION but not any more
# before the update.
shipped_check() {	# fresh-new created filled updated (files of shipped_rows)
	{
		sed 's/^/F\t/' "$1"
		sed 's/^/C\t/' "$2"
		sed 's/^/B\t/' "$3"
		sed 's/^/A\t/' "$4"
	} | awk -F '\t' '
		{ k = $3 FS $4 }
		$1 == "F" { fresh[k] = $5 }
		$1 == "C" && $2 == "shipped" { created[k] = 1 }
		$1 == "B" && $2 == "shipped" { before[k] = 1 }
		$1 == "A" && $2 == "shipped" { after[k] = $5 }
		$1 == "A" && $2 == "operator" { operator[k] = 1 }
		END {
			for (k in fresh) {
				split(k, p, FS)
				if (k in after) {
					if (after[k] != fresh[k])
						print p[1] " " p[2] ": " after[k] " after the update, " fresh[k] " in a fresh install"
				} else if (!(k in operator) && !((k in created) && !(k in before)))
					print p[1] " " p[2] ": " fresh[k] " in a fresh install, missing after the update"
			}
			for (k in after) if (!(k in fresh)) {
				split(k, p, FS)
				print p[1] " " p[2] ": " after[k] " after the update, not in a fresh install"
			}
		}' | sort
}


# --- the source data, through the functions of the old version ------------

# the source data: test/fixtures/book.sql, through the functions of the old version

# tables of the extension: name, columns in order, the rows pg_dump keeps
TABLES_SQL=$(cat "$HERE/lib/tables.sql")
# a table a release replaces by a view of the same name and columns (0.4.0:
# audit_log, over audit_change) is compared through the view
VIEWS_SQL="SELECT c.oid::regclass::text,
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), ''
  FROM pg_depend d JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid AND c.relkind = 'v'
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = '$EXT')
 ORDER BY 1"
# a sequence a release renames with its table (0.4.0: audit_log's identity,
# now audit_change's), by its new name
renamed_sequences() {	# db: sequences' output on standard input, renamed where the db has the new name
	if [ "$(q "$1" "SELECT to_regclass('$EXT.audit_change_audit_id_seq') IS NOT NULL")" = t ]; then
		sed "s/^$EXT\.audit_log_audit_id_seq /$EXT.audit_change_audit_id_seq /"
	else
		cat
	fi
}
signature() {	# db table columns condition: "rows md5" over those rows, ordered
	q "$1" "SELECT count(*) || ' ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r COLLATE \"C\")), '-')
	          FROM (SELECT ROW($3)::text AS r FROM $2 $4) AS t"
}
rows() {	# db table columns condition: those rows, ordered
	q "$1" "SELECT r FROM (SELECT ROW($3)::text AS r FROM $2 $4) AS t ORDER BY r COLLATE \"C\""
}
sequences() {	# db: the extension's sequences with their last values, one a line
	q "$1" "SELECT format('%s %s', c.oid::regclass, coalesce(pg_sequence_last_value(c.oid)::text, 'unused'))
	          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	         WHERE n.nspname = 'por_partner' AND c.relkind = 'S' ORDER BY 1"
}

# --- the private cluster and the versions -----------------------------------

if ! cluster_start >"$TMP/cluster.log" 2>&1; then
	ok 1 "a private cluster for the roles of the extension"
	diag <"$TMP/cluster.log"
	cleanup
	finish
fi
trap cleanup EXIT

NEW=$(q postgres "SELECT default_version FROM pg_available_extensions WHERE name = '$EXT'" 2>"$TMP/err")
EXTDIR="$(q postgres "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'" 2>>"$TMP/err")/extension"
if [ -z "$NEW" ] || [ ! -d "$EXTDIR" ]; then
	ok 1 "$EXT is installed"
	diag <"$TMP/err"
	finish
fi
# full scripts: por_partner--X.sql (no "--" in X), older than the default
mapfile -t OLDER < <(
	for f in "$EXTDIR/$EXT"--*.sql; do
		v=${f##*/$EXT--}
		v=${v%.sql}
		case $v in *--*) continue ;; esac
		[ "$v" != "$NEW" ] && [ "$(printf '%s\n%s\n' "$v" "$NEW" | sort -V | head -n 1)" = "$v" ] && echo "$v"
	done | sort -V)

# the installed files must be the repository's, or this tests something else
if [ -d "$REPO/sql" ] && [ -f "$REPO/$EXT.control" ]; then
	bad=
	# what make install copies: the frozen scripts and the built ones
	for f in $(make -s -C "$REPO" --no-print-directory print-DATA print-DATA_built); do
		cmp -s "$REPO/$f" "$EXTDIR/${f##*/}" || bad="$bad ${f##*/}"
	done
	want=$(sed -n "s/^ *default_version *= *'\(.*\)'.*/\1/p" "$REPO/$EXT.control")
	[ "$want" = "$NEW" ] || bad="$bad default_version($want, installed $NEW)"
	[ -z "$bad" ]
	ok $? "the installed scripts are the repository's (default_version $NEW; older full scripts: ${OLDER[*]:-none})"
	[ -z "$bad" ] || echo "# differing or missing in $EXTDIR:$bad (run make build-install)"
fi
if [ "${#OLDER[@]}" -eq 0 ]; then
	echo "# no version older than $NEW has a full script: nothing to update from"
	finish
fi

# --- 1. a fresh install of the new version, recorded ------------------------

FRESH=${EXT}_fresh
"$BIN/createdb" "$FRESH" 2>"$TMP/fresh.err" &&
	q "$FRESH" "CREATE EXTENSION $EXT CASCADE" 2>>"$TMP/fresh.err" &&
	snapshot "$FRESH" "$TMP/fresh" 2>>"$TMP/fresh.err" &&
	q postgres "$ROLES_SQL" >"$TMP/fresh.roles" 2>>"$TMP/fresh.err" &&
	shipped_rows "$FRESH" >"$TMP/fresh.shipped" 2>>"$TMP/fresh.err" &&
	q "$FRESH" "$TABLES_SQL" >"$TMP/fresh.tables" 2>>"$TMP/fresh.err" &&
	q "$FRESH" "$VIEWS_SQL" >>"$TMP/fresh.tables" 2>>"$TMP/fresh.err" &&
	"$BIN/dropdb" "$FRESH" 2>>"$TMP/fresh.err" &&
	drop_roles 2>>"$TMP/fresh.err"
rc=$?
ok $rc "a fresh install of $NEW (CREATE EXTENSION $EXT) recorded: $(grep -c '^member ' "$TMP/fresh.catalog" 2>/dev/null) members, $(grep -c '^role .*: superuser' "$TMP/fresh.roles" 2>/dev/null) roles"
diag <"$TMP/fresh.err"
[ "$rc" -eq 0 ] || finish
grep '^role [^:]*: superuser' "$TMP/fresh.roles" | grep -v "^role ${EXT}_" | sed 's/:.*/ does not start with '"${EXT}_"'/' | diag

# --- 2. every older version, updated -----------------------------------------

for OLD in "${OLDER[@]}"; do
	P="$OLD->$NEW"
	DB=${EXT}_upgrade_${OLD//[^0-9a-zA-Z]/_}
	DB2=${DB}_again
	FRESH2=${EXT}_fresh_again
	path=$(q postgres "SELECT path FROM pg_extension_update_paths('$EXT') WHERE source = '$OLD' AND target = '$NEW'")
	[ -n "$path" ]
	ok $? "$P: an update path exists (${path:-none: add sql/$EXT--$OLD--$NEW.sql})"
	[ -n "$path" ] || continue

	# b) the old version, filled through its functions
	"$BIN/createdb" "$DB" 2>"$TMP/load.err" &&
		q "$DB" "CREATE EXTENSION $EXT VERSION '$OLD' CASCADE" 2>>"$TMP/load.err" &&
		shipped_rows "$DB" >"$TMP/created.shipped" 2>>"$TMP/load.err" &&
		"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$REPO/test/fixtures/book.sql" >/dev/null 2>>"$TMP/load.err"
	rc=$?
	mapfile -t TABLES < <(q "$DB" "$TABLES_SQL" 2>>"$TMP/load.err")
	empty=
	for row in "${TABLES[@]}"; do
		IFS=$'\t' read -r tab cols cond <<<"$row"
		[ "$(q "$DB" "SELECT count(*) FROM $tab" 2>&1)" != 0 ] || empty="$empty $tab"
	done
	[ "$rc" -eq 0 ] && [ "${#TABLES[@]}" -gt 0 ] && [ -z "$empty" ]
	ok $? "$P: $OLD installed and filled through its functions: all ${#TABLES[@]} tables have rows"
	[ -z "$empty" ] || echo "# empty:$empty"
	diag <"$TMP/load.err"
	if [ "$rc" -ne 0 ]; then
		"$BIN/dropdb" "$DB"
		drop_roles
		continue
	fi
	# the columns compared: OLD's that the new version still has (a column
	# a release drops or replaces, with its delta's migration, is named)
	declare -A BEFORE=() KEPT=()
	for row in "${TABLES[@]}"; do
		IFS=$'\t' read -r tab cols cond <<<"$row"
		newcols=$(awk -F '\t' -v t="$tab" '$1 == t { print $2 }' "$TMP/fresh.tables")
		kept=$(tr ',' '\n' <<<"$cols" | sed 's/^ *//' | grep -vxF '' |
			while read -r c; do tr ',' '\n' <<<"$newcols" | sed 's/^ *//' | grep -qxF "$c" && echo "$c"; done |
			paste -sd, | sed 's/,/, /g')
		gone=$(tr ',' '\n' <<<"$cols" | sed 's/^ *//' |
			while read -r c; do tr ',' '\n' <<<"$newcols" | sed 's/^ *//' | grep -qxF "$c" || echo "$c"; done | paste -sd ' ')
		[ -z "$gone" ] || echo "# $P: $tab: column(s) $gone not in $NEW, compared without them"
		# 0.3.0 keeps invitation and offer codes as their hash only, in the
		# audit trail too: the audit rows are compared without them; 0.4.0
		# rebuilds the rows before and after from the changes (audit_change),
		# without a subscription's license count, and with the successor
		# (superseded_by) 0.4.0 adds
		[ "$tab" = por_partner.audit_log ] &&
			kept=$(sed "s/\bold_row\b/(old_row - 'code' - 'code_hash' - 'licensed_users' - 'superseded_by')/; s/\bnew_row\b/(new_row - 'code' - 'code_hash' - 'licensed_users' - 'superseded_by')/" <<<"$kept")
		KEPT[$tab]=$kept
		BEFORE[$tab]=$(signature "$DB" "$tab" "$kept" "$cond")
		rows "$DB" "$tab" "$kept" "$cond" >"$TMP/rows.$tab"
	done
	sequences "$DB" >"$TMP/seq.before"
	shipped_rows "$DB" >"$TMP/before.shipped"

	# c) the update
	q "$DB" "ALTER EXTENSION $EXT UPDATE" >"$TMP/update.out" 2>&1
	rc=$?
	got=$(q "$DB" "SELECT extversion FROM pg_extension WHERE extname = '$EXT'")
	[ "$rc" -eq 0 ] && [ "$got" = "$NEW" ]
	ok $? "$P: ALTER EXTENSION $EXT UPDATE along $path reports version $got"
	diag <"$TMP/update.out"
	if [ "$rc" -ne 0 ]; then
		"$BIN/dropdb" "$DB"
		drop_roles
		continue
	fi

	# d) the schema and the roles, against the fresh install's
	snapshot "$DB" "$TMP/updated" 2>"$TMP/snap.err"
	cmp -s "$TMP/fresh.dump" "$TMP/updated.dump"
	rc=$?
	ok $rc "$P: schema after the update = a fresh install of $NEW (pg_dump --schema-only --binary-upgrade)"
	diag <"$TMP/snap.err"
	[ "$rc" -eq 0 ] || showdiff "fresh install of $NEW" "$TMP/fresh.dump" "$OLD updated to $NEW" "$TMP/updated.dump"
	cmp -s "$TMP/fresh.catalog" "$TMP/updated.catalog"
	rc=$?
	ok $rc "$P: schema after the update = a fresh install of $NEW (catalogs: extension, config tables, members, initial privileges, columns, policies, triggers)"
	[ "$rc" -eq 0 ] || showdiff "fresh install of $NEW" "$TMP/fresh.catalog" "$OLD updated to $NEW" "$TMP/updated.catalog"
	q postgres "$ROLES_SQL" >"$TMP/updated.roles" 2>&1
	cmp -s "$TMP/fresh.roles" "$TMP/updated.roles"
	rc=$?
	ok $rc "$P: roles after the update = a fresh install's ($(grep -c '^role [^:]*: superuser' "$TMP/updated.roles") roles: attributes, memberships)"
	[ "$rc" -eq 0 ] || showdiff "fresh install of $NEW" "$TMP/fresh.roles" "$OLD updated to $NEW" "$TMP/updated.roles"

	# e) the data: every table's rows of the old columns it keeps; shipped rows
	for row in "${TABLES[@]}"; do
		IFS=$'\t' read -r tab cols cond <<<"$row"
		cols=${KEPT[$tab]}
		a=${BEFORE[$tab]}
		b=$(signature "$DB" "$tab" "$cols" "$cond" 2>&1)
		[ "$a" = "$b" ]
		ok $? "$P: $tab keeps its ${a%% *} rows${cond:+ ($cond)}"
		if [ "$a" != "$b" ]; then
			printf 'before: %s\nafter:  %s\n' "$a" "$b" | diag
			rows "$DB" "$tab" "$cols" "$cond" >"$TMP/rows.after" 2>&1
			diff "$TMP/rows.$tab" "$TMP/rows.after" | grep '^[<>]' | head -n 20 |
				sed 's/^</before:/; s/^>/after: /' | diag
		fi
	done
	# codes are secrets (0.3.0): the update leaves none in the audit trail
	if [ "$(q "$DB" "SELECT to_regclass('por_partner.trial_invitation') IS NOT NULL AND EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'por_partner.trial_invitation'::regclass AND attname = 'code_hash')")" = t ]; then
		got=$(q "$DB" "SELECT count(*) FROM por_partner.audit_log
		                WHERE table_name IN ('trial_invitation', 'purchase_offer') AND (old_row ? 'code' OR new_row ? 'code')" 2>&1)
		[ "$got" = 0 ]
		ok $? "$P: no invitation or offer code is left in the audit trail ($got rows with one)"
	fi
	shipped_rows "$DB" >"$TMP/updated.shipped" 2>&1
	shipped_check "$TMP/fresh.shipped" "$TMP/created.shipped" "$TMP/before.shipped" "$TMP/updated.shipped" \
		>"$TMP/shipped.diff"
	[ ! -s "$TMP/shipped.diff" ]
	ok $? "$P: the rows a fresh install ships are there after the update, but for those operators changed ($(grep -c '^shipped' "$TMP/updated.shipped") shipped, $(grep -c '^operator' "$TMP/updated.shipped") operators')"
	head -n 30 "$TMP/shipped.diff" | diag

	sequences "$DB" >"$TMP/seq.after" 2>&1
	missing=$(comm -23 <(renamed_sequences "$DB" <"$TMP/seq.before" | sort) <(sort "$TMP/seq.after"))
	[ -s "$TMP/seq.before" ] && [ -z "$missing" ]
	ok $? "$P: the $(wc -l <"$TMP/seq.before") sequences are where they were"
	[ -z "$missing" ] || { echo "# before the update:"; echo "$missing" | diag; }

	# the notices sent before the update are not sent again (R1, P4)
	got=$(q "$DB" "SELECT count(*) || ' sent on ' || d || ', ' ||
	                      (SELECT count(*) FROM por_partner.send_renewal_notices(d)) || ' sent again'
	                 FROM por_partner.renewal_notice, (SELECT max(sent_on) FROM por_partner.renewal_notice) AS m (d)
	                WHERE sent_on = d GROUP BY d" 2>&1)
	[[ "$got" =~ ^[1-9][0-9]*\ sent\ on\ [0-9-]+,\ 0\ sent\ again$ ]]
	ok $? "$P: rule R1 after the update: renewal notices sent before it are not sent again ($got)"

	# the sequences continue: the next partner id, fresh ids for a customer
	want=$(q "$DB" "SELECT last_value + 1 FROM por_partner.partner_partner_id_seq")
	got=$(q "$DB" "INSERT INTO por_partner.partner (mpn_id, name, reseller, subscription_advisor)
	               VALUES ('5100004', 'After Update Ltd', true, true) RETURNING partner_id" 2>&1)
	[ "$got" = "$want" ]
	ok $? "$P: a partner added after the update gets the next id ($want)"
	[ "$got" = "$want" ] || echo "# got: $got"

	max=$(q "$DB" "SELECT (SELECT max(tenant_id) FROM por_partner.tenant) || ' ' ||
	                      (SELECT max(subscription_id) FROM por_partner.subscription) || ' ' ||
	                      (SELECT max(user_id) FROM por_partner.tenant_user)")
	key5=$(q "$DB" "SELECT product_key FROM por_partner.key_card k JOIN por_partner.partner p USING (partner_id)
	                 WHERE k.redeemed_at IS NULL AND k.sku_code = 'O365_SMALL_BUSINESS' AND p.mpn_id = '5100001'
	                 ORDER BY product_key LIMIT 1")
	sub=$(q "$DB" "SELECT por_partner.create_customer_subscription(p.partner_id, ARRAY['$key5']::por_partner.product_key[],
	                       'After Update Co', 'FR', 'Fay', 'First', 'fay@after.example')
	                 FROM por_partner.partner p WHERE p.mpn_id = '5100001'" 2>&1)
	got=$(q "$DB" "SELECT s.tenant_id || ' ' || s.subscription_id || ' ' || u.user_id
	                 FROM por_partner.subscription s JOIN por_partner.tenant_user u USING (tenant_id)
	                WHERE s.subscription_id = ${sub//[^0-9]/0}" 2>&1)
	[ -n "$got" ] || got=$sub
	read -r t1 s1 u1 <<<"$max"
	read -r t2 s2 u2 <<<"$got"
	[[ "$t2" =~ ^[0-9]+$ && "$s2" =~ ^[0-9]+$ && "$u2" =~ ^[0-9]+$ ]] &&
		[ "$t2" -gt "$t1" ] && [ "$s2" -gt "$s1" ] && [ "$u2" -gt "$u1" ]
	rc=$?
	ok $rc "$P: a customer created after the update gets fresh tenant, subscription and user ids (above $max)"
	[ "$rc" -eq 0 ] || echo "# got: $got"

	# the rules hold after the update: a redeemed key stays redeemed (K6) ...
	key1=$(q "$DB" "SELECT product_key FROM por_partner.key_card WHERE redeemed_as = 'activate'
	                 ORDER BY product_key LIMIT 1")
	got=$(sqlstate "$DB" "SELECT por_partner.create_customer_subscription(partner_id, ARRAY['$key1']::por_partner.product_key[],
	                       'Second Try', 'US', 'Sam', 'Second', 'sam@second.example')
	                        FROM por_partner.key_card WHERE product_key::text = '$key1'")
	[ "$got" = 23505 ]
	ok $? "$P: rule K6 after the update: a key redeemed before it cannot be redeemed again (got $got, want 23505)"

	# ... a full subscription takes no more licenses (C5) ...
	got=$(sqlstate "$DB" "SELECT por_partner.assign_license(s.subscription_id, u.user_id)
	                        FROM por_partner.tenant_user u JOIN por_partner.subscription s USING (tenant_id)
	                       WHERE u.email = 'tina@tailspin.example'")
	[ "$got" = 23514 ]
	ok $? "$P: rule C5 after the update: a subscription with every seat licensed takes no more (got $got, want 23514)"

	# ... the operator's change holds (C2) ...
	key6=$(q "$DB" "SELECT product_key FROM por_partner.key_card k JOIN por_partner.partner p USING (partner_id)
	                 WHERE k.redeemed_at IS NULL AND k.sku_code = 'O365_SMALL_BUSINESS' AND p.mpn_id = '5100001'
	                 ORDER BY product_key DESC LIMIT 1")
	got=$(sqlstate "$DB" "SELECT por_partner.create_customer_subscription(partner_id, ARRAY['$key6']::por_partner.product_key[],
	                       'Berlin Start-up', 'DE', 'Bea', 'Berlin', 'bea@berlin.example')
	                        FROM por_partner.key_card WHERE product_key::text = '$key6'")
	[ "$got" = 23514 ]
	ok $? "$P: rule C2 after the update: DE, closed by the operator before it, takes no customer (got $got, want 23514)"

	# a second database at the old version updates where the roles exist
	# already (a cluster with two databases), and so does a fresh install
	"$BIN/createdb" "$DB2" 2>"$TMP/again.err" &&
		q "$DB2" "CREATE EXTENSION $EXT VERSION '$OLD' CASCADE" 2>>"$TMP/again.err" &&
		q "$DB2" "ALTER EXTENSION $EXT UPDATE" 2>>"$TMP/again.err" &&
		snapshot "$DB2" "$TMP/again" 2>>"$TMP/again.err"
	rc=$?
	[ "$rc" -eq 0 ] && same_schema "$TMP/fresh" "$TMP/again"
	ok $? "$P: another database at $OLD updates, the roles existing already, to the same schema"
	diag <"$TMP/again.err"
	[ "$rc" -ne 0 ] || cmp -s "$TMP/fresh.dump" "$TMP/again.dump" ||
		showdiff "fresh install of $NEW" "$TMP/fresh.dump" "again $OLD updated to $NEW" "$TMP/again.dump"
	[ "$rc" -ne 0 ] || cmp -s "$TMP/fresh.catalog" "$TMP/again.catalog" ||
		showdiff "fresh install of $NEW" "$TMP/fresh.catalog" "again $OLD updated to $NEW" "$TMP/again.catalog"

	# the pgTAP suites on that second updated database (the first holds the
	# fill's operator changes to the shipped rows, which the suites assume as
	# shipped: DE served, the 60/30/7/1 notice days); each rolls back
	"$REPO/test/pgtap.sh" -d "$DB2" >"$TMP/pgtap.out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ]
	ok $? "$P: the pgTAP suites pass on a database updated from $OLD ($(grep -cE '^ok [0-9]+' "$TMP/pgtap.out") assertions, $(grep -cE '^not ok [0-9]+' "$TMP/pgtap.out") failed)"
	[ "$rc" -eq 0 ] || grep -vE "^ok [0-9]+" "$TMP/pgtap.out" | head -n 60 | diag

	"$BIN/createdb" "$FRESH2" 2>"$TMP/fresh2.err" &&
		q "$FRESH2" "CREATE EXTENSION $EXT CASCADE" 2>>"$TMP/fresh2.err" &&
		snapshot "$FRESH2" "$TMP/fresh2" 2>>"$TMP/fresh2.err"
	rc=$?
	[ "$rc" -eq 0 ] && same_schema "$TMP/fresh" "$TMP/fresh2"
	ok $? "$P: a fresh install of $NEW after the update, the roles existing already, has the same schema"
	diag <"$TMP/fresh2.err"
	[ "$rc" -ne 0 ] || cmp -s "$TMP/fresh.dump" "$TMP/fresh2.dump" ||
		showdiff "fresh install of $NEW" "$TMP/fresh.dump" "fresh install next to an update" "$TMP/fresh2.dump"
	[ "$rc" -ne 0 ] || cmp -s "$TMP/fresh.catalog" "$TMP/fresh2.catalog" ||
		showdiff "fresh install of $NEW" "$TMP/fresh.catalog" "fresh install next to an update" "$TMP/fresh2.catalog"

	for db in "$DB" "$DB2" "$FRESH2"; do
		"$BIN/dropdb" --if-exists "$db"
	done
	drop_roles || echo "# could not drop the roles; the next path starts with them"
	unset BEFORE KEPT
done

finish
