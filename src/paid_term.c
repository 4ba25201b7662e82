/*-------------------------------------------------------------------------
 *
 * paid_term.c
 *	  The paid term of a product that a new or changed term would overlap
 *	  (rules R3, R4), found as of now rather than as of the transaction's
 *	  snapshot.
 *
 * A customer has one paid subscription of a product on any day.  The rule
 * is held by the subscription trigger (subscription_check): it locks the
 * tenant's row (FOR NO KEY UPDATE), so that two transactions writing paid
 * terms of one tenant take turns, and then looks for a paid term of the same
 * product that overlaps.  Under READ COMMITTED each statement of the trigger
 * sees what committed before it, so the second writer, once it has the lock,
 * sees the first's term.  Under REPEATABLE READ and SERIALIZABLE the
 * trigger's queries see the transaction's snapshot, taken before the first
 * writer committed: the look must not use it.  This function runs the look
 * with the latest snapshot, as PostgreSQL's own foreign-key checks do for
 * the same reason, and so sees every term committed by then, also those the
 * transaction's snapshot does not show.
 *
 * (An exclusion constraint would hold the rule as well, but its GiST index
 * costs 125 bytes a subscription, 40% of all a subscription takes; the index
 * the look uses, on tenant_id, is there anyway.)
 *
 * The caller must hold the tenant's row lock; the function is internal (no
 * privilege for PUBLIC): it reads every partner's subscriptions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

/* the look's plan, kept for the backend's life (revalidated on DDL) */
static SPIPlanPtr overlap_plan = NULL;

/*
 * The look, in the schema of the table whose row type the function returns
 * (the extension's schema, wherever it was installed).
 */
static SPIPlanPtr
prepare_overlap_plan(Oid rettype)
{
	Oid			rel;
	char	   *nsp;
	StringInfoData q;
	Oid			argtypes[5] = {INT8OID, TEXTOID, DATEOID, DATEOID, INT8OID};
	SPIPlanPtr	plan;

	rel = get_typ_typrelid(rettype);
	nsp = OidIsValid(rel) ? get_namespace_name(get_rel_namespace(rel)) : NULL;
	if (nsp == NULL)
		elog(ERROR, "paid_term_overlap must return the row type of table subscription");
	nsp = pstrdup(quote_identifier(nsp));

	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT s FROM %s.subscription s"
					 " WHERE s.tenant_id OPERATOR(pg_catalog.=) $1 AND s.sku_code OPERATOR(pg_catalog.=) $2"
					 "   AND s.billing OPERATOR(pg_catalog.<>) 'trial'"
					 "   AND s.starts_on OPERATOR(pg_catalog.<) $4 AND s.expires_on OPERATOR(pg_catalog.>) $3"
					 "   AND (s.subscription_id OPERATOR(pg_catalog.<>) $5 OR $5 IS NULL)"
					 " ORDER BY s.starts_on LIMIT 1",
					 nsp);
	plan = SPI_prepare(q.data, 5, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

/*
 * paid_term_overlap(tenant_id bigint, sku_code text, starts_on date,
 *                   expires_on date, self bigint) RETURNS subscription
 *
 * The earliest paid (not trial) subscription of the tenant and product,
 * other than self, whose term [starts_on, expires_on) overlaps the one
 * given, as committed now; null when there is none.  STRICT but for self
 * (null for a row not yet numbered).
 */
PG_FUNCTION_INFO_V1(por_partner_paid_term_overlap);
Datum
por_partner_paid_term_overlap(PG_FUNCTION_ARGS)
{
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	Datum		result = (Datum) 0;
	bool		isnull = true;
	int			i;
	int			rc;

	for (i = 0; i < 4; i++)
	{
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();
		values[i] = PG_GETARG_DATUM(i);
	}
	values[4] = PG_ARGISNULL(4) ? (Datum) 0 : PG_GETARG_DATUM(4);
	if (PG_ARGISNULL(4))
		nulls[4] = 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (overlap_plan == NULL)
		overlap_plan = prepare_overlap_plan(get_fn_expr_rettype(fcinfo->flinfo));

	/*
	 * The latest snapshot, after a command counter increment so that it shows
	 * this transaction's own writes up to now (the rows of the statement that
	 * fired the trigger too), as ri_triggers.c does for REPEATABLE READ.
	 */
	CommandCounterIncrement();
	rc = SPI_execute_snapshot(overlap_plan, values, nulls,
							  GetLatestSnapshot(), InvalidSnapshot,
							  true, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot returned %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull)
			result = SPI_datumTransfer(result, false, -1);
	}
	SPI_finish();

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
