#!/usr/bin/env bash
# Installs the built extension into the PostgreSQL 15 server's directories,
# unless what is installed there is already this build: every file `make
# install` would copy (found by a `make install` into a staging directory,
# DESTDIR, which needs no root) is compared byte for byte with the installed
# one.  Otherwise it installs as root directly, with sudo when that needs no
# password, or says which files differ and what to run.
set -eu
MAKE=${1:-make}

stage=$(mktemp -d "${TMPDIR:-/tmp}/por_partner-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT

if ! $MAKE --no-print-directory install DESTDIR="$stage/root" >"$stage/log" 2>&1; then
	cat "$stage/log" >&2
	echo "por_partner: could not stage the install (make install DESTDIR=...) to compare it with the installed files" >&2
	exit 1
fi

differ=""
while IFS= read -r -d '' f; do
	p=${f#"$stage/root"}
	if [ ! -e "$p" ]; then
		differ="$differ    $p (missing)
"
	elif ! cmp -s "$f" "$p"; then
		differ="$differ    $p (differs)
"
	fi
done < <(find "$stage/root" -type f -print0 | sort -z)

# installed and identical: nothing to do
[ -z "$differ" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	$MAKE --no-print-directory install >/dev/null
elif sudo -n true 2>/dev/null; then
	sudo -n $MAKE --no-print-directory install >/dev/null
else
	echo "por_partner: the installed extension is not this build:" >&2
	printf '%s' "$differ" >&2
	echo "por_partner: installing into PostgreSQL's directories needs root. Run:" >&2
	echo "    sudo make install" >&2
	echo "then run make again." >&2
	exit 1
fi
