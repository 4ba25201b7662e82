/* sql/95_audit/schema.sql: the audit trail */

/*
 * One row a change, as small as the change (issue 13): who, when, which row
 * (its table as a one-letter code, its key as text) and, of the row itself,
 * only what the live row and the later changes do not tell: nothing for an
 * INSERT, the old values of the columns it changed for an UPDATE, the whole
 * row for a DELETE (reverse deltas).  View audit_log rebuilds from these the
 * row before and after every change (audit_after()).
 */
CREATE TABLE @extschema@.audit_change (
	audit_id bigint GENERATED ALWAYS AS IDENTITY,
	at timestamptz NOT NULL DEFAULT now(),
	transaction_id bigint NOT NULL DEFAULT txid_current(),
	actor_partner_id bigint,
	table_code "char" NOT NULL,
	operation "char" NOT NULL CONSTRAINT audit_change_operation_known CHECK (operation IN ('I', 'U', 'D')),
	actor text NOT NULL,
	row_key text COLLATE "C" NOT NULL,
	old_values jsonb
) PARTITION BY RANGE (at);

/*
 * No primary key (issue 13: at most 400 bytes a subscription created, and a
 * unique btree of (audit_id, at), which a partitioned table's key must be,
 * took 63 of them): audit_id is unique by its identity (GENERATED ALWAYS; the
 * trigger writes the rows, operators may delete them and UPDATE may set it
 * only to DEFAULT, a new value), and it grows with at, so that a block range
 * index finds an id or a time window in a few pages.  Logical replication
 * identifies a deleted or moved row by all its columns (REPLICA IDENTITY
 * FULL; audit_maintain() sets it on every partition it makes).
 */
ALTER TABLE @extschema@.audit_change REPLICA IDENTITY FULL;

-- a month a partition, made ahead by audit_maintain() (the daily job); a row
-- of a month that has none yet waits here until it is made
CREATE TABLE @extschema@.audit_change_default PARTITION OF @extschema@.audit_change DEFAULT;
ALTER TABLE @extschema@.audit_change_default REPLICA IDENTITY FULL;
-- rows wait here only until their month's partition is made, but all of an
-- update's history from 0.3.0 does, until retention deletes it: a key of its
-- own, by which a logical replication subscriber finds each row the move and
-- the retention delete (one scan of the partition a row without it)
ALTER TABLE @extschema@.audit_change_default ADD CONSTRAINT audit_change_default_pkey PRIMARY KEY (audit_id);

-- ids and time windows: a summary a range of 128 pages, summarized as the
-- ranges fill (autosummarize)
CREATE INDEX audit_change_at_idx ON @extschema@.audit_change USING brin (audit_id, at) WITH (autosummarize = on);

-- a row's changes: its history, and the later changes audit_after() rebuilds
-- a row from.  On a 64-bit hash of the key, not the key: an entry is 20
-- bytes, whatever the key (a key card's is 29 characters); a row's changes
-- are found by hash, then key and table (audit_changes_of())
CREATE INDEX audit_change_row_idx ON @extschema@.audit_change (pg_catalog.hashtextextended(row_key, 0));

CREATE INDEX audit_change_actor_partner_idx ON @extschema@.audit_change (actor_partner_id);

-- the audited tables: their codes, and the columns of their keys
CREATE TABLE por_partner_internal.audited_table (
	table_code "char" PRIMARY KEY,
	table_name text NOT NULL UNIQUE,
	key_columns text[] NOT NULL,
	omitted text[] NOT NULL DEFAULT '{}'
);

INSERT INTO por_partner_internal.audited_table (table_code, table_name, key_columns, omitted) VALUES
	('p', 'partner', '{partner_id}', '{}'),
	('l', 'partner_login', '{login}', '{}'),
	('u', 'partner_user', '{partner_user_id}', '{}'),
	('k', 'key_card', '{product_key}', '{}'),
	('s', 'subscription', '{subscription_id}', '{licensed_users}'),
	('o', 'delegated_admin_offer', '{offer_id}', '{}'),
	('d', 'delegated_admin', '{partner_id,tenant_id}', '{}'),
	('i', 'trial_invitation', '{invitation_id}', '{}'),
	('q', 'purchase_offer', '{purchase_offer_id}', '{}');

COMMENT ON TABLE por_partner_internal.audited_table IS
	'Internal: the tables the audit trail records, by the one-letter code of audit_change.table_code; the columns of their primary keys (audit_change.row_key holds their values, comma-separated) and the columns whose changes are not recorded (the license count), left out of the rebuilt rows.';

COMMENT ON TABLE @extschema@.audit_change_default IS
	'The audit rows of months that have no partition of their own yet (audit_maintain() moves them into one).';

COMMENT ON TABLE @extschema@.audit_change IS
	'The audit trail as stored: one row a change of partners, logins, partner users, key cards, subscriptions (not the license count), delegated admin offers and relationships, invitations and purchase offers.  Written by triggers, whatever the client; only operators may change or delete rows (which changes what audit_log rebuilds).  Read it through view audit_log.  Partitioned by month (UTC) of at; audit_maintain() makes the partitions ahead and drops those older than setting audit_retention_months (24).';

COMMENT ON COLUMN @extschema@.audit_change.audit_id IS 'The change''s id, increasing in the order changes were made.';

COMMENT ON COLUMN @extschema@.audit_change.at IS 'When the change was made: its transaction''s start (now(), timestamptz); partitions are by month of it in UTC.';

COMMENT ON COLUMN @extschema@.audit_change.transaction_id IS 'The changing transaction (txid_current()): changes with the same one were made together.';

COMMENT ON COLUMN @extschema@.audit_change.actor IS 'The calling role (the login, or the role chosen with SET ROLE), also inside functions.';

COMMENT ON COLUMN @extschema@.audit_change.actor_partner_id IS 'The partner the calling role acts for (partner_login); null for operators.';

COMMENT ON COLUMN @extschema@.audit_change.table_code IS 'The table changed, by its code in por_partner_internal.audited_table (p partner, l partner_login, u partner_user, k key_card, s subscription, o delegated_admin_offer, d delegated_admin, i trial_invitation, q purchase_offer).';

COMMENT ON COLUMN @extschema@.audit_change.operation IS 'I (INSERT), U (UPDATE) or D (DELETE).';

COMMENT ON COLUMN @extschema@.audit_change.row_key IS 'The values of the row''s primary key columns, as text, comma-separated (por_partner_internal.audited_table.key_columns).';

COMMENT ON COLUMN @extschema@.audit_change.old_values IS 'What the change took away, as JSON: null for an INSERT, the old values of the columns it changed for an UPDATE, the whole row for a DELETE.';
