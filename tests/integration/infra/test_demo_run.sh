#!/bin/bash
# test_demo_run.sh - `make run` end to end (scripts/run_demo.sh on free
# ports, with the programs under test): a private cluster under a var dir,
# the schema, the demo data loaded, the daemon answering whois, HTTP and RTR
# with the demo's RPKI states; a second run reuses the cluster.
. "$(dirname "$0")/../lib/lib.sh"
it_begin

var=$IT_TMP/var
it_on_exit "'$SRCDIR/scripts/pg.sh' destroy '$var/pg' >/dev/null 2>&1"

start_demo() {
	W=$(it_free_port)
	H=$(it_free_port)
	R=$(it_free_port)
	IRRD_DEMO_VAR=$var IRRD_DEMO_BIN=$IRRD_BIN IRRD_DEMO_NO_BUILD=1 \
		IRRD_DEMO_WHOIS_PORT=$W IRRD_DEMO_HTTP_PORT=$H IRRD_DEMO_RTR_PORT=$R \
		"$SRCDIR/scripts/run_demo.sh" >"$IT_TMP/demo.log" 2>&1 &
	IT_IRRD_PID=$!
	# Loading takes a while under sanitizers; give up early if the script died.
	for _ in $(seq 1200); do
		kill -0 "$IT_IRRD_PID" 2>/dev/null || break
		it_wait_port "$W" 0.2 && return 0
		sleep 0.1
	done
	echo "    run_demo.sh did not serve whois on $W; its output:"
	tail -n 30 "$IT_TMP/demo.log" | sed 's/^/    /'
	kill -KILL "$IT_IRRD_PID" 2>/dev/null || :
	IT_IRRD_PID=
	return 1
}

if ! start_demo; then
	it_fail "make run serves the demo" "see the output above"
	it_done
fi
it_pass "make run serves the demo"

url=$(sed -n "s/^  database_url: '\(.*\)'$/\1/p" "$var/irrd.yaml")
it_contains "var/irrd.yaml has the cluster's database_url" "$url" "postgresql://irrd@127.0.0.1:"
nobj=$(grep -c '^source:' "$SRCDIR/demo/demo.db")
it_eq "all demo objects loaded" "$(it_psql "$url" "SELECT count(*) FROM rpsl_objects WHERE source = 'DEMO'")" "$nobj"

it_eq "!v answers with A framing" "$(it_whois "$W" '!v' | head -c 1)" "A"
it_contains "RIPE query for an as-set" "$(it_whois "$W" 'AS-DEMO-LOOP-A')" "as-set:         AS-DEMO-LOOP-A"
members=$(it_whois "$W" '!iAS-DEMO-LOOP-A,1' | sed -n 2p | tr ' ' '\n' | sort | xargs)
it_eq "!i recursive expansion through a loop" "$members" "AS64510 AS64511"

# !g covers sources_default, DEMO and RPKI: the visible DEMO routes plus the
# pseudo-IRR route of every IPv4 ROA for the AS (SLURM assertions included).
want=$( {
	awk -F'\t' '$2 == "AS64497" && $3 != "invalid" && $1 !~ /:/ {print $1}' "$SRCDIR/demo/expected-rpki.tsv"
	python3 - "$SRCDIR/demo/roas.json" "$SRCDIR/demo/slurm.json" <<'PY'
import json, sys
roas = json.load(open(sys.argv[1]))["roas"]
slurm = json.load(open(sys.argv[2]))
filters = slurm.get("validationOutputFilters", {}).get("prefixFilters", [])
import ipaddress
def asn(v): return int(str(v).upper().removeprefix("AS"))
def filtered(r):
    net = ipaddress.ip_network(r["prefix"])
    for f in filters:
        if "asn" in f and asn(f["asn"]) != asn(r["asn"]):
            continue
        if "prefix" in f:
            fnet = ipaddress.ip_network(f["prefix"])
            if fnet.version != net.version or not net.subnet_of(fnet):
                continue
        return True
    return False
out = [r["prefix"] for r in roas if asn(r["asn"]) == 64497 and not filtered(r)]
out += [a["prefix"] for a in slurm.get("locallyAddedAssertions", {}).get("prefixAssertions", []) if asn(a["asn"]) == 64497]
for p in out:
    if ":" not in p: print(p)
PY
} | sort -u | xargs)
got=$(it_whois "$W" '!gAS64497' | sed -n 2p | tr ' ' '\n' | sort | xargs)
it_eq "!g leaves out RPKI-invalid routes" "$got" "$want"

r=$(it_whois "$W" '!r192.0.2.0/24')
it_contains "!r shows the valid route" "$r" "origin:         AS64496"
it_contains "!r route has rpki-ov-state valid" "$r" "rpki-ov-state:  valid"
if [[ $r == *"AS64497"* ]]; then
	it_fail "!r hides the invalid route" "AS64497 (invalid) is in the answer"
else
	it_pass "!r hides the invalid route"
fi
it_contains "auth hashes are masked" "$(it_whois "$W" 'DEMO-MNT')" \
	"auth:           MD5-PW DummyValue  # Filtered for security"

it_eq "HTTP /v1/status/ answers 200" "$(it_http_status "$H" /v1/status/)" "200"
it_check "RTR port accepts connections" it_wait_port "$R" 5

it_stop_irrd

# A second run reuses the cluster and loads again.
if start_demo; then
	it_pass "a second make run reuses var/pg"
	it_eq "still all demo objects" "$(it_psql "$url" "SELECT count(*) FROM rpsl_objects WHERE source = 'DEMO'")" "$nobj"
	it_stop_irrd
else
	it_fail "a second make run reuses var/pg" "see the output above"
fi

it_done
