-- rules K2-K6: key cards.  Partners with a reseller relationship buy them
-- (K2); a key activates, adds users to or renews a subscription of its own
-- product (K3); a Small Business key is one license, a Midsize Business card
-- carries its own count (K4); keys redeemed together are redeemed all or
-- nothing (K5), and each key at most once (K6).
BEGIN;
SET search_path = por_partner, public;
SELECT plan(52);

-- Helper rows.  Identity values survive the ROLLBACK of other suites, so ids
-- are captured, never written down.  Keys and MPN IDs are this suite's own.
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor)
VALUES ('710001', 'Contoso Key Sales', true, true)
RETURNING partner_id AS reseller \gset
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor)
VALUES ('710002', 'Northwind Traders', false, true)
RETURNING partner_id AS nonreseller \gset

\set sb_a1 'KKKKK-KKKKK-KKKKK-KKKKK-KKBB2'
\set sb_a2 'KKKKK-KKKKK-KKKKK-KKKKK-KKBB3'
\set sb_a3 'KKKKK-KKKKK-KKKKK-KKKKK-KKBB4'
\set sb_b1 'KKKKK-KKKKK-KKKKK-KKKKK-KKBC2'
\set sb_b2 'KKKKK-KKKKK-KKKKK-KKKKK-KKBC3'
\set sb_c 'KKKKK-KKKKK-KKKKK-KKKKK-KKBD2'
\set sb_d 'KKKKK-KKKKK-KKKKK-KKKKK-KKBF2'
\set sb_e 'KKKKK-KKKKK-KKKKK-KKKKK-KKBG2'
\set sb_f1 'KKKKK-KKKKK-KKKKK-KKKKK-KKBH2'
\set sb_f2 'KKKKK-KKKKK-KKKKK-KKKKK-KKBH3'
\set sb_h 'KKKKK-KKKKK-KKKKK-KKKKK-KKBJ2'
\set sb_i 'KKKKK-KKKKK-KKKKK-KKKKK-KKBM2'
\set sb_j1 'KKKKK-KKKKK-KKKKK-KKKKK-KKBP2'
\set sb_j2 'KKKKK-KKKKK-KKKKK-KKKKK-KKBP3'
\set sb_k 'KKKKK-KKKKK-KKKKK-KKKKK-KKBQ2'
\set mb_a 'KKKKK-KKKKK-KKKKK-KKKKK-KKMB2'
\set mb_b 'KKKKK-KKKKK-KKKKK-KKKKK-KKMB3'
\set mb_c 'KKKKK-KKKKK-KKKKK-KKKKK-KKMB4'
\set mb_d 'KKKKK-KKKKK-KKKKK-KKKKK-KKMB6'
\set nr 'KKKKK-KKKKK-KKKKK-KKKKK-KKNB2'
\set unknown 'KKKKK-KKKKK-KKKKK-KKKKK-KKXX9'

INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT k::product_key, 'O365_SMALL_BUSINESS', 1, :reseller
  FROM unnest(ARRAY[:'sb_a1', :'sb_a2', :'sb_a3', :'sb_b1', :'sb_b2', :'sb_c', :'sb_d',
                    :'sb_e', :'sb_f1', :'sb_f2', :'sb_i', :'sb_j1', :'sb_j2']) AS k;
INSERT INTO key_card (product_key, sku_code, licenses, partner_id) VALUES
	(:'mb_a', 'O365_MIDSIZE_BUSINESS', 10, :reseller),
	(:'mb_b', 'O365_MIDSIZE_BUSINESS', 5, :reseller);

-- a customer billed directly by Microsoft (no keys)
INSERT INTO tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
VALUES ('K Direct Billing', 'DE', 'Dora', 'Direkt', 'dora@k-direct.example')
RETURNING tenant_id AS direct_tenant \gset
INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
VALUES (:direct_tenant, 'O365_SMALL_BUSINESS', 5, 'direct', current_date, current_date + 365)
RETURNING subscription_id AS direct_sub \gset

--------------------------------------------------------------------------
-- rule K2: only partners with a reseller relationship buy key cards
--------------------------------------------------------------------------
SELECT lives_ok(format($$INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                         VALUES (%L, 'O365_SMALL_BUSINESS', 1, %s)$$, :'sb_h', :reseller),
                'rule K2: a partner with a reseller relationship buys a key card');
SELECT throws_ok(format($$INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                          VALUES (%L, 'O365_SMALL_BUSINESS', 1, %s)$$, :'nr', :nonreseller),
                 '23514', NULL,
                 'rule K2: a partner without a reseller relationship cannot buy a key card');
SELECT throws_like(format($$INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                            VALUES (%L, 'O365_SMALL_BUSINESS', 1, %s)$$, :'nr', :nonreseller),
                   '%"Northwind Traders"%',
                   'rule K2: the refusal quotes the partner''s name, which contains words (message style)');
SELECT throws_ok(format($$UPDATE key_card SET partner_id = %s WHERE product_key = %L$$,
                        :nonreseller, :'sb_i'),
                 '23514', NULL,
                 'rule K2: a card cannot be passed to a partner without a reseller relationship');
UPDATE partner SET reseller = true WHERE partner_id = :nonreseller;
SELECT lives_ok(format($$INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                         VALUES (%L, 'O365_SMALL_BUSINESS', 1, %s)$$, :'nr', :nonreseller),
                'rule K2: once it has a reseller relationship the partner buys key cards');

--------------------------------------------------------------------------
-- rule K4: Small Business: one key, one license; Midsize: the card's count
--------------------------------------------------------------------------
SELECT throws_ok(format($$INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                          VALUES (%L, 'O365_SMALL_BUSINESS', 2, %s)$$, :'sb_k', :reseller),
                 '23514', 'key cards of O365_SMALL_BUSINESS carry 1 license each, not 2',
                 'rule K4: a Small Business card with 2 licenses is refused');
SELECT throws_ok(format($$UPDATE key_card SET licenses = 3 WHERE product_key = %L$$, :'sb_h'),
                 '23514', 'key cards of O365_SMALL_BUSINESS carry 1 license each, not 3',
                 'rule K4: a Small Business card cannot be raised to 3 licenses');
SELECT lives_ok(format($$INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                         VALUES (%L, 'O365_MIDSIZE_BUSINESS', 25, %s)$$, :'mb_c', :reseller),
                'rule K4: a Midsize Business card carries the licenses printed on it (25)');
SELECT throws_ok(format($$INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                          VALUES (%L, 'O365_MIDSIZE_BUSINESS', 0, %s)$$, :'mb_d', :reseller),
                 '23514', NULL,
                 'rule K4: a card carries at least one license');
SELECT throws_ok(format($$INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                          VALUES (%L, 'O365_MIDSIZE_BUSINESS', 1, %s)$$, :'mb_d', :reseller),
                 '23514', 'key cards of O365_MIDSIZE_BUSINESS carry at least 2 licenses, not 1',
                 'rule K4: one Midsize Business key gives several licenses: a card of 1 is refused');
SELECT is((SELECT min_licenses_per_key FROM sku WHERE sku_code = 'O365_MIDSIZE_BUSINESS'), 2,
          'rule K4: the minimum is the SKU''s (shipped 2 for Midsize Business)');

SELECT create_customer_subscription(:reseller, ARRAY[:'sb_a1', :'sb_a2', :'sb_a3']::product_key[],
	'K Small Co', 'FR', 'Kim', 'Small', 'kim@k-small.example') AS sb_sub \gset
SELECT create_customer_subscription(:reseller, ARRAY[:'mb_a', :'mb_b']::product_key[],
	'K Midsize Co', 'FR', 'Max', 'Mid', 'max@k-mid.example') AS mb_sub \gset

SELECT is((SELECT seats FROM subscription WHERE subscription_id = :sb_sub), 3,
          'rule K4: three Small Business keys are three licenses');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :mb_sub), 15,
          'rule K4: Midsize cards of 10 and 5 licenses are 15 licenses');
SELECT is(add_licenses(:mb_sub, ARRAY[:'mb_c']::product_key[]), 40,
          'rule K4: a Midsize card of 25 licenses adds 25 seats');
SELECT is(add_licenses(:sb_sub, ARRAY[:'sb_b1', :'sb_b2']::product_key[]), 5,
          'rule K4: each Small Business key adds one seat');

--------------------------------------------------------------------------
-- rule K3: a key activates, adds users to or renews a subscription of its
-- own product
--------------------------------------------------------------------------
SELECT set_eq(format($$SELECT product_key::text, redeemed_as FROM key_card
                        WHERE subscription_id = %s AND redeemed_at IS NOT NULL$$, :sb_sub),
              format($$VALUES (%L, 'activate'), (%L, 'activate'), (%L, 'activate'),
                              (%L, 'add_users'), (%L, 'add_users')$$,
                     :'sb_a1', :'sb_a2', :'sb_a3', :'sb_b1', :'sb_b2'),
              'rule K3: keys that set up a subscription activate it, later keys add users');
SELECT lives_ok(format($$UPDATE key_card SET redeemed_at = now(), subscription_id = %s,
                                redeemed_as = 'renew' WHERE product_key = %L$$, :sb_sub, :'sb_d'),
                'rule K3: a key renews a subscription of its own product');
SELECT throws_ok(format($$UPDATE key_card SET redeemed_at = now(), subscription_id = %s,
                                 redeemed_as = 'add_users' WHERE product_key = %L$$, :mb_sub, :'sb_e'),
                 '23514',
                 format('product key %s is for O365_SMALL_BUSINESS, but subscription %s is O365_MIDSIZE_BUSINESS',
                        :'sb_e', :mb_sub),
                 'rule K3: a direct UPDATE cannot redeem a Small Business key on a Midsize subscription');
SELECT throws_ok(format($$SELECT add_licenses(%s, ARRAY[%L]::product_key[])$$, :mb_sub, :'sb_e'),
                 '23514', NULL,
                 'rule K3: add_licenses refuses a key of another product');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :mb_sub), 40,
          'rule K3: the refused key added no seat');
SELECT ok((SELECT redeemed_at IS NULL AND subscription_id IS NULL FROM key_card WHERE product_key = :'sb_e'),
          'rule K3: the refused key is still unredeemed');
SELECT throws_ok(format($$UPDATE key_card SET redeemed_at = now(), subscription_id = %s,
                                 redeemed_as = 'transfer' WHERE product_key = %L$$, :sb_sub, :'sb_e'),
                 '23514', 'new row for relation "key_card" violates check constraint "key_card_redeemed_as_known"',
                 'rule K3: a key is redeemed only to activate, add users or renew');
SELECT throws_ok(format($$UPDATE key_card SET redeemed_at = now() WHERE product_key = %L$$, :'sb_e'),
                 '23514', 'new row for relation "key_card" violates check constraint "key_card_redemption_complete"',
                 'rule K3: a redemption names its subscription and what the key was used for');
SELECT throws_ok(format($$SELECT add_licenses(%s, ARRAY[%L]::product_key[])$$, :direct_sub, :'sb_e'),
                 '55000', format('subscription %s is billed directly, not by product key', :direct_sub),
                 'rule K3: keys add users only to subscriptions set up with keys');
SELECT throws_ok(format($$INSERT INTO subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on)
                          VALUES (%s, 'O365_SMALL_BUSINESS', 1, 'product_key', current_date + 3650, current_date + 4015);
                          SET CONSTRAINTS ALL IMMEDIATE$$, :direct_tenant),
                 '23514', NULL,
                 'rule K3: a subscription billed by product key with no key that activated it fails at commit');
SELECT throws_ok(format($$UPDATE subscription SET billing = 'product_key' WHERE subscription_id = %s;
                          SET CONSTRAINTS ALL IMMEDIATE$$, :direct_sub),
                 '23514', format('subscription %s is billed by product key but no key activated it', :direct_sub),
                 'rule K3: a direct subscription cannot switch to key billing without a key that activated it');

--------------------------------------------------------------------------
-- rule K5: several keys in one go, all or nothing
--------------------------------------------------------------------------
SELECT count(*) AS tenants_before FROM tenant \gset
SELECT count(*) AS users_before FROM tenant_user \gset
SELECT count(*) AS subs_before FROM subscription \gset

-- the third key was redeemed already: refused only after the tenant and the
-- subscription were made and the first two keys marked
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L, %L, %L]::product_key[],
                          'K5 All Or Nothing', 'FR', 'Alle', 'Oder', 'alle@k5.example')$$,
                        :reseller, :'sb_f1', :'sb_f2', :'sb_a1'),
                 '23505', format('product key %s was already redeemed', :'sb_a1'),
                 'rule K5: a redemption whose third key was redeemed already is refused');
SELECT is((SELECT count(*)::int FROM key_card WHERE product_key IN (:'sb_f1', :'sb_f2') AND redeemed_at IS NOT NULL), 0,
          'rule K5: neither of the first two keys was redeemed');
SELECT is((SELECT count(*)::int FROM tenant), :tenants_before,
          'rule K5: no tenant was created');
SELECT is((SELECT count(*)::int FROM tenant_user), :users_before,
          'rule K5: no admin user was created');
SELECT is((SELECT count(*)::int FROM subscription), :subs_before,
          'rule K5: no subscription was created');

SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L, %L, %L]::product_key[],
                          'K5 All Or Nothing', 'FR', 'Alle', 'Oder', 'alle@k5.example')$$,
                        :reseller, :'sb_f1', :'sb_f2', :'unknown'),
                 '23503', format('product key %s does not exist', :'unknown'),
                 'rule K5: a redemption whose third key does not exist is refused');
SELECT is((SELECT count(*)::int FROM key_card WHERE product_key IN (:'sb_f1', :'sb_f2') AND redeemed_at IS NOT NULL)
          + (SELECT count(*)::int FROM tenant) + (SELECT count(*)::int FROM subscription),
          0 + :tenants_before + :subs_before,
          'rule K5: after the unknown key nothing was redeemed or created');

SELECT throws_ok(format($$SELECT add_licenses(%s, ARRAY[%L, %L, %L]::product_key[])$$,
                        :sb_sub, :'sb_j1', :'sb_j2', :'sb_a1'),
                 '23505', format('product key %s was already redeemed', :'sb_a1'),
                 'rule K5: adding licenses with a redeemed third key is refused');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :sb_sub), 5,
          'rule K5: the refused keys added no seat');
SELECT is((SELECT count(*)::int FROM key_card WHERE product_key IN (:'sb_j1', :'sb_j2') AND redeemed_at IS NOT NULL), 0,
          'rule K5: the first two keys of the refused call are still unredeemed');

SELECT create_customer_subscription(:reseller, ARRAY[:'sb_f1', :'sb_f2']::product_key[],
	'K5 Second Try', 'FR', 'Alle', 'Oder', 'alle@k5.example') AS k5_sub \gset
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :k5_sub), 2,
          'rule K5: the keys of a refused redemption are redeemed again');
SELECT is(add_licenses(:sb_sub, ARRAY[:'sb_j1', :'sb_j2']::product_key[]), 7,
          'rule K5: several keys add their licenses in one go');

--------------------------------------------------------------------------
-- rule K6: a key is redeemed at most once
--------------------------------------------------------------------------
SELECT throws_ok(format($$SELECT create_customer_subscription(%s, ARRAY[%L]::product_key[],
                          'K6 Again', 'FR', 'Otto', 'Again', 'otto@k6.example')$$, :reseller, :'sb_a2'),
                 '23505', format('product key %s was already redeemed', :'sb_a2'),
                 'rule K6: a key that activated a subscription cannot activate another');
SELECT is_empty($$SELECT 1 FROM tenant WHERE organization_name = 'K6 Again'$$,
                'rule K6: the refused activation created no tenant');
SELECT throws_ok(format($$SELECT add_licenses(%s, ARRAY[%L]::product_key[])$$, :k5_sub, :'sb_b2'),
                 '23505', format('product key %s was already redeemed', :'sb_b2'),
                 'rule K6: a key that added users to one subscription cannot add users to another');
SELECT is(add_licenses(:sb_sub, ARRAY[:'sb_c']::product_key[]), 8,
          'rule K6: an unredeemed key is redeemed');
SELECT throws_ok(format($$SELECT add_licenses(%s, ARRAY[%L]::product_key[])$$, :sb_sub, :'sb_c'),
                 '23505', format('product key %s was already redeemed', :'sb_c'),
                 'rule K6: a redeemed key cannot be redeemed again on the same subscription in the same transaction');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :sb_sub), 8,
          'rule K6: redeeming the key again added no seat');
SELECT throws_ok(format($$UPDATE key_card SET redeemed_at = now(), subscription_id = %s
                           WHERE product_key = %L$$, :k5_sub, :'sb_a3'),
                 '23505', format('product key %s was already redeemed', :'sb_a3'),
                 'rule K6: a direct UPDATE cannot re-redeem a redeemed card on another subscription');
SELECT throws_ok(format($$UPDATE key_card SET redeemed_at = NULL, subscription_id = NULL, redeemed_as = NULL
                           WHERE product_key = %L$$, :'sb_a3'),
                 '23505', format('product key %s was already redeemed', :'sb_a3'),
                 'rule K6: a direct UPDATE cannot un-redeem a redeemed card');
SELECT throws_ok(format($$UPDATE key_card SET redeemed_as = 'renew' WHERE product_key = %L$$, :'sb_a3'),
                 '23505', format('product key %s was already redeemed', :'sb_a3'),
                 'rule K6: a redeemed card cannot be redeemed again for another use');
SELECT is((SELECT redeemed_as || ' ' || subscription_id FROM key_card WHERE product_key = :'sb_a3'),
          'activate ' || :sb_sub,
          'rule K6: the card keeps its one redemption');
SELECT throws_ok(format($$DELETE FROM key_card WHERE product_key = %L;
                          INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
                          VALUES (%L, 'O365_SMALL_BUSINESS', 1, %s);
                          SELECT add_licenses(%s, ARRAY[%L]::product_key[])$$,
                        :'sb_b1', :'sb_b1', :reseller, :k5_sub, :'sb_b1'),
                 NULL, NULL,
                 'rule K6: a redeemed key cannot be redeemed a second time by recording its card again');
SELECT is((SELECT seats FROM subscription WHERE subscription_id = :k5_sub), 2,
          'rule K6: the key recorded again added no seat');
SELECT lives_ok(format($$UPDATE key_card SET purchased_on = purchased_on - 1 WHERE product_key = %L$$, :'sb_e'),
                'rule K6: an unredeemed card may still be edited');

--------------------------------------------------------------------------
-- rule K3 at commit: every subscription made above by redeeming keys has its
-- activation key, so the deferred check passes
--------------------------------------------------------------------------
SELECT lives_ok('SET CONSTRAINTS ALL IMMEDIATE',
                'rule K3: subscriptions set up by create_customer_subscription have a key that activated them');
SET CONSTRAINTS ALL DEFERRED;

SELECT * FROM finish();
ROLLBACK;
