#!/bin/bash
# rpki_cycle_bench.sh - the ROA import cycle of RPKI-aware mode on the
# internet-scale synthetic data set (../shared/tools/gen_irr.py: ~1.2
# million route(6)s, ~550,000 VRPs) against a real PostgreSQL:
#
#   1. irrd_load_database loads irr.db (no ROA set in force yet: every route
#      is stored not_found);
#   2. the first import of roas.json: fetch, parse, validate every route,
#      write every status that changed (~600,000) with journal entries,
#      fill roa_object;
#   3. a re-import with 1% of the ROAs changed (0.5% removed, 0.5% with
#      another origin);
#
# each timed as one import cycle of the daemon's worker thread
# (rpki/importer.h; bench/rpki_cycle_bench.c), with the peak RSS of the
# importing process and the CPU seconds of the importer and of its database
# backend (a fairer figure than wall time on a busy machine). Goals: first
# import < 30 s, re-import < 5 s, peak < 1 GB. IRRd 4 (its Python stack
# cannot run here) took 12 minutes, 3 minutes and 7 GB: ratios printed.
#
#   bench/rpki_cycle_bench.sh                (make bench runs it)
#
# Environment:
#   IRRD_BENCH_IRR_DIR  data set directory (default /tmp/irrbig); generated
#                       there with gen_irr.py --out DIR when missing
#   IRRD_BENCH_SCALE    passed as --scale to gen_irr.py when generating
#   IRRD_BIN / BIN      the programs (default bin/)
#   BUILD               build tree of the libraries (default build/default)
#   IRRD_TEST_PG_*      the cluster of scripts/suites.sh; without it a
#                       private cluster is started (and removed)
# Exit status 1 if a step fails or a goal is missed.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_init rpki_cycle_bench
BUILD=${BUILD:-build/default}
DATA=${IRRD_BENCH_IRR_DIR:-/tmp/irrbig}
GOAL_FIRST=30
GOAL_AGAIN=5
GOAL_RSS_MB=1024
PEER_FIRST=720
PEER_AGAIN=180
PEER_RSS_MB=7168

bench_need_bins irrd_database_upgrade irrd_load_database

bench_tmp

# ---- data set ----
bench_irr_data irr.db roas.json
SOURCE=$(grep -m1 '^source:' "$DATA/irr.db" | awk '{print toupper($2)}')
[ -n "$SOURCE" ] || die "$DATA/irr.db: no source: attribute found"

# ---- the program ----
make -s --no-print-directory BUILD="$BUILD" "$BUILD/librpki.a" "$BUILD/libsql.a" "$BUILD/libconf.a" \
	"$BUILD/librpsl.a" >/dev/null || die "building the libraries failed"
mkdir -p "$BUILD/bench"
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -D_GNU_SOURCE $(pkg-config --cflags libpq) \
	-o "$BUILD/bench/rpki_cycle_bench" bench/rpki_cycle_bench.c \
	"$BUILD/librpki.a" "$BUILD/libsql.a" "$BUILD/libconf.a" "$BUILD/librpsl.a" \
	$(pkg-config --libs libpq libcurl yaml-0.1 libpcre2-8 zlib) -lcrypt -lpthread -lm ||
	die "compiling bench/rpki_cycle_bench.c failed"

# ---- database ----
bench_pg
bench_createdb rpkibench
CFG=$TMP/irrd.yaml
cat >"$CFG" <<EOF
irrd:
  database_url: '$URL'
  rpki:
    roa_source: 'file://$DATA/roas.json'
    notify_invalid_enabled: false
  sources:
    $SOURCE: {authoritative: true, keep_journal: true}
EOF

# 1% of the ROAs changed: every 200th removed, every 200th (offset 100)
# with another origin
python3 - "$DATA/roas.json" "$TMP/roas-churn.json" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
out = []
for i, r in enumerate(d["roas"]):
    if i % 200 == 0:
        continue
    if i % 200 == 100:
        r = dict(r)
        a = str(r["asn"]).upper().replace("AS", "")
        r["asn"] = "AS%d" % ((int(a) + 1) % 4294967296)
    out.append(r)
with open(sys.argv[2], "w") as f:
    json.dump({"roas": out}, f)
print("rpki_cycle_bench: churn file: %d of %d ROAs removed or changed" % (len(d["roas"]) - len(out) +
      sum(1 for i in range(len(d["roas"])) if i % 200 == 100), len(d["roas"])))
EOF

echo "rpki_cycle_bench: $DATA: $(grep -c '^route' "$DATA/irr.db") route(6) objects; database on $WHERE;" \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/irrd_database_upgrade" --config "$CFG" >/dev/null || die "irrd_database_upgrade failed"
t0=$(date +%s.%N)
"$BIN/irrd_load_database" --config "$CFG" --source "$SOURCE" "$DATA/irr.db" | tail -n 1 ||
	die "irrd_load_database failed"
echo "rpki_cycle_bench: load: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

first=$("$BUILD/bench/rpki_cycle_bench" --config "$CFG" 2>&1) || die "first import failed: $first"
echo "$first" | sed 's/^/first import: /'
again=$("$BUILD/bench/rpki_cycle_bench" --config "$CFG" --roa-url "file://$TMP/roas-churn.json" 2>&1) ||
	die "re-import failed: $again"
echo "$again" | sed 's/^/re-import, 1% changed: /'

num() { echo "$1" | sed -n "s/^$2 \([0-9.]*\).*/\1/p" | head -n 1; }
t_first=$(num "$first" "total")
t_again=$(num "$again" "total")
rss_first=$(num "$first" "peak RSS")
rss_again=$(num "$again" "peak RSS")
[ -n "$t_first" ] && [ -n "$t_again" ] && [ -n "$rss_first" ] && [ -n "$rss_again" ] ||
	die "no figures in the output"
rss=$(( rss_first > rss_again ? rss_first : rss_again ))

awk -v f="$t_first" -v a="$t_again" -v r="$rss" -v gf=$GOAL_FIRST -v ga=$GOAL_AGAIN -v gr=$GOAL_RSS_MB \
    -v pf=$PEER_FIRST -v pa=$PEER_AGAIN -v pr=$PEER_RSS_MB 'BEGIN {
	printf "first import:  %7.2f s   goal %d s    ratio %.3f   IRRd 4 %d s     ratio %.4f\n", f, gf, f / gf, pf, f / pf
	printf "re-import 1%%:  %7.2f s   goal %d s     ratio %.3f   IRRd 4 %d s     ratio %.4f\n", a, ga, a / ga, pa, a / pa
	printf "peak memory:   %7d MB  goal %d MB ratio %.3f   IRRd 4 %d MB   ratio %.4f\n", r, gr, r / gr, pr, r / pr
}'
awk -v f="$t_first" -v a="$t_again" -v r="$rss" 'BEGIN { exit !(f < '$GOAL_FIRST' && a < '$GOAL_AGAIN' && r < '$GOAL_RSS_MB') }' ||
	die "a goal was missed (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "rpki_cycle_bench: goals met"
