-- rules P1-P3: partner of record.  The customer names a partner of record
-- for a subscription by the partner's Microsoft Partner ID (P1); only an
-- authorized subscription advisor can be named, whichever way the column is
-- written (P2); the partner's benefits need Cloud Essentials enrollment (P3).
BEGIN;
SET search_path = por_partner, public;
SELECT plan(41);

-- Helper rows.  Identity values survive the ROLLBACK of other suites, so ids
-- are captured, never written down.  MPN IDs are this suite's own.
INSERT INTO partner (mpn_id, name, subscription_advisor, cloud_essentials)
VALUES ('732001', 'Adventure Works Advisors', true, true)
RETURNING partner_id AS padv \gset
INSERT INTO partner (mpn_id, name, subscription_advisor)
VALUES ('732002', 'Graphic Design Advisors', true)
RETURNING partner_id AS padv2 \gset
INSERT INTO partner (mpn_id, name, reseller)
VALUES ('732003', 'Proseware Resellers', true)
RETURNING partner_id AS pplain \gset

INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Humongous Insurance', 'HU', 'Zsofia', 'Kovacs', 'zsofia@humongous.example')
RETURNING tenant_id AS t1 \gset
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
VALUES (:t1, 'O365_MIDSIZE_BUSINESS', 10, 'direct', current_date, current_date + 365)
RETURNING subscription_id AS s1 \gset
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
VALUES (:t1, 'O365_SMALL_BUSINESS', 5, 'direct', current_date, current_date + 365)
RETURNING subscription_id AS s2 \gset
SELECT max(subscription_id) + 1000000 AS s_unknown FROM subscription \gset

--------------------------------------------------------------------------
-- rule P1: named by Microsoft Partner ID
--------------------------------------------------------------------------
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s1), NULL::bigint,
          'rule P1: a subscription starts without a partner of record');
SELECT lives_ok(format($$SELECT set_partner_of_record(%s, '732001')$$, :s1),
                'rule P1: the customer names a partner of record by its Microsoft Partner ID');
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s1), :padv::bigint,
          'rule P1: the subscription records the partner of record');
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s2), NULL::bigint,
          'rule P1: the other subscriptions of the customer are unchanged');

SELECT lives_ok(format($$SELECT set_partner_of_record(%s, '  732002  ')$$, :s1),
                'rule P1: spaces around the Microsoft Partner ID are ignored');
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s1), :padv2::bigint,
          'rule P1: naming another partner replaces the partner of record');
SELECT lives_ok(format($$SELECT set_partner_of_record(%s, E'\t732001\n')$$, :s1),
                'rule P1: tabs and line breaks around the Microsoft Partner ID are ignored too');
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s1), :padv::bigint,
          'rule P1: the partner named with surrounding white space is the partner of record');
-- from here on s1 must have padv, whatever the white space test did
UPDATE subscription SET partner_of_record = :padv WHERE subscription_id = :s1;

-- refusals change nothing
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, '732999')$$, :s1),
                 '23503', 'no partner has Microsoft Partner ID 732999',
                 'rule P1: an unknown Microsoft Partner ID is refused');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, ' 732999 ')$$, :s1),
                 '23503', 'no partner has Microsoft Partner ID 732999',
                 'rule P1: an unknown Microsoft Partner ID is reported without its spaces');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, 'MPN-732001')$$, :s1),
                 '22023', 'invalid Microsoft Partner ID: "MPN-732001"',
                 'rule P1: a Microsoft Partner ID with letters is refused');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, '732 001')$$, :s1),
                 '22023', 'invalid Microsoft Partner ID: "732 001"',
                 'rule P1: a Microsoft Partner ID with a space inside is refused');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, '')$$, :s1),
                 '22023', 'invalid Microsoft Partner ID: ""',
                 'rule P1: an empty Microsoft Partner ID is refused');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, '-732001')$$, :s1),
                 '22023', 'invalid Microsoft Partner ID: "-732001"',
                 'rule P1: a negative Microsoft Partner ID is refused');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, '123456789012345678901')$$, :s1),
                 '22001', 'argument "mpn_id" is too long',
                 'rule P1: a Microsoft Partner ID of 21 digits is refused: at most 20 characters');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, '732001')$$, :s_unknown),
                 '23503', format('subscription %s does not exist', :s_unknown),
                 'rule P1: an unknown subscription is refused');
SELECT throws_ok($$SELECT set_partner_of_record(NULL, '732001')$$,
                 '22004', 'argument "subscription_id" must not be null',
                 'rule P1: a null subscription is refused');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, NULL)$$, :s1),
                 '22004', 'argument "mpn_id" must not be null',
                 'rule P1: a null Microsoft Partner ID is refused');
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s1), :padv::bigint,
          'rule P1: the refused calls left the partner of record');

-- removing the partner of record
SELECT lives_ok(format($$SELECT clear_partner_of_record(%s)$$, :s1),
                'rule P1: the customer removes the partner of record');
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s1), NULL::bigint,
          'rule P1: the subscription has no partner of record any more');
SELECT lives_ok(format($$SELECT clear_partner_of_record(%s)$$, :s1),
                'rule P1: removing a partner of record that is not there is harmless');
SELECT throws_ok(format($$SELECT clear_partner_of_record(%s)$$, :s_unknown),
                 '23503', format('subscription %s does not exist', :s_unknown),
                 'rule P1: removing from an unknown subscription is refused');
SELECT throws_ok($$SELECT clear_partner_of_record(NULL)$$,
                 '22004', 'argument "subscription_id" must not be null',
                 'rule P1: removing from a null subscription is refused');

--------------------------------------------------------------------------
-- rule P2: only authorized subscription advisors
--------------------------------------------------------------------------
SELECT set_partner_of_record(:s1, '732001') AS void1 \gset
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, '732003')$$, :s1),
                 '23514', 'partner "Proseware Resellers" (MPN ID 732003) cannot be partner of record',
                 'rule P2: a partner that is no subscription advisor cannot be named');
SELECT throws_ok(format($$UPDATE subscription SET partner_of_record = %s WHERE subscription_id = %s$$, :pplain, :s1),
                 '23514', 'partner "Proseware Resellers" (MPN ID 732003) cannot be partner of record',
                 'rule P2: a direct UPDATE naming a partner that is no subscription advisor is refused');
SELECT throws_ok(format($$INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, partner_of_record)
                           VALUES (%s, 'O365_SMALL_BUSINESS', 1, 'direct', current_date + 3650, current_date + 3680, %s)$$, :t1, :pplain),
                 '23514', 'partner "Proseware Resellers" (MPN ID 732003) cannot be partner of record',
                 'rule P2: a direct INSERT naming a partner that is no subscription advisor is refused');
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s1), :padv::bigint,
          'rule P2: the refused writes left the partner of record');
SELECT lives_ok(format($$UPDATE subscription SET partner_of_record = %s WHERE subscription_id = %s$$, :padv2, :s2),
                'rule P2: a direct UPDATE naming a subscription advisor is allowed');
SELECT throws_ok(format($$UPDATE subscription SET partner_of_record = %s WHERE subscription_id = %s$$, :pplain + 1000000, :s2),
                 '23503', NULL,
                 'rule P1: a direct UPDATE naming an unknown partner is refused');

-- an advisor that loses its authorization stays partner of record where it
-- was named, but cannot be named again
UPDATE partner SET subscription_advisor = false WHERE partner_id = :padv2;
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s2), :padv2::bigint,
          'rule P2: losing the authorization keeps the partner of record already named');
SELECT lives_ok(format($$UPDATE subscription SET seats = seats + 1 WHERE subscription_id = %s$$, :s2),
                'rule P2: the subscription of a former advisor can still be changed otherwise');
SELECT throws_ok(format($$SELECT set_partner_of_record(%s, '732002')$$, :s1),
                 '23514', 'partner "Graphic Design Advisors" (MPN ID 732002) cannot be partner of record',
                 'rule P2: a former advisor cannot be named partner of record again');

--------------------------------------------------------------------------
-- rule P3: partner benefits need Cloud Essentials
--------------------------------------------------------------------------
SELECT is(partner_benefits_active(:padv), true, 'rule P3: a Cloud Essentials partner has its benefits');
SELECT is(partner_benefits_active(:padv2), false, 'rule P3: a partner outside Cloud Essentials has none');
SELECT is(partner_benefits_active(:pplain + 1000000), NULL::boolean, 'rule P3: an unknown partner has no answer');
SELECT throws_ok(format($$SELECT offer_delegated_admin(%s, %s)$$, :padv2, :t1),
                 '23514', 'partner "Graphic Design Advisors" (MPN ID 732002) may not offer delegated administration',
                 'rule P3: a partner of record outside Cloud Essentials may not offer delegated admin');
UPDATE partner SET cloud_essentials = true WHERE partner_id = :padv2;
SELECT is(partner_benefits_active(:padv2), true, 'rule P3: enrolling in Cloud Essentials activates the benefits');
SELECT lives_ok(format($$SELECT offer_delegated_admin(%s, %s)$$, :padv2, :t1),
                'rule P3: the enrolled partner of record may offer delegated admin');
UPDATE partner SET cloud_essentials = false WHERE partner_id = :padv;
SELECT is(partner_benefits_active(:padv), false, 'rule P3: leaving Cloud Essentials ends the benefits');
SELECT is((SELECT partner_of_record FROM subscription WHERE subscription_id = :s1), :padv::bigint,
          'rule P3: leaving Cloud Essentials does not remove the partner of record');

SELECT * FROM finish();
ROLLBACK;
