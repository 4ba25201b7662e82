#!/usr/bin/env bash
# Installs what building and testing por_partner needs, from Debian's
# packages: as root with apt-get, otherwise by printing the exact command.
set -eu

# postgresql-15-cron, python3-psycopg, python3-aiosmtpd: the daily job under
# pg_cron and the reference mailer (examples/mailer/), tested end to end;
# pgbouncer, libpostgresql-jdbc-java and a JDK, Node.js and npm: the
# production recipes of the README (pgbouncer, the drivers), tested with the
# real tools (the node-postgres package itself comes from the npm registry,
# installed by its test into a local folder)
PKGS="make gcc libc6-dev postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
postgresql-15-plpgsql-check libtap-parser-sourcehandler-pgtap-perl clang libclang-rt-14-dev
postgresql-15-cron python3 python3-psycopg python3-aiosmtpd pgbouncer libpostgresql-jdbc-java"
# a JDK, and Node.js with npm, count as there when their commands are (a
# machine may have them from elsewhere than Debian, e.g. NodeSource's nodejs,
# which conflicts with Debian's npm)
command -v javac >/dev/null 2>&1 || PKGS="$PKGS openjdk-17-jdk-headless"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
	echo "por_partner: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# a fresh machine has no package lists yet
	if ! apt-get install -y -q --no-install-recommends $missing >/tmp/por_partner-apt.log 2>&1; then
		apt-get update -q >>/tmp/por_partner-apt.log 2>&1
		apt-get install -y -q --no-install-recommends $missing >>/tmp/por_partner-apt.log 2>&1 || {
			tail -n 20 /tmp/por_partner-apt.log >&2
			echo "por_partner: '$cmd' failed; see /tmp/por_partner-apt.log" >&2
			exit 1
		}
	fi
else
	echo "por_partner: these Debian packages are missing:$missing" >&2
	echo "Install them as root, then run make again:" >&2
	echo "    sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
