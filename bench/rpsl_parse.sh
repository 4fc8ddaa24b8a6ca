#!/bin/bash
# rpsl_parse.sh - RPSL parser throughput: objects/s of rpsl_parse() on the
# route objects of ../shared/testdata/synthetic-small/irr.db, single-threaded,
# non-strict (as the loader parses) and strict (as updates are parsed).
set -euo pipefail
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
build=$($MAKE -s --no-print-directory print-BUILD)
shared=${SHARED_DIR:-../shared}
db=$shared/testdata/synthetic-small/irr.db
if [ ! -f "$db" ]; then
	echo "rpsl_parse.sh: $db: missing (set SHARED_DIR)" >&2
	exit 1
fi
$MAKE -s --no-print-directory "$build/bench/rpsl_parse_bench"
"$build/bench/rpsl_parse_bench" --seconds 3 "$db"
"$build/bench/rpsl_parse_bench" --seconds 3 --strict "$db"
"$build/bench/rpsl_parse_bench" --seconds 3 --render "$db"
