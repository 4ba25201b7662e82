-- Delivery state of the notices (issue 14): every notice recorded has a
-- delivery row (rules R1, P3, P4); claim_notices() hands out undelivered,
-- due notices with what a mail needs; notice_delivered() and notice_failed()
-- mark them; a notice's mail key is the same when the ledger records it
-- again (after a failover) and never the same for two notices; operators
-- only.  Two mailers at once (FOR UPDATE SKIP LOCKED) are tested end to end
-- by test/shell/mailer.sh.  Bad input of the three functions is here, not in
-- z_bad_input.sql: they are for operators only, like purge_deprovisioned.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(50);

-- a reseller advisor with a contact address; an advisor with none but a
-- global admin; a Cloud Essentials advisor with neither (rules A6, P2, P3)
INSERT INTO partner (mpn_id, name, email, reseller, subscription_advisor, cloud_essentials)
VALUES ('796001', 'Delivery Partners', 'office@delivery.example', true, true, true) RETURNING partner_id AS p \gset
INSERT INTO partner (mpn_id, name, subscription_advisor, cloud_essentials)
VALUES ('796002', 'Admin Only Advisors', true, true) RETURNING partner_id AS p_admin \gset
INSERT INTO partner_user (partner_id, email, company_role, customer_access)
VALUES (:p_admin, 'boss@adminonly.example', 'global_admin', 'full'), (:p_admin, 'next@adminonly.example', 'global_admin', 'full');
INSERT INTO partner (mpn_id, name, subscription_advisor, cloud_essentials)
VALUES ('796003', 'Nowhere Advisors', true, true) RETURNING partner_id AS p_none \gset
INSERT INTO key_card (product_key, sku_code, licenses, partner_id) VALUES
	('DDDDD-DDDDD-DDDDD-DDDDD-DDDB2', 'O365_SMALL_BUSINESS', 1, :p),
	('DDDDD-DDDDD-DDDDD-DDDDD-DDDB3', 'O365_SMALL_BUSINESS', 1, :p),
	('DDDDD-DDDDD-DDDDD-DDDDD-DDDB4', 'O365_SMALL_BUSINESS', 1, :p);
-- two customers whose terms end in 10 days: a renewal notice is due (R1)
SELECT create_customer_subscription(:p, ARRAY['DDDDD-DDDDD-DDDDD-DDDDD-DDDB2']::product_key[], 'Delivered GmbH', 'DE',
	'Dora', 'Delivered', 'dora@delivered.example', (current_date - interval '1 year')::date + 10) AS s1 \gset
SELECT create_customer_subscription(:p, ARRAY['DDDDD-DDDDD-DDDDD-DDDDD-DDDB3']::product_key[], 'Second AG', 'AT',
	'Sam', 'Second', 'sam@second.example', (current_date - interval '1 year')::date + 10) AS s2 \gset
SELECT set_partner_of_record(:s1, '796002');   -- a change notice to it (P3)
SELECT set_partner_of_record(:s2, '796003');
SELECT count(*) AS sent FROM send_renewal_notices() \gset

SELECT is((SELECT count(*) FROM notice_delivery), (SELECT count(*) FROM renewal_notice) + (SELECT count(*) FROM change_notice),
          'issue 14: every notice recorded has its delivery row (rules R1, P3, P4)');
SELECT is(:sent::bigint, 4::bigint, 'rules R1, P4: the job recorded 4 renewal notices, to the 2 customers and the 2 partners of record');
SELECT is((SELECT count(*) FROM notice_delivery WHERE delivered_at IS NULL AND attempts = 0 AND next_attempt_at <= now()), 6::bigint,
          'the 4 renewal and 2 change notices are undelivered, untried and due at once');
SELECT results_eq($$SELECT ledger, recipient, what FROM undelivered_notices ORDER BY delivery_id$$,
                  $$VALUES ('change_notice', 'partner', 'partner_of_record'), ('change_notice', 'partner', 'partner_of_record'),
                           ('renewal_notice', 'customer', 'renewal'), ('renewal_notice', 'partner', 'renewal'),
                           ('renewal_notice', 'customer', 'renewal'), ('renewal_notice', 'partner', 'renewal')$$,
                  'undelivered_notices lists them, oldest first');

-- what a mail needs
CREATE TEMP TABLE claimed AS SELECT * FROM claim_notices(1000);
SELECT is((SELECT count(*) FROM claimed), 6::bigint, 'claim_notices(1000) claims every due notice');
SELECT is((SELECT to_email FROM claimed WHERE ledger = 'renewal_notice' AND recipient = 'customer' AND subscription_id = :s1),
          'dora@delivered.example', 'rule R1: a customer''s renewal notice goes to its admin');
SELECT is((SELECT (partner_name, partner_email) FROM claimed WHERE ledger = 'renewal_notice' AND recipient = 'customer' AND subscription_id = :s1),
          ('Admin Only Advisors'::text, 'boss@adminonly.example'::text),
          'the customer is told of the partner to ask: its partner of record');
SELECT is((SELECT to_email FROM claimed WHERE ledger = 'renewal_notice' AND recipient = 'partner' AND subscription_id = :s1),
          'boss@adminonly.example', 'rule P4: a partner with no contact address is mailed at its first global admin');
SELECT is((SELECT count(*) FROM claimed WHERE partner_id = :p_none AND to_email IS NULL AND recipient = 'partner'), 2::bigint,
          'a partner with neither has no address: the mailer records that as its error');
SELECT is((SELECT (what, old_value, new_value, organization_name, expires_on) FROM claimed
            WHERE ledger = 'change_notice' AND subscription_id = :s1),
          ('partner_of_record'::text, NULL::text, '796002'::text, 'Delivered GmbH'::text,
           (SELECT expires_on FROM subscription WHERE subscription_id = :s1)),
          'rule P3: a change notice carries what changed, the customer and the term');
SELECT is((SELECT (sku_name, seats, days_before) FROM claimed WHERE ledger = 'renewal_notice' AND recipient = 'customer' AND subscription_id = :s1),
          ('Office 365 Small Business'::text, 1, 30), 'the SKU, the seats and the notice''s days_before (rule R1)');
SELECT is((SELECT count(DISTINCT message_key) FROM claimed), 6::bigint, 'no two notices share a message key');
SELECT is((SELECT message_key FROM claimed WHERE ledger = 'renewal_notice' AND recipient = 'customer' AND subscription_id = :s1),
          format('renewal.%s.%s.customer.30', :s1, to_char((SELECT expires_on FROM subscription WHERE subscription_id = :s1), 'YYYYMMDD')),
          'a renewal notice''s key is its subscription, term, recipient and days_before: the ledger''s unique key');

-- recorded again (a failover with asynchronous replication lost it): a new
-- notice_id, the same key, so the same Message-ID
SELECT message_key AS key_before, notice_id AS id_before FROM claimed
 WHERE ledger = 'renewal_notice' AND recipient = 'customer' AND subscription_id = :s1 \gset
DELETE FROM renewal_notice WHERE notice_id = :id_before;
SELECT is((SELECT count(*) FROM notice_delivery WHERE renewal_notice_id = :id_before), 0::bigint,
          'a notice deleted takes its delivery row with it');
SELECT is((SELECT count(*) FROM send_renewal_notices()), 1::bigint, 'the next run records the lost notice again (rule R1)');
SELECT isnt((SELECT notice_id FROM renewal_notice WHERE subscription_id = :s1 AND recipient = 'customer'), :id_before::bigint,
            'under another notice_id');
SELECT is((SELECT por_partner_internal.notice_message_key(n) FROM renewal_notice n WHERE subscription_id = :s1 AND recipient = 'customer'),
          :'key_before', 'with the same message key: the same Message-ID, recognisable as the same mail');
SELECT message_key AS change_key, notice_id AS change_id FROM claimed WHERE ledger = 'change_notice' AND subscription_id = :s1 \gset
SELECT is((SELECT por_partner_internal.notice_message_key(n) FROM change_notice n WHERE notice_id = :change_id),
          :'change_key', 'a change notice''s key is a function of what it says');

-- marking
SELECT delivery_id AS d1 FROM claimed WHERE ledger = 'renewal_notice' AND recipient = 'customer' AND subscription_id = :s2 \gset
SELECT delivery_id AS d2 FROM claimed WHERE ledger = 'renewal_notice' AND recipient = 'partner' AND subscription_id = :s2 \gset
SELECT lives_ok(format('SELECT notice_delivered(%s)', :d1), 'notice_delivered() marks a claimed notice');
SELECT ok((SELECT delivered_at IS NOT NULL AND attempts = 1 AND last_attempt_at IS NOT NULL FROM notice_delivery WHERE delivery_id = :d1),
          'delivered: delivered_at set, one attempt');
SELECT is((SELECT count(*) FROM claim_notices(1000) WHERE delivery_id = :d1), 0::bigint, 'a delivered notice is never claimed again');
SELECT is((SELECT count(*) FROM undelivered_notices WHERE delivery_id = :d1), 0::bigint, 'nor listed as undelivered');
SELECT throws_ok(format('SELECT notice_delivered(%s)', :d1), '55000', format('notice delivery %s was delivered already', :d1),
                 'marking it delivered twice is refused (55000)');
SELECT throws_ok(format('SELECT notice_failed(%s, %L)', :d1, 'late'), '55000', NULL, 'so is marking it failed after');
SELECT throws_ok('SELECT notice_delivered(-1)', '23503', 'notice delivery -1 does not exist', 'an unknown delivery: 23503');
SELECT throws_ok('SELECT notice_failed(-1, ''x'')', '23503', NULL, 'notice_failed of an unknown delivery: 23503');

SELECT is(notice_failed(:d2, '550 5.1.1 mailbox unavailable', interval '1 hour') > now() + interval '59 minutes', true,
          'notice_failed() records the failure and returns when it is tried again');
SELECT is((SELECT (attempts, last_error, delivered_at IS NULL) FROM notice_delivery WHERE delivery_id = :d2),
          (1, '550 5.1.1 mailbox unavailable'::text, true), 'one attempt, the error kept, still undelivered');
SELECT is((SELECT count(*) FROM claim_notices(1000) WHERE delivery_id = :d2), 0::bigint, 'not claimed before its retry time');
SELECT is((SELECT last_error FROM undelivered_notices WHERE delivery_id = :d2), '550 5.1.1 mailbox unavailable',
          'undelivered_notices shows the error to the operator');
SELECT lives_ok(format('SELECT notice_failed(%s, %L, interval ''0'')', :d2, 'again'), 'a retry at once');
SELECT is((SELECT count(*) FROM claim_notices(1000) WHERE delivery_id = :d2), 1::bigint, 'due again: claimed');
SELECT lives_ok(format('SELECT notice_delivered(%s)', :d2), 'then delivered');
SELECT is((SELECT (attempts, last_error) FROM notice_delivery WHERE delivery_id = :d2), (3, 'again'::text),
          'three attempts, the last error kept for the record');

-- bad input: each documented SQLSTATE
SELECT throws_ok('SELECT * FROM claim_notices(NULL)', '22004', 'argument "max_notices" must not be null', 'claim_notices(NULL): 22004');
SELECT throws_ok('SELECT * FROM claim_notices(0)', '22023', NULL, 'claim_notices(0): 22023');
SELECT throws_ok('SELECT * FROM claim_notices(1001)', '22023', NULL, 'claim_notices(1001): 22023');
SELECT throws_ok('SELECT notice_delivered(NULL)', '22004', 'argument "delivery_id" must not be null', 'notice_delivered(NULL): 22004');
SELECT throws_ok(format('SELECT notice_failed(%s, NULL)', :d1), '22004', 'argument "error" must not be null', 'notice_failed without an error: 22004');
SELECT throws_ok(format('SELECT notice_failed(%s, ''x'', NULL)', :d1), '22004', 'argument "retry_in" must not be null', 'notice_failed with a null retry_in: 22004');
SELECT delivery_id AS d3 FROM notice_delivery WHERE delivered_at IS NULL ORDER BY delivery_id LIMIT 1 \gset
SELECT throws_ok(format('SELECT notice_failed(%s, repeat(''x'', 2001))', :d3), '22001', 'argument "error" is too long',
                 'an error over 2000 characters: 22001 (README, Limits)');
SELECT throws_ok(format('SELECT notice_failed(%s, repeat(''x'', 1000000))', :d3), '22001', NULL, 'and 1 MB of it');
SELECT throws_ok(format('SELECT notice_failed(%s, %L)', :d3, '  '), '22023', NULL, 'a blank error: 22023');
SELECT throws_ok(format('SELECT notice_failed(%s, ''x'', interval ''-1 second'')', :d3), '22023', NULL, 'a negative retry_in: 22023');
SELECT throws_ok(format('SELECT notice_failed(%s, ''x'', interval ''31 days'')', :d3), '22023', NULL, 'a retry_in over 30 days: 22023');
SELECT throws_ok('INSERT INTO notice_delivery (renewal_notice_id, change_notice_id) VALUES (NULL, NULL)', '23514', NULL,
                 'a delivery row is for exactly one notice');

-- operators only
CREATE ROLE pp_dlv_partner LOGIN IN ROLE por_partner_partner;
CREATE ROLE pp_dlv_reader LOGIN IN ROLE por_partner_reader;
CREATE ROLE pp_dlv_op LOGIN IN ROLE por_partner_operator;
INSERT INTO partner_login (login, partner_id) VALUES ('pp_dlv_partner', :p);
SELECT ok(NOT has_table_privilege('pp_dlv_partner', 'por_partner.notice_delivery', 'SELECT')
          AND NOT has_table_privilege('pp_dlv_partner', 'por_partner.undelivered_notices', 'SELECT')
          AND NOT has_table_privilege('pp_dlv_reader', 'por_partner.notice_delivery', 'SELECT')
          AND NOT has_table_privilege('pp_dlv_reader', 'por_partner.undelivered_notices', 'SELECT')
          AND NOT has_function_privilege('pp_dlv_partner', 'por_partner.claim_notices(int)', 'EXECUTE')
          AND NOT has_function_privilege('pp_dlv_reader', 'por_partner.notice_failed(bigint, text, interval)', 'EXECUTE')
          AND NOT has_function_privilege('public', 'por_partner.notice_delivered(bigint)', 'EXECUTE'),
          'partners and readers neither read delivery state nor claim or mark notices');
SET SESSION AUTHORIZATION pp_dlv_partner;
SELECT throws_ok('SELECT * FROM por_partner.claim_notices()', '42501', NULL, 'a partner''s login may not claim notices (42501)');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION pp_dlv_op;
SELECT is((SELECT count(*) FROM por_partner.claim_notices(1000)), (SELECT count(*) FROM por_partner.undelivered_notices WHERE next_attempt_at <= clock_timestamp()),
          'an operator''s login claims what undelivered_notices lists as due');
SELECT lives_ok('SELECT por_partner.purge_deprovisioned()',
                'rule R6: an operator''s login runs the purge (the daily job as pg_cron runs it), its mark included');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
