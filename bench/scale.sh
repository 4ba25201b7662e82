#!/usr/bin/env bash
# Benchmark: the extension at the size of a large partner platform.  A book
# of SCALE million subscriptions (SCALE x 100,000 tenants, SCALE x 500
# partners; SCALE=10 by default: 10,000,000 subscriptions over 1,000,000
# tenants and 5,000 partners), loaded as a restore loads it (triggers off,
# indexes built afterwards; bench/scale_book.sql says what the rows are),
# then cloned (CREATE DATABASE ... TEMPLATE) into databases that differ in
# their history only:
#   h1m  the book, with 1 month of renewal notice, phase notice and audit
#        history (bench/scale_history.sql)
#   h3y  the book, with 3 years of it
#   y1   the same tenants, users and licenses with 1 year of subscriptions
#        (2 terms a tenant instead of 10), loaded on its own (smaller)
# Every row measures the function as its caller calls it beside a query
# written by hand over the same tables, in the same run; rounds interleave
# the sides and the databases (order reversed every other round); the median
# of the rounds is reported, a round being the median of as many runs as
# half a second holds (at least one).  Rows 1 and 3 run in a transaction
# that is rolled back, so every round finds the same rows.  Before the rounds
# yesterday's daily job runs, committed, in every database (run_daily_job(d -
# 1), or send_renewal_notices and purge_deprovisioned of d - 1 where there is
# no such procedure), so that whatever state the functions keep is that of a
# platform that runs it every day.  The reads are timed as SELECT count(x.*)
# FROM (query) AS x: every column computed, no row sent to the client.
#   1. SELECT count(*) FROM send_renewal_notices(d), h1m and h3y, against
#      the INSERT ... SELECT ... ON CONFLICT DO NOTHING a DBA would write
#      (the renewal notices and the phase change notices it records too).
#      Targets: under 1.0 s at SCALE=10 with 3 years (scaled: SCALE x 100 ms),
#      3 years / 1 month at most 1.2x.
#   2. renewal_notices_due(d), the same databases (report).
#   3. purge_deprovisioned(d), h3y (10 years of subscriptions) and y1 (1
#      year), against the incremental query (the terms that ended on d - 120
#      and still hold data).  Targets: 10y / 1y at most 1.2x, within 2x of
#      the query.
#   4. As the partner's login (SET ROLE): expiring_subscriptions(30) and
#      por_partner_book.subscription_overview, for a partner with 300
#      tenants and one with 30,000, against the query over the partner's book
#      (created by it, its accepted delegated admins, partner of record of
#      any of their subscriptions) run as superuser.  Target: within 2x.
#   5. EXPLAIN of an operator's subscription_overview filtered on expires_on,
#      and on days_to_expiry: whether the scan of subscription uses an index
#      on expires_on.
#   6. create_customer_subscription, one key a call, pgbench -c 4 -j 2 -M
#      prepared as a partner's login, every rule and the audit trail on,
#      against bench/redeem_setup.sql's plain baseline filled with the same
#      book (bench/scale_plain.sql), rounds alternating.  Target: plain tx/s /
#      rules tx/s at most 1.3x.  A third side, the plain baseline that also
#      writes the audit trail's two rows of a call into audit_change
#      (bench/plain_function.sql, as a second login of the partner),
#      shows what the trail costs on its own: the floor under any ratio to the
#      plain baseline with the trail on.
#   7. Bytes a subscription: pg_total_relation_size(subscription) / rows of
#      the book as loaded, before the other rows write
#      (target at most 200 B) with the indexes one by one; audit bytes a
#      subscription created, the growth of audit_change (heap and indexes, every
#      partition) over the rules side's rounds of row 6 (target at most 400 B).
# A side that fails (the code under test changes) is reported with its error;
# the others go on.  Output: bench/out/scale.md; the plans of the functions'
# statements (auto_explain) in bench/out/scale_plans.txt.
#
#   SCALE          (10)   millions of subscriptions (a whole number); SCALE=1
#                         is the quick run, about 4 minutes
#   BENCH_ROUNDS   (5)    rounds of every row
#   BENCH_SECONDS  (10; 5 at SCALE=1)  length of one pgbench run (row 6)
#   BENCH_CARDS    (enough for the runs) key cards the rules side of row 6 may
#                         redeem, and the two plain sides together
#   BENCH_ROWS     ("1 2 3 4 5 6 7")  which rows to measure
#   BENCH_PLANS    (1)    0: no auto_explain plans
#   BENCH_TIMEOUT  (900)  seconds a measured round may take before it fails
#   BENCH_TENANTS, BENCH_PARTNERS, BENCH_SMALL (300), BENCH_BIG (30000)
#                         smaller books for debugging (the defaults follow SCALE)
set -eu
cd "$(dirname "$0")/.."
. scripts/cluster.sh

SCALE=${SCALE:-10}
case $SCALE in '' | *[!0-9]* | 0) echo "SCALE must be a whole number of millions of subscriptions (1, 10)" >&2; exit 1 ;; esac
ROUNDS=${BENCH_ROUNDS:-5}
if [ "$SCALE" -le 1 ]; then d_seconds=5; else d_seconds=10; fi
SECONDS_PER_RUN=${BENCH_SECONDS:-$d_seconds}
TENANTS=${BENCH_TENANTS:-$((100000 * SCALE))}
PARTNERS=${BENCH_PARTNERS:-$((500 * SCALE))}
SMALL=${BENCH_SMALL:-300}
BIG=${BENCH_BIG:-30000}
CARDS=${BENCH_CARDS:-$((10000 * SECONDS_PER_RUN * (ROUNDS + 1)))}
ROWS=${BENCH_ROWS:-1 2 3 4 5 6 7}
PLANS=${BENCH_PLANS:-1}
TIMEOUT=${BENCH_TIMEOUT:-900}
OTHERS=$((PARTNERS - 3))
REDEEM_PARTNER=$((OTHERS + 3))
if [ "$OTHERS" -lt 1 ] || [ "$TENANTS" -lt $(((SMALL + BIG) * 13 / 10 + OTHERS)) ]; then
	echo "the book is too small: BENCH_TENANTS ($TENANTS) must be at least 1.3 x (BENCH_SMALL + BIG) + the other partners, BENCH_PARTNERS ($PARTNERS) at least 4" >&2
	exit 1
fi
SUBS=$((10 * TENANTS))

OUTDIR=bench/out
mkdir -p "$OUTDIR"
WORK=$(mktemp -d)
chmod 777 "$WORK"
: >"$WORK/failed"   # side<TAB>why
: >"$WORK/notes"    # lines for the report
: >"$WORK/loadtimes" # step<TAB>seconds
has_row() { case " $ROWS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
failed() { awk -F '\t' -v s="$1" '$1 == s { f = 1 } END { exit !f }' "$WORK/failed"; }
why() { awk -F '\t' -v s="$1" '$1 == s { print $2; exit }' "$WORK/failed"; }
fail() { # side why
	failed "$1" || printf '%s\t%s\n' "$1" "$(echo "$2" | tr '\n\t' '  ' | sed 's/  */ /g; s/ $//' | cut -c 1-400)" >>"$WORK/failed"
	echo "$1: FAILED: $2" >&2
}
first_error() { grep -m 1 -E 'ERROR|FATAL|error:|aborted' "$1" || tail -n 1 "$1"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step() { # name start: record how long a load step took
	local s
	s=$(since "$2")
	printf '%s\t%s\n' "$1" "$s" >>"$WORK/loadtimes"
	echo "load: $1: $s s" >&2
}
die_load() { # what log
	echo "the load failed ($1):" >&2
	tail -n 20 "$2" >&2
	exit 1
}
q() { psql -XAtq -v ON_ERROR_STOP=1 "$@"; }

cluster_start "shared_buffers = '4GB'" "maintenance_work_mem = '2GB'" "work_mem = '64MB'" \
	"max_wal_size = '16GB'" "checkpoint_timeout = '30min'" "wal_level = minimal" "max_wal_senders = 0" \
	"autovacuum = off" "jit = off" "max_parallel_workers_per_gather = 0" "max_parallel_maintenance_workers = 1" \
	"track_functions = 'pl'"
DEFAULT_VERSION=$(q -c "SELECT default_version FROM pg_available_extensions WHERE name = 'por_partner'")
DAY=$(q -c "SELECT current_date")
START=$(now)
installed() { [ -f "$1" ] && echo "$(basename "$1") md5 $(md5sum "$1" | cut -c 1-12) of $(date -u -r "$1" '+%Y-%m-%d %H:%M') UTC"; }
installed_now() {
	echo "$(installed "$("$PGBIN/pg_config" --sharedir)/extension/por_partner--$DEFAULT_VERSION.sql"), $(installed "$("$PGBIN/pg_config" --pkglibdir)/por_partner.so")"
}
INSTALLED=$(installed_now)
echo "SCALE=$SCALE: $SUBS subscriptions, $TENANTS tenants, $PARTNERS partners; day $DAY; $INSTALLED" >&2

# --- the load
t=$(now)
for db in book y1; do
	createdb "$db"
	q -d "$db" -c "CREATE EXTENSION por_partner CASCADE" -f bench/scale_lib.sql >"$WORK/create.$db" 2>&1 ||
		die_load "CREATE EXTENSION por_partner CASCADE in $db" "$WORK/create.$db"
done
q <<'SQL'
CREATE ROLE bench_small LOGIN IN ROLE por_partner_partner;
CREATE ROLE bench_big LOGIN IN ROLE por_partner_partner;
CREATE ROLE bench_redeem LOGIN IN ROLE por_partner_partner;
CREATE ROLE bench_audits LOGIN IN ROLE por_partner_partner;
SQL
book_vars=(-v tenants="$TENANTS" -v others="$OTHERS" -v small="$SMALL" -v big="$BIG" -v today="$DAY")
# the ten-year book and the one-year book at once (two cores)
(q -d book "${book_vars[@]}" -v hist=9 -f bench/scale_book.sql >"$WORK/load.book" 2>&1 &&
	echo "ten-year book: $(since "$t") s" >"$WORK/t.book") &
pid_book=$!
(q -d y1 "${book_vars[@]}" -v hist=1 -f bench/scale_book.sql >"$WORK/load.y1" 2>&1 &&
	echo "one-year book: $(since "$t") s" >"$WORK/t.y1") &
pid_y1=$!
wait "$pid_book" || die_load "the ten-year book" "$WORK/load.book"
step "the book: $SUBS subscriptions, indexes built, VACUUM (FREEZE, ANALYZE) (database h1m's and h3y's template)" "$t"
wait "$pid_y1" || die_load "the one-year book" "$WORK/load.y1"
step "the one-year book, database y1, loaded beside it" "$t"
q -d book -c "INSERT INTO por_partner.partner_login (login, partner_id) VALUES ('bench_small', 1), ('bench_big', 2), ('bench_redeem', $REDEEM_PARTNER), ('bench_audits', $REDEEM_PARTNER)"
q -d y1 -c "INSERT INTO por_partner.partner_login (login, partner_id) VALUES ('bench_small', 1), ('bench_big', 2), ('bench_redeem', $REDEEM_PARTNER), ('bench_audits', $REDEEM_PARTNER)"

t=$(now)
q -c CHECKPOINT
for db in h1m h3y; do
	q -c "CREATE DATABASE $db TEMPLATE book STRATEGY FILE_COPY"
done
q -c "DROP DATABASE book"
step "CREATE DATABASE h1m, h3y TEMPLATE book (FILE_COPY)" "$t"

t=$(now)
(q -d h1m -v days=30 -v today="$DAY" -v ON_ERROR_STOP=0 -f bench/scale_history.sql >"$WORK/hist.h1m" 2>&1 &&
	echo "$(since "$t")" >"$WORK/t.h1m") &
pid_h1m=$!
(q -d h3y -v days=1095 -v today="$DAY" -v ON_ERROR_STOP=0 -f bench/scale_history.sql >"$WORK/hist.h3y" 2>&1 &&
	echo "$(since "$t")" >"$WORK/t.h3y" &&
	if has_row 6; then
		t6=$(now)
		if q -d h3y -v cards="$CARDS" -v partner="$REDEEM_PARTNER" -v login=bench_redeem -v audit_login=bench_audits -f bench/scale_plain.sql >"$WORK/plain.h3y" 2>&1; then
			echo "$(since "$t6")" >"$WORK/t.plain"
		else
			echo "FAILED" >"$WORK/t.plain"
		fi
	fi) &
pid_h3y=$!
wait "$pid_h1m" || die_load "the history of h1m" "$WORK/hist.h1m"
wait "$pid_h3y" || die_load "the history of h3y" "$WORK/hist.h3y"
for db in h1m h3y; do
	if grep -q ERROR "$WORK/hist.$db"; then
		echo "- history of $db: $(grep -m 3 ERROR "$WORK/hist.$db" | tr '\n' ' ')" >>"$WORK/notes"
	fi
done
printf '%s\t%s\n' "1 month of history (renewal_notice, change_notice, audit_change), database h1m" "$(cat "$WORK/t.h1m")" >>"$WORK/loadtimes"
printf '%s\t%s\n' "3 years of history, database h3y (beside h1m's)" "$(cat "$WORK/t.h3y")" >>"$WORK/loadtimes"
if has_row 6; then
	if [ "$(cat "$WORK/t.plain" 2>/dev/null || echo FAILED)" = FAILED ]; then
		for s in r6.rules r6.plain r6.audited; do fail "$s" "setup (bench/scale_plain.sql): $(first_error "$WORK/plain.h3y")"; done
	else
		printf '%s\t%s\n' "row 6: key cards, the plain baseline filled with the book (h3y, after its history)" "$(cat "$WORK/t.plain")" >>"$WORK/loadtimes"
	fi
fi
# yesterday's daily job, committed, as on a platform that runs it every day:
# whatever state the functions keep (the purge's mark, audit partitions) is
# as the day before; the ledgers already hold yesterday's notices
t=$(now)
declare -A PID_JOB
for db in h1m h3y y1; do
	if q -d "$db" -c "SELECT 'por_partner.run_daily_job(date)'::regprocedure" >/dev/null 2>&1; then
		JOB="CALL por_partner.run_daily_job(date '$DAY' - 1)"
	else
		JOB="SELECT count(*) FROM por_partner.send_renewal_notices(date '$DAY' - 1); SELECT por_partner.purge_deprovisioned(date '$DAY' - 1)"
	fi
	echo "$JOB" >"$WORK/job.$db"
	(psql -Xq -d "$db" -v ON_ERROR_STOP=1 -c "$JOB" -c "VACUUM ANALYZE" >"$WORK/job.out.$db" 2>&1 ||
		echo "- yesterday's daily job in $db ($JOB) failed: $(first_error "$WORK/job.out.$db")" >>"$WORK/notes") &
	PID_JOB[$db]=$!
done
for db in h1m h3y y1; do wait "${PID_JOB[$db]}" || true; done
step "yesterday's daily job, committed ($(cat "$WORK/job.h3y")), then VACUUM ANALYZE, in h1m, h3y and y1 at once" "$t"
q -c CHECKPOINT
LOAD_SECONDS=$(since "$START")
echo "load: $LOAD_SECONDS s in all" >&2

# --- the book's shape, and the data sizes
{
	q -d h3y -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE expires_on <= date '$DAY' - 120),
		count(*) FILTER (WHERE expires_on <= date '$DAY' - 120 AND licensed_users > 0),
		count(*) FILTER (WHERE expires_on > date '$DAY'), count(*) FILTER (WHERE partner_of_record IS NOT NULL),
		count(*) FILTER (WHERE expires_on = date '$DAY' - 120)
		FROM por_partner.subscription"
} >"$WORK/shape"
read -r n_subs n_deprov n_deprov_data n_active n_por n_day120 <"$WORK/shape"
# the rules the load keeps: licensed_users counts the licenses, terms purged
# hold none (the terms of a tenant's product follow each other by
# construction)
CONSISTENCY=$(q -d h3y -F ' ' -c "SELECT count(*) FILTER (WHERE s.licensed_users <> coalesce(l.n, 0)),
		count(*) FILTER (WHERE s.expires_on < date '$DAY' - 120 AND coalesce(l.n, 0) > 0)
	  FROM por_partner.subscription s
	  LEFT JOIN (SELECT subscription_id, count(*) AS n FROM por_partner.license GROUP BY 1) l USING (subscription_id)" 2>&1) || CONSISTENCY="? ?"
read -r n_bad_count n_bad_purged <<<"$CONSISTENCY"
book_of() { # partner: tenants in its book
	q -d h3y -c "SELECT count(*) FROM (SELECT tenant_id FROM por_partner.tenant WHERE created_by = $1
		UNION SELECT tenant_id FROM por_partner.delegated_admin WHERE partner_id = $1
		UNION SELECT tenant_id FROM por_partner.subscription WHERE partner_of_record = $1) b"
}
BOOK_SMALL=$(book_of 1)
BOOK_BIG=$(book_of 2)
sizes() { # db
	q -d "$1" -F '|' -c "SELECT c.relname, (SELECT count(*) FROM pg_partition_tree(c.oid)) AS parts,
		sum(pg_total_relation_size(p.relid)), sum(pg_table_size(p.relid))
		  FROM pg_class c
		 CROSS JOIN LATERAL (SELECT t.relid FROM pg_partition_tree(c.oid) t UNION SELECT c.oid::regclass) AS p (relid)
		 WHERE c.relnamespace = 'por_partner'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		   AND c.relname IN ('tenant', 'tenant_user', 'subscription', 'license', 'delegated_admin', 'renewal_notice', 'change_notice', 'audit_change', 'key_card')
		 GROUP BY c.oid, c.relname ORDER BY c.relname" | while IFS='|' read -r rel _parts total heap; do
		rows=$(q -d "$1" -c "SELECT count(*) FROM por_partner.$rel")
		echo "$1|$rel|$rows|$total|$heap"
	done
}
for db in h1m h3y y1; do sizes "$db"; done >"$WORK/sizes"
for db in h1m h3y y1; do echo "$db|$(q -c "SELECT pg_database_size('$db')")"; done >"$WORK/dbsizes"

# --- 7. bytes a subscription: of the book as loaded (VACUUM FREEZE, ANALYZE),
# before the rounds of rows 1-5, whose rolled-back writes (the purge's license
# counts, the notices) leave dead row versions in the heap's pages, and before
# row 6 adds any
if has_row 7; then
	q -d h3y -F '|' -c "WITH n AS (SELECT count(*) AS rows FROM por_partner.subscription)
		SELECT 'heap (table, TOAST, free space and visibility maps)', pg_table_size('por_partner.subscription'), n.rows FROM n
		UNION ALL
		SELECT 'index ' || i.indexrelid::regclass::text, pg_relation_size(i.indexrelid), n.rows
		  FROM pg_index i, n WHERE i.indrelid = 'por_partner.subscription'::regclass
		UNION ALL
		SELECT 'all (pg_total_relation_size)', pg_total_relation_size('por_partner.subscription'), n.rows FROM n" \
		>"$WORK/bytes" 2>&1 || fail r7.bytes "$(first_error "$WORK/bytes")"
fi

# --- the measured queries
PARTNER_SMALL=1 PARTNER_BIG=2
# the schedule's longest lead, written into the hand-written queries as a DBA would
HORIZON=$(q -d h3y -c "SELECT max(days_before) FROM por_partner.renewal_notice_schedule")
due_cte() { # the day's candidates, as renewal_notices_due defines them
	cat <<SQL
due AS (
	SELECT s.subscription_id, s.tenant_id, s.expires_on, s.partner_of_record,
	       (SELECT min(r.days_before) FROM por_partner.renewal_notice_schedule r
	         WHERE r.days_before >= s.expires_on - date '$DAY') AS days_before
	  FROM por_partner.subscription s
	 WHERE s.expires_on > date '$DAY' AND s.expires_on <= date '$DAY' + $HORIZON AND s.starts_on <= date '$DAY'),
notice AS (
	SELECT d.subscription_id, d.tenant_id, w.recipient, w.partner_id, d.days_before, d.expires_on
	  FROM due d
	 CROSS JOIN LATERAL (VALUES ('customer'::text, NULL::bigint), ('partner', d.partner_of_record)) AS w (recipient, partner_id)
	 WHERE w.recipient = 'customer' OR w.partner_id IS NOT NULL)
SQL
}
hand_send() {
	cat <<SQL
WITH $(due_cte),
ins AS (
	INSERT INTO por_partner.renewal_notice (subscription_id, tenant_id, expires_on, recipient, partner_id, days_before, sent_on)
	SELECT n.subscription_id, n.tenant_id, n.expires_on, n.recipient, n.partner_id, n.days_before, date '$DAY' FROM notice n
	ON CONFLICT (subscription_id, expires_on, recipient, days_before) DO NOTHING
	RETURNING 1),
phase AS (
	INSERT INTO por_partner.change_notice (subscription_id, tenant_id, partner_id, what, old_value, new_value, expires_on, changed_on)
	SELECT s.subscription_id, s.tenant_id, s.partner_of_record, 'phase', ph.left_phase, ph.phase, s.expires_on, date '$DAY'
	  FROM (VALUES ('expired', 'active', 0), ('disabled', 'expired', 30), ('deprovisioned', 'disabled', 120)) AS ph (phase, left_phase, first_day)
	  JOIN por_partner.subscription s ON s.expires_on <= date '$DAY' - ph.first_day AND s.expires_on > date '$DAY' - ph.first_day - 30
	  JOIN por_partner.partner p ON p.partner_id = s.partner_of_record AND p.cloud_essentials
	 WHERE s.superseded_by IS NULL
	ON CONFLICT (subscription_id, partner_id, expires_on, new_value) WHERE what = 'phase' DO NOTHING
	RETURNING 1)
SELECT (SELECT count(*) FROM ins) + 0 * (SELECT count(*) FROM phase)
SQL
}
hand_due() {
	cat <<SQL
SELECT count(x.*) FROM (
WITH $(due_cte)
SELECT n.* FROM notice n
  LEFT JOIN LATERAL (SELECT true AS sent FROM por_partner.renewal_notice r
                      WHERE r.subscription_id = n.subscription_id AND r.expires_on = n.expires_on
                        AND r.recipient = n.recipient AND r.days_before = n.days_before LIMIT 1) AS r ON true
 WHERE r.sent IS NULL) AS x
SQL
}
hand_purge() {
	cat <<SQL
WITH subs AS (
	SELECT s.subscription_id, s.tenant_id FROM por_partner.subscription s
	 WHERE s.expires_on = date '$DAY' - 120
	   AND (s.licensed_users > 0
	        OR (EXISTS (SELECT 1 FROM por_partner.tenant_user u WHERE u.tenant_id = s.tenant_id)
	            AND NOT EXISTS (SELECT 1 FROM por_partner.subscription o
	                             WHERE o.tenant_id = s.tenant_id AND o.expires_on > date '$DAY' - 120)))),
licenses AS (
	DELETE FROM por_partner.license l USING subs WHERE l.subscription_id = subs.subscription_id RETURNING 1),
users AS (
	DELETE FROM por_partner.tenant_user u
	 WHERE u.tenant_id IN (SELECT subs.tenant_id FROM subs)
	   AND NOT EXISTS (SELECT 1 FROM por_partner.subscription o
	                    WHERE o.tenant_id = u.tenant_id AND o.expires_on > date '$DAY' - 120)
	RETURNING 1)
SELECT (SELECT count(*) FROM subs) + 0 * ((SELECT count(*) FROM licenses) + (SELECT count(*) FROM users))
SQL
}
book_cte() { # partner
	cat <<SQL
book AS (
	SELECT tenant_id FROM por_partner.tenant WHERE created_by = $1
	UNION
	SELECT tenant_id FROM por_partner.delegated_admin WHERE partner_id = $1
	UNION
	SELECT tenant_id FROM por_partner.subscription WHERE partner_of_record = $1)
SQL
}
hand_expiring() { # partner; expiring_subscriptions' window: active today, ending within 30 days
	cat <<SQL
WITH $(book_cte "$1")
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
hand_overview() { # partner
	cat <<SQL
WITH $(book_cte "$1")
SELECT s.subscription_id, s.tenant_id, t.organization_name, t.country_code, s.sku_code, s.seats,
       s.licensed_users, s.billing, s.starts_on, s.expires_on,
       por_partner.subscription_phase(s.expires_on, current_date) AS phase,
       s.expires_on - current_date AS days_to_expiry,
       p.mpn_id AS partner_of_record_mpn_id,
       (SELECT min(s.expires_on - r.days_before) FROM por_partner.renewal_notice_schedule r
         WHERE s.expires_on - r.days_before >= current_date) AS next_notice_on
  FROM book b
  JOIN por_partner.subscription s ON s.tenant_id = b.tenant_id
  JOIN por_partner.tenant t ON t.tenant_id = s.tenant_id
  LEFT JOIN por_partner.partner p ON p.partner_id = s.partner_of_record
SQL
}

# the sides: id db role rollback query-file
SPECS=()
declare -A S_DB S_ROLE S_RB
spec() { # id db role(- for the superuser) rollback(t/f); the query on stdin
	SPECS+=("$1")
	S_DB[$1]=$2
	S_ROLE[$1]=$3
	S_RB[$1]=$4
	cat >"$WORK/q.$1"
}
if has_row 1; then
	for h in 1m 3y; do
		spec "r1.fn.$h" "h$h" - t <<<"SELECT count(*) FROM por_partner.send_renewal_notices(date '$DAY')"
		spec "r1.hand.$h" "h$h" - t < <(hand_send)
	done
fi
if has_row 2; then
	for h in 1m 3y; do
		spec "r2.fn.$h" "h$h" - f <<<"SELECT count(x.*) FROM por_partner.renewal_notices_due(date '$DAY') AS x"
		spec "r2.hand.$h" "h$h" - f < <(hand_due)
	done
fi
if has_row 3; then
	for h in 10y 1y; do
		if [ "$h" = 10y ]; then db=h3y; else db=y1; fi
		spec "r3.fn.$h" "$db" - t <<<"SELECT por_partner.purge_deprovisioned(date '$DAY')"
		spec "r3.hand.$h" "$db" - t < <(hand_purge)
	done
fi
if has_row 4; then
	for who in small big; do
		if [ "$who" = small ]; then id=$PARTNER_SMALL; else id=$PARTNER_BIG; fi
		spec "r4.exp.fn.$who" h3y "bench_$who" f <<<"SELECT count(x.*) FROM por_partner.expiring_subscriptions(30) AS x"
		spec "r4.exp.hand.$who" h3y - f < <(echo "SELECT count(x.*) FROM ("; hand_expiring "$id"; echo ") AS x")
		spec "r4.ov.fn.$who" h3y "bench_$who" f <<<"SELECT count(x.*) FROM por_partner_book.subscription_overview AS x"
		spec "r4.ov.hand.$who" h3y - f < <(echo "SELECT count(x.*) FROM ("; hand_overview "$id"; echo ") AS x")
	done
fi

# one round of a side: bench_time in its database
run_side() { # id round
	local id=$1 role=${S_ROLE[$1]} rc=0
	failed "$id" && return 0
	[ "$role" = - ] && role=
	psql -Xq -d "${S_DB[$id]}" -v ON_ERROR_STOP=1 -v side="$id" -v round="$2" -v role="$role" \
		-v rb="${S_RB[$id]}" -v q="$(cat "$WORK/q.$id")" >"$WORK/out" 2>&1 <<SQL || rc=$?
SET statement_timeout = '${TIMEOUT}s';
CALL public.bench_time(:'side', :round, NULLIF(:'role', ''), :'q', :'rb'::boolean, 500, 200);
SQL
	if [ "$rc" -ne 0 ]; then
		fail "$id" "round $2: $(first_error "$WORK/out")"
	fi
}

# what each side answers, once before the rounds
: >"$WORK/checks" # key value
check() { # key db role sql
	local out
	if out=$(psql -XAtq -d "$2" -v ON_ERROR_STOP=1 2>&1 <<SQL
$( [ "$3" != - ] && echo "SET ROLE $3;")
$4
SQL
	); then
		echo "$1 $(echo "$out" | tail -n 1 | tr '|' ' ')" >>"$WORK/checks"
	else
		echo "$1 ERROR $(echo "$out" | grep -m 1 ERROR)" >>"$WORK/checks"
	fi
}
T_MEASURE=$(now)
if has_row 3; then
	# the rows each purge deletes: licenses and users left, in a transaction rolled back
	for h in 10y 1y; do
		if [ "$h" = 10y ]; then db=h3y; else db=y1; fi
		for s in fn hand; do
			check "r3.$s.$h" "$db" - "BEGIN;
$(cat "$WORK/q.r3.$s.$h");
SELECT (SELECT count(*) FROM por_partner.license), (SELECT count(*) FROM por_partner.tenant_user);
ROLLBACK;"
		done
		check "r3.before.$h" "$db" - "SELECT (SELECT count(*) FROM por_partner.license), (SELECT count(*) FROM por_partner.tenant_user)"
	done
fi
if has_row 4; then
	for who in small big; do
		if [ "$who" = small ]; then id=$PARTNER_SMALL; else id=$PARTNER_BIG; fi
		agg="count(*), md5(coalesce(string_agg(subscription_id::text, ',' ORDER BY subscription_id), ''))"
		check "r4.exp.fn.$who" h3y "bench_$who" "SELECT $agg FROM por_partner.expiring_subscriptions(30)"
		check "r4.exp.hand.$who" h3y - "SELECT $agg FROM ($(hand_expiring "$id")) q"
		check "r4.ov.fn.$who" h3y "bench_$who" "SELECT $agg FROM por_partner_book.subscription_overview"
		check "r4.ov.hand.$who" h3y - "SELECT $agg FROM ($(hand_overview "$id")) q"
	done
fi

# warm-up (one round, not counted), then the rounds, every other one reversed
for id in "${SPECS[@]}"; do run_side "$id" 0; done
for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then order=("${SPECS[@]}"); else order=(); for ((i = ${#SPECS[@]} - 1; i >= 0; i--)); do order+=("${SPECS[$i]}"); done; fi
	for id in "${order[@]}"; do run_side "$id" "$r"; done
	echo "round $r of $ROUNDS done ($(since "$T_MEASURE") s)" >&2
done
for db in h1m h3y y1; do
	q -d "$db" -F ' ' -c "SELECT side, round, coalesce(ms::text, '-'), reps, ok, coalesce(result, '-'), coalesce(replace(err, ' ', '_'), '-') FROM public.bench_timings"
done >"$WORK/timings"
# a side that failed in some round: its error
awk '$5 == "f" { print $1 "\t" $7 }' "$WORK/timings" | sort -u -k1,1 | while IFS=$'\t' read -r s e; do fail "$s" "$(echo "$e" | tr '_' ' ')"; done

# --- 5. the plans of an operator's subscription_overview
if has_row 5; then
	for w in expires days; do
		if [ "$w" = expires ]; then cond="expires_on BETWEEN current_date AND current_date + 30"; else cond="days_to_expiry BETWEEN 0 AND 30"; fi
		if ! q -d h3y -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT * FROM por_partner.subscription_overview WHERE $cond" \
			>"$WORK/plan.$w" 2>&1; then
			fail "r5.$w" "$(first_error "$WORK/plan.$w")"
		fi
		echo "$cond" >"$WORK/cond.$w"
	done
fi

audit_size() { # heap and indexes of audit_change, and of its partitions if it has any
	q -d h3y -c "SELECT sum(pg_total_relation_size(r)) FROM (SELECT relid FROM pg_partition_tree('por_partner.audit_change')
		UNION SELECT 'por_partner.audit_change'::regclass) AS t (r)"
}
# the rules side's audit rows (the audited baseline's are by bench_audits)
audit_rows() { q -d h3y -c "SELECT count(*) FILTER (WHERE actor = 'bench_redeem') FROM por_partner.audit_change"; }
created() { q -d h3y -c "SELECT count(*) FROM por_partner.tenant WHERE created_by = $REDEEM_PARTNER"; }

# --- plans of the functions' statements (auto_explain), before row 6 writes
if [ "$PLANS" = 1 ]; then
	explain() { # title db role sql
		{
			echo "=== $1 ($2$( [ "$3" != - ] && echo ", as $3"))"
			(psql -Xq -d "$2" 2>&1 <<SQL
SET statement_timeout = '${TIMEOUT}s';
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
$( [ "$3" != - ] && echo "SET ROLE $3;")
BEGIN;
\\o /dev/null
$4;
\\o
ROLLBACK;
SQL
			) | awk '# leave out the checks of the foreign keys
				function flush() { if (block != "" && block !~ /FOR KEY SHARE OF x/ && ms >= 0.5) printf "%s", block; block = "" }
				/^NOTICE:  duration/ { flush(); ms = $3 + 0 }
				{ block = block $0 "\n" }
				END { flush() }'
			echo
		} >>"$OUTDIR/scale_plans.txt"
	}
	{
		echo "Plans of the statements the functions run (auto_explain, log_analyze, log_nested_statements), bench/scale.sh, SCALE=$SCALE, $(date -u +%Y-%m-%d)"
		echo "Each call in a transaction rolled back."
		echo
	} >"$OUTDIR/scale_plans.txt"
	explain "send_renewal_notices(d), 3 years of history" h3y - "SELECT count(*) FROM por_partner.send_renewal_notices(date '$DAY')"
	explain "renewal_notices_due(d), 3 years of history" h3y - "SELECT count(*) FROM por_partner.renewal_notices_due(date '$DAY')"
	explain "purge_deprovisioned(d), 10 years of subscriptions" h3y - "SELECT por_partner.purge_deprovisioned(date '$DAY')"
	explain "purge_deprovisioned(d), 1 year of subscriptions" y1 - "SELECT por_partner.purge_deprovisioned(date '$DAY')"
	explain "the hand-written purge, 10 years of subscriptions" h3y - "$(hand_purge)"
	for who in small big; do
		explain "expiring_subscriptions(30), partner $who" h3y "bench_$who" "SELECT * FROM por_partner.expiring_subscriptions(30)"
		explain "por_partner_book.subscription_overview, partner $who" h3y "bench_$who" "SELECT * FROM por_partner_book.subscription_overview"
		explain "renewal_notices_due(d), partner $who" h3y "bench_$who" "SELECT count(*) FROM por_partner.renewal_notices_due(date '$DAY')"
	done
	explain "the hand-written subscription_overview, partner big" h3y - "$(hand_overview $PARTNER_BIG)"
	if has_row 6 && ! failed r6.rules; then
		explain "create_customer_subscription, one key (the last of the queue)" h3y bench_redeem "SELECT por_partner.create_customer_subscription(q.partner_id, ARRAY[q.product_key],
           'Bench plan', 'DE', 'Admin', 'Person', 'admin@bench.example')
  FROM public.queue_rules q WHERE q.id = (SELECT max(id) FROM public.queue_rules)"
	fi
fi

# --- 6. create_customer_subscription as a partner's login, against the plain baseline
cat >"$WORK/rules.sql" <<'SQL'
WITH n AS (SELECT nextval('public.next_rules') AS id)
SELECT por_partner.create_customer_subscription(q.partner_id, ARRAY[q.product_key],
           'Bench ' || q.id, 'DE', 'Admin', 'Person', 'admin@bench.example')
  FROM n JOIN public.queue_rules q USING (id);
SQL
# the plain baseline, and the same with the audit trail's rows, as another
# login of the partner (its audit rows are told apart by their actor); both
# take their keys from the plain side's queue
for side in plain audited; do
	fn=create_customer_subscription
	[ "$side" = audited ] && fn=create_customer_subscription_audited
	cat >"$WORK/$side.sql" <<SQL
WITH n AS (SELECT nextval('public.next_plain') AS id)
SELECT plain.$fn(q.partner_id, q.product_key,
           'Bench ' || q.id, 'DE', 'Admin', 'Person', 'admin@bench.example')
  FROM n JOIN public.queue_plain q USING (id);
SQL
done
: >"$WORK/pgbench"
: >"$WORK/audit_growth"
pgb() { # side round seconds
	local side=r6.$1 rc=0 tps lat login=bench_redeem a0=
	failed "$side" && return 0
	[ "$1" = audited ] && login=bench_audits
	# the audit trail's growth, over the rules side's rounds only
	[ "$1" = rules ] && [ "$2" != 0 ] && a0=$(audit_size)
	"$PGBIN/pgbench" -n -c 4 -j 2 -T "$3" -M prepared -U "$login" -f "$WORK/$1.sql" h3y >"$WORK/pgb.out" 2>&1 || rc=$?
	[ -n "$a0" ] && echo $(($(audit_size) - a0)) >>"$WORK/audit_growth"
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgb.out" | head -n 1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$WORK/pgb.out")
	if [ "$rc" -ne 0 ] || [ -z "$tps" ] || grep -q 'aborted' "$WORK/pgb.out"; then
		fail "$side" "round $2: $(first_error "$WORK/pgb.out")"
		return 0
	fi
	[ "$2" = 0 ] && return 0
	echo "$side $2 $tps ${lat:--}" >>"$WORK/pgbench"
	echo "round $2 $side: $tps tx/s, average latency ${lat:-?} ms" >&2
}
if has_row 6; then
	q -d h3y -c "VACUUM ANALYZE por_partner.tenant, por_partner.subscription, por_partner.key_card" >/dev/null 2>&1 || true
	for s in rules plain audited; do pgb "$s" 0 1; done
	# what the rules side's calls spend their time in (track_functions = pl),
	# from here on; the plain side's function is SQL, not counted
	q -d h3y -c "SELECT pg_stat_reset()" >/dev/null
	AUDIT_ROWS0=$(audit_rows) CREATED0=$(created)
	for r in $(seq 1 "$ROUNDS"); do
		case $((r % 3)) in
		1) sides="rules plain audited" ;;
		2) sides="plain audited rules" ;;
		*) sides="audited rules plain" ;;
		esac
		for s in $sides; do pgb "$s" "$r" "$SECONDS_PER_RUN"; done
	done
	AUDIT_ROWS1=$(audit_rows) CREATED1=$(created)
	AUDIT_GROWTH=$(awk '{ s += $1 } END { printf "%d", s }' "$WORK/audit_growth")
	sleep 1
	q -d h3y -F '|' -c "SELECT f.schemaname || '.' || f.funcname, f.calls, round(f.total_time::numeric, 1), round(f.self_time::numeric, 1)
		  FROM pg_stat_user_functions f ORDER BY f.self_time DESC LIMIT 15" >"$WORK/functions" 2>&1 || : >"$WORK/functions"
	for s in rules plain audited; do
		failed "r6.$s" && continue
		qs=$s
		[ "$s" = audited ] && qs=plain
		left=$(q -d h3y -c "SELECT (SELECT count(*) FROM public.queue_$qs) - last_value FROM public.next_$qs") || left=
		[ "${left:-0}" -gt 0 ] || fail "r6.$s" "the keys ran out: raise BENCH_CARDS"
	done
fi
TOTAL_SECONDS=$(since "$START")

# --- the report
med() { # side: the median ms of its rounds, or -
	awk -v s="$1" '$1 == s && $2 > 0 && $5 == "t" { print $3 }' "$WORK/timings" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.2f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
result() { awk -v s="$1" '$1 == s && $5 == "t" { r = $6 } END { print (r == "") ? "-" : r }' "$WORK/timings"; }
reps() { awk -v s="$1" '$1 == s && $2 > 0 && $5 == "t" { n += $4; k++ } END { if (k) printf "%d", n / k; else print "-" }' "$WORK/timings"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'; }
verdict() { # value op target sides...
	local v=$1 op=$2 t=$3 s
	shift 3
	for s in "$@"; do failed "$s" && v=-; done
	awk -v v="$v" -v op="$op" -v t="$t" 'BEGIN { if (v == "-") print "n/a (failed)";
		else if ((op == "<=" && v + 0 <= t) || (op == "<" && v + 0 < t)) print "PASS"; else print "MISS" }'
}
cell() { # side: its median, or FAILED
	if failed "$1"; then echo "FAILED"; else echo "$(med "$1") ms"; fi
}
x() { [ "$1" = - ] && echo - || echo "${1}x"; }
checkval() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; f = 1 } END { if (!f) print "-" }' "$WORK/checks"; }
same_rows() { # fn-key hand-key
	local a b
	a=$(checkval "$1") b=$(checkval "$2")
	case "$a $b" in *ERROR* | *-*) echo "-"; return ;; esac
	if [ "${a#* }" = "${b#* }" ]; then echo "same ${a%% *} rows"; else echo "function ${a%% *} rows, hand-written ${b%% *}: DIFFERENT rows"; fi
}
fmt_mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
T1=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 100 * s }')
label() { case $1 in 1m) echo "1 month" ;; 3y) echo "3 years" ;; 10y) echo "10 years" ;; 1y) echo "1 year" ;; *) echo "$1" ;; esac; }
{
	echo "# The extension at scale (bench/scale.sh)"
	echo
	echo "PostgreSQL $(q -c 'SHOW server_version'), $(nproc) cores, load average $(cut -d ' ' -f 1-3 /proc/loadavg), $(date -u +%Y-%m-%d); SCALE=$SCALE; the book as of $DAY."
	echo "Installed: $INSTALLED."
	if [ "$(installed_now | sed 's/ of [0-9-]* [0-9:]* UTC//g')" != "$(echo "$INSTALLED" | sed 's/ of [0-9-]* [0-9:]* UTC//g')" ]; then
		echo
		echo "**The extension was installed again during the run** (now: $(installed_now)): the databases keep the objects they were created with, but sessions started after that load the new por_partner.so."
	elif [ "$(installed_now)" != "$INSTALLED" ]; then
		echo "(The same files were installed again during the run: $(installed_now).)"
	fi
	echo "Before the rounds, yesterday's daily job ran in every database, committed: \`$(cat "$WORK/job.h3y" 2>/dev/null)\`."
	echo "Cluster: shared_buffers 4GB, maintenance_work_mem 2GB, work_mem 64MB, jit off, no parallel query, autovacuum off (VACUUM ANALYZE after the load), fsync off."
	echo "Medians of $ROUNDS rounds interleaving the sides and databases (after a warm-up round); a round is the median of the runs half a second holds (at least one; the mean number of runs in brackets). Rows 1 and 3 roll back every run; the reads are timed as SELECT count(x.*) FROM (query) AS x (every column computed, no row sent to the client). Load ${LOAD_SECONDS} s, all ${TOTAL_SECONDS} s."
	echo
	echo "## Results"
	echo
	echo "| # | measured | function | hand-written | function / hand-written | target | verdict |"
	echo "|---|---|---|---|---|---|---|"
	if has_row 1; then
		for h in 1m 3y; do
			f=$(med "r1.fn.$h") hnd=$(med "r1.hand.$h")
			if [ "$h" = 3y ]; then tgt="function under $T1 ms (1.0 s at SCALE=10, scaled)"; v=$(verdict "$f" '<' "$T1" "r1.fn.$h"); else tgt="report"; v=; fi
			echo "| 1 | send_renewal_notices(d), $(result "r1.fn.$h") notices; $(label "$h") of history [$(reps "r1.fn.$h") / $(reps "r1.hand.$h")] | $(cell "r1.fn.$h") | $(cell "r1.hand.$h") | $(x "$(ratio "$f" "$hnd")") | $tgt | $v |"
		done
		rf=$(ratio "$(med r1.fn.3y)" "$(med r1.fn.1m)") rh=$(ratio "$(med r1.hand.3y)" "$(med r1.hand.1m)")
		echo "| 1 | send_renewal_notices(d): 3 years / 1 month | $(x "$rf") | $(x "$rh") | | function at most 1.2x | $(verdict "$rf" '<=' 1.2 r1.fn.3y r1.fn.1m) |"
	fi
	if has_row 2; then
		for h in 1m 3y; do
			f=$(med "r2.fn.$h") hnd=$(med "r2.hand.$h")
			echo "| 2 | renewal_notices_due(d), $(result "r2.fn.$h") rows; $(label "$h") of history [$(reps "r2.fn.$h") / $(reps "r2.hand.$h")] | $(cell "r2.fn.$h") | $(cell "r2.hand.$h") | $(x "$(ratio "$f" "$hnd")") | report | |"
		done
		rf=$(ratio "$(med r2.fn.3y)" "$(med r2.fn.1m)") rh=$(ratio "$(med r2.hand.3y)" "$(med r2.hand.1m)")
		echo "| 2 | renewal_notices_due(d): 3 years / 1 month | $(x "$rf") | $(x "$rh") | | report | |"
	fi
	if has_row 3; then
		for h in 10y 1y; do
			f=$(med "r3.fn.$h") hnd=$(med "r3.hand.$h")
			r=$(ratio "$f" "$hnd")
			echo "| 3 | purge_deprovisioned(d), $(label "$h") of subscriptions; returns $(result "r3.fn.$h"), hand-written $(result "r3.hand.$h") [$(reps "r3.fn.$h") / $(reps "r3.hand.$h")] | $(cell "r3.fn.$h") | $(cell "r3.hand.$h") | $(x "$r") | within 2x | $(verdict "$r" '<=' 2.0 "r3.fn.$h" "r3.hand.$h") |"
		done
		rf=$(ratio "$(med r3.fn.10y)" "$(med r3.fn.1y)") rh=$(ratio "$(med r3.hand.10y)" "$(med r3.hand.1y)")
		echo "| 3 | purge_deprovisioned(d): 10 years / 1 year | $(x "$rf") | $(x "$rh") | | function at most 1.2x | $(verdict "$rf" '<=' 1.2 r3.fn.10y r3.fn.1y) |"
	fi
	if has_row 4; then
		for what in exp ov; do
			for who in small big; do
				if [ "$who" = small ]; then b=$BOOK_SMALL; else b=$BOOK_BIG; fi
				if [ "$what" = exp ]; then name="expiring_subscriptions(30)"; else name="por_partner_book.subscription_overview"; fi
				f=$(med "r4.$what.fn.$who") hnd=$(med "r4.$what.hand.$who")
				r=$(ratio "$f" "$hnd")
				echo "| 4 | $name as the login of the $who partner ($b tenants in its book): $(same_rows "r4.$what.fn.$who" "r4.$what.hand.$who") [$(reps "r4.$what.fn.$who") / $(reps "r4.$what.hand.$who")] | $(cell "r4.$what.fn.$who") | $(cell "r4.$what.hand.$who") | $(x "$r") | within 2x | $(verdict "$r" '<=' 2.0 "r4.$what.fn.$who" "r4.$what.hand.$who") |"
			done
		done
	fi
	if has_row 5; then
		for w in expires days; do
			if failed "r5.$w"; then
				echo "| 5 | EXPLAIN subscription_overview WHERE $(cat "$WORK/cond.$w") | FAILED | | | an index on expires_on | n/a (failed) |"
				continue
			fi
			scan=$(grep -E 'Seq Scan on subscription|Index (Only )?Scan using [a-z_]+ on subscription|Bitmap Index Scan on subscription' "$WORK/plan.$w" | head -n 1 | sed 's/^ *//; s/^-> *//')
			ms=$(sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p' "$WORK/plan.$w")
			# the indexable way the columns' comments and the README give is a
			# filter on expires_on; days_to_expiry is computed (reported)
			if [ "$w" = expires ]; then
				if grep -qE 'Index Cond: .*expires_on' "$WORK/plan.$w"; then v=PASS; else v=MISS; fi
				doc=" (the documented indexable way)"; target="the scan of subscription uses an index on expires_on"
			else
				v=report; doc=" (computed: a scan, as its comment says)"; target="report"
			fi
			echo "| 5 | EXPLAIN subscription_overview WHERE $(cat "$WORK/cond.$w")$doc | ${scan:-?}; ${ms:-?} ms (EXPLAIN ANALYZE) | | | $target | $v |"
		done
	fi
	if has_row 6; then
		rules=$(awk '$1 == "r6.rules" { print $3 }' "$WORK/pgbench" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.1f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
		plain=$(awk '$1 == "r6.plain" { print $3 }' "$WORK/pgbench" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.1f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
		audited=$(awk '$1 == "r6.audited" { print $3 }' "$WORK/pgbench" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.1f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
		r=$(ratio "$plain" "$rules")
		rc=$(failed r6.rules && echo FAILED || echo "$rules tx/s")
		pc=$(failed r6.plain && echo FAILED || echo "$plain tx/s")
		ac=$(failed r6.audited && echo FAILED || echo "$audited tx/s")
		echo "| 6 | create_customer_subscription, one key a call, pgbench -c 4 -j 2 -T $SECONDS_PER_RUN -M prepared as a partner's login (h3y); plain: bench/redeem_setup.sql's baseline over the same book | $rc | $pc | $(x "$r") (plain / rules tx/s) | at most 1.3x | $(verdict "$r" '<=' 1.3 r6.rules r6.plain) |"
		echo "| 6 | the floor: the plain baseline that also writes the audit trail's two rows a call (bench/plain_function.sql), against the plain baseline | $ac | $pc | $(x "$(ratio "$plain" "$audited")") (plain / audited tx/s) | what the trail alone costs | |"
		echo "| 6 | create_customer_subscription against that audited baseline | $rc | $ac | $(x "$(ratio "$audited" "$rules")") (audited / rules tx/s) | | |"
	fi
	if has_row 7; then
		if failed r7.bytes; then
			echo "| 7 | bytes a subscription | FAILED | | | at most 200 B | n/a (failed) |"
		else
			all=$(awk -F '|' '$1 ~ /^all/ { printf "%.0f", $2 / $3 }' "$WORK/bytes")
			echo "| 7 | bytes a subscription: pg_total_relation_size(subscription) / rows, heap and indexes, the book as loaded ($n_subs rows) | $all B | | | at most 200 B | $(verdict "$all" '<=' 200 r7.bytes) |"
		fi
		if has_row 6 && ! failed r6.rules; then
			n=$((CREATED1 - CREATED0))
			ab=$(awk -v g="$AUDIT_GROWTH" -v n="$n" 'BEGIN { if (n > 0) printf "%.0f", g / n; else print "-" }')
			ar=$(awk -v a="$AUDIT_ROWS0" -v b="$AUDIT_ROWS1" -v n="$n" 'BEGIN { if (n > 0) printf "%.2f", (b - a) / n; else print "-" }')
			echo "| 7 | audit bytes a subscription created: growth of audit_change (heap and indexes, every partition) over the rules side's $n calls of row 6, $ar audit rows a call | $ab B | | | at most 400 B | $(verdict "$ab" '<=' 400 r6.rules) |"
		else
			echo "| 7 | audit bytes a subscription created | (row 6 did not run) | | | at most 400 B | n/a |"
		fi
	fi
	echo
	echo "Rounds in brackets: the mean number of runs in a round, function / hand-written."
	if has_row 1; then
		echo "Row 1, the hand-written side: the renewal notices by INSERT ... SELECT ... ON CONFLICT DO NOTHING on the ledger's unique key, and the day's phase change notices likewise (send_renewal_notices records both); it counts $(result r1.hand.1m) (1 month) and $(result r1.hand.3y) (3 years) notices, the function $(result r1.fn.1m) and $(result r1.fn.3y). No locks taken."
	fi
	if has_row 3; then
		echo "Row 3: licenses and users left after each purge (rolled back), before: 10 years $(checkval r3.before.10y), 1 year $(checkval r3.before.1y); after the function: $(checkval r3.fn.10y) / $(checkval r3.fn.1y); after the hand-written query: $(checkval r3.hand.10y) / $(checkval r3.hand.1y) (the two return counts of their own)."
	fi
	if has_row 4; then
		echo "Row 4: the hand-written queries return every subscription of the partner's book; expiring_subscriptions() returns, by its definition, those it is partner of record of and those of customers it set up that have none."
	fi
	echo
	echo "## The book"
	echo
	echo "$n_subs subscriptions (h3y; y1: $(awk -F '|' '$1 == "y1" && $2 == "subscription" { print $3 }' "$WORK/sizes")), $TENANTS tenants, $PARTNERS partners: $n_active active on $DAY, $n_deprov deprovisioned (terms that ended 120 days ago or more) of which $n_deprov_data still hold data ($n_day120 ended on d - 120 = $(q -c "SELECT date '$DAY' - 120"), deprovisioned today, not yet purged); $n_por with a partner of record."
	echo "Measured partners: partner 1 set up $SMALL tenants ($BOOK_SMALL in its book), partner 2 $BIG ($BOOK_BIG). Each tenant has 10 subscriptions in h1m and h3y (ten years of terms); y1, the one-year book of row 3, is a smaller database loaded on its own, with the same tenants, users and licenses and 2 subscriptions a tenant."
	echo "Consistency (h3y): $n_bad_count subscriptions whose licensed_users is not their number of licenses, $n_bad_purged terms purged (ended before d - 120) that still hold licenses (0 and 0 expected)."
	echo
	echo "| database | table | rows | total MB | heap MB |"
	echo "|---|---|---|---|---|"
	while IFS='|' read -r db rel rows total heap; do
		echo "| $db | $rel | $rows | $(fmt_mb "$total") | $(fmt_mb "$heap") |"
	done <"$WORK/sizes"
	while IFS='|' read -r db size; do
		echo "| $db | (database) | | $(fmt_mb "$size") | |"
	done <"$WORK/dbsizes"
	echo
	echo "## Load times"
	echo
	echo "| step | seconds |"
	echo "|---|---|"
	while IFS=$'\t' read -r s secs; do echo "| $s | $secs |"; done <"$WORK/loadtimes"
	echo "| all of the load | $LOAD_SECONDS |"
	if has_row 7 && ! failed r7.bytes; then
		echo
		echo "## Row 7: the bytes of a subscription"
		echo
		echo "| part | MB | bytes a subscription |"
		echo "|---|---|---|"
		awk -F '|' '{ printf "| %s | %.1f | %.1f |\n", $1, $2 / 1048576, $2 / $3 }' "$WORK/bytes"
		if has_row 6 && ! failed r6.rules; then
			echo
			echo "audit_change: $((AUDIT_ROWS1 - AUDIT_ROWS0)) rows of the rules side over row 6's rounds, $(fmt_mb "$AUDIT_GROWTH") MB of growth during its rounds (heap and indexes, every partition), for $((CREATED1 - CREATED0)) subscriptions created."
		fi
	fi
	if has_row 5; then
		for w in expires days; do
			[ -f "$WORK/plan.$w" ] || continue
			echo
			echo "## Row 5: EXPLAIN ANALYZE SELECT * FROM por_partner.subscription_overview WHERE $(cat "$WORK/cond.$w")"
			echo
			echo '```'
			cat "$WORK/plan.$w"
			echo '```'
		done
	fi
	if has_row 6 && [ -s "$WORK/pgbench" ]; then
		echo
		echo "## Row 6: the rounds"
		echo
		echo "| side | round | tx/s | average latency ms |"
		echo "|---|---|---|---|"
		awk '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$WORK/pgbench"
		if [ -s "$WORK/functions" ] && ! failed r6.rules; then
			n=$((CREATED1 - CREATED0))
			echo
			echo "Where the rules side's calls spend their time: the PL/pgSQL functions by time spent in each itself (track_functions = pl, over the rounds of all sides; the plain sides' functions are SQL and not counted), $n subscriptions created."
			echo
			echo "| function | calls | calls a subscription | total ms | self ms | self µs a subscription |"
			echo "|---|---|---|---|---|---|"
			awk -F '|' -v n="$n" '{ printf "| %s | %s | %.2f | %s | %s | %.1f |\n", $1, $2, (n ? $2 / n : 0), $3, $4, (n ? 1000 * $4 / n : 0) }' "$WORK/functions"
			echo
			echo "Mean latency a call, rules side: $(awk '$1 == "r6.rules" { s += $4; k++ } END { if (k) printf "%.3f", s / k }' "$WORK/pgbench") ms (4 clients on 2 cores)."
		fi
	fi
	if [ -s "$WORK/notes" ] || [ -s "$WORK/failed" ]; then
		echo
		echo "## Failures and notes"
		echo
		sed 's/^/- /; s/\t/: /' "$WORK/failed"
		cat "$WORK/notes"
	fi
	[ "$PLANS" = 1 ] && { echo; echo "The plans of the functions' statements: bench/out/scale_plans.txt."; }
} | tee "$OUTDIR/scale.md"
rm -rf "$WORK"
