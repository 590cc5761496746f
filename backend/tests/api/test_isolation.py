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
