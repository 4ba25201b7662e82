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
 * then (not as it was inserted: another row of the statement may have
 * superseded it since): the user is a global admin of the subscription's
 * tenant, the term is active or expired and not superseded.  The trigger's
 * WHEN skips it for the license named, and only while it is being inserted
 * (admin_license_being_inserted(id), which forgets nothing).  Where that
 * query licenses nobody, subscription_license_admin makes its INSERT again
 * unnamed, checked and counted as any other.
 *
 * The same holds the count's own updates, which the license triggers make:
 * license_count (SECURITY DEFINER too) names the subscription here around its
 * UPDATE of licensed_users (count_kept(id)), and the subscription's trigger
 * lets licensed_users change only then (count_being_kept(id)).  A writer's own
 * trigger, at any depth, is refused.
 *
 * Which row that license is on: subscription_license_admin fires after the
 * statement, for the row as it was inserted (NEW), and acts on the row that
 * has its id then.  An operator's code that runs within the statement could
 * delete that row, or give it a new id (UPDATE ... SET subscription_id =
 * DEFAULT), and insert another under the same id (OVERRIDING SYSTEM VALUE),
 * whose count does not hold the first's precounted license.  So a row
 * inserted precounted is held pending here from its BEFORE INSERT trigger
 * (subscription_takes_id(id, true)) to its AFTER INSERT trigger
 * (precount_pending_taken(id)), and no row may be inserted under a pending
 * id meanwhile (subscription_takes_id() refuses it, 55000): while its id is
 * pending, the row of that id is the one inserted, its count as written.
 * Only the owner may take a row off (precount_pending_taken() is executable
 * by no other role); anyone may put one on, which can only refuse the
 * writer's own inserts.  A row that an INSERT ... ON CONFLICT skips stays
 * pending until the end of its transaction, and its id is refused until then.
 *
 * The end of the transaction, and an aborted subtransaction, forget both
 * names; the pending rows are forgotten at the end of the transaction, and
 * those an aborted subtransaction (or one of its own) put on when it aborts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

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

/* a row inserted precounted whose AFTER INSERT trigger has not run yet */
typedef struct PendingRow
{
	int64		id;				/* the hash key */
	SubTransactionId subid;		/* the subtransaction that inserted it */
} PendingRow;

/* in TopTransactionContext: made by the first row of a transaction */
static HTAB *pending = NULL;

static bool callbacks_registered = false;

static void
forget_at_end(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE)
	{
		precounted.set = counting.set = false;
		pending = NULL;			/* freed with TopTransactionContext */
	}
}

static void
forget_on_subabort(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS scan;
	PendingRow *row;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	precounted.set = counting.set = false;
	if (pending == NULL || hash_get_num_entries(pending) == 0)
		return;
	/* those of the subtransaction and of those it began, which are later */
	hash_seq_init(&scan, pending);
	while ((row = hash_seq_search(&scan)) != NULL)
		if (row->subid >= mySubid)
			hash_search(pending, &row->id, HASH_REMOVE, NULL);
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
 * subscription_takes_id(subscription_id bigint, precounted boolean) RETURNS
 * void: a subscription's row takes the id, inserted or given a new id (its
 * BEFORE trigger); refused while a row of that id inserted precounted is
 * pending, held pending if it is inserted precounted itself.
 */
PG_FUNCTION_INFO_V1(por_partner_subscription_takes_id);
Datum
por_partner_subscription_takes_id(PG_FUNCTION_ARGS)
{
	int64		id;
	PendingRow *row;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_VOID();
	id = PG_GETARG_INT64(0);
	if (pending != NULL && hash_search(pending, &id, HASH_FIND, NULL) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("subscription %lld is being inserted already", (long long) id),
				 errdetail("A subscription of that id was inserted in this statement and its triggers have not "
						   "licensed its admin yet; no other row takes its id until they have (rules C3, C5)."),
				 errhint("Insert the subscription in a statement of its own.")));
	if (!PG_GETARG_BOOL(1))
		PG_RETURN_VOID();
	if (pending == NULL)
	{
		HASHCTL		ctl;

		register_callbacks();
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(PendingRow);
		ctl.hcxt = TopTransactionContext;
		pending = hash_create("por_partner pending subscriptions", 16, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	row = hash_search(pending, &id, HASH_ENTER, NULL);
	row->subid = GetCurrentSubTransactionId();
	PG_RETURN_VOID();
}

/*
 * precount_pending_taken(subscription_id bigint) RETURNS boolean: whether the
 * subscription's row was inserted precounted and is pending; takes it off.
 */
PG_FUNCTION_INFO_V1(por_partner_precount_pending_taken);
Datum
por_partner_precount_pending_taken(PG_FUNCTION_ARGS)
{
	int64		id;
	bool		found = false;

	if (PG_ARGISNULL(0) || pending == NULL)
		PG_RETURN_BOOL(false);
	id = PG_GETARG_INT64(0);
	hash_search(pending, &id, HASH_REMOVE, &found);
	PG_RETURN_BOOL(found);
}
