/*-------------------------------------------------------------------------
 *
 * contact_edit.c
 *	  Which partner's company information update_partner_contact() is
 *	  changing, in this backend (rule A1).
 *
 * The trigger on partner lets phone, e-mail and address change only while
 * this is set to the partner's id.  Only update_partner_contact() sets it
 * (EXECUTE on the setter is not granted to PUBLIC), and it is cleared when the
 * transaction or subtransaction that set it ends, so an error inside the
 * function cannot leave it set.  Unlike a session variable, no client can set
 * it; unlike the call stack, no look-alike function or statement text can
 * imitate it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"

static int64 contact_edit_partner = 0;
static bool contact_edit_callbacks = false;

static void
contact_edit_xact_callback(XactEvent event, void *arg)
{
	contact_edit_partner = 0;
}

static void
contact_edit_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		contact_edit_partner = 0;
}

/* contact_edit_begin(partner_id bigint): 0 ends the edit */
PG_FUNCTION_INFO_V1(por_partner_contact_edit_begin);
Datum
por_partner_contact_edit_begin(PG_FUNCTION_ARGS)
{
	if (!contact_edit_callbacks)
	{
		RegisterXactCallback(contact_edit_xact_callback, NULL);
		RegisterSubXactCallback(contact_edit_subxact_callback, NULL);
		contact_edit_callbacks = true;
	}
	contact_edit_partner = PG_GETARG_INT64(0);
	PG_RETURN_VOID();
}

/* contact_edit_partner(): the partner being edited, or 0 */
PG_FUNCTION_INFO_V1(por_partner_contact_edit_partner);
Datum
por_partner_contact_edit_partner(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(contact_edit_partner);
}
