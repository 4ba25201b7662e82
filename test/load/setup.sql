-- test/load/setup.sql: the load test's schema "load", installed next to the
-- extension in the load test's database (run by test/load/run.sh).
--
-- Every call the pgbench clients make goes through one of the try_*()
-- functions below.  Each is one autocommit statement: it calls the
-- extension's function inside a BEGIN ... EXCEPTION block and writes one row
-- of the attempt ledger, load.attempt:
--
--   success  the ledger row (outcome 'ok', with the ids the call returned) is
--            written inside the same block, so it commits in the same
--            transaction as the call's effects: one without the other is
--            impossible, also across a crash (a transaction in flight at the
--            crash loses both);
--   failure  the block's subtransaction is rolled back, which undoes every
--            effect of the call, and the handler then writes the ledger row
--            (outcome = the SQLSTATE) in a statement of its own: the failure
--            is logged, its effects are gone.  pgbench never sees an error,
--            so no client is aborted.
--
-- Deferred constraint triggers (subscription_has_activation_key) are fired
-- inside the block (SET CONSTRAINTS ALL IMMEDIATE), so a refusal at commit
-- would be caught and logged like any other.
--
-- The ledger has no hot row: attempt ids come from a cached sequence, every
-- attempt inserts its own row.  load.done_seq (not cached, so its values are
-- increasing across sessions) is drawn after the call, while the call still
-- holds its locks: calls that change the same subscription (licenses, seats)
-- hold its row lock until they commit, so for them the order of "done" is
-- their commit order, which lets check.sql replay them.
--
-- Each attempt carries its id in what it creates (organization 'Load <id>',
-- users' first name 'a<id>'), so that the check can prove a failed attempt
-- left nothing behind.

CREATE EXTENSION IF NOT EXISTS por_partner CASCADE;
CREATE EXTENSION IF NOT EXISTS amcheck;
CREATE SCHEMA load;

CREATE SEQUENCE load.attempt_seq CACHE 32;	-- unique ids; no ordering needed
CREATE SEQUENCE load.done_seq;				-- CACHE 1: increasing across sessions
CREATE SEQUENCE load.ticket;				-- CACHE 1: neighbouring attempts share keys

CREATE TABLE load.attempt (
	attempt_id bigint PRIMARY KEY,
	kind text NOT NULL,				-- create, add_licenses, renew, add_user, assign, remove, notices
	client int,						-- pgbench :client_id
	args jsonb NOT NULL,			-- what the call was given
	outcome text NOT NULL,			-- 'ok' or the SQLSTATE of the error
	result jsonb,					-- on success: the ids and values the call returned
	done bigint,					-- on success: load.done_seq after the call
	message text,					-- on failure: the error message
	xid bigint NOT NULL DEFAULT txid_current(),	-- the call's transaction (audit_log.transaction_id)
	logged_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- the contended key pool: card n of the pool is load.key('pool', n).  Cards
-- are Small Business (one license), every 10th Midsize Business with 3
-- licenses; partner 1 + (n / 50) % 8 bought them, in blocks of 50.
CREATE TABLE load.pool (
	n bigint PRIMARY KEY,
	product_key por_partner.product_key NOT NULL,
	partner_id bigint NOT NULL,
	sku_code text NOT NULL
);

-- what the pre-fill made, for the pgbench scripts to pick from
CREATE TABLE load.base_sub (	-- subscriptions that get seats and notices
	n int PRIMARY KEY,
	subscription_id bigint NOT NULL,
	tenant_id bigint NOT NULL
);
CREATE TABLE load.hot_sub (		-- small subscriptions near their seat limit
	h int PRIMARY KEY,
	subscription_id bigint NOT NULL,
	tenant_id bigint NOT NULL
);
CREATE TABLE load.hot_user (	-- users 1..N of each hot tenant
	h int NOT NULL,
	u int NOT NULL,
	user_id bigint NOT NULL,
	PRIMARY KEY (h, u)
);

-- the state right after the pre-fill, for the check
CREATE TABLE load.before_key (product_key por_partner.product_key PRIMARY KEY, subscription_id bigint, redeemed_as text);
CREATE TABLE load.before_license (subscription_id bigint, user_id bigint, PRIMARY KEY (subscription_id, user_id));
CREATE TABLE load.before_sub (subscription_id bigint PRIMARY KEY, seats int NOT NULL, starts_on date NOT NULL,
	expires_on date NOT NULL);
CREATE TABLE load.before_tenant (tenant_id bigint PRIMARY KEY);
CREATE TABLE load.before_user (user_id bigint PRIMARY KEY);
CREATE TABLE load.before_notice (notice_id bigint PRIMARY KEY);
CREATE TABLE load.mark (name text PRIMARY KEY, value bigint NOT NULL);	-- audit_id: the pre-fill's last

-- key(kind, i): a deterministic well-formed product key
CREATE FUNCTION load.key(kind text, i bigint) RETURNS por_partner.product_key
LANGUAGE sql IMMUTABLE AS
$$ SELECT left(translate(md5(kind || ':' || i), '0123456789abcdef', 'BCDFGHJKMPQRTVWX'), 25)::por_partner.product_key $$;

-- the keys of pool cards base + off1 and, when nkeys = 2, base + off2, base
-- being the attempt's ticket / 4: about four attempts in a row, on different
-- clients, go after the same four cards.  off1 and off2 are 0-3; off2 = off1
-- is moved to the next card, but when dup is set (a key given twice: 22023)
CREATE FUNCTION load.pick_keys(ticket bigint, off1 int, off2 int, nkeys int, dup boolean,
	OUT keys por_partner.product_key[], OUT partner_id bigint, OUT ns bigint[])
LANGUAGE plpgsql AS $$
BEGIN
	IF off2 = off1 AND NOT dup THEN
		off2 := (off1 + 1) % 4;
	END IF;
	ns := CASE WHEN nkeys = 1 THEN ARRAY[ticket / 4 + off1] ELSE ARRAY[ticket / 4 + off1, ticket / 4 + off2] END;
	SELECT array_agg(p.product_key ORDER BY u.o), (array_agg(p.partner_id ORDER BY u.o))[1]
	  INTO keys, partner_id
	  FROM unnest(ns) WITH ORDINALITY AS u (n, o) JOIN load.pool p ON p.n = u.n;
	IF keys IS NULL OR cardinality(keys) <> cardinality(ns) THEN
		RAISE EXCEPTION 'the key pool is exhausted (ticket %)', ticket;
	END IF;
END $$;

-- create_customer_subscription with 1 or 2 keys of the contended pool; one
-- attempt in 50 in a country where the service is not offered (C2)
CREATE FUNCTION load.try_create(client int, off1 int, off2 int, nkeys int, start_day int, country_pick int,
	dup int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	id bigint := nextval('load.attempt_seq');
	t bigint := nextval('load.ticket');
	k record;
	country text := CASE WHEN country_pick = 1 THEN 'CU' ELSE 'DE' END;
	starts date := current_date - 365 + start_day;
	a jsonb;
	sub bigint;
BEGIN
	k := load.pick_keys(t, off1, off2, nkeys, dup = 1);
	a := jsonb_build_object('ticket', t, 'pool', k.ns, 'keys', k.keys::text[], 'partner_id', k.partner_id,
	                        'organization_name', 'Load ' || id, 'country_code', country,
	                        'admin_email', 'admin' || id || '@load.example', 'starts_on', starts);
	BEGIN
		sub := por_partner.create_customer_subscription(k.partner_id, k.keys, 'Load ' || id, country,
		           'Ada', 'a' || id, 'admin' || id || '@load.example', starts);
		SET CONSTRAINTS ALL IMMEDIATE;
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, result, done)
		VALUES (id, 'create', client, a, 'ok', jsonb_build_object('subscription_id', sub), nextval('load.done_seq'));
	EXCEPTION WHEN OTHERS THEN
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, message)
		VALUES (id, 'create', client, a, SQLSTATE, left(SQLERRM, 200));
	END;
END $$;

-- add_licenses on base subscription n (Small Business or Midsize) with keys
-- of the contended pool, the same pool create_customer_subscription takes from
CREATE FUNCTION load.try_add_licenses(client int, n int, off1 int, off2 int, nkeys int, dup int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	id bigint := nextval('load.attempt_seq');
	t bigint := nextval('load.ticket');
	k record;
	sub bigint := (SELECT b.subscription_id FROM load.base_sub b WHERE b.n = try_add_licenses.n);
	a jsonb;
	seats int;
BEGIN
	k := load.pick_keys(t, off1, off2, nkeys, dup = 1);
	a := jsonb_build_object('ticket', t, 'pool', k.ns, 'keys', k.keys::text[], 'subscription_id', sub);
	BEGIN
		seats := por_partner.add_licenses(sub, k.keys);
		SET CONSTRAINTS ALL IMMEDIATE;
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, result, done)
		VALUES (id, 'add_licenses', client, a, 'ok', jsonb_build_object('seats', seats), nextval('load.done_seq'));
	EXCEPTION WHEN OTHERS THEN
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, message)
		VALUES (id, 'add_licenses', client, a, SQLSTATE, left(SQLERRM, 200));
	END;
END $$;

-- renew_subscription of base subscription n as of today with keys of the
-- contended pool (23514 when they do not cover every seat, rule R3, or are
-- of the other SKU, K3; 23505 when another call got a key first)
CREATE FUNCTION load.try_renew(client int, n int, off1 int, off2 int, nkeys int, dup int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	id bigint := nextval('load.attempt_seq');
	t bigint := nextval('load.ticket');
	k record;
	sub bigint := (SELECT b.subscription_id FROM load.base_sub b WHERE b.n = try_renew.n);
	as_of date := current_date;
	a jsonb;
	new_end date;
BEGIN
	k := load.pick_keys(t, off1, off2, nkeys, dup = 1);
	a := jsonb_build_object('ticket', t, 'pool', k.ns, 'keys', k.keys::text[], 'subscription_id', sub, 'as_of', as_of);
	BEGIN
		new_end := por_partner.renew_subscription(sub, k.keys, as_of);
		SET CONSTRAINTS ALL IMMEDIATE;
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, result, done)
		VALUES (id, 'renew', client, a, 'ok', jsonb_build_object('expires_on', new_end), nextval('load.done_seq'));
	EXCEPTION WHEN OTHERS THEN
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, message)
		VALUES (id, 'renew', client, a, SQLSTATE, left(SQLERRM, 200));
	END;
END $$;

-- add_user on hot tenant h, e-mail user<e>@hot<h>.example (the first users
-- exist from the pre-fill, and e-mails repeat: 23505), licensed on the tenant's hot subscription when
-- licensed = 1 (no free seat: 23514)
CREATE FUNCTION load.try_add_user(client int, h int, e int, licensed int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	id bigint := nextval('load.attempt_seq');
	hs load.hot_sub;
	email text := 'user' || e || '@hot' || h || '.example';
	sub bigint;
	a jsonb;
	new_user bigint;
BEGIN
	SELECT * INTO hs FROM load.hot_sub WHERE hot_sub.h = try_add_user.h;
	sub := CASE WHEN licensed = 1 THEN hs.subscription_id END;
	a := jsonb_build_object('tenant_id', hs.tenant_id, 'email', email, 'first_name', 'a' || id, 'subscription_id', sub);
	BEGIN
		new_user := por_partner.add_user(hs.tenant_id, 'a' || id, 'Load', email, sub);
		SET CONSTRAINTS ALL IMMEDIATE;
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, result, done)
		VALUES (id, 'add_user', client, a, 'ok', jsonb_build_object('user_id', new_user), nextval('load.done_seq'));
	EXCEPTION WHEN OTHERS THEN
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, message)
		VALUES (id, 'add_user', client, a, SQLSTATE, left(SQLERRM, 200));
	END;
END $$;

-- assign_license / remove_license: user u of hot tenant h on its hot
-- subscription (full: 23514; already licensed: 23505; none to remove: 55000).
-- With any_user = 1, remove takes a user licensed on it now (other than the
-- admin), picked at random, so that the seats add_user filled free up too
-- (and two clients picking the same one race: 55000 for the second)
CREATE FUNCTION load.try_license(client int, op text, h int, u int, any_user int DEFAULT 0)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	id bigint := nextval('load.attempt_seq');
	sub bigint := (SELECT s.subscription_id FROM load.hot_sub s WHERE s.h = try_license.h);
	usr bigint := (SELECT x.user_id FROM load.hot_user x WHERE x.h = try_license.h AND x.u = try_license.u);
	a jsonb;
BEGIN
	IF any_user = 1 THEN
		usr := coalesce((SELECT l.user_id FROM por_partner.license l
		                   JOIN por_partner.tenant_user tu ON tu.user_id = l.user_id
		                  WHERE l.subscription_id = sub AND tu.admin_role IS NULL
		                  ORDER BY random() LIMIT 1), usr);
	END IF;
	a := jsonb_build_object('subscription_id', sub, 'user_id', usr);
	BEGIN
		IF op = 'assign' THEN
			PERFORM por_partner.assign_license(sub, usr);
		ELSE
			PERFORM por_partner.remove_license(sub, usr);
		END IF;
		SET CONSTRAINTS ALL IMMEDIATE;
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, result, done)
		VALUES (id, op, client, a, 'ok', '{}', nextval('load.done_seq'));
	EXCEPTION WHEN OTHERS THEN
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, message)
		VALUES (id, op, client, a, SQLSTATE, left(SQLERRM, 200));
	END;
END $$;

-- send_renewal_notices as of today + day (several clients at once, on the
-- same and on different days)
CREATE FUNCTION load.try_notices(client int, day int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	id bigint := nextval('load.attempt_seq');
	as_of date := current_date + day;
	a jsonb := jsonb_build_object('as_of', as_of);
	ids bigint[];
BEGIN
	BEGIN
		SELECT coalesce(array_agg(n.notice_id ORDER BY n.notice_id), '{}') INTO ids
		  FROM por_partner.send_renewal_notices(as_of) AS n;
		SET CONSTRAINTS ALL IMMEDIATE;
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, result, done)
		VALUES (id, 'notices', client, a, 'ok', jsonb_build_object('notice_ids', ids), nextval('load.done_seq'));
	EXCEPTION WHEN OTHERS THEN
		INSERT INTO load.attempt (attempt_id, kind, client, args, outcome, message)
		VALUES (id, 'notices', client, a, SQLSTATE, left(SQLERRM, 200));
	END;
END $$;
