#!/usr/bin/env bash
# Starts the app as it scales out: two API replicas and two web servers on one PostgreSQL,
# behind HAProxy (deploy/haproxy.cfg) on CLUSTER_PORT (default 8080), round robin.
# Needs DATABASE_URL=postgresql://…: SQLite is one file on one machine. Ctrl-C stops it all.
# Each API replica serves Prometheus metrics on a port of its own (never through the
# balancer: deploy/prometheus/ scrapes them), and every server logs JSON lines.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

CLUSTER_PORT=${CLUSTER_PORT:-8080}
# The replicas listen on the next four ports, on loopback: only the balancer is public.
API_PORTS=($((CLUSTER_PORT + 1)) $((CLUSTER_PORT + 2)))
WEB_PORTS=($((CLUSTER_PORT + 3)) $((CLUSTER_PORT + 4)))
METRICS_PORTS=($((CLUSTER_PORT + 5)) $((CLUSTER_PORT + 6)))
API_WORKERS=${API_WORKERS:-2}

find_python
need_node
command -v curl >/dev/null || apt_install curl
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || apt_install haproxy
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
load_env_file
[[ ${DATABASE_URL:-} =~ ^postgres(ql)?:// ]] ||
    die "make cluster needs PostgreSQL: set DATABASE_URL=postgresql://user:password@host/db (every replica shares it)"
for port in "$CLUSTER_PORT" "${API_PORTS[@]}" "${WEB_PORTS[@]}" "${METRICS_PORTS[@]}"; do
    if port_taken "$port"; then
        die "port $port is already in use; stop what uses it, or set CLUSTER_PORT (it uses the next 6 ports too)"
    fi
done

# One origin for pages and API (/api/v1 on the balancer): the browser sends no CORS preflight.
export BETTER_AUTH_URL=${CLUSTER_URL:-http://localhost:$CLUSTER_PORT}
export NEXT_PUBLIC_API_URL=/api/v1
export CORS_ORIGINS=${CORS_ORIGINS:-$BETTER_AUTH_URL}
export LOG_FORMAT=${LOG_FORMAT:-json}
export BALANCER_SECRET=${BALANCER_SECRET:-$(new_secret)}
export BALANCER_BIND=":$CLUSTER_PORT"
export API1="127.0.0.1:${API_PORTS[0]}" API2="127.0.0.1:${API_PORTS[1]}"
export WEB1="127.0.0.1:${WEB_PORTS[0]}" WEB2="127.0.0.1:${WEB_PORTS[1]}"

setup_backend
setup_npm "$FRONTEND"
apply_migrations
build_frontend
stop_servers_on_exit "stopped the cluster"
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/todo-cluster.XXXXXX")
STOP_REMOVES+=("$RUN_DIR")
export BALANCER_SOCKET="$RUN_DIR/haproxy.sock"

say "starting 2 API replicas (${API_WORKERS} workers each) on :${API_PORTS[*]} and 2 web servers on :${WEB_PORTS[*]}"
for i in 0 1; do
    (cd "$BACKEND" && AUTO_MIGRATE=false METRICS_PORT=${METRICS_PORTS[$i]} exec "$VENV/bin/python" \
        -m app.server --host 127.0.0.1 --port "${API_PORTS[$i]}" --workers "$API_WORKERS") &
    SERVER_PIDS+=($!)
done
for port in "${WEB_PORTS[@]}"; do
    (cd "$FRONTEND" && PORT=$port exec node_modules/.bin/next start -H 127.0.0.1 -p "$port") &
    SERVER_PIDS+=($!)
done
"$HAPROXY" -db -f "$ROOT/deploy/haproxy.cfg" &
SERVER_PIDS+=($!)
for i in 0 1; do
    wait_until_up "API replica $((i + 1))" "http://127.0.0.1:${API_PORTS[$i]}/health/ready" "${SERVER_PIDS[$i]}"
    wait_until_up "web server $((i + 1))" "http://127.0.0.1:${WEB_PORTS[$i]}/api/health" "${SERVER_PIDS[$((i + 2))]}"
done
wait_until_up "load balancer" "http://127.0.0.1:$CLUSTER_PORT/api/health" "${SERVER_PIDS[4]}"
say "admin socket: $BALANCER_SOCKET (e.g. echo 'set server api/api1 state drain' | socat stdio $BALANCER_SOCKET)"
say "metrics: http://127.0.0.1:${METRICS_PORTS[0]}/metrics and :${METRICS_PORTS[1]} (deploy/prometheus/prometheus.yml scrapes them)"
say "ready: http://localhost:$CLUSTER_PORT (Ctrl-C stops everything)"
wait -n "${SERVER_PIDS[@]}"
die "a server stopped; stopping the others"
