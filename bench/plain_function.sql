-- bench/plain_function.sql: the plain-SQL baseline's create_customer_subscription,
-- the same rows as por_partner's without the rules (bench/redeem_setup.sql,
-- bench/scale_plain.sql include it), and create_customer_subscription_audited,
-- the same statement writing also the audit trail's two rows of a call into
-- por_partner.audit_change as por_partner's trigger writes them: the
-- subscription's INSERT and the key card's UPDATE (bench/scale.sh row 6).  The
-- second measures what the audit trail costs on its own, the floor under any
-- ratio to the plain baseline with the trail on; it is SECURITY DEFINER, as
-- the trail writes its rows (the owner finds the login's partner, which a
-- partner cannot read).  Both are made from one text of the statement.
DO $do$
DECLARE
	args constant text := 'p_partner bigint, p_key por_partner.product_key, p_org text, p_country text, '
	                      'p_first text, p_last text, p_email text';
	writes constant text := $sql$
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
	             redeemed_as = 'activate' WHERE product_key = p_key RETURNING 1)$sql$;
	audit constant text := $sql$,
	who AS (SELECT por_partner.caller()::text AS actor,
	               (SELECT l.partner_id FROM por_partner.partner_login l WHERE l.login = por_partner.caller()) AS partner_id),
	a AS (INSERT INTO por_partner.audit_change (actor, actor_partner_id, table_code, operation, row_key, old_values)
	      SELECT who.actor, who.partner_id, 's', 'I', s.subscription_id::text, NULL FROM s, who
	      UNION ALL
	      SELECT who.actor, who.partner_id, 'k', 'U', p_key::text,
	             '{"redeemed_as": null, "redeemed_at": null, "subscription_id": null}'::jsonb FROM who
	      RETURNING 1)$sql$;
BEGIN
	EXECUTE format($f$CREATE FUNCTION plain.create_customer_subscription(%s) RETURNS bigint
LANGUAGE sql SET search_path = pg_catalog, por_partner, pg_temp AS %L$f$, args,
		writes || $sql$
	SELECT subscription_id FROM l, (SELECT count(*) FROM k) AS kk$sql$);
	EXECUTE format($f$CREATE FUNCTION plain.create_customer_subscription_audited(%s) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, por_partner, pg_temp AS %L$f$, args,
		writes || audit || $sql$
	SELECT subscription_id FROM l, (SELECT count(*) FROM k) AS kk, (SELECT count(*) FROM a) AS aa$sql$);
END
$do$;
