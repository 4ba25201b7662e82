/* bench/scale_plain.sql: row 6 of bench/scale.sh: key cards for a partner's login, and the plain-SQL baseline holding the same book */
-- Run as superuser in a database holding the book; psql variables cards (the
-- keys the rules side, and the two plain sides together, may redeem), partner
-- (the partner the logins act for), login and audit_login (the audited
-- baseline's, bench/plain_function.sql).
-- The baseline is bench/redeem_setup.sql's, copied here (tables,
-- keys, indexes, foreign keys and function as there: the same rows without
-- the rules, no triggers, no checks), and filled with a copy of the book's
-- tenants, users, subscriptions and licenses, so that both sides write into
-- tables of the same size.
SET search_path = por_partner, public;
SET synchronous_commit = off;
SET work_mem = '512MB';
SET maintenance_work_mem = '2GB';

CREATE FUNCTION pg_temp.bench_key(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT left(translate(md5(i::text), '0123456789abcdef', 'BCDFGHJKMPQRTVWX'), 25) $$;

-- the login's partner's key cards, loaded as the book is (triggers off; the
-- rows keep the rules: a reseller's cards, one license a Small Business key)
SET session_replication_role = replica;
INSERT INTO key_card (product_key, sku_code, licenses, partner_id, purchased_on)
SELECT pg_temp.bench_key(i)::product_key, 'O365_SMALL_BUSINESS', 1, :partner, current_date - 30
  FROM generate_series(1, :cards) AS i;
RESET session_replication_role;

-- the plain baseline (bench/redeem_setup.sql)
CREATE SCHEMA plain;
CREATE TABLE plain.tenant (tenant_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organization_name text NOT NULL, country_code char(2) NOT NULL REFERENCES por_partner.country,
	agreement text, created_by bigint REFERENCES por_partner.partner, created_at timestamptz NOT NULL DEFAULT now(),
	admin_first_name text, admin_last_name text, admin_email text);
CREATE TABLE plain.tenant_user (user_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id bigint NOT NULL REFERENCES plain.tenant, first_name text, last_name text, email text NOT NULL,
	admin_role text);
CREATE TABLE plain.subscription (subscription_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id bigint NOT NULL REFERENCES plain.tenant, sku_code text NOT NULL REFERENCES por_partner.sku,
	seats int NOT NULL, licensed_users int NOT NULL DEFAULT 0, billing text NOT NULL, starts_on date NOT NULL,
	expires_on date NOT NULL, partner_of_record bigint, agreement text, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE plain.license (subscription_id bigint REFERENCES plain.subscription, user_id bigint REFERENCES plain.tenant_user,
	tenant_id bigint, assigned_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (subscription_id, user_id));
CREATE TABLE plain.key_card (product_key por_partner.product_key PRIMARY KEY, sku_code text NOT NULL,
	licenses int NOT NULL, partner_id bigint NOT NULL, purchased_on date, redeemed_at timestamptz,
	subscription_id bigint REFERENCES plain.subscription, redeemed_as text);
INSERT INTO plain.key_card SELECT product_key, sku_code, licenses, partner_id, purchased_on FROM key_card;

-- the same book (the copy consistent by construction: foreign keys unchecked)
SET session_replication_role = replica;
INSERT INTO plain.tenant OVERRIDING SYSTEM VALUE
SELECT tenant_id, organization_name, country_code, agreement, created_by, created_at, admin_first_name, admin_last_name, admin_email
  FROM por_partner.tenant ORDER BY tenant_id;
INSERT INTO plain.tenant_user OVERRIDING SYSTEM VALUE
SELECT user_id, tenant_id, first_name, last_name, email, admin_role FROM por_partner.tenant_user ORDER BY user_id;
INSERT INTO plain.subscription OVERRIDING SYSTEM VALUE
SELECT subscription_id, tenant_id, sku_code, seats, licensed_users, billing, starts_on, expires_on, partner_of_record, agreement, created_at
  FROM por_partner.subscription ORDER BY subscription_id;
INSERT INTO plain.license SELECT subscription_id, user_id, tenant_id, assigned_at FROM por_partner.license ORDER BY subscription_id, user_id;
RESET session_replication_role;
SELECT setval(pg_get_serial_sequence('plain.tenant', 'tenant_id'), (SELECT max(tenant_id) FROM plain.tenant)),
       setval(pg_get_serial_sequence('plain.tenant_user', 'user_id'), (SELECT max(user_id) FROM plain.tenant_user)),
       setval(pg_get_serial_sequence('plain.subscription', 'subscription_id'), (SELECT max(subscription_id) FROM plain.subscription));
CREATE UNIQUE INDEX ON plain.tenant_user (tenant_id, lower(email));
CREATE INDEX ON plain.subscription (tenant_id);
CREATE INDEX ON plain.license (user_id);
CREATE INDEX ON plain.key_card (subscription_id);

\ir plain_function.sql

-- the keys each side redeems, in order: a queue a side, taken by nextval;
-- both sides run as the partner's login
CREATE TABLE public.queue_rules (id bigint PRIMARY KEY, partner_id bigint, product_key por_partner.product_key);
CREATE TABLE public.queue_plain (id bigint PRIMARY KEY, partner_id bigint, product_key por_partner.product_key);
INSERT INTO public.queue_rules SELECT row_number() OVER (), partner_id, product_key
  FROM (SELECT partner_id, product_key FROM key_card ORDER BY md5(product_key::text)) AS k;
INSERT INTO public.queue_plain SELECT id, partner_id, product_key FROM public.queue_rules;
CREATE SEQUENCE public.next_rules;
CREATE SEQUENCE public.next_plain;
GRANT SELECT ON public.queue_rules, public.queue_plain TO :"login";
GRANT USAGE ON SEQUENCE public.next_rules, public.next_plain TO :"login";
GRANT USAGE ON SCHEMA plain TO :"login";
GRANT SELECT ON public.queue_plain TO :"audit_login";
GRANT USAGE ON SEQUENCE public.next_plain TO :"audit_login";
GRANT USAGE ON SCHEMA plain TO :"audit_login";
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA plain TO :"login";
VACUUM ANALYZE por_partner.key_card;
VACUUM ANALYZE plain.tenant, plain.tenant_user, plain.subscription, plain.license, plain.key_card, public.queue_rules, public.queue_plain;
