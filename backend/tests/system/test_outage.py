"""A database outage mid-load: the API answers 503 JSON at once and says it is not ready; once
the database is back it serves again without a restart, and no acknowledged write is lost."""

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import make_url

from devtools import Server, libpq_url, uvicorn
from tests.support import SECRET, auth, backend_env, new_user, token, until
from tests.system.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow

WRITERS = 8
# The API must answer within this while its database is gone; its own timeout is 5 s.
QUICK_SECONDS = 3.0
UNAVAILABLE = {"detail": "database unavailable"}


@dataclass
class Writes:
    acknowledged: list[int] = field(default_factory=list)
    unavailable: int = 0
    slowest: float = 0.0
    errors: list[str] = field(default_factory=list)


async def write_until(http: httpx.AsyncClient, stop: asyncio.Event, writes: Writes) -> None:
    headers = auth(token(new_user()))
    while not stop.is_set():
        started = time.monotonic()
        try:
            response = await http.post("/tasks", headers=headers, json={"title": "outage"})
        except httpx.TransportError as error:
            writes.errors.append(f"dropped: {type(error).__name__}")
            continue
        writes.slowest = max(writes.slowest, time.monotonic() - started)
        if response.status_code == 201:
            writes.acknowledged.append(response.json()["id"])
        elif response.status_code == 503 and response.json() == UNAVAILABLE:
            writes.unavailable += 1
            await asyncio.sleep(0.05)  # a client backing off, as Retry-After asks
        else:
            writes.errors.append(f"{response.status_code}: {response.text[:200]}")


async def readiness(http: httpx.AsyncClient) -> int:
    return (await http.get("/health/ready")).status_code


async def outage(base_url: str, proxy: TcpProxy) -> tuple[Writes, dict[str, float]]:
    writes, seen = Writes(), dict[str, float]()
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        writers = [asyncio.create_task(write_until(http, stop, writes)) for _ in range(WRITERS)]
        await until(lambda: len(writes.acknowledged) >= 5 * WRITERS, "writes under way")
        before_cut = len(writes.acknowledged)
        await asyncio.to_thread(proxy.cut)
        await until(lambda: writes.unavailable >= 2 * WRITERS, "503s while the database is gone")
        started = time.monotonic()
        seen["ready during outage"] = await readiness(http)
        seen["ready answered in"] = time.monotonic() - started
        during = writes.unavailable
        await asyncio.to_thread(proxy.restore)
        for _ in range(75):  # ready again within 15 s
            if await readiness(http) == 200:
                break
            await asyncio.sleep(0.2)
        recovered = len(writes.acknowledged)
        await until(lambda: len(writes.acknowledged) >= recovered + 5 * WRITERS, "writes again")
        stop.set()
        await asyncio.gather(*writers)
        seen["acknowledged before the cut"] = before_cut
        seen["503s during the outage"] = during
        # Serving again: a fresh burst of writes all succeed.
        fresh = Writes()
        headers = auth(token(new_user()))
        for _ in range(20):
            response = await http.post("/tasks", headers=headers, json={"title": "after"})
            if response.status_code == 201:
                fresh.acknowledged.append(response.json()["id"])
        seen["after recovery"] = len(fresh.acknowledged)
        writes.acknowledged += fresh.acknowledged
    return writes, seen


def stored_ids(database_url: str, ids: list[int]) -> set[int]:
    # As the server's superuser, which row-level security does not restrict.
    with psycopg.connect(libpq_url(database_url)) as conn:
        rows = conn.execute("SELECT id FROM task WHERE id = ANY(%s)", (ids,)).fetchall()
    return {row[0] for row in rows}


@contextmanager
def api_behind_proxy(
    postgres_url: str, log: Path, **settings: str
) -> Iterator[tuple[Server, TcpProxy]]:
    """The API on a connection to PostgreSQL that the test can cut or silence."""
    database = make_url(postgres_url)
    with TcpProxy.running(database.host or "127.0.0.1", database.port or 5432) as proxy:
        via_proxy = database.set(host="127.0.0.1", port=proxy.port)
        env = backend_env(
            BETTER_AUTH_SECRET=SECRET,
            DATABASE_URL=via_proxy.render_as_string(hide_password=False),
            **settings,
        )
        with uvicorn(env, "--no-access-log", log=log) as server:
            yield server, proxy


def test_database_outage_is_503_then_recovers(postgres_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with api_behind_proxy(postgres_url, log) as (server, proxy):
        writes, seen = asyncio.run(outage(server.url, proxy))

    assert writes.errors == [], writes.errors[:10]
    assert seen["acknowledged before the cut"], seen
    assert seen["503s during the outage"], seen
    assert seen["ready during outage"] == 503, seen
    assert seen["ready answered in"] < QUICK_SECONDS, seen
    assert writes.slowest < QUICK_SECONDS, f"a request took {writes.slowest:.1f} s"
    assert seen["after recovery"] == 20, seen
    missing = set(writes.acknowledged) - stored_ids(postgres_url, writes.acknowledged)
    assert not missing, f"{len(missing)} acknowledged writes are missing"
    output = log.read_text()
    assert "Traceback" not in output, output[-3000:]


# The silent outage's own DB_TIMEOUT_SECONDS: every request must answer within it + 1 s.
BUDGET_SECONDS = 2


async def _answers_while_silent(base_url: str, proxy: TcpProxy) -> list[tuple[str, int, str]]:
    """Every kind of request, several at once (more than the pool holds), twice: on the warm
    connections the silence caught, then on connections that must be opened anew."""
    headers = auth(token(new_user()))
    requests = [
        ("POST", "/tasks", {"title": "silent"}),
        ("GET", "/tasks", None),
        ("GET", "/tasks/1", None),
        ("PATCH", "/tasks/1", {"completed": True}),
        ("GET", "/tasks/counts", None),
        ("GET", "/health/ready", None),
    ]
    # The client gives up after the budget and a second: no request may need that long.
    async with httpx.AsyncClient(base_url=base_url, timeout=BUDGET_SECONDS + 1) as http:

        async def send(method: str, path: str, body: object) -> tuple[str, int, str]:
            response = await http.request(
                method, path, headers=None if "health" in path else headers, json=body
            )
            return path, response.status_code, response.headers.get("Retry-After", "")

        warm = [send("POST", "/tasks", {"title": "warm"}) for _ in range(4)]
        assert {status for _, status, _ in await asyncio.gather(*warm)} == {201}
        await asyncio.to_thread(proxy.stall)
        answers = []
        for _ in range(2):
            answers += await asyncio.gather(*(send(*request) for request in requests * 2))
        await asyncio.to_thread(proxy.restore)
        for _ in range(75):
            if (await http.get("/health/ready")).status_code == 200:
                break
            await asyncio.sleep(0.2)
        after = await send("POST", "/tasks", {"title": "after"})
    return [*answers, after]


def test_a_silent_database_gets_503_within_the_time_budget(
    postgres_url: str, tmp_path: Path
) -> None:
    # One user sends them all at once: no fair-share cap in the way of what this measures.
    settings = {
        "DB_TIMEOUT_SECONDS": str(BUDGET_SECONDS),
        "DB_POOL_SIZE": "4",
        "MAX_INFLIGHT_PER_USER": "100",
    }
    with api_behind_proxy(postgres_url, tmp_path / "server.log", **settings) as (server, proxy):
        *silent, after = asyncio.run(_answers_while_silent(server.url, proxy))

    assert {(status, retry) for _, status, retry in silent} == {(503, "2")}, silent
    assert after == ("/tasks", 201, "")


async def _create_whose_answer_is_lost(base_url: str, proxy: TcpProxy) -> list[tuple[int, int]]:
    headers = {**auth(token(new_user())), "Idempotency-Key": '"lost-answer"'}
    body = {"title": "lost answer"}
    async with httpx.AsyncClient(base_url=base_url, timeout=BUDGET_SECONDS + 1) as http:
        # The pool's one connection, open, and with the keyed create's statement ready on it.
        warm = {**headers, "Idempotency-Key": '"warm"'}
        assert (await http.post("/tasks", headers=warm, json={"title": "w"})).status_code == 201
        await asyncio.to_thread(proxy.stall, replies_only=True)
        lost = await http.post("/tasks", headers=headers, json=body)
        await asyncio.to_thread(proxy.restore)
        for _ in range(75):
            if (await http.get("/health/ready")).status_code == 200:
                break
            await asyncio.sleep(0.2)
        retried = await http.post("/tasks", headers=headers, json=body)
        listed = (await http.get("/tasks", headers=headers)).json()
    return [
        (lost.status_code, 0),
        (retried.status_code, retried.json()["id"]),
        *((200, task["id"]) for task in listed),
    ]


def test_a_retried_create_whose_answer_was_lost_is_not_repeated(
    postgres_url: str, tmp_path: Path
) -> None:
    """The database commits the create, its answer never reaches the API: 503. The client's
    retry with the same Idempotency-Key gets that task (200); there is one task, not two."""
    settings = {"DB_TIMEOUT_SECONDS": str(BUDGET_SECONDS), "DB_POOL_SIZE": "1"}
    with api_behind_proxy(postgres_url, tmp_path / "server.log", **settings) as (server, proxy):
        lost, retried, *listed = asyncio.run(_create_whose_answer_is_lost(server.url, proxy))

    assert lost[0] == 503
    assert retried[0] == 200  # the first attempt had committed
    assert [task_id for _, task_id in listed].count(retried[1]) == 1
    assert len(listed) == 2  # that task, and the warm-up's
