-- pgbench: assign_license to a user of a hot subscription near its seat
-- limit (23514 when full, rule C5; 23505 when the user has one)
\set h random(1, :hot)
\set u random(1, :hot_users)
SELECT load.try_license(:client_id, 'assign', :h, :u);
