/* bench/isolation_partner_can.sql: the book of part 2 of bench/isolation.sh (partner_can() as a partner's login) */
-- Run as superuser in a database with the extension installed, once for each
-- version; psql variables tenants and login.  partner_can.sh's model: 1,000
-- Cloud Essentials partners (a tenth service providers too), tenant t
-- administered by partner ((t - 1) % 1000) + 1 through an accepted offer,
-- 10 partner users a partner.  The login acts for partner 1.
SET search_path = por_partner, public;
SET synchronous_commit = off;

INSERT INTO partner (mpn_id, name, cloud_essentials, service_provider, subscription_advisor)
SELECT (2000000 + i)::text, 'Partner ' || i, true, i % 10 = 0, true FROM generate_series(1, 1000) AS i;
INSERT INTO tenant (organization_name, country_code, created_by, admin_first_name, admin_last_name, admin_email)
SELECT 'Tenant ' || i, 'DE', 1 + (i - 1) % 1000, 'Admin', 'Person', 'admin' || i || '@tenant.example'
  FROM generate_series(1, :tenants) AS i;
INSERT INTO delegated_admin_offer (partner_id, tenant_id)
SELECT 1 + (tenant_id - 1) % 1000, tenant_id FROM tenant;
UPDATE delegated_admin_offer SET status = 'accepted', answered_at = now();
INSERT INTO delegated_admin (partner_id, tenant_id, offer_id)
SELECT partner_id, tenant_id, offer_id FROM delegated_admin_offer;
-- user u belongs to partner (u - 1) / 10 + 1
INSERT INTO partner_user (partner_id, email, customer_access)
SELECT 1 + (i - 1) / 10, 'user' || i || '@partner.example',
       CASE i % 3 WHEN 0 THEN 'full' WHEN 1 THEN 'limited' ELSE 'none' END
  FROM generate_series(1, 10000) AS i;
INSERT INTO partner_login (login, partner_id) VALUES (:'login', 1);
VACUUM ANALYZE;
