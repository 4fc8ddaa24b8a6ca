#!/bin/bash
# rtr_bench.sh - the RTR server of bin/irrd against StayRTR (Debian package
# stayrtr) in the same run, on the same 600,000-VRP set
# (../shared/tools/gen_vrps.py defaults), both over plain TCP on loopback,
# RTR version 1, driven by bench/rtr_load.c:
#   - one router's full sync (Reset Query to End of Data), median of 5;
#   - 1,000 concurrent Reset Queries: total time, how many completed, the
#     server's memory growth (peak RSS during the run minus RSS before);
#   - Serial Notify latency: a synced session waits while the set changes
#     (gen_vrps.py's delta: 1,000 VRPs withdrawn, 1,000 announced); for
#     irrd from the SIGHUP that starts the re-import, for StayRTR from the
#     moment its cache file is replaced (it polls the file every 10 s,
#     -refresh 10); then the Serial Query's delta is checked.
# Prints both figures and their ratio (StayRTR / irrd: above 1 = irrd is
# better) and checks irrd's goals: full sync < 100 ms, 1,000 concurrent
# < 20 s with < 50 MB RSS growth, Serial Notify < 2 s after the import starts.
#
#   bench/rtr_bench.sh               (make bench runs it)
#
# Environment:
#   IRRD_BENCH_VRP_DIR   data set directory (default /tmp/rtrbig); generated
#                        when missing (under a lock, about half a minute)
#   IRRD_BENCH_RTR_CONNS concurrent sessions (default 1000)
#   IRRD_BENCH_RTR_PEER_TIMEOUT  bound on StayRTR's concurrent run (default
#                        180 s; it may not finish: then its rate is compared)
#   IRRD_BIN / BIN       the programs (default bin/)
#   IRRD_TEST_PG_*       the cluster from scripts/suites.sh; without it a
#                        private cluster is started (and removed)
# Exit status 1 if something fails or one of irrd's goals is missed.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_init rtr_bench
DATA=${IRRD_BENCH_VRP_DIR:-/tmp/rtrbig}
CONNS=${IRRD_BENCH_RTR_CONNS:-1000}
PEER_TMO=${IRRD_BENCH_RTR_PEER_TIMEOUT:-180}
GOAL_SYNC_MS=100
GOAL_CONC_S=20
GOAL_RSS_MB=50
GOAL_NOTIFY_S=2

bench_need_bins irrd irrd_database_upgrade
command -v stayrtr >/dev/null || die "stayrtr: not installed (apt-get install stayrtr)"

DPID=
SPID=
NPID=
bench_tmp NPID DPID SPID

LOAD=$TMP/rtr_load
cc -O2 -Wall -Wextra -o "$LOAD" bench/rtr_load.c || die "bench/rtr_load.c does not compile"

# ---- data set: 600,000 VRPs and a second export with a 1000+1000 delta ----
bench_data gen_vrps.py "the VRP set" "about half a minute" vrps_b.json -- \
	-o "$DATA.tmp/vrps_a.json" --delta-out "$DATA.tmp/vrps_b.json" --delta-list "$DATA.tmp/delta.json"
NVRPS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["roas"]))' "$DATA/vrps_a.json")
NDELTA=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["announced"]), len(d["withdrawn"]))' \
	"$DATA/delta.json")
cp "$DATA/vrps_a.json" "$TMP/irrd_roas.json"
cp "$DATA/vrps_a.json" "$TMP/stay_roas.json"

# ---- database ----
bench_pg --fast
bench_createdb rtrbench
WPORT=$(free_port)
HPORT=$(free_port)
RPORT=$(free_port)
SPORT=$(free_port)
SMPORT=$(free_port)
CFG=$TMP/irrd.yaml
mkdir -m 700 "$TMP/gnupg"
cat >"$CFG" <<EOF
irrd:
  database_url: '$URL'
  piddir: '$TMP'
  access_lists: {local: ['127.0.0.0/8', '::1/128']}
  server:
    whois: {interface: '127.0.0.1', port: $WPORT}
    http: {interface: '127.0.0.1', port: $HPORT, status_access_list: local}
    rtr: {interface: '127.0.0.1', port: $RPORT}
  auth: {gnupg_keyring: '$TMP/gnupg'}
  rpki: {roa_source: 'file://$TMP/irrd_roas.json', notify_invalid_enabled: false}
  sources_default: [BENCH]
  sources:
    BENCH: {authoritative: true}
  log: {level: INFO}
EOF
"$BIN/irrd_database_upgrade" --config "$CFG" >/dev/null

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get(sys.argv[2], ""))' "$1" "$2"; }

# Wait until PORT serves all NVRPS VRPs; prints the seconds it took.
wait_served() {
	local port=$1 limit=$2 t0 out
	t0=$(now)
	while :; do
		out=$("$LOAD" -n 1 -t 30 127.0.0.1 "$port" 2>/dev/null || :)
		if [ -n "$out" ] && [ "$(field "$out" vrps_max)" = "$NVRPS" ]; then
			awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f\n", b - a}'
			return 0
		fi
		if awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN {exit !(b - a > l)}'; then
			return 1
		fi
		sleep 0.5
	done
}

# ---- start both servers ----
note "starting bin/irrd (RTR port $RPORT) and StayRTR (port $SPORT) on $NVRPS VRPs"
t0=$(now)
"$BIN/irrd" --config "$CFG" --foreground >"$TMP/irrd.log" 2>&1 &
DPID=$!
stayrtr -bind "127.0.0.1:$SPORT" -cache "$TMP/stay_roas.json" -refresh 10 -checktime=false \
	-protocol 1 -metrics.addr "127.0.0.1:$SMPORT" -log.verbose=false >"$TMP/stayrtr.log" 2>&1 &
SPID=$!
if ! IRRD_READY=$(wait_served "$RPORT" 600); then
	tail -n 20 "$TMP/irrd.log" >&2
	die "bin/irrd did not serve the $NVRPS VRPs within 600 s"
fi
note "bin/irrd serves the set ${IRRD_READY} s after start (import included)"
if ! STAY_READY=$(wait_served "$SPORT" 600); then
	tail -n 20 "$TMP/stayrtr.log" >&2
	die "StayRTR did not serve the $NVRPS VRPs within 600 s"
fi
note "StayRTR serves the set (ready $(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}') s after start)"
# let the daemon finish what follows an import (pseudo-IRR objects) first
sleep 5

# ---- one full sync, median of 5 ----
full_sync() {
	local port=$1 i out times=()
	for i in 1 2 3 4 5; do
		out=$("$LOAD" -n 1 -t 120 127.0.0.1 "$port") || die "full sync on port $port failed: $out"
		[ "$(field "$out" vrps_max)" = "$NVRPS" ] || die "full sync on port $port: $out"
		times+=("$(field "$out" total_s)")
	done
	printf '%s\n' "${times[@]}" | sort -g | sed -n 3p
}
I_SYNC=$(full_sync "$RPORT")
S_SYNC=$(full_sync "$SPORT")
note "one full sync: irrd $I_SYNC s, StayRTR $S_SYNC s"

# ---- Serial Notify latency ----
# notify_latency PORT TRIGGER: a synced session waits; TRIGGER changes the
# set; prints "latency_s announced withdrawn".
notify_latency() {
	local port=$1 trigger=$2 out t0 tn line
	out=$TMP/notify.$port
	"$LOAD" -m notify -t 120 127.0.0.1 "$port" >"$out" 2>&1 &
	NPID=$!
	for _ in $(seq 1 1800); do
		grep -q '"synced"' "$out" && break
		sleep 0.1
	done
	grep -q '"synced"' "$out" || die "notify session on port $port did not sync: $(cat "$out")"
	sleep 1
	t0=$(now)
	$trigger
	wait "$NPID" || :
	NPID=
	line=$(grep '"notify"' "$out" || :)
	[ -n "$line" ] || die "no Serial Notify on port $port: $(cat "$out")"
	tn=$(field "$line" t)
	line=$(grep '"delta"' "$out" || :)
	[ -n "$line" ] || die "no delta on port $port: $(cat "$out")"
	echo "$(awk -v a="$t0" -v b="$tn" 'BEGIN {printf "%.2f", b - a}') $(field "$line" announced) $(field "$line" withdrawn)"
}
irrd_change() {
	cp "$DATA/vrps_b.json" "$TMP/irrd_roas.json.new"
	mv "$TMP/irrd_roas.json.new" "$TMP/irrd_roas.json"
	kill -HUP "$DPID"
}
stay_change() {
	cp "$DATA/vrps_b.json" "$TMP/stay_roas.json.new"
	mv "$TMP/stay_roas.json.new" "$TMP/stay_roas.json"
}
note "Serial Notify latency (delta of $NDELTA announced/withdrawn VRPs)"
res=$(notify_latency "$RPORT" irrd_change)
read -r I_NOT I_ANN I_WD <<<"$res"
note "irrd: Serial Notify $I_NOT s after SIGHUP"
grep -E "ROA import from|rtr: new data" "$TMP/irrd.log" | tail -n 2 | sed 's/^/rtr_bench: irrd log: /' || :
res=$(notify_latency "$SPORT" stay_change)
read -r S_NOT S_ANN S_WD <<<"$res"

# ---- concurrent Reset Queries ----
concurrent() {
	local port=$1 pid=$2 tmo=$3 before out peak
	before=$(rss_kib "$pid")
	echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || :	# reset the peak RSS
	out=$("$LOAD" -n "$CONNS" -t "$tmo" 127.0.0.1 "$port" || :)
	peak=$(hwm_kib "$pid")
	[ "$peak" -ge "$before" ] || peak=$before
	echo "$out" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["completed"], d["total_s"], d["p50_s"], d["bytes"], d.get("first_error", "-").replace(" ", "_"))' |
		{ read -r comp tot p50 bytes err; echo "$comp $tot $p50 $(( (peak - before) / 1024 )) $before $peak $bytes $err"; }
}
note "irrd: $CONNS concurrent Reset Queries"
res=$(concurrent "$RPORT" "$DPID" 300)
read -r I_COMP I_TOT I_P50 I_RSS I_RSS0 I_RSSP I_BYTES I_ERR <<<"$res"
note "irrd: $I_COMP of $CONNS done in $I_TOT s, RSS +$I_RSS MB"
note "StayRTR: $CONNS concurrent Reset Queries (bounded to ${PEER_TMO} s)"
res=$(concurrent "$SPORT" "$SPID" "$PEER_TMO")
read -r S_COMP S_TOT S_P50 S_RSS S_RSS0 S_RSSP S_BYTES S_ERR <<<"$res"
note "StayRTR: $S_COMP of $CONNS done in $S_TOT s, $S_BYTES bytes received, RSS +$S_RSS MB"

# ---- report ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "n/a"}'; }
ms() { awk -v a="$1" 'BEGIN {printf "%.1f", a * 1000}'; }
if [ "$S_COMP" = "$CONNS" ]; then
	CONC_RATIO="$(ratio "$S_TOT" "$I_TOT")x (total time)"
	S_CONC="$S_TOT s"
else
	# StayRTR's total is longer than the bound; extrapolate from the bytes
	# it delivered (all sessions progress together, so the total scales)
	S_EST=$(awk -v t="$PEER_TMO" -v got="$S_BYTES" -v want="$I_BYTES" \
		'BEGIN {if (got > 0) printf "%.0f", t * want / got; else print "inf"}')
	CONC_RATIO="> $(ratio "$PEER_TMO" "$I_TOT")x (bound), ~$(ratio "$S_EST" "$I_TOT")x (est. total ${S_EST} s)"
	S_CONC="$S_COMP done in ${PEER_TMO} s"
fi
echo
echo "RTR benchmark: $NVRPS VRPs, RTR version 1, loopback, $(nproc) cores shared, load $(cut -d' ' -f1 /proc/loadavg)"
printf '%-44s %22s %30s %s\n' "" "bin/irrd" "StayRTR $(dpkg-query -W -f='${Version}' stayrtr 2>/dev/null || echo '?')" "ratio (StayRTR/irrd)"
printf '%-44s %20s ms %27s ms %sx\n' "one full sync (median of 5)" "$(ms "$I_SYNC")" "$(ms "$S_SYNC")" "$(ratio "$S_SYNC" "$I_SYNC")"
printf '%-44s %22s %30s %s\n' "$CONNS concurrent Reset Queries: total" "$I_TOT s ($I_COMP done)" "$S_CONC" "$CONC_RATIO"
[ "$S_COMP" -gt 0 ] || S_P50="-"
printf '%-44s %22s %30s\n' "  median completion" "$I_P50 s" "$S_P50 s"
printf '%-44s %19s MB %27s MB %sx\n' "  RSS growth during the run" "$I_RSS" "$S_RSS" "$(ratio "$S_RSS" "$I_RSS")"
printf '%-44s %19s MB %27s MB\n' "  RSS before" "$((I_RSS0 / 1024))" "$((S_RSS0 / 1024))"
printf '%-44s %21s s %29s s %sx\n' "Serial Notify after the change starts" "$I_NOT" "$S_NOT" "$(ratio "$S_NOT" "$I_NOT")"
printf '%-44s %22s %30s\n' "  delta received (announced/withdrawn)" "$I_ANN/$I_WD" "$S_ANN/$S_WD"
printf '%-44s %21s s %30s\n' "  start-up to serving (irrd: import incl.)" "$IRRD_READY" "-"
echo

ok=1
want_ann=${NDELTA% *}
want_wd=${NDELTA#* }
check() {
	if [ "$1" = 1 ]; then echo "goal met: $2"; else echo "GOAL MISSED: $2"; ok=0; fi
}
check "$(awk -v a="$I_SYNC" -v g="$GOAL_SYNC_MS" 'BEGIN {print (a * 1000 < g)}')" \
	"one full sync < ${GOAL_SYNC_MS} ms ($(ms "$I_SYNC") ms)"
check "$([ "$I_COMP" = "$CONNS" ] && awk -v a="$I_TOT" -v g="$GOAL_CONC_S" 'BEGIN {print (a < g)}' || echo 0)" \
	"$CONNS concurrent complete in < ${GOAL_CONC_S} s ($I_COMP done, $I_TOT s$([ "$I_ERR" = - ] || echo ", first error $I_ERR"))"
check "$([ "$I_RSS" -lt "$GOAL_RSS_MB" ] && echo 1 || echo 0)" "RSS growth < ${GOAL_RSS_MB} MB ($I_RSS MB)"
check "$(awk -v a="$I_NOT" -v g="$GOAL_NOTIFY_S" 'BEGIN {print (a < g)}')" \
	"Serial Notify within ${GOAL_NOTIFY_S} s of the start of the import ($I_NOT s)"
check "$([ "$I_ANN $I_WD" = "$want_ann $want_wd" ] && echo 1 || echo 0)" \
	"the delta is the change ($I_ANN announced, $I_WD withdrawn; want $want_ann, $want_wd)"
[ "$ok" = 1 ]
