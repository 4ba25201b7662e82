#!/usr/bin/env bash
# Benchmark (issue 11): what partners' calls cost, measured as a partner
# calls: through a login that is a member of por_partner_partner and mapped
# to its partner in partner_login, never a superuser.  In one run, on one
# throwaway cluster, each version in a database of its own (A: CREATE
# EXTENSION por_partner VERSION '0.2.0'; B: CREATE EXTENSION por_partner, the
# default version) holding the same rows; rounds interleave the sides
# (A B A B ...), medians of the rounds are reported.
#
#   1. create_customer_subscription, one key a call, pgbench -c 4: 0.2.0
#      against the default version (target: within 10%).  Data as
#      redeem.sh's: BENCH_CARDS key cards, BENCH_TENANTS tenants made
#      through the function (bench/isolation_redeem.sql).
#   2. partner_can(), pgbench -c 4 (target: within 10%), partner_can.sh's data and call mix for
#      the users of the login's partner: 0.2.0 against the default version
#      (bench/isolation_partner_can.sql).
#   3. A partner's subscriptions expiring within 30 days: SELECT * FROM
#      expiring_subscriptions(30) as the login of a partner with 300 tenants
#      and of one with 30,000, among BENCH_SCALE tenants, beside the query a
#      DBA would write over the same tables for that partner's book (its
#      tenants: created by it, administered by it as accepted delegated
#      admin, or with it as partner of record), run as superuser.  pgbench
#      -c 1, latency a call (target: the function within 2x of the query);
#      the default version, and 0.2.0 for reference (bench/isolation_book.sql).
#
# A side whose calls fail (the version in development may refuse them) is
# reported as failed, with the error, and the others go on.
#
#   BENCH_QUICK   (0)        1: a quick run (small data, short rounds: about
#                            a minute measuring, under two in all); each
#                            variable below still wins
#   BENCH_SECONDS (10; 3)    length of one pgbench run in parts 1 and 2
#   BENCH_READ_SECONDS (4; 1) length of one pgbench run in part 3
#   BENCH_ROUNDS  (3)        rounds of each part
#   BENCH_CARDS   (400000; 100000), BENCH_TENANTS (100000; 20000)
#                            the data of parts 1 and 2
#   BENCH_SCALE   (1000000; 100000) tenants in part 3 (at least 60000)
#   BENCH_PARTS   ("1 2 3")  which parts to run
#   BENCH_OLD     (0.2.0)    the released version side A installs
# The defaults take six to seven minutes on the project's 2-core machine,
# two and a half to four of them loading (both versions' databases at once).
set -eu
cd "$(dirname "$0")/.."
. scripts/cluster.sh

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	d_seconds=3 d_read=1 d_cards=100000 d_tenants=20000 d_scale=100000
else
	d_seconds=10 d_read=4 d_cards=400000 d_tenants=100000 d_scale=1000000
fi
SECONDS_PER_RUN=${BENCH_SECONDS:-$d_seconds}
READ_SECONDS=${BENCH_READ_SECONDS:-$d_read}
ROUNDS=${BENCH_ROUNDS:-3}
CARDS=${BENCH_CARDS:-$d_cards}
TENANTS=${BENCH_TENANTS:-$d_tenants}
SCALE=${BENCH_SCALE:-$d_scale}
PARTS=${BENCH_PARTS:-1 2 3}
OLD_VERSION=${BENCH_OLD:-0.2.0}
SMALL=300 BIG=30000 OTHER_PARTNERS=5000
if [ "$SCALE" -lt 60000 ]; then
	echo "BENCH_SCALE must be at least 60000 (the two measured books hold $((SMALL + BIG)) tenants)" >&2
	exit 1
fi
if [ "$TENANTS" -lt 1000 ]; then
	echo "BENCH_TENANTS must be at least 1000 (partner_can's data has 1000 partners)" >&2
	exit 1
fi

OUTDIR=bench/out
mkdir -p "$OUTDIR"
WORK=$(mktemp -d)
chmod 777 "$WORK"
: >"$WORK/results" # part side round metric=value ...
: >"$WORK/failed"  # side<TAB>why

VERSIONS="020 030"
declare -A PID MED SETUP_T # setup jobs by version; medians by side; setup seconds by part
vname() { [ "$1" = 020 ] && echo "$OLD_VERSION" || echo "$DEFAULT_VERSION (default)"; }
has_part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
failed() { awk -F '\t' -v s="$1" '$1 == s { f = 1 } END { exit !f }' "$WORK/failed"; }
why() { awk -F '\t' -v s="$1" '$1 == s { print $2; exit }' "$WORK/failed"; }
fail() { # side why
	failed "$1" || printf '%s\t%s\n' "$1" "$(echo "$2" | tr '\n\t' '  ' | sed 's/  */ /g; s/ $//' | cut -c 1-300)" >>"$WORK/failed"
	echo "$1: FAILED: $2" >&2
}
first_error() { # pgbench or psql output: the first error, else its last line
	grep -m 1 -E 'ERROR|FATAL|error:' "$1" || tail -n 1 "$1"
}

# one pgbench run: side round clients seconds script user db [latency log]
# appends tps (and, with a log, the latency percentiles in ms) to results
run() {
	local side=$1 round=$2 clients=$3 secs=$4 script=$5 user=$6 db=$7 log=${8:-} rc=0 jobs=1 extra=
	failed "$side" && return 0
	[ "$clients" -gt 1 ] && jobs=2
	rm -f "$WORK"/log.*
	[ -n "$log" ] && extra="-l --log-prefix=$WORK/log"
	# shellcheck disable=SC2086
	"$PGBIN/pgbench" -n -c "$clients" -j "$jobs" -T "$secs" -M prepared $extra -U "$user" \
		-f "$script" "$db" >"$WORK/out" 2>&1 || rc=$?
	local tps lat
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/out" | head -n 1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$WORK/out")
	if [ "$rc" -ne 0 ] || [ -z "$tps" ] || grep -q 'aborted' "$WORK/out"; then
		fail "$side" "round $round: $(first_error "$WORK/out")"
		return 0
	fi
	[ "$round" = warmup ] && return 0
	local pct=
	if [ -n "$log" ]; then
		# per-transaction latency (microseconds) is the third field of the logs
		pct=$(cat "$WORK"/log.* | awk '{print $3}' | sort -n | awk '{a[NR] = $1}
			function at(q,   i) { i = int(NR * q + 0.999999); return a[(i < 1) ? 1 : i] / 1000 }
			END { printf "p50=%.3f p90=%.3f p99=%.3f calls=%d", at(0.50), at(0.90), at(0.99), NR }')
	fi
	echo "$side $round tps=$tps lat=$lat $pct" >>"$WORK/results"
	echo "round $round $side: $tps tx/s, average latency $lat ms $pct" >&2
}

# statistic of a metric over the rounds of a side: "median min max", or "- - -"
stats() { # side metric printf-format
	awk -v side="$1" -v m="$2" '$1 == side { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == m) print kv[2] } }' \
		"$WORK/results" | sort -g | awk -v f="$3" '{ a[NR] = $1 }
		END { if (NR == 0) { print "- - -"; exit }
		      printf f " " f " " f "\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR] }'
}
ratio() { # a b [format]: a / b, or - when either is missing
	awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf f "\n", a / b }'
}
verdict() { # value op target sides...: no verdict when a side failed
	local v=$1 op=$2 t=$3 side
	shift 3
	for side in "$@"; do failed "$side" && v=-; done
	awk -v v="$v" -v op="$op" -v t="$t" 'BEGIN { if (v == "-") print "n/a (a side failed)";
		else if ((op == ">=" && v + 0 >= t) || (op == "<=" && v + 0 <= t)) print "PASS"; else print "MISS" }'
}
status() { if failed "$1"; then echo "FAILED: $(why "$1")"; else echo ok; fi; }

cluster_start "shared_buffers = '2GB'" "max_wal_size = '8GB'" "checkpoint_timeout = '30min'" \
	"max_parallel_workers_per_gather = 0"
DEFAULT_VERSION=$(psql -XAtc "SELECT default_version FROM pg_available_extensions WHERE name = 'por_partner'")
START=$(date +%s)
# what was measured, since the version in development is installed again and again
installed() { # file: its md5 and time
	[ -f "$1" ] && echo "$(basename "$1") md5 $(md5sum "$1" | cut -c 1-12) of $(date -u -r "$1" '+%Y-%m-%d %H:%M') UTC"
}
installed_now() {
	echo "$(installed "$("$PGBIN/pg_config" --sharedir)/extension/por_partner--$DEFAULT_VERSION.sql"), $(installed "$("$PGBIN/pg_config" --pkglibdir)/por_partner.so")"
}
INSTALLED=$(installed_now)

# the databases, one a part and version; the logins once the group roles exist
for p in $PARTS; do
	for v in $VERSIONS; do
		createdb "p${p}_$v"
		if [ "$v" = 020 ]; then create="CREATE EXTENSION por_partner VERSION '$OLD_VERSION' CASCADE"; else create="CREATE EXTENSION por_partner CASCADE"; fi
		psql -Xq -d "p${p}_$v" -v ON_ERROR_STOP=1 -c "$create" >"$WORK/create.out" 2>&1 ||
			fail "p${p}_$v" "$create: $(first_error "$WORK/create.out")"
	done
done
psql -Xq -v ON_ERROR_STOP=1 <<'SQL'
CREATE ROLE bench_redeem LOGIN IN ROLE por_partner_partner;
CREATE ROLE bench_can LOGIN IN ROLE por_partner_partner;
CREATE ROLE bench_small LOGIN IN ROLE por_partner_partner;
CREATE ROLE bench_big LOGIN IN ROLE por_partner_partner;
SQL

# the data, both versions' databases at once
setup() { # part file psql-variables...
	local p=$1 f=$2 v t=$SECONDS
	shift 2
	for v in $VERSIONS; do
		failed "p${p}_$v" && continue
		psql -Xq -d "p${p}_$v" -v ON_ERROR_STOP=1 "$@" -f "$f" >"$WORK/setup.$p.$v" 2>&1 &
		PID[$v]=$!
	done
	for v in $VERSIONS; do
		failed "p${p}_$v" && continue
		wait "${PID[$v]}" || fail "p${p}_$v" "setup: $(first_error "$WORK/setup.$p.$v")"
	done
	SETUP_T[$p]=$((SECONDS - t))
}
t0=$(date +%s)
if has_part 1; then
	setup 1 bench/isolation_redeem.sql -v cards="$CARDS" -v tenants="$TENANTS" -v login=bench_redeem
fi
if has_part 2; then
	setup 2 bench/isolation_partner_can.sql -v tenants="$TENANTS" -v login=bench_can
fi
if has_part 3; then
	setup 3 bench/isolation_book.sql -v scale="$SCALE" -v small="$SMALL" -v big="$BIG" \
		-v partners="$OTHER_PARTNERS" -v login_small=bench_small -v login_big=bench_big
fi
psql -Xq -c CHECKPOINT
SETUP_SECONDS=$(($(date +%s) - t0))
echo "setup: $SETUP_SECONDS s" >&2
# a side fails with its database
for p in $PARTS; do
	for v in $VERSIONS; do
		if failed "p${p}_$v"; then
			why=$(why "p${p}_$v")
			case $p in
			1 | 2) fail "p${p}.$v" "$why" ;;
			3) for s in fn_small.$v fn_big.$v; do fail "p3.$s" "$why"; done
			   [ "$v" = 030 ] && for s in hand_small hand_big; do fail "p3.$s" "$why"; done ;;
			esac
		fi
	done
done

# --- 1. create_customer_subscription as the login of partner 1
cat >"$WORK/redeem.sql" <<'SQL'
WITH n AS (SELECT nextval('public.next_key') AS id)
SELECT por_partner.create_customer_subscription(1, ARRAY[q.product_key],
           'Bench ' || q.id, 'DE', 'Admin', 'Person', 'admin@bench.example')
  FROM n JOIN public.queue q USING (id);
SQL
if has_part 1; then
	for v in $VERSIONS; do run "p1.$v" warmup 4 1 "$WORK/redeem.sql" bench_redeem "p1_$v"; done
	for r in $(seq 1 "$ROUNDS"); do
		for v in $VERSIONS; do run "p1.$v" "$r" 4 "$SECONDS_PER_RUN" "$WORK/redeem.sql" bench_redeem "p1_$v" log; done
	done
	# a run that took every key would have timed calls that redeem nothing
	for v in $VERSIONS; do
		failed "p1.$v" && continue
		left=$(psql -XAt -d "p1_$v" -c "SELECT (SELECT count(*) FROM public.queue) - last_value FROM public.next_key") || left=
		[ "${left:-0}" -gt 0 ] || fail "p1.$v" "the keys ran out (or were not counted): raise BENCH_CARDS"
	done
fi

# --- 2. partner_can() as the login of partner 1: one of its 10 users, then a
# tenant it administers (half the calls) or any tenant, and one of two actions
if has_part 2; then
	{
		echo '\set u random(1, 10)'
		echo '\set own random(0, 1)'
		echo "\\set k random(0, $((TENANTS / 1000 - 1)))"
		echo "\\set any random(1, $TENANTS)"
		echo '\set t :own * (1 + 1000 * :k) + (1 - :own) * :any'
		echo '\set a random(0, 1)'
		echo "SELECT por_partner.partner_can(:u, :t, CASE :a::int WHEN 0 THEN 'reset_password' ELSE 'manage_users' END);"
	} >"$WORK/partner_can.sql"
	for v in $VERSIONS; do run "p2.$v" warmup 4 1 "$WORK/partner_can.sql" bench_can "p2_$v"; done
	for r in $(seq 1 "$ROUNDS"); do
		for v in $VERSIONS; do run "p2.$v" "$r" 4 "$SECONDS_PER_RUN" "$WORK/partner_can.sql" bench_can "p2_$v"; done
	done
fi

# --- 3. expiring within 30 days: the function as the partner's login, and
# the DBA's query for the same partner as superuser.  Its window is the
# function's: still active today (expires_on is the first day the term no
# longer covers, so after today) and ending within 30 days.
hand_query() { # partner_id
	cat <<SQL
WITH book AS (
	SELECT tenant_id FROM por_partner.tenant WHERE created_by = $1
	UNION
	SELECT tenant_id FROM por_partner.delegated_admin WHERE partner_id = $1
	UNION
	SELECT tenant_id FROM por_partner.subscription WHERE partner_of_record = $1)
SELECT p.partner_id, p.mpn_id, s.subscription_id, s.tenant_id, t.organization_name, s.sku_code,
       s.seats, s.billing, s.expires_on, s.expires_on - current_date AS days_left,
       por_partner.subscription_phase(s.expires_on, current_date) AS phase
  FROM book b
  JOIN por_partner.subscription s ON s.tenant_id = b.tenant_id
  JOIN por_partner.tenant t ON t.tenant_id = s.tenant_id
  JOIN por_partner.partner p ON p.partner_id = $1
 WHERE s.expires_on > current_date AND s.expires_on <= current_date + 30
 ORDER BY s.expires_on, s.subscription_id
SQL
}
if has_part 3; then
	echo 'SELECT * FROM por_partner.expiring_subscriptions(30);' >"$WORK/fn.sql"
	{ hand_query 1; echo ';'; } >"$WORK/hand_small.sql"
	{ hand_query 2; echo ';'; } >"$WORK/hand_big.sql"
	# what each side answers: the row count, and whether the function's rows
	# are the query's
	for who in small big; do
		if [ "$who" = big ]; then id=2; else id=1; fi
		for v in $VERSIONS; do
			failed "p3.fn_$who.$v" && continue
			if psql -XAt -d "p3_$v" -U "bench_$who" -v ON_ERROR_STOP=1 >"$WORK/check" 2>&1 \
				-c "SELECT count(*), md5(coalesce(string_agg(subscription_id::text, ',' ORDER BY subscription_id), '')) FROM por_partner.expiring_subscriptions(30)"; then
				echo "fn_$who.$v $(tr '|' ' ' <"$WORK/check")" >>"$WORK/rows"
			else
				fail "p3.fn_$who.$v" "$(first_error "$WORK/check")"
			fi
		done
		failed "p3.hand_$who" && continue
		if psql -XAt -d p3_030 -v ON_ERROR_STOP=1 >"$WORK/check" 2>&1 \
			-c "SELECT count(*), md5(coalesce(string_agg(subscription_id::text, ',' ORDER BY subscription_id), '')) FROM ($(hand_query $id)) q"; then
			echo "hand_$who $(tr '|' ' ' <"$WORK/check")" >>"$WORK/rows"
		else
			fail "p3.hand_$who" "$(first_error "$WORK/check")"
		fi
		psql -XAt -d p3_030 -c "SELECT count(*) FROM por_partner.tenant WHERE created_by = $id" >"$WORK/book_$who"
	done
	sides="fn_small.030 hand_small fn_small.020 fn_big.030 hand_big fn_big.020"
	side_run() { # side round seconds
		case $1 in
		fn_small.*) run "p3.$1" "$2" 1 "$3" "$WORK/fn.sql" bench_small "p3_${1##*.}" log ;;
		fn_big.*) run "p3.$1" "$2" 1 "$3" "$WORK/fn.sql" bench_big "p3_${1##*.}" log ;;
		hand_*) run "p3.$1" "$2" 1 "$3" "$WORK/$1.sql" postgres p3_030 log ;;
		esac
	}
	for s in $sides; do side_run "$s" warmup 1; done
	for r in $(seq 1 "$ROUNDS"); do
		for s in $sides; do side_run "$s" "$r" "$READ_SECONDS"; done
	done
fi
TOTAL_SECONDS=$(($(date +%s) - START))

# --- the report
rows() { awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print "-" }' "$WORK/rows" 2>/dev/null || echo -; }
same() { # fn-side hand-side
	local a b
	a=$(awk -v s="$1" '$1 == s { print $3 }' "$WORK/rows" 2>/dev/null)
	b=$(awk -v s="$2" '$1 == s { print $3 }' "$WORK/rows" 2>/dev/null)
	if [ -z "$a" ] || [ -z "$b" ]; then echo "-"; elif [ "$a" = "$b" ]; then echo "same rows"; else echo "DIFFERENT rows"; fi
}
{
	echo "# Partners' calls as a partner's login, $OLD_VERSION and $DEFAULT_VERSION (bench/isolation.sh, issue 11)"
	echo
	echo "PostgreSQL $(psql -XAtc 'SHOW server_version'), $(nproc) cores, load average $(cut -d ' ' -f 1-3 /proc/loadavg), $(date -u +%Y-%m-%d)."
	echo "Parts $PARTS; $ROUNDS rounds interleaving the sides, medians of the rounds (min and max: the rounds'); setup ${SETUP_SECONDS} s ($(for p in $PARTS; do printf 'part %s %s s; ' "$p" "${SETUP_T[$p]:-?}"; done | sed 's/; $//')), all ${TOTAL_SECONDS} s."
	echo "Both versions run the installed por_partner.so (one shared library for every version). Installed: $INSTALLED."
	if [ "$(installed_now)" != "$INSTALLED" ]; then
		echo
		echo "**The extension was installed again during the run** (now: $(installed_now)): the databases keep the objects they were created with, but sessions started after that load the new por_partner.so."
	fi
	if has_part 1; then
		echo
		echo "## 1. create_customer_subscription, one key a call, as partner 1's login"
		echo
		echo "pgbench -c 4 -j 2 -T $SECONDS_PER_RUN -M prepared; $CARDS key cards (half of them partner 1's), $TENANTS tenants made through the function before the runs."
		echo
		echo "| version | tx/s (median) | min | max | p50 ms | p99 ms | status |"
		echo "|---|---|---|---|---|---|---|"
		for v in $VERSIONS; do
			read -r t tmin tmax < <(stats "p1.$v" tps %.1f)
			read -r p50 _ _ < <(stats "p1.$v" p50 %.2f)
			read -r p99 _ _ < <(stats "p1.$v" p99 %.2f)
			MED[p1.$v]=$t
			echo "| $(vname "$v") | $t | $tmin | $tmax | $p50 | $p99 | $(status "p1.$v") |"
		done
		r=$(ratio "${MED[p1.030]}" "${MED[p1.020]}")
		echo
		echo "$DEFAULT_VERSION / $OLD_VERSION tx/s = $r (target: at least 0.90, within 10%) $(verdict "$r" '>=' 0.90 p1.020 p1.030)"
	fi
	if has_part 2; then
		echo
		echo "## 2. partner_can(), as partner 1's login"
		echo
		echo "pgbench -c 4 -j 2 -T $SECONDS_PER_RUN -M prepared; $TENANTS tenants, 1000 partners, 10000 partner users; the calls ask about partner 1's 10 users, half of them about a tenant it administers, half about any tenant."
		echo
		echo "| version | calls/s (median) | min | max | avg latency ms | status |"
		echo "|---|---|---|---|---|---|"
		for v in $VERSIONS; do
			read -r t tmin tmax < <(stats "p2.$v" tps %.0f)
			read -r lat _ _ < <(stats "p2.$v" lat %.3f)
			MED[p2.$v]=$t
			echo "| $(vname "$v") | $t | $tmin | $tmax | $lat | $(status "p2.$v") |"
		done
		r=$(ratio "${MED[p2.030]}" "${MED[p2.020]}")
		echo
		echo "$DEFAULT_VERSION / $OLD_VERSION calls/s = $r (target: at least 0.90, within 10%) $(verdict "$r" '>=' 0.90 p2.020 p2.030)"
	fi
	if has_part 3; then
		echo
		echo "## 3. subscriptions expiring within 30 days, one partner's"
		echo
		echo "pgbench -c 1 -T $READ_SECONDS -M prepared, latency a call; $SCALE tenants, $(psql -XAt -d p3_030 -c 'SELECT count(*) FROM por_partner.subscription' 2>/dev/null || echo '?') subscriptions (ends spread over two years around today), partners 1 and 2 measured, $OTHER_PARTNERS others. The function as the partner's login (SELECT * FROM por_partner.expiring_subscriptions(30)); the hand-written query over the partner's book as superuser, on the $DEFAULT_VERSION database (the same rows as $OLD_VERSION's)."
		echo
		echo "| partner | query | rows | ms a call (median) | min | max | p90 ms | calls | status |"
		echo "|---|---|---|---|---|---|---|---|---|"
		for who in small big; do
			book=$(cat "$WORK/book_$who" 2>/dev/null || echo '?')
			for s in fn_$who.030 hand_$who fn_$who.020; do
				case $s in
				fn_*.030) q="expiring_subscriptions(30), $DEFAULT_VERSION" ;;
				fn_*.020) q="expiring_subscriptions(30), $OLD_VERSION" ;;
				*) q="hand-written, superuser" ;;
				esac
				read -r m mmin mmax < <(stats "p3.$s" p50 %.3f)
				read -r p90 _ _ < <(stats "p3.$s" p90 %.3f)
				calls=$(awk -v s="p3.$s" '$1 == s { for (i = 3; i <= NF; i++) if ($i ~ /^calls=/) n += substr($i, 7) } END { print n + 0 }' "$WORK/results")
				MED[p3.$s]=$m
				echo "| $who, $book tenants | $q | $(rows "$s") | $m | $mmin | $mmax | $p90 | $calls | $(status "p3.$s") |"
			done
		done
		echo
		echo "| partner | function / hand-written, $DEFAULT_VERSION | $OLD_VERSION (reference) | the function's rows and the query's | target: within 2x ($DEFAULT_VERSION) |"
		echo "|---|---|---|---|---|"
		for who in small big; do
			r3=$(ratio "${MED[p3.fn_$who.030]}" "${MED[p3.hand_$who]}")
			r2=$(ratio "${MED[p3.fn_$who.020]}" "${MED[p3.hand_$who]}")
			echo "| $who | $r3 | $r2 | $(same "fn_$who.030" "hand_$who") | $(verdict "$r3" '<=' 2.0 "p3.fn_$who.030" "p3.hand_$who") |"
		done
	fi
	if [ -s "$WORK/failed" ]; then
		echo
		echo "Failures (a side is left out from its first failure on):"
		sed 's/^/- /; s/\t/: /' "$WORK/failed"
	fi
} | tee "$OUTDIR/isolation.txt"
rm -rf "$WORK"
