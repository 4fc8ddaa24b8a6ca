#!/bin/bash
# validator_bench.sh - warm-cache validation by the bundled RPKI validator
# (bin/irrd_rpki_validator) and rpki-client 8.2 side by side, on mkrepo
# repositories of 10,000 and 100,000 ROAs, with ../shared/tools/mkrepo/
# yardstick.py bench: each peer fills its cache once over RRDP (HTTPS on
# loopback), then validates it offline (-n) IRRD_BENCH_VAL_RUNS times under
# /usr/bin/time. Prints wall, CPU, peak RSS (largest process and whole
# process tree) for both, the ratios, and checks the goal: our median wall
# time at most half of rpki-client's, our process tree's peak RSS at most
# rpki-client's, and the exact expected VRP set.
#
#   bench/validator_bench.sh            (make bench runs it; needs root:
#                                        yardstick binds ports 873 and 443)
#
# Environment:
#   IRRD_BENCH_VAL_DIR    work directory, kept between runs so keys and
#                         repositories are generated once (default
#                         /var/tmp/irrd-validator-bench)
#   IRRD_BENCH_VAL_SIZES  CASxROAS list (default 100x100,100x1000: 10,000
#                         and 100,000 ROAs)
#   IRRD_BENCH_VAL_RUNS   offline runs per peer (default 3)
#   BIN                   where irrd_rpki_validator is (default bin)
# The first run generates the keys and repositories (several minutes on 2
# cores); with the default IRRD_BENCH_TIMEOUT of 900 s that is tight, later
# runs reuse them and take about 6 minutes.
# Exit status 1 if something fails, a VRP set is wrong or the goal is missed.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRCDIR"
SHARED=${SHARED_DIR:-$SRCDIR/../shared}
DIR=${IRRD_BENCH_VAL_DIR:-/var/tmp/irrd-validator-bench}
SIZES=${IRRD_BENCH_VAL_SIZES:-100x100,100x1000}
RUNS=${IRRD_BENCH_VAL_RUNS:-3}
BIN=${BIN:-bin}

die() { echo "validator_bench: $*" >&2; exit 1; }

YS=$SHARED/tools/mkrepo/yardstick.py
[ -f "$YS" ] || die "$YS: not found (set SHARED_DIR)"
[ "$(id -u)" = 0 ] || die "yardstick needs root (ports 873/443, unshare, bind mounts)"
command -v rpki-client >/dev/null || die "rpki-client is not installed"
make -s --no-print-directory "$BIN/irrd_rpki_validator" >/dev/null || die "building $BIN/irrd_rpki_validator failed"
BIN=$(cd "$BIN" && pwd)
mkdir -p "$DIR"
chmod 755 "$DIR"

peer="mine=$SRCDIR/tests/integration/validator/ys_peer.sh $BIN {mode} {tal} {cache} {ca_file} {out}"
echo "validator_bench: yardstick bench $SIZES, $RUNS offline runs each, in $DIR"
# A small EE key pool keeps the first run's key generation short (RSA
# keys dominate mkrepo's time; neither peer checks one-time use).
python3 "$YS" bench "$DIR" --sizes "$SIZES" --runs "$RUNS" --key-pool 64 --peers rpki-client,mine \
	--extra-peer "$peer" >"$DIR/bench.json" 2>"$DIR/bench.log" ||
	{ tail -n 30 "$DIR/bench.log" >&2; die "yardstick bench failed (log: $DIR/bench.log)"; }

python3 - "$DIR/bench-result.json" <<'EOF'
import json, sys

res = json.load(open(sys.argv[1]))
bad = 0
print("%-9s %-12s %7s %9s %9s %9s %9s %10s %10s  %s" % (
    "size", "peer", "ROAs", "wall s", "user s", "sys s", "cpu s", "maxrss MB", "tree MB", "VRPs"))
for size, r in res.items():
    roas = r["meta"]["roas"]
    peers = r["peers"]
    for name in ("rpki-client", "mine"):
        p = peers.get(name)
        if p is None:
            print("%-9s %-12s missing" % (size, name))
            bad += 1
            continue
        ok = all(x.get("vrps_ok") for x in p["runs"]) and p["warm_vrps_ok"]
        def med(k):
            v = p.get(k)
            return v["median"] if v else float("nan")
        print("%-9s %-12s %7d %9.2f %9.2f %9.2f %9.2f %10.1f %10.1f  %s" % (
            size, "irrd" if name == "mine" else name, roas, med("wall"), med("user"), med("sys"),
            med("cpu"), med("maxrss_kb") / 1024, (med("tree_rss_kb") or 0) / 1024,
            "exact" if ok else "WRONG"))
        if not ok:
            bad += 1
    rc, me = peers.get("rpki-client"), peers.get("mine")
    if rc and me:
        wr = me["wall"]["median"] / rc["wall"]["median"]
        cr = me["cpu"]["median"] / rc["cpu"]["median"] if rc["cpu"]["median"] else float("nan")
        rr = me["maxrss_kb"]["median"] / rc["maxrss_kb"]["median"]
        tr = (me["tree_rss_kb"]["median"] or 0) / (rc["tree_rss_kb"]["median"] or 1) \
            if me.get("tree_rss_kb") and rc.get("tree_rss_kb") else float("nan")
        goal = wr <= 0.5
        # the issue's memory goal: no more than rpki-client (whole process trees)
        mgoal = tr <= 1.0 if tr == tr else None
        print("%-9s ratio irrd/rpki-client: wall %.2f, cpu %.2f, maxrss %.2f, tree rss %.2f; "
              "warm fetch irrd %.1f s, rpki-client %.1f s; goal wall <= 0.50: %s; goal tree rss <= 1.00: %s" % (
                  size, wr, cr, rr, tr, me["warm_fetch"]["wall"], rc["warm_fetch"]["wall"],
                  "met" if goal else "MISSED", "not measured" if mgoal is None else "met" if mgoal else "MISSED"))
        if not goal:
            bad += 1
        if mgoal is False:
            bad += 1
sys.exit(1 if bad else 0)
EOF
