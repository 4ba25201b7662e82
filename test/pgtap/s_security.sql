-- Who may see and do what.  Two partners' logins, an unmapped login, a BI
-- reader and an operator log in (SET SESSION AUTHORIZATION) and meet each
-- boundary: the rows row-level security shows them, the calls and writes
-- refused with 42501, the product keys masked, the audit trail of what they
-- did.  The rules stay those of domain.md (K2, K6, C1-C5, D2, P1, A1-A3, R1,
-- R2); this suite is about whose book each login reaches.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(121);

--------------------------------------------------------------------------
-- The world, set up as superuser
--------------------------------------------------------------------------

INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
VALUES ('790001', 'Alpha Partner', true, true, true) RETURNING partner_id AS pa \gset
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
VALUES ('790002', 'Beta Partner', true, true, true) RETURNING partner_id AS pb \gset
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
VALUES ('790003', 'Gamma Partner', true, true, true) RETURNING partner_id AS pc \gset

-- key cards: A bought five, B three, C one
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT k, 'O365_SMALL_BUSINESS', 1, p
  FROM (VALUES ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC2'::text, :pa), ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC3', :pa),
               ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC4', :pa), ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC6', :pa),
               ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC7', :pa),
               ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD2', :pb), ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD3', :pb),
               ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD4', :pb),
               ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQF2', :pc)) AS v (k, p);

-- customers: A created Alpha and Gamma; B created Beta and is partner of
-- record of Gamma's subscription, to which it added a seat with its own key;
-- C created Delta; A is Beta's delegated admin through an accepted offer
SELECT create_customer_subscription(:pa, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC2']::product_key[],
	'Alpha GmbH', 'DE', 'Anna', 'Alpha', 'anna@alpha.example') AS sa \gset
SELECT create_customer_subscription(:pa, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC3']::product_key[],
	'Gamma AG', 'CH', 'Gina', 'Gamma', 'gina@gamma.example') AS sg \gset
SELECT create_customer_subscription(:pb, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD2']::product_key[],
	'Beta SA', 'FR', 'Bea', 'Beta', 'bea@beta.example') AS sb \gset
SELECT create_customer_subscription(:pc, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQF2']::product_key[],
	'Delta BV', 'NL', 'Dirk', 'Delta', 'dirk@delta.example') AS sd \gset
SELECT tenant_id AS ta FROM subscription WHERE subscription_id = :sa \gset
SELECT tenant_id AS tg FROM subscription WHERE subscription_id = :sg \gset
SELECT tenant_id AS tb FROM subscription WHERE subscription_id = :sb \gset
SELECT tenant_id AS td FROM subscription WHERE subscription_id = :sd \gset
SELECT user_id AS ud FROM tenant_user WHERE tenant_id = :td \gset
SELECT set_partner_of_record(:sg, '790002');
SELECT add_licenses(:sg, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD3']::product_key[]);
SELECT offer_delegated_admin(:pa, :tb, 'Alpha would like to help') AS oa \gset
SELECT accept_delegated_admin_offer(:oa);
SELECT offer_delegated_admin(:pc, :td) AS oc \gset

INSERT INTO partner_user (partner_id, email, company_role, customer_access)
VALUES (:pa, 'ada@alpha-partner.example', 'global_admin', 'full') RETURNING partner_user_id AS ua \gset
INSERT INTO partner_user (partner_id, email, company_role, customer_access)
VALUES (:pb, 'ben@beta-partner.example', 'global_admin', 'full') RETURNING partner_user_id AS ub \gset

-- the logins: two partners' applications, one login mapped to no partner,
-- a BI tool and an operator
CREATE ROLE pp_sec_a LOGIN IN ROLE por_partner_partner;
CREATE ROLE pp_sec_b LOGIN IN ROLE por_partner_partner;
CREATE ROLE pp_sec_x LOGIN IN ROLE por_partner_partner;
CREATE ROLE pp_sec_bi LOGIN IN ROLE por_partner_reader;
CREATE ROLE pp_sec_op LOGIN IN ROLE por_partner_operator;
CREATE ROLE pp_sec_none LOGIN;
INSERT INTO partner_login (login, partner_id) VALUES ('pp_sec_a', :pa), ('pp_sec_b', :pb);

SELECT count(*) AS all_subscriptions FROM subscription \gset
SELECT count(*) AS all_cards FROM key_card \gset

SELECT throws_ok($$INSERT INTO por_partner.partner_login (login, partner_id) VALUES ('pp_sec_none', $$ || :pa || ')',
                 '23514', NULL, 'only a member of por_partner_partner is mapped to a partner');

--------------------------------------------------------------------------
-- Partner A's login
--------------------------------------------------------------------------

SET SESSION AUTHORIZATION pp_sec_a;
SET search_path = por_partner_book, por_partner, public;

SELECT is(caller()::text, 'pp_sec_a', 'caller() names the login');
SELECT is(caller_partner_id(), :pa::bigint, 'the login acts for partner A');
SELECT results_eq($$SELECT partner_id FROM por_partner_book.partner$$, ARRAY[:pa::bigint],
                  'A sees its own partner row only');
SELECT results_eq($$SELECT organization_name FROM por_partner_book.tenant ORDER BY 1$$,
                  ARRAY['Alpha GmbH', 'Beta SA', 'Gamma AG'],
                  'A sees the tenants it created and the one it administers as delegated admin, not Delta');
SELECT results_eq($$SELECT subscription_id FROM por_partner_book.subscription ORDER BY 1$$,
                  format('SELECT unnest(ARRAY[%s, %s, %s]::bigint[]) ORDER BY 1', :sa, :sg, :sb),
                  'A sees the subscriptions of its customers only');
SELECT is((SELECT count(*) FROM tenant_user WHERE tenant_id = :td), 0::bigint,
          'A sees none of Delta''s users');
SELECT results_eq($$SELECT DISTINCT partner_id FROM por_partner_book.key_card$$, ARRAY[:pa::bigint],
                  'A reads its own key cards only');
SELECT is((SELECT count(*) FROM key_card), 5::bigint, 'all five of them');
SELECT is((SELECT product_key FROM key_card_overview WHERE product_key LIKE '%QQQC2'),
          'QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC2', 'A sees its own key in full');
SELECT results_eq($$SELECT product_key FROM por_partner_book.key_card_overview WHERE partner_id <> $$ || :pa || ' ORDER BY 1',
                  ARRAY['XXXXX-XXXXX-XXXXX-XXXXX-QQQD2', 'XXXXX-XXXXX-XXXXX-XXXXX-QQQD3'],
                  'B''s keys redeemed on A''s customers (Beta, Gamma) are masked; B''s unredeemed card and C''s are not shown');
SELECT results_eq($$SELECT offer_id FROM por_partner_book.delegated_admin_offer$$, ARRAY[:oa::bigint],
                  'A sees its own delegated admin offers, not C''s');
SELECT results_eq($$SELECT DISTINCT partner_id FROM por_partner.expiring_subscriptions(400)$$, ARRAY[:pa::bigint],
                  'expiring_subscriptions() lists A''s own subscriptions only');
SELECT is((SELECT count(*) FROM subscription_overview WHERE tenant_id = :td), 0::bigint,
          'the overview shows A nothing of Delta');

-- the wall: no table of schema por_partner that holds partners' rows or
-- secrets, nor the BI views, is readable by a partner's login (it reads them
-- in por_partner_book)
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname::text) FROM pg_class c
            WHERE c.relnamespace = 'por_partner'::regnamespace AND c.relkind IN ('r', 'v', 'p')
              AND has_table_privilege(c.oid, 'SELECT')),
          ARRAY['country', 'renewal_notice_schedule', 'setting', 'sku'],
          'A''s login reads no table or view of schema por_partner but the reference tables');
SELECT throws_ok($$SELECT count(*) FROM por_partner.key_card$$, '42501', NULL,
                 'A reads por_partner.key_card only through por_partner_book.key_card');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname::text) FROM pg_class c
            WHERE c.relnamespace = 'por_partner_book'::regnamespace AND c.relkind = 'v'
              AND has_table_privilege(c.oid, 'SELECT')),
          ARRAY['audit_log', 'change_notice', 'delegated_admin', 'delegated_admin_offer', 'key_card', 'key_card_overview', 'license',
                'partner', 'partner_login', 'partner_user', 'purchase_offer', 'purchase_offer_line', 'renewal_notice',
                'subscription', 'subscription_overview', 'tenant', 'tenant_user', 'trial_invitation'],
          'A reads its book through the views of por_partner_book, one for each of those tables and BI views');

-- what A may do
SELECT lives_ok($$SELECT por_partner.add_user($$ || :ta || $$, 'Al', 'Alpha', 'al@alpha.example')$$,
                'A adds a user to its customer');
SELECT lives_ok($$SELECT por_partner.add_licenses($$ || :sb || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC6']::por_partner.product_key[])$$,
                'A adds seats with its own key to the customer it administers as delegated admin');
SELECT lives_ok($$SELECT por_partner.create_trial_invitation($$ || :pa || $$, 'O365_SMALL_BUSINESS')$$,
                'A sends a trial invitation of its own');
SELECT lives_ok($$SELECT por_partner.create_partner_user($$ || :ua || $$, 'new@alpha-partner.example')$$,
                'rule A2: A''s global admin adds a user of its own company (create_partner_user)');
SELECT throws_ok($$INSERT INTO por_partner.partner_user (partner_id, email) VALUES ($$ || :pa || $$, 'direct@alpha-partner.example')$$,
                 '42501', NULL, 'rule A1: A''s application writes no partner user directly');
SELECT throws_ok($$UPDATE por_partner.partner_user SET company_role = 'global_admin' WHERE partner_id = $$ || :pa,
                 '42501', NULL, 'rule A1: nor makes one a global admin by an UPDATE');
SELECT create_partner_user(:ua, 'plain@alpha-partner.example') AS u_plain \gset
SELECT throws_ok($$SELECT por_partner.create_partner_user($$ || :u_plain || $$, 'boss@alpha-partner.example', NULL, 'global_admin', 'full')$$,
                 '42501', NULL, 'rule A1: a user that is no admin makes no global admin');
SELECT throws_ok($$SELECT por_partner.update_partner_user($$ || :u_plain || ', ' || :u_plain || $$, NULL, 'global_admin', 'full')$$,
                 '42501', NULL, 'rule A1: nor promotes itself');
SELECT throws_ok($$SELECT por_partner.update_partner_contact($$ || :u_plain || $$, 'pwned@alpha-partner.example', '0', 'x')$$,
                 '42501', NULL, 'rule A1: so the application cannot change the company information through it');
SELECT throws_ok($$SELECT por_partner.remove_partner_user($$ || :ua || ', ' || :ua || ')',
                 '55000', NULL, 'rule A1: the last global admin stays');
-- a temporary table named like the extension's does not redirect the function
CREATE TEMP TABLE key_card (product_key text);
SELECT create_customer_subscription(:pa, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC4']::product_key[],
	'Epsilon Ltd', 'IE', 'Eve', 'Eps', 'eve@epsilon.example') AS se \gset
-- the deferred rule checks fire at commit, after the SECURITY DEFINER
-- function returned, as A's login (rules K3, A6)
SELECT lives_ok('SET CONSTRAINTS ALL IMMEDIATE',
                'the deferred checks of the customer A made pass as A''s login (rules K3, A6)');
DROP TABLE pg_temp.key_card;
SELECT is((SELECT subscription_id FROM por_partner_book.key_card WHERE product_key = 'QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC4'),
          :se::bigint, 'A creates a customer with its own key, whatever it names in its temporary schema');

-- what A may not do: functions
SELECT throws_ok($$SELECT por_partner.create_customer_subscription($$ || :pb || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD4']::por_partner.product_key[], 'X', 'DE', 'X', 'X', 'x@x.example')$$,
                 '42501', NULL, 'A may not act for partner B');
SELECT throws_ok($$SELECT por_partner.create_customer_subscription($$ || :pa || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD4']::por_partner.product_key[], 'X', 'DE', 'X', 'X', 'x@x.example')$$,
                 '42501', NULL, 'rule K2: A may not redeem a key B bought');
SELECT throws_ok($$SELECT por_partner.add_licenses($$ || :sa || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD4']::por_partner.product_key[])$$,
                 '42501', NULL, 'nor add seats with it');
SELECT throws_ok($$SELECT por_partner.add_licenses($$ || :sd || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC7']::por_partner.product_key[])$$,
                 '42501', NULL, 'A may not add seats to another partner''s customer');
SELECT throws_ok($$SELECT por_partner.renew_subscription($$ || :sd || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC7']::por_partner.product_key[])$$,
                 '42501', NULL, 'nor renew its subscription');
SELECT throws_ok($$SELECT por_partner.add_user($$ || :td || $$, 'Mal', 'Lory', 'mal@delta.example')$$,
                 '42501', NULL, 'nor add a user to its tenant');
SELECT throws_ok($$SELECT por_partner.add_user(-1, 'Mal', 'Lory', 'mal@delta.example')$$,
                 '42501', NULL, 'an unknown tenant is refused the same way, so ids cannot be probed');
SELECT throws_ok($$SELECT por_partner.assign_license($$ || :sd || ', ' || :ud || ')',
                 '42501', NULL, 'nor license its users');
SELECT throws_ok($$SELECT por_partner.remove_license($$ || :sd || ', ' || :ud || ')',
                 '42501', NULL, 'nor take their licenses');
SELECT throws_ok($$SELECT por_partner.offer_delegated_admin($$ || :pa || ', ' || :td || ')',
                 '42501', NULL, 'A offers delegated admin only to its own customers');
SELECT throws_ok($$SELECT por_partner.offer_delegated_admin($$ || :pb || ', ' || :ta || ')',
                 '42501', NULL, 'and only as itself');
SELECT throws_ok($$SELECT por_partner.create_purchase_offer($$ || :pb || $$, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 5}]')$$,
                 '42501', NULL, 'A may not make purchase offers for B');
SELECT throws_ok($$SELECT por_partner.update_partner_contact($$ || :ub || $$, 'evil@example.com', NULL, NULL)$$,
                 '42501', NULL, 'rule A1: A may not change B''s company information through B''s global admin');
SELECT throws_ok($$SELECT por_partner.partner_can($$ || :ub || ', ' || :tb || $$, 'reset_password')$$,
                 '42501', NULL, 'A may not ask what B''s users may do');
SELECT throws_ok($$SELECT por_partner.customer_management_view($$ || :pb || ')',
                 '42501', NULL, 'nor which page B uses');
SELECT throws_ok($$SELECT por_partner.partner_customer_count($$ || :pb || ')',
                 '42501', NULL, 'nor how many customers B has');
-- the customer's and the platform's functions
SELECT throws_ok($$SELECT por_partner.accept_delegated_admin_offer($$ || :oc || ')',
                 '42501', NULL, 'rule D2: only the customer (through the platform) accepts an offer');
SELECT throws_ok($$SELECT por_partner.set_partner_of_record($$ || :sd || $$, '790001')$$,
                 '42501', NULL, 'rule P1: only the customer names its partner of record');
SELECT throws_ok($$SELECT por_partner.remove_delegated_admin($$ || :pa || ', ' || :tb || ')',
                 '42501', NULL, 'only the customer removes a delegated admin');
SELECT throws_ok($$SELECT por_partner.renew_with_direct_billing($$ || :sa || ')',
                 '42501', NULL, 'rule R3: only the customer switches to direct billing');
SELECT throws_ok($$SELECT count(*) FROM por_partner.send_renewal_notices()$$,
                 '42501', NULL, 'the notice job is the platform''s');
SELECT throws_ok($$SELECT por_partner.purge_deprovisioned()$$,
                 '42501', NULL, 'and so is the purge');
-- what A may not do: direct writes
SELECT throws_ok($$INSERT INTO por_partner.key_card (product_key, sku_code, licenses, partner_id) VALUES ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC9', 'O365_SMALL_BUSINESS', 1, $$ || :pa || ')',
                 '42501', NULL, 'rule K2: a partner records no key cards itself');
SELECT throws_ok($$UPDATE por_partner.subscription SET seats = 99 WHERE subscription_id = $$ || :sa,
                 '42501', NULL, 'rule R3: no seats or terms without keys: a partner updates no subscription directly');
SELECT throws_ok($$UPDATE por_partner.partner SET cloud_essentials = true$$,
                 '42501', NULL, 'nor its own partner flags');
SELECT throws_ok($$DELETE FROM por_partner.tenant WHERE tenant_id = $$ || :ta,
                 '42501', NULL, 'nor deletes a customer');
SELECT throws_ok($$INSERT INTO por_partner.partner_user (partner_id, email) VALUES ($$ || :pb || $$, 'mole@beta-partner.example')$$,
                 '42501', NULL, 'A adds no user to B''s company (row-level security)');
SELECT throws_ok($$INSERT INTO por_partner.partner_login (login, partner_id) VALUES ('pp_sec_x', $$ || :pa || ')',
                 '42501', NULL, 'the login mapping is the operators''');
SELECT is((SELECT count(*) FROM partner_user WHERE partner_id = :pb), 0::bigint, 'A does not see B''s users');
RESET SESSION AUTHORIZATION;
SET search_path = por_partner, public;

--------------------------------------------------------------------------
-- Partner B's login
--------------------------------------------------------------------------

SET SESSION AUTHORIZATION pp_sec_b;
SET search_path = por_partner_book, por_partner, public;
SELECT results_eq($$SELECT organization_name FROM por_partner_book.tenant ORDER BY 1$$,
                  ARRAY['Beta SA', 'Gamma AG'],
                  'B sees the tenant it created and the one whose partner of record it is');
SELECT results_eq($$SELECT product_key FROM por_partner_book.key_card_overview WHERE partner_id <> $$ || :pb || ' ORDER BY 1',
                  ARRAY['XXXXX-XXXXX-XXXXX-XXXXX-QQQC3', 'XXXXX-XXXXX-XXXXX-XXXXX-QQQC6'],
                  'A''s keys redeemed on B''s customers are masked for B');
SELECT is((SELECT count(*) FROM key_card WHERE partner_id = :pa), 0::bigint, 'B reads none of A''s key cards');
SELECT is((SELECT count(*) FROM audit_log), 0::bigint, 'B sees none of the audit rows of A''s or the operator''s doings');
SELECT is((SELECT count(*) FROM subscription WHERE subscription_id = :se), 0::bigint,
          'B does not see the customer A just created');
SELECT is(partner_customer_count(:pb), 2::bigint, 'B counts its own customers');
-- rule D7: partner of record of Gamma's subscription, B administers nothing there
SELECT throws_ok($$SELECT por_partner.add_user($$ || :tg || $$, 'Po', 'R', 'po@gamma.example')$$,
                 '42501', format('tenant %s is not administered by partner %s', :tg, :pb),
                 'rule D7: a partner of record alone adds no user to the customer');
SELECT throws_ok($$SELECT por_partner.assign_license($$ || :sg || ', ' || (SELECT user_id FROM tenant_user WHERE tenant_id = :tg LIMIT 1) || ')',
                 '42501', format('subscription %s is not administered by partner %s', :sg, :pb),
                 'rule D7: nor licenses its users');
SELECT throws_ok($$SELECT por_partner.remove_license($$ || :sg || ', ' || (SELECT user_id FROM tenant_user WHERE tenant_id = :tg LIMIT 1) || ')',
                 '42501', format('subscription %s is not administered by partner %s', :sg, :pb),
                 'rule D7: nor takes a license back');
SELECT throws_ok($$SELECT por_partner.add_licenses($$ || :sg || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD4']::por_partner.product_key[])$$,
                 '42501', format('subscription %s is not administered by partner %s', :sg, :pb),
                 'rule D7: nor adds seats, even with its own keys');
SELECT throws_ok($$SELECT por_partner.renew_subscription($$ || :sg || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQD4']::por_partner.product_key[])$$,
                 '42501', format('subscription %s is not administered by partner %s', :sg, :pb),
                 'rule D7: nor renews with keys');
SELECT is(partner_can(:ub, :tg, 'manage_users'), false,
          'rule D7: partner_can() agrees: a partner of record alone may not manage the users');
SELECT throws_ok($$SELECT por_partner.add_user($$ || :td || $$, 'No', 'One', 'no@delta.example')$$,
                 '42501', format('tenant %s is not administered by partner %s', :td, :pb),
                 'rule D7: another partner''s customer gets the same answer');
SELECT throws_ok($$SELECT por_partner.add_user($$ || (:td + 1000000) || $$, 'No', 'One', 'no@nowhere.example')$$,
                 '42501', format('tenant %s is not administered by partner %s', :td + 1000000, :pb),
                 'rule D7: and so does a tenant that does not exist');
SELECT lives_ok($$SELECT por_partner.offer_delegated_admin($$ || :pb || ', ' || :tg || ')',
                'rule P3: but as partner of record B may offer delegated admin');
RESET SESSION AUTHORIZATION;
SET search_path = por_partner, public;
-- rule D7: the partner that set the customer up administers it without being its delegated admin
SET SESSION AUTHORIZATION pp_sec_a;
SET search_path = por_partner_book, por_partner, public;
SELECT lives_ok($$SELECT por_partner.add_user($$ || :tg || $$, 'Cre', 'Ator', 'creator@gamma.example')$$,
                'rule D7: the partner that created the customer adds users to it');
RESET SESSION AUTHORIZATION;
SET search_path = por_partner, public;

--------------------------------------------------------------------------
-- A login mapped to no partner, and a role with no por_partner role at all
--------------------------------------------------------------------------

SET SESSION AUTHORIZATION pp_sec_x;
SET search_path = por_partner_book, por_partner, public;
SELECT is((SELECT count(*) FROM tenant) + (SELECT count(*) FROM key_card) + (SELECT count(*) FROM subscription_overview),
          0::bigint, 'a partner login not mapped to a partner sees nothing');
SELECT throws_ok($$SELECT por_partner.create_customer_subscription($$ || :pa || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC7']::por_partner.product_key[], 'X', 'DE', 'X', 'X', 'x@x.example')$$,
                 '42501', 'role pp_sec_x does not act for any partner', 'and acts for none');
RESET SESSION AUTHORIZATION;
SET search_path = por_partner, public;

SET SESSION AUTHORIZATION pp_sec_none;
SELECT throws_ok($$SELECT count(*) FROM por_partner.tenant$$, '42501', NULL,
                 'a role without a por_partner role reads no table');
SELECT throws_ok($$SELECT por_partner.add_user($$ || :ta || $$, 'X', 'Y', 'x@alpha.example')$$, '42501', NULL,
                 'and calls no function that changes anything');
RESET SESSION AUTHORIZATION;

--------------------------------------------------------------------------
-- The BI reader
--------------------------------------------------------------------------

SELECT count(*) AS all_subscriptions FROM subscription \gset
SELECT count(*) AS all_cards FROM key_card \gset
SET SESSION AUTHORIZATION pp_sec_bi;
SELECT is((SELECT count(*) FROM subscription_overview), :all_subscriptions::bigint,
          'rule R2: the reader sees every subscription in the overview');
SELECT is((SELECT count(*) FROM key_card_overview), :all_cards::bigint, 'and every key card');
SELECT is((SELECT count(*) FROM key_card_overview WHERE product_key !~ '^XXXXX-XXXXX-XXXXX-XXXXX-[2-9B-Y]{5}$'),
          0::bigint, 'every key masked');
SELECT ok((SELECT count(DISTINCT partner_id) >= 3 FROM expiring_subscriptions(400)),
          'rule R2: expiring_subscriptions() lists every partner''s subscriptions for the reader');
SELECT throws_ok($$SELECT count(*) FROM por_partner.key_card$$, '42501', NULL, 'the reader reads no key card table');
SELECT throws_ok($$SELECT count(*) FROM por_partner.subscription$$, '42501', NULL, 'no base table');
SELECT throws_ok($$SELECT count(*) FROM por_partner.audit_log$$, '42501', NULL, 'no audit trail');
SELECT throws_ok($$UPDATE por_partner.subscription_overview SET seats = 99$$, '55000', NULL,
                 'and changes nothing through the views (not updatable)');
SELECT throws_ok($$SELECT por_partner.create_customer_subscription($$ || :pa || $$, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC7']::por_partner.product_key[], 'X', 'DE', 'X', 'X', 'x@x.example')$$,
                 '42501', NULL, 'nor through the functions');
RESET SESSION AUTHORIZATION;

--------------------------------------------------------------------------
-- The operator
--------------------------------------------------------------------------

SET SESSION AUTHORIZATION pp_sec_op;
SELECT is((SELECT count(*) FROM key_card), :all_cards::bigint, 'the operator reads every key card');
SELECT is((SELECT count(*) FROM key_card_overview WHERE product_key LIKE 'XXXXX%'), 0::bigint,
          'in full');
SELECT lives_ok($$UPDATE por_partner.partner SET service_provider = true WHERE mpn_id = '790003'$$,
                'the operator changes partner flags');
SELECT lives_ok($$SELECT por_partner.accept_delegated_admin_offer($$ || :oc || ')',
                'and answers offers for the customers');
SELECT lives_ok($$INSERT INTO por_partner.partner_login (login, partner_id) VALUES ('pp_sec_x', $$ || :pc || ')',
                'and maps logins to partners');
SELECT throws_ok($$SELECT por_partner_internal.contact_edit_begin($$ || :pa || ')', '42501', NULL,
                 'rule A1: not even the operator sets the company-information edit flag');
SELECT throws_ok($$UPDATE por_partner.partner SET phone = '1' WHERE partner_id = $$ || :pa, '42501', NULL,
                 'rule A1: nor changes company information directly');
RESET SESSION AUTHORIZATION;

--------------------------------------------------------------------------
-- The audit trail
--------------------------------------------------------------------------

SELECT is((SELECT string_agg(actor || '/' || actor_partner_id || '/' || operation, ',') FROM audit_log
            WHERE table_name = 'subscription' AND row_key = jsonb_build_object('subscription_id', :se)),
          'pp_sec_a/' || :pa || '/INSERT',
                  'the audit trail names the login and the partner that created a subscription');
SELECT ok((SELECT new_row ? 'tenant_id' AND NOT new_row ? 'licensed_users' FROM audit_log
            WHERE table_name = 'subscription' AND row_key = jsonb_build_object('subscription_id', :se) AND operation = 'INSERT'),
          'its row after leaves out the license count, whose changes are not recorded');
SELECT ok((SELECT old_row->>'redeemed_at' IS NULL AND (new_row->>'subscription_id')::bigint = :se
             FROM audit_log WHERE table_name = 'key_card' AND operation = 'UPDATE'
              AND row_key = '{"product_key": "QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC4"}'),
          'and the redemption of its key, before and after');
SELECT is((SELECT string_agg(actor || '/' || coalesce(actor_partner_id::text, 'none'), ',') FROM audit_log
            WHERE table_name = 'partner' AND operation = 'UPDATE' AND new_row->>'mpn_id' = '790003'),
          'pp_sec_op/none',
                  'the operator''s change of partner flags, with no partner');
SELECT is((SELECT count(*) FROM audit_log WHERE table_name = 'delegated_admin' AND operation = 'INSERT'
             AND row_key = jsonb_build_object('partner_id', :pc, 'tenant_id', :td)), 1::bigint,
          'the new relationship from the offer the operator accepted');
SELECT is((SELECT string_agg(actor || '/' || operation || '/' || (new_row->>'email'), ',' ORDER BY audit_id) FROM audit_log
            WHERE table_name = 'partner_user' AND new_row->>'partner_id' = :'pa' AND actor = 'pp_sec_a'),
          'pp_sec_a/INSERT/new@alpha-partner.example,pp_sec_a/INSERT/plain@alpha-partner.example',
          'rule A1: the partner users A''s application made are in the audit trail, with its login');
SELECT is((SELECT count(*) FROM audit_log WHERE table_name = 'partner_login' AND row_key = '{"login": "pp_sec_x"}'),
          1::bigint, 'and the new login mapping');

-- an operator's later change of a row A made: A's audit row still shows
-- the row as A made it (the trail rebuilds it from every later change, also
-- those A may not read)
SELECT coalesce(display_name, '(none)') AS a_user_name FROM partner_user
 WHERE partner_id = :pa AND email = 'new@alpha-partner.example' \gset
UPDATE partner_user SET display_name = 'Renamed By An Operator' WHERE partner_id = :pa AND email = 'new@alpha-partner.example';

SET SESSION AUTHORIZATION pp_sec_a;
SET search_path = por_partner_book, por_partner, public;
SELECT ok((SELECT count(*) > 0 FROM audit_log) AND (SELECT bool_and(actor_partner_id = :pa) FROM audit_log),
          'A reads the audit rows of its own doings, only those');
SELECT is((SELECT coalesce(new_row->>'display_name', '(none)') FROM audit_log
            WHERE table_name = 'partner_user' AND operation = 'INSERT' AND new_row->>'email' = 'new@alpha-partner.example'),
          :'a_user_name', 'A''s audit row shows the partner user as A made it, not as an operator changed it since');
SELECT throws_ok($$DELETE FROM por_partner.audit_change$$, '42501', NULL, 'A deletes no audit row');
SELECT throws_ok($$UPDATE por_partner.audit_change SET actor = 'nobody'$$, '42501', NULL, 'nor changes one');
RESET SESSION AUTHORIZATION;
SET search_path = por_partner, public;
SET SESSION AUTHORIZATION pp_sec_op;
SELECT lives_ok($$DELETE FROM por_partner.audit_change WHERE table_code = 'l'$$,
                'the operator may delete audit rows');
RESET SESSION AUTHORIZATION;

--------------------------------------------------------------------------
-- The SECURITY DEFINER functions and the tables, from the catalog
--------------------------------------------------------------------------

-- the extension's functions, in both of its schemas
CREATE TEMP VIEW ext_proc AS
SELECT p.* FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'por_partner';
GRANT SELECT ON ext_proc TO PUBLIC;
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM ext_proc p
            WHERE p.pronamespace NOT IN ('por_partner'::regnamespace, 'por_partner_internal'::regnamespace,
                                         'por_partner_book'::regnamespace)),
          NULL, 'the extension''s functions are in schemas por_partner, por_partner_internal and por_partner_book');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM ext_proc p
            WHERE p.pronamespace = 'por_partner'::regnamespace
              AND (p.prorettype = 'trigger'::regtype OR obj_description(p.oid, 'pg_proc') LIKE 'Internal:%')),
          NULL, 'every trigger function and internal helper is in schema por_partner_internal');
SELECT ok(NOT has_schema_privilege(r, 'por_partner_internal', 'USAGE'),
          format('%s has no USAGE on schema por_partner_internal', r))
  FROM unnest(ARRAY['por_partner_partner', 'por_partner_reader', 'pp_sec_none']) AS r;
SELECT is((SELECT array_agg(format('%s: %s', r, p.oid::regprocedure) ORDER BY 1) FROM ext_proc p,
                  unnest(ARRAY['por_partner_partner', 'por_partner_reader', 'pp_sec_none']) AS r
            WHERE p.pronamespace = 'por_partner_internal'::regnamespace
              AND has_function_privilege(r, p.oid, 'EXECUTE')),
          NULL, 'partners, readers and other roles may execute no internal function');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM ext_proc p
            WHERE p.prosecdef
              AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, por_partner, pg_temp'], false)),
          NULL, 'every SECURITY DEFINER function pins search_path, pg_temp last');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname::text) FROM ext_proc p
            WHERE p.prosecdef
              AND has_function_privilege('pp_sec_none', p.oid, 'EXECUTE')),
          NULL,
          'a role without a por_partner role may call no SECURITY DEFINER function');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname::text) FROM ext_proc p
            WHERE p.prosecdef
              AND has_function_privilege('por_partner_partner', p.oid, 'EXECUTE')
              AND p.proname NOT IN ('caller_partner_id', 'partner_tenants')
              AND p.prosrc !~ 'require_(acting_partner|tenant_access|tenant_admin|subscription_access|partner_user_access|user_manager)|caller_reads_all|caller_partner_id|lock_managed_user'),
          NULL, 'every SECURITY DEFINER function a partner may call checks whom the caller acts for');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname::text) FROM pg_class c
            WHERE c.relnamespace = 'por_partner'::regnamespace AND c.relkind = 'r' AND NOT c.relrowsecurity),
          ARRAY['country', 'renewal_notice_schedule', 'setting', 'sku'],
          'row-level security is on for every table but the reference tables');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname::text) FROM pg_class c
            WHERE c.relnamespace = 'por_partner'::regnamespace AND c.relkind IN ('r', 'v')
              AND has_table_privilege('por_partner_reader', c.oid, 'SELECT')),
          ARRAY['country', 'key_card_overview', 'renewal_notice_schedule', 'sku', 'subscription_overview'],
          'the reader reads the views and the reference tables, nothing else');
SELECT is((SELECT array_agg(DISTINCT c.relname::text ORDER BY c.relname::text) FROM pg_class c
            CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS priv
            WHERE c.relnamespace = 'por_partner'::regnamespace AND c.relkind = 'r'
              AND has_table_privilege('por_partner_partner', c.oid, priv)),
          NULL, 'a partner''s login writes no table directly: it acts through the functions, its own company''s users too (rule A1)');

--------------------------------------------------------------------------
-- Rule D5: delegated admin offered with a key set-up, in one transaction
--------------------------------------------------------------------------

SET SESSION AUTHORIZATION pp_sec_a;
SET search_path = por_partner_book, por_partner, public;
SELECT create_customer_subscription(:pa, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQC7']::product_key[],
	'Zeta Ltd', 'IE', 'Zoe', 'Zeta', 'zoe@zeta.example', current_date,
	offer_delegated_admin => true, offer_message => 'Alpha would like to manage Microsoft 365 for you') AS sz \gset
SELECT is((SELECT o.status || ': ' || o.message FROM delegated_admin_offer o JOIN subscription s USING (tenant_id)
            WHERE s.subscription_id = :sz),
          'pending: Alpha would like to manage Microsoft 365 for you',
          'rule D5: the key set-up offers delegated admin to the new customer, with the message (pending until it answers, D2)');
RESET SESSION AUTHORIZATION;
SET search_path = por_partner, public;
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
VALUES ('790004', 'Eta Partner', true, true, false) RETURNING partner_id AS pe \gset
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
VALUES ('QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQG2', 'O365_SMALL_BUSINESS', 1, :pe);
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY['QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQG2']::product_key[],
	'Theta Ltd', 'IE', 'Tom', 'Theta', 'tom@theta.example', current_date, true)$$, :pe),
                 '23514', NULL, 'rule D3: a partner outside Cloud Essentials offers no delegated admin with its set-up');
SELECT is((SELECT count(*) FROM tenant WHERE organization_name = 'Theta Ltd') + (SELECT count(*) FROM key_card
            WHERE product_key = 'QQQQQ-QQQQQ-QQQQQ-QQQQQ-QQQG2' AND redeemed_at IS NOT NULL), 0::bigint,
          'rule K5: and nothing of the set-up is left: no customer, the key unredeemed');

SELECT * FROM finish();
ROLLBACK;
