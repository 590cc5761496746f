"""PATCH /tasks (complete or reopen every matching task) and DELETE /tasks (clear completed)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_tasks import Headers, create


def states(client: TestClient, headers: Headers) -> dict[str, bool]:
    return {t["title"]: t["completed"] for t in client.get("/tasks", headers=headers).json()}


def complete_all(client: TestClient, headers: Headers, query: str, completed: bool) -> int:
    response = client.patch(f"/tasks?{query}", headers=headers, json={"completed": completed})
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"updated"}
    updated: int = response.json()["updated"]
    return updated


def clear(client: TestClient, headers: Headers, query: str) -> int:
    response = client.delete(f"/tasks?{query}", headers=headers)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"deleted"}
    deleted: int = response.json()["deleted"]
    return deleted


def test_toggle_all_counts_only_the_tasks_it_changes(client: TestClient, headers: Headers) -> None:
    first = create(client, headers, "a")
    for title in ("b", "c"):
        create(client, headers, title)
    client.patch(f"/tasks/{first['id']}", headers=headers, json={"completed": True})
    assert complete_all(client, headers, "", True) == 2
    assert states(client, headers) == {"a": True, "b": True, "c": True}
    assert complete_all(client, headers, "", True) == 0
    assert complete_all(client, headers, "", False) == 3
    assert states(client, headers) == {"a": False, "b": False, "c": False}


def test_toggle_sets_and_clears_completed_at(client: TestClient, headers: Headers) -> None:
    before = create(client, headers, "a")
    complete_all(client, headers, "", True)
    (done,) = client.get("/tasks", headers=headers).json()
    assert done["completed_at"] == done["updated_at"] > before["updated_at"]
    complete_all(client, headers, "", False)
    (active,) = client.get("/tasks", headers=headers).json()
    assert active["completed_at"] is None


def test_toggle_takes_the_lists_filters(client: TestClient, headers: Headers) -> None:
    create(client, headers, "home chore", tags=["home"], priority="high")
    create(client, headers, "home idea", tags=["home"], priority="low")
    create(client, headers, "work chore", tags=["work"], priority="high", due_date="2026-01-02")
    assert complete_all(client, headers, "tag=home&priority=high", True) == 1
    assert complete_all(client, headers, "q=chore&completed=false", True) == 1
    assert states(client, headers) == {"work chore": True, "home idea": False, "home chore": True}
    assert complete_all(client, headers, "has_due=true&due_to=2026-01-02", False) == 1
    assert states(client, headers)["work chore"] is False


def test_clear_completed_deletes_only_completed_matching_tasks(
    client: TestClient, headers: Headers
) -> None:
    for title, tags in (("a", ["home"]), ("b", ["home"]), ("c", ["work"]), ("d", [])):
        create(client, headers, title, tags=tags)
    complete_all(client, headers, "q=a", True)
    complete_all(client, headers, "q=c", True)
    assert clear(client, headers, "completed=true&tag=home") == 1
    assert states(client, headers) == {"d": False, "c": True, "b": False}
    assert clear(client, headers, "completed=true") == 1
    assert clear(client, headers, "completed=true") == 0
    assert states(client, headers) == {"d": False, "b": False}
    assert client.get("/tags", headers=headers).json() == [{"name": "home", "count": 1}]


@pytest.mark.parametrize("query", ["", "completed=false", "completed=maybe", "tag=home"])
def test_clear_without_completed_true_is_422(
    client: TestClient, headers: Headers, query: str
) -> None:
    task = create(client, headers, "keep")
    client.patch(f"/tasks/{task['id']}", headers=headers, json={"completed": True})
    response = client.delete(f"/tasks?{query}", headers=headers)
    assert response.status_code == 422, response.text
    assert "completed" in response.text
    assert client.get("/tasks/counts", headers=headers).json()["all"] == 1


@pytest.mark.parametrize(
    "body", [{}, {"completed": None}, {"completed": "true"}, {"completed": True, "title": "x"}]
)
def test_bad_toggle_bodies_are_422_and_change_nothing(
    client: TestClient, headers: Headers, body: dict[str, Any]
) -> None:
    create(client, headers, "keep")
    response = client.patch("/tasks", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert states(client, headers) == {"keep": False}


@pytest.mark.parametrize(
    ("method", "query"),
    [("PATCH", "priority=urgent"), ("DELETE", "completed=true&due_from=2026-02-30")],
)
def test_bad_bulk_filters_are_422(
    client: TestClient, headers: Headers, method: str, query: str
) -> None:
    create(client, headers, "keep")
    body = {"completed": True} if method == "PATCH" else None
    response = client.request(method, f"/tasks?{query}", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert states(client, headers) == {"keep": False}
