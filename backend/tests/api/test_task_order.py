"""The manual order: new tasks go last, POST /tasks/{id}/move puts one after another (or
first) within its list or its parent's subtasks, PATCH list_id puts it last in the new list."""

from fastapi.testclient import TestClient

from tests.api.organize import Headers, create, error_locations, listed, patch
from tests.support import auth, new_user, token


def order(client: TestClient, headers: Headers, query: str = "") -> list[str]:
    return [t["title"] for t in listed(client, headers, f"?sort=manual{query}")]


def move(
    client: TestClient, headers: Headers, task_id: int, after: int | None
) -> dict[str, object]:
    response = client.post(f"/tasks/{task_id}/move", headers=headers, json={"after": after})
    assert response.status_code == 200, response.text
    moved: dict[str, object] = response.json()
    return moved


def test_new_tasks_go_last_and_move_after_another(client: TestClient, headers: Headers) -> None:
    a, b, c = (create(client, headers, title) for title in "abc")
    assert order(client, headers) == ["a", "b", "c"]
    moved = move(client, headers, c["id"], a["id"])
    assert moved["id"] == c["id"]
    assert order(client, headers) == ["a", "c", "b"]
    move(client, headers, b["id"], None)
    assert order(client, headers) == ["b", "a", "c"]
    move(client, headers, b["id"], c["id"])
    assert order(client, headers) == ["a", "c", "b"]
    assert order(client, headers, "&order=desc") == ["b", "c", "a"]


def test_moves_never_renumber_in_the_common_case(client: TestClient, headers: Headers) -> None:
    a, b, c = (create(client, headers, title) for title in "abc")
    before = {t["id"]: t["position"] for t in listed(client, headers)}
    move(client, headers, c["id"], a["id"])
    after = {t["id"]: t["position"] for t in listed(client, headers)}
    assert after[a["id"]] == before[a["id"]] and after[b["id"]] == before[b["id"]]


def test_many_moves_into_one_gap_keep_the_order(client: TestClient, headers: Headers) -> None:
    # Halving one gap again and again uses it up; the list is then renumbered once.
    a = create(client, headers, "a")
    create(client, headers, "b")
    titles = ["a", "b"]
    for n in range(60):
        task = create(client, headers, f"n{n}")
        move(client, headers, task["id"], a["id"])
        titles.insert(1, f"n{n}")
    assert order(client, headers, "&limit=100") == titles


def test_moves_stay_within_the_list_or_parent(client: TestClient, headers: Headers) -> None:
    work = client.post("/lists", headers=headers, json={"name": "Work"}).json()
    inbox_task = create(client, headers, "inbox")
    work_task = create(client, headers, "work", list_id=work["id"])
    parent = create(client, headers, "parent")
    child = create(client, headers, "child", parent_id=parent["id"])
    for task_id, after in (
        (work_task["id"], inbox_task["id"]),
        (child["id"], parent["id"]),
        (work_task["id"], work_task["id"]),
    ):
        response = client.post(f"/tasks/{task_id}/move", headers=headers, json={"after": after})
        assert error_locations(response) == [["body", "after"]]
    second = create(client, headers, "second", parent_id=parent["id"])
    move(client, headers, second["id"], None)
    assert [t["title"] for t in listed(client, headers, f"?parent={parent['id']}")] == [
        "second",
        "child",
    ]


def test_moving_to_another_list_goes_last_there(client: TestClient, headers: Headers) -> None:
    work = client.post("/lists", headers=headers, json={"name": "Work"}).json()
    create(client, headers, "w1", list_id=work["id"])
    task = create(client, headers, "moved")
    create(client, headers, "w2", list_id=work["id"])
    patch(client, headers, task["id"], list_id=work["id"])
    assert order(client, headers, f"&list={work['id']}") == ["w1", "w2", "moved"]
    assert order(client, headers, "&list=inbox") == []


def test_another_users_task_cannot_be_moved_or_followed(
    client: TestClient, headers: Headers
) -> None:
    theirs = create(client, auth(token(new_user())))
    mine = create(client, headers)
    assert (
        client.post(
            f"/tasks/{theirs['id']}/move", headers=headers, json={"after": None}
        ).status_code
        == 404
    )
    response = client.post(
        f"/tasks/{mine['id']}/move", headers=headers, json={"after": theirs["id"]}
    )
    assert error_locations(response) == [["body", "after"]]
    for body in ({}, {"after": "x"}, {"after": 0}, {"after": None, "more": 1}):
        assert (
            client.post(f"/tasks/{mine['id']}/move", headers=headers, json=body).status_code == 422
        )


def test_list_filter(client: TestClient, headers: Headers) -> None:
    work = client.post("/lists", headers=headers, json={"name": "Work"}).json()
    create(client, headers, "inbox")
    create(client, headers, "work", list_id=work["id"])
    assert [t["title"] for t in listed(client, headers, f"?list={work['id']}")] == ["work"]
    assert [t["title"] for t in listed(client, headers, "?list=inbox")] == ["inbox"]
    assert client.get(f"/tasks/counts?list={work['id']}", headers=headers).json()["all"] == 1
    for bad in ("0", "x", "01", "-1"):
        assert client.get(f"/tasks?list={bad}", headers=headers).status_code == 422, bad
