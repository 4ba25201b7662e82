/* sql/20_access/schema.sql: partners and the logins that act for them */

-- The extension's internal functions (trigger functions, the checks and
-- helpers of the interface's functions) live in a schema of their own, on
-- which only operators have USAGE: partners and readers can neither call
-- them nor find them among the functions they may use.
CREATE SCHEMA por_partner_internal;

CREATE TABLE @extschema@.partner (
	partner_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	mpn_id text NOT NULL UNIQUE
		CONSTRAINT partner_mpn_id_digits CHECK (mpn_id ~ '^[0-9]{1,20}$'),
	name text NOT NULL CONSTRAINT partner_name_not_blank CHECK (btrim(name) <> ''),
	email text,
	phone text,
	address text,
	cloud_essentials boolean NOT NULL DEFAULT false,
	subscription_advisor boolean NOT NULL DEFAULT false,
	service_provider boolean NOT NULL DEFAULT false,
	reseller boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE @extschema@.partner IS
	'Microsoft 365 partners, identified by their Microsoft Partner ID (MPN ID); the flags gate what each may do.';

COMMENT ON COLUMN @extschema@.partner.mpn_id IS 'Microsoft Partner ID: digits only.';

COMMENT ON COLUMN @extschema@.partner.cloud_essentials IS 'Enrolled in Microsoft Cloud Essentials (rules D3, P3).';

COMMENT ON COLUMN @extschema@.partner.subscription_advisor IS 'An authorized subscription advisor (rules A4, A5, A6, P2).';

COMMENT ON COLUMN @extschema@.partner.service_provider IS 'An authorized service provider (rule A3).';

COMMENT ON COLUMN @extschema@.partner.reseller IS 'Has a reseller relationship with an authorized distributor, so may buy key cards (rule K2).';

CREATE TABLE @extschema@.partner_login (
	login regrole PRIMARY KEY,
	partner_id bigint NOT NULL REFERENCES @extschema@.partner ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX partner_login_partner_idx ON @extschema@.partner_login (partner_id);

COMMENT ON TABLE @extschema@.partner_login IS
	'Which partner each login acts for: a login (a member of por_partner_partner) is tied to one partner.  Managed by operators.';
