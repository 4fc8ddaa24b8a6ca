# shellcheck shell=bash
# lib.sh - sourced by the bench/*.sh scripts (scripts/run_bench.sh does not
# run it): their name in messages, a work directory removed on exit with
# what they started, the PostgreSQL cluster (the one of scripts/suites.sh
# or a private one) and a database of their own, free ports, and the
# gen_irr.py data set.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_init NAME            SRCDIR (the source root, made the cwd), BIN
#                              (IRRD_BIN, BIN or bin/; absolute), SHARED
#                              (SHARED_DIR or ../shared), die, note
#   bench_need_bins PROG...    die unless $BIN/PROG are built
#   bench_tmp [PIDVAR...]      TMP; on exit the processes whose pids the
#                              variables PIDVAR hold are stopped (SIGTERM),
#                              the database DB dropped, a private cluster
#                              removed and TMP deleted
#   bench_pg [--fast]          HOST PORT USER_ WHERE (OWN_PG: a private cluster)
#   bench_createdb PREFIX      DB=PREFIX_<pid> in that cluster, its URL
#   bench_data TOOL ...        $DATA made by ../shared/tools/TOOL when missing
#   bench_irr_data FILE...     $DATA holds the gen_irr.py data set: generated
#                              (under a lock, with IRRD_BENCH_SCALE as --scale)
#                              when one of FILEs is missing
#   free_port                  a free TCP port (scripts/free_port.py)

# bench_init NAME: the benchmark's name in its messages; the source root.
bench_init() {
	BENCH_NAME=$1
	SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	cd "$SRCDIR"
	BIN=${IRRD_BIN:-${BIN:-bin}}
	case $BIN in /*) ;; *) BIN=$SRCDIR/$BIN ;; esac
	SHARED=${SHARED_DIR:-$SRCDIR/../shared}
}

die() { echo "$BENCH_NAME: $*" >&2; exit 1; }
note() { echo "$BENCH_NAME: $*"; }

bench_need_bins() {
	local p
	for p in "$@"; do
		[ -x "$BIN/$p" ] || die "$BIN/$p: not built (run make)"
	done
}

bench_tmp() {
	BENCH_PIDVARS=("$@")
	OWN_PG=
	DB=
	TMP=$(mktemp -d "${IRRD_TEST_TMPDIR:-${TMPDIR:-/tmp}}/$BENCH_NAME.XXXXXX")
	chmod 755 "$TMP"
	trap bench_cleanup EXIT
}

bench_cleanup() {
	local v pids=()
	for v in "${BENCH_PIDVARS[@]}"; do
		[ -z "${!v:-}" ] || pids+=("${!v}")
	done
	for v in "${pids[@]}"; do
		kill -TERM "$v" 2>/dev/null || :
	done
	for v in "${pids[@]}"; do
		wait "$v" 2>/dev/null || :
	done
	if [ -n "$DB" ] && [ -z "$OWN_PG" ]; then
		psql -h "$HOST" -p "$PORT" -U "$USER_" -d postgres -XAtq -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
			>/dev/null 2>&1 || :
	fi
	if [ -n "$OWN_PG" ]; then
		"$SRCDIR/scripts/pg.sh" destroy "$OWN_PG" >/dev/null 2>&1 || :
	fi
	rm -rf "$TMP"
}

# bench_pg [--fast]: the cluster of scripts/suites.sh, or a private one in
# $TMP/pg (--fast: fsync off, as for tests; without it the defaults).
bench_pg() {
	if [ -n "${IRRD_TEST_PG_HOST:-}" ] && [ -n "${IRRD_TEST_PG_PORT:-}" ]; then
		HOST=$IRRD_TEST_PG_HOST PORT=$IRRD_TEST_PG_PORT USER_=${IRRD_TEST_PG_USER:-irrd}
		WHERE="the test cluster of scripts/suites.sh (fsync off)"
	else
		OWN_PG=$TMP/pg
		"$SRCDIR/scripts/pg.sh" start "$OWN_PG" "$@" >/dev/null
		eval "$("$SRCDIR/scripts/pg.sh" env "$OWN_PG")"
		HOST=$IRRD_TEST_PG_HOST PORT=$IRRD_TEST_PG_PORT USER_=$IRRD_TEST_PG_USER
		if [ "${1:-}" = --fast ]; then
			WHERE="a private cluster (fsync off)"
		else
			WHERE="a private cluster (default settings, fsync on)"
		fi
	fi
}

bench_createdb() {
	DB=$1_$$
	psql -h "$HOST" -p "$PORT" -U "$USER_" -d postgres -XAtq -c "CREATE DATABASE $DB" ||
		die "cannot create database $DB"
	URL="postgresql://$USER_@$HOST:$PORT/$DB"
}

# bench_data TOOL WHAT TIME FILE... -- ARG...: unless $DATA holds every
# FILE, python3 $SHARED/tools/TOOL ARG... fills $DATA.tmp (named in the
# ARGs), which then becomes $DATA; under a lock, so that benchmarks run
# side by side do not make it twice. WHAT and TIME go into the message.
bench_data() {
	local tool=$1 what=$2 time=$3 files=() f
	shift 3
	while [ "$1" != -- ]; do
		files+=("$1")
		shift
	done
	shift
	bench_data_missing() {
		for f in "${files[@]}"; do
			[ -s "$DATA/$f" ] || return 0
		done
		return 1
	}
	bench_data_missing || return 0
	[ -f "$SHARED/tools/$tool" ] || die "$SHARED/tools/$tool: not found (set SHARED_DIR)"
	mkdir -p "$(dirname "$DATA")"
	(
		flock 9
		if bench_data_missing; then
			note "generating $what into $DATA ($time)"
			rm -rf "$DATA.tmp"
			mkdir -p "$DATA.tmp"
			python3 "$SHARED/tools/$tool" "$@" >/dev/null
			rm -rf "$DATA"
			mv "$DATA.tmp" "$DATA"
		fi
	) 9>"$DATA.lock"
}

# bench_irr_data FILE...: the gen_irr.py data set (IRRD_BENCH_SCALE is its
# --scale) in $DATA.
bench_irr_data() {
	bench_data gen_irr.py "the data set" "takes a minute or two" "$@" -- \
		--out "$DATA.tmp" ${IRRD_BENCH_SCALE:+--scale "$IRRD_BENCH_SCALE"}
}

free_port() { python3 "$SRCDIR/scripts/free_port.py"; }
