/* sql/95_audit/schema.sql: the audit trail */

CREATE TABLE @extschema@.audit_log (
	audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor name NOT NULL,
	actor_partner_id bigint,
	table_name text NOT NULL,
	operation text NOT NULL CONSTRAINT audit_log_operation_known CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
	row_key jsonb NOT NULL,
	old_row jsonb,
	new_row jsonb,
	transaction_id bigint NOT NULL DEFAULT txid_current()
);

CREATE INDEX audit_log_row_idx ON @extschema@.audit_log (table_name, row_key);

CREATE INDEX audit_log_actor_partner_idx ON @extschema@.audit_log (actor_partner_id);

COMMENT ON TABLE @extschema@.audit_log IS
	'Who (role, and the partner it acts for) did what, and when, to partners, logins, key cards, subscriptions, delegated admin offers and relationships, invitations and purchase offers.  Written by triggers, whatever the client; only operators may change or delete rows.';

COMMENT ON COLUMN @extschema@.audit_log.actor IS 'The calling role (the login, or the role chosen with SET ROLE), also inside functions.';

COMMENT ON COLUMN @extschema@.audit_log.actor_partner_id IS 'The partner the calling role acts for (partner_login); null for operators.';

COMMENT ON COLUMN @extschema@.audit_log.row_key IS 'The primary key of the row, as a JSON object.';
