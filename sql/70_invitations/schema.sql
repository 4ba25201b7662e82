/* sql/70_invitations/schema.sql: trial invitations and purchase offers (rules A4, A5, D5) */

CREATE FUNCTION por_partner_internal.random_code() RETURNS text
AS 'MODULE_PATHNAME', 'por_partner_random_code'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION por_partner_internal.random_code() IS
	'Internal: 128 random bits from the server''s strong random source, as 32 hex digits: the code in invitation and offer URLs.';

CREATE TABLE @extschema@.trial_invitation (
	invitation_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE DEFAULT por_partner_internal.random_code()
		CONSTRAINT trial_invitation_code_format CHECK (code ~ '^[0-9a-f]{32}$'),
	partner_id bigint NOT NULL REFERENCES @extschema@.partner,
	sku_code text NOT NULL REFERENCES @extschema@.sku,
	include_delegated_admin boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE @extschema@.trial_invitation IS
	'Trial invitations of authorized subscription advisors (rule A4): one trial subscription each, for any number of customers, with delegated admin included if the partner may offer it (rule D5).';

CREATE TABLE @extschema@.purchase_offer (
	purchase_offer_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE DEFAULT por_partner_internal.random_code()
		CONSTRAINT purchase_offer_code_format CHECK (code ~ '^[0-9a-f]{32}$'),
	partner_id bigint NOT NULL REFERENCES @extschema@.partner,
	include_delegated_admin boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE @extschema@.purchase_offer IS
	'Purchase offers of authorized subscription advisors (rule A5), with delegated admin included if the partner may offer it (rule D5).';

CREATE TABLE @extschema@.purchase_offer_line (
	purchase_offer_id bigint NOT NULL REFERENCES @extschema@.purchase_offer ON DELETE CASCADE,
	sku_code text NOT NULL REFERENCES @extschema@.sku,
	licenses int NOT NULL CONSTRAINT purchase_offer_line_licenses_positive CHECK (licenses > 0),
	PRIMARY KEY (purchase_offer_id, sku_code)
);

COMMENT ON TABLE @extschema@.purchase_offer_line IS 'The services a purchase offer lists, with their license counts (rule A5).';
