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
psql -Xq -d bench -v ON_ERROR_STOP=1 -v cards="$CARDS" -v tenants="$TENANTS" <<'SQL'
CREATE EXTENSION por_partner;
SET search_path = por_partner, public;
SET synchronous_commit = off;

-- 100 partners, resellers and advisors; keys from md5 mapped onto 16 symbols
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
SELECT (1000000 + i)::text, 'Partner ' || i, true, true, true FROM generate_series(1, 100) AS i;
CREATE FUNCTION pg_temp.bench_key(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT left(translate(md5(i::text), '0123456789abcdef', 'BCDFGHJKMPQRTVWX'), 25) $$;

INSERT INTO key_card (product_key, sku_code, licenses, partner_id, purchased_on)
SELECT pg_temp.bench_key(i)::product_key, 'O365_SMALL_BUSINESS', 1, 1 + i % 100, date '2026-01-01'
  FROM generate_series(1, :cards) AS i;

-- the plain baseline: the same tables and keys, no rule triggers or checks
CREATE SCHEMA plain;
CREATE TABLE plain.tenant (tenant_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organization_name text NOT NULL, country_code char(2) NOT NULL REFERENCES por_partner.country,
	agreement text, created_by bigint REFERENCES por_partner.partner, created_at timestamptz NOT NULL DEFAULT now(),
	admin_first_name text, admin_last_name text, admin_email text);
CREATE TABLE plain.tenant_user (user_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id bigint NOT NULL REFERENCES plain.tenant, first_name text, last_name text, email text NOT NULL,
	admin_role text);
CREATE UNIQUE INDEX ON plain.tenant_user (tenant_id, lower(email));
CREATE TABLE plain.subscription (subscription_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id bigint NOT NULL REFERENCES plain.tenant, sku_code text NOT NULL REFERENCES por_partner.sku,
	seats int NOT NULL, licensed_users int NOT NULL DEFAULT 0, billing text NOT NULL, starts_on date NOT NULL,
	expires_on date NOT NULL, partner_of_record bigint, agreement text, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON plain.subscription (tenant_id);
CREATE TABLE plain.license (subscription_id bigint REFERENCES plain.subscription, user_id bigint REFERENCES plain.tenant_user,
	tenant_id bigint, assigned_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (subscription_id, user_id));
CREATE INDEX ON plain.license (user_id);
CREATE TABLE plain.key_card (product_key por_partner.product_key PRIMARY KEY, sku_code text NOT NULL,
	licenses int NOT NULL, partner_id bigint NOT NULL, purchased_on date, redeemed_at timestamptz,
	subscription_id bigint REFERENCES plain.subscription, redeemed_as text);
CREATE INDEX ON plain.key_card (subscription_id);
INSERT INTO plain.key_card SELECT product_key, sku_code, licenses, partner_id, purchased_on FROM key_card;

CREATE FUNCTION plain.create_customer_subscription(p_partner bigint, p_key por_partner.product_key,
	p_org text, p_country text, p_first text, p_last text, p_email text) RETURNS bigint
LANGUAGE sql SET search_path = pg_catalog, por_partner, pg_temp AS $$
	WITH card AS (SELECT sku_code, licenses FROM plain.key_card WHERE product_key = p_key FOR UPDATE),
	t AS (INSERT INTO plain.tenant (organization_name, country_code, agreement, created_by,
	                                admin_first_name, admin_last_name, admin_email)
	      SELECT p_org, p_country, 'Microsoft Online Subscription Agreement', p_partner, p_first, p_last, p_email
	      RETURNING tenant_id),
	u AS (INSERT INTO plain.tenant_user (tenant_id, first_name, last_name, email, admin_role)
	      SELECT tenant_id, p_first, p_last, p_email, 'global_admin' FROM t RETURNING user_id, tenant_id),
	s AS (INSERT INTO plain.subscription (tenant_id, sku_code, seats, licensed_users, billing, starts_on, expires_on, agreement)
	      SELECT t.tenant_id, card.sku_code, card.licenses, 1, 'product_key', current_date,
	             (current_date + interval '1 year')::date, 'Microsoft Online Subscription Agreement'
	        FROM t, card RETURNING subscription_id, tenant_id),
	l AS (INSERT INTO plain.license (subscription_id, user_id, tenant_id)
	      SELECT s.subscription_id, u.user_id, u.tenant_id FROM s, u RETURNING subscription_id),
	k AS (UPDATE plain.key_card SET redeemed_at = now(), subscription_id = (SELECT subscription_id FROM s),
	             redeemed_as = 'activate' WHERE product_key = p_key RETURNING 1)
	SELECT subscription_id FROM l, (SELECT count(*) FROM k) AS kk
$$;

-- the keys each side redeems, in order: a queue per side, taken by nextval
CREATE TABLE public.queue_rules (id bigint PRIMARY KEY, partner_id bigint, product_key por_partner.product_key);
CREATE TABLE public.queue_plain (id bigint PRIMARY KEY, partner_id bigint, product_key por_partner.product_key);
INSERT INTO public.queue_rules SELECT row_number() OVER (), partner_id, product_key
  FROM (SELECT partner_id, product_key FROM key_card ORDER BY md5(product_key::text)) AS k;
INSERT INTO public.queue_plain SELECT id, partner_id, product_key FROM public.queue_rules;
CREATE SEQUENCE public.next_rules;
CREATE SEQUENCE public.next_plain;
SQL

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
