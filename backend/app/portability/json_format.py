"""Our own format: {"format": "todo-export", "version": 1, "exported_at", "lists", "tasks"},
every field a list and a task have. Written a chunk at a time; read whole (the body is at most
the import's limit)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from app.portability.records import FileInvalid, ListRecord, Parsed, Problems, TaskRecord, resolve

FORMAT = "todo-export"
VERSION = 1
LIST_FIELDS = ("id", "name", "color", "position", "created_at")
TASK_FIELDS = (
    "id",
    "title",
    "description",
    "completed",
    "completed_at",
    "created_at",
    "updated_at",
    "priority",
    "due_date",
    "due_time",
    "tags",
    "repeat",
    "repeat_from",
    "repeat_of",
    "list_id",
    "parent_id",
    "position",
)
_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=_OPTIONS)


def start(lists: Iterable[dict[str, Any]], exported_at: datetime) -> bytes:
    """The file up to its first task."""
    head = _dumps({"format": FORMAT, "version": VERSION, "exported_at": exported_at})
    body = b",".join(_dumps({name: row[name] for name in LIST_FIELDS}) for row in lists)
    return head[:-1] + b',"lists":[' + body + b'],"tasks":['


def tasks(rows: Iterable[dict[str, Any]], first: bool) -> bytes:
    """A page of tasks; `first`: the file's first page (no comma before it)."""
    body = b",".join(_dumps({name: row[name] for name in TASK_FIELDS}) for row in rows)
    return body if first or not body else b"," + body


END = b"]}\n"


def _key(value: object) -> str | None:
    return None if value is None else str(value)


def read(data: bytes) -> Parsed:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise FileInvalid({"field": "file"}, f"not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FileInvalid({"field": "format"}, f'must be "{FORMAT}" (a file this app exported)')
    if document.get("version") != VERSION:
        raise FileInvalid({"field": "version"}, f"must be {VERSION}")
    lists, items = document.get("lists", []), document.get("tasks", [])
    if not isinstance(lists, list):
        raise FileInvalid({"field": "lists"}, "must be an array")
    if not isinstance(items, list):
        raise FileInvalid({"field": "tasks"}, "must be an array")
    parsed, problems = Parsed(), Problems()
    for index, row in enumerate(lists):
        where = {"field": f"lists[{index}]"}
        if not isinstance(row, dict):
            problems.add(FileInvalid(where, "must be an object"))
            continue
        kept = {name: row[name] for name in ("name", "color", "position") if name in row}
        found = problems.check(ListRecord, {"key": _key(row.get("id")), **kept}, where)
        if found is not None:
            parsed.lists.append(found)
    for index, row in enumerate(items):
        where = {"field": f"tasks[{index}]"}
        if not isinstance(row, dict):
            problems.add(FileInvalid(where, "must be an object"))
            continue
        fields = {
            name: row[name]
            for name in TASK_FIELDS
            if name in row and name not in ("id", "updated_at", "repeat_of", "list_id", "parent_id")
        }
        references = {
            "key": _key(row.get("id")),
            "list_key": _key(row.get("list_id")),
            "parent_key": _key(row.get("parent_id")),
            "repeat_of_key": _key(row.get("repeat_of")),
        }
        task = problems.check(TaskRecord, {**fields, **references}, where)
        if task is not None:
            parsed.tasks.append(task)
    problems.raise_any()
    resolve(parsed)
    return parsed
