"""Our own format: {"format": "todo-export", "version": 1, "exported_at", "lists", "tasks"},
every field a list and a task have. Written a chunk at a time; read whole (the body is at most
the import's limit)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from app.models import (
    CalendarDate,
    Color,
    Description,
    DueTime,
    ListName,
    Priority,
    RepeatFrom,
    RepeatRule,
    TagSet,
    Title,
)
from app.portability.records import (
    PROBLEMS_SHOWN,
    FileInvalid,
    ListRecord,
    Parsed,
    Problems,
    TaskRecord,
    resolve,
)

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


# What a JSON Schema says exactly: no number for a timestamp, no string for a number.
Timestamp = Annotated[datetime, Field(strict=True)]
Id = Annotated[int, Field(strict=True)]
Position = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e15, le=1e15)]


class ExportedList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Id
    name: ListName
    color: Color
    position: Position
    created_at: Timestamp


class ExportedTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Id
    title: Title
    description: Description | None
    completed: StrictBool
    completed_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    priority: Priority
    due_date: CalendarDate | None
    due_time: DueTime | None
    tags: TagSet
    repeat: RepeatRule | None
    repeat_from: RepeatFrom
    repeat_of: Id | None = Field(description="a task of the file")
    list_id: Id | None = Field(description="a list of the file; null: the Inbox")
    parent_id: Id | None = Field(description="a top-level task of the file")
    position: Position


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
        found = error.errors(include_url=False)
        invalid = FileInvalid({"field": _path(found[0]["loc"]) or "file"}, found[0]["msg"])
        for item in found[1:PROBLEMS_SHOWN]:
            invalid.problems.append(({"field": _path(item["loc"]) or "file"}, item["msg"]))
        invalid.count = len(found)
        raise invalid from None
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
