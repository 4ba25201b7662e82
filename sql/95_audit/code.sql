/* sql/95_audit/code.sql: the audit trail's trigger function */

CREATE OR REPLACE FUNCTION por_partner_internal.audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
	o jsonb;
	n jsonb;
BEGIN
	IF TG_OP <> 'INSERT' THEN
		o := to_jsonb(OLD);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		n := to_jsonb(NEW);
	END IF;
	INSERT INTO @extschema@.audit_log (actor, actor_partner_id, table_name, operation, row_key, old_row, new_row)
	VALUES (@extschema@.caller()::text, @extschema@.caller_partner_id(), TG_TABLE_NAME, TG_OP,
	        (SELECT jsonb_object_agg(c, coalesce(n, o) -> c) FROM unnest(TG_ARGV) AS c), o, n);
	RETURN NULL;
END $$;

COMMENT ON FUNCTION por_partner_internal.audit_row() IS
	'Trigger: records the change of a row in audit_log; the arguments name the columns of its primary key.';
