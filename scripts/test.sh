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

pytest_suite() {  # pytest_suite NAME DATABASE_URL [PYTEST ARGS...]: backend tests on one database
    local name=$1 url=$2 status=0
    shift 2
    (cd "$BACKEND" && TEST_DATABASE_URL="$url" "$VENV/bin/python" -m pytest -q \
        -p no:cacheprovider --junitxml="$REPORTS/backend-$name.xml" "$@") || status=$?
    # 5 is "no tests collected": nothing failed.
    [ "$status" = 0 ] || [ "$status" = 5 ]
}

# Over backend/app, backend/tests, scripts/ and bench/, as backend/pyproject.toml says.
type_check() { (cd "$BACKEND" && "$VENV/bin/mypy"); }

e2e_suite() {  # e2e_suite NAME [POSTGRES_SERVER_URL]: the browser tests over both servers
    local status=0 database=""
    if [ -n "${2:-}" ]; then
        database=$("$VENV/bin/python" "$ROOT/scripts/scratch_db.py" create "$2") || return 1
    fi
    (cd "$ROOT/e2e" && DATABASE_URL="$database" node --test --test-concurrency=1 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=junit --test-reporter-destination="$REPORTS/e2e-$1.xml" tests/) ||
        status=$?
    [ -z "$database" ] || "$VENV/bin/python" "$ROOT/scripts/scratch_db.py" drop "$database"
    return "$status"
}

setup_backend --dev
step "ruff" "$VENV/bin/ruff" check "$BACKEND" "$ROOT/scripts" "$ROOT/bench"
step "ruff format" "$VENV/bin/ruff" format --check --quiet "$BACKEND" "$ROOT/scripts" "$ROOT/bench"
step "mypy --strict" type_check
step "backend tests on SQLite" pytest_suite sqlite "" -m "not contract"
# schemathesis against a running API: every check, positive and negative, stateful.
step "API contract on SQLite" pytest_suite contract-sqlite "" -m contract
if [ -n "${TEST_DATABASE_URL:-}" ]; then
    # tests/system/test_pooler.py starts a PgBouncer of its own (transaction pooling).
    command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || apt_install pgbouncer
    step "backend tests on PostgreSQL" pytest_suite postgres "$TEST_DATABASE_URL" -m "not contract"
    step "API contract on PostgreSQL" pytest_suite contract-postgres "$TEST_DATABASE_URL" -m contract
else
    say "TEST_DATABASE_URL is not set: skipping the PostgreSQL run of the backend suite"
fi

setup_npm "$FRONTEND"
# The frontend's API types are generated from the backend's schema and checked in: a change
# on one side that the other has not taken in fails here.
step "frontend: API types match the backend's schema" npm --prefix "$FRONTEND" run --silent check:api
step "frontend: eslint" npm --prefix "$FRONTEND" run --silent lint
step "frontend: type check" npm --prefix "$FRONTEND" run --silent typecheck
step "frontend: unit tests" npm --prefix "$FRONTEND" run --silent test -- \
    --reporter=default --reporter=junit --outputFile.junit="$REPORTS/frontend.xml"
# Builds the frontend (with a sentinel secret) and greps the client bundle for it; the
# browser tests then run that same build, which reads its real secret at run time.
step "frontend: build, and no secret in the client bundle" \
    npm --prefix "$FRONTEND" run --silent check:bundle

command -v chromium >/dev/null || apt_install chromium
setup_npm "$ROOT/e2e"
step "browser tests on SQLite" e2e_suite sqlite
if [ -n "${TEST_DATABASE_URL:-}" ]; then
    # e2e/tests/cluster.test.mjs runs the replicas behind HAProxy (PostgreSQL only).
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || apt_install haproxy
    # e2e/tests/observability.test.mjs has a real Prometheus scrape the cluster.
    command -v prometheus >/dev/null || apt_install prometheus
    step "browser tests on PostgreSQL" e2e_suite postgres "$TEST_DATABASE_URL"
fi

"$VENV/bin/python" "$ROOT/scripts/summarize_reports.py" "$REPORTS"/*.xml
if [ "${#failed[@]}" -gt 0 ]; then
    printf 'failed steps: %s\n' "${failed[*]}" >&2
    exit 1
fi
