#!/usr/bin/env bash
# `make demo` and `make test` for a user who is not root (issue 16): their
# install step (make build-install, scripts/install.sh) does nothing when what
# is installed is already this build, so after `sudo make install` they run to
# the end; it still refuses, naming the files, when the build changed.
#
# On a copy of the tree owned by an unprivileged user (nobody), built by that
# user:
#   1. root runs `make install` in the copy (the user's `sudo make install`);
#   2. the user's `make build-install` exits 0 without a message, and root's
#      leaves the installed files untouched (same mtime);
#   3. after a change of a C file, the user's `make build-install` rebuilds,
#      then exits non-zero, naming the module as differing, with the command;
#   4. after root installs again, the user's `make build-install` exits 0.
# It installs into PostgreSQL's directories, so it needs root, and it puts back
# every file it replaced (or removes it) when it ends.  The cluster of
# test/run.sh is not used.
set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$PWD
unset MAKEFLAGS MFLAGS MAKELEVEL
. test/shell/lib/tap.sh

USER_=nobody
if [ "$(id -u)" -ne 0 ]; then
	skip "install step of a user who is not root" "needs root (to install and to switch user)"
	finish
fi
if ! command -v runuser >/dev/null || ! id "$USER_" >/dev/null 2>&1; then
	skip "install step of a user who is not root" "needs runuser and the user $USER_"
	finish
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/por_partner-nonroot.XXXXXX")
TREE=$TMP/tree
RESTORE=""		# set once the installed files are saved
cleanup() {
	if [ -n "$RESTORE" ]; then
		# put back what was installed before the test, remove what was not
		while IFS= read -r -d '' p; do
			if [ -e "$TMP/saved$p" ]; then
				cp -p --remove-destination "$TMP/saved$p" "$p"
			else
				rm -f "$p"
			fi
		done <"$TMP/installed.list"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

as_user() { runuser -u "$USER_" -- env HOME="$TMP/home" "$@"; }

# the tree without build products: git's files (tracked, and new ones not
# ignored) when this is a checkout, else everything and `make clean`
mkdir -p "$TREE" "$TMP/home"
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$REPO" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar -C "$REPO" --null -T - -cf - | tar -C "$TREE" -xf -
else
	cp -a "$REPO/." "$TREE"
	make -C "$TREE" -s clean >/dev/null 2>&1
fi
chown -R "$USER_:$(id -gn "$USER_")" "$TMP"

# the user builds
as_user make -C "$TREE" -s --no-print-directory all >"$TMP/build.log" 2>&1
rc=$?
ok $rc "the unprivileged user builds a copy of the tree"
if [ $rc -ne 0 ]; then
	diag <"$TMP/build.log"
	finish
fi

# save what `make install` of the copy will replace
as_user make -C "$TREE" -s --no-print-directory install DESTDIR="$TMP/home/stage" >/dev/null 2>&1
(cd "$TMP/home/stage" && find . -type f -printf '/%P\0') >"$TMP/installed.list"
while IFS= read -r -d '' p; do
	if [ -e "$p" ]; then
		mkdir -p "$(dirname "$TMP/saved$p")"
		cp -p "$p" "$TMP/saved$p"
	fi
done <"$TMP/installed.list"
RESTORE=yes
MODULE=$(grep -z '/por_partner\.so$' "$TMP/installed.list" | tr -d '\0')

# 1. the user's `sudo make install`
make -C "$TREE" -s --no-print-directory install >"$TMP/install.log" 2>&1
ok $? "root installs the user's build (make install)"

# 2. nothing to install
as_user make -C "$TREE" -s --no-print-directory build-install >"$TMP/out1" 2>&1
rc=$?
ok $rc "after the root install, the user's make build-install exits 0"
! grep -q 'por_partner:' "$TMP/out1"
ok $? "... and says nothing (it does not try to install)"
[ $rc -ne 0 ] || [ -s "$TMP/out1" ] && diag <"$TMP/out1"

before=$(stat -c %y "$MODULE")
make -C "$TREE" -s --no-print-directory build-install >"$TMP/out2" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(stat -c %y "$MODULE")" = "$before" ]
ok $? "root's make build-install leaves an identical install alone ($MODULE not rewritten)"
[ $rc -ne 0 ] && diag <"$TMP/out2"

# 3. a changed source: rebuilt, then refused with the files and the command
cat >>"$TREE/src/phase.c" <<'EOF'

/* added by test/shell/install_nonroot.sh: the build now differs */
extern int	por_partner_install_test(void);

int
por_partner_install_test(void)
{
	return 16;
}
EOF
as_user make -C "$TREE" -s --no-print-directory build-install >"$TMP/out3" 2>&1
rc=$?
[ $rc -ne 0 ]
ok $? "after a source change, the user's make build-install exits non-zero"
grep -qF "$MODULE (differs)" "$TMP/out3"
ok $? "... naming the differing module ($MODULE)"
grep -q "^por_partner: installing into PostgreSQL's directories needs root" "$TMP/out3" &&
	grep -q '^    sudo make install$' "$TMP/out3"
ok $? "... and saying to run sudo make install"
diag <"$TMP/out3"

# 4. once root installed the new build, the user's commands run again
make -C "$TREE" -s --no-print-directory install >"$TMP/install.log" 2>&1 &&
	as_user make -C "$TREE" -s --no-print-directory build-install >"$TMP/out4" 2>&1
rc=$?
ok $rc "after root installs the changed build, the user's make build-install exits 0"
[ $rc -ne 0 ] && diag <"$TMP/out4"

finish
