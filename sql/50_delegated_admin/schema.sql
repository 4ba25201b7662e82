/* sql/50_delegated_admin/schema.sql: delegated administration: offers and relationships (rules D1-D6) */

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

-- the documented maxima of text a caller sends: text_limit()'s, written out
-- (no function call on every row); z_bad_input.sql holds the two to each other
ALTER TABLE @extschema@.delegated_admin_offer ADD CONSTRAINT delegated_admin_offer_message_length
	CHECK (length(message) <= 2000);

-- at most one pending offer from a partner to a tenant (the trigger says so
-- first, with a DETAIL; this index holds it against concurrent offers)
CREATE UNIQUE INDEX delegated_admin_offer_pending_key ON @extschema@.delegated_admin_offer (partner_id, tenant_id)
	WHERE status = 'pending';
