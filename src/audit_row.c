/*-------------------------------------------------------------------------
 *
 * audit_row.c
 *	  The audit trail's trigger: a row of audit_change a change of an audited
 *	  table.
 *
 * The trigger of every audited table is audit_row(code, key columns...),
 * AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW, code the table's one-letter
 * code in por_partner_internal.audited_table.  It writes what audit_change
 * keeps of a change (reverse deltas): who (the calling role, and the partner
 * its login acts for), the table's code, the operation, the row's key (the
 * key columns' values as text, comma-separated) and, of the row itself,
 * nothing for an INSERT, the old values of the columns an UPDATE changed
 * (jsonb_delta()), the whole old row for a DELETE.
 *
 * It is C, not PL/pgSQL, because it runs on every audited write, twice a
 * subscription created (issue 13): one kept plan a table and operation, its
 * statement an INSERT whose values are parameters, and for an INSERT no JSON
 * at all.  The function is SECURITY DEFINER (the trail is the extension
 * owner's to write, partners hold no privilege on it), and so it fires only
 * on the audited tables of the extension's schema, each with its own code:
 * fired on any other table, by whoever could attach it, it refuses, so that
 * it never writes as the owner into a table someone else chose.  Every name
 * in its statements is schema-qualified, operators too, and search_path is
 * pinned all the same.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* the kept plans: one a table and operation (9 tables, 3 operations) */
typedef struct AuditPlan
{
	Oid			relid;
	Oid			reltype;		/* the row type the plan's $5 and $6 are */
	char		op;
	SPIPlanPtr	plan;
} AuditPlan;

#define MAX_AUDIT_PLANS 64

static AuditPlan audit_plans[MAX_AUDIT_PLANS];
static int	n_audit_plans = 0;

/* the extension's schema: fixed (por_partner.control: relocatable = false) */
#define AUDIT_SCHEMA "por_partner"

/*
 * The firing table must be the audited table of the code: in the
 * extension's schema, and named for the code in audited_table.  Checked
 * once a table, when its first plan is made.
 */
static void
check_audited_table(Relation rel, char code)
{
	Oid			argtypes[1] = {CHAROID};
	Datum		values[1];
	int			rc;
	char	   *name = NULL;

	if (RelationGetNamespace(rel) != get_namespace_oid(AUDIT_SCHEMA, false))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("audit_row() fires only on the audited tables of schema \"%s\"", AUDIT_SCHEMA),
				 errdetail("Table \"%s\" is in schema \"%s\".", RelationGetRelationName(rel),
						   get_namespace_name(RelationGetNamespace(rel))),
				 errhint("Drop the trigger; the extension's tables have theirs.")));
	values[0] = CharGetDatum(code);
	rc = SPI_execute_with_args("SELECT a.table_name FROM por_partner_internal.audited_table a"
							   " WHERE a.table_code OPERATOR(pg_catalog.=) $1",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args returned %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
		name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (name == NULL || strcmp(name, RelationGetRelationName(rel)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("audit_row() fires only on the audited table of its code"),
				 errdetail("Table \"%s\" is not the audited table of code \"%c\" (por_partner_internal.audited_table).",
						   RelationGetRelationName(rel), code),
				 errhint("Drop the trigger; the extension's tables have theirs.")));
}

/*
 * The statement for a table and operation: $1 the calling role (regrole),
 * $2 the table's code, $3 the operation ("char"), $4 the key (text); $5 the
 * old row, $6 the new one, of the table's row type, where the operation has
 * them.
 */
static SPIPlanPtr
audit_plan(Relation rel, char code, char op)
{
	int			i;
	AuditPlan  *slot = NULL;
	StringInfoData q;
	Oid			argtypes[6] = {REGROLEOID, CHAROID, CHAROID, TEXTOID, InvalidOid, InvalidOid};
	int			nargs;
	SPIPlanPtr	plan;

	for (i = 0; i < n_audit_plans; i++)
	{
		if (audit_plans[i].relid != RelationGetRelid(rel) || audit_plans[i].op != op)
			continue;
		if (audit_plans[i].reltype == rel->rd_rel->reltype)
			return audit_plans[i].plan;
		/* the table was made again under its old oid: the slot is free */
		SPI_freeplan(audit_plans[i].plan);
		audit_plans[i].relid = InvalidOid;
		break;
	}

	check_audited_table(rel, code);

	/*
	 * A free slot, or a new one; when all are taken (the extension dropped
	 * and made again in this session), start over.
	 */
	for (i = 0; i < n_audit_plans && slot == NULL; i++)
		if (!OidIsValid(audit_plans[i].relid))
			slot = &audit_plans[i];
	if (slot == NULL)
	{
		if (n_audit_plans >= MAX_AUDIT_PLANS)
		{
			for (i = 0; i < n_audit_plans; i++)
				if (OidIsValid(audit_plans[i].relid))
					SPI_freeplan(audit_plans[i].plan);
			n_audit_plans = 0;
		}
		slot = &audit_plans[n_audit_plans];
	}

	argtypes[4] = argtypes[5] = rel->rd_rel->reltype;
	nargs = (op == 'I') ? 4 : (op == 'D') ? 5 : 6;

	initStringInfo(&q);
	appendStringInfo(&q,
					 "INSERT INTO " AUDIT_SCHEMA ".audit_change (actor, actor_partner_id, table_code, operation, row_key, old_values)"
					 " VALUES ($1::pg_catalog.text,"
					 " (SELECT l.partner_id FROM " AUDIT_SCHEMA ".partner_login l WHERE l.login OPERATOR(pg_catalog.=) $1),"
					 " $2, $3, $4, %s)",
					 (op == 'I') ? "NULL" :
					 (op == 'D') ? "pg_catalog.to_jsonb($5)" :
					 "por_partner_internal.jsonb_delta(pg_catalog.to_jsonb($5), pg_catalog.to_jsonb($6))");
	plan = SPI_prepare(q.data, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");

	if (slot == &audit_plans[n_audit_plans])
		n_audit_plans++;
	slot->relid = RelationGetRelid(rel);
	slot->reltype = rel->rd_rel->reltype;
	slot->op = op;
	slot->plan = plan;
	return plan;
}

/* the values of the key columns of a row, as text, comma-separated */
static char *
audit_key(Trigger *trigger, HeapTuple tuple, TupleDesc tupdesc)
{
	StringInfoData key;
	int			i;

	initStringInfo(&key);
	for (i = 1; i < trigger->tgnargs; i++)
	{
		int			attnum = SPI_fnumber(tupdesc, trigger->tgargs[i]);
		char	   *value;

		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of the key given to audit_row() does not exist", trigger->tgargs[i])));
		value = SPI_getvalue(tuple, tupdesc, attnum);
		if (i > 1)
			appendStringInfoChar(&key, ',');
		/* a key column is never null; a null would be an empty value */
		if (value != NULL)
			appendStringInfoString(&key, value);
	}
	return key.data;
}

/*
 * audit_row() RETURNS trigger: AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW,
 * arguments the table's code and its key columns
 */
PG_FUNCTION_INFO_V1(por_partner_audit_row);
Datum
por_partner_audit_row(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Trigger    *trigger;
	TupleDesc	tupdesc;
	HeapTuple	keyed;
	char		op;
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	SPIPlanPtr	plan;
	int			rc;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row() must be fired as an AFTER ... FOR EACH ROW trigger")));
	trigger = trigdata->tg_trigger;
	if (trigger->tgnargs < 2 || strlen(trigger->tgargs[0]) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row() takes the table's one-letter code and its key columns as arguments")));
	tupdesc = RelationGetDescr(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		op = 'I';
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		op = 'D';
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		op = 'U';
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row() fires on INSERT, UPDATE and DELETE only")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = audit_plan(trigdata->tg_relation, trigger->tgargs[0][0], op);

	/* the key of the row as it is now: the new row's, or the deleted one's */
	keyed = (op == 'U') ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	values[0] = ObjectIdGetDatum(GetOuterUserId());
	values[1] = CharGetDatum(trigger->tgargs[0][0]);
	values[2] = CharGetDatum(op);
	values[3] = CStringGetTextDatum(audit_key(trigger, keyed, tupdesc));
	if (op != 'I')
		values[4] = heap_copy_tuple_as_datum(trigdata->tg_trigtuple, tupdesc);
	if (op == 'U')
		values[5] = heap_copy_tuple_as_datum(trigdata->tg_newtuple, tupdesc);

	rc = SPI_execute_plan(plan, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));
	SPI_finish();

	return PointerGetDatum(NULL);
}
