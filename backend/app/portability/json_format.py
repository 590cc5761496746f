"""Our own format: {"format": "todo-export", "version": 1, "exported_at", "lists", "tasks"},
every field a list and a task have. Written a chunk at a time; read whole (the body is at most
the import's limit)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from app.portability.records import (
    ExportedList,
    ExportedTask,
    FileInvalid,
    ListRecord,
    Parsed,
    Problems,
    TaskRecord,
    Timestamp,
    resolve,
)

FORMAT = "todo-export"
VERSION = 1
LIST_FIELDS = tuple(ExportedList.model_fields)
TASK_FIELDS = tuple(ExportedTask.model_fields)
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


class ExportDocument(BaseModel):
    """GET /export?format=json, and what POST /import?format=json reads (a file whose tasks
    also keep the rules no schema can say: a time or a repeat needs a due date, a repeat is
    of the RRULE subset, ids named are the file's)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["todo-export"]
    version: Literal[1]
    exported_at: Timestamp
    lists: list[ExportedList]
    tasks: list[ExportedTask]


def _key(value: object) -> str | None:
    return None if value is None else str(value)


def _path(location: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)[1:]


def read(data: bytes) -> Parsed:
    try:
        document = ExportDocument.model_validate_json(data)
    except ValidationError as error:
        invalid = Problems()
        for item in error.errors(include_url=False):
            invalid.add(FileInvalid({"field": _path(item["loc"]) or "file"}, item["msg"]))
        invalid.raise_any()
    parsed, problems = Parsed(), Problems()
    for index, exported in enumerate(document.lists):
        where = {"field": f"lists[{index}]"}
        kept = exported.model_dump(include={"name", "color", "position"})
        found_list = problems.check(ListRecord, {"key": str(exported.id), **kept}, where)
        if found_list is not None:
            parsed.lists.append(found_list)
    for index, row in enumerate(document.tasks):
        where = {"field": f"tasks[{index}]"}
        fields = row.model_dump(exclude={"id", "updated_at", "repeat_of", "list_id", "parent_id"})
        references = {
            "key": str(row.id),
            "list_key": _key(row.list_id),
            "parent_key": _key(row.parent_id),
            "repeat_of_key": _key(row.repeat_of),
        }
        task = problems.check(TaskRecord, {**fields, **references}, where)
        if task is not None:
            parsed.tasks.append(task)
    problems.raise_any()
    resolve(parsed)
    return parsed
