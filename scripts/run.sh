#!/usr/bin/env bash
# Sets up everything and starts the whole app: the backend on :8000, the frontend on :3000.
# A second run reuses what is installed and built, and keeps the data. Ctrl-C stops both.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

BACKEND_PORT=${BACKEND_PORT:-8000}
FRONTEND_PORT=${FRONTEND_PORT:-3000}

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
apply_migrations
build_frontend
stop_servers_on_exit "stopped both servers"

say "starting the backend on :$BACKEND_PORT and the frontend on :$FRONTEND_PORT"
# app.server: uvicorn with a bound on the request line and headers (plain uvicorn has none).
(cd "$BACKEND" && AUTO_MIGRATE=false exec "$VENV/bin/python" -m app.server \
    --host 127.0.0.1 --port "$BACKEND_PORT") &
SERVER_PIDS+=($!)
(cd "$FRONTEND" && PORT=$FRONTEND_PORT exec node_modules/.bin/next start \
    -H 127.0.0.1 -p "$FRONTEND_PORT") &
SERVER_PIDS+=($!)
wait_until_up backend "http://127.0.0.1:$BACKEND_PORT/health/ready" "${SERVER_PIDS[0]}"
wait_until_up frontend "http://127.0.0.1:$FRONTEND_PORT/auth/login" "${SERVER_PIDS[1]}"
say "ready: open http://localhost:$FRONTEND_PORT (Ctrl-C stops both servers)"
wait -n "${SERVER_PIDS[@]}"
die "a server stopped; stopping the other"
