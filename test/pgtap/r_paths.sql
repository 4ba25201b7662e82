-- rules R3, R4 (one paid path), R3, K4 (renewal seats), P3 (change
-- notices), K3, D5, D7 (existing customers), A4 (trials that convert).
-- Paid terms are put far from today where the answer must not depend on the
-- day; trials start today, as accept_trial_invitation makes them.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(74);

INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
VALUES ('751001', 'Path Partner', true, true, true), ('751002', 'Plain Advisor', true, true, false);
SELECT partner_id AS pp FROM partner WHERE mpn_id = '751001' \gset
SELECT partner_id AS pq FROM partner WHERE mpn_id = '751002' \gset
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT ('PPPPP-PPPPP-PPPPP-PPPPP-' || k)::product_key, 'O365_SMALL_BUSINESS', 1, :pp
  FROM unnest(ARRAY['BBBB2', 'BBBB3', 'BBBB4', 'BBBB6', 'BBBB7', 'BBBB8', 'BBBB9',
                    'CCCC2', 'CCCC3', 'CCCC4', 'CCCC6', 'CCCC7', 'CCCC8', 'CCCC9',
                    'DDDD2', 'DDDD3', 'DDDD4', 'DDDD6', 'DDDD7', 'DDDD8']) AS k;
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
VALUES ('PPPPP-PPPPP-PPPPP-PPPPP-MMMM2', 'O365_MIDSIZE_BUSINESS', 10, :pp),
       ('PPPPP-PPPPP-PPPPP-PPPPP-MMMM3', 'O365_MIDSIZE_BUSINESS', 4, :pp),
       ('PPPPP-PPPPP-PPPPP-PPPPP-QQQQ2', 'O365_SMALL_BUSINESS', 1, :pq);

-- the DETAIL and HINT of an error, which throws_ok does not check
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hint text;
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
	RETURN st || ' | ' || coalesce(det, '') || ' | ' || coalesce(hint, '');
END $$;
CREATE FUNCTION pg_temp.notices(sub bigint) RETURNS TABLE (partner text, what text, old_value text, new_value text)
LANGUAGE sql AS $$ SELECT p.mpn_id, n.what, n.old_value, n.new_value FROM por_partner.change_notice n
                    JOIN por_partner.partner p USING (partner_id) WHERE n.subscription_id = sub ORDER BY n.notice_id $$;

--------------------------------------------------------------------------
-- One paid path at a time (R3, R4)
--------------------------------------------------------------------------
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-BBBB2', 'PPPPP-PPPPP-PPPPP-PPPPP-BBBB3']::product_key[],
	'One Path GmbH', 'DE', 'Olaf', 'One', 'olaf@onepath.example', '2040-01-01') AS s_key \gset
SELECT tenant_id AS t_key FROM subscription WHERE subscription_id = :s_key \gset
SELECT renew_with_direct_billing(:s_key, '2040-12-28') AS s_direct \gset
SELECT is((SELECT superseded_by FROM subscription WHERE subscription_id = :s_key), :s_direct::bigint,
          'rules R3, R4: the switch to direct billing supersedes the key-billed subscription');
SELECT throws_ok(format($$SELECT por_partner.renew_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-BBBB4,PPPPP-PPPPP-PPPPP-PPPPP-BBBB6}', '2040-12-30')$$, :s_key),
                 '55000', format('subscription %s was superseded by subscription %s', :s_key, :s_direct),
                 'rules R3, R4: after the switch the old subscription is not renewed with keys');
SELECT alike(pg_temp.error_of(format($$SELECT por_partner.renew_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-BBBB4}', '2040-12-30')$$, :s_key)),
            format('%% | Use subscription %s.', :s_direct), 'rules R3, R4: the HINT names the new subscription');
SELECT throws_ok(format($$SELECT por_partner.add_licenses(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-BBBB4}')$$, :s_key),
                 '55000', format('subscription %s was superseded by subscription %s', :s_key, :s_direct),
                 'rules R3, R4: after the switch the old subscription is given no seats');
SELECT throws_ok(format($$SELECT por_partner.renew_with_direct_billing(%s, '2040-12-30')$$, :s_key),
                 '55000', format('subscription %s was superseded by subscription %s', :s_key, :s_direct),
                 'rules R3, R4: nor switched a second time');
SELECT is((SELECT count(*) FROM key_card WHERE product_key IN ('PPPPP-PPPPP-PPPPP-PPPPP-BBBB4', 'PPPPP-PPPPP-PPPPP-PPPPP-BBBB6')
             AND redeemed_at IS NOT NULL), 0::bigint, 'rule K5: the refused calls redeemed no key');
SELECT throws_ok(format($$UPDATE por_partner.subscription SET expires_on = '2042-01-01' WHERE subscription_id = %s$$, :s_key),
                 '55000', format('subscription %s was superseded by subscription %s', :s_key, :s_direct),
                 'rules R3, R4: a direct UPDATE cannot renew a superseded subscription either');
SELECT throws_ok(format($$UPDATE por_partner.subscription SET seats = seats + 1 WHERE subscription_id = %s$$, :s_key),
                 '55000', NULL, 'rules R3, R4: nor give it seats');
SELECT throws_ok(format($$INSERT INTO por_partner.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
                          VALUES (%s, 'O365_SMALL_BUSINESS', 2, 'direct', '2041-06-01', '2042-06-01')$$, :t_key),
                 '23P01', format('tenant %s has subscription %s of O365_SMALL_BUSINESS for [2040-12-28, 2041-12-28)', :t_key, :s_direct),
                 'rules R3, R4: a direct INSERT of a second paid term over the same days is refused');
SAVEPOINT later_term;
SELECT lives_ok(format($$INSERT INTO por_partner.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
                         VALUES (%s, 'O365_SMALL_BUSINESS', 2, 'direct', '2041-12-28', '2042-12-28')$$, :t_key),
                'rules R3, R4: the next paid term, from the day the other ends, goes in');
SELECT throws_ok(format($$UPDATE por_partner.subscription SET starts_on = '2041-12-01'
                           WHERE tenant_id = %s AND starts_on = '2041-12-28'$$, :t_key),
                 '23P01', format('tenant %s has subscription %s of O365_SMALL_BUSINESS for [2040-12-28, 2041-12-28)', :t_key, :s_direct),
                 'rules R3, R4: a direct UPDATE that moves it over the other''s days is refused');
ROLLBACK TO SAVEPOINT later_term;
SELECT lives_ok(format($$INSERT INTO por_partner.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
                         VALUES (%s, 'O365_MIDSIZE_BUSINESS', 2, 'direct', '2041-06-01', '2042-06-01')$$, :t_key),
                'rules R3, R4: a paid term of another product over the same days is allowed');
SELECT alike(pg_temp.error_of(format($$SELECT por_partner.create_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-BBBB4}', '2041-03-01')$$, :t_key)),
            format('23P01 | %% | Subscription %s is billed directly; start the new one on or after 2041-12-28.', :s_direct),
            'rules R3, R4: keys do not start a second paid term over a direct one; the HINT says from when they may');
SELECT lives_ok(format($$SELECT por_partner.create_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-BBBB4}', '2041-12-28')$$, :t_key),
                'rules R3, R4: a key-billed term that starts when the direct one ends is allowed');

SELECT throws_ok(format($$UPDATE por_partner.subscription SET tenant_id = %s WHERE subscription_id = %s$$,
                        :t_key + 1, :s_direct),
                 '55000', format('subscription %s cannot move to another tenant', :s_direct),
                 'rule C5: a subscription stays with its tenant, whose users hold its licenses');

--------------------------------------------------------------------------
-- Renewal seats (R3, K4)
--------------------------------------------------------------------------
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-CCCC2', 'PPPPP-PPPPP-PPPPP-PPPPP-CCCC3',
	'PPPPP-PPPPP-PPPPP-PPPPP-CCCC4']::product_key[], 'Seats Kft', 'HU', 'Sara', 'Seats', 'sara@seats.example', '2040-01-01') AS s_seats \gset
SELECT add_user(tenant_id, 'Sam', 'Second', 'sam@seats.example', :s_seats) AS sam FROM subscription WHERE subscription_id = :s_seats \gset
SELECT is(renew_subscription(:s_seats, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-CCCC6', 'PPPPP-PPPPP-PPPPP-PPPPP-CCCC7',
	'PPPPP-PPPPP-PPPPP-PPPPP-CCCC8', 'PPPPP-PPPPP-PPPPP-PPPPP-CCCC9', 'PPPPP-PPPPP-PPPPP-PPPPP-DDDD2']::product_key[], '2040-12-01'),
          date '2042-01-01', 'rule R3: a renewal with 5 keys');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :s_seats), 5,
          'rules R3, K4: the renewed term has the 5 licenses the keys carry: more seats than before (3)');
SELECT is(renew_subscription(:s_seats, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-DDDD3', 'PPPPP-PPPPP-PPPPP-PPPPP-DDDD4']::product_key[], '2041-12-01'),
          date '2043-01-01', 'rule R3: a renewal with 2 keys');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :s_seats), 2,
          'rules R3, K4: the renewed term has the 2 licenses the keys carry: fewer seats than before (5)');
SELECT throws_ok(format($$SELECT por_partner.renew_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-DDDD6}', '2042-12-01')$$, :s_seats),
                 '23514', format('the keys carry 1 licenses, but subscription %s has 2 licensed users', :s_seats),
                 'rules R3, C5: a renewal to fewer seats than licensed users is refused');
SELECT alike(pg_temp.error_of(format($$SELECT por_partner.renew_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-DDDD6}', '2042-12-01')$$, :s_seats)),
            '23514 | %remove 1 licenses first.%', 'rules R3, C5: the DETAIL names how many licenses to remove first');
SELECT is((SELECT redeemed_at FROM key_card WHERE product_key = 'PPPPP-PPPPP-PPPPP-PPPPP-DDDD6'), NULL,
          'rule K5: the refused renewal redeemed nothing');
SELECT remove_license(:s_seats, :sam);
SELECT is(renew_subscription(:s_seats, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-DDDD6']::product_key[], '2042-12-01'), date '2044-01-01',
          'rules R3, C5: with the license removed first, the renewal to 1 seat goes through');
-- nothing a key carries is lost: the seats of each term are the licenses of its keys
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-MMMM3']::product_key[],
	'Midsize Sro', 'CZ', 'Mila', 'Mid', 'mila@midsize.example', '2040-01-01') AS s_mid \gset
SELECT is(renew_subscription(:s_mid, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-MMMM2']::product_key[], '2040-12-01'), date '2042-01-01',
          'rule K4: a Midsize subscription of 4 renewed with a card of 10');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :s_mid), 10,
          'rules R3, K4: all 10 licenses of the card are seats of the renewed term, none lost');

--------------------------------------------------------------------------
-- Change notices to the partner of record (P3)
--------------------------------------------------------------------------
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-BBBB7']::product_key[],
	'Notice AB', 'SE', 'Nils', 'Notice', 'nils@notice-ab.example', '2040-01-01') AS s_n \gset
SELECT is_empty(format('SELECT * FROM pg_temp.notices(%s)', :s_n), 'rule P3: a subscription with no partner of record has no change notices');
SELECT set_partner_of_record(:s_n, '751001');
SELECT add_licenses(:s_n, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-BBBB8']::product_key[]);
SELECT renew_subscription(:s_n, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-BBBB9']::product_key[], '2040-12-01');
SELECT results_eq(format('SELECT * FROM pg_temp.notices(%s)', :s_n),
                  $$VALUES ('751001', 'partner_of_record', NULL, '751001'), ('751001', 'seats', '1', '2'),
                           ('751001', 'seats', '2', '1'), ('751001', 'renewed', '2041-01-01', '2042-01-01')$$,
                  'rule P3: naming the partner of record, seats added, and a renewal to fewer seats are each a change notice to it');
UPDATE subscription SET seats = 3 WHERE subscription_id = :s_n;
SELECT results_eq(format($$SELECT * FROM pg_temp.notices(%s) WHERE what = 'seats' AND new_value = '3'$$, :s_n),
                  $$VALUES ('751001', 'seats', '1', '3')$$,
                  'rule P3: a direct UPDATE by an operator records its change notice too (a trigger, whoever writes)');
SELECT set_partner_of_record(:s_n, '751002');
SELECT results_eq(format($$SELECT * FROM pg_temp.notices(%s) WHERE what = 'partner_of_record' AND new_value IS NULL$$, :s_n),
                  $$VALUES ('751001', 'partner_of_record', '751001', NULL)$$,
                  'rule P3: the partner of record replaced is told, and is not told who replaced it');
SELECT is((SELECT count(*) FROM change_notice WHERE partner_id = :pq), 0::bigint,
          'rule P3: a partner of record whose benefits are not active gets no change notice');
UPDATE subscription SET seats = 4 WHERE subscription_id = :s_n;
SELECT is((SELECT count(*) FROM change_notice WHERE subscription_id = :s_n AND new_value = '4'), 0::bigint,
          'rule P3: nor a later change');
SELECT set_partner_of_record(:s_n, '751001');
SELECT renew_with_direct_billing(:s_n, '2041-12-31') AS s_n2 \gset
SELECT results_eq(format($$SELECT * FROM pg_temp.notices(%s) WHERE what = 'billing'$$, :s_n),
                  $$VALUES ('751001', 'billing', 'product_key', 'direct')$$,
                  'rule P3: a switch to direct billing is a change notice');
SELECT is((SELECT count(*) FROM renewal_notice WHERE subscription_id = :s_n AND recipient = 'partner'), 0::bigint,
          'rule P3: change notices are their own ledger, not renewal notices');
-- phase changes: recorded by the daily job, once each
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-DDDD7']::product_key[],
	'Phase Oy', 'FI', 'Pia', 'Phase', 'pia@phase.example', '2040-01-01') AS s_ph \gset
SELECT set_partner_of_record(:s_ph, '751001');
CREATE FUNCTION pg_temp.phases(d date, sub bigint) RETURNS TABLE (old_value text, new_value text, changed_on date)
LANGUAGE sql AS $$ SELECT n.old_value, n.new_value, n.changed_on FROM por_partner.send_phase_notices(d) AS n
                    WHERE n.subscription_id = sub $$;
SELECT is_empty(format($$SELECT * FROM pg_temp.phases('2040-12-31', %s)$$, :s_ph), 'rule P3: no phase notice while active');
SELECT is((SELECT count(*) FROM send_renewal_notices('2041-01-01') WHERE subscription_id = :s_ph), 0::bigint,
          'rule R1: on expires_on no renewal notice is due, but...');
SELECT results_eq(format($$SELECT old_value, new_value, changed_on FROM change_notice WHERE subscription_id = %s AND what = 'phase'$$, :s_ph),
                  $$VALUES ('active', 'expired', '2041-01-01'::date)$$,
                  'rule P3: ...the daily job (send_renewal_notices) records the phase change to expired');
SELECT is_empty(format($$SELECT * FROM pg_temp.phases('2041-01-02', %s)$$, :s_ph), 'rule P3: once: the next day records nothing more');
SELECT results_eq(format($$SELECT * FROM pg_temp.phases('2041-02-15', %s)$$, :s_ph),
                  $$VALUES ('expired', 'disabled', '2041-02-15'::date)$$,
                  'rule P3: a job that missed days records the phase the term is in (disabled on day 45)');
SELECT is_empty(format($$SELECT * FROM pg_temp.phases('2041-03-31', %s)$$, :s_ph), 'rule P3: disabled is recorded once');
SELECT is_empty(format($$SELECT * FROM pg_temp.phases('2041-06-15', %s)$$, :s_ph),
                'rule P3: a phase entered more than 30 days before is not news (deprovisioned on day 120, asked on day 165)');
SELECT results_eq(format($$SELECT * FROM pg_temp.phases('2041-05-01', %s)$$, :s_ph),
                  $$VALUES ('disabled', 'deprovisioned', '2041-05-01'::date)$$,
                  'rule P3: deprovisioned on day 120');
SELECT is_empty(format($$SELECT * FROM pg_temp.phases('2041-12-31', %s)$$, :s_n),
                'rule P3: a superseded subscription has no phase notice: the switch was its notice');

--------------------------------------------------------------------------
-- Existing customers (K3, D5, D7)
--------------------------------------------------------------------------
SELECT throws_ok(format($$SELECT por_partner.create_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-MMMM2}', '2040-03-01')$$, :t_key),
                 '23505', NULL, 'rule K6: a key redeemed for a renewal activates nothing');
CREATE ROLE pp_paths_a LOGIN IN ROLE por_partner_partner;
CREATE ROLE pp_paths_b LOGIN IN ROLE por_partner_partner;
INSERT INTO partner_login (login, partner_id) VALUES ('pp_paths_a', :pp), ('pp_paths_b', :pq);
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
VALUES ('PPPPP-PPPPP-PPPPP-PPPPP-MMMM4', 'O365_MIDSIZE_BUSINESS', 6, :pp), ('PPPPP-PPPPP-PPPPP-PPPPP-MMMM6', 'O365_MIDSIZE_BUSINESS', 6, :pq);
SET LOCAL ROLE pp_paths_a;
SELECT create_subscription(:t_key, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-MMMM4']::product_key[], '2040-01-01') AS s_second \gset
RESET ROLE;
SELECT results_eq(format($$SELECT tenant_id, sku_code, seats, billing, starts_on, expires_on FROM subscription WHERE subscription_id = %s$$, :s_second),
                  format($$VALUES (%s::bigint, 'O365_MIDSIZE_BUSINESS'::text, 6, 'product_key'::text, '2040-01-01'::date, '2041-01-01'::date)$$, :t_key),
                  'rules K3, D5: a partner''s login activates a second product for a customer it set up, with the licenses of its keys as seats');
SELECT is((SELECT redeemed_as || ' ' || subscription_id FROM key_card WHERE product_key = 'PPPPP-PPPPP-PPPPP-PPPPP-MMMM4'),
          'activate ' || :s_second, 'rule K3: the key is redeemed to activate it');
SET LOCAL ROLE pp_paths_b;
SELECT throws_ok(format($$SELECT por_partner.create_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-MMMM6}', '2043-01-01')$$, :t_key),
                 '42501', format('tenant %s is not administered by partner %s', :t_key, :pq),
                 'rule D7: another partner''s login does not set up a subscription for a customer it does not administer');
SELECT throws_ok($$SELECT por_partner.create_subscription(-1, '{PPPPP-PPPPP-PPPPP-PPPPP-MMMM6}', '2043-01-01')$$,
                 '42501', format('tenant -1 is not administered by partner %s', :pq),
                 'rule D7: one answer for a tenant that does not exist');
RESET ROLE;
-- a new start after deprovisioning
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-DDDD8']::product_key[],
	'Again Ltd', 'GB', 'Amy', 'Again', 'amy@again.example', current_date - 500) AS s_gone \gset
SELECT tenant_id AS t_gone FROM subscription WHERE subscription_id = :s_gone \gset
INSERT INTO key_card (product_key, sku_code, licenses, partner_id) VALUES ('PPPPP-PPPPP-PPPPP-PPPPP-FFFF2', 'O365_SMALL_BUSINESS', 1, :pp);
SELECT create_subscription(:t_gone, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-FFFF2']::product_key[]) AS s_again \gset
SELECT results_eq(format($$SELECT subscription_phase(s) FROM subscription s WHERE tenant_id = %s ORDER BY subscription_id$$, :t_gone),
                  $$VALUES ('deprovisioned'::subscription_phase), ('active')$$,
                  'rules K3, R6: keys start a customer again after deprovisioning');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :s_again), 1,
          'rule C3: its admin is licensed on the new start');

--------------------------------------------------------------------------
-- Trials (A4)
--------------------------------------------------------------------------
SELECT create_trial_invitation(:pp, 'O365_SMALL_BUSINESS') AS trial_url \gset
SELECT accept_trial_invitation(:'trial_url', :t_gone) AS s_trial \gset
SELECT results_eq(format($$SELECT tenant_id, billing, seats, partner_of_record FROM subscription WHERE subscription_id = %s$$, :s_trial),
                  format($$VALUES (%s::bigint, 'trial'::text, 25, %s::bigint)$$, :t_gone, :pp),
                  'rules A4, D5: an existing customer accepts a trial invitation');
SELECT throws_ok(format($$SELECT por_partner.accept_trial_invitation(%L, %s)$$, :'trial_url', :t_gone),
                 '23505', format('tenant %s already took a trial of O365_SMALL_BUSINESS', :t_gone),
                 'rule A4: a customer takes at most one trial of a product');
SELECT throws_ok(format($$INSERT INTO por_partner.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
                          VALUES (%s, 'O365_SMALL_BUSINESS', 5, 'trial', current_date + 400, current_date + 430)$$, :t_gone),
                 '23505', NULL, 'rule A4: a direct INSERT of a second trial of the product is refused too');
SELECT throws_ok(format($$SELECT por_partner.accept_trial_invitation(%L, -1)$$, :'trial_url'),
                 '23503', 'tenant -1 does not exist', 'rule A4: an unknown tenant is refused');
-- a trial with users converts on purchase
SELECT create_trial_invitation(:pp, 'O365_MIDSIZE_BUSINESS') AS trial_mid_url \gset
SELECT accept_trial_invitation(:'trial_mid_url', 'Trial GmbH', 'DE', 'Tom', 'Trial', 'tom@trial-gmbh.example') AS s_tm \gset
SELECT tenant_id AS t_tm FROM subscription WHERE subscription_id = :s_tm \gset
SELECT add_user(:t_tm, 'Tina', 'T', 'tina@trial-gmbh.example', :s_tm) AS tina \gset
SELECT add_user(:t_tm, 'Theo', 'T', 'theo@trial-gmbh.example', :s_tm) AS theo \gset
SELECT add_user(:t_tm, 'Tess', 'T', 'tess@trial-gmbh.example') AS tess \gset
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
VALUES ('PPPPP-PPPPP-PPPPP-PPPPP-GGGG2', 'O365_MIDSIZE_BUSINESS', 2, :pp), ('PPPPP-PPPPP-PPPPP-PPPPP-GGGG3', 'O365_MIDSIZE_BUSINESS', 5, :pp);
SELECT alike(pg_temp.error_of(format($$SELECT por_partner.create_subscription(%s, '{PPPPP-PPPPP-PPPPP-PPPPP-GGGG2}')$$, :t_tm)),
            format('23514 | A purchase converts the tenant''s running trial, subscription %s, and licenses its users (rule A4): remove 1 licenses from the trial first, or buy 1 more. | %%', :s_tm),
            'rule A4: a purchase with fewer seats than the trial''s licensed users is refused, the DETAIL naming how many');
SELECT create_subscription(:t_tm, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-GGGG3']::product_key[]) AS s_bought \gset
SELECT results_eq(format($$SELECT u.email FROM license l JOIN tenant_user u USING (user_id) WHERE l.subscription_id = %s ORDER BY 1$$, :s_bought),
                  $$VALUES ('theo@trial-gmbh.example'), ('tina@trial-gmbh.example'), ('tom@trial-gmbh.example')$$,
                  'rule A4: the purchase licenses the trial''s licensed users, and no one else');
SELECT results_eq(format($$SELECT expires_on, superseded_by FROM subscription WHERE subscription_id = %s$$, :s_tm),
                  format($$VALUES (current_date, %s::bigint)$$, :s_bought),
                  'rule A4: the trial ends that day, superseded by the purchase');
SELECT results_eq(format($$SELECT * FROM pg_temp.notices(%s) WHERE what = 'billing'$$, :s_tm),
                  $$VALUES ('751001', 'billing', 'trial', 'product_key')$$,
                  'rule P3: the trial''s conversion is a change notice to its partner of record');
SELECT throws_ok(format('SELECT por_partner.assign_license(%s, %s)', :s_tm, :tess),
                 '55000', format('subscription %s was superseded by subscription %s', :s_tm, :s_bought),
                 'rule A4: a converted trial takes no more licenses');
-- a purchase offer converts too
SELECT create_trial_invitation(:pp, 'O365_SMALL_BUSINESS') AS trial_sb_url \gset
SELECT accept_trial_invitation(:'trial_sb_url', :t_tm) AS s_tsb \gset
SELECT create_purchase_offer(:pp, '[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 3}]') AS offer_url \gset
SELECT s AS s_offer FROM accept_purchase_offer(:'offer_url', :t_tm) AS s \gset
SELECT results_eq(format($$SELECT superseded_by, licensed_users FROM subscription WHERE subscription_id = %s$$, :s_tsb),
                  format($$VALUES (%s::bigint, 1)$$, :s_offer),
                  'rule A4: accepting a purchase offer of the trial''s product converts it');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :s_offer), 1,
          'rule A4: the admin licensed on the trial is licensed once on the purchase');

--------------------------------------------------------------------------
-- The purge is incremental (R6): it looks only at the terms that ended
-- since its mark, so that its work is the days since the last run
--------------------------------------------------------------------------
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
VALUES ('PPPPP-PPPPP-PPPPP-PPPPP-HHHH2', 'O365_SMALL_BUSINESS', 1, :pp), ('PPPPP-PPPPP-PPPPP-PPPPP-HHHH3', 'O365_SMALL_BUSINESS', 1, :pp);
-- a daily job that ran today
UPDATE por_partner_internal.job_state SET purged_through = current_date - 120;
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-HHHH2']::product_key[],
	'Backdated AS', 'NO', 'Bo', 'Back', 'bo@backdated.example', current_date - 600) AS s_back \gset
SELECT is((SELECT purged_through FROM por_partner_internal.job_state), current_date - 236,
          'rule R6: a subscription written already deprovisioned (its term ended 235 days ago) moves the purge''s mark back');
SELECT ok(purge_deprovisioned() >= 1, 'rule R6: so the next purge reaches it');
SELECT is((SELECT count(*) FROM tenant_user u JOIN subscription s USING (tenant_id) WHERE s.subscription_id = :s_back), 0::bigint,
          'rule R6: its tenant''s users are deleted');
SELECT is((SELECT purged_through FROM por_partner_internal.job_state), current_date - 120,
          'rule R6: the mark is today''s day of deprovisioning again');
SELECT is(purge_deprovisioned(), 0, 'rule R6: a second run the same day looks at nothing');
-- a missed day: the job last ran two days ago; a term ended 121 days ago
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-HHHH3']::product_key[],
	'Missed Oy', 'FI', 'Mo', 'Missed', 'mo@missed.example', current_date - 486) AS s_missed \gset
UPDATE por_partner_internal.job_state SET purged_through = current_date - 122;
SELECT ok(purge_deprovisioned() >= 1, 'rule R6: a missed day is caught up by the next run');
SELECT is((SELECT count(*) FROM tenant_user u JOIN subscription s USING (tenant_id) WHERE s.subscription_id = :s_missed), 0::bigint,
          'rule R6: the data of the term deprovisioned on the missed day is deleted');
SELECT is(purge_deprovisioned(current_date + 30), 0, 'rule R6: a purge as of a later day leaves the mark alone...');
SELECT is((SELECT purged_through FROM por_partner_internal.job_state), current_date - 120,
          'rule R6: ...so that the days between are still purged when they come');

-- the phase notices look only at the days since the last run
INSERT INTO key_card (product_key, sku_code, licenses, partner_id) VALUES ('PPPPP-PPPPP-PPPPP-PPPPP-JJJJ2', 'O365_SMALL_BUSINESS', 1, :pp);
SELECT create_customer_subscription(:pp, ARRAY['PPPPP-PPPPP-PPPPP-PPPPP-JJJJ2']::product_key[],
	'Lapsed BV', 'NL', 'Lea', 'Lapsed', 'lea@lapsed.example', current_date - 375) AS s_lapsed \gset
SELECT set_partner_of_record(:s_lapsed, '751001');
UPDATE por_partner_internal.job_state SET phase_notices_through = current_date - 1;
SELECT is((SELECT count(*) FROM send_phase_notices() WHERE subscription_id = :s_lapsed), 0::bigint,
          'rule P3: a daily run looks at the day since the last run: a term that expired 10 days ago is not news to it');
UPDATE por_partner_internal.job_state SET phase_notices_through = current_date - 11;
SELECT results_eq(format('SELECT old_value, new_value FROM por_partner.send_phase_notices() WHERE subscription_id = %s', :s_lapsed),
                  $$VALUES ('active', 'expired')$$,
                  'rule P3: a run after 11 missed days catches the phase change up');
SELECT is((SELECT phase_notices_through FROM por_partner_internal.job_state), current_date,
          'rule P3: the mark is today');

-- a partner's login reads only its own change notices
SET LOCAL ROLE pp_paths_b;
SELECT is((SELECT count(*) FROM por_partner_book.change_notice), 0::bigint,
          'rule P3: a partner''s login reads no other partner''s change notices');
RESET ROLE;
SET LOCAL ROLE pp_paths_a;
SELECT results_eq('SELECT partner_id, count(*) > 0 FROM por_partner_book.change_notice GROUP BY 1',
                  format('VALUES (%s::bigint, true)', :pp),
                  'rule P3: a partner''s login reads its own change notices');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
