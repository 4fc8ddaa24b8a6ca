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

for src in tests/unit/*_test.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	case $name in *_shared_test) continue ;; esac
	suites_selected "$name" "$@" || continue
	if [ -x "$BUILD/tests/$name" ]; then
		suite_run unit "$name" "$unit_tmo" "$BUILD/tests/$name"
	else
		suite_missing "$name" "$BUILD/tests/$name was not built"
	fi
done

while IFS= read -r t; do
	suites_selected "$t" "$@" || continue
	if [ -x "$t" ]; then
		suite_run integration "$t" "$int_tmo" "./$t"
	else
		suite_missing "$t" "not executable (chmod +x it)"
	fi
done < <(find tests/integration -type f \( -name 'test_*.sh' -o -name 'test_*.py' \) | sort)

suites_finish
