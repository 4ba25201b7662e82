#!/usr/bin/env bash
# test/load/run.sh (`make loadtest`): a bounded pgbench load test and a crash
# test of por_partner, each followed by an invariant check.  Prints TAP (one
# line an invariant) and the figures as "# " lines; exits non-zero when an
# invariant fails.
#
#   load    8 pgbench clients over TCP on 127.0.0.1 for LOAD_SECONDS, at once:
#           creating customers, adding seats and renewing with keys of a
#           small contended pool (neighbouring attempts go after the same
#           keys: 23505), adding users and assigning and removing licenses on
#           subscriptions near their seat limit (23514, rule C5), sending
#           renewal notices as of today and the next days.  Every call goes
#           through a wrapper that logs it in an attempt ledger (setup.sql),
#           so no client is aborted and check.sql can prove the tables are
#           exactly the pre-fill plus the successful calls' effects.
#   crash   the same load on a cluster with fsync, synchronous_commit and
#           full_page_writes on; at LOAD_SECONDS / 2 the server is stopped
#           with `pg_ctl stop -m immediate`, restarted (crash recovery), and
#           checked the same way, plus: every transaction pgbench saw commit
#           is in the ledger (at most one more per client, in flight).
#
# Each phase runs on a throwaway cluster of its own (scripts/cluster.sh),
# except that with LOAD_USE_CLUSTER=1 the load phase uses the running cluster
# of PGHOST/PGPORT (test/shell/load.sh under `make test`), in a database it
# drops afterwards.
#
#   LOAD_SECONDS  (60)          length of each pgbench run
#   LOAD_CLIENTS  (8)           pgbench clients (-j 2 threads)
#   LOAD_PHASES   ("load crash")
#   LOAD_POOL     (from LOAD_SECONDS)  cards in the contended key pool
#   LOAD_KEEP     (unset)       keep the work directory (pgbench output, logs)
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
. scripts/cluster.sh

LOAD_SECONDS=${LOAD_SECONDS:-60}
LOAD_CLIENTS=${LOAD_CLIENTS:-8}
LOAD_PHASES=${LOAD_PHASES:-load crash}
# about 2000 calls/s on 2 cores, half of them taking a ticket, 4 tickets a
# card: 250 cards/s; 1000/s leaves room for a faster machine
LOAD_POOL=${LOAD_POOL:-$((LOAD_SECONDS * 1000 + 20000))}
BASE=2000		# base customers (add_licenses, notices)
HOT=16			# hot customers (licenses near the seat limit)
HOT_USERS=12	# their users
HOT_SEATS=6		# their seats (the admin holds one)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_load.XXXXXX")
chmod 755 "$WORK"
cleanup_work() { [ -n "${LOAD_KEEP:-}" ] && echo "# work directory kept: $WORK" || rm -rf "$WORK"; }
trap cleanup_work EXIT

# --- one phase, in a subshell: results go to $WORK/<phase>.tap (name|0/1|detail)
# and diagnostics to stdout --------------------------------------------------

result() {	# phase ok(0/1) name detail
	printf '%s|%s|%s\n' "$3" "$2" "$4" >>"$WORK/$1.tap"
}

# the pgbench figures: processed, tps, latency, failed, aborted clients
pgbench_figures() {	# outfile
	local f=$1
	P_TX=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$f" | head -n 1)
	P_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$f" | head -n 1)
	P_LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$f" | head -n 1)
	P_FAILED=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$f" | head -n 1)
	P_ABORTED=$(grep -c 'aborted in command' "$f")
	: "${P_TX:=0}" "${P_TPS:=0}" "${P_LAT:=?}" "${P_FAILED:=0}"
}

# each script's share: "create 12345 tx (205.7 tps)", ...
pgbench_scripts() {	# outfile
	awk '/^SQL script [0-9]+: /{ name = $4; sub(/^.*tx_/, "", name); sub(/\.sql$/, "", name) }
	     /^ - [0-9]+ transactions/{ tps = $0; sub(/^.*tps = /, "", tps); sub(/\).*$/, "", tps)
	                                printf "%s%s %s (%.1f/s)", sep, name, $2, tps; sep = ", " }
	     END { print "" }' "$1"
}

server_log() { as_owner cat "$CLUSTER_DIR/server.log" 2>/dev/null; }

# the check is not vacuous: each violation of test/load/planted.sql, planted
# in a transaction that is rolled back, makes the check it targets fail
plant_check() {	# db
	local db=$1 f header what want out total=0 caught=0 missed=
	rm -f "$WORK"/plant.*
	awk -v dir="$WORK" '/^-- plant: /{ n++ } n { print > (dir "/plant." sprintf("%02d", n)) }' test/load/planted.sql
	for f in "$WORK"/plant.*; do
		header=$(head -n 1 "$f")
		what=${header#-- plant: }
		want=${what#* => }
		what=${what%% => *}
		total=$((total + 1))
		out=$({ echo 'BEGIN;'; echo 'SET LOCAL session_replication_role = replica;'
		        echo 'SET LOCAL search_path = por_partner, load, public;'; cat "$f"
		        echo '\i test/load/check.sql'; echo 'ROLLBACK;'; } | psql -Xq -v ON_ERROR_STOP=1 -d "$db" 2>&1)
		if awk -F'|' -v w="$want" 'index($1, w) == 1 && $2 == "f" { found = 1 } END { exit !found }' <<<"$out"; then
			caught=$((caught + 1))
		else
			missed="$missed; $what"
			sed 's/^/# planted "'"$what"'": /' <<<"$out" | head -n 20
		fi
	done
	[ "$total" -gt 0 ] && [ "$caught" -eq "$total" ]
	result load $? "the check is not vacuous: it catches each of $total planted violations" \
		"$caught of $total caught${missed:+; missed: ${missed#; }}"
}

phase() {	# load | crash
	local name=$1 db=por_partner_load_$$ t0 t1 rc pid sql
	: >"$WORK/$name.tap"
	local tag="# $name:"
	if [ "$name" = crash ]; then
		cluster_start "fsync = on" "synchronous_commit = on" "full_page_writes = on" || {
			result "$name" 1 "cluster started" "cluster_start failed"; return; }
	elif [ "${LOAD_USE_CLUSTER:-}" = 1 ] && [ -n "${PGPORT:-}" ]; then
		echo "$tag on the running cluster, port $PGPORT"
	else
		cluster_start || { result "$name" 1 "cluster started" "cluster_start failed"; return; }
	fi
	echo "$tag PostgreSQL $(psql -XAtc 'SHOW server_version'), fsync=$(psql -XAtc 'SHOW fsync'), synchronous_commit=$(psql -XAtc 'SHOW synchronous_commit'), full_page_writes=$(psql -XAtc 'SHOW full_page_writes'), port $PGPORT"

	# setup (CREATE EXTENSION from the installed files, which must be this
	# tree's before and after it: other builds are installed there at times)
	local try same=1
	for try in $(seq 1 30); do
		if installed_is_ours; then
			createdb "$db" && psql -Xq -v ON_ERROR_STOP=1 -d "$db" -f test/load/setup.sql >"$WORK/$name.setup" 2>&1
			rc=$?
			if installed_is_ours; then
				[ "$rc" -eq 0 ] && { same=0; break; }
				result "$name" 1 "setup" "failed"
				sed 's/^/# /' "$WORK/$name.setup"
				return
			fi
			dropdb --if-exists "$db"
		fi
		sleep 2
	done
	result "$name" $same "CREATE EXTENSION por_partner CASCADE from this tree's install script" \
		"$([ "$try" -gt 1 ] && echo "after waiting $(((try - 1) * 2)) s for another build installed meanwhile to go")"
	[ "$same" -eq 0 ] || return

	# pre-fill
	t0=$(date +%s)
	psql -X -v ON_ERROR_STOP=1 -d "$db" -v pool="$LOAD_POOL" -v base="$BASE" -v hot="$HOT" \
			-v hot_users="$HOT_USERS" -v hot_seats="$HOT_SEATS" -f test/load/prefill.sql >>"$WORK/$name.setup" 2>&1
	rc=$?
	t1=$(date +%s)
	if [ "$rc" -ne 0 ]; then
		result "$name" 1 "pre-fill" "failed"
		sed 's/^/# /' "$WORK/$name.setup"
		return
	fi
	echo "$tag pre-fill in $((t1 - t0)) s: $(psql -XAt -d "$db" -c "SELECT format('%s partners, %s key cards (%s in the contended pool), %s customers (%s near their seat limit), %s users, %s licenses; %s notices due today',
		(SELECT count(*) FROM por_partner.partner), (SELECT count(*) FROM por_partner.key_card), (SELECT count(*) FROM load.pool),
		(SELECT count(*) FROM por_partner.tenant), (SELECT count(*) FROM load.hot_sub), (SELECT count(*) FROM por_partner.tenant_user),
		(SELECT count(*) FROM por_partner.license), (SELECT count(*) FROM por_partner.renewal_notices_due(current_date)))")"

	# the load: pgbench over TCP on loopback, bounded by -T and by timeout
	cp test/load/tx_*.sql "$WORK/"
	(cd "$WORK" && exec timeout -k 10 $((LOAD_SECONDS + 120)) "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER" \
		-c "$LOAD_CLIENTS" -j 2 -T "$LOAD_SECONDS" -M prepared \
		-D base="$BASE" -D hot="$HOT" -D hot_users="$HOT_USERS" \
		-f tx_create.sql@20 -f tx_add_licenses.sql@10 -f tx_renew.sql@5 -f tx_add_user.sql@15 \
		-f tx_assign.sql@25 -f tx_remove.sql@15 -f tx_notices.sql@5 \
		"$db" >"$WORK/$name.pgbench" 2>&1) &
	pid=$!
	if [ "$name" = crash ]; then
		sleep $((LOAD_SECONDS / 2))
		echo "$tag $(date -u +%T) pg_ctl stop -m immediate after $((LOAD_SECONDS / 2)) s of load"
		as_owner "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -m immediate -w stop >/dev/null 2>&1
		result "$name" $? "pg_ctl stop -m immediate in the middle of the run" ""
	fi
	wait "$pid"
	rc=$?
	pgbench_figures "$WORK/$name.pgbench"
	echo "$tag pgbench -c $LOAD_CLIENTS -j 2 -T $LOAD_SECONDS -M prepared over 127.0.0.1:$PGPORT (exit $rc): $P_TX transactions, $P_TPS tps, latency average $P_LAT ms, $P_FAILED failed, $P_ABORTED clients aborted"
	echo "$tag   per script: $(pgbench_scripts "$WORK/$name.pgbench")"
	if [ "$name" = crash ]; then
		# the server is gone: every client ends aborted, pgbench exits 2
		[ "$P_ABORTED" -eq "$LOAD_CLIENTS" ] && [ "$P_TX" -gt 0 ]
		result "$name" $? "pgbench ran until the crash ($P_TX transactions before it), then lost every client" \
			"exit $rc, $P_ABORTED of $LOAD_CLIENTS clients aborted"
		grep -m 1 'aborted in command' "$WORK/$name.pgbench" | sed "s/^/$tag   first client lost: /"
		t0=$(date +%s)
		as_owner "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w -t 300 start >/dev/null 2>&1
		rc=$?
		t1=$(date +%s)
		server_log | grep -E 'not properly shut down|redo starts|redo done|ready to accept' | tail -n 4 |
			sed "s/^.*\(LOG\|FATAL\|PANIC\):  /$tag   server: /"
		local recovered=1
		server_log | grep -q 'database system was not properly shut down; automatic recovery in progress' && recovered=0
		[ "$rc" -eq 0 ] && [ "$recovered" -eq 0 ]
		result "$name" $? "restart after the crash: automatic recovery, server up again" "restart in $((t1 - t0)) s"
		[ "$rc" -eq 0 ] || { server_log | tail -n 20 | sed 's/^/# /'; return; }
	else
		[ "$rc" -eq 0 ] && [ "$P_ABORTED" -eq 0 ] && [ "$P_TX" -gt 0 ]
		result "$name" $? "pgbench ran $LOAD_SECONDS s without an aborted client or a failed transaction" \
			"exit $rc, $P_ABORTED clients aborted, $P_FAILED failed"
		[ "$P_ABORTED" -eq 0 ] || grep 'aborted in command' "$WORK/$name.pgbench" | head -n 3 | sed 's/^/# /'
	fi

	# backends whose client is gone still finish (and commit) their call
	for _ in $(seq 1 120); do
		[ "$(psql -XAt -d "$db" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")" = 0 ] && break
		sleep 0.5
	done

	# the ledger against pgbench's count: each pgbench transaction is one call,
	# one ledger row; in flight at the end (or at the crash) at most one a client
	local ledger
	ledger=$(psql -XAt -d "$db" -c "SELECT count(*) FROM load.attempt")
	local in_range=1
	[ "${ledger:-0}" -ge "$P_TX" ] && [ "${ledger:-0}" -le $((P_TX + LOAD_CLIENTS)) ] && in_range=0
	if [ "$name" = crash ]; then
		result "$name" $in_range "durability: every transaction pgbench saw commit before the crash is in the ledger" \
			"pgbench saw $P_TX commits; the ledger holds $ledger attempts after recovery ($((ledger - P_TX)) committed but unacknowledged, at most $LOAD_CLIENTS)"
	else
		result "$name" $in_range "ledger: one row per pgbench transaction" \
			"pgbench counted $P_TX transactions; the ledger holds $ledger attempts (at most $LOAD_CLIENTS in flight at the end)"
	fi

	psql -Xq -d "$db" -f test/load/report.sql 2>&1 | sed "s/^/$tag /"

	# the invariants
	if psql -Xq -v ON_ERROR_STOP=1 -d "$db" -f test/load/check.sql >"$WORK/$name.check" 2>&1; then
		while IFS='|' read -r cname cok cdetail; do
			[ -n "$cname" ] || continue
			case $cok in t) cok=0 ;; i) cok=i ;; *) cok=1 ;; esac
			result "$name" "$cok" "$cname" "$cdetail"
		done <"$WORK/$name.check"
	else
		result "$name" 1 "invariant check ran" "check.sql failed"
		sed 's/^/# /' "$WORK/$name.check"
	fi

	[ "$name" = load ] && plant_check "$db"

	if [ "${LOAD_USE_CLUSTER:-}" = 1 ] && [ "$name" = load ]; then
		dropdb --if-exists "$db" >/dev/null 2>&1
	fi
}

echo "# por_partner load test: phases $LOAD_PHASES, LOAD_SECONDS=$LOAD_SECONDS, $LOAD_CLIENTS clients, pool $LOAD_POOL cards"
# the extension is installed system-wide: say so when what is installed is not
# this tree's install script (someone else installed another build)
VERSION=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" por_partner.control)
INSTALLED="$("$PGBIN/pg_config" --sharedir)/extension/por_partner--$VERSION.sql"
installed_is_ours() { cmp -s "build/por_partner--$VERSION.sql" "$INSTALLED"; }
installed_is_ours || echo "# WARNING: the installed por_partner--$VERSION.sql is not this tree's (run make build-install); waiting for it"
[ ! -e por_partner.so ] || cmp -s por_partner.so "$("$PGBIN/pg_config" --pkglibdir)/por_partner.so" ||
	echo "# note: the installed por_partner.so is not this tree's build"
N=0
FAILED=0
for p in $LOAD_PHASES; do
	case $p in load | crash) ;; *) echo "unknown phase $p (load, crash)" >&2; exit 2 ;; esac
	( phase "$p" )
	while IFS='|' read -r name ok detail; do
		if [ "$ok" = i ]; then		# a figure, not an invariant
			echo "# $p: $name: $detail"
			continue
		fi
		N=$((N + 1))
		if [ "$ok" = 0 ]; then
			echo "ok $N - $p: $name"
		else
			echo "not ok $N - $p: $name"
			FAILED=$((FAILED + 1))
		fi
		[ -n "$detail" ] && echo "#   $detail"
	done <"$WORK/$p.tap"
done
echo "1..$N"
echo "# $((N - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$N" -gt 0 ]
