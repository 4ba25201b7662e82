/*-------------------------------------------------------------------------
 *
 * pk_codec.c
 *	  Parser and encoder for Microsoft 365 product keys (rule K1).
 *
 * See pk_codec.h for the representation.  No PostgreSQL headers here.
 *
 *-------------------------------------------------------------------------
 */
#include "pk_codec.h"

#include <string.h>

/* The alphabet in "C" collation order; a symbol's index here is its rank. */
static const char pk_sorted[] = "2346789BCDFGHJKMNPQRTVWXY";

#define PK_RANK_N	16			/* rank of "N" in pk_sorted */
#define PK_PAD_BITS 3			/* 128 - 25 * 5 */

/* rank + 1 of each byte that is a symbol (either case); 0 for the rest */
static const uint8_t pk_rank1[256] = {
	['2'] = 1,
	['3'] = 2,
	['4'] = 3,
	['6'] = 4,
	['7'] = 5,
	['8'] = 6,
	['9'] = 7,
	['B'] = 8, ['b'] = 8,
	['C'] = 9, ['c'] = 9,
	['D'] = 10, ['d'] = 10,
	['F'] = 11, ['f'] = 11,
	['G'] = 12, ['g'] = 12,
	['H'] = 13, ['h'] = 13,
	['J'] = 14, ['j'] = 14,
	['K'] = 15, ['k'] = 15,
	['M'] = 16, ['m'] = 16,
	['N'] = 17, ['n'] = 17,
	['P'] = 18, ['p'] = 18,
	['Q'] = 19, ['q'] = 19,
	['R'] = 20, ['r'] = 20,
	['T'] = 21, ['t'] = 21,
	['V'] = 22, ['v'] = 22,
	['W'] = 23, ['w'] = 23,
	['X'] = 24, ['x'] = 24,
	['Y'] = 25, ['y'] = 25,
};

static inline int
pk_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\v' || c == '\f';
}

pk_status
pk_parse(const char *str, size_t len, uint8_t *out, pk_error *err)
{
	const unsigned char *s = (const unsigned char *) str;
	size_t		start = 0;
	size_t		end = len;
	size_t		p;
	uint64_t	hi = 0;
	uint64_t	lo = 0;
	int			nsym = 0;
	int			nn = 0;
	int			boundary[PK_SYMBOLS / PK_GROUP - 1] = {0};
	int			nboundary = 0;
	size_t		bad_hyphen = (size_t) -1;
	pk_error	dummy;
	int			i;

	if (err == NULL)
		err = &dummy;
	err->status = PK_OK;
	err->offset = 0;
	err->count = 0;

	while (start < end && pk_is_space(s[start]))
		start++;
	while (end > start && pk_is_space(s[end - 1]))
		end--;

	for (p = start; p < end; p++)
	{
		unsigned char c = s[p];
		int			r1 = pk_rank1[c];

		if (r1 != 0)
		{
			if (nsym < PK_SYMBOLS)
			{
				hi = (hi << 5) | (lo >> 59);
				lo = (lo << 5) | (uint64_t) (r1 - 1);
			}
			nsym++;
			if (r1 - 1 == PK_RANK_N)
				nn++;
		}
		else if (c == '-')
		{
			/* a hyphen may only follow symbol 5, 10, 15 or 20, once */
			if (nsym == 0 || nsym % PK_GROUP != 0 || nsym >= PK_SYMBOLS ||
				boundary[nsym / PK_GROUP - 1])
			{
				if (bad_hyphen == (size_t) -1)
					bad_hyphen = p;
			}
			else
			{
				boundary[nsym / PK_GROUP - 1] = 1;
				nboundary++;
			}
		}
		else
		{
			err->status = PK_BAD_CHAR;
			err->offset = p;
			return PK_BAD_CHAR;
		}
	}

	if (nsym != PK_SYMBOLS)
	{
		err->status = PK_BAD_LENGTH;
		err->count = nsym;
		return PK_BAD_LENGTH;
	}
	if (bad_hyphen != (size_t) -1)
	{
		err->status = PK_BAD_HYPHEN;
		err->offset = bad_hyphen;
		return PK_BAD_HYPHEN;
	}
	if (nboundary != 0 && nboundary != PK_SYMBOLS / PK_GROUP - 1)
	{
		/* count: the symbol after which the first hyphen is missing */
		for (i = 0; boundary[i]; i++)
			;
		err->status = PK_MIXED_HYPHENS;
		err->count = (i + 1) * PK_GROUP;
		return PK_MIXED_HYPHENS;
	}
	if (nn > 1)
	{
		err->status = PK_TOO_MANY_N;
		err->count = nn;
		return PK_TOO_MANY_N;
	}

	/* 125 bits of ranks, left-aligned in 128 */
	hi = (hi << PK_PAD_BITS) | (lo >> (64 - PK_PAD_BITS));
	lo <<= PK_PAD_BITS;
	for (i = 0; i < 8; i++)
	{
		out[i] = (uint8_t) (hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t) (lo >> (56 - 8 * i));
	}
	return PK_OK;
}

/* Unpack the 25 ranks of a stored key, first symbol first. */
static void
pk_unpack(const uint8_t *key, uint8_t *ranks)
{
	uint64_t	hi = 0;
	uint64_t	lo = 0;
	int			i;

	for (i = 0; i < 8; i++)
	{
		hi = (hi << 8) | key[i];
		lo = (lo << 8) | key[8 + i];
	}
	lo = (lo >> PK_PAD_BITS) | (hi << (64 - PK_PAD_BITS));
	hi >>= PK_PAD_BITS;
	for (i = PK_SYMBOLS - 1; i >= 0; i--)
	{
		ranks[i] = (uint8_t) (lo & 31);
		lo = (lo >> 5) | (hi << 59);
		hi >>= 5;
	}
}

void
pk_format(const uint8_t *key, char *out)
{
	uint8_t		ranks[PK_SYMBOLS];
	int			i;
	int			o = 0;

	pk_unpack(key, ranks);
	for (i = 0; i < PK_SYMBOLS; i++)
	{
		if (i > 0 && i % PK_GROUP == 0)
			out[o++] = '-';
		out[o++] = pk_sorted[ranks[i] % 25];
	}
	out[o] = '\0';
}

void
pk_format_masked(const uint8_t *key, char *out)
{
	int			i;

	pk_format(key, out);
	memset(out, 'X', PK_TEXT_LEN - PK_GROUP);
	for (i = PK_GROUP; i < PK_TEXT_LEN - PK_GROUP; i += PK_GROUP + 1)
		out[i] = '-';
}

int
pk_bytes_valid(const uint8_t *key)
{
	uint8_t		ranks[PK_SYMBOLS];
	int			nn = 0;
	int			i;

	if ((key[PK_BYTES - 1] & ((1 << PK_PAD_BITS) - 1)) != 0)
		return 0;
	pk_unpack(key, ranks);
	for (i = 0; i < PK_SYMBOLS; i++)
	{
		if (ranks[i] >= 25)
			return 0;
		if (ranks[i] == PK_RANK_N)
			nn++;
	}
	return nn <= 1;
}
