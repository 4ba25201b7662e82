-- A book of customers for test/shell/mailer.sh: two Cloud Essentials
-- advisors (rules A6, P2, P3), :customers customers set up with keys a year
-- ago less 2 to 56 days, so that each term expires within the renewal
-- window (rule R1), every third with the other advisor as partner of record
-- (a change notice, rule P3, and renewal notices to it, rule P4).  Northwind
-- has a contact address; Adatum has none, so its mail goes to its global
-- admin.  psql -v customers=N.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION por_partner CASCADE;
\ir ../../fixtures/key.sql

INSERT INTO por_partner.partner (mpn_id, name, email, reseller, subscription_advisor, cloud_essentials) VALUES
	('4411223', 'Northwind Cloud Partners', 'office@northwind.example', true, true, true),
	('5100003', 'Adatum Advisors', NULL, true, true, true);
INSERT INTO por_partner.partner_user (partner_id, email, display_name, company_role, customer_access)
SELECT partner_id, 'ada@adatum.example', 'Ada Adatum', 'global_admin', 'full'
  FROM por_partner.partner WHERE mpn_id = '5100003';

CREATE TEMP TABLE plan AS
SELECT c, p.partner_id, p.mpn_id,
       (current_date - interval '1 year')::date + 2 + c % 55 AS starts_on
  FROM generate_series(1, :customers) AS c
  JOIN por_partner.partner p ON p.mpn_id = CASE WHEN c % 2 = 0 THEN '4411223' ELSE '5100003' END;

INSERT INTO por_partner.key_card (product_key, sku_code, licenses, partner_id, purchased_on)
SELECT pg_temp.key('mailer', c), 'O365_SMALL_BUSINESS', 1, partner_id, starts_on - 1 FROM plan;

CREATE TEMP TABLE cust AS
SELECT c, por_partner.create_customer_subscription(partner_id, ARRAY[pg_temp.key('mailer', c)],
	       'Customer ' || c || ' Ltd', 'GB', 'Admin', 'Person ' || c,
	       'admin' || c || '@customer' || c || '.example', starts_on) AS subscription_id
  FROM plan ORDER BY c;

-- every third customer names the other advisor its partner of record
SELECT count(por_partner.set_partner_of_record(cust.subscription_id,
	       CASE WHEN plan.mpn_id = '4411223' THEN '5100003' ELSE '4411223' END))
  FROM cust JOIN plan USING (c) WHERE c % 3 = 0;
