#!/bin/bash
# pg.sh - a private PostgreSQL 15 cluster in a directory of its own.
#
#   scripts/pg.sh start DIR [--fast] [--port N] [--db NAME]
#       initdb DIR if needed (trust auth, superuser role "irrd"), start the
#       server if it is not running, create database NAME if given and
#       missing, and print its database_url (of "postgres" without --db).
#       The server listens on a Unix socket in DIR and on 127.0.0.1:PORT;
#       the port is kept in DIR/port and reused when it is still free.
#       --fast: fsync and synchronous_commit off (throwaway test clusters).
#   scripts/pg.sh createdb DIR NAME     create a database, print its url
#   scripts/pg.sh url DIR [NAME]        print the database_url
#   scripts/pg.sh env DIR               print shell exports (PGHOST, PGPORT, PGUSER,
#                                       IRRD_TEST_PG_HOST/PORT/USER/SOCKET/BIN)
#   scripts/pg.sh status DIR            exit 0 if the server runs
#   scripts/pg.sh stop DIR              stop the server (data kept)
#   scripts/pg.sh destroy DIR           stop the server and remove DIR
#
# PostgreSQL refuses to run as root; as root the server runs as the
# "postgres" user (or a dedicated system user "irrd-pg" when there is none)
# and DIR is owned by it. Progress goes to stderr, only results to stdout.
# PG_BIN overrides the directory holding initdb/pg_ctl.
set -euo pipefail

prog=pg.sh
ROLE=irrd

die() { echo "$prog: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

usage() {
	sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

find_pg_bin() {
	local d
	if [ -n "${PG_BIN:-}" ]; then
		echo "$PG_BIN"
		return
	fi
	for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return
		fi
	done
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
		return
	fi
	die "PostgreSQL server programs (initdb, pg_ctl) not found: install postgresql-15 (scripts/deps.sh)"
}

# The OS user the server runs as, and how to run a command as that user.
setup_runas() {
	if [ "$(id -u)" -ne 0 ]; then
		RUNAS=$(id -un)
		AS=()
		return
	fi
	if id postgres >/dev/null 2>&1; then
		RUNAS=postgres
	else
		RUNAS=irrd-pg
		if ! id "$RUNAS" >/dev/null 2>&1; then
			useradd --system --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin "$RUNAS"
		fi
	fi
	AS=(runuser -u "$RUNAS" --)
}

free_port() {
	python3 "$(dirname "${BASH_SOURCE[0]}")/free_port.py"
}

# As the server binds (SO_REUSEADDR): closed connections in TIME_WAIT on
# the port do not keep it from being reused.
port_is_free() {
	python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

dir_hash() {
	printf '%s' "$1" | md5sum | cut -c1-12
}

# Where the server's files live (data/, postgres.log): DIR itself, unless
# the server user cannot reach DIR (as root, a parent like /root is closed
# to it); then a directory under /var/tmp, recorded in DIR/pghome.
# The Unix socket lives there too, unless that path is too long for a socket
# address (107 bytes); then under /tmp, recorded in DIR/socketdir.
choose_homes() {
	if [ -f "$DIR/pghome" ]; then
		PGHOME=$(cat "$DIR/pghome")
	else
		PGHOME=$DIR
		if [ "$(id -u)" -eq 0 ]; then
			chown "$RUNAS" "$DIR"
			if ! "${AS[@]}" test -w "$DIR" -a -x "$DIR"; then
				PGHOME=/var/tmp/irrd-pg-$(dir_hash "$DIR")
				note "$DIR is out of reach of the server user $RUNAS; the cluster lives in $PGHOME"
				mkdir -p "$PGHOME"
				chown "$RUNAS" "$PGHOME"
				chmod 755 "$PGHOME"
			fi
		fi
		echo "$PGHOME" >"$DIR/pghome"
	fi
	if [ -f "$DIR/socketdir" ]; then
		SOCK=$(cat "$DIR/socketdir")
	else
		SOCK=$PGHOME
		if [ ${#PGHOME} -gt 80 ]; then
			SOCK=/tmp/irrd-pg-$(dir_hash "$DIR")
		fi
		echo "$SOCK" >"$DIR/socketdir"
	fi
	DATA=$PGHOME/data
}

load_state() {
	[ -d "$1" ] || die "$1: no such directory"
	DIR=$(cd "$1" && pwd)
	[ -f "$DIR/port" ] && [ -f "$DIR/pghome" ] ||
		die "$DIR: no cluster here (run: scripts/pg.sh start $DIR)"
	PORT=$(cat "$DIR/port")
	PGHOME=$(cat "$DIR/pghome")
	SOCK=$(cat "$DIR/socketdir")
	DATA=$PGHOME/data
}

url_for() {
	echo "postgresql://$ROLE@127.0.0.1:$PORT/$1"
}

is_running() {
	[ -f "$DATA/postmaster.pid" ] && "${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

db_exists() {
	local n
	n=$("$PGBIN/psql" -h "$SOCK" -p "$PORT" -U "$ROLE" -d postgres -XAtq \
		-c "SELECT count(*) FROM pg_database WHERE datname = '$1'")
	[ "$n" = 1 ]
}

create_db() {
	case $1 in
	*[!A-Za-z0-9_]* | "") die "$1: database names here are letters, digits and _" ;;
	esac
	if ! db_exists "$1"; then
		"$PGBIN/createdb" -h "$SOCK" -p "$PORT" -U "$ROLE" -E UTF8 -T template0 "$1"
	fi
}

do_init() {
	local fast=$1
	mkdir -p "$DIR"
	DIR=$(cd "$DIR" && pwd)
	chmod 755 "$DIR"
	choose_homes
	mkdir -p "$SOCK"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$RUNAS" "$SOCK"
		"${AS[@]}" test -w "$PGHOME" -a -w "$SOCK" ||
			die "$PGHOME: the server user $RUNAS cannot write here"
	fi
	if [ ! -f "$DATA/PG_VERSION" ]; then
		note "initdb $DATA (user $RUNAS)"
		"${AS[@]}" "$PGBIN/initdb" -D "$DATA" -U "$ROLE" -A trust -E UTF8 \
			--locale=C --no-sync >"$DIR/initdb.log" 2>&1 ||
			{ cat "$DIR/initdb.log" >&2; die "$DATA: initdb failed"; }
		{
			echo
			echo "# scripts/pg.sh"
			echo "listen_addresses = '127.0.0.1'"
			echo "unix_socket_directories = '$SOCK'"
			echo "max_connections = 200"
			echo "shared_buffers = 64MB"
			echo "log_min_messages = warning"
			echo "log_line_prefix = '%m [%p] %q%u@%d '"
			if [ "$fast" = 1 ]; then
				echo "fsync = off"
				echo "synchronous_commit = off"
				echo "full_page_writes = off"
			fi
		} | "${AS[@]}" tee -a "$DATA/postgresql.conf" >/dev/null
	fi
}

do_start() {
	local fast=0 want_port="" db="" tries
	DIR=$1
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--fast) fast=1 ;;
		--port) want_port=${2:?--port needs a number}; shift ;;
		--db) db=${2:?--db needs a name}; shift ;;
		*) usage ;;
		esac
		shift
	done
	do_init "$fast"
	if is_running; then
		PORT=$(cat "$DIR/port")
	else
		rm -f "$SOCK"/.s.PGSQL.* 2>/dev/null || :
		for tries in 1 2 3 4 5; do
			if [ -n "$want_port" ]; then
				PORT=$want_port
			elif [ -f "$DIR/port" ] && port_is_free "$(cat "$DIR/port")"; then
				PORT=$(cat "$DIR/port")
			else
				PORT=$(free_port)
			fi
			echo "$PORT" >"$DIR/port"
			if "${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$PGHOME/postgres.log" -w -t 60 \
				-o "-p $PORT" start >/dev/null; then
				break
			fi
			if [ -n "$want_port" ] || [ "$tries" = 5 ]; then
				tail -n 20 "$PGHOME/postgres.log" >&2 || :
				die "$DATA: the server did not start (log: $PGHOME/postgres.log)"
			fi
			note "port $PORT taken, trying another"
			rm -f "$DIR/port"
		done
		note "PostgreSQL running in $PGHOME on 127.0.0.1:$PORT and $SOCK"
	fi
	if [ -n "$db" ]; then
		create_db "$db"
		url_for "$db"
	else
		url_for postgres
	fi
}

do_stop() {
	load_state "$1"
	if is_running; then
		"${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null ||
			"${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null
	fi
}

[ $# -ge 2 ] || usage
cmd=$1
shift
PGBIN=$(find_pg_bin)
setup_runas

case $cmd in
start)
	do_start "$@"
	;;
createdb)
	[ $# -eq 2 ] || usage
	load_state "$1"
	is_running || die "$1: the server is not running"
	create_db "$2"
	url_for "$2"
	;;
url)
	load_state "$1"
	url_for "${2:-postgres}"
	;;
env)
	load_state "$1"
	cat <<EOF
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=$ROLE
export IRRD_TEST_PG_HOST=127.0.0.1 IRRD_TEST_PG_PORT=$PORT IRRD_TEST_PG_USER=$ROLE
export IRRD_TEST_PG_SOCKET='$SOCK' IRRD_TEST_PG_BIN='$PGBIN'
EOF
	;;
status)
	load_state "$1"
	is_running
	;;
stop)
	do_stop "$1"
	;;
destroy)
	if [ -f "$1/port" ] && [ -f "$1/pghome" ]; then
		do_stop "$1"
		if [ "$SOCK" != "$DIR" ]; then
			rm -rf "$SOCK"
		fi
		if [ "$PGHOME" != "$DIR" ]; then
			rm -rf "$PGHOME"
		fi
	fi
	rm -rf "$1"
	;;
*)
	usage
	;;
esac
