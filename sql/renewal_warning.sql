--
-- rule R4: renewing through direct billing starts a new subscription at once,
-- so a WARNING says how many days of the old term are lost when more than 7
-- (a WARNING reaches the client only, so pg_regress checks it)
--
CREATE EXTENSION IF NOT EXISTS por_partner CASCADE;
SET search_path = por_partner, public;
\set SHOW_CONTEXT never
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor) VALUES ('780001', 'Warning Partner', true, true);
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT k::product_key, 'O365_SMALL_BUSINESS', 1, partner_id
  FROM partner, unnest(ARRAY['XXXXX-XXXXX-XXXXX-XXXXX-XXXX2', 'XXXXX-XXXXX-XXXXX-XXXXX-XXXX3',
                              'XXXXX-XXXXX-XXXXX-XXXXX-XXXX4']) AS k
 WHERE mpn_id = '780001';
-- three terms 2040-01-01 .. 2041-01-01
CREATE TEMP TABLE subs AS
SELECT right(k, 1) AS name,
       create_customer_subscription(p.partner_id, ARRAY[k::product_key], 'Warning ' || right(k, 1), 'DE',
                                    'W', 'A', 'w' || right(k, 1) || '@warning.example', '2040-01-01') AS id
  FROM partner p, unnest(ARRAY['XXXXX-XXXXX-XXXXX-XXXXX-XXXX2', 'XXXXX-XXXXX-XXXXX-XXXXX-XXXX3',
                                'XXXXX-XXXXX-XXXXX-XXXXX-XXXX4']) AS k
 WHERE p.mpn_id = '780001';
-- 31 days left: a WARNING
SELECT renew_with_direct_billing(id, '2040-12-01') IS NOT NULL AS renewed FROM subs WHERE name = '2';
-- 8 days left: a WARNING
SELECT renew_with_direct_billing(id, '2040-12-24') IS NOT NULL AS renewed FROM subs WHERE name = '3';
-- 7 days left: none
SELECT renew_with_direct_billing(id, '2040-12-25') IS NOT NULL AS renewed FROM subs WHERE name = '4';
-- the warning is the project's advice, not a rule: an operator turns it off
-- (setting direct_billing_warning), and 31 days lost then warn nothing
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT 'XXXXX-XXXXX-XXXXX-XXXXX-XXXX6'::product_key, 'O365_SMALL_BUSINESS', 1, partner_id FROM partner WHERE mpn_id = '780001';
INSERT INTO subs
SELECT '6', create_customer_subscription(p.partner_id, ARRAY['XXXXX-XXXXX-XXXXX-XXXXX-XXXX6']::product_key[], 'Warning 6', 'DE',
                                         'W', 'A', 'w6@warning.example', '2040-01-01')
  FROM partner p WHERE p.mpn_id = '780001';
UPDATE setting SET value = 'off' WHERE name = 'direct_billing_warning';
SELECT renew_with_direct_billing(id, '2040-12-01') IS NOT NULL AS renewed FROM subs WHERE name = '6';
SELECT s.name, o.expires_on AS old_term_ends
  FROM subs s JOIN subscription o ON o.subscription_id = s.id ORDER BY 1;
