/*-------------------------------------------------------------------------
 *
 * phase.c
 *	  subscription_phase(expires_on date, as_of date): where a subscription
 *	  stands in its lifecycle on a day (rules R5, R6); and
 *	  subscription_phase_start(phase): the day after expiry a phase begins.
 *
 * expires_on is the first day the term no longer covers.  Days since it:
 * before 0 active; 0-29 expired (grace, R5); 30-119 disabled (data kept,
 * R6); 120 and later deprovisioned.  Infinite dates: a term that never ends
 * (expires_on = infinity) is always active; one that ended before time
 * began (-infinity) is always deprovisioned; otherwise as_of = -infinity is
 * before any finite expiry and as_of = infinity after every one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"

#define PHASE_EXPIRED_DAYS		0
#define PHASE_DISABLED_DAYS		30
#define PHASE_DEPROVISIONED_DAYS 120

typedef enum
{
	PHASE_ACTIVE,
	PHASE_EXPIRED,
	PHASE_DISABLED,
	PHASE_DEPROVISIONED,
	PHASE_COUNT
} Phase;

static const char *const phase_label[PHASE_COUNT] = {
	"active", "expired", "disabled", "deprovisioned"
};

static Phase
phase_of(DateADT expires_on, DateADT as_of)
{
	int64		days;

	if (DATE_IS_NOEND(expires_on))
		return PHASE_ACTIVE;
	if (DATE_IS_NOBEGIN(expires_on))
		return PHASE_DEPROVISIONED;
	if (DATE_IS_NOBEGIN(as_of))
		return PHASE_ACTIVE;
	if (DATE_IS_NOEND(as_of))
		return PHASE_DEPROVISIONED;

	days = (int64) as_of - (int64) expires_on;
	if (days < PHASE_EXPIRED_DAYS)
		return PHASE_ACTIVE;
	if (days < PHASE_DISABLED_DAYS)
		return PHASE_EXPIRED;
	if (days < PHASE_DEPROVISIONED_DAYS)
		return PHASE_DISABLED;
	return PHASE_DEPROVISIONED;
}

/*
 * The enum's values are looked up once per call site (fn_extra), by label,
 * in the function's declared result type (the extension's enum).
 */
PG_FUNCTION_INFO_V1(por_partner_subscription_phase);
Datum
por_partner_subscription_phase(PG_FUNCTION_ARGS)
{
	Datum	   *values = (Datum *) fcinfo->flinfo->fn_extra;
	Phase		phase = phase_of(PG_GETARG_DATEADT(0), PG_GETARG_DATEADT(1));

	if (values == NULL)
	{
		Oid			enumtype = get_func_rettype(fcinfo->flinfo->fn_oid);
		int			i;

		values = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(Datum) * PHASE_COUNT);
		for (i = 0; i < PHASE_COUNT; i++)
			values[i] = DirectFunctionCall2(enum_in, CStringGetDatum(phase_label[i]),
											ObjectIdGetDatum(enumtype));
		fcinfo->flinfo->fn_extra = values;
	}
	return values[phase];
}

/*
 * subscription_phase_start(phase): the day, counted from expires_on, on which
 * a subscription enters the phase: 0 expired, 30 disabled, 120 deprovisioned
 * (rules R5, R6); null for active, which ends there instead.  The lifecycle's
 * day counts are written here only; the SQL that needs them asks.
 */
PG_FUNCTION_INFO_V1(por_partner_subscription_phase_start);
Datum
por_partner_subscription_phase_start(PG_FUNCTION_ARGS)
{
	static const int start_day[PHASE_COUNT] = {
		0, PHASE_EXPIRED_DAYS, PHASE_DISABLED_DAYS, PHASE_DEPROVISIONED_DAYS
	};
	char	   *label = DatumGetCString(DirectFunctionCall1(enum_out, PG_GETARG_DATUM(0)));
	int			i;

	for (i = 0; i < PHASE_COUNT; i++)
	{
		if (strcmp(label, phase_label[i]) == 0)
		{
			if (i == PHASE_ACTIVE)
				PG_RETURN_NULL();
			PG_RETURN_INT32(start_day[i]);
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown subscription phase \"%s\"", label)));
	PG_RETURN_NULL();			/* keep the compiler quiet */
}
