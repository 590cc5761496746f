"""GET /export and POST /import over real HTTP and a real database: round trips, another
program's files, bad files, limits."""

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.portability import ics_format
from tests.api.organize import create, listed, patch
from tests.support import auth, new_user, token

FILES = Path(__file__).parent / "files"
Headers = dict[str, str]


def export(client: TestClient, headers: Headers, file_format: str) -> Any:
    response = client.get(f"/export?format={file_format}", headers=headers)
    assert response.status_code == 200, response.text
    return response


def import_file(
    client: TestClient, headers: Headers, file_format: str, body: bytes, **query: str
) -> Any:
    params = {"format": file_format, **query}
    return client.post("/import", headers=headers, params=params, content=body)


def imported(
    client: TestClient, headers: Headers, file_format: str, body: bytes, **query: str
) -> dict[str, Any]:
    response = import_file(client, headers, file_format, body, **query)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def seed(client: TestClient, headers: Headers) -> None:
    """An account with every kind of thing a task can be."""
    work = client.post("/lists", headers=headers, json={"name": "Work", "color": "blue"}).json()
    client.post("/lists", headers=headers, json={"name": "Empty"})
    parent = create(
        client, headers, "Ship release", description="All of it", priority="high",
        due_date="2026-12-01", due_time="17:30", tags=["job", "urgent"], list_id=work["id"],
    )  # fmt: skip
    create(client, headers, "Write notes", parent_id=parent["id"], tags=["job"])
    done_sub = create(client, headers, "Tag it", parent_id=parent["id"])
    patch(client, headers, done_sub["id"], completed=True)
    weekly = create(
        client, headers, "Water plants", due_date="2026-11-30", repeat="FREQ=WEEKLY;BYDAY=MO",
        priority="low",
    )  # fmt: skip
    patch(client, headers, weekly["id"], completed=True, completed_on="2026-11-30")
    create(
        client, headers, "Every 3 days", due_date="2026-11-30", repeat="FREQ=DAILY;INTERVAL=3",
        repeat_from="completion",
    )  # fmt: skip
    create(client, headers, 'Ünïcode, "quotes"\nand lines', priority="medium")


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The export with ids turned into the names of what they point at, timestamps left out."""
    lists = {item["id"]: item["name"] for item in document["lists"]}
    titles = {item["id"]: item["title"] for item in document["tasks"]}
    tasks = sorted(
        (
            {
                **{
                    k: v
                    for k, v in item.items()
                    if k not in ("id", "created_at", "updated_at", "completed_at")
                },
                "list_id": lists.get(item["list_id"]),
                "parent_id": titles.get(item["parent_id"]),
                "repeat_of": titles.get(item["repeat_of"]),
                "completed_at": item["completed_at"] is not None,
            }
            for item in document["tasks"]
        ),
        key=lambda item: (item["title"], item["completed"]),
    )
    return {
        "lists": [
            {k: v for k, v in item.items() if k not in ("id", "created_at")}
            for item in document["lists"]
        ],
        "tasks": tasks,
    }


def test_json_export_imported_into_an_empty_account_reproduces_it(
    client: TestClient, headers: Headers
) -> None:
    seed(client, headers)
    response = export(client, headers, "json")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith('attachment; filename="todo-export-')
    original = response.json()
    assert original["format"] == "todo-export" and original["version"] == 1
    assert len(original["tasks"]) == 7

    other = auth(token(new_user()))
    result = imported(client, other, "json", response.content)
    assert result == {"created": {"lists": 2, "tasks": 7}, "skipped": []}
    again = export(client, other, "json").json()
    assert comparable(again) == comparable(original)
    # The lists' counts and the tags came along too.
    assert {t["name"]: t["count"] for t in client.get("/tags", headers=other).json()} == {
        "job": 2,
        "urgent": 1,
    }


def by_title(client: TestClient, headers: Headers) -> dict[str, dict[str, Any]]:
    top = listed(client, headers, "?limit=100")
    found = {item["title"]: item for item in top}
    for item in top:
        if item["subtasks"]["total"]:
            found.update(
                (sub["title"], sub) for sub in listed(client, headers, f"?parent={item['id']}")
            )
    return found


def test_ics_export_imported_back_keeps_the_tasks(client: TestClient, headers: Headers) -> None:
    seed(client, headers)
    original = export(client, headers, "json").json()
    response = export(client, headers, "ics")
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"].endswith('.ics"')
    text = response.text
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DUE:20261201T173000\r\n" in text  # floating local time
    assert "PRIORITY:1\r\n" in text and "CATEGORIES:job,urgent\r\n" in text
    assert "X-TODO-LIST:Work\r\n" in text and "RELATED-TO:task-" in text

    other = auth(token(new_user()))
    result = imported(client, other, "ics", response.content)
    # The empty list has no task to carry its name in an iCalendar file.
    assert result == {"created": {"lists": 1, "tasks": 7}, "skipped": []}
    again = comparable(export(client, other, "json").json())
    expected = comparable(original)
    expected["lists"] = [item for item in expected["lists"] if item["name"] == "Work"]
    for item in (*again["lists"], *expected["lists"]):
        item.pop("color")  # not in iCalendar
    assert again == expected


def test_csv_export_is_one_rfc4180_row_per_task(client: TestClient, headers: Headers) -> None:
    seed(client, headers)
    response = export(client, headers, "csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert b"\r\n" in response.content
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert len(rows) == 7
    assert list(rows[0]) == [
        "id", "title", "description", "completed", "completed_at", "created_at", "updated_at",
        "priority", "due_date", "due_time", "tags", "repeat", "repeat_from", "repeat_of",
        "list_id", "list", "parent_id", "position",
    ]  # fmt: skip
    ship = next(row for row in rows if row["title"] == "Ship release")
    assert (ship["list"], ship["tags"], ship["due_time"], ship["priority"]) == (
        "Work",
        "job, urgent",
        "17:30",
        "high",
    )
    assert any(row["title"] == 'Ünïcode, "quotes"\nand lines' for row in rows)


def test_todoist_csv_becomes_a_list_with_subtasks_and_repeats(
    client: TestClient, headers: Headers
) -> None:
    body = (FILES / "todoist-project.csv").read_bytes()
    result = imported(client, headers, "todoist-csv", body, list_name="Moving")
    assert result["created"] == {"lists": 1, "tasks": 9}
    reasons = {item["line"]: item["reason"] for item in result["skipped"]}
    assert "sub-subtask" in reasons[4]
    assert "comment" in reasons[5]
    assert "section 'Later'" in reasons[10]
    assert "every 3rd workday" in reasons[11]
    (moving,) = client.get("/lists", headers=headers).json()
    assert moving["name"] == "Moving"
    tasks = by_title(client, headers)
    plan = tasks["Plan the move"]
    assert (plan["priority"], plan["tags"], plan["repeat"], plan["list_id"]) == (
        "high",
        ["big_job", "home"],
        "FREQ=WEEKLY;BYDAY=MO",
        moving["id"],
    )
    assert plan["description"] == "Boxes first"
    assert plan["subtasks"] == {"total": 2, "completed": 0}
    assert tasks["Call the landlord"]["parent_id"] == plan["id"]
    assert tasks["Call the landlord"]["priority"] == "medium"
    assert tasks["Find the lease"]["parent_id"] == plan["id"]  # flattened, and reported
    assert tasks["Pay rent"]["repeat"] == "FREQ=MONTHLY;BYMONTHDAY=1"
    assert tasks["Pay rent"]["due_date"].endswith("-01")
    assert tasks["Pay rent"]["priority"] == "low"
    stretch = tasks["Stretch"]
    assert (stretch["repeat"], stretch["repeat_from"]) == ("FREQ=DAILY;INTERVAL=2", "completion")
    dentist = tasks['Dentist, "checkup"']
    assert (dentist["due_date"], dentist["due_time"], dentist["priority"]) == (
        "2026-12-15",
        "09:30",
        "none",
    )
    water = tasks["Water plants"]
    assert (water["repeat"], water["due_time"]) == ("FREQ=WEEKLY;BYDAY=MO,TH", "08:00")
    assert tasks["Review taxes"]["repeat"] is None and tasks["Review taxes"]["due_date"] is not None
    assert tasks["Renew passport"]["due_date"] == "2026-12-20"


def test_todoist_import_into_a_list_of_the_same_name_uses_it(
    client: TestClient, headers: Headers
) -> None:
    client.post("/lists", headers=headers, json={"name": "moving"})
    body = (FILES / "todoist-project.csv").read_bytes()
    result = imported(client, headers, "todoist-csv", body, list_name="Moving")
    assert result["created"] == {"lists": 0, "tasks": 9}
    (only,) = client.get("/lists", headers=headers).json()
    assert only["open_count"] == 7


def test_ics_from_another_calendar_program(client: TestClient, headers: Headers) -> None:
    body = (FILES / "calendar-program.ics").read_bytes()
    result = imported(client, headers, "ics", body)
    assert result["created"] == {"lists": 0, "tasks": 4}
    skipped = {item["uid"]: item["reason"] for item in result["skipped"]}
    assert "VEVENT" in skipped["event-1@example.com"] and "VEVENT" in skipped["event-2@example.com"]
    assert "BYSETPOS" in skipped["todo-setpos@example.com"]
    tasks = by_title(client, headers)
    talk = tasks["Prepare the talk"]
    assert (talk["due_date"], talk["due_time"], talk["priority"]) == ("2026-12-04", "17:00", "high")
    assert talk["tags"] == ["conference", "work"]
    assert talk["description"] == "Slides, demo and notes"
    room = tasks["Book the room"]
    assert (room["parent_id"], room["completed"], room["priority"]) == (talk["id"], True, "low")
    assert room["completed_at"] == "2026-11-02T10:15:00Z"
    weekly = tasks["Weekly report"]
    assert (weekly["due_date"], weekly["repeat"], weekly["priority"]) == (
        "2026-12-07",
        "FREQ=WEEKLY;UNTIL=20270301;BYDAY=MO",
        "medium",
    )
    assert tasks["Last workday review"]["repeat"] is None


def task_json(task_id: int, title: str, **fields: Any) -> dict[str, Any]:
    """A task as the JSON export writes it."""
    return {
        "id": task_id, "title": title, "description": None, "completed": False,
        "completed_at": None, "created_at": "2026-11-01T09:00:00Z",
        "updated_at": "2026-11-01T09:00:00Z", "priority": "none", "due_date": None,
        "due_time": None, "tags": [], "repeat": None, "repeat_from": "due", "repeat_of": None,
        "list_id": None, "parent_id": None, "position": float(task_id), **fields,
    }  # fmt: skip


def document(tasks: list[dict[str, Any]], lists: list[dict[str, Any]] | None = None) -> bytes:
    return json.dumps(
        {
            "format": "todo-export",
            "version": 1,
            "exported_at": "2026-12-01T00:00:00Z",
            "lists": lists or [],
            "tasks": tasks,
        }
    ).encode()


def nothing_written(client: TestClient, headers: Headers) -> None:
    assert listed(client, headers) == []
    assert client.get("/lists", headers=headers).json() == []


def problems(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    detail: list[dict[str, Any]] = response.json()["detail"]
    return detail


def test_malformed_files_are_422_naming_the_place_and_write_nothing(
    client: TestClient, headers: Headers
) -> None:
    cases: list[tuple[str, bytes, dict[str, Any]]] = [
        (
            "json",
            b'{"format": "todo-export", "version": 1, "lists": [], "tasks": [',
            {"field": "file"},
        ),
        ("json", b'{"format": "other"}', {"field": "format"}),
        ("json", document([task_json(1, "ok"), task_json(2, "  ")]), {"field": "tasks[1].title"}),
        ("json", document([task_json(1, "a", created_at=5)]), {"field": "tasks[0].created_at"}),
        ("json", document([task_json(1, "a", due_time="10:00")]), {"field": "tasks[0].due_time"}),
        ("json", document([task_json(1, "a", parent_id=9)]), {"task": "1", "field": "parent"}),
        (
            "todoist-csv",
            b"TYPE,CONTENT,PRIORITY\r\ntask,ok,1\r\ntask,bad,7\r\n",
            {"line": 3, "field": "PRIORITY"},
        ),
        ("todoist-csv", b"TYPE,CONTENT\r\ntask,a\r\nfolder,b\r\n", {"line": 3, "field": "TYPE"}),
        ("todoist-csv", b"NAME,VALUE\r\nx,y\r\n", {"line": 1}),
        ("todoist-csv", b'TYPE,CONTENT\r\ntask,"unclosed\r\n', {"line": 2}),
        ("todoist-csv", b"TYPE,CONTENT\r\ntask,caf\xe9\r\n", {"line": 2}),
        ("ics", b"BEGIN:VCALENDAR\r\nthis is not a calendar\r\n", {"field": "file"}),
        (
            "ics",
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:a\r\n"
            b"SUMMARY:" + b"x" * 201 + b"\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
            {"uid": "a", "field": "title"},
        ),
    ]
    for file_format, body, where in cases:
        detail = problems(import_file(client, headers, file_format, body))
        assert "nothing was imported" in detail[0]["msg"]
        assert {key: detail[1][key] for key in where} == where, (file_format, body, detail)
    nothing_written(client, headers)


def test_a_file_breaking_the_rules_is_422_with_the_count(
    client: TestClient, headers: Headers
) -> None:
    rows = "".join(f"task,{'x' * 201 if n % 2 else 'fine'} @tag{n},,1,1\r\n" for n in range(30))
    body = f"TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT\r\n{rows}".encode()
    detail = problems(import_file(client, headers, "todoist-csv", body))
    assert detail[0]["msg"].startswith("15 problem(s)")
    assert [item["line"] for item in detail[1:4]] == [3, 5, 7]
    too_many_tags = " ".join(f"@t{n}" for n in range(11))
    detail = problems(
        import_file(
            client, headers, "todoist-csv", f"TYPE,CONTENT\r\ntask,a {too_many_tags}\r\n".encode()
        )
    )
    assert detail[1]["field"] == "tags"
    # A JSON file's schema errors are counted alike: all of them, the first 20 shown.
    detail = problems(
        import_file(client, headers, "json", document([task_json(n, " ") for n in range(25)]))
    )
    assert detail[0]["msg"].startswith("25 problem(s)")
    assert [item["field"] for item in detail[1:]] == [f"tasks[{n}].title" for n in range(20)]
    nothing_written(client, headers)


def test_list_limit_holds_and_rolls_everything_back(client: TestClient, headers: Headers) -> None:
    for n in range(199):
        assert client.post("/lists", headers=headers, json={"name": f"L{n}"}).status_code == 201
    created = "2026-11-01T09:00:00Z"
    lists = [
        {"id": n, "name": f"New {n}", "color": "red", "position": 1.0, "created_at": created}
        for n in range(2)
    ]
    body = document([task_json(1, "in new", list_id=0)], lists)
    detail = problems(import_file(client, headers, "json", body))
    assert "at most 200 lists" in detail[0]["msg"]
    assert len(client.get("/lists", headers=headers).json()) == 199
    assert listed(client, headers) == []


def test_import_body_limit_is_10_mb(client: TestClient, headers: Headers) -> None:
    # Over the app's usual 64 KiB, under 10 MB: read.
    rows = "".join(f"task,Task number {n}\r\n" for n in range(5000))
    result = imported(client, headers, "todoist-csv", f"TYPE,CONTENT\r\n{rows}".encode())
    assert result["created"]["tasks"] == 5000
    response = import_file(client, headers, "ics", b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    # Other routes keep theirs.
    response = client.post("/tasks", headers=headers, content=b"x" * (64 * 1024 + 1))
    assert response.status_code == 413


def test_export_is_the_callers_only_and_streams_many_pages(
    client: TestClient, headers: Headers
) -> None:
    rows = "".join(f"task,Mine {n}\r\n" for n in range(1200))
    imported(client, headers, "todoist-csv", f"TYPE,CONTENT\r\n{rows}".encode())
    other = auth(token(new_user()))
    create(client, other, "Not yours")
    document = export(client, headers, "json").json()
    assert len(document["tasks"]) == 1200 and len({t["id"] for t in document["tasks"]}) == 1200
    assert all(t["title"].startswith("Mine") for t in document["tasks"])
    assert len(list(csv.reader(io.StringIO(export(client, headers, "csv").text)))) == 1201
    assert export(client, headers, "ics").text.count("BEGIN:VTODO") == 1200
    assert [t["title"] for t in export(client, other, "json").json()["tasks"]] == ["Not yours"]


def test_unknown_format_and_no_token(client: TestClient, headers: Headers) -> None:
    assert client.get("/export?format=xml", headers=headers).status_code == 422
    assert import_file(client, headers, "csv", b"").status_code == 422
    assert client.get("/export").status_code == 401
    assert client.post("/import?format=json", content=b"{}").status_code == 401


def test_export_pages_are_written_off_the_event_loop(
    client: TestClient, headers: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of VTODOs is slow to write: on the event loop it would hold up every other
    request of the worker until it is done."""
    on_loop: list[bool] = []
    write = ics_format.todos

    def recording(*args: Any) -> bytes:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return write(*args)

    monkeypatch.setattr(ics_format, "todos", recording)
    create(client, headers, "One")
    assert "SUMMARY:One" in export(client, headers, "ics").text
    assert on_loop == [False]
