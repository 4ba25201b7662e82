#!/usr/bin/env bash
# `make demo`: a throwaway cluster, the extension, sample data, and the
# extension doing its job (scripts/demo/*.sql, in order).
set -eu
cd "$(dirname "$0")/.."
. scripts/cluster.sh

cluster_start
echo "por_partner demo: PostgreSQL $(psql -XAtc 'SHOW server_version') on port $PGPORT (removed on exit)"
createdb por_partner_demo
psql -Xq -d por_partner_demo -c 'CREATE EXTENSION por_partner CASCADE'
# one session, so that the helpers of 00_setup.sql serve every part
cat scripts/demo/*.sql | psql -X -q -d por_partner_demo -v ON_ERROR_STOP=1
