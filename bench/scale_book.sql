/* bench/scale_book.sql: the book of bench/scale.sh: partners, tenants, users, subscriptions, licenses, delegated admins */
-- Run as superuser in a database with the extension and bench/scale_lib.sql;
-- psql variables tenants, others (the partners that share the tenants of no
-- measured partner), small and big (the tenants partners 1 and 2 set up),
-- hist (history terms a tenant: 9 for ten years of subscriptions, 1 for one)
-- and today (the day the book is as of).  Every value comes from the row's
-- number, so two loads with the same variables hold the same rows.
--
-- Loaded as a restore loads: triggers off (session_replication_role =
-- replica), indexes built after the rows; the rows keep the rules:
--   * a tenant's terms never overlap (one paid path, rule R3/R4), one-year
--     terms; 90% of tenants are customers today, their current term ending
--     in the coming two years (so that every day has notices due), the term
--     before it having ended a year before the current one began; 10% left:
--     their last term ended in the past two years.  The other terms (hist -
--     1 of them) ended years ago, a year apart.
--   * only a term that ended less than 120 days ago, or on the 120th day
--     (deprovisioned today, not yet purged), still holds data: its licenses
--     (licensed_users counts them: one for each of the tenant's users), and
--     the tenant its users; every other term is deprovisioned and purged,
--     licensed_users 0; a tenant whose last term ended before that has no
--     users left.
--   * a third of the subscriptions have a partner of record: the tenant's
--     creator, or for some tenants another partner (partners 1 and 2 are
--     partner of record on other partners' customers, other partners on
--     theirs); a tenth of the tenants have their creator as delegated admin,
--     and some other partners' customers partner 1 or 2, through an accepted
--     offer.
SET search_path = por_partner, public;
SET synchronous_commit = off;
SET work_mem = '512MB';
SET maintenance_work_mem = '2GB';

-- partners: 1 (small book), 2 (big book), 3 .. others + 2 (the rest of the
-- tenants), others + 3 (the login of the create_customer_subscription runs,
-- no tenants at first); every one a reseller, an authorized subscription
-- advisor and enrolled in Cloud Essentials
INSERT INTO partner (partner_id, mpn_id, name, reseller, subscription_advisor, cloud_essentials)
OVERRIDING SYSTEM VALUE
SELECT i, (3000000 + i)::text, 'Partner ' || i, true, true, true FROM generate_series(1, :others + 3) AS i;
SELECT setval(pg_get_serial_sequence('por_partner.partner', 'partner_id'), :others + 3);

CALL public.bench_drop_indexes(ARRAY['por_partner.tenant', 'por_partner.tenant_user', 'por_partner.subscription',
	'por_partner.license', 'por_partner.delegated_admin_offer', 'por_partner.delegated_admin']::regclass[]);

SET session_replication_role = replica;

-- one row a tenant: who set it up, who is partner of record and delegated
-- admin, when its last term ends, how many users it has.  j = i * 1000003
-- mod tenants runs over 0 .. tenants - 1 once each (1000003 is prime), so
-- each measured book is scattered over the table as customers that came one
-- by one over the years would be.
CREATE UNLOGGED TABLE public.bench_tenant AS
SELECT i, j, h, creator,
       CASE WHEN j >= a AND j < a + :small / 10 THEN 1
            WHEN j >= a + :small / 10 AND j < b THEN 2
            WHEN creator <= 2 AND j % 10 = 5 THEN 3 + j % :others
            ELSE creator END AS por_partner,
       CASE WHEN j >= b AND j < b + :small / 10 THEN 1
            WHEN j >= b + :small / 10 AND j < b + :small / 10 + :big / 10 THEN 2
            WHEN i % 10 = 0 THEN creator END AS da_partner,
       CASE WHEN (h / 730) % 10 = 0 THEN date :'today' - (h % 730)::int
            ELSE date :'today' + 1 + (h % 730)::int END AS last_end,
       1 + ((h / 7300) % 3)::int AS users
  FROM (SELECT i, j, h, :small + :big AS a, :small + :big + :small / 10 + :big / 10 AS b,
               CASE WHEN j < :small THEN 1 WHEN j < :small + :big THEN 2 ELSE 3 + j % :others END AS creator
          FROM (SELECT i, (i * 1000003::bigint) % :tenants AS j, hashint8(i) & 2147483647 AS h
                  FROM generate_series(1, :tenants) AS i) AS g) AS g;
ALTER TABLE public.bench_tenant ADD PRIMARY KEY (i);
ANALYZE public.bench_tenant;

INSERT INTO tenant (tenant_id, organization_name, country_code, agreement, created_by, created_at,
                    admin_first_name, admin_last_name, admin_email)
OVERRIDING SYSTEM VALUE
SELECT b.i, 'Tenant ' || b.i, 'DE', 'Microsoft Online Subscription Agreement', b.creator,
       (b.last_end - 365 * (:hist + 2)) + time '09:00', 'Admin', 'Person', 'admin' || b.i || '@tenant.example'
  FROM public.bench_tenant b ORDER BY b.i;
SELECT setval(pg_get_serial_sequence('por_partner.tenant', 'tenant_id'), :tenants);

-- the users of the tenants that still hold data: the admin first (global
-- admin, the tenant's admin e-mail), user_id = 3 * (tenant - 1) + n
INSERT INTO tenant_user (user_id, tenant_id, first_name, last_name, email, admin_role)
OVERRIDING SYSTEM VALUE
SELECT 3 * (b.i - 1) + n, b.i, CASE WHEN n = 1 THEN 'Admin' ELSE 'User' END, 'Person',
       CASE WHEN n = 1 THEN 'admin' || b.i || '@tenant.example' ELSE 'user' || n || '.' || b.i || '@tenant.example' END,
       CASE WHEN n = 1 THEN 'global_admin' END
  FROM public.bench_tenant b, generate_series(1, b.users) AS n
 WHERE b.last_end >= date :'today' - 120
 ORDER BY b.i, n;
SELECT setval(pg_get_serial_sequence('por_partner.tenant_user', 'user_id'), 3 * :tenants);

-- the subscriptions, oldest terms first: term k (0 the last) of tenant i is
-- subscription (hist - k) * tenants + i; it ends on last_end for k = 0,
-- last_end - 365 * (k + 1) before.  One statement a term.
SELECT format($q$
INSERT INTO por_partner.subscription (subscription_id, tenant_id, sku_code, seats, licensed_users, billing,
                                      starts_on, expires_on, partner_of_record, agreement, created_at)
OVERRIDING SYSTEM VALUE
SELECT sid, b.i, sk.sku_code, b.users + (hashint8(sid) & 3)::int,
       CASE WHEN e >= date %3$L - 120 THEN b.users ELSE 0 END, 'direct', e - 365, e,
       CASE WHEN (hashint8(sid) & 2147483647) %% 3 = 0 THEN b.por_partner END, sk.agreement, (e - 365) + time '10:00'
  FROM public.bench_tenant b
 CROSS JOIN LATERAL (SELECT (%1$s - %2$s)::bigint * %4$s + b.i AS sid,
                            b.last_end - CASE WHEN %2$s = 0 THEN 0 ELSE 365 * (%2$s + 1) END AS e) AS x
  JOIN por_partner.sku sk ON sk.sku_code = CASE WHEN (b.i + %2$s) %% 4 = 0 THEN 'O365_MIDSIZE_BUSINESS' ELSE 'O365_SMALL_BUSINESS' END
 ORDER BY b.i
$q$, :hist, k, :'today', :tenants)
  FROM generate_series(:hist, 0, -1) AS k \gexec
SELECT setval(pg_get_serial_sequence('por_partner.subscription', 'subscription_id'), (:hist + 1)::bigint * :tenants);

ANALYZE por_partner.subscription;

-- the licenses of the terms that hold data: every user of the tenant
INSERT INTO license (subscription_id, user_id, tenant_id, assigned_at)
SELECT s.subscription_id, 3 * (b.i - 1) + n, b.i, s.created_at
  FROM por_partner.subscription s
  JOIN public.bench_tenant b ON b.i = s.tenant_id
 CROSS JOIN generate_series(1, b.users) AS n
 WHERE s.licensed_users > 0
 ORDER BY s.subscription_id, n;

-- delegated admins, each through an accepted offer (offer_id = tenant)
INSERT INTO delegated_admin_offer (offer_id, partner_id, tenant_id, status, offered_at, answered_at)
OVERRIDING SYSTEM VALUE
SELECT b.i, b.da_partner, b.i, 'accepted', (b.last_end - 700) + time '11:00', (b.last_end - 699) + time '11:00'
  FROM public.bench_tenant b WHERE b.da_partner IS NOT NULL ORDER BY b.i;
SELECT setval(pg_get_serial_sequence('por_partner.delegated_admin_offer', 'offer_id'), :tenants);
INSERT INTO delegated_admin (partner_id, tenant_id, offer_id, granted_at)
SELECT partner_id, tenant_id, offer_id, answered_at FROM delegated_admin_offer ORDER BY offer_id;

RESET session_replication_role;
DROP TABLE public.bench_tenant;
CALL public.bench_restore_indexes(ARRAY['por_partner.tenant', 'por_partner.tenant_user', 'por_partner.subscription',
	'por_partner.license', 'por_partner.delegated_admin_offer', 'por_partner.delegated_admin']::regclass[]);
VACUUM (FREEZE, ANALYZE);
