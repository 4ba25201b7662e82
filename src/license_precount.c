/*-------------------------------------------------------------------------
 *
 * license_precount.c
 *	  The license a new subscription's row counted already (rules C3, C5).
 *
 * A new subscription's BEFORE INSERT trigger (subscription_check) counts in
 * its licensed_users the admin's license that its AFTER INSERT trigger
 * (subscription_license_admin) is to make, so that the row is written once.
 * The license trigger (license_count) must then not count that license
 * again, and only that one.  Which license it is cannot be told from the
 * tables: a statement that writes the subscription and other licenses at
 * once (a writable CTE, MERGE) leaves them in any state.  It is told by
 * where the INSERT comes from: subscription_license_admin names the
 * subscription here just before its INSERT and clears it just after, and the
 * license trigger takes the name for a license of that subscription fired
 * inside that INSERT, whose one row is the admin's.
 *
 * admin_license_precounted(id) names a subscription; only the extension's
 * owner may call it (EXECUTE is revoked from every other role), and
 * subscription_license_admin is SECURITY DEFINER for it, so no writer can
 * make its own license go uncounted.  precounted_license_taken(id) tells
 * whether a license of the subscription is the one named, and forgets the
 * name: taking it only ever makes a license counted.
 *
 * That INSERT's query also asks what the license trigger that checks a
 * license (license_check) would ask again, of the subscription's row as it is
 * then: the user is a global admin of the subscription's tenant, the term is
 * active or expired and not superseded.  The trigger's WHEN skips it for the
 * license named, and only while it is being inserted
 * (admin_license_being_inserted(id), which forgets nothing).  Where that
 * query licenses nobody, subscription_license_admin makes its INSERT again
 * unnamed, checked and counted as any other.
 *
 * Which row that license is on: subscription_license_admin fires after the
 * statement, for the row as it was inserted (NEW), and must act on that very
 * row version, whose count holds the license.  By then the statement may
 * have changed it: another row's trigger supersedes a trial (rule A4), and an
 * operator's code run inside the statement could delete the row, or give it
 * a new id, and insert another under its id (OVERRIDING SYSTEM VALUE), whose
 * count does not hold the license.  So a C trigger that fires just before it
 * on the same row (subscription_inserted_row(), AFTER INSERT, named to sort
 * before it; no code runs between the two) keeps the row version's address
 * (its ctid), and subscription_license_admin's INSERT reads the subscription
 * there (inserted_row_ctid(id), null unless the address kept is of that
 * id): a row updated or deleted since is not there (every UPDATE writes a new
 * version elsewhere, and a deleted version's place is not reused while the
 * transaction runs), and is refused (55000).  That no trigger sorts between
 * the two is a test of pgTAP c_customers.
 *
 * The same holds the count's own updates, which the license triggers make:
 * license_count (SECURITY DEFINER too) names the subscription here around its
 * UPDATE of licensed_users (count_kept(id)), and the subscription's trigger
 * lets licensed_users change only then (count_being_kept(id)).  A writer's own
 * trigger, at any depth, is refused.
 *
 * The end of the transaction, and an aborted subtransaction, forget the
 * names and the row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "storage/itemptr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/*
 * A subscription named, while set: any id may be a subscription's (an
 * operator chooses its own with OVERRIDING SYSTEM VALUE), 0 too.
 */
typedef struct Mark
{
	bool		set;
	int64		id;
} Mark;

/* the subscription whose admin's license is being inserted */
static Mark precounted = {false, 0};

/* the subscription whose count the license triggers are updating */
static Mark counting = {false, 0};

/* the subscription whose row version a new admin license is made for, and its address */
static Mark inserted = {false, 0};
static ItemPointerData inserted_row;

/* por_partner.subscription, once a trigger has fired on it */
static Oid	subscription_relid = InvalidOid;

static bool callbacks_registered = false;

static void
forget_at_end(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE)
		precounted.set = counting.set = inserted.set = false;
}

static void
forget_on_subabort(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		precounted.set = counting.set = inserted.set = false;
}

static void
register_callbacks(void)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(forget_at_end, NULL);
		RegisterSubXactCallback(forget_on_subabort, NULL);
		callbacks_registered = true;
	}
}

/* name the subscription of argument 0, or forget the name for a null */
static void
mark_set(Mark *mark, FunctionCallInfo fcinfo)
{
	register_callbacks();
	mark->set = !PG_ARGISNULL(0);
	mark->id = mark->set ? PG_GETARG_INT64(0) : 0;
}

/* whether the subscription of argument 0 is the one named */
static bool
mark_names(const Mark *mark, FunctionCallInfo fcinfo)
{
	return !PG_ARGISNULL(0) && mark->set && PG_GETARG_INT64(0) == mark->id;
}

/* admin_license_precounted(subscription_id bigint) RETURNS void; null forgets */
PG_FUNCTION_INFO_V1(por_partner_admin_license_precounted);
Datum
por_partner_admin_license_precounted(PG_FUNCTION_ARGS)
{
	mark_set(&precounted, fcinfo);
	PG_RETURN_VOID();
}

/* precounted_license_taken(subscription_id bigint) RETURNS boolean, true once */
PG_FUNCTION_INFO_V1(por_partner_precounted_license_taken);
Datum
por_partner_precounted_license_taken(PG_FUNCTION_ARGS)
{
	if (!mark_names(&precounted, fcinfo))
		PG_RETURN_BOOL(false);
	precounted.set = false;
	PG_RETURN_BOOL(true);
}

/* admin_license_being_inserted(subscription_id bigint) RETURNS boolean */
PG_FUNCTION_INFO_V1(por_partner_admin_license_being_inserted);
Datum
por_partner_admin_license_being_inserted(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(mark_names(&precounted, fcinfo));
}

/* count_kept(subscription_id bigint) RETURNS void; null forgets */
PG_FUNCTION_INFO_V1(por_partner_count_kept);
Datum
por_partner_count_kept(PG_FUNCTION_ARGS)
{
	mark_set(&counting, fcinfo);
	PG_RETURN_VOID();
}

/* count_being_kept(subscription_id bigint) RETURNS boolean */
PG_FUNCTION_INFO_V1(por_partner_count_being_kept);
Datum
por_partner_count_being_kept(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(mark_names(&counting, fcinfo));
}

/*
 * subscription_inserted_row() RETURNS trigger: AFTER INSERT FOR EACH ROW on
 * subscription, just before subscription_license_admin: keeps the address of
 * the row version inserted, and its id.  Executable by no role but the
 * owner; it refuses to fire on any other table.
 */
PG_FUNCTION_INFO_V1(por_partner_subscription_inserted_row);
Datum
por_partner_subscription_inserted_row(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	int			attnum;
	Datum		id;
	bool		isnull;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || !TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("subscription_inserted_row() fires only AFTER INSERT FOR EACH ROW")));
	rel = trigdata->tg_relation;
	if (RelationGetRelid(rel) != subscription_relid)
	{
		char	   *nspname = get_namespace_name(RelationGetNamespace(rel));

		if (strcmp(RelationGetRelationName(rel), "subscription") != 0 || nspname == NULL ||
			strcmp(nspname, "por_partner") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("subscription_inserted_row() fires only on table por_partner.subscription")));
		subscription_relid = RelationGetRelid(rel);
	}
	attnum = SPI_fnumber(RelationGetDescr(rel), "subscription_id");
	if (attnum <= 0 || TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid != INT8OID)
		elog(ERROR, "por_partner.subscription has no bigint column subscription_id");
	id = slot_getattr(trigdata->tg_trigslot, attnum, &isnull);
	register_callbacks();
	inserted.set = !isnull && ItemPointerIsValid(&trigdata->tg_trigslot->tts_tid);
	if (inserted.set)
	{
		inserted.id = DatumGetInt64(id);
		ItemPointerCopy(&trigdata->tg_trigslot->tts_tid, &inserted_row);
	}
	PG_RETURN_POINTER(NULL);
}

/*
 * inserted_row_ctid(subscription_id bigint) RETURNS tid: that address, if it
 * is of the subscription given; null otherwise
 */
PG_FUNCTION_INFO_V1(por_partner_inserted_row_ctid);
Datum
por_partner_inserted_row_ctid(PG_FUNCTION_ARGS)
{
	ItemPointer result;

	if (!mark_names(&inserted, fcinfo))
		PG_RETURN_NULL();
	result = (ItemPointer) palloc(sizeof(ItemPointerData));
	ItemPointerCopy(&inserted_row, result);
	PG_RETURN_POINTER(result);
}
