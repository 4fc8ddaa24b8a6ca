#!/bin/bash
# run_bench.sh - `make bench`: runs every bench/*.sh (each prints its own
# figures, side by side with the peers), each bounded in time, against a
# throwaway PostgreSQL (the environment of scripts/run_tests.sh, see
# scripts/suites.sh; SHARED_DIR is set when ../shared exists).
#
#   BIN=bin scripts/run_bench.sh [PATTERN...]
#
# IRRD_BENCH_TIMEOUT (default 900) bounds each benchmark and
# IRRD_BENCH_BUDGET (default 3600) the whole run, in seconds; benchmarks
# that would start after the budget is spent are reported as not run.
# Ends with "N benchmarks ran, N failed"; exits non-zero if one failed.
set -euo pipefail

. "$(dirname "$0")/suites.sh"
suites_init run_bench
if [ -d "$SRCDIR/../shared" ]; then
	SHARED_DIR=$(cd "$SRCDIR/../shared" && pwd)
	export SHARED_DIR
fi
suites_pg_start

tmo=${IRRD_BENCH_TIMEOUT:-900}
budget=${IRRD_BENCH_BUDGET:-3600}
start=$SECONDS
ran=0
failed=0
bad=()

for b in bench/*.sh; do
	[ -e "$b" ] || continue
	[ "$b" != bench/lib.sh ] || continue	# the benchmarks' shared functions
	suites_selected "$b" "$@" || continue
	left=$((budget - (SECONDS - start)))
	if [ "$left" -le 0 ]; then
		bad+=("$b: not run, the time budget of ${budget}s is spent")
		failed=$((failed + 1))
		continue
	fi
	this=$tmo
	if [ "$left" -lt "$tmo" ]; then
		this=$left
	fi
	echo "=== bench $b"
	export IRRD_TEST_TMPDIR=$SUITES_TMP/bench-$ran
	mkdir -p "$IRRD_TEST_TMPDIR"
	chmod 755 "$IRRD_TEST_TMPDIR"
	t0=$SECONDS
	rc=0
	timeout -k 15 "$this" bash "$b" </dev/null &
	SUITES_CHILD=$!
	wait "$SUITES_CHILD" || rc=$?
	SUITES_CHILD=
	ran=$((ran + 1))
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			bad+=("$b: timed out after ${this}s")
		else
			bad+=("$b: exit status $rc")
		fi
	fi
	echo "=== $b: $((SECONDS - t0))s, exit $rc"
	rm -rf "$IRRD_TEST_TMPDIR"
done

echo
if [ "$ran" -eq 0 ] && [ "$failed" -eq 0 ]; then
	echo "run_bench: note: no benchmarks in bench/"
fi
for x in "${bad[@]}"; do
	echo "FAILED BENCH $x"
done
echo "$ran benchmarks ran, $failed failed"
[ "$failed" -eq 0 ]
