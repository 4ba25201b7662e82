/* sql/por_partner--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION por_partner" to load this file. \quit

COMMENT ON SCHEMA @extschema@ IS
	'por_partner: the Microsoft 365 partner domain (product keys, tenants, subscriptions, delegated admin, partner of record, renewals).';

--------------------------------------------------------------------------
-- The product_key type (rule K1)
--------------------------------------------------------------------------

CREATE TYPE @extschema@.product_key;

CREATE FUNCTION @extschema@.product_key_in(cstring)
RETURNS @extschema@.product_key
AS 'MODULE_PATHNAME', 'product_key_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.product_key_out(@extschema@.product_key)
RETURNS cstring
AS 'MODULE_PATHNAME', 'product_key_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.product_key_recv(internal)
RETURNS @extschema@.product_key
AS 'MODULE_PATHNAME', 'product_key_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.product_key_send(@extschema@.product_key)
RETURNS bytea
AS 'MODULE_PATHNAME', 'product_key_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.product_key (
	INTERNALLENGTH = 16,
	INPUT = @extschema@.product_key_in,
	OUTPUT = @extschema@.product_key_out,
	RECEIVE = @extschema@.product_key_recv,
	SEND = @extschema@.product_key_send,
	ALIGNMENT = char,
	STORAGE = plain
);

COMMENT ON TYPE @extschema@.product_key IS
	'A Microsoft 365 product key (rule K1): 25 symbols from BCDFGHJKMNPQRTVWXY2346789, at most one N, stored in 16 bytes; input is case-insensitive with or without hyphens, output is XXXXX-XXXXX-XXXXX-XXXXX-XXXXX.';
COMMENT ON FUNCTION @extschema@.product_key_in(cstring) IS
	'Input function of product_key: parses and validates a key (SQLSTATE 22P02 when malformed).';
COMMENT ON FUNCTION @extschema@.product_key_out(@extschema@.product_key) IS
	'Output function of product_key: the canonical upper-case, hyphenated form.';
COMMENT ON FUNCTION @extschema@.product_key_recv(internal) IS
	'Binary input function of product_key: 16 raw bytes, checked (SQLSTATE 22P03 when they encode no key).';
COMMENT ON FUNCTION @extschema@.product_key_send(@extschema@.product_key) IS
	'Binary output function of product_key: the 16 stored bytes.';

-- Conversions to and from text

CREATE FUNCTION @extschema@.product_key(text)
RETURNS @extschema@.product_key
AS 'MODULE_PATHNAME', 'product_key_from_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.text(@extschema@.product_key)
RETURNS text
AS 'MODULE_PATHNAME', 'product_key_to_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (text AS @extschema@.product_key)
	WITH FUNCTION @extschema@.product_key(text) AS ASSIGNMENT;
CREATE CAST (varchar AS @extschema@.product_key)
	WITH FUNCTION @extschema@.product_key(text) AS ASSIGNMENT;
CREATE CAST (@extschema@.product_key AS text)
	WITH FUNCTION @extschema@.text(@extschema@.product_key) AS ASSIGNMENT;

COMMENT ON FUNCTION @extschema@.product_key(text) IS
	'Parses and validates a product key written as text (SQLSTATE 22P02 when malformed); also the text to product_key cast.';
COMMENT ON FUNCTION @extschema@.text(@extschema@.product_key) IS
	'The canonical text of a product key; also the product_key to text cast.';

CREATE FUNCTION @extschema@.product_key_is_valid(text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'product_key_is_valid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.product_key_is_valid(text) IS
	'True when the text is a well-formed product key (rule K1); never raises an error.';

CREATE FUNCTION @extschema@.product_key_mask(@extschema@.product_key)
RETURNS text
AS 'MODULE_PATHNAME', 'product_key_mask'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.product_key_mask(@extschema@.product_key) IS
	'The key as the admin center shows it: XXXXX-XXXXX-XXXXX-XXXXX- followed by the last group.';

-- Comparison

CREATE FUNCTION @extschema@.product_key_eq(@extschema@.product_key, @extschema@.product_key)
RETURNS boolean AS 'MODULE_PATHNAME', 'product_key_eq'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_ne(@extschema@.product_key, @extschema@.product_key)
RETURNS boolean AS 'MODULE_PATHNAME', 'product_key_ne'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_lt(@extschema@.product_key, @extschema@.product_key)
RETURNS boolean AS 'MODULE_PATHNAME', 'product_key_lt'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_le(@extschema@.product_key, @extschema@.product_key)
RETURNS boolean AS 'MODULE_PATHNAME', 'product_key_le'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_gt(@extschema@.product_key, @extschema@.product_key)
RETURNS boolean AS 'MODULE_PATHNAME', 'product_key_gt'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_ge(@extschema@.product_key, @extschema@.product_key)
RETURNS boolean AS 'MODULE_PATHNAME', 'product_key_ge'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_cmp(@extschema@.product_key, @extschema@.product_key)
RETURNS integer AS 'MODULE_PATHNAME', 'product_key_cmp'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_sortsupport(internal)
RETURNS void AS 'MODULE_PATHNAME', 'product_key_sortsupport'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_hash(@extschema@.product_key)
RETURNS integer AS 'MODULE_PATHNAME', 'product_key_hash'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_hash_extended(@extschema@.product_key, bigint)
RETURNS bigint AS 'MODULE_PATHNAME', 'product_key_hash_extended'
LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.product_key_eq(@extschema@.product_key, @extschema@.product_key) IS 'Implements the = operator of product_key.';
COMMENT ON FUNCTION @extschema@.product_key_ne(@extschema@.product_key, @extschema@.product_key) IS 'Implements the <> operator of product_key.';
COMMENT ON FUNCTION @extschema@.product_key_lt(@extschema@.product_key, @extschema@.product_key) IS 'Implements the < operator of product_key.';
COMMENT ON FUNCTION @extschema@.product_key_le(@extschema@.product_key, @extschema@.product_key) IS 'Implements the <= operator of product_key.';
COMMENT ON FUNCTION @extschema@.product_key_gt(@extschema@.product_key, @extschema@.product_key) IS 'Implements the > operator of product_key.';
COMMENT ON FUNCTION @extschema@.product_key_ge(@extschema@.product_key, @extschema@.product_key) IS 'Implements the >= operator of product_key.';
COMMENT ON FUNCTION @extschema@.product_key_cmp(@extschema@.product_key, @extschema@.product_key) IS 'B-tree comparison function of product_key: -1, 0 or 1, in the order of the canonical text under the "C" collation.';
COMMENT ON FUNCTION @extschema@.product_key_sortsupport(internal) IS 'B-tree sort support of product_key, with abbreviated keys.';
COMMENT ON FUNCTION @extschema@.product_key_hash(@extschema@.product_key) IS 'Hash function of product_key.';
COMMENT ON FUNCTION @extschema@.product_key_hash_extended(@extschema@.product_key, bigint) IS 'Seeded 64-bit hash function of product_key.';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

COMMENT ON OPERATOR @extschema@.= (@extschema@.product_key, @extschema@.product_key) IS 'equal';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.product_key, @extschema@.product_key) IS 'not equal';
COMMENT ON OPERATOR @extschema@.< (@extschema@.product_key, @extschema@.product_key) IS 'less than';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.product_key, @extschema@.product_key) IS 'less than or equal';
COMMENT ON OPERATOR @extschema@.> (@extschema@.product_key, @extschema@.product_key) IS 'greater than';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.product_key, @extschema@.product_key) IS 'greater than or equal';

CREATE OPERATOR CLASS @extschema@.product_key_ops
DEFAULT FOR TYPE @extschema@.product_key USING btree AS
	OPERATOR 1 @extschema@.<,
	OPERATOR 2 @extschema@.<=,
	OPERATOR 3 @extschema@.=,
	OPERATOR 4 @extschema@.>=,
	OPERATOR 5 @extschema@.>,
	FUNCTION 1 @extschema@.product_key_cmp(@extschema@.product_key, @extschema@.product_key),
	FUNCTION 2 @extschema@.product_key_sortsupport(internal),
	FUNCTION 4 btequalimage(oid);

CREATE OPERATOR CLASS @extschema@.product_key_ops
DEFAULT FOR TYPE @extschema@.product_key USING hash AS
	OPERATOR 1 @extschema@.=,
	FUNCTION 1 @extschema@.product_key_hash(@extschema@.product_key),
	FUNCTION 2 @extschema@.product_key_hash_extended(@extschema@.product_key, bigint);

COMMENT ON OPERATOR CLASS @extschema@.product_key_ops USING btree IS
	'Default B-tree operator class of product_key (order of the canonical text under "C"), with sort support and deduplication.';
COMMENT ON OPERATOR CLASS @extschema@.product_key_ops USING hash IS
	'Default hash operator class of product_key, with the extended hash function.';

--------------------------------------------------------------------------
-- Partners, countries, SKUs (rules K2, K4, C2, C4, A6)
--------------------------------------------------------------------------

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

CREATE TABLE @extschema@.country (
	code char(2) PRIMARY KEY CONSTRAINT country_code_format CHECK (code ~ '^[A-Z]{2}$'),
	name text NOT NULL,
	service_available boolean NOT NULL,
	shipped boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.country IS
	'ISO 3166-1 countries and regions; customers may be created only where service_available (rule C2). Operators may change rows.';
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
	shipped boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.sku IS
	'Products sold with product keys: licenses each key carries (null: set per card, rule K4), the term, and the agreement the customer accepts (rule C4).';
COMMENT ON COLUMN @extschema@.sku.trial_term IS 'The term of a trial subscription from a trial invitation (rule A4).';
COMMENT ON COLUMN @extschema@.sku.trial_seats IS 'The licenses a trial subscription comes with.';
COMMENT ON COLUMN @extschema@.sku.licenses_per_key IS 'Licenses one key carries; null when each card states its own count (rule K4).';
COMMENT ON COLUMN @extschema@.sku.shipped IS
	'True while the row is as the extension shipped it; set to false by any change, so that pg_dump keeps the change.';

INSERT INTO @extschema@.sku (sku_code, name, licenses_per_key, term, agreement, shipped) VALUES
	('O365_SMALL_BUSINESS', 'Office 365 Small Business', 1, interval '1 year',
	 'Microsoft Online Subscription Agreement', true),
	('O365_MIDSIZE_BUSINESS', 'Office 365 Midsize Business', NULL, interval '1 year',
	 'Office 365 Open Agreement', true);

INSERT INTO @extschema@.country (code, name, service_available, shipped) VALUES
	('AD', 'Andorra', true, true),
	('AE', 'United Arab Emirates', true, true),
	('AF', 'Afghanistan', true, true),
	('AG', 'Antigua and Barbuda', true, true),
	('AI', 'Anguilla', true, true),
	('AL', 'Albania', true, true),
	('AM', 'Armenia', true, true),
	('AO', 'Angola', true, true),
	('AQ', 'Antarctica', true, true),
	('AR', 'Argentina', true, true),
	('AS', 'American Samoa', true, true),
	('AT', 'Austria', true, true),
	('AU', 'Australia', true, true),
	('AW', 'Aruba', true, true),
	('AX', 'Åland Islands', true, true),
	('AZ', 'Azerbaijan', true, true),
	('BA', 'Bosnia and Herzegovina', true, true),
	('BB', 'Barbados', true, true),
	('BD', 'Bangladesh', true, true),
	('BE', 'Belgium', true, true),
	('BF', 'Burkina Faso', true, true),
	('BG', 'Bulgaria', true, true),
	('BH', 'Bahrain', true, true),
	('BI', 'Burundi', true, true),
	('BJ', 'Benin', true, true),
	('BL', 'Saint Barthélemy', true, true),
	('BM', 'Bermuda', true, true),
	('BN', 'Brunei Darussalam', true, true),
	('BO', 'Bolivia', true, true),
	('BQ', 'Bonaire, Sint Eustatius and Saba', true, true),
	('BR', 'Brazil', true, true),
	('BS', 'Bahamas', true, true),
	('BT', 'Bhutan', true, true),
	('BV', 'Bouvet Island', true, true),
	('BW', 'Botswana', true, true),
	('BY', 'Belarus', false, true),
	('BZ', 'Belize', true, true),
	('CA', 'Canada', true, true),
	('CC', 'Cocos (Keeling) Islands', true, true),
	('CD', 'Congo, The Democratic Republic of the', true, true),
	('CF', 'Central African Republic', true, true),
	('CG', 'Congo', true, true),
	('CH', 'Switzerland', true, true),
	('CI', 'Côte d''Ivoire', true, true),
	('CK', 'Cook Islands', true, true),
	('CL', 'Chile', true, true),
	('CM', 'Cameroon', true, true),
	('CN', 'China', true, true),
	('CO', 'Colombia', true, true),
	('CR', 'Costa Rica', true, true),
	('CU', 'Cuba', false, true),
	('CV', 'Cabo Verde', true, true),
	('CW', 'Curaçao', true, true),
	('CX', 'Christmas Island', true, true),
	('CY', 'Cyprus', true, true),
	('CZ', 'Czechia', true, true),
	('DE', 'Germany', true, true),
	('DJ', 'Djibouti', true, true),
	('DK', 'Denmark', true, true),
	('DM', 'Dominica', true, true),
	('DO', 'Dominican Republic', true, true),
	('DZ', 'Algeria', true, true),
	('EC', 'Ecuador', true, true),
	('EE', 'Estonia', true, true),
	('EG', 'Egypt', true, true),
	('EH', 'Western Sahara', true, true),
	('ER', 'Eritrea', true, true),
	('ES', 'Spain', true, true),
	('ET', 'Ethiopia', true, true),
	('FI', 'Finland', true, true),
	('FJ', 'Fiji', true, true),
	('FK', 'Falkland Islands (Malvinas)', true, true),
	('FM', 'Micronesia, Federated States of', true, true),
	('FO', 'Faroe Islands', true, true),
	('FR', 'France', true, true),
	('GA', 'Gabon', true, true),
	('GB', 'United Kingdom', true, true),
	('GD', 'Grenada', true, true),
	('GE', 'Georgia', true, true),
	('GF', 'French Guiana', true, true),
	('GG', 'Guernsey', true, true),
	('GH', 'Ghana', true, true),
	('GI', 'Gibraltar', true, true),
	('GL', 'Greenland', true, true),
	('GM', 'Gambia', true, true),
	('GN', 'Guinea', true, true),
	('GP', 'Guadeloupe', true, true),
	('GQ', 'Equatorial Guinea', true, true),
	('GR', 'Greece', true, true),
	('GS', 'South Georgia and the South Sandwich Islands', true, true),
	('GT', 'Guatemala', true, true),
	('GU', 'Guam', true, true),
	('GW', 'Guinea-Bissau', true, true),
	('GY', 'Guyana', true, true),
	('HK', 'Hong Kong', true, true),
	('HM', 'Heard Island and McDonald Islands', true, true),
	('HN', 'Honduras', true, true),
	('HR', 'Croatia', true, true),
	('HT', 'Haiti', true, true),
	('HU', 'Hungary', true, true),
	('ID', 'Indonesia', true, true),
	('IE', 'Ireland', true, true),
	('IL', 'Israel', true, true),
	('IM', 'Isle of Man', true, true),
	('IN', 'India', true, true),
	('IO', 'British Indian Ocean Territory', true, true),
	('IQ', 'Iraq', true, true),
	('IR', 'Iran', false, true),
	('IS', 'Iceland', true, true),
	('IT', 'Italy', true, true),
	('JE', 'Jersey', true, true),
	('JM', 'Jamaica', true, true),
	('JO', 'Jordan', true, true),
	('JP', 'Japan', true, true),
	('KE', 'Kenya', true, true),
	('KG', 'Kyrgyzstan', true, true),
	('KH', 'Cambodia', true, true),
	('KI', 'Kiribati', true, true),
	('KM', 'Comoros', true, true),
	('KN', 'Saint Kitts and Nevis', true, true),
	('KP', 'North Korea', false, true),
	('KR', 'South Korea', true, true),
	('KW', 'Kuwait', true, true),
	('KY', 'Cayman Islands', true, true),
	('KZ', 'Kazakhstan', true, true),
	('LA', 'Laos', true, true),
	('LB', 'Lebanon', true, true),
	('LC', 'Saint Lucia', true, true),
	('LI', 'Liechtenstein', true, true),
	('LK', 'Sri Lanka', true, true),
	('LR', 'Liberia', true, true),
	('LS', 'Lesotho', true, true),
	('LT', 'Lithuania', true, true),
	('LU', 'Luxembourg', true, true),
	('LV', 'Latvia', true, true),
	('LY', 'Libya', true, true),
	('MA', 'Morocco', true, true),
	('MC', 'Monaco', true, true),
	('MD', 'Moldova', true, true),
	('ME', 'Montenegro', true, true),
	('MF', 'Saint Martin (French part)', true, true),
	('MG', 'Madagascar', true, true),
	('MH', 'Marshall Islands', true, true),
	('MK', 'North Macedonia', true, true),
	('ML', 'Mali', true, true),
	('MM', 'Myanmar', true, true),
	('MN', 'Mongolia', true, true),
	('MO', 'Macao', true, true),
	('MP', 'Northern Mariana Islands', true, true),
	('MQ', 'Martinique', true, true),
	('MR', 'Mauritania', true, true),
	('MS', 'Montserrat', true, true),
	('MT', 'Malta', true, true),
	('MU', 'Mauritius', true, true),
	('MV', 'Maldives', true, true),
	('MW', 'Malawi', true, true),
	('MX', 'Mexico', true, true),
	('MY', 'Malaysia', true, true),
	('MZ', 'Mozambique', true, true),
	('NA', 'Namibia', true, true),
	('NC', 'New Caledonia', true, true),
	('NE', 'Niger', true, true),
	('NF', 'Norfolk Island', true, true),
	('NG', 'Nigeria', true, true),
	('NI', 'Nicaragua', true, true),
	('NL', 'Netherlands', true, true),
	('NO', 'Norway', true, true),
	('NP', 'Nepal', true, true),
	('NR', 'Nauru', true, true),
	('NU', 'Niue', true, true),
	('NZ', 'New Zealand', true, true),
	('OM', 'Oman', true, true),
	('PA', 'Panama', true, true),
	('PE', 'Peru', true, true),
	('PF', 'French Polynesia', true, true),
	('PG', 'Papua New Guinea', true, true),
	('PH', 'Philippines', true, true),
	('PK', 'Pakistan', true, true),
	('PL', 'Poland', true, true),
	('PM', 'Saint Pierre and Miquelon', true, true),
	('PN', 'Pitcairn', true, true),
	('PR', 'Puerto Rico', true, true),
	('PS', 'Palestine, State of', true, true),
	('PT', 'Portugal', true, true),
	('PW', 'Palau', true, true),
	('PY', 'Paraguay', true, true),
	('QA', 'Qatar', true, true),
	('RE', 'Réunion', true, true),
	('RO', 'Romania', true, true),
	('RS', 'Serbia', true, true),
	('RU', 'Russian Federation', false, true),
	('RW', 'Rwanda', true, true),
	('SA', 'Saudi Arabia', true, true),
	('SB', 'Solomon Islands', true, true),
	('SC', 'Seychelles', true, true),
	('SD', 'Sudan', true, true),
	('SE', 'Sweden', true, true),
	('SG', 'Singapore', true, true),
	('SH', 'Saint Helena, Ascension and Tristan da Cunha', true, true),
	('SI', 'Slovenia', true, true),
	('SJ', 'Svalbard and Jan Mayen', true, true),
	('SK', 'Slovakia', true, true),
	('SL', 'Sierra Leone', true, true),
	('SM', 'San Marino', true, true),
	('SN', 'Senegal', true, true),
	('SO', 'Somalia', true, true),
	('SR', 'Suriname', true, true),
	('SS', 'South Sudan', true, true),
	('ST', 'Sao Tome and Principe', true, true),
	('SV', 'El Salvador', true, true),
	('SX', 'Sint Maarten (Dutch part)', true, true),
	('SY', 'Syria', false, true),
	('SZ', 'Eswatini', true, true),
	('TC', 'Turks and Caicos Islands', true, true),
	('TD', 'Chad', true, true),
	('TF', 'French Southern Territories', true, true),
	('TG', 'Togo', true, true),
	('TH', 'Thailand', true, true),
	('TJ', 'Tajikistan', true, true),
	('TK', 'Tokelau', true, true),
	('TL', 'Timor-Leste', true, true),
	('TM', 'Turkmenistan', true, true),
	('TN', 'Tunisia', true, true),
	('TO', 'Tonga', true, true),
	('TR', 'Türkiye', true, true),
	('TT', 'Trinidad and Tobago', true, true),
	('TV', 'Tuvalu', true, true),
	('TW', 'Taiwan', true, true),
	('TZ', 'Tanzania', true, true),
	('UA', 'Ukraine', true, true),
	('UG', 'Uganda', true, true),
	('UM', 'United States Minor Outlying Islands', true, true),
	('US', 'United States', true, true),
	('UY', 'Uruguay', true, true),
	('UZ', 'Uzbekistan', true, true),
	('VA', 'Holy See (Vatican City State)', true, true),
	('VC', 'Saint Vincent and the Grenadines', true, true),
	('VE', 'Venezuela', true, true),
	('VG', 'Virgin Islands, British', true, true),
	('VI', 'Virgin Islands, U.S.', true, true),
	('VN', 'Vietnam', true, true),
	('VU', 'Vanuatu', true, true),
	('WF', 'Wallis and Futuna', true, true),
	('WS', 'Samoa', true, true),
	('YE', 'Yemen', true, true),
	('YT', 'Mayotte', true, true),
	('ZA', 'South Africa', true, true),
	('ZM', 'Zambia', true, true),
	('ZW', 'Zimbabwe', true, true);

/*
 * Shipped rows of country, sku and setting: a change marks the row as no
 * longer shipped, and pg_dump keeps exactly the rows that are not shipped.
 * When a dump is restored, CREATE EXTENSION has already made the shipped
 * rows, so an incoming row with the key of an untouched shipped row replaces
 * it.  These triggers fire always, also under session_replication_role =
 * replica, the documented way to restore.
 */
CREATE FUNCTION @extschema@.reference_row_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		NEW.shipped := false;
		RETURN NEW;
	END IF;
	-- INSERT
	IF TG_TABLE_NAME = 'country' THEN
		UPDATE @extschema@.country c
		   SET name = NEW.name, service_available = NEW.service_available
		 WHERE c.code = NEW.code AND c.shipped;
	ELSIF TG_TABLE_NAME = 'setting' THEN
		UPDATE @extschema@.setting st SET value = NEW.value WHERE st.name = NEW.name AND st.shipped;
	ELSIF TG_TABLE_NAME = 'renewal_notice_schedule' THEN
		UPDATE @extschema@.renewal_notice_schedule r SET shipped = r.shipped
		 WHERE r.days_before = NEW.days_before AND r.shipped;
	ELSE
		UPDATE @extschema@.sku s
		   SET name = NEW.name, licenses_per_key = NEW.licenses_per_key, term = NEW.term,
		       trial_term = NEW.trial_term, trial_seats = NEW.trial_seats, agreement = NEW.agreement
		 WHERE s.sku_code = NEW.sku_code AND s.shipped;
	END IF;
	IF FOUND THEN
		RETURN NULL;			-- merged into the shipped row
	END IF;
	NEW.shipped := false;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.reference_row_changed() IS
	'Trigger: keeps the shipped flag of country, sku and setting true only for rows as shipped, so that pg_dump keeps operators'' changes.';

CREATE TRIGGER country_changed BEFORE INSERT OR UPDATE ON @extschema@.country
	FOR EACH ROW EXECUTE FUNCTION @extschema@.reference_row_changed();
CREATE TRIGGER sku_changed BEFORE INSERT OR UPDATE ON @extschema@.sku
	FOR EACH ROW EXECUTE FUNCTION @extschema@.reference_row_changed();
ALTER TABLE @extschema@.country ENABLE ALWAYS TRIGGER country_changed;
ALTER TABLE @extschema@.sku ENABLE ALWAYS TRIGGER sku_changed;

--------------------------------------------------------------------------
-- Tenants, users, subscriptions, licenses, key cards (K2-K6, C1-C5, A6)
--------------------------------------------------------------------------

CREATE TABLE @extschema@.tenant (
	tenant_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organization_name text NOT NULL
		CONSTRAINT tenant_organization_name_not_blank CHECK (btrim(organization_name) <> ''),
	country_code char(2) NOT NULL REFERENCES @extschema@.country,
	agreement text,
	created_by bigint REFERENCES @extschema@.partner,
	created_at timestamptz NOT NULL DEFAULT now(),
	admin_first_name text NOT NULL,
	admin_last_name text NOT NULL,
	admin_email text NOT NULL CONSTRAINT tenant_admin_email_format CHECK (admin_email ~ '^[^@\s]+@[^@\s]+$')
);
CREATE INDEX tenant_created_by_idx ON @extschema@.tenant (created_by);
COMMENT ON TABLE @extschema@.tenant IS
	'Customers: an organization''s Microsoft 365 tenant.  Inserting one creates its admin user with the global_admin role (rule C3).';
COMMENT ON COLUMN @extschema@.tenant.agreement IS 'The agreement the customer accepted when the account was created (rule C4).';
COMMENT ON COLUMN @extschema@.tenant.created_by IS 'The partner who set the customer up.';

CREATE TABLE @extschema@.tenant_user (
	user_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id bigint NOT NULL REFERENCES @extschema@.tenant ON DELETE CASCADE,
	first_name text,
	last_name text,
	email text NOT NULL CONSTRAINT tenant_user_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
	admin_role text CONSTRAINT tenant_user_admin_role_known CHECK (admin_role IN
		('global_admin', 'billing_admin', 'user_admin', 'password_admin', 'service_admin')),
	UNIQUE (user_id, tenant_id)
);
CREATE UNIQUE INDEX tenant_user_email_key ON @extschema@.tenant_user (tenant_id, lower(email));
COMMENT ON TABLE @extschema@.tenant_user IS
	'Users of a customer''s tenant; an e-mail address is unique within a tenant, whatever its case.';

CREATE TABLE @extschema@.subscription (
	subscription_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id bigint NOT NULL REFERENCES @extschema@.tenant,
	sku_code text NOT NULL REFERENCES @extschema@.sku,
	seats int NOT NULL CONSTRAINT subscription_seats_positive CHECK (seats > 0),
	licensed_users int NOT NULL DEFAULT 0,
	billing text NOT NULL CONSTRAINT subscription_billing_known CHECK (billing IN ('product_key', 'direct', 'trial')),
	starts_on date NOT NULL,
	expires_on date NOT NULL,
	partner_of_record bigint REFERENCES @extschema@.partner,
	agreement text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT subscription_term_not_empty CHECK (expires_on > starts_on),
	CONSTRAINT subscription_seats_not_exceeded CHECK (licensed_users BETWEEN 0 AND seats),
	UNIQUE (subscription_id, tenant_id)
);
CREATE INDEX subscription_tenant_idx ON @extschema@.subscription (tenant_id);
CREATE INDEX subscription_partner_of_record_idx ON @extschema@.subscription (partner_of_record);
COMMENT ON TABLE @extschema@.subscription IS
	'Customers'' subscriptions; the term is half-open, [starts_on, expires_on).  Creating one licenses the tenant''s admin when a seat is free (rule C3).';
COMMENT ON COLUMN @extschema@.subscription.seats IS 'Licenses bought: the most users that may be licensed (rule C5).';
COMMENT ON COLUMN @extschema@.subscription.licensed_users IS
	'Users licensed now; kept by the license triggers, never above seats (rule C5).';
COMMENT ON COLUMN @extschema@.subscription.expires_on IS 'The first day the term no longer covers.';
COMMENT ON COLUMN @extschema@.subscription.agreement IS 'The agreement that applies to this subscription, from its SKU (rule C4).';

CREATE TABLE @extschema@.license (
	subscription_id bigint NOT NULL,
	user_id bigint NOT NULL,
	tenant_id bigint NOT NULL,
	assigned_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (subscription_id, user_id),
	FOREIGN KEY (subscription_id, tenant_id)
		REFERENCES @extschema@.subscription (subscription_id, tenant_id) ON DELETE CASCADE,
	FOREIGN KEY (user_id, tenant_id)
		REFERENCES @extschema@.tenant_user (user_id, tenant_id) ON DELETE CASCADE
);
CREATE INDEX license_user_idx ON @extschema@.license (user_id);
COMMENT ON TABLE @extschema@.license IS
	'A user''s license on a subscription of the same tenant; at most one each, never more than the seats (rule C5).';

CREATE TABLE @extschema@.key_card (
	product_key @extschema@.product_key PRIMARY KEY,
	sku_code text NOT NULL REFERENCES @extschema@.sku,
	licenses int NOT NULL CONSTRAINT key_card_licenses_positive CHECK (licenses > 0),
	partner_id bigint NOT NULL REFERENCES @extschema@.partner,
	purchased_on date NOT NULL DEFAULT current_date,
	redeemed_at timestamptz,
	subscription_id bigint REFERENCES @extschema@.subscription,
	redeemed_as text CONSTRAINT key_card_redeemed_as_known CHECK (redeemed_as IN ('activate', 'add_users', 'renew')),
	CONSTRAINT key_card_redemption_complete CHECK (
		(redeemed_at IS NULL AND subscription_id IS NULL AND redeemed_as IS NULL) OR
		(redeemed_at IS NOT NULL AND subscription_id IS NOT NULL AND redeemed_as IS NOT NULL))
);
CREATE INDEX key_card_partner_idx ON @extschema@.key_card (partner_id) WHERE redeemed_at IS NULL;
CREATE INDEX key_card_subscription_idx ON @extschema@.key_card (subscription_id);
COMMENT ON TABLE @extschema@.key_card IS
	'Product keys bought by reseller partners (rule K2), each redeemed at most once (rule K6) to activate, add users to or renew a subscription (rule K3).';
COMMENT ON COLUMN @extschema@.key_card.licenses IS 'Licenses the key carries: 1 for Small Business (rule K4).';
COMMENT ON COLUMN @extschema@.key_card.partner_id IS 'The partner who bought the card.';
COMMENT ON COLUMN @extschema@.key_card.redeemed_as IS 'activate, add_users or renew (rule K3); null while unredeemed.';

-- Tenants: the country must be one where the service is offered (rule C2);
-- a new tenant's admin becomes a user with the global_admin role (rule C3).
CREATE FUNCTION @extschema@.tenant_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	c record;
BEGIN
	NEW.country_code := upper(NEW.country_code);
	IF TG_OP = 'UPDATE' AND NEW.country_code = OLD.country_code THEN
		RETURN NEW;
	END IF;
	SELECT * INTO c FROM @extschema@.country WHERE code = NEW.country_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'country "%" does not exist', NEW.country_code
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Use an ISO 3166-1 alpha-2 code from table por_partner.country.';
	END IF;
	IF NOT c.service_available THEN
		RAISE EXCEPTION 'Microsoft 365 is not offered in "%" (country code "%")', c.name, c.code
			USING ERRCODE = 'check_violation',
			      DETAIL = 'Customers can be created only in countries and regions where the service is offered (rule C2).',
			      HINT = 'If the service is offered there now, an operator can set por_partner.country.service_available.';
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.tenant_check() IS
	'Trigger: a tenant''s country must be one where the service is offered (rule C2).';
CREATE TRIGGER tenant_check BEFORE INSERT OR UPDATE OF country_code ON @extschema@.tenant
	FOR EACH ROW EXECUTE FUNCTION @extschema@.tenant_check();

CREATE FUNCTION @extschema@.tenant_create_admin() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	INSERT INTO @extschema@.tenant_user (tenant_id, first_name, last_name, email, admin_role)
	VALUES (NEW.tenant_id, NEW.admin_first_name, NEW.admin_last_name, NEW.admin_email, 'global_admin');
	RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.tenant_create_admin() IS
	'Trigger: a new tenant''s admin person becomes its first user, with the global_admin role (rule C3).';
CREATE TRIGGER tenant_create_admin AFTER INSERT ON @extschema@.tenant
	FOR EACH ROW EXECUTE FUNCTION @extschema@.tenant_create_admin();

-- Subscriptions: licensed_users starts at 0 and is kept by the license
-- triggers; seats never drop below it (rule C5); the agreement comes from the
-- SKU (rule C4); a new subscription licenses the tenant's admin (rule C3).
CREATE FUNCTION @extschema@.subscription_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	sku_agreement text;
BEGIN
	IF TG_OP = 'INSERT' THEN
		NEW.licensed_users := 0;
	END IF;
	IF TG_OP = 'INSERT' OR NEW.agreement IS DISTINCT FROM OLD.agreement OR NEW.sku_code <> OLD.sku_code THEN
		SELECT s.agreement INTO sku_agreement FROM @extschema@.sku s WHERE s.sku_code = NEW.sku_code;
		IF NEW.agreement IS NULL THEN
			NEW.agreement := sku_agreement;
		ELSIF sku_agreement IS NOT NULL AND NEW.agreement <> sku_agreement THEN
			RAISE EXCEPTION 'a % subscription is under the "%", not the "%"', NEW.sku_code, sku_agreement, NEW.agreement
				USING ERRCODE = 'check_violation',
				      DETAIL = 'The agreement that applies is the one of the subscription''s product (rule C4).',
				      HINT = 'Leave agreement null to have it filled in.';
		END IF;
	END IF;
	IF TG_OP = 'INSERT' THEN
		RETURN NEW;
	END IF;
	IF @extschema@.subscription_phase(OLD.expires_on, current_date) = 'deprovisioned'
	   AND (NEW.licensed_users > OLD.licensed_users
	        OR (NEW.subscription_id, NEW.tenant_id, NEW.sku_code, NEW.seats, NEW.billing, NEW.starts_on,
	            NEW.expires_on, NEW.partner_of_record, NEW.agreement)
	           IS DISTINCT FROM
	           (OLD.subscription_id, OLD.tenant_id, OLD.sku_code, OLD.seats, OLD.billing, OLD.starts_on,
	            OLD.expires_on, OLD.partner_of_record, OLD.agreement)) THEN
		RAISE EXCEPTION 'subscription % is deprovisioned', OLD.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than 120 days ago; it can no longer be changed or reactivated (rule R6).', OLD.expires_on),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	IF NEW.licensed_users IS DISTINCT FROM OLD.licensed_users AND pg_catalog.pg_trigger_depth() < 2 THEN
		RAISE EXCEPTION 'column "licensed_users" of subscription % cannot be set', OLD.subscription_id
			USING ERRCODE = 'generated_always',
			      DETAIL = 'It counts the licenses of the subscription and is kept by the extension.',
			      HINT = 'Use por_partner.assign_license() and por_partner.remove_license().';
	END IF;
	IF NEW.seats < NEW.licensed_users THEN
		RAISE EXCEPTION 'subscription % has % licensed users, so it cannot have % seats', OLD.subscription_id,
				NEW.licensed_users, NEW.seats
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A subscription never has more licensed users than seats (rule C5).',
			      HINT = 'Remove licenses first.';
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.subscription_check() IS
	'Trigger: keeps subscription.licensed_users to the license triggers and seats at or above it (rule C5); fills the agreement from the SKU (rule C4).';
CREATE TRIGGER subscription_check BEFORE INSERT OR UPDATE ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION @extschema@.subscription_check();

CREATE FUNCTION @extschema@.subscription_license_admin() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	-- the admin person named on the tenant, else its first global admin
	INSERT INTO @extschema@.license (subscription_id, user_id, tenant_id)
	SELECT NEW.subscription_id, u.user_id, u.tenant_id
	  FROM @extschema@.tenant_user u
	  JOIN @extschema@.tenant t ON t.tenant_id = u.tenant_id
	 WHERE u.tenant_id = NEW.tenant_id AND u.admin_role = 'global_admin'
	   AND @extschema@.subscription_phase(NEW.expires_on, current_date) IN ('active', 'expired')
	 ORDER BY lower(u.email) = lower(t.admin_email) DESC, u.user_id
	 LIMIT 1;
	RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.subscription_license_admin() IS
	'Trigger: a new subscription gives the tenant''s admin a license (rule C3), unless it is brought in already disabled or deprovisioned (rule R6).';
CREATE TRIGGER subscription_license_admin AFTER INSERT ON @extschema@.subscription
	FOR EACH ROW EXECUTE FUNCTION @extschema@.subscription_license_admin();

-- A subscription billed by product key exists only with a key redeemed to
-- activate it (rules K3, A6); checked at commit, after the keys are marked.
CREATE FUNCTION @extschema@.subscription_has_activation_key() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	-- the trigger's WHEN clause calls this only for billing = 'product_key'
	IF NOT EXISTS (
			SELECT 1 FROM @extschema@.key_card k
			 WHERE k.subscription_id = NEW.subscription_id AND k.redeemed_as = 'activate') THEN
		RAISE EXCEPTION 'subscription % is billed by product key but no key activated it', NEW.subscription_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A subscription is set up with product keys by redeeming them (rules K3, A6).',
			      HINT = 'Use por_partner.create_customer_subscription().';
	END IF;
	RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.subscription_has_activation_key() IS
	'Constraint trigger: a subscription billed by product key has a key redeemed to activate it (rules K3, A6).';
CREATE CONSTRAINT TRIGGER subscription_has_activation_key
	AFTER INSERT OR UPDATE OF billing ON @extschema@.subscription
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.billing = 'product_key')
	EXECUTE FUNCTION @extschema@.subscription_has_activation_key();

-- Licenses: the user belongs to the subscription's tenant; seats are never
-- exceeded (rule C5).  The count is kept on the subscription row, whose row
-- lock serializes concurrent assignments to one subscription.
CREATE FUNCTION @extschema@.license_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	user_tenant bigint;
	expires date;
	phase @extschema@.subscription_phase;
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF (NEW.subscription_id, NEW.user_id) IS DISTINCT FROM (OLD.subscription_id, OLD.user_id) THEN
			RAISE EXCEPTION 'a license cannot be moved'
				USING ERRCODE = 'object_not_in_prerequisite_state',
				      HINT = 'Remove the license and assign a new one.';
		END IF;
		NEW.tenant_id := OLD.tenant_id;
		RETURN NEW;
	END IF;
	SELECT s.tenant_id, s.expires_on INTO NEW.tenant_id, expires
	  FROM @extschema@.subscription s WHERE s.subscription_id = NEW.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', NEW.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	phase := @extschema@.subscription_phase(expires, current_date);
	IF phase IN ('disabled', 'deprovisioned') THEN
		RAISE EXCEPTION 'subscription % is %', NEW.subscription_id, phase
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s; from day 30 after expiry users lose access and no license is assigned (rules R5, R6).', expires),
			      HINT = CASE phase WHEN 'disabled' THEN 'Renew the subscription to reactivate it.'
			                        ELSE 'The subscription is past day 120 and cannot be reactivated.' END;
	END IF;
	SELECT u.tenant_id INTO user_tenant FROM @extschema@.tenant_user u WHERE u.user_id = NEW.user_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user % does not exist', NEW.user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF user_tenant <> NEW.tenant_id THEN
		RAISE EXCEPTION 'user % belongs to tenant %, not to tenant % of subscription %',
				NEW.user_id, user_tenant, NEW.tenant_id, NEW.subscription_id
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'A license is given on a subscription of the user''s own tenant.';
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.license_check() IS
	'Trigger: a license joins a user and a subscription of the same tenant, is never moved, and is not assigned on a disabled or deprovisioned subscription (rules R5, R6).';
CREATE TRIGGER license_check BEFORE INSERT OR UPDATE ON @extschema@.license
	FOR EACH ROW EXECUTE FUNCTION @extschema@.license_check();

CREATE FUNCTION @extschema@.license_count() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	s record;
BEGIN
	IF TG_OP = 'DELETE' THEN
		UPDATE @extschema@.subscription SET licensed_users = licensed_users - 1
		 WHERE subscription_id = OLD.subscription_id;
		RETURN NULL;
	END IF;
	-- lock first: an assignment waits for a concurrent one, or for a removal,
	-- to commit, and then sees its count (under REPEATABLE READ it fails 40001)
	SELECT seats, licensed_users INTO s FROM @extschema@.subscription
	 WHERE subscription_id = NEW.subscription_id FOR NO KEY UPDATE;
	IF s.licensed_users < s.seats THEN
		UPDATE @extschema@.subscription SET licensed_users = licensed_users + 1
		 WHERE subscription_id = NEW.subscription_id;
	ELSE
		RAISE EXCEPTION 'subscription % has no free seat', NEW.subscription_id
			USING ERRCODE = 'check_violation',
			      DETAIL = format('All %s seats are licensed; a subscription never has more licensed users than seats (rule C5).', s.seats),
			      HINT = 'Add seats with por_partner.add_licenses(), or remove a license first.';
	END IF;
	RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.license_count() IS
	'Trigger: counts licenses on subscription.licensed_users and refuses one over the seats (rule C5).';
CREATE TRIGGER license_count AFTER INSERT OR DELETE ON @extschema@.license
	FOR EACH ROW EXECUTE FUNCTION @extschema@.license_count();

-- Key cards: bought only by resellers (rule K2); a Small Business card
-- carries one license (rule K4); redeemed at most once (rule K6), on a
-- subscription of the card's SKU (rule K3), and only an authorized
-- subscription advisor activates a subscription with keys (rule A6).
CREATE FUNCTION @extschema@.key_card_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
	per_key int;
	sub_sku text;
BEGIN
	-- a redeemed card is history: it never changes and is never deleted (K6)
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.redeemed_at IS NOT NULL THEN
		RAISE EXCEPTION 'product key % was already redeemed', OLD.product_key
			USING ERRCODE = 'unique_violation',
			      DETAIL = format('It was redeemed on %s to %s subscription %s; a key is redeemed at most once (rule K6), and its card is kept.',
			                      to_char(OLD.redeemed_at, 'YYYY-MM-DD'),
			                      replace(OLD.redeemed_as, '_', ' '), OLD.subscription_id),
			      HINT = 'Use a key that has not been redeemed.';
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;

	SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
	IF TG_OP = 'INSERT' OR (NEW.partner_id, NEW.sku_code, NEW.licenses)
	                       IS DISTINCT FROM (OLD.partner_id, OLD.sku_code, OLD.licenses) THEN
		IF p.partner_id IS NOT NULL AND NOT p.reseller THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) may not buy key cards', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only partners with a reseller relationship with an authorized distributor buy product keys (rule K2).',
				      HINT = 'Set por_partner.partner.reseller once the partner has that relationship.';
		END IF;
		SELECT s.licenses_per_key INTO per_key FROM @extschema@.sku s WHERE s.sku_code = NEW.sku_code;
		IF per_key IS NOT NULL AND NEW.licenses <> per_key THEN
			RAISE EXCEPTION 'key cards of % carry % license each, not %', NEW.sku_code, per_key, NEW.licenses
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Each key of this product is one license for one user (rule K4).',
				      HINT = format('Set licenses to %s, and buy one key for each user.', per_key);
		END IF;
	END IF;

	IF NEW.redeemed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.redeemed_at IS NULL) THEN
		SELECT s.sku_code INTO sub_sku FROM @extschema@.subscription s
		 WHERE s.subscription_id = NEW.subscription_id;
		IF FOUND AND sub_sku <> NEW.sku_code THEN
			RAISE EXCEPTION 'product key % is for %, but subscription % is %', NEW.product_key,
					NEW.sku_code, NEW.subscription_id, sub_sku
				USING ERRCODE = 'check_violation',
				      DETAIL = 'A key activates, adds users to or renews a subscription of its own product (rule K3).',
				      HINT = format('Use %s keys.', sub_sku);
		END IF;
		IF NEW.redeemed_as = 'activate' AND p.partner_id IS NOT NULL AND NOT p.subscription_advisor THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) is not an authorized subscription advisor', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only authorized subscription advisors set up customer subscriptions with product keys (rule A6).',
				      HINT = 'Set por_partner.partner.subscription_advisor once the partner is authorized.';
		END IF;
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.key_card_check() IS
	'Trigger: key cards are bought by resellers (K2), carry the SKU''s licenses (K4), are redeemed once and then kept unchanged (K6), on a subscription of their SKU (K3), and activate only for advisors (A6).';
CREATE TRIGGER key_card_check BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.key_card
	FOR EACH ROW EXECUTE FUNCTION @extschema@.key_card_check();

--------------------------------------------------------------------------
-- Redeeming keys, creating customers, licensing users (K3, K5, C1-C5, A6)
--------------------------------------------------------------------------

-- Refuse a NULL argument with 22004, naming it.
CREATE FUNCTION @extschema@.require_arg(value anyelement, name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF value IS NULL THEN
		RAISE EXCEPTION 'argument "%" must not be null', name
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.require_arg(anyelement, text) IS
	'Internal: raises 22004 when a required argument is null.';

/*
 * Lock the cards of a set of keys, in key order (so that two callers never
 * deadlock), and return their SKU and licenses.  The keys must all exist,
 * be given once each and be of one SKU.  Whether they are unredeemed is
 * checked where they are redeemed (the key_card trigger); whose they must be
 * is the caller's business (create_customer_subscription: the partner's own).
 */
CREATE FUNCTION @extschema@.lock_key_cards(keys @extschema@.product_key[],
	OUT sku_code text, OUT licenses bigint, OUT owners bigint[])
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	missing @extschema@.product_key;
	dup @extschema@.product_key;
	skus text[];
	found_cards int;
BEGIN
	IF keys IS NULL THEN
		PERFORM @extschema@.require_arg(keys, 'keys');
	END IF;
	IF cardinality(keys) = 0 THEN
		RAISE EXCEPTION 'no product key given'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass at least one product key.';
	END IF;

	-- lock the cards in key order, and sum them up
	SELECT count(*), array_agg(DISTINCT c.sku_code ORDER BY c.sku_code), sum(c.licenses),
	       array_agg(DISTINCT c.partner_id ORDER BY c.partner_id)
	  INTO found_cards, skus, licenses, owners
	  FROM (SELECT k.sku_code, k.licenses, k.partner_id FROM @extschema@.key_card k
	         WHERE k.product_key = ANY (keys) ORDER BY k.product_key FOR UPDATE) AS c;

	-- fewer cards than keys: a null, a key given twice, or an unknown key
	IF found_cards <> cardinality(keys) THEN
		IF array_position(keys, NULL) IS NOT NULL THEN
			RAISE EXCEPTION 'product key % of the array is null', array_position(keys, NULL)
				USING ERRCODE = 'null_value_not_allowed';
		END IF;
		SELECT k INTO dup FROM unnest(keys) AS k GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'product key % is given more than once', dup
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Give each key once.';
		END IF;
		SELECT k INTO missing FROM unnest(keys) AS k
		 WHERE NOT EXISTS (SELECT 1 FROM @extschema@.key_card c WHERE c.product_key = k)
		 ORDER BY k LIMIT 1;
		RAISE EXCEPTION 'product key % does not exist', missing
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Check the key against the key card; only keys bought and recorded in por_partner.key_card can be redeemed.';
	END IF;
	IF cardinality(skus) > 1 THEN
		RAISE EXCEPTION 'the product keys are for different products: %', array_to_string(skus, ', ')
			USING ERRCODE = 'check_violation',
			      DETAIL = 'Keys redeemed together activate, extend or renew one subscription of one product (rule K3).',
			      HINT = 'Redeem the keys of each product separately.';
	END IF;
	sku_code := skus[1];
END $$;
COMMENT ON FUNCTION @extschema@.lock_key_cards(@extschema@.product_key[]) IS
	'Internal: validates an array of keys and locks their cards in key order; returns their one SKU, the licenses they carry and their owners.';

CREATE FUNCTION @extschema@.create_customer_subscription(
	partner_id bigint,
	keys @extschema@.product_key[],
	organization_name text,
	country_code text,
	admin_first_name text,
	admin_last_name text,
	admin_email text,
	starts_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	p record;
	cards record;
	s record;
	new_tenant bigint;
	new_subscription bigint;
BEGIN
	IF num_nulls(create_customer_subscription.partner_id, create_customer_subscription.organization_name, create_customer_subscription.country_code, create_customer_subscription.admin_first_name, create_customer_subscription.admin_last_name, create_customer_subscription.admin_email, create_customer_subscription.starts_on) > 0 THEN
		PERFORM @extschema@.require_arg(create_customer_subscription.partner_id, 'partner_id'),
		        @extschema@.require_arg(create_customer_subscription.organization_name, 'organization_name'),
		        @extschema@.require_arg(create_customer_subscription.country_code, 'country_code'),
		        @extschema@.require_arg(create_customer_subscription.admin_first_name, 'admin_first_name'),
		        @extschema@.require_arg(create_customer_subscription.admin_last_name, 'admin_last_name'),
		        @extschema@.require_arg(create_customer_subscription.admin_email, 'admin_email'),
		        @extschema@.require_arg(create_customer_subscription.starts_on, 'starts_on');
	END IF;
	IF NOT isfinite(create_customer_subscription.starts_on) THEN
		RAISE EXCEPTION 'starts_on must be a finite date, not %', create_customer_subscription.starts_on
			USING ERRCODE = 'datetime_field_overflow';
	END IF;

	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = create_customer_subscription.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % does not exist', create_customer_subscription.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;

	cards := @extschema@.lock_key_cards(keys);
	IF cards.owners <> ARRAY[p.partner_id] THEN
		RAISE EXCEPTION 'product key % was not bought by partner "%" (MPN ID %)',
				(SELECT c.product_key FROM @extschema@.key_card c
				  WHERE c.product_key = ANY (keys) AND c.partner_id <> p.partner_id
				  ORDER BY c.product_key LIMIT 1),
				p.name, p.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      HINT = 'A partner redeems only the key cards it bought.';
	END IF;
	SELECT * INTO s FROM @extschema@.sku sk WHERE sk.sku_code = cards.sku_code;

	INSERT INTO @extschema@.tenant (organization_name, country_code, agreement, created_by,
	                                admin_first_name, admin_last_name, admin_email)
	VALUES (create_customer_subscription.organization_name, create_customer_subscription.country_code,
	        s.agreement, p.partner_id, create_customer_subscription.admin_first_name,
	        create_customer_subscription.admin_last_name, create_customer_subscription.admin_email)
	RETURNING tenant_id INTO new_tenant;

	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on, agreement)
	VALUES (new_tenant, s.sku_code, cards.licenses, 'product_key', create_customer_subscription.starts_on,
	        (create_customer_subscription.starts_on + s.term)::date, s.agreement)
	RETURNING subscription_id INTO new_subscription;

	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = new_subscription, redeemed_as = 'activate'
	 WHERE c.product_key = ANY (keys);
	RETURN new_subscription;
END $$;
COMMENT ON FUNCTION @extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date) IS
	'Redeems product keys to create a customer: its tenant, admin user (licensed), and a subscription with the licenses the keys carry, all or nothing (rules K3, K5, K6, C1-C4, A6).  Returns the subscription_id.';

CREATE FUNCTION @extschema@.add_licenses(subscription_id bigint, keys @extschema@.product_key[])
RETURNS int
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s record;
	cards record;
	new_seats int;
BEGIN
	IF num_nulls(add_licenses.subscription_id) > 0 THEN
		PERFORM @extschema@.require_arg(add_licenses.subscription_id, 'subscription_id');
	END IF;
	SELECT * INTO s FROM @extschema@.subscription su
	 WHERE su.subscription_id = add_licenses.subscription_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', add_licenses.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF s.billing <> 'product_key' THEN
		RAISE EXCEPTION 'subscription % is billed %, not by product key', s.subscription_id,
				CASE s.billing WHEN 'direct' THEN 'directly' ELSE 'as a trial' END
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Product keys add users to subscriptions set up with product keys.';
	END IF;
	cards := @extschema@.lock_key_cards(keys);
	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = s.subscription_id, redeemed_as = 'add_users'
	 WHERE c.product_key = ANY (keys);
	UPDATE @extschema@.subscription su SET seats = su.seats + cards.licenses
	 WHERE su.subscription_id = s.subscription_id
	RETURNING su.seats INTO new_seats;
	RETURN new_seats;
END $$;
COMMENT ON FUNCTION @extschema@.add_licenses(bigint, @extschema@.product_key[]) IS
	'Redeems product keys of the subscription''s SKU to add seats to its current term (rules K3, K5, K6).  Returns the new seat count.';

CREATE FUNCTION @extschema@.assign_license(subscription_id bigint, user_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF num_nulls(assign_license.subscription_id, assign_license.user_id) > 0 THEN
		PERFORM @extschema@.require_arg(assign_license.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(assign_license.user_id, 'user_id');
	END IF;
	INSERT INTO @extschema@.license (subscription_id, user_id)
	VALUES (assign_license.subscription_id, assign_license.user_id);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'user % already has a license on subscription %', assign_license.user_id,
			assign_license.subscription_id
		USING ERRCODE = 'unique_violation';
END $$;
COMMENT ON FUNCTION @extschema@.assign_license(bigint, bigint) IS
	'Gives a user of the subscription''s tenant a license on it, when a seat is free (rule C5).';

CREATE FUNCTION @extschema@.remove_license(subscription_id bigint, user_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	IF num_nulls(remove_license.subscription_id, remove_license.user_id) > 0 THEN
		PERFORM @extschema@.require_arg(remove_license.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(remove_license.user_id, 'user_id');
	END IF;
	DELETE FROM @extschema@.license l
	 WHERE l.subscription_id = remove_license.subscription_id AND l.user_id = remove_license.user_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user % has no license on subscription %', remove_license.user_id,
				remove_license.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.remove_license(bigint, bigint) IS
	'Takes a user''s license on a subscription back, freeing the seat.';

CREATE FUNCTION @extschema@.add_user(tenant_id bigint, first_name text, last_name text, email text,
	subscription_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	new_user bigint;
BEGIN
	IF num_nulls(add_user.tenant_id, add_user.email) > 0 THEN
		PERFORM @extschema@.require_arg(add_user.tenant_id, 'tenant_id'),
		        @extschema@.require_arg(add_user.email, 'email');
	END IF;
	INSERT INTO @extschema@.tenant_user (tenant_id, first_name, last_name, email)
	VALUES (add_user.tenant_id, add_user.first_name, add_user.last_name, add_user.email)
	RETURNING user_id INTO new_user;
	IF add_user.subscription_id IS NOT NULL THEN
		PERFORM @extschema@.assign_license(add_user.subscription_id, new_user);
	END IF;
	RETURN new_user;
END $$;
COMMENT ON FUNCTION @extschema@.add_user(bigint, text, text, text, bigint) IS
	'Adds a user to a tenant (e-mail unique in the tenant, whatever its case) and licenses it on the subscription when one is given (rule C5).  Returns the user_id.';

--------------------------------------------------------------------------
-- Privileges and pg_dump
--------------------------------------------------------------------------

REVOKE ALL ON FUNCTION
	@extschema@.reference_row_changed(), @extschema@.tenant_check(), @extschema@.tenant_create_admin(),
	@extschema@.subscription_check(), @extschema@.subscription_license_admin(),
	@extschema@.subscription_has_activation_key(), @extschema@.license_check(),
	@extschema@.license_count(), @extschema@.key_card_check(),
	@extschema@.require_arg(anyelement, text), @extschema@.lock_key_cards(@extschema@.product_key[]),
	@extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date),
	@extschema@.add_licenses(bigint, @extschema@.product_key[]),
	@extschema@.assign_license(bigint, bigint), @extschema@.remove_license(bigint, bigint),
	@extschema@.add_user(bigint, text, text, text, bigint)
FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.partner', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.country', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sku', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_user', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.subscription', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.license', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.key_card', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.partner', 'partner_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.tenant', 'tenant_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.tenant_user', 'user_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.subscription', 'subscription_id'), '');

--------------------------------------------------------------------------
-- Delegated administration (D1-D6)
--------------------------------------------------------------------------

CREATE TABLE @extschema@.delegated_admin_offer (
	offer_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	partner_id bigint NOT NULL REFERENCES @extschema@.partner,
	tenant_id bigint NOT NULL REFERENCES @extschema@.tenant ON DELETE CASCADE,
	message text,
	status text NOT NULL DEFAULT 'pending'
		CONSTRAINT delegated_admin_offer_status_known CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn', 'removed')),
	offered_at timestamptz NOT NULL DEFAULT now(),
	answered_at timestamptz,
	CONSTRAINT delegated_admin_offer_answered CHECK ((status = 'pending') = (answered_at IS NULL)),
	UNIQUE (offer_id, partner_id, tenant_id)
);
CREATE INDEX delegated_admin_offer_tenant_idx ON @extschema@.delegated_admin_offer (tenant_id);
CREATE INDEX delegated_admin_offer_partner_idx ON @extschema@.delegated_admin_offer (partner_id);
COMMENT ON TABLE @extschema@.delegated_admin_offer IS
	'Offers of delegated administration from a partner to a customer (rule D2): pending, then accepted or declined once, or withdrawn when the partner leaves Cloud Essentials (rule D3); an accepted offer becomes removed when the customer removes the relationship, and cannot grant it again.';

CREATE TABLE @extschema@.delegated_admin (
	partner_id bigint NOT NULL,
	tenant_id bigint NOT NULL,
	offer_id bigint NOT NULL UNIQUE,
	granted_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (partner_id, tenant_id),
	FOREIGN KEY (offer_id, partner_id, tenant_id)
		REFERENCES @extschema@.delegated_admin_offer (offer_id, partner_id, tenant_id) ON DELETE CASCADE
);
CREATE INDEX delegated_admin_tenant_idx ON @extschema@.delegated_admin (tenant_id);
COMMENT ON TABLE @extschema@.delegated_admin IS
	'Partners that are a customer''s delegated admin: admin rights in the tenant without a license (rules D1, D4, D6), each from an accepted offer (rule D2).';

-- An offer comes only from a Cloud Essentials partner (rule D3) and is
-- answered once (rule D2).
CREATE FUNCTION @extschema@.delegated_admin_offer_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
		IF FOUND AND NOT p.cloud_essentials THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) may not offer delegated administration', p.name, p.mpn_id
				USING ERRCODE = 'check_violation',
				      DETAIL = 'Only partners enrolled in Cloud Essentials send delegated admin offers (rule D3).',
				      HINT = 'Enroll the partner in Cloud Essentials first.';
		END IF;
		IF EXISTS (SELECT 1 FROM @extschema@.delegated_admin d
		            WHERE d.partner_id = NEW.partner_id AND d.tenant_id = NEW.tenant_id) THEN
			RAISE EXCEPTION 'partner "%" (MPN ID %) is already delegated admin of tenant %', p.name, p.mpn_id, NEW.tenant_id
				USING ERRCODE = 'object_not_in_prerequisite_state';
		END IF;
		IF NEW.status <> 'pending' THEN
			RAISE EXCEPTION 'a delegated admin offer starts pending'
				USING ERRCODE = 'check_violation',
				      DETAIL = 'The customer accepts or declines an offer after it is sent (rule D2).';
		END IF;
		RETURN NEW;
	END IF;
	IF (NEW.partner_id, NEW.tenant_id, NEW.offered_at) IS DISTINCT FROM (OLD.partner_id, OLD.tenant_id, OLD.offered_at)
	   OR NEW.message IS DISTINCT FROM OLD.message THEN
		RAISE EXCEPTION 'delegated admin offer % cannot be changed', OLD.offer_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Send a new offer instead.';
	END IF;
	IF NEW.status IS DISTINCT FROM OLD.status AND OLD.status <> 'pending'
	   AND NOT (OLD.status = 'accepted' AND NEW.status = 'removed') THEN
		RAISE EXCEPTION 'delegated admin offer % was already %', OLD.offer_id, OLD.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'An offer is answered once (rule D2).',
			      HINT = 'The partner can send a new offer.';
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.delegated_admin_offer_check() IS
	'Trigger: offers come from Cloud Essentials partners (D3), start pending and are answered once (D2).';
CREATE TRIGGER delegated_admin_offer_check BEFORE INSERT OR UPDATE ON @extschema@.delegated_admin_offer
	FOR EACH ROW EXECUTE FUNCTION @extschema@.delegated_admin_offer_check();

-- A relationship exists only from an accepted offer (rule D2).
CREATE FUNCTION @extschema@.delegated_admin_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.delegated_admin_offer o
	                WHERE o.offer_id = NEW.offer_id AND o.status = 'accepted') THEN
		RAISE EXCEPTION 'partner % is not delegated admin of tenant % without an accepted offer',
				NEW.partner_id, NEW.tenant_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'The customer must accept the partner''s offer first; a pending or declined offer grants nothing (rule D2).',
			      HINT = 'Use por_partner.accept_delegated_admin_offer().';
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.delegated_admin_check() IS
	'Trigger: a delegated admin relationship rests on an accepted offer (rule D2).';
CREATE TRIGGER delegated_admin_check BEFORE INSERT OR UPDATE ON @extschema@.delegated_admin
	FOR EACH ROW EXECUTE FUNCTION @extschema@.delegated_admin_check();

CREATE FUNCTION @extschema@.delegated_admin_removed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	UPDATE @extschema@.delegated_admin_offer SET status = 'removed'
	 WHERE offer_id = OLD.offer_id AND status = 'accepted';
	RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.delegated_admin_removed() IS
	'Trigger: when a customer removes a delegated admin, the accepted offer behind it is marked removed, so that it cannot grant the rights again (rule D2).';
CREATE TRIGGER delegated_admin_removed AFTER DELETE ON @extschema@.delegated_admin
	FOR EACH ROW EXECUTE FUNCTION @extschema@.delegated_admin_removed();

-- Leaving Cloud Essentials withdraws the partner's pending offers (rule D3);
-- accepted relationships stay, since the customer granted them, but a
-- partner allowed neither delegated admin nor service provision cannot act
-- on them (partner_can, rule A3).  Losing subscription advisor status keeps
-- existing partner-of-record links.
CREATE FUNCTION @extschema@.partner_flags_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF OLD.cloud_essentials AND NOT NEW.cloud_essentials THEN
		UPDATE @extschema@.delegated_admin_offer
		   SET status = 'withdrawn', answered_at = now()
		 WHERE partner_id = NEW.partner_id AND status = 'pending';
	END IF;
	RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.partner_flags_changed() IS
	'Trigger: a partner that leaves Cloud Essentials has its pending delegated admin offers withdrawn (rule D3).';
CREATE TRIGGER partner_flags_changed AFTER UPDATE OF cloud_essentials ON @extschema@.partner
	FOR EACH ROW EXECUTE FUNCTION @extschema@.partner_flags_changed();

CREATE FUNCTION @extschema@.offer_delegated_admin(partner_id bigint, tenant_id bigint, message text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	new_offer bigint;
BEGIN
	IF num_nulls(offer_delegated_admin.partner_id, offer_delegated_admin.tenant_id) > 0 THEN
		PERFORM @extschema@.require_arg(offer_delegated_admin.partner_id, 'partner_id'),
		        @extschema@.require_arg(offer_delegated_admin.tenant_id, 'tenant_id');
	END IF;
	INSERT INTO @extschema@.delegated_admin_offer (partner_id, tenant_id, message)
	VALUES (offer_delegated_admin.partner_id, offer_delegated_admin.tenant_id, offer_delegated_admin.message)
	RETURNING offer_id INTO new_offer;
	RETURN new_offer;
END $$;
COMMENT ON FUNCTION @extschema@.offer_delegated_admin(bigint, bigint, text) IS
	'Sends a delegated admin offer, with a message, from a Cloud Essentials partner to a customer (rules D2, D3).  Returns the offer_id.';

-- Answer a pending offer; the row lock makes two answers at once end with one.
CREATE FUNCTION @extschema@.answer_delegated_admin_offer(offer_id bigint, accept boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	o record;
BEGIN
	IF num_nulls(answer_delegated_admin_offer.offer_id) > 0 THEN
		PERFORM @extschema@.require_arg(answer_delegated_admin_offer.offer_id, 'offer_id');
	END IF;
	SELECT * INTO o FROM @extschema@.delegated_admin_offer d
	 WHERE d.offer_id = answer_delegated_admin_offer.offer_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'delegated admin offer % does not exist', answer_delegated_admin_offer.offer_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	-- answered once (rule D2); the offer's trigger refuses a change of an
	-- answered offer's status, but answering again with the same answer
	-- changes nothing it could see, so the call checks itself
	IF o.status <> 'pending' THEN
		RAISE EXCEPTION 'delegated admin offer % was already %', o.offer_id, o.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'An offer is answered once (rule D2).',
			      HINT = 'The partner can send a new offer.';
	END IF;
	UPDATE @extschema@.delegated_admin_offer d
	   SET status = CASE WHEN accept THEN 'accepted' ELSE 'declined' END, answered_at = now()
	 WHERE d.offer_id = o.offer_id;
	IF accept AND @extschema@.is_delegated_admin(o.partner_id, o.tenant_id) THEN
		RAISE EXCEPTION 'partner % is already delegated admin of tenant %', o.partner_id, o.tenant_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Decline this offer; the relationship stands.';
	END IF;
	IF accept THEN
		INSERT INTO @extschema@.delegated_admin (partner_id, tenant_id, offer_id)
		VALUES (o.partner_id, o.tenant_id, o.offer_id);
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.answer_delegated_admin_offer(bigint, boolean) IS
	'Internal: accepts or declines a pending delegated admin offer, once (rule D2).';

CREATE FUNCTION @extschema@.accept_delegated_admin_offer(offer_id bigint) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT @extschema@.answer_delegated_admin_offer(offer_id, true) $$;
COMMENT ON FUNCTION @extschema@.accept_delegated_admin_offer(bigint) IS
	'The customer accepts a pending offer: the partner becomes its delegated admin, with admin rights and no license (rules D2, D4).';

CREATE FUNCTION @extschema@.decline_delegated_admin_offer(offer_id bigint) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT @extschema@.answer_delegated_admin_offer(offer_id, false) $$;
COMMENT ON FUNCTION @extschema@.decline_delegated_admin_offer(bigint) IS
	'The customer declines a pending offer; it grants nothing (rule D2).';

CREATE FUNCTION @extschema@.is_delegated_admin(partner_id bigint, tenant_id bigint) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM @extschema@.delegated_admin d
	                WHERE d.partner_id = $1 AND d.tenant_id = $2)
$$;
COMMENT ON FUNCTION @extschema@.is_delegated_admin(bigint, bigint) IS
	'True when the partner is the tenant''s delegated admin through an accepted offer (rules D1, D2).';

CREATE FUNCTION @extschema@.remove_delegated_admin(partner_id bigint, tenant_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	IF num_nulls(remove_delegated_admin.partner_id, remove_delegated_admin.tenant_id) > 0 THEN
		PERFORM @extschema@.require_arg(remove_delegated_admin.partner_id, 'partner_id'),
		        @extschema@.require_arg(remove_delegated_admin.tenant_id, 'tenant_id');
	END IF;
	DELETE FROM @extschema@.delegated_admin d
	 WHERE d.partner_id = remove_delegated_admin.partner_id AND d.tenant_id = remove_delegated_admin.tenant_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % is not delegated admin of tenant %', remove_delegated_admin.partner_id,
				remove_delegated_admin.tenant_id
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.remove_delegated_admin(bigint, bigint) IS
	'The customer withdraws a partner''s delegated admin rights.';

--------------------------------------------------------------------------
-- Partner of record (P1-P4)
--------------------------------------------------------------------------

-- Only an authorized subscription advisor is named partner of record (P2),
-- whichever client sets the column.
CREATE FUNCTION @extschema@.subscription_por_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
BEGIN
	-- the triggers' WHEN clauses call this only for a new, non-null partner
	SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_of_record;
	IF FOUND AND NOT p.subscription_advisor THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) cannot be partner of record', p.name, p.mpn_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A customer names a partner as partner of record only if it is an authorized subscription advisor (rule P2).',
			      HINT = 'Name an authorized subscription advisor.';
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.subscription_por_check() IS
	'Trigger: the partner of record is an authorized subscription advisor (rule P2).';
CREATE TRIGGER subscription_por_check BEFORE INSERT ON @extschema@.subscription
	FOR EACH ROW WHEN (NEW.partner_of_record IS NOT NULL)
	EXECUTE FUNCTION @extschema@.subscription_por_check();
CREATE TRIGGER subscription_por_change BEFORE UPDATE OF partner_of_record ON @extschema@.subscription
	FOR EACH ROW WHEN (NEW.partner_of_record IS DISTINCT FROM OLD.partner_of_record
	                   AND NEW.partner_of_record IS NOT NULL)
	EXECUTE FUNCTION @extschema@.subscription_por_check();

CREATE FUNCTION @extschema@.set_partner_of_record(subscription_id bigint, mpn_id text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	p bigint;
	mpn text;
BEGIN
	IF num_nulls(set_partner_of_record.subscription_id, set_partner_of_record.mpn_id) > 0 THEN
		PERFORM @extschema@.require_arg(set_partner_of_record.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(set_partner_of_record.mpn_id, 'mpn_id');
	END IF;
	mpn := substring(set_partner_of_record.mpn_id FROM '^\s*([0-9]{1,20})\s*$');
	IF mpn IS NULL THEN
		RAISE EXCEPTION 'invalid Microsoft Partner ID: "%"', set_partner_of_record.mpn_id
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'A Microsoft Partner ID (MPN ID) is a number, such as 4411223.';
	END IF;
	SELECT pa.partner_id INTO p FROM @extschema@.partner pa WHERE pa.mpn_id = mpn;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no partner has Microsoft Partner ID %', mpn
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Check the Microsoft Partner ID with the partner.';
	END IF;
	UPDATE @extschema@.subscription s SET partner_of_record = p
	 WHERE s.subscription_id = set_partner_of_record.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', set_partner_of_record.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.set_partner_of_record(bigint, text) IS
	'The customer names a partner of record for a subscription by its Microsoft Partner ID (rule P1); only authorized subscription advisors (rule P2).';

CREATE FUNCTION @extschema@.clear_partner_of_record(subscription_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
BEGIN
	IF num_nulls(clear_partner_of_record.subscription_id) > 0 THEN
		PERFORM @extschema@.require_arg(clear_partner_of_record.subscription_id, 'subscription_id');
	END IF;
	UPDATE @extschema@.subscription s SET partner_of_record = NULL
	 WHERE s.subscription_id = clear_partner_of_record.subscription_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', clear_partner_of_record.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.clear_partner_of_record(bigint) IS
	'Removes the partner of record from a subscription.';

CREATE FUNCTION @extschema@.partner_benefits_active(partner_id bigint) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT p.cloud_essentials FROM @extschema@.partner p WHERE p.partner_id = $1 $$;
COMMENT ON FUNCTION @extschema@.partner_benefits_active(bigint) IS
	'True when the partner''s benefits (notices, offering delegated admin) are active: it is enrolled in Cloud Essentials (rule P3); null for an unknown partner.';

--------------------------------------------------------------------------
-- Trial invitations and purchase offers (A4, A5, D5)
--------------------------------------------------------------------------

CREATE TABLE @extschema@.setting (
	name text PRIMARY KEY,
	value text NOT NULL,
	shipped boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.setting IS
	'Settings an operator may change; invitation_url_base is where trial invitation and purchase offer URLs point.';
INSERT INTO @extschema@.setting VALUES ('invitation_url_base', 'https://partner.example.com/', true);
CREATE TRIGGER setting_changed BEFORE INSERT OR UPDATE ON @extschema@.setting
	FOR EACH ROW EXECUTE FUNCTION @extschema@.reference_row_changed();
ALTER TABLE @extschema@.setting ENABLE ALWAYS TRIGGER setting_changed;
COMMENT ON COLUMN @extschema@.setting.shipped IS
	'True while the row is as the extension shipped it; set to false by any change, so that pg_dump keeps the change.';

CREATE FUNCTION @extschema@.random_code() RETURNS text
AS 'MODULE_PATHNAME', 'por_partner_random_code'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.random_code() IS
	'Internal: 128 random bits from the server''s strong random source, as 32 hex digits: the code in invitation and offer URLs.';

CREATE TABLE @extschema@.trial_invitation (
	invitation_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE DEFAULT @extschema@.random_code()
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
	code text NOT NULL UNIQUE DEFAULT @extschema@.random_code()
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

-- Invitations and offers come from authorized subscription advisors (A4, A5),
-- and include delegated admin only from Cloud Essentials partners (D3, D5).
CREATE FUNCTION @extschema@.advisor_offer_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
	what text := CASE TG_TABLE_NAME WHEN 'trial_invitation' THEN 'trial invitations' ELSE 'purchase offers' END;
BEGIN
	SELECT * INTO p FROM @extschema@.partner WHERE partner_id = NEW.partner_id;
	IF NOT FOUND THEN
		RETURN NEW;				-- the foreign key reports it
	END IF;
	IF NOT p.subscription_advisor THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) may not create %', p.name, p.mpn_id, what
			USING ERRCODE = 'check_violation',
			      DETAIL = format('Only authorized subscription advisors create %s (rule %s).', what,
			                      CASE TG_TABLE_NAME WHEN 'trial_invitation' THEN 'A4' ELSE 'A5' END),
			      HINT = 'Set por_partner.partner.subscription_advisor once the partner is authorized.';
	END IF;
	IF NEW.include_delegated_admin AND NOT p.cloud_essentials THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) may not include delegated administration', p.name, p.mpn_id
			USING ERRCODE = 'check_violation',
			      DETAIL = 'Only partners enrolled in Cloud Essentials offer delegated admin (rules D3, D5).',
			      HINT = 'Leave include_delegated_admin false.';
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.advisor_offer_check() IS
	'Trigger: trial invitations and purchase offers come from authorized subscription advisors (A4, A5) and include delegated admin only from Cloud Essentials partners (D3, D5).';
CREATE TRIGGER trial_invitation_check BEFORE INSERT OR UPDATE ON @extschema@.trial_invitation
	FOR EACH ROW EXECUTE FUNCTION @extschema@.advisor_offer_check();
CREATE TRIGGER purchase_offer_check BEFORE INSERT OR UPDATE ON @extschema@.purchase_offer
	FOR EACH ROW EXECUTE FUNCTION @extschema@.advisor_offer_check();

CREATE FUNCTION @extschema@.invitation_url(kind text, code text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT rtrim(s.value, '/') || '/' || kind || '/' || code
	  FROM @extschema@.setting s WHERE s.name = 'invitation_url_base'
$$;
COMMENT ON FUNCTION @extschema@.invitation_url(text, text) IS
	'Internal: the URL of a trial invitation (kind ''trial'') or purchase offer (kind ''offer'').';

-- The code of a URL of the given kind, or a 22023 error for a malformed one.
CREATE FUNCTION @extschema@.invitation_code(url text, kind text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	m text[];
BEGIN
	IF num_nulls(url) > 0 THEN
		PERFORM @extschema@.require_arg(url, 'url');
	END IF;
	m := regexp_match(url, '^\s*https?://[^/\s]+(?:/[^\s?#]*)?/' || kind || '/([0-9a-fA-F]{32})/?(?:[?#]\S*)?\s*$');
	IF m IS NULL THEN
		RAISE EXCEPTION 'invalid % URL: "%"',
				CASE kind WHEN 'trial' THEN 'trial invitation' ELSE 'purchase offer' END, left(url, 200)
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = format('Use the URL as the partner sent it; it ends in /%s/ and a 32-digit code.', kind);
	END IF;
	RETURN lower(m[1]);
END $$;
COMMENT ON FUNCTION @extschema@.invitation_code(text, text) IS
	'Internal: extracts the code of a trial invitation or purchase offer URL.';

-- Grant delegated admin from an invitation or offer that included it (D5):
-- the customer accepting it accepts the offer.  A partner that has left
-- Cloud Essentials since gets nothing, and the caller is warned.
CREATE FUNCTION @extschema@.grant_included_delegated_admin(partner_id bigint, tenant_id bigint, source text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
	o bigint;
BEGIN
	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = grant_included_delegated_admin.partner_id;
	IF NOT p.cloud_essentials THEN
		RAISE WARNING 'delegated administration was not granted to partner "%" (MPN ID %)', p.name, p.mpn_id
			USING DETAIL = format('The %s included it, but the partner is no longer enrolled in Cloud Essentials (rule D3).', source);
		RETURN;
	END IF;
	IF @extschema@.is_delegated_admin(p.partner_id, tenant_id) THEN
		RETURN;
	END IF;
	o := @extschema@.offer_delegated_admin(p.partner_id, tenant_id, 'Included in the ' || source || '.');
	PERFORM @extschema@.answer_delegated_admin_offer(o, true);
END $$;
COMMENT ON FUNCTION @extschema@.grant_included_delegated_admin(bigint, bigint, text) IS
	'Internal: makes the partner the tenant''s delegated admin when an accepted invitation or offer included it (rule D5).';

CREATE FUNCTION @extschema@.create_trial_invitation(partner_id bigint, sku_code text,
	include_delegated_admin boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	c text;
BEGIN
	IF num_nulls(create_trial_invitation.partner_id, create_trial_invitation.sku_code, create_trial_invitation.include_delegated_admin) > 0 THEN
		PERFORM @extschema@.require_arg(create_trial_invitation.partner_id, 'partner_id'),
		        @extschema@.require_arg(create_trial_invitation.sku_code, 'sku_code'),
		        @extschema@.require_arg(create_trial_invitation.include_delegated_admin, 'include_delegated_admin');
	END IF;
	INSERT INTO @extschema@.trial_invitation (partner_id, sku_code, include_delegated_admin)
	VALUES (create_trial_invitation.partner_id, create_trial_invitation.sku_code,
	        create_trial_invitation.include_delegated_admin)
	RETURNING code INTO c;
	RETURN @extschema@.invitation_url('trial', c);
END $$;
COMMENT ON FUNCTION @extschema@.create_trial_invitation(bigint, text, boolean) IS
	'An authorized subscription advisor invites customers to a trial of one SKU (rule A4), optionally with delegated admin (rule D5).  Returns the invitation URL, whose code identifies the advisor.';

CREATE FUNCTION @extschema@.accept_trial_invitation(url text, organization_name text, country_code text,
	admin_first_name text, admin_last_name text, admin_email text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	i record;
	s record;
	new_tenant bigint;
	new_subscription bigint;
BEGIN
	SELECT * INTO i FROM @extschema@.trial_invitation t
	 WHERE t.code = @extschema@.invitation_code(accept_trial_invitation.url, 'trial');
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no trial invitation has this URL'
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Ask the partner for a new invitation.';
	END IF;
	SELECT * INTO s FROM @extschema@.sku sk WHERE sk.sku_code = i.sku_code;
	INSERT INTO @extschema@.tenant (organization_name, country_code, agreement, created_by,
	                                admin_first_name, admin_last_name, admin_email)
	VALUES (accept_trial_invitation.organization_name, accept_trial_invitation.country_code, s.agreement,
	        i.partner_id, accept_trial_invitation.admin_first_name, accept_trial_invitation.admin_last_name,
	        accept_trial_invitation.admin_email)
	RETURNING tenant_id INTO new_tenant;
	INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on,
	                                      partner_of_record, agreement)
	VALUES (new_tenant, s.sku_code, s.trial_seats, 'trial', current_date, (current_date + s.trial_term)::date,
	        i.partner_id, s.agreement)
	RETURNING subscription_id INTO new_subscription;
	IF i.include_delegated_admin THEN
		PERFORM @extschema@.grant_included_delegated_admin(i.partner_id, new_tenant, 'trial invitation');
	END IF;
	RETURN new_subscription;
END $$;
COMMENT ON FUNCTION @extschema@.accept_trial_invitation(text, text, text, text, text, text) IS
	'A customer accepts a trial invitation: its tenant and admin (licensed, rule C3) and a trial subscription with the SKU''s trial term, the advisor as partner of record, and delegated admin if included (rules A4, D5).  Returns the subscription_id.';

CREATE FUNCTION @extschema@.create_purchase_offer(partner_id bigint, lines jsonb,
	include_delegated_admin boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	o record;
	line jsonb;
	n int := 0;
BEGIN
	IF num_nulls(create_purchase_offer.partner_id, lines, create_purchase_offer.include_delegated_admin) > 0 THEN
		PERFORM @extschema@.require_arg(create_purchase_offer.partner_id, 'partner_id'),
		        @extschema@.require_arg(lines, 'lines'),
		        @extschema@.require_arg(create_purchase_offer.include_delegated_admin, 'include_delegated_admin');
	END IF;
	IF jsonb_typeof(lines) <> 'array' OR jsonb_array_length(lines) = 0 THEN
		RAISE EXCEPTION 'lines must be a non-empty JSON array'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass lines like [{"sku_code": "O365_MIDSIZE_BUSINESS", "licenses": 25}].';
	END IF;
	INSERT INTO @extschema@.purchase_offer (partner_id, include_delegated_admin)
	VALUES (create_purchase_offer.partner_id, create_purchase_offer.include_delegated_admin)
	RETURNING * INTO o;
	FOR line IN SELECT * FROM jsonb_array_elements(lines) LOOP
		n := n + 1;
		IF jsonb_typeof(line) <> 'object' OR jsonb_typeof(line -> 'sku_code') IS DISTINCT FROM 'string'
		   OR jsonb_typeof(line -> 'licenses') IS DISTINCT FROM 'number'
		   OR (line ->> 'licenses') !~ '^[0-9]{1,9}$' OR (line ->> 'licenses')::int = 0
		   OR (SELECT count(*) FROM jsonb_object_keys(line)) <> 2 THEN
			RAISE EXCEPTION 'line % of the purchase offer is malformed: %', n, left(line::text, 200)
				USING ERRCODE = 'invalid_parameter_value',
				      HINT = 'Each line is {"sku_code": "<SKU>", "licenses": <a whole number above 0>}.';
		END IF;
		INSERT INTO @extschema@.purchase_offer_line (purchase_offer_id, sku_code, licenses)
		VALUES (o.purchase_offer_id, line ->> 'sku_code', (line ->> 'licenses')::int);
	END LOOP;
	RETURN @extschema@.invitation_url('offer', o.code);
END $$;
COMMENT ON FUNCTION @extschema@.create_purchase_offer(bigint, jsonb, boolean) IS
	'An authorized subscription advisor offers services with license counts (rule A5), optionally with delegated admin (rule D5).  lines: [{"sku_code": ..., "licenses": ...}].  Returns the offer URL.';

CREATE FUNCTION @extschema@.accept_purchase_offer(url text, tenant_id bigint, licenses int DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	o record;
	l record;
	new_subscription bigint;
BEGIN
	IF num_nulls(accept_purchase_offer.tenant_id) > 0 THEN
		PERFORM @extschema@.require_arg(accept_purchase_offer.tenant_id, 'tenant_id');
	END IF;
	SELECT * INTO o FROM @extschema@.purchase_offer po
	 WHERE po.code = @extschema@.invitation_code(accept_purchase_offer.url, 'offer');
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no purchase offer has this URL'
			USING ERRCODE = 'foreign_key_violation',
			      HINT = 'Ask the partner for a new offer.';
	END IF;
	IF accept_purchase_offer.licenses IS NOT NULL AND accept_purchase_offer.licenses < 1 THEN
		RAISE EXCEPTION 'licenses must be at least 1, not %', accept_purchase_offer.licenses
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant t WHERE t.tenant_id = accept_purchase_offer.tenant_id) THEN
		RAISE EXCEPTION 'tenant % does not exist', accept_purchase_offer.tenant_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	FOR l IN SELECT pl.sku_code, pl.licenses, sk.term, sk.agreement
	           FROM @extschema@.purchase_offer_line pl JOIN @extschema@.sku sk USING (sku_code)
	          WHERE pl.purchase_offer_id = o.purchase_offer_id ORDER BY pl.sku_code LOOP
		INSERT INTO @extschema@.subscription (tenant_id, sku_code, seats, billing, starts_on, expires_on,
		                                      partner_of_record, agreement)
		VALUES (accept_purchase_offer.tenant_id, l.sku_code, coalesce(accept_purchase_offer.licenses, l.licenses),
		        'direct', current_date, (current_date + l.term)::date, o.partner_id, l.agreement)
		RETURNING subscription_id INTO new_subscription;
		RETURN NEXT new_subscription;
	END LOOP;
	IF o.include_delegated_admin THEN
		PERFORM @extschema@.grant_included_delegated_admin(o.partner_id, accept_purchase_offer.tenant_id, 'purchase offer');
	END IF;
END $$;
COMMENT ON FUNCTION @extschema@.accept_purchase_offer(text, bigint, int) IS
	'A customer buys what a purchase offer lists: one subscription a line, billed directly, for the SKU''s term, with licenses changed at purchase if given (rule A5), the advisor as partner of record, and delegated admin if included (rule D5).  Returns the new subscription_ids.';

--------------------------------------------------------------------------
-- Partner users and customer management (A1-A3)
--------------------------------------------------------------------------

CREATE TABLE @extschema@.partner_user (
	partner_user_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	partner_id bigint NOT NULL REFERENCES @extschema@.partner ON DELETE CASCADE,
	email text NOT NULL CONSTRAINT partner_user_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
	display_name text,
	company_role text CONSTRAINT partner_user_company_role_known CHECK (company_role IN
		('global_admin', 'billing_admin', 'user_admin', 'password_admin', 'service_admin')),
	customer_access text NOT NULL DEFAULT 'none'
		CONSTRAINT partner_user_customer_access_known CHECK (customer_access IN ('none', 'full', 'limited'))
);
CREATE UNIQUE INDEX partner_user_email_key ON @extschema@.partner_user (partner_id, lower(email));
COMMENT ON TABLE @extschema@.partner_user IS
	'People in a partner''s own company: an admin role there, and their access to the partner''s customers, full (Global admin) or limited (Password admin) (rule A2).';

-- Company information is changed only through update_partner_contact (A1):
-- the function marks the partner it edits in a backend-local flag (see
-- src/contact_edit.c) that no client can set.
CREATE FUNCTION @extschema@.contact_edit_begin(partner_id bigint) RETURNS void
AS 'MODULE_PATHNAME', 'por_partner_contact_edit_begin'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.contact_edit_begin(bigint) IS
	'Internal: marks the partner whose company information update_partner_contact() is changing (0: none); cleared at the end of the (sub)transaction.';
CREATE FUNCTION @extschema@.contact_edit_partner() RETURNS bigint
AS 'MODULE_PATHNAME', 'por_partner_contact_edit_partner'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.contact_edit_partner() IS
	'Internal: the partner whose company information update_partner_contact() is changing in this backend, or 0.';

CREATE FUNCTION @extschema@.partner_contact_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF (NEW.email, NEW.phone, NEW.address) IS DISTINCT FROM (OLD.email, OLD.phone, OLD.address)
	   AND @extschema@.contact_edit_partner() <> NEW.partner_id THEN
		RAISE EXCEPTION 'the company information of partner % is changed by its global admins', NEW.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Phone, e-mail and address are shown to customers; a partner user with the global_admin role edits them (rule A1).',
			      HINT = 'Use por_partner.update_partner_contact().';
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION @extschema@.partner_contact_check() IS
	'Trigger: a partner''s phone, e-mail and address change only through update_partner_contact() (rule A1).';
CREATE TRIGGER partner_contact_check BEFORE UPDATE OF email, phone, address ON @extschema@.partner
	FOR EACH ROW EXECUTE FUNCTION @extschema@.partner_contact_check();

CREATE FUNCTION @extschema@.update_partner_contact(partner_user_id bigint, email text, phone text, address text)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	u record;
BEGIN
	IF num_nulls(update_partner_contact.partner_user_id) > 0 THEN
		PERFORM @extschema@.require_arg(update_partner_contact.partner_user_id, 'partner_user_id');
	END IF;
	SELECT * INTO u FROM @extschema@.partner_user pu WHERE pu.partner_user_id = update_partner_contact.partner_user_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner user % does not exist', update_partner_contact.partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF u.company_role IS DISTINCT FROM 'global_admin' THEN
		RAISE EXCEPTION 'partner user % (%) may not change the company information', u.partner_user_id, u.email
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Only the partner''s global admins edit its phone, e-mail and address (rule A1).',
			      HINT = 'Ask a global admin of your company.';
	END IF;
	IF update_partner_contact.email IS NOT NULL AND update_partner_contact.email !~ '^[^@\s]+@[^@\s]+$' THEN
		RAISE EXCEPTION 'invalid e-mail address: "%"', left(update_partner_contact.email, 200)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM @extschema@.contact_edit_begin(u.partner_id);
	UPDATE @extschema@.partner p
	   SET email = update_partner_contact.email, phone = update_partner_contact.phone,
	       address = update_partner_contact.address
	 WHERE p.partner_id = u.partner_id;
	PERFORM @extschema@.contact_edit_begin(0);
END $$;
COMMENT ON FUNCTION @extschema@.update_partner_contact(bigint, text, text, text) IS
	'A partner user with the global_admin role sets the company''s e-mail, phone and address (rule A1).';

-- The partner's customers: tenants it created, administers as delegated admin
-- or is partner of record for.
CREATE FUNCTION @extschema@.partner_customer_count(partner_id bigint) RETURNS bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT count(*) FROM (
		SELECT t.tenant_id FROM @extschema@.tenant t WHERE t.created_by = $1
		UNION
		SELECT d.tenant_id FROM @extschema@.delegated_admin d WHERE d.partner_id = $1
		UNION
		SELECT s.tenant_id FROM @extschema@.subscription s WHERE s.partner_of_record = $1
	) AS c
$$;
COMMENT ON FUNCTION @extschema@.partner_customer_count(bigint) IS
	'The number of a partner''s customers: tenants it created, administers as delegated admin or is partner of record for.';

CREATE FUNCTION @extschema@.customer_management_view(partner_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	p record;
BEGIN
	IF num_nulls(customer_management_view.partner_id) > 0 THEN
		PERFORM @extschema@.require_arg(customer_management_view.partner_id, 'partner_id');
	END IF;
	SELECT * INTO p FROM @extschema@.partner pa WHERE pa.partner_id = customer_management_view.partner_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'partner % does not exist', customer_management_view.partner_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NOT (p.cloud_essentials OR p.service_provider) THEN
		RAISE EXCEPTION 'partner "%" (MPN ID %) may not manage customers', p.name, p.mpn_id
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'Managing customers is open to partners authorized to offer delegated admin and to authorized service providers (rule A3).';
	END IF;
	RETURN CASE WHEN @extschema@.partner_customer_count(p.partner_id) < 100
	            THEN 'manage_customers' ELSE 'find_and_help_customers' END;
END $$;
COMMENT ON FUNCTION @extschema@.customer_management_view(bigint) IS
	'The customer management page a partner uses (rule A3): manage_customers below 100 customers, find_and_help_customers from 100; an error (42501) for a partner allowed neither.';

CREATE FUNCTION @extschema@.partner_can(partner_user_id bigint, tenant_id bigint, action text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	found_user boolean;
	allowed boolean;
BEGIN
	IF num_nulls(partner_user_id, tenant_id, action) > 0 THEN
		PERFORM @extschema@.require_arg(partner_user_id, 'partner_user_id'),
		        @extschema@.require_arg(tenant_id, 'tenant_id'),
		        @extschema@.require_arg(action, 'action');
	END IF;
	IF action NOT IN ('reset_password', 'manage_users', 'manage_licenses', 'manage_subscriptions',
	                  'manage_domains', 'service_requests') THEN
		RAISE EXCEPTION 'unknown action "%"', left(action, 100)
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Actions: reset_password, manage_users, manage_licenses, manage_subscriptions, manage_domains, service_requests.';
	END IF;
	SELECT true,
	       d.partner_id IS NOT NULL
	       AND (p.cloud_essentials OR p.service_provider)
	       AND (u.customer_access = 'full' OR (u.customer_access = 'limited' AND action = 'reset_password'))
	  INTO found_user, allowed
	  FROM @extschema@.partner_user u
	  JOIN @extschema@.partner p ON p.partner_id = u.partner_id
	  LEFT JOIN @extschema@.delegated_admin d ON d.partner_id = u.partner_id AND d.tenant_id = partner_can.tenant_id
	 WHERE u.partner_user_id = partner_can.partner_user_id;
	IF found_user IS NULL THEN
		RAISE EXCEPTION 'partner user % does not exist', partner_user_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN allowed;
END $$;
COMMENT ON FUNCTION @extschema@.partner_can(bigint, bigint, text) IS
	'True when the partner user may do the action in the customer''s tenant: its partner is the tenant''s delegated admin (D1, D2) and may manage customers (A3), and the user''s access covers the action: limited covers reset_password alone, full covers every action (A2, D6).';

REVOKE ALL ON FUNCTION
	@extschema@.delegated_admin_offer_check(), @extschema@.delegated_admin_check(),
	@extschema@.delegated_admin_removed(),
	@extschema@.partner_flags_changed(), @extschema@.subscription_por_check(),
	@extschema@.advisor_offer_check(), @extschema@.partner_contact_check(),
	@extschema@.contact_edit_begin(bigint),
	@extschema@.random_code(), @extschema@.invitation_url(text, text), @extschema@.invitation_code(text, text),
	@extschema@.grant_included_delegated_admin(bigint, bigint, text),
	@extschema@.answer_delegated_admin_offer(bigint, boolean),
	@extschema@.offer_delegated_admin(bigint, bigint, text),
	@extschema@.accept_delegated_admin_offer(bigint), @extschema@.decline_delegated_admin_offer(bigint),
	@extschema@.remove_delegated_admin(bigint, bigint),
	@extschema@.set_partner_of_record(bigint, text), @extschema@.clear_partner_of_record(bigint),
	@extschema@.create_trial_invitation(bigint, text, boolean),
	@extschema@.accept_trial_invitation(text, text, text, text, text, text),
	@extschema@.create_purchase_offer(bigint, jsonb, boolean),
	@extschema@.accept_purchase_offer(text, bigint, int),
	@extschema@.update_partner_contact(bigint, text, text, text)
FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.delegated_admin_offer', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.delegated_admin', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trial_invitation', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.purchase_offer', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.purchase_offer_line', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.partner_user', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.setting', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.delegated_admin_offer', 'offer_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.trial_invitation', 'invitation_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.purchase_offer', 'purchase_offer_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.partner_user', 'partner_user_id'), '');

--------------------------------------------------------------------------
-- The subscription lifecycle (R1-R6)
--------------------------------------------------------------------------

CREATE TYPE @extschema@.subscription_phase AS ENUM ('active', 'expired', 'disabled', 'deprovisioned');
COMMENT ON TYPE @extschema@.subscription_phase IS
	'Where a subscription stands on a day: active before expires_on; expired 0-29 days after it (still usable, R5); disabled 30-119 days after (admins only, data kept, R6); deprovisioned from day 120 (data deleted).';

CREATE FUNCTION @extschema@.subscription_phase(expires_on date, as_of date DEFAULT current_date)
RETURNS @extschema@.subscription_phase
AS 'MODULE_PATHNAME', 'por_partner_subscription_phase'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.subscription_phase(date, date) IS
	'The phase of a subscription whose term ends on expires_on (the first day it no longer covers), as of a day (default today): active, expired (days 0-29, rule R5), disabled (30-119, rule R6) or deprovisioned (120 on).  Infinite dates: expires_on = infinity is always active, -infinity always deprovisioned.';

CREATE FUNCTION @extschema@.subscription_phase(s @extschema@.subscription, as_of date DEFAULT current_date)
RETURNS @extschema@.subscription_phase
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT @extschema@.subscription_phase(s.expires_on, as_of) $$;
COMMENT ON FUNCTION @extschema@.subscription_phase(@extschema@.subscription, date) IS
	'The phase of a subscription row as of a day (default today): SELECT subscription_phase(s) FROM por_partner.subscription s.';

CREATE INDEX subscription_expires_on_idx ON @extschema@.subscription (expires_on);

-- Renewal notices (R1, P3, P4)

CREATE TABLE @extschema@.renewal_notice_schedule (
	days_before int PRIMARY KEY CONSTRAINT renewal_notice_schedule_positive CHECK (days_before > 0),
	shipped boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.renewal_notice_schedule IS
	'How many days before expires_on renewal notices go out (rule R1): 60, 30, 7 and 1 as shipped; an operator may change the rows.';
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

-- The schedule's shipped rows survive pg_dump like country's (see above).
CREATE TRIGGER renewal_notice_schedule_changed BEFORE INSERT OR UPDATE ON @extschema@.renewal_notice_schedule
	FOR EACH ROW EXECUTE FUNCTION @extschema@.reference_row_changed();
ALTER TABLE @extschema@.renewal_notice_schedule ENABLE ALWAYS TRIGGER renewal_notice_schedule_changed;

CREATE FUNCTION @extschema@.renewal_notices_due(as_of date DEFAULT current_date)
RETURNS TABLE (subscription_id bigint, tenant_id bigint, recipient text, partner_id bigint,
               days_before int, expires_on date)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	-- subscriptions active at as_of whose first notice date has come: an
	-- index range scan on expires_on, whatever the size of the table
	WITH horizon AS (SELECT max(days_before) AS days FROM @extschema@.renewal_notice_schedule),
	candidate AS (
		SELECT s.subscription_id, s.tenant_id, s.expires_on, s.partner_of_record,
		       -- the latest notice whose send date (expires_on - days_before) has come
		       (SELECT min(r.days_before) FROM @extschema@.renewal_notice_schedule r
		         WHERE r.days_before >= s.expires_on - as_of) AS days_before
		  FROM @extschema@.subscription s, horizon h
		 WHERE s.expires_on > as_of
		   AND s.expires_on <= as_of + h.days
		   AND s.starts_on <= as_of
	)
	SELECT c.subscription_id, c.tenant_id, w.recipient, w.partner_id, c.days_before, c.expires_on
	  FROM candidate c
	  CROSS JOIN LATERAL (
		SELECT 'customer'::text AS recipient, NULL::bigint AS partner_id
		UNION ALL
		SELECT 'partner', p.partner_id FROM @extschema@.partner p
		 WHERE p.partner_id = c.partner_of_record AND p.cloud_essentials
	  ) AS w
	 WHERE NOT EXISTS (SELECT 1 FROM @extschema@.renewal_notice n
	                    WHERE n.subscription_id = c.subscription_id AND n.expires_on = c.expires_on
	                      AND n.recipient = w.recipient AND n.days_before = c.days_before)
$$;
COMMENT ON FUNCTION @extschema@.renewal_notices_due(date) IS
	'The renewal notices due on a day (default today) (rules R1, P3, P4): for every subscription active then, to the customer and to its partner of record while that partner''s benefits are active, the notice of the smallest days_before whose send date has come, unless sent already for this term.  A job that missed days catches up with the latest notice only.';

CREATE FUNCTION @extschema@.send_renewal_notices(as_of date DEFAULT current_date)
RETURNS SETOF @extschema@.renewal_notice
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	n @extschema@.renewal_notice;
BEGIN
	IF as_of IS NULL THEN
		PERFORM @extschema@.require_arg(as_of, 'as_of');
	END IF;
	-- ON CONFLICT: a concurrent run that recorded a notice first wins, and
	-- this one neither records nor announces it again
	FOR n IN
		INSERT INTO @extschema@.renewal_notice (subscription_id, tenant_id, expires_on, recipient, partner_id,
		                                        days_before, sent_on)
		SELECT d.subscription_id, d.tenant_id, d.expires_on, d.recipient, d.partner_id, d.days_before, as_of
		  FROM @extschema@.renewal_notices_due(as_of) AS d
		 ORDER BY d.subscription_id, d.recipient
		ON CONFLICT (subscription_id, expires_on, recipient, days_before) DO NOTHING
		RETURNING *
	LOOP
		PERFORM pg_notify('por_partner_renewal_notice',
		                  json_build_object('notice_id', n.notice_id, 'subscription_id', n.subscription_id,
		                                    'tenant_id', n.tenant_id, 'recipient', n.recipient,
		                                    'partner_id', n.partner_id, 'days_before', n.days_before,
		                                    'expires_on', n.expires_on, 'sent_on', n.sent_on)::text);
		RETURN NEXT n;
	END LOOP;
END $$;
COMMENT ON FUNCTION @extschema@.send_renewal_notices(date) IS
	'Records the renewal notices due on a day (default today) in renewal_notice, sends one NOTIFY por_partner_renewal_notice with a JSON payload for each, and returns them.  Each notice is recorded and announced once, however often or concurrently it runs (rules R1, P4).';

-- Renewals (R3-R6)

CREATE FUNCTION @extschema@.renew_subscription(subscription_id bigint, keys @extschema@.product_key[],
	as_of date DEFAULT current_date)
RETURNS date
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s record;
	cards record;
	term interval;
	phase @extschema@.subscription_phase;
	new_start date;
	new_end date;
BEGIN
	IF num_nulls(renew_subscription.subscription_id, renew_subscription.as_of) > 0 THEN
		PERFORM @extschema@.require_arg(renew_subscription.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(renew_subscription.as_of, 'as_of');
	END IF;
	SELECT * INTO s FROM @extschema@.subscription su
	 WHERE su.subscription_id = renew_subscription.subscription_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', renew_subscription.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF s.billing <> 'product_key' THEN
		RAISE EXCEPTION 'subscription % is billed %, not by product key', s.subscription_id,
				CASE s.billing WHEN 'direct' THEN 'directly' ELSE 'as a trial' END
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Product keys renew subscriptions set up with product keys.';
	END IF;
	phase := @extschema@.subscription_phase(s.expires_on, renew_subscription.as_of);
	IF phase = 'deprovisioned' THEN
		RAISE EXCEPTION 'subscription % is deprovisioned and cannot be renewed', s.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than 120 days before %s; its data is gone (rule R6).', s.expires_on, renew_subscription.as_of),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	cards := @extschema@.lock_key_cards(keys);
	IF cards.licenses < s.seats THEN
		RAISE EXCEPTION 'the keys carry % licenses, but subscription % has % seats', cards.licenses,
				s.subscription_id, s.seats
			USING ERRCODE = 'check_violation',
			      DETAIL = 'A renewal covers every seat of the subscription (rule R3).',
			      HINT = 'Add keys, or remove seats first.';
	END IF;
	SELECT sk.term INTO term FROM @extschema@.sku sk WHERE sk.sku_code = s.sku_code;
	-- active or expired: the new term follows the old one; disabled: it is a
	-- reactivation and starts on the day of renewal (R5, R6)
	new_start := CASE WHEN phase = 'disabled' THEN renew_subscription.as_of ELSE s.expires_on END;
	new_end := (new_start + term)::date;
	UPDATE @extschema@.key_card c
	   SET redeemed_at = now(), subscription_id = s.subscription_id, redeemed_as = 'renew'
	 WHERE c.product_key = ANY (keys);
	UPDATE @extschema@.subscription su SET starts_on = new_start, expires_on = new_end
	 WHERE su.subscription_id = s.subscription_id;
	RETURN new_end;
END $$;
COMMENT ON FUNCTION @extschema@.renew_subscription(bigint, @extschema@.product_key[], date) IS
	'Renews a subscription with product keys of its SKU covering all its seats (rule R3), as of a day (default today).  Active or expired: the new term follows the old without a gap; disabled: a reactivation, the term starts that day (rules R5, R6); deprovisioned: an error.  Returns the new expires_on.';

CREATE FUNCTION @extschema@.renew_with_direct_billing(subscription_id bigint, as_of date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
#variable_conflict use_column
DECLARE
	s record;
	term interval;
	new_subscription bigint;
BEGIN
	IF num_nulls(renew_with_direct_billing.subscription_id, renew_with_direct_billing.as_of) > 0 THEN
		PERFORM @extschema@.require_arg(renew_with_direct_billing.subscription_id, 'subscription_id'),
		        @extschema@.require_arg(renew_with_direct_billing.as_of, 'as_of');
	END IF;
	SELECT * INTO s FROM @extschema@.subscription su
	 WHERE su.subscription_id = renew_with_direct_billing.subscription_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'subscription % does not exist', renew_with_direct_billing.subscription_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF @extschema@.subscription_phase(s.expires_on, renew_with_direct_billing.as_of) = 'deprovisioned' THEN
		RAISE EXCEPTION 'subscription % is deprovisioned and cannot be renewed', s.subscription_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('It expired on %s, more than 120 days before %s; its data is gone (rule R6).', s.expires_on, renew_with_direct_billing.as_of),
			      HINT = 'Set the customer up with a new subscription.';
	END IF;
	IF s.expires_on - renew_with_direct_billing.as_of > 7 THEN
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
	RETURN new_subscription;
END $$;
COMMENT ON FUNCTION @extschema@.renew_with_direct_billing(bigint, date) IS
	'Switches a customer to direct billing (rules R3, R4): a new subscription billed directly starts that day (default today) with the same tenant, SKU, seats, partner of record and licensed users, and the old one ends that day; a WARNING says when more than 7 days of the old term are lost.  Returns the new subscription_id.';

CREATE FUNCTION @extschema@.purge_deprovisioned(as_of date DEFAULT current_date)
RETURNS int
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	subs bigint[];
	tenants bigint[];
BEGIN
	IF as_of IS NULL THEN
		PERFORM @extschema@.require_arg(as_of, 'as_of');
	END IF;
	-- subscriptions past day 120 at as_of that still hold data: licenses, or
	-- users of a tenant left with no subscription inside 120 days
	SELECT coalesce(array_agg(s.subscription_id), '{}'), coalesce(array_agg(DISTINCT s.tenant_id), '{}')
	  INTO subs, tenants
	  FROM @extschema@.subscription s
	 WHERE s.expires_on <= as_of - 120
	   AND (s.licensed_users > 0
	        OR (EXISTS (SELECT 1 FROM @extschema@.tenant_user u WHERE u.tenant_id = s.tenant_id)
	            AND NOT EXISTS (SELECT 1 FROM @extschema@.subscription o
	                             WHERE o.tenant_id = s.tenant_id AND o.expires_on > as_of - 120)));
	DELETE FROM @extschema@.license l WHERE l.subscription_id = ANY (subs);
	DELETE FROM @extschema@.tenant_user u
	 WHERE u.tenant_id = ANY (tenants)
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.subscription o
	                    WHERE o.tenant_id = u.tenant_id AND o.expires_on > as_of - 120);
	RETURN cardinality(subs);
END $$;
COMMENT ON FUNCTION @extschema@.purge_deprovisioned(date) IS
	'Deletes the data of subscriptions past day 120 on a day (default today): their licenses, and the users of a tenant left with no subscription inside 120 days; the subscription rows stay as history (rule R6).  Returns how many subscriptions had data deleted.';

-- For BI tools (R2)

CREATE VIEW @extschema@.subscription_overview AS
SELECT s.subscription_id, s.tenant_id, t.organization_name, t.country_code, s.sku_code, s.seats,
       s.licensed_users, s.billing, s.starts_on, s.expires_on,
       @extschema@.subscription_phase(s.expires_on, current_date) AS phase,
       s.expires_on - current_date AS days_to_expiry,
       p.mpn_id AS partner_of_record_mpn_id,
       (SELECT min(s.expires_on - r.days_before) FROM @extschema@.renewal_notice_schedule r
         WHERE s.expires_on - r.days_before >= current_date) AS next_notice_on
  FROM @extschema@.subscription s
  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
  LEFT JOIN @extschema@.partner p ON p.partner_id = s.partner_of_record;
COMMENT ON VIEW @extschema@.subscription_overview IS
	'Every subscription with its customer, SKU, seats, licensed users, term, phase and days to expiry today, partner of record (MPN ID) and the date of its next renewal notice (rule R2).  Column names are stable.';

CREATE FUNCTION @extschema@.expiring_subscriptions(within_days int, as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, mpn_id text, subscription_id bigint, tenant_id bigint,
               organization_name text, sku_code text, seats int, billing text, expires_on date,
               days_left int, phase @extschema@.subscription_phase)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, @extschema@, pg_temp AS $$
	SELECT p.partner_id, p.mpn_id, s.subscription_id, s.tenant_id, t.organization_name, s.sku_code,
	       s.seats, s.billing, s.expires_on, s.expires_on - as_of,
	       @extschema@.subscription_phase(s.expires_on, as_of)
	  FROM @extschema@.subscription s
	  JOIN @extschema@.tenant t ON t.tenant_id = s.tenant_id
	  JOIN @extschema@.partner p ON p.partner_id = coalesce(s.partner_of_record, t.created_by)
	 WHERE s.expires_on > as_of AND s.expires_on <= as_of + within_days
	 ORDER BY p.partner_id, s.expires_on, s.subscription_id
$$;
COMMENT ON FUNCTION @extschema@.expiring_subscriptions(int, date) IS
	'Subscriptions still active on a day (default today) that expire within the given number of days, per partner (the partner of record, else the partner who set the customer up), soonest first (rule R2).';

REVOKE ALL ON FUNCTION
	@extschema@.send_renewal_notices(date),
	@extschema@.renew_subscription(bigint, @extschema@.product_key[], date),
	@extschema@.renew_with_direct_billing(bigint, date),
	@extschema@.purge_deprovisioned(date)
FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.renewal_notice_schedule', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.renewal_notice', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.renewal_notice', 'notice_id'), '');
