#!/usr/bin/env bash
# The product_key benchmark (run by `make bench`, or alone), against core uuid and against a
# text domain with a regex CHECK, side by side in one run on a throwaway
# cluster.  Prints a table of medians (also written to bench/out/) with
# PASS/MISS against the targets; a MISS does not fail the run.
#
#   BENCH_KEYS    keys (and uuids) to generate         (default 1000000)
#   BENCH_PROBES  index lookups per measurement        (default 100000)
#   BENCH_REPS    recorded runs of each measurement    (default 7)
#
# What is measured, all server-side (clock_timestamp() deltas in PL/pgSQL,
# see bench/product_key.sql), for product_key, uuid and the text domain:
#   text -> type   a scan of 1M text values casting each one, and the same
#                  scan without the cast (the baseline); the difference is
#                  the net cost of the conversion, in ns per value
#   type -> text   the same, from a column of the type to text
#   index build    CREATE INDEX (btree) on 1M values, and the index's size
#   lookups        100k equality probes through that index (nested loop)
set -eu
cd "$(dirname "$0")/.."
. scripts/cluster.sh

KEYS=${BENCH_KEYS:-1000000}
PROBES=${BENCH_PROBES:-100000}
REPS=${BENCH_REPS:-7}
OUT=bench/out/product_key.txt
PLANS=bench/out/product_key_plans.txt
SAMPLES=bench/out/product_key_samples.csv
mkdir -p bench/out

# One backend, no parallel workers, no JIT, everything in memory: every
# variant runs the same way.  No autovacuum or timed checkpoint mid-run.
echo "bench: starting a throwaway PostgreSQL cluster" >&2
cluster_start \
	"shared_buffers = '1GB'" \
	"work_mem = '256MB'" \
	"maintenance_work_mem = '1GB'" \
	"max_parallel_workers_per_gather = 0" \
	"max_parallel_maintenance_workers = 0" \
	"jit = off" \
	"autovacuum = off" \
	"checkpoint_timeout = '1h'" \
	"max_wal_size = '10GB'"

DB=por_partner_bench
createdb "$DB"

# the header: what ran where and when
{
	echo "por_partner product_key benchmark"
	echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "PostgreSQL:  $(psql -XAtd "$DB" -c 'SELECT version()')"
	echo "machine:     $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
	echo "collation:   $(psql -XAtd "$DB" -c "SELECT datcollate FROM pg_database WHERE datname = current_database()") (the text domain's)"
	echo "setup:       $KEYS keys / uuids, $PROBES lookup probes; $REPS runs of each measurement after"
	echo "             a warm-up round, variants interleaved; 1 backend, no parallelism, no JIT,"
	echo "             shared_buffers 1GB, maintenance_work_mem 1GB, UNLOGGED tables"
	echo
} >"$OUT"

# the benchmark itself: progress on stderr, the table on stdout
psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" \
	-v keys="$KEYS" -v probes="$PROBES" -v reps="$REPS" -v plans="$PLANS" \
	-f bench/product_key.sql >>"$OUT"

# every sample, for whoever wants more than medians
psql -X -q -d "$DB" -c "\\copy (SELECT * FROM bench_sample ORDER BY metric, variant, round) TO '$SAMPLES' CSV HEADER"

cluster_stop
echo >&2
cat "$OUT"
echo
echo "(table in $OUT, plans in $PLANS, all samples in $SAMPLES)"
