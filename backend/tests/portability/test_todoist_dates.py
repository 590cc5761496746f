"""Todoist's DATE phrases, read alone (today is a Sunday, 2026-12-06)."""

from datetime import date

import pytest

from app.portability.todoist_dates import Due, read

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("", Due()),
        ("every day", Due(TODAY, None, "FREQ=DAILY")),
        ("daily", Due(TODAY, None, "FREQ=DAILY")),
        ("every 2 weeks", Due(TODAY, None, "FREQ=WEEKLY;INTERVAL=2")),
        ("every other month", Due(TODAY, None, "FREQ=MONTHLY;INTERVAL=2")),
        ("every monday", Due(date(2026, 12, 7), None, "FREQ=WEEKLY;BYDAY=MO")),
        ("Every Mon, Fri at 5pm", Due(date(2026, 12, 7), "17:00", "FREQ=WEEKLY;BYDAY=MO,FR")),
        ("every weekday", Due(date(2026, 12, 7), None, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")),
        ("every 15th", Due(date(2026, 12, 15), None, "FREQ=MONTHLY;BYMONTHDAY=15")),
        ("every last day", Due(date(2026, 12, 31), None, "FREQ=MONTHLY;BYMONTHDAY=-1")),
        ("every last friday", Due(date(2026, 12, 25), None, "FREQ=MONTHLY;BYDAY=-1FR")),
        ("every year", Due(TODAY, None, "FREQ=YEARLY")),
        ("every! 3 days", Due(TODAY, None, "FREQ=DAILY;INTERVAL=3", "completion")),
        ("2026-12-15", Due(date(2026, 12, 15))),
        ("Dec 20 2026 at 09:30", Due(date(2026, 12, 20), "09:30")),
        ("2026-12-15 17:45", Due(date(2026, 12, 15), "17:45")),
        ("tomorrow at 8am", Due(date(2026, 12, 7), "08:00")),
    ],
)
def test_phrases_map_to_dates_and_rules(text: str, due: Due) -> None:
    assert read(text, TODAY) == due


@pytest.mark.parametrize("text", ["every 3rd workday", "every! monday", "every day starting jan 5"])
def test_a_repeat_with_no_equivalent_is_due_today_and_noted(text: str) -> None:
    due = read(text, TODAY)
    assert (due.day, due.repeat) == (TODAY, None)
    assert due.note and text in due.note


def test_a_date_not_understood_is_left_out_and_noted() -> None:
    due = read("sometime soon-ish", TODAY)
    assert due.day is None and due.note
