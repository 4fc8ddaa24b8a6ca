# lib.sh - helpers for shell integration tests. Source it from a test:
#
#   #!/bin/bash
#   . "$(dirname "$0")/lib/lib.sh"        # (adjust the path from subfolders)
#   it_begin
#   db=$(it_new_db)
#   cfg=$IT_TMP/irrd.yaml
#   it_config "$cfg" db="$db"             # whois/http/rtr ports: $IT_WHOIS_PORT...
#   it_check "schema" "$IRRD_BIN/irrd_database_upgrade" --config "$cfg"
#   it_start_irrd "$cfg"
#   it_eq "!v framing" "$(it_whois "$IT_WHOIS_PORT" '!v' | head -c 1)" "A"
#   it_stop_irrd
#   it_done
#
# Output convention (scripts/run_tests.sh adds it up): one "PASS name" or
# "FAIL name: why" line per check and a last line "N passed, N failed"; the
# exit status is non-zero when something failed.
#
# The runner provides IRRD_BIN, SRCDIR, TEST_DATA_DIR, IRRD_TEST_DATABASE_URL,
# IRRD_TEST_PG_* and PGHOST/PGPORT/PGUSER (scripts/suites.sh). Run one test
# alone with: scripts/run_tests.sh test_name

IT_PASSED=0
IT_FAILED=0
IT_TMP=
IT_IRRD_PID=
IT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# it_begin: counters, a private temp dir ($IT_TMP), cleanup at exit.
it_begin() {
	if [ -z "${IRRD_TEST_DATABASE_URL:-}" ] || [ -z "${IRRD_BIN:-}" ]; then
		echo "FAIL environment: run integration tests through scripts/run_tests.sh (make test), e.g. scripts/run_tests.sh $(basename "$0")"
		echo "0 passed, 1 failed"
		exit 1
	fi
	IT_TMP=$(mktemp -d "${IRRD_TEST_TMPDIR:-${TMPDIR:-/tmp}}/it.XXXXXX")
	chmod 755 "$IT_TMP"
	trap it_cleanup EXIT
}

# it_on_exit CMD...: run CMD (one string, eval'd) when the test exits, before
# the temp dir goes.
IT_ON_EXIT=()
it_on_exit() {
	IT_ON_EXIT+=("$*")
}

it_cleanup() {
	local rc=$? c
	if [ -n "$IT_IRRD_PID" ]; then
		kill -KILL "$IT_IRRD_PID" 2>/dev/null || :
	fi
	for c in "${IT_ON_EXIT[@]}"; do
		eval "$c" || :
	done
	if [ -n "$IT_TMP" ]; then
		rm -rf "$IT_TMP"
	fi
	exit "$rc"
}

it_pass() {
	IT_PASSED=$((IT_PASSED + 1))
	echo "PASS $1"
}

it_fail() {
	IT_FAILED=$((IT_FAILED + 1))
	echo "FAIL $1: $2"
}

# it_check NAME CMD...: passes if CMD exits 0 (its output is shown on failure).
it_check() {
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		it_pass "$name"
	else
		it_fail "$name" "'$*' exited with status $rc"
		printf '%s\n' "$out" | head -n 40 | sed 's/^/    /'
	fi
}

# it_check_fails NAME CMD...: passes if CMD exits non-zero.
it_check_fails() {
	local name=$1 rc=0
	shift
	"$@" >/dev/null 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		it_pass "$name"
	else
		it_fail "$name" "'$*' succeeded but should have failed"
	fi
}

# it_eq NAME GOT WANT: exact comparison, with a diff on failure.
it_eq() {
	if [ "$2" = "$3" ]; then
		it_pass "$1"
	else
		it_fail "$1" "got something else than expected"
		diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | head -n 40 | sed 's/^/    /' || :
	fi
}

# it_contains NAME HAYSTACK NEEDLE
it_contains() {
	if [[ $2 == *"$3"* ]]; then
		it_pass "$1"
	else
		it_fail "$1" "'$3' not found in output"
		printf '%s\n' "$2" | head -n 20 | sed 's/^/    /'
	fi
}

# it_done: the count line; exit status 1 if anything failed.
it_done() {
	echo "$IT_PASSED passed, $IT_FAILED failed"
	[ "$IT_FAILED" -eq 0 ]
	exit $?
}

# it_free_port: a TCP port on 127.0.0.1 that is free right now.
it_free_port() {
	python3 "$IT_LIB_DIR/../../../scripts/free_port.py"
}

# it_new_db [PREFIX]: a fresh empty database in the test cluster; prints its url.
it_new_db() {
	local name seq=0
	# Usually called in $(...): keep the counter in a file, not a variable.
	if [ -f "$IT_TMP/.dbseq" ]; then
		seq=$(cat "$IT_TMP/.dbseq")
	fi
	seq=$((seq + 1))
	echo "$seq" >"$IT_TMP/.dbseq"
	name="${1:-it}_$$_${seq}"
	createdb -h "$IRRD_TEST_PG_HOST" -p "$IRRD_TEST_PG_PORT" -U "$IRRD_TEST_PG_USER" \
		-E UTF8 -T template0 "$name" >&2 || return 1
	echo "postgresql://$IRRD_TEST_PG_USER@$IRRD_TEST_PG_HOST:$IRRD_TEST_PG_PORT/$name"
}

# it_psql URL SQL: run SQL, unaligned tuples-only output.
it_psql() {
	psql "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"
}

# it_config FILE [key=value...]: write a daemon config. Keys:
#   db (database_url; default $IRRD_TEST_DATABASE_URL), whois, http, rtr (ports;
#   default free ports, exported as IT_WHOIS_PORT/IT_HTTP_PORT/IT_RTR_PORT),
#   sources (default TEST), sources_default (default the sources, comma
#   separated), roa (roa_source URL), slurm (slurm_source URL),
#   extra (YAML lines added under "irrd:", indented by two spaces).
# Every source is authoritative with keep_journal and nrtm_access_list local.
it_config() {
	local file=$1 db=$IRRD_TEST_DATABASE_URL whois="" http="" rtr="" sources=TEST
	local sdefault="" roa="" slurm="" extra="" kv s
	shift
	for kv in "$@"; do
		case $kv in
		db=*) db=${kv#db=} ;;
		whois=*) whois=${kv#whois=} ;;
		http=*) http=${kv#http=} ;;
		rtr=*) rtr=${kv#rtr=} ;;
		sources=*) sources=${kv#sources=} ;;
		sources_default=*) sdefault=${kv#sources_default=} ;;
		roa=*) roa=${kv#roa=} ;;
		slurm=*) slurm=${kv#slurm=} ;;
		extra=*) extra=${kv#extra=} ;;
		*) echo "it_config: $kv: unknown key" >&2; return 1 ;;
		esac
	done
	IT_WHOIS_PORT=${whois:-$(it_free_port)}
	IT_HTTP_PORT=${http:-$(it_free_port)}
	IT_RTR_PORT=${rtr:-$(it_free_port)}
	export IT_WHOIS_PORT IT_HTTP_PORT IT_RTR_PORT
	sdefault=${sdefault:-$sources}
	mkdir -p "$IT_TMP/gnupg"
	chmod 700 "$IT_TMP/gnupg"
	{
		echo "irrd:"
		echo "  database_url: '$db'"
		echo "  piddir: '$IT_TMP'"
		echo "  access_lists:"
		echo "    local: ['127.0.0.0/8', '::1/128']"
		echo "  server:"
		echo "    whois: {interface: '127.0.0.1', port: $IT_WHOIS_PORT}"
		echo "    http: {interface: '127.0.0.1', port: $IT_HTTP_PORT, status_access_list: local}"
		echo "    rtr: {interface: '127.0.0.1', port: $IT_RTR_PORT}"
		echo "  auth:"
		echo "    gnupg_keyring: '$IT_TMP/gnupg'"
		echo "  email:"
		echo "    from: 'irrd-test@example.net'"
		echo "    smtp: '127.0.0.1:25'"
		if [ -n "$roa" ] || [ -n "$slurm" ]; then
			echo "  rpki:"
			[ -z "$roa" ] || echo "    roa_source: '$roa'"
			[ -z "$slurm" ] || echo "    slurm_source: '$slurm'"
		fi
		echo "  sources_default: [${sdefault//,/, }]"
		echo "  sources:"
		for s in ${sources//,/ }; do
			echo "    $s: {authoritative: true, keep_journal: true, nrtm_access_list: local}"
		done
		echo "  log:"
		echo "    level: INFO"
		if [ -n "$extra" ]; then
			printf '%s\n' "$extra" | sed 's/^/  /'
		fi
	} >"$file"
}

# it_wait_port PORT [SECONDS]: wait until 127.0.0.1:PORT accepts connections.
it_wait_port() {
	python3 - "$1" "${2:-30}" <<'PY'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# it_start_irrd CONFIG [PORT]: start bin/irrd --foreground in the background
# (log in $IT_TMP/irrd.log) and wait until PORT (default $IT_WHOIS_PORT)
# accepts connections. Returns non-zero (and shows the log) if it does not.
it_start_irrd() {
	local port=${2:-$IT_WHOIS_PORT}
	"$IRRD_BIN/irrd" --config "$1" --foreground >"$IT_TMP/irrd.log" 2>&1 &
	IT_IRRD_PID=$!
	if ! it_wait_port "$port" 30; then
		echo "it_start_irrd: the daemon did not listen on port $port within 30s; its log:"
		sed 's/^/    /' "$IT_TMP/irrd.log" | tail -n 40
		kill -KILL "$IT_IRRD_PID" 2>/dev/null || :
		IT_IRRD_PID=
		return 1
	fi
}

# it_stop_irrd: SIGTERM the daemon; a check that it exits 0 within 20s.
it_stop_irrd() {
	local rc=0 i
	if [ -z "$IT_IRRD_PID" ]; then
		it_fail "daemon stops cleanly" "no daemon was started"
		return
	fi
	kill -TERM "$IT_IRRD_PID" 2>/dev/null || :
	for i in $(seq 200); do
		kill -0 "$IT_IRRD_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$IT_IRRD_PID" 2>/dev/null; then
		kill -KILL "$IT_IRRD_PID" 2>/dev/null || :
		wait "$IT_IRRD_PID" 2>/dev/null || :
		it_fail "daemon stops cleanly" "still running 20s after SIGTERM"
	else
		wait "$IT_IRRD_PID" || rc=$?
		if [ "$rc" -eq 0 ]; then
			it_pass "daemon stops cleanly"
		else
			it_fail "daemon stops cleanly" "exit status $rc after SIGTERM"
			tail -n 20 "$IT_TMP/irrd.log" | sed 's/^/    /'
		fi
	fi
	IT_IRRD_PID=
}

# it_whois PORT QUERY...: send the queries (one a line) and print the raw
# answer until the server closes the connection or is idle for 3s.
it_whois() {
	python3 "$IT_LIB_DIR/whois_client.py" --port "$1" "${@:2}"
}

# it_http PORT PATH: print the body of GET http://127.0.0.1:PORT/PATH.
# it_http_status PORT PATH: print only the HTTP status code.
it_http() {
	python3 "$IT_LIB_DIR/http_client.py" "$1" "$2"
}

it_http_status() {
	python3 "$IT_LIB_DIR/http_client.py" --status "$1" "$2"
}
