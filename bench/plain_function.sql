-- bench/plain_function.sql: the plain-SQL baseline's create_customer_subscription,
-- the same rows as por_partner's without the rules (bench/redeem_setup.sql,
-- bench/scale_plain.sql include it)
CREATE FUNCTION plain.create_customer_subscription(p_partner bigint, p_key por_partner.product_key,
	p_org text, p_country text, p_first text, p_last text, p_email text) RETURNS bigint
LANGUAGE sql SET search_path = pg_catalog, por_partner, pg_temp AS $$
	WITH card AS (SELECT sku_code, licenses FROM plain.key_card WHERE product_key = p_key FOR UPDATE),
	t AS (INSERT INTO plain.tenant (organization_name, country_code, agreement, created_by,
	                                admin_first_name, admin_last_name, admin_email)
	      SELECT p_org, p_country, 'Microsoft Online Subscription Agreement', p_partner, p_first, p_last, p_email
	      RETURNING tenant_id),
	u AS (INSERT INTO plain.tenant_user (tenant_id, first_name, last_name, email, admin_role)
	      SELECT tenant_id, p_first, p_last, p_email, 'global_admin' FROM t RETURNING user_id, tenant_id),
	s AS (INSERT INTO plain.subscription (tenant_id, sku_code, seats, licensed_users, billing, starts_on, expires_on, agreement)
	      SELECT t.tenant_id, card.sku_code, card.licenses, 1, 'product_key', current_date,
	             (current_date + interval '1 year')::date, 'Microsoft Online Subscription Agreement'
	        FROM t, card RETURNING subscription_id, tenant_id),
	l AS (INSERT INTO plain.license (subscription_id, user_id, tenant_id)
	      SELECT s.subscription_id, u.user_id, u.tenant_id FROM s, u RETURNING subscription_id),
	k AS (UPDATE plain.key_card SET redeemed_at = now(), subscription_id = (SELECT subscription_id FROM s),
	             redeemed_as = 'activate' WHERE product_key = p_key RETURNING 1)
	SELECT subscription_id FROM l, (SELECT count(*) FROM k) AS kk
$$;
