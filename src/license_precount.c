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
 * The same holds the count's own updates, which the license triggers make:
 * license_count (SECURITY DEFINER too) names the subscription here around its
 * UPDATE of licensed_users (count_kept(id)), and the subscription's trigger
 * lets licensed_users change only then (count_being_kept(id)).  A writer's own
 * trigger, at any depth, is refused.
 *
 * The end of the transaction, and an aborted subtransaction, forget both
 * names.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"

/*
 * The subscription whose admin's license is being inserted, while
 * precounted_set: any id may be a subscription's (an operator chooses its
 * own with OVERRIDING SYSTEM VALUE), 0 too.
 */
static bool precounted_set = false;
static int64 precounted = 0;

/* the subscription whose count the license triggers are updating */
static bool counting_set = false;
static int64 counting = 0;
static bool callbacks_registered = false;

static void
forget_at_end(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE)
		precounted_set = counting_set = false;
}

static void
forget_on_subabort(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		precounted_set = counting_set = false;
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

/* admin_license_precounted(subscription_id bigint) RETURNS void; null forgets */
PG_FUNCTION_INFO_V1(por_partner_admin_license_precounted);
Datum
por_partner_admin_license_precounted(PG_FUNCTION_ARGS)
{
	register_callbacks();
	precounted_set = !PG_ARGISNULL(0);
	precounted = precounted_set ? PG_GETARG_INT64(0) : 0;
	PG_RETURN_VOID();
}

/* precounted_license_taken(subscription_id bigint) RETURNS boolean */
PG_FUNCTION_INFO_V1(por_partner_precounted_license_taken);
Datum
por_partner_precounted_license_taken(PG_FUNCTION_ARGS)
{
	int64		id;

	if (PG_ARGISNULL(0) || !precounted_set)
		PG_RETURN_BOOL(false);
	id = PG_GETARG_INT64(0);
	if (id != precounted)
		PG_RETURN_BOOL(false);
	precounted_set = false;
	PG_RETURN_BOOL(true);
}

/* count_kept(subscription_id bigint) RETURNS void; null forgets */
PG_FUNCTION_INFO_V1(por_partner_count_kept);
Datum
por_partner_count_kept(PG_FUNCTION_ARGS)
{
	register_callbacks();
	counting_set = !PG_ARGISNULL(0);
	counting = counting_set ? PG_GETARG_INT64(0) : 0;
	PG_RETURN_VOID();
}

/* count_being_kept(subscription_id bigint) RETURNS boolean */
PG_FUNCTION_INFO_V1(por_partner_count_being_kept);
Datum
por_partner_count_being_kept(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!PG_ARGISNULL(0) && counting_set && PG_GETARG_INT64(0) == counting);
}
