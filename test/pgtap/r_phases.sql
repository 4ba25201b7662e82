-- rules R5, R6: the phases of a subscription, counted in days since expires_on
-- (the first day the term no longer covers): before 0 active, 0-29 expired,
-- 30-119 disabled, 120 and later deprovisioned.
BEGIN;
SET search_path = por_partner, public;
SELECT plan(26);

-- every boundary: the day before, on and after 0, 30 and 120
SELECT is(subscription_phase(date '2026-01-31', date '2026-01-31' + d), expected::subscription_phase,
          format('rule %s: day %s after expires_on is %s', rule, d, expected))
  FROM (VALUES (-1, 'active', 'R5'), (0, 'expired', 'R5'), (1, 'expired', 'R5'),
               (29, 'expired', 'R5'), (30, 'disabled', 'R6'), (31, 'disabled', 'R6'),
               (119, 'disabled', 'R6'), (120, 'deprovisioned', 'R6'), (121, 'deprovisioned', 'R6'))
       AS v(d, expected, rule);

-- across a leap day and a year end, days are days
SELECT is(subscription_phase(date '2028-02-28', date '2028-03-29'), 'disabled', 'rule R6: 30 days across 29 February are disabled');
SELECT is(subscription_phase(date '2028-02-28', date '2028-03-28'), 'expired', 'rule R5: 29 days across 29 February are still expired');
SELECT is(subscription_phase(date '2026-12-31', date '2027-04-30'), 'deprovisioned', 'rule R6: day 120 across a year end is deprovisioned');

-- infinite and extreme dates
SELECT is(subscription_phase(date 'infinity', date '2026-01-01'), 'active', 'rule R5: a term that never ends is active');
SELECT is(subscription_phase(date 'infinity', date 'infinity'), 'active', 'rule R5: a term that never ends is active even at infinity');
SELECT is(subscription_phase(date '-infinity', date '2026-01-01'), 'deprovisioned', 'rule R6: a term ended before time began is deprovisioned');
SELECT is(subscription_phase(date '-infinity', date '-infinity'), 'deprovisioned', 'rule R6: ... even at -infinity');
SELECT is(subscription_phase(date '2026-01-01', date 'infinity'), 'deprovisioned', 'rule R6: at infinity every finite term is deprovisioned');
SELECT is(subscription_phase(date '2026-01-01', date '-infinity'), 'active', 'rule R5: at -infinity every finite term is active');
SELECT is(subscription_phase(date '4713-01-01 BC', date '5874897-12-31'), 'deprovisioned', 'rule R6: the extreme finite dates do not overflow');
SELECT is(subscription_phase(date '5874897-12-31', date '4713-01-01 BC'), 'active', 'rule R5: ... either way round');
SELECT is(subscription_phase(NULL::date, date '2026-01-01'), NULL, 'rule R5: null in, null out');

-- the C function agrees with the table of domain.md over many days
SELECT is((SELECT count(*) FROM generate_series(-400, 400) AS d
            WHERE subscription_phase(date '2026-06-15', date '2026-06-15' + d)::text
                  <> CASE WHEN d < 0 THEN 'active' WHEN d < 30 THEN 'expired'
                          WHEN d < 120 THEN 'disabled' ELSE 'deprovisioned' END),
          0::bigint, 'rules R5, R6: the phase equals the CASE of the phases table for 801 days');

-- the row form, and the default as_of of today
SELECT has_function('por_partner', 'subscription_phase', ARRAY['por_partner.subscription', 'date'],
                    'rule R2: a subscription row has a phase');
SELECT is(subscription_phase(date '2999-01-01'), 'active', 'rule R5: as of today by default (active)');
SELECT is(subscription_phase(current_date - 30), 'disabled', 'rule R6: as of today by default (disabled)');
SELECT is((SELECT format('%s %s %s', provolatile, proisstrict, proparallel) FROM pg_proc
            WHERE oid = 'por_partner.subscription_phase(date, date)'::regprocedure),
          'i t s', 'rules R5, R6: subscription_phase is IMMUTABLE STRICT PARALLEL SAFE');

SELECT * FROM finish();
ROLLBACK;
