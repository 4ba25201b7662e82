/* sql/10_product_key/schema.sql: the product_key type (rule K1): storage, I/O, comparison, operator classes, casts */

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
