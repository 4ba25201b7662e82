-- test/load/check.sql: the invariants after a load run (and after a crash and
-- recovery), from the tables themselves and the attempt ledger load.attempt
-- (see setup.sql).  Prints one line per invariant: name|t or f|detail.
--
-- What the ledger gives: a success row commits with its call's effects, a
-- failure row commits without them, an attempt in flight at a crash has
-- neither.  So the tables must be exactly the pre-fill (load.before_*) plus
-- the effects of the successful attempts: every check below compares the two
-- both ways, so it proves the successful calls' effects present AND that
-- nothing else (a failed call's effect, a lost or doubled update) is there.
-- A line whose second field is i instead of t or f is a figure reported, not
-- an invariant.
\set QUIET on
SET search_path = por_partner, load, public;
\pset format unaligned
\pset tuples_only on
\pset fieldsep '|'

CREATE TEMP TABLE chk (n serial, name text, ok boolean, detail text);
CREATE TEMP TABLE ok_attempt AS SELECT * FROM load.attempt WHERE outcome = 'ok';
CREATE TEMP TABLE failed_attempt AS SELECT * FROM load.attempt WHERE outcome <> 'ok';
ANALYZE ok_attempt;
ANALYZE failed_attempt;

-- the keys each successful redemption claims: (key, subscription, redeemed_as)
CREATE TEMP TABLE claim AS
SELECT a.attempt_id, k.key::product_key AS product_key,
       CASE a.kind WHEN 'create' THEN (a.result->>'subscription_id')::bigint
                   ELSE (a.args->>'subscription_id')::bigint END AS subscription_id,
       CASE a.kind WHEN 'create' THEN 'activate' WHEN 'add_licenses' THEN 'add_users' ELSE 'renew' END AS redeemed_as
  FROM ok_attempt a, jsonb_array_elements_text(a.args->'keys') AS k (key)
 WHERE a.kind IN ('create', 'add_licenses', 'renew');

-- the successful renewals of each subscription in commit order (done: they
-- hold its row lock until they commit), with the term each replaced
CREATE TEMP TABLE renewal AS
SELECT x.*,
       -- the term it starts: where the old one ended, or on the day of a
       -- reactivation (disabled, rule R6)
       CASE WHEN subscription_phase(x.old_end, x.as_of) = 'disabled' THEN x.as_of ELSE x.old_end END AS new_start
  FROM (SELECT r.*, coalesce(lag(r.new_end) OVER (PARTITION BY r.subscription_id ORDER BY r.done), b.expires_on) AS old_end
          FROM (SELECT a.attempt_id, (a.args->>'subscription_id')::bigint AS subscription_id, a.done,
                       (a.args->>'as_of')::date AS as_of, (a.result->>'expires_on')::date AS new_end
                  FROM ok_attempt a WHERE a.kind = 'renew') r
          JOIN load.before_sub b USING (subscription_id)) x;
-- every term each subscription had: the pre-fill's, the renewals', the new ones'
CREATE TEMP TABLE term AS
SELECT subscription_id, starts_on, expires_on FROM load.before_sub
UNION SELECT subscription_id, new_start, new_end FROM renewal
UNION SELECT subscription_id, starts_on, expires_on FROM subscription
       WHERE subscription_id NOT IN (SELECT subscription_id FROM load.before_sub);
CREATE INDEX ON claim (product_key);
ANALYZE claim;

---------------------------------------------------------------------------
-- K6: no key redeemed twice
---------------------------------------------------------------------------
INSERT INTO chk (name, ok, detail)
SELECT 'no key redeemed twice (key_card grouped by key; no key claimed by two successful calls)',
       d.n = 0 AND c.n = 0,
       format('%s keys with more than one card row, %s keys claimed by two successful calls, %s keys redeemed during the run',
              d.n, c.n, (SELECT count(*) FROM claim))
  FROM (SELECT count(*) AS n FROM (SELECT product_key FROM key_card GROUP BY product_key HAVING count(*) > 1) x) d,
       (SELECT count(*) AS n FROM (SELECT product_key FROM claim GROUP BY product_key HAVING count(*) > 1) x) c;

-- every redeemed card is one of the pre-fill's or claimed by exactly the
-- successful call that redeemed it, on its subscription, as it redeemed it
-- (and every claimed key is redeemed so): failed calls redeemed nothing
WITH want AS (
	SELECT product_key, subscription_id, redeemed_as FROM load.before_key
	UNION ALL
	SELECT product_key, subscription_id, redeemed_as FROM claim
), have AS (
	SELECT product_key, subscription_id, redeemed_as FROM key_card WHERE redeemed_at IS NOT NULL
), missing AS (SELECT * FROM want EXCEPT ALL SELECT * FROM have),
   extra AS (SELECT * FROM have EXCEPT ALL SELECT * FROM want)
INSERT INTO chk (name, ok, detail)
SELECT 'redeemed key cards = pre-fill + the keys of the successful calls, on their subscriptions',
       (SELECT count(*) FROM missing) = 0 AND (SELECT count(*) FROM extra) = 0,
       format('%s redeemed cards; %s claimed but not redeemed so (e.g. %s), %s redeemed without a successful call (e.g. %s)',
              (SELECT count(*) FROM have), (SELECT count(*) FROM missing),
              coalesce((SELECT product_key::text FROM missing LIMIT 1), '-'),
              (SELECT count(*) FROM extra), coalesce((SELECT product_key::text FROM extra LIMIT 1), '-'));

---------------------------------------------------------------------------
-- seats: each product-key subscription has as many seats as the keys that
-- activated it or added users to it carry (create_customer_subscription,
-- add_licenses; renewals do not change seats and the load renews nothing)
---------------------------------------------------------------------------
-- seats replayed in commit order (done: each call holds the subscription's
-- row lock until it commits): add_licenses adds the licenses of its keys, a
-- renewal sets the seats to the licenses of its keys (rule R3); a group of
-- calls starts at each renewal
CREATE TEMP TABLE seat_replay AS
SELECT r.*, coalesce(lag(r.expected) OVER (PARTITION BY r.subscription_id ORDER BY r.done), r.before_seats) AS prev
  FROM (
SELECT g.*, b.seats AS before_seats, CASE WHEN g.grp = 0 THEN b.seats ELSE 0 END
            + sum(g.licenses) OVER (PARTITION BY g.subscription_id, g.grp ORDER BY g.done) AS expected
  FROM (SELECT e.*, count(*) FILTER (WHERE e.kind = 'renew') OVER (PARTITION BY e.subscription_id ORDER BY e.done) AS grp
          FROM (SELECT a.attempt_id, (a.args->>'subscription_id')::bigint AS subscription_id, a.done, a.kind,
                       (SELECT sum(k.licenses) FROM claim c JOIN key_card k ON k.product_key = c.product_key
                         WHERE c.attempt_id = a.attempt_id) AS licenses,
                       (a.result->>'seats')::int AS returned
                  FROM ok_attempt a WHERE a.kind IN ('add_licenses', 'renew')) AS e) AS g
  JOIN load.before_sub b USING (subscription_id)) AS r;

-- the seats of a term are the licenses of its keys: for a subscription never
-- renewed, its activation and added keys; for a renewed one, the last
-- renewal's keys and those added since (from the replay)
WITH never_renewed AS (
	SELECT s.subscription_id, s.seats, coalesce(sum(k.licenses), 0) AS expected
	  FROM subscription s
	  LEFT JOIN key_card k ON k.subscription_id = s.subscription_id AND k.redeemed_as IN ('activate', 'add_users')
	 WHERE s.billing = 'product_key'
	   AND NOT EXISTS (SELECT 1 FROM key_card r WHERE r.subscription_id = s.subscription_id AND r.redeemed_as = 'renew')
	 GROUP BY s.subscription_id, s.seats
), renewed AS (
	SELECT s.subscription_id, s.seats,
	       (SELECT x.expected FROM seat_replay x WHERE x.subscription_id = s.subscription_id ORDER BY x.done DESC LIMIT 1) AS expected
	  FROM subscription s
	 WHERE s.billing = 'product_key'
	   AND EXISTS (SELECT 1 FROM key_card r WHERE r.subscription_id = s.subscription_id AND r.redeemed_as = 'renew')
), bad AS (
	SELECT * FROM never_renewed WHERE seats <> expected
	UNION ALL SELECT * FROM renewed WHERE seats IS DISTINCT FROM expected
)
INSERT INTO chk (name, ok, detail)
SELECT 'seats of every product-key subscription = licenses of the keys of its term: activation or last renewal, and those added since',
       count(*) = 0,
       format('%s of %s subscriptions differ%s (%s renewed)', count(*),
              (SELECT count(*) FROM subscription WHERE billing = 'product_key'),
              coalesce(' (e.g. subscription ' || min(subscription_id) || ')', ''), (SELECT count(*) FROM renewed))
  FROM bad;

-- the seat counts add_licenses returned replay, and so do the final seats
WITH fin AS (
	SELECT s.subscription_id, s.seats,
	       coalesce((SELECT x.expected FROM seat_replay x WHERE x.subscription_id = s.subscription_id ORDER BY x.done DESC LIMIT 1),
	                b.seats) AS expected
	  FROM subscription s JOIN load.before_sub b USING (subscription_id)
)
INSERT INTO chk (name, ok, detail)
SELECT 'add_licenses and renew_subscription: every returned seat count replays in commit order, and so do the final seats',
       (SELECT count(*) FROM seat_replay WHERE kind = 'add_licenses' AND returned IS DISTINCT FROM expected) = 0
       AND (SELECT count(*) FROM fin WHERE seats <> expected) = 0,
       format('%s successful add_licenses, %s renewals: %s returned counts off, %s subscriptions with other final seats',
              (SELECT count(*) FROM seat_replay WHERE kind = 'add_licenses'), (SELECT count(*) FROM seat_replay WHERE kind = 'renew'),
              (SELECT count(*) FROM seat_replay WHERE kind = 'add_licenses' AND returned IS DISTINCT FROM expected),
              (SELECT count(*) FROM fin WHERE seats <> expected));

-- the terms renew_subscription returned replay: ordered by commit, each
-- renewal's term follows the one it replaced by the SKU's year (or starts on
-- the day of a reactivation), and each subscription ends with the last
WITH bad AS (
	SELECT r.* FROM renewal r
	 WHERE r.new_end IS DISTINCT FROM (r.new_start + interval '1 year')::date
	    OR subscription_phase(r.old_end, r.as_of) = 'deprovisioned'
), fin AS (
	SELECT s.subscription_id, s.starts_on, s.expires_on,
	       coalesce(l.new_start, b.starts_on) AS want_start, coalesce(l.new_end, b.expires_on) AS want_end
	  FROM subscription s JOIN load.before_sub b USING (subscription_id)
	  LEFT JOIN (SELECT DISTINCT ON (subscription_id) * FROM renewal ORDER BY subscription_id, done DESC) l USING (subscription_id)
)
INSERT INTO chk (name, ok, detail)
SELECT 'renew_subscription: every returned term replays in commit order, and each subscription ends with the last',
       (SELECT count(*) FROM bad) = 0
       AND (SELECT count(*) FROM fin WHERE (starts_on, expires_on) IS DISTINCT FROM (want_start, want_end)) = 0,
       format('%s successful renewals of %s subscriptions: %s terms off, %s subscriptions with another final term',
              (SELECT count(*) FROM renewal), (SELECT count(DISTINCT subscription_id) FROM renewal),
              (SELECT count(*) FROM bad),
              (SELECT count(*) FROM fin WHERE (starts_on, expires_on) IS DISTINCT FROM (want_start, want_end)));

---------------------------------------------------------------------------
-- C5: no subscription over its seats, and the count kept is the count
---------------------------------------------------------------------------
WITH c AS (
	SELECT s.subscription_id, s.seats, s.licensed_users, count(l.user_id) AS licenses
	  FROM subscription s LEFT JOIN license l ON l.subscription_id = s.subscription_id
	 GROUP BY s.subscription_id, s.seats, s.licensed_users
)
INSERT INTO chk (name, ok, detail)
SELECT 'no subscription over its seats: licensed_users <= seats and licensed_users = count(license rows)',
       count(*) FILTER (WHERE licensed_users > seats OR licensed_users <> licenses OR licensed_users < 0) = 0,
       format('%s subscriptions: %s over their seats, %s whose licensed_users is not their count of licenses; %s hot subscriptions full at the end',
              count(*), count(*) FILTER (WHERE licensed_users > seats),
              count(*) FILTER (WHERE licensed_users <> licenses),
              (SELECT count(*) FROM c JOIN load.hot_sub h USING (subscription_id) WHERE c.licensed_users = c.seats))
  FROM c;

---------------------------------------------------------------------------
-- R1, P4: no notice sent twice (grouped, not trusting the unique key)
---------------------------------------------------------------------------
INSERT INTO chk (name, ok, detail)
SELECT 'no renewal notice sent twice (grouped by subscription, term, recipient, days_before)',
       d.n = 0,
       format('%s notices, %s sent more than once', (SELECT count(*) FROM renewal_notice), d.n)
  FROM (SELECT count(*) AS n FROM (SELECT 1 FROM renewal_notice
                                    GROUP BY subscription_id, expires_on, recipient, days_before
                                   HAVING count(*) > 1) x) d;

-- every notice is claimed by exactly one successful send, which returned it
-- with its day; no notice without one (failed sends left none)
WITH claimed AS (
	SELECT (x.id)::bigint AS notice_id, (a.args->>'as_of')::date AS as_of, a.attempt_id
	  FROM ok_attempt a, jsonb_array_elements_text(a.result->'notice_ids') AS x (id)
	 WHERE a.kind = 'notices'
), j AS (
	SELECT n.notice_id AS have, c.notice_id AS want, n.sent_on, c.as_of
	  FROM (SELECT * FROM renewal_notice WHERE notice_id NOT IN (SELECT notice_id FROM load.before_notice)) n
	  FULL JOIN claimed c ON c.notice_id = n.notice_id
)
INSERT INTO chk (name, ok, detail)
SELECT 'renewal notices = the ones the successful sends returned, each once, sent on their as_of day',
       count(*) FILTER (WHERE have IS NULL OR want IS NULL OR sent_on <> as_of) = 0
       AND (SELECT count(*) FROM (SELECT notice_id FROM claimed GROUP BY notice_id HAVING count(*) > 1) x) = 0,
       format('%s notices; %s returned but missing, %s without a successful send, %s on another day, %s returned twice',
              count(have), count(*) FILTER (WHERE have IS NULL), count(*) FILTER (WHERE want IS NULL),
              count(*) FILTER (WHERE sent_on <> as_of),
              (SELECT count(*) FROM (SELECT notice_id FROM claimed GROUP BY notice_id HAVING count(*) > 1) x))
  FROM j;

-- R1, P3, P4: each notice is the one due on its day: of the smallest
-- days_before whose send date has come, for a term the subscription had,
-- sent while that term was active, to the customer or the partner of record
WITH n AS (
	SELECT r.*, s.tenant_id AS s_tenant, s.partner_of_record,
	       EXISTS (SELECT 1 FROM term t WHERE t.subscription_id = r.subscription_id AND t.expires_on = r.expires_on
	                  AND r.sent_on >= t.starts_on AND r.sent_on < t.expires_on) AS in_term,
	       (SELECT min(d.days_before) FROM renewal_notice_schedule d WHERE d.days_before >= r.expires_on - r.sent_on) AS due
	  FROM renewal_notice r JOIN subscription s USING (subscription_id)
), bad AS (
	SELECT * FROM n
	 WHERE days_before IS DISTINCT FROM due OR NOT in_term OR tenant_id <> s_tenant
	    OR (recipient = 'partner' AND partner_id IS DISTINCT FROM partner_of_record)
)
INSERT INTO chk (name, ok, detail)
SELECT 'every renewal notice is the one due on its day (rule R1), to the customer or the partner of record',
       (SELECT count(*) FROM bad) = 0,
       format('%s notices (%s to partners), %s not the one due%s', (SELECT count(*) FROM n),
              (SELECT count(*) FROM n WHERE recipient = 'partner'), (SELECT count(*) FROM bad),
              coalesce((SELECT format(' (e.g. notice %s: %s days before %s, sent on %s)', notice_id, days_before, expires_on, sent_on)
                          FROM bad ORDER BY notice_id LIMIT 1), ''));

-- reported, not an invariant: notices recorded (and announced) for a term
-- that a concurrent renewal had already replaced: the send's snapshot still
-- saw the old term, it waited for the renewal's row lock, and committed after
-- it (its done is later: both hold the subscription's row lock to commit)
WITH sender AS (
	SELECT (x.id)::bigint AS notice_id, a.done
	  FROM ok_attempt a, jsonb_array_elements_text(a.result->'notice_ids') AS x (id)
	 WHERE a.kind = 'notices'
), stale AS (
	SELECT n.notice_id FROM renewal_notice n JOIN sender USING (notice_id)
	  JOIN renewal r ON r.subscription_id = n.subscription_id AND r.old_end = n.expires_on
	 WHERE sender.done > r.done
)
INSERT INTO chk (name, ok, detail)
SELECT 'notices recorded after a concurrent renewal had replaced their term (a known race, not an invariant)', NULL,
       format('%s of %s notices of renewed terms', (SELECT count(*) FROM stale),
              (SELECT count(*) FROM renewal_notice n JOIN renewal r ON r.subscription_id = n.subscription_id AND r.old_end = n.expires_on));

---------------------------------------------------------------------------
-- create_customer_subscription: successful calls' customers are there as
-- asked; failed calls' are not
---------------------------------------------------------------------------
WITH a AS (
	SELECT a.*, s.subscription_id AS sub, t.tenant_id, t.organization_name, t.country_code, t.created_by,
	       s.starts_on, s.billing, s.seats,
	       EXISTS (SELECT 1 FROM tenant_user u WHERE u.tenant_id = t.tenant_id AND u.admin_role = 'global_admin'
	                  AND u.email = a.args->>'admin_email') AS admin_there
	  FROM ok_attempt a
	  LEFT JOIN subscription s ON s.subscription_id = (a.result->>'subscription_id')::bigint
	  LEFT JOIN tenant t ON t.tenant_id = s.tenant_id
	 WHERE a.kind = 'create'
)
INSERT INTO chk (name, ok, detail)
SELECT 'create_customer_subscription: every successful call''s tenant, admin and subscription are there as asked',
       count(*) FILTER (WHERE sub IS NULL OR organization_name IS DISTINCT FROM args->>'organization_name'
                          OR country_code IS DISTINCT FROM args->>'country_code'
                          OR created_by IS DISTINCT FROM (args->>'partner_id')::bigint
                          OR starts_on IS DISTINCT FROM (args->>'starts_on')::date
                          OR billing IS DISTINCT FROM 'product_key' OR NOT admin_there) = 0,
       format('%s successful calls, %s not as asked', count(*),
              count(*) FILTER (WHERE sub IS NULL OR organization_name IS DISTINCT FROM args->>'organization_name'
                                 OR country_code IS DISTINCT FROM args->>'country_code'
                                 OR created_by IS DISTINCT FROM (args->>'partner_id')::bigint
                                 OR starts_on IS DISTINCT FROM (args->>'starts_on')::date
                                 OR billing IS DISTINCT FROM 'product_key' OR NOT admin_there))
  FROM a;

WITH want AS (
	SELECT tenant_id FROM load.before_tenant
	UNION ALL
	SELECT s.tenant_id FROM ok_attempt a JOIN subscription s ON s.subscription_id = (a.result->>'subscription_id')::bigint
	 WHERE a.kind = 'create'
), extra AS (SELECT tenant_id FROM tenant EXCEPT ALL SELECT tenant_id FROM want),
   dead AS (SELECT 1 FROM failed_attempt a JOIN tenant t ON t.organization_name = a.args->>'organization_name'
             WHERE a.kind = 'create'),
   subs AS (SELECT subscription_id FROM subscription
            EXCEPT ALL SELECT subscription_id FROM load.before_sub
            EXCEPT ALL SELECT (result->>'subscription_id')::bigint FROM ok_attempt WHERE kind = 'create')
INSERT INTO chk (name, ok, detail)
SELECT 'create_customer_subscription: no tenant or subscription but the pre-fill''s and the successful calls''; none of a failed call',
       (SELECT count(*) FROM extra) = 0 AND (SELECT count(*) FROM dead) = 0 AND (SELECT count(*) FROM subs) = 0,
       format('%s tenants; %s without a successful call, %s named after a failed call (of %s), %s subscriptions without a successful call',
              (SELECT count(*) FROM tenant), (SELECT count(*) FROM extra), (SELECT count(*) FROM dead),
              (SELECT count(*) FROM failed_attempt WHERE kind = 'create'), (SELECT count(*) FROM subs));

---------------------------------------------------------------------------
-- add_user
---------------------------------------------------------------------------
WITH a AS (
	SELECT a.*, u.user_id, u.tenant_id, u.email, u.first_name
	  FROM ok_attempt a LEFT JOIN tenant_user u ON u.user_id = (a.result->>'user_id')::bigint
	 WHERE a.kind = 'add_user'
), want AS (
	SELECT user_id FROM load.before_user
	UNION ALL SELECT (result->>'user_id')::bigint FROM ok_attempt WHERE kind = 'add_user'
	UNION ALL SELECT u.user_id FROM ok_attempt a JOIN subscription s ON s.subscription_id = (a.result->>'subscription_id')::bigint
	            JOIN tenant_user u ON u.tenant_id = s.tenant_id WHERE a.kind = 'create'
), extra AS (SELECT user_id FROM tenant_user EXCEPT ALL SELECT user_id FROM want),
   dead AS (SELECT 1 FROM failed_attempt a JOIN tenant_user u ON u.first_name = a.args->>'first_name'
             WHERE a.kind = 'add_user')
INSERT INTO chk (name, ok, detail)
SELECT 'add_user: every successful call''s user is there as asked; no user of a failed call, none unaccounted for',
       (SELECT count(*) FROM a WHERE user_id IS NULL OR tenant_id IS DISTINCT FROM (args->>'tenant_id')::bigint
                                   OR email IS DISTINCT FROM args->>'email'
                                   OR first_name IS DISTINCT FROM args->>'first_name') = 0
       AND (SELECT count(*) FROM extra) = 0 AND (SELECT count(*) FROM dead) = 0,
       format('%s successful calls, %s not as asked; %s users of failed calls (of %s); %s users unaccounted for',
              (SELECT count(*) FROM a),
              (SELECT count(*) FROM a WHERE user_id IS NULL OR tenant_id IS DISTINCT FROM (args->>'tenant_id')::bigint
                                      OR email IS DISTINCT FROM args->>'email'
                                      OR first_name IS DISTINCT FROM args->>'first_name'),
              (SELECT count(*) FROM dead), (SELECT count(*) FROM failed_attempt WHERE kind = 'add_user'),
              (SELECT count(*) FROM extra));

---------------------------------------------------------------------------
-- licenses: replay the successful assign_license, remove_license and
-- licensed add_user calls of each (subscription, user) in commit order (done:
-- they hold the subscription's row lock until they commit).  Each must have
-- found the license as it should (an assign one absent, a remove one
-- present), and the license table must be exactly the pre-fill's, changed by
-- the last successful call of each pair, plus the admin license of each
-- created subscription (rule C3)
---------------------------------------------------------------------------
CREATE TEMP TABLE license_op AS
SELECT (args->>'subscription_id')::bigint AS subscription_id, (args->>'user_id')::bigint AS user_id, kind, done
  FROM ok_attempt WHERE kind IN ('assign', 'remove')
UNION ALL
SELECT (args->>'subscription_id')::bigint, (result->>'user_id')::bigint, 'assign', done
  FROM ok_attempt WHERE kind = 'add_user' AND args->>'subscription_id' IS NOT NULL;

WITH seq AS (
	SELECT o.*, lag(o.kind) OVER w AS prev,
	       EXISTS (SELECT 1 FROM load.before_license b WHERE b.subscription_id = o.subscription_id AND b.user_id = o.user_id) AS at_start,
	       row_number() OVER (PARTITION BY o.subscription_id, o.user_id ORDER BY o.done DESC) AS from_last
	  FROM license_op o
	WINDOW w AS (PARTITION BY o.subscription_id, o.user_id ORDER BY o.done)
), wrong AS (
	-- an assign must find no license, a remove one
	SELECT * FROM seq
	 WHERE (kind = 'assign' AND (prev = 'assign' OR (prev IS NULL AND at_start)))
	    OR (kind = 'remove' AND (prev = 'remove' OR (prev IS NULL AND NOT at_start)))
), want AS (
	SELECT b.subscription_id, b.user_id FROM load.before_license b
	 WHERE NOT EXISTS (SELECT 1 FROM license_op o WHERE o.subscription_id = b.subscription_id AND o.user_id = b.user_id)
	UNION ALL
	SELECT subscription_id, user_id FROM seq WHERE from_last = 1 AND kind = 'assign'
	UNION ALL
	SELECT s.subscription_id, u.user_id
	  FROM ok_attempt a JOIN subscription s ON s.subscription_id = (a.result->>'subscription_id')::bigint
	  JOIN tenant_user u ON u.tenant_id = s.tenant_id AND u.email = a.args->>'admin_email'
	 WHERE a.kind = 'create'
), have AS (SELECT subscription_id, user_id FROM license),
   missing AS (SELECT * FROM want EXCEPT ALL SELECT * FROM have),
   extra AS (SELECT * FROM have EXCEPT ALL SELECT * FROM want)
INSERT INTO chk (name, ok, detail)
SELECT 'licenses = pre-fill + the successful assign/remove/add_user calls replayed in commit order (+ admins of new subscriptions)',
       (SELECT count(*) FROM wrong) = 0 AND (SELECT count(*) FROM missing) = 0 AND (SELECT count(*) FROM extra) = 0,
       format('%s licenses, %s successful license calls; %s calls out of turn, %s licenses missing, %s licenses unaccounted for',
              (SELECT count(*) FROM have), (SELECT count(*) FROM license_op), (SELECT count(*) FROM wrong),
              (SELECT count(*) FROM missing), (SELECT count(*) FROM extra));

---------------------------------------------------------------------------
-- the audit trail (when this version has one): its rows since the pre-fill
-- are exactly the changes the successful calls made, each in the call's own
-- transaction: a key card redeemed (with its subscription), a subscription
-- created, seats added (with the count returned), a term renewed (with the
-- end returned).  A failed call's
-- transaction (it committed its ledger row) holds no audit row.
---------------------------------------------------------------------------
SELECT to_regclass('por_partner.audit_log') IS NOT NULL AS has_audit \gset
\if :has_audit
WITH want AS (
	SELECT a.xid, 'subscription'::text AS table_name, 'INSERT'::text AS operation,
	       jsonb_build_object('subscription_id', (a.result->>'subscription_id')::bigint) AS row_key, NULL::text AS value
	  FROM ok_attempt a WHERE a.kind = 'create'
	UNION ALL
	SELECT a.xid, 'key_card', 'UPDATE', jsonb_build_object('product_key', c.product_key::text), c.subscription_id::text
	  FROM claim c JOIN ok_attempt a USING (attempt_id)
	UNION ALL
	SELECT a.xid, 'subscription', 'UPDATE', jsonb_build_object('subscription_id', (a.args->>'subscription_id')::bigint),
	       CASE a.kind WHEN 'add_licenses' THEN 'seats ' || (a.result->>'seats')
	            -- a renewal sets the seats to its keys' licenses (rule R3)
	            ELSE concat_ws('; ', CASE WHEN x.expected <> x.prev THEN 'seats ' || x.expected END,
	                           'term ends ' || (a.result->>'expires_on')) END
	  FROM ok_attempt a JOIN seat_replay x USING (attempt_id) WHERE a.kind IN ('add_licenses', 'renew')
), have AS (
	SELECT l.transaction_id AS xid, l.table_name, l.operation, l.row_key,
	       CASE WHEN l.table_name = 'key_card' THEN l.new_row->>'subscription_id'
	            WHEN l.table_name = 'subscription' AND l.operation = 'UPDATE' THEN
	                 concat_ws('; ', CASE WHEN l.new_row->'seats' <> l.old_row->'seats' THEN 'seats ' || (l.new_row->>'seats') END,
	                                 CASE WHEN l.new_row->'expires_on' <> l.old_row->'expires_on' THEN 'term ends ' || (l.new_row->>'expires_on') END)
	       END AS value
	  FROM audit_log l WHERE l.audit_id > coalesce((SELECT value FROM load.mark WHERE name = 'audit_id'), 0)
), missing AS (SELECT * FROM want EXCEPT ALL SELECT * FROM have),
   extra AS (SELECT * FROM have EXCEPT ALL SELECT * FROM want)
INSERT INTO chk (name, ok, detail)
SELECT 'audit log = the changes of the successful calls, each in its call''s transaction; none of a failed call',
       (SELECT count(*) FROM missing) = 0 AND (SELECT count(*) FROM extra) = 0,
       format('%s audit rows since the pre-fill; %s missing, %s not from a successful call (%s in the transaction of a failed one)',
              (SELECT count(*) FROM have), (SELECT count(*) FROM missing), (SELECT count(*) FROM extra),
              (SELECT count(*) FROM extra e WHERE e.xid IN (SELECT xid FROM failed_attempt)));
\else
INSERT INTO chk (name, ok, detail)
VALUES ('audit log = the changes of the successful calls', true, 'skipped: no por_partner.audit_log in this version');
\endif

---------------------------------------------------------------------------
-- the ledger itself: one row per attempt, every failure with a SQLSTATE
---------------------------------------------------------------------------
INSERT INTO chk (name, ok, detail)
SELECT 'ledger: every attempt recorded with an outcome (ok or a SQLSTATE)',
       count(*) FILTER (WHERE outcome !~ '^(ok|[0-9A-Z]{5})$') = 0 AND count(*) > 0,
       format('%s attempts, %s ok, %s failed', count(*), count(*) FILTER (WHERE outcome = 'ok'),
              count(*) FILTER (WHERE outcome <> 'ok'))
  FROM load.attempt;

---------------------------------------------------------------------------
-- amcheck: every B-tree index of the extension and of the ledger agrees with
-- its table (heapallindexed), and every table's heap is sound
---------------------------------------------------------------------------
WITH idx AS (
	SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	  JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
	 WHERE n.nspname IN ('por_partner', 'load') AND am.amname = 'btree' AND c.relpersistence = 'p' AND c.relkind = 'i'
), checked AS (SELECT relname, bt_index_check(oid, true) FROM idx),
   heap AS (
	SELECT c.relname, v.* FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
	       LATERAL verify_heapam(c.oid) AS v
	 WHERE n.nspname IN ('por_partner', 'load') AND c.relkind = 'r'
)
INSERT INTO chk (name, ok, detail)
SELECT 'amcheck: B-tree indexes match their tables (bt_index_check heapallindexed), heaps verify',
       (SELECT count(*) FROM heap) = 0,
       format('%s indexes checked, %s heap problems', (SELECT count(*) FROM checked), (SELECT count(*) FROM heap));

SELECT name, CASE WHEN ok THEN 't' WHEN NOT ok THEN 'f' ELSE 'i' END, detail FROM chk ORDER BY n;
