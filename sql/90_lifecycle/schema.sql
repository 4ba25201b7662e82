/* sql/90_lifecycle/schema.sql: the subscription lifecycle: phases and renewal notices (rules R1-R6) */

CREATE TYPE @extschema@.subscription_phase AS ENUM ('active', 'expired', 'disabled', 'deprovisioned');

COMMENT ON TYPE @extschema@.subscription_phase IS
	'Where a subscription stands on a day: active before expires_on; expired 0-29 days after it (still usable, R5); disabled 30-119 days after (admins only, data kept, R6); deprovisioned from day 120 (data deleted).';

CREATE INDEX subscription_expires_on_idx ON @extschema@.subscription (expires_on);

-- Renewal notices (R1, P3, P4)
CREATE TABLE @extschema@.renewal_notice_schedule (
	days_before int PRIMARY KEY CONSTRAINT renewal_notice_schedule_positive CHECK (days_before > 0),
	shipped boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE @extschema@.renewal_notice_schedule IS
	'How many days before expires_on renewal notices go out (rule R1): 60, 30, 7 and 1 as shipped; an operator may change the rows.';

COMMENT ON COLUMN @extschema@.renewal_notice_schedule.days_before IS 'A renewal notice goes out this many days before expires_on (rule R1).';

COMMENT ON COLUMN @extschema@.renewal_notice_schedule.shipped IS 'True while the row is as the extension shipped it; set to false by any change, so that pg_dump keeps the change.';

INSERT INTO @extschema@.renewal_notice_schedule VALUES (60, true), (30, true), (7, true), (1, true);

CREATE TABLE @extschema@.renewal_notice (
	notice_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	subscription_id bigint NOT NULL REFERENCES @extschema@.subscription,
	tenant_id bigint NOT NULL REFERENCES @extschema@.tenant,
	expires_on date NOT NULL,
	recipient text NOT NULL CONSTRAINT renewal_notice_recipient_known CHECK (recipient IN ('customer', 'partner')),
	partner_id bigint REFERENCES @extschema@.partner,
	days_before int NOT NULL,
	sent_on date NOT NULL,
	sent_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT renewal_notice_partner_named CHECK ((recipient = 'partner') = (partner_id IS NOT NULL)),
	UNIQUE (subscription_id, expires_on, recipient, days_before)
);

COMMENT ON TABLE @extschema@.renewal_notice IS
	'The renewal notices sent: one per subscription, term (expires_on), recipient and days_before (rules R1, P4).';

-- The purge's progress (rule R6): the last expiry day whose deprovisioned
-- subscriptions purge_deprovisioned() purged.  Not dumped: after a restore
-- the first purge looks at all of history once.
CREATE TABLE por_partner_internal.job_state (
	one boolean PRIMARY KEY DEFAULT true CONSTRAINT job_state_one_row CHECK (one),
	purged_through date,
	phase_notices_through date
);

INSERT INTO por_partner_internal.job_state DEFAULT VALUES;

COMMENT ON TABLE por_partner_internal.job_state IS
	'Internal: how far the daily work got (one row): purged_through, the last expiry day whose deprovisioned subscriptions purge_deprovisioned() purged (null: none yet, the next purge looks at all of history); phase_notices_through, the last day send_phase_notices() recorded the phase changes of (null: none yet, the next run looks 30 days back).';
