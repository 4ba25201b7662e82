-- Delegated admin, partner of record, trial invitations, purchase offers,
-- partner users (rules D1-D6, P1-P4, A1-A5)
SET search_path = por_partner, public;
\echo
\echo '== Delegated administration: offered by a Cloud Essentials partner, accepted by the customer =='
SELECT partner_id AS northwind FROM partner WHERE mpn_id = '4411223' \gset
SELECT partner_id AS tailspin FROM partner WHERE mpn_id = '5500001' \gset
SELECT tenant_id AS fabrikam_tenant FROM subscription WHERE subscription_id = :fabrikam \gset
SELECT tenant_id AS contoso_tenant FROM subscription WHERE subscription_id = :contoso \gset

SELECT offer_delegated_admin(:northwind, :fabrikam_tenant,
                             'We would like to manage your Microsoft 365 services for you.') AS offer \gset
SELECT is_delegated_admin(:northwind, :fabrikam_tenant) AS "delegated admin while pending";
SELECT accept_delegated_admin_offer(:offer) \gset
SELECT is_delegated_admin(:northwind, :fabrikam_tenant) AS "delegated admin once accepted",
       (SELECT count(*) FROM tenant_user WHERE tenant_id = :fabrikam_tenant) AS "tenant users (unchanged: D4)";
SELECT what, r.sqlstate_ AS sqlstate, r.message
  FROM (VALUES
	('the customer answers again', format('SELECT por_partner.decline_delegated_admin_offer(%s)', :offer)),
	('a partner outside Cloud Essentials offers (D3)',
	 format('SELECT por_partner.offer_delegated_admin(%s, %s)', :tailspin, :contoso_tenant))
  ) AS v(what, stmt), LATERAL pg_temp.attempt(stmt) AS r;

\echo
\echo '== Partner of record, named by Microsoft Partner ID (P1, P2) =='
SELECT set_partner_of_record(:contoso, '4411223') \gset
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message
  FROM pg_temp.attempt(format('SELECT por_partner.set_partner_of_record(%s, ''5500001'')', :contoso)) AS r;
SELECT s.subscription_id, t.organization_name AS customer, p.mpn_id AS "partner of record",
       partner_benefits_active(p.partner_id) AS "benefits active (P3)"
  FROM subscription s JOIN tenant t USING (tenant_id) LEFT JOIN partner p ON p.partner_id = s.partner_of_record
 ORDER BY s.subscription_id;

\echo
\echo '== A trial invitation: one URL, any number of customers, delegated admin included (A4, D5) =='
UPDATE setting SET value = 'https://partners.northwind.example/' WHERE name = 'invitation_url_base';
SELECT create_trial_invitation(:northwind, 'O365_MIDSIZE_BUSINESS', include_delegated_admin => true) AS trial_url \gset
\echo :trial_url
SELECT accept_trial_invitation(:'trial_url', 'Litware Inc.', 'US', 'Sam', 'Lee', 'sam@litware.example') AS litware \gset
SELECT accept_trial_invitation(:'trial_url', 'Proseware Ltd', 'GB', 'Kim', 'Ray', 'kim@proseware.example') AS proseware \gset
SELECT t.organization_name AS customer, s.billing, s.seats, s.starts_on, s.expires_on,
       p.mpn_id AS "partner of record", is_delegated_admin(:northwind, t.tenant_id) AS "delegated admin"
  FROM subscription s JOIN tenant t USING (tenant_id) JOIN partner p ON p.partner_id = s.partner_of_record
 WHERE s.subscription_id IN (:litware, :proseware) ORDER BY s.subscription_id;

\echo
\echo '== A purchase offer: 25 Midsize licenses, bought with 30 (A5) =='
SELECT create_purchase_offer(:northwind, '[{"sku_code": "O365_MIDSIZE_BUSINESS", "licenses": 25}]') AS offer_url \gset
SELECT tenant_id AS litware_tenant FROM subscription WHERE subscription_id = :litware \gset
SELECT array_agg(id) AS bought FROM accept_purchase_offer(:'offer_url', :litware_tenant, licenses => 30) AS id \gset
SELECT t.organization_name AS customer, s.sku_code, s.billing, s.seats, s.starts_on, s.expires_on,
       p.mpn_id AS "partner of record"
  FROM subscription s JOIN tenant t USING (tenant_id) JOIN partner p ON p.partner_id = s.partner_of_record
 WHERE s.subscription_id = ANY (:'bought');
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message
  FROM pg_temp.attempt($$SELECT por_partner.accept_purchase_offer('https://partners.northwind.example/offer/not-a-code', 1)$$) AS r;

\echo
\echo '== Partner users: who may edit the company, and who may do what for which customer (A1-A3) =='
INSERT INTO partner_user (partner_id, email, display_name, company_role, customer_access) VALUES
	(:northwind, 'olga@northwind.example', 'Olga (global admin)', 'global_admin', 'full'),
	(:northwind, 'helpdesk@northwind.example', 'Helpdesk', NULL, 'limited'),
	(:northwind, 'sales@northwind.example', 'Sales', NULL, 'none');
SELECT update_partner_contact(u.partner_user_id, 'office@northwind.example', '+49 30 7654321', 'Unter den Linden 1, Berlin')
  FROM partner_user u WHERE u.email = 'olga@northwind.example' \gset
SELECT r.outcome, r.sqlstate_ AS sqlstate, r.message
  FROM partner_user u,
       pg_temp.attempt(format('SELECT por_partner.update_partner_contact(%s, ''x@y.example'', NULL, NULL)', u.partner_user_id)) AS r
 WHERE u.email = 'helpdesk@northwind.example';
SELECT customer_management_view(:northwind) AS "Northwind's customer page",
       partner_customer_count(:northwind) AS customers;
SELECT u.display_name AS "partner user", t.organization_name AS customer,
       partner_can(u.partner_user_id, t.tenant_id, 'reset_password') AS reset_password,
       partner_can(u.partner_user_id, t.tenant_id, 'manage_subscriptions') AS manage_subscriptions
  FROM partner_user u CROSS JOIN tenant t
 WHERE u.partner_id = :northwind AND t.tenant_id IN (:fabrikam_tenant, :contoso_tenant)
 ORDER BY u.partner_user_id, t.tenant_id;
\echo '(Northwind is delegated admin of Fabrikam, not of Contoso Bank, where it is only partner of record)'
