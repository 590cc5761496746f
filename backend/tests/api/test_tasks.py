"""The task API's behaviour for one user: CRUD, order, paging, filters and validation."""

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

Headers = dict[str, str]
JSON = {"Content-Type": "application/json"}


def create(client: TestClient, headers: Headers, title: str, **extra: object) -> dict[str, Any]:
    response = client.post("/tasks", headers=headers, json={"title": title, **extra})
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def titles(client: TestClient, headers: Headers, query: str = "") -> list[str]:
    response = client.get(f"/tasks{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [t["title"] for t in response.json()]


def test_create_returns_the_task(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, "  Buy milk  ", description="two litres")
    assert list(task) == [
        "id",
        "title",
        "description",
        "completed",
        "priority",
        "due_date",
        "tags",
        "completed_at",
        "created_at",
        "updated_at",
        "due_time",
        "repeat",
        "repeat_from",
        "repeat_of",
        "list_id",
        "parent_id",
        "position",
        "subtasks",
    ]
    assert task["title"] == "Buy milk"
    assert task["description"] == "two litres"
    assert task["completed"] is False
    assert (task["priority"], task["due_date"], task["tags"], task["completed_at"]) == (
        "none",
        None,
        [],
        None,
    )
    created = datetime.fromisoformat(task["created_at"])
    assert created.utcoffset() == timedelta(0)
    assert task["updated_at"] == task["created_at"]


def test_description_is_optional(client: TestClient, headers: Headers) -> None:
    assert create(client, headers, "t")["description"] is None
    assert create(client, headers, "t", description=None)["description"] is None


def test_read_update_delete(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, "Draft")
    url = f"/tasks/{task['id']}"
    assert client.get(url, headers=headers).json() == task

    patched = client.patch(url, headers=headers, json={"completed": True, "title": " Final "})
    assert patched.status_code == 200
    body = patched.json()
    assert (body["title"], body["completed"], body["description"]) == ("Final", True, None)
    assert body["created_at"] == task["created_at"]
    assert body["updated_at"] > task["updated_at"]

    cleared = client.patch(url, headers=headers, json={"description": "now"}).json()
    assert (cleared["title"], cleared["completed"], cleared["description"]) == (
        "Final",
        True,
        "now",
    )
    nulled = client.patch(url, headers=headers, json={"description": None}).json()
    assert nulled["description"] is None

    deleted = client.delete(url, headers=headers)
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(url, headers=headers).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404


def test_list_is_newest_first_and_pages(client: TestClient, headers: Headers) -> None:
    for n in range(7):
        create(client, headers, f"t{n}")
    assert titles(client, headers) == [f"t{n}" for n in reversed(range(7))]
    assert titles(client, headers, "?limit=3") == ["t6", "t5", "t4"]
    assert titles(client, headers, "?limit=3&offset=3") == ["t3", "t2", "t1"]
    assert titles(client, headers, "?limit=3&offset=6") == ["t0"]
    assert titles(client, headers, "?offset=7") == []


def test_default_page_is_fifty(client: TestClient, headers: Headers) -> None:
    for n in range(52):
        create(client, headers, f"t{n}")
    assert len(titles(client, headers)) == 50
    assert len(titles(client, headers, "?limit=100")) == 52


def test_filter_and_counts(client: TestClient, headers: Headers) -> None:
    assert client.get("/tasks/counts", headers=headers).json() == {
        "all": 0,
        "active": 0,
        "completed": 0,
    }
    ids = [create(client, headers, f"t{n}")["id"] for n in range(4)]
    for task_id in ids[:3:2]:
        client.patch(f"/tasks/{task_id}", headers=headers, json={"completed": True})
    assert titles(client, headers, "?completed=true") == ["t2", "t0"]
    assert titles(client, headers, "?completed=false") == ["t3", "t1"]
    assert client.get("/tasks/counts", headers=headers).json() == {
        "all": 4,
        "active": 2,
        "completed": 2,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": None}, "title"),
        ({"title": "ok", "description": "d" * 2001}, "description"),
        ({"title": "ok", "description": 7}, "description"),
        ({"title": "nul\u0000byte"}, "title"),
        ({"title": "lone \ud800 surrogate"}, "title"),
        ({"title": "ok", "id": 99}, "id"),
        ({"title": "ok", "user_id": "someone-else"}, "user_id"),
        ({"title": "ok", "completed": True}, "completed"),
        ({"title": "ok", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"title": "ok", "\ud800": 1}, "body"),
        (["title"], "body"),
    ],
)
def test_bad_create_bodies_are_422_and_write_nothing(
    client: TestClient, headers: Headers, body: object, field: str
) -> None:
    # json.dumps escapes what httpx would refuse to encode (a lone surrogate).
    raw = json.dumps(body).encode()
    response = client.post("/tasks", headers={**headers, **JSON}, content=raw)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(field in map(str, error["loc"]) for error in errors), errors
    assert all(isinstance(error["msg"], str) and error["msg"] for error in errors)
    assert client.get("/tasks/counts", headers=headers).json()["all"] == 0


INVISIBLE_TITLES = [
    "\u200b\u2060",  # zero-width space, word joiner
    "\u200e\u202e\u2066",  # bidi marks
    "\u00ad",  # soft hyphen
    "\ufeff",  # byte order mark
    "\u3164",  # Hangul filler
    "\u2800",  # blank braille pattern
    "\ufe0f\U000e0101",  # variation selectors
    "\U000e0041\U000e0042",  # tag characters
    " \t\n\r\x0b\x0c",
    "\x01\x1f\x7f\x85",  # controls
    "\u00a0\u2003\u3000\u2028",  # other spaces and separators
]


@pytest.mark.parametrize("title", INVISIBLE_TITLES)
def test_a_title_needs_a_visible_character(
    client: TestClient, headers: Headers, title: str
) -> None:
    task = create(client, headers, "keep me")
    response = client.post("/tasks", headers=headers, json={"title": title})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["msg"] == "must contain a visible character and no NUL"
    patched = client.patch(f"/tasks/{task['id']}", headers=headers, json={"title": title})
    assert patched.status_code == 422, patched.text
    assert client.get("/tasks/counts", headers=headers).json()["all"] == 1


@pytest.mark.parametrize("title", ["x", "\u200bx", "🎉", "\U0001fae8", "ǅ", "\ue000", "a\u0301"])
def test_one_visible_character_is_enough(client: TestClient, headers: Headers, title: str) -> None:
    # U+1FAE8 is newer than this Python's Unicode tables: unknown characters count as visible.
    assert create(client, headers, title)["title"] == title


def test_the_title_is_measured_as_sent_and_stored_trimmed(
    client: TestClient, headers: Headers
) -> None:
    padded = "  " + "x" * 196 + "  "
    assert create(client, headers, padded)["title"] == "x" * 196
    for title in (" " * 5 + "y" * 200, "y" * 200 + "\n"):
        response = client.post("/tasks", headers=headers, json={"title": title})
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["type"] == "string_too_long"


def test_title_limits_are_inclusive(client: TestClient, headers: Headers) -> None:
    assert create(client, headers, "x" * 200)["title"] == "x" * 200
    assert create(client, headers, "y", description="d" * 2000)["description"] == "d" * 2000
    assert create(client, headers, "émoji ✓ 🎉")["title"] == "émoji ✓ 🎉"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": None},
        {"completed": None},
        {"completed": "yes"},
        {"completed": 1},
        {"title": ""},
        {"user_id": "x"},
        {"id": 5},
        {"updated_at": "2020-01-01T00:00:00Z"},
    ],
)
def test_bad_patch_bodies_are_422_and_change_nothing(
    client: TestClient, headers: Headers, body: dict[str, object]
) -> None:
    task = create(client, headers, "keep me")
    response = client.patch(f"/tasks/{task['id']}", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert client.get(f"/tasks/{task['id']}", headers=headers).json() == task


def test_malformed_json_is_422(client: TestClient, headers: Headers) -> None:
    response = client.post(
        "/tasks",
        headers={**headers, **JSON},
        content=b'{"title": "unterminated',
    )
    assert response.status_code == 422
    assert "JSON" in response.text


@pytest.mark.parametrize(
    "task_id",
    [
        "abc",
        "0",
        "00",
        "01",
        "-1",
        "+1",
        "1.0",
        "1.5",
        "1_0",
        "%201",
        "1%20",
        "1e3",
        "0x1",
        "9" * 20,
    ],
)
def test_ids_not_in_plain_decimal_are_not_found(
    client: TestClient, headers: Headers, task_id: str
) -> None:
    task = create(client, headers, "the first task")  # id 1 of this database, or later
    for candidate in (task_id, task_id.replace("1", str(task["id"]))):
        for method in ("GET", "PATCH", "DELETE"):
            body = {"title": "x"} if method == "PATCH" else None
            response = client.request(method, f"/tasks/{candidate}", headers=headers, json=body)
            assert response.status_code == 404, (method, candidate, response.text)
    assert client.get(f"/tasks/{task['id']}", headers=headers).json() == task


@pytest.mark.parametrize("task_id", [str(2**63), "9" * 19])
def test_ids_beyond_bigint_are_422(client: TestClient, headers: Headers, task_id: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        body = {"title": "x"} if method == "PATCH" else None
        response = client.request(method, f"/tasks/{task_id}", headers=headers, json=body)
        assert response.status_code == 422, (method, response.text)


def test_largest_id_is_simply_not_found(client: TestClient, headers: Headers) -> None:
    assert client.get(f"/tasks/{2**63 - 1}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "?limit=0",
        "?limit=101",
        "?limit=x",
        "?limit=10.0",
        "?limit=+10",
        "?limit=1_0",
        "?limit=%2010",
        "?limit=010",
        "?limit=",
        "?offset=-1",
        f"?offset={2**31}",
        "?offset=0.0",
        "?completed=maybe",
        "?completed=yes",
        "?completed=1",
        "?completed=True",
        "?completed=on",
        "?completed=",
    ],
)
def test_bad_query_values_are_422(client: TestClient, headers: Headers, query: str) -> None:
    response = client.get(f"/tasks{query}", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"]


def test_trailing_slashes_are_not_redirected(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, "slash")
    for path in (f"/tasks/{task['id']}/", "/tasks/", "/tasks/counts/"):
        response = client.get(
            path, headers={**headers, "Host": "evil.example"}, follow_redirects=False
        )
        assert response.status_code == 404, path
        assert "location" not in response.headers


def test_ids_are_never_reused(client: TestClient, headers: Headers) -> None:
    first = create(client, headers, "first")["id"]
    client.delete(f"/tasks/{first}", headers=headers)
    assert create(client, headers, "second")["id"] > first


def test_create_with_details(client: TestClient, headers: Headers) -> None:
    task = create(
        client,
        headers,
        "Pay rent",
        priority="high",
        due_date="2026-12-01",
        tags=["  Home ", "home", "Bills\tAND  taxes", "é_x-1"],
    )
    assert task["priority"] == "high"
    assert task["due_date"] == "2026-12-01"
    # Trimmed, lower-cased, inner whitespace collapsed, duplicates gone, sorted.
    assert task["tags"] == ["bills and taxes", "home", "é_x-1"]
    assert client.get(f"/tasks/{task['id']}", headers=headers).json() == task


def test_a_tag_with_a_combining_mark_is_refused(client: TestClient, headers: Headers) -> None:
    # The mark is no letter: the schema's pattern and the server agree on that.
    response = client.post("/tasks", headers=headers, json={"title": "t", "tags": ["cafe\u0301"]})
    assert response.status_code == 422, response.text
    assert create(client, headers, "t", tags=["café"])["tags"] == ["café"]


def test_patch_changes_details_and_replaces_tags(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, "t", priority="low", due_date="2026-01-31", tags=["a", "b"])
    url = f"/tasks/{task['id']}"

    def patch(**changes: object) -> dict[str, Any]:
        response = client.patch(url, headers=headers, json=changes)
        assert response.status_code == 200, response.text
        task: dict[str, Any] = response.json()
        return task

    assert patch(priority="medium")["priority"] == "medium"
    assert patch(title="renamed")["tags"] == ["a", "b"]  # other fields keep the tags
    assert patch(tags=["c", "B"])["tags"] == ["b", "c"]
    assert patch(due_date=None)["due_date"] is None
    assert patch(due_date="2027-02-28", tags=[])["due_date"] == "2027-02-28"
    final = client.get(url, headers=headers).json()
    assert (final["title"], final["priority"], final["tags"]) == ("renamed", "medium", [])


def test_completed_at_follows_completion(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, "t")
    url = f"/tasks/{task['id']}"
    done = client.patch(url, headers=headers, json={"completed": True}).json()
    assert done["completed_at"] == done["updated_at"]
    # Completing a completed task again keeps the time it was completed.
    again = client.patch(url, headers=headers, json={"completed": True, "title": "x"}).json()
    assert again["completed_at"] == done["completed_at"]
    assert again["updated_at"] > done["updated_at"]
    reopened = client.patch(url, headers=headers, json={"completed": False}).json()
    assert reopened["completed_at"] is None
    redone = client.patch(url, headers=headers, json={"completed": True}).json()
    assert redone["completed_at"] > done["completed_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": "urgent"}, "priority"),
        ({"priority": None}, "priority"),
        ({"priority": 3}, "priority"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"due_date": "2026-2-3"}, "due_date"),
        ({"due_date": "2026-02-03T00:00:00"}, "due_date"),
        ({"due_date": 1767225600}, "due_date"),
        ({"tags": [f"t{n}" for n in range(11)]}, "tags"),
        ({"tags": ["x" * 33]}, "tags"),
        ({"tags": ["   "]}, "tags"),
        ({"tags": ["no.dots"]}, "tags"),
        ({"tags": ["nul\u0000"]}, "tags"),
        ({"tags": "home"}, "tags"),
        ({"tags": [1]}, "tags"),
    ],
)
def test_bad_details_are_422_and_write_nothing(
    client: TestClient, headers: Headers, body: dict[str, Any], field: str
) -> None:
    response = client.post("/tasks", headers=headers, json={"title": "t", **body})
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(field in map(str, error["loc"]) for error in errors), errors
    assert all(isinstance(error["msg"], str) and error["msg"] for error in errors)
    # Refused for its value, not as a field the API does not know.
    assert all(error["type"] != "extra_forbidden" for error in errors), errors
    assert client.get("/tasks/counts", headers=headers).json()["all"] == 0
    assert client.get("/tags", headers=headers).json() == []


def test_tag_limits_are_inclusive(client: TestClient, headers: Headers) -> None:
    tags = [f"{n}".rjust(32, "x") for n in range(10)]
    assert create(client, headers, "t", tags=tags)["tags"] == sorted(tags)
    # Ten names as sent at most, however many tags they collapse to.
    assert create(client, headers, "t", tags=[*tags[:9], tags[0].upper()])["tags"] == sorted(
        tags[:9]
    )
    response = client.post("/tasks", headers=headers, json={"title": "t", "tags": [*tags, "y"]})
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("body", [{"tags": None}, {"tags": ["x" * 33]}, {"due_date": "nope"}])
def test_bad_detail_patches_are_422_and_change_nothing(
    client: TestClient, headers: Headers, body: dict[str, Any]
) -> None:
    task = create(client, headers, "keep", tags=["kept"], due_date="2026-05-05")
    response = client.patch(f"/tasks/{task['id']}", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert client.get(f"/tasks/{task['id']}", headers=headers).json() == task


def test_tagging_a_missing_task_is_404_and_creates_no_tag(
    client: TestClient, headers: Headers
) -> None:
    response = client.patch("/tasks/999999999", headers=headers, json={"tags": ["ghost"]})
    assert response.status_code == 404
    assert client.get("/tags", headers=headers).json() == []
