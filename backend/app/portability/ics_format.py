"""iCalendar (RFC 5545): tasks as VTODOs, written and read with the icalendar library.

A VTODO carries SUMMARY, DESCRIPTION, DUE (a date, or a floating local date-time when the task
has a time), PRIORITY (1 high, 5 medium, 9 low), CATEGORIES (the tags), STATUS and COMPLETED,
RRULE, RELATED-TO (a subtask's parent), and in X- properties what iCalendar has no word for:
the list (X-TODO-LIST, its name), the manual order, repeat-from and a completed copy's original.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from icalendar import Calendar, Todo, vRecur

from app import recurrence
from app.portability.records import (
    FileInvalid,
    ListRecord,
    Parsed,
    Problems,
    TaskRecord,
    resolve,
)

PRODID = "-//todo-app//export//EN"
UID_DOMAIN = "todo-app"
LIST_PROPERTY = "X-TODO-LIST"
POSITION_PROPERTY = "X-TODO-POSITION"
REPEAT_FROM_PROPERTY = "X-TODO-REPEAT-FROM"
REPEAT_OF_PROPERTY = "X-TODO-REPEAT-OF"
_PRIORITY_OUT = {"high": 1, "medium": 5, "low": 9}


def uid(task_id: int) -> str:
    return f"task-{task_id}@{UID_DOMAIN}"


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    return calendar


_END = b"END:VCALENDAR\r\n"


def start() -> bytes:
    """The calendar's head: everything but its END line."""
    text: bytes = _calendar().to_ical()
    return text.removesuffix(_END)


END = _END


def _utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def todos(
    tasks: Iterable[Mapping[str, Any]], list_names: Mapping[int, str], now: datetime
) -> bytes:
    chunks = []
    for task in tasks:
        todo = Todo()
        todo.add("uid", uid(task["id"]))
        todo.add("dtstamp", now)
        todo.add("created", _utc(task["created_at"]))
        todo.add("last-modified", _utc(task["updated_at"]))
        todo.add("summary", task["title"])
        if task["description"]:
            todo.add("description", task["description"])
        if task["due_date"] is not None:
            due: date | datetime = task["due_date"]
            if task["due_time"]:
                hours, minutes = map(int, task["due_time"].split(":"))
                due = datetime.combine(task["due_date"], time(hours, minutes))  # floating
            todo.add("due", due)
        if task["priority"] in _PRIORITY_OUT:
            todo.add("priority", _PRIORITY_OUT[task["priority"]])
        if task["tags"]:
            todo.add("categories", list(task["tags"]))
        todo.add("status", "COMPLETED" if task["completed"] else "NEEDS-ACTION")
        if task["completed"] and task["completed_at"] is not None:
            todo.add("completed", _utc(task["completed_at"]))
        if task["repeat"]:
            todo.add("rrule", vRecur.from_ical(task["repeat"]))
            todo.add(REPEAT_FROM_PROPERTY, task["repeat_from"])
        if task["parent_id"] is not None:
            todo.add("related-to", uid(task["parent_id"]))
        if task["repeat_of"] is not None:
            todo.add(REPEAT_OF_PROPERTY, uid(task["repeat_of"]))
        if task["list_id"] is not None and task["list_id"] in list_names:
            todo.add(LIST_PROPERTY, list_names[task["list_id"]])
        todo.add(POSITION_PROPERTY, repr(float(task["position"])))
        chunks.append(todo.to_ical())
    return b"".join(chunks)


def _priority(value: Any) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "none"
    return "none" if number <= 0 else "high" if number <= 4 else "medium" if number == 5 else "low"


def _text(component: Any, name: str) -> str | None:
    value = component.get(name)
    return None if value is None else str(value)


def _categories(component: Any) -> list[str]:
    found = component.get("categories")
    if found is None:
        return []
    properties = found if isinstance(found, list) else [found]
    return [str(name) for prop in properties for name in prop.cats]


def _due(component: Any) -> tuple[date | None, str | None]:
    prop = component.get("due") or component.get("dtstart")
    if prop is None:
        return None, None
    moment = prop.dt
    if isinstance(moment, datetime):
        # A time in a zone is kept as its wall-clock time there: the task's time is floating.
        return moment.date(), moment.strftime("%H:%M")
    return moment, None


def _timestamp(component: Any, name: str) -> datetime | None:
    prop = component.get(name)
    moment = None if prop is None else prop.dt
    return _utc(moment) if isinstance(moment, datetime) else None


def _rule(component: Any, due_date: date | None) -> tuple[str | None, str | None]:
    """The to-do's RRULE if the API's subset holds it (an UNTIL with a time becomes its
    date), else None and why."""
    prop = component.get("rrule")
    if prop is None:
        return None, None
    if isinstance(prop, list):
        return None, "several RRULEs: imported without a repeat"
    parts = {name: value for name, value in prop.items() if name != "WKST"}
    until = parts.get("UNTIL")
    if until:
        moment = until[0]
        parts["UNTIL"] = [moment.date() if isinstance(moment, datetime) else moment]
    text = vRecur(parts).to_ical().decode()  # type: ignore[no-untyped-call]
    if due_date is None:
        return None, f"RRULE {text} without DUE: imported without a repeat"
    try:
        return recurrence.check(text), None
    except recurrence.RuleError as error:
        return None, f"RRULE {text}: {error}; imported without a repeat"


def _repeat_from(component: Any, rule: str | None) -> str:
    wanted = _text(component, REPEAT_FROM_PROPERTY) or "due"
    if rule is not None and wanted == "completion":
        try:
            recurrence.check(rule, "completion")
        except recurrence.RuleError:
            return "due"
    return wanted


def _parent(component: Any) -> str | None:
    found = component.get("related-to")
    for prop in found if isinstance(found, list) else [found]:
        if prop is not None and str(prop.params.get("RELTYPE", "PARENT")).upper() == "PARENT":
            return str(prop)
    return None


def read(data: bytes) -> Parsed:
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, UnicodeDecodeError) as error:
        raise FileInvalid({"field": "file"}, f"not iCalendar: {error}") from None
    parsed, problems = Parsed(), Problems()
    lists: dict[str, ListRecord] = {}
    for calendar in calendars:
        for component in calendar.subcomponents:
            if component.name == "VEVENT":
                reason = "an event (VEVENT): only to-dos (VTODO) are imported"
                parsed.skipped.append({"uid": _text(component, "uid"), "reason": reason})
                continue
            if component.name != "VTODO":
                continue  # VTIMEZONE, VJOURNAL...: not tasks
            key = _text(component, "uid") or f"vtodo {len(parsed.tasks) + 1}"
            where = {"uid": key}
            list_name = _text(component, LIST_PROPERTY)
            if list_name and list_name.casefold() not in lists:
                record = problems.check(
                    ListRecord,
                    {"key": list_name.casefold(), "name": list_name},
                    {**where, "field": LIST_PROPERTY},
                )
                if record is not None:
                    lists[list_name.casefold()] = record
            due_date, due_time = _due(component)
            rule, note = _rule(component, due_date)
            if note:
                parsed.skipped.append({"uid": key, "reason": note})
            status = (_text(component, "status") or "").upper()
            completed_at = _timestamp(component, "completed")
            position = _text(component, POSITION_PROPERTY)
            task = problems.check(
                TaskRecord,
                {
                    "key": key,
                    "title": _text(component, "summary") or "(untitled)",
                    "description": _text(component, "description") or None,
                    "completed": status == "COMPLETED" or completed_at is not None,
                    "completed_at": completed_at,
                    "created_at": _timestamp(component, "created"),
                    "priority": _priority(component.get("priority")),
                    "due_date": due_date,
                    "due_time": due_time,
                    "tags": _categories(component),
                    "repeat": rule,
                    "repeat_from": _repeat_from(component, rule),
                    "list_key": list_name.casefold() if list_name else None,
                    "parent_key": _parent(component),
                    "repeat_of_key": _text(component, REPEAT_OF_PROPERTY),
                    "position": position,
                },
                where,
            )
            if task is not None:
                parsed.tasks.append(task)
    problems.raise_any()
    parsed.lists = list(lists.values())
    keys = {task.key for task in parsed.tasks}
    for task in parsed.tasks:
        if task.parent_key is not None and task.parent_key not in keys:
            parsed.skipped.append(
                {
                    "uid": task.key,
                    "reason": "RELATED-TO names no to-do of the file: imported as a top-level task",
                }
            )
            task.parent_key = None
    resolve(parsed)
    return parsed
