/*-------------------------------------------------------------------------
 *
 * product_key.c
 *	  PostgreSQL glue for the product_key type (rule K1): I/O, binary I/O,
 *	  comparison, hashing, sort support, validation and masking.
 *
 * Parsing and formatting live in pk_codec.c; this file only turns codec
 * results into datums and errors.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/hyperloglog.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/sortsupport.h"

#include "product_key.h"

PG_MODULE_MAGIC;

/*
 * Soft errors (an escontext that collects the error instead of throwing it)
 * arrived in PostgreSQL 16.  Before that, every error is thrown.
 */
#if PG_VERSION_NUM < 160000
#define ereturn(context, dummy_value, ...) \
	do { \
		(void) (context); \
		ereport(ERROR, __VA_ARGS__); \
		return dummy_value; \
	} while (0)
#endif

#define PK_TYPE_NAME "product_key"
#define PK_HINT \
	"A product key has 25 symbols from \"" PK_ALPHABET "\" (at most one \"N\"), " \
	"in five groups of five, separated by hyphens or not at all."

/*
 * The input as an error message quotes it: the first PK_QUOTE_CHARS
 * characters and "..." when it is longer, so that a megabyte of input is
 * never echoed back.  input must be NUL-terminated at len.
 */
#define PK_QUOTE_CHARS 60

static const char *
product_key_quote(const char *input, size_t len)
{
	int			cut;

	if (len <= PK_QUOTE_CHARS)
		return input;
	cut = pg_mbcharcliplen(input, (int) Min(len, (size_t) PG_INT32_MAX), PK_QUOTE_CHARS);
	if ((size_t) cut >= len)
		return input;
	return psprintf("%.*s...", cut, input);
}

/*
 * Parse a key, reporting a malformed one through escontext (or by throwing
 * when escontext is NULL or not a soft-error context).  input is what the
 * user wrote, quoted in the message; it must be NUL-terminated at len.
 */
static bool
product_key_parse(const char *input, size_t len, ProductKey *result,
				  Node *escontext)
{
	pk_error	err;
	char	   *ch;
	int			chlen;
	int			pos;
	const char *shown;

	if (likely(pk_parse(input, len, result->data, &err) == PK_OK))
		return true;

	/* the message quotes the input, but never more than PK_QUOTE_CHARS of it */
	shown = product_key_quote(input, len);

	switch (err.status)
	{
		case PK_BAD_CHAR:
		case PK_BAD_HYPHEN:
			/* position in characters, 1-based; the character as written */
			pos = pg_mbstrlen_with_len(input, (int) err.offset) + 1;
			chlen = pg_mblen(input + err.offset);
			ch = pnstrdup(input + err.offset, chlen);
			if (err.status == PK_BAD_CHAR)
				ereturn(escontext, false,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid input syntax for type %s: \"%s\"",
								PK_TYPE_NAME, shown),
						 errdetail("Character \"%s\" at position %d is not allowed in a product key.",
								   ch, pos),
						 errhint(PK_HINT)));
			ereturn(escontext, false,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"",
							PK_TYPE_NAME, shown),
					 errdetail("The hyphen at position %d is misplaced: hyphens may only separate groups of five symbols.",
							   pos),
					 errhint(PK_HINT)));
		case PK_BAD_LENGTH:
			ereturn(escontext, false,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"",
							PK_TYPE_NAME, shown),
					 errdetail_plural("A product key has 25 symbols, but this input has %d.",
									  "A product key has 25 symbols, but this input has %d.",
									  err.count, err.count),
					 errhint(PK_HINT)));
		case PK_MIXED_HYPHENS:
			ereturn(escontext, false,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"",
							PK_TYPE_NAME, shown),
					 errdetail("Hyphens must separate all five groups or none, but the one after symbol %d is missing.",
							   err.count),
					 errhint(PK_HINT)));
		case PK_TOO_MANY_N:
			ereturn(escontext, false,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"",
							PK_TYPE_NAME, shown),
					 errdetail("A product key may contain at most one \"N\", but this one has %d.",
							   err.count),
					 errhint(PK_HINT)));
		case PK_OK:
			break;
	}
	pg_unreachable();
	return false;
}

static inline ProductKey *
product_key_alloc(void)
{
	return (ProductKey *) palloc(sizeof(ProductKey));
}

static inline text *
product_key_to_text_internal(const ProductKey *key)
{
	char		buf[PK_TEXT_LEN + 1];

	pk_format(key->data, buf);
	return cstring_to_text_with_len(buf, PK_TEXT_LEN);
}

PG_FUNCTION_INFO_V1(product_key_in);
Datum
product_key_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	ProductKey *result = product_key_alloc();

	if (!product_key_parse(str, strlen(str), result, fcinfo->context))
		PG_RETURN_NULL();
	PG_RETURN_PRODUCT_KEY_P(result);
}

PG_FUNCTION_INFO_V1(product_key_out);
Datum
product_key_out(PG_FUNCTION_ARGS)
{
	ProductKey *key = PG_GETARG_PRODUCT_KEY_P(0);
	char	   *buf = palloc(PK_TEXT_LEN + 1);

	pk_format(key->data, buf);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(product_key_recv);
Datum
product_key_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	ProductKey *result = product_key_alloc();
	int			left = buf->len - buf->cursor;

	if (left != PK_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external product_key value"),
				 errdetail_plural("A product_key is %d bytes in binary form, but %d byte came.",
								  "A product_key is %d bytes in binary form, but %d bytes came.",
								  left, PK_BYTES, left)));
	memcpy(result->data, pq_getmsgbytes(buf, PK_BYTES), PK_BYTES);
	if (!pk_bytes_valid(result->data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external product_key value"),
				 errdetail("The 16 bytes do not encode 25 symbols with at most one \"N\".")));
	PG_RETURN_PRODUCT_KEY_P(result);
}

PG_FUNCTION_INFO_V1(product_key_send);
Datum
product_key_send(PG_FUNCTION_ARGS)
{
	ProductKey *key = PG_GETARG_PRODUCT_KEY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) key->data, PK_BYTES);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* text -> product_key, the cast; parses the text in place */
PG_FUNCTION_INFO_V1(product_key_from_text);
Datum
product_key_from_text(PG_FUNCTION_ARGS)
{
	text	   *txt = PG_GETARG_TEXT_PP(0);
	ProductKey *result = product_key_alloc();
	size_t		len = VARSIZE_ANY_EXHDR(txt);

	if (unlikely(pk_parse(VARDATA_ANY(txt), len, result->data, NULL) != PK_OK))
	{
		/* slow path: rerun with a NUL-terminated copy for the message */
		(void) product_key_parse(text_to_cstring(txt), len, result, NULL);
	}
	PG_RETURN_PRODUCT_KEY_P(result);
}

PG_FUNCTION_INFO_V1(product_key_to_text);
Datum
product_key_to_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(product_key_to_text_internal(PG_GETARG_PRODUCT_KEY_P(0)));
}

PG_FUNCTION_INFO_V1(product_key_is_valid);
Datum
product_key_is_valid(PG_FUNCTION_ARGS)
{
	text	   *txt = PG_GETARG_TEXT_PP(0);
	uint8		scratch[PK_BYTES];

	PG_RETURN_BOOL(pk_parse(VARDATA_ANY(txt), VARSIZE_ANY_EXHDR(txt),
							scratch, NULL) == PK_OK);
}

PG_FUNCTION_INFO_V1(product_key_mask);
Datum
product_key_mask(PG_FUNCTION_ARGS)
{
	ProductKey *key = PG_GETARG_PRODUCT_KEY_P(0);
	char		buf[PK_TEXT_LEN + 1];

	pk_format_masked(key->data, buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, PK_TEXT_LEN));
}

/*
 * Comparison: memcmp of the packed ranks is the "C" order of the canonical
 * text (see pk_codec.h).
 */
static inline int
product_key_cmp_internal(const ProductKey *a, const ProductKey *b)
{
	return memcmp(a->data, b->data, PK_BYTES);
}

#define PK_CMP_FUNC(name, op) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BOOL(product_key_cmp_internal(PG_GETARG_PRODUCT_KEY_P(0), \
											PG_GETARG_PRODUCT_KEY_P(1)) op 0); \
}

PK_CMP_FUNC(product_key_eq, ==)
PK_CMP_FUNC(product_key_ne, !=)
PK_CMP_FUNC(product_key_lt, <)
PK_CMP_FUNC(product_key_le, <=)
PK_CMP_FUNC(product_key_gt, >)
PK_CMP_FUNC(product_key_ge, >=)

PG_FUNCTION_INFO_V1(product_key_cmp);
Datum
product_key_cmp(PG_FUNCTION_ARGS)
{
	int			c = product_key_cmp_internal(PG_GETARG_PRODUCT_KEY_P(0),
												 PG_GETARG_PRODUCT_KEY_P(1));

	PG_RETURN_INT32((c > 0) - (c < 0));
}

PG_FUNCTION_INFO_V1(product_key_hash);
Datum
product_key_hash(PG_FUNCTION_ARGS)
{
	ProductKey *key = PG_GETARG_PRODUCT_KEY_P(0);

	return hash_any(key->data, PK_BYTES);
}

PG_FUNCTION_INFO_V1(product_key_hash_extended);
Datum
product_key_hash_extended(PG_FUNCTION_ARGS)
{
	ProductKey *key = PG_GETARG_PRODUCT_KEY_P(0);

	return hash_any_extended(key->data, PK_BYTES, PG_GETARG_INT64(1));
}

/*
 * Sort support.  The abbreviated key is the first sizeof(Datum) bytes of
 * the value, read big-endian, so that comparing abbreviations as unsigned
 * integers agrees with memcmp.  As in core's uuid, abbreviation is dropped
 * when a HyperLogLog estimate shows the prefixes are not distinct enough.
 */
typedef struct
{
	int64		input_count;
	bool		estimating;
	hyperLogLogState abbr_card;
} product_key_sortsupport_state;

static int
product_key_fast_cmp(Datum x, Datum y, SortSupport ssup)
{
	return product_key_cmp_internal(DatumGetProductKeyP(x),
									DatumGetProductKeyP(y));
}

static int
product_key_abbrev_cmp(Datum x, Datum y, SortSupport ssup)
{
	if (x > y)
		return 1;
	if (x < y)
		return -1;
	return 0;
}

static Datum
product_key_abbrev_convert(Datum original, SortSupport ssup)
{
	product_key_sortsupport_state *st = ssup->ssup_extra;
	ProductKey *key = DatumGetProductKeyP(original);
	Datum		res;

	memcpy(&res, key->data, sizeof(Datum));
	st->input_count++;
	if (st->estimating)
	{
		uint32		tmp;

#if SIZEOF_DATUM == 8
		tmp = (uint32) res ^ (uint32) ((uint64) res >> 32);
#else
		tmp = (uint32) res;
#endif
		addHyperLogLog(&st->abbr_card, DatumGetUInt32(hash_uint32(tmp)));
	}
	return DatumBigEndianToNative(res);
}

static bool
product_key_abbrev_abort(int memtupcount, SortSupport ssup)
{
	product_key_sortsupport_state *st = ssup->ssup_extra;
	double		abbr_card;

	if (memtupcount < 10000 || st->input_count < 10000 || !st->estimating)
		return false;

	abbr_card = estimateHyperLogLog(&st->abbr_card);

	/* plenty of distinct prefixes: stop paying for the estimate */
	if (abbr_card > 100000.0)
	{
		st->estimating = false;
		return false;
	}
	/* too few distinct prefixes for abbreviation to pay off */
	if (abbr_card < st->input_count / 2000.0 + 0.5)
		return true;
	return false;
}

PG_FUNCTION_INFO_V1(product_key_sortsupport);
Datum
product_key_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = product_key_fast_cmp;
	ssup->ssup_extra = NULL;

	if (ssup->abbreviate)
	{
		product_key_sortsupport_state *st;
		MemoryContext oldcontext;

		oldcontext = MemoryContextSwitchTo(ssup->ssup_cxt);
		st = palloc(sizeof(product_key_sortsupport_state));
		st->input_count = 0;
		st->estimating = true;
		initHyperLogLog(&st->abbr_card, 10);
		ssup->ssup_extra = st;
		ssup->comparator = product_key_abbrev_cmp;
		ssup->abbrev_converter = product_key_abbrev_convert;
		ssup->abbrev_abort = product_key_abbrev_abort;
		ssup->abbrev_full_comparator = product_key_fast_cmp;
		MemoryContextSwitchTo(oldcontext);
	}
	PG_RETURN_VOID();
}
