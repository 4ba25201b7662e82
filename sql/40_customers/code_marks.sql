/* sql/40_customers/code_marks.sql: the backend-local marks of the license count (src/license_precount.c) */

-- What tells the license triggers which license a new subscription's row
-- counted already and its trigger checked, which row version it is made for,
-- and which update of a count is theirs (rules C3, C5); subscription_check,
-- subscription_license_admin, license_check and license_count
-- (code_rules.sql) ask them.

-- The admin's license a new subscription's row counted already (rules C3,
-- C5; src/license_precount.c)
CREATE OR REPLACE FUNCTION por_partner_internal.admin_license_precounted(subscription_id bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'por_partner_admin_license_precounted'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.admin_license_precounted(bigint) IS
	'Internal, for subscription_license_admin only (no other role may execute it): the license it is inserting for the subscription was counted in the row''s licensed_users already; null when the insert is done.';

-- The row version a new subscription's admin license is made for (rules C3,
-- C5; src/license_precount.c)
CREATE OR REPLACE FUNCTION por_partner_internal.subscription_inserted_row() RETURNS trigger
AS 'MODULE_PATHNAME', 'por_partner_subscription_inserted_row'
LANGUAGE C;

COMMENT ON FUNCTION por_partner_internal.subscription_inserted_row() IS
	'Internal: trigger, AFTER INSERT on subscription just before subscription_license_admin (no role may execute it): keeps the address (ctid) and the id of the row version inserted, which that trigger licenses the admin of; it fires on that table alone.';

CREATE OR REPLACE FUNCTION por_partner_internal.inserted_row_ctid(subscription_id bigint) RETURNS tid
AS 'MODULE_PATHNAME', 'por_partner_inserted_row_ctid'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.inserted_row_ctid(bigint) IS
	'Internal, for subscription_license_admin: the address of the subscription row version subscription_inserted_row() saw last, if it is of that subscription; null otherwise.  STABLE: no trigger of the statements that ask it keeps another.';

CREATE OR REPLACE FUNCTION por_partner_internal.admin_license_being_inserted(subscription_id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'por_partner_admin_license_being_inserted'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.admin_license_being_inserted(bigint) IS
	'Internal, for the license trigger''s WHEN: whether a license of the subscription is the admin''s one subscription_license_admin is inserting, checked by its query already; it forgets nothing.';

CREATE OR REPLACE FUNCTION por_partner_internal.precounted_license_taken(subscription_id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'por_partner_precounted_license_taken'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.precounted_license_taken(bigint) IS
	'Internal, for license_count: whether a license of the subscription is the one subscription_license_admin is inserting, counted already; true once.';

-- Whose update of a subscription's count this is: the license triggers'
-- (rule C5; src/license_precount.c)
CREATE OR REPLACE FUNCTION por_partner_internal.count_kept(subscription_id bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'por_partner_count_kept'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.count_kept(bigint) IS
	'Internal, for move_license_count only (no other role may execute it): the license triggers are updating the subscription''s licensed_users; null when the update is done.';

CREATE OR REPLACE FUNCTION por_partner_internal.count_being_kept(subscription_id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'por_partner_count_being_kept'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION por_partner_internal.count_being_kept(bigint) IS
	'Internal, for the subscription''s trigger: whether the license triggers are updating the subscription''s licensed_users, the one change of it allowed.';

-- The license triggers' update of a subscription's licensed_users, marked as
-- theirs, the one change of it the subscription's trigger lets through (rule
-- C5; src/license_precount.c)
CREATE OR REPLACE FUNCTION por_partner_internal.move_license_count(subscription_id bigint, delta int)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	PERFORM por_partner_internal.count_kept(move_license_count.subscription_id);
	UPDATE @extschema@.subscription s SET licensed_users = s.licensed_users + move_license_count.delta
	 WHERE s.subscription_id = move_license_count.subscription_id;
	PERFORM por_partner_internal.count_kept(NULL);
END $$;

COMMENT ON FUNCTION por_partner_internal.move_license_count(bigint, int) IS
	'Internal, for the license triggers only (no other role may execute it): adds delta to the subscription''s licensed_users.';
