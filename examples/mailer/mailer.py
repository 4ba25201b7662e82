#!/usr/bin/env python3
"""por_partner's reference mailer: turns the notices the database records into mail.

    python3 examples/mailer/mailer.py --dsn DSN --smtp HOST:PORT [--from ADDRESS] [--once]

It logs in as an operator's login (a member of por_partner_operator), and
  * treats a notification on channel por_partner_renewal_notice only as a
    wake-up, and polls as well (--poll seconds), so that a lost or forged
    notification changes nothing: what to mail comes from the ledgers alone;
  * claims one due notice a transaction with por_partner.claim_notices()
    (renewal notices to customers and partners of record, change notices to
    partners of record; FOR UPDATE SKIP LOCKED, so two mailers never take the
    same one), renders it (a subject and a plain-text body: the customer, the
    subscription, the day it expires and what to do), sends it over SMTP and
    marks it with por_partner.notice_delivered() -- or, when the SMTP server
    refuses it or there is no address, por_partner.notice_failed() with the
    error and a retry time that backs off -- and commits, in that transaction;
  * names each mail by the notice's identity (Message-ID <por_partner.KEY@DOMAIN>,
    KEY from the ledger's unique key), so that a notice mailed again after a
    failover is recognisable as the same message.

A mailer that dies between the SMTP server's "250 OK" and its commit leaves
that one notice undelivered, and it is mailed again, with the same Message-ID:
SMTP has no two-phase commit.  Nothing else is ever mailed twice.

Settings come from the options or, when an option is not given, from the
environment: POR_PARTNER_MAILER_DSN, _SMTP, _FROM, _POLL, _RETRY, _RETRY_MAX,
_SMTP_TIMEOUT, _STARTTLS (1 to use STARTTLS), _SMTP_USER and _SMTP_PASSWORD
(login, after STARTTLS), _MESSAGE_ID_DOMAIN.  An empty DSN means libpq's own
defaults (PGHOST, PGUSER, ~/.pgpass, ...).

Needs Python 3 and Debian's python3-psycopg (psycopg 3), nothing else.
Exit status: 0 when done (--once) or stopped by SIGTERM/SIGINT; 1 when the
database or the SMTP server cannot be reached with --once; 2 for bad usage.
"""

import argparse
import datetime
import email.message
import email.policy
import email.utils
import logging
import os
import select
import signal
import smtplib
import socket
import sys
import textwrap
import time

import psycopg
from psycopg.rows import dict_row

CHANNEL = "por_partner_renewal_notice"
ENV = "POR_PARTNER_MAILER_"
MAX_ERROR = 2000                # notice_failed()'s documented maximum
log = logging.getLogger("por_partner-mailer")


class NoticeUndeliverable(Exception):
    """This notice cannot be mailed now (recorded with notice_failed, retried)."""


class SmtpUnavailable(Exception):
    """The SMTP server cannot be reached: no notice is at fault, none is marked."""


# --- rendering ------------------------------------------------------------

def _day(d):
    return d.isoformat()


def _last_day(expires_on):
    return _day(expires_on - datetime.timedelta(days=1))


def _partner_line(n):
    if not n["partner_name"]:
        return ""
    contact = f", {n['partner_email']}" if n["partner_email"] else ""
    return f"{n['partner_name']} (MPN ID {n['partner_mpn_id']}{contact})"


LIFECYCLE = ("If it is not renewed, its users keep access for 30 days after it expires (the grace "
             "period); from day 30 only its admins can sign in, and from day 120 its data is deleted.")

PHASES = {
    "expired": (
        "It expired on {expires_on}. Its users keep access for 30 days, until {disabled_on}.",
        "Renew it now: the new term follows the old one without a gap."),
    "disabled": (
        "It expired on {expires_on} and is now disabled: its users cannot sign in, its admins can, "
        "and its data is kept until {deprovisioned_on}.",
        "Renew it before {deprovisioned_on}: a renewal reactivates it from that day."),
    "deprovisioned": (
        "It expired on {expires_on} and is now deprovisioned: its data is deleted.",
        "It can no longer be renewed; set the customer up with a new subscription."),
}


def change(n):
    """(summary for the subject, what happened, what to do) of a change notice (rule P3)."""
    old, new, what = n["old_value"], n["new_value"], n["what"]
    if what == "seats":
        return (f"seats changed from {old} to {new}", f"Its seats changed from {old} to {new}.",
                "Nothing, if you expected it.")
    if what == "renewed":
        return (f"renewed until {new}",
                f"It was renewed: the term that was to expire on {old} now expires on {new}.", "Nothing.")
    if what == "billing":
        return (f"billing changed from {old} to {new}", f"Its billing changed from {old} to {new}.",
                "Nothing, if you expected it.")
    if what == "partner_of_record" and new is not None:
        return ("you are now its partner of record",
                f"The customer named you (MPN ID {new}) its partner of record.",
                "Nothing: from now on you receive its renewal notices and notices of its changes.")
    if what == "partner_of_record":
        return ("you are no longer its partner of record",
                f"The customer removed you (MPN ID {old}) as its partner of record.",
                "Nothing: you receive no more notices about it.")
    if what == "phase" and new in PHASES:
        days = {"expires_on": _day(n["expires_on"]),
                "disabled_on": _day(n["expires_on"] + datetime.timedelta(days=30)),
                "deprovisioned_on": _day(n["expires_on"] + datetime.timedelta(days=120))}
        happened, todo = PHASES[new]
        return f"is now {new}", happened.format(**days), todo.format(**days)
    return (f"{what} changed", f"Its {what} changed from {old} to {new}.", "Nothing, if you expected it.")


def render(n):
    """(subject, body) of a claimed notice, a row of claim_notices(): plain text, 72 columns."""
    sub = (f"{n['sku_name']} subscription {n['subscription_id']} of {n['organization_name']} "
           f"({n['seats']} seats, billed by {n['billing'].replace('_', ' ')})")
    expires = _day(n["expires_on"])
    covers = f"{_last_day(n['expires_on'])} is the last day it covers"
    if n["what"] == "renewal" and n["recipient"] == "customer":
        # rule R1: to the customer's admin
        subject = f"Your {n['sku_name']} subscription expires on {expires}"
        partner = _partner_line(n)
        ask = (f"Ask your partner, {partner}, to renew it with product keys, or renew it through direct billing."
               if partner else "Renew it with product keys, or through direct billing.")
        paragraphs = [f"Dear {n['to_name']},",
                      f"the {sub} expires on {expires}: {covers}.",
                      f"What to do: renew it before {expires}. {ask}",
                      LIFECYCLE, "If you have renewed it already, there is nothing to do."]
    elif n["what"] == "renewal":
        # rules R1, P4: to the partner of record
        subject = f"{n['organization_name']}: subscription {n['subscription_id']} expires on {expires}"
        paragraphs = [f"Dear {n['partner_name']},",
                      f"you are partner of record of {n['organization_name']}. Its {sub} expires on {expires}: "
                      f"{covers}.",
                      f"What to do: renew it with product keys before {expires} (por_partner.renew_subscription), "
                      "or help the customer switch to direct billing.",
                      LIFECYCLE, "If it was renewed already, there is nothing to do."]
    else:
        # rule P3: a change, to the partner of record
        summary, happened, todo = change(n)
        subject = f"{n['organization_name']}: subscription {n['subscription_id']} {summary}"
        paragraphs = [f"Dear {n['partner_name']},",
                      f"a change to the {sub}, whose partner of record you are, on {_day(n['recorded_on'])}: "
                      f"{happened}",
                      f"What to do: {todo}"]
    return subject, "\n\n".join(textwrap.fill(p, 72, break_on_hyphens=False) for p in paragraphs) + "\n"


def build_message(n, sender, domain):
    subject, body = render(n)
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = email.utils.formataddr((n["to_name"] or "", n["to_email"]))
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = f"<por_partner.{n['message_key']}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"      # RFC 3834: no auto-replies
    msg["X-Por-Partner-Notice"] = f"{n['ledger']} {n['notice_id']}"
    msg.set_content(body + f"\n-- \nSent by por_partner's mailer for {sender}.  Reference: {n['message_key']}\n")
    return msg


# --- the mailer -------------------------------------------------------------

class Mailer:
    def __init__(self, opts):
        self.opts = opts
        self.host, _, port = opts.smtp.rpartition(":")
        self.port = int(port)
        self.sender = opts.sender
        self.domain = opts.message_id_domain or self.sender.rpartition("@")[2] or socket.getfqdn()
        self.db = None          # the claims, sends and marks
        self.listener = None    # LISTEN, autocommit
        self.smtp = None
        self.stopping = False
        self.woken = False
        self.delivered = 0
        self.failed = 0

    # database
    def connect(self):
        self.close_db()
        self.db = psycopg.connect(self.opts.dsn, autocommit=False, row_factory=dict_row,
                                  application_name="por_partner mailer")
        with self.db.transaction():
            row = self.db.execute("SELECT current_user AS login, "
                                  "current_setting('synchronous_standby_names') AS sync").fetchone()
        log.info("connected as %s; synchronous_standby_names = '%s'%s", row["login"], row["sync"],
                 "" if row["sync"] else " (a failover may lose the last marks: those notices are "
                 "mailed again, with the same Message-ID)")
        if not self.opts.once:
            self.listener = psycopg.connect(self.opts.dsn, autocommit=True,
                                            application_name="por_partner mailer (listen)")
            self.listener.add_notify_handler(self._notified)
            self.listener.execute(f"LISTEN {CHANNEL}")

    def _notified(self, _notify):
        # a wake-up, nothing more: the payload is not read (anyone may NOTIFY)
        self.woken = True

    def close_db(self):
        for c in (self.db, self.listener):
            if c is not None:
                try:
                    c.close()
                except psycopg.Error:
                    pass
        self.db = self.listener = None

    # SMTP
    def smtp_session(self):
        if self.smtp is not None:
            try:
                if self.smtp.noop()[0] == 250:
                    return self.smtp
            except (smtplib.SMTPException, OSError):
                pass
            self.close_smtp()
        try:
            s = smtplib.SMTP(self.host, self.port, timeout=self.opts.smtp_timeout)
            s.ehlo()
            if self.opts.starttls:
                s.starttls()
                s.ehlo()
            if self.opts.smtp_user:
                s.login(self.opts.smtp_user, os.environ.get(ENV + "SMTP_PASSWORD", ""))
        except (smtplib.SMTPException, OSError) as e:
            raise SmtpUnavailable(f"SMTP server {self.opts.smtp}: {e}") from e
        self.smtp = s
        return s

    def close_smtp(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None

    def send(self, n):
        if not n["to_email"]:
            raise NoticeUndeliverable(
                f"no e-mail address for the {n['recipient']}: "
                + (f"partner {n['partner_mpn_id']} has no contact e-mail and no global admin"
                   if n["recipient"] == "partner" else "the tenant has no admin e-mail"))
        msg = build_message(n, self.sender, self.domain)
        s = self.smtp_session()
        try:
            s.send_message(msg)
        except smtplib.SMTPRecipientsRefused as e:
            raise NoticeUndeliverable("; ".join(f"{rcpt}: {code} {text.decode(errors='replace')}"
                                                for rcpt, (code, text) in e.recipients.items())) from e
        except smtplib.SMTPResponseException as e:     # sender refused, data refused, ...
            text = e.smtp_error.decode(errors="replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
            raise NoticeUndeliverable(f"{e.smtp_code} {text}") from e
        except smtplib.SMTPNotSupportedError as e:
            raise NoticeUndeliverable(f"SMTP server {self.opts.smtp}: {e}") from e
        except (smtplib.SMTPException, OSError) as e:
            # the server went away mid-send: whether it took the mail is
            # unknown; the notice stays unmarked and is mailed again (same
            # Message-ID)
            self.close_smtp()
            raise SmtpUnavailable(f"SMTP server {self.opts.smtp}: {e}") from e

    def retry_in(self, attempts):
        return datetime.timedelta(seconds=min(self.opts.retry * 2 ** min(attempts, 20), self.opts.retry_max))

    def mail_one(self):
        """Claim, send and mark one due notice, in one transaction; False when none is due."""
        with self.db.transaction():
            n = self.db.execute("SELECT * FROM por_partner.claim_notices(1)").fetchone()
            if n is None:
                return False
            try:
                self.send(n)
            except NoticeUndeliverable as e:
                error = str(e).strip()[:MAX_ERROR] or "refused"
                nxt = self.db.execute("SELECT por_partner.notice_failed(%s, %s, %s) AS next_at",
                                      (n["delivery_id"], error, self.retry_in(n["attempts"]))).fetchone()
                self.failed += 1
                log.warning("%s %s to %s not delivered (attempt %s): %s; tried again at %s", n["ledger"],
                            n["notice_id"], n["to_email"] or "(no address)", n["attempts"] + 1, error, nxt["next_at"])
            else:
                self.db.execute("SELECT por_partner.notice_delivered(%s)", (n["delivery_id"],))
                self.delivered += 1
                log.info("%s %s mailed to %s (Message-ID <por_partner.%s@%s>)", n["ledger"], n["notice_id"],
                         n["to_email"], n["message_key"], self.domain)
        return True

    def seconds_to_next_retry(self):
        with self.db.transaction():
            row = self.db.execute("SELECT extract(epoch FROM min(next_attempt_at) - clock_timestamp()) AS s "
                                  "FROM por_partner.notice_delivery WHERE delivered_at IS NULL").fetchone()
        return None if row["s"] is None else max(float(row["s"]), 0.0)

    def wait(self, seconds, wakeup_fd):
        """Until a notification, a signal or the time is up."""
        deadline = time.monotonic() + seconds
        while not (self.stopping or self.woken):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.listener.fileno(), wakeup_fd], [], [], left)
            if wakeup_fd in ready:
                os.read(wakeup_fd, 512)
            if self.listener.fileno() in ready:
                self.listener.execute("SELECT 1")      # takes in the notifications: _notified()

    def run(self):
        rfd, wfd = os.pipe()
        os.set_blocking(wfd, False)
        signal.set_wakeup_fd(wfd)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        backoff = 1.0
        while not self.stopping:
            try:
                if self.db is None or self.db.closed:
                    self.connect()
                while not self.stopping and self.mail_one():
                    pass
                backoff = 1.0
                if self.opts.once:
                    break
                self.woken = False
                nxt = self.seconds_to_next_retry()
                self.wait(self.opts.poll if nxt is None else min(self.opts.poll, nxt + 0.05), rfd)
            except SmtpUnavailable as e:
                log.error("%s", e)
                if self.opts.once:
                    return 1
                self._pause(backoff, rfd)
                backoff = min(backoff * 2, 300.0)
            except psycopg.OperationalError as e:
                # the server went away (a restart, a failover): what was
                # claimed and not committed is claimed again after reconnecting
                log.error("database: %s", str(e).strip())
                self.close_db()
                if self.opts.once:
                    return 1
                self._pause(backoff, rfd)
                backoff = min(backoff * 2, 60.0)
            except psycopg.Error as e:
                # refused by the database (a mark it would not take, rights
                # missing): the transaction is rolled back, the notice stays
                # as it was; try again later
                log.error("database refused: %s: %s", getattr(e, "sqlstate", None), str(e).strip())
                if self.opts.once:
                    return 1
                self._pause(backoff, rfd)
                backoff = min(backoff * 2, 60.0)
        self.close_smtp()
        self.close_db()
        return 0

    def _pause(self, seconds, wakeup_fd):
        if not self.stopping:
            ready, _, _ = select.select([wakeup_fd], [], [], seconds)
            if ready:
                os.read(wakeup_fd, 512)

    def _stop(self, signum, _frame):
        log.info("%s: stopping after the current notice", signal.Signals(signum).name)
        self.stopping = True


def options(argv):
    env = os.environ.get

    def seconds(name, default):
        return float(env(ENV + name, default))

    p = argparse.ArgumentParser(
        prog="mailer.py", description="por_partner's reference mailer: mails the renewal and change notices "
        "the database records, each once (settings also from POR_PARTNER_MAILER_* variables).")
    p.add_argument("--dsn", default=env(ENV + "DSN", ""),
                   help="libpq connection string or URI of an operator's login (POR_PARTNER_MAILER_DSN; "
                   "empty: libpq's defaults)")
    p.add_argument("--smtp", default=env(ENV + "SMTP"), help="SMTP server, HOST:PORT (POR_PARTNER_MAILER_SMTP)")
    p.add_argument("--from", dest="sender", default=env(ENV + "FROM", f"por_partner@{socket.getfqdn()}"),
                   help="the From address (POR_PARTNER_MAILER_FROM; default por_partner@ this host's name)")
    p.add_argument("--once", action="store_true", help="mail what is due now, then exit")
    p.add_argument("--poll", type=float, default=seconds("POLL", "60"),
                   help="seconds between polls when no notification comes (POR_PARTNER_MAILER_POLL, 60)")
    p.add_argument("--retry", type=float, default=seconds("RETRY", "300"),
                   help="seconds before the first retry of a refused notice, doubling with each attempt "
                   "(POR_PARTNER_MAILER_RETRY, 300)")
    p.add_argument("--retry-max", type=float, default=seconds("RETRY_MAX", "21600"),
                   help="the longest wait between retries, in seconds (POR_PARTNER_MAILER_RETRY_MAX, 21600)")
    p.add_argument("--smtp-timeout", type=float, default=seconds("SMTP_TIMEOUT", "30"),
                   help="seconds an SMTP exchange may take (POR_PARTNER_MAILER_SMTP_TIMEOUT, 30)")
    p.add_argument("--starttls", action="store_true", default=env(ENV + "STARTTLS", "0") == "1",
                   help="STARTTLS before sending (POR_PARTNER_MAILER_STARTTLS=1)")
    p.add_argument("--smtp-user", default=env(ENV + "SMTP_USER"),
                   help="SMTP login (POR_PARTNER_MAILER_SMTP_USER; the password from POR_PARTNER_MAILER_SMTP_PASSWORD)")
    p.add_argument("--message-id-domain", default=env(ENV + "MESSAGE_ID_DOMAIN"),
                   help="the domain of the Message-IDs (POR_PARTNER_MAILER_MESSAGE_ID_DOMAIN; default the From "
                   "address's)")
    p.add_argument("--verbose", action="store_true", help="log each notice mailed")
    o = p.parse_args(argv)
    if not o.smtp or ":" not in o.smtp or not o.smtp.rpartition(":")[2].isdigit():
        p.error("--smtp HOST:PORT is required (or POR_PARTNER_MAILER_SMTP)")
    if "@" not in o.sender:
        p.error(f"--from must be an e-mail address, not {o.sender!r}")
    if o.poll <= 0 or o.retry < 1 or o.retry_max < o.retry or o.retry_max > 30 * 86400:
        p.error("--poll must be positive, 1 <= --retry <= --retry-max <= 30 days (in seconds)")
    return o


def main(argv=None):
    opts = options(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO if opts.verbose or not opts.once else logging.WARNING,
                        format="%(asctime)s por_partner-mailer[%(process)d] %(levelname)s %(message)s",
                        stream=sys.stderr)
    m = Mailer(opts)
    rc = m.run()
    print(f"por_partner-mailer: {m.delivered} delivered, {m.failed} not delivered (recorded for a retry)",
          file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
