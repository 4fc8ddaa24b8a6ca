#!/bin/bash
# whois_engine_bench.sh - the whois query engine in-process (no sockets,
# no daemon) on the internet-scale synthetic data set
# (../shared/tools/gen_irr.py, about 1.3 million objects): index load rate
# and resident memory, !g / !6 queries per second on one thread, p50/p99
# of !i<huge as-set>,1 and !a4<huge as-set>, and index update rate; against
# the issue's goals (!i AS-HUGE,1 p50 < 20 ms, !a4 of the largest set p50
# < 200 ms, the index well inside the daemon's 1.5 GB). bench/whois_bench.sh
# measures the same through bin/irrd and its sockets.
#
#   bench/whois_engine_bench.sh        (make bench runs it)
#
# Environment:
#   IRRD_BENCH_IRR_DIR  data set directory (default /tmp/irrbig); generated
#                       with gen_irr.py when irr.db is missing
#   IRRD_BENCH_SCALE    passed as --scale to gen_irr.py when generating
#   IRRD_BENCH_SECONDS  duration of each throughput run (default 5)
#   BUILD               build tree of the libraries (default build/default)
# Exit status 1 if a step fails or a goal is missed (wall-clock p50; the
# CPU-time p50 printed next to it shows what the query costs on a machine
# shared with other work).
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_init whois_engine_bench
BUILD=${BUILD:-build/default}
DATA=${IRRD_BENCH_IRR_DIR:-/tmp/irrbig}
SECS=${IRRD_BENCH_SECONDS:-5}
GOAL_I_MS=20
GOAL_A_MS=200
GOAL_RSS_MB=1500

bench_irr_data irr.db answers.json

make -s --no-print-directory BUILD="$BUILD" "$BUILD/libwhois.a" "$BUILD/libconf.a" "$BUILD/librpsl.a" >/dev/null ||
	die "building the whois, conf and rpsl libraries failed"
mkdir -p "$BUILD/bench"
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -D_GNU_SOURCE -o "$BUILD/bench/whois_engine_bench" \
	bench/whois_engine_bench.c "$BUILD/libwhois.a" "$BUILD/libconf.a" "$BUILD/librpsl.a" \
	$(pkg-config --libs libevent jansson zlib yaml-0.1 libcrypt openssl) -lm ||
	die "compiling bench/whois_engine_bench.c failed"

out=$("$BUILD/bench/whois_engine_bench" "$DATA/irr.db" "$DATA/answers.json" "$SECS") || die "the benchmark failed"
echo "$out"

fail=0
rss=$(echo "$out" | sed -n 's/^whois_engine: index resident memory \([0-9]*\) MB.*/\1/p')
[ -n "$rss" ] || die "no memory figure in the output"
if [ "$rss" -gt "$GOAL_RSS_MB" ]; then
	echo "whois_engine_bench: index memory ${rss} MB, goal < ${GOAL_RSS_MB} MB"
	fail=1
fi
while read -r q p50; do
	case $q in
	'!i'*) goal=$GOAL_I_MS ;;
	'!a4'*) goal=$GOAL_A_MS ;;
	*) continue ;;
	esac
	ratio=$(awk -v p="$p50" -v g="$goal" 'BEGIN { printf "%.3f", p / g }')
	echo "whois_engine_bench: $q p50 $p50 ms, goal $goal ms, ratio $ratio"
	awk -v r="$ratio" 'BEGIN { exit !(r < 1) }' || fail=1
done < <(echo "$out" | sed -n 's/^whois_engine: \(![ia][^ ]*\) *p50 *\([0-9.]*\) ms.*/\1 \2/p')
[ "$fail" -eq 0 ] || die "a goal was missed"
echo "whois_engine_bench: goals met"
