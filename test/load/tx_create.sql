-- pgbench: create_customer_subscription with 1 or 2 keys picked at random among
-- 4 pool cards that the neighbouring attempts also go after (23505 for all but
-- the first; 42501 for a card of another partner; 23514 for keys of two SKUs
-- or, one attempt in 50, country CU; one 2-key attempt in 40 gives a key
-- twice: 22023)
\set off1 random(0, 3)
\set off2 random(0, 3)
\set nkeys random(1, 2)
\set start_day random(1, 70)
\set country random(1, 50)
\set dup random(1, 40)
SELECT load.try_create(:client_id, :off1, :off2, :nkeys, :start_day, :country, :dup);
