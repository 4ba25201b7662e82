-- Helpers for the demo: show an error as a row instead of aborting.
CREATE FUNCTION pg_temp.attempt(stmt text,
	OUT outcome text, OUT sqlstate_ text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	outcome := 'ok';
EXCEPTION WHEN OTHERS THEN
	outcome := 'refused';
	GET STACKED DIAGNOSTICS sqlstate_ = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
