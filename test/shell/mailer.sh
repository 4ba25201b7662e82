#!/usr/bin/env bash
# The reference mailer (examples/mailer/mailer.py) end to end, against a local
# SMTP sink (lib/smtp_sink.py, Debian's python3-aiosmtpd), in a throwaway
# cluster of its own (issue 14; rules R1, P3, P4).
#
# A book of 60 customers (lib/mailer_book.sql) gets its notices from the
# daily job (CALL por_partner.run_daily_job(), as an operator's login): 100
# renewal and change notices.  Then, with the mailer logged in as another
# operator's login:
#   1. a mailer killed (SIGKILL) while the SMTP server holds its 11th message
#      unanswered has marked exactly the 10 the server accepted; restarted, it
#      mails the rest: every notice once, none twice;
#   2. a message the SMTP server refuses (550 for one customer's address) is
#      left undelivered with the error recorded, and mailed when it is retried
#      once the server takes it;
#   3. a notification wakes a running mailer (a change notice is mailed at
#      once, with a poll of 60 s); a forged one (NOTIFY from a login with no
#      por_partner role) mails nothing and changes nothing; a notice recorded
#      without a notification is mailed by the poll; SIGTERM stops the mailer;
#   4. two mailers at once, against a second database with the same book and
#      a slow SMTP server, mail each notice once between them, both taking part.
# Each mail's Message-ID is derived from the notice's key in the ledger, so
# "once" is counted by Message-ID, against the notices of the database.
#
# Prints TAP; exits non-zero when a test fails.  Removes what it creates.
# shellcheck disable=SC2016 # the conditions wait_for takes are evaluated each time it tries
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$REPO/scripts/cluster.sh"
BIN=$PGBIN
. "$HERE/lib/tap.sh"
PYTHON=${PYTHON:-/usr/bin/python3}	# Debian's, with python3-psycopg and python3-aiosmtpd
MAILER=$REPO/examples/mailer/mailer.py
TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_mailer.XXXXXX")
chmod 755 "$TMP"
CUSTOMERS=60
FROM=notices@northwind.example

cleanup() {	# the sinks and mailers still running are this shell's own jobs
	local p
	for p in $(jobs -p); do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	cluster_stop
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}

q() {	# db sql: the rows, unaligned
	"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
wait_for() {	# seconds condition: until the shell condition holds (tried each tenth of a second)
	local n=$(($1 * 10))
	while [ "$n" -gt 0 ]; do
		eval "$2" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
SINK_PORT=
sink_start() {	# dir: an SMTP sink storing into dir, in the background; SINK_PORT
	local sink=$1
	mkdir -p "$sink"
	"$PYTHON" "$HERE/lib/smtp_sink.py" "$sink" >"$sink/sink.log" 2>&1 &
	wait_for 10 '[ -s "$sink/port" ]' || return 1
	SINK_PORT=$(cat "$sink/port")
}
mails() {	# dir: how many messages it stored
	find "$1/mail" -name '*.eml' | wc -l
}
message_ids() {	# dir: the Message-IDs of its messages, one a line, sorted
	"$PYTHON" - "$1/mail" <<-'EOF'
	import email, email.policy, os, sys
	d = sys.argv[1]
	for f in sorted(os.listdir(d)):
	    with open(os.path.join(d, f), "rb") as fh:
	        print(str(email.message_from_binary_file(fh, policy=email.policy.default)["Message-ID"]).strip())
	EOF
}
expected_ids() {	# db [condition]: the Message-IDs of its notices (delivered ones with "delivered")
	q "$1" "SELECT '<por_partner.' || CASE WHEN d.renewal_notice_id IS NOT NULL
	                                     THEN por_partner_internal.notice_message_key(r)
	                                     ELSE por_partner_internal.notice_message_key(c) END || '@northwind.example>'
	          FROM por_partner.notice_delivery d
	          LEFT JOIN por_partner.renewal_notice r ON r.notice_id = d.renewal_notice_id
	          LEFT JOIN por_partner.change_notice c ON c.notice_id = d.change_notice_id
	         WHERE ${2:-true} ORDER BY 1"
}
mailer() {	# db log args...: the mailer in the background as the operator's login; MAILER_PID
	local db=$1 log=$2
	shift 2
	"$PYTHON" "$MAILER" --dsn "host=$PGHOST port=$PGPORT dbname=$db user=por_partner_test_mailer" \
		--from "$FROM" "$@" >"$log" 2>&1 &
	MAILER_PID=$!
}
book() {	# db: the book, and the daily job's notices (as the operator's login por_partner_test_job)
	"$BIN/createdb" "$1" &&
		"$BIN/psql" -X -q -d "$1" -v customers=$CUSTOMERS -f "$HERE/lib/mailer_book.sql" >"$TMP/book-$1.log" 2>&1 &&
		"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$1" -U por_partner_test_job -c 'CALL por_partner.run_daily_job()' \
			>>"$TMP/book-$1.log" 2>&1
}
as_job() {	# db sql: as the daily job's login, an operator's
	"$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -U por_partner_test_job -c "$2"
}

"$PYTHON" -c 'import psycopg, aiosmtpd' 2>"$TMP/import.err"
rc=$?
ok $rc "$PYTHON has psycopg and aiosmtpd (Debian's python3-psycopg, python3-aiosmtpd; scripts/deps.sh)"
diag <"$TMP/import.err"
[ "$rc" -eq 0 ] || { rm -rf "$TMP"; finish; }

cluster_start >"$TMP/cluster.log" 2>&1
rc=$?
trap cleanup EXIT
ok $rc "a throwaway cluster"
[ "$rc" -eq 0 ] || { diag <"$TMP/cluster.log"; finish; }
# the extension's group roles, then two operators' logins (the daily job's,
# the mailer's) and one with no por_partner role
q postgres "SET client_min_messages = warning; CREATE EXTENSION por_partner CASCADE;
            CREATE ROLE por_partner_test_job LOGIN IN ROLE por_partner_operator;
            CREATE ROLE por_partner_test_mailer LOGIN IN ROLE por_partner_operator;
            CREATE ROLE por_partner_test_nobody LOGIN" >/dev/null 2>"$TMP/roles.err"
book mail_one 2>>"$TMP/roles.err"
TOTAL=$(q mail_one "SELECT count(*) FROM por_partner.undelivered_notices" 2>>"$TMP/roles.err")
[ "${TOTAL:-0}" -ge 90 ] && [ "$(q mail_one "SELECT count(*) FROM por_partner.notice_delivery")" = "$TOTAL" ]
ok $? "$CUSTOMERS customers: the daily job, as an operator's login, recorded ${TOTAL:-no} notices, each with its delivery row, all undelivered"
diag <"$TMP/roles.err"
diag <"$TMP/book-mail_one.log"
q mail_one "SELECT ledger || ' ' || recipient || ' ' || what, count(*) FROM por_partner.undelivered_notices GROUP BY 1 ORDER BY 1" |
	tr '\t' ' ' | diag

# --- 1. killed mid-batch, restarted: the rest, nothing twice -----------------
REFUSED=admin7@customer7.example
S1=$TMP/sink1
sink_start "$S1"
ok $? "an SMTP sink on 127.0.0.1:${SINK_PORT:-?}"
echo "$REFUSED" >"$S1/refuse"
echo 10 >"$S1/stall"
mailer mail_one "$TMP/mailer1.log" --smtp "127.0.0.1:$SINK_PORT" --poll 60 --retry 1 --retry-max 2
first=$MAILER_PID
# the 11th message is held unanswered: the mailer waits inside its transaction
wait_for 30 '[ "$(mails "$S1")" -ge 10 ]' && sleep 1
kill -KILL "$first"
wait "$first" 2>/dev/null
# the server sees the connection gone and rolls its transaction back
wait_for 10 '[ "$(q mail_one "SELECT count(*) FROM pg_stat_activity WHERE usename = '"'por_partner_test_mailer'"'")" -eq 0 ]'
delivered=$(q mail_one "SELECT count(*) FROM por_partner.notice_delivery WHERE delivered_at IS NOT NULL")
[ "$(mails "$S1")" -eq 10 ] && [ "$delivered" -eq 10 ]
ok $? "killed (SIGKILL) while the SMTP server held its 11th message: $(mails "$S1") mails accepted, $delivered notices marked delivered"
rm -f "$S1/stall"
mailer mail_one "$TMP/mailer2.log" --smtp "127.0.0.1:$SINK_PORT" --poll 60 --retry 1 --retry-max 2
second=$MAILER_PID
wait_for 60 '[ "$(mails "$S1")" -ge $((TOTAL - 1)) ]'
sleep 0.5
message_ids "$S1" >"$TMP/ids1"
expected_ids mail_one "d.delivered_at IS NOT NULL" | LC_ALL=C sort >"$TMP/expected1"
[ "$(wc -l <"$TMP/ids1")" -eq $((TOTAL - 1)) ] && [ -z "$(LC_ALL=C sort "$TMP/ids1" | uniq -d)" ] &&
	cmp -s <(LC_ALL=C sort "$TMP/ids1") "$TMP/expected1"
ok $? "restarted, it mailed the rest: $((TOTAL - 1)) mails, each Message-ID once, the delivered notices' ($(wc -l <"$TMP/ids1") mails, $(LC_ALL=C sort "$TMP/ids1" | uniq -d | wc -l) twice)"
LC_ALL=C sort "$TMP/ids1" | uniq -d | diag

# --- 2. refused, recorded, retried ----------------------------------------
row=$(q mail_one "SELECT u.attempts > 0, u.last_error LIKE '%550 5.1.1 %mailbox unavailable%', u.next_attempt_at > u.last_attempt_at
                    FROM por_partner.undelivered_notices u JOIN por_partner.tenant t USING (tenant_id)
                   WHERE t.admin_email = '$REFUSED'")
[ "$(q mail_one "SELECT count(*) FROM por_partner.undelivered_notices")" -eq 1 ] && [ "$row" = "t|t|t" ]
ok $? "the message the SMTP server refused (550 for $REFUSED) is the one notice undelivered, its attempts and error recorded, a retry set"
q mail_one "SELECT attempts, last_error FROM por_partner.undelivered_notices" | diag
rm -f "$S1/refuse"
wait_for 20 '[ "$(mails "$S1")" -ge "$TOTAL" ]'
sleep 0.5
message_ids "$S1" >"$TMP/ids1"
[ "$(wc -l <"$TMP/ids1")" -eq "$TOTAL" ] && [ -z "$(LC_ALL=C sort "$TMP/ids1" | uniq -d)" ] &&
	[ "$(q mail_one "SELECT count(*) FROM por_partner.undelivered_notices")" -eq 0 ] &&
	[ "$(q mail_one "SELECT d.attempts > 1 FROM por_partner.notice_delivery d JOIN por_partner.renewal_notice r
	                  ON r.notice_id = d.renewal_notice_id JOIN por_partner.tenant t USING (tenant_id)
	                  WHERE t.admin_email = '$REFUSED'")" = t ]
ok $? "once the server takes it, the retry mails it: every one of the $TOTAL notices mailed once, none undelivered"
"$PYTHON" - "$S1/mail" "$REFUSED" >"$TMP/mail7" <<-'EOF'
	import email, email.policy, os, sys
	for f in sorted(os.listdir(sys.argv[1])):
	    with open(os.path.join(sys.argv[1], f), "rb") as fh:
	        m = email.message_from_binary_file(fh, policy=email.policy.default)
	    if sys.argv[2] in m["To"]:
	        print("To:", m["To"]); print("Subject:", m["Subject"]); print("Message-ID:", m["Message-ID"])
	        print(m.get_content())
	EOF
body7=$(tr -s ' \n' '  ' <"$TMP/mail7")
grep -q '^Subject: Your Office 365 Small Business subscription expires on ' "$TMP/mail7" &&
	grep -q 'subscription [0-9]* of Customer 7 Ltd (1 seats, billed by product key) expires on ' <<<"$body7" &&
	grep -q 'What to do: renew it before [0-9-]*\. Ask your partner, Adatum Advisors (MPN ID 5100003, ada@adatum\.example), to renew it' <<<"$body7" &&
	grep -q '^Message-ID: <por_partner.renewal.[0-9]*.[0-9]\{8\}.customer.[0-9]*@northwind.example>' "$TMP/mail7"
ok $? "the customer's renewal notice names the customer, the subscription, the day it expires, what to do and the partner to ask (rule R1)"
diag <"$TMP/mail7"

# --- 3. woken by a notification, not by a forged one; polls too --------------
# a change notice (rule P3): NOTIFY at commit wakes the mailer (poll: 60 s)
before=$(mails "$S1")
sid=$(q mail_one "SELECT subscription_id FROM por_partner.subscription WHERE partner_of_record IS NULL ORDER BY 1 LIMIT 1")
q mail_one "SELECT por_partner.set_partner_of_record($sid, '4411223')" >/dev/null
wait_for 10 '[ "$(mails "$S1")" -eq $((before + 1)) ]'
ok $? "a notification wakes the running mailer: the change notice of a new partner of record is mailed at once (poll 60 s)"
# a forged notification: any login may NOTIFY; the mailer reads the ledger only
sums() { q mail_one "SELECT count(*), count(delivered_at), sum(attempts) FROM por_partner.notice_delivery"; }
state=$(sums)
before=$(mails "$S1")
"$BIN/psql" -X -q -d mail_one -U por_partner_test_nobody \
	-c "NOTIFY por_partner_renewal_notice, '{\"delivery_id\": 1, \"to\": \"attacker@evil.example\"}'" 2>&1 | diag
sleep 2
[ "$(mails "$S1")" -eq "$before" ] && [ "$(sums)" = "$state" ]
ok $? "a forged notification (a login with no por_partner role, with a payload) mails nothing and changes no delivery state"
kill -TERM "$second"
wait "$second"
rc=$?
ok $rc "SIGTERM stops the running mailer (exit status $rc)"
diag <"$TMP/mailer1.log"
tail -n 5 "$TMP/mailer2.log" | diag
# a notice recorded without a notification (an operator's INSERT): the poll finds it
mailer mail_one "$TMP/mailer3.log" --smtp "127.0.0.1:$SINK_PORT" --poll 1
third=$MAILER_PID
sleep 1
before=$(mails "$S1")
as_job mail_one "INSERT INTO por_partner.renewal_notice (subscription_id, tenant_id, expires_on, recipient, days_before, sent_on)
            SELECT subscription_id, tenant_id, expires_on, 'customer', 90, current_date
              FROM por_partner.subscription ORDER BY subscription_id LIMIT 1" >/dev/null
wait_for 10 '[ "$(mails "$S1")" -eq $((before + 1)) ]'
ok $? "a notice recorded with no notification is mailed by the poll"
kill -TERM "$third"
wait "$third"

# --- 4. two mailers at once -----------------------------------------------
book mail_two
TOTAL2=$(q mail_two "SELECT count(*) FROM por_partner.undelivered_notices")
S2=$TMP/sink2
sink_start "$S2"
echo 0.02 >"$S2/delay"
mailer mail_two "$TMP/mailer_a.log" --smtp "127.0.0.1:$SINK_PORT" --once
a=$MAILER_PID
mailer mail_two "$TMP/mailer_b.log" --smtp "127.0.0.1:$SINK_PORT" --once
b=$MAILER_PID
wait "$a"
rca=$?
wait "$b"
rcb=$?
message_ids "$S2" >"$TMP/ids2"
expected_ids mail_two | LC_ALL=C sort >"$TMP/expected2"
na=$(sed -n 's/^por_partner-mailer: \([0-9]*\) delivered.*/\1/p' "$TMP/mailer_a.log")
nb=$(sed -n 's/^por_partner-mailer: \([0-9]*\) delivered.*/\1/p' "$TMP/mailer_b.log")
[ "$rca" -eq 0 ] && [ "$rcb" -eq 0 ] && [ "${TOTAL2:-0}" -ge 90 ] && [ "$(wc -l <"$TMP/ids2")" -eq "$TOTAL2" ] &&
	[ -z "$(LC_ALL=C sort "$TMP/ids2" | uniq -d)" ] && cmp -s <(LC_ALL=C sort "$TMP/ids2") "$TMP/expected2" &&
	[ "$((na + nb))" -eq "$TOTAL2" ] &&
	[ "$(q mail_two "SELECT count(*) FILTER (WHERE delivered_at IS NULL OR attempts <> 1) FROM por_partner.notice_delivery")" -eq 0 ]
ok $? "two mailers at once (--once) mailed the $TOTAL2 notices once each between them ($na and $nb), one attempt each"
[ "${na:-0}" -gt 0 ] && [ "${nb:-0}" -gt 0 ]
ok $? "both took part: SKIP LOCKED let each claim what the other held ($na and $nb)"
LC_ALL=C sort "$TMP/ids2" | uniq -d | diag
cat "$TMP/mailer_a.log" "$TMP/mailer_b.log" | diag
finish
