#!/usr/bin/env bash
# The load test and the crash test of test/load/run.sh (`make loadtest`), at
# a shorter length for `make test`: LOAD_SECONDS defaults to 30 here (60 for
# make loadtest).  30 s is about 50,000 calls on the project's 2-core machine,
# plenty to hit every contention the scripts aim at (several hundred
# concurrent attempts on the same keys and seats, a few hundred concurrent
# notice runs), and it keeps this test at about two minutes: pre-fill ~5 s,
# 30 s of load, the check and the planted violations ~20 s; then the crash
# test: pre-fill, 15 s of load with fsync on, the immediate stop, recovery,
# the check.
#
# The load phase runs on the cluster of PGHOST/PGPORT (test/run.sh's), in a
# database of its own that it drops; the crash phase starts a cluster of its
# own with fsync, synchronous_commit and full_page_writes on.
#
# Prints TAP (one line an invariant) and the figures as "# " lines.
set -u
cd "$(dirname "$0")/../.."
LOAD_SECONDS=${LOAD_SECONDS:-30} LOAD_USE_CLUSTER=1 exec bash test/load/run.sh
