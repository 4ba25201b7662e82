/* sql/95_audit/schema.sql: the audit trail */

CREATE TABLE @extschema@.audit_log (
	audit_id bigint GENERATED ALWAYS AS IDENTITY,
	at timestamptz NOT NULL DEFAULT now(),
	actor text NOT NULL,
	actor_partner_id bigint,
	table_name text NOT NULL,
	operation text NOT NULL CONSTRAINT audit_log_operation_known CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
	row_key jsonb NOT NULL,
	old_row jsonb,
	new_row jsonb,
	transaction_id bigint NOT NULL DEFAULT txid_current(),
	PRIMARY KEY (audit_id, at)
) PARTITION BY RANGE (at);

-- a month a partition, made ahead by audit_maintain() (the daily job); a row
-- of a month that has none yet waits here until it is made
CREATE TABLE @extschema@.audit_log_default PARTITION OF @extschema@.audit_log DEFAULT;

CREATE INDEX audit_log_row_idx ON @extschema@.audit_log (table_name, row_key);

CREATE INDEX audit_log_actor_partner_idx ON @extschema@.audit_log (actor_partner_id);

COMMENT ON TABLE @extschema@.audit_log_default IS
	'The audit rows of months that have no partition of their own yet (audit_maintain() moves them into one).';

COMMENT ON TABLE @extschema@.audit_log IS
	'Who (role, and the partner it acts for) did what, and when, to partners, logins, key cards, subscriptions, delegated admin offers and relationships, invitations and purchase offers.  Written by triggers, whatever the client; only operators may change or delete rows.  Partitioned by month (UTC) of at; audit_maintain() makes the partitions ahead and drops those older than setting audit_retention_months (24).';

COMMENT ON COLUMN @extschema@.audit_log.actor IS 'The calling role (the login, or the role chosen with SET ROLE), also inside functions.';

COMMENT ON COLUMN @extschema@.audit_log.actor_partner_id IS 'The partner the calling role acts for (partner_login); null for operators.';

COMMENT ON COLUMN @extschema@.audit_log.row_key IS 'The primary key of the row, as a JSON object.';
