-- bench/redeem.sh: the book both sides of the benchmark run against (psql
-- variables cards and tenants), and the plain-SQL baseline's tables.
CREATE EXTENSION por_partner CASCADE;
SET search_path = por_partner, public;
SET synchronous_commit = off;

-- 100 partners, resellers and advisors; keys from md5 mapped onto 16 symbols
INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
SELECT (1000000 + i)::text, 'Partner ' || i, true, true, true FROM generate_series(1, 100) AS i;
CREATE FUNCTION pg_temp.bench_key(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT left(translate(md5(i::text), '0123456789abcdef', 'BCDFGHJKMPQRTVWX'), 25) $$;

INSERT INTO key_card (product_key, sku_code, licenses, partner_id, purchased_on)
SELECT pg_temp.bench_key(i)::product_key, 'O365_SMALL_BUSINESS', 1, 1 + i % 100, date '2026-01-01'
  FROM generate_series(1, :cards) AS i;

-- the plain baseline: the same tables and keys, no rule triggers or checks
CREATE SCHEMA plain;
CREATE TABLE plain.tenant (tenant_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organization_name text NOT NULL, country_code char(2) NOT NULL REFERENCES por_partner.country,
	agreement text, created_by bigint REFERENCES por_partner.partner, created_at timestamptz NOT NULL DEFAULT now(),
	admin_first_name text, admin_last_name text, admin_email text);
CREATE TABLE plain.tenant_user (user_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id bigint NOT NULL REFERENCES plain.tenant, first_name text, last_name text, email text NOT NULL,
	admin_role text);
CREATE UNIQUE INDEX ON plain.tenant_user (tenant_id, lower(email));
CREATE TABLE plain.subscription (subscription_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id bigint NOT NULL REFERENCES plain.tenant, sku_code text NOT NULL REFERENCES por_partner.sku,
	seats int NOT NULL, licensed_users int NOT NULL DEFAULT 0, billing text NOT NULL, starts_on date NOT NULL,
	expires_on date NOT NULL, partner_of_record bigint, agreement text, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON plain.subscription (tenant_id);
CREATE TABLE plain.license (subscription_id bigint REFERENCES plain.subscription, user_id bigint REFERENCES plain.tenant_user,
	tenant_id bigint, assigned_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (subscription_id, user_id));
CREATE INDEX ON plain.license (user_id);
CREATE TABLE plain.key_card (product_key por_partner.product_key PRIMARY KEY, sku_code text NOT NULL,
	licenses int NOT NULL, partner_id bigint NOT NULL, purchased_on date, redeemed_at timestamptz,
	subscription_id bigint REFERENCES plain.subscription, redeemed_as text);
CREATE INDEX ON plain.key_card (subscription_id);
INSERT INTO plain.key_card SELECT product_key, sku_code, licenses, partner_id, purchased_on FROM key_card;

\ir plain_function.sql

-- the keys each side redeems, in order: a queue per side, taken by nextval
CREATE TABLE public.queue_rules (id bigint PRIMARY KEY, partner_id bigint, product_key por_partner.product_key);
CREATE TABLE public.queue_plain (id bigint PRIMARY KEY, partner_id bigint, product_key por_partner.product_key);
INSERT INTO public.queue_rules SELECT row_number() OVER (), partner_id, product_key
  FROM (SELECT partner_id, product_key FROM key_card ORDER BY md5(product_key::text)) AS k;
INSERT INTO public.queue_plain SELECT id, partner_id, product_key FROM public.queue_rules;
CREATE SEQUENCE public.next_rules;
CREATE SEQUENCE public.next_plain;
