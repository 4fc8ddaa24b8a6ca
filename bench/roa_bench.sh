#!/bin/bash
# roa_bench.sh - the ROA side of an RPKI import cycle on the internet-scale
# synthetic data set (../shared/tools/gen_irr.py: ~550,000 VRPs, 1.2 million
# route(6)s): ROA JSON parse, origin validation of every route (1 and 2
# threads), a 1% churn re-import (parse, diff, re-validate what the change
# covers) and pseudo-IRR rendering, against the goals: import + validation
# < 30 s, churn re-import < 5 s. (The peer, IRRd 4's BulkRouteROAValidator,
# needs its Python stack and cannot run here.)
#
#   bench/roa_bench.sh                 (make bench runs it)
#
# Environment:
#   IRRD_BENCH_IRR_DIR  data set directory (default /tmp/irrbig); generated
#                       there with gen_irr.py --out DIR when roas.json is missing
#   IRRD_BENCH_SCALE    passed as --scale to gen_irr.py when generating
#   BUILD               build tree of the libraries (default build/default)
# Exit status 1 if a step fails or a goal is missed.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_init roa_bench
BUILD=${BUILD:-build/default}
DATA=${IRRD_BENCH_IRR_DIR:-/tmp/irrbig}

bench_irr_data roas.json irr.db slurm.json

make -s --no-print-directory BUILD="$BUILD" "$BUILD/librpki.a" "$BUILD/librpsl.a" >/dev/null ||
	die "building $BUILD/librpki.a and $BUILD/librpsl.a failed"
mkdir -p "$BUILD/bench"
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -D_GNU_SOURCE -o "$BUILD/bench/roa_bench" bench/roa_bench.c \
	"$BUILD/librpki.a" "$BUILD/librpsl.a" $(pkg-config --libs libcurl) -lz -lpcre2-8 -lcrypt -lpthread -lm ||
	die "compiling bench/roa_bench.c failed"

out=$("$BUILD/bench/roa_bench" "$DATA") || die "roa_bench failed"
echo "$out"
ratio=$(echo "$out" | sed -n 's/^cycle .*ratio \([0-9.]*\)$/\1/p')
cratio=$(echo "$out" | sed -n 's/^churn cycle .*ratio \([0-9.]*\)$/\1/p')
[ -n "$ratio" ] && [ -n "$cratio" ] || die "no ratios in the output"
awk -v r="$ratio" -v c="$cratio" 'BEGIN { exit !(r < 1 && c < 1) }' || die "a goal was missed (ratios $ratio, $cratio)"
echo "roa_bench: goals met (cycle ratio $ratio, churn ratio $cratio)"
