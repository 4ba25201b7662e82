/*-------------------------------------------------------------------------
 *
 * caller.c
 *	  Who called: the role in effect outside any SECURITY DEFINER function.
 *
 * por_partner's functions that partners may call run as SECURITY DEFINER, so
 * inside them current_user is the extension's owner.  They must still know
 * which login called them, to act only for the partner that login is mapped
 * to (por_partner.partner_login).  The "outer" user is the role the session
 * runs as at top level: the login, or the role chosen with SET ROLE (which
 * PostgreSQL lets a session choose only among roles it is a member of, and
 * never inside a SECURITY DEFINER function).  Row-level security policies
 * see the same role as current_user, so a policy and a function agree on who
 * is asking.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

/* caller() RETURNS regrole */
PG_FUNCTION_INFO_V1(por_partner_caller);
Datum
por_partner_caller(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(GetOuterUserId());
}
