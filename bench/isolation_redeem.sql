/* bench/isolation_redeem.sql: the book of part 1 of bench/isolation.sh (create_customer_subscription as a partner's login) */
-- Run as superuser in a database with the extension installed, once for each
-- version; psql variables cards, tenants and login.  The data is the same
-- whatever the version: redeem_setup.sql's model (100 resellers, keys from
-- md5), except that partner 1, the one the login acts for, bought every
-- second card, so that it has keys enough to redeem for the whole run.
SET search_path = por_partner, public;
SET synchronous_commit = off;

INSERT INTO partner (mpn_id, name, reseller, subscription_advisor, cloud_essentials)
SELECT (1000000 + i)::text, 'Partner ' || i, true, true, true FROM generate_series(1, 100) AS i;
CREATE FUNCTION pg_temp.bench_key(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT left(translate(md5(i::text), '0123456789abcdef', 'BCDFGHJKMPQRTVWX'), 25) $$;

INSERT INTO key_card (product_key, sku_code, licenses, partner_id, purchased_on)
SELECT pg_temp.bench_key(i)::product_key, 'O365_SMALL_BUSINESS', 1,
       CASE WHEN i % 2 = 0 THEN 1 ELSE 2 + i % 99 END, date '2026-01-01'
  FROM generate_series(1, :cards) AS i;

-- the customers already there, through the function (as an operator): 1% of
-- them partner 1's, the rest the other 99 partners'
CREATE TEMP TABLE setup_queue AS
SELECT row_number() OVER (ORDER BY md5(product_key::text)) AS id, partner_id, product_key
  FROM ((SELECT partner_id, product_key FROM key_card WHERE partner_id <> 1
          ORDER BY md5(product_key::text) LIMIT :tenants - :tenants / 100)
        UNION ALL
        (SELECT partner_id, product_key FROM key_card WHERE partner_id = 1
          ORDER BY md5(product_key::text) LIMIT :tenants / 100)) AS k;
SELECT count(create_customer_subscription(q.partner_id, ARRAY[q.product_key],
           'Tenant ' || q.id, 'DE', 'Admin', 'Person', 'admin' || q.id || '@tenant.example'))
       AS tenants_created
  FROM setup_queue q;

-- the keys the login redeems, in order, taken by nextval
CREATE TABLE public.queue (id bigint PRIMARY KEY, product_key por_partner.product_key NOT NULL);
INSERT INTO public.queue
SELECT row_number() OVER (ORDER BY md5(product_key::text)), product_key
  FROM key_card WHERE partner_id = 1 AND redeemed_at IS NULL;
CREATE SEQUENCE public.next_key;
GRANT SELECT ON public.queue TO :"login";
GRANT USAGE ON SEQUENCE public.next_key TO :"login";
INSERT INTO partner_login (login, partner_id) VALUES (:'login', 1);
VACUUM ANALYZE;
