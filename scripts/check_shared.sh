#!/bin/bash
# check_shared.sh - `make check-shared`: the suites that use ../shared (real
# RPKI objects, large generated data sets, the RTR probe), with SHARED_DIR
# set to its absolute path; ends with the line "N passed, N failed".
#
#   BIN=bin BUILD=build/default scripts/check_shared.sh [PATTERN...]
#
# Unit tests: $BUILD/tests/<name> for tests/unit/*_shared_test.c.
# Integration tests: executable files named check_*.sh or check_*.py under
#   tests/integration/ (same output convention as test_*).
# SHARED_DIR overrides the location of ../shared. IRRD_SHARED_TIMEOUT
# (default 1800) bounds each suite, in seconds. The rest of the environment
# is that of scripts/run_tests.sh (scripts/suites.sh).
set -euo pipefail

. "$(dirname "$0")/suites.sh"
suites_init check_shared

shared=${SHARED_DIR:-$SRCDIR/../shared}
if [ ! -d "$shared" ]; then
	suites_die "$shared: the shared directory is missing (it holds the real RPKI objects, data sets and tools these suites need; set SHARED_DIR to its location)"
fi
SHARED_DIR=$(cd "$shared" && pwd)
export SHARED_DIR

suites_build all units
suites_pg_start
tmo=${IRRD_SHARED_TIMEOUT:-1800}

suites_run_units "$tmo" "*_shared_test" "" "$@"
suites_run_integration "$tmo" check_ "$@"

suites_finish
