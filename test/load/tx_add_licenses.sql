-- pgbench: add_licenses on a random base subscription with 1 or 2 keys of the
-- same contended pool as tx_create.sql (23505 when another call got a key
-- first; 23514 for a key of the other SKU, rule K3; 22023 for a key twice)
\set n random(1, :base)
\set off1 random(0, 3)
\set off2 random(0, 3)
\set nkeys random(1, 2)
\set dup random(1, 40)
SELECT load.try_add_licenses(:client_id, :n, :off1, :off2, :nkeys, :dup);
