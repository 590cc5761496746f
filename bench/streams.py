"""GET /events (issue 22): what idle event streams cost a worker, and how long a change takes to
reach another device through HAProxy and two API replicas. PostgreSQL, real HTTP.

Usage (from the repository root, after `make test` or `bash bench/run.sh` made backend/.venv):
    backend/.venv/bin/python bench/streams.py [POSTGRES_SERVER_URL]

B13, idle streams: one API worker (`python -m app.server`, one process); 100 users x 20 tasks.
Each round measures `GET /tasks?limit=20` with wrk (no streams), then opens STREAMS streams of
as many users from a process of their own (they receive only heartbeats), reads the worker's
resident memory, measures the list again with them open, and closes them: same-round ratios.
B14, change-to-other-device latency: two replicas (one worker each) behind HAProxy with
deploy/haproxy.cfg; a device holds a stream through the balancer while another posts tasks
through it one at a time (round robin: half of them on the other replica); per task, the time
from sending the POST, and from its answer, to the event's arrival on the stream.

Writes bench/results/streams.json and the "Event streams" section of docs/benchmarks.md
(between its markers; bench/report.py keeps it when it rewrites the file).
"""

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg

from app.migrations import migrate
from app.token import mint
from devtools import libpq_url, postgres_database
from sections import markers, publish
from seed import USER_PREFIX, write_tokens
from servers import api, balancer, wrk

STREAMS = 1000
WAVE = 50
USERS, TASKS = 100, 20
LIST = "/tasks?limit=20"
ROUNDS, SECONDS = 3, 10
WRITES = 100
START, END = markers("streams")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


def _seed(url: str) -> None:
    migrate(url)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO task (user_id, title, created_at, updated_at) "
            "SELECT %s || u, 'task ' || n, now(), now() "
            "FROM generate_series(1, %s) AS u, generate_series(1, %s) AS n",
            (USER_PREFIX, USERS, TASKS),
        )


def _env(secret: str, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_"))}
    env.update(
        BETTER_AUTH_SECRET=secret,
        DATABASE_URL=url,
        AUTO_MIGRATE="false",
        DB_POOL_SIZE="32",
        MAX_INFLIGHT_PER_USER="32",
    )
    return env


@contextmanager
def _holding(url: str, secret: str, count: int) -> Iterator[None]:
    """`count` open streams of as many users, from a process of their own, until the block
    ends."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--hold", url, secret, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        if process.stdout.readline().strip() != "open":
            raise RuntimeError("the streams did not open")
        yield
    finally:
        process.stdin.close()
        process.wait(timeout=60)


async def _hold(url: str, secret: str, count: int) -> None:
    """The streams' side of _holding: open them all, say so, read until stdin closes."""
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    limits = httpx.Limits(max_connections=count + 10)
    timeout = httpx.Timeout(30, read=None)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:

        async def stream(n: int, opened: asyncio.Event) -> None:
            headers = {"Authorization": f"Bearer {mint(secret, f'stream-{n}', ttl=3600)}"}
            while True:  # a start that found the pool busy (503) tries again
                async with client.stream("GET", "/events", headers=headers) as response:
                    if response.status_code != 200:
                        await asyncio.sleep(0.1)
                        continue
                    lines = response.aiter_lines()
                    await anext(lines)  # the connected comment: the stream is open
                    opened.set()
                    async for _ in lines:
                        pass

        # In waves, as clients come: a thousand starts at once would queue on the pool.
        tasks = []
        for first in range(0, count, WAVE):
            wave = [asyncio.Event() for _ in range(first, min(count, first + WAVE))]
            tasks += [asyncio.create_task(stream(first + n, e)) for n, e in enumerate(wave)]
            await asyncio.gather(*(opened.wait() for opened in wave))
        print("open", flush=True)
        await asyncio.to_thread(sys.stdin.read)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def idle_streams(url: str, secret: str, tokens: Path, log: Path) -> dict[str, Any]:
    with api(_env(secret, url), log) as server:
        # 1,000 sockets and more: above the usual limit of 1,024 descriptors.
        subprocess.run(
            ["prlimit", f"--pid={server.process.pid}", "--nofile=8192:8192"],
            check=True,
        )
        wrk(server.url, "GET", LIST, tokens, 2)  # warm-up
        rounds = []
        for _ in range(ROUNDS):
            without = wrk(server.url, "GET", LIST, tokens, SECONDS)
            before = _rss_mib(server.process.pid)
            with _holding(server.url, secret, STREAMS):
                added = _rss_mib(server.process.pid) - before
                with_streams = wrk(server.url, "GET", LIST, tokens, SECONDS)
            rounds.append(
                {
                    "rps_without": round(without["rps"]),
                    "rps_with": round(with_streams["rps"]),
                    "ratio": with_streams["rps"] / without["rps"],
                    "rss_added_mib": round(added, 1),
                }
            )
    return {"streams": STREAMS, "rounds": rounds}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latency(url: str, secret: str, log: Path) -> dict[str, Any]:
    env = _env(secret, url)
    jwt = mint(secret, "latency-user", ttl=3600)
    headers = {"Authorization": f"Bearer {jwt}"}
    arrived: dict[int, float] = {}
    seen = threading.Condition()
    with api(env, log) as first, api(env, log) as second, balancer([first, second], log) as lb:
        base = f"{lb.url}/api/v1"

        def read(stream: httpx.Response) -> None:
            with suppress(httpx.HTTPError):  # the servers stop under it at the end
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        data = json.loads(line.removeprefix("data: "))
                        if data["type"] == "task.created":
                            with seen:
                                arrived[data["id"]] = time.perf_counter()
                                seen.notify_all()

        timeout = httpx.Timeout(30, read=None)
        with (
            httpx.Client(timeout=timeout) as device,
            device.stream("GET", f"{base}/events", headers=headers) as stream,
            httpx.Client(timeout=30) as other,
        ):
            reader = threading.Thread(target=read, args=(stream,), daemon=True)
            reader.start()
            from_send, from_answer = [], []
            for n in range(WRITES):
                sent = time.perf_counter()
                response = other.post(f"{base}/tasks", headers=headers, json={"title": f"{n}"})
                answered = time.perf_counter()
                task_id = response.json()["id"]
                with seen:
                    seen.wait_for(partial(arrived.__contains__, task_id), timeout=30)
                from_send.append((arrived[task_id] - sent) * 1000)
                from_answer.append((arrived[task_id] - answered) * 1000)
    return {
        "writes": WRITES,
        "from_send_p50_ms": round(_percentile(from_send, 0.5), 1),
        "from_send_p95_ms": round(_percentile(from_send, 0.95), 1),
        "from_answer_p50_ms": round(_percentile(from_answer, 0.5), 1),
        "from_answer_p95_ms": round(_percentile(from_answer, 0.95), 1),
    }


def section(results: dict[str, Any]) -> str:
    idle, late = results["idle"], results["latency"]
    ratios = sorted(r["ratio"] for r in idle["rounds"])
    without = [r["rps_without"] for r in idle["rounds"]]
    lines = [
        START,
        "## B13, B14: event streams (issue 22)",
        "",
        f"`bench/streams.py`, {results['when']}, load average {results['load']} (2 cores,",
        "shared with other work: read the ratios, not the absolute figures).",
        "",
        f"**B13**, {idle['streams']:,} idle streams on one worker (`python -m app.server`, one",
        "process; the streams from a process of their own, each a user of its own, receiving",
        f"heartbeats only); `GET {LIST}` with wrk -t2 -c32, {SECONDS} s runs, without and with the",
        "streams open in each round. Targets: at most 100 MB added, the list within 5 %.",
        "",
        "| Round | list req/s, no streams | with streams | ratio | resident memory added (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for n, r in enumerate(idle["rounds"], 1):
        lines.append(
            f"| {n} | {r['rps_without']:,} | {r['rps_with']:,} | {r['ratio']:.1%}"
            f" | {r['rss_added_mib']} |"
        )
    first = idle["rounds"][0]["rss_added_mib"]
    met = ratios[len(ratios) // 2] >= 0.95 and first <= 100
    lines += [
        "",
        f"Memory: {first} MiB added by the first {idle['streams']:,} streams of the fresh process"
        " (later rounds reuse what the allocator kept of the first, and show little). Median"
        f" ratio of the list's req/s {ratios[len(ratios) // 2]:.1%}:"
        f" {'met' if met else '**missed**'} (the list alone ranged over {min(without):,} to "
        f"{max(without):,} req/s across the rounds; the streams' client shares the 2 cores).",
        "",
        f"**B14**, change to another device: {late['writes']} tasks posted one at a time",
        "through HAProxy to two replicas (round robin), each awaited on a stream held through",
        "HAProxy by another client; milliseconds until the event arrived. Target: p95 under 1 s.",
        "",
        "| Measured from | p50 ms | p95 ms |",
        "|---|---:|---:|",
        f"| sending the POST | {late['from_send_p50_ms']} | {late['from_send_p95_ms']} |",
        f"| its answer (committed) | {late['from_answer_p50_ms']} | {late['from_answer_p95_ms']} |",
        "",
        "PostgreSQL LISTEN/NOTIFY (one listening connection per worker) carries the user id; the",
        "stream then reads the change table: a change table polled would add its interval to",
        "every figure and a query per stream per interval, at rest.",
        END,
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--hold"]:
        asyncio.run(_hold(sys.argv[2], sys.argv[3], int(sys.argv[4])))
        return
    postgres = (
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    secret = os.urandom(32).hex()
    with postgres_database(postgres, "bench") as url, tempfile.TemporaryDirectory() as scratch:
        _seed(url)
        log = Path(scratch) / "servers.log"
        tokens = write_tokens(Path(scratch) / "tokens", secret, USERS)
        results = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "load": " / ".join(f"{value:.1f}" for value in os.getloadavg()),
            "idle": idle_streams(url, secret, tokens, log),
            "latency": latency(url, secret, log),
        }
    publish("streams", results, section(results))


if __name__ == "__main__":
    main()
