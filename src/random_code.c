/*-------------------------------------------------------------------------
 *
 * random_code.c
 *	  Unguessable codes for trial invitation and purchase offer URLs
 *	  (rules A4, A5): 128 bits from the operating system's strong random
 *	  source, as 32 lower-case hex digits.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#define RANDOM_CODE_BYTES 16

PG_FUNCTION_INFO_V1(por_partner_random_code);
Datum
por_partner_random_code(PG_FUNCTION_ARGS)
{
	static const char hex[] = "0123456789abcdef";
	uint8		bytes[RANDOM_CODE_BYTES];
	char		out[2 * RANDOM_CODE_BYTES];
	int			i;

	if (!pg_strong_random(bytes, sizeof(bytes)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random code"),
				 errhint("Check the server's source of random numbers.")));
	for (i = 0; i < RANDOM_CODE_BYTES; i++)
	{
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 0x0f];
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, sizeof(out)));
}
