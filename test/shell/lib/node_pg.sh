# shellcheck shell=bash
# Sourced by the shell tests that run node-postgres (pgbouncer.sh, drivers.sh).
#   node_pg_install LOG   node-postgres (pg 8, pinned by test/drivers/node/package-lock.json)
#                         in build/node/node_modules, from the npm registry with
#                         `npm ci`, unless the same lock is installed there already;
#                         exports NODE_PATH.  Fails (it never skips) when npm cannot
#                         fetch it: the test that needs it must fail then.
NODE_PG_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../drivers/node" && pwd)
NODE_PG_DIR=$(cd "$NODE_PG_SRC/../../.." && pwd)/build/node

node_pg_install() {	# log
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		echo "node or npm missing (scripts/deps.sh installs them)" >"$1"
		return 1
	fi
	mkdir -p "$NODE_PG_DIR" || return 1
	if ! cmp -s "$NODE_PG_SRC/package-lock.json" "$NODE_PG_DIR/package-lock.json" ||
		[ ! -f "$NODE_PG_DIR/node_modules/pg/package.json" ]; then
		if ! cp "$NODE_PG_SRC/package.json" "$NODE_PG_SRC/package-lock.json" "$NODE_PG_DIR/" ||
			! (cd "$NODE_PG_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$1" 2>&1; then
			rm -f "$NODE_PG_DIR/package-lock.json"	# try again next time
			return 1
		fi
	fi
	export NODE_PATH=$NODE_PG_DIR/node_modules
	node -e 'require("pg")' >>"$1" 2>&1
}
