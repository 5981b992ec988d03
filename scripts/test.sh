#!/usr/bin/env bash
# One command: set up (with test tools), lint and type-check src/, run the test suite under
# branch coverage (child processes and server workers included) and report it per stage.
#   bash scripts/test.sh                 everything (what CI runs); stage floors enforced
#   bash scripts/test.sh tests/x.py -k y pytest arguments: a part of the suite (no floors)
#   GOVDATA_COVERAGE=0 bash scripts/test.sh ...   the tests without coverage measurement
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests
.venv/bin/mypy
if [ "${GOVDATA_COVERAGE:-1}" = 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
export COVERAGE_FILE="$PWD/.coverage"
rm -f .coverage .coverage.*
status=0
.venv/bin/python -m coverage run -m pytest "$@" || status=$?
.venv/bin/python -m coverage combine -q
floors=()
if [ $# -eq 0 ]; then
  floors=(--fail-under checks=90 --fail-under publish=90)
fi
.venv/bin/python scripts/coverage_by_stage.py "${floors[@]}" || [ $status -ne 0 ] || status=$?
exit $status
