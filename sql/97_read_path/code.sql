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

-- The book of a partner, table by table: which rows of each table its login
-- may read (me: the partner it acts for).  One function and one view a
-- table, made from this list, so that a table's book is one row here.
DO $do$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES
		('partner', 't.partner_id = me',
		 'its own partner row'),
		('partner_login', 't.partner_id = me',
		 'the logins acting for its partner'),
		('partner_user', 't.partner_id = me',
		 'its own company''s users'),
		('key_card', 't.partner_id = me',
		 'the key cards its partner bought, keys in full'),
		('tenant', 't.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b)',
		 'its customers: created by it, administered by it as delegated admin, or with it as partner of record'),
		('tenant_user', 't.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b)',
		 'the users of its customers'),
		('subscription', 't.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b)',
		 'its customers'' subscriptions'),
		('license', 't.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b)',
		 'its customers'' licenses'),
		('delegated_admin_offer', 't.partner_id = me',
		 'the delegated admin offers it sent'),
		('delegated_admin', 't.partner_id = me',
		 'the customers whose delegated admin it is'),
		('trial_invitation', 't.partner_id = me',
		 'its trial invitations (codes as their hash)'),
		('purchase_offer', 't.partner_id = me',
		 'its purchase offers (codes as their hash)'),
		('purchase_offer_line', 't.purchase_offer_id IN (SELECT o.purchase_offer_id FROM @extschema@.purchase_offer o WHERE o.partner_id = me)',
		 'the lines of its purchase offers'),
		('renewal_notice', '(t.partner_id = me OR t.tenant_id IN (SELECT b FROM por_partner_internal.partner_book(me) AS b))',
		 'the renewal notices of its customers, and those to it'),
		('change_notice', 't.partner_id = me',
		 'the change notices to it, as partner of record'),
		('audit_log', 't.actor_partner_id = me',
		 'the audit rows of its own doings')
	) AS v (tab, rows_of_me, what) LOOP
		EXECUTE format($f$
			CREATE OR REPLACE FUNCTION por_partner_book.%1$s_rows() RETURNS SETOF @extschema@.%1$s
			LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
				SELECT t.* FROM @extschema@.%1$s t, (SELECT @extschema@.caller_partner_id() AS me) AS c
				 WHERE %2$s
			$$$f$, r.tab, r.rows_of_me);
		EXECUTE format($f$COMMENT ON FUNCTION por_partner_book.%1$s_rows() IS %2$L$f$, r.tab,
		               format('The rows of por_partner.%s the calling partner''s login may read: %s.  Behind view por_partner_book.%s.',
		                      r.tab, r.what, r.tab));
		EXECUTE format($f$CREATE OR REPLACE VIEW por_partner_book.%1$s WITH (security_barrier) AS
		                  SELECT * FROM por_partner_book.%1$s_rows()$f$, r.tab);
		EXECUTE format($f$COMMENT ON VIEW por_partner_book.%1$s IS %2$L$f$, r.tab,
		               format('For a partner''s login: %s; the columns of table por_partner.%s.', r.what, r.tab));
	END LOOP;
END
$do$;

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
