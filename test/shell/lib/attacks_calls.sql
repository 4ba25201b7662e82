-- Attacks 5 and 6 (test/shell/attacks.sh), the superuser's half: the calls
-- login_p1 makes, for every function of schema por_partner that partners
-- may EXECUTE (has_function_privilege for por_partner_partner; immutable
-- ones aside: they store and read nothing), with its arguments by name.
-- Every argument gets a valid value of P1's own world (the table below, by
-- function and argument name, else by argument name, else by type); then
--   :mode = 'answer' (attack 5): for each id argument (bigint *_id) and key
--     argument (product_key[]), three calls: all valid ("valid"), that one
--     argument another partner's (P2's) object ("other"), that argument an
--     object that does not exist ("absent");
--   :mode = 'limits' (attack 6): for each text argument, one call with 1 MB
--     in it ("big"; 'a' || 1 MB || '@x.example' for e-mail addresses), and
--     one with 101 lines for create_purchase_offer's lines.
-- Each function and argument gets a free key of P1's of its own, for the
-- calls that redeem keys.
-- Output: COPY text lines  id  function  argument  variant  sql  mask
-- (mask: the texts that stand for the varied argument, as a text[], which
-- the login's half replaces with a placeholder before comparing).
\set QUIET on
\ir ../../fixtures/key.sql
CREATE TEMP TABLE w AS
SELECT (SELECT partner_id FROM por_partner.partner WHERE mpn_id = '7710001') AS p1,
       (SELECT partner_id FROM por_partner.partner WHERE mpn_id = '7710002') AS p2,
       (SELECT tenant_id FROM por_partner.tenant WHERE organization_name = 'Northwind Alpha One') AS t1a,
       (SELECT tenant_id FROM por_partner.tenant WHERE organization_name = 'Contoso Gamma One') AS t1c,
       (SELECT tenant_id FROM por_partner.tenant WHERE organization_name = 'Wide World Two') AS t2a,
       (SELECT tenant_id FROM por_partner.tenant WHERE organization_name = 'Proseware Two') AS t2c,
       (SELECT user_id FROM por_partner.tenant_user WHERE email = 'ned@northwind-one.example') AS ned,
       (SELECT user_id FROM por_partner.tenant_user WHERE email = 'una@northwind-one.example') AS una,
       (SELECT user_id FROM por_partner.tenant_user WHERE email = 'wil@wideworld-two.example') AS wil,
       (SELECT user_id FROM por_partner.tenant_user WHERE email = 'wes@wideworld-two.example') AS wes,
       (SELECT partner_user_id FROM por_partner.partner_user WHERE email = 'ga@p1.example') AS ga1,
       (SELECT partner_user_id FROM por_partner.partner_user WHERE email = 'desk@p1.example') AS desk1,
       (SELECT partner_user_id FROM por_partner.partner_user WHERE email = 'ga@p2.example') AS ga2,
       (SELECT partner_user_id FROM por_partner.partner_user WHERE email = 'desk@p2.example') AS desk2,
       (SELECT min(offer_id) FROM por_partner.delegated_admin_offer o JOIN por_partner.partner p USING (partner_id)
         WHERE p.mpn_id = '7710001' AND o.status = 'pending') AS offer1,
       (SELECT min(offer_id) FROM por_partner.delegated_admin_offer o JOIN por_partner.partner p USING (partner_id)
         WHERE p.mpn_id = '7710002' AND o.status = 'pending') AS offer2,
       (SELECT array_agg(product_key::text ORDER BY product_key) FROM por_partner.key_card k
          JOIN por_partner.partner p USING (partner_id) WHERE p.mpn_id = '7710001' AND k.redeemed_at IS NULL) AS free1,
       (SELECT (array_agg(product_key::text ORDER BY product_key))[1] FROM por_partner.key_card k
          JOIN por_partner.partner p USING (partner_id) WHERE p.mpn_id = '7710002' AND k.redeemed_at IS NULL) AS free2,
       pg_temp.key('absent', 1)::text AS absent_key;
ALTER TABLE w ADD COLUMN s1a bigint, ADD COLUMN s1c bigint, ADD COLUMN s2a bigint, ADD COLUMN s2c bigint;
UPDATE w SET s1a = (SELECT min(subscription_id) FROM por_partner.subscription WHERE tenant_id = w.t1a),
             s1c = (SELECT min(subscription_id) FROM por_partner.subscription WHERE tenant_id = w.t1c),
             s2a = (SELECT min(subscription_id) FROM por_partner.subscription WHERE tenant_id = w.t2a),
             s2c = (SELECT min(subscription_id) FROM por_partner.subscription WHERE tenant_id = w.t2c);

-- valid (P1's) and other (P2's) values by function ('*': any) and argument;
-- @KEY@ stands for a free key of P1's, one a call
CREATE TEMP TABLE arg_value (fn text, arg text, valid text, other text);
INSERT INTO arg_value
SELECT v.* FROM w, LATERAL (VALUES
	('*', 'partner_id', w.p1::text, w.p2::text),
	('*', 'tenant_id', w.t1a::text, w.t2a::text),
	('offer_delegated_admin', 'tenant_id', w.t1c::text, w.t2c::text),
	('*', 'subscription_id', w.s1a::text, w.s2a::text),
	-- add_user licenses no one: the 1 MB calls would take S1a's seats
	('add_user', 'subscription_id', 'NULL::bigint', w.s2a::text),
	('renew_subscription', 'subscription_id', w.s1c::text, w.s2c::text),
	-- a new term of a product the customer has: after its current one (R3, R4)
	('create_subscription', 'starts_on', '''2040-01-01''::date', NULL),
	('*', 'user_id', w.ned::text, w.wil::text),
	('remove_license', 'user_id', w.una::text, w.wes::text),
	('*', 'partner_user_id', w.ga1::text, w.ga2::text),
	('update_partner_user', 'partner_user_id', w.desk1::text, w.desk2::text),
	('remove_partner_user', 'partner_user_id', w.desk1::text, w.desk2::text),
	('*', 'acting_partner_user_id', w.ga1::text, w.ga2::text),
	('*', 'offer_id', w.offer1::text, w.offer2::text),
	('*', 'keys', 'ARRAY[@KEY@]::por_partner.product_key[]', format('ARRAY[%L]::por_partner.product_key[]', w.free2)),
	('*', 'organization_name', '''Attack New Org''', NULL),
	('*', 'country_code', '''US''', NULL),
	('*', 'admin_first_name', '''Ann''', NULL),
	('*', 'admin_last_name', '''New''', NULL),
	('*', 'admin_email', '''ann@attack-new.example''', NULL),
	('*', 'first_name', '''Al''', NULL),
	('*', 'last_name', '''New''', NULL),
	('*', 'email', '''al@attack-new.example''', NULL),
	('create_partner_user', 'email', '''new@p1.example''', NULL),
	('update_partner_contact', 'email', '''office@p1.example''', NULL),
	('*', 'message', '''Hello from One''', NULL),
	('*', 'phone', '''+1 555 0111''', NULL),
	('*', 'address', '''1 New Street''', NULL),
	('*', 'sku_code', '''O365_SMALL_BUSINESS''', NULL),
	('*', 'action', '''reset_password''', NULL),
	('*', 'display_name', '''New Person''', NULL),
	('*', 'company_role', 'NULL::text', NULL),
	('*', 'customer_access', '''none''', NULL),
	('*', 'mpn_id', '''7710001''', NULL),
	('*', 'lines', '''[{"sku_code": "O365_SMALL_BUSINESS", "licenses": 5}]''::jsonb', NULL)) AS v (fn, arg, valid, other);

-- the functions and their arguments
CREATE TEMP TABLE fn_arg AS
SELECT p.oid::regprocedure::text AS fn, format('%I.%I', n.nspname, p.proname) AS qualified, p.proname::text AS name,
       a.i, coalesce(p.proargnames[a.i], '$' || a.i) AS arg, a.t AS typ
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
       unnest(p.proargtypes::regtype[]) WITH ORDINALITY AS a (t, i)
 WHERE n.nspname = 'por_partner' AND p.prokind = 'f' AND p.provolatile <> 'i'
   AND has_function_privilege('por_partner_partner', p.oid, 'EXECUTE');
ALTER TABLE fn_arg ADD COLUMN valid text, ADD COLUMN other text, ADD COLUMN absent text, ADD COLUMN big text;
UPDATE fn_arg f SET
	valid = coalesce((SELECT v.valid FROM arg_value v WHERE v.fn = f.name AND v.arg = f.arg),
	                 (SELECT v.valid FROM arg_value v WHERE v.fn = '*' AND v.arg = f.arg),
	                 CASE f.typ WHEN 'boolean'::regtype THEN 'false' WHEN 'integer'::regtype THEN '30'
	                            WHEN 'date'::regtype THEN 'current_date' WHEN 'text'::regtype THEN '''x''' END),
	other = coalesce((SELECT v.other FROM arg_value v WHERE v.fn = f.name AND v.arg = f.arg),
	                 (SELECT v.other FROM arg_value v WHERE v.fn = '*' AND v.arg = f.arg)),
	absent = CASE WHEN f.typ = 'bigint'::regtype THEN '98765432'
	              WHEN f.typ = 'por_partner.product_key[]'::regtype
	              THEN format('ARRAY[%L]::por_partner.product_key[]', (SELECT absent_key FROM w)) END,
	big = CASE WHEN f.typ = 'text'::regtype THEN
	           CASE WHEN f.arg ~ 'email' THEN '(''a'' || repeat(''x'', 1048576) || ''@x.example'')'
	                ELSE 'repeat(''x'', 1048576)' END END;

-- one call: every argument valid but argument i, which is given as value
CREATE FUNCTION pg_temp.call(f text, i bigint, value text, n bigint) RETURNS text LANGUAGE sql AS $$
	SELECT format('SELECT string_agg(t::text, '','') FROM %s(%s) AS t', min(a.qualified),
	              replace(string_agg(CASE WHEN a.i = call.i THEN value ELSE coalesce(a.valid, 'NULL') END, ', ' ORDER BY a.i),
	                      '@KEY@', (SELECT quote_literal(free1[1 + (n - 1) % cardinality(free1)]) FROM w)))
	  FROM fn_arg a WHERE a.fn = f
$$;
-- the texts of a value as an error message may show it: the id, the key and its mask
CREATE FUNCTION pg_temp.mask(value text) RETURNS text[] LANGUAGE sql AS $$
	SELECT CASE WHEN value ~ '^[0-9]+$' THEN ARRAY[value]
	            WHEN value ~ '^ARRAY\[''' THEN ARRAY[k, por_partner.product_key_mask(k::por_partner.product_key)]
	       END
	  FROM (SELECT substring(value FROM '''([^'']+)''') AS k) AS s
$$;

CREATE TEMP TABLE gen (fn text, arg text, variant text, value text, n bigint GENERATED ALWAYS AS IDENTITY);
INSERT INTO gen (fn, arg, variant, value)
SELECT a.fn, a.arg, v.variant, v.value
  FROM fn_arg a,
       LATERAL (VALUES (1, 'valid', a.valid), (2, 'other', a.other), (3, 'absent', a.absent)) AS v (o, variant, value)
 WHERE :'mode' = 'answer'
   AND ((a.typ = 'bigint'::regtype AND a.arg ~ '_id$') OR a.typ = 'por_partner.product_key[]'::regtype)
 UNION ALL
SELECT a.fn, a.arg, 'big', a.big FROM fn_arg a WHERE :'mode' = 'limits' AND a.big IS NOT NULL
 UNION ALL
SELECT a.fn, a.arg, 'lines101',
       '(SELECT jsonb_agg(jsonb_build_object(''sku_code'', ''ATTACK_SKU_'' || i, ''licenses'', 1)) FROM generate_series(1, 101) AS i)'
  FROM fn_arg a WHERE :'mode' = 'limits' AND a.name = 'create_purchase_offer' AND a.arg = 'lines'
 ORDER BY 1, 2, 3;

-- the calls of one function and argument share P1's key (the call shows in
-- the CONTEXT of an error, which is compared)
COPY (SELECT g.n, g.fn, g.arg, g.variant,
             CASE WHEN g.value IS NOT NULL
                  THEN pg_temp.call(g.fn, a.i, g.value, dense_rank() OVER (ORDER BY g.fn, g.arg)) END,
             CASE WHEN g.variant IN ('other', 'absent') THEN pg_temp.mask(g.value) END
        FROM gen g JOIN fn_arg a ON a.fn = g.fn AND a.arg = g.arg ORDER BY g.n) TO STDOUT;
