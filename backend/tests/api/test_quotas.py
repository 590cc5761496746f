"""Per-user quotas (MAX_TASKS_PER_USER, MAX_TAGS_PER_USER): a write past one is a 422 that
says which limits hold, writes nothing, and leaves other users alone."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.migrations import migrate
from tests.api.test_tasks import Headers, create, titles
from tests.conftest import make_settings
from tests.support import api_server, auth, new_user, token

TASKS, TAGS = 3, 4
OVER = (
    f"quota reached: at most {TASKS} tasks and {TAGS} different tags per user (delete some first)"
)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = make_settings(database_url, max_tasks_per_user=TASKS, max_tags_per_user=TAGS)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def assert_over_quota(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert (error["type"], error["msg"]) == ("quota_exceeded", OVER)


def test_tasks_past_the_quota_are_422_until_one_goes(client: TestClient, headers: Headers) -> None:
    first, *_ = (create(client, headers, f"t{n}") for n in range(TASKS))
    assert_over_quota(client.post("/tasks", headers=headers, json={"title": "one more"}))
    assert_over_quota(
        client.post("/tasks", headers=headers, json={"title": "tagged", "tags": ["a"]})
    )
    assert len(titles(client, headers)) == TASKS
    # Another user has a quota of their own.
    assert client.post("/tasks", headers=auth(token(new_user())), json={"title": "x"}).is_success
    assert client.delete(f"/tasks/{first['id']}", headers=headers).status_code == 204
    assert client.post("/tasks", headers=headers, json={"title": "room again"}).status_code == 201


def test_tags_past_the_quota_are_422_on_create_and_update(
    client: TestClient, headers: Headers
) -> None:
    task = create(client, headers, "t", tags=["a", "b", "c"])
    # Tags already there take no room.
    assert create(client, headers, "u", tags=["a", "b", "c", "d"])["tags"] == ["a", "b", "c", "d"]
    assert_over_quota(client.post("/tasks", headers=headers, json={"title": "v", "tags": ["e"]}))
    response = client.patch(f"/tasks/{task['id']}", headers=headers, json={"tags": ["e", "a"]})
    assert_over_quota(response)
    # Nothing was written: the task keeps its tags, and no tag "e" appeared.
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["tags"] == ["a", "b", "c"]
    assert [tag["name"] for tag in client.get("/tags", headers=headers).json()] == list("abcd")
    # Another user's task is still a 404, whatever the tags.
    other = client.patch(
        f"/tasks/{task['id']}", headers=auth(token(new_user())), json={"tags": ["z"]}
    )
    assert other.status_code == 404


def test_a_retried_create_that_filled_the_quota_gets_its_task(
    client: TestClient, headers: Headers
) -> None:
    for n in range(TASKS - 1):
        create(client, headers, f"t{n}")
    keyed = {**headers, "Idempotency-Key": '"last"'}
    first = client.post("/tasks", headers=keyed, json={"title": "last"})
    retry = client.post("/tasks", headers=keyed, json={"title": "last"})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert_over_quota(
        client.post("/tasks", headers={**headers, "Idempotency-Key": '"new"'}, json={"title": "n"})
    )


INFLIGHT = 4


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    migrate(database_url)
    with api_server(
        database_url, MAX_TASKS_PER_USER=str(TASKS), MAX_INFLIGHT_PER_USER=str(INFLIGHT)
    ) as api:
        yield api.url


def test_concurrent_creates_pass_the_quota_by_at_most_those_in_flight(server: str) -> None:
    headers = auth(token(new_user()))

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=server, timeout=30) as http:
            calls = [http.post("/tasks", headers=headers, json={"title": "x"}) for _ in range(40)]
            return [response.status_code for response in await asyncio.gather(*calls)]

    statuses = [status for _ in range(3) for status in asyncio.run(burst())]
    assert set(statuses) <= {201, 422, 429}
    stored = len(httpx.get(f"{server}/tasks?limit=100", headers=headers).json())
    assert TASKS <= stored <= TASKS + INFLIGHT - 1


def test_an_import_past_the_quota_is_422_and_writes_nothing(
    client: TestClient, headers: Headers
) -> None:
    create(client, headers, "kept")
    rows = "".join(f"task,Imported {n},4\r\n" for n in range(TASKS))
    response = client.post(
        "/import",
        headers=headers,
        params={"format": "todoist-csv", "list_name": "Old"},
        content=f"TYPE,CONTENT,PRIORITY\r\n{rows}".encode(),
    )
    assert response.status_code == 422, response.text
    assert f"the file adds {TASKS} tasks to your 1: at most {TASKS} tasks per user" in response.text
    assert titles(client, headers) == ["kept"]
    assert client.get("/lists", headers=headers).json() == []
