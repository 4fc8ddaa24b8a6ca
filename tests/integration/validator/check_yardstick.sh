#!/bin/bash
# check_yardstick.sh - the bundled validator against ../shared/tools/mkrepo/
# yardstick.py (make check-shared; needs root: loopback rsyncd on 873 and
# HTTPS on 443):
#   - a repository with ASPAs over RRDP and over rsync: exactly
#     expected-vrps.csv, and our JSON's aspas exactly expected-aspa.json
#     (both ASPA profiles: v0, which rpki-client 8.2 reads, and v1);
#   - the fault matrix (--fault all) over both transports: every fault gets
#     the verdict rpki-client gives in the same run;
#   - RRDP deltas: serial 1, then serial 2 fetched as the delta only.
. "$(dirname "$0")/../lib/lib.sh"
it_begin

SHARED=${SHARED_DIR:-$SRCDIR/../shared}
YS=$SHARED/tools/mkrepo/yardstick.py
MK=$SHARED/tools/mkrepo/mkrepo.py
if [ ! -f "$YS" ] || [ "$(id -u)" != 0 ]; then
	it_fail "environment" "needs $YS and root (yardstick binds ports 873 and 443)"
	it_done
fi
# Keys are the slow part of mkrepo; any RSA keys do, so they are kept.
KEYS=${IRRD_VALIDATOR_KEY_CACHE:-/var/tmp/irrd-validator-test-keys}
mkdir -p "$KEYS"
W=$IT_TMP
chmod 755 "$W"
PEER="mine=$SRCDIR/tests/integration/validator/ys_peer.sh $IRRD_BIN {mode} {tal} {cache} {ca_file} {out}"

# aspa_same OUTJSON EXPECTED: our JSON's aspas equal expected-aspa.json
aspa_same() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))
mine = {"AS%d" % a["customer_asid"]: ["AS%d" % p for p in a["providers"]] for a in got["aspas"]}
if mine != exp:
    print("got %s\nwant %s" % (mine, exp))
    sys.exit(1)
EOF
}

# check REPO TRANSPORT [WORKNAME]: yardstick check with our peer; prints its report
check() {
	local w=${3:-ys-$2}
	python3 "$YS" check "$1" --work "$W/$w" --peers mine --transport "$2" --extra-peer "$PEER" \
		2>"$W/$w.log"
}
# vrps_of CSV: the VRPs of a CSV as in expected-vrps.csv (no header, sorted)
vrps_of() { tail -n +2 "$1" | cut -d, -f1-3 | sort; }

for profile in v0 v1; do
	repo=$W/repo-$profile
	python3 "$MK" --out "$repo" --cas 3 --roas 20 --aspa 2 --aspa-profile $profile --seed 21 \
		--key-cache "$KEYS" >/dev/null 2>"$W/mkrepo-$profile.log" ||
		it_fail "mkrepo $profile" "see $W/mkrepo-$profile.log"
	for transport in rrdp rsync; do
		rep=$(check "$repo" $transport) || :
		v=$(python3 -c 'import json,sys; r=json.load(sys.stdin)["peers"]["mine"]; print(r.get("vrps"), len(r.get("missing", [1])), len(r.get("extra", [1])), r["run"]["rc"])' <<<"$rep" 2>/dev/null)
		exp=$(($(wc -l <"$repo/expected-vrps.csv") - 1))
		it_eq "ASPA $profile, $transport: exactly expected-vrps.csv (VRPs, missing, extra, exit)" "$v" "$exp 0 0 0"
		it_check "ASPA $profile, $transport: aspas as expected-aspa.json" \
			aspa_same "$W/ys-$transport/mine/out/validator.json" "$repo/expected-aspa.json"
	done
	log=$(cat "$W/ys-rsync/mine/log-rsync.txt" 2>/dev/null)
	it_contains "ASPA $profile: rsync transport used rsync" "$log" "rsync://127.0.0.1/rpki/: rsync done"
	log=$(cat "$W/ys-rrdp/mine/log-rrdp.txt" 2>/dev/null)
	it_contains "ASPA $profile: RRDP transport used the snapshot" "$log" "RRDP snapshot"
	"$IRRD_BIN/irrd_rpki_validator" -n -t "$repo/tals/mkrepo.tal" -d "$W/ys-rrdp/mine/cache" \
		-c "$W/offline.csv" 2>"$W/offline.log"
	it_eq "ASPA $profile: offline (-n) from the RRDP cache: the same VRPs" "$(vrps_of "$W/offline.csv")" \
		"$(vrps_of "$repo/expected-vrps.csv")"
done

# RRDP broken (no notification file): the rsync fallback gives everything
cp -r "$W/repo-v0" "$W/repo-fb"
rm "$W/repo-fb/https/rrdp/notification.xml"
rep=$(check "$W/repo-fb" rrdp ys-fallback) || :
v=$(python3 -c 'import json,sys; r=json.load(sys.stdin)["peers"]["mine"]; print(r.get("vrps"), len(r.get("missing", [1])), len(r.get("extra", [1])))' <<<"$rep" 2>/dev/null)
it_eq "RRDP unavailable: rsync fallback, exactly expected-vrps.csv" "$v" "$(($(wc -l <"$W/repo-fb/expected-vrps.csv") - 1)) 0 0"
log=$(cat "$W/ys-fallback/mine/log-rrdp.txt" 2>/dev/null)
it_contains "RRDP unavailable: logged" "$log" "https://127.0.0.1/rrdp/notification.xml: RRDP synchronisation failed"
it_contains "RRDP unavailable: rsync used" "$log" "rsync://127.0.0.1/rpki/: rsync done"

# keys KIND: seed yardstick's key cache for KIND from ours
keys() { mkdir -p "$W/$1/keys" && cp -rn "$KEYS/." "$W/$1/keys/" || :; }
# keys_back KIND: keep what it generated
keys_back() { cp -rn "$W/$1/keys/." "$KEYS/" 2>/dev/null || :; }

# The fault matrix, beside rpki-client.
keys faults
python3 "$YS" faults "$W/faults" --peers rpki-client,mine --extra-peer "$PEER" >"$W/faults.md" \
	2>"$W/faults.log" || it_fail "yardstick faults" "see $W/faults.log"
keys_back faults
res=$W/faults/faults-result.json
if [ -s "$res" ]; then
	for transport in rrdp rsync; do
		for f in $(python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1]))["rpki-client/rrdp"]["faults"])))' "$res"); do
			got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mine/'$transport'"]["faults"][sys.argv[2]])' "$res" "$f")
			want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rpki-client/'$transport'"]["faults"][sys.argv[2]])' "$res" "$f")
			it_eq "fault $f over $transport: the verdict of rpki-client ($want)" "$got" "$want"
		done
		ok=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["mine/'$transport'"]; print(r["clean_ok"], r["extra"], r.get("aspa_match", "n/a"))' "$res")
		it_eq "faults over $transport: clean CAs complete, nothing extra" "$ok" "True [] n/a"
	done
	it_eq "fault matrix covers all 12 faults" \
		"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["mine/rrdp"]["faults"]))' "$res")" "12"
else
	it_fail "fault matrix" "no $res"
fi

# RRDP deltas: the second run fetches the notification and the delta only.
keys delta
d=$(python3 "$YS" delta "$W/delta" --peers mine --extra-peer "$PEER" 2>"$W/delta.log")
it_eq "delta: serial 1 exact, serial 2 exact, delta used" \
	"$(python3 -c 'import json,sys; r=json.load(sys.stdin)["mine"]; print(r["serial1_vrps_ok"], r["serial2_vrps_ok"], r["used_delta"])' <<<"$d" 2>&1)" \
	"True True True"
keys_back delta
it_eq "delta: no snapshot fetched on the second run" \
	"$(python3 -c 'import json,sys; r=json.load(sys.stdin)["mine"]; print([x for x in r["second_run_requests"] if "snapshot" in x])' <<<"$d" 2>&1)" "[]"

it_done
