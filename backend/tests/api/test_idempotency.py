"""POST /tasks with an Idempotency-Key: a retry gets the task the first request created, never a
second one; a key reused for another body is a 422; keys are per user and last 24 hours."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, func, select

from app import statements
from app.db import CALLER, Database
from app.migrations import migrate
from app.models import IDEMPOTENCY_KEY_MAX, idempotency_key
from tests.support import api_server, auth, new_user, token

Headers = dict[str, str]


def fresh_key() -> str:
    return f'"{uuid.uuid4()}"'


def post(client: TestClient, headers: Headers, key: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = client.post("/tasks", headers={**headers, "Idempotency-Key": key}, json=body)
    return response.status_code, response.json()


def count_tasks(client: TestClient, headers: Headers) -> int:
    all_tasks: int = client.get("/tasks/counts", headers=headers).json()["all"]
    return all_tasks


def test_the_same_key_and_body_get_the_first_task(client: TestClient, headers: Headers) -> None:
    key, body = fresh_key(), {"title": "once", "tags": ["home"], "priority": "high"}
    first_status, first = post(client, headers, key, body)
    again_status, again = post(client, headers, key, body)
    assert (first_status, again_status) == (201, 200)
    assert again == first
    assert count_tasks(client, headers) == 1
    assert client.get("/tags", headers=headers).json() == [{"name": "home", "count": 1}]


def test_the_body_is_compared_as_read_not_as_spelled(client: TestClient, headers: Headers) -> None:
    key = fresh_key()
    assert post(client, headers, key, {"title": "same", "tags": ["a", "b"]})[0] == 201
    spelled_otherwise = {"tags": ["B", "a", "a"], "priority": "none", "title": "same"}
    assert post(client, headers, key, spelled_otherwise)[0] == 200


def test_the_same_key_with_another_body_is_422(client: TestClient, headers: Headers) -> None:
    key = fresh_key()
    status, created = post(client, headers, key, {"title": "first"})
    assert status == 201
    status, error = post(client, headers, key, {"title": "second"})
    assert status == 422
    assert [(e["loc"], e["type"]) for e in error["detail"]] == [
        (["header", "Idempotency-Key"], "idempotency_key_reused")
    ]
    assert count_tasks(client, headers) == 1
    assert client.get(f"/tasks/{created['id']}", headers=headers).json()["title"] == "first"


def test_keys_are_per_user(client: TestClient) -> None:
    key = fresh_key()
    alice, bob = auth(token(new_user())), auth(token(new_user()))
    alices = post(client, alice, key, {"title": "mine"})
    bobs = post(client, bob, key, {"title": "mine"})
    assert (alices[0], bobs[0]) == (201, 201)
    assert alices[1]["id"] != bobs[1]["id"]
    assert post(client, bob, key, {"title": "other"})[0] == 422  # bob's own key now


def test_without_a_key_every_post_creates(client: TestClient, headers: Headers) -> None:
    for _ in range(2):
        assert client.post("/tasks", headers=headers, json={"title": "x"}).status_code == 201
    assert count_tasks(client, headers) == 2


@pytest.mark.parametrize(
    "key",
    [
        "plain",  # not quoted
        '""',  # empty
        '"a";p=1',  # a parameter after the string
        '"a"b"',  # a quote inside, unescaped
        '"a\\b"',  # an escape of something other than " or \
        '"' + "k" * (IDEMPOTENCY_KEY_MAX + 1) + '"',
        ":YWJj:",  # a byte sequence, not a string
    ],
)
def test_a_malformed_key_is_422(client: TestClient, headers: Headers, key: str) -> None:
    status, error = post(client, headers, key, {"title": "x"})
    assert status == 422
    assert error["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert count_tasks(client, headers) == 0


def test_two_keys_are_422(client: TestClient, headers: Headers) -> None:
    key = fresh_key()
    for keys in ([key, key], [key, fresh_key()]):
        response = client.post(
            "/tasks",
            headers=[*headers.items(), *(("Idempotency-Key", k) for k in keys)],
            json={"title": "x"},
        )
        assert response.status_code == 422
        (error,) = response.json()["detail"]
        assert error["loc"] == ["header", "Idempotency-Key"]
        assert error["msg"] == "send one Idempotency-Key header"
    assert count_tasks(client, headers) == 0


def test_a_key_is_the_text_between_the_quotes(client: TestClient, headers: Headers) -> None:
    longest = '"' + "k" * IDEMPOTENCY_KEY_MAX + '"'
    escaped = '"a\\"b\\\\c"'
    for n, key in enumerate((longest, escaped, '" spaced "')):
        assert post(client, headers, key, {"title": f"t{n}"})[0] == 201
        assert post(client, headers, key, {"title": f"t{n}"})[0] == 200
    assert count_tasks(client, headers) == 3


def test_a_deleted_tasks_key_says_so(client: TestClient, headers: Headers) -> None:
    key = fresh_key()
    _, created = post(client, headers, key, {"title": "gone"})
    assert client.delete(f"/tasks/{created['id']}", headers=headers).status_code == 204
    assert post(client, headers, key, {"title": "gone"}) == (
        404,
        {"detail": "The task created with this key has been deleted"},
    )
    assert count_tasks(client, headers) == 0


def _keys_stored(client: TestClient, user: str) -> int:
    database: Database = client.app.state.db  # type: ignore[attr-defined]
    statement = select(func.count().label("n")).where(
        idempotency_key.c.user_id == bindparam(CALLER)
    )
    rows = client.portal.call(database.run, user, statement)  # type: ignore[union-attr]
    stored: int = rows[0]["n"]
    return stored


def test_an_expired_key_creates_anew_and_old_keys_go(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = new_user()
    headers = auth(token(user))
    key = fresh_key()
    for other in (fresh_key(), fresh_key()):
        post(client, headers, other, {"title": "old"})
    _, first = post(client, headers, key, {"title": "again"})
    assert _keys_stored(client, user) == 3
    monkeypatch.setattr(statements, "IDEMPOTENCY_WINDOW", timedelta(0))  # every key has expired
    status, second = post(client, headers, key, {"title": "again"})
    assert status == 201
    assert second["id"] != first["id"]
    assert _keys_stored(client, user) == 1  # the user's expired keys went with that create


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    migrate(database_url)
    # One user's twelve retries at once: above the fair-share cap, which is not tested here.
    with api_server(database_url, MAX_INFLIGHT_PER_USER="100") as api:
        yield api.url


def test_concurrent_retries_create_one_task(server: str) -> None:
    headers = {**auth(token(new_user())), "Idempotency-Key": fresh_key()}
    body = {"title": "raced", "tags": ["t"]}

    async def race() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server, timeout=30) as http:
            return await asyncio.gather(
                *(http.post("/tasks", headers=headers, json=body) for _ in range(12))
            )

    answers = asyncio.run(race())
    assert sorted(a.status_code for a in answers) == [200] * 11 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    listed = httpx.get(f"{server}/tasks", headers=headers).json()
    assert [t["title"] for t in listed] == ["raced"]
