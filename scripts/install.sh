#!/usr/bin/env bash
# Installs the built extension into the PostgreSQL 15 server's directories:
# as root directly, with sudo when that needs no password, or says what to run.
set -eu
MAKE=${1:-make}
if [ "$(id -u)" -eq 0 ]; then
	$MAKE --no-print-directory install >/dev/null
elif sudo -n true 2>/dev/null; then
	sudo -n $MAKE --no-print-directory install >/dev/null
else
	echo "por_partner: installing into PostgreSQL's directories needs root. Run:" >&2
	echo "    sudo make install" >&2
	echo "then run make again." >&2
	exit 1
fi
