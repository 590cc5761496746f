"""B11: one user's heavy searches against another user's plain list (issue 19).

The attacker has 5,000 tasks of 2,000-character descriptions (too long for the search index:
each search reads and matches every one of them) and runs 20 loops of `GET /tasks?q=` with 10
two-letter words, the most q allows. Meanwhile another user lists their tasks in 4 loops.
Measured in one round, in turn: the victim alone (baseline), then during the attack, with the
default MAX_INFLIGHT_PER_USER (4) and with the cap lifted (1000). Figures: the victim's p50
and p99 and status codes, the attacker's status codes, the most PostgreSQL backends the API
held (pool size 10), and the queries still running 2 s after the attack ended.

Run: `backend/.venv/bin/python bench/fair_share.py` (a PostgreSQL superuser URL in
BENCH_POSTGRES_URL); writes bench/results/fair_share.json and prints the table that
docs/benchmarks.md shows.
"""

import asyncio
import json
import os
import secrets
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psycopg

from app.token import mint
from devtools import role_backends
from seed import Postgres, user
from servers import BENCH_DIR, api

ATTACKER = "bench-attacker"
ATTACK_LOOPS, VICTIM_LOOPS = 20, 4
SECONDS = 15.0
POOL_SIZE = 10
WORDS = "aa bb cc dd ee ff gg hh ii jj"
LIST = "/tasks?limit=20"
_ATTACKER_TASKS = """
INSERT INTO task (user_id, title, description, created_at, updated_at, tags)
SELECT %s, 'task ' || n, left(repeat('lorem ipsum dolor sit amet ' || n || ' ', 80), 2000),
       now(), now(), '{}'
FROM generate_series(1, 5000) AS n
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def loop(
    http: httpx.AsyncClient, path: str, token: str, stop: float, seen: list[tuple[int, float]]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            status = (await http.get(path, headers=headers)).status_code
        except httpx.TransportError:
            status = 0
        seen.append((status, time.monotonic() - started))
        if status == 429:
            await asyncio.sleep(0.05)  # a client that backs off a little, not Retry-After's 1 s


async def phase(base: str, victim: str, attacker: str | None) -> dict[str, Any]:
    stop = time.monotonic() + SECONDS
    victim_seen: list[tuple[int, float]] = []
    attack_seen: list[tuple[int, float]] = []
    limits = httpx.Limits(max_connections=ATTACK_LOOPS + VICTIM_LOOPS + 4)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        loops = [loop(http, LIST, victim, stop, victim_seen) for _ in range(VICTIM_LOOPS)]
        if attacker:
            search = f"{LIST}&q={WORDS.replace(' ', '+')}"
            loops += [loop(http, search, attacker, stop, attack_seen) for _ in range(ATTACK_LOOPS)]
        await asyncio.gather(*loops)
    ok = [seconds for status, seconds in victim_seen if status == 200]
    return {
        "victim_statuses": dict(Counter(status for status, _ in victim_seen)),
        "victim_p50_ms": round(percentile(ok, 0.5) * 1000, 1),
        "victim_p99_ms": round(percentile(ok, 0.99) * 1000, 1),
        "attacker_statuses": dict(Counter(status for status, _ in attack_seen)),
    }


class Backends(threading.Thread):
    """The most backends the API's role held while it ran."""

    def __init__(self, url: str, role: str) -> None:
        super().__init__()
        self.url, self.role, self.most = url, role, 0
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.wait(0.05):
                self.most = max(self.most, role_backends(conn, self.role)[0])


def scenario(pg: Postgres, database: str, cap: int, secret: str, log: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_"))}
    env.update(
        BETTER_AUTH_SECRET=secret,
        DATABASE_URL=pg.url(database, pg.api_role),
        AUTO_MIGRATE="false",
        DB_POOL_SIZE=str(POOL_SIZE),
        MAX_INFLIGHT_PER_USER=str(cap),
    )
    victim, attacker = mint(secret, user(1), ttl=3600), mint(secret, ATTACKER, ttl=3600)
    with api(env, log) as server, psycopg.connect(pg.url(database), autocommit=True) as conn:
        asyncio.run(phase(server.url, victim, None))  # warm-up
        alone = asyncio.run(phase(server.url, victim, None))
        backends = Backends(pg.url(database), pg.api_role)
        backends.start()
        attacked = asyncio.run(phase(server.url, victim, attacker))
        backends.stop.set()
        backends.join()
        time.sleep(2)
        still_running = role_backends(conn, pg.api_role)[1]
    return {
        "alone": alone,
        "attacked": attacked,
        "most_backends": backends.most,
        "running_2s_after": still_running,
    }


def measure(pg: Postgres, secret: str, log: Path) -> dict[str, Any]:
    """B11 in a database of its own: with the default cap, and with it lifted."""
    results: dict[str, Any] = {"seconds": SECONDS, "pool_size": POOL_SIZE}
    database = pg.seeded(users=10, per_user=100)
    with psycopg.connect(pg.url(database), autocommit=True) as conn:
        conn.execute(_ATTACKER_TASKS, (ATTACKER,))
        conn.execute("VACUUM ANALYZE task")
    for cap in (4, 1000):
        results[f"cap_{cap}"] = scenario(pg, database, cap, secret, log)
    return results


def main() -> None:
    admin = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory() as scratch, Postgres(admin).session() as pg:
        results = measure(pg, secrets.token_urlsafe(32), Path(scratch) / "servers.log")
    out = BENCH_DIR / "results" / "fair_share.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
