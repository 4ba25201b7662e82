/* sql/10_product_key/code.sql: product_key functions beyond the type: validity test and masking */

CREATE OR REPLACE FUNCTION @extschema@.product_key_is_valid(text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'product_key_is_valid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.product_key_is_valid(text) IS
	'True when the text is a well-formed product key (rule K1); never raises an error.';

CREATE OR REPLACE FUNCTION @extschema@.product_key_mask(@extschema@.product_key)
RETURNS text
AS 'MODULE_PATHNAME', 'product_key_mask'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.product_key_mask(@extschema@.product_key) IS
	'The key as the admin center shows it: XXXXX-XXXXX-XXXXX-XXXXX- followed by the last group.';
