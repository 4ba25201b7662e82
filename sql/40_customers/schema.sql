/* sql/40_customers/schema.sql: tenants, their users, subscriptions, licenses and key cards (rules K2-K6, C1-C5, A6) */

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
	superseded_by bigint REFERENCES @extschema@.subscription,
	CONSTRAINT subscription_term_not_empty CHECK (expires_on > starts_on),
	CONSTRAINT subscription_seats_not_exceeded CHECK (licensed_users BETWEEN 0 AND seats)
);

CREATE INDEX subscription_tenant_idx ON @extschema@.subscription (tenant_id);

-- One paid path at a time (rules R3, R4): the paid terms of one product of a
-- tenant never overlap, whoever writes the rows; trials aside.  Held by
-- trigger subscription_check, which takes the tenant's row lock and looks
-- by subscription_tenant_idx (an exclusion constraint's GiST index would
-- cost 125 bytes a subscription).

-- A tenant takes at most one trial of a product (rule A4).
CREATE UNIQUE INDEX subscription_one_trial_idx ON @extschema@.subscription (tenant_id, sku_code)
	WHERE billing = 'trial';

-- two thirds of subscriptions have no partner of record: not indexed
CREATE INDEX subscription_partner_of_record_idx ON @extschema@.subscription (partner_of_record)
	WHERE partner_of_record IS NOT NULL;

COMMENT ON TABLE @extschema@.subscription IS
	'Customers'' subscriptions; the term is half-open, [starts_on, expires_on).  Creating one licenses the tenant''s admin when a seat is free (rule C3).';

COMMENT ON COLUMN @extschema@.subscription.seats IS 'Licenses bought: the most users that may be licensed (rule C5).';

COMMENT ON COLUMN @extschema@.subscription.licensed_users IS
	'Users licensed now; kept by the license triggers, never above seats (rule C5).';

COMMENT ON COLUMN @extschema@.subscription.expires_on IS 'The first day the term no longer covers.';

COMMENT ON COLUMN @extschema@.subscription.superseded_by IS
	'The subscription that took this one over: the direct subscription of a switch to direct billing (rules R3, R4), or the purchase that converted a trial (rule A4).  A superseded subscription is neither renewed nor given seats or licenses.';

COMMENT ON COLUMN @extschema@.subscription.agreement IS 'The agreement that applies to this subscription, from its SKU (rule C4).';

CREATE TABLE @extschema@.license (
	subscription_id bigint NOT NULL,
	user_id bigint NOT NULL,
	tenant_id bigint NOT NULL,
	assigned_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (subscription_id, user_id),
	FOREIGN KEY (subscription_id) REFERENCES @extschema@.subscription ON DELETE CASCADE,
	FOREIGN KEY (user_id, tenant_id)
		REFERENCES @extschema@.tenant_user (user_id, tenant_id) ON DELETE CASCADE
);

CREATE INDEX license_user_idx ON @extschema@.license (user_id);

COMMENT ON TABLE @extschema@.license IS
	'A user''s license on a subscription of the same tenant; at most one each, never more than the seats (rule C5).  tenant_id is the subscription''s, set by the license trigger (a subscription never changes tenant), and the user''s, by the foreign key to tenant_user.';

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

-- the documented maxima of text a caller sends: text_limit()'s, written out
-- (no function call on every row); z_bad_input.sql holds the two to each other
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_organization_name_length
	CHECK (length(organization_name) <= 256);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_first_name_length
	CHECK (length(admin_first_name) <= 100);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_last_name_length
	CHECK (length(admin_last_name) <= 100);
ALTER TABLE @extschema@.tenant ADD CONSTRAINT tenant_admin_email_length
	CHECK (length(admin_email) <= 254);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_first_name_length
	CHECK (length(first_name) <= 100);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_last_name_length
	CHECK (length(last_name) <= 100);
ALTER TABLE @extschema@.tenant_user ADD CONSTRAINT tenant_user_email_length
	CHECK (length(email) <= 254);
