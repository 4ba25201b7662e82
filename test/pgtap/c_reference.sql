-- The shipped rows of the reference tables (country for rule C2, sku for
-- rules C4 and K4, setting, renewal_notice_schedule for rule R1) and their
-- shipped flag, which decides what pg_dump keeps (WHERE NOT shipped): a
-- change made here unmarks a row; a row that arrives under
-- session_replication_role = replica keeps the flag it carries (issue 15): a
-- restored row (always shipped = false, pg_dump's filter) still replaces the
-- shipped row of its key, and a row replicated by logical replication's
-- apply worker (which runs as replica) keeps the publisher's flag, true for a
-- row as shipped.  Before, a subscriber set every replicated row to
-- shipped = false.  Needs a superuser (session_replication_role).
BEGIN;
SET search_path = por_partner, public;
SELECT plan(16);

-- what a fresh install ships, read before this suite changes anything
SELECT name AS fr_name, service_available::text AS fr_open FROM country WHERE code = 'FR' \gset
SELECT count(*) AS shipped_countries FROM country WHERE shipped \gset

--------------------------------------------------------------------------
-- a change made here unmarks the row (pg_dump then keeps it)
--------------------------------------------------------------------------
UPDATE country SET service_available = NOT service_available WHERE code = 'BE';
SELECT is((SELECT shipped FROM country WHERE code = 'BE'), false,
          'rule C2: an operator''s UPDATE of a shipped country unmarks it');
INSERT INTO sku (sku_code, name, licenses_per_key, term, agreement, shipped)
VALUES ('REF_TEST_SKU', 'Reference Test', 1, interval '1 year', 'Test Agreement', true);
SELECT is((SELECT shipped FROM sku WHERE sku_code = 'REF_TEST_SKU'), false,
          'rules C4, K4: an operator''s new SKU is not shipped, even when the INSERT says so');
INSERT INTO setting (name, value) VALUES ('max_invitations_per_day', '50');
SELECT is((SELECT value || ' ' || shipped FROM setting WHERE name = 'max_invitations_per_day'), '50 false',
          'an operator''s INSERT with the key of a shipped setting replaces it, unmarked');

--------------------------------------------------------------------------
-- replicated rows (logical replication: the apply worker runs as replica)
--------------------------------------------------------------------------
-- a subscriber whose reference rows were emptied (the README's recipe): the
-- initial copy brings the publisher's rows, shipped and changed alike
DELETE FROM country WHERE code IN ('FR', 'IT');
DELETE FROM renewal_notice_schedule WHERE days_before = 60;
SET LOCAL session_replication_role = replica;
INSERT INTO country (code, name, service_available, shipped)
VALUES ('FR', :'fr_name', :'fr_open', true), ('IT', 'Italia (changed)', false, false);
INSERT INTO renewal_notice_schedule VALUES (60, true);
SET LOCAL session_replication_role = origin;
SELECT is((SELECT name || ' ' || service_available || ' ' || shipped FROM country WHERE code = 'FR'),
          :'fr_name' || ' ' || :'fr_open' || ' true',
          'issue 15, rule C2: a replicated country row as shipped keeps its values and shipped = true');
SELECT is((SELECT name || ' ' || service_available || ' ' || shipped FROM country WHERE code = 'IT'),
          'Italia (changed) false false',
          'issue 15, rule C2: a replicated country row an operator changed keeps its values and shipped = false');
SELECT is((SELECT shipped FROM renewal_notice_schedule WHERE days_before = 60), true,
          'issue 15, rule R1: a replicated notice day as shipped stays shipped');

-- a subscriber that kept its shipped rows: a replicated row as shipped
-- replaces the shipped row of its key, flag and all
SET LOCAL session_replication_role = replica;
INSERT INTO sku SELECT * FROM sku WHERE sku_code = 'O365_SMALL_BUSINESS';
INSERT INTO setting VALUES ('direct_billing_warning', 'on', true);
SET LOCAL session_replication_role = origin;
SELECT is((SELECT count(*) || ' ' || bool_and(shipped) FROM sku WHERE sku_code = 'O365_SMALL_BUSINESS'), '1 true',
          'issue 15, rules C4, K4: a replicated SKU as shipped merges into the shipped row of its key and stays shipped');
SELECT is((SELECT count(*) || ' ' || bool_and(shipped) FROM setting WHERE name = 'direct_billing_warning'), '1 true',
          'issue 15: a replicated setting as shipped merges into the shipped row of its key and stays shipped');

-- replicated UPDATEs: the publisher's trigger set the flag; it stays
SET LOCAL session_replication_role = replica;
UPDATE country SET service_available = false, shipped = false WHERE code = 'ES';
UPDATE country SET shipped = true WHERE code = 'BE';
SET LOCAL session_replication_role = origin;
SELECT is((SELECT service_available || ' ' || shipped FROM country WHERE code = 'ES'), 'false false',
          'issue 15, rule C2: a replicated UPDATE of a country (an operator''s change on the publisher) keeps its values and shipped = false');
SELECT is((SELECT shipped FROM country WHERE code = 'BE'), true,
          'issue 15: a replicated UPDATE carrying shipped = true keeps it');

--------------------------------------------------------------------------
-- a restore (pg_restore as replica): dumped rows carry shipped = false and
-- replace the shipped rows CREATE EXTENSION made
--------------------------------------------------------------------------
SET LOCAL session_replication_role = replica;
INSERT INTO country (code, name, service_available, shipped) VALUES ('DE', 'Germany', false, false);
INSERT INTO sku (sku_code, name, licenses_per_key, term, trial_seats, agreement, shipped, min_licenses_per_key)
VALUES ('O365_MIDSIZE_BUSINESS', 'Office 365 Midsize Business', NULL, interval '1 year', 10,
        'Office 365 Open Agreement', false, 2),
       ('O365_BUSINESS_PREMIUM', 'Office 365 Business Premium', 1, interval '1 year', 25,
        'Microsoft Online Subscription Agreement', false, 1);
INSERT INTO setting VALUES ('invitation_url_base', 'https://partners.contoso.example/invite/', false);
INSERT INTO renewal_notice_schedule VALUES (7, false), (14, false);
SET LOCAL session_replication_role = origin;
SELECT is((SELECT count(*) || ' ' || bool_or(service_available) || ' ' || bool_or(shipped) FROM country WHERE code = 'DE'),
          '1 false false',
          'rule C2: a restored country row replaces the shipped row of its key (one row, the dump''s values, unmarked)');
SELECT is((SELECT count(*) || ' ' || min(trial_seats) || ' ' || bool_or(shipped) FROM sku WHERE sku_code = 'O365_MIDSIZE_BUSINESS'),
          '1 10 false',
          'rules C4, K4: a restored SKU replaces the shipped row of its key, unmarked');
SELECT is((SELECT shipped FROM sku WHERE sku_code = 'O365_BUSINESS_PREMIUM'), false,
          'rules C4, K4: a restored SKU an operator added comes back unmarked');
SELECT is((SELECT count(*) || ' ' || min(value) || ' ' || bool_or(shipped) FROM setting WHERE name = 'invitation_url_base'),
          '1 https://partners.contoso.example/invite/ false',
          'a restored setting replaces the shipped row of its key, unmarked');
SELECT is((SELECT string_agg(days_before || '=' || shipped, ' ' ORDER BY days_before) FROM renewal_notice_schedule
            WHERE days_before IN (7, 14)),
          '7=false 14=false',
          'rule R1: restored notice days: the shipped one replaced, unmarked, the new one added unmarked');

-- and nothing else moved: the shipped countries are those of the install,
-- but for BE (unmarked, then marked by a replicated UPDATE), IT (replicated
-- as changed), ES and DE (changed)
SELECT is((SELECT count(*) FROM country WHERE shipped), :shipped_countries - 3::bigint,
          'issue 15, rule C2: every other shipped country is still shipped');

SELECT * FROM finish();
ROLLBACK;
