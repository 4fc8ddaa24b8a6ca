#!/bin/bash
# run_fuzz.sh - `make fuzz`: build every libFuzzer target tests/fuzz/fuzz_*.c
# with clang + ASan and run each for FUZZ_SECONDS (default 60).
#
#   FUZZ_SECONDS=60 scripts/run_fuzz.sh [PATTERN...]
#
# Corpora live under build/fuzz/corpus/<target> (kept between runs, never
# committed) and are seeded with every file of at most 64 KiB under
# tests/data (regression inputs for one target go in tests/data/fuzz/<target>/).
# Crashes, leaks, timeouts and sanitizer reports fail the run; the input that
# triggered one is left in build/fuzz/artifacts/<target>/ - copy it to
# tests/data/fuzz/<target>/ as a regression file once fixed.
set -euo pipefail

prog=run_fuzz
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
case $secs in '' | *[!0-9]*) echo "$prog: FUZZ_SECONDS=$secs: not a number of seconds" >&2; exit 1 ;; esac

MAKEVARS=(CC=clang SANITIZER=address,fuzzer-no-link)
MAKE=${MAKE:-make}
build=$($MAKE -s --no-print-directory "${MAKEVARS[@]}" print-BUILD)
mapfile -t srcs < <(find tests/fuzz -maxdepth 1 -name 'fuzz_*.c' | sort)
if [ ${#srcs[@]} -eq 0 ]; then
	echo "$prog: note: no fuzz targets in tests/fuzz/"
	echo "0 targets fuzzed, 0 failed"
	exit 0
fi

ran=0
failed=0
bad=()
echo "$prog: building ${#srcs[@]} fuzz targets with clang (make -k ${MAKEVARS[*]} fuzzers)"
rc=0
$MAKE -k --no-print-directory "${MAKEVARS[@]}" fuzzers </dev/null || rc=$?
if [ "$rc" -ne 0 ]; then
	failed=$((failed + 1))
	bad+=("build: 'make -k ${MAKEVARS[*]} fuzzers' failed (exit $rc); the targets that were built run anyway")
fi

top=build/fuzz
seeds=$top/seeds
rm -rf "$seeds"
mkdir -p "$seeds" "$top/logs"
if [ -d tests/data ]; then
	find tests/data -type f -size -65k -print0 |
		while IFS= read -r -d '' f; do
			cp "$f" "$seeds/$(sha1sum <"$f" | cut -c1-40)"
		done
fi
echo "$prog: $(find "$seeds" -type f | wc -l) seed inputs from tests/data"

export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

for src in "${srcs[@]}"; do
	name=$(basename "$src" .c)
	if [ $# -gt 0 ]; then
		keep=0
		for pat in "$@"; do
			case $name in *$pat*) keep=1 ;; esac
		done
		[ "$keep" = 1 ] || continue
	fi
	bin=$build/fuzz/$name
	corpus=$top/corpus/$name
	art=$top/artifacts/$name/
	log=$top/logs/$name.log
	mkdir -p "$corpus" "$art"
	if [ ! -x "$bin" ]; then
		failed=$((failed + 1))
		bad+=("$name: not built")
		continue
	fi
	echo "=== fuzz $name for ${secs}s"
	rc=0
	timeout -k 30 $((secs + 300)) "$bin" -max_total_time="$secs" -timeout=25 \
		-rss_limit_mb=2560 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$art" "$corpus" "$seeds" </dev/null >"$log" 2>&1 || rc=$?
	ran=$((ran + 1))
	if [ "$rc" -ne 0 ] || grep -qE '^==[0-9]+==ERROR|runtime error:' "$log"; then
		failed=$((failed + 1))
		bad+=("$name: exit status $rc, log $log, artifacts $art")
		tail -n 60 "$log"
		echo "=== FAILED $name (exit $rc): $(ls "$art" | head -n 5 | tr '\n' ' ')"
	else
		grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$log" | tr '\n' ' '
		echo
		echo "=== ok $name, corpus $(find "$corpus" -type f | wc -l) inputs"
	fi
done

echo
for x in "${bad[@]}"; do
	echo "FAILED FUZZ TARGET $x"
done
echo "$ran targets fuzzed, $failed failed"
[ "$failed" -eq 0 ]
