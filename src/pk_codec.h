/*-------------------------------------------------------------------------
 *
 * pk_codec.h
 *	  Parser and encoder for Microsoft 365 product keys (rule K1).
 *
 * Plain C, no PostgreSQL headers, so that it can be fuzzed and unit-tested
 * on its own.  A key is 25 symbols from the 25-letter alphabet
 * "BCDFGHJKMNPQRTVWXY2346789", at most one of them "N".  It is stored in
 * PK_BYTES bytes: each symbol's rank in the alphabet sorted in "C" order
 * ("2346789BCDFGHJKMNPQRTVWXY") packed as 5 bits, big-endian, first symbol
 * first, the last 3 bits zero.  So memcmp() on the bytes orders keys exactly
 * as their canonical text sorts under the "C" collation.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PK_CODEC_H
#define PK_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define PK_BYTES		16		/* stored size */
#define PK_SYMBOLS		25		/* symbols in a key */
#define PK_GROUP		5		/* symbols in a group */
#define PK_TEXT_LEN		29		/* canonical text: 25 symbols, 4 hyphens */
#define PK_ALPHABET		"BCDFGHJKMNPQRTVWXY2346789"

/* Why an input was rejected; PK_OK when it was not. */
typedef enum pk_status
{
	PK_OK = 0,
	PK_BAD_CHAR,				/* a character outside the alphabet */
	PK_BAD_LENGTH,				/* not 25 symbols */
	PK_BAD_HYPHEN,				/* a hyphen not between two groups */
	PK_MIXED_HYPHENS,			/* hyphens between some groups only */
	PK_TOO_MANY_N				/* more than one "N" */
} pk_status;

/*
 * Where and what: for PK_BAD_CHAR and PK_BAD_HYPHEN, offset is the byte
 * offset of the offending character in the input as given (before trimming);
 * for PK_BAD_LENGTH and PK_TOO_MANY_N, count is the number of symbols or of
 * "N"s found.
 */
typedef struct pk_error
{
	pk_status	status;
	size_t		offset;
	int			count;
} pk_error;

/*
 * Parse len bytes at str (need not be NUL-terminated).  On success fill
 * out[PK_BYTES] and return PK_OK; otherwise fill *err (if not NULL) and
 * return the reason.  Never reads past str + len.
 */
extern pk_status pk_parse(const char *str, size_t len, uint8_t *out,
						  pk_error *err);

/* Write the canonical text (PK_TEXT_LEN chars plus a NUL) of a valid key. */
extern void pk_format(const uint8_t *key, char *out);

/* Write "XXXXX-XXXXX-XXXXX-XXXXX-" and the last group, plus a NUL. */
extern void pk_format_masked(const uint8_t *key, char *out);

/*
 * Is this a valid stored representation (every 5-bit rank below 25, padding
 * zero, at most one "N")?  Used to check binary input.
 */
extern int	pk_bytes_valid(const uint8_t *key);

#endif							/* PK_CODEC_H */
