"""psycopg 3 and product_key, for test/shell/drivers.sh (the README's recipe
"Drivers", psycopg 3): what psycopg does with the type on its own, then with
examples/drivers/por_partner_psycopg.py registered.

    psycopg_check.py CONFIG

CONFIG (JSON, written by the test from what the server itself answers):
    dsn          a login whose search_path holds por_partner
    keys         the fixture's keys, [text, hex of product_key_send], in the
                 order of their text ("C" collation)
    array_text   array_agg of them, as the server prints it (text)
    generated    more keys [text, hex], one N in every 5th
    invalid      texts the server's input refuses
Prints one line a check: "check NAME ok|fail DETAIL", tab-separated.
"""

import json
import sys

import psycopg

import por_partner_psycopg as ppk

KEYS = "SELECT product_key FROM key_card ORDER BY product_key::text COLLATE \"C\""
ARRAY = "SELECT array_agg(product_key ORDER BY product_key::text COLLATE \"C\") FROM key_card"


def check(name, good, detail=""):
    print("\t".join(["check", name, "ok" if good else "fail", str(detail)[:300]]), flush=True)


def main(cfg):
    texts = [t for t, _ in cfg["keys"]]
    raw = [bytes.fromhex(h) for _, h in cfg["keys"]]
    n = len(texts)
    with psycopg.connect(cfg["dsn"], autocommit=True) as conn:
        # --- psycopg on its own --------------------------------------------
        got = [r[0] for r in conn.cursor().execute(KEYS)]
        check("text_plain", got == texts and all(type(k) is str for k in got),
              f"{n} keys, text mode: {got[:1]}")
        bad = [t for t in texts if conn.cursor().execute(
            "SELECT count(*) FROM key_card WHERE product_key = %s",
            [t.lower().replace("-", "")]).fetchone()[0] != 1]
        check("text_param_plain", not bad, f"{n} keys; not found: {bad[:2]}")
        got = [r[0] for r in conn.cursor(binary=True).execute(KEYS)]
        check("binary_plain_bytes", got == raw and all(type(k) is bytes and len(k) == 16 for k in got),
              f"binary mode: {got[:1]}")
        got = conn.cursor().execute(ARRAY).fetchone()[0]
        check("array_plain_str", got == cfg["array_text"], f"{type(got).__name__}: {got[:40]}")
        try:
            conn.cursor().execute("SELECT count(*) FROM key_card WHERE product_key = %b", [texts[0]])
            check("binary_param_plain_refused", False, "a str sent in binary was taken")
        except psycopg.errors.UndefinedFunction as e:
            check("binary_param_plain_refused", True, str(e).splitlines()[0])

        # --- with the module -----------------------------------------------
        info = ppk.register(conn)
        want_oids = conn.execute("SELECT 'por_partner.product_key'::regtype::oid, "
                                 "'por_partner.product_key[]'::regtype::oid").fetchone()
        check("register_oids", (info.oid, info.array_oid) == tuple(want_oids),
              f"{info.oid} {info.array_oid}")
        for mode in (False, True):
            m = "binary" if mode else "text"
            got = [r[0] for r in conn.cursor(binary=mode).execute(KEYS)]
            check(f"{m}_module", got == texts and all(isinstance(k, ppk.ProductKey) for k in got),
                  f"{n} keys: {got[:1]}")
            got = conn.cursor(binary=mode).execute(ARRAY).fetchone()[0]
            check(f"{m}_module_array", got == texts, f"{type(got).__name__}: {got[:1]}")

        # keys sent as binary parameters (ProductKey), written as a user
        # might: lower case, without hyphens
        bad = []
        cur = conn.cursor(binary=True)
        for t in texts:
            k = ppk.ProductKey(t.lower().replace("-", ""))
            row = cur.execute("SELECT %b::text, (SELECT count(*) FROM key_card WHERE product_key = %b)",
                              [k, k]).fetchone()
            if tuple(row) != (t, 1):
                bad.append((t, row))
        check("binary_param_roundtrip", not bad, f"{n} keys; wrong: {bad[:2]}")
        keys = [ppk.ProductKey(t) for t in texts]
        row = cur.execute("SELECT %b::text[], (SELECT count(*) FROM key_card WHERE product_key = ANY(%b))",
                          [keys, keys]).fetchone()
        check("binary_param_array", row[0] == texts and row[1] == n, f"{row[1]} of {n}")
        row = conn.cursor().execute("SELECT %s::text[], %s::text", [keys, keys[0]]).fetchone()
        check("text_param_roundtrip", row[0] == texts and row[1] == texts[0], "")

    # --- the codec against the server's own binary form --------------------
    bad = []
    for t, h in cfg["generated"]:
        b = bytes.fromhex(h)
        if ppk.decode(b) != t or ppk.encode(t) != b or ppk.encode(" " + t.lower().replace("-", "") + "\n") != b:
            bad.append(t)
    nn = sum(1 for t, _ in cfg["generated"] if "N" in t)
    check("codec_generated", not bad and nn > 0,
          f"{len(cfg['generated'])} keys ({nn} with an N); differ: {bad[:3]}")
    taken = []
    for t in cfg["invalid"]:
        try:
            ppk.encode(t)
            taken.append(t)
        except psycopg.DataError:
            pass
    check("codec_refuses_invalid", not taken and cfg["invalid"], f"{len(cfg['invalid'])} texts; taken: {taken}")
    b = bytes.fromhex(cfg["generated"][0][1])
    refused = 0
    two_n = ((16 << 5 | 16) << (5 * 23 + 3)).to_bytes(16, "big")
    rank_31 = b"\xf8" + bytes(15)
    for bad_bytes in (b[:15], b[:15] + bytes([b[15] | 1]), rank_31, two_n):
        try:
            ppk.decode(bad_bytes)
        except psycopg.DataError:
            refused += 1
    check("codec_refuses_bad_bytes", refused == 4,
          f"{refused} of 4 (15 bytes, padding set, a rank of 31, two Ns)")


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        main(json.load(f))
