/* sql/por_partner--0.1.0--0.2.0.sql: from 0.1.0 to 0.2.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION por_partner UPDATE TO '0.2.0'" to load this file. \quit

-- Everything below also stands, in the same order and words, in
-- sql/por_partner--0.2.0.sql; test/shell/upgrade.sh checks that an updated
-- database and a fresh install have the same schema.
