"""Statements that outlast DB_TIMEOUT_SECONDS: the request answers 503, the statement is
cancelled in PostgreSQL (not left running), and the API never holds more backends than its
pool (issue 19: a storm of slow searches took them from 11 to 55 with a pool of 10, and 41
queries still ran 12 s after it).

Every statement is made slow the sure way: the test holds an exclusive lock on `task`, so each
one waits for it until the budget ends."""

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from sqlalchemy import make_url

from devtools import libpq_url, role_backends
from tests.conftest import TEST_DATABASE_URL
from tests.support import api_server, auth, new_user, token

pytestmark = pytest.mark.slow

POOL_SIZE = 3
BUDGET_SECONDS = 0.5
USERS, REQUESTS_PER_USER, ROUNDS = 4, 6, 3


def owner_url(api_role_url: str) -> str:
    """The same database, as the owner of its tables (the role that may lock them)."""
    owner = make_url(TEST_DATABASE_URL or "").username
    return libpq_url(make_url(api_role_url).set(username=owner).render_as_string(False))


class Sampler(threading.Thread):
    """Counts the API's backends as often as it can until stopped; keeps the most seen."""

    def __init__(self, url: str, role: str) -> None:
        super().__init__()
        self.url, self.role = url, role
        self.most = 0
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as monitor:
            while not self.stop.is_set():
                self.most = max(self.most, role_backends(monitor, self.role)[0])


@pytest.fixture
def server(api_role_url: str) -> Iterator[str]:
    with api_server(
        api_role_url,
        AUTO_MIGRATE="false",
        DB_POOL_SIZE=str(POOL_SIZE),
        DB_TIMEOUT_SECONDS=str(BUDGET_SECONDS),
        MAX_INFLIGHT_PER_USER="100",
    ) as api:
        yield api.url


async def storm(base_url: str) -> list[int]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        statuses: list[int] = []
        for _ in range(ROUNDS):
            calls = [
                http.get("/tasks?q=heavy+search", headers=auth(token(user)))
                for user in (new_user() for _ in range(USERS))
                for _ in range(REQUESTS_PER_USER)
            ]
            statuses += [response.status_code for response in await asyncio.gather(*calls)]
        return statuses


def test_timed_out_statements_are_cancelled_and_backends_stay_within_the_pool(
    server: str, api_role_url: str
) -> None:
    role = make_url(api_role_url).username or ""
    url = owner_url(api_role_url)
    sampler = Sampler(url, role)
    with psycopg.connect(url) as locker, psycopg.connect(url, autocommit=True) as monitor:
        locker.execute("LOCK TABLE task IN ACCESS EXCLUSIVE MODE")
        sampler.start()
        try:
            statuses = asyncio.run(storm(server))
        finally:
            sampler.stop.set()
            sampler.join()
        assert set(statuses) == {503}
        # Still locked: a statement left running would wait on. They are all cancelled (a
        # guard of a few budgets: the cancellation takes one round trip per connection).
        deadline = time.monotonic() + 20 * BUDGET_SECONDS
        while role_backends(monitor, role)[1] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert role_backends(monitor, role)[1] == 0
        locker.rollback()
    assert sampler.most <= POOL_SIZE
    # And the API serves again at once.
    response = httpx.get(f"{server}/tasks", headers=auth(token(new_user())))
    assert response.status_code == 200
