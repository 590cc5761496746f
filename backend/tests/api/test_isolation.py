"""Users never see or touch each other's tasks: another user's task is a plain 404."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import auth, new_user, token

REQUESTS = [
    ("GET", None),
    ("PATCH", {"title": "hijacked"}),
    ("PATCH", {"completed": True}),
    ("PATCH", {"description": "hijacked"}),
    ("DELETE", None),
]


@pytest.fixture
def alice_task(client: TestClient) -> tuple[dict[str, str], dict[str, Any]]:
    headers = auth(token(new_user()))
    response = client.post("/tasks", headers=headers, json={"title": "alice's", "description": "d"})
    return headers, response.json()


@pytest.mark.parametrize(("method", "body"), REQUESTS)
def test_another_users_task_is_404_and_unchanged(
    client: TestClient,
    alice_task: tuple[dict[str, str], dict[str, Any]],
    method: str,
    body: dict[str, object] | None,
) -> None:
    alice, task = alice_task
    bob = auth(token(new_user()))
    url = f"/tasks/{task['id']}"
    response = client.request(method, url, headers=bob, json=body)
    missing = client.request(method, "/tasks/999999999", headers=bob, json=body)
    assert response.status_code == 404
    # Indistinguishable from a task that does not exist: nothing leaks.
    assert (response.json(), response.headers.get("content-type")) == (
        missing.json(),
        missing.headers.get("content-type"),
    )
    assert client.get(url, headers=alice).json() == task


def test_lists_and_counts_hold_only_the_callers_tasks(
    client: TestClient, alice_task: tuple[dict[str, str], dict[str, Any]]
) -> None:
    alice, task = alice_task
    bob = auth(token(new_user()))
    client.post("/tasks", headers=bob, json={"title": "bob's"})
    assert [t["title"] for t in client.get("/tasks", headers=bob).json()] == ["bob's"]
    assert [t["id"] for t in client.get("/tasks", headers=alice).json()] == [task["id"]]
    for completed in ("true", "false"):
        listed = client.get(f"/tasks?completed={completed}&limit=100", headers=bob).json()
        assert task["id"] not in [t["id"] for t in listed]
    assert client.get("/tasks/counts", headers=bob).json()["all"] == 1


def test_the_user_id_comes_from_sub_only(client: TestClient) -> None:
    sub = new_user()
    headers = {**auth(token(sub)), "X-User-Id": "someone-else"}
    task = client.post("/tasks?user_id=someone-else", headers=headers, json={"title": "mine"})
    assert task.status_code == 201
    assert client.get(f"/tasks/{task.json()['id']}", headers=auth(token(sub))).status_code == 200


@pytest.fixture
def two_users(client: TestClient) -> tuple[dict[str, str], dict[str, str]]:
    """Alice with completed, tagged tasks (one tag name only she uses, one both use), and Bob
    with one task of his own."""
    alice, bob = auth(token(new_user())), auth(token(new_user()))
    for title in ("alice one", "alice two"):
        body = {"title": title, "tags": ["shared", "alice-secret"], "priority": "high"}
        client.post("/tasks", headers=alice, json=body)
    client.patch("/tasks", headers=alice, json={"completed": True})
    client.post("/tasks", headers=bob, json={"title": "bob's", "tags": ["shared"]})
    return alice, bob


ALICE_BEFORE = {
    "tasks": ["alice two", "alice one"],
    "counts": {"all": 2, "active": 0, "completed": 2},
    "tags": [{"name": "alice-secret", "count": 2}, {"name": "shared", "count": 2}],
}


def alices_view(client: TestClient, alice: dict[str, str]) -> dict[str, object]:
    return {
        "tasks": [t["title"] for t in client.get("/tasks", headers=alice).json()],
        "counts": client.get("/tasks/counts", headers=alice).json(),
        "tags": client.get("/tags", headers=alice).json(),
    }


def test_tags_and_counts_hold_only_the_callers(
    client: TestClient, two_users: tuple[dict[str, str], dict[str, str]]
) -> None:
    alice, bob = two_users
    assert client.get("/tags", headers=bob).json() == [{"name": "shared", "count": 1}]
    for query in ("", "tag=shared", "priority=high", "q=alice", "tag=alice-secret"):
        counted = client.get(f"/tasks/counts?{query}", headers=bob).json()
        expected = 1 if query in ("", "tag=shared") else 0
        assert counted == {"all": expected, "active": expected, "completed": 0}, query
        listed = [t["title"] for t in client.get(f"/tasks?{query}", headers=bob).json()]
        assert listed == ["bob's"] * expected, query
    assert alices_view(client, alice) == ALICE_BEFORE


@pytest.mark.parametrize(
    ("method", "query", "body"),
    [
        ("PATCH", "", {"completed": False}),
        ("PATCH", "tag=shared", {"completed": False}),
        ("PATCH", "completed=true", {"completed": False}),
        ("DELETE", "completed=true", None),
        ("DELETE", "completed=true&tag=alice-secret", None),
        ("DELETE", "completed=true&q=alice&priority=high", None),
    ],
)
def test_bulk_calls_never_touch_another_users_tasks(
    client: TestClient,
    two_users: tuple[dict[str, str], dict[str, str]],
    method: str,
    query: str,
    body: dict[str, Any] | None,
) -> None:
    alice, bob = two_users
    response = client.request(method, f"/tasks?{query}", headers=bob, json=body)
    assert response.status_code == 200, response.text
    assert response.json() in ({"updated": 0}, {"deleted": 0})
    assert alices_view(client, alice) == ALICE_BEFORE
    assert [t["title"] for t in client.get("/tasks", headers=bob).json()] == ["bob's"]


def test_a_tag_name_two_users_share_is_two_tags(
    client: TestClient, two_users: tuple[dict[str, str], dict[str, str]]
) -> None:
    alice, bob = two_users
    bobs_task = client.get("/tasks", headers=bob).json()[0]
    client.patch(f"/tasks/{bobs_task['id']}", headers=bob, json={"tags": []})
    assert client.get("/tags", headers=bob).json() == []
    assert alices_view(client, alice) == ALICE_BEFORE
