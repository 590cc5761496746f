#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need first.
#   TEST_DATABASE_URL=postgresql://...  also runs the backend suite on PostgreSQL.
# Suites that share nothing (their own databases, ports and temporary folders) run at the same
# time, in lanes; the steps of one lane run in order. Each step's output goes to its log in
# artifacts/logs/, one line says how it ended, how long it took and the CPU time it used (on a
# shared machine the wall time says little alone), and a failed step's log is printed at the
# end, after a table of every step's times. Reports (JUnit XML) land in artifacts/reports; the
# last line sums them up.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

REPORTS="$ROOT/artifacts/reports"
LOGS="$ROOT/artifacts/logs"
FAILED="$LOGS/failed-steps"
STEPS="$LOGS/steps"
rm -rf "$REPORTS" "$LOGS" && mkdir -p "$REPORTS" "$LOGS"
: >"$FAILED"
: >"$STEPS"
TICKS=$(getconf CLK_TCK)
# Python then keeps what it compiles (in the git-ignored __pycache__ folders, the virtual
# environment's too): with PYTHONDONTWRITEBYTECODE set, as this machine kind sets it, every Python
# process of the run (pytest, each server and command the tests start) compiled the app and
# its libraries from source again, seconds of CPU each.
unset PYTHONDONTWRITEBYTECODE

# The CPU seconds this (sub)shell and every process it has waited for used: fields 14 to 17 of
# /proc/PID/stat (a server a test started and stopped counts; one left running does not).
cpu_seconds() {
    local stat fields
    read -r stat <"/proc/$BASHPID/stat"
    read -r -a fields <<<"${stat##*) }"
    echo $(((fields[11] + fields[12] + fields[13] + fields[14]) / TICKS))
}

step() {  # step NAME COMMAND...: run it into its log, remember a failure, go on with the next step
    local name=$1 log started=$SECONDS status=0 seconds cpu line
    shift
    log="$LOGS/$(printf '%s' "$name" | tr -cs 'A-Za-z0-9' '-').log"
    # In a subshell: a command that exits (die) ends its step, not the lane.
    (trap 'cpu_seconds >"$log.cpu"' EXIT; "$@") >"$log" 2>&1 </dev/null || status=$?
    seconds=$((SECONDS - started))
    cpu=$(cat "$log.cpu" 2>/dev/null || echo '?') && rm -f "$log.cpu"
    line=$(printf '%4ss %5s  %s' "$seconds" "(${cpu}s CPU)" "$name")
    if [ "$status" = 0 ]; then
        printf 'ok      %s\n' "$line" | tee -a "$STEPS"
    else
        printf 'FAILED  %s (exit %s, log: %s)\n' "$line" "$status" "${log#"$ROOT"/}" | tee -a "$STEPS"
        printf '%s\t%s\n' "$name" "$log" >>"$FAILED"
    fi
    return "$status"
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

# e2e_suite NAME POSTGRES_SERVER_URL|"" FILE...: browser tests over both servers, on a scratch
# PostgreSQL database of their own when a server is given (else each system on SQLite files).
# The suite's systems migrate Better-Auth's tables once (e2e/lib/system.mjs, migrateAuth).
e2e_suite() {
    local name=$1 server=$2 status=0 database="" schema
    shift 2
    if [ -n "$server" ]; then
        database=$("$VENV/bin/python" "$ROOT/scripts/scratch_db.py" create "$server") || return 1
    fi
    schema=$(mktemp -d)
    (cd "$ROOT/e2e" && DATABASE_URL="$database" E2E_AUTH_SCHEMA_DIR="$schema" \
        node --test --test-concurrency=1 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=junit --test-reporter-destination="$REPORTS/e2e-$name.xml" "$@") ||
        status=$?
    rm -rf "$schema"
    [ -z "$database" ] || "$VENV/bin/python" "$ROOT/scripts/scratch_db.py" drop "$database"
    return "$status"
}

# Builds the frontend (with a sentinel secret) and greps the client bundle for it; the browser
# tests then run that same build, which reads its real secret at run time. The build is of
# these sources, so it is marked as such: `make run` and `make cluster` in the browser tests
# reuse it instead of each building again (at the same time, into the same folder).
checked_build() {
    TYPES_CHECKED_APART=1 npm --prefix "$FRONTEND" run --silent check:bundle &&
        frontend_build_key >"$FRONTEND/.next/.build-key"
}

# Everything installed first, in order: the lanes below only run.
setup_backend --dev
missing=()
command -v chromium >/dev/null || missing+=(chromium)
if [ -n "${TEST_DATABASE_URL:-}" ]; then
    # tests/system/test_pooler.py starts a PgBouncer of its own (transaction pooling);
    # e2e/tests/cluster.test.mjs runs the replicas behind HAProxy (PostgreSQL only);
    command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
    # e2e/tests/observability.test.mjs has a real Prometheus scrape the cluster.
    command -v prometheus >/dev/null || missing+=(prometheus)
fi
[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
[ -n "${TEST_DATABASE_URL:-}" ] ||
    say "TEST_DATABASE_URL is not set: skipping the PostgreSQL runs of the backend and browser suites"

# The backend's tests run on SQLite, all of them; on PostgreSQL, those whose outcome can depend
# on the database (marked `database` by backend/tests/conftest.py: they use the suite's database
# or read TEST_DATABASE_URL). The others (parsing, rules, tokens, settings, statements compiled
# without a database) would only repeat themselves there.
lane_python() {
    step "ruff" "$VENV/bin/ruff" check "$BACKEND" "$ROOT/scripts" "$ROOT/bench"
    step "ruff format" "$VENV/bin/ruff" format --check --quiet "$BACKEND" "$ROOT/scripts" "$ROOT/bench"
    step "mypy --strict" type_check
    step "backend tests on SQLite" pytest_suite sqlite "" -m "not contract"
    # schemathesis against a running API: every check, positive and negative, stateful.
    # (Collected from tests/system, where it lives: the whole tree's collection costs seconds.)
    step "API contract on SQLite" pytest_suite contract-sqlite "" -m contract tests/system
}

lane_postgres() {
    step "backend tests on PostgreSQL" pytest_suite postgres "$TEST_DATABASE_URL" \
        -m "database and not contract"
    step "API contract on PostgreSQL" pytest_suite contract-postgres "$TEST_DATABASE_URL" \
        -m contract tests/system
}

lane_frontend_checks() {
    # The frontend's API types are generated from the backend's schema and checked in: a
    # change on one side that the other has not taken in fails here.
    step "frontend: API types match the backend's schema" \
        npm --prefix "$FRONTEND" run --silent check:api
    step "frontend: eslint" npm --prefix "$FRONTEND" run --silent lint
    step "frontend: unit tests" npm --prefix "$FRONTEND" run --silent test -- \
        --reporter=default --reporter=junit --outputFile.junit="$REPORTS/frontend.xml"
}

# On PostgreSQL, on databases of their own: the README's commands (`make run`, `make cluster`),
# and the cluster's tests, which kill, drain and restart replicas and count on their timeouts.
E2E_COMMANDS=(tests/run-command.test.mjs tests/cluster-command.test.mjs)
E2E_CLUSTER=(tests/cluster.test.mjs tests/cluster-stream.test.mjs tests/observability.test.mjs)
# Every page runs on SQLite (`make run`'s default). On PostgreSQL, the pages whose work is the
# accounts: Better-Auth keeps users, sessions, two-factor secrets, verification tokens and
# sign-in throttles in the database, and no other suite has them on PostgreSQL. The other pages
# (the task list, quick add, organizing, the app shell, your data) drive the API, whose every
# route the backend suite and the API contract run on both databases, and the cluster's browser
# test signs up and works on tasks on PostgreSQL; on the pages themselves the database changes
# nothing but the time a run takes.
E2E_ACCOUNT_PAGES=(tests/accounts.test.mjs tests/abuse.test.mjs tests/bridge.test.mjs)

# The task pages with the most to wait for (the list's hundreds of rows, two tabs in sync),
# on SQLite apart from the other pages, so that the browser suites split into three chains.
E2E_TASK_PAGES=(tests/tasks-list.test.mjs tests/sync.test.mjs tests/quick-add.test.mjs)

# The browser suites run in three chains side by side, of about the same time: a browser suite
# mostly waits for its pages and servers (a third of its time is CPU), so two chains left the
# cores idle for minutes. The cluster's tests, which kill, drain and restart replicas, end a
# chain too: alone at the end of the run, they held it for a minute and a half with a core idle.
lane_browser() {  # lane_browser PID: the browser tests wait for that (their npm packages)
    step "frontend: build, and no secret in the client bundle" checked_build
    # After the build, which writes the route types (next-env.d.ts, .next/types) it checks too.
    step "frontend: type check" npm --prefix "$FRONTEND" run --silent typecheck &
    wait "$1"
    local file others=()
    for file in "$ROOT"/e2e/tests/*.test.mjs; do
        file=tests/${file##*/}
        [[ " ${E2E_ACCOUNT_PAGES[*]} ${E2E_TASK_PAGES[*]} " == *" $file "* ]] || others+=("$file")
    done
    {
        # On SQLite the commands' files run `make run`, and `make cluster` to see it refused;
        # then on PostgreSQL, in the same chain: never two `make run` at once in one tree.
        step "browser tests on SQLite: all but the account and task pages" \
            e2e_suite sqlite "" "${others[@]}"
        [ -z "${TEST_DATABASE_URL:-}" ] ||
            step "browser tests on PostgreSQL: make run, make cluster" \
                e2e_suite postgres-commands "$TEST_DATABASE_URL" "${E2E_COMMANDS[@]}"
    } &
    {
        step "browser tests on SQLite: the task pages" \
            e2e_suite sqlite-tasks "" "${E2E_TASK_PAGES[@]}"
        step "browser tests on SQLite: the account pages" \
            e2e_suite sqlite-accounts "" "${E2E_ACCOUNT_PAGES[@]}"
    } &
    if [ -n "${TEST_DATABASE_URL:-}" ]; then
        step "browser tests on PostgreSQL: the account pages" \
            e2e_suite postgres-pages "$TEST_DATABASE_URL" "${E2E_ACCOUNT_PAGES[@]}"
        step "browser tests on PostgreSQL: the cluster" \
            e2e_suite postgres-cluster "$TEST_DATABASE_URL" "${E2E_CLUSTER[@]}"
    fi
    wait
}

# npm's packages (the frontend's and the browser tests', at once) install while the Python
# suites run; the frontend's checks and its build (then the browser suites) run side by side.
lane_node() {
    local e2e_packages
    step "npm packages (browser tests)" setup_npm "$ROOT/e2e" &
    e2e_packages=$!
    if ! step "npm packages (frontend)" setup_npm "$FRONTEND"; then
        wait
        return 1
    fi
    lane_frontend_checks &
    lane_browser "$e2e_packages"
    wait
}

lane() {  # lane FUNCTION: run it, and say that it ran to its end (a lane that died did not)
    "$1"
    echo "$1" >>"$LOGS/lanes-finished"
}

started=$SECONDS
say "running the suites in parallel lanes (logs in artifacts/logs/)"
lanes=(lane_python lane_node)
[ -z "${TEST_DATABASE_URL:-}" ] || lanes+=(lane_postgres)
for name in "${lanes[@]}"; do lane "$name" & done
wait
total=$((SECONDS - started))
for name in "${lanes[@]}"; do
    grep -qx "$name" "$LOGS/lanes-finished" 2>/dev/null ||
        printf '%s\t%s\n' "$name (ended before its last step)" "$LOGS/failed-steps" >>"$FAILED"
done

while IFS=$'\t' read -r name log; do
    printf '\n===== %s (the last 200 lines of %s) =====\n' "$name" "${log#"$ROOT"/}"
    tail -n 200 "$log"
done <"$FAILED"
printf '\nevery step, in the order they ended (wall time, CPU time):\n'
cat "$STEPS"
printf 'all suites done in %s s (load average at the end: %s)\n' "$total" "$(cut -d' ' -f1-3 /proc/loadavg)"
"$VENV/bin/python" "$ROOT/scripts/summarize_reports.py" "$REPORTS"/*.xml
if [ -s "$FAILED" ]; then
    printf 'failed steps: %s\n' "$(cut -f1 "$FAILED" | paste -sd ';' | sed 's/;/; /g')" >&2
    exit 1
fi
