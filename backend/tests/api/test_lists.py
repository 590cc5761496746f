"""The list API: create, read in order with open counts, rename, recolour, reorder, delete
(tasks to the Inbox, or deleted with their subtasks), its rules and its isolation."""

from typing import Any

from fastapi.testclient import TestClient

from app.models import LISTS_PER_USER
from tests.support import auth, new_user, token

Headers = dict[str, str]


def make_list(client: TestClient, headers: Headers, name: str, **extra: object) -> dict[str, Any]:
    response = client.post("/lists", headers=headers, json={"name": name, **extra})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def task_in(
    client: TestClient, headers: Headers, list_id: int | None, **extra: object
) -> dict[str, Any]:
    response = client.post(
        "/tasks", headers=headers, json={"title": "t", "list_id": list_id, **extra}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_returns_the_list(client: TestClient, headers: Headers) -> None:
    work = make_list(client, headers, "  Work ")
    assert list(work) == ["id", "name", "color", "position", "open_count", "created_at"]
    assert (work["name"], work["color"], work["open_count"]) == ("Work", "gray", 0)
    assert make_list(client, headers, "Home", color="teal")["color"] == "teal"


def test_lists_come_in_position_order_with_open_counts(
    client: TestClient, headers: Headers
) -> None:
    first, second = make_list(client, headers, "A"), make_list(client, headers, "B")
    task_in(client, headers, first["id"])
    done = task_in(client, headers, first["id"])
    client.patch(f"/tasks/{done['id']}", headers=headers, json={"completed": True})
    parent = task_in(client, headers, first["id"])
    task_in(client, headers, None, parent_id=parent["id"])  # a subtask is not counted
    listed = client.get("/lists", headers=headers).json()
    assert [(item["name"], item["open_count"]) for item in listed] == [("A", 2), ("B", 0)]
    moved = client.patch(
        f"/lists/{second['id']}", headers=headers, json={"position": first["position"] - 1}
    )
    assert moved.status_code == 200
    assert [item["name"] for item in client.get("/lists", headers=headers).json()] == ["B", "A"]


def test_names_are_unique_ignoring_case(client: TestClient, headers: Headers) -> None:
    make_list(client, headers, "Work")
    response = client.post("/lists", headers=headers, json={"name": "WORK"})
    assert response.status_code == 409
    assert "already" in response.json()["detail"]
    other = make_list(client, headers, "Home")
    renamed = client.patch(f"/lists/{other['id']}", headers=headers, json={"name": "work "})
    assert renamed.status_code == 409
    # Another user may have the same name.
    make_list(client, auth(token(new_user())), "Work")


def test_rename_and_recolour(client: TestClient, headers: Headers) -> None:
    work = make_list(client, headers, "Work")
    response = client.patch(
        f"/lists/{work['id']}", headers=headers, json={"name": "Job", "color": "red"}
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["color"]) == ("Job", "red")
    # Changing only the case of its own name is allowed.
    assert (
        client.patch(f"/lists/{work['id']}", headers=headers, json={"name": "JOB"}).status_code
        == 200
    )


def test_a_changed_list_answers_as_it_is_listed(client: TestClient, headers: Headers) -> None:
    work = make_list(client, headers, "Work")
    client.post("/tasks", headers=headers, json={"title": "Report", "list_id": work["id"]})
    for change in ({"name": "Job"}, {"position": 7}, {"color": "teal"}):
        answer = client.patch(f"/lists/{work['id']}", headers=headers, json=change)
        assert answer.status_code == 200
        [listed] = client.get("/lists", headers=headers).json()
        assert answer.json() == listed
        assert listed["open_count"] == 1
        # A float in JSON on both databases (SQLite's RETURNING gave the integer it was sent).
        assert isinstance(answer.json()["position"], float)


def test_bad_input_is_422(client: TestClient, headers: Headers) -> None:
    for body in (
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 61},
        {"name": "x", "color": "black"},
        {"name": "x", "extra": 1},
        {},
    ):
        assert client.post("/lists", headers=headers, json=body).status_code == 422, body
    work = make_list(client, headers, "Work")
    bodies: list[dict[str, object]] = [{}, {"name": None}, {"color": "black"}, {"position": "x"}]
    for body in bodies:
        response = client.patch(f"/lists/{work['id']}", headers=headers, json=body)
        assert response.status_code == 422, body


def test_at_most_200_lists(client: TestClient, headers: Headers) -> None:
    for n in range(LISTS_PER_USER):
        make_list(client, headers, f"list {n}")
    response = client.post("/lists", headers=headers, json={"name": "one more"})
    assert response.status_code == 422
    assert "at most 200" in response.text


def test_deleting_a_list_moves_its_tasks_to_the_inbox(client: TestClient, headers: Headers) -> None:
    work = make_list(client, headers, "Work")
    parent = task_in(client, headers, work["id"])
    child = task_in(client, headers, None, parent_id=parent["id"])
    assert client.delete(f"/lists/{work['id']}", headers=headers).status_code == 204
    assert client.get("/lists", headers=headers).json() == []
    for task in (parent, child):
        assert client.get(f"/tasks/{task['id']}", headers=headers).json()["list_id"] is None
    inbox = client.get("/tasks?list=inbox", headers=headers).json()
    assert [t["id"] for t in inbox] == [parent["id"]]
    assert client.delete(f"/lists/{work['id']}", headers=headers).status_code == 404


def test_deleting_a_list_with_its_tasks(client: TestClient, headers: Headers) -> None:
    work = make_list(client, headers, "Work")
    kept = task_in(client, headers, None)
    parent = task_in(client, headers, work["id"], tags=["x"])
    child = task_in(client, headers, None, parent_id=parent["id"])
    response = client.delete(f"/lists/{work['id']}?tasks=delete", headers=headers)
    assert response.status_code == 204
    for task in (parent, child):
        assert client.get(f"/tasks/{task['id']}", headers=headers).status_code == 404
    assert client.get(f"/tasks/{kept['id']}", headers=headers).status_code == 200
    assert client.get("/tags", headers=headers).json() == []
    assert client.delete("/lists/1?tasks=all", headers=headers).status_code == 422


def test_another_users_list_is_404_and_422_as_a_task_list(
    client: TestClient, headers: Headers
) -> None:
    theirs = make_list(client, auth(token(new_user())), "Theirs")
    url = f"/lists/{theirs['id']}"
    assert client.patch(url, headers=headers, json={"name": "Mine"}).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    assert client.get("/lists", headers=headers).json() == []
    created = client.post("/tasks", headers=headers, json={"title": "t", "list_id": theirs["id"]})
    assert created.status_code == 422
    assert created.json()["detail"][0]["loc"] == ["body", "list_id"]
    task = task_in(client, headers, None)
    moved = client.patch(f"/tasks/{task['id']}", headers=headers, json={"list_id": theirs["id"]})
    assert moved.status_code == 422
    assert moved.json()["detail"][0]["loc"] == ["body", "list_id"]
    assert client.get(f"/tasks/{task['id']}", headers=headers).json()["list_id"] is None


def test_delete_me_removes_lists(client: TestClient, headers: Headers) -> None:
    make_list(client, headers, "Work")
    assert client.delete("/me", headers=headers).status_code == 204
    assert client.get("/lists", headers=headers).json() == []
    make_list(client, headers, "Work")
