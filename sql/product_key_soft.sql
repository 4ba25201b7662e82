--
-- product_key soft input errors (PostgreSQL 16 and later only; see Makefile)
--
CREATE EXTENSION IF NOT EXISTS por_partner CASCADE;

SELECT pg_input_is_valid('BCDFG-HJKMP-QRTVW-XY234-6789B', 'por_partner.product_key') AS canonical,
       pg_input_is_valid('bcdfghjkmpqrtvwxy2346789b', 'por_partner.product_key') AS lower_no_hyphens,
       pg_input_is_valid('BCDFG-HJKMP-QRTVW-XY234-6789A', 'por_partner.product_key') AS bad_char,
       pg_input_is_valid('', 'por_partner.product_key') AS empty;

SELECT input, e.sql_error_code, e.message, e.detail
  FROM (VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789A'),
               ('BCDFG-HJKMP-QRTVW-XY234-6789'),
               ('BCDF-GHJKMP-QRTVW-XY234-6789B'),
               ('BCDFG-HJKMPQRTVW-XY234-6789B'),
               ('NCDFG-HJKMP-QRTVW-XY234-6789N')) AS v(input),
  LATERAL pg_input_error_info(input, 'por_partner.product_key') AS e;
