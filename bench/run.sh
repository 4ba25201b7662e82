#!/usr/bin/env bash
# `make bench`: every benchmark, each on its own throwaway cluster; each
# prints its table and writes it to bench/out/.  BENCH=name runs one
# (e.g. BENCH=redeem make bench).
set -eu
cd "$(dirname "$0")/.."
for b in product_key redeem partner_can lifecycle isolation scale; do
	if [ -z "${BENCH:-}" ] || [ "$BENCH" = "$b" ]; then
		echo "== bench/$b.sh"
		bash "bench/$b.sh"
		echo
	fi
done
