"""psycopg 3 clients through pgbouncer in transaction pooling, for
test/shell/pgbouncer.sh (the README's recipe "Behind pgbouncer").

    bouncer.py book CONFIG      many clients of each login at once, reading
                                their book and comparing keys; prints TSV
    bouncer.py prepared CONFIG  two clients of one login, one after the other,
                                with the prepare_threshold of CONFIG

CONFIG is a JSON file: host, port, dbname, rounds, clients (a login), seed,
prepare_threshold (null: never prepare, the recipe's setting; absent:
psycopg's default), logins: [{user, password, probe: [keys]}].  No SET is
ever sent: the search_path is the role's (ALTER ROLE ... SET search_path).

Output lines, tab-separated (the test compares them with what an operator
reads directly):
    book   LOGIN PARTNER_IDS KEYS SUBSCRIPTION_IDS TENANT_IDS   a call's book
    probe  LOGIN KEY PARTNER_ID|none                            WHERE product_key = %s
    pid    LOGIN DRIVER-CLIENT BACKEND_PID                      the server connection
    error  LOGIN SQLSTATE MESSAGE                               any error
"""

import json
import random
import sys
import threading

import psycopg

BOOK = """SELECT pg_backend_pid(),
  (SELECT string_agg(partner_id::text, ',' ORDER BY partner_id) FROM partner),
  (SELECT string_agg(product_key::text, ',' ORDER BY product_key::text COLLATE "C") FROM key_card),
  (SELECT string_agg(subscription_id::text, ',' ORDER BY subscription_id) FROM subscription),
  (SELECT string_agg(tenant_id::text, ',' ORDER BY tenant_id) FROM tenant)"""
PROBE = "SELECT pg_backend_pid(), (SELECT partner_id FROM key_card WHERE product_key = %s)"

_out = threading.Lock()


def emit(*fields):
    with _out:
        print("\t".join("" if f is None else str(f) for f in fields), flush=True)


def connect(cfg, login):
    kw = {}
    if "prepare_threshold" in cfg:
        kw["prepare_threshold"] = cfg["prepare_threshold"]
    return psycopg.connect(host=cfg["host"], port=cfg["port"], dbname=cfg["dbname"],
                           user=login["user"], password=login["password"],
                           autocommit=True, **kw)


def error(login, e):
    state = getattr(e, "sqlstate", None) or type(e).__name__
    emit("error", login["user"], state, str(e).splitlines()[0] if str(e) else "")


def client(cfg, login, n, rng):
    name = login["user"]
    try:
        conn = connect(cfg, login)
    except Exception as e:
        error(login, e)
        return
    pids = set()
    with conn:
        for r in range(cfg["rounds"]):
            keys = rng.sample(login["probe"], min(3, len(login["probe"])))
            try:
                # every other round in a transaction: a server connection is
                # then held for several statements, and the others wait
                if r % 2:
                    with conn.transaction():
                        rows = [conn.execute(BOOK).fetchone()]
                        rows += [conn.execute(PROBE, [k]).fetchone() for k in keys]
                else:
                    rows = [conn.execute(BOOK).fetchone()]
                    rows += [conn.execute(PROBE, [k]).fetchone() for k in keys]
            except Exception as e:
                error(login, e)
                continue
            pid, *book = rows[0]
            pids.add(pid)
            emit("book", name, *book)
            for k, (pid, partner) in zip(keys, rows[1:]):
                pids.add(pid)
                emit("probe", name, k, "none" if partner is None else partner)
    for pid in sorted(pids):
        emit("pid", name, f"psycopg-{n}", pid)


def book(cfg):
    rng = random.Random(cfg.get("seed", 0))
    threads = []
    for i in range(cfg["clients"]):
        for login in cfg["logins"]:
            t = threading.Thread(target=client, args=(cfg, login, i, random.Random(rng.random())))
            threads.append(t)
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def prepared(cfg):
    """Two clients of the first login, one after the other, each running the
    probe 8 times (psycopg's default prepares a query from its 6th run on)."""
    login = cfg["logins"][0]
    for n in range(2):
        try:
            conn = connect(cfg, login)
        except Exception as e:
            error(login, e)
            continue
        with conn:
            for k in login["probe"][:8]:
                try:
                    pid, partner = conn.execute(PROBE, [k]).fetchone()
                except Exception as e:
                    error(login, e)
                    continue
                emit("probe", login["user"], k, "none" if partner is None else partner)
                emit("pid", login["user"], f"psycopg-{n}", pid)


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        cfg = json.load(f)
    {"book": book, "prepared": prepared}[mode](cfg)
