#!/usr/bin/env bash
# Sets up everything and starts the whole app: the backend on :8000, the frontend on :3000.
# A second run reuses what is installed and built, and keeps the data. Ctrl-C stops both.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

BACKEND_PORT=${BACKEND_PORT:-8000}
FRONTEND_PORT=${FRONTEND_PORT:-3000}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Values already in the environment win over .env; a missing secret is generated once
# into .env (mode 600, git-ignored), so both servers share it from then on.
load_env_file() {
    local line name
    if [ -z "${BETTER_AUTH_SECRET:-}" ] && ! grep -qs '^BETTER_AUTH_SECRET=' .env; then
        say "no BETTER_AUTH_SECRET: generating one into .env"
        (umask 077 && printf 'BETTER_AUTH_SECRET=%s\n' "$(new_secret)" >>.env)
    fi
    [ -f .env ] || return 0
    chmod 600 .env
    while IFS= read -r line || [ -n "$line" ]; do
        [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
        name=${BASH_REMATCH[1]}
        [ -n "${!name+set}" ] || export "$name=${BASH_REMATCH[2]}"
    done <.env
}

# Next.js inlines NEXT_PUBLIC_* at build time: rebuild when they or the sources change. What
# the build, the type check and the app write themselves is no source: next-env.d.ts (which
# the first build creates), TypeScript's build state, the data.
frontend_build_key() {
    {
        env | grep '^NEXT_PUBLIC_' | sort
        find frontend \( -path frontend/node_modules -o -path frontend/.next \
            -o -path frontend/data -o -name next-env.d.ts -o -name '*.tsbuildinfo' \) -prune \
            -o -type f -print0 | sort -z | xargs -0 sha256sum
    } | sha256sum | cut -d' ' -f1
}

wait_until_up() {  # wait_until_up NAME URL PID
    local deadline=$((SECONDS + 90))
    until curl -fsS -o /dev/null "$2" 2>/dev/null; do
        kill -0 "$3" 2>/dev/null || die "the $1 stopped while starting (see its output above)"
        [ "$SECONDS" -lt "$deadline" ] || die "the $1 did not answer at $2 within 90 s"
        sleep 0.5
    done
}

find_python
need_node
command -v curl >/dev/null || apt_install curl
for port in "$BACKEND_PORT" "$FRONTEND_PORT"; do
    if port_taken "$port"; then
        die "port $port is already in use; stop what uses it, or set BACKEND_PORT/FRONTEND_PORT"
    fi
done
load_env_file
export CORS_ORIGINS=${CORS_ORIGINS:-http://localhost:$FRONTEND_PORT,http://127.0.0.1:$FRONTEND_PORT}
export BETTER_AUTH_URL=${BETTER_AUTH_URL:-http://localhost:$FRONTEND_PORT}
export NEXT_PUBLIC_API_URL=${NEXT_PUBLIC_API_URL:-http://localhost:$BACKEND_PORT}

setup_backend
setup_npm "$FRONTEND"
if [[ ${DATABASE_URL:-} == postgres* ]]; then
    say "applying database migrations (PostgreSQL from DATABASE_URL)"
else
    say "applying database migrations (embedded SQLite)"
fi
(cd "$BACKEND" && "$VENV/bin/python" -m app.migrations)
(cd "$FRONTEND" && npm run --silent migrate)

key=$(frontend_build_key)
if [ "$key" != "$(cat frontend/.next/.build-key 2>/dev/null)" ]; then
    say "building the frontend"
    (cd "$FRONTEND" && npm run --silent build)
    echo "$key" >frontend/.next/.build-key
fi

pids=()
stop() {
    trap - INT TERM EXIT
    [ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    wait 2>/dev/null
}
# Ctrl-C is how this command is meant to end: once both servers have stopped, that is success.
trap 'stop; say "stopped both servers"; exit 0' INT TERM
trap stop EXIT

say "starting the backend on :$BACKEND_PORT and the frontend on :$FRONTEND_PORT"
# app.server: uvicorn with a bound on the request line and headers (plain uvicorn has none).
(cd "$BACKEND" && AUTO_MIGRATE=false exec "$VENV/bin/python" -m app.server \
    --host 127.0.0.1 --port "$BACKEND_PORT") &
pids+=($!)
(cd "$FRONTEND" && PORT=$FRONTEND_PORT exec node_modules/.bin/next start \
    -H 127.0.0.1 -p "$FRONTEND_PORT") &
pids+=($!)
wait_until_up backend "http://127.0.0.1:$BACKEND_PORT/health/ready" "${pids[0]}"
wait_until_up frontend "http://127.0.0.1:$FRONTEND_PORT/auth/login" "${pids[1]}"
say "ready: open http://localhost:$FRONTEND_PORT (Ctrl-C stops both servers)"
wait -n "${pids[@]}"
die "a server stopped; stopping the other"
