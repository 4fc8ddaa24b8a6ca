#!/bin/bash
# load_bench.sh - irrd_load_database on the internet-scale synthetic data
# set (../shared/tools/gen_irr.py, about 1.3 million objects): wall time,
# objects/s and peak RSS for 3 runs and their medians, against the goal
# (60 s, 500 MB) and against the peer figure from the issue: "IRRd 4 takes
# about 15 minutes for RADB's 1.39 million objects" (900 s; IRRd itself
# cannot run here).
#
#   bench/load_bench.sh                (make bench runs it)
#
# Environment:
#   IRRD_BENCH_IRR_DIR  data set directory (default /tmp/irrbig); generated
#                       there with gen_irr.py --out DIR when irr.db is missing
#   IRRD_BENCH_SCALE    passed as --scale to gen_irr.py when generating
#   IRRD_BENCH_RUNS     number of runs (default 3)
#   IRRD_BIN / BIN      the programs (default bin/)
#   IRRD_TEST_DATABASE_URL, IRRD_TEST_PG_*: the cluster from scripts/suites.sh;
#                       without them a private cluster is started (and removed)
# Exit status 1 if a load fails or the median misses the goal.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_init load_bench
DATA=${IRRD_BENCH_IRR_DIR:-/tmp/irrbig}
RUNS=${IRRD_BENCH_RUNS:-3}
GOAL_SECONDS=60
GOAL_RSS_MB=500
PEER_SECONDS=900
PEER_OBJECTS=1390000

bench_need_bins irrd_database_upgrade irrd_load_database
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"

bench_tmp

# ---- data set ----
bench_irr_data irr.db
DUMP=$DATA/irr.db
SOURCE=$(grep -m1 '^source:' "$DUMP" | awk '{print toupper($2)}')
[ -n "$SOURCE" ] || die "$DUMP: no source: attribute found"
OBJECTS_IN_FILE=$(grep -c '^source:' "$DUMP")
SIZE_MB=$(( $(stat -c %s "$DUMP") / 1048576 ))

# ---- database ----
bench_pg
bench_createdb loadbench
CFG=$TMP/irrd.yaml
cat >"$CFG" <<EOF
irrd:
  database_url: '$URL'
  rpki: {roa_source: null}
  sources:
    $SOURCE: {}
EOF
"$BIN/irrd_database_upgrade" --config "$CFG" >/dev/null

echo "load_bench: $DUMP: $OBJECTS_IN_FILE objects, $SIZE_MB MB, source $SOURCE"
echo "load_bench: database: $WHERE; machine: $(nproc) CPUs"
secs=()
rss=()
for i in $(seq 1 "$RUNS"); do
	/usr/bin/time -v -o "$TMP/time.$i" "$BIN/irrd_load_database" --config "$CFG" --source "$SOURCE" "$DUMP" \
		>"$TMP/out.$i" 2>"$TMP/err.$i" || {
		cat "$TMP/err.$i" >&2
		die "run $i: irrd_load_database failed"
	}
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$TMP/time.$i")
	s=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
	kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.$i")
	loaded=$(sed -n 's/^Loaded \([0-9]*\) objects into .*/\1/p' "$TMP/out.$i")
	rejected=$(sed -n 's/^Loaded .*, rejected \([0-9]*\)$/\1/p' "$TMP/out.$i")
	secs+=("$s")
	rss+=("$kb")
	printf 'run %d: %7.2f s  %9.0f objects/s  peak RSS %4d MB  (loaded %s, rejected %s; %s)\n' \
		"$i" "$s" "$(awk -v a="$loaded" -v b="$s" 'BEGIN {print a / b}')" $((kb / 1024)) "$loaded" "$rejected" \
		"$(sed -n 's/^.*objects read; //p' "$TMP/err.$i")"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
ms=$(median "${secs[@]}")
mk=$(median "${rss[@]}")
rate=$(awk -v a="$loaded" -v b="$ms" 'BEGIN {print a / b}')
peer_rate=$(awk -v a="$PEER_OBJECTS" -v b="$PEER_SECONDS" 'BEGIN {print a / b}')
printf 'median: %.2f s, %.0f objects/s, peak RSS %d MB\n' "$ms" "$rate" $((${mk%.*} / 1024))
printf 'peer: IRRd 4 about %d s for %d objects (%.0f objects/s)\n' "$PEER_SECONDS" "$PEER_OBJECTS" "$peer_rate"
printf 'ratio: %.1fx faster than IRRd 4 by wall time (%d s / %.2f s), %.1fx per object\n' \
	"$(awk -v a="$PEER_SECONDS" -v b="$ms" 'BEGIN {print a / b}')" "$PEER_SECONDS" "$ms" \
	"$(awk -v a="$rate" -v b="$peer_rate" 'BEGIN {print a / b}')"
ok=1
if awk -v a="$ms" -v b="$GOAL_SECONDS" 'BEGIN {exit !(a > b)}'; then
	echo "goal MISSED: median $ms s > $GOAL_SECONDS s"
	ok=0
fi
if [ $((${mk%.*} / 1024)) -ge $GOAL_RSS_MB ]; then
	echo "goal MISSED: peak RSS $((${mk%.*} / 1024)) MB >= $GOAL_RSS_MB MB"
	ok=0
fi
psql -h "$HOST" -p "$PORT" -U "$USER_" -d postgres -XAtq -c "DROP DATABASE $DB WITH (FORCE)" || :
if [ "$ok" -eq 1 ]; then
	echo "goal met: <= $GOAL_SECONDS s and < $GOAL_RSS_MB MB"
	exit 0
fi
exit 1
