/*-------------------------------------------------------------------------
 *
 * product_key.h
 *	  The product_key type's in-memory form and fmgr macros.
 *
 *-------------------------------------------------------------------------
 */
#ifndef POR_PARTNER_PRODUCT_KEY_H
#define POR_PARTNER_PRODUCT_KEY_H

#include "pk_codec.h"

/* a fixed-length, pass-by-reference, char-aligned 16-byte datum */
typedef struct ProductKey
{
	uint8		data[PK_BYTES];
} ProductKey;

#define DatumGetProductKeyP(X)		((ProductKey *) DatumGetPointer(X))
#define ProductKeyPGetDatum(X)		PointerGetDatum(X)
#define PG_GETARG_PRODUCT_KEY_P(n)	DatumGetProductKeyP(PG_GETARG_DATUM(n))
#define PG_RETURN_PRODUCT_KEY_P(x)	return ProductKeyPGetDatum(x)

#endif							/* POR_PARTNER_PRODUCT_KEY_H */
