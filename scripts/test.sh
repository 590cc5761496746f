#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need first.
#   TEST_DATABASE_URL=postgresql://...  also runs the backend suite on PostgreSQL.
# Reports (JUnit XML) land in artifacts/reports; the last line sums them up.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

REPORTS="$ROOT/artifacts/reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
failed=()

step() {  # step NAME COMMAND...: run it, remember a failure, go on with the next step
    local name=$1
    shift
    say "$name"
    "$@" || failed+=("$name")
}

pytest_suite() {  # pytest_suite NAME [DATABASE_URL]: the backend suite on one database
    local status=0
    (cd "$BACKEND" && TEST_DATABASE_URL="${2:-}" "$VENV/bin/python" -m pytest -q \
        -p no:cacheprovider --junitxml="$REPORTS/backend-$1.xml") || status=$?
    # 5 is "no tests collected": nothing failed.
    [ "$status" = 0 ] || [ "$status" = 5 ]
}

setup_backend
step "backend: ruff" "$VENV/bin/ruff" check "$BACKEND"
step "backend: ruff format" "$VENV/bin/ruff" format --check --quiet "$BACKEND"
step "backend tests on SQLite" pytest_suite sqlite
if [ -n "${TEST_DATABASE_URL:-}" ]; then
    step "backend tests on PostgreSQL" pytest_suite postgres "$TEST_DATABASE_URL"
else
    say "TEST_DATABASE_URL is not set: skipping the PostgreSQL run of the backend suite"
fi

"$VENV/bin/python" "$ROOT/scripts/summarize_reports.py" "$REPORTS"/*.xml
if [ "${#failed[@]}" -gt 0 ]; then
    printf 'failed steps: %s\n' "${failed[*]}" >&2
    exit 1
fi
