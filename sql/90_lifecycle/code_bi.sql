/* sql/90_lifecycle/code_bi.sql: the views and functions for BI tools (rule R2) */

CREATE OR REPLACE VIEW @extschema@.subscription_overview WITH (security_barrier) AS
SELECT s.subscription_id, s.tenant_id, t.organization_name, t.country_code, s.sku_code, s.seats,
       s.licensed_users, s.billing, s.starts_on, s.expires_on,
       @extschema@.subscription_phase(s.expires_on, current_date) AS phase,
       s.expires_on - current_date AS days_to_expiry,
       p.mpn_id AS partner_of_record_mpn_id,
       (SELECT min(s.expires_on - r.days_before) FROM @extschema@.renewal_notice_schedule r
         WHERE s.expires_on - r.days_before >= current_date) AS next_notice_on
  FROM @extschema@.subscription s
  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
  LEFT JOIN @extschema@.partner p ON p.partner_id = s.partner_of_record
 -- operators and readers see every subscription; a partner reads its own
 -- customers' in por_partner_book.subscription_overview
 WHERE (SELECT @extschema@.caller_reads_all());

COMMENT ON COLUMN @extschema@.subscription_overview.subscription_id IS 'The subscription''s id (por_partner.subscription).';

COMMENT ON COLUMN @extschema@.subscription_overview.tenant_id IS 'The customer''s tenant (por_partner.tenant).';

COMMENT ON COLUMN @extschema@.subscription_overview.organization_name IS 'The customer''s organization name.';

COMMENT ON COLUMN @extschema@.subscription_overview.country_code IS 'The customer''s country: ISO 3166-1 alpha-2 code, upper case (table country).';

COMMENT ON COLUMN @extschema@.subscription_overview.sku_code IS 'The product subscribed to (table sku).';

COMMENT ON COLUMN @extschema@.subscription_overview.seats IS 'Licenses bought: the most users that may be licensed (rule C5).';

COMMENT ON COLUMN @extschema@.subscription_overview.licensed_users IS 'Users licensed now, never above seats (rule C5).';

COMMENT ON COLUMN @extschema@.subscription_overview.billing IS
	'How the term is paid: product_key (key cards bought from a reseller partner), direct (billed by Microsoft) or trial.';

COMMENT ON COLUMN @extschema@.subscription_overview.starts_on IS
	'The first day of the term (a calendar date, no time of day); the term is [starts_on, expires_on).';

COMMENT ON COLUMN @extschema@.subscription_overview.phase IS
	'Where the term stands today (current_date, in the session''s TimeZone): active before expires_on; expired 0-29 days after it; disabled 30-119 days after; deprovisioned from day 120 (type subscription_phase, rules R5, R6).';

COMMENT ON COLUMN @extschema@.subscription_overview.partner_of_record_mpn_id IS
	'The MPN ID of the subscription''s partner of record (rule P1); null when it has none.';

COMMENT ON COLUMN @extschema@.subscription_overview.next_notice_on IS
	'The day of the term''s next renewal notice, today or later, by renewal_notice_schedule (expires_on minus 60, 30, 7 or 1 days as shipped); null when no scheduled day is left.';

COMMENT ON COLUMN @extschema@.subscription_overview.days_to_expiry IS
	'expires_on - current_date.  Computed, so a filter on it reads every subscription; to ask by days to expiry with an index, filter on expires_on: WHERE expires_on BETWEEN current_date AND current_date + 30 (an index range scan on subscription.expires_on).';

COMMENT ON COLUMN @extschema@.subscription_overview.expires_on IS
	'The first day the term no longer covers.  Indexed: filter on it (expires_on BETWEEN current_date AND current_date + 30) rather than on days_to_expiry.';

COMMENT ON VIEW @extschema@.subscription_overview IS
	'For operators and readers (BI): every subscription with its customer, SKU, seats, licensed users, term, phase and days to expiry today, partner of record (MPN ID) and the date of its next renewal notice (rule R2).  Column names are stable.  A partner''s login reads por_partner_book.subscription_overview.';

CREATE OR REPLACE FUNCTION @extschema@.expiring_subscriptions(within_days int, as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, mpn_id text, subscription_id bigint, tenant_id bigint,
               organization_name text, sku_code text, seats int, billing text, expires_on date,
               days_left int, phase @extschema@.subscription_phase)
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp
-- planned for each call's partner and window, never generically: the right
-- index for one partner is not the right one for another
SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
	me bigint;
	last_day date;
BEGIN
	-- a window longer than all dates span is refused; the last day is held to
	-- the last date, so that as_of near it is no overflow
	PERFORM por_partner_internal.require_window_days(within_days);
	last_day := por_partner_internal.date_add_clamped(as_of, within_days);
	IF @extschema@.caller_reads_all() THEN
		-- operators and readers: every subscription in the window
		RETURN QUERY
		SELECT p.partner_id, p.mpn_id, s.subscription_id, s.tenant_id, t.organization_name, s.sku_code,
		       s.seats, s.billing, s.expires_on, s.expires_on - as_of,
		       @extschema@.subscription_phase(s.expires_on, as_of)
		  FROM @extschema@.subscription s
		  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
		  JOIN @extschema@.partner p ON p.partner_id = coalesce(s.partner_of_record, t.created_by)
		 WHERE s.expires_on > as_of AND s.expires_on <= last_day
		 ORDER BY p.partner_id, s.expires_on, s.subscription_id;
		RETURN;
	END IF;
	-- a partner: the subscriptions it is partner of record of, and those of
	-- the customers it set up that have none, each by its own index (planned
	-- for this partner), so that neither the work nor the time depends on
	-- other partners' subscriptions.  The window is applied to the partner's
	-- own rows only (OFFSET 0 keeps it out of the scan): combined with the
	-- expires_on index, the planner would read every partner's terms ending
	-- in the window (a BitmapAnd), and the call's time would tell how many
	-- there are
	me := @extschema@.caller_partner_id();
	RETURN QUERY
	SELECT p.partner_id, p.mpn_id, s.subscription_id, s.tenant_id, t.organization_name, s.sku_code,
	       s.seats, s.billing, s.expires_on, s.expires_on - as_of,
	       @extschema@.subscription_phase(s.expires_on, as_of)
	  FROM (SELECT su.* FROM (SELECT * FROM @extschema@.subscription WHERE partner_of_record = me OFFSET 0) AS su
	         WHERE su.expires_on > as_of AND su.expires_on <= last_day
	        UNION ALL
	        SELECT su.* FROM @extschema@.tenant tc JOIN @extschema@.subscription su ON su.tenant_id = tc.tenant_id
	         WHERE tc.created_by = me AND su.partner_of_record IS NULL
	           AND su.expires_on > as_of AND su.expires_on <= last_day) AS s
	  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
	  JOIN @extschema@.partner p ON p.partner_id = me
	 ORDER BY s.expires_on, s.subscription_id;
END $$;

COMMENT ON FUNCTION @extschema@.expiring_subscriptions(int, date) IS
	'Subscriptions still active on a day (default today) that expire within the given number of days, per partner (the partner of record, else the partner who set the customer up), soonest first (rule R2).';

CREATE OR REPLACE VIEW @extschema@.key_card_overview WITH (security_barrier) AS
SELECT CASE WHEN (SELECT @extschema@.caller_is_operator())
            THEN k.product_key::text
            ELSE @extschema@.product_key_mask(k.product_key) END AS product_key,
       k.sku_code, k.licenses, k.partner_id, p.mpn_id, k.purchased_on, k.redeemed_at, k.redeemed_as,
       k.subscription_id, s.tenant_id
  FROM @extschema@.key_card k
  JOIN @extschema@.partner p ON p.partner_id = k.partner_id
  LEFT JOIN @extschema@.subscription s ON s.subscription_id = k.subscription_id
 -- operators and readers see every card (readers masked); a partner reads
 -- its own and those redeemed on its customers in por_partner_book
 WHERE (SELECT @extschema@.caller_reads_all());

COMMENT ON COLUMN @extschema@.key_card_overview.product_key IS
	'The product key as text, upper case with hyphens: in full for operators; for readers masked as XXXXX-XXXXX-XXXXX-XXXXX- and the last group (product_key_mask()).';

COMMENT ON COLUMN @extschema@.key_card_overview.sku_code IS 'The product the key is for (table sku).';

COMMENT ON COLUMN @extschema@.key_card_overview.licenses IS 'Licenses the key carries (rule K4).';

COMMENT ON COLUMN @extschema@.key_card_overview.partner_id IS 'The partner who bought the card.';

COMMENT ON COLUMN @extschema@.key_card_overview.mpn_id IS 'The MPN ID of the partner who bought the card.';

COMMENT ON COLUMN @extschema@.key_card_overview.purchased_on IS 'The day the card was bought (a calendar date).';

COMMENT ON COLUMN @extschema@.key_card_overview.redeemed_at IS
	'When the key was redeemed (timestamptz: a point in time, shown in the session''s TimeZone); null while unredeemed.';

COMMENT ON COLUMN @extschema@.key_card_overview.redeemed_as IS 'activate, add_users or renew (rule K3); null while unredeemed.';

COMMENT ON COLUMN @extschema@.key_card_overview.subscription_id IS 'The subscription the key was redeemed on; null while unredeemed.';

COMMENT ON COLUMN @extschema@.key_card_overview.tenant_id IS 'The customer tenant of that subscription; null while unredeemed.';

COMMENT ON VIEW @extschema@.key_card_overview IS
	'For operators and readers (BI): every key card, the product key in full for operators and as product_key_mask() shows it for readers.  A partner''s login reads por_partner_book.key_card_overview.';
