-- test/load/prefill.sql: the data the load works on (run by test/load/run.sh
-- after setup.sql).  psql variables:
--   pool        cards in the contended key pool (tickets / 4 use them up)
--   base        base customers: add_licenses targets, renewal notices due
--   hot         hot customers: small subscriptions near their seat limit
--   hot_users   unlicensed users of each hot customer
--   hot_seats   seats of each hot subscription (the admin holds one)
SET search_path = por_partner, public;

-- eight partners: resellers (K2), subscription advisors (A6), Cloud Essentials
-- (partner of record notices, P3)
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
SELECT (5300000 + i)::text, 'Load Partner ' || i, true, true, true FROM generate_series(1, 8) AS i;
CREATE TEMP TABLE p AS
SELECT row_number() OVER (ORDER BY mpn_id) - 1 AS k, partner_id, mpn_id FROM partner WHERE mpn_id LIKE '53000%';

-- base customers: odd ones Small Business with one key, even ones Midsize
-- with one card of 5-14 licenses; terms that expire 0 to 99 days from today,
-- so send_renewal_notices has work; every third has a partner of record
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT load.key('base', i), CASE WHEN i % 2 = 1 THEN 'O365_SMALL_BUSINESS' ELSE 'O365_MIDSIZE_BUSINESS' END,
       CASE WHEN i % 2 = 1 THEN 1 ELSE 5 + i % 10 END, p.partner_id
  FROM generate_series(1, :base) AS i JOIN p ON p.k = i % 8;
CREATE TEMP TABLE made AS
SELECT i, create_customer_subscription(p.partner_id, ARRAY[load.key('base', i)], 'Base ' || i, 'DE',
              'Bea', 'Base', 'admin@base' || i || '.example', current_date - 365 + i % 100) AS s
  FROM generate_series(1, :base) AS i JOIN p ON p.k = i % 8;
INSERT INTO load.base_sub (n, subscription_id, tenant_id)
SELECT m.i, m.s, su.tenant_id FROM made m JOIN subscription su ON su.subscription_id = m.s;
SELECT count(set_partner_of_record(b.subscription_id, p.mpn_id))
  FROM load.base_sub b JOIN p ON p.k = (b.n / 3) % 8 WHERE b.n % 3 = 0;

-- hot customers: one Midsize card of hot_seats licenses, starting today,
-- and hot_users users without a license
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT load.key('hot', h), 'O365_MIDSIZE_BUSINESS', :hot_seats, p.partner_id
  FROM generate_series(1, :hot) AS h JOIN p ON p.k = h % 8;
CREATE TEMP TABLE made_hot AS
SELECT h, create_customer_subscription(p.partner_id, ARRAY[load.key('hot', h)], 'Hot ' || h, 'FR',
              'Hugo', 'Hot', 'admin@hot' || h || '.example') AS s
  FROM generate_series(1, :hot) AS h JOIN p ON p.k = h % 8;
INSERT INTO load.hot_sub (h, subscription_id, tenant_id)
SELECT m.h, m.s, su.tenant_id FROM made_hot m JOIN subscription su ON su.subscription_id = m.s;
INSERT INTO load.hot_user (h, u, user_id)
SELECT h.h, u, add_user(h.tenant_id, 'User', u::text, 'user' || u || '@hot' || h.h || '.example')
  FROM load.hot_sub h, generate_series(1, :hot_users) AS u;

-- the contended pool: Small Business cards, every 10th a Midsize card of 3
-- licenses, bought by the eight partners in blocks of 50
INSERT INTO load.pool (n, product_key, partner_id, sku_code)
SELECT n, load.key('pool', n), p.partner_id,
       CASE WHEN n % 10 = 9 THEN 'O365_MIDSIZE_BUSINESS' ELSE 'O365_SMALL_BUSINESS' END
  FROM generate_series(0, :pool - 1) AS n JOIN p ON p.k = (n / 50) % 8;
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT product_key, sku_code, CASE WHEN sku_code = 'O365_MIDSIZE_BUSINESS' THEN 3 ELSE 1 END, partner_id
  FROM load.pool;

-- the state the check starts from
INSERT INTO load.before_key SELECT product_key, subscription_id, redeemed_as FROM key_card WHERE redeemed_at IS NOT NULL;
INSERT INTO load.before_license SELECT subscription_id, user_id FROM license;
INSERT INTO load.before_sub SELECT subscription_id, seats, starts_on, expires_on FROM subscription;
INSERT INTO load.before_tenant SELECT tenant_id FROM tenant;
INSERT INTO load.before_user SELECT user_id FROM tenant_user;
INSERT INTO load.before_notice SELECT notice_id FROM renewal_notice;
-- the audit trail (0.2.0 with row-level security on): the pre-fill's last row
SELECT to_regclass('por_partner.audit_log') IS NOT NULL AS has_audit \gset
\if :has_audit
INSERT INTO load.mark SELECT 'audit_id', coalesce(max(audit_id), 0) FROM por_partner.audit_log;
\endif

VACUUM ANALYZE;
SELECT (SELECT count(*) FROM partner) AS partners, (SELECT count(*) FROM key_card) AS key_cards,
       (SELECT count(*) FROM tenant) AS tenants, (SELECT count(*) FROM subscription) AS subscriptions,
       (SELECT count(*) FROM tenant_user) AS users, (SELECT count(*) FROM license) AS licenses,
       (SELECT count(*) FROM renewal_notices_due(current_date)) AS notices_due_today;
