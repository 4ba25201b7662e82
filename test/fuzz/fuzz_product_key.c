/*
 * libFuzzer target for the product key codec (src/pk_codec.c), rule K1.
 *
 * For any input:
 *	- the parser agrees with an independent reference validator written from
 *	  the rule's text, on acceptance and on the reason for rejection;
 *	- an accepted key formats to canonical text (upper case, hyphens after
 *	  every fifth symbol) that re-parses to the same 16 bytes, and those bytes
 *	  pass the binary-input check;
 *	- 16 raw bytes that pass the binary-input check format to text that
 *	  parses back to the same bytes (decode(encode(x)) == x), and the order
 *	  of two such values by memcmp equals the order of their texts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pk_codec.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); \
			abort(); \
		} \
	} while (0)

static int
ref_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int
ref_is_symbol(int c)
{
	if (c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	return c != 0 && strchr(PK_ALPHABET, c) != NULL;
}

/*
 * The rule, written plainly: trim; every character a symbol or a hyphen;
 * 25 symbols; hyphens either absent or exactly at text positions 5, 11, 17
 * and 23; at most one N.  Returns the status pk_parse should report.
 */
static pk_status
ref_validate(const uint8_t *s, size_t len)
{
	size_t		a = 0,
				b = len,
				i;
	int			nsym = 0,
				nn = 0,
				nhyph = 0;

	while (a < b && ref_is_space(s[a]))
		a++;
	while (b > a && ref_is_space(s[b - 1]))
		b--;
	for (i = a; i < b; i++)
	{
		if (s[i] == '-')
			nhyph++;
		else if (ref_is_symbol(s[i]))
		{
			nsym++;
			if (s[i] == 'N' || s[i] == 'n')
				nn++;
		}
		else
			return PK_BAD_CHAR;
	}
	if (nsym != 25)
		return PK_BAD_LENGTH;
	if (nhyph > 0)
	{
		int			well_placed = 0;
		int			sym_before = 0;

		for (i = a; i < b; i++)
		{
			if (s[i] != '-')
			{
				sym_before++;
				continue;
			}
			/* after 5, 10, 15 or 20 symbols, not right after another hyphen */
			if (sym_before % 5 != 0 || sym_before == 0 || sym_before == 25 ||
				(i > a && s[i - 1] == '-'))
				return PK_BAD_HYPHEN;
			well_placed++;
		}
		if (well_placed != 4)
			return PK_MIXED_HYPHENS;
	}
	if (nn > 1)
		return PK_TOO_MANY_N;
	return PK_OK;
}

static void
check_canonical(const char *t)
{
	int			i;

	CHECK(strlen(t) == PK_TEXT_LEN);
	for (i = 0; i < PK_TEXT_LEN; i++)
	{
		if (i % 6 == 5)
			CHECK(t[i] == '-');
		else
			CHECK(strchr(PK_ALPHABET, t[i]) != NULL && t[i] != '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		key[PK_BYTES];
	uint8_t		again[PK_BYTES];
	char		text[PK_TEXT_LEN + 1];
	char		masked[PK_TEXT_LEN + 1];
	pk_error	err;
	pk_status	st;

	/* the input as text */
	st = pk_parse((const char *) data, size, key, &err);
	CHECK(st == err.status);
	CHECK(st == ref_validate(data, size));
	if (st == PK_BAD_CHAR || st == PK_BAD_HYPHEN)
		CHECK(err.offset < size);
	if (st == PK_OK)
	{
		CHECK(pk_bytes_valid(key));
		pk_format(key, text);
		check_canonical(text);
		CHECK(pk_parse(text, PK_TEXT_LEN, again, NULL) == PK_OK);
		CHECK(memcmp(key, again, PK_BYTES) == 0);
		pk_format_masked(key, masked);
		CHECK(memcmp(masked, "XXXXX-XXXXX-XXXXX-XXXXX-", 24) == 0);
		CHECK(memcmp(masked + 24, text + 24, 6) == 0);
	}

	/* the input as stored bytes: two values, to check order too */
	if (size >= 2 * PK_BYTES)
	{
		const uint8_t *x = data;
		const uint8_t *y = data + PK_BYTES;

		if (pk_bytes_valid(x) && pk_bytes_valid(y))
		{
			char		tx[PK_TEXT_LEN + 1];
			char		ty[PK_TEXT_LEN + 1];
			int			cb,
						ct;

			pk_format(x, tx);
			pk_format(y, ty);
			check_canonical(tx);
			CHECK(pk_parse(tx, PK_TEXT_LEN, again, NULL) == PK_OK);
			CHECK(memcmp(x, again, PK_BYTES) == 0);
			cb = memcmp(x, y, PK_BYTES);
			ct = strcmp(tx, ty);
			CHECK((cb > 0) == (ct > 0) && (cb < 0) == (ct < 0));
		}
	}
	return 0;
}
