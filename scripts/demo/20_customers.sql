-- Key cards, customers, users and licenses (rules K2-K6, C1-C5, A6)
SET search_path = por_partner, public;
\echo
\echo '== A partner buys key cards (rule K2: resellers only) =='
INSERT INTO partner (mpn_id, name, email, phone, reseller, subscription_advisor, cloud_essentials)
VALUES ('4411223', 'Northwind Cloud Partners', 'office@northwind.example', '+49 30 1234567', true, true, true),
       ('5500001', 'Tailspin Consulting', 'hello@tailspin.example', NULL, false, false, false);

INSERT INTO key_card (product_key, sku_code, licenses, partner_id, purchased_on)
SELECT pg_temp.sample_key('small-' || i), 'O365_SMALL_BUSINESS', 1, p.partner_id, date '2026-10-01'
  FROM partner p, generate_series(1, 12) AS i WHERE p.mpn_id = '4411223';
INSERT INTO key_card (product_key, sku_code, licenses, partner_id, purchased_on)
SELECT pg_temp.sample_key('midsize-' || i), 'O365_MIDSIZE_BUSINESS', 25, p.partner_id, date '2026-10-15'
  FROM partner p, generate_series(1, 3) AS i WHERE p.mpn_id = '4411223';

SELECT p.name AS partner, k.sku_code AS product, count(*) AS cards, sum(k.licenses) AS licenses
  FROM key_card k JOIN partner p USING (partner_id)
 GROUP BY 1, 2 ORDER BY 1, 2;

\echo
\echo 'A partner without a reseller relationship cannot buy a card:'
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message, r.detail
  FROM pg_temp.attempt($$INSERT INTO por_partner.key_card (product_key, sku_code, licenses, partner_id)
                          SELECT pg_temp.sample_key('tailspin'), 'O365_SMALL_BUSINESS', 1, partner_id
                            FROM por_partner.partner WHERE mpn_id = '5500001'$$) AS r;

\echo
\echo '== Redeeming keys creates customers: tenant, admin user (licensed), subscription =='
SELECT create_customer_subscription(p.partner_id,
           ARRAY[pg_temp.sample_key('small-1'), pg_temp.sample_key('small-2'), pg_temp.sample_key('small-3')],
           'Fabrikam GmbH', 'de', 'Anna', 'Schmidt', 'anna@fabrikam.example', date '2026-11-01') AS fabrikam
  FROM partner p WHERE p.mpn_id = '4411223' \gset
SELECT create_customer_subscription(p.partner_id, ARRAY[pg_temp.sample_key('midsize-1')],
           'Contoso Bank', 'PL', 'Piotr', 'Nowak', 'piotr@contoso.example', date '2025-12-01') AS contoso
  FROM partner p WHERE p.mpn_id = '4411223' \gset
SELECT create_customer_subscription(p.partner_id, ARRAY[pg_temp.sample_key('small-4')],
           'Adatum Kft.', 'HU', 'Eszter', 'Kovacs', 'eszter@adatum.example') AS adatum
  FROM partner p WHERE p.mpn_id = '4411223' \gset

\echo
\echo 'Users are added and licensed while seats last (rule C5):'
SELECT add_user(s.tenant_id, 'Jonas', 'Weber', 'jonas@fabrikam.example', s.subscription_id) AS jonas
  FROM subscription s WHERE s.subscription_id = :fabrikam \gset
SELECT add_user(s.tenant_id, 'Lena', 'Fischer', 'lena@fabrikam.example', s.subscription_id)
  FROM subscription s WHERE s.subscription_id = :fabrikam \gset
SELECT add_user(s.tenant_id, 'Max', 'Keller', 'max@fabrikam.example')
  FROM subscription s WHERE s.subscription_id = :fabrikam \gset
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message, r.hint
  FROM subscription s, tenant_user u,
       pg_temp.attempt(format('SELECT por_partner.assign_license(%s, %s)', s.subscription_id, u.user_id)) AS r
 WHERE s.subscription_id = :fabrikam AND u.email = 'max@fabrikam.example';
\echo 'One more Small Business key adds a seat (rule K3), and Max gets his license:'
SELECT add_licenses(:fabrikam, ARRAY[pg_temp.sample_key('small-5')]) AS seats_now;
SELECT count(*) AS licenses_given
  FROM (SELECT assign_license(:fabrikam, u.user_id) FROM tenant_user u WHERE u.email = 'max@fabrikam.example') AS a;

\echo
SELECT t.organization_name AS customer, t.country_code AS country, s.sku_code AS product,
       s.seats, s.licensed_users AS licensed, s.starts_on, s.expires_on, s.agreement
  FROM subscription s JOIN tenant t USING (tenant_id)
 ORDER BY s.subscription_id;

SELECT t.organization_name AS customer, u.first_name || ' ' || u.last_name AS "user", u.email,
       coalesce(u.admin_role, '') AS role, l.subscription_id IS NOT NULL AS licensed
  FROM tenant_user u JOIN tenant t USING (tenant_id)
  LEFT JOIN license l ON l.user_id = u.user_id
 ORDER BY t.tenant_id, u.user_id;

\echo
\echo '== What the database refuses, whichever client asks =='
SELECT what, r.sqlstate_ AS sqlstate, r.message
  FROM (VALUES
	('a redeemed key, again (K6)',
	 format('SELECT por_partner.create_customer_subscription(%s, ARRAY[%L::por_partner.product_key], ''X'', ''DE'', ''A'', ''B'', ''a@x.example'')',
	        (SELECT partner_id FROM por_partner.partner WHERE mpn_id = '4411223'), pg_temp.sample_key('small-1'))),
	('a customer in Cuba (C2)',
	 format('SELECT por_partner.create_customer_subscription(%s, ARRAY[%L::por_partner.product_key], ''X'', ''CU'', ''A'', ''B'', ''a@x.example'')',
	        (SELECT partner_id FROM por_partner.partner WHERE mpn_id = '4411223'), pg_temp.sample_key('small-6'))),
	('keys of two products at once (K3)',
	 format('SELECT por_partner.create_customer_subscription(%s, ARRAY[%L, %L]::por_partner.product_key[], ''X'', ''DE'', ''A'', ''B'', ''a@x.example'')',
	        (SELECT partner_id FROM por_partner.partner WHERE mpn_id = '4411223'), pg_temp.sample_key('small-6'), pg_temp.sample_key('midsize-2'))),
	('a Small Business card with 5 licenses (K4)',
	 format('INSERT INTO por_partner.key_card (product_key, sku_code, licenses, partner_id) VALUES (%L, ''O365_SMALL_BUSINESS'', 5, %s)',
	        pg_temp.sample_key('small-99'), (SELECT partner_id FROM por_partner.partner WHERE mpn_id = '4411223'))),
	('a direct UPDATE un-redeeming a key (K6)',
	 format('UPDATE por_partner.key_card SET redeemed_at = NULL, subscription_id = NULL, redeemed_as = NULL WHERE product_key = %L',
	        pg_temp.sample_key('small-1'))),
	('a direct UPDATE of the seat count below the licenses (C5)',
	 format('UPDATE por_partner.subscription SET seats = 1 WHERE subscription_id = %s', :fabrikam))
  ) AS v(what, stmt),
  LATERAL pg_temp.attempt(stmt) AS r;
SELECT count(*) FILTER (WHERE redeemed_at IS NOT NULL) AS redeemed_keys,
       count(*) FILTER (WHERE redeemed_at IS NULL) AS unredeemed_keys,
       (SELECT count(*) FROM tenant) AS tenants
  FROM key_card;
\echo '(a failed call changes nothing: still 6 keys redeemed and 3 tenants)'
