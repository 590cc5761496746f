"""B12's trace cost as CPU, in-process: B1's list called straight into the ASGI app (no
network, no wrk) with 32 requests in flight, tracing off and on (every request, and a tenth),
each in a process of its own, alternating over rounds. Per request: the CPU of the whole
process (request path and the export thread); the OTLP receiver runs in another process.

A busy shared machine makes req/s figures swing by tens of percent from one run to the next;
CPU time per request, paired by round, holds much better. For a server that is CPU-bound, as
the API under wrk is, req/s with traces / off is about the inverse of this CPU ratio.

    python bench/trace_cost.py [--requests 3000] [--rounds 3]
"""

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from seed import Postgres, write_tokens
from servers import BENCH_DIR

LIST = b"limit=20"
CONCURRENCY = 32
MODES: dict[str, dict[str, str]] = {
    "off": {},
    "traces": {"OTEL_EXPORTER_OTLP_ENDPOINT": "{receiver}"},
    "sampled": {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "{receiver}",
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.1",
    },
}


async def serve(tokens: list[str], requests: int) -> float:
    """CPU seconds of this process for `requests` list calls (after as many to warm up)."""
    from app.main import app

    async def call(token: str) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/tasks",
            "raw_path": b"/tasks",
            "root_path": "",
            "query_string": LIST,
            "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        if status != 200:
            raise RuntimeError(f"GET /tasks answered {status}")

    async def loop(first: int, count: int) -> None:
        for n in range(count):
            await call(tokens[(first + n * CONCURRENCY) % len(tokens)])

    async def batch(count: int) -> None:
        await asyncio.gather(*(loop(i, count // CONCURRENCY) for i in range(CONCURRENCY)))

    async with app.router.lifespan_context(app):
        await batch(requests)
        started = time.process_time()
        await batch(requests)
    # The lifespan's end exports the spans still queued: their cost is measured too.
    return time.process_time() - started


def child(tokens_path: Path, requests: int) -> None:
    tokens = tokens_path.read_text().split()
    cpu = asyncio.run(serve(tokens, requests))
    print(json.dumps({"cpu_us_per_request": cpu / (requests // CONCURRENCY * CONCURRENCY) * 1e6}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--child", nargs=2, metavar=("TOKENS", "REQUESTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), int(args.child[1]))
        return
    secret = secrets.token_urlsafe(32)
    receiver_code = (
        "import sys; from devtools import otlp_receiver\n"
        "with otlp_receiver() as r:\n    print(r.url, flush=True); sys.stdin.read()"
    )
    with (
        tempfile.TemporaryDirectory(prefix="todo-trace-cost-") as tmp,
        Postgres(args.postgres).session() as pg,
        subprocess.Popen(
            [sys.executable, "-c", receiver_code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        ) as receiver,
    ):
        assert receiver.stdout is not None and receiver.stdin is not None
        url = receiver.stdout.readline().decode().strip()
        tokens = write_tokens(Path(tmp) / "tokens", secret, 1000)
        database = pg.url(pg.seeded(users=1000, per_user=100), pg.api_role)
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "DB_", "OTEL_", "METRICS_", "LOG_"))
        }
        base.update(
            BETTER_AUTH_SECRET=secret,
            DATABASE_URL=database,
            AUTO_MIGRATE="false",
            DB_POOL_SIZE=str(CONCURRENCY),
            MAX_INFLIGHT_PER_USER=str(CONCURRENCY),
        )
        runs: dict[str, list[float]] = {mode: [] for mode in MODES}
        for _ in range(args.rounds):
            for mode, settings in MODES.items():
                env = base | {k: v.format(receiver=url) for k, v in settings.items()}
                output = subprocess.run(
                    [sys.executable, __file__, "--child", str(tokens), str(args.requests)],
                    env=env,
                    cwd=BENCH_DIR,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                runs[mode].append(json.loads(output.splitlines()[-1])["cpu_us_per_request"])
        receiver.stdin.close()
    result = {
        "load_average": os.getloadavg(),
        "cpu_us_per_request": runs,
        **{
            f"off / {mode}": statistics.median(
                off / cpu for off, cpu in zip(runs["off"], runs[mode], strict=True)
            )
            for mode in ("traces", "sampled")
        },
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
