#!/usr/bin/env python3
"""A local SMTP sink for test/shell/mailer.sh (Debian's python3-aiosmtpd).

    smtp_sink.py DIR

Listens on 127.0.0.1 on a free port, writes the port to DIR/port once it
accepts connections, and stores each message it accepts (answers 250) as
DIR/mail/NNNNNN.eml.  Control files in DIR, read for each message, steer it:
  refuse   addresses (one a line): RCPT TO one of them is answered
           550 5.1.1 (the message is refused, nothing stored)
  stall    a number N: once N messages are stored, the next DATA is never
           answered (nothing stored), until the file is removed
  delay    seconds to wait before answering each DATA (a slow server)
Runs until SIGTERM.
"""

import asyncio
import os
import signal
import socket
import sys
import time

from aiosmtpd.controller import Controller

DIR = sys.argv[1]
MAIL = os.path.join(DIR, "mail")
os.makedirs(MAIL, exist_ok=True)


def control(name):
    try:
        with open(os.path.join(DIR, name)) as f:
            return f.read()
    except FileNotFoundError:
        return None


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refused = (control("refuse") or "").split()
        if address.lower() in (a.lower() for a in refused):
            return "550 5.1.1 <%s>: mailbox unavailable (refused by the test sink)" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        stall = control("stall")
        while stall is not None and stall.strip().isdigit() and len(os.listdir(MAIL)) >= int(stall):
            await asyncio.sleep(0.05)      # the client waits for an answer that never comes
            stall = control("stall")
        if server.transport is None or server.transport.is_closing():
            return "421 4.4.2 the client is gone"     # never stored: it was not told 250
        delay = control("delay")
        if delay:
            await asyncio.sleep(float(delay))
        n = len(os.listdir(MAIL)) + 1
        tmp = os.path.join(DIR, ".incoming")
        with open(tmp, "wb") as f:
            f.write(envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode())
        os.rename(tmp, os.path.join(MAIL, "%06d.eml" % n))
        return "250 OK: queued as %d" % n


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_port()
controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
with open(os.path.join(DIR, ".port"), "w") as f:
    f.write(str(port))
os.rename(os.path.join(DIR, ".port"), os.path.join(DIR, "port"))
stop = False


def on_term(_signum, _frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)
while not stop:
    time.sleep(0.2)
controller.stop()
