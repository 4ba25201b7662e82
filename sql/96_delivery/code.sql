/* sql/96_delivery/code.sql: claiming, mailing and marking notices (issue 14; rules R1, P3, P4) */

-- A notice's identity for mail: the Message-ID's local part.  Not the
-- ledger's notice_id: after a failover with asynchronous replication, a
-- notice the old primary recorded (and the mailer mailed) may be lost and
-- recorded again by the next daily job under another notice_id, and a
-- notice_id the old primary used may name another notice on the new one.
-- The key is made of what the ledger holds unique instead, so that the same
-- notice, recorded again, gets the same Message-ID, and two notices never
-- do: a renewal notice is one a subscription, term, recipient and
-- days_before (rules R1, P4); a phase change one a subscription, partner,
-- term and phase (rule P3); any other change notice is named by its
-- subscription, partner, what changed and a digest of the values and the
-- day, so that two notices alike in all of these (saying the same thing on
-- the same day) share one.
CREATE OR REPLACE FUNCTION por_partner_internal.notice_message_key(n @extschema@.renewal_notice) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT format('renewal.%s.%s.%s.%s', n.subscription_id, to_char(n.expires_on, 'YYYYMMDD'), n.recipient, n.days_before)
$$;

COMMENT ON FUNCTION por_partner_internal.notice_message_key(@extschema@.renewal_notice) IS
	'Internal: the renewal notice''s identity for mail (the Message-ID''s local part), from what the ledger holds unique: subscription, term, recipient, days_before; the same when the notice is recorded again after a failover.';

CREATE OR REPLACE FUNCTION por_partner_internal.notice_message_key(n @extschema@.change_notice) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT CASE WHEN n.what = 'phase'
	            THEN format('change.%s.%s.phase.%s.%s', n.subscription_id, n.partner_id,
	                        to_char(n.expires_on, 'YYYYMMDD'), n.new_value)
	            ELSE format('change.%s.%s.%s.%s', n.subscription_id, n.partner_id, n.what,
	                        left(md5(format('%s|%s|%s|%s', quote_nullable(n.old_value), quote_nullable(n.new_value),
	                                        to_char(n.expires_on, 'YYYYMMDD'), to_char(n.changed_on, 'YYYYMMDD'))), 16))
	       END
$$;

COMMENT ON FUNCTION por_partner_internal.notice_message_key(@extschema@.change_notice) IS
	'Internal: the change notice''s identity for mail (the Message-ID''s local part): a phase change by subscription, partner, term and phase (what the ledger holds unique); any other by subscription, partner, what changed and a digest of the values, the term and the day.';

-- Where a partner's mail goes: its contact address, else its first global
-- admin's (rule A1: the company's own administrators).
CREATE OR REPLACE FUNCTION por_partner_internal.partner_address(p @extschema@.partner) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT coalesce(p.email, (SELECT u.email FROM @extschema@.partner_user u
	                           WHERE u.partner_id = p.partner_id AND u.company_role = 'global_admin'
	                           ORDER BY u.partner_user_id LIMIT 1))
$$;

COMMENT ON FUNCTION por_partner_internal.partner_address(@extschema@.partner) IS
	'Internal: the address a partner''s notices are mailed to: its contact e-mail, else its first global admin''s; null when it has neither.';

-- Every notice recorded gets its delivery row, whoever records it (the daily
-- job, a partner's call through the subscription triggers, an operator).
CREATE OR REPLACE FUNCTION por_partner_internal.notice_delivery_add() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF TG_TABLE_NAME = 'renewal_notice' THEN
		INSERT INTO @extschema@.notice_delivery (renewal_notice_id) VALUES (NEW.notice_id);
	ELSE
		INSERT INTO @extschema@.notice_delivery (change_notice_id) VALUES (NEW.notice_id);
	END IF;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.notice_delivery_add() IS
	'Trigger: a notice recorded in renewal_notice or change_notice gets its row of notice_delivery, undelivered and due at once.';

-- The checks of the two marks: the delivery exists and is not delivered.
CREATE OR REPLACE FUNCTION por_partner_internal.lock_undelivered(delivery_id bigint) RETURNS @extschema@.notice_delivery
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	d @extschema@.notice_delivery;
BEGIN
	IF delivery_id IS NULL THEN
		PERFORM por_partner_internal.require_arg(delivery_id, 'delivery_id');
	END IF;
	SELECT * INTO d FROM @extschema@.notice_delivery n WHERE n.delivery_id = lock_undelivered.delivery_id FOR UPDATE;
	IF d.delivery_id IS NULL THEN
		RAISE EXCEPTION 'notice delivery % does not exist', delivery_id
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Pass a delivery_id that por_partner.claim_notices() returned.';
	END IF;
	IF d.delivered_at IS NOT NULL THEN
		RAISE EXCEPTION 'notice delivery % was delivered already', delivery_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('The %s %s was delivered at %s; a delivered notice is never mailed again.',
			                      CASE WHEN d.renewal_notice_id IS NOT NULL THEN 'renewal notice' ELSE 'change notice' END,
			                      coalesce(d.renewal_notice_id, d.change_notice_id), d.delivered_at),
			      HINT = 'Claim notices with por_partner.claim_notices() and mark each in the transaction that claimed it.';
	END IF;
	RETURN d;
END $$;

COMMENT ON FUNCTION por_partner_internal.lock_undelivered(bigint) IS
	'Internal: locks a notice''s delivery row and returns it; 22004 for null, 23503 when there is none, 55000 when it was delivered already.';

-- The mailer's claim: the undelivered notices that are due, locked FOR
-- UPDATE SKIP LOCKED, so that a second mailer skips them, with what a mail
-- needs.  The locks last until the caller's transaction ends: claim, send,
-- mark (notice_delivered or notice_failed) and commit in one transaction,
-- and a mailer that dies before committing leaves the notice undelivered for
-- the next claim.  Only the delivery rows are locked: no subscription,
-- tenant or partner row, so a mailer never holds up a renewal.
CREATE OR REPLACE FUNCTION @extschema@.claim_notices(max_notices int DEFAULT 1)
RETURNS TABLE (delivery_id bigint, ledger text, notice_id bigint, message_key text, attempts int,
               recipient text, to_name text, to_email text, what text, days_before int,
               old_value text, new_value text, recorded_on date,
               subscription_id bigint, tenant_id bigint, organization_name text, sku_code text, sku_name text,
               seats int, billing text, expires_on date,
               partner_id bigint, partner_name text, partner_mpn_id text, partner_email text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF max_notices IS NULL THEN
		PERFORM por_partner_internal.require_arg(max_notices, 'max_notices');
	END IF;
	IF max_notices < 1 OR max_notices > 1000 THEN
		RAISE EXCEPTION 'max_notices must be between 1 and 1000, not %', max_notices
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'A claim locks the notices it returns until the transaction ends.',
			      HINT = 'Claim one notice a transaction (the default), mail it, mark it and commit.';
	END IF;
	RETURN QUERY
	WITH claimed AS MATERIALIZED (
		SELECT d.delivery_id, d.renewal_notice_id, d.change_notice_id, d.attempts, d.next_attempt_at
		  FROM @extschema@.notice_delivery d
		 WHERE d.delivered_at IS NULL AND d.next_attempt_at <= clock_timestamp()
		 ORDER BY d.next_attempt_at, d.delivery_id
		 LIMIT max_notices
		   FOR UPDATE SKIP LOCKED
	)
	SELECT q.delivery_id, q.ledger, q.notice_id, q.message_key, q.attempts, q.recipient, q.to_name, q.to_email,
	       q.what, q.days_before, q.old_value, q.new_value, q.recorded_on, q.subscription_id, q.tenant_id,
	       q.organization_name, q.sku_code, q.sku_name, q.seats, q.billing, q.expires_on,
	       q.partner_id, q.partner_name, q.partner_mpn_id, q.partner_email
	  FROM (
		-- renewal notices: to the customer (its admin), the partner to ask being
		-- its partner of record, else the partner who set it up; or to the
		-- partner of record (rules R1, P4)
		SELECT c.delivery_id, c.next_attempt_at, 'renewal_notice'::text AS ledger, n.notice_id,
		       por_partner_internal.notice_message_key(n) AS message_key, c.attempts, n.recipient,
		       CASE n.recipient WHEN 'customer' THEN t.admin_first_name || ' ' || t.admin_last_name ELSE p.name END AS to_name,
		       CASE n.recipient WHEN 'customer' THEN t.admin_email ELSE por_partner_internal.partner_address(p) END AS to_email,
		       'renewal'::text AS what, n.days_before, NULL::text AS old_value, NULL::text AS new_value,
		       n.sent_on AS recorded_on, s.subscription_id, s.tenant_id, t.organization_name, s.sku_code,
		       k.name AS sku_name, s.seats, s.billing, n.expires_on,
		       p.partner_id, p.name AS partner_name, p.mpn_id AS partner_mpn_id,
		       por_partner_internal.partner_address(p) AS partner_email
		  FROM claimed c
		  JOIN @extschema@.renewal_notice n ON n.notice_id = c.renewal_notice_id
		  JOIN @extschema@.subscription s ON s.subscription_id = n.subscription_id
		  JOIN @extschema@.tenant t ON t.tenant_id = n.tenant_id
		  JOIN @extschema@.sku k ON k.sku_code = s.sku_code
		  LEFT JOIN @extschema@.partner p ON p.partner_id = coalesce(n.partner_id, s.partner_of_record, t.created_by)
		UNION ALL
		-- change notices: to the partner of record (rule P3)
		SELECT c.delivery_id, c.next_attempt_at, 'change_notice', n.notice_id,
		       por_partner_internal.notice_message_key(n), c.attempts, 'partner',
		       p.name, por_partner_internal.partner_address(p),
		       n.what, NULL, n.old_value, n.new_value, n.changed_on, s.subscription_id, s.tenant_id,
		       t.organization_name, s.sku_code, k.name, s.seats, s.billing, n.expires_on,
		       p.partner_id, p.name, p.mpn_id, por_partner_internal.partner_address(p)
		  FROM claimed c
		  JOIN @extschema@.change_notice n ON n.notice_id = c.change_notice_id
		  JOIN @extschema@.subscription s ON s.subscription_id = n.subscription_id
		  JOIN @extschema@.tenant t ON t.tenant_id = n.tenant_id
		  JOIN @extschema@.sku k ON k.sku_code = s.sku_code
		  JOIN @extschema@.partner p ON p.partner_id = n.partner_id
	  ) AS q
	 ORDER BY q.next_attempt_at, q.delivery_id;
END $$;

COMMENT ON FUNCTION @extschema@.claim_notices(int) IS
	'For the mailer: claims up to max_notices (default 1, at most 1000) undelivered notices that are due, of both ledgers (renewal notices, rules R1, P4; change notices, rule P3), locking their delivery rows FOR UPDATE SKIP LOCKED until the transaction ends, and returns what a mail needs: the recipient and address, the customer, the subscription, the term''s expires_on, the partner, and message_key (the Message-ID''s local part, the same if the notice is recorded again after a failover).  Mail each, mark it with notice_delivered() or notice_failed() and commit, in the same transaction.  For operators.';

CREATE OR REPLACE FUNCTION @extschema@.notice_delivered(delivery_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	PERFORM por_partner_internal.lock_undelivered(notice_delivered.delivery_id);
	UPDATE @extschema@.notice_delivery n
	   SET delivered_at = clock_timestamp(), last_attempt_at = clock_timestamp(), attempts = n.attempts + 1
	 WHERE n.delivery_id = notice_delivered.delivery_id;
END $$;

COMMENT ON FUNCTION @extschema@.notice_delivered(bigint) IS
	'For the mailer: marks a claimed notice delivered (the SMTP server accepted it), in the transaction that claimed it; it is never claimed again.  22004 for null, 23503 for an unknown delivery, 55000 when delivered already.  For operators.';

CREATE OR REPLACE FUNCTION @extschema@.notice_failed(delivery_id bigint, error text,
	retry_in interval DEFAULT interval '5 minutes')
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	next_at timestamptz;
BEGIN
	IF num_nulls(notice_failed.delivery_id, notice_failed.error, notice_failed.retry_in) > 0 THEN
		PERFORM por_partner_internal.require_arg(notice_failed.delivery_id, 'delivery_id'),
		        por_partner_internal.require_arg(notice_failed.error, 'error'),
		        por_partner_internal.require_arg(notice_failed.retry_in, 'retry_in');
	END IF;
	PERFORM por_partner_internal.require_length(notice_failed.error, 'error', 'message');
	IF btrim(notice_failed.error) = '' THEN
		RAISE EXCEPTION 'argument "error" must not be blank'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'The error is what an operator reads to put the delivery right.',
			      HINT = 'Pass the SMTP server''s reply, or what else kept the notice from being mailed.';
	END IF;
	IF notice_failed.retry_in < interval '0' OR notice_failed.retry_in > interval '30 days' THEN
		RAISE EXCEPTION 'retry_in must be between 0 and 30 days, not %', notice_failed.retry_in
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'The notice is claimed again once retry_in has passed.',
			      HINT = 'Pass an interval such as interval ''5 minutes''; back off as attempts grow.';
	END IF;
	PERFORM por_partner_internal.lock_undelivered(notice_failed.delivery_id);
	next_at := clock_timestamp() + notice_failed.retry_in;
	UPDATE @extschema@.notice_delivery n
	   SET attempts = n.attempts + 1, last_attempt_at = clock_timestamp(), last_error = notice_failed.error,
	       next_attempt_at = next_at
	 WHERE n.delivery_id = notice_failed.delivery_id;
	RETURN next_at;
END $$;

COMMENT ON FUNCTION @extschema@.notice_failed(bigint, text, interval) IS
	'For the mailer: records a failed try of a claimed notice (the SMTP server refused it, no address), in the transaction that claimed it: one more attempt, the error (at most 2000 characters), and the notice is claimed again after retry_in (default 5 minutes, at most 30 days); returns that time.  For operators.';

-- What an operator watches: every notice not mailed yet, with its tries.
CREATE OR REPLACE VIEW @extschema@.undelivered_notices AS
SELECT d.delivery_id,
       CASE WHEN d.renewal_notice_id IS NOT NULL THEN 'renewal_notice' ELSE 'change_notice' END AS ledger,
       coalesce(d.renewal_notice_id, d.change_notice_id) AS notice_id,
       coalesce(r.recipient, 'partner') AS recipient,
       coalesce(r.subscription_id, c.subscription_id) AS subscription_id,
       coalesce(r.tenant_id, c.tenant_id) AS tenant_id,
       coalesce(r.partner_id, c.partner_id) AS partner_id,
       coalesce(c.what, 'renewal') AS what, r.days_before,
       coalesce(r.expires_on, c.expires_on) AS expires_on,
       d.recorded_at, d.attempts, d.last_attempt_at, d.next_attempt_at, d.last_error
  FROM @extschema@.notice_delivery d
  LEFT JOIN @extschema@.renewal_notice r ON r.notice_id = d.renewal_notice_id
  LEFT JOIN @extschema@.change_notice c ON c.notice_id = d.change_notice_id
 WHERE d.delivered_at IS NULL;

COMMENT ON COLUMN @extschema@.undelivered_notices.delivery_id IS
	'The notice''s delivery row (notice_delivery): the id notice_delivered() and notice_failed() take.';

COMMENT ON COLUMN @extschema@.undelivered_notices.ledger IS 'Which ledger holds the notice: renewal_notice or change_notice.';

COMMENT ON COLUMN @extschema@.undelivered_notices.notice_id IS 'The notice''s notice_id in that ledger.';

COMMENT ON COLUMN @extschema@.undelivered_notices.recipient IS 'customer or partner (a change notice always goes to the partner).';

COMMENT ON COLUMN @extschema@.undelivered_notices.subscription_id IS 'The subscription the notice is about.';

COMMENT ON COLUMN @extschema@.undelivered_notices.tenant_id IS 'The customer tenant of that subscription.';

COMMENT ON COLUMN @extschema@.undelivered_notices.partner_id IS 'The partner the notice goes to; null for a renewal notice to the customer.';

COMMENT ON COLUMN @extschema@.undelivered_notices.what IS
	'renewal for a renewal notice; for a change notice what changed: seats, renewed, billing, partner_of_record or phase.';

COMMENT ON COLUMN @extschema@.undelivered_notices.days_before IS
	'For a renewal notice, how many days before expires_on it is due (renewal_notice_schedule); null for a change notice.';

COMMENT ON COLUMN @extschema@.undelivered_notices.expires_on IS 'The term the notice is about: its expires_on, the first day it no longer covers.';

COMMENT ON COLUMN @extschema@.undelivered_notices.recorded_at IS 'When the notice was recorded (timestamptz).';

COMMENT ON COLUMN @extschema@.undelivered_notices.attempts IS 'How many tries the mailer recorded; 0 before the first.';

COMMENT ON COLUMN @extschema@.undelivered_notices.last_attempt_at IS 'When the mailer last recorded a try; null before the first.';

COMMENT ON COLUMN @extschema@.undelivered_notices.next_attempt_at IS
	'When claim_notices() may hand the notice out (again): when it was recorded, then the retry time of the last failure.';

COMMENT ON COLUMN @extschema@.undelivered_notices.last_error IS 'What the last failed try met, at most 2000 characters; null when none failed.';

COMMENT ON VIEW @extschema@.undelivered_notices IS
	'For operators: every notice not mailed yet (renewal notices to customers and partners, change notices to partners), with the mailer''s attempts, the last error and when it tries again.  Notices recorded before 0.4.0 have no delivery state and are not listed.';
