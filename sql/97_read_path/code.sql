/* sql/97_read_path/code.sql: what partners and readers read, behind a wall the planner cannot see through */

/*
 * Partners and readers have no SELECT on the tables that hold partners' rows
 * or secrets.  A partner reads its book through the views of schema
 * por_partner_book, named and shaped like the tables; readers and partners
 * read the BI views of schema por_partner.  Each view is a security_barrier
 * view over a SECURITY DEFINER set-returning function that filters by the
 * caller first: PostgreSQL plans a caller's own predicates above the
 * function scan, never into it, so that neither EXPLAIN (ANALYZE) nor the
 * planner's estimates of the caller's query show anything of the rows it may
 * not see (a function's inner plan is not shown, and its row estimate is a
 * constant).  Row-level security stays on the tables, for operators' and
 * direct reads, as a second wall.
 */

CREATE OR REPLACE FUNCTION por_partner_book.partner_rows() RETURNS SETOF @extschema@.partner
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.partner t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.partner_rows() IS
	'The rows of por_partner.partner the calling partner''s login may read: its own partner row.  Behind view por_partner_book.partner.';

CREATE OR REPLACE VIEW por_partner_book.partner WITH (security_barrier) AS
SELECT * FROM por_partner_book.partner_rows();

COMMENT ON VIEW por_partner_book.partner IS
	'For a partner''s login: its own partner row; the columns of table por_partner.partner.';

CREATE OR REPLACE FUNCTION por_partner_book.partner_login_rows() RETURNS SETOF @extschema@.partner_login
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.partner_login t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.partner_login_rows() IS
	'The rows of por_partner.partner_login the calling partner''s login may read: the logins acting for its partner.  Behind view por_partner_book.partner_login.';

CREATE OR REPLACE VIEW por_partner_book.partner_login WITH (security_barrier) AS
SELECT * FROM por_partner_book.partner_login_rows();

COMMENT ON VIEW por_partner_book.partner_login IS
	'For a partner''s login: the logins acting for its partner; the columns of table por_partner.partner_login.';

CREATE OR REPLACE FUNCTION por_partner_book.partner_user_rows() RETURNS SETOF @extschema@.partner_user
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.partner_user t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.partner_user_rows() IS
	'The rows of por_partner.partner_user the calling partner''s login may read: its own company''s users.  Behind view por_partner_book.partner_user.';

CREATE OR REPLACE VIEW por_partner_book.partner_user WITH (security_barrier) AS
SELECT * FROM por_partner_book.partner_user_rows();

COMMENT ON VIEW por_partner_book.partner_user IS
	'For a partner''s login: its own company''s users; the columns of table por_partner.partner_user.';

CREATE OR REPLACE FUNCTION por_partner_book.key_card_rows() RETURNS SETOF @extschema@.key_card
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.key_card t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.key_card_rows() IS
	'The rows of por_partner.key_card the calling partner''s login may read: the key cards its partner bought, keys in full.  Behind view por_partner_book.key_card.';

CREATE OR REPLACE VIEW por_partner_book.key_card WITH (security_barrier) AS
SELECT * FROM por_partner_book.key_card_rows();

COMMENT ON VIEW por_partner_book.key_card IS
	'For a partner''s login: the key cards its partner bought, keys in full; the columns of table por_partner.key_card.';

CREATE OR REPLACE FUNCTION por_partner_book.tenant_rows() RETURNS SETOF @extschema@.tenant
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.tenant t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(me) AS b (tenant_id))
$$;

COMMENT ON FUNCTION por_partner_book.tenant_rows() IS
	'The rows of por_partner.tenant the calling partner''s login may read: its customers (created, administered as delegated admin, or with it as partner of record).  Behind view por_partner_book.tenant.';

CREATE OR REPLACE VIEW por_partner_book.tenant WITH (security_barrier) AS
SELECT * FROM por_partner_book.tenant_rows();

COMMENT ON VIEW por_partner_book.tenant IS
	'For a partner''s login: its customers (created, administered as delegated admin, or with it as partner of record); the columns of table por_partner.tenant.';

CREATE OR REPLACE FUNCTION por_partner_book.tenant_user_rows() RETURNS SETOF @extschema@.tenant_user
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.tenant_user t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(me) AS b (tenant_id))
$$;

COMMENT ON FUNCTION por_partner_book.tenant_user_rows() IS
	'The rows of por_partner.tenant_user the calling partner''s login may read: the users of its customers.  Behind view por_partner_book.tenant_user.';

CREATE OR REPLACE VIEW por_partner_book.tenant_user WITH (security_barrier) AS
SELECT * FROM por_partner_book.tenant_user_rows();

COMMENT ON VIEW por_partner_book.tenant_user IS
	'For a partner''s login: the users of its customers; the columns of table por_partner.tenant_user.';

CREATE OR REPLACE FUNCTION por_partner_book.subscription_rows() RETURNS SETOF @extschema@.subscription
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.subscription t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(me) AS b (tenant_id))
$$;

COMMENT ON FUNCTION por_partner_book.subscription_rows() IS
	'The rows of por_partner.subscription the calling partner''s login may read: its customers'' subscriptions.  Behind view por_partner_book.subscription.';

CREATE OR REPLACE VIEW por_partner_book.subscription WITH (security_barrier) AS
SELECT * FROM por_partner_book.subscription_rows();

COMMENT ON VIEW por_partner_book.subscription IS
	'For a partner''s login: its customers'' subscriptions; the columns of table por_partner.subscription.';

CREATE OR REPLACE FUNCTION por_partner_book.license_rows() RETURNS SETOF @extschema@.license
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.license t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(me) AS b (tenant_id))
$$;

COMMENT ON FUNCTION por_partner_book.license_rows() IS
	'The rows of por_partner.license the calling partner''s login may read: its customers'' licenses.  Behind view por_partner_book.license.';

CREATE OR REPLACE VIEW por_partner_book.license WITH (security_barrier) AS
SELECT * FROM por_partner_book.license_rows();

COMMENT ON VIEW por_partner_book.license IS
	'For a partner''s login: its customers'' licenses; the columns of table por_partner.license.';

CREATE OR REPLACE FUNCTION por_partner_book.delegated_admin_offer_rows() RETURNS SETOF @extschema@.delegated_admin_offer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.delegated_admin_offer t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.delegated_admin_offer_rows() IS
	'The rows of por_partner.delegated_admin_offer the calling partner''s login may read: the delegated admin offers it sent.  Behind view por_partner_book.delegated_admin_offer.';

CREATE OR REPLACE VIEW por_partner_book.delegated_admin_offer WITH (security_barrier) AS
SELECT * FROM por_partner_book.delegated_admin_offer_rows();

COMMENT ON VIEW por_partner_book.delegated_admin_offer IS
	'For a partner''s login: the delegated admin offers it sent; the columns of table por_partner.delegated_admin_offer.';

CREATE OR REPLACE FUNCTION por_partner_book.delegated_admin_rows() RETURNS SETOF @extschema@.delegated_admin
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.delegated_admin t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.delegated_admin_rows() IS
	'The rows of por_partner.delegated_admin the calling partner''s login may read: the customers whose delegated admin it is.  Behind view por_partner_book.delegated_admin.';

CREATE OR REPLACE VIEW por_partner_book.delegated_admin WITH (security_barrier) AS
SELECT * FROM por_partner_book.delegated_admin_rows();

COMMENT ON VIEW por_partner_book.delegated_admin IS
	'For a partner''s login: the customers whose delegated admin it is; the columns of table por_partner.delegated_admin.';

CREATE OR REPLACE FUNCTION por_partner_book.trial_invitation_rows() RETURNS SETOF @extschema@.trial_invitation
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.trial_invitation t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.trial_invitation_rows() IS
	'The rows of por_partner.trial_invitation the calling partner''s login may read: its trial invitations (codes as their hash).  Behind view por_partner_book.trial_invitation.';

CREATE OR REPLACE VIEW por_partner_book.trial_invitation WITH (security_barrier) AS
SELECT * FROM por_partner_book.trial_invitation_rows();

COMMENT ON VIEW por_partner_book.trial_invitation IS
	'For a partner''s login: its trial invitations (codes as their hash); the columns of table por_partner.trial_invitation.';

CREATE OR REPLACE FUNCTION por_partner_book.purchase_offer_rows() RETURNS SETOF @extschema@.purchase_offer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.purchase_offer t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.purchase_offer_rows() IS
	'The rows of por_partner.purchase_offer the calling partner''s login may read: its purchase offers (codes as their hash).  Behind view por_partner_book.purchase_offer.';

CREATE OR REPLACE VIEW por_partner_book.purchase_offer WITH (security_barrier) AS
SELECT * FROM por_partner_book.purchase_offer_rows();

COMMENT ON VIEW por_partner_book.purchase_offer IS
	'For a partner''s login: its purchase offers (codes as their hash); the columns of table por_partner.purchase_offer.';

CREATE OR REPLACE FUNCTION por_partner_book.purchase_offer_line_rows() RETURNS SETOF @extschema@.purchase_offer_line
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.purchase_offer_line t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.purchase_offer_id IN (SELECT o.purchase_offer_id FROM @extschema@.purchase_offer o WHERE o.partner_id = me)
$$;

COMMENT ON FUNCTION por_partner_book.purchase_offer_line_rows() IS
	'The rows of por_partner.purchase_offer_line the calling partner''s login may read: the lines of its purchase offers.  Behind view por_partner_book.purchase_offer_line.';

CREATE OR REPLACE VIEW por_partner_book.purchase_offer_line WITH (security_barrier) AS
SELECT * FROM por_partner_book.purchase_offer_line_rows();

COMMENT ON VIEW por_partner_book.purchase_offer_line IS
	'For a partner''s login: the lines of its purchase offers; the columns of table por_partner.purchase_offer_line.';

CREATE OR REPLACE FUNCTION por_partner_book.renewal_notice_rows() RETURNS SETOF @extschema@.renewal_notice
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.renewal_notice t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE (t.partner_id = me OR t.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(me) AS b (tenant_id)))
$$;

COMMENT ON FUNCTION por_partner_book.renewal_notice_rows() IS
	'The rows of por_partner.renewal_notice the calling partner''s login may read: the renewal notices of its customers and to it.  Behind view por_partner_book.renewal_notice.';

CREATE OR REPLACE VIEW por_partner_book.renewal_notice WITH (security_barrier) AS
SELECT * FROM por_partner_book.renewal_notice_rows();

COMMENT ON VIEW por_partner_book.renewal_notice IS
	'For a partner''s login: the renewal notices of its customers and to it; the columns of table por_partner.renewal_notice.';

CREATE OR REPLACE FUNCTION por_partner_book.audit_log_rows() RETURNS SETOF @extschema@.audit_log
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT t.* FROM @extschema@.audit_log t, (SELECT @extschema@.caller_partner_id() AS me) AS c
	 WHERE t.actor_partner_id = me
$$;

COMMENT ON FUNCTION por_partner_book.audit_log_rows() IS
	'The rows of por_partner.audit_log the calling partner''s login may read: the audit rows of its own doings.  Behind view por_partner_book.audit_log.';

CREATE OR REPLACE VIEW por_partner_book.audit_log WITH (security_barrier) AS
SELECT * FROM por_partner_book.audit_log_rows();

COMMENT ON VIEW por_partner_book.audit_log IS
	'For a partner''s login: the audit rows of its own doings; the columns of table por_partner.audit_log.';

CREATE OR REPLACE FUNCTION por_partner_book.subscription_overview_rows()
RETURNS TABLE (subscription_id bigint, tenant_id bigint, organization_name text, country_code char(2),
               sku_code text, seats int, licensed_users int, billing text, starts_on date, expires_on date,
               phase @extschema@.subscription_phase, days_to_expiry int, partner_of_record_mpn_id text,
               next_notice_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT s.subscription_id, s.tenant_id, t.organization_name, t.country_code, s.sku_code, s.seats,
	       s.licensed_users, s.billing, s.starts_on, s.expires_on,
	       @extschema@.subscription_phase(s.expires_on, current_date),
	       s.expires_on - current_date,
	       p.mpn_id,
	       (SELECT min(s.expires_on - r.days_before) FROM @extschema@.renewal_notice_schedule r
	         WHERE s.expires_on - r.days_before >= current_date)
	  FROM @extschema@.tenant t
	  JOIN @extschema@.subscription s ON s.tenant_id = t.tenant_id
	  LEFT JOIN @extschema@.partner p ON p.partner_id = s.partner_of_record
	 WHERE t.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(@extschema@.caller_partner_id()) AS b (tenant_id))
$$;

COMMENT ON FUNCTION por_partner_book.subscription_overview_rows() IS
	'The calling partner''s customers'' subscriptions, as por_partner.subscription_overview shows them (rule R2).  Behind view por_partner_book.subscription_overview.';

CREATE OR REPLACE VIEW por_partner_book.subscription_overview WITH (security_barrier) AS
SELECT * FROM por_partner_book.subscription_overview_rows();

COMMENT ON VIEW por_partner_book.subscription_overview IS
	'For a partner''s login: its customers'' subscriptions with customer, SKU, seats, licensed users, term, phase and days to expiry today, partner of record (MPN ID) and the date of the next renewal notice (rule R2); the columns of por_partner.subscription_overview.';

CREATE OR REPLACE FUNCTION por_partner_book.key_card_overview_rows()
RETURNS TABLE (product_key text, sku_code text, licenses int, partner_id bigint, mpn_id text, purchased_on date,
               redeemed_at timestamptz, redeemed_as text, subscription_id bigint, tenant_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	-- the partner's own cards, keys in full
	SELECT k.product_key::text, k.sku_code, k.licenses, k.partner_id, p.mpn_id, k.purchased_on, k.redeemed_at,
	       k.redeemed_as, k.subscription_id, s.tenant_id
	  FROM @extschema@.key_card k
	  JOIN @extschema@.partner p ON p.partner_id = k.partner_id
	  LEFT JOIN @extschema@.subscription s ON s.subscription_id = k.subscription_id
	 WHERE k.partner_id = @extschema@.caller_partner_id()
	UNION ALL
	-- other partners' cards redeemed on its customers'' subscriptions, masked
	SELECT @extschema@.product_key_mask(k.product_key), k.sku_code, k.licenses, k.partner_id, p.mpn_id,
	       k.purchased_on, k.redeemed_at, k.redeemed_as, k.subscription_id, s.tenant_id
	  FROM @extschema@.subscription s
	  JOIN @extschema@.key_card k ON k.subscription_id = s.subscription_id
	  JOIN @extschema@.partner p ON p.partner_id = k.partner_id
	 WHERE s.tenant_id IN (SELECT b.tenant_id FROM por_partner_internal.partner_book(@extschema@.caller_partner_id()) AS b (tenant_id))
	   AND k.partner_id IS DISTINCT FROM @extschema@.caller_partner_id()
$$;

COMMENT ON FUNCTION por_partner_book.key_card_overview_rows() IS
	'The key cards the calling partner''s login may see: its own with the key in full, and those other partners redeemed on its customers'' subscriptions, masked.  Behind view por_partner_book.key_card_overview.';

CREATE OR REPLACE VIEW por_partner_book.key_card_overview WITH (security_barrier) AS
SELECT * FROM por_partner_book.key_card_overview_rows();

COMMENT ON VIEW por_partner_book.key_card_overview IS
	'For a partner''s login: its key cards with the key in full, and the cards other partners redeemed on its customers'' subscriptions with the key masked (product_key_mask()); the columns of por_partner.key_card_overview.';

COMMENT ON SCHEMA por_partner_book IS
	'What a partner''s login reads: its book, as views named and shaped like the tables of schema por_partner (SET search_path = por_partner_book, por_partner), each over a SECURITY DEFINER function that filters by the caller first.';
