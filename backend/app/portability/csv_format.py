"""CSV: our export (one row per task, the columns of COLUMNS, RFC 4180, UTF-8) and Todoist's
project export read as an import (todoist_dates.py reads its DATE column)."""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from app.models import normalize_tag
from app.portability import todoist_dates
from app.portability.json_format import TASK_FIELDS
from app.portability.records import (
    FileInvalid,
    ListRecord,
    Parsed,
    Problems,
    TaskRecord,
    checked,
    resolve,
)

# Our export's columns, in order. `list` is the list's name (empty: the Inbox), `tags` the
# task's tags joined with ", " (a tag holds no comma).
_AFTER_LIST_ID = TASK_FIELDS.index("list_id") + 1
COLUMNS = (*TASK_FIELDS[:_AFTER_LIST_ID], "list", *TASK_FIELDS[_AFTER_LIST_ID:])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write(rows: Iterable[Iterable[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def header() -> bytes:
    return _write([COLUMNS])


def rows(tasks: Iterable[Mapping[str, Any]], list_names: Mapping[int, str]) -> bytes:
    def row(task: Mapping[str, Any]) -> list[str]:
        values = {
            **task,
            "tags": ", ".join(task["tags"]),
            "list": list_names.get(task["list_id"], "") if task["list_id"] is not None else "",
            "completed_at": _timestamp(task["completed_at"]),
            "created_at": _timestamp(task["created_at"]),
            "updated_at": _timestamp(task["updated_at"]),
        }
        return [_cell(values[name]) for name in COLUMNS]

    return _write(map(row, tasks))


def _timestamp(value: Any) -> str:
    # As the JSON export writes them: UTC, "Z" (SQLite hands them back without a zone).
    if value is None:
        return ""
    text = value.isoformat()
    return text.replace("+00:00", "Z") if value.tzinfo else f"{text}Z"


# Todoist: https://todoist.com/help/articles/import-or-export-a-project-as-a-csv-file-in-todoist-YC8YvN
# PRIORITY 1 is p1, the highest; 4 is p4, the lowest (no priority in Todoist's app).
TODOIST_PRIORITIES = {"1": "high", "2": "medium", "3": "low", "4": "none", "": "none"}
_LABEL = re.compile(r"(?<!\S)@([\w\-]+)")
TODOIST_LIST_NAME = "Todoist"


def read_todoist(data: bytes, list_name: str | None, today: date) -> Parsed:
    """A Todoist project's CSV as one list named `list_name` (its tasks, subtasks one level
    deep); sections and comments are reported as skipped."""
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        head = next(reader, None)
    except csv.Error as error:
        raise FileInvalid({"line": 1}, f"not CSV: {error}") from None
    if head is None:
        raise FileInvalid({"line": 1}, "the file is empty")
    columns = {name.strip().upper(): index for index, name in enumerate(head)}
    for required in ("TYPE", "CONTENT"):
        if required not in columns:
            raise FileInvalid({"line": 1}, f"no {required} column: not a Todoist CSV export")
    parsed = Parsed(
        lists=[
            checked(
                ListRecord,
                {"key": "project", "name": list_name or TODOIST_LIST_NAME},
                {"field": "list_name"},
            )
        ]
    )
    parent: TaskRecord | None = None
    problems = Problems()
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as error:
            raise FileInvalid({"line": start}, f"not CSV: {error}") from None
        if cells is None:
            break
        line = start

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        kind = cell("TYPE")
        if not kind and not any(value.strip() for value in cells):
            continue  # the blank line Todoist writes after each section
        if kind == "section":
            parsed.skipped.append(
                {
                    "line": line,
                    "reason": f"section {cell('CONTENT')!r}: not imported (its tasks are)",
                }
            )
            parent = None
            continue
        if kind == "note":
            parsed.skipped.append({"line": line, "reason": "comment: comments are not imported"})
            continue
        if kind != "task":
            problems.add(
                FileInvalid(
                    {"line": line, "field": "TYPE"}, f"must be task, section or note, not {kind!r}"
                )
            )
            continue
        try:
            parent = _todoist_task(parsed, cell, line, parent, today)
        except FileInvalid as error:
            problems.add(error)
    problems.raise_any()
    resolve(parsed)
    return parsed


def _todoist_task(
    parsed: Parsed, cell: Any, line: int, parent: TaskRecord | None, today: date
) -> TaskRecord | None:
    """Adds the row's task; the top-level task that later indented rows belong to."""
    where = {"line": line}
    content = cell("CONTENT")
    tags = [normalize_tag(label) for label in _LABEL.findall(content)]
    title = _LABEL.sub("", content).strip() or content
    priority = TODOIST_PRIORITIES.get(cell("PRIORITY"))
    if priority is None:
        raise FileInvalid({**where, "field": "PRIORITY"}, "must be 1 (highest), 2, 3 or 4")
    indent = cell("INDENT") or "1"
    if not indent.isdigit() or int(indent) < 1:
        raise FileInvalid({**where, "field": "INDENT"}, "must be 1, 2, 3 or 4")
    due = todoist_dates.read(cell("DATE"), today)
    if due.note:
        parsed.skipped.append({**where, "reason": due.note})
    record: dict[str, Any] = {
        "key": f"line {line}",
        "title": title,
        "description": cell("DESCRIPTION") or None,
        "priority": priority,
        "tags": tags,
        "due_date": due.day,
        "due_time": due.time,
        "repeat": due.repeat,
        "repeat_from": due.repeat_from,
        "list_key": "project",
    }
    if int(indent) > 1:
        if parent is None:
            raise FileInvalid({**where, "field": "INDENT"}, "an indented task follows no task")
        if int(indent) > 2:
            parsed.skipped.append(
                {
                    **where,
                    "reason": "sub-subtask: imported as a subtask of its top-level task "
                    "(subtasks are one level deep)",
                }
            )
        record["parent_key"] = parent.key
    task = checked(TaskRecord, record, where)
    parsed.tasks.append(task)
    return parent if int(indent) > 1 else task


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileInvalid({"line": line}, "not UTF-8 text") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FileInvalid({"line": line}, "contains a NUL character")
    return text
