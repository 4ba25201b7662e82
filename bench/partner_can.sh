#!/usr/bin/env bash
# Benchmark: partner_can() on 100,000 tenants, 1,000 partners and 10,000
# partner users, as calls a second from pgbench (4 clients), beside a plain
# SQL join that answers the same question without the function (no argument
# checks).  Half the calls ask about a tenant the user's partner administers.
# Rounds alternate function / join; medians and the ratio are reported.
#
#   BENCH_SECONDS (20), BENCH_ROUNDS (3)
set -eu
cd "$(dirname "$0")/.."
. scripts/cluster.sh

SECONDS_PER_RUN=${BENCH_SECONDS:-20}
ROUNDS=${BENCH_ROUNDS:-3}
OUTDIR=bench/out
mkdir -p "$OUTDIR"
WORK=$(mktemp -d)

cluster_start "shared_buffers = '512MB'" "max_parallel_workers_per_gather = 0"
createdb bench
psql -Xq -d bench -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION por_partner CASCADE;
SET search_path = por_partner, public;
SET synchronous_commit = off;
-- 1,000 partners: Cloud Essentials, a tenth of them service providers too
INSERT INTO partner (mpn_id, name, cloud_essentials, service_provider, subscription_advisor)
SELECT (2000000 + i)::text, 'Partner ' || i, true, i % 10 = 0, true FROM generate_series(1, 1000) AS i;
-- 100,000 tenants (each gets its admin user by trigger); tenant t is
-- administered by partner ((t - 1) % 1000) + 1 through an accepted offer
INSERT INTO tenant (organization_name, country_code, created_by, admin_first_name, admin_last_name, admin_email)
SELECT 'Tenant ' || i, 'DE', 1 + (i - 1) % 1000, 'Admin', 'Person', 'admin' || i || '@tenant.example'
  FROM generate_series(1, 100000) AS i;
INSERT INTO delegated_admin_offer (partner_id, tenant_id)
SELECT 1 + (tenant_id - 1) % 1000, tenant_id FROM tenant;
UPDATE delegated_admin_offer SET status = 'accepted', answered_at = now();
INSERT INTO delegated_admin (partner_id, tenant_id, offer_id)
SELECT partner_id, tenant_id, offer_id FROM delegated_admin_offer;
-- 10,000 partner users, 10 a partner: user u belongs to partner (u - 1) / 10 + 1
INSERT INTO partner_user (partner_id, email, customer_access)
SELECT 1 + (i - 1) / 10, 'user' || i || '@partner.example',
       CASE i % 3 WHEN 0 THEN 'full' WHEN 1 THEN 'limited' ELSE 'none' END
  FROM generate_series(1, 10000) AS i;
VACUUM ANALYZE;
SQL

# the same pick for both sides: a user, then a tenant its partner administers
# (half the calls) or any tenant, and one of two actions
PICK='\set u random(1, 10000)
\set p (:u - 1) / 10 + 1
\set own random(0, 1)
\set k random(0, 99)
\set any random(1, 100000)
\set t :own * (:p + 1000 * :k) + (1 - :own) * :any
\set a random(0, 1)'
{
	echo "$PICK"
	echo "SELECT por_partner.partner_can(:u, :t, CASE :a::int WHEN 0 THEN 'reset_password' ELSE 'manage_users' END);"
} >"$WORK/function.sql"
{
	echo "$PICK"
	echo "SELECT d.partner_id IS NOT NULL AND (p.cloud_essentials OR p.service_provider) AND (u.customer_access = 'full' OR (u.customer_access = 'limited' AND CASE :a::int WHEN 0 THEN 'reset_password' ELSE 'manage_users' END = 'reset_password')) FROM por_partner.partner_user u JOIN por_partner.partner p ON p.partner_id = u.partner_id LEFT JOIN por_partner.delegated_admin d ON d.partner_id = u.partner_id AND d.tenant_id = :t WHERE u.partner_user_id = :u;"
} >"$WORK/join.sql"

: >"$WORK/results"
for r in $(seq 1 "$ROUNDS"); do
	for side in function join; do
		"$PGBIN/pgbench" -n -c 4 -j 2 -T "$SECONDS_PER_RUN" -M prepared -f "$WORK/$side.sql" bench >"$WORK/out" 2>&1 || {
			cat "$WORK/out" >&2
			exit 1
		}
		tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/out" | head -n 1)
		lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$WORK/out")
		echo "$side $tps $lat" >>"$WORK/results"
		echo "round $r $side: $tps calls/s, average latency $lat ms" >&2
	done
done

{
	echo "partner_can(): pgbench -c 4 -j 2 -T $SECONDS_PER_RUN -M prepared, $ROUNDS rounds alternating"
	echo "PostgreSQL $(psql -XAtc 'SHOW server_version'), $(nproc) cores, $(date -u +%Y-%m-%d)"
	echo "data: 100000 tenants, 1000 partners, 10000 partner users, 100000 delegated admin relationships"
	echo
	awk '{ n[$1]++; v[$1, n[$1]] = $2; l[$1, n[$1]] = $3 }
	function median(a, side, k,   i, j, t, x) {
		for (i = 1; i <= k; i++) x[i] = a[side, i]
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (x[j] + 0 < x[i] + 0) { t = x[i]; x[i] = x[j]; x[j] = t }
		return (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2
	}
	END {
		f = median(v, "function", n["function"]); j = median(v, "join", n["join"])
		printf "| %-34s | %12s | %14s |\n", "(median of rounds)", "calls/s", "avg latency ms"
		printf "|%s|%s|%s|\n", "------------------------------------", "--------------", "----------------"
		printf "| %-34s | %12.0f | %14.3f |\n", "partner_can()", f, median(l, "function", n["function"])
		printf "| %-34s | %12.0f | %14.3f |\n", "plain SQL join (baseline)", j, median(l, "join", n["join"])
		printf "\npartner_can() rate / baseline rate = %.2f (target: at least 0.5) %s\n", f / j, (f / j >= 0.5) ? "PASS" : "MISS"
	}' "$WORK/results"
} | tee "$OUTDIR/partner_can.txt"
rm -rf "$WORK"
