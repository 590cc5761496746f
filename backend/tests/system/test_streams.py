"""GET /events on PostgreSQL as deployed: a write on one replica reaches a stream on another,
through a transaction-mode pooler with DATABASE_LISTEN_URL, and across a lost listener."""

from collections.abc import Iterator
from functools import partial
from typing import Any

import httpx
import psycopg
import pytest

from app.db.listen import APPLICATION_NAME
from devtools import Server, libpq_url, uvicorn
from tests.conftest import TEST_DATABASE_URL
from tests.sse import Block, Replica, events, refetched
from tests.support import SECRET, auth, backend_env, new_user, token, wait_until
from tests.system.test_pooler import pooled_url  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL")


def _env(database_url: str, **more: str) -> dict[str, str]:
    return backend_env(
        BETTER_AUTH_SECRET=SECRET, DATABASE_URL=database_url, AUTO_MIGRATE="false", **more
    )


@pytest.fixture(scope="module")
def replicas(api_role_url: str) -> Iterator[tuple[Server, Server]]:
    """Two API processes on one database, as `make cluster` runs them (each worker listens on
    its own, so two processes are two workers as far as the feed goes)."""
    env = _env(api_role_url)
    with (
        uvicorn(env, "--no-access-log") as first,
        uvicorn(env, "--no-access-log") as second,
    ):
        yield first, second


def _create(server: Server, jwt: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{server.url}{path}", headers=auth(jwt), json=body, timeout=10)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_write_on_one_replica_reaches_every_stream_on_the_other(
    replicas: tuple[Server, Server],
) -> None:
    first, second = replicas
    jwt = token(new_user())
    with (
        events(first.url, jwt) as a,
        events(first.url, jwt) as b,
        events(first.url, jwt) as c,
    ):
        created = _create(second, jwt, "/tasks", {"title": "from the other replica"})
        for stream in (a, b, c):
            assert stream.event().json() == {
                "type": "task.created",
                "id": created["id"],
                "row": created,
            }


def test_a_reconnect_to_the_other_replica_replays_what_was_missed(
    replicas: tuple[Server, Server],
) -> None:
    first, second = replicas
    jwt = token(new_user())
    with events(first.url, jwt) as stream:
        _create(first, jwt, "/tasks", {"title": "seen"})
        cursor = stream.event().id
    missed = _create(first, jwt, "/lists", {"name": "missed"})
    with events(second.url, jwt, last_event_id=cursor) as stream:
        assert stream.event().json() == {"type": "list.created", "id": missed["id"], "row": missed}


def _listeners(owner_url: str) -> list[int]:
    with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APPLICATION_NAME,)
        ).fetchall()
    return [pid for (pid,) in rows]


def _replaced(owner_url: str, killed: list[int]) -> bool:
    return bool(set(_listeners(owner_url)) - set(killed))


def test_a_killed_listener_reconnects_and_its_streams_lose_nothing(
    api_role_url: str,
) -> None:
    owner_url = TEST_DATABASE_URL or ""
    with uvicorn(_env(api_role_url), "--no-access-log") as api:
        jwt = token(new_user())
        with httpx.Client(base_url=api.url, timeout=10) as http, events(api.url, jwt) as stream:
            wait_until(lambda: bool(_listeners(owner_url)), "the listener connects")
            ids = set()
            for round_ in range(3):
                killed = _listeners(owner_url)
                with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
                    for pid in killed:
                        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
                # Written while the listener is down or reconnecting: its notification may
                # reach nobody; the stream reads the change table again once it is back.
                ids.add(_create(api, jwt, "/tasks", {"title": f"round {round_}"})["id"])
                wait_until(partial(_replaced, owner_url, killed), "the listener reconnects")
            seen: list[Block] = []
            while {e.json()["id"] for e in seen} != ids:
                seen.append(stream.event())
            replica = Replica()
            for event in seen:
                replica.apply(event)
            assert replica.tasks == refetched(http, jwt, ids).tasks


def test_streams_work_behind_a_transaction_pooler_with_a_direct_listen_url(
    api_role_url: str,
    pooled_url: str,  # noqa: F811 (the fixture)
) -> None:
    env = _env(pooled_url, DB_POOLER_MODE="transaction", DATABASE_LISTEN_URL=api_role_url)
    with uvicorn(env, "--no-access-log") as api:
        jwt = token(new_user())
        with events(api.url, jwt) as stream:
            created = _create(api, jwt, "/tasks", {"title": "pooled"})
            first = stream.event()
            assert first.json()["id"] == created["id"]
        done = httpx.patch(
            f"{api.url}/tasks/{created['id']}", headers=auth(jwt), json={"completed": True}
        )
        with events(api.url, jwt, last_event_id=first.id) as stream:
            assert stream.until({"type": "task.updated"}).json()["row"] == done.json()
