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

-- The comments of the book's columns, for BI tools and drivers that show
-- them: a view's column says what its table's (or, for the two BI views, the
-- por_partner view's) same-named column says, so that each is written once,
-- in the table's schema layer or the BI view's code; this list gives the
-- columns whose table says nothing, by view ('*': any view without an entry
-- of its own, nor a comment on its table's column), and the few whose meaning
-- differs in a partner's book.  Set on every install and update, from the
-- comments as they then are.  Times (timestamptz) are points in time, shown
-- in the session's TimeZone; dates are calendar days.
DO $do$
DECLARE
	r record;
BEGIN
	FOR r IN
		WITH own (view_name, col, comment) AS (VALUES
			('*', 'partner_id', 'The partner (the calling login''s own, whose row is por_partner_book.partner).'),
			('*', 'tenant_id', 'The customer''s tenant (por_partner_book.tenant).'),
			('*', 'subscription_id', 'The subscription (por_partner_book.subscription).'),
			('*', 'sku_code', 'The product (table por_partner.sku).'),
			('*', 'created_at', 'When the row was made (timestamptz).'),
			('*', 'email', 'An e-mail address, as given (unique whatever its case where the table says so).'),
			('*', 'include_delegated_admin', 'Whether accepting it also makes the partner the customer''s delegated admin (rule D5).'),
			('*', 'notice_id', 'The notice''s id.'),
			('partner', 'partner_id', 'The partner''s id: the partner the calling login acts for.'),
			('partner', 'name', 'The partner''s company name.'),
			('partner', 'email', 'The partner''s contact e-mail address (company information, rule A1); null when not given.'),
			('partner', 'phone', 'The partner''s contact phone number (company information, rule A1); null when not given.'),
			('partner', 'address', 'The partner''s postal address, lines separated by newlines (company information, rule A1); null when not given.'),
			('partner_login', 'login', 'The database login (a role, member of por_partner_partner).'),
			('partner_login', 'partner_id', 'The partner the login acts for.'),
			('partner_user', 'partner_user_id', 'The partner user''s id.'),
			('partner_user', 'partner_id', 'The partner whose company the user belongs to.'),
			('partner_user', 'email', 'The user''s e-mail address, unique within the partner whatever its case.'),
			('partner_user', 'display_name', 'The user''s name as shown; null when not given.'),
			('partner_user', 'company_role', 'The user''s admin role in the partner''s company: global_admin, billing_admin, user_admin, password_admin or service_admin; null for none (rules A1, A2).'),
			('partner_user', 'customer_access', 'The user''s access to the partner''s customers: none, full (as Global admin) or limited (as Password admin) (rule A2).'),
			('key_card', 'product_key', 'The product key, in full (the calling partner bought it), as text upper case with hyphens.'),
			('key_card', 'purchased_on', 'The day the card was bought.'),
			('key_card', 'redeemed_at', 'When the key was redeemed; null while unredeemed (rule K6: once at most).'),
			('key_card', 'subscription_id', 'The subscription the key was redeemed on; null while unredeemed.'),
			('key_card_overview', 'product_key', 'The product key as text, upper case with hyphens: in full for the calling partner''s own cards; masked as XXXXX-XXXXX-XXXXX-XXXXX- and the last group for the cards other partners redeemed on its customers'' subscriptions.'),
			('key_card_overview', 'partner_id', 'The partner who bought the card: the calling partner, or another one (key masked).'),
			('tenant', 'tenant_id', 'The customer tenant''s id.'),
			('tenant', 'organization_name', 'The customer''s organization name.'),
			('tenant', 'country_code', 'The customer''s country: ISO 3166-1 alpha-2 code (table por_partner.country, rule C2).'),
			('tenant', 'created_at', 'When the customer was set up (timestamptz).'),
			('tenant', 'admin_first_name', 'First name of the customer''s first admin, given at set-up (rule C3).'),
			('tenant', 'admin_last_name', 'Last name of the customer''s first admin, given at set-up (rule C3).'),
			('tenant', 'admin_email', 'E-mail address of the customer''s first admin, given at set-up (rule C3).'),
			('tenant_user', 'user_id', 'The user''s id.'),
			('tenant_user', 'first_name', 'The user''s first name; null when not given.'),
			('tenant_user', 'last_name', 'The user''s last name; null when not given.'),
			('tenant_user', 'email', 'The user''s e-mail address, unique within the tenant whatever its case.'),
			('tenant_user', 'admin_role', 'The user''s admin role in the tenant: global_admin, billing_admin, user_admin, password_admin or service_admin; null for none.'),
			('subscription', 'subscription_id', 'The subscription''s id.'),
			('subscription', 'billing', 'How the term is paid: product_key (key cards), direct (billed by Microsoft) or trial.'),
			('subscription', 'starts_on', 'The first day of the term; the term is [starts_on, expires_on).'),
			('subscription', 'partner_of_record', 'The partner of record (rule P1), a partner id; null when none.'),
			('license', 'user_id', 'The licensed user (por_partner_book.tenant_user).'),
			('license', 'assigned_at', 'When the license was assigned (timestamptz).'),
			('delegated_admin_offer', 'offer_id', 'The offer''s id.'),
			('delegated_admin_offer', 'partner_id', 'The partner that made the offer: the calling partner.'),
			('delegated_admin_offer', 'message', 'The partner''s message to the customer; null when none.'),
			('delegated_admin_offer', 'status', 'pending, accepted, declined, withdrawn (the partner left Cloud Essentials, rule D3) or removed (the customer ended the relationship) (rule D2).'),
			('delegated_admin_offer', 'offered_at', 'When the offer was made (timestamptz).'),
			('delegated_admin_offer', 'answered_at', 'When the offer left pending (timestamptz); null while pending.'),
			('delegated_admin', 'partner_id', 'The delegated admin: the calling partner.'),
			('delegated_admin', 'offer_id', 'The accepted offer the relationship came from (rule D2).'),
			('delegated_admin', 'granted_at', 'When the customer accepted (timestamptz).'),
			('trial_invitation', 'invitation_id', 'The invitation''s id.'),
			('trial_invitation', 'partner_id', 'The partner that made the invitation: the calling partner.'),
			('trial_invitation', 'sku_code', 'The product of the trial (table por_partner.sku).'),
			('purchase_offer', 'purchase_offer_id', 'The offer''s id.'),
			('purchase_offer', 'partner_id', 'The partner that made the offer: the calling partner.'),
			('purchase_offer_line', 'purchase_offer_id', 'The purchase offer (por_partner_book.purchase_offer).'),
			('purchase_offer_line', 'licenses', 'Licenses of the product the offer lists.'),
			('renewal_notice', 'expires_on', 'The term the notice is for: its expires_on, the first day it no longer covers.'),
			('renewal_notice', 'recipient', 'customer or partner (rules R1, P4).'),
			('renewal_notice', 'partner_id', 'The partner the notice went to (the partner of record); null for a notice to the customer.'),
			('renewal_notice', 'days_before', 'How many days before expires_on the notice was due (renewal_notice_schedule).'),
			('renewal_notice', 'sent_on', 'The day the notice was recorded for (the daily job''s as_of).'),
			('renewal_notice', 'sent_at', 'When the notice was recorded (timestamptz); whether it was mailed is the operators'' (notice_delivery).'),
			('change_notice', 'partner_id', 'The partner of record the notice went to: the calling partner (rule P3).'),
			('change_notice', 'recorded_at', 'When the change was recorded (timestamptz).'))
		SELECT v.relname, a.attname,
		       coalesce(o.comment, pg_catalog.col_description(src.oid, sa.attnum), g.comment) AS comment
		  FROM pg_catalog.pg_class v
		  JOIN pg_catalog.pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped
		  LEFT JOIN pg_catalog.pg_class src
		    ON src.relnamespace = '@extschema@'::regnamespace AND src.relname = v.relname
		  LEFT JOIN pg_catalog.pg_attribute sa ON sa.attrelid = src.oid AND sa.attname = a.attname
		  LEFT JOIN own o ON o.view_name = v.relname AND o.col = a.attname
		  LEFT JOIN own g ON g.view_name = '*' AND g.col = a.attname
		 WHERE v.relnamespace = 'por_partner_book'::regnamespace AND v.relkind = 'v'
	LOOP
		EXECUTE format('COMMENT ON COLUMN por_partner_book.%I.%I IS %L', r.relname, r.attname, r.comment);
	END LOOP;
END
$do$;
