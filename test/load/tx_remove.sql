-- pgbench: remove_license on a hot subscription, freeing a seat for the
-- assigning scripts: half the time from user u of the pre-fill (55000 when
-- that user has none), half the time from a user licensed on it now
\set h random(1, :hot)
\set u random(1, :hot_users)
\set any random(0, 1)
SELECT load.try_license(:client_id, 'remove', :h, :u, :any);
