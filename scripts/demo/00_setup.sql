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

-- A deterministic, valid product key for sample data: 25 symbols drawn from
-- the md5 of a seed (no N), canonical form.
CREATE FUNCTION pg_temp.sample_key(seed text) RETURNS por_partner.product_key
LANGUAGE sql IMMUTABLE AS $$
	SELECT string_agg(substr('BCDFGHJKMPQRTVWXY2346789',
	                         1 + get_byte(decode(md5(seed || i / 16), 'hex'), i % 16) % 24, 1), '')::por_partner.product_key
	  FROM generate_series(0, 24) AS i
$$;
