/* sql/96_delivery/wiring.sql: the ledgers' delivery rows, row-level security, privileges and pg_dump of delivery state */

-- Triggers: every notice recorded, whoever records it, gets its delivery row
CREATE OR REPLACE TRIGGER notice_delivery AFTER INSERT ON @extschema@.renewal_notice
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.notice_delivery_add();

CREATE OR REPLACE TRIGGER notice_delivery AFTER INSERT ON @extschema@.change_notice
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.notice_delivery_add();

-- Row-level security: operators only (partners and readers have no
-- privilege on it either)
ALTER TABLE @extschema@.notice_delivery ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.notice_delivery;
CREATE POLICY operator_all ON @extschema@.notice_delivery TO por_partner_operator USING (true) WITH CHECK (true);

-- Privileges: the mailer logs in as an operator
REVOKE ALL ON FUNCTION
	@extschema@.claim_notices(int), @extschema@.notice_delivered(bigint),
	@extschema@.notice_failed(bigint, text, interval),
	por_partner_internal.notice_delivery_add(), por_partner_internal.lock_undelivered(bigint),
	por_partner_internal.notice_message_key(@extschema@.renewal_notice),
	por_partner_internal.notice_message_key(@extschema@.change_notice),
	por_partner_internal.partner_address(@extschema@.partner)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	@extschema@.claim_notices(int), @extschema@.notice_delivered(bigint),
	@extschema@.notice_failed(bigint, text, interval)
TO por_partner_operator;

GRANT SELECT ON @extschema@.undelivered_notices TO por_partner_operator;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice_delivery', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.notice_delivery', 'delivery_id'), '');
