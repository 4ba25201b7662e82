/* sql/30_reference/code.sql: shipped rows of the reference tables survive pg_dump */

/*
 * Shipped rows of country, sku, setting and renewal_notice_schedule: a
 * change marks the row as no longer shipped, and pg_dump keeps exactly the
 * rows that are not shipped.  When a dump is restored, CREATE EXTENSION has
 * already made the shipped rows, so an incoming row with the key of an
 * untouched shipped row replaces it.  These triggers fire always, also under
 * session_replication_role = replica, the documented way to restore.
 *
 * A row that arrives under session_replication_role = replica (a restore, or
 * logical replication's apply worker: the initial copy and every replicated
 * INSERT and UPDATE) keeps its values and the shipped flag it carries: where
 * it came from, the trigger already set the flag.  A restored row carries
 * false (pg_dump keeps only the rows WHERE NOT shipped) and still replaces the
 * shipped row of its key; a replicated row carries the publisher's flag, true
 * for a row as shipped (issue 15: before, every replicated row came out
 * shipped = false, and a dump of the subscriber held all 249 countries).
 */
CREATE OR REPLACE FUNCTION por_partner_internal.reference_row_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	-- the incoming row as a row of each table, so that every branch is
	-- checked against its own table's columns (plpgsql_check, test/lint.sh)
	c @extschema@.country;
	st @extschema@.setting;
	r @extschema@.renewal_notice_schedule;
	s @extschema@.sku;
	-- restored or replicated: the row as it comes, with its flag
	arrived constant boolean := current_setting('session_replication_role') = 'replica';
BEGIN
	IF NOT arrived THEN
		NEW.shipped := false;		-- a change made here
	END IF;
	IF TG_OP = 'UPDATE' THEN
		RETURN NEW;
	END IF;
	-- INSERT: a row with the key of a shipped row replaces it, flag and all
	-- (the UPDATE below comes back here: made here, it unmarks the row)
	IF TG_TABLE_NAME = 'country' THEN
		c := jsonb_populate_record(c, to_jsonb(NEW));
		UPDATE @extschema@.country t
		   SET name = c.name, service_available = c.service_available, shipped = c.shipped
		 WHERE t.code = c.code AND t.shipped;
	ELSIF TG_TABLE_NAME = 'setting' THEN
		st := jsonb_populate_record(st, to_jsonb(NEW));
		UPDATE @extschema@.setting t SET value = st.value, shipped = st.shipped WHERE t.name = st.name AND t.shipped;
	ELSIF TG_TABLE_NAME = 'renewal_notice_schedule' THEN
		r := jsonb_populate_record(r, to_jsonb(NEW));
		UPDATE @extschema@.renewal_notice_schedule t SET shipped = r.shipped
		 WHERE t.days_before = r.days_before AND t.shipped;
	ELSE
		s := jsonb_populate_record(s, to_jsonb(NEW));
		UPDATE @extschema@.sku t
		   SET name = s.name, licenses_per_key = s.licenses_per_key, term = s.term,
		       trial_term = s.trial_term, trial_seats = s.trial_seats, agreement = s.agreement,
		       min_licenses_per_key = s.min_licenses_per_key, shipped = s.shipped
		 WHERE t.sku_code = s.sku_code AND t.shipped;
	END IF;
	IF FOUND THEN
		RETURN NULL;			-- merged into the shipped row
	END IF;
	RETURN NEW;
END $$;
COMMENT ON FUNCTION por_partner_internal.reference_row_changed() IS
	'Trigger: keeps the shipped flag of country, sku, setting and renewal_notice_schedule true only for rows as shipped, so that pg_dump keeps operators'' changes; a row restored or replicated (session_replication_role = replica) keeps the flag it carries.';
