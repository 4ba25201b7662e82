-- rules A1-A5 (with D4, D5): the partner admin center.  Global admins edit
-- the company information (A1); partner users have full, limited or no
-- access to customers (A2); managing customers is open to Cloud Essentials
-- partners and service providers, through "Manage customers" below 100
-- customers and "Find and help customers" from 100 (A3); subscription
-- advisors send trial invitations (A4) and purchase offers (A5) by URL,
-- including delegated admin when enrolled in Cloud Essentials (D3, D5).
BEGIN;
SET search_path = por_partner, public;
SELECT plan(120);

-- Helper rows.  Identity values survive the ROLLBACK of other suites, so ids
-- are captured, never written down.  MPN IDs are this suite's own.
INSERT INTO partner (mpn_id, name, subscription_advisor, cloud_essentials)
VALUES ('733001', 'Tailwind Advisors', true, true)
RETURNING partner_id AS padv \gset
INSERT INTO partner (mpn_id, name, subscription_advisor)
VALUES ('733002', 'Wingtip Advisors', true)
RETURNING partner_id AS padv_nce \gset
INSERT INTO partner (mpn_id, name, reseller)
VALUES ('733003', 'Lucerne Plain', true)
RETURNING partner_id AS pplain \gset
INSERT INTO partner (mpn_id, name, service_provider)
VALUES ('733004', 'Trey Services', true)
RETURNING partner_id AS psp \gset
INSERT INTO partner (mpn_id, name, cloud_essentials, email, phone, address)
VALUES ('733005', 'Woodgrove Cloud', true, 'hello@woodgrove.example', '+30 210 0000', 'Athens')
RETURNING partner_id AS pce \gset
INSERT INTO partner (mpn_id, name, subscription_advisor, cloud_essentials)
VALUES ('733006', 'Relecloud Advisors', true, true)
RETURNING partner_id AS padv_leaving \gset
SELECT max(partner_id) + 1000000 AS p_unknown FROM partner \gset

-- partner users (A2)
INSERT INTO partner_user (partner_id, email, display_name, company_role, customer_access)
VALUES (:padv, 'gail@tailwind.example', 'Gail', 'global_admin', 'full')
RETURNING partner_user_id AS u_ga \gset
INSERT INTO partner_user (partner_id, email, display_name, company_role, customer_access)
VALUES (:padv, 'ursula@tailwind.example', 'Ursula', 'user_admin', 'limited')
RETURNING partner_user_id AS u_ua \gset
INSERT INTO partner_user (partner_id, email, display_name)
VALUES (:padv, 'nat@tailwind.example', 'Nat')
RETURNING partner_user_id AS u_none \gset
INSERT INTO partner_user (partner_id, email, company_role, customer_access)
VALUES (:pce, 'fay@woodgrove.example', 'global_admin', 'full')
RETURNING partner_user_id AS w_full \gset
INSERT INTO partner_user (partner_id, email, customer_access)
VALUES (:pce, 'lou@woodgrove.example', 'limited')
RETURNING partner_user_id AS w_limited \gset
INSERT INTO partner_user (partner_id, email, customer_access)
VALUES (:pce, 'ned@woodgrove.example', 'none')
RETURNING partner_user_id AS w_none \gset
INSERT INTO partner_user (partner_id, email, customer_access)
VALUES (:psp, 'tom@trey.example', 'full')
RETURNING partner_user_id AS s_full \gset
SELECT max(partner_user_id) + 1000000 AS u_unknown FROM partner_user \gset

--------------------------------------------------------------------------
-- rule A1: company information, edited by global admins
--------------------------------------------------------------------------
SELECT lives_ok(format($$SELECT update_partner_contact(%s, 'info@tailwind.example', '+420 222 000 111', 'Praha 1')$$, :u_ga),
                'rule A1: a global admin of the partner edits the company information');
SELECT results_eq(format($$SELECT email, phone, address FROM partner WHERE partner_id = %s$$, :padv),
                  $$VALUES ('info@tailwind.example', '+420 222 000 111', 'Praha 1')$$,
                  'rule A1: the company information is changed');
SELECT results_eq(format($$SELECT email, phone, address FROM partner WHERE partner_id = %s$$, :pce),
                  $$VALUES ('hello@woodgrove.example', '+30 210 0000', 'Athens')$$,
                  'rule A1: another partner''s company information is unchanged');

SELECT throws_ok(format($$SELECT update_partner_contact(%s, 'x@tailwind.example', '1', 'x')$$, :u_ua),
                 '42501', format('partner user %s (ursula@tailwind.example) may not change the company information', :u_ua),
                 'rule A1: a user admin may not edit the company information');
SELECT throws_ok(format($$SELECT update_partner_contact(%s, 'x@tailwind.example', '1', 'x')$$, :u_none),
                 '42501', format('partner user %s (nat@tailwind.example) may not change the company information', :u_none),
                 'rule A1: a user without an admin role may not edit the company information');
SELECT throws_ok(format($$SELECT update_partner_contact(%s, 'x@tailwind.example', '1', 'x')$$, :u_unknown),
                 '23503', format('partner user %s does not exist', :u_unknown),
                 'rule A1: an unknown partner user is refused');
SELECT throws_ok($$SELECT update_partner_contact(NULL, 'x@tailwind.example', '1', 'x')$$,
                 '22004', 'argument "partner_user_id" must not be null',
                 'rule A1: a null partner user is refused');
SELECT throws_ok(format($$SELECT update_partner_contact(%s, 'not an address', '1', 'x')$$, :u_ga),
                 '22023', 'invalid e-mail address: "not an address"',
                 'rule A1: a malformed e-mail address is refused');

-- direct writes, also right after update_partner_contact in this transaction
SELECT throws_ok(format($$UPDATE partner SET phone = '+420 999' WHERE partner_id = %s$$, :padv),
                 '42501', 'the company information of partner 733001 is changed by its global admins',
                 'rule A1: a direct UPDATE of the phone is refused');
SELECT throws_ok(format($$UPDATE partner SET email = 'evil@tailwind.example' WHERE partner_id = %s$$, :padv),
                 '42501', 'the company information of partner 733001 is changed by its global admins',
                 'rule A1: a direct UPDATE of the e-mail is refused');
SELECT throws_ok(format($$UPDATE partner SET address = 'Elsewhere' WHERE partner_id = %s$$, :padv),
                 '42501', 'the company information of partner 733001 is changed by its global admins',
                 'rule A1: a direct UPDATE of the address is refused');
SELECT throws_ok(format($$UPDATE partner SET phone = '+30 1' WHERE partner_id = %s$$, :pce),
                 '42501', 'the company information of partner 733005 is changed by its global admins',
                 'rule A1: a direct UPDATE of another partner''s phone is refused');
SELECT set_config('por_partner.contact_editor', :'padv', true) AS forged_editor \gset
SELECT throws_ok(format($$UPDATE partner SET phone = '+420 666' WHERE partner_id = %s$$, :padv),
                 '42501', 'the company information of partner 733001 is changed by its global admins',
                 'rule A1: a direct UPDATE is refused even after setting por_partner.contact_editor by hand');
SELECT set_config('por_partner.contact_editor', '', true) AS reset_editor \gset
-- nor by a function of the same name outside the extension, nor by an
-- UPDATE whose text carries what the call stack of update_partner_contact
-- would show
CREATE SCHEMA a1_lookalike;
CREATE FUNCTION a1_lookalike.update_partner_contact(partner_id bigint, email text, phone text, address text)
RETURNS void LANGUAGE plpgsql SET search_path = a1_lookalike AS $$
BEGIN
	UPDATE por_partner.partner p SET phone = update_partner_contact.phone
	 WHERE p.partner_id = update_partner_contact.partner_id;
END $$;
SELECT throws_ok(format($$SELECT a1_lookalike.update_partner_contact(%s, NULL, '+420 777', NULL)$$, :padv),
                 '42501', 'the company information of partner 733001 is changed by its global admins',
                 'rule A1: a function named update_partner_contact outside the extension is refused');
SELECT throws_ok(format(E'UPDATE partner SET phone = \'+420 888\' /*\nPL/pgSQL function por_partner.update_partner_contact(bigint,text,text,text) line 1 */ WHERE partner_id = %s', :padv),
                 '42501', 'the company information of partner 733001 is changed by its global admins',
                 'rule A1: a direct UPDATE whose text imitates the call stack of update_partner_contact is refused');
SELECT results_eq(format($$SELECT email, phone, address FROM partner WHERE partner_id = %s$$, :padv),
                  $$VALUES ('info@tailwind.example', '+420 222 000 111', 'Praha 1')$$,
                  'rule A1: the refused edits left the company information');
SELECT lives_ok(format($$UPDATE partner SET name = 'Tailwind Advisors Ltd' WHERE partner_id = %s$$, :padv),
                'rule A1: columns other than the company information are not guarded by A1');

--------------------------------------------------------------------------
-- rule A2: partner users and their access to customers
--------------------------------------------------------------------------
SELECT is((SELECT customer_access FROM partner_user WHERE partner_user_id = :u_none), 'none',
          'rule A2: a partner user has no access to customers unless given');
SELECT throws_ok(format($$INSERT INTO partner_user (partner_id, email, customer_access) VALUES (%s, 'x@tailwind.example', 'global')$$, :padv),
                 '23514', NULL, 'rule A2: customer access is full, limited or none');
SELECT throws_ok(format($$INSERT INTO partner_user (partner_id, email, company_role) VALUES (%s, 'x@tailwind.example', 'owner')$$, :padv),
                 '23514', NULL, 'rule A2: the company role is a known admin role');
SELECT throws_ok(format($$INSERT INTO partner_user (partner_id, email) VALUES (%s, 'GAIL@Tailwind.example')$$, :padv),
                 '23505', NULL, 'rule A2: a partner user''s e-mail is unique in the partner, whatever its case');

--------------------------------------------------------------------------
-- rule A3: managing customers
--------------------------------------------------------------------------
SELECT throws_ok(format($$SELECT customer_management_view(%s)$$, :pplain),
                 '42501', 'partner "Lucerne Plain" (MPN ID 733003) may not manage customers',
                 'rule A3: a partner neither in Cloud Essentials nor service provider may not manage customers');
SELECT throws_ok(format($$SELECT customer_management_view(%s)$$, :padv_nce),
                 '42501', 'partner "Wingtip Advisors" (MPN ID 733002) may not manage customers',
                 'rule A3: being a subscription advisor is not enough to manage customers');
SELECT is(customer_management_view(:psp), 'manage_customers',
          'rule A3: a service provider outside Cloud Essentials manages customers');
SELECT is(customer_management_view(:pce), 'manage_customers',
          'rule A3: a Cloud Essentials partner manages customers');
SELECT throws_ok(format($$SELECT customer_management_view(%s)$$, :p_unknown),
                 '23503', format('partner %s does not exist', :p_unknown),
                 'rule A3: an unknown partner is refused');
SELECT throws_ok($$SELECT customer_management_view(NULL)$$,
                 '22004', 'argument "partner_id" must not be null',
                 'rule A3: a null partner is refused');

-- 99 customers, then 100 (the tenant trigger gives each its admin user)
INSERT INTO tenant (organization_name, country_code, created_by, admin_first_name, admin_last_name, admin_email)
SELECT 'Trey customer ' || i, 'PL', :psp, 'Admin', 'No ' || i, 'admin' || i || '@trey-customer.example'
  FROM generate_series(1, 99) AS i;
SELECT is(partner_customer_count(:psp), 99::bigint, 'rule A3: the partner has 99 customers');
SELECT is(customer_management_view(:psp), 'manage_customers', 'rule A3: with 99 customers, Manage customers');
INSERT INTO tenant (organization_name, country_code, created_by, admin_first_name, admin_last_name, admin_email)
VALUES ('Trey customer 100', 'PL', :psp, 'Admin', 'No 100', 'admin100@trey-customer.example');
SELECT is(partner_customer_count(:psp), 100::bigint, 'rule A3: the partner has 100 customers');
SELECT is(customer_management_view(:psp), 'find_and_help_customers',
          'rule A3: with 100 customers, Find and help customers');
SELECT is(customer_management_view(:pce), 'manage_customers',
          'rule A3: another partner''s customers do not count');

-- partner_can: delegated admin, allowed to manage customers, and access
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Fourth Coffee', 'BG', 'Ivan', 'Petrov', 'ivan@fourthcoffee.example')
RETURNING tenant_id AS tc \gset
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Margie''s Travel', 'BG', 'Maria', 'Georgieva', 'maria@margie.example')
RETURNING tenant_id AS tother \gset
SELECT max(tenant_id) + 1000000 AS t_unknown FROM tenant \gset
SELECT accept_delegated_admin_offer(offer_delegated_admin(:pce, :tc, 'Woodgrove for Fourth Coffee')) AS void1 \gset
SELECT is(partner_customer_count(:pce), 1::bigint, 'rule A3: a customer administered as delegated admin counts');

SELECT ok(partner_can(:w_full, :tc, 'reset_password') AND partner_can(:w_full, :tc, 'manage_users')
          AND partner_can(:w_full, :tc, 'manage_licenses') AND partner_can(:w_full, :tc, 'manage_subscriptions')
          AND partner_can(:w_full, :tc, 'manage_domains') AND partner_can(:w_full, :tc, 'service_requests'),
          'rule A2: full access covers every action');
SELECT ok(partner_can(:w_limited, :tc, 'reset_password'), 'rule A2: limited access covers password resets');
SELECT ok(NOT partner_can(:w_limited, :tc, 'manage_users'), 'rule A2: limited access does not cover managing users');
SELECT ok(NOT (partner_can(:w_limited, :tc, 'manage_licenses') OR partner_can(:w_limited, :tc, 'manage_subscriptions')
               OR partner_can(:w_limited, :tc, 'manage_domains') OR partner_can(:w_limited, :tc, 'service_requests')),
          'rule A2: limited access covers nothing but password resets');
SELECT ok(NOT (partner_can(:w_none, :tc, 'reset_password') OR partner_can(:w_none, :tc, 'manage_users')
               OR partner_can(:w_none, :tc, 'service_requests')),
          'rule A2: no access covers nothing');
SELECT ok(NOT partner_can(:w_full, :tother, 'reset_password'),
          'rule A3: full access is nothing in a tenant the partner is not delegated admin of');
SELECT ok(NOT partner_can(:u_ga, :tc, 'reset_password'),
          'rule A2: a user of another partner may do nothing in the tenant');
SELECT ok(NOT partner_can(:s_full, :tc, 'reset_password'),
          'rule A3: a service provider that is not the tenant''s delegated admin may do nothing');
SELECT throws_ok(format($$SELECT partner_can(%s, %s, 'fly')$$, :w_full, :tc),
                 '22023', 'unknown action "fly"', 'rule A3: an unknown action is refused');
SELECT throws_ok(format($$SELECT partner_can(%s, %s, 'reset_password')$$, :u_unknown, :tc),
                 '23503', format('partner user %s does not exist', :u_unknown),
                 'rule A3: an unknown partner user is refused');
SELECT throws_ok(format($$SELECT partner_can(%s, NULL, 'reset_password')$$, :w_full),
                 '22004', 'argument "tenant_id" must not be null', 'rule A3: a null tenant is refused');
SELECT is(partner_can(:w_full, :t_unknown, 'reset_password'), false,
          'rule A3: nothing may be done in an unknown tenant');

--------------------------------------------------------------------------
-- rule A4: trial invitations
--------------------------------------------------------------------------
SELECT create_trial_invitation(:padv, 'O365_SMALL_BUSINESS') AS trial_url \gset
SELECT create_trial_invitation(:padv, 'O365_SMALL_BUSINESS') AS trial_url2 \gset
SELECT create_trial_invitation(:padv, 'O365_MIDSIZE_BUSINESS', true) AS trial_url_da \gset
SELECT create_trial_invitation(:padv_leaving, 'O365_SMALL_BUSINESS', true) AS trial_url_leaving \gset
SELECT sku_code AS trial_sku, trial_seats, (current_date + trial_term)::date AS trial_expires
  FROM sku WHERE sku_code = 'O365_SMALL_BUSINESS' \gset
SELECT trial_seats AS trial_seats_mid, (current_date + trial_term)::date AS trial_expires_mid
  FROM sku WHERE sku_code = 'O365_MIDSIZE_BUSINESS' \gset

SELECT matches(:'trial_url'::text, '/trial/[0-9a-f]{32}$', 'rule A4: the invitation URL ends in /trial/ and a 32-digit code');
SELECT matches(:'trial_url'::text, '^https?://', 'rule A4: the invitation is a URL');
SELECT isnt(right(:'trial_url', 32), right(:'trial_url2', 32), 'rule A4: each invitation has its own code');
SELECT results_eq(format($$SELECT partner_id, sku_code, include_delegated_admin FROM trial_invitation WHERE code_hash = sha256(convert_to(%L, 'UTF8'))$$,
                         right(:'trial_url', 32)),
                  format($$VALUES (%s::bigint, 'O365_SMALL_BUSINESS', false)$$, :padv),
                  'rule A4: the embedded code identifies the partner as the advisor (the table keeps its SHA-256)');
SELECT is((SELECT count(*) FROM trial_invitation t, to_jsonb(t) j WHERE j::text LIKE '%' || right(:'trial_url', 32) || '%'),
          0::bigint, 'rule A4: the table keeps no usable code of an invitation URL');

SELECT count(*) AS invitations_before FROM trial_invitation \gset
SELECT throws_ok(format($$SELECT create_trial_invitation(%s, 'O365_SMALL_BUSINESS')$$, :pce),
                 '23514', 'partner "Woodgrove Cloud" (MPN ID 733005) may not create trial invitations',
                 'rule A4: a partner that is no subscription advisor may not invite to a trial');
SELECT throws_ok(format($$INSERT INTO trial_invitation (partner_id, sku_code) VALUES (%s, 'O365_SMALL_BUSINESS')$$, :pplain),
                 '23514', 'partner "Lucerne Plain" (MPN ID 733003) may not create trial invitations',
                 'rule A4: a direct INSERT of an invitation by a partner that is no subscription advisor is refused');
SELECT throws_ok(format($$SELECT create_trial_invitation(%s, 'O365_SMALL_BUSINESS', true)$$, :padv_nce),
                 '23514', 'partner "Wingtip Advisors" (MPN ID 733002) may not include delegated administration',
                 'rule D5: an advisor outside Cloud Essentials may not include delegated admin in an invitation');
SELECT throws_ok(format($$INSERT INTO trial_invitation (partner_id, sku_code, include_delegated_admin)
                           VALUES (%s, 'O365_SMALL_BUSINESS', true)$$, :padv_nce),
                 '23514', 'partner "Wingtip Advisors" (MPN ID 733002) may not include delegated administration',
                 'rule D5: nor by a direct INSERT of the invitation');
SELECT throws_ok(format($$SELECT create_trial_invitation(%s, 'NO_SUCH_SKU')$$, :padv),
                 '23503', NULL, 'rule A4: an invitation to an unknown product is refused');
SELECT throws_ok(format($$SELECT create_trial_invitation(%s, NULL)$$, :padv),
                 '22004', 'argument "sku_code" must not be null', 'rule A4: an invitation needs a product');
SELECT is((SELECT count(*) FROM trial_invitation), :invitations_before::bigint,
          'rule A4: the refused invitations left no row');
SELECT lives_ok(format($$SELECT create_trial_invitation(%s, 'O365_SMALL_BUSINESS')$$, :padv_nce),
                'rule A4: an advisor outside Cloud Essentials invites to a trial without delegated admin');

-- a customer accepts: tenant, admin (C3), one trial subscription, advisor as POR
SELECT accept_trial_invitation(:'trial_url', 'Contoso Pharma', 'cz', 'Petr', 'Svoboda', 'petr@contoso-pharma.example')
       AS trial_sub \gset
SELECT tenant_id AS trial_tenant FROM subscription WHERE subscription_id = :trial_sub \gset

SELECT results_eq(format($$SELECT organization_name, country_code::text, created_by FROM tenant WHERE tenant_id = %s$$, :trial_tenant),
                  format($$VALUES ('Contoso Pharma', 'CZ', %s::bigint)$$, :padv),
                  'rule A4: accepting creates the customer''s tenant');
SELECT results_eq(format($$SELECT email, admin_role FROM tenant_user WHERE tenant_id = %s$$, :trial_tenant),
                  $$VALUES ('petr@contoso-pharma.example', 'global_admin')$$,
                  'rule C3: the customer''s admin is its only user, a global admin');
SELECT results_eq(format($$SELECT u.email FROM license l JOIN tenant_user u USING (user_id) WHERE l.subscription_id = %s$$, :trial_sub),
                  $$VALUES ('petr@contoso-pharma.example')$$,
                  'rule C3: the admin holds a license on the trial subscription');
SELECT results_eq(format($$SELECT sku_code, billing, seats, starts_on, expires_on, partner_of_record
                             FROM subscription WHERE tenant_id = %s$$, :trial_tenant),
                  format($$VALUES (%L, 'trial', %s, current_date, %L::date, %s::bigint)$$,
                         :'trial_sku', :trial_seats, :'trial_expires', :padv),
                  'rule A4: one trial subscription, with the trial seats and term, and the advisor as partner of record');
SELECT ok(NOT is_delegated_admin(:padv, :trial_tenant),
          'rule D5: an invitation without delegated admin grants none');

-- the same URL serves another customer
SELECT accept_trial_invitation(:'trial_url', 'Proseware Labs', 'HU', 'Anna', 'Toth', 'anna@proseware-labs.example')
       AS trial_sub2 \gset
SELECT tenant_id AS trial_tenant2 FROM subscription WHERE subscription_id = :trial_sub2 \gset
SELECT isnt(:trial_tenant2::bigint, :trial_tenant::bigint, 'rule A4: the URL serves a second customer, with its own tenant');
SELECT results_eq(format($$SELECT billing, partner_of_record FROM subscription WHERE tenant_id = %s$$, :trial_tenant2),
                  format($$VALUES ('trial', %s::bigint)$$, :padv),
                  'rule A4: the second customer also gets a trial with the advisor as partner of record');

-- with delegated admin included
SELECT accept_trial_invitation(:'trial_url_da', 'Nod Publishers', 'GR', 'Nikos', 'Pappas', 'nikos@nod.example')
       AS trial_sub_da \gset
SELECT tenant_id AS trial_tenant_da FROM subscription WHERE subscription_id = :trial_sub_da \gset
SELECT ok(is_delegated_admin(:padv, :trial_tenant_da),
          'rule D5: accepting an invitation that includes delegated admin makes the advisor delegated admin');
SELECT results_eq(format($$SELECT seats, expires_on FROM subscription WHERE subscription_id = %s$$, :trial_sub_da),
                  format($$VALUES (%s, %L::date)$$, :trial_seats_mid, :'trial_expires_mid'),
                  'rule A4: the trial has the seats and term of the invitation''s product');
SELECT is((SELECT count(*) FROM tenant_user WHERE tenant_id = :trial_tenant_da), 1::bigint,
          'rule D4: the delegated admin from an invitation gets no user in the tenant');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :trial_sub_da), 1,
          'rule D4: the delegated admin from an invitation takes no license');
SELECT ok(partner_can(:u_ga, :trial_tenant_da, 'manage_users'),
          'rule D6: the advisor administers the customer it invited');
SELECT is(partner_customer_count(:padv), 3::bigint,
          'rule A3: customers invited, administered and served as partner of record count once each');

-- an advisor that left Cloud Essentials since: the trial, but no delegated admin
UPDATE partner SET cloud_essentials = false WHERE partner_id = :padv_leaving;
SET LOCAL client_min_messages = error;		-- the warning is expected
SELECT accept_trial_invitation(:'trial_url_leaving', 'Blue Yonder Air', 'AT', 'Karl', 'Huber', 'karl@blueyonder.example')
       AS trial_sub_leaving \gset
RESET client_min_messages;
SELECT tenant_id AS trial_tenant_leaving FROM subscription WHERE subscription_id = :trial_sub_leaving \gset
SELECT ok(NOT is_delegated_admin(:padv_leaving, :trial_tenant_leaving),
          'rule D3: an invitation including delegated admin grants none once the advisor left Cloud Essentials');
SELECT is((SELECT billing FROM subscription WHERE subscription_id = :trial_sub_leaving), 'trial',
          'rule A4: the customer still gets the trial');

-- refusals create nothing
SELECT count(*) AS tenants_before FROM tenant \gset
SELECT count(*) AS subs_before FROM subscription \gset
SELECT throws_ok($$SELECT accept_trial_invitation('https://partner.example.com/trial/123', 'X Org', 'CZ', 'A', 'B', 'a@x.example')$$,
                 '22023', 'invalid trial invitation URL: "https://partner.example.com/trial/123"',
                 'rule A4: a URL without a 32-digit code is malformed');
SELECT throws_ok($$SELECT accept_trial_invitation('trial/0123456789abcdef0123456789abcdef', 'X Org', 'CZ', 'A', 'B', 'a@x.example')$$,
                 '22023', NULL, 'rule A4: a code without the URL is malformed');
SELECT throws_ok(format($$SELECT accept_trial_invitation(%L, 'X Org', 'CZ', 'A', 'B', 'a@x.example')$$,
                        replace(:'trial_url', '/trial/', '/offer/')),
                 '22023', NULL, 'rule A4: a purchase offer URL is no trial invitation URL');
SELECT throws_ok($$SELECT accept_trial_invitation('https://partner.example.com/trial/0123456789abcdef0123456789abcdef',
                                                  'X Org', 'CZ', 'A', 'B', 'a@x.example')$$,
                 '23503', 'no trial invitation has this URL', 'rule A4: an unknown code is refused');
SELECT throws_ok($$SELECT accept_trial_invitation(NULL, 'X Org', 'CZ', 'A', 'B', 'a@x.example')$$,
                 '22004', 'argument "url" must not be null', 'rule A4: a null URL is refused');
SELECT is((SELECT count(*) FROM tenant), :tenants_before::bigint, 'rule A4: the refused acceptances created no tenant');
SELECT is((SELECT count(*) FROM subscription), :subs_before::bigint, 'rule A4: the refused acceptances created no subscription');

--------------------------------------------------------------------------
-- rule A5: purchase offers
--------------------------------------------------------------------------
SELECT create_purchase_offer(:padv,
	'[{"sku_code": "O365_MIDSIZE_BUSINESS", "licenses": 25}, {"sku_code": "O365_SMALL_BUSINESS", "licenses": 3}]')
       AS offer_url \gset
SELECT create_purchase_offer(:padv, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 4}]', true) AS offer_url_da \gset
SELECT matches(:'offer_url'::text, '/offer/[0-9a-f]{32}$', 'rule A5: the offer URL ends in /offer/ and a 32-digit code');
SELECT isnt(right(:'offer_url', 32), right(:'offer_url_da', 32), 'rule A5: each offer has its own code');
SELECT results_eq(format($$SELECT o.partner_id, o.include_delegated_admin, l.sku_code, l.licenses
                             FROM purchase_offer o JOIN purchase_offer_line l USING (purchase_offer_id)
                            WHERE o.code_hash = sha256(convert_to(%L, 'UTF8')) ORDER BY l.sku_code$$, right(:'offer_url', 32)),
                  format($$VALUES (%s::bigint, false, 'O365_MIDSIZE_BUSINESS', 25), (%s::bigint, false, 'O365_SMALL_BUSINESS', 3)$$,
                         :padv, :padv),
                  'rule A5: the offer lists the services and license counts, with the advisor''s code');

-- malformed lines: refused, nothing left behind
SELECT count(*) AS offers_before FROM purchase_offer \gset
SELECT count(*) AS lines_before FROM purchase_offer_line \gset
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '{"sku_code": "O365_SMALL_BUSINESS", "licenses": 1}')$$, :padv),
                 '22023', 'lines must be a non-empty JSON array', 'rule A5: lines that are not an array are refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '"O365_SMALL_BUSINESS"')$$, :padv),
                 '22023', 'lines must be a non-empty JSON array', 'rule A5: lines that are a string are refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[]')$$, :padv),
                 '22023', 'lines must be a non-empty JSON array', 'rule A5: an empty array of lines is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, NULL)$$, :padv),
                 '22004', 'argument "lines" must not be null', 'rule A5: null lines are refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"licenses": 5}]')$$, :padv),
                 '22023', 'line 1 of the purchase offer is malformed: {"licenses": 5}',
                 'rule A5: a line without sku_code is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS"}]')$$, :padv),
                 '22023', NULL, 'rule A5: a line without licenses is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 2}, {"sku_code": "O365_MIDSIZE_BUSINESS", "licenses": 0}]')$$, :padv),
                 '22023', 'line 2 of the purchase offer is malformed: {"licenses": 0, "sku_code": "O365_MIDSIZE_BUSINESS"}',
                 'rule A5: a line of 0 licenses is refused, after a good line');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": -3}]')$$, :padv),
                 '22023', NULL, 'rule A5: a negative license count is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": "5"}]')$$, :padv),
                 '22023', NULL, 'rule A5: a license count given as a string is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 2.5}]')$$, :padv),
                 '22023', NULL, 'rule A5: a fractional license count is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 99999999999}]')$$, :padv),
                 '22023', NULL, 'rule A5: a license count beyond an int is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": 7, "licenses": 5}]')$$, :padv),
                 '22023', NULL, 'rule A5: a sku_code that is not a string is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 5, "price": 1}]')$$, :padv),
                 '22023', NULL, 'rule A5: a line with an unknown key is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '["O365_SMALL_BUSINESS"]')$$, :padv),
                 '22023', NULL, 'rule A5: a line that is not an object is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "NO_SUCH_SKU", "licenses": 5}]')$$, :padv),
                 '23503', NULL, 'rule A5: a line for an unknown product is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 5}]')$$, :pce),
                 '23514', 'partner "Woodgrove Cloud" (MPN ID 733005) may not create purchase offers',
                 'rule A5: a partner that is no subscription advisor may not send purchase offers');
SELECT throws_ok(format($$INSERT INTO purchase_offer (partner_id) VALUES (%s)$$, :pplain),
                 '23514', 'partner "Lucerne Plain" (MPN ID 733003) may not create purchase offers',
                 'rule A5: a direct INSERT of an offer by a partner that is no subscription advisor is refused');
SELECT throws_ok(format($$SELECT create_purchase_offer(%s, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 5}]', true)$$, :padv_nce),
                 '23514', 'partner "Wingtip Advisors" (MPN ID 733002) may not include delegated administration',
                 'rule D5: an advisor outside Cloud Essentials may not include delegated admin in an offer');
SELECT throws_ok(format($$INSERT INTO purchase_offer (partner_id, include_delegated_admin) VALUES (%s, true)$$, :padv_nce),
                 '23514', 'partner "Wingtip Advisors" (MPN ID 733002) may not include delegated administration',
                 'rule D5: nor by a direct INSERT of the offer');
SELECT is((SELECT count(*) FROM purchase_offer), :offers_before::bigint,
          'rule A5: the refused offers left no offer behind');
SELECT is((SELECT count(*) FROM purchase_offer_line), :lines_before::bigint,
          'rule A5: the refused offers left no line behind');

-- buying: one subscription a line, directly billed, for a year
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Wide World Importers', 'CZ', 'Eva', 'Dvorak', 'eva@wideworld.example')
RETURNING tenant_id AS tb1 \gset
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Lamna Healthcare', 'PL', 'Piotr', 'Zielinski', 'piotr@lamna.example')
RETURNING tenant_id AS tb2 \gset
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('VanArsdel', 'HU', 'Bela', 'Nagy', 'bela@vanarsdel.example')
RETURNING tenant_id AS tb3 \gset

CREATE TEMP TABLE a5_bought AS
SELECT s AS subscription_id FROM accept_purchase_offer(:'offer_url', :tb1) AS s;
SELECT is((SELECT count(*) FROM a5_bought), 2::bigint, 'rule A5: buying returns one subscription a line');
SELECT results_eq(format($$SELECT s.tenant_id, s.sku_code, s.billing, s.seats, s.starts_on, s.expires_on, s.partner_of_record
                             FROM subscription s JOIN a5_bought b USING (subscription_id) ORDER BY s.sku_code$$),
                  format($$VALUES (%1$s::bigint, 'O365_MIDSIZE_BUSINESS', 'direct', 25, current_date, (current_date + interval '1 year')::date, %2$s::bigint),
                                  (%1$s::bigint, 'O365_SMALL_BUSINESS', 'direct', 3, current_date, (current_date + interval '1 year')::date, %2$s::bigint)$$,
                         :tb1, :padv),
                  'rule A5: directly billed subscriptions for a year, with the offer''s licenses and the advisor as partner of record');
SELECT is((SELECT count(*) FROM subscription WHERE tenant_id = :tb1), 2::bigint,
          'rule A5: the customer has exactly the subscriptions it bought');
SELECT ok(NOT is_delegated_admin(:padv, :tb1), 'rule D5: an offer without delegated admin grants none');

CREATE TEMP TABLE a5_bought2 AS
SELECT s AS subscription_id FROM accept_purchase_offer(:'offer_url', :tb2, 7) AS s;
SELECT results_eq($$SELECT s.sku_code, s.seats FROM subscription s JOIN a5_bought2 b USING (subscription_id) ORDER BY s.sku_code$$,
                  $$VALUES ('O365_MIDSIZE_BUSINESS', 7), ('O365_SMALL_BUSINESS', 7)$$,
                  'rule A5: the license count can be changed when buying');

CREATE TEMP TABLE a5_bought3 AS
SELECT s AS subscription_id FROM accept_purchase_offer(:'offer_url_da', :tb3) AS s;
SELECT results_eq($$SELECT s.sku_code, s.seats, s.billing FROM subscription s JOIN a5_bought3 b USING (subscription_id)$$,
                  $$VALUES ('O365_SMALL_BUSINESS', 4, 'direct')$$,
                  'rule A5: the offer including delegated admin sells its line');
SELECT ok(is_delegated_admin(:padv, :tb3),
          'rule D5: buying an offer that includes delegated admin makes the advisor delegated admin');
SELECT is((SELECT count(*) FROM tenant_user WHERE tenant_id = :tb3), 1::bigint,
          'rule D4: the delegated admin from an offer gets no user in the tenant');

-- refusals create nothing
SELECT count(*) AS subs_before_a5 FROM subscription \gset
SELECT throws_ok(format($$SELECT * FROM accept_purchase_offer(%L, %s, 0)$$, :'offer_url', :tb2),
                 '22023', 'licenses must be at least 1, not 0', 'rule A5: changing the count to 0 licenses is refused');
SELECT throws_ok(format($$SELECT * FROM accept_purchase_offer(%L, %s, -2)$$, :'offer_url', :tb2),
                 '22023', 'licenses must be at least 1, not -2', 'rule A5: changing the count to negative licenses is refused');
SELECT throws_ok(format($$SELECT * FROM accept_purchase_offer(%L, %s)$$, :'offer_url', :t_unknown),
                 '23503', format('tenant %s does not exist', :t_unknown), 'rule A5: an unknown customer is refused');
SELECT throws_ok(format($$SELECT * FROM accept_purchase_offer(%L, NULL)$$, :'offer_url'),
                 '22004', 'argument "tenant_id" must not be null', 'rule A5: a null customer is refused');
SELECT throws_ok(format($$SELECT * FROM accept_purchase_offer('https://partner.example.com/offer/xyz', %s)$$, :tb2),
                 '22023', 'invalid purchase offer URL: "https://partner.example.com/offer/xyz"',
                 'rule A5: a malformed offer URL is refused');
SELECT throws_ok(format($$SELECT * FROM accept_purchase_offer(%L, %s)$$, :'trial_url', :tb2),
                 '22023', NULL, 'rule A5: a trial invitation URL is no offer URL');
SELECT throws_ok(format($$SELECT * FROM accept_purchase_offer('https://partner.example.com/offer/0123456789abcdef0123456789abcdef', %s)$$, :tb2),
                 '23503', 'no purchase offer has this URL', 'rule A5: an unknown offer code is refused');
SELECT is((SELECT count(*) FROM subscription), :subs_before_a5::bigint,
          'rule A5: the refused purchases created no subscription');

SELECT * FROM finish();
ROLLBACK;
