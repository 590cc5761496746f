#!/usr/bin/env bash
# The benchmark suite in one command:  bash bench/run.sh [--quick]
# Installs wrk and the environments if missing, runs every scenario against servers and
# databases of its own (PostgreSQL at BENCH_POSTGRES_URL, default the local superuser),
# writes bench/results/latest.json, then rewrites docs/benchmarks.md and docs/benchmarks.png.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

BENCH_VENV="$ROOT/bench/.venv"

# wrk drives the load; HAProxy is B9's balancer (deploy/haproxy.cfg).
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
setup_backend --dev
# matplotlib draws the chart; it stays out of the backend's environment (the lock's `chart` group).
if ! up_to_date "$BACKEND/uv.lock" "$BENCH_VENV/.installed"; then
    setup_uv
    find_python
    say "installing matplotlib in bench/.venv (from backend/uv.lock)"
    UV_PROJECT_ENVIRONMENT="$BENCH_VENV" "$UV" sync --quiet --locked --project "$BACKEND" \
        --python "$PYTHON" --only-group chart || die "uv sync of bench/.venv failed"
    mark_installed "$BACKEND/uv.lock" "$BENCH_VENV/.installed"
fi

say "running the benchmarks (a full run takes about 15 minutes; --quick about 3)"
"$VENV/bin/python" bench/bench.py "$@"
"$BENCH_VENV/bin/python" bench/report.py bench/results/latest.json docs artifacts/e2e
