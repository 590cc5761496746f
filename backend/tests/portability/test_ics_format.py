"""The iCalendar writer and reader, alone."""

from datetime import UTC, date, datetime

from icalendar import Calendar

from app.portability import ics_format

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def row(**fields: object) -> dict[str, object]:
    return {
        "id": 1, "title": "T", "description": None, "completed": False, "completed_at": None,
        "created_at": NOW, "updated_at": NOW, "priority": "none", "due_date": None,
        "due_time": None, "tags": [], "repeat": None, "repeat_from": "due", "repeat_of": None,
        "list_id": None, "parent_id": None, "position": 1.0, **fields,
    }  # fmt: skip


def calendar(*rows: dict[str, object]) -> bytes:
    return ics_format.start() + ics_format.todos(rows, {7: "Home"}, NOW) + ics_format.END


def test_written_calendar_parses_with_the_library_and_reads_back() -> None:
    text = calendar(
        row(id=1, title="Parent", priority="medium", due_date=date(2026, 12, 3), due_time="08:05",
            tags=["a", "b c"], repeat="FREQ=MONTHLY;BYDAY=-1FR", list_id=7),
        row(id=2, title="Child", parent_id=1, completed=True, completed_at=NOW, list_id=7),
    )  # fmt: skip
    (parsed_calendar,) = Calendar.from_ical(text, multiple=True)
    todo = parsed_calendar.todos[0]
    due = todo.DUE
    assert due == datetime(2026, 12, 3, 8, 5)  # floating: no zone
    assert todo["priority"] == 5
    parsed = ics_format.read(text)
    assert [item.name for item in parsed.lists] == ["Home"]
    parent, child = parsed.tasks
    assert (parent.due_date, parent.due_time, parent.repeat) == (
        date(2026, 12, 3), "08:05", "FREQ=MONTHLY;BYDAY=-1FR",
    )  # fmt: skip
    assert parent.tags == ["a", "b c"] and parent.list_key == "home"
    assert (child.parent_key, child.completed, child.completed_at) == ("task-1@todo-app", True, NOW)
    assert parsed.skipped == []


def test_a_related_to_naming_no_todo_is_reported_and_top_level() -> None:
    text = calendar(row(id=2, title="Orphan", parent_id=99))
    parsed = ics_format.read(text)
    assert parsed.tasks[0].parent_key is None
    assert parsed.skipped[0]["uid"] == "task-2@todo-app"
