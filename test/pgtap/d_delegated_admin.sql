-- rules D1-D6: delegated administration.  A partner enrolled in Cloud
-- Essentials (D3) sends a customer an offer with a message (D2); only an
-- accepted offer makes it the customer's delegated admin (D1, D2), with admin
-- rights and no user or license in the tenant (D4), for most admin tasks
-- (D6); it can be offered after the customer has bought (D5; with trial
-- invitations and purchase offers see a_partner_center.sql).  A partner that
-- leaves Cloud Essentials has its pending offers withdrawn and may send no
-- more; the relationships its customers accepted stay, but it may act on
-- them only as an authorized service provider (rule A3).  Direct writes to
-- the tables are held to the same rules as the functions.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(72);

-- Helper rows.  Identity values survive the ROLLBACK of other suites, so ids
-- are captured, never written down.  MPN IDs are this suite's own.
INSERT INTO partner (mpn_id, name, cloud_essentials)
VALUES ('731001', 'Contoso Cloud', true)
RETURNING partner_id AS pce \gset
INSERT INTO partner (mpn_id, name)
VALUES ('731002', 'Northwind Basic')
RETURNING partner_id AS pbasic \gset
INSERT INTO partner (mpn_id, name, cloud_essentials, service_provider)
VALUES ('731003', 'Fabrikam Services', true, true)
RETURNING partner_id AS psp \gset
INSERT INTO partner (mpn_id, name, cloud_essentials)
VALUES ('731004', 'Litware Cloud', true)
RETURNING partner_id AS pleave \gset

INSERT INTO partner_user (partner_id, email, company_role, customer_access)
VALUES (:pce, 'kim@contoso.example', 'global_admin', 'full')
RETURNING partner_user_id AS uce \gset
INSERT INTO partner_user (partner_id, email, customer_access)
VALUES (:psp, 'sam@fabrikam.example', 'full')
RETURNING partner_user_id AS usp \gset
INSERT INTO partner_user (partner_id, email, customer_access)
VALUES (:pleave, 'lee@litware.example', 'full')
RETURNING partner_user_id AS uleave \gset

-- customers: each tenant gets its admin user from the tenant trigger (C3)
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Alpine Ski House', 'AT', 'Eva', 'Berger', 'eva@alpine.example')
RETURNING tenant_id AS t1 \gset
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Bellows College', 'CZ', 'Jan', 'Novak', 'jan@bellows.example')
RETURNING tenant_id AS t2 \gset
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Coho Vineyard', 'PL', 'Ola', 'Nowak', 'ola@coho.example')
RETURNING tenant_id AS t3 \gset
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Datum Corporation', 'GR', 'Eleni', 'Papa', 'eleni@datum.example')
RETURNING tenant_id AS t4 \gset
-- the customer t3 has bought a subscription (directly billed)
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
VALUES (:t3, 'O365_MIDSIZE_BUSINESS', 10, 'direct', current_date, current_date + 365)
RETURNING subscription_id AS s3 \gset

--------------------------------------------------------------------------
-- rule D3: only Cloud Essentials partners send offers
--------------------------------------------------------------------------
SELECT count(*) AS offers_before_d3 FROM delegated_admin_offer \gset

SELECT throws_ok(format($$SELECT offer_delegated_admin(%s, %s, 'Let us help')$$, :pbasic, :t1),
                 '23514', 'partner "Northwind Basic" (MPN ID 731002) may not offer delegated administration',
                 'rule D3: a partner outside Cloud Essentials may not send an offer');
SELECT throws_ok(format($$INSERT INTO delegated_admin_offer (partner_id, tenant_id, message) VALUES (%s, %s, 'direct')$$,
                        :pbasic, :t1),
                 '23514', 'partner "Northwind Basic" (MPN ID 731002) may not offer delegated administration',
                 'rule D3: a direct INSERT of an offer by a partner outside Cloud Essentials is refused');
SELECT is((SELECT count(*) FROM delegated_admin_offer), :offers_before_d3::bigint,
          'rule D3: the refused offers left no row');

SELECT throws_ok(format($$SELECT offer_delegated_admin(NULL, %s)$$, :t1),
                 '22004', 'argument "partner_id" must not be null', 'rule D2: an offer needs a partner');
SELECT throws_ok(format($$SELECT offer_delegated_admin(%s, NULL)$$, :pce),
                 '22004', 'argument "tenant_id" must not be null', 'rule D2: an offer needs a customer');
SELECT throws_ok(format($$SELECT offer_delegated_admin(%s, %s)$$, :pce, :t4 + 1000000),
                 '23503', NULL, 'rule D2: an offer to an unknown customer is refused');
SELECT throws_ok(format($$SELECT offer_delegated_admin(%s, %s)$$, :pce + 1000000, :t1),
                 '23503', NULL, 'rule D2: an offer from an unknown partner is refused');

--------------------------------------------------------------------------
-- rule D2: an offer with a message, pending until the customer answers
--------------------------------------------------------------------------
SELECT offer_delegated_admin(:pce, :t1, 'Contoso would like to administer your services') AS o1 \gset

SELECT results_eq(format($$SELECT partner_id, tenant_id, message, status, answered_at IS NULL
                             FROM delegated_admin_offer WHERE offer_id = %s$$, :o1),
                  format($$VALUES (%s::bigint, %s::bigint, 'Contoso would like to administer your services', 'pending', true)$$,
                         :pce, :t1),
                  'rule D2: the offer records partner, customer and message, and starts pending');
SELECT throws_ok(format($$INSERT INTO delegated_admin_offer (partner_id, tenant_id, status, answered_at)
                           VALUES (%s, %s, 'accepted', now())$$, :pce, :t1),
                 '23514', 'a delegated admin offer starts pending',
                 'rule D2: a direct INSERT of an offer that is already accepted is refused');

-- a pending offer grants nothing
SELECT ok(NOT is_delegated_admin(:pce, :t1), 'rule D2: a pending offer does not make the partner delegated admin');
SELECT ok(NOT partner_can(:uce, :t1, 'reset_password'), 'rule D2: a pending offer lets the partner do nothing');
SELECT throws_ok(format($$INSERT INTO delegated_admin (partner_id, tenant_id, offer_id) VALUES (%s, %s, %s)$$,
                        :pce, :t1, :o1),
                 '23514', format('partner %s is not delegated admin of tenant %s without an accepted offer', :pce, :t1),
                 'rule D2: a direct INSERT of a relationship from a pending offer is refused');
SELECT throws_ok(format($$UPDATE delegated_admin_offer SET message = 'changed' WHERE offer_id = %s$$, :o1),
                 '55000', format('delegated admin offer %s cannot be changed', :o1),
                 'rule D2: the message of a sent offer cannot be changed');

-- a declined offer grants nothing
SELECT offer_delegated_admin(:pce, :t2, 'Contoso for Bellows') AS o2 \gset
SELECT lives_ok(format($$SELECT decline_delegated_admin_offer(%s)$$, :o2),
                'rule D2: the customer declines a pending offer');
SELECT results_eq(format($$SELECT status, answered_at IS NOT NULL FROM delegated_admin_offer WHERE offer_id = %s$$, :o2),
                  $$VALUES ('declined', true)$$,
                  'rule D2: the declined offer is recorded as answered');
SELECT ok(NOT is_delegated_admin(:pce, :t2), 'rule D2: a declined offer does not make the partner delegated admin');
SELECT ok(NOT partner_can(:uce, :t2, 'reset_password'), 'rule D2: a declined offer lets the partner do nothing');
SELECT throws_ok(format($$INSERT INTO delegated_admin (partner_id, tenant_id, offer_id) VALUES (%s, %s, %s)$$,
                        :pce, :t2, :o2),
                 '23514', format('partner %s is not delegated admin of tenant %s without an accepted offer', :pce, :t2),
                 'rule D2: a direct INSERT of a relationship from a declined offer is refused');
SELECT throws_ok(format($$SELECT accept_delegated_admin_offer(%s)$$, :o2),
                 '55000', format('delegated admin offer %s was already declined', :o2),
                 'rule D2: a declined offer cannot be accepted afterwards');
SELECT throws_ok(format($$UPDATE delegated_admin_offer SET status = 'accepted' WHERE offer_id = %s$$, :o2),
                 '55000', format('delegated admin offer %s was already declined', :o2),
                 'rule D2: a direct UPDATE accepting a declined offer is refused');
SELECT throws_ok(format($$SELECT decline_delegated_admin_offer(%s)$$, :o2),
                 '55000', format('delegated admin offer %s was already declined', :o2),
                 'rule D2: a declined offer cannot be declined again');

--------------------------------------------------------------------------
-- rules D2, D4: accepting; the delegated admin needs no user and no license
--------------------------------------------------------------------------
SELECT count(*) AS users_before FROM tenant_user \gset
SELECT count(*) AS licenses_before FROM license \gset

SELECT lives_ok(format($$SELECT accept_delegated_admin_offer(%s)$$, :o1),
                'rule D2: the customer accepts a pending offer');
SELECT ok(is_delegated_admin(:pce, :t1), 'rule D2: an accepted offer makes the partner delegated admin');
SELECT results_eq(format($$SELECT status, answered_at IS NOT NULL FROM delegated_admin_offer WHERE offer_id = %s$$, :o1),
                  $$VALUES ('accepted', true)$$,
                  'rule D2: the accepted offer is recorded as answered');
SELECT results_eq(format($$SELECT partner_id, tenant_id, offer_id FROM delegated_admin WHERE tenant_id = %s$$, :t1),
                  format($$VALUES (%s::bigint, %s::bigint, %s::bigint)$$, :pce, :t1, :o1),
                  'rule D2: the relationship rests on the accepted offer');
SELECT is((SELECT count(*) FROM tenant_user), :users_before::bigint,
          'rule D4: the delegated admin gets no user in the customer''s tenant');
SELECT is((SELECT count(*) FROM license), :licenses_before::bigint,
          'rule D4: the delegated admin takes no license');
SELECT ok(NOT is_delegated_admin(:pce, :t2), 'rule D2: accepting one customer''s offer grants nothing elsewhere');
SELECT ok(NOT is_delegated_admin(:psp, :t1), 'rule D2: accepting one partner''s offer grants nothing to another');

-- answered once
SELECT throws_ok(format($$SELECT accept_delegated_admin_offer(%s)$$, :o1),
                 '55000', format('delegated admin offer %s was already accepted', :o1),
                 'rule D2: an accepted offer cannot be accepted again');
SELECT throws_ok(format($$SELECT decline_delegated_admin_offer(%s)$$, :o1),
                 '55000', format('delegated admin offer %s was already accepted', :o1),
                 'rule D2: an accepted offer cannot be declined afterwards');
SELECT throws_ok(format($$UPDATE delegated_admin_offer SET status = 'declined' WHERE offer_id = %s$$, :o1),
                 '55000', format('delegated admin offer %s was already accepted', :o1),
                 'rule D2: a direct UPDATE declining an accepted offer is refused');
SELECT throws_ok(format($$UPDATE delegated_admin_offer SET status = 'pending', answered_at = NULL WHERE offer_id = %s$$, :o1),
                 '55000', format('delegated admin offer %s was already accepted', :o1),
                 'rule D2: a direct UPDATE reopening an accepted offer is refused');
SELECT ok(is_delegated_admin(:pce, :t1), 'rule D2: the refused answers left the relationship');

SELECT throws_ok($$SELECT accept_delegated_admin_offer(NULL)$$,
                 '22004', 'argument "offer_id" must not be null', 'rule D2: accepting needs an offer');
SELECT throws_ok(format($$SELECT accept_delegated_admin_offer(%s)$$, :o2 + 1000000),
                 '23503', format('delegated admin offer %s does not exist', :o2 + 1000000),
                 'rule D2: accepting an unknown offer is refused');
SELECT throws_ok(format($$SELECT decline_delegated_admin_offer(%s)$$, :o2 + 1000000),
                 '23503', format('delegated admin offer %s does not exist', :o2 + 1000000),
                 'rule D2: declining an unknown offer is refused');

--------------------------------------------------------------------------
-- rules D1, D6: the delegated admin performs the admin tasks
--------------------------------------------------------------------------
SELECT ok(partner_can(:uce, :t1, 'manage_users') AND partner_can(:uce, :t1, 'manage_licenses')
          AND partner_can(:uce, :t1, 'manage_subscriptions') AND partner_can(:uce, :t1, 'manage_domains')
          AND partner_can(:uce, :t1, 'service_requests') AND partner_can(:uce, :t1, 'reset_password'),
          'rule D6: a full-access user of the delegated admin performs the admin tasks');
SELECT ok(NOT partner_can(:uce, :t3, 'manage_users'),
          'rule D1: without delegated admin even a full-access user has no admin access');

--------------------------------------------------------------------------
-- rule D2: the customer removes the delegated admin; a new offer restores it
--------------------------------------------------------------------------
SELECT lives_ok(format($$SELECT remove_delegated_admin(%s, %s)$$, :pce, :t1),
                'rule D2: the customer removes the delegated admin');
SELECT ok(NOT is_delegated_admin(:pce, :t1), 'rule D2: after removal the partner is no longer delegated admin');
SELECT ok(NOT partner_can(:uce, :t1, 'manage_users'), 'rule D1: after removal the partner has no admin access');
SELECT throws_ok(format($$SELECT remove_delegated_admin(%s, %s)$$, :pce, :t1),
                 '55000', format('partner %s is not delegated admin of tenant %s', :pce, :t1),
                 'rule D2: removing a relationship that no longer exists is refused');
SELECT throws_ok(format($$SELECT remove_delegated_admin(%s, %s)$$, :pce, :t2),
                 '55000', format('partner %s is not delegated admin of tenant %s', :pce, :t2),
                 'rule D2: removing a relationship from a declined offer is refused');
SELECT throws_ok(format($$SELECT remove_delegated_admin(NULL, %s)$$, :t1),
                 '22004', 'argument "partner_id" must not be null', 'rule D2: removing needs a partner');

SELECT offer_delegated_admin(:pce, :t1, 'Contoso again') AS o3 \gset
SELECT ok(NOT is_delegated_admin(:pce, :t1), 'rule D2: the new offer grants nothing while pending');
SELECT lives_ok(format($$SELECT accept_delegated_admin_offer(%s)$$, :o3),
                'rule D2: the customer accepts the new offer');
SELECT ok(is_delegated_admin(:pce, :t1), 'rule D2: the accepted new offer restores the relationship');

-- while the partner is delegated admin, no second offer is sent
SELECT throws_ok(format($$SELECT offer_delegated_admin(%s, %s, 'Contoso, renewed')$$, :pce, :t1),
                 '55000', NULL,
                 'rule D2: no further offer is sent while the partner is delegated admin');
-- a removed relationship cannot be restored from its old accepted offer
SELECT offer_id AS o_live FROM delegated_admin WHERE partner_id = :pce AND tenant_id = :t1 \gset
SELECT remove_delegated_admin(:pce, :t1);
SELECT is((SELECT status FROM delegated_admin_offer WHERE offer_id = :o_live), 'removed',
          'rule D2: removing the relationship marks its offer removed');
SELECT throws_ok(format($$INSERT INTO delegated_admin (partner_id, tenant_id, offer_id) VALUES (%s, %s, %s)$$,
                        :pce, :t1, :o_live),
                 '23514', format('partner %s is not delegated admin of tenant %s without an accepted offer', :pce, :t1),
                 'rule D2: a direct INSERT cannot restore a removed relationship from its old offer');
SELECT offer_delegated_admin(:pce, :t1, 'Contoso, renewed') AS o4 \gset
SELECT lives_ok(format($$SELECT accept_delegated_admin_offer(%s)$$, :o4),
                'rule D2: a new offer, accepted, restores the relationship');

--------------------------------------------------------------------------
-- rule D5: delegated admin offered after the customer has bought
--------------------------------------------------------------------------
SELECT offer_delegated_admin(:pce, :t3, 'Now that you have bought, may we help?') AS o5 \gset
SELECT lives_ok(format($$SELECT accept_delegated_admin_offer(%s)$$, :o5),
                'rule D5: a customer with a subscription accepts an offer made after it bought');
SELECT ok(is_delegated_admin(:pce, :t3), 'rule D5: the partner is delegated admin of the customer that bought');
SELECT ok(partner_can(:uce, :t3, 'manage_subscriptions'),
          'rule D6: the delegated admin manages the customer''s subscriptions');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :s3), 1,
          'rule D4: the customer''s seats in use are unchanged');

--------------------------------------------------------------------------
-- rule D3: leaving Cloud Essentials
--------------------------------------------------------------------------
-- pleave (Cloud Essentials only) and psp (Cloud Essentials and service
-- provider) each have an accepted relationship with t4 and a pending offer
-- to t2.
SELECT offer_delegated_admin(:pleave, :t4) AS ol_acc \gset
SELECT offer_delegated_admin(:psp, :t4) AS os_acc \gset
SELECT accept_delegated_admin_offer(:ol_acc) AS void1, accept_delegated_admin_offer(:os_acc) AS void2 \gset
SELECT offer_delegated_admin(:pleave, :t2, 'Litware for Bellows') AS ol_pend \gset
SELECT offer_delegated_admin(:psp, :t2, 'Fabrikam for Bellows') AS os_pend \gset
SELECT offer_delegated_admin(:pce, :t2, 'Contoso, second try') AS oc_pend \gset
SELECT ok(partner_can(:uleave, :t4, 'manage_users') AND partner_can(:usp, :t4, 'manage_users'),
          'rule D3: while enrolled, both delegated admins act');

UPDATE partner SET cloud_essentials = false WHERE partner_id IN (:pleave, :psp);

SELECT results_eq(format($$SELECT status, answered_at IS NOT NULL FROM delegated_admin_offer
                            WHERE offer_id IN (%s, %s) ORDER BY offer_id$$, :ol_pend, :os_pend),
                  $$VALUES ('withdrawn', true), ('withdrawn', true)$$,
                  'rule D3: leaving Cloud Essentials withdraws the partner''s pending offers');
SELECT is((SELECT status FROM delegated_admin_offer WHERE offer_id = :oc_pend), 'pending',
          'rule D3: another partner''s pending offer to the same customer stays pending');
SELECT is((SELECT status FROM delegated_admin_offer WHERE offer_id = :ol_acc), 'accepted',
          'rule D3: the accepted offer of a partner leaving Cloud Essentials stays accepted');
SELECT throws_ok(format($$SELECT accept_delegated_admin_offer(%s)$$, :ol_pend),
                 '55000', format('delegated admin offer %s was already withdrawn', :ol_pend),
                 'rule D3: a withdrawn offer cannot be accepted');
SELECT throws_ok(format($$UPDATE delegated_admin_offer SET status = 'accepted' WHERE offer_id = %s$$, :ol_pend),
                 '55000', format('delegated admin offer %s was already withdrawn', :ol_pend),
                 'rule D3: a direct UPDATE accepting a withdrawn offer is refused');
SELECT throws_ok(format($$INSERT INTO delegated_admin (partner_id, tenant_id, offer_id) VALUES (%s, %s, %s)$$,
                        :pleave, :t2, :ol_pend),
                 '23514', format('partner %s is not delegated admin of tenant %s without an accepted offer', :pleave, :t2),
                 'rule D2: a direct INSERT of a relationship from a withdrawn offer is refused');
SELECT ok(NOT is_delegated_admin(:pleave, :t2), 'rule D3: a withdrawn offer grants nothing');
SELECT throws_ok(format($$SELECT offer_delegated_admin(%s, %s)$$, :pleave, :t3),
                 '23514', 'partner "Litware Cloud" (MPN ID 731004) may not offer delegated administration',
                 'rule D3: a partner that left Cloud Essentials may send no new offer');
SELECT throws_ok(format($$INSERT INTO delegated_admin_offer (partner_id, tenant_id) VALUES (%s, %s)$$, :psp, :t3),
                 '23514', 'partner "Fabrikam Services" (MPN ID 731003) may not offer delegated administration',
                 'rule D3: nor insert one directly, even as a service provider');
SELECT ok(is_delegated_admin(:pleave, :t4) AND is_delegated_admin(:psp, :t4),
          'rule D3: the relationships the customer accepted stay');
SELECT ok(NOT partner_can(:uleave, :t4, 'manage_users'),
          'rule D3: a partner that left Cloud Essentials and is no service provider cannot act as delegated admin');
SELECT ok(NOT partner_can(:uleave, :t4, 'reset_password'),
          'rule D3: not even to reset a password');
SELECT ok(partner_can(:usp, :t4, 'manage_users'),
          'rule D3: a service provider that left Cloud Essentials still acts as delegated admin');

-- enrolling again does not revive the withdrawn offers
UPDATE partner SET cloud_essentials = true WHERE partner_id = :pleave;
SELECT is((SELECT status FROM delegated_admin_offer WHERE offer_id = :ol_pend), 'withdrawn',
          'rule D3: enrolling again leaves withdrawn offers withdrawn');
SELECT ok(partner_can(:uleave, :t4, 'manage_users'),
          'rule D3: enrolled again, the partner acts on the relationship it kept');

SELECT * FROM finish();
ROLLBACK;
