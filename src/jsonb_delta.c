/*-------------------------------------------------------------------------
 *
 * jsonb_delta.c
 *	  What an UPDATE took away, for the audit trail: the pairs of a row's old
 *	  JSON object whose key the new object lacks or holds with another value.
 *
 * The audit trigger (audit_row(), sql/95_audit/code.sql) stores of an
 * UPDATE only the old values of the columns it changed; view audit_log
 * rebuilds the rows before and after from them.  In SQL the difference is a
 * query over jsonb_each() on every audited UPDATE; here it is one pass over
 * the old object, a lookup of each key in the new one (keys of a jsonb
 * object are sorted: a binary search) and jsonb's own equality, the one of
 * IS DISTINCT FROM on jsonb values (numbers compare as numbers).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(por_partner_jsonb_delta);

/* whether two values of jsonb objects are equal as jsonb values */
static bool
jsonb_values_equal(JsonbValue *a, JsonbValue *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case jbvNull:
			return true;
		case jbvBool:
			return a->val.boolean == b->val.boolean;
		case jbvString:
			return a->val.string.len == b->val.string.len &&
				memcmp(a->val.string.val, b->val.string.val, a->val.string.len) == 0;
		case jbvNumeric:
			return DatumGetBool(DirectFunctionCall2(numeric_eq,
													NumericGetDatum(a->val.numeric),
													NumericGetDatum(b->val.numeric)));
		case jbvBinary:
			return compareJsonbContainers(a->val.binary.data, b->val.binary.data) == 0;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) a->type);
	}
	return false;					/* keep the compiler quiet */
}

/*
 * jsonb_delta(old jsonb, new jsonb) RETURNS jsonb: the pairs of old whose
 * key new lacks or holds with another value; {} for none.  Both are objects
 * (to_jsonb() of a row); anything else is an error.
 */
Datum
por_partner_jsonb_delta(PG_FUNCTION_ARGS)
{
	Jsonb	   *old = PG_GETARG_JSONB_P(0);
	Jsonb	   *new = PG_GETARG_JSONB_P(1);
	JsonbParseState *state = NULL;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	key;
	JsonbValue	val;
	JsonbValue *res;

	if (!JB_ROOT_IS_OBJECT(old) || JB_ROOT_IS_SCALAR(old) ||
		!JB_ROOT_IS_OBJECT(new) || JB_ROOT_IS_SCALAR(new))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("jsonb_delta needs two JSON objects")));

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(&old->root);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		JsonbValue	other;

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &val, true);
		Assert(tok == WJB_VALUE);
		if (getKeyJsonValueFromContainer(&new->root, key.val.string.val, key.val.string.len, &other) != NULL &&
			jsonb_values_equal(&val, &other))
			continue;
		pushJsonbValue(&state, WJB_KEY, &key);
		pushJsonbValue(&state, WJB_VALUE, &val);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}
