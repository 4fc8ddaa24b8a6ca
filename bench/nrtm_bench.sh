#!/bin/bash
# nrtm_bench.sh - NRTM figures (bench/nrtm_bench.c does the work):
#   - applying 100,000 NRTM v3 operations at a mirror (stream parse, object
#     parse and render, one set-based transaction with journal entries):
#     operations/s, goal > 20,000/s;
#   - serving -g for those 100,000 journal entries: from the journal cache
#     in process (nrtm_generate), and over TCP from bin/irrd (MB/s; the
#     journal then also holds the 10,000 entries of the next figure);
#   - the steady state of a mirror: 100 batches of 100 operations into the
#     loaded source (operations/s, milliseconds a batch).
# (IRRd 4, the peer, cannot run here; no ratio is printed.)
#
#   bench/nrtm_bench.sh                (make bench runs it)
#
# Environment:
#   IRRD_BENCH_NRTM_OPS  operations (default 100000)
#   IRRD_BIN / BIN       the programs (default bin/)
#   IRRD_TEST_PG_*       the cluster from scripts/suites.sh; without it a
#                        private cluster is started (and removed)
# Exit status 1 if something fails or the goal is missed.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_init nrtm_bench
BUILD=${BUILD:-build/default}
N=${IRRD_BENCH_NRTM_OPS:-100000}
DPID=
bench_tmp DPID

make -s --no-print-directory BUILD="$BUILD" "$BUILD/libnrtm.a" "$BUILD/librpki.a" "$BUILD/libsql.a" \
	"$BUILD/libconf.a" "$BUILD/librpsl.a" >/dev/null || die "building the libraries failed"
[ -x "$BIN/irrd" ] || die "$BIN/irrd: not built"
mkdir -p "$BUILD/bench"
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -D_GNU_SOURCE $(pkg-config --cflags libpq) \
	-o "$BUILD/bench/nrtm_bench" bench/nrtm_bench.c "$BUILD/libnrtm.a" "$BUILD/librpki.a" "$BUILD/libsql.a" \
	"$BUILD/libconf.a" "$BUILD/librpsl.a" $(pkg-config --libs libpq libcurl yaml-0.1 jansson openssl) \
	-lz -lpcre2-8 -lcrypt -lpthread -lm || die "compiling bench/nrtm_bench.c failed"

bench_pg --fast
bench_createdb nrtm_bench

out=$("$BUILD/bench/nrtm_bench" "$URL" "$N") || die "nrtm_bench failed"
echo "$out"
ops=$(echo "$out" | sed -n 's/^apply at mirror: .*: \([0-9]*\) operations\/s.*/\1/p')
[ -n "$ops" ] || die "no apply figure in the output"

# -g over TCP from the daemon (BENCH served as an authoritative source)
port=$(free_port)
hport=$(free_port)
cat >"$TMP/irrd.yaml" <<EOC
irrd:
  database_url: '$URL'
  piddir: '$TMP'
  access_lists: {local: ['127.0.0.0/8']}
  server:
    whois: {interface: '127.0.0.1', port: $port}
    http: {interface: '127.0.0.1', port: $hport}
  rpki: {roa_source: null}
  sources:
    BENCH: {authoritative: true, keep_journal: true, nrtm_access_list: local}
  log: {level: WARNING}
EOC
"$BIN/irrd" --config "$TMP/irrd.yaml" --foreground >"$TMP/irrd.log" 2>&1 &
DPID=$!
python3 - "$port" <<'EOP' || { cat "$TMP/irrd.log" >&2; die "-g over TCP failed"; }
import socket, sys, time
port = int(sys.argv[1])
end = time.time() + 60
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        break
    except OSError:
        if time.time() > end:
            sys.exit("irrd did not start")
        time.sleep(0.2)
best = None
for attempt in range(40):
    t0 = time.time()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"-g BENCH:3:1-LAST\n")
    n = 0
    head = b""
    while True:
        d = s.recv(1 << 20)
        if not d:
            break
        if len(head) < 64:
            head += d[:64]
        n += len(d)
    s.close()
    dt = time.time() - t0
    if not head.startswith(b"%START"):
        time.sleep(0.5)		# the journal cache is still loading
        continue
    best = dt if best is None or dt < best else best
    if attempt > 4 and best is not None:
        break
if best is None:
    sys.exit("no -g answer: " + head.decode(errors="replace"))
print(f"-g BENCH:3:1-LAST over TCP from bin/irrd: {n / 1e6:.1f} MB in {best:.3f} s: {n / 1e6 / best:.0f} MB/s")
EOP

if [ "$ops" -gt 20000 ]; then
	echo "nrtm_bench: goal met (apply $ops operations/s > 20000)"
else
	cpu=$(echo "$out" | sed -n 's/^apply CPU: .* = \([0-9]*\) operations per CPU second.*/\1/p')
	die "goal missed: apply $ops operations/s on the wall clock (goal > 20000; machine load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs; ${cpu:-?} operations per CPU second)"
fi
