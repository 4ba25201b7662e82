#!/usr/bin/env bash
# The install script that make builds from sql/ defines the same objects as
# the script of that version as it was released (sql/frozen/), when the
# version has been released: the built script replaced a hand-edited one, and
# a database installed from either must be the same database (issue 10).
#
# Both scripts are installed in turn, under the same name, in the extension
# directory of a private installation (lib/schema.sh: private_installation),
# so nothing outside this test's own directory is touched and no root is
# needed.  Each goes into a database of one cluster of it; the two schemas are
# compared as test/shell/upgrade.sh compares an updated database with a fresh
# one: pg_dump --schema-only --binary-upgrade and the catalog queries.
# A version not released yet has no frozen script: the comparison is skipped,
# and the upgrade test is the one that holds the scripts to each other.
#
# Prints TAP; exits non-zero when a test fails.  Removes what it creates.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${PGBIN:-/usr/lib/postgresql/15/bin}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_frozen.XXXXXX")
chmod 755 "$TMP"
. "$HERE/lib/tap.sh"
. "$HERE/lib/schema.sh"

VERSION=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$REPO/por_partner.control")
FROZEN=$REPO/sql/frozen/por_partner--$VERSION.sql
BUILT=$REPO/build/por_partner--$VERSION.sql
if [ ! -f "$FROZEN" ]; then
	skip "built $VERSION = released $VERSION" "$VERSION is not released yet (no sql/frozen/por_partner--$VERSION.sql)"
	rm -rf "$TMP"
	finish
fi

PRIVATE=$(private_installation "$TMP/pg" 2>"$TMP/private.err")
rc=$?
ok $rc "a private installation of PostgreSQL for the two scripts"
diag <"$TMP/private.err"
[ "$rc" -eq 0 ] || { rm -rf "$TMP"; finish; }
EXTDIR=$("$PRIVATE/pg_config" --sharedir)/extension
cp "$REPO/por_partner.control" "$EXTDIR/"

PGBIN=$PRIVATE
. "$REPO/scripts/cluster.sh"
cleanup() {
	cluster_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
cluster_start >"$TMP/cluster.log" 2>&1
rc=$?
ok $rc "a cluster of the private installation"
[ "$rc" -eq 0 ] || { diag <"$TMP/cluster.log"; finish; }

install_as() {	# script db
	cp "$1" "$EXTDIR/por_partner--$VERSION.sql" &&
		"$BIN/createdb" "$2" &&
		q "$2" "CREATE EXTENSION por_partner CASCADE" &&
		snapshot "$2" "$TMP/$2"
}
make -s -C "$REPO" --no-print-directory "build/por_partner--$VERSION.sql" >"$TMP/build.err" 2>&1 &&
	install_as "$FROZEN" frozen 2>>"$TMP/build.err" &&
	install_as "$BUILT" built 2>>"$TMP/build.err"
rc=$?
ok $rc "CREATE EXTENSION from sql/frozen/por_partner--$VERSION.sql and from the built build/por_partner--$VERSION.sql"
diag <"$TMP/build.err"
[ "$rc" -eq 0 ] || finish

cmp -s "$TMP/frozen.dump" "$TMP/built.dump"
rc=$?
ok $rc "built $VERSION = released $VERSION: pg_dump --schema-only --binary-upgrade ($(grep -c '^CREATE ' "$TMP/built.dump") CREATE statements)"
[ "$rc" -eq 0 ] || showdiff "released $VERSION" "$TMP/frozen.dump" "built $VERSION" "$TMP/built.dump"
cmp -s "$TMP/frozen.catalog" "$TMP/built.catalog"
rc=$?
ok $rc "built $VERSION = released $VERSION: catalogs ($(grep -c '^member ' "$TMP/built.catalog") members: config tables, initial privileges, columns, policies, triggers)"
[ "$rc" -eq 0 ] || showdiff "released $VERSION" "$TMP/frozen.catalog" "built $VERSION" "$TMP/built.catalog"
finish
