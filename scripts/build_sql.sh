#!/bin/sh
# The extension's scripts, built from the sources in sql/ (doc/architecture.md):
#
#   build_sql.sh install VERSION   por_partner--VERSION.sql: every schema layer,
#                                  then every code layer, then every wiring layer,
#                                  concept by concept (sql/NN_concept/, in NN
#                                  order), with "OR REPLACE" taken out and the
#                                  wiring's "DROP ... IF EXISTS" lines dropped, so
#                                  that an install is plain CREATE statements
#   build_sql.sh update FROM TO    por_partner--FROM--TO.sql: the hand-written
#                                  delta sql/updates/FROM--TO.sql (what CREATE OR
#                                  REPLACE cannot do), then every code layer and
#                                  every wiring layer as they are
#
# The layers of a concept are files named by their layer: schema.sql and
# schema_*.sql, then data.sql and data_*.sql (the schema layer: install only);
# code.sql and code_*.sql; wiring.sql and wiring_*.sql.  POSIX sh, sed and cat.
set -eu
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.."

layer() {	# schema | code | wiring: the files of the layer, in build order
	case $1 in
	schema) parts="schema data" ;;
	*) parts=$1 ;;
	esac
	for dir in sql/[0-9][0-9]_*/; do
		for part in $parts; do
			for f in "$dir$part.sql" "$dir${part}"_*.sql; do
				if [ -f "$f" ]; then
					echo "$f"
				fi
			done
		done
	done
}

catall() {	# files...: each after a blank line
	for f in "$@"; do
		printf '\n'
		cat "$f"
	done
}

case ${1:-} in
install)
	[ $# -eq 2 ] || { echo "usage: $0 install VERSION" >&2; exit 2; }
	printf '/* por_partner--%s.sql, built from sql/ by scripts/build_sql.sh: edit the sources, not this file */\n\n' "$2"
	echo '-- complain if script is sourced in psql, rather than via CREATE EXTENSION'
	printf '%s\n' '\echo Use "CREATE EXTENSION por_partner" to load this file. \quit'
	# shellcheck disable=SC2046 # the file names have no blanks
	catall $(layer schema) $(layer code) $(layer wiring) |
		sed -e 's/^CREATE OR REPLACE /CREATE /' \
		    -e '/^DROP POLICY IF EXISTS /d' -e '/^DROP TRIGGER IF EXISTS /d'
	;;
update)
	[ $# -eq 3 ] || { echo "usage: $0 update FROM TO" >&2; exit 2; }
	delta=sql/updates/$2--$3.sql
	[ -f "$delta" ] || { echo "$0: $delta does not exist" >&2; exit 1; }
	printf '/* por_partner--%s--%s.sql, built from sql/ by scripts/build_sql.sh: edit the sources, not this file */\n\n' "$2" "$3"
	echo '-- complain if script is sourced in psql, rather than via ALTER EXTENSION'
	printf '\\echo Use "ALTER EXTENSION por_partner UPDATE TO '"'%s'"'" to load this file. \\quit\n' "$3"
	# shellcheck disable=SC2046
	catall "$delta" $(layer code) $(layer wiring)
	;;
*)
	echo "usage: $0 install VERSION | update FROM TO" >&2
	exit 2
	;;
esac
