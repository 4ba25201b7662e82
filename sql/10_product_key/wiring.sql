/* sql/10_product_key/wiring.sql: privileges of the product_key type's functions */

-- Privileges
-- The support functions PostgreSQL calls itself, by the type and its
-- operator classes, without a privilege check: input and output, binary
-- receive and send, the B-tree comparison and sort support, the hashes.
-- Nobody calls them by name, so nobody but operators is given them, and a
-- BI tool that lists what its login may execute does not list them.  The
-- operators' functions (=, <, ...), the casts and product_key_is_valid,
-- product_key_mask stay anyone's: using an operator or a cast checks the
-- privilege on its function.
REVOKE ALL ON FUNCTION
	@extschema@.product_key_in(cstring), @extschema@.product_key_out(@extschema@.product_key),
	@extschema@.product_key_recv(internal), @extschema@.product_key_send(@extschema@.product_key),
	@extschema@.product_key_cmp(@extschema@.product_key, @extschema@.product_key),
	@extschema@.product_key_sortsupport(internal), @extschema@.product_key_hash(@extschema@.product_key),
	@extschema@.product_key_hash_extended(@extschema@.product_key, bigint)
FROM PUBLIC;
