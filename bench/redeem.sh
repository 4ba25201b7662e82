#!/usr/bin/env bash
# Benchmark: create_customer_subscription (one key a call), 4 pgbench clients,
# against a database holding 1,000,000 key cards and 100,000 tenants, side by
# side with a plain-SQL baseline that makes the same rows without the rules
# (no triggers, no eligibility checks; the same keys, indexes and foreign keys).
# Rounds alternate rules / plain; medians and the ratio are reported.
#
#   BENCH_SECONDS (30)  length of one pgbench run
#   BENCH_ROUNDS  (3)   rounds of rules + plain
#   BENCH_CARDS   (1000000), BENCH_TENANTS (100000)
set -eu
cd "$(dirname "$0")/.."
. scripts/cluster.sh

SECONDS_PER_RUN=${BENCH_SECONDS:-30}
ROUNDS=${BENCH_ROUNDS:-3}
CARDS=${BENCH_CARDS:-1000000}
TENANTS=${BENCH_TENANTS:-100000}
OUTDIR=bench/out
mkdir -p "$OUTDIR"
WORK=$(mktemp -d)
chmod 777 "$WORK"

cluster_start "shared_buffers = '1GB'" "max_wal_size = '4GB'" "checkpoint_timeout = '30min'" \
	"max_parallel_workers_per_gather = 0"
createdb bench
psql -Xq -d bench -v ON_ERROR_STOP=1 -v cards="$CARDS" -v tenants="$TENANTS" -f bench/redeem_setup.sql

# 100,000 tenants on each side, through each side's own function
psql -Xq -d bench -v ON_ERROR_STOP=1 -v tenants="$TENANTS" <<'SQL'
SELECT count(por_partner.create_customer_subscription(q.partner_id, ARRAY[q.product_key],
           'Tenant ' || q.id, 'DE', 'Admin', 'Person', 'admin' || q.id || '@tenant.example'))
  FROM public.queue_rules q WHERE q.id = nextval('public.next_rules') AND q.id <= :tenants;
SELECT count(plain.create_customer_subscription(q.partner_id, q.product_key,
           'Tenant ' || q.id, 'DE', 'Admin', 'Person', 'admin' || q.id || '@tenant.example'))
  FROM public.queue_plain q WHERE q.id = nextval('public.next_plain') AND q.id <= :tenants;
VACUUM ANALYZE;
SQL

cat >"$WORK/rules.sql" <<'SQL'
WITH n AS (SELECT nextval('public.next_rules') AS id)
SELECT por_partner.create_customer_subscription(q.partner_id, ARRAY[q.product_key],
           'Bench ' || q.id, 'DE', 'Admin', 'Person', 'admin@bench.example')
  FROM n JOIN public.queue_rules q USING (id);
SQL
cat >"$WORK/plain.sql" <<'SQL'
WITH n AS (SELECT nextval('public.next_plain') AS id)
SELECT plain.create_customer_subscription(q.partner_id, q.product_key,
           'Bench ' || q.id, 'DE', 'Admin', 'Person', 'admin@bench.example')
  FROM n JOIN public.queue_plain q USING (id);
SQL

echo "side round tps p50_ms p99_ms errors" >"$WORK/results"
for r in $(seq 1 "$ROUNDS"); do
	for side in rules plain; do
		rm -f "$WORK"/pgbench_log.*
		(cd "$WORK" && "$PGBIN/pgbench" -n -c 4 -j 2 -T "$SECONDS_PER_RUN" -M prepared -l \
			-f "$side.sql" bench >"$WORK/$side.$r.out" 2>&1) || true
		tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/$side.$r.out" | head -n 1)
		failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$WORK/$side.$r.out")
		# per-transaction latency (microseconds) is the third field of the logs
		read -r p50 p99 < <(cat "$WORK"/pgbench_log.* | awk '{print $3}' | sort -n |
			awk '{a[NR]=$1} END {printf "%.2f %.2f\n", a[int(NR*0.50)]/1000, a[int(NR*0.99)]/1000}')
		echo "$side $r ${tps:-0} $p50 $p99 ${failed:-0}" >>"$WORK/results"
		echo "round $r $side: ${tps:-0} tps, p50 $p50 ms, p99 $p99 ms" >&2
	done
done

psql -XAt -d bench -c "SELECT (SELECT count(*) FROM por_partner.key_card), (SELECT count(*) FROM por_partner.tenant), (SELECT count(*) FROM plain.tenant)" \
	| { IFS='|' read -r kc tn pt; echo "after the runs: $kc key cards, $tn tenants (rules side), $pt tenants (plain side)"; } >"$WORK/sizes"

{
	echo "create_customer_subscription, one key a call: pgbench -c 4 -j 2 -T $SECONDS_PER_RUN, $ROUNDS rounds alternating"
	echo "PostgreSQL $(psql -XAtc 'SHOW server_version'), $(nproc) cores, $(date -u +%Y-%m-%d)"
	echo "start: $CARDS key cards, $TENANTS tenants on each side; $(cat "$WORK/sizes")"
	echo
	awk 'NR > 1 { n[$1]++; tps[$1, n[$1]] = $3; p50[$1, n[$1]] = $4; p99[$1, n[$1]] = $5; err[$1] += $6 }
	function median(arr, side, k,   i, j, t, v) {
		for (i = 1; i <= k; i++) v[i] = arr[side, i]
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
		return (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
	}
	END {
		printf "| %-28s | %10s | %10s | %10s | %7s |\n", "side (median of rounds)", "tx/s", "p50 ms", "p99 ms", "errors"
		printf "|%s|%s|%s|%s|%s|\n", "------------------------------", "------------", "------------", "------------", "---------"
		for (s = 1; s <= 2; s++) {
			side = (s == 1) ? "rules" : "plain"
			name = (s == 1) ? "por_partner (all rules)" : "plain SQL baseline"
			T[side] = median(tps, side, n[side]); P5[side] = median(p50, side, n[side]); P9[side] = median(p99, side, n[side])
			printf "| %-28s | %10.1f | %10.2f | %10.2f | %7d |\n", name, T[side], P5[side], P9[side], err[side]
		}
		ratio = T["plain"] / T["rules"]
		printf "\ncost of the rules: plain tx/s / rules tx/s = %.2fx (target: within 2x) %s\n", ratio, (ratio <= 2.0) ? "PASS" : "MISS"
		printf "p50 latency ratio rules/plain = %.2fx, p99 = %.2fx\n", P5["rules"] / P5["plain"], P9["rules"] / P9["plain"]
	}' "$WORK/results"
} | tee "$OUTDIR/redeem.txt"
rm -rf "$WORK"
