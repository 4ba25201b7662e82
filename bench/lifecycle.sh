#!/usr/bin/env bash
# Benchmark: the subscription lifecycle at 1,000,000 and 5,000,000
# subscriptions.
#   renewal_notices_due(d) for one day, at both sizes: the 4,000,000 added
#     are history (terms that ended 2014-2026), so the notices due on d are
#     the same; an index range scan on expires_on keeps the time flat
#     (target: 5M / 1M below 1.5).
#   send_renewal_notices(d) for one day (rolled back), at both sizes: the 5M
#     book also holds 4,000,000 notices of history in the ledger (one for
#     each ended term), so the ledger's growth shows (target: 5M / 1M below
#     1.5).
#   subscription_phase() over every row against the same rule written as a
#     plain CASE expression (target: at most 1.2x).
# Rows are loaded with triggers off (session_replication_role = replica, as
# a restore does); only the measured functions run.  Medians of rounds.
#   BENCH_REPS (7)
set -eu
cd "$(dirname "$0")/.."
. scripts/cluster.sh

REPS=${BENCH_REPS:-7}
OUTDIR=bench/out
mkdir -p "$OUTDIR"

cluster_start "shared_buffers = '2GB'" "work_mem = '64MB'" "max_parallel_workers_per_gather = 0" \
	"jit = off" "max_wal_size = '8GB'" "autovacuum = off"
createdb bench
psql -Xq -d bench -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION por_partner CASCADE;
SET search_path = por_partner, public;
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
SELECT (3000000 + i)::text, 'Partner ' || i, true, true, i % 2 = 0 FROM generate_series(1, 100) AS i;
SET session_replication_role = replica;
INSERT INTO tenant (organization_name, country_code, created_by, admin_first_name, admin_last_name, admin_email)
SELECT 'Tenant ' || i, 'DE', 1 + i % 100, 'A', 'B', 'a' || i || '@t.example' FROM generate_series(1, 100000) AS i;
-- 1,000,000 current subscriptions, terms ending 2027-01-01 .. 2029-12-31
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, partner_of_record, agreement)
SELECT 1 + i % 100000, 'O365_SMALL_BUSINESS', 5, 'direct', e - 365, e, CASE WHEN i % 3 = 0 THEN 1 + i % 100 END,
       'Microsoft Online Subscription Agreement'
  FROM (SELECT i, date '2027-01-01' + (i % 1095) AS e FROM generate_series(1, 1000000) AS i) AS g;
CREATE TABLE public.timings (what text, size text, variant text, ms numeric);
CREATE PROCEDURE public.measure(what text, size text, variant text, q text, reps int) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; i int;
BEGIN
	FOR i IN 1..reps LOOP
		t0 := clock_timestamp();
		EXECUTE q;
		INSERT INTO public.timings VALUES (what, size, variant, extract(epoch FROM clock_timestamp() - t0) * 1000);
	END LOOP;
END $$;
SQL

measure() {	# size
	psql -Xq -d bench -v ON_ERROR_STOP=1 -v size="$1" -v reps="$REPS" <<'SQL'
VACUUM ANALYZE por_partner.subscription;
SELECT count(*) AS due_2028_06_01 FROM por_partner.renewal_notices_due('2028-06-01') \gset
\echo subscriptions: :size, notices due on 2028-06-01: :due_2028_06_01
-- interleave the variants, one rep at a time
DO $$ BEGIN PERFORM count(*) FROM por_partner.renewal_notices_due('2028-06-01'); END $$;
SELECT format($q$
	CALL public.measure('due', %1$L, 'renewal_notices_due', 'SELECT count(*) FROM por_partner.renewal_notices_due(''2028-06-01'')', 1);
	CALL public.measure('send', %1$L, 'send_renewal_notices', 'DO $x$ BEGIN PERFORM count(*) FROM por_partner.send_renewal_notices(''2028-06-01''); RAISE EXCEPTION USING ERRCODE = ''P0001''; EXCEPTION WHEN raise_exception THEN NULL; END $x$', 1);
	CALL public.measure('phase', %1$L, 'subscription_phase', 'SELECT count(*) FILTER (WHERE por_partner.subscription_phase(expires_on, ''2028-06-01'') = ''disabled'') FROM por_partner.subscription', 1);
	CALL public.measure('phase', %1$L, 'CASE', 'SELECT count(*) FILTER (WHERE CASE WHEN date ''2028-06-01'' < expires_on THEN ''active'' WHEN date ''2028-06-01'' - expires_on < 30 THEN ''expired'' WHEN date ''2028-06-01'' - expires_on < 120 THEN ''disabled'' ELSE ''deprovisioned'' END = ''disabled'') FROM por_partner.subscription', 1);
$q$, :'size') FROM generate_series(1, :reps) \gexec
SQL
}

measure 1M
psql -Xq -d bench -v ON_ERROR_STOP=1 <<'SQL'
SET session_replication_role = replica;
-- 4,000,000 more: history, terms that ended 2014-01-01 .. 2026-12-31
INSERT INTO por_partner.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, partner_of_record, agreement)
SELECT 1 + i % 100000, 'O365_SMALL_BUSINESS', 5, 'direct', e - 365, e, NULL, 'Microsoft Online Subscription Agreement'
  FROM (SELECT i, date '2014-01-01' + (i % 4747) AS e FROM generate_series(1, 4000000) AS i) AS g;
-- and the ledger's history: the 7-day notice each ended term got
INSERT INTO por_partner.renewal_notice (subscription_id, tenant_id, expires_on, recipient, partner_id, days_before, sent_on)
SELECT s.subscription_id, s.tenant_id, s.expires_on, 'customer', NULL, 7, s.expires_on - 7
  FROM por_partner.subscription s WHERE s.expires_on < '2027-01-01';
VACUUM ANALYZE por_partner.renewal_notice;
SQL
measure 5M

psql -XAt -d bench -F ' ' -c "SELECT what, size, variant, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM public.timings GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" >"$OUTDIR/lifecycle.raw"
psql -XAt -d bench -c "EXPLAIN (COSTS OFF) SELECT s.subscription_id FROM por_partner.subscription s WHERE s.expires_on > '2028-06-01' AND s.expires_on <= date '2028-06-01' + 60" >"$OUTDIR/lifecycle_plan.txt"
{
	echo "subscription lifecycle: medians of $REPS interleaved rounds; PostgreSQL $(psql -XAtc 'SHOW server_version'), $(nproc) cores, $(date -u +%Y-%m-%d)"
	echo "1M: current subscriptions (terms ending 2027-2029), an empty ledger; 5M: the same plus 4M ended 2014-2026, and their 4M notices in the ledger"
	echo
	awk '{ m[$1 " " $2 " " $3] = $4 }
	END {
		d1 = m["due 1M renewal_notices_due"]; d5 = m["due 5M renewal_notices_due"]
		printf "| %-44s | %10s | %10s | %8s |\n", "(median ms)", "1M", "5M", "5M / 1M"
		printf "|%s|%s|%s|%s|\n", "----------------------------------------------", "------------", "------------", "----------"
		printf "| %-44s | %10.2f | %10.2f | %8.2f |\n", "renewal_notices_due(d), one day", d1, d5, d5 / d1
		s1 = m["send 1M send_renewal_notices"]; s5 = m["send 5M send_renewal_notices"]
		printf "| %-44s | %10.2f | %10.2f | %8.2f |\n", "send_renewal_notices(d), one day, 4M ledger", s1, s5, s5 / s1
		p1 = m["phase 1M subscription_phase"]; c1 = m["phase 1M CASE"]; p5 = m["phase 5M subscription_phase"]; c5 = m["phase 5M CASE"]
		printf "| %-44s | %10.1f | %10.1f | %8.2f |\n", "subscription_phase() over every row", p1, p5, p5 / p1
		printf "| %-44s | %10.1f | %10.1f | %8.2f |\n", "the same rule as a plain CASE", c1, c5, c5 / c1
		printf "\nrenewal_notices_due: 5M / 1M = %.2f (target: below 1.5) %s\n", d5 / d1, (d5 / d1 < 1.5) ? "PASS" : "MISS"
		printf "send_renewal_notices with 4M notices of history: 5M / 1M = %.2f (target: below 1.5) %s\n", s5 / s1, (s5 / s1 < 1.5) ? "PASS" : "MISS"
		printf "subscription_phase / CASE: %.2fx at 1M, %.2fx at 5M (target: at most 1.2x) %s\n", p1 / c1, p5 / c5, (p1 / c1 <= 1.2 && p5 / c5 <= 1.2) ? "PASS" : "MISS"
	}' "$OUTDIR/lifecycle.raw"
	echo
	echo "plan of the candidate scan in renewal_notices_due:"
	sed 's/^/    /' "$OUTDIR/lifecycle_plan.txt"
} | tee "$OUTDIR/lifecycle.txt"
