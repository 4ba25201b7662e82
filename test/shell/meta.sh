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

# issue 15: a maintainer to write to, a bug tracker, and prerequisites that
# claim what is tested: the PostgreSQL range of META.json holds the major
# version of the server this test runs against (what CI runs), and no other
# major version, and the test prerequisites are the extensions make test uses
contact=$(perl -MJSON::PP -e '
	local $/; my $m = decode_json(<STDIN>);
	my $b = $m->{resources}{bugtracker} // {};
	print join("\t", $m->{maintainer}[0] // "", $b->{mailto} // $b->{web} // "",
		$m->{prereqs}{runtime}{requires}{PostgreSQL} // "",
		join(",", sort keys %{$m->{prereqs}{test}{requires} // {}})), "\n";' <META.json 2>&1)
IFS=$'\t' read -r maintainer tracker pgrange testreqs <<<"$contact"
[[ "$maintainer" =~ \<[^@\>]+@[^@\>]+\> ]] && [ -n "$tracker" ]
ok $? "META.json names a maintainer with an address and a bug tracker (${maintainer:-none}; ${tracker:-none})"
major=$(psql -XAtc "SELECT current_setting('server_version_num')::int / 10000" 2>/dev/null)
lo=$(sed -n 's/.*>= *\([0-9]*\)\..*/\1/p' <<<"$pgrange")
hi=$(sed -n 's/.*< *\([0-9]*\)\..*/\1/p' <<<"$pgrange")
[ -n "$major" ] && [ -n "$lo" ] && [ -n "$hi" ] && [ "$lo" -eq "$major" ] && [ "$hi" -eq $((major + 1)) ]
ok $? "META.json's PostgreSQL prerequisite is the major version tested, $major (META.json: '${pgrange:-none}')"
used=$(grep -ohE "CREATE EXTENSION (IF NOT EXISTS )?[a-z_]+" test/pgtap.sh test/lint.sh test/lint.sql 2>/dev/null |
	awk '{print $NF}' | grep -vx por_partner | sort -u | paste -sd, -)
want=$(tr ',' '\n' <<<"$testreqs" | tr 'A-Z' 'a-z' | sort -u | paste -sd, -)
[ -n "$used" ] && [ "$used" = "$want" ]
ok $? "META.json's test prerequisites are the extensions the test suites create (${used:-none}; META.json: ${testreqs:-none})"

# the layout (issue 10): no hand-edited SQL file over 500 lines outside the
# released scripts of sql/frozen/
long=$(find sql -name '*.sql' -not -path 'sql/frozen/*' -exec awk 'END { if (NR > 500) print FILENAME " (" NR " lines)" }' {} \;)
[ -z "$long" ]
ok $? "no SQL source in sql/ over 500 lines (the longest: $(find sql -name '*.sql' -not -path 'sql/frozen/*' -exec wc -l {} + | sort -n | tail -n 2 | head -n 1 | sed 's/^ *//'))"
[ -z "$long" ] || echo "$long" | diag
finish
