-- Who may see and do what: partners' logins, a BI tool, the audit trail
SET search_path = por_partner, public;
\echo
\echo '== Each partner''s login reads its own book (the views of schema por_partner_book) =='
\echo 'A second reseller, Wingtip, buys cards and sets up a customer of its own:'
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
VALUES ('6600001', 'Wingtip Resellers', true, true, true);
INSERT INTO key_card (product_key, sku_code, licenses, partner_id, purchased_on)
SELECT pg_temp.sample_key('wingtip-' || i), 'O365_SMALL_BUSINESS', 1, p.partner_id, date '2026-11-02'
  FROM partner p, generate_series(1, 3) AS i WHERE p.mpn_id = '6600001';
SELECT create_customer_subscription(p.partner_id, ARRAY[pg_temp.sample_key('wingtip-1')],
           'Lucerne Publishing', 'CH', 'Luca', 'Meier', 'luca@lucerne.example') AS lucerne
  FROM partner p WHERE p.mpn_id = '6600001' \gset

\echo
\echo 'The operator gives each partner''s application a login and maps it (partner_login); a BI tool gets a reader login:'
CREATE ROLE demo_northwind_app LOGIN IN ROLE por_partner_partner;
CREATE ROLE demo_wingtip_app LOGIN IN ROLE por_partner_partner;
CREATE ROLE demo_bi LOGIN IN ROLE por_partner_reader;
INSERT INTO partner_login (login, partner_id)
SELECT 'demo_northwind_app'::regrole, partner_id FROM partner WHERE mpn_id = '4411223'
UNION ALL
SELECT 'demo_wingtip_app'::regrole, partner_id FROM partner WHERE mpn_id = '6600001';
SELECT l.login, p.name AS "acts for" FROM partner_login l JOIN partner p USING (partner_id) ORDER BY 1;

SELECT tenant_id AS fabrikam_tenant FROM subscription WHERE subscription_id = :fabrikam \gset

\echo
\echo 'Logged in as demo_northwind_app, with search_path = por_partner_book, por_partner:'
SET SESSION AUTHORIZATION demo_northwind_app;
SET search_path = por_partner_book, por_partner, public;
SELECT (SELECT count(*) FROM tenant) AS "tenants it sees", (SELECT count(*) FROM key_card) AS "key cards it sees",
       (SELECT count(*) FROM tenant WHERE organization_name = 'Lucerne Publishing') AS "of them Wingtip's";
\echo 'It sends a trial invitation, through the function, for its own partner:'
SELECT create_trial_invitation(caller_partner_id(), 'O365_SMALL_BUSINESS') IS NOT NULL AS "invitation sent (its URL is shown once)";
\echo 'The tables themselves are closed to it, and EXPLAIN shows nothing of other partners'' rows:'
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message FROM pg_temp.attempt('SELECT count(*) FROM por_partner.tenant') AS r;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT 1 FROM key_card WHERE product_key < 'PPPPP-PPPPP-PPPPP-PPPPP-PPPPP';
RESET SESSION AUTHORIZATION;
SET search_path = por_partner, public;

\echo 'Logged in as demo_wingtip_app:'
SET SESSION AUTHORIZATION demo_wingtip_app;
SET search_path = por_partner_book, por_partner, public;
SELECT organization_name AS "the tenants it sees" FROM tenant ORDER BY 1;
\echo 'It adds a seat to its customer with a key of its own:'
SELECT add_licenses(:lucerne, ARRAY[pg_temp.sample_key('wingtip-2')]) AS "Lucerne's seats now";
\echo 'Wingtip tries to add a user to Northwind''s customer Fabrikam, to redeem Northwind''s key, and to add seats directly:'
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message
  FROM (VALUES (1, format($$SELECT por_partner.add_user(%s, 'Mal', 'Lory', 'mal@fabrikam.example')$$, :fabrikam_tenant)),
               (2, format($$SELECT por_partner.create_customer_subscription(%s, ARRAY[%L]::por_partner.product_key[], 'X', 'DE', 'X', 'Y', 'x@y.example')$$,
                          (SELECT partner_id FROM por_partner_book.partner), pg_temp.sample_key('small-12'))),
               (3, format('UPDATE por_partner.subscription SET seats = 1000 WHERE subscription_id = %s', :lucerne))) AS t (n, stmt),
       LATERAL pg_temp.attempt(t.stmt) AS r
 ORDER BY t.n;
RESET SESSION AUTHORIZATION;
SET search_path = por_partner, public;

\echo
\echo '== Product keys: in full for their owner, masked for everyone else =='
\echo 'Logged in as demo_bi (por_partner_reader): every card, no key in full, and no table behind the views:'
SET SESSION AUTHORIZATION demo_bi;
SELECT mpn_id, product_key, sku_code, redeemed_as FROM key_card_overview ORDER BY mpn_id, redeemed_as NULLS LAST, product_key LIMIT 6;
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message
  FROM pg_temp.attempt('SELECT count(*) FROM por_partner.key_card') AS r;
RESET SESSION AUTHORIZATION;

\echo
\echo '== The audit trail: who (role, partner) did what, and when =='
SELECT audit_id, actor, actor_partner_id AS "for partner", table_name, operation, row_key
  FROM audit_log
 WHERE table_name <> 'key_card' OR operation <> 'INSERT'
 ORDER BY audit_id DESC LIMIT 8;
