/* sql/60_partner_of_record/schema.sql: change notices to the partner of record (rule P3) */

CREATE TABLE @extschema@.change_notice (
	notice_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	subscription_id bigint NOT NULL REFERENCES @extschema@.subscription,
	tenant_id bigint NOT NULL REFERENCES @extschema@.tenant,
	partner_id bigint NOT NULL REFERENCES @extschema@.partner,
	what text NOT NULL CONSTRAINT change_notice_what_known
		CHECK (what IN ('seats', 'renewed', 'billing', 'partner_of_record', 'phase')),
	old_value text,
	new_value text,
	expires_on date NOT NULL,
	changed_on date NOT NULL DEFAULT current_date,
	recorded_at timestamptz NOT NULL DEFAULT now()
);

-- a phase change is recorded once a term (the daily job may run again)
CREATE UNIQUE INDEX change_notice_phase_once_idx ON @extschema@.change_notice (subscription_id, partner_id, expires_on, new_value)
	WHERE what = 'phase';

CREATE INDEX change_notice_partner_idx ON @extschema@.change_notice (partner_id, notice_id);

COMMENT ON TABLE @extschema@.change_notice IS
	'Notices of changes to a customer''s subscription, to its partner of record while the partner''s benefits are active (rule P3): seats changed, renewed, billing switched (to direct billing, or a trial converted), partner of record named or removed, and each phase the term enters (expired, disabled, deprovisioned).  Written by trigger, whoever changes the row; phase changes by send_renewal_notices().';

COMMENT ON COLUMN @extschema@.change_notice.what IS
	'seats, renewed, billing, partner_of_record or phase.';

COMMENT ON COLUMN @extschema@.change_notice.old_value IS
	'The value before, as text: seats (a number), renewed (the old expires_on), billing (product_key, direct or trial), partner_of_record (the recipient''s own MPN ID when it was partner of record, else null: never another partner''s), phase (the phase left).';

COMMENT ON COLUMN @extschema@.change_notice.new_value IS
	'The value after, as old_value; for billing, the billing of the subscription that took over (superseded_by).';

COMMENT ON COLUMN @extschema@.change_notice.expires_on IS 'The term the notice is about: the subscription''s expires_on after the change.';

COMMENT ON COLUMN @extschema@.change_notice.changed_on IS 'The day of the change (for a phase, the day the daily job recorded it on).';
