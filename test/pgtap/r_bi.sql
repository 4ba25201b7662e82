-- rule R2: a BI tool, logged in as a member of por_partner_reader, reads expirations
-- through subscription_overview and expiring_subscriptions(), and changes nothing.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(5);

INSERT INTO partner (mpn_id, name, reseller, subscription_advisor) VALUES ('770001', 'BI Partner', true, true);
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT 'WWWWW-WWWWW-WWWWW-WWWWW-WWWW2', 'O365_SMALL_BUSINESS', 1, partner_id FROM partner WHERE mpn_id = '770001';
SELECT create_customer_subscription(partner_id, ARRAY['WWWWW-WWWWW-WWWWW-WWWWW-WWWW2']::product_key[],
	'Report AG', 'CH', 'Rita', 'Report', 'rita@report.example', current_date - 300) AS s1
  FROM partner WHERE mpn_id = '770001' \gset

-- a BI tool's login: a member of por_partner_reader, nothing else
CREATE ROLE por_partner_test_bi LOGIN IN ROLE por_partner_reader;
SET SESSION AUTHORIZATION por_partner_test_bi;

SELECT results_eq(format($$SELECT organization_name, phase::text, days_to_expiry FROM por_partner.subscription_overview WHERE subscription_id = %s$$, :s1),
                  $$VALUES ('Report AG'::text, 'active'::text, (current_date - 300 + interval '1 year')::date - current_date)$$,
                  'rule R2: a read-only role reads the overview, phase and days to expiry included');
SELECT ok((SELECT next_notice_on FROM por_partner.subscription_overview WHERE subscription_id = :s1)
          = (SELECT expires_on - 60 FROM por_partner.subscription_overview WHERE subscription_id = :s1),
          'rule R2: the next notice of a term 65 days from its end is the 60-day one');
SELECT results_eq(format($$SELECT mpn_id, days_left FROM por_partner.expiring_subscriptions(90) WHERE subscription_id = %s$$, :s1),
                  $$VALUES ('770001'::text, ((current_date - 300 + interval '1 year')::date - current_date)::int)$$,
                  'rule R2: the read-only role lists what expires within 90 days, per partner');
SELECT throws_ok($$UPDATE por_partner.subscription_overview SET seats = 99$$, '55000', NULL,
                 'rule R2: nobody changes anything through the overview: it is not updatable');
SELECT throws_ok($$UPDATE por_partner.subscription SET seats = 99$$, '42501', NULL,
                 'rule R2: nor in the tables behind it, which it may not even read');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
