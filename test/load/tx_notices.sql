-- pgbench: send_renewal_notices as of today or one of the next three days;
-- several clients at once, on the same and on different days
\set day random(0, 3)
SELECT load.try_notices(:client_id, :day);
