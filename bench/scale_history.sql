/* bench/scale_history.sql: the ledgers' history of bench/scale.sh: renewal notices, phase change notices, audit rows */
-- Run as superuser in a clone of the book (bench/scale_book.sql); psql
-- variables days (how many days of history: 30, 1095) and today.  What the
-- daily job and the functions would have written on each of those days,
-- had they run every day: so send_renewal_notices(today) finds the same
-- notices due however long the history is.
--   renewal_notice: every notice of the schedule whose send date
--     (expires_on - days_before) is in the window, to the customer and to the
--     partner of record;
--   change_notice: every phase a term with a partner of record entered in the
--     window (expired on day 0, disabled on day 30, deprovisioned on day 120;
--     every partner has its benefits active);
--   audit_change: the INSERT row the audit trigger writes for each subscription
--     created in the window, in its shape (row_key, new_row = to_jsonb of the
--     row as inserted), by the login of its tenant's creator.
-- Rows in the order they were written (by day), indexes built afterwards.
SET search_path = por_partner, public;
SET synchronous_commit = off;
SET work_mem = '512MB';
SET maintenance_work_mem = '2GB';

CALL public.bench_drop_indexes(ARRAY['por_partner.renewal_notice', 'por_partner.change_notice', 'por_partner.audit_change']::regclass[]);
SET session_replication_role = replica;

INSERT INTO renewal_notice (subscription_id, tenant_id, expires_on, recipient, partner_id, days_before, sent_on, sent_at)
SELECT s.subscription_id, s.tenant_id, s.expires_on, w.recipient, w.partner_id, r.days_before,
       s.expires_on - r.days_before, (s.expires_on - r.days_before) + time '06:00'
  FROM renewal_notice_schedule r
  JOIN subscription s ON s.expires_on >= date :'today' - :days + r.days_before AND s.expires_on < date :'today' + r.days_before
 CROSS JOIN LATERAL (VALUES ('customer', NULL::bigint), ('partner', s.partner_of_record)) AS w (recipient, partner_id)
 WHERE (w.recipient = 'customer' OR s.partner_of_record IS NOT NULL)
   AND s.starts_on <= s.expires_on - r.days_before
 ORDER BY 7, 1, 4, 6 DESC;

INSERT INTO change_notice (subscription_id, tenant_id, partner_id, what, old_value, new_value, expires_on, changed_on, recorded_at)
SELECT s.subscription_id, s.tenant_id, s.partner_of_record, 'phase', ph.left_phase, ph.phase, s.expires_on,
       s.expires_on + ph.first_day, (s.expires_on + ph.first_day) + time '06:00'
  FROM (VALUES ('expired', 'active', 0), ('disabled', 'expired', 30), ('deprovisioned', 'disabled', 120))
       AS ph (phase, left_phase, first_day)
  JOIN subscription s ON s.expires_on >= date :'today' - :days - ph.first_day AND s.expires_on < date :'today' - ph.first_day
  JOIN partner p ON p.partner_id = s.partner_of_record
 WHERE s.superseded_by IS NULL AND partner_benefits_active(p)
 ORDER BY 8, 1;

INSERT INTO audit_change (at, actor, actor_partner_id, table_code, operation, row_key, old_values, transaction_id)
SELECT s.created_at, 'bench_partner_' || t.created_by, t.created_by, 's', 'I', s.subscription_id::text, NULL,
       1000 + s.subscription_id
  FROM subscription s
  JOIN tenant t ON t.tenant_id = s.tenant_id
 WHERE s.starts_on >= date :'today' - :days AND s.starts_on < date :'today'
 ORDER BY s.created_at, s.subscription_id;

RESET session_replication_role;
CALL public.bench_restore_indexes(ARRAY['por_partner.renewal_notice', 'por_partner.change_notice', 'por_partner.audit_change']::regclass[]);
VACUUM (FREEZE, ANALYZE) por_partner.renewal_notice, por_partner.change_notice, por_partner.audit_change;
