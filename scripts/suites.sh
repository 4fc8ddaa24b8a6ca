# suites.sh - sourced by run_tests.sh, check_shared.sh and run_bench.sh: a
# throwaway PostgreSQL, the test environment, and a runner that adds up the
# "N passed, N failed" lines of many suites.
#
# A suite is any program that prints a last count line
#     [<suite>: ]N passed, N failed
# and exits non-zero when something failed. A suite that crashes, times out,
# exits non-zero without reporting a failure, prints no count line or leaves
# a sanitizer report behind counts as one more failure.
#
# Environment each suite gets (all paths absolute; cwd is the source root):
#   SRCDIR, BIN, BUILD, IRRD_BIN (= BIN), TEST_DATA_DIR (tests/data)
#   IRRD_TEST_DATABASE_URL   a database of its own for the run (irrd_test)
#   IRRD_TEST_PG_HOST/PORT/USER/SOCKET/BIN and PGHOST/PGPORT/PGUSER: the
#                            cluster, so that `createdb NAME` just works
#   IRRD_TEST_PG_DIR         the cluster directory (scripts/pg.sh createdb DIR NAME)
#   IRRD_TEST_TMPDIR         an empty directory for this suite, removed afterwards
#   ASAN_OPTIONS/UBSAN_OPTIONS/LSAN_OPTIONS with log_path into a directory
#                            the runner checks after each suite
#   SHARED_DIR               (check_shared.sh) absolute path of ../shared

SUITES_PASSED=0
SUITES_FAILED=0
SUITES_BAD=()
SUITES_COUNT=0
SUITES_TMP=
SUITES_CHILD=
SUITES_TAIL=

suites_die() {
	echo "$SUITES_PROG: $*" >&2
	exit 1
}

# suites_init PROG: set up paths and the environment every suite sees.
suites_init() {
	SUITES_PROG=$1
	SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	cd "$SRCDIR"
	BIN=${BIN:-bin}
	BUILD=${BUILD:-build/default}
	mkdir -p "$BIN" "$BUILD"
	BIN=$(cd "$BIN" && pwd)
	BUILD=$(cd "$BUILD" && pwd)
	export SRCDIR BIN BUILD
	export IRRD_BIN=$BIN
	export TEST_DATA_DIR=$SRCDIR/tests/data

	SUITES_TMP=$(mktemp -d "${TMPDIR:-/tmp}/irrd-$SUITES_PROG.XXXXXX")
	# The PostgreSQL server runs as another user when we are root: it must
	# be able to reach its directory below this one.
	chmod 711 "$SUITES_TMP"
	trap suites_cleanup EXIT
	trap 'suites_interrupted' INT TERM HUP

	SUITES_SAN_DIR=$SUITES_TMP/sanitizer
	mkdir -p "$SUITES_SAN_DIR"
	chmod 1777 "$SUITES_SAN_DIR"
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:log_path=$SUITES_SAN_DIR/asan"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:log_path=$SUITES_SAN_DIR/ubsan"
	export LSAN_OPTIONS="${LSAN_OPTIONS:-}${LSAN_OPTIONS:+:}log_path=$SUITES_SAN_DIR/lsan"
	export PYTHONDONTWRITEBYTECODE=1
}

# suites_pg_start: a throwaway cluster for this run.
suites_pg_start() {
	local url
	IRRD_TEST_PG_DIR=$SUITES_TMP/pg
	url=$("$SRCDIR/scripts/pg.sh" start "$IRRD_TEST_PG_DIR" --fast --db irrd_test) ||
		suites_die "could not start a throwaway PostgreSQL (see above)"
	export IRRD_TEST_DATABASE_URL=$url IRRD_TEST_PG_DIR
	eval "$("$SRCDIR/scripts/pg.sh" env "$IRRD_TEST_PG_DIR")"
	# Prefer the client tools of the server's version.
	export PATH="$IRRD_TEST_PG_BIN:$PATH"
}

suites_cleanup() {
	local rc=$?
	if [ -n "$SUITES_CHILD" ]; then
		kill -TERM "$SUITES_CHILD" 2>/dev/null || :
	fi
	if [ -n "$SUITES_TAIL" ]; then
		kill "$SUITES_TAIL" 2>/dev/null || :
	fi
	if [ -n "$SUITES_TMP" ] && [ -d "$SUITES_TMP" ]; then
		if [ -d "$SUITES_TMP/pg" ]; then
			"$SRCDIR/scripts/pg.sh" destroy "$SUITES_TMP/pg" || :
		fi
		rm -rf "$SUITES_TMP"
	fi
	exit "$rc"
}

suites_interrupted() {
	echo "$SUITES_PROG: interrupted" >&2
	exit 130
}

# suite_run KIND NAME TIMEOUT CMD...: run one suite, stream its output,
# add its counts up.
suite_run() {
	local kind=$1 name=$2 tmo=$3 rc line p=0 f=0 why="" log re reports
	shift 3
	SUITES_COUNT=$((SUITES_COUNT + 1))
	log=$SUITES_TMP/suite.log
	export IRRD_TEST_TMPDIR=$SUITES_TMP/suite-$SUITES_COUNT
	mkdir -p "$IRRD_TEST_TMPDIR"
	chmod 755 "$IRRD_TEST_TMPDIR"
	rm -f "$SUITES_SAN_DIR"/*
	: >"$log"

	echo "=== $kind $name"
	timeout -k 15 "$tmo" "$@" </dev/null >"$log" 2>&1 &
	SUITES_CHILD=$!
	tail -s 0.2 -n +1 -f --pid="$SUITES_CHILD" "$log" &
	SUITES_TAIL=$!
	rc=0
	wait "$SUITES_CHILD" || rc=$?
	# timeout ran the suite in a process group of its own: anything the suite
	# left running (a daemon it did not stop) goes now.
	if kill -0 -- "-$SUITES_CHILD" 2>/dev/null; then
		echo "=== note: $name left processes running; killing them"
		kill -KILL -- "-$SUITES_CHILD" 2>/dev/null || :
	fi
	SUITES_CHILD=
	wait "$SUITES_TAIL" || :
	SUITES_TAIL=

	re='(^|: )([0-9]+) passed, ([0-9]+) failed[[:space:]]*$'
	line=$(tr -d '\r' <"$log" | grep -E "$re" | tail -n 1 || :)
	if [[ $line =~ $re ]]; then
		p=${BASH_REMATCH[2]}
		f=${BASH_REMATCH[3]}
	else
		why="printed no 'N passed, N failed' line"
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="timed out after ${tmo}s${why:+; $why}"
	elif [ "$rc" -gt 128 ]; then
		why="killed by signal $((rc - 128))${why:+; $why}"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		why="exited with status $rc without reporting a failure${why:+; $why}"
	fi
	reports=$(find "$SUITES_SAN_DIR" -type f | sort)
	if [ -n "$reports" ]; then
		why="sanitizer report${why:+; $why}"
		for r in $reports; do
			echo "--- $r"
			head -n 200 "$r"
		done
	fi
	if [ -n "$why" ]; then
		f=$((f + 1))
	fi
	SUITES_PASSED=$((SUITES_PASSED + p))
	SUITES_FAILED=$((SUITES_FAILED + f))
	if [ "$f" -ne 0 ] || [ -n "$why" ]; then
		SUITES_BAD+=("$name: ${why:-$f failed}")
		echo "=== FAILED $name (exit $rc)${why:+: $why}"
	fi
	rm -rf "$IRRD_TEST_TMPDIR"
}

# suites_build TARGET...: `make -k TARGET...` (MAKE, SANITIZER and the
# other command-line variables come from the calling make). A failed build
# counts as one failure; the suites that did get built still run, and a
# missing binary is a failure of its own suite.
suites_build() {
	local rc=0
	if [ "${IRRD_TEST_NO_BUILD:-}" = 1 ]; then
		return 0
	fi
	echo "=== build: make -k $*"
	${MAKE:-make} -k --no-print-directory "$@" </dev/null 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		SUITES_FAILED=$((SUITES_FAILED + 1))
		SUITES_BAD+=("build: 'make -k $*' failed (exit $rc); the suites that were built run anyway")
		echo "=== FAILED build (exit $rc); running what was built"
	fi
}

# suite_missing NAME WHY: a suite that cannot run counts as one failure.
suite_missing() {
	SUITES_COUNT=$((SUITES_COUNT + 1))
	SUITES_FAILED=$((SUITES_FAILED + 1))
	SUITES_BAD+=("$1: $2")
	echo "=== FAILED $1: $2"
}

# suites_run_units TIMEOUT GLOB SKIP [PATTERN...]: the unit tests
# $BUILD/tests/<name> of tests/unit/<name>.c for the names matching GLOB,
# except those matching SKIP (a glob; none when empty), picked by PATTERNs.
suites_run_units() {
	local tmo=$1 glob=$2 skip=$3 src name
	shift 3
	for src in tests/unit/$glob.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		# shellcheck disable=SC2053
		[ -n "$skip" ] && [[ $name == $skip ]] && continue
		suites_selected "$name" "$@" || continue
		if [ -x "$BUILD/tests/$name" ]; then
			suite_run unit "$name" "$tmo" "$BUILD/tests/$name"
		else
			suite_missing "$name" "$BUILD/tests/$name was not built"
		fi
	done
}

# suites_run_integration TIMEOUT PREFIX [PATTERN...]: the executable files
# PREFIX*.sh and PREFIX*.py under tests/integration/, picked by PATTERNs.
suites_run_integration() {
	local tmo=$1 prefix=$2 t
	shift 2
	while IFS= read -r t; do
		suites_selected "$t" "$@" || continue
		if [ -x "$t" ]; then
			suite_run integration "$t" "$tmo" "./$t"
		else
			suite_missing "$t" "not executable (chmod +x it)"
		fi
	done < <(find tests/integration -type f \( -name "$prefix*.sh" -o -name "$prefix*.py" \) | sort)
}

# suites_selected NAME [PATTERN...]: true when NAME matches one of the
# patterns (shell globs against the suite name or path), or there are none.
suites_selected() {
	local name=$1 pat
	shift
	[ $# -eq 0 ] && return 0
	for pat in "$@"; do
		# shellcheck disable=SC2053
		if [[ $name == $pat || $name == *$pat* ]]; then
			return 0
		fi
	done
	return 1
}

# suites_finish: the failures, then the one final line; the exit status.
suites_finish() {
	local b
	echo
	if [ "$SUITES_COUNT" -eq 0 ]; then
		echo "$SUITES_PROG: note: no suites found"
	fi
	for b in "${SUITES_BAD[@]}"; do
		echo "FAILED SUITE $b"
	done
	echo "$SUITES_PASSED passed, $SUITES_FAILED failed"
	[ "$SUITES_FAILED" -eq 0 ]
}
