/* sql/30_reference/schema.sql: reference data: countries (rule C2), SKUs (rules K4, C4), settings */

CREATE TABLE @extschema@.country (
	code char(2) PRIMARY KEY CONSTRAINT country_code_format CHECK (code ~ '^[A-Z]{2}$'),
	name text NOT NULL,
	service_available boolean NOT NULL,
	shipped boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE @extschema@.country IS
	'ISO 3166-1 countries and regions; customers may be created only where service_available (rule C2). Operators may change rows.';

COMMENT ON COLUMN @extschema@.country.code IS 'ISO 3166-1 alpha-2 code, upper case.';

COMMENT ON COLUMN @extschema@.country.name IS 'The English short name (Debian''s iso-codes).';

COMMENT ON COLUMN @extschema@.country.service_available IS 'Whether customers may be created in the country (rule C2).';

COMMENT ON COLUMN @extschema@.country.shipped IS
	'True while the row is as the extension shipped it; set to false by any change, so that pg_dump keeps the change.';

CREATE TABLE @extschema@.sku (
	sku_code text PRIMARY KEY CONSTRAINT sku_code_format CHECK (sku_code ~ '^[A-Z0-9_]+$'),
	name text NOT NULL,
	licenses_per_key int CONSTRAINT sku_licenses_per_key_positive CHECK (licenses_per_key > 0),
	term interval NOT NULL CONSTRAINT sku_term_positive CHECK (term > interval '0'),
	trial_term interval NOT NULL DEFAULT interval '30 days'
		CONSTRAINT sku_trial_term_positive CHECK (trial_term > interval '0'),
	trial_seats int NOT NULL DEFAULT 25 CONSTRAINT sku_trial_seats_positive CHECK (trial_seats > 0),
	agreement text NOT NULL,
	shipped boolean NOT NULL DEFAULT false,
	min_licenses_per_key int NOT NULL DEFAULT 1
		CONSTRAINT sku_min_licenses_per_key_positive CHECK (min_licenses_per_key > 0)
);

COMMENT ON COLUMN @extschema@.sku.min_licenses_per_key IS
	'The fewest licenses a card of this product carries, where each card states its own count: 2 for Midsize Business, whose one key gives several licenses (rule K4).';

COMMENT ON TABLE @extschema@.sku IS
	'Products sold with product keys: licenses each key carries (null: set per card, rule K4), the term, and the agreement the customer accepts (rule C4).';

COMMENT ON COLUMN @extschema@.sku.sku_code IS 'The product''s code: upper-case letters, digits and underscores.';

COMMENT ON COLUMN @extschema@.sku.name IS 'The product''s name.';

COMMENT ON COLUMN @extschema@.sku.term IS 'How long a paid term lasts (1 year as shipped): a term starts_on plus this is its expires_on.';

COMMENT ON COLUMN @extschema@.sku.agreement IS 'The agreement a customer accepts for the product (rule C4).';

COMMENT ON COLUMN @extschema@.sku.trial_term IS 'The term of a trial subscription from a trial invitation (rule A4).';

COMMENT ON COLUMN @extschema@.sku.trial_seats IS 'The licenses a trial subscription comes with.';

COMMENT ON COLUMN @extschema@.sku.licenses_per_key IS 'Licenses one key carries; null when each card states its own count (rule K4).';

COMMENT ON COLUMN @extschema@.sku.shipped IS
	'True while the row is as the extension shipped it; set to false by any change, so that pg_dump keeps the change.';

INSERT INTO @extschema@.sku (sku_code, name, licenses_per_key, term, agreement, shipped, min_licenses_per_key) VALUES
	('O365_SMALL_BUSINESS', 'Office 365 Small Business', 1, interval '1 year',
	 'Microsoft Online Subscription Agreement', true, 1),
	('O365_MIDSIZE_BUSINESS', 'Office 365 Midsize Business', NULL, interval '1 year',
	 'Office 365 Open Agreement', true, 2);

CREATE TABLE @extschema@.setting (
	name text PRIMARY KEY,
	value text NOT NULL,
	shipped boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE @extschema@.setting IS
	'Settings an operator may change: invitation_url_base, where trial invitation and purchase offer URLs point; max_invitations_per_day, how many of them a partner makes in 24 hours; direct_billing_warning (on, off), whether a switch to direct billing that loses more than 7 days of a term warns; audit_retention_months, how many whole months of the audit trail audit_maintain() keeps (24).';

INSERT INTO @extschema@.setting VALUES ('invitation_url_base', 'https://partner.example.com/', true),
	('max_invitations_per_day', '200', true), ('direct_billing_warning', 'on', true),
	('audit_retention_months', '24', true);

COMMENT ON COLUMN @extschema@.setting.name IS 'The setting''s name (see the table''s comment).';

COMMENT ON COLUMN @extschema@.setting.value IS 'Its value, as text.';

COMMENT ON COLUMN @extschema@.setting.shipped IS
	'True while the row is as the extension shipped it; set to false by any change, so that pg_dump keeps the change.';
