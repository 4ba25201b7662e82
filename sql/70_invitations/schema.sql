/* sql/70_invitations/schema.sql: trial invitations and purchase offers (rules A4, A5, D5) */

CREATE TABLE @extschema@.trial_invitation (
	invitation_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	partner_id bigint NOT NULL REFERENCES @extschema@.partner,
	sku_code text NOT NULL REFERENCES @extschema@.sku,
	include_delegated_admin boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	code_hash bytea NOT NULL CONSTRAINT trial_invitation_code_hash_key UNIQUE
		CONSTRAINT trial_invitation_code_hash_sha256 CHECK (length(code_hash) = 32)
);

CREATE INDEX trial_invitation_partner_created_idx ON @extschema@.trial_invitation (partner_id, created_at);

COMMENT ON COLUMN @extschema@.trial_invitation.code_hash IS
	'SHA-256 of the code in the invitation''s URL: the URL is shown once, when the invitation is made, and cannot be read back from the table, a dump or the audit trail.';

COMMENT ON TABLE @extschema@.trial_invitation IS
	'Trial invitations of authorized subscription advisors (rule A4): one trial subscription each, for any number of customers, with delegated admin included if the partner may offer it (rule D5).';

CREATE TABLE @extschema@.purchase_offer (
	purchase_offer_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	partner_id bigint NOT NULL REFERENCES @extschema@.partner,
	include_delegated_admin boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	code_hash bytea NOT NULL CONSTRAINT purchase_offer_code_hash_key UNIQUE
		CONSTRAINT purchase_offer_code_hash_sha256 CHECK (length(code_hash) = 32)
);

CREATE INDEX purchase_offer_partner_created_idx ON @extschema@.purchase_offer (partner_id, created_at);

COMMENT ON COLUMN @extschema@.purchase_offer.code_hash IS
	'SHA-256 of the code in the offer''s URL: the URL is shown once, when the offer is made, and cannot be read back from the table, a dump or the audit trail.';

COMMENT ON TABLE @extschema@.purchase_offer IS
	'Purchase offers of authorized subscription advisors (rule A5), with delegated admin included if the partner may offer it (rule D5).';

CREATE TABLE @extschema@.purchase_offer_line (
	purchase_offer_id bigint NOT NULL REFERENCES @extschema@.purchase_offer ON DELETE CASCADE,
	sku_code text NOT NULL REFERENCES @extschema@.sku,
	licenses int NOT NULL CONSTRAINT purchase_offer_line_licenses_positive CHECK (licenses > 0),
	PRIMARY KEY (purchase_offer_id, sku_code)
);

COMMENT ON TABLE @extschema@.purchase_offer_line IS 'The services a purchase offer lists, with their license counts (rule A5).';
