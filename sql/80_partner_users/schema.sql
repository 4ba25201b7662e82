/* sql/80_partner_users/schema.sql: partner users (rule A2) */

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

-- the documented maxima of text a caller sends: text_limit()'s, written out
-- (no function call on every row); z_bad_input.sql holds the two to each other
ALTER TABLE @extschema@.partner_user ADD CONSTRAINT partner_user_email_length
	CHECK (length(email) <= 254);
ALTER TABLE @extschema@.partner_user ADD CONSTRAINT partner_user_display_name_length
	CHECK (length(display_name) <= 200);
