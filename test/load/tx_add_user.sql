-- pgbench: add_user on a hot tenant, licensed on its nearly full subscription
-- two times in three (23514 when no seat is free, rule C5), with one of 5000
-- e-mails (the first ones exist from the pre-fill, and picks repeat: 23505)
\set h random(1, :hot)
\set e random(1, 5000)
\set licensed random(0, 2)
SELECT load.try_add_user(:client_id, :h, :e, least(:licensed, 1));
