#!/usr/bin/env bash
# `make test`: every suite against a throwaway cluster, then one closing line
# "N passed, N failed".  Exits non-zero on any failure.
#   pg_regress  sql/*.sql vs expected/*.out (one test a file)      } make installcheck's
#   isolation   test/isolation/specs/*.spec (one test a spec)      } suites, against the
#   pgTAP       test/pgtap/*.sql through pg_prove (one an assertion) } throwaway cluster
#   lint        test/lint.sh: plpgsql_check (one test a function)
#   shell       test/shell/*.sh, each printing TAP lines (one test a line)
#   fuzzer      the libFuzzer target of the codec, bounded by FUZZ_SECONDS
set -u
cd "$(dirname "$0")/.."
. scripts/cluster.sh

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
PASS=0
FAIL=0
OUT=results
rm -rf "$OUT" output_iso regression.diffs regression.out
mkdir -p "$OUT"

count() {	# suite passed failed
	PASS=$((PASS + $2))
	FAIL=$((FAIL + $3))
	printf '%-12s %4d passed, %d failed\n' "$1" "$2" "$3"
}

# pg_regress and pg_isolation_regress close with "All N tests passed." or
# "M of N tests failed." (prefixed by "# " on 16+)
regress_summary() {	# suite logfile
	local all m n
	all=$(sed -n 's/^[# ]*All \([0-9]*\) tests passed.*/\1/p' "$2" | tail -n 1)
	if [ -n "$all" ]; then
		count "$1" "$all" 0
		return
	fi
	m=$(sed -n 's/^[# ]*\([0-9]*\) of \([0-9]*\) tests* failed.*/\1/p' "$2" | tail -n 1)
	n=$(sed -n 's/^[# ]*\([0-9]*\) of \([0-9]*\) tests* failed.*/\2/p' "$2" | tail -n 1)
	if [ -n "$m" ]; then
		count "$1" $((n - m)) "$m"
	else
		count "$1" 0 1
	fi
	cat "$2"
	for d in regression.diffs output_iso/regression.diffs; do
		[ -s "$d" ] && head -n 200 "$d"
	done
}


echo "por_partner: starting a throwaway PostgreSQL cluster"
if ! cluster_start; then
	count cluster 0 1
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
echo "por_partner: PostgreSQL $(psql -XAtc 'SHOW server_version') on port $PGPORT in $CLUSTER_DIR"

# the suites of make installcheck, one by one, against the cluster
make -s --no-print-directory installcheck-regress >"$OUT/regress.log" 2>&1
regress_summary pg_regress "$OUT/regress.log"
make -s --no-print-directory installcheck-isolation >"$OUT/isolation.log" 2>&1
regress_summary isolation "$OUT/isolation.log"

test/pgtap.sh >"$OUT/pgtap.log" 2>&1
rc=$?
ok=$(grep -cE '^ok [0-9]+' "$OUT/pgtap.log")
# "not ok ... # TODO" is a known defect a suite lists (TAP: not a failure)
notok=$(grep -E '^not ok [0-9]+' "$OUT/pgtap.log" | grep -cv '# TODO')
todo=$(grep -E '^not ok [0-9]+' "$OUT/pgtap.log" | grep -c '# TODO')
if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
	notok=1		# a suite that died or broke its plan
fi
count pgTAP "$ok" "$notok"
[ "$todo" -ne 0 ] && echo "             $todo known defects marked TODO (not counted): grep '# TODO' $OUT/pgtap.log"
[ "$rc" -ne 0 ] && grep -vE '^ok [0-9]+' "$OUT/pgtap.log"

# the lint: plpgsql_check over every PL/pgSQL function (TAP, a test a function)
test/lint.sh >"$OUT/lint.log" 2>&1
rc=$?
ok=$(grep -cE '^ok [0-9]+' "$OUT/lint.log")
notok=$(grep -cE '^not ok [0-9]+' "$OUT/lint.log")
[ "$rc" -ne 0 ] && [ "$notok" -eq 0 ] && notok=1
count lint "$ok" "$notok"
[ "$rc" -ne 0 ] && grep -vE '^ok [0-9]+' "$OUT/lint.log"

# shell tests: each gets the cluster in PGHOST/PGPORT/PGUSER and prints TAP
: >"$OUT/shell.log"
ok=0
notok=0
for t in test/shell/*.sh; do
	[ -e "$t" ] || continue
	echo "# $t" >>"$OUT/shell.log"
	bash "$t" >"$OUT/shell.one" 2>&1
	rc=$?
	cat "$OUT/shell.one" >>"$OUT/shell.log"
	o=$(grep -cE '^ok [0-9]+' "$OUT/shell.one")
	n=$(grep -cE '^not ok [0-9]+' "$OUT/shell.one")
	if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
		n=1
	fi
	[ "$n" -ne 0 ] && cat "$OUT/shell.one"
	ok=$((ok + o))
	notok=$((notok + n))
done
count shell "$ok" "$notok"

cluster_stop

# fuzzer
if make -s --no-print-directory build/fuzz_product_key >"$OUT/fuzz-build.log" 2>&1; then
	mkdir -p "$OUT/fuzz-corpus"
	if build/fuzz_product_key -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
		"$OUT/fuzz-corpus" test/fuzz/corpus >"$OUT/fuzz.log" 2>&1; then
		count fuzzer 1 0
		grep -E 'stat::number_of_executed_units' "$OUT/fuzz.log" | sed 's/^/             /'
	else
		count fuzzer 0 1
		tail -n 40 "$OUT/fuzz.log"
	fi
else
	count fuzzer 0 1
	cat "$OUT/fuzz-build.log"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
