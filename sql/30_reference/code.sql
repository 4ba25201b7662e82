/* sql/30_reference/code.sql: shipped rows of the reference tables survive pg_dump */

/*
 * Shipped rows of country, sku and setting: a change marks the row as no
 * longer shipped, and pg_dump keeps exactly the rows that are not shipped.
 * When a dump is restored, CREATE EXTENSION has already made the shipped
 * rows, so an incoming row with the key of an untouched shipped row replaces
 * it.  These triggers fire always, also under session_replication_role =
 * replica, the documented way to restore.
 */
CREATE OR REPLACE FUNCTION @extschema@.reference_row_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		NEW.shipped := false;
		RETURN NEW;
	END IF;
	-- INSERT
	IF TG_TABLE_NAME = 'country' THEN
		UPDATE @extschema@.country c
		   SET name = NEW.name, service_available = NEW.service_available
		 WHERE c.code = NEW.code AND c.shipped;
	ELSIF TG_TABLE_NAME = 'setting' THEN
		UPDATE @extschema@.setting st SET value = NEW.value WHERE st.name = NEW.name AND st.shipped;
	ELSIF TG_TABLE_NAME = 'renewal_notice_schedule' THEN
		UPDATE @extschema@.renewal_notice_schedule r SET shipped = r.shipped
		 WHERE r.days_before = NEW.days_before AND r.shipped;
	ELSE
		UPDATE @extschema@.sku s
		   SET name = NEW.name, licenses_per_key = NEW.licenses_per_key, term = NEW.term,
		       trial_term = NEW.trial_term, trial_seats = NEW.trial_seats, agreement = NEW.agreement
		 WHERE s.sku_code = NEW.sku_code AND s.shipped;
	END IF;
	IF FOUND THEN
		RETURN NULL;			-- merged into the shipped row
	END IF;
	NEW.shipped := false;
	RETURN NEW;
END $$;

COMMENT ON FUNCTION @extschema@.reference_row_changed() IS
	'Trigger: keeps the shipped flag of country, sku and setting true only for rows as shipped, so that pg_dump keeps operators'' changes.';
