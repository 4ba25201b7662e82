# Sourced by the shell tests that run clusters of their own next to the one
# they are given (logical_replication.sh, standby.sh): throwaway clusters
# ("nodes") under one temporary directory, each with its own port and socket
# directory, run as cluster.sh's as_owner does, all removed by nodes_cleanup.
#   nodes_init                      NODES, the directory (readable by postgres)
#   node_new NAME [conf lines...]   initdb, the lines added to postgresql.conf, started
#   node_standby NAME PRIMARY [conf lines...]
#                                   pg_basebackup -R of PRIMARY, started as its hot standby
#   on NAME command...              the command with PGHOST/PGPORT of the node
#   q NAME SQL [ROLE]               its result in database DB of the node, unaligned
#   sqlstate NAME SQL [ROLE]        the SQLSTATE of the error it raises there, or "none"
#   node_stop NAME                  stop it (fast, else immediate)
#   nodes_cleanup                   stop every node, remove NODES
# Needs scripts/cluster.sh (PGBIN, the server's programs; as_owner, free_port,
# cluster_conf) and BIN (the client programs: psql, pg_basebackup).
NODES=

nodes_init() {
	NODES=$(mktemp -d "${TMPDIR:-/tmp}/por_partner_nodes.XXXXXX") || return 1
	chmod 755 "$NODES"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$NODES"
	return 0
}

node_conf() {	# name conf lines...: the node's port, socket and the lines, appended
	local name=$1 port
	shift
	port=$(free_port) || return 1
	echo "$port" >"$NODES/$name.port"
	cluster_conf "$port" "$NODES/$name" "$@" | as_owner tee -a "$NODES/$name/data/postgresql.conf" >/dev/null
}

node_start() {	# name
	as_owner "$PGBIN/pg_ctl" -D "$NODES/$1/data" -l "$NODES/$1/server.log" -w -t 60 start >/dev/null || {
		tail -n 20 "$NODES/$1/server.log" >&2
		return 1
	}
}

node_new() {	# name conf lines...
	local name=$1
	shift
	as_owner mkdir -m 755 "$NODES/$name" &&
		as_owner "$PGBIN/initdb" -D "$NODES/$name/data" -U postgres -A trust \
			-E UTF8 --locale=C.UTF-8 --no-sync >"$NODES/$name.initdb.log" 2>&1 &&
		node_conf "$name" "$@" &&
		node_start "$name"
}

node_standby() {	# name primary conf lines...
	local name=$1 primary=$2
	shift 2
	as_owner mkdir -m 755 "$NODES/$name" &&
		as_owner "$BIN/pg_basebackup" -h "$NODES/$primary" -p "$(cat "$NODES/$primary.port")" -U postgres \
			-D "$NODES/$name/data" -R -X stream -c fast >"$NODES/$name.basebackup.log" 2>&1 &&
		node_conf "$name" "$@" &&
		node_start "$name"
}

on() {		# name command...
	local name=$1
	shift
	PGHOST=$NODES/$name PGPORT=$(cat "$NODES/$name.port") PGUSER=postgres "$@"
}

q() {		# name sql [role]: the result in database DB, unaligned, errors to stderr
	on "$1" "$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -U "${3:-postgres}" -d "$DB" -c "$2"
}

sqlstate() {	# name sql [role]: the SQLSTATE of the error it raises in database DB, or "none"
	local out
	out=$(on "$1" "$BIN/psql" -X -q -A -t -v VERBOSITY=sqlstate -v ON_ERROR_STOP=1 -U "${3:-postgres}" -d "$DB" -c "$2" 2>&1)
	sed -n 's/^.*ERROR:  \([0-9A-Z]\{5\}\)$/\1/p' <<<"$out" | head -n 1 | grep . || echo none
}

node_stop() {	# name
	[ -f "$NODES/$1/data/postmaster.pid" ] || return 0
	as_owner "$PGBIN/pg_ctl" -D "$NODES/$1/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
		as_owner "$PGBIN/pg_ctl" -D "$NODES/$1/data" -m immediate -w -t 30 stop >/dev/null 2>&1
}

nodes_cleanup() {
	local d
	[ -n "$NODES" ] && [ -d "$NODES" ] || return 0
	for d in "$NODES"/*/data; do
		[ -d "$d" ] && node_stop "$(basename "$(dirname "$d")")"
	done
	rm -rf "$NODES"
	NODES=
}
