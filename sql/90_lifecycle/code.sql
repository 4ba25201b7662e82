/* sql/90_lifecycle/code.sql: phases, renewal notices, renewals, the purge, and the BI views (rules R1-R6, P4) */

CREATE OR REPLACE FUNCTION @extschema@.subscription_phase(expires_on date, as_of date DEFAULT current_date)
RETURNS @extschema@.subscription_phase
AS 'MODULE_PATHNAME', 'por_partner_subscription_phase'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.subscription_phase(date, date) IS
	'The phase of a subscription whose term ends on expires_on (the first day it no longer covers), as of a day (default today): active, expired (days 0-29, rule R5), disabled (30-119, rule R6) or deprovisioned (120 on).  Infinite dates: expires_on = infinity is always active, -infinity always deprovisioned.';

CREATE OR REPLACE FUNCTION por_partner_internal.subscription_phase_start(phase @extschema@.subscription_phase)
RETURNS int
AS 'MODULE_PATHNAME', 'por_partner_subscription_phase_start'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION por_partner_internal.subscription_phase_start(@extschema@.subscription_phase) IS
	'Internal: the day, counted from expires_on, on which a subscription enters the phase: 0 expired, 30 disabled, 120 deprovisioned (rules R5, R6); null for active.  The lifecycle''s day counts, from the C code of subscription_phase().';

CREATE OR REPLACE FUNCTION @extschema@.subscription_phase(s @extschema@.subscription, as_of date DEFAULT current_date)
RETURNS @extschema@.subscription_phase
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT @extschema@.subscription_phase(s.expires_on, as_of) $$;

COMMENT ON FUNCTION @extschema@.subscription_phase(@extschema@.subscription, date) IS
	'The phase of a subscription row as of a day (default today): SELECT subscription_phase(s) FROM por_partner.subscription s.';

-- The mailer's wake-up: NOTIFY por_partner_renewal_notice with no data in
-- it (any role may LISTEN on a channel, and NOTIFY on it, so a listener
-- learns only that a ledger has news; the mailer reads the ledgers with
-- operator rights).  Sent at commit, once a transaction however often called.
CREATE OR REPLACE FUNCTION por_partner_internal.wake_mailer() RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.pg_notify('por_partner_renewal_notice', '') $$;

COMMENT ON FUNCTION por_partner_internal.wake_mailer() IS
	'Internal: NOTIFY por_partner_renewal_notice with an empty payload, the wake-up of the mailer when a renewal or change notice is recorded.';

-- The renewal notices due on as_of for the subscriptions whose term ends
-- in [first_expiry, last_expiry] (rules R1, P4): of every partner's when
-- partner is null, else of that partner's book only, so that neither the
-- work done nor the time taken depends on other partners' subscriptions.
-- Work grows with the subscriptions in the range, never with the ledger's
-- history: each candidate's notice is looked up by one probe of the ledger's
-- unique index (the LIMIT keeps the planner from hashing the whole ledger).
CREATE OR REPLACE FUNCTION por_partner_internal.notices_due(as_of date, first_expiry date, last_expiry date, partner bigint)
RETURNS TABLE (subscription_id bigint, tenant_id bigint, recipient text, partner_id bigint,
               days_before int, expires_on date)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	WITH scope AS (
		SELECT s.subscription_id, s.tenant_id, s.expires_on, s.starts_on, s.partner_of_record
		  FROM @extschema@.subscription s
		 WHERE partner IS NULL AND s.expires_on >= first_expiry AND s.expires_on <= last_expiry
		UNION ALL
		-- a partner's: read from its book, customer by customer, the window
		-- applied to those rows only (OFFSET 0 keeps it out of the scan), so
		-- that the work is the partner's book, never every partner's terms
		-- ending in the window (through the expires_on index), whose number
		-- the call's time would tell
		SELECT s.subscription_id, s.tenant_id, s.expires_on, s.starts_on, s.partner_of_record
		  FROM (SELECT DISTINCT b.tenant_id FROM por_partner_internal.partner_book(partner) AS b (tenant_id)
		         WHERE partner IS NOT NULL) AS bk
		 CROSS JOIN LATERAL (SELECT su.subscription_id, su.tenant_id, su.expires_on, su.starts_on, su.partner_of_record
		                       FROM @extschema@.subscription su WHERE su.tenant_id = bk.tenant_id OFFSET 0) AS s
		 WHERE s.expires_on >= first_expiry AND s.expires_on <= last_expiry
	)
	SELECT c.subscription_id, c.tenant_id, w.recipient, w.partner_id, c.days_before, c.expires_on
	  FROM (SELECT s.*, d.days_before
	          FROM scope s
	          -- the latest notice whose send date (expires_on - days_before) has come
	          CROSS JOIN LATERAL (SELECT min(r.days_before) AS days_before FROM @extschema@.renewal_notice_schedule r
	                               WHERE r.days_before >= s.expires_on - as_of) AS d
	         WHERE s.expires_on > as_of AND s.starts_on <= as_of AND d.days_before IS NOT NULL) AS c
	  CROSS JOIN LATERAL (
		SELECT 'customer'::text AS recipient, NULL::bigint AS partner_id
		UNION ALL
		-- the partner of record gets them whether or not its benefits are
		-- active (rule P4; the benefits of P3 are the change notices)
		SELECT 'partner', c.partner_of_record WHERE c.partner_of_record IS NOT NULL
	  ) AS w
	 WHERE (SELECT 1 FROM @extschema@.renewal_notice n
	         WHERE n.subscription_id = c.subscription_id AND n.expires_on = c.expires_on
	           AND n.recipient = w.recipient AND n.days_before = c.days_before LIMIT 1) IS NULL
$$;

COMMENT ON FUNCTION por_partner_internal.notices_due(date, date, date, bigint) IS
	'Internal: the renewal notices due on as_of for the subscriptions whose term ends in [first_expiry, last_expiry], of every partner (partner null) or of one partner''s book (rules R1, P4); one index probe of the ledger a candidate.';

-- The window of terms a day's notices can be for: ending after as_of and at
-- most the schedule's largest days_before later (held to the last date, so
-- that as_of near it is no overflow).
CREATE OR REPLACE FUNCTION por_partner_internal.notice_horizon(as_of date) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT por_partner_internal.date_add_clamped(as_of, coalesce(max(r.days_before), 0))
	  FROM @extschema@.renewal_notice_schedule r
$$;

COMMENT ON FUNCTION por_partner_internal.notice_horizon(date) IS
	'Internal: the last expires_on a renewal notice sent on as_of can be for: as_of plus the schedule''s largest days_before.';

CREATE OR REPLACE FUNCTION @extschema@.renewal_notices_due(as_of date DEFAULT current_date)
RETURNS TABLE (subscription_id bigint, tenant_id bigint, recipient text, partner_id bigint,
               days_before int, expires_on date)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	-- operators and readers: every subscription in the window; a partner:
	-- its customers' only, read from its book
	SELECT d.* FROM por_partner_internal.notices_due(as_of, as_of, por_partner_internal.notice_horizon(as_of),
	                 CASE WHEN @extschema@.caller_reads_all() THEN NULL
	                      ELSE coalesce(@extschema@.caller_partner_id(), -1) END) AS d
$$;

COMMENT ON FUNCTION @extschema@.renewal_notices_due(date) IS
	'The renewal notices due on a day (default today) (rules R1, P4): for every subscription active then, to the customer and to its partner of record (whether or not its benefits are active), the notice of the smallest days_before whose send date has come, unless sent already for this term.  A job that missed days catches up with the latest notice only.  For operators and readers its work grows with the subscriptions whose term ends in the next 60 days (the schedule''s largest days_before), for a partner with its own book, never with the ledger''s history.';

-- Record the notices due on as_of for the terms ending in [first_expiry,
-- last_expiry].  A due subscription another transaction holds locked (a
-- renewal, a switch, a seat change in flight) is skipped, never waited for:
-- its notice goes out on the next run, so that one locked row delays only
-- its own notice.  A renewal committed before the lock is taken is seen
-- (READ COMMITTED rechecks the row), so a customer who just renewed gets no
-- reminder.  ON CONFLICT: a concurrent run that recorded a notice first
-- wins, and this one neither records nor announces it again.
CREATE OR REPLACE FUNCTION por_partner_internal.record_renewal_notices(as_of date, first_expiry date, last_expiry date)
RETURNS SETOF @extschema@.renewal_notice
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	n @extschema@.renewal_notice;
	recorded boolean := false;
BEGIN
	FOR n IN
		INSERT INTO @extschema@.renewal_notice (subscription_id, tenant_id, expires_on, recipient, partner_id,
		                                        days_before, sent_on)
		SELECT d.subscription_id, d.tenant_id, d.expires_on, d.recipient, d.partner_id, d.days_before, as_of
		  FROM por_partner_internal.notices_due(as_of, first_expiry, last_expiry, NULL) AS d
		  JOIN @extschema@.subscription s ON s.subscription_id = d.subscription_id AND s.expires_on = d.expires_on
		 ORDER BY d.subscription_id, d.recipient
		   FOR SHARE OF s SKIP LOCKED
		ON CONFLICT (subscription_id, expires_on, recipient, days_before) DO NOTHING
		RETURNING *
	LOOP
		RETURN NEXT n;
		recorded := true;
	END LOOP;
	IF recorded THEN
		PERFORM por_partner_internal.wake_mailer();
	END IF;
END $$;

COMMENT ON FUNCTION por_partner_internal.record_renewal_notices(date, date, date) IS
	'Internal: records the renewal notices due on as_of for the terms ending in [first_expiry, last_expiry], skipping subscriptions other transactions hold locked, and wakes the mailer at commit (rules R1, P4).';

CREATE OR REPLACE FUNCTION @extschema@.send_renewal_notices(as_of date DEFAULT current_date)
RETURNS SETOF @extschema@.renewal_notice
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		PERFORM por_partner_internal.require_finite_day(as_of, 'as_of', 'Pass the day the notices are sent on, such as current_date.');
	END IF;
	RETURN QUERY SELECT * FROM por_partner_internal.record_renewal_notices(as_of, as_of, por_partner_internal.notice_horizon(as_of));
	-- the day's phase changes, as change notices to partners of record (P3)
	PERFORM count(*) FROM @extschema@.send_phase_notices(as_of);
END $$;

COMMENT ON FUNCTION @extschema@.send_renewal_notices(date) IS
	'Records the renewal notices due on a day (default today) in renewal_notice and returns them, in one transaction; when it recorded any, NOTIFY por_partner_renewal_notice with an empty payload wakes the mailer at commit.  Each notice is recorded once, however often or concurrently it runs (rules R1, P4); a subscription another transaction holds locked is skipped, and its notice goes out on the next run.  It also records the day''s phase changes as change notices (send_phase_notices(), rule P3).  For a large book, CALL run_daily_job() commits in batches.';

-- Renewals (R3-R6)

-- A subscription past day 120 is renewed neither way (rule R6); the phase it
-- is in on the day of the renewal otherwise.
CREATE OR REPLACE FUNCTION por_partner_internal.require_renewable(s @extschema@.subscription, as_of date)
RETURNS @extschema@.subscription_phase
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	phase @extschema@.subscription_phase := @extschema@.subscription_phase(s.expires_on, as_of);
BEGIN
	IF phase = 'deprovisioned' THEN
		RAISE EXCEPTION 'subscription % is deprovisioned and cannot be renewed', s.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than %s days before %s; its data is gone (rule R6).',
			                      s.expires_on, por_partner_internal.subscription_phase_start('deprovisioned'), as_of),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	RETURN phase;
END $$;

COMMENT ON FUNCTION por_partner_internal.require_renewable(@extschema@.subscription, date) IS
	'Internal: raises 55000 when the subscription is deprovisioned on the day (rule R6); else returns its phase then.';
CREATE OR REPLACE FUNCTION @extschema@.renew_subscription(subscription_id bigint, keys @extschema@.product_key[],
	as_of date DEFAULT current_date)
RETURNS date
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp
-- a generic plan for "= ANY (keys)" (lock_key_cards())
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
	s @extschema@.subscription;
	cards record;
	term interval;
	phase @extschema@.subscription_phase;
	new_start date;
	new_end date;
BEGIN
	IF num_nulls(renew_subscription.subscription_id, renew_subscription.as_of) > 0 THEN
		PERFORM por_partner_internal.require_arg(renew_subscription.subscription_id, 'subscription_id'),
		        por_partner_internal.require_arg(renew_subscription.as_of, 'as_of');
	END IF;
	PERFORM por_partner_internal.require_subscription_access(renew_subscription.subscription_id);
	IF renew_subscription.as_of IS NULL OR NOT isfinite(renew_subscription.as_of) THEN
		PERFORM por_partner_internal.require_finite_day(renew_subscription.as_of, 'as_of',
		                                       'Pass the day of the renewal, such as current_date.');
	END IF;
	s := por_partner_internal.lock_subscription(renew_subscription.subscription_id);
	PERFORM por_partner_internal.require_not_superseded(s, 'renewed');
	PERFORM por_partner_internal.require_key_billing(s, 'renew');
	phase := por_partner_internal.require_renewable(s, renew_subscription.as_of);
	cards := por_partner_internal.lock_key_cards(keys, por_partner_internal.acting_partner());
	-- the renewed term has the licenses the keys carry, more seats or fewer
	-- (rule R3): none of them is lost, and no licensed user either
	PERFORM por_partner_internal.require_seat_count(cards.licenses);
	IF cards.licenses < s.licensed_users THEN
		RAISE EXCEPTION 'the keys carry % licenses, but subscription % has % licensed users', cards.licenses,
				s.subscription_id, s.licensed_users
			USING ERRCODE = 'check_violation',
			      DETAIL = format('The renewed term has the licenses the keys carry (rule R3), and never fewer seats than licensed users (rule C5): remove %s licenses first.',
			                      s.licensed_users - cards.licenses),
			      HINT = 'Add keys, or take licenses back with por_partner.remove_license() first.';
	END IF;
	SELECT sk.term INTO term FROM @extschema@.sku sk WHERE sk.sku_code = s.sku_code;
	-- active or expired: the new term follows the old one; disabled: it is a
	-- reactivation and starts on the day of renewal (R5, R6)
	new_start := CASE WHEN phase = 'disabled' THEN renew_subscription.as_of ELSE s.expires_on END;
	new_end := (new_start + term)::date;
	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = s.subscription_id, redeemed_as = 'renew'
	 WHERE c.product_key = ANY (keys);
	UPDATE @extschema@.subscription su SET starts_on = new_start, expires_on = new_end, seats = cards.licenses
	 WHERE su.subscription_id = s.subscription_id;
	RETURN new_end;
END $$;

COMMENT ON FUNCTION @extschema@.renew_subscription(bigint, @extschema@.product_key[], date) IS
	'Renews a subscription with product keys of its SKU, as of a day (default today): the renewed term has the licenses the keys carry, more seats or fewer, never fewer than its licensed users (rules R3, C5); a superseded subscription is not renewed (55000).  Active or expired: the new term follows the old without a gap; disabled: a reactivation, the term starts that day (rules R5, R6); deprovisioned: an error.  Returns the new expires_on.';

CREATE OR REPLACE FUNCTION @extschema@.renew_with_direct_billing(subscription_id bigint, as_of date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s @extschema@.subscription;
	term interval;
	new_subscription bigint;
BEGIN
	IF num_nulls(renew_with_direct_billing.subscription_id, renew_with_direct_billing.as_of) > 0 THEN
		PERFORM por_partner_internal.require_arg(renew_with_direct_billing.subscription_id, 'subscription_id'),
		        por_partner_internal.require_arg(renew_with_direct_billing.as_of, 'as_of');
	END IF;
	IF renew_with_direct_billing.as_of IS NULL OR NOT isfinite(renew_with_direct_billing.as_of) THEN
		PERFORM por_partner_internal.require_finite_day(renew_with_direct_billing.as_of, 'as_of',
		                                       'Pass the day the direct subscription starts, such as current_date.');
	END IF;
	s := por_partner_internal.lock_subscription(renew_with_direct_billing.subscription_id);
	PERFORM por_partner_internal.require_not_superseded(s, 'renewed');
	PERFORM por_partner_internal.require_renewable(s, renew_with_direct_billing.as_of);
	IF renew_with_direct_billing.as_of < s.starts_on THEN
		RAISE EXCEPTION 'as_of % is before the current term of subscription % began', renew_with_direct_billing.as_of,
				s.subscription_id
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('The term began on %s; the old term ends on as_of, so it cannot be earlier.', s.starts_on),
			      HINT = format('Pass a day on or after %s, such as current_date.', s.starts_on);
	END IF;
	-- the project's advice, not a rule of the domain: an operator can turn it off
	IF s.expires_on - renew_with_direct_billing.as_of > 7
	   AND (SELECT st.value FROM @extschema@.setting st WHERE st.name = 'direct_billing_warning') IS DISTINCT FROM 'off' THEN
		RAISE WARNING 'subscription % had % days left; they are lost', s.subscription_id,
				s.expires_on - renew_with_direct_billing.as_of
			USING DETAIL = 'A renewal through direct billing starts a new subscription at once (rule R4).',
			      HINT = 'Renew through direct billing just before the subscription expires.';
	END IF;
	SELECT sk.term INTO term FROM @extschema@.sku sk WHERE sk.sku_code = s.sku_code;
	-- the old term ends that day; the new subscription starts at once (R4)
	IF s.expires_on > renew_with_direct_billing.as_of THEN
		UPDATE @extschema@.subscription su SET expires_on = renew_with_direct_billing.as_of,
		       starts_on = least(su.starts_on, renew_with_direct_billing.as_of - 1)
		 WHERE su.subscription_id = s.subscription_id;
	END IF;
	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on,
	                                      partner_of_record)
	VALUES (s.tenant_id, s.sku_code, s.seats, 'direct', renew_with_direct_billing.as_of,
	        (renew_with_direct_billing.as_of + term)::date, s.partner_of_record)
	RETURNING subscription_id INTO new_subscription;
	-- the same licensed users (the admin may already hold one, from rule C3)
	INSERT INTO @extschema@.license (subscription_id, user_id)
	SELECT new_subscription, l.user_id FROM @extschema@.license l
	 WHERE l.subscription_id = s.subscription_id
	ON CONFLICT DO NOTHING;
	-- one paid path: the old subscription is renewed and given seats no more
	UPDATE @extschema@.subscription su SET superseded_by = new_subscription
	 WHERE su.subscription_id = s.subscription_id;
	RETURN new_subscription;
END $$;

COMMENT ON FUNCTION @extschema@.renew_with_direct_billing(bigint, date) IS
	'Switches a customer to direct billing (rules R3, R4): a new subscription billed directly starts that day (default today) with the same tenant, SKU, seats, partner of record and licensed users, and the old one ends that day, superseded by it: it is renewed and given seats no more (55000); a WARNING says when more than 7 days of the old term are lost (setting direct_billing_warning).  Returns the new subscription_id.';

-- The purge is incremental: job_state.purged_through is the last expiry
-- day whose subscriptions were purged, and a run looks only at the terms
-- that ended after it, by the expires_on index: its work is the days since
-- the last run, never the years of history.  A missed day is caught up by the
-- next run; with no mark (a new install, a restore), the first run looks at
-- all of history once.  A subscription written with a term that ended before
-- the mark (a backdated one) moves the mark back (job_state_rewind).
CREATE OR REPLACE FUNCTION @extschema@.purge_deprovisioned(as_of date DEFAULT current_date)
RETURNS int
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	subs bigint[];
	tenants bigint[];
	-- a subscription that expired on this day or before is deprovisioned on
	-- as_of (rule R6)
	gone date;
	done_through date;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		PERFORM por_partner_internal.require_finite_day(as_of, 'as_of', 'Pass the day to purge as of, such as current_date.');
	END IF;
	gone := por_partner_internal.date_add_clamped(as_of, -por_partner_internal.subscription_phase_start('deprovisioned'));
	-- one run at a time: the mark is read and moved under its row's lock
	SELECT p.purged_through INTO done_through FROM por_partner_internal.job_state p FOR UPDATE;
	done_through := coalesce(done_through, '-infinity');
	IF done_through >= gone THEN
		RETURN 0;
	END IF;
	-- subscriptions deprovisioned at as_of, whose term ended after the mark,
	-- that still hold data: licenses, or users of a tenant left with no
	-- subscription that is not deprovisioned
	SELECT coalesce(array_agg(s.subscription_id), '{}'), coalesce(array_agg(DISTINCT s.tenant_id), '{}')
	  INTO subs, tenants
	  FROM @extschema@.subscription s
	 WHERE s.expires_on > done_through AND s.expires_on <= gone
	   AND (s.licensed_users > 0
	        OR (EXISTS (SELECT 1 FROM @extschema@.tenant_user u WHERE u.tenant_id = s.tenant_id)
	            AND NOT EXISTS (SELECT 1 FROM @extschema@.subscription o
	                             WHERE o.tenant_id = s.tenant_id AND o.expires_on > gone)));
	DELETE FROM @extschema@.license l WHERE l.subscription_id = ANY (subs);
	-- each user's tenant probed by the tenant index (LIMIT: never a hash of
	-- every current subscription, which grows with the book)
	DELETE FROM @extschema@.tenant_user u
	 WHERE u.tenant_id = ANY (tenants)
	   AND (SELECT 1 FROM @extschema@.subscription o
	         WHERE o.tenant_id = u.tenant_id AND o.expires_on > gone LIMIT 1) IS NULL;
	-- a run as of a day after today purges early, and leaves the mark, so
	-- that the days between are still purged when they come
	IF as_of <= current_date THEN
		UPDATE por_partner_internal.job_state SET purged_through = gone;
	END IF;
	RETURN cardinality(subs);
END $$;

COMMENT ON FUNCTION @extschema@.purge_deprovisioned(date) IS
	'Deletes the data of subscriptions past day 120 on a day (default today): their licenses, and the users of a tenant left with no subscription inside 120 days; the subscription rows stay as history (rule R6).  Incremental: it looks only at the terms that ended since the last run (a missed day is caught up by the next run; the first run after an install or a restore looks at all of history once).  Returns how many subscriptions had data deleted.';

-- A subscription written with a term that ended at or before the purge's
-- mark (brought in already deprovisioned, or its expires_on moved back) moves
-- the mark back, so that the next purge sees it.
CREATE OR REPLACE FUNCTION por_partner_internal.job_state_rewind() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	-- the trigger's WHEN clause calls this only for a term ended 120 days ago
	UPDATE por_partner_internal.job_state p SET purged_through = NEW.expires_on - 1
	 WHERE p.purged_through >= NEW.expires_on;
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.job_state_rewind() IS
	'Trigger: a subscription written with a term that ended at or before the purge''s mark moves the mark back (rule R6).';
