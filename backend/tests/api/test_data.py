"""GET /export and POST /import over real HTTP and a real database: round trips, another
program's files, bad files, limits."""

import csv
import io
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

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


def imported(client: TestClient, headers: Headers, file_format: str, body: bytes, **query: str) -> dict[str, Any]:
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
    create(client, headers, "Every 3 days", due_date="2026-11-30", repeat="FREQ=DAILY;INTERVAL=3", repeat_from="completion")  # fmt: skip
    create(client, headers, "Ünïcode, \"quotes\"\nand lines", priority="medium")


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The export with ids turned into the names of what they point at, timestamps left out."""
    lists = {item["id"]: item["name"] for item in document["lists"]}
    titles = {item["id"]: item["title"] for item in document["tasks"]}
    tasks = sorted(
        (
            {
                **{k: v for k, v in item.items() if k not in ("id", "created_at", "updated_at", "completed_at")},
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
        "lists": [{k: v for k, v in item.items() if k not in ("id", "created_at")} for item in document["lists"]],
        "tasks": tasks,
    }


def test_json_export_imported_into_an_empty_account_reproduces_it(client: TestClient, headers: Headers) -> None:
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
    assert {t["name"]: t["count"] for t in client.get("/tags", headers=other).json()} == {"job": 2, "urgent": 1}
