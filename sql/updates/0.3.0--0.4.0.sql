/* sql/updates/0.3.0--0.4.0.sql: from 0.3.0 to 0.4.0, what CREATE OR REPLACE cannot do */

-- The build appends every code layer and every wiring layer of sql/ to this
-- (scripts/build_sql.sh).  Here stands only what that cannot do.

-- rule K4: the fewest licenses a card of a per-card product carries (2 for
-- Midsize Business); the shipped rows stay shipped
ALTER TABLE @extschema@.sku ADD COLUMN min_licenses_per_key int NOT NULL DEFAULT 1
	CONSTRAINT sku_min_licenses_per_key_positive CHECK (min_licenses_per_key > 0);
COMMENT ON COLUMN @extschema@.sku.min_licenses_per_key IS
	'The fewest licenses a card of this product carries, where each card states its own count: 2 for Midsize Business, whose one key gives several licenses (rule K4).';
ALTER TABLE @extschema@.sku DISABLE TRIGGER sku_changed;
UPDATE @extschema@.sku SET min_licenses_per_key = 2 WHERE sku_code = 'O365_MIDSIZE_BUSINESS' AND shipped;
ALTER TABLE @extschema@.sku ENABLE ALWAYS TRIGGER sku_changed;

-- issue 15: what a BI reader lists has comments, the reference tables'
-- columns too
COMMENT ON COLUMN @extschema@.country.code IS 'ISO 3166-1 alpha-2 code, upper case.';

COMMENT ON COLUMN @extschema@.country.name IS 'The English short name (Debian''s iso-codes).';

COMMENT ON COLUMN @extschema@.country.service_available IS 'Whether customers may be created in the country (rule C2).';

COMMENT ON COLUMN @extschema@.renewal_notice_schedule.days_before IS 'A renewal notice goes out this many days before expires_on (rule R1).';

COMMENT ON COLUMN @extschema@.renewal_notice_schedule.shipped IS 'True while the row is as the extension shipped it; set to false by any change, so that pg_dump keeps the change.';

COMMENT ON COLUMN @extschema@.setting.name IS 'The setting''s name (see the table''s comment).';

COMMENT ON COLUMN @extschema@.setting.value IS 'Its value, as text.';

COMMENT ON COLUMN @extschema@.sku.agreement IS 'The agreement a customer accepts for the product (rule C4).';

COMMENT ON COLUMN @extschema@.sku.name IS 'The product''s name.';

COMMENT ON COLUMN @extschema@.sku.sku_code IS 'The product''s code: upper-case letters, digits and underscores.';

COMMENT ON COLUMN @extschema@.sku.term IS 'How long a paid term lasts (1 year as shipped): a term starts_on plus this is its expires_on.';

-- rule R4's warning is a setting, the project's advice
COMMENT ON TABLE @extschema@.setting IS
	'Settings an operator may change: invitation_url_base, where trial invitation and purchase offer URLs point; max_invitations_per_day, how many of them a partner makes in 24 hours; direct_billing_warning (on, off), whether a switch to direct billing that loses more than 7 days of a term warns; audit_retention_months, how many whole months of the audit trail audit_maintain() keeps (24).';
ALTER TABLE @extschema@.setting DISABLE TRIGGER setting_changed;
INSERT INTO @extschema@.setting VALUES ('direct_billing_warning', 'on', true), ('audit_retention_months', '24', true)
	ON CONFLICT (name) DO NOTHING;
ALTER TABLE @extschema@.setting ENABLE ALWAYS TRIGGER setting_changed;

-- rule D5: create_customer_subscription offers delegated admin with the
-- set-up (two arguments more; the eight-argument function goes)
DROP FUNCTION @extschema@.create_customer_subscription(bigint, @extschema@.product_key[], text, text, text, text, text, date);

-- rules R3, R4: one paid path at a time.  A subscription another took over
-- (a switch to direct billing, a converted trial) says so.
ALTER TABLE @extschema@.subscription ADD COLUMN superseded_by bigint REFERENCES @extschema@.subscription;
COMMENT ON COLUMN @extschema@.subscription.superseded_by IS
	'The subscription that took this one over: the direct subscription of a switch to direct billing (rules R3, R4), or the purchase that converted a trial (rule A4).  A superseded subscription is neither renewed nor given seats or licenses.';
-- the switches 0.3.0 made: the first direct subscription of the same tenant
-- and product made after the old one and starting within its 120 days
UPDATE @extschema@.subscription o SET superseded_by = (
	SELECT n.subscription_id FROM @extschema@.subscription n
	 WHERE n.tenant_id = o.tenant_id AND n.sku_code = o.sku_code AND n.billing = 'direct'
	   AND n.subscription_id > o.subscription_id
	   AND n.starts_on >= o.expires_on AND n.starts_on < o.expires_on + 120
	 ORDER BY n.subscription_id LIMIT 1)
 WHERE o.billing <> 'trial'
   AND EXISTS (SELECT 1 FROM @extschema@.subscription n
                WHERE n.tenant_id = o.tenant_id AND n.sku_code = o.sku_code AND n.billing = 'direct'
                  AND n.subscription_id > o.subscription_id
                  AND n.starts_on >= o.expires_on AND n.starts_on < o.expires_on + 120);

-- 0.3.0 let a switched subscription be renewed with keys: a tenant may hold
-- two paid terms of a product that overlap.  Which one to end is a decision
-- for a person; the update stops and names them.
DO $$
DECLARE
	pairs text;
BEGIN
	SELECT string_agg(format('%s and %s (tenant %s)', a.subscription_id, b.subscription_id, a.tenant_id), '; ')
	  INTO pairs
	  FROM @extschema@.subscription a JOIN @extschema@.subscription b
	    ON b.tenant_id = a.tenant_id AND b.sku_code = a.sku_code AND b.subscription_id > a.subscription_id
	   AND daterange(a.starts_on, a.expires_on) && daterange(b.starts_on, b.expires_on)
	 WHERE a.billing <> 'trial' AND b.billing <> 'trial';
	IF pairs IS NOT NULL THEN
		RAISE EXCEPTION 'por_partner 0.4.0: paid subscriptions of one product overlap: %', left(pairs, 2000)
			USING ERRCODE = 'exclusion_violation',
			      DETAIL = 'From 0.4.0 a customer has one paid term of a product on any day (rules R3, R4).',
			      HINT = 'End the term the customer does not pay for (UPDATE por_partner.subscription SET expires_on = ...), then update again.';
	END IF;
	SELECT string_agg(format('tenant %s, %s', tenant_id, sku_code), '; ') INTO pairs
	  FROM (SELECT tenant_id, sku_code FROM @extschema@.subscription WHERE billing = 'trial'
	         GROUP BY 1, 2 HAVING count(*) > 1) AS d;
	IF pairs IS NOT NULL THEN
		RAISE EXCEPTION 'por_partner 0.4.0: tenants with more than one trial of a product: %', left(pairs, 2000)
			USING ERRCODE = 'unique_violation',
			      DETAIL = 'From 0.4.0 a customer takes at most one trial of a product (rule A4).',
			      HINT = 'Delete the trials that are not wanted, then update again.';
	END IF;
END $$;

CREATE UNIQUE INDEX subscription_one_trial_idx ON @extschema@.subscription (tenant_id, sku_code)
	WHERE billing = 'trial';

-- rule P3: change notices to the partner of record
CREATE TABLE @extschema@.change_notice (
	notice_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	subscription_id bigint NOT NULL REFERENCES @extschema@.subscription,
	tenant_id bigint NOT NULL REFERENCES @extschema@.tenant,
	partner_id bigint NOT NULL REFERENCES @extschema@.partner,
	what text NOT NULL CONSTRAINT change_notice_what_known
		CHECK (what IN ('seats', 'renewed', 'billing', 'partner_of_record', 'phase')),
	old_value text,
	new_value text,
	expires_on date NOT NULL,
	changed_on date NOT NULL DEFAULT current_date,
	recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX change_notice_phase_once_idx ON @extschema@.change_notice (subscription_id, partner_id, expires_on, new_value)
	WHERE what = 'phase';

CREATE INDEX change_notice_partner_idx ON @extschema@.change_notice (partner_id, notice_id);

COMMENT ON TABLE @extschema@.change_notice IS
	'Notices of changes to a customer''s subscription, to its partner of record while the partner''s benefits are active (rule P3): seats changed, renewed, billing switched (to direct billing, or a trial converted), partner of record named or removed, and each phase the term enters (expired, disabled, deprovisioned).  Written by trigger, whoever changes the row; phase changes by send_renewal_notices().';

COMMENT ON COLUMN @extschema@.change_notice.what IS
	'seats, renewed, billing, partner_of_record or phase.';

COMMENT ON COLUMN @extschema@.change_notice.old_value IS
	'The value before, as text: seats (a number), renewed (the old expires_on), billing (product_key, direct or trial), partner_of_record (the recipient''s own MPN ID when it was partner of record, else null: never another partner''s), phase (the phase left).';

COMMENT ON COLUMN @extschema@.change_notice.new_value IS
	'The value after, as old_value; for billing, the billing of the subscription that took over (superseded_by).';

COMMENT ON COLUMN @extschema@.change_notice.expires_on IS 'The term the notice is about: the subscription''s expires_on after the change.';

COMMENT ON COLUMN @extschema@.change_notice.changed_on IS 'The day of the change (for a phase, the day the daily job recorded it on).';

-- rule R6: the purge is incremental; its mark starts empty, so that the
-- first purge after the update looks at all of history once
CREATE TABLE por_partner_internal.job_state (
	one boolean PRIMARY KEY DEFAULT true CONSTRAINT job_state_one_row CHECK (one),
	purged_through date,
	phase_notices_through date
);
INSERT INTO por_partner_internal.job_state DEFAULT VALUES;
COMMENT ON TABLE por_partner_internal.job_state IS
	'Internal: how far the daily work got (one row): purged_through, the last expiry day whose deprovisioned subscriptions purge_deprovisioned() purged (null: none yet, the next purge looks at all of history); phase_notices_through, the last day send_phase_notices() recorded the phase changes of (null: none yet, the next run looks 30 days back).';

-- 31 B a subscription less (issue 13): the unique (subscription_id,
-- tenant_id) index served only the licenses' foreign key; the license
-- trigger sets a license's tenant from its subscription, which never moves
-- to another tenant (subscription_check)
ALTER TABLE @extschema@.license DROP CONSTRAINT license_subscription_id_tenant_id_fkey;
ALTER TABLE @extschema@.license ADD CONSTRAINT license_subscription_id_fkey
	FOREIGN KEY (subscription_id) REFERENCES @extschema@.subscription ON DELETE CASCADE;
ALTER TABLE @extschema@.subscription DROP CONSTRAINT subscription_subscription_id_tenant_id_key;
COMMENT ON TABLE @extschema@.license IS
	'A user''s license on a subscription of the same tenant; at most one each, never more than the seats (rule C5).  tenant_id is the subscription''s, set by the license trigger (a subscription never changes tenant), and the user''s, by the foreign key to tenant_user.';
-- the two thirds of subscriptions with no partner of record are not indexed
DROP INDEX @extschema@.subscription_partner_of_record_idx;
CREATE INDEX subscription_partner_of_record_idx ON @extschema@.subscription (partner_of_record)
	WHERE partner_of_record IS NOT NULL;

-- issue 13: the audit trail is partitioned by month, and a change is stored
-- as small as the change (audit_change; view audit_log rebuilds the rows
-- before and after).  The old rows move to the new table's default
-- partition, keeping their ids, each as what the new trigger would have
-- written: an UPDATE keeps the old values of the columns it changed, a
-- DELETE the whole row, an INSERT nothing of the row (the difference is the
-- trigger's, jsonb_delta(), made here ahead of the code layer).
-- audit_maintain() (the daily job) then makes the
-- monthly partitions and moves them on.  The read path's view and function
-- over the old table go first (the code layer makes them again).
DROP VIEW por_partner_book.audit_log;
DROP FUNCTION por_partner_book.audit_log_rows();
ALTER TABLE @extschema@.audit_log RENAME TO audit_log_0_3;

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

CREATE FUNCTION por_partner_internal.jsonb_delta(old jsonb, new jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'por_partner_jsonb_delta'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

INSERT INTO @extschema@.audit_change
	(audit_id, at, transaction_id, actor_partner_id, table_code, operation, actor, row_key, old_values)
	OVERRIDING SYSTEM VALUE
SELECT o.audit_id, o.at, o.transaction_id, o.actor_partner_id, t.table_code, left(o.operation, 1), o.actor::text,
       (SELECT string_agg(coalesce(o.new_row, o.old_row) ->> k.col, ',' ORDER BY k.i)
          FROM unnest(t.key_columns) WITH ORDINALITY AS k (col, i)),
       CASE o.operation
            WHEN 'UPDATE' THEN por_partner_internal.jsonb_delta(o.old_row, o.new_row)
            WHEN 'DELETE' THEN o.old_row
       END
  FROM @extschema@.audit_log_0_3 o
  JOIN por_partner_internal.audited_table t ON t.table_name = o.table_name
 ORDER BY o.audit_id;
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('@extschema@.audit_change', 'audit_id'), o.last_value, o.is_called)
  FROM @extschema@.audit_log_audit_id_seq o;
-- out of the extension first, so that pg_extension.extconfig forgets them
ALTER EXTENSION por_partner DROP SEQUENCE @extschema@.audit_log_audit_id_seq;
ALTER EXTENSION por_partner DROP TABLE @extschema@.audit_log_0_3;
DROP TABLE @extschema@.audit_log_0_3;
-- the switches to direct billing the update marked (above) are changes of
-- their subscriptions, and recorded as such: the rows rebuilt before them
-- show no successor
INSERT INTO @extschema@.audit_change (actor, table_code, operation, row_key, old_values)
SELECT current_user, 's', 'U', s.subscription_id::text, '{"superseded_by": null}'
  FROM @extschema@.subscription s WHERE s.superseded_by IS NOT NULL ORDER BY s.subscription_id;

-- issue 14: delivery state
-- one row a notice of the two ledgers (renewal_notice, change_notice), made
-- by trigger when the notice is recorded: whether it was mailed, how often
-- the mailer tried, the last error, when to try again.  The ledgers say
-- what is due; this says what was done about it, so that a mailer that
-- crashed resumes where it stopped and two mailers never mail one notice
-- twice (each claims rows FOR UPDATE SKIP LOCKED: claim_notices()).
-- Operators only: a partner's login reads neither this table nor anything
-- made of it.
CREATE TABLE @extschema@.notice_delivery (
	delivery_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	renewal_notice_id bigint UNIQUE REFERENCES @extschema@.renewal_notice ON DELETE CASCADE,
	change_notice_id bigint UNIQUE REFERENCES @extschema@.change_notice ON DELETE CASCADE,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	attempts int NOT NULL DEFAULT 0 CONSTRAINT notice_delivery_attempts_not_negative CHECK (attempts >= 0),
	last_attempt_at timestamptz,
	last_error text,
	delivered_at timestamptz,
	CONSTRAINT notice_delivery_one_notice CHECK (num_nonnulls(renewal_notice_id, change_notice_id) = 1),
	CONSTRAINT notice_delivery_delivered_tried CHECK (delivered_at IS NULL OR attempts > 0)
);

-- what the mailer claims: the undelivered notices, in the order they are due
CREATE INDEX notice_delivery_due_idx ON @extschema@.notice_delivery (next_attempt_at, delivery_id)
	WHERE delivered_at IS NULL;

-- the documented maximum of the error text a mailer sends (text_limit('message'))
ALTER TABLE @extschema@.notice_delivery ADD CONSTRAINT notice_delivery_last_error_length
	CHECK (length(last_error) <= 2000);

COMMENT ON TABLE @extschema@.notice_delivery IS
	'The delivery state of each notice, one row a row of renewal_notice or change_notice, made when the notice is recorded: delivered_at once mailed, attempts, the last error and when to try again.  Written by the mailer through claim_notices(), notice_delivered() and notice_failed(); operators only.';

COMMENT ON COLUMN @extschema@.notice_delivery.renewal_notice_id IS 'The renewal notice (rules R1, P4), or null for a change notice.';

COMMENT ON COLUMN @extschema@.notice_delivery.change_notice_id IS 'The change notice (rule P3), or null for a renewal notice.';

COMMENT ON COLUMN @extschema@.notice_delivery.next_attempt_at IS
	'When the notice may be claimed (again): when it was recorded, then after each failure the retry time the mailer asked for.';

COMMENT ON COLUMN @extschema@.notice_delivery.attempts IS
	'How many tries the mailer recorded, the one that delivered included (a mailer that died mid-send recorded none).';

COMMENT ON COLUMN @extschema@.notice_delivery.last_error IS
	'What the last failed try met (the SMTP server''s reply, a missing address), at most 2000 characters; kept once delivered.';

COMMENT ON COLUMN @extschema@.notice_delivery.delivered_at IS
	'When the SMTP server accepted the mail; null while undelivered.  A delivered notice is never claimed again.';
-- Notices recorded before the update get no delivery row: 0.3.0 recorded
-- them as sent (NOTIFY), and a mailer of the operator's own may have mailed
-- them; the new mailer mails what is recorded from now on.  To have the
-- reference mailer mail some of them, an operator inserts their rows:
--   INSERT INTO por_partner.notice_delivery (renewal_notice_id)
--   SELECT notice_id FROM por_partner.renewal_notice WHERE sent_on = current_date;
-- (end of issue 14: delivery state)
