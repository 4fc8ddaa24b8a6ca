#!/bin/bash
# check_daemon_validator.sh - bin/irrd with rpki.validator enabled, end to
# end (make check-shared; needs root: yardstick binds ports 873 and 443):
#   - a repository from ../shared/tools/mkrepo/mkrepo.py, served on loopback
#     by yardstick.py serve (RRDP over HTTPS with yardstick's throw-away CA,
#     which the daemon trusts through a bind mount in its own mount
#     namespace, as yardstick does for rpki-client);
#   - the daemon starts before the repository is served: the first run
#     fails, routes keep their state, RTR answers "No Data Available";
#   - the repository comes up, SIGUSR1 runs the validator now: whois !g/!6
#     drop the routes its VRPs make invalid, rtrclient receives exactly
#     expected-vrps.csv, /v1/status/ and /metrics show the run;
#   - the validation child process crashes (SIGABRT, through the test hook
#     IRRD_VALIDATOR_TEST_HOOK) and then hangs (killed after
#     rpki.validator.child_timeout; the child gets max_repo_size and
#     max_repo_files as its limits): each run fails with the reason in
#     /v1/status/ and /metrics, whois and RTR keep the set in force, and
#     the next SIGUSR1 runs a good validation again;
#   - the repository goes away, SIGUSR1 again: the set in force stays;
#   - SIGTERM while a validation child hangs stops the daemon and the child;
#   - a bad rpki.validator limit keeps the daemon from starting.
. "$(dirname "$0")/../lib/lib.sh"
it_begin

SHARED=${SHARED_DIR:-$SRCDIR/../shared}
YS=$SHARED/tools/mkrepo/yardstick.py
MK=$SHARED/tools/mkrepo/mkrepo.py
if [ ! -f "$YS" ] || [ "$(id -u)" != 0 ] || ! command -v rtrclient >/dev/null; then
	it_fail "environment" "needs $YS, rtrclient and root (yardstick binds ports 873 and 443)"
	it_done
fi
KEYS=${IRRD_VALIDATOR_KEY_CACHE:-/var/tmp/irrd-validator-test-keys}
mkdir -p "$KEYS"
W=$IT_TMP
repo=$W/repo

python3 "$MK" --out "$repo" --cas 2 --roas 4 --aspa 1 --aspa-profile v1 --seed 5 --key-cache "$KEYS" >/dev/null 2>"$W/mkrepo.log" ||
	it_fail "mkrepo" "see $W/mkrepo.log"
# The routes below rely on these VRPs (the seed fixes prefixes and ASNs).
for v in "AS65537,11.0.1.0/24,25" "AS65538,11.0.2.0/24,24" "AS66537,2a0b:1::/48,51"; do
	grep -qx "$v" "$repo/expected-vrps.csv" || it_fail "repository" "$v not in expected-vrps.csv"
done
mkdir -p "$W/tals" "$W/cache"
cp "$repo/tals/mkrepo.tal" "$W/tals/"

# ys_start / ys_stop: yardstick serve in the background. Started from a
# script, it would inherit SIGINT ignored; restore it so that ^C (SIGINT)
# ends it through its own clean-up.
YS_PID=
ys_start() {
	python3 -c 'import runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = [sys.argv[1], "serve", sys.argv[2], "--work", sys.argv[3]]
runpy.run_path(sys.argv[0], run_name="__main__")' "$YS" "$repo" "$W/ys" >>"$W/ys.log" 2>&1 &
	YS_PID=$!
	it_wait_port 443 60 && it_wait_port 873 30
}
ys_stop() {
	[ -n "$YS_PID" ] || return 0
	kill -INT "$YS_PID" 2>/dev/null || :
	for _ in $(seq 100); do
		kill -0 "$YS_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$YS_PID" 2>/dev/null || :
	wait "$YS_PID" 2>/dev/null || :
	YS_PID=
}
it_on_exit ys_stop

# yardstick's CA (made by the first serve) for the daemon's HTTPS; serve
# once to have it, then stop: the daemon starts with nothing served.
ys_start || it_fail "yardstick serve" "ports 443/873 not listening; $(tail -n 5 "$W/ys.log")"
ys_stop
CA=$W/ys/tls/ca.pem
[ -s "$CA" ] || it_fail "yardstick CA" "no $CA"

db=$(it_new_db)
cfg=$W/irrd.yaml
it_config "$cfg" db="$db" extra="rpki:
  validator:
    enabled: true
    tal_dir: '$W/tals'
    cache_dir: '$W/cache'
    interval: 3600
    child_timeout: 20
    max_repo_size: 40000000
    max_repo_files: 5000
  notify_invalid_enabled: false"
it_check "schema" "$IRRD_BIN/irrd_database_upgrade" --config "$cfg"

cat >"$W/dump.db" <<'EOF'
mntner:         TEST-MNT
descr:          test
admin-c:        PERSON-TEST
upd-to:         test@example.net
auth:           MD5-PW $1$abcdefgh$0123456789abcdefghijkl
mnt-by:         TEST-MNT
source:         TEST

route:          11.0.1.0/24
descr:          valid (VRP 11.0.1.0/24-25 AS65537)
origin:         AS65537
mnt-by:         TEST-MNT
source:         TEST

route:          11.0.1.0/25
descr:          valid (within maxLength 25)
origin:         AS65537
mnt-by:         TEST-MNT
source:         TEST

route:          11.0.1.0/26
descr:          invalid (longer than maxLength 25)
origin:         AS65537
mnt-by:         TEST-MNT
source:         TEST

route:          11.0.2.0/24
descr:          invalid (the VRP is for AS65538)
origin:         AS64999
mnt-by:         TEST-MNT
source:         TEST

route:          198.51.100.0/24
descr:          not_found (no VRP covers it)
origin:         AS64999
mnt-by:         TEST-MNT
source:         TEST

route6:         2a0b:1::/48
descr:          valid (VRP 2a0b:1::/48-51 AS66537)
origin:         AS66537
mnt-by:         TEST-MNT
source:         TEST

route6:         2a0b:1::/52
descr:          invalid (longer than maxLength 51)
origin:         AS66537
mnt-by:         TEST-MNT
source:         TEST
EOF
it_check "load the IRR dump" "$IRRD_BIN/irrd_load_database" --config "$cfg" --source TEST "$W/dump.db"

# Start the daemon in its own mount namespace, where the system CA bundle
# is yardstick's CA (the system file is not changed).
HOOK=$W/validator-hook
IRRD_VALIDATOR_TEST_HOOK=$HOOK \
	unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && exec "$2" --config "$3" --foreground' \
	sh "$CA" "$IRRD_BIN/irrd" "$cfg" >"$W/irrd.log" 2>&1 &
IT_IRRD_PID=$!
if ! it_wait_port "$IT_WHOIS_PORT" 30; then
	it_fail "daemon starts" "$(tail -n 20 "$W/irrd.log")"
	it_done
fi
it_wait_port "$IT_RTR_PORT" 10 || it_fail "RTR port" "not listening"

# wait_status TEXT [SECONDS]: until /v1/status/ contains TEXT
wait_status() {
	local i
	for i in $(seq $((${2:-60} * 4))); do
		[[ $(it_http "$IT_HTTP_PORT" /v1/status/ 2>/dev/null) == *"$1"* ]] && return 0
		sleep 0.25
	done
	return 1
}
# gq QUERY: the data line of a !g / !6 answer, prefixes sorted
gq() {
	it_whois "$IT_WHOIS_PORT" "$1" | sed -n 2p | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//'
}
# wait_gq QUERY WANT [SECONDS]: until gq QUERY is WANT; prints the last answer
wait_gq() {
	local i got
	for i in $(seq $((${3:-30} * 4))); do
		got=$(gq "$1")
		[ "$got" = "$2" ] && break
		sleep 0.25
	done
	printf '%s' "$got"
}
# rtr_reset [VERSION]: the answer to an RTR Reset Query (default version 1):
# "error CODE", or "data N" (N Prefix PDUs before End of Data), with
# version 2 "data N aspa A" (A ASPA PDUs)
rtr_reset() {
	python3 - "$IT_RTR_PORT" "${1:-1}" <<'EOF'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
ver = int(sys.argv[2])
s.sendall(bytes([ver, 2, 0, 0, 0, 0, 0, 8]))
buf, n, na = b"", 0, 0
def pdu():
    global buf
    while len(buf) < 8 or len(buf) < struct.unpack("!I", buf[4:8])[0]:
        c = s.recv(65536)
        if not c:
            sys.exit("connection closed")
        buf += c
    ln = struct.unpack("!I", buf[4:8])[0]
    p, buf = buf[:ln], buf[ln:]
    return p
while True:
    p = pdu()
    if p[1] == 10:
        print("error %d" % struct.unpack("!H", p[2:4])[0]); break
    if p[1] in (4, 6):
        n += 1
    if p[1] == 11:
        na += 1
    if p[1] == 7:
        print("data %d" % n + (" aspa %d" % na if ver >= 2 else "")); break
EOF
}
# rtr_vrps: the VRPs rtrclient receives, as "ASN,prefix/len,maxlen" sorted
rtr_vrps() {
	timeout 60 rtrclient -e -t csv tcp 127.0.0.1 "$IT_RTR_PORT" 2>"$W/rtrclient.err" | python3 -c '
import ipaddress, sys
out = set()
for line in sys.stdin:
    p = [x.strip() for x in line.split(",")]
    if len(p) != 4 or not p[1].isdigit():
        continue
    asn = int(p[3]) % (1 << 32)
    out.add("AS%d,%s,%s" % (asn, ipaddress.ip_network("%s/%s" % (p[0], p[1])), p[2]))
print("\n".join(sorted(out)))'
}
expected=$(tail -n +2 "$repo/expected-vrps.csv" | cut -d, -f1-3 | python3 -c '
import ipaddress, sys
print("\n".join(sorted("%s,%s,%s" % (a, ipaddress.ip_network(p), m) for a, p, m in
      (l.strip().split(",") for l in sys.stdin if l.strip()))))')
nexp=$(printf '%s\n' "$expected" | wc -l)
naspa=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$repo/expected-aspa.json")
[ "$naspa" -gt 0 ] || it_fail "repository" "no ASPA in expected-aspa.json"

# 1. nothing served: the first run fails, nothing is in force
if wait_status "runs: 0 succeeded, 1 failed" 90; then
	it_pass "repository down: the first validation run fails"
else
	it_fail "repository down: the first validation run fails" "$(it_http "$IT_HTTP_PORT" /v1/status/ | grep -i valid)"
fi
st=$(it_http "$IT_HTTP_PORT" /v1/status/)
it_contains "status: the failed run's error" "$st" "Last validation error: no VRP"
it_contains "log: the failed run keeps the previous set" "$(cat "$W/irrd.log")" \
	"rpki: validation failed, the previous ROA set stays in force"
it_eq "RTR before the first good run: No Data Available" "$(rtr_reset)" "error 2"
it_eq "!gAS64999 before the first good run: every route (no VRPs yet)" "$(gq '!gAS64999')" \
	"11.0.2.0/24 198.51.100.0/24"

# 2. served, SIGUSR1: a good run; its VRPs filter whois and are RTR's set
ys_start || it_fail "yardstick serve" "ports 443/873 not listening"
kill -USR1 "$IT_IRRD_PID"
if wait_status "runs: 1 succeeded, 1 failed" 120; then
	it_pass "SIGUSR1 with the repository up: a good validation run"
else
	it_fail "SIGUSR1 with the repository up: a good validation run" \
		"$(it_http "$IT_HTTP_PORT" /v1/status/ | grep -i valid; tail -n 20 "$W/irrd.log")"
fi
it_contains "log: SIGUSR1 re-reads the TALs" "$(cat "$W/irrd.log")" "SIGUSR1: re-reading the TALs and validating now"
it_contains "log: the run used RRDP (yardstick's CA trusted)" "$(cat "$W/irrd.log")" "RRDP snapshot"
wait_status "imports: 1 succeeded" 60 || it_fail "the run's set is imported" "$(it_http "$IT_HTTP_PORT" /v1/status/ | grep -i import)"
st=$(it_http "$IT_HTTP_PORT" /v1/status/)
it_contains "status: the good run's counts" "$st" "$nexp VRPs ($nexp after SLURM), $naspa ASPAs, 0 router keys"
it_contains "status: no validation error" "$st" "Last validation error: None"
it_contains "status: ROAs in force" "$st" "ROAs in force: $nexp;"
it_contains "status: routes by state" "$st" "routes 3 valid, 3 invalid, 1 not_found"
m=$(it_http "$IT_HTTP_PORT" /metrics)
it_contains "metrics: runs by outcome" "$m" 'irrd_rpki_validator_runs_total{result="success"} 1'
it_contains "metrics: failed runs" "$m" 'irrd_rpki_validator_runs_total{result="failure"} 1'
it_contains "metrics: VRPs of the last run" "$m" "irrd_rpki_validator_objects{type=\"vrp\"} $nexp"
it_contains "metrics: last run ok" "$m" "irrd_rpki_validator_last_run_ok 1"

it_eq "!gAS64999: the invalid 11.0.2.0/24 is filtered, not_found stays" "$(wait_gq '!gAS64999' '198.51.100.0/24')" \
	"198.51.100.0/24"
it_eq "!gAS65537: valid routes only (the /26 beyond maxLength is filtered)" \
	"$(wait_gq '!gAS65537' '11.0.1.0/24 11.0.1.0/25')" "11.0.1.0/24 11.0.1.0/25"
it_eq "!6AS66537: valid route6 only (the /52 beyond maxLength is filtered)" \
	"$(wait_gq '!6AS66537' '2a0b:1::/48')" "2a0b:1::/48"
it_eq "RTR Reset Query: the run's VRPs" "$(rtr_reset)" "data $nexp"
it_eq "RTR v2 Reset Query: the run's VRPs and ASPAs" "$(rtr_reset 2)" "data $nexp aspa $naspa"
got=$(rtr_vrps)
it_eq "rtrclient: exactly expected-vrps.csv ($nexp VRPs)" "$got" "$expected"

# 2b. the validation child crashes, then hangs: the set in force stays
echo abort >"$HOOK"
kill -USR1 "$IT_IRRD_PID"
if wait_status "runs: 1 succeeded, 2 failed (1 child process failures)" 60; then
	it_pass "child crash: the run fails"
else
	it_fail "child crash: the run fails" "$(it_http "$IT_HTTP_PORT" /v1/status/ | grep -i valid)"
fi
st=$(it_http "$IT_HTTP_PORT" /v1/status/)
it_contains "child crash: the reason in /v1/status/" "$st" \
	"Last validation error: the validator process was killed by signal 6 (Aborted)"
it_contains "child crash: the set stays in force" "$st" "ROAs in force: $nexp;"
it_contains "child crash: counted in /metrics" "$(it_http "$IT_HTTP_PORT" /metrics)" \
	"irrd_rpki_validator_child_failures_total 1"
it_contains "child crash: logged" "$(cat "$W/irrd.log")" \
	"rpki: validation failed, the previous ROA set stays in force: the validator process was killed by signal 6"
it_eq "child crash: RTR keeps the set" "$(rtr_reset)" "data $nexp"
it_eq "child crash: !gAS64999 still filtered" "$(gq '!gAS64999')" "198.51.100.0/24"

echo hang >"$HOOK"
kill -USR1 "$IT_IRRD_PID"
for _ in $(seq 100); do
	cpid=$(pgrep -f -- "irrd_rpki_validator --ipc 3 -d $W/cache" | head -n 1)
	[ -n "$cpid" ] && break
	sleep 0.1
done
it_contains "child hang: the child has the configured limits" \
	"$(tr '\0' ' ' <"/proc/${cpid:-0}/cmdline" 2>/dev/null)" "--max-repo-size 40000000 --max-repo-files 5000 "
if wait_status "runs: 1 succeeded, 3 failed (2 child process failures)" 60; then
	it_pass "child hang: killed after rpki.validator.child_timeout, the run fails"
else
	it_fail "child hang: killed after rpki.validator.child_timeout, the run fails" \
		"$(it_http "$IT_HTTP_PORT" /v1/status/ | grep -i valid)"
fi
it_contains "child hang: the reason in /v1/status/" "$(it_http "$IT_HTTP_PORT" /v1/status/)" \
	"Last validation error: the validator process did not finish within 20 s and was killed"
it_eq "child hang: RTR keeps the set" "$(rtr_reset)" "data $nexp"
it_eq "child hang: no validator process left" "$(pgrep -f -- "irrd_rpki_validator --ipc 3 -d $W/cache" | wc -l)" "0"

rm -f "$HOOK"
kill -USR1 "$IT_IRRD_PID"
if wait_status "runs: 2 succeeded, 3 failed" 120; then
	it_pass "after the failures, SIGUSR1: a good run again"
else
	it_fail "after the failures, SIGUSR1: a good run again" "$(it_http "$IT_HTTP_PORT" /v1/status/ | grep -i valid)"
fi
it_contains "good run again: no validation error" "$(it_http "$IT_HTTP_PORT" /v1/status/)" "Last validation error: None"
it_contains "the child's log lines reach the daemon's log" "$(cat "$W/irrd.log")" "rpki: validator: "
it_eq "good run again: rtrclient gets exactly expected-vrps.csv" "$(rtr_vrps)" "$expected"

# 3. repository gone, SIGUSR1: the set in force stays
ys_stop
kill -USR1 "$IT_IRRD_PID"
if wait_status "runs: 3 succeeded, 3 failed" 120 || wait_status "runs: 2 succeeded, 4 failed" 5; then
	it_pass "SIGUSR1 with the repository down: the run ends"
else
	it_fail "SIGUSR1 with the repository down: the run ends" "$(it_http "$IT_HTTP_PORT" /v1/status/ | grep -i valid)"
fi
sleep 1
grep -E "rpki: validation (done|failed)" "$W/irrd.log" | tail -n 1 | sed 's/^/    third run: /'
it_eq "repository down: rtrclient still gets exactly expected-vrps.csv" "$(rtr_vrps)" "$expected"
it_eq "repository down: !gAS64999 still filtered" "$(gq '!gAS64999')" "198.51.100.0/24"

# 4. SIGTERM while a validation child hangs: the child is killed, the daemon stops
echo hang >"$HOOK"
kill -USR1 "$IT_IRRD_PID"
for _ in $(seq 100); do
	pgrep -f -- "irrd_rpki_validator --ipc 3 -d $W/cache" >/dev/null && break
	sleep 0.1
done
it_check "a hanging validation child runs" pgrep -f -- "irrd_rpki_validator --ipc 3 -d $W/cache"
t0=$(date +%s)
it_stop_irrd
it_check "SIGTERM during a hung validation: stopped within 5 s" test $(($(date +%s) - t0)) -le 5
sleep 0.5
it_eq "SIGTERM during a hung validation: no validator process left" \
	"$(pgrep -f -- "irrd_rpki_validator --ipc 3 -d $W/cache" | wc -l)" "0"

# 5. a bad limit in the configuration: the daemon does not start
sed 's/max_repo_files: 5000/max_repo_files: 0/' "$cfg" >"$W/bad.yaml"
out=$("$IRRD_BIN/irrd" --config "$W/bad.yaml" --foreground 2>&1)
rc=$?
it_check "max_repo_files: 0: the daemon refuses to start" test "$rc" -ne 0
it_contains "max_repo_files: 0: the error names the key" "$out" \
	"irrd.rpki.validator.max_repo_files: 0 is less than the minimum of 1"
it_done
