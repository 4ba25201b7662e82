# Sourced by the test, demo and bench scripts: a throwaway PostgreSQL 15
# cluster in a temporary directory, run as a non-root user (PostgreSQL refuses
# root: under root it runs as "postgres"), on a free port, removed on exit.
#
#   cluster_start [postgresql.conf lines...]   exports PGHOST PGPORT PGUSER
#   cluster_stop                                (also run on exit)

PGBIN=${PGBIN:-$(/usr/lib/postgresql/15/bin/pg_config --bindir 2>/dev/null || pg_config --bindir)}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# The settings of a throwaway cluster: its port, socket directory, no
# durability; and the caller's lines
cluster_conf() {	# port socket_dir [postgresql.conf lines...]
	echo "port = $1"
	echo "listen_addresses = '127.0.0.1'"
	echo "unix_socket_directories = '$2'"
	echo "fsync = off"
	echo "synchronous_commit = off"
	echo "full_page_writes = off"
	echo "max_prepared_transactions = 10"
	shift 2
	for line in "$@"; do echo "$line"; done
}

cluster_start() {
	CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/por_partner.XXXXXX")
	chmod 755 "$CLUSTER_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$CLUSTER_DIR"
	trap cluster_stop EXIT
	trap 'exit 130' INT TERM
	as_owner "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 || {
		cat "$CLUSTER_DIR/initdb.log" >&2
		return 1
	}
	PGPORT=$(free_port)
	cluster_conf "$PGPORT" "$CLUSTER_DIR" "$@" >>"$CLUSTER_DIR/data/postgresql.conf"
	as_owner "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" \
		-w -t 60 start >/dev/null || {
		cat "$CLUSTER_DIR/server.log" >&2
		return 1
	}
	export PGHOST="$CLUSTER_DIR" PGPORT PGUSER=postgres PGDATABASE=postgres
}

cluster_stop() {
	[ -n "${CLUSTER_DIR:-}" ] || return 0
	as_owner "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$CLUSTER_DIR"
	CLUSTER_DIR=
}
