-- rules R1, R3, R4, R5, R6, P3, P4: renewal notices, renewals, direct
-- billing, purge.  Dates are passed explicitly, so the answers hold any day.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(38);

INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
VALUES ('750001', 'Renewal Partner', true, true, true), ('750002', 'Quiet Advisor', false, true, false);
SELECT partner_id AS rp FROM partner WHERE mpn_id = '750001' \gset
SELECT partner_id AS qa FROM partner WHERE mpn_id = '750002' \gset
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT ('TTTTT-TTTTT-TTTTT-TTTT' || k)::product_key, 'O365_SMALL_BUSINESS', 1, :rp
  FROM unnest(ARRAY['2-22222', '2-33333', '2-44444', '2-66666', '2-77777', '2-88888', '2-99999',
                    '3-22222', '3-33333', '3-44444']) AS k;
-- far from today, so that only the dates given count: a term 2040-01-01 to 2041-01-01
SELECT create_customer_subscription(:rp, ARRAY['TTTTT-TTTTT-TTTTT-TTTT2-22222', 'TTTTT-TTTTT-TTTTT-TTTT2-33333']::product_key[],
	'Notice GmbH', 'DE', 'Nora', 'Notice', 'nora@notice.example', '2040-01-01') AS s1 \gset
SELECT set_partner_of_record(:s1, '750001');
SELECT create_customer_subscription(:rp, ARRAY['TTTTT-TTTTT-TTTTT-TTTT2-44444']::product_key[],
	'Quiet Kft', 'HU', 'Quinn', 'Quiet', 'quinn@quiet.example', '2040-01-01') AS s2 \gset
SELECT set_partner_of_record(:s2, '750002');

-- only this test's subscriptions, whatever else the database holds
CREATE FUNCTION pg_temp.due(d date) RETURNS TABLE (subscription_id bigint, recipient text, days_before int)
LANGUAGE sql AS $$ SELECT subscription_id, recipient, days_before FROM por_partner.renewal_notices_due(d)
                    WHERE subscription_id IN (SELECT subscription_id FROM por_partner.subscription
                                               WHERE expires_on >= '2040-06-01')
                    ORDER BY 1, 2 $$;

SELECT is_empty($$SELECT * FROM pg_temp.due('2040-11-01')$$, 'rule R1: no notice 61 days before expiry');
SELECT results_eq($$SELECT * FROM pg_temp.due('2040-11-02')$$,
                  format($$VALUES (%s::bigint, 'customer', 60), (%s, 'partner', 60), (%s, 'customer', 60), (%s, 'partner', 60)$$, :s1, :s1, :s2, :s2),
                  'rules R1, P4: 60 days before, the customer and the partner of record get notices');
SELECT ok(EXISTS (SELECT 1 FROM pg_temp.due('2040-11-02') WHERE subscription_id = :s2 AND recipient = 'partner'),
          'rule P4: a partner of record gets renewal notices whether or not its benefits are active');
SELECT results_eq($$SELECT * FROM pg_temp.due('2040-12-25') WHERE recipient = 'customer'$$,
                  format($$VALUES (%s::bigint, 'customer', 7), (%s, 'customer', 7)$$, :s1, :s2),
                  'rule R1: a job that missed days catches up with the latest notice only (7, not 60 and 30)');

-- sending records and returns each notice once
SELECT is((SELECT count(*) FROM send_renewal_notices('2040-11-02') WHERE subscription_id IN (:s1, :s2)), 4::bigint,
          'rules R1, P4: send_renewal_notices records the due notices (two customers, two partners of record)');
SELECT is((SELECT count(*) FROM send_renewal_notices('2040-11-02') WHERE subscription_id IN (:s1, :s2)), 0::bigint,
          'rule R1: sending twice records nothing more');
SELECT is_empty($$SELECT * FROM pg_temp.due('2040-11-15')$$, 'rule R1: nothing due between the 60- and 30-day notices');
SELECT results_eq($$SELECT * FROM pg_temp.due('2040-12-02') WHERE subscription_id = $$ || :s1,
                  format($$VALUES (%s::bigint, 'customer', 30), (%s, 'partner', 30)$$, :s1, :s1),
                  'rule R1: 30 days before, the next notice is due');
SELECT is((SELECT count(*) FROM send_renewal_notices('2040-12-31') WHERE subscription_id = :s1), 2::bigint,
          'rule R1: the 1-day notice, after a missed 30- and 7-day one');
SELECT is((SELECT array_agg(days_before ORDER BY days_before) FROM renewal_notice WHERE subscription_id = :s1 AND recipient = 'customer'),
          ARRAY[1, 60], 'rule R1: the ledger holds the notices sent, no stale ones');
SELECT is_empty($$SELECT * FROM pg_temp.due('2041-01-01') WHERE subscription_id = $$ || :s1,
                'rule R1: no notice on or after expires_on');

-- trials get notices too
SELECT create_trial_invitation(:rp, 'O365_SMALL_BUSINESS') AS trial_url \gset
SELECT accept_trial_invitation(:'trial_url', 'Trial AB', 'SE', 'Tove', 'Trial', 'tove@trial.example') AS s3 \gset
SELECT ok(EXISTS (SELECT 1 FROM renewal_notices_due(current_date) WHERE subscription_id = :s3 AND days_before = 30),
          'rule R1: a 30-day trial gets its 30-day notice on its first day');

-- renewal with keys: active or expired, the term follows without a gap (R3, R5)
SELECT is(renew_subscription(:s1, ARRAY['TTTTT-TTTTT-TTTTT-TTTT2-66666', 'TTTTT-TTTTT-TTTTT-TTTT2-77777']::product_key[], '2040-12-20'),
          date '2042-01-01', 'rule R3: renewed while active, the new term follows the old');
SELECT results_eq(format($$SELECT starts_on, expires_on FROM subscription WHERE subscription_id = %s$$, :s1),
                  $$VALUES ('2041-01-01'::date, '2042-01-01'::date)$$, 'rule R3: the new term is [old expires_on, +1 year)');
SELECT results_eq($$SELECT * FROM pg_temp.due('2041-11-02') WHERE subscription_id = $$ || :s1,
                  format($$VALUES (%s::bigint, 'customer', 60), (%s, 'partner', 60)$$, :s1, :s1),
                  'rule R1: a renewal opens a new term, whose notices are due again');
SELECT user_id AS nora FROM tenant_user WHERE email = 'nora@notice.example' \gset
SELECT add_user(tenant_id, 'Nils', 'N', 'nils@notice.example', :s1) AS nils FROM subscription WHERE subscription_id = :s1 \gset
SELECT throws_ok(format($$SELECT por_partner.renew_subscription(%s, ARRAY['TTTTT-TTTTT-TTTTT-TTTT2-88888']::por_partner.product_key[], '2041-12-20')$$, :s1),
                 '23514', format('the keys carry 1 licenses, but subscription %s has 2 licensed users', :s1),
                 'rule R3: a renewal to fewer seats than licensed users is refused');
SELECT throws_ok(format($$SELECT por_partner.renew_subscription(%s, ARRAY['TTTTT-TTTTT-TTTTT-TTTT2-66666', 'TTTTT-TTTTT-TTTTT-TTTT2-88888']::por_partner.product_key[], '2041-12-20')$$, :s1),
                 '23505', NULL, 'rules R3, K6: a key used for a renewal is redeemed');
SELECT is((SELECT redeemed_as FROM key_card WHERE product_key = 'TTTTT-TTTTT-TTTTT-TTTT2-88888'), NULL,
          'rule K5: the failed renewal redeemed nothing');
SELECT is(renew_subscription(:s2, ARRAY['TTTTT-TTTTT-TTTTT-TTTT2-88888']::product_key[], '2041-01-20'),
          date '2042-01-01', 'rule R5: renewed while expired (day 19), the term still follows without a gap');

-- disabled: a reactivation, the term starts that day (R6)
SELECT is(subscription_phase(date '2042-01-01', date '2042-02-15'), 'disabled', 'rule R6: day 45 is disabled');
SELECT is(renew_subscription(:s2, ARRAY['TTTTT-TTTTT-TTTTT-TTTT2-99999']::product_key[], '2042-02-15'),
          date '2043-02-15', 'rule R6: renewed while disabled, the term starts on the day of renewal');
-- deprovisioned: an error
SELECT throws_ok(format($$SELECT por_partner.renew_subscription(%s, ARRAY['TTTTT-TTTTT-TTTTT-TTTT3-22222']::por_partner.product_key[], '2043-06-15')$$, :s2),
                 '55000', format('subscription %s is deprovisioned and cannot be renewed', :s2),
                 'rule R6: past day 120 a subscription cannot be renewed');
SELECT throws_ok(format($$SELECT por_partner.renew_subscription(%s, NULL, '2042-12-20')$$, :s2),
                 '22004', NULL, 'rule R3: keys are required');

-- direct billing (R4)
SET client_min_messages = error;	-- the WARNING about lost days is checked below
SELECT renew_with_direct_billing(:s1, '2041-12-01') AS s4 \gset
RESET client_min_messages;
SELECT results_eq(format($$SELECT billing, starts_on, expires_on, seats, partner_of_record FROM subscription WHERE subscription_id = %s$$, :s4),
                  format($$VALUES ('direct'::text, '2041-12-01'::date, '2042-12-01'::date, 2, %s::bigint)$$, :rp),
                  'rule R4: direct billing starts a new subscription at once, same seats and partner of record');
SELECT results_eq(format($$SELECT user_id FROM license WHERE subscription_id = %s ORDER BY user_id$$, :s4),
                  format($$VALUES (%s::bigint), (%s)$$, :nora, :nils),
                  'rule R4: the licensed users move with it');
SELECT is((SELECT expires_on FROM subscription WHERE subscription_id = :s1), date '2041-12-01',
          'rule R4: the old subscription ends that day');
SELECT create_customer_subscription(:rp, ARRAY['TTTTT-TTTTT-TTTTT-TTTT3-33333']::product_key[],
	'Early Oy', 'FI', 'Eero', 'Early', 'eero@early.example', '2040-01-01') AS s5 \gset
SELECT lives_ok(format($$SELECT por_partner.renew_with_direct_billing(%s, '2040-12-28')$$, :s5),
                'rule R4: renewing through direct billing 4 days before expiry works (its lack of a WARNING is checked by sql/renewal_warning.sql)');
SELECT throws_ok(format($$SELECT por_partner.renew_with_direct_billing(%s, '2043-06-15')$$, :s2),
                 '55000', NULL, 'rule R6: a deprovisioned subscription is not renewed through direct billing either');

-- purge (R6): data past day 120 goes, the rows stay, nothing inside 120 days is touched
SELECT create_customer_subscription(:rp, ARRAY['TTTTT-TTTTT-TTTTT-TTTT3-44444']::product_key[],
	'Old Sro', 'CZ', 'Olga', 'Old', 'olga@old.example', '2040-01-01') AS s6 \gset
SELECT tenant_id AS t6 FROM subscription WHERE subscription_id = :s6 \gset
SELECT purge_deprovisioned('2041-04-30') AS purged_day_119 \gset
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :s6), 1,
          'rule R6: on day 119 a subscription keeps its data');
SELECT ok(purge_deprovisioned('2041-05-01') >= 1, 'rule R6: on day 120 the subscriptions expired 2041-01-01 are purged');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :s6), 0, 'rule R6: their licenses are deleted');
SELECT is((SELECT count(*) FROM tenant_user WHERE tenant_id = :t6), 0::bigint,
          'rule R6: a tenant with no subscription inside 120 days loses its users');
SELECT is((SELECT count(*) FROM subscription WHERE subscription_id = :s6), 1::bigint, 'rule R6: the subscription row stays as history');
SELECT ok((SELECT licensed_users FROM subscription WHERE subscription_id = :s4) = 2
          AND (SELECT count(*) FROM tenant_user WHERE email IN ('nora@notice.example', 'nils@notice.example')) = 2,
          'rule R6: a subscription inside 120 days keeps its licenses and its tenant its users');
SELECT is(purge_deprovisioned('2041-05-01'), 0, 'rule R6: purging again finds nothing');

-- BI (R2)
SELECT has_view('por_partner', 'subscription_overview', 'rule R2: the overview view exists');
SELECT columns_are('por_partner', 'subscription_overview',
                   ARRAY['subscription_id', 'tenant_id', 'organization_name', 'country_code', 'sku_code', 'seats',
                         'licensed_users', 'billing', 'starts_on', 'expires_on', 'phase', 'days_to_expiry',
                         'partner_of_record_mpn_id', 'next_notice_on'],
                   'rule R2: the overview''s columns are the documented ones');
SELECT results_eq(format($$SELECT subscription_id, days_left FROM expiring_subscriptions(30, '2042-11-15') WHERE mpn_id = '750001' ORDER BY 1$$),
                  format($$VALUES (%s::bigint, 16)$$, :s4),
                  'rule R2: expiring within 30 days, per partner');

SELECT * FROM finish();
ROLLBACK;
