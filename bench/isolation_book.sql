/* bench/isolation_book.sql: the book of part 3 of bench/isolation.sh (a partner's expiring subscriptions) */
-- Run as superuser in a database with the extension installed, once for each
-- version; psql variables scale (tenants in all), small and big (the tenants
-- of partners 1 and 2, the two measured), partners (how many others share
-- the rest), login_small and login_big.  Loaded with the rule triggers off
-- (session_replication_role = replica, as a restore does): the rows need not
-- pass the rules, since only reads are measured (no admin users, no key
-- cards behind the subscriptions billed by product key).  Every value comes
-- from the row's number, so each version's database holds the same rows.
SET search_path = por_partner, public;
SET synchronous_commit = off;
SET session_replication_role = replica;

-- partner 1 (small book), partner 2 (big book), 3 .. partners + 2 the rest
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
SELECT (3000000 + i)::text, 'Partner ' || i, true, true, true FROM generate_series(1, :partners + 2) AS i;

-- who created tenant i: j = i * 1000003 mod scale runs over 0 .. scale - 1
-- once each (1000003 is prime), so the two measured books are scattered
-- over the table as customers that came one by one over the years would be
INSERT INTO tenant (tenant_id, organization_name, country_code, agreement, created_by,
                    admin_first_name, admin_last_name, admin_email)
OVERRIDING SYSTEM VALUE
SELECT i, 'Tenant ' || i, 'DE', 'Microsoft Online Subscription Agreement',
       CASE WHEN j < :small THEN 1 WHEN j < :small + :big THEN 2 ELSE 3 + j % :partners END,
       'Admin', 'Person', 'admin' || i || '@tenant.example'
  FROM (SELECT i, (i * 1000003::bigint) % :scale AS j FROM generate_series(1, :scale) AS i) AS g;
SELECT setval(pg_get_serial_sequence('por_partner.tenant', 'tenant_id'), :scale);

-- 1 to 3 subscriptions a tenant, one-year terms whose ends are spread over two
-- years around today; every tenth with its creator as partner of record
INSERT INTO subscription (tenant_id, sku_code, seats, licensed_users, billing, starts_on, expires_on,
                          partner_of_record, agreement)
SELECT t.tenant_id, s.sku_code, 1 + (h & 15)::int, 0,
       CASE WHEN k = 1 THEN 'product_key' ELSE 'direct' END, e - 365, e,
       CASE WHEN h % 10 = 0 THEN t.created_by END, s.agreement
  FROM tenant t
 CROSS JOIN LATERAL generate_series(1, 1 + ((hashint8(t.tenant_id) & 2147483647) % 3)::int) AS k
 CROSS JOIN LATERAL (SELECT hashint8(t.tenant_id * 4 + k) & 2147483647 AS h) AS x
 CROSS JOIN LATERAL (SELECT current_date - 365 + (h % 730)::int AS e) AS y
  JOIN sku s ON s.sku_code = CASE WHEN h % 4 = 0 THEN 'O365_MIDSIZE_BUSINESS' ELSE 'O365_SMALL_BUSINESS' END
 ORDER BY t.tenant_id, k;

-- every tenth tenant has its creator as delegated admin, through an accepted offer
INSERT INTO delegated_admin_offer (partner_id, tenant_id, status, answered_at)
SELECT created_by, tenant_id, 'accepted', now() FROM tenant WHERE tenant_id % 10 = 0 ORDER BY tenant_id;
INSERT INTO delegated_admin (partner_id, tenant_id, offer_id)
SELECT partner_id, tenant_id, offer_id FROM delegated_admin_offer ORDER BY offer_id;

RESET session_replication_role;
INSERT INTO partner_login (login, partner_id) VALUES (:'login_small', 1), (:'login_big', 2);
VACUUM ANALYZE;
