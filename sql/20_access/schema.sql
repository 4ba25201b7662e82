/* sql/20_access/schema.sql: partners and the logins that act for them */

-- The extension's internal functions (trigger functions, the checks and
-- helpers of the interface's functions) live in a schema of their own, on
-- which only operators have USAGE: partners and readers can neither call
-- them nor find them among the functions they may use.
CREATE SCHEMA por_partner_internal;

-- What a partner's login reads: its book, as views named like the tables
-- (sql/97_read_path).
CREATE SCHEMA por_partner_book;

-- The maximum length of each kind of text a caller may send, in characters:
-- the one definition the functions' argument checks (22001) ask; the tables'
-- CHECK constraints write the same numbers out, and a test holds them to it.
CREATE FUNCTION por_partner_internal.text_limit(kind text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE kind
	       WHEN 'name' THEN 100              -- a person's first or last name
	       WHEN 'display_name' THEN 200
	       WHEN 'partner_name' THEN 200
	       WHEN 'organization_name' THEN 256
	       WHEN 'email' THEN 254             -- RFC 5321
	       WHEN 'phone' THEN 50
	       WHEN 'address' THEN 1000
	       WHEN 'message' THEN 2000          -- a delegated admin offer's
	       WHEN 'sku_code' THEN 50
	       WHEN 'country_code' THEN 2
	       WHEN 'mpn_id' THEN 20
	       WHEN 'url' THEN 2048
	       WHEN 'action' THEN 50
	       WHEN 'role' THEN 50               -- a company role or access level
	       END
$$;

COMMENT ON FUNCTION por_partner_internal.text_limit(text) IS
	'Internal: the most characters a text of the kind may have (name, display_name, partner_name, organization_name, email, phone, address, message, sku_code, country_code, mpn_id, url, action, role).';

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

-- the documented maxima of text a caller sends: text_limit()'s, written out
-- (no function call on every row); z_bad_input.sql holds the two to each other
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_name_length
	CHECK (length(name) <= 200);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_email_length
	CHECK (length(email) <= 254);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_phone_length
	CHECK (length(phone) <= 50);
ALTER TABLE @extschema@.partner ADD CONSTRAINT partner_address_length
	CHECK (length(address) <= 1000);
