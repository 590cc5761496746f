"""A top-level task's stored subtask counts (migration 0012's triggers) follow every write path:
after each, every parent of the user holds the counts a recount of its subtasks gives, and the
API shows them."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.models import task
from app.statements import CALLER_PARAM
from tests.api.organize import Headers, create, listed, patch, read
from tests.support import Opened, auth, new_user, token

_subtask = task.alias("subtask")
_OF_PARENT = (_subtask.c.user_id == task.c.user_id, _subtask.c.parent_id == task.c.id)
_RECOUNT = select(
    task.c.id,
    task.c.subtasks_total,
    task.c.subtasks_completed,
    select(func.count()).where(*_OF_PARENT).scalar_subquery().label("total"),
    select(func.count()).where(*_OF_PARENT, _subtask.c.completed).scalar_subquery().label("done"),
).where(task.c.user_id == CALLER_PARAM, task.c.parent_id.is_(None))


def stored_counts(db: Opened, user: str) -> dict[int, tuple[int, int]]:
    """Every top-level task's stored counts, checked against a recount of its subtasks."""
    rows = db.run(db.database.run(user, _RECOUNT))
    stored = {row["id"]: (row["subtasks_total"], row["subtasks_completed"]) for row in rows}
    assert stored == {row["id"]: (row["total"], row["done"]) for row in rows}
    return stored


def shown(client: TestClient, headers: Headers, task_id: int) -> tuple[int, int]:
    counts = read(client, headers, task_id)["subtasks"]
    return counts["total"], counts["completed"]


def test_subtasks_created_completed_reopened_and_deleted(
    client: TestClient, db: Opened, user: str, headers: Headers
) -> None:
    parent, other = create(client, headers)["id"], create(client, headers)["id"]
    subs = [create(client, headers, parent_id=parent)["id"] for _ in range(3)]
    assert stored_counts(db, user) == {parent: (3, 0), other: (0, 0)}
    patch(client, headers, subs[0], completed=True)
    patch(client, headers, subs[1], completed=True)
    assert stored_counts(db, user)[parent] == shown(client, headers, parent) == (3, 2)
    patch(client, headers, subs[1], completed=False)
    assert stored_counts(db, user)[parent] == (3, 1)
    assert client.delete(f"/tasks/{subs[0]}", headers=headers).status_code == 204
    assert stored_counts(db, user)[parent] == shown(client, headers, parent) == (2, 0)


def test_a_subtask_moved_to_another_parent_or_to_the_top_level(
    client: TestClient, db: Opened, user: str, headers: Headers
) -> None:
    first, second = create(client, headers)["id"], create(client, headers)["id"]
    sub = create(client, headers, parent_id=first)["id"]
    patch(client, headers, sub, completed=True)
    patch(client, headers, sub, parent_id=second)
    assert stored_counts(db, user) == {first: (0, 0), second: (1, 1)}
    patch(client, headers, sub, parent_id=None)
    assert stored_counts(db, user) == {first: (0, 0), second: (0, 0), sub: (0, 0)}
    # A top-level task (an open one: it re-opens its completed new parent) moved under one.
    patch(client, headers, first, completed=True)
    patch(client, headers, sub, completed=False, parent_id=first)
    assert stored_counts(db, user)[first] == shown(client, headers, first) == (1, 0)


def test_a_parent_completed_and_bulk_completion(
    client: TestClient, db: Opened, user: str, headers: Headers
) -> None:
    parent = create(client, headers)["id"]
    for _ in range(2):
        create(client, headers, parent_id=parent)
    patch(client, headers, parent, completed=True)
    assert stored_counts(db, user)[parent] == (2, 2)
    other = create(client, headers)["id"]
    create(client, headers, parent_id=other)
    assert client.patch("/tasks", headers=headers, json={"completed": True}).is_success
    assert stored_counts(db, user) == {parent: (2, 2), other: (1, 1)}
    # Bulk re-opening re-opens the top-level tasks alone.
    assert client.patch("/tasks", headers=headers, json={"completed": False}).is_success
    assert stored_counts(db, user) == {parent: (2, 2), other: (1, 1)}


def test_deletions_of_parents_one_by_one_in_bulk_and_with_their_list(
    client: TestClient, db: Opened, user: str, headers: Headers
) -> None:
    kept, gone, done = (create(client, headers)["id"] for _ in range(3))
    for parent in (kept, gone, done):
        create(client, headers, parent_id=parent)
    assert client.delete(f"/tasks/{gone}", headers=headers).status_code == 204
    patch(client, headers, done, completed=True)
    assert client.delete("/tasks?completed=true", headers=headers).json() == {"deleted": 1}
    assert stored_counts(db, user) == {kept: (1, 0)}
    home = client.post("/lists", headers=headers, json={"name": "Home"}).json()["id"]
    moved = create(client, headers, list_id=home)["id"]
    create(client, headers, parent_id=moved)
    assert client.delete(f"/lists/{home}", headers=headers).status_code == 204  # to the Inbox
    assert stored_counts(db, user) == {kept: (1, 0), moved: (1, 0)}
    work = client.post("/lists", headers=headers, json={"name": "Work"}).json()["id"]
    patch(client, headers, kept, list_id=work)
    assert client.delete(f"/lists/{work}?tasks=delete", headers=headers).status_code == 204
    assert stored_counts(db, user) == {moved: (1, 0)}


def test_a_repeating_task_reopens_its_subtasks_and_a_repeating_subtask_keeps_a_copy(
    client: TestClient, db: Opened, user: str, headers: Headers
) -> None:
    parent = create(client, headers, due_date="2027-01-01", repeat="FREQ=DAILY")["id"]
    sub = create(client, headers, parent_id=parent)["id"]
    patch(client, headers, sub, completed=True)
    patch(client, headers, parent, completed=True, completed_on="2027-01-01")
    assert stored_counts(db, user)[parent] == (1, 0)  # its next occurrence, the subtask open
    daily = create(client, headers, parent_id=parent, due_date="2027-01-01", repeat="FREQ=DAILY")
    patch(client, headers, daily["id"], completed=True, completed_on="2027-01-01")
    # The subtask moved on, and its completed copy is a subtask of the same parent.
    assert stored_counts(db, user)[parent] == shown(client, headers, parent) == (3, 1)


def test_an_import_counts_the_subtasks_it_creates(
    client: TestClient, db: Opened, user: str, headers: Headers
) -> None:
    parent = create(client, headers, "parent")["id"]
    create(client, headers, parent_id=parent)
    patch(client, headers, create(client, headers, parent_id=parent)["id"], completed=True)
    exported = client.get("/export?format=json", headers=headers).content
    other = new_user()
    response = client.post("/import?format=json", headers=auth(token(other)), content=exported)
    assert response.status_code == 200, response.text
    assert sorted(stored_counts(db, other).values()) == [(2, 1)]


def test_delete_me_with_parents_and_subtasks(client: TestClient, db: Opened) -> None:
    user = new_user()
    headers = auth(token(user))
    parent = create(client, headers)["id"]
    create(client, headers, parent_id=parent)
    assert client.delete("/me", headers=headers).status_code == 204
    assert stored_counts(db, user) == {}
    again = create(client, headers)["id"]
    create(client, headers, parent_id=again)
    assert stored_counts(db, user) == {again: (1, 0)}


def test_a_task_not_counted_yet_is_counted_by_the_api_to_the_same_bytes(
    client: TestClient, db: Opened, user: str, headers: Headers
) -> None:
    """Migration 0012 leaves null what its role could not see: the API counts those itself,
    and its responses are the same, byte for byte."""
    parents = [create(client, headers, due_date=f"2027-01-0{n}")["id"] for n in range(1, 4)]
    for index, parent in enumerate(parents):
        for _ in range(index):
            patch(client, headers, create(client, headers, parent_id=parent)["id"], completed=True)
        create(client, headers, parent_id=parent)
    queries = ("", "?sort=manual", "?sort=due", f"?parent={parents[2]}", "?q=t")
    before = [client.get(f"/tasks{query}", headers=headers).content for query in queries]
    one = client.get(f"/tasks/{parents[1]}", headers=headers).content
    forget: Any = (
        update(task)
        .where(task.c.user_id == CALLER_PARAM)
        .values(subtasks_total=None, subtasks_completed=None)
        .returning(task.c.id)
    )
    assert len(db.run(db.database.run(user, forget))) == 9
    assert [client.get(f"/tasks{query}", headers=headers).content for query in queries] == before
    assert client.get(f"/tasks/{parents[1]}", headers=headers).content == one
    assert [t["subtasks"] for t in listed(client, headers, "?sort=due")] == [
        {"total": 1, "completed": 0},
        {"total": 2, "completed": 1},
        {"total": 3, "completed": 2},
    ]
