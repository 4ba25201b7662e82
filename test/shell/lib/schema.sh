# Sourced by the shell tests that compare two databases' schemas
# (upgrade.sh, built_vs_frozen.sh).  Needs BIN (PostgreSQL's bindir) and TMP.
#   q DB SQL               the rows, unaligned, tab-separated; errors to stderr
#   schema_dump DB         pg_dump --schema-only --binary-upgrade, filtered (below)
#   snapshot DB PREFIX     PREFIX.dump and PREFIX.catalog (lib/schema_catalog.sql)
#   same_schema PA PB      both snapshots equal
#   showdiff LA FA LB FB   a unified diff of two files as "# " lines
LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

q() {
	"$BIN/psql" -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# pg_dump --schema-only --binary-upgrade, without what differs between two
# databases of the same schema: OIDs, relfilenodes, relfrozenxid, attribute
# versions, missing values of fast defaults, the physical traces of dropped
# columns, the sequences' values (compared with the data), the session's
# \restrict key; GRANT lines in a row are sorted (their order is the order of
# the GRANT statements, not part of the result).  The record_init_privs lines
# stay: they mark the initial privileges.
schema_dump() {
	"$BIN/pg_dump" --schema-only --binary-upgrade -d "$1" | perl -e '
		local $/; my $d = <STDIN>;
		$d =~ s/^\\(un)?restrict .*\n//mg;
		$d =~ s/^-- Dumped (from|by) .*\n//mg;
		$d =~ s/^-- For binary upgrade, .*\n//mg;
		$d =~ s/^-- set missing value\.\n//mg;
		$d =~ s/^SELECT pg_catalog\.binary_upgrade_(?!set_record_init_privs).*\n//mg;
		$d =~ s/^SELECT pg_catalog\.setval\(.*\n//mg;
		$d =~ s/^UPDATE pg_catalog\.pg_class\nSET relfrozenxid = .*\nWHERE oid = .*;\n//mg;
		$d =~ s/^UPDATE pg_catalog\.pg_attribute\nSET attlen = .*\nWHERE attname = .*\n  AND attrelid = .*;\nALTER TABLE ONLY .* DROP COLUMN "\.{8}pg\.dropped\.\d+\.{8}";\n//mg;
		$d =~ s/,\n(    "\.{8}pg\.dropped\.\d+\.{8}" .*\n)+\);/\n);/mg;
		$d =~ s/^    "\.{8}pg\.dropped\.\d+\.{8}" .*\n//mg;
		$d =~ s/((?:^GRANT .*\n){2,})/join("", sort split(m{(?<=\n)}, $1))/mge;
		$d =~ s/\n{3,}/\n\n/g;
		print $d;'
	return "${PIPESTATUS[0]}"
}

snapshot() {
	schema_dump "$1" >"$2.dump" 2>"$2.err" &&
		"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -f "$LIB/schema_catalog.sql" >"$2.catalog" 2>>"$2.err"
}

same_schema() {
	cmp -s "$1.dump" "$2.dump" && cmp -s "$1.catalog" "$2.catalog"
}

showdiff() {
	local lines
	diff -u --label "$1" --label "$3" "$2" "$4" >"$TMP/diff.out"
	lines=$(wc -l <"$TMP/diff.out")
	head -n 300 "$TMP/diff.out" | diag
	[ "$lines" -le 300 ] || echo "# ... $((lines - 300)) more lines of diff"
}

# A private PostgreSQL installation in DIR: the server's programs copied (a
# server finds its share and library directories relative to its own path),
# its share directory linked to the real one but for extension/, whose files
# are linked too but for por_partner's, which the caller puts there.  Prints
# the bindir; a cluster of it is one of cluster.sh's with PGBIN set to it.
private_installation() {	# dir
	local real_bin real_share real_lib rel f
	real_bin=$("$BIN/pg_config" --bindir)
	real_share=$("$BIN/pg_config" --sharedir)
	real_lib=$("$BIN/pg_config" --pkglibdir)
	rel=${real_bin#/usr/}		# Debian: lib/postgresql/15/bin
	mkdir -p "$1/$rel" || return 1
	mkdir -p "$1/${real_share#/usr/}/extension"
	for f in postgres initdb pg_ctl pg_config; do
		cp "$real_bin/$f" "$1/$rel/" || return 1
	done
	ln -s "$real_lib" "$1/${real_lib#/usr/}"
	for f in "$real_share"/*; do
		[ "${f##*/}" = extension ] || ln -s "$f" "$1/${real_share#/usr/}/"
	done
	for f in "$real_share"/extension/*; do
		case ${f##*/} in por_partner*) ;; *) ln -s "$f" "$1/${real_share#/usr/}/extension/" ;; esac
	done
	chmod -R a+rX "$1"
	[ "$("$1/$rel/pg_config" --sharedir)" = "$1/${real_share#/usr/}" ] || return 1
	echo "$1/$rel"
}
