"""psycopg 3 adapters for por_partner's product_key and product_key[].

Without them psycopg knows nothing of the type: in text mode (the default) a
key comes back as a str, which is fine, and a product_key[] as the unparsed
str '{...}'; in binary mode (cursor(binary=True), or %b parameters) a key
comes back as 16 raw bytes (psycopg's answer for a type it does not know),
and a str sent as a binary parameter is typed text, which no operator of the
type takes (42883).

    import psycopg, por_partner_psycopg
    conn = psycopg.connect(dsn)
    por_partner_psycopg.register(conn)        # once a connection
    cur = conn.cursor(binary=True)
    cur.execute("SELECT product_key FROM key_card")
    cur.fetchone()[0]                         # ProductKey('BCDFG-...'), a str
    cur.execute("SELECT count(*) FROM key_card WHERE product_key = %b",
                [por_partner_psycopg.ProductKey(key)])

register(conn) looks the type up by name (TypeInfo.fetch, so the OIDs of the
database at hand are used), and registers on that connection: a text and a
binary loader that return ProductKey, the key's canonical text (upper case,
five groups of five joined by '-', as the server prints it); a text and a
binary dumper for ProductKey values; and the array type, product_key[], which
then loads as a list of ProductKey and dumps from a list of them.  Plain str
parameters are left as psycopg sends them (text mode: type unknown, which
the server casts to product_key itself).

The binary form is the server's (README, "How a key is stored"): each of the
25 symbols' rank in the alphabet "2346789BCDFGHJKMNPQRTVWXY" as 5 bits,
big-endian, first symbol first: 125 bits in 16 bytes, the last 3 bits zero.
The dumper accepts what the server's text input accepts (rule K1: blanks
around, either case, 25 symbols, hyphens after the 5th, 10th, 15th and 20th
symbols, all four or none, at most one N) and raises psycopg.DataError
otherwise; the loader refuses 16 bytes that encode no key the same way.
Tested by test/shell/drivers.sh.
"""

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.types import TypeInfo

__all__ = ["ProductKey", "register", "encode", "decode"]

ALPHABET = "2346789BCDFGHJKMNPQRTVWXY"
_RANK = {c: i for i, c in enumerate(ALPHABET)}
_RANK.update({c.lower(): i for c, i in list(_RANK.items()) if c.isalpha()})
SYMBOLS = 25
GROUP = 5
BYTES = 16
PAD_BITS = 8 * BYTES - 5 * SYMBOLS  # 3
_BLANKS = " \t\n\r\v\f"


class ProductKey(str):
    """A product key's text; what the loaders return and the dumpers send."""

    __slots__ = ()


def _ranks(text):
    """The 25 ranks of a key's text, checked as the server's input checks it."""
    s = text.strip(_BLANKS)
    ranks = []
    hyphens = set()
    for c in s:
        r = _RANK.get(c)
        if r is not None:
            ranks.append(r)
        elif c == "-":
            n = len(ranks)
            if n == 0 or n % GROUP or n >= SYMBOLS or n in hyphens:
                raise psycopg.DataError(
                    f'invalid input syntax for type product_key: "{text}"'
                    " (a hyphen out of place)")
            hyphens.add(n)
        else:
            raise psycopg.DataError(
                f'invalid input syntax for type product_key: "{text}"'
                f" (character {c!r} is not allowed)")
    if len(ranks) != SYMBOLS:
        raise psycopg.DataError(
            f'invalid input syntax for type product_key: "{text}"'
            f" ({len(ranks)} symbols, not {SYMBOLS})")
    if hyphens and len(hyphens) != SYMBOLS // GROUP - 1:
        raise psycopg.DataError(
            f'invalid input syntax for type product_key: "{text}"'
            " (some groups separated by hyphens, not all)")
    if ranks.count(_RANK["N"]) > 1:
        raise psycopg.DataError(
            f'invalid input syntax for type product_key: "{text}"'
            " (more than one N)")
    return ranks


def encode(text):
    """A key's text to its 16-byte binary form."""
    v = 0
    for r in _ranks(text):
        v = (v << 5) | r
    return (v << PAD_BITS).to_bytes(BYTES, "big")


def decode(data):
    """The 16-byte binary form to the key's canonical text."""
    data = bytes(data)
    if len(data) != BYTES:
        raise psycopg.DataError(
            f"invalid binary product_key: {len(data)} bytes, not {BYTES}")
    v = int.from_bytes(data, "big")
    if v & ((1 << PAD_BITS) - 1):
        raise psycopg.DataError("invalid binary product_key: padding bits set")
    v >>= PAD_BITS
    ranks = [(v >> (5 * (SYMBOLS - 1 - i))) & 31 for i in range(SYMBOLS)]
    if max(ranks) >= len(ALPHABET) or ranks.count(_RANK["N"]) > 1:
        raise psycopg.DataError("invalid binary product_key: no key has these bytes")
    s = "".join(ALPHABET[r] for r in ranks)
    return ProductKey("-".join(s[i:i + GROUP] for i in range(0, SYMBOLS, GROUP)))


def _canonical(text):
    """A key's text in the server's output form (what text mode returns)."""
    return decode(encode(text))


class _TextLoader(Loader):
    def load(self, data):
        return ProductKey(bytes(data).decode("ascii"))


class _BinaryLoader(Loader):
    format = psycopg.pq.Format.BINARY

    def load(self, data):
        return decode(data)


class _TextDumper(Dumper):
    def dump(self, obj):
        return _canonical(obj).encode("ascii")


class _BinaryDumper(Dumper):
    format = psycopg.pq.Format.BINARY

    def dump(self, obj):
        return encode(obj)


def register(conn, name="por_partner.product_key"):
    """Register the adapters of product_key and product_key[] on conn.

    Returns the TypeInfo (oid, array_oid) of the type in conn's database."""
    info = TypeInfo.fetch(conn, name)
    if info is None:
        raise psycopg.ProgrammingError(f"type {name} not found")
    info.register(conn)  # the type and its array: lists load and dump
    adapters = conn.adapters
    adapters.register_loader(info.oid, _TextLoader)
    adapters.register_loader(info.oid, _BinaryLoader)
    adapters.register_dumper(ProductKey, type("ProductKeyDumper", (_TextDumper,), {"oid": info.oid}))
    adapters.register_dumper(ProductKey, type("ProductKeyBinaryDumper", (_BinaryDumper,), {"oid": info.oid}))
    return info
