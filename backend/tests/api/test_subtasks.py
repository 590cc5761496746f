"""Subtasks: one level deep, in their parent's list, counted on the parent, completed and
deleted with it; and only under the caller's own top-level tasks."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.organize import Headers, create, error_locations, listed, patch, read
from tests.support import auth, new_user, token


def subtask_in_a_list(client: TestClient, headers: Headers, title: str) -> list[dict[str, Any]]:
    """A list "Work", a task "parent" in it, and the parent's subtask `title`."""
    work = client.post("/lists", headers=headers, json={"name": "Work"}).json()
    parent = create(client, headers, "parent", list_id=work["id"])
    return [work, parent, create(client, headers, title, parent_id=parent["id"])]


def test_subtasks_are_listed_under_their_parent_in_manual_order(
    client: TestClient, headers: Headers
) -> None:
    parent = create(client, headers, "parent")
    first = create(client, headers, "first", parent_id=parent["id"])
    second = create(client, headers, "second", parent_id=parent["id"])
    assert (first["parent_id"], first["subtasks"]) == (parent["id"], None)
    assert second["position"] > first["position"]
    assert [t["id"] for t in listed(client, headers)] == [parent["id"]]
    assert [t["title"] for t in listed(client, headers, f"?parent={parent['id']}")] == [
        "first",
        "second",
    ]
    assert client.get("/tasks/counts", headers=headers).json()["all"] == 1


def test_parent_carries_its_subtask_counts(client: TestClient, headers: Headers) -> None:
    parent = create(client, headers, "parent")
    assert parent["subtasks"] == {"total": 0, "completed": 0}
    child = create(client, headers, parent_id=parent["id"])
    create(client, headers, parent_id=parent["id"])
    patch(client, headers, child["id"], completed=True)
    assert read(client, headers, parent["id"])["subtasks"] == {"total": 2, "completed": 1}
    assert listed(client, headers)[0]["subtasks"] == {"total": 2, "completed": 1}


def test_search_finds_subtasks_with_their_parent_id(client: TestClient, headers: Headers) -> None:
    parent = create(client, headers, "groceries")
    create(client, headers, "buy lemons", parent_id=parent["id"])
    found = listed(client, headers, "?q=lemons")
    assert [(t["title"], t["parent_id"]) for t in found] == [("buy lemons", parent["id"])]


def test_only_one_level_and_only_own_parents(client: TestClient, headers: Headers) -> None:
    parent = create(client, headers)
    child = create(client, headers, parent_id=parent["id"])
    nested = client.post("/tasks", headers=headers, json={"title": "t", "parent_id": child["id"]})
    assert error_locations(nested) == [["body", "parent_id"]]
    theirs = create(client, auth(token(new_user())))
    foreign = client.post("/tasks", headers=headers, json={"title": "t", "parent_id": theirs["id"]})
    assert error_locations(foreign) == [["body", "parent_id"]]
    assert listed(client, headers, f"?parent={theirs['id']}") == []


def test_a_subtask_lives_in_its_parents_list(client: TestClient, headers: Headers) -> None:
    work = client.post("/lists", headers=headers, json={"name": "Work"}).json()
    home = client.post("/lists", headers=headers, json={"name": "Home"}).json()
    parent = create(client, headers, list_id=work["id"])
    child = create(client, headers, parent_id=parent["id"], list_id=home["id"])
    assert child["list_id"] == work["id"]
    moved = client.patch(f"/tasks/{child['id']}", headers=headers, json={"list_id": home["id"]})
    assert error_locations(moved) == [["body", "list_id"]]
    patch(client, headers, parent["id"], list_id=home["id"])
    assert read(client, headers, child["id"])["list_id"] == home["id"]


def test_completing_a_parent_completes_its_subtasks(client: TestClient, headers: Headers) -> None:
    parent = create(client, headers)
    children = [create(client, headers, parent_id=parent["id"]) for _ in range(2)]
    done = patch(client, headers, parent["id"], completed=True)
    assert done["subtasks"] == {"total": 2, "completed": 2}
    for child in children:
        assert read(client, headers, child["id"])["completed"] is True
    # Re-opening a subtask of a completed parent re-opens the parent.
    patch(client, headers, children[0]["id"], completed=False)
    assert read(client, headers, parent["id"])["completed"] is False
    assert read(client, headers, children[1]["id"])["completed"] is True


def test_bulk_completion_completes_subtasks(client: TestClient, headers: Headers) -> None:
    parent = create(client, headers)
    child = create(client, headers, parent_id=parent["id"])
    response = client.patch("/tasks", headers=headers, json={"completed": True})
    assert response.json() == {"updated": 1}
    assert read(client, headers, child["id"])["completed"] is True


def test_deleting_a_parent_deletes_its_subtasks(client: TestClient, headers: Headers) -> None:
    parent = create(client, headers)
    child = create(client, headers, parent_id=parent["id"], tags=["x"])
    assert client.delete(f"/tasks/{parent['id']}", headers=headers).status_code == 204
    assert client.get(f"/tasks/{child['id']}", headers=headers).status_code == 404
    assert client.get("/tags", headers=headers).json() == []
    # Clearing completed tasks takes their subtasks too.
    parent = create(client, headers)
    child = create(client, headers, parent_id=parent["id"])
    patch(client, headers, parent["id"], completed=True)
    assert client.delete("/tasks?completed=true", headers=headers).json() == {"deleted": 1}
    assert client.get(f"/tasks/{child['id']}", headers=headers).status_code == 404


def test_the_tag_filter_lists_and_counts_top_level_tasks(
    client: TestClient, headers: Headers
) -> None:
    parent = create(client, headers, "parent", tags=["x"])
    create(client, headers, "child", parent_id=parent["id"], tags=["x"])
    assert [t["title"] for t in listed(client, headers, "?tag=x")] == ["parent"]
    assert client.get("/tasks/counts?tag=x", headers=headers).json()["all"] == 1
    assert [t["title"] for t in listed(client, headers, "?tag=x&q=child")] == ["child"]


def test_a_task_moves_under_a_parent_last_and_into_its_list(
    client: TestClient, headers: Headers
) -> None:
    work, parent, first = subtask_in_a_list(client, headers, "first")
    moved = create(client, headers, "moved")
    changed = patch(client, headers, moved["id"], parent_id=parent["id"])
    assert (changed["parent_id"], changed["list_id"]) == (parent["id"], work["id"])
    assert (changed["subtasks"], changed["position"] > first["position"]) == (None, True)
    assert [t["title"] for t in listed(client, headers, f"?parent={parent['id']}")] == [
        "first",
        "moved",
    ]
    assert [t["title"] for t in listed(client, headers)] == ["parent"]
    assert read(client, headers, parent["id"])["subtasks"] == {"total": 2, "completed": 0}
    # The same parent again leaves it where it is.
    assert patch(client, headers, moved["id"], parent_id=parent["id"]) == {
        **changed,
        "updated_at": read(client, headers, moved["id"])["updated_at"],
    }


def test_a_subtask_promoted_goes_last_among_top_level_tasks_in_its_list(
    client: TestClient, headers: Headers
) -> None:
    work, parent, child = subtask_in_a_list(client, headers, "child")
    later = create(client, headers, "later", list_id=work["id"])
    promoted = patch(client, headers, child["id"], parent_id=None)
    assert (promoted["parent_id"], promoted["list_id"]) == (None, work["id"])
    assert promoted["subtasks"] == {"total": 0, "completed": 0}
    assert promoted["position"] > later["position"]
    in_order = listed(client, headers, f"?list={work['id']}&sort=manual")
    assert [t["title"] for t in in_order] == ["parent", "later", "child"]
    assert read(client, headers, parent["id"])["subtasks"] == {"total": 0, "completed": 0}
    # Promoted into another list at once.
    home = client.post("/lists", headers=headers, json={"name": "Home"}).json()
    other = create(client, headers, parent_id=parent["id"])
    moved = patch(client, headers, other["id"], parent_id=None, list_id=home["id"])
    assert (moved["parent_id"], moved["list_id"]) == (None, home["id"])


def test_a_new_parent_must_be_another_top_level_task_of_the_caller(
    client: TestClient, headers: Headers
) -> None:
    parent = create(client, headers)
    child = create(client, headers, parent_id=parent["id"])
    task = create(client, headers)
    theirs = create(client, auth(token(new_user())))
    for parent_id in (child["id"], theirs["id"], task["id"], 10**9):
        response = client.patch(
            f"/tasks/{task['id']}", headers=headers, json={"parent_id": parent_id}
        )
        assert error_locations(response) == [["body", "parent_id"]], parent_id
    # A task with subtasks stays a top-level task.
    response = client.patch(
        f"/tasks/{parent['id']}", headers=headers, json={"parent_id": task["id"]}
    )
    assert error_locations(response) == [["body", "parent_id"]]
    assert "subtasks" in response.json()["detail"][0]["msg"]
    # A subtask is in its parent's list: no list with a parent.
    lists = client.post("/lists", headers=headers, json={"name": "Work"}).json()
    response = client.patch(
        f"/tasks/{task['id']}",
        headers=headers,
        json={"parent_id": parent["id"], "list_id": lists["id"]},
    )
    assert error_locations(response) == [["body", "list_id"]]
    assert read(client, headers, task["id"]) == task
    assert read(client, headers, parent["id"])["parent_id"] is None


def test_an_open_task_moved_under_a_completed_parent_reopens_it(
    client: TestClient, headers: Headers
) -> None:
    parent = create(client, headers)
    patch(client, headers, parent["id"], completed=True)
    done = create(client, headers)
    patch(client, headers, done["id"], completed=True)
    patch(client, headers, done["id"], parent_id=parent["id"])
    assert read(client, headers, parent["id"])["completed"] is True
    task = create(client, headers)
    patch(client, headers, task["id"], parent_id=parent["id"])
    assert read(client, headers, parent["id"])["completed"] is False
