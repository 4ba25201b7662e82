-- rules C1-C5 and A6: creating a customer's subscription with product keys.
-- The partner enters the organization, country and admin person (C1), in a
-- country where the service is offered (C2); the admin gets admin rights and
-- a license (C3); the SKU's agreement is recorded (C4); users are licensed
-- up to the seats (C5); only authorized subscription advisors set customers
-- up with keys (A6).  Argument errors of the functions are checked here too.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(119);

-- Helper rows.  Identity values survive the ROLLBACK of other suites, so ids
-- are captured, never written down.  Keys and MPN IDs are this suite's own.
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor)
VALUES ('720001', 'Adatum Partners', true, true)
RETURNING partner_id AS pa \gset
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor)
VALUES ('720002', 'Blue Yonder Resellers', true, true)
RETURNING partner_id AS pb \gset
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor)
VALUES ('720003', 'Coho Winery Sales', true, false)
RETURNING partner_id AS pc \gset

\set s1 'CCCCC-CCCCC-CCCCC-CCCCC-CCBB2'
\set s2 'CCCCC-CCCCC-CCCCC-CCCCC-CCBB3'
\set s3 'CCCCC-CCCCC-CCCCC-CCCCC-CCBB4'
\set s4 'CCCCC-CCCCC-CCCCC-CCCCC-CCBC2'
\set s5 'CCCCC-CCCCC-CCCCC-CCCCC-CCBC3'
\set s6 'CCCCC-CCCCC-CCCCC-CCCCC-CCBD2'
\set s7 'CCCCC-CCCCC-CCCCC-CCCCC-CCBD3'
\set s8 'CCCCC-CCCCC-CCCCC-CCCCC-CCBF2'
\set s9 'CCCCC-CCCCC-CCCCC-CCCCC-CCBF3'
\set m1 'CCCCC-CCCCC-CCCCC-CCCCC-CCMB2'
\set m2 'CCCCC-CCCCC-CCCCC-CCCCC-CCMB3'
\set m3 'CCCCC-CCCCC-CCCCC-CCCCC-CCMB4'
\set b1 'CCCCC-CCCCC-CCCCC-CCCCC-CCYB2'
\set c1 'CCCCC-CCCCC-CCCCC-CCCCC-CCHB2'
\set c2 'CCCCC-CCCCC-CCCCC-CCCCC-CCHB3'
\set unknown 'CCCCC-CCCCC-CCCCC-CCCCC-CCXX9'

INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT k::product_key, 'O365_SMALL_BUSINESS', 1, :pa
  FROM unnest(ARRAY[:'s1', :'s2', :'s3', :'s4', :'s5', :'s6', :'s7', :'s8', :'s9']) AS k;
INSERT INTO key_card (product_key, sku_code, licenses, partner_id) VALUES
	(:'m1', 'O365_MIDSIZE_BUSINESS', 10, :pa),
	(:'m2', 'O365_MIDSIZE_BUSINESS', 5, :pa),
	(:'m3', 'O365_MIDSIZE_BUSINESS', 3, :pa),
	(:'b1', 'O365_SMALL_BUSINESS', 1, :pb),
	(:'c1', 'O365_SMALL_BUSINESS', 1, :pc),
	(:'c2', 'O365_SMALL_BUSINESS', 1, :pc);

--------------------------------------------------------------------------
-- rule C1: the customer's organization, country and admin person
--------------------------------------------------------------------------
SELECT create_customer_subscription(:pa, ARRAY[:'s1', :'s2', :'s3']::product_key[],
	'Tailspin Toys', 'bg', 'Ana', 'Ivanova', 'ana@tailspin.example', current_date - 100) AS sub1 \gset
SELECT tenant_id AS t1 FROM subscription WHERE subscription_id = :sub1 \gset
SELECT user_id AS ana FROM tenant_user WHERE tenant_id = :t1 \gset

SELECT results_eq(format($$SELECT organization_name, country_code::text, admin_first_name, admin_last_name,
                                  admin_email, created_by::text FROM tenant WHERE tenant_id = %s$$, :t1),
                  format($$VALUES ('Tailspin Toys', 'BG', 'Ana', 'Ivanova', 'ana@tailspin.example', %L)$$, :pa),
                  'rule C1: the tenant records the organization, country, admin person and partner');

-- refusals: none of them may change anything
SELECT (SELECT count(*) FROM tenant) || '/' || (SELECT count(*) FROM tenant_user) || '/' ||
       (SELECT count(*) FROM subscription) || '/' || (SELECT count(*) FROM key_card WHERE redeemed_at IS NOT NULL)
       AS before_c1 \gset

SELECT throws_ok(format($$SELECT create_customer_subscription(NULL, ARRAY[%L]::product_key[], 'C1 Org', 'BG', 'A', 'B', 'a@c1.example')$$, :'s4'),
                 '22004', 'argument "partner_id" must not be null', 'rule C1: a null partner is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, NULL, 'C1 Org', 'BG', 'A', 'B', 'a@c1.example')$$, :pa),
                 '22004', 'argument "keys" must not be null', 'rule C1: null keys are refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], NULL, 'BG', 'A', 'B', 'a@c1.example')$$, :pa, :'s4'),
                 '22004', 'argument "organization_name" must not be null', 'rule C1: a null organization name is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C1 Org', NULL, 'A', 'B', 'a@c1.example')$$, :pa, :'s4'),
                 '22004', 'argument "country_code" must not be null', 'rule C1: a null country is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C1 Org', 'BG', NULL, 'B', 'a@c1.example')$$, :pa, :'s4'),
                 '22004', 'argument "admin_first_name" must not be null', 'rule C1: a null admin first name is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C1 Org', 'BG', 'A', NULL, 'a@c1.example')$$, :pa, :'s4'),
                 '22004', 'argument "admin_last_name" must not be null', 'rule C1: a null admin last name is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C1 Org', 'BG', 'A', 'B', NULL)$$, :pa, :'s4'),
                 '22004', 'argument "admin_email" must not be null', 'rule C1: a null admin e-mail is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C1 Org', 'BG', 'A', 'B', 'a@c1.example', NULL)$$, :pa, :'s4'),
                 '22004', 'argument "starts_on" must not be null', 'rule C1: a null start date is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L, NULL]::product_key[], 'C1 Org', 'BG', 'A', 'B', 'a@c1.example')$$, :pa, :'s4'),
                 '22004', 'product key 2 of the array is null', 'rule C1: a null key in the array is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], '  ', 'BG', 'A', 'B', 'a@c1.example')$$, :pa, :'s4'),
                 '22023', 'argument "organization_name" must not be blank', 'rule C1: a blank organization name is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C1 Org', 'BG', 'A', 'B', 'not an e-mail')$$, :pa, :'s4'),
                 '22023', 'invalid e-mail address: "not an e-mail"', 'rule C1: an admin e-mail that is no address is refused');
SELECT is((SELECT count(*) FROM tenant) || '/' || (SELECT count(*) FROM tenant_user) || '/' ||
          (SELECT count(*) FROM subscription) || '/' || (SELECT count(*) FROM key_card WHERE redeemed_at IS NOT NULL),
          :'before_c1',
          'rule C1: the refused calls created no tenant, user or subscription and redeemed no key');

--------------------------------------------------------------------------
-- rule C2: only countries where the service is offered
--------------------------------------------------------------------------
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C2 Org', 'CU', 'A', 'B', 'a@c2.example')$$, :pa, :'s4'),
                 '23514', 'Microsoft 365 is not offered in "Cuba" (country code "CU")',
                 'rule C2: a customer in a country without the service is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C2 Org', 'zz', 'A', 'B', 'a@c2.example')$$, :pa, :'s4'),
                 '23503', 'country "ZZ" does not exist',
                 'rule C2: a customer in an unknown country is refused');
SELECT is((SELECT count(*) FROM tenant) || '/' || (SELECT count(*) FROM tenant_user) || '/' ||
          (SELECT count(*) FROM subscription) || '/' || (SELECT count(*) FROM key_card WHERE redeemed_at IS NOT NULL),
          :'before_c1',
          'rule C2: the refused calls created nothing and redeemed no key');
SELECT throws_ok($$INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
                   VALUES ('C2 Direct', 'CU', 'A', 'B', 'a@c2.example')$$,
                 '23514', 'Microsoft 365 is not offered in "Cuba" (country code "CU")',
                 'rule C2: a direct INSERT of a tenant in a country without the service is refused');
SELECT throws_ok($$INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
                   VALUES ('C2 Direct', 'ZZ', 'A', 'B', 'a@c2.example')$$,
                 '23503', 'country "ZZ" does not exist',
                 'rule C2: a direct INSERT of a tenant in an unknown country is refused');
SELECT throws_ok(format($$UPDATE tenant SET country_code = 'RU' WHERE tenant_id = %s$$, :t1),
                 '23514', NULL,
                 'rule C2: a tenant cannot move to a country without the service');

INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Wide World Importers', 'de', 'Willi', 'Weit', 'willi@wideworld.example')
RETURNING tenant_id AS t2 \gset
SELECT is((SELECT country_code::text FROM tenant WHERE tenant_id = :t2), 'DE',
          'rule C2: a country code is accepted in lower case and stored in upper case');
UPDATE country SET service_available = true WHERE code = 'CU';
SELECT lives_ok($$INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
                  VALUES ('C2 Direct', 'CU', 'A', 'B', 'a@c2.example')$$,
                'rule C2: once the service is offered in a country, customers are created there');
UPDATE country SET service_available = false WHERE code = 'BG';
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'C2 Org', 'BG', 'A', 'B', 'a@c2.example')$$, :pa, :'s4'),
                 '23514', NULL,
                 'rule C2: once the service is withdrawn from a country, no new customer is created there');
UPDATE country SET service_available = true WHERE code = 'BG';

--------------------------------------------------------------------------
-- rule C3: the admin person gets admin rights and a license
--------------------------------------------------------------------------
SELECT results_eq(format($$SELECT first_name, last_name, email, admin_role FROM tenant_user WHERE tenant_id = %s$$, :t2),
                  $$VALUES ('Willi', 'Weit', 'willi@wideworld.example', 'global_admin')$$,
                  'rule C3: a tenant inserted directly gets its admin person as its one user, a global admin');
SELECT user_id AS willi FROM tenant_user WHERE tenant_id = :t2 \gset
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, licensed_users)
VALUES (:t2, 'O365_MIDSIZE_BUSINESS', 4, 'direct', current_date, current_date + 365, 3)
RETURNING subscription_id AS sub2 \gset
SELECT results_eq(format($$SELECT user_id FROM license WHERE subscription_id = %s$$, :sub2),
                  format($$VALUES (%s::bigint)$$, :willi),
                  'rule C3: a subscription inserted directly licenses the tenant''s admin');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :sub2), 1,
          'rule C5: licensed_users of a new subscription counts the admin only, whatever the INSERT said');
SELECT results_eq(format($$SELECT u.admin_role, u.email FROM tenant_user u WHERE u.tenant_id = %s$$, :t1),
                  $$VALUES ('global_admin', 'ana@tailspin.example')$$,
                  'rule C3: create_customer_subscription makes the admin person the tenant''s global admin');
SELECT results_eq(format($$SELECT user_id FROM license WHERE subscription_id = %s$$, :sub1),
                  format($$VALUES (%s::bigint)$$, :ana),
                  'rule C3: the admin person holds a license on the subscription created with the keys');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :sub1), 1,
          'rule C3: the admin''s license takes one seat');

-- the admin's license is counted with the subscription's row (the count is
-- not written again by a second UPDATE), and only where a license is made
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('Lucerne Publishing', 'CH', 'Luz', 'Lang', 'luz@lucerne.example')
RETURNING tenant_id AS t3 \gset
SELECT user_id AS luz FROM tenant_user WHERE tenant_id = :t3 \gset
SELECT pg_stat_get_xact_tuples_updated('subscription'::regclass) AS updated_before \gset
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
VALUES (:t3, 'O365_MIDSIZE_BUSINESS', 3, 'direct', current_date, current_date + 365)
RETURNING subscription_id AS sub3 \gset
SELECT is(pg_stat_get_xact_tuples_updated('subscription'::regclass) - :updated_before, 0::bigint,
          'rule C3: a new subscription is written once, its count holding the admin''s license from the INSERT');
SELECT is((SELECT licensed_users || '/' || (SELECT count(*) FROM license l WHERE l.subscription_id = :sub3)
             FROM subscription WHERE subscription_id = :sub3), '1/1',
          'rule C5: the count of a new subscription is its one license, the admin''s');
SELECT remove_license(:sub3, :luz), add_user(:t3, 'Mia', 'Moss', 'mia@lucerne.example', :sub3) AS mia \gset
SELECT assign_license(:sub3, :luz) \gset
SELECT is((SELECT licensed_users || '/' || (SELECT count(*) FROM license l WHERE l.subscription_id = :sub3)
             FROM subscription WHERE subscription_id = :sub3), '2/2',
          'rule C5: a license added where the count is 1 and another user holds the one license is counted');
UPDATE tenant_user SET admin_role = 'user_admin' WHERE user_id = :luz;
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
VALUES (:t3, 'O365_SMALL_BUSINESS', 2, 'direct', current_date, current_date + 365)
RETURNING subscription_id AS sub4 \gset
SELECT is((SELECT licensed_users || '/' || (SELECT count(*) FROM license l WHERE l.subscription_id = :sub4)
             FROM subscription WHERE subscription_id = :sub4), '0/0',
          'rule C3: a tenant without a global admin gets a subscription with no license and a count of 0');
SELECT assign_license(:sub4, :luz), assign_license(:sub4, :mia) \gset
SELECT is((SELECT licensed_users || '/' || (SELECT count(*) FROM license l WHERE l.subscription_id = :sub4)
             FROM subscription WHERE subscription_id = :sub4), '2/2',
          'rule C5: its first licenses are counted, the first one too');
UPDATE tenant_user SET admin_role = 'global_admin' WHERE user_id = :luz;
-- which license was counted with the row is told by where it is inserted,
-- not by the state of the table: a statement that writes the subscription and
-- other licenses at once, or removes and adds licenses at once, leaves any
INSERT INTO tenant_user (tenant_id, email) VALUES (:t3, 'ned@lucerne.example') RETURNING user_id AS ned \gset
WITH s AS (INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
           VALUES (:t3, 'O365_SMALL_BUSINESS', 2, 'direct', current_date + 400, current_date + 765)
           RETURNING subscription_id)
INSERT INTO license (subscription_id, user_id) SELECT subscription_id, :ned FROM s
RETURNING subscription_id AS sub5 \gset
SELECT is((SELECT licensed_users || '/' || (SELECT count(*) FROM license l WHERE l.subscription_id = :sub5)
             FROM subscription WHERE subscription_id = :sub5), '2/2',
          'rule C5: a subscription inserted with another user''s license in one statement counts both licenses, the admin''s once');
-- the admin's license a new subscription's trigger inserts is not checked
-- again (its query asked it), and no other license is spared the check: not
-- one of the statement that inserts the subscription (rule C5)
SELECT throws_ok(format($$WITH s AS (INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
                                     VALUES (%s, 'O365_SMALL_BUSINESS', 2, 'direct', current_date + 800, current_date + 1165)
                                     RETURNING subscription_id)
                          INSERT INTO license (subscription_id, user_id) SELECT subscription_id, %s FROM s$$, :t3, :ana),
                 '23503', NULL,
                 'rule C5: a license of another tenant''s user, added in the statement that inserts the subscription, is refused');
-- nor the admin's license of a subscription inserted superseded (rules R3, R4)
SELECT throws_ok(format($$INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, superseded_by)
                          VALUES (%s, 'O365_SMALL_BUSINESS', 2, 'direct', current_date + 800, current_date + 1165, %s)$$, :t3, :sub5),
                 '55000', NULL,
                 'rules R3, R4: a subscription inserted as superseded does not license its admin, the one license not spared the check');
-- nor that of a trial another row of the same statement converts, and so
-- supersedes, before the trial's own trigger licenses its admin (rules A4,
-- R3, R4; 0.4.0 in development licensed it, read from the row as inserted)
SELECT throws_ok(format($$INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
                          VALUES (%1$s, 'O365_SMALL_BUSINESS', 2, 'direct', current_date + 2000, current_date + 2365),
                                 (%1$s, 'O365_SMALL_BUSINESS', 2, 'trial', current_date + 2000, current_date + 2030)$$, :t3),
                 '55000', NULL,
                 'rules A4, R3, R4: a trial superseded by a purchase of the same statement does not license its admin');
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
VALUES (:t3, 'O365_MIDSIZE_BUSINESS', 1, 'direct', current_date + 400, current_date + 765)
RETURNING subscription_id AS sub6 \gset
SELECT throws_ok(format($$WITH d AS (DELETE FROM license WHERE subscription_id = %s AND user_id = %s RETURNING 1)
                          INSERT INTO license (subscription_id, user_id) VALUES (%s, %s)$$, :sub6, :luz, :sub6, :ned),
                 '23514', format('subscription %s has no free seat', :sub6),
                 'rule C5: a license added in the statement that removes the one license of a full subscription is refused (the removal is counted after it)');
SELECT is((SELECT licensed_users || '/' || (SELECT count(*) FROM license l WHERE l.subscription_id = :sub6)
             FROM subscription WHERE subscription_id = :sub6), '1/1',
          'rule C5: the refused statement left the count and the licenses as they were');
-- only the extension's owner says a license was counted already: a writer
-- who could would license users beyond the seats (rule C5)
CREATE ROLE c5_test_operator IN ROLE por_partner_operator;
SET LOCAL ROLE c5_test_operator;
SELECT throws_ok(format('SELECT por_partner_internal.admin_license_precounted(%s)', :sub6),
                 '42501', NULL, 'rule C5: an operator cannot mark a license as counted already');
CREATE TEMP TABLE c5_bait (LIKE subscription);
SELECT throws_ok($$CREATE TRIGGER bait AFTER INSERT ON c5_bait FOR EACH ROW EXECUTE FUNCTION por_partner_internal.subscription_license_admin()$$,
                 '42501', NULL, 'rule C5: nor attach the trigger that does (SECURITY DEFINER) to a table of its own');
-- a subscription id is the operator's to choose, 0 too: the mark is no id
INSERT INTO subscription (subscription_id, tenant_id, sku_code, seats, billing, starts_on, expires_on)
OVERRIDING SYSTEM VALUE VALUES (0, :t3, 'O365_MIDSIZE_BUSINESS', 3, 'direct', current_date + 800, current_date + 1165);
SELECT is((SELECT licensed_users || '/' || (SELECT count(*) FROM license l WHERE l.subscription_id = 0)
             FROM subscription WHERE subscription_id = 0), '1/1',
          'rule C5: a subscription of id 0, inserted by an operator, counts its admin''s license once');
SELECT is(por_partner_internal.precounted_license_taken(0), false,
          'rule C5: an operator may ask whether a license was counted already, and outside the admin''s insert it was not');
-- nor set the count from a trigger of its own (the count's own updates are
-- told by a mark too, not by the depth of triggers)
CREATE FUNCTION pg_temp.c5_set_count() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN UPDATE por_partner.subscription SET licensed_users = 0 WHERE subscription_id = NEW.x; RETURN NULL; END$$;
CREATE TEMP TABLE c5_depth (x bigint);
CREATE TRIGGER c5_depth AFTER INSERT ON c5_depth FOR EACH ROW EXECUTE FUNCTION pg_temp.c5_set_count();
SELECT throws_ok(format('INSERT INTO c5_depth VALUES (%s)', :sub6),
                 '428C9', format('column "licensed_users" of subscription %s cannot be set', :sub6),
                 'rule C5: an operator cannot set licensed_users from a trigger of its own');
-- nor, from a trigger of its own, change a subscription in the statement
-- that inserts it, before its trigger licenses the admin its count holds:
-- put another row under its id, which the trigger would license uncounted
-- (0.4.0 in development let it), or give it a new id, which left it counted
-- with no license (rules C3, C5)
SELECT coalesce(max(subscription_id), 0) + 1000 AS c5_x FROM subscription \gset
CREATE FUNCTION pg_temp.c5_swap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.how = 'swap' THEN
		DELETE FROM por_partner.subscription WHERE subscription_id = NEW.x;
		INSERT INTO por_partner.subscription (subscription_id, tenant_id, sku_code, seats, billing, starts_on, expires_on)
		OVERRIDING SYSTEM VALUE VALUES (NEW.x, NEW.t, 'O365_SMALL_BUSINESS', 1, 'direct', current_date + 3000, current_date + 3365);
	ELSE
		UPDATE por_partner.subscription SET subscription_id = DEFAULT WHERE subscription_id = NEW.x;
	END IF;
	RETURN NEW;
END $$;
CREATE TEMP TABLE c5_swap (x bigint, t bigint, how text);
CREATE TRIGGER c5_swap BEFORE INSERT ON c5_swap FOR EACH ROW EXECUTE FUNCTION pg_temp.c5_swap();
SELECT throws_ok(format($$WITH s AS (INSERT INTO subscription (subscription_id, tenant_id, sku_code, seats, billing, starts_on, expires_on)
                                     OVERRIDING SYSTEM VALUE
                                     VALUES (%s, %s, 'O365_SMALL_BUSINESS', 1, 'direct', current_date + 3000, current_date + 3365)
                                     RETURNING subscription_id, tenant_id)
                          INSERT INTO c5_swap SELECT subscription_id, tenant_id, 'swap' FROM s$$, :c5_x, :t3),
                 '55000', format('subscription %s was changed in the statement that inserted it, before its admin was licensed', :c5_x),
                 'rules C3, C5: no other row takes the id of a subscription in the statement that inserts it, before its admin is licensed');
SELECT throws_ok(format($$WITH s AS (INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
                                     VALUES (%s, 'O365_SMALL_BUSINESS', 1, 'direct', current_date + 3000, current_date + 3365)
                                     RETURNING subscription_id, tenant_id)
                          INSERT INTO c5_swap SELECT subscription_id, tenant_id, 'move' FROM s$$, :t3),
                 '55000', NULL,
                 'rules C3, C5: nor does it take another id then');
-- an upsert by id, twice in a transaction, is no such change
INSERT INTO subscription (subscription_id, tenant_id, sku_code, seats, billing, starts_on, expires_on)
OVERRIDING SYSTEM VALUE VALUES (:c5_x, :t3, 'O365_SMALL_BUSINESS', 1, 'direct', current_date + 3000, current_date + 3365);
SELECT lives_ok(format($$INSERT INTO subscription (subscription_id, tenant_id, sku_code, seats, billing, starts_on, expires_on)
                         OVERRIDING SYSTEM VALUE VALUES (%1$s, %2$s, 'O365_SMALL_BUSINESS', 2, 'direct', current_date + 3000, current_date + 3365)
                         ON CONFLICT (subscription_id) DO UPDATE SET seats = EXCLUDED.seats;
                         INSERT INTO subscription (subscription_id, tenant_id, sku_code, seats, billing, starts_on, expires_on)
                         OVERRIDING SYSTEM VALUE VALUES (%1$s, %2$s, 'O365_SMALL_BUSINESS', 3, 'direct', current_date + 3000, current_date + 3365)
                         ON CONFLICT (subscription_id) DO UPDATE SET seats = EXCLUDED.seats$$, :c5_x, :t3),
                'rules C3, C5: a subscription upserted by id twice in one transaction is updated twice');
SELECT is((SELECT seats || ' ' || licensed_users || '/' || (SELECT count(*) FROM license l WHERE l.subscription_id = :c5_x)
             FROM subscription WHERE subscription_id = :c5_x), '3 1/1',
          'rules C3, C5: the upserted subscription counts its admin''s license once');
SELECT throws_ok($$CREATE TRIGGER bait2 AFTER INSERT ON c5_bait FOR EACH ROW EXECUTE FUNCTION por_partner_internal.license_count()$$,
                 '42501', NULL, 'rule C5: nor attach the license count''s trigger (SECURITY DEFINER) to a table of its own');
RESET ROLE;
SELECT is((SELECT array_agg(r ORDER BY r) FROM unnest(ARRAY['por_partner_operator', 'por_partner_partner', 'por_partner_reader', 'c5_test_operator']) AS r
            WHERE has_function_privilege(r, 'por_partner_internal.admin_license_precounted(bigint)', 'EXECUTE')
               OR has_function_privilege(r, 'por_partner_internal.subscription_license_admin()', 'EXECUTE')
               OR has_function_privilege(r, 'por_partner_internal.count_kept(bigint)', 'EXECUTE')
               OR has_function_privilege(r, 'por_partner_internal.license_count()', 'EXECUTE')
               OR has_function_privilege(r, 'por_partner_internal.subscription_inserted_row()', 'EXECUTE')), NULL,
          'rule C5: no role of the extension may execute them');
CREATE TRIGGER bait AFTER INSERT ON c5_bait FOR EACH ROW EXECUTE FUNCTION por_partner_internal.subscription_license_admin();
SELECT throws_ok(format($$INSERT INTO c5_bait (subscription_id, tenant_id, sku_code, seats, licensed_users, billing, starts_on, expires_on, agreement, created_at)
                          VALUES (%s, %s, 'O365_MIDSIZE_BUSINESS', 1, 1, 'direct', current_date, current_date + 1, 'x', now())$$, :sub6, :t3),
                 '42501', 'subscription_license_admin() fires only on table por_partner.subscription',
                 'rule C5: attached to another table, it refuses to fire');
-- the trigger that keeps the inserted row's address fires just before the
-- one that licenses its admin: nothing sorts between them (rules C3, C5)
SELECT is((SELECT array_agg(t.tgname ORDER BY t.tgname) FROM pg_trigger t
            WHERE t.tgrelid = 'subscription'::regclass
              AND t.tgname > 'subscription_inserted_row' AND t.tgname < 'subscription_license_admin'), NULL,
          'rules C3, C5: no trigger of subscription sorts between subscription_inserted_row and subscription_license_admin');
CREATE TEMP TABLE c5_bait2 (subscription_id bigint, licensed_users int);
CREATE TRIGGER bait3 AFTER INSERT ON c5_bait2 FOR EACH ROW EXECUTE FUNCTION por_partner_internal.subscription_inserted_row();
SELECT throws_ok('INSERT INTO c5_bait2 VALUES (1, 1)',
                 '42501', 'subscription_inserted_row() fires only on table por_partner.subscription',
                 'rules C3, C5: the trigger that keeps a new subscription''s address refuses to fire on another table');
CREATE SCHEMA c5_other;
CREATE TABLE c5_other.subscription (subscription_id bigint, licensed_users int);
CREATE TRIGGER bait4 AFTER INSERT ON c5_other.subscription FOR EACH ROW EXECUTE FUNCTION por_partner_internal.subscription_inserted_row();
SELECT throws_ok('INSERT INTO c5_other.subscription VALUES (1, 1)',
                 '42501', 'subscription_inserted_row() fires only on table por_partner.subscription',
                 'rules C3, C5: nor on a table of the same name in another schema');

--------------------------------------------------------------------------
-- rule C4: the agreement of the SKU is recorded
--------------------------------------------------------------------------
SELECT create_customer_subscription(:pa, ARRAY[:'m1', :'m2']::product_key[],
	'Margie''s Travel', 'AT', 'Margie', 'Reise', 'margie@margies.example', current_date + 40) AS sub3 \gset
SELECT tenant_id AS t3 FROM subscription WHERE subscription_id = :sub3 \gset

SELECT is((SELECT agreement FROM tenant WHERE tenant_id = :t1), 'Microsoft Online Subscription Agreement',
          'rule C4: a Small Business customer accepted the Microsoft Online Subscription Agreement');
SELECT is((SELECT agreement FROM subscription WHERE subscription_id = :sub1), 'Microsoft Online Subscription Agreement',
          'rule C4: a Small Business subscription records the Microsoft Online Subscription Agreement');
SELECT is((SELECT agreement FROM tenant WHERE tenant_id = :t3), 'Office 365 Open Agreement',
          'rule C4: a Midsize Business customer is under the Office 365 Open Agreement');
SELECT is((SELECT agreement FROM subscription WHERE subscription_id = :sub3), 'Office 365 Open Agreement',
          'rule C4: a Midsize Business subscription records the Office 365 Open Agreement');
SELECT is((SELECT agreement FROM subscription WHERE subscription_id = :sub2), 'Office 365 Open Agreement',
          'rule C4: a subscription inserted without an agreement gets its SKU''s');
DO $$
BEGIN
	INSERT INTO por_partner.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, agreement)
	SELECT t.tenant_id, 'O365_MIDSIZE_BUSINESS', 2, 'direct', current_date, current_date + 365,
	       'Microsoft Online Subscription Agreement'
	  FROM por_partner.tenant t WHERE t.organization_name = 'Wide World Importers';
EXCEPTION WHEN OTHERS THEN
	NULL;		-- refusing the row is as good as correcting it
END $$;
SELECT is_empty($$SELECT 1 FROM subscription s JOIN sku k USING (sku_code) WHERE s.agreement <> k.agreement$$,
                'rule C4: a direct INSERT naming another agreement than the SKU''s is refused or corrected');

--------------------------------------------------------------------------
-- rule C5: seats, licensed users, e-mails
--------------------------------------------------------------------------
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :sub1), 3,
          'rule C5: three Small Business keys give three seats');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :sub3), 15,
          'rule C5: Midsize cards of 10 and 5 licenses give 15 seats');
SELECT is(add_licenses(:sub1, ARRAY[:'s4', :'s5']::product_key[]), 5,
          'rule C5: add_licenses returns the new seat count');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :sub1), 5,
          'rule C5: add_licenses adds one seat per Small Business key');

SELECT add_user(:t1, 'Bob', 'Builder', 'bob@tailspin.example', :sub1) AS bob \gset
SELECT ok(EXISTS (SELECT 1 FROM license WHERE subscription_id = :sub1 AND user_id = :bob),
          'rule C5: add_user with a subscription licenses the new user');
SELECT add_user(:t1, 'Carol', 'Clark', 'carol@tailspin.example') AS carol \gset
SELECT add_user(:t1, 'Dave', 'Dunn', 'dave@tailspin.example') AS dave \gset
SELECT add_user(:t1, 'Erin', 'Ek', 'erin@tailspin.example') AS erin \gset
SELECT add_user(:t1, 'Fay', 'Fox', 'fay@tailspin.example') AS fay \gset
SELECT is_empty(format($$SELECT 1 FROM license WHERE user_id = %s$$, :carol),
                'rule C5: add_user without a subscription licenses nobody');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :sub1), 2,
          'rule C5: licensed_users counts the admin and the new user');

SELECT lives_ok(format('SELECT assign_license(%s, %s)', :sub1, :carol),
                'rule C5: a user of the tenant is given a license');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :sub1), 3,
          'rule C5: the license takes a seat');
SELECT throws_ok(format('SELECT assign_license(%s, %s)', :sub1, :carol),
                 '23505', format('user %s already has a license on subscription %s', :carol, :sub1),
                 'rule C5: a user holds at most one license on a subscription');
SELECT lives_ok(format('SELECT remove_license(%s, %s)', :sub1, :carol),
                'rule C5: a license is taken back');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :sub1), 2,
          'rule C5: taking a license back frees its seat');
SELECT throws_ok(format('SELECT remove_license(%s, %s)', :sub1, :carol),
                 '55000', format('user %s has no license on subscription %s', :carol, :sub1),
                 'rule C5: a license the user does not hold cannot be taken back');

SELECT assign_license(:sub1, :carol), assign_license(:sub1, :dave), assign_license(:sub1, :erin) \gset
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :sub1), 5,
          'rule C5: all five seats are licensed');
SELECT throws_ok(format('SELECT assign_license(%s, %s)', :sub1, :fay),
                 '23514', format('subscription %s has no free seat', :sub1),
                 'rule C5: no license beyond the seats through assign_license');
SELECT throws_ok(format($$INSERT INTO license (subscription_id, user_id, tenant_id) VALUES (%s, %s, %s)$$, :sub1, :fay, :t1),
                 '23514', format('subscription %s has no free seat', :sub1),
                 'rule C5: no license beyond the seats through a direct INSERT');
SELECT throws_ok(format($$SELECT add_user(%s, 'Gil', 'Gray', 'gil@tailspin.example', %s)$$, :t1, :sub1),
                 '23514', format('subscription %s has no free seat', :sub1),
                 'rule C5: add_user cannot license a user on a full subscription');
SELECT is_empty($$SELECT 1 FROM tenant_user WHERE email = 'gil@tailspin.example'$$,
                'rule C5: the refused add_user created no user');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :sub1), 5,
          'rule C5: the refused licenses left the count at the seats');

SELECT throws_ok(format($$UPDATE subscription SET seats = 4 WHERE subscription_id = %s$$, :sub1),
                 '23514', format('subscription %s has 5 licensed users, so it cannot have 4 seats', :sub1),
                 'rule C5: seats cannot drop below the licensed users');
SELECT throws_ok(format($$UPDATE subscription SET licensed_users = 0 WHERE subscription_id = %s$$, :sub1),
                 '428C9', format('column "licensed_users" of subscription %s cannot be set', :sub1),
                 'rule C5: licensed_users cannot be set directly');
SELECT throws_ok(format($$UPDATE license SET user_id = %s WHERE subscription_id = %s AND user_id = %s$$, :fay, :sub1, :erin),
                 '55000', 'a license cannot be moved',
                 'rule C5: a license is not moved to another user');
SELECT lives_ok(format($$UPDATE subscription SET seats = 1 WHERE subscription_id = %s$$, :sub3),
                'rule C5: seats may drop to the licensed users');
SELECT throws_ok(format($$UPDATE subscription SET seats = 0 WHERE subscription_id = %s$$, :sub3),
                 '23514', NULL,
                 'rule C5: seats cannot drop below the admin''s license');

-- licenses stay inside the tenant
SELECT throws_ok(format($$INSERT INTO license (subscription_id, user_id, tenant_id) VALUES (%s, %s, %s)$$, :sub2, :fay, :t2),
                 '23503', format('user %s does not exist in tenant %s of subscription %s', :fay, :t2, :sub2),
                 'rule C5: a direct INSERT cannot license a user of another tenant');
SELECT throws_ok(format('SELECT assign_license(%s, %s)', :sub2, :fay),
                 '23503', NULL,
                 'rule C5: assign_license cannot license a user of another tenant');
SELECT throws_ok(format($$SELECT add_user(%s, 'Hal', 'Hill', 'hal@tailspin.example', %s)$$, :t1, :sub2),
                 '23503', NULL,
                 'rule C5: add_user cannot license the new user on another tenant''s subscription');
SELECT is_empty($$SELECT 1 FROM tenant_user WHERE email = 'hal@tailspin.example'$$,
                'rule C5: the refused add_user created no user');

-- e-mail addresses are unique in a tenant, whatever their case
SELECT throws_ok(format($$SELECT add_user(%s, 'Ana', 'Again', 'ANA@Tailspin.Example')$$, :t1),
                 '23505', NULL,
                 'rule C5: an e-mail address already in the tenant, in other case, is refused');
SELECT lives_ok(format($$SELECT add_user(%s, 'Ana', 'Elsewhere', 'ana@tailspin.example')$$, :t2),
                'rule C5: the same e-mail address is accepted in another tenant');
SELECT throws_ok(format($$SELECT add_user(%s, 'Ivy', 'Ink', 'ivy at tailspin')$$, :t1),
                 '22023', 'invalid e-mail address: "ivy at tailspin"',
                 'rule C5: an e-mail that is no address is refused');

-- argument errors of the user and license functions
SELECT throws_ok($$SELECT add_user(NULL, 'A', 'B', 'a@c5.example')$$,
                 '22004', 'argument "tenant_id" must not be null', 'rule C5: add_user refuses a null tenant');
SELECT throws_ok(format($$SELECT add_user(%s, 'A', 'B', NULL)$$, :t1),
                 '22004', 'argument "email" must not be null', 'rule C5: add_user refuses a null e-mail');
SELECT throws_ok(format('SELECT assign_license(NULL, %s)', :fay),
                 '22004', 'argument "subscription_id" must not be null', 'rule C5: assign_license refuses a null subscription');
SELECT throws_ok(format('SELECT remove_license(%s, NULL)', :sub1),
                 '22004', 'argument "user_id" must not be null', 'rule C5: remove_license refuses a null user');
SELECT throws_ok(format('SELECT add_licenses(NULL, ARRAY[%L]::product_key[])', :'s6'),
                 '22004', 'argument "subscription_id" must not be null', 'rule C5: add_licenses refuses a null subscription');
SELECT throws_ok(format('SELECT add_licenses(%s, NULL)', :sub1),
                 '22004', 'argument "keys" must not be null', 'rule C5: add_licenses refuses null keys');
SELECT throws_ok(format('SELECT add_licenses((SELECT max(subscription_id) + 1000 FROM subscription), ARRAY[%L]::product_key[])', :'s6'),
                 '23503', NULL, 'rule C5: add_licenses refuses an unknown subscription');
SELECT ok((SELECT redeemed_at IS NULL FROM key_card WHERE product_key = :'s6'),
          'rule C5: the refused add_licenses calls redeemed no key');

--------------------------------------------------------------------------
-- Argument errors of create_customer_subscription (rules K2-K6, A6)
--------------------------------------------------------------------------
SELECT (SELECT count(*) FROM tenant) || '/' || (SELECT count(*) FROM tenant_user) || '/' ||
       (SELECT count(*) FROM subscription) || '/' || (SELECT count(*) FROM key_card WHERE redeemed_at IS NOT NULL)
       AS before_args \gset

SELECT throws_ok(format($$SELECT create_customer_subscription(%s, '{}', 'Arg Org', 'FR', 'A', 'B', 'a@args.example')$$, :pa),
                 '22023', 'no product key given',
                 'rule K5: an empty array of keys is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L, %L, %L]::product_key[], 'Arg Org', 'FR', 'A', 'B', 'a@args.example')$$,
                        :pa, :'s6', :'s7', lower(replace(:'s6', '-', ''))),
                 '22023', format('product key %s is given more than once', :'s6'),
                 'rule K6: a key given twice, even spelled differently, is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L, %L]::product_key[], 'Arg Org', 'FR', 'A', 'B', 'a@args.example')$$,
                        :pa, :'s6', :'m3'),
                 '23514', 'the product keys are for different products: O365_MIDSIZE_BUSINESS, O365_SMALL_BUSINESS',
                 'rule K3: keys of two products are not redeemed together');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L, %L]::product_key[], 'Arg Org', 'FR', 'A', 'B', 'a@args.example')$$,
                        :pa, :'s6', :'unknown'),
                 '23503', format('product key %s does not exist', :'unknown'),
                 'rule K2: a key that was never bought is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L, %L]::product_key[], 'Arg Org', 'FR', 'A', 'B', 'a@args.example')$$,
                        :pa, :'s6', :'b1'),
                 '42501', NULL,
                 'rule K2: a partner cannot redeem a key another partner bought');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'Arg Org', 'FR', 'A', 'B', 'a@args.example')$$,
                        :pa, :'b1'),
                 '42501', format('product key %s is not a key card of partner %s', :'b1', :pa),
                 'rule K2: the refusal names the key and the partner it is not a card of (one answer for not yours and does not exist, for a partner''s login)');
SELECT throws_ok(format($$SELECT create_customer_subscription((SELECT max(partner_id) + 1000 FROM partner), ARRAY[%L]::product_key[], 'Arg Org', 'FR', 'A', 'B', 'a@args.example')$$,
                        :'s6'),
                 '23503', NULL,
                 'rule A6: an unknown partner is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'Arg Org', 'FR', 'A', 'B', 'a@args.example', 'infinity')$$,
                        :pa, :'s6'),
                 '22008', NULL,
                 'rule K4: a term starting at infinity is refused');
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'Arg Org', 'FR', 'A', 'B', 'a@args.example', '-infinity')$$,
                        :pa, :'s6'),
                 '22008', NULL,
                 'rule K4: a term starting at -infinity is refused');
SELECT is((SELECT count(*) FROM tenant) || '/' || (SELECT count(*) FROM tenant_user) || '/' ||
          (SELECT count(*) FROM subscription) || '/' || (SELECT count(*) FROM key_card WHERE redeemed_at IS NOT NULL),
          :'before_args',
          'rule K5: the refused calls created no tenant, user or subscription and redeemed no key');

-- the term: one year from starts_on, in the past, the future or today
SELECT results_eq(format($$SELECT starts_on, expires_on FROM subscription WHERE subscription_id = %s$$, :sub1),
                  $$VALUES (current_date - 100, (current_date - 100 + interval '1 year')::date)$$,
                  'rule K4: a term starting in the past lasts one year');
SELECT results_eq(format($$SELECT starts_on, expires_on FROM subscription WHERE subscription_id = %s$$, :sub3),
                  $$VALUES (current_date + 40, (current_date + 40 + interval '1 year')::date)$$,
                  'rule K4: a term starting in the future lasts one year');
SELECT create_customer_subscription(:pa, ARRAY[:'s6']::product_key[],
	'Leap Day Ltd', 'FR', 'Lea', 'Leap', 'lea@leap.example', '2028-02-29') AS sub4 \gset
SELECT create_customer_subscription(:pa, ARRAY[:'s7']::product_key[],
	'Today Ltd', 'FR', 'Toni', 'Today', 'toni@today.example') AS sub5 \gset
SELECT results_eq(format($$SELECT starts_on, expires_on FROM subscription WHERE subscription_id = %s$$, :sub4),
                  $$VALUES ('2028-02-29'::date, '2029-02-28'::date)$$,
                  'rule K4: a term starting on 29 February ends on 28 February next year');
SELECT results_eq(format($$SELECT starts_on, expires_on FROM subscription WHERE subscription_id = %s$$, :sub5),
                  $$VALUES (current_date, (current_date + interval '1 year')::date)$$,
                  'rule K4: by default the term starts today');

--------------------------------------------------------------------------
-- rule A6: only authorized subscription advisors set customers up with keys
--------------------------------------------------------------------------
SELECT (SELECT count(*) FROM tenant) || '/' || (SELECT count(*) FROM tenant_user) || '/' ||
       (SELECT count(*) FROM subscription) || '/' || (SELECT count(*) FROM key_card WHERE redeemed_at IS NOT NULL)
       AS before_a6 \gset
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'Coho Customer', 'FR', 'Cora', 'Coho', 'cora@coho-customer.example')$$,
                        :pc, :'c1'),
                 '23514', NULL,
                 'rule A6: a reseller that is not an authorized subscription advisor cannot set up a customer with its keys');
SELECT throws_like(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'Coho Customer', 'FR', 'Cora', 'Coho', 'cora@coho-customer.example')$$,
                          :pc, :'c1'),
                   '%"Coho Winery Sales"%',
                   'rule A6: the refusal quotes the partner''s name, which contains words (message style)');
SELECT is((SELECT count(*) FROM tenant) || '/' || (SELECT count(*) FROM tenant_user) || '/' ||
          (SELECT count(*) FROM subscription) || '/' || (SELECT count(*) FROM key_card WHERE redeemed_at IS NOT NULL),
          :'before_a6',
          'rule A6: the refused call created no tenant, user or subscription and redeemed no key');
SELECT throws_ok(format($$UPDATE key_card SET redeemed_at = now(), subscription_id = %s, redeemed_as = 'activate'
                           WHERE product_key = %L$$, :sub5, :'c2'),
                 '23514', NULL,
                 'rule A6: a direct UPDATE cannot activate a subscription with a key of a partner that is no advisor');
UPDATE partner SET subscription_advisor = true WHERE partner_id = :pc;
SELECT lives_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[], 'Coho Customer', 'FR', 'Cora', 'Coho', 'cora@coho-customer.example')$$,
                       :pc, :'c1'),
                'rule A6: once an authorized subscription advisor, the partner sets up customers with its keys');

-- every subscription set up with keys above passes the check made at commit
SELECT lives_ok('SET CONSTRAINTS ALL IMMEDIATE',
                'rule A6: the subscriptions set up by create_customer_subscription have a key that activated them');
SET CONSTRAINTS ALL DEFERRED;

SELECT * FROM finish();
ROLLBACK;
