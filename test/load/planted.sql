-- test/load/planted.sql: violations planted after the load phase, to show
-- that check.sql catches each (run by test/load/run.sh).  Each block starts
-- with a line "-- plant: <what> => <the start of the check's name that must
-- fail>"; run.sh runs each block in a transaction of its own, with the
-- extension's triggers off (session_replication_role = replica), then
-- check.sql, then rolls back.
-- plant: a pool key redeemed without a successful call => redeemed key cards
UPDATE por_partner.key_card SET redeemed_at = now(), redeemed_as = 'add_users',
       subscription_id = (SELECT subscription_id FROM load.base_sub WHERE n = 1)
 WHERE product_key = (SELECT p.product_key FROM load.pool p JOIN por_partner.key_card k USING (product_key)
                       WHERE k.redeemed_at IS NULL ORDER BY p.n LIMIT 1);
-- plant: a key claimed by two successful calls => no key redeemed twice
INSERT INTO load.attempt (attempt_id, kind, args, outcome, result, done)
SELECT -1, kind, args, outcome, result, done FROM load.attempt
 WHERE kind = 'create' AND outcome = 'ok' ORDER BY attempt_id LIMIT 1;
-- plant: seats raised without a key => seats of every product-key subscription
UPDATE por_partner.subscription SET seats = seats + 1
 WHERE subscription_id = (SELECT subscription_id FROM load.base_sub WHERE n = 2);
-- plant: a license row the count does not know of => no subscription over its seats
INSERT INTO por_partner.license (subscription_id, user_id, tenant_id)
SELECT h.subscription_id, u.user_id, h.tenant_id FROM load.hot_sub h JOIN load.hot_user u USING (h)
 WHERE NOT EXISTS (SELECT 1 FROM por_partner.license l WHERE l.subscription_id = h.subscription_id AND l.user_id = u.user_id)
 ORDER BY h.h, u.u LIMIT 1;
-- plant: a license lost (with its count) => licenses = pre-fill
WITH gone AS (
	DELETE FROM por_partner.license WHERE (subscription_id, user_id) =
	       (SELECT l.subscription_id, l.user_id FROM por_partner.license l JOIN load.hot_sub h USING (subscription_id)
	         JOIN por_partner.tenant_user u ON u.user_id = l.user_id WHERE u.admin_role IS NULL
	         ORDER BY 1, 2 LIMIT 1)
	RETURNING subscription_id)
UPDATE por_partner.subscription s SET licensed_users = licensed_users - 1 FROM gone
 WHERE s.subscription_id = gone.subscription_id;
-- plant: a notice sent twice => no renewal notice sent twice
DO $$ BEGIN
	EXECUTE format('ALTER TABLE por_partner.renewal_notice DROP CONSTRAINT %I',
	               (SELECT conname FROM pg_constraint WHERE conrelid = 'por_partner.renewal_notice'::regclass AND contype = 'u'));
END $$;
INSERT INTO por_partner.renewal_notice (subscription_id, tenant_id, expires_on, recipient, partner_id, days_before, sent_on)
SELECT subscription_id, tenant_id, expires_on, recipient, partner_id, days_before, sent_on
  FROM por_partner.renewal_notice ORDER BY notice_id LIMIT 1;
-- plant: a notice a successful send returned is gone => renewal notices = the ones
DELETE FROM por_partner.renewal_notice WHERE notice_id = (SELECT max(notice_id) FROM por_partner.renewal_notice);
-- plant: the customer of a failed create_customer_subscription => create_customer_subscription: no tenant
INSERT INTO por_partner.tenant (organization_name, country_code, admin_first_name, admin_last_name, admin_email)
SELECT args->>'organization_name', 'DE', 'X', 'Y', 'x@y.example' FROM load.attempt
 WHERE kind = 'create' AND outcome <> 'ok' ORDER BY attempt_id LIMIT 1;
-- plant: the customer of a successful call renamed => create_customer_subscription: every successful
UPDATE por_partner.tenant SET organization_name = organization_name || ' (renamed)'
 WHERE tenant_id = (SELECT s.tenant_id FROM load.attempt a JOIN por_partner.subscription s
                     ON s.subscription_id = (a.result->>'subscription_id')::bigint
                    WHERE a.kind = 'create' AND a.outcome = 'ok' ORDER BY a.attempt_id LIMIT 1);
-- plant: the user of a failed add_user => add_user
INSERT INTO por_partner.tenant_user (tenant_id, first_name, email)
SELECT (args->>'tenant_id')::bigint, args->>'first_name', 'planted@hot.example' FROM load.attempt
 WHERE kind = 'add_user' AND outcome <> 'ok' ORDER BY attempt_id LIMIT 1;
-- plant: a successful add_licenses whose seats were not added => add_licenses and renew_subscription: every returned
UPDATE por_partner.subscription SET seats = seats - 1
 WHERE subscription_id = (SELECT (args->>'subscription_id')::bigint FROM load.attempt
                           WHERE kind = 'add_licenses' AND outcome = 'ok' ORDER BY done DESC LIMIT 1);
-- plant: a failed assign_license whose license stayed => licenses = pre-fill
WITH f AS (SELECT (args->>'subscription_id')::bigint AS s, (args->>'user_id')::bigint AS u FROM load.attempt a
            WHERE kind = 'assign' AND outcome = '23514'
              AND NOT EXISTS (SELECT 1 FROM por_partner.license l
                               WHERE l.subscription_id = (a.args->>'subscription_id')::bigint
                                 AND l.user_id = (a.args->>'user_id')::bigint)
            ORDER BY attempt_id LIMIT 1),
     ins AS (INSERT INTO por_partner.license (subscription_id, user_id, tenant_id)
             SELECT f.s, f.u, su.tenant_id FROM f JOIN por_partner.subscription su ON su.subscription_id = f.s
             RETURNING subscription_id)
UPDATE por_partner.subscription s SET seats = seats + 1, licensed_users = licensed_users + 1 FROM ins
 WHERE s.subscription_id = ins.subscription_id;
-- plant: a notice of the wrong days_before => every renewal notice is the one due
-- (one whose term has no 60-day notice yet, so that the unique key lets it in)
UPDATE por_partner.renewal_notice SET days_before = 60
 WHERE notice_id = (SELECT min(n.notice_id) FROM por_partner.renewal_notice n
                     WHERE n.days_before < 60
                       AND NOT EXISTS (SELECT 1 FROM por_partner.renewal_notice o
                                        WHERE o.subscription_id = n.subscription_id AND o.expires_on = n.expires_on
                                          AND o.recipient = n.recipient AND o.days_before = 60));
-- plant: an audit row of a successful call lost => audit log
DELETE FROM por_partner.audit_change WHERE audit_id = (SELECT max(audit_id) FROM por_partner.audit_change);
-- plant: an audit row in the transaction of a failed call => audit log
INSERT INTO por_partner.audit_change (actor, table_code, operation, row_key, old_values, transaction_id)
SELECT 'postgres', 'k', 'U', args->'keys'->>0, '{}', xid
  FROM load.attempt WHERE kind = 'create' AND outcome = '23505' ORDER BY attempt_id LIMIT 1;
