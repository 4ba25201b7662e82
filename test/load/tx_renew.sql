-- pgbench: renew_subscription of a random base subscription as of today with
-- 1 or 2 keys of the contended pool (23514 when they carry fewer licenses than
-- the licensed users, rule R3, or are of the other SKU; 23505 when another call
-- got a key first); the renewed term has the licenses of its keys as seats;
-- a renewal waits for, or is waited for by, concurrent notice runs
\set n random(1, :base)
\set off1 random(0, 3)
\set off2 random(0, 3)
\set nkeys random(1, 2)
\set dup random(1, 40)
SELECT load.try_renew(:client_id, :n, :off1, :off2, :nkeys, :dup);
