/* sql/90_lifecycle/wiring.sql: triggers, row-level security, privileges and pg_dump of the lifecycle */

-- Triggers: the rules held whichever client writes
-- The schedule's shipped rows survive pg_dump like country's (see above).
CREATE OR REPLACE TRIGGER renewal_notice_schedule_changed BEFORE INSERT OR UPDATE ON @extschema@.renewal_notice_schedule
	FOR EACH ROW EXECUTE FUNCTION por_partner_internal.reference_row_changed();

ALTER TABLE @extschema@.renewal_notice_schedule ENABLE ALWAYS TRIGGER renewal_notice_schedule_changed;

-- Rule R6: a term written as already deprovisioned reaches the next purge
CREATE OR REPLACE TRIGGER subscription_purge_rewind AFTER INSERT OR UPDATE OF expires_on ON @extschema@.subscription
	FOR EACH ROW WHEN (NEW.expires_on <= current_date - por_partner_internal.subscription_phase_start('deprovisioned'))
	EXECUTE FUNCTION por_partner_internal.job_state_rewind();

-- Row-level security
ALTER TABLE @extschema@.renewal_notice ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS operator_all ON @extschema@.renewal_notice;
CREATE POLICY operator_all ON @extschema@.renewal_notice TO por_partner_operator USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS partner_customers ON @extschema@.renewal_notice;
CREATE POLICY partner_customers ON @extschema@.renewal_notice TO por_partner_partner
	USING (partner_id = (SELECT @extschema@.caller_partner_id()) OR tenant_id IN (SELECT @extschema@.partner_tenants()))
	WITH CHECK (partner_id = (SELECT @extschema@.caller_partner_id()) OR tenant_id IN (SELECT @extschema@.partner_tenants()));

-- Privileges
REVOKE ALL ON FUNCTION
	@extschema@.send_renewal_notices(date), @extschema@.send_phase_notices(date),
	@extschema@.renew_subscription(bigint, @extschema@.product_key[], date),
	@extschema@.renew_with_direct_billing(bigint, date), @extschema@.purge_deprovisioned(date),
	por_partner_internal.require_renewable(@extschema@.subscription, date),
	por_partner_internal.job_state_rewind(),
	por_partner_internal.wake_mailer(),
	por_partner_internal.notices_due(date, date, date, bigint), por_partner_internal.notice_horizon(date),
	por_partner_internal.record_renewal_notices(date, date, date),
	por_partner_internal.subscription_phase_start(@extschema@.subscription_phase),
	-- on a row of por_partner.subscription, which only operators read; anyone
	-- may ask subscription_phase(expires_on, as_of)
	@extschema@.subscription_phase(@extschema@.subscription, date)
FROM PUBLIC;

REVOKE ALL ON PROCEDURE @extschema@.run_daily_job(date) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.run_daily_job(date) TO por_partner_operator;

-- the purge runs as its caller, an operator's login (the daily job under
-- pg_cron): it reads and moves its mark
GRANT SELECT, UPDATE ON por_partner_internal.job_state TO por_partner_operator;

GRANT SELECT ON
	@extschema@.renewal_notice_schedule
TO por_partner_partner;

GRANT EXECUTE ON FUNCTION
	@extschema@.renew_subscription(bigint, @extschema@.product_key[], date),
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
TO por_partner_partner;

-- readers (BI): the reporting views and functions
GRANT SELECT ON
	@extschema@.subscription_overview, @extschema@.key_card_overview,
	@extschema@.renewal_notice_schedule
TO por_partner_reader;

GRANT EXECUTE ON FUNCTION
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
TO por_partner_reader;

REVOKE ALL ON FUNCTION
	@extschema@.renewal_notices_due(date), @extschema@.expiring_subscriptions(int, date)
FROM PUBLIC;

-- pg_dump keeps the rows (extension configuration tables)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.renewal_notice_schedule', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.renewal_notice', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.renewal_notice', 'notice_id'), '');
