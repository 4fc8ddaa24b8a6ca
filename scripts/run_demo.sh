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
set -euo pipefail

prog=run_demo
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VAR=$ROOT/var

die() { echo "$prog: $*" >&2; exit 1; }

if [ -z "${MAKELEVEL:-}" ]; then
	scripts/deps.sh
	make -j2 all
fi

for p in irrd irrd_database_upgrade irrd_load_database; do
	[ -x "bin/$p" ] || die "bin/$p: not built (make all)"
done

for port in 8043 3323 8080; do
	if ! python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; then
		die "127.0.0.1:$port is in use (another irrd, or another service): the demo needs ports 8043, 3323 and 8080"
	fi
done

mkdir -p "$VAR"
chmod 755 "$VAR"
url=$(scripts/pg.sh start "$VAR/pg" --db irrd)

mkdir -p "$VAR/gnupg"
chmod 700 "$VAR/gnupg"
sed -e "s|@DATABASE_URL@|$url|g" -e "s|@VAR_DIR@|$VAR|g" -e "s|@DEMO_DIR@|$ROOT/demo|g" \
	demo/irrd.yaml.in >"$VAR/irrd.yaml.tmp"
mv "$VAR/irrd.yaml.tmp" "$VAR/irrd.yaml"
echo "$prog: config $VAR/irrd.yaml, database $url" >&2

bin/irrd_database_upgrade --config "$VAR/irrd.yaml"
bin/irrd_load_database --config "$VAR/irrd.yaml" --source DEMO demo/demo.db

cat >&2 <<EOF
$prog: serving the demo (Ctrl-C stops; \`make pg-stop\` stops PostgreSQL):
    whois -h 127.0.0.1 -p 8043 AS-DEMO        whois -h 127.0.0.1 -p 8043 '!iAS-DEMO,1'
    whois -h 127.0.0.1 -p 8043 '!r192.0.2.0/24,o'
    curl http://127.0.0.1:8080/v1/status/     curl 'http://127.0.0.1:8080/v1/whois/?q=!gAS64496'
    rtrclient tcp -p 127.0.0.1 3323
EOF
exec bin/irrd --config "$VAR/irrd.yaml" --foreground
