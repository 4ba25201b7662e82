# Sourced by the shell tests (test/shell/*.sh): TAP output.
#   ok STATUS DESCRIPTION   "ok N - ..." when STATUS is 0, else "not ok N - ..."
#   skip DESCRIPTION WHY    a skipped test
#   diag                    stdin as "# " lines
#   finish                  the plan line; exits non-zero when a test failed
N=0
FAILED=0
ok() {		# condition-status description
	N=$((N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $N - $2"
	else
		echo "not ok $N - $2"
		FAILED=$((FAILED + 1))
	fi
}
skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
diag() { sed 's/^/# /'; }
finish() { echo "1..$N"; [ "$FAILED" -eq 0 ]; exit; }
