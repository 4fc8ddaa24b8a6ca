#!/bin/bash
# mail_bench.sh - irrd_submit_email on one message with 1,000 route objects
# (goal: under 5 s each): create them, change them all, delete them all.
# Every route is authenticated by a maintainer with a BCRYPT-PW hash (the
# password is checked once per maintainer and message, not per object) and
# by its parent inetnum's maintainer; RPKI-aware mode is on with a ROA
# table of realistic size, so each route is also validated; the source
# keeps a journal; reply and notifications go to a local SMTP sink.
#
#   bench/mail_bench.sh                (make bench runs it)
#
# Environment:
#   IRRD_BENCH_ROUTES      routes in the message (default 1000)
#   IRRD_BENCH_ROAS        rows in roa_object (default 400000)
#   IRRD_BENCH_BACKGROUND  other route objects in the source (default 100000)
#   IRRD_BIN / BIN         the programs (default bin/)
#   IRRD_BENCH_KEEP        copy the work directory (config, messages, logs) there
#   IRRD_TEST_DATABASE_URL, IRRD_TEST_PG_*: the cluster from scripts/suites.sh;
#                          without them a private cluster is started (and removed)
# Exit status 1 if a run fails or misses the goal.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_init mail_bench
ROUTES=${IRRD_BENCH_ROUTES:-1000}
ROAS=${IRRD_BENCH_ROAS:-400000}
BACKGROUND=${IRRD_BENCH_BACKGROUND:-100000}
GOAL_SECONDS=5

bench_need_bins irrd_database_upgrade irrd_load_database irrd_submit_email

SINK_PID=
bench_tmp SINK_PID

# ---- database ----
bench_pg --fast
bench_createdb mail_bench
PSQL=(psql "$URL" -XAtq -v ON_ERROR_STOP=1)

# ---- SMTP sink ----
python3 "$SRCDIR/tests/integration/mail/smtp_sink.py" "$TMP/sink" "$TMP/sink.port" &
SINK_PID=$!
for _ in $(seq 50); do
	[ -s "$TMP/sink.port" ] && break
	sleep 0.1
done
[ -s "$TMP/sink.port" ] || die "SMTP sink did not start"
SMTP_PORT=$(cat "$TMP/sink.port")

# ---- data ----
python3 - "$TMP" "$ROUTES" "$BACKGROUND" "$URL" "$SMTP_PORT" <<'EOF'
import ctypes, ctypes.util, json, os, sys
tmp, n, background, url, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
lc = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
lc.crypt.restype = ctypes.c_char_p
lc.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
lc.crypt_gensalt.restype = ctypes.c_char_p
lc.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
bcrypt = lc.crypt(b"bench-password", lc.crypt_gensalt(b"$2b$", 12, None, 0)).decode()
parent = lc.crypt(b"parent-password", b"$1$benchpar$").decode()
os.makedirs(os.path.join(tmp, "var"), exist_ok=True)
cfg = {"irrd": {
    "database_url": url, "piddir": os.path.join(tmp, "var"),
    "auth": {"gnupg_keyring": os.path.join(tmp, "gnupg")},
    "email": {"from": "irrd@example.net", "smtp": "127.0.0.1:" + port},
    "rpki": {"roa_source": "file:///nonexistent.json", "notify_invalid_enabled": False},
    "sources_default": ["BENCH"],
    "sources": {"BENCH": {"authoritative": True, "keep_journal": True}},
    "log": {"level": "WARNING"}}}
with open(os.path.join(tmp, "irrd.yaml"), "w") as f:
    json.dump(cfg, f)
with open(os.path.join(tmp, "base.db"), "w") as f:
    f.write("person: Bench Person\naddress: Street\nphone: +31 20 000000\ne-mail: b@example.com\n"
            "nic-hdl: BENCH-TEST\nmnt-by: BENCH-MNT\nsource: BENCH\n\n")
    f.write("mntner: BENCH-MNT\nadmin-c: BENCH-TEST\nupd-to: updto@example.com\nmnt-nfy: nfy@example.com\n"
            f"auth: BCRYPT-PW {bcrypt}\nmnt-by: BENCH-MNT\nsource: BENCH\n\n")
    f.write("mntner: PARENT-MNT\nadmin-c: BENCH-TEST\nupd-to: parent@example.com\n"
            f"auth: MD5-PW {parent}\nmnt-by: PARENT-MNT\nsource: BENCH\n\n")
    f.write("inetnum: 10.0.0.0 - 10.255.255.255\nnetname: BENCH\ncountry: NL\nadmin-c: BENCH-TEST\n"
            "tech-c: BENCH-TEST\nstatus: ALLOCATED PA\nmnt-by: PARENT-MNT\nsource: BENCH\n\n")
    for i in range(background):
        f.write(f"route: 172.{16 + i // 65536 % 16}.{i // 256 % 256}.{i % 256}/32\norigin: AS{64512 + i % 1000}\n"
                "mnt-by: BENCH-MNT\nsource: BENCH\n\n")
def routes(kind):
    out = []
    for i in range(n):
        r = (f"route:          10.{i // 256 % 256}.{i % 256}.0/24\ndescr:          bench route {i}\n"
             f"origin:         AS{65000 + i % 100}\nadmin-c:        BENCH-TEST\nmnt-by:         BENCH-MNT\n")
        if kind == "modify":
            r += "remarks:        changed\n"
        r += "source:         BENCH\n"
        if kind == "delete":
            r += "delete:         benchmark\n"
        out.append(r)
    return "\n".join(out)
for kind in ("create", "modify", "delete"):
    with open(os.path.join(tmp, kind + ".eml"), "w") as f:
        f.write(f"From: bench@example.com\nTo: irrd@example.net\nSubject: bench {kind}\n"
                f"Message-ID: <bench-{kind}@example.com>\n\n")
        f.write(routes(kind))
        f.write("\npassword: bench-password\npassword: parent-password\n")
EOF
"$BIN/irrd_database_upgrade" --config "$TMP/irrd.yaml" >/dev/null
"$BIN/irrd_load_database" --config "$TMP/irrd.yaml" --source BENCH "$TMP/base.db" >/dev/null
# ROAs covering part of the message's routes (valid) and many others
"${PSQL[@]}" -c "INSERT INTO roa_object (prefix, asn, max_length, trust_anchor, ip_version)
  SELECT ('10.' || (g / 256 % 256) || '.' || (g % 256) || '.0/24')::cidr, 65000 + g % 100, 24, 'Bench TA', 4
    FROM generate_series(0, $ROUTES / 2) g
  UNION ALL
  SELECT (((g / 65536) % 200 + 11) || '.' || (g / 256 % 256) || '.' || (g % 256) || '.0/24')::cidr,
         64000 + g % 5000, 24, 'Bench TA', 4
    FROM generate_series(1, GREATEST($ROAS - $ROUTES / 2 - 1, 0)) g" >/dev/null
"${PSQL[@]}" -c "ANALYZE" >/dev/null

echo "mail_bench: $ROUTES routes in one message; $BACKGROUND other routes in the source; $("${PSQL[@]}" -c 'SELECT count(*) FROM roa_object') ROAs"
fail=0
for kind in create modify delete; do
	t0=$(date +%s.%N)
	rc=0
	"$BIN/irrd_submit_email" --config "$TMP/irrd.yaml" <"$TMP/$kind.eml" 2>"$TMP/$kind.err" || rc=$?
	t1=$(date +%s.%N)
	secs=$(echo "$t1 - $t0" | bc)
	subj=$(python3 - "$TMP/sink" "bench $kind" <<'EOF'
import json, os, sys
for f in sorted(os.listdir(sys.argv[1])):
    if f.endswith(".json"):
        m = json.load(open(os.path.join(sys.argv[1], f)))
        for line in m["data"].split("\r\n"):
            if line.startswith("Subject: ") and line.endswith(sys.argv[2]):
                print(line[9:])
EOF
)
	n=$("${PSQL[@]}" -c "SELECT count(*) FROM rpsl_objects WHERE source = 'BENCH' AND object_class = 'route' AND rpsl_pk LIKE '10.%'")
	ok=1
	case $kind in
	create | modify) [ "$n" -eq "$ROUTES" ] || ok=0 ;;
	delete) [ "$n" -eq 0 ] || ok=0 ;;
	esac
	[ "$rc" -eq 0 ] && [ "$subj" = "SUCCESS: bench $kind" ] || ok=0
	verdict=$(echo "$secs < $GOAL_SECONDS" | bc)
	printf 'mail_bench: %-6s %4d routes: %6.2f s (%5.0f objects/s), reply "%s", goal %d s: %s\n' "$kind" "$ROUTES" \
		"$secs" "$(echo "$ROUTES / $secs" | bc -l)" "$subj" "$GOAL_SECONDS" \
		"$([ "$verdict" = 1 ] && [ "$ok" = 1 ] && echo met || echo MISSED)"
	if [ "$ok" != 1 ]; then
		echo "mail_bench: $kind: exit $rc, $n routes stored; stderr:" >&2
		tail -n 20 "$TMP/$kind.err" >&2
		fail=1
	fi
	[ "$verdict" = 1 ] || fail=1
done
echo "mail_bench: journal entries written: $("${PSQL[@]}" -c "SELECT count(*) FROM rpsl_database_journal WHERE source = 'BENCH'")"
echo "mail_bench: (IRRd 4 cannot run here; no peer figure)"
[ -n "${IRRD_BENCH_KEEP:-}" ] && { cp -r "$TMP" "$IRRD_BENCH_KEEP"; }
exit $fail
