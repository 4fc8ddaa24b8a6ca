#!/bin/bash
# run_tests.sh - `make test`: every unit test and every integration test
# against a throwaway PostgreSQL; ends with the line "N passed, N failed".
#
#   BIN=bin BUILD=build/default scripts/run_tests.sh [PATTERN...]
#
# It first builds (make -k all units; IRRD_TEST_NO_BUILD=1 skips that): a
# failed build counts as a failure, and whatever was built still runs.
# Unit tests: the binaries $BUILD/tests/<name> of tests/unit/<name>.c
#   (except *_shared_test, which `make check-shared` runs).
# Integration tests: executable files named test_*.sh or test_*.py anywhere
#   under tests/integration/ (each prints "PASS name" / "FAIL name: why"
#   lines and ends with "N passed, N failed").
# PATTERNs (optional) pick suites by name, e.g. scripts/run_tests.sh rpsl_.
# IRRD_UNIT_TIMEOUT (default 300) and IRRD_INTEGRATION_TIMEOUT (default
# 600) bound each suite, in seconds. See scripts/suites.sh for the
# environment each suite gets.
set -euo pipefail

. "$(dirname "$0")/suites.sh"
suites_init run_tests
suites_build all units
suites_pg_start

unit_tmo=${IRRD_UNIT_TIMEOUT:-300}
int_tmo=${IRRD_INTEGRATION_TIMEOUT:-600}

suites_run_units "$unit_tmo" "*_test" "*_shared_test" "$@"
suites_run_integration "$int_tmo" test_ "$@"

suites_finish
