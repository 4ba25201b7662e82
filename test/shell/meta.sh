#!/usr/bin/env bash
# The version is written once, as default_version in por_partner.control:
# META.json (PGXN) says the same, and names files that exist; and no SQL
# source is over 500 lines (issue 10).
# Prints TAP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
. "$HERE/lib/tap.sh"

control=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" por_partner.control)
meta=$(perl -MJSON::PP -e '
	local $/; my $m = decode_json(<STDIN>);
	my $p = $m->{provides}{por_partner};
	print join("\t", $m->{version}, $p->{version}, $p->{file}, $p->{docfile}), "\n";' <META.json 2>&1)
IFS=$'\t' read -r version provided file docfile <<<"$meta"
[ -n "$control" ] && [ "$version" = "$control" ] && [ "$provided" = "$control" ]
ok $? "META.json's version and provides.por_partner.version are the control file's default_version ($control; META.json: ${version:-?}, ${provided:-?})"
[ -n "$file" ] && [ -f "$file" ] && [ -n "$docfile" ] && [ -f "$docfile" ]
ok $? "META.json's provides.por_partner.file and docfile exist (${file:-?}, ${docfile:-?})"
n=$(grep -c "default_version" por_partner.control)
[ "$n" -eq 1 ] && ! grep -qE '^\s*EXTVERSION\s*=\s*[0-9]' Makefile
ok $? "the version is written in the control file only (the Makefile reads it from there)"

# the layout (issue 10): no hand-edited SQL file over 500 lines outside the
# released scripts of sql/frozen/
long=$(find sql -name '*.sql' -not -path 'sql/frozen/*' -exec awk 'END { if (NR > 500) print FILENAME " (" NR " lines)" }' {} \;)
[ -z "$long" ]
ok $? "no SQL source in sql/ over 500 lines (the longest: $(find sql -name '*.sql' -not -path 'sql/frozen/*' -exec wc -l {} + | sort -n | tail -n 2 | head -n 1 | sed 's/^ *//'))"
[ -z "$long" ] || echo "$long" | diag
finish
