/* sql/96_delivery/schema.sql: the mailer's delivery state of each notice (issue 14; rules R1, P3, P4) */

-- One row a notice of the two ledgers (renewal_notice, change_notice), made
-- by trigger when the notice is recorded: whether it was mailed, how often
-- the mailer tried, the last error, when to try again.  The ledgers say
-- what is due; this says what was done about it, so that a mailer that
-- crashed resumes where it stopped and two mailers never mail one notice
-- twice (each claims rows FOR UPDATE SKIP LOCKED: claim_notices()).
-- Operators only: a partner's login reads neither this table nor anything
-- made of it.
CREATE TABLE @extschema@.notice_delivery (
	delivery_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	renewal_notice_id bigint UNIQUE REFERENCES @extschema@.renewal_notice ON DELETE CASCADE,
	change_notice_id bigint UNIQUE REFERENCES @extschema@.change_notice ON DELETE CASCADE,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	attempts int NOT NULL DEFAULT 0 CONSTRAINT notice_delivery_attempts_not_negative CHECK (attempts >= 0),
	last_attempt_at timestamptz,
	last_error text,
	delivered_at timestamptz,
	CONSTRAINT notice_delivery_one_notice CHECK (num_nonnulls(renewal_notice_id, change_notice_id) = 1),
	CONSTRAINT notice_delivery_delivered_tried CHECK (delivered_at IS NULL OR attempts > 0)
);

-- what the mailer claims: the undelivered notices, in the order they are due
CREATE INDEX notice_delivery_due_idx ON @extschema@.notice_delivery (next_attempt_at, delivery_id)
	WHERE delivered_at IS NULL;

-- the documented maximum of the error text a mailer sends (text_limit('message'))
ALTER TABLE @extschema@.notice_delivery ADD CONSTRAINT notice_delivery_last_error_length
	CHECK (length(last_error) <= 2000);

COMMENT ON TABLE @extschema@.notice_delivery IS
	'The delivery state of each notice, one row a row of renewal_notice or change_notice, made when the notice is recorded: delivered_at once mailed, attempts, the last error and when to try again.  Written by the mailer through claim_notices(), notice_delivered() and notice_failed(); operators only.';

COMMENT ON COLUMN @extschema@.notice_delivery.renewal_notice_id IS 'The renewal notice (rules R1, P4), or null for a change notice.';

COMMENT ON COLUMN @extschema@.notice_delivery.change_notice_id IS 'The change notice (rule P3), or null for a renewal notice.';

COMMENT ON COLUMN @extschema@.notice_delivery.next_attempt_at IS
	'When the notice may be claimed (again): when it was recorded, then after each failure the retry time the mailer asked for.';

COMMENT ON COLUMN @extschema@.notice_delivery.attempts IS
	'How many tries the mailer recorded, the one that delivered included (a mailer that died mid-send recorded none).';

COMMENT ON COLUMN @extschema@.notice_delivery.last_error IS
	'What the last failed try met (the SMTP server''s reply, a missing address), at most 2000 characters; kept once delivered.';

COMMENT ON COLUMN @extschema@.notice_delivery.delivered_at IS
	'When the SMTP server accepted the mail; null while undelivered.  A delivered notice is never claimed again.';
