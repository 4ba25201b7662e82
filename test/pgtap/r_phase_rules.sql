-- rules R5, R6: what each phase allows.  Expired (days 0-29): everything,
-- users keep working; disabled (30-119): no license assignment, so no newly
-- licensed user; deprovisioned (120 on): nothing changes but licenses going.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(19);

INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
VALUES ('740001', 'Phase Partner', true, true, true);
SELECT partner_id AS pp FROM partner WHERE mpn_id = '740001' \gset
INSERT INTO key_card (product_key, sku_code, licenses, partner_id)
SELECT k::product_key, 'O365_SMALL_BUSINESS', 1, :pp
  FROM unnest(ARRAY['RRRRR-RRRRR-RRRRR-RRRRR-RRRR2', 'RRRRR-RRRRR-RRRRR-RRRRR-RRRR3',
                    'RRRRR-RRRRR-RRRRR-RRRRR-RRRR4', 'RRRRR-RRRRR-RRRRR-RRRRR-RRRR6',
                    'RRRRR-RRRRR-RRRRR-RRRRR-RRRR7', 'RRRRR-RRRRR-RRRRR-RRRRR-RRRR8',
                    'RRRRR-RRRRR-RRRRR-RRRRR-RRRR9', 'RRRRR-RRRRR-RRRRR-RRRRR-RRRRB']) AS k;

-- three customers brought in with terms that ended 10, 40 and 130 days ago
SELECT create_customer_subscription(:pp, ARRAY['RRRRR-RRRRR-RRRRR-RRRRR-RRRR2', 'RRRRR-RRRRR-RRRRR-RRRRR-RRRR6']::product_key[],
	'Grace Ltd', 'DE', 'Gia', 'Grace', 'gia@grace.example', (current_date - 10 - interval '1 year')::date) AS s_exp \gset
SELECT create_customer_subscription(:pp, ARRAY['RRRRR-RRRRR-RRRRR-RRRRR-RRRR3', 'RRRRR-RRRRR-RRRRR-RRRRR-RRRR7']::product_key[],
	'Dormant Ltd', 'DE', 'Dan', 'Dormant', 'dan@dormant.example', (current_date - 40 - interval '1 year')::date) AS s_dis \gset
SELECT create_customer_subscription(:pp, ARRAY['RRRRR-RRRRR-RRRRR-RRRRR-RRRR4']::product_key[],
	'Gone Ltd', 'DE', 'Gus', 'Gone', 'gus@gone.example', (current_date - 130 - interval '1 year')::date) AS s_dep \gset
SELECT tenant_id AS t_exp FROM subscription WHERE subscription_id = :s_exp \gset
SELECT tenant_id AS t_dis FROM subscription WHERE subscription_id = :s_dis \gset

SELECT is(ARRAY(SELECT subscription_phase(s)::text FROM subscription s
                 WHERE subscription_id IN (:s_exp, :s_dis, :s_dep) ORDER BY subscription_id),
          ARRAY['expired', 'disabled', 'deprovisioned'],
          'rules R5, R6: terms that ended 10, 40 and 130 days ago are expired, disabled, deprovisioned');

-- expired: the grace period (R5), everything works
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :s_exp), 1,
          'rule R5: an expired subscription licenses its admin (C3)');
SELECT lives_ok(format($$SELECT por_partner.add_licenses(%s, ARRAY['RRRRR-RRRRR-RRRRR-RRRRR-RRRRB']::por_partner.product_key[])$$, :s_exp),
                'rules K3, R5: seats are added in the 30 days of grace');
SELECT lives_ok(format($$SELECT por_partner.add_user(%s, 'Eve', 'E', 'eve@grace.example', %s)$$, :t_exp, :s_exp),
                'rule R5: a user is added and licensed during the grace period');

-- disabled: no license is assigned (R6), so no newly licensed user
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :s_dis), 0,
          'rule R6: a subscription brought in disabled does not license its admin');
SELECT throws_ok(format($$SELECT por_partner.add_user(%s, 'Dora', 'D', 'dora@dormant.example', %s)$$, :t_dis, :s_dis),
                 '55000', format('subscription %s is disabled', :s_dis),
                 'rule R6: no user is added with a license on a disabled subscription');
SELECT is((SELECT count(*) FROM tenant_user WHERE email = 'dora@dormant.example'), 0::bigint,
          'rule R6: the refused call left no user behind');
SELECT throws_ok(format($$SELECT por_partner.assign_license(%s, u.user_id) FROM por_partner.tenant_user u WHERE u.tenant_id = %s$$, :s_dis, :t_dis),
                 '55000', NULL, 'rule R6: no license is assigned on a disabled subscription');
SELECT throws_ok(format($$INSERT INTO por_partner.license (subscription_id, user_id) SELECT %s, user_id FROM por_partner.tenant_user WHERE tenant_id = %s$$, :s_dis, :t_dis),
                 '55000', NULL, 'rule R6: nor by a direct INSERT');
SELECT throws_ok(format($$SELECT por_partner.add_licenses(%s, ARRAY['RRRRR-RRRRR-RRRRR-RRRRR-RRRR8']::por_partner.product_key[])$$, :s_dis),
                 '55000', format('subscription %s is disabled; seats are not added to it', :s_dis),
                 'rules K3, R5, R6: no seats are added to a disabled subscription (renew it first)');
SELECT is((SELECT redeemed_at FROM key_card WHERE product_key = 'RRRRR-RRRRR-RRRRR-RRRRR-RRRR8'), NULL,
          'rule K5: the refused call redeemed no key');
SELECT throws_ok(format($$UPDATE por_partner.subscription SET seats = seats + 1 WHERE subscription_id = %s$$, :s_dis),
                 '55000', NULL, 'rules K3, R6: nor does a direct UPDATE of the seats');
SELECT lives_ok(format($$SELECT por_partner.set_partner_of_record(%s, '740001')$$, :s_dis),
                'rule R6: a disabled subscription keeps its data and its admins can still change it (its partner of record)');

-- deprovisioned: nothing changes (R6)
SELECT throws_ok(format($$SELECT por_partner.set_partner_of_record(%s, '740001')$$, :s_dep),
                 '55000', format('subscription %s is deprovisioned', :s_dep),
                 'rule R6: a deprovisioned subscription gets no partner of record');
SELECT throws_ok(format($$UPDATE por_partner.subscription SET seats = seats + 1 WHERE subscription_id = %s$$, :s_dep),
                 '55000', NULL, 'rule R6: a direct UPDATE of a deprovisioned subscription is refused');

-- licenses can still go: a subscription backdated past day 120 frees them
SELECT create_customer_subscription(:pp, ARRAY['RRRRR-RRRRR-RRRRR-RRRRR-RRRR9']::product_key[],
	'Late Ltd', 'DE', 'Lou', 'Late', 'lou@late.example') AS s_late \gset
SELECT user_id AS lou FROM tenant_user WHERE email = 'lou@late.example' \gset
UPDATE subscription SET starts_on = current_date - 500, expires_on = current_date - 135 WHERE subscription_id = :s_late;
SELECT is(subscription_phase(s), 'deprovisioned', 'rule R6: the backdated subscription is deprovisioned')
  FROM subscription s WHERE subscription_id = :s_late;
SELECT lives_ok(format($$SELECT por_partner.remove_license(%s, %s)$$, :s_late, :lou),
                'rule R6: a license on a deprovisioned subscription can be removed');
SELECT is((SELECT licensed_users FROM subscription WHERE subscription_id = :s_late), 0,
          'rule R6: and its seat count follows');
SELECT throws_ok(format($$SELECT por_partner.assign_license(%s, %s)$$, :s_late, :lou),
                 '55000', NULL, 'rule R6: but none is assigned again');

SELECT * FROM finish();
ROLLBACK;
