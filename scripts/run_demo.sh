#!/bin/bash
# run_demo.sh - `make run`: set everything up and serve the demo data set.
#
# 1. dependencies and build (make run does both before calling this script;
#    run directly, the script does them itself)
# 2. a private PostgreSQL cluster under var/pg (kept between runs; stop it
#    with `make pg-stop`), database "irrd"
# 3. var/irrd.yaml from demo/irrd.yaml.in
# 4. bin/irrd_database_upgrade, bin/irrd_load_database --source DEMO demo/demo.db
# 5. exec bin/irrd --foreground: whois 127.0.0.1:8043, RTR 127.0.0.1:3323,
#    HTTP 127.0.0.1:8080 (stop it with Ctrl-C)
#
# For tests (tests/integration/infra/test_demo_run.sh): IRRD_DEMO_VAR (default
# var/), IRRD_DEMO_BIN (default bin/), IRRD_DEMO_WHOIS_PORT, IRRD_DEMO_HTTP_PORT,
# IRRD_DEMO_RTR_PORT, IRRD_DEMO_NO_BUILD=1 (skip deps and build).
set -euo pipefail

prog=run_demo
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VAR=${IRRD_DEMO_VAR:-$ROOT/var}
BIN=${IRRD_DEMO_BIN:-$ROOT/bin}
WHOIS_PORT=${IRRD_DEMO_WHOIS_PORT:-8043}
HTTP_PORT=${IRRD_DEMO_HTTP_PORT:-8080}
RTR_PORT=${IRRD_DEMO_RTR_PORT:-3323}

die() { echo "$prog: $*" >&2; exit 1; }

if [ -z "${MAKELEVEL:-}" ] && [ "${IRRD_DEMO_NO_BUILD:-}" != 1 ]; then
	scripts/deps.sh
	make -j2 all
fi

for p in irrd irrd_database_upgrade irrd_load_database; do
	[ -x "$BIN/$p" ] || die "$BIN/$p: not built (make all)"
done

for port in "$WHOIS_PORT" "$RTR_PORT" "$HTTP_PORT"; do
	if ! python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; then
		die "127.0.0.1:$port is in use (another irrd, or another service): the demo needs ports $WHOIS_PORT, $RTR_PORT and $HTTP_PORT"
	fi
done

mkdir -p "$VAR"
chmod 755 "$VAR"
VAR=$(cd "$VAR" && pwd)
url=$(scripts/pg.sh start "$VAR/pg" --db irrd)

mkdir -p "$VAR/gnupg"
chmod 700 "$VAR/gnupg"
sed -e "s|@DATABASE_URL@|$url|g" -e "s|@VAR_DIR@|$VAR|g" -e "s|@DEMO_DIR@|$ROOT/demo|g" \
	-e "s|port: 8043\$|port: $WHOIS_PORT|" -e "s|port: 8080\$|port: $HTTP_PORT|" \
	-e "s|port: 3323\$|port: $RTR_PORT|" \
	demo/irrd.yaml.in >"$VAR/irrd.yaml.tmp"
mv "$VAR/irrd.yaml.tmp" "$VAR/irrd.yaml"
echo "$prog: config $VAR/irrd.yaml, database $url" >&2

"$BIN/irrd_database_upgrade" --config "$VAR/irrd.yaml"
"$BIN/irrd_load_database" --config "$VAR/irrd.yaml" --source DEMO demo/demo.db

w="whois -h 127.0.0.1 -p $WHOIS_PORT"
cat >&2 <<EOF
$prog: serving the demo (Ctrl-C stops; \`make pg-stop\` stops PostgreSQL):
    $w AS-DEMO          $w '!iAS-DEMO,1'          $w '!r192.0.2.0/24,o'
    bgpq4 -h 127.0.0.1:$WHOIS_PORT -l demo AS-DEMO-CUSTOMERS
    curl http://127.0.0.1:$HTTP_PORT/v1/status/     curl 'http://127.0.0.1:$HTTP_PORT/v1/whois/?q=!gAS64496'
    rtrclient tcp -p 127.0.0.1 $RTR_PORT
EOF
exec "$BIN/irrd" --config "$VAR/irrd.yaml" --foreground
