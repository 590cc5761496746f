"""The RRULE subset and next occurrences (RFC 5545 through python-dateutil), alone."""

from datetime import date, datetime, time, timedelta

import pytest
from dateutil.rrule import rrulestr

from app.recurrence import RuleError, check, next_due


def following(rule: str, due: str, completed_on: str | None = None, done: int = 0) -> date | None:
    return next_due(
        rule, "due", date.fromisoformat(due), date.fromisoformat(completed_on or due), done
    )


@pytest.mark.parametrize(
    ("rule", "due", "expected"),
    [
        ("FREQ=DAILY", "2027-01-31", "2027-02-01"),
        ("FREQ=DAILY;INTERVAL=3", "2027-02-27", "2027-03-02"),
        ("FREQ=WEEKLY", "2027-01-04", "2027-01-11"),
        ("FREQ=WEEKLY;INTERVAL=2", "2027-01-04", "2027-01-18"),
        ("FREQ=WEEKLY;BYDAY=MO,FR", "2027-01-04", "2027-01-08"),
        ("FREQ=WEEKLY;BYDAY=MO,FR", "2027-01-08", "2027-01-11"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2027-01-08", "2027-01-11"),
        # Monthly on the 31st skips months without one (RFC 5545).
        ("FREQ=MONTHLY;BYMONTHDAY=31", "2027-01-31", "2027-03-31"),
        ("FREQ=MONTHLY", "2027-01-31", "2027-03-31"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2027-01-31", "2027-02-28"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2028-01-31", "2028-02-29"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "2027-01-15", "2027-02-15"),
        ("FREQ=MONTHLY;BYDAY=2MO", "2027-01-11", "2027-02-08"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2027-01-29", "2027-02-26"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU", "2027-01-05", "2027-04-06"),
        ("FREQ=YEARLY", "2027-03-01", "2028-03-01"),
        ("FREQ=YEARLY", "2028-02-29", "2032-02-29"),
        ("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1", "2027-06-01", "2028-06-01"),
        ("FREQ=YEARLY;BYMONTH=1,7", "2027-01-10", "2027-07-10"),
    ],
)
def test_next_occurrence_after_the_due_date(rule: str, due: str, expected: str) -> None:
    assert following(rule, due) == date.fromisoformat(expected)


def test_late_completion_skips_to_the_first_occurrence_after_it() -> None:
    assert following("FREQ=WEEKLY;BYDAY=MO", "2027-01-04", "2027-01-20") == date(2027, 1, 25)
    # Early completion still moves past the due date.
    assert following("FREQ=DAILY", "2027-01-10", "2027-01-05") == date(2027, 1, 11)


def test_repeating_from_completion_adds_the_interval() -> None:
    def after(rule: str) -> date | None:
        return next_due(rule, "completion", date(2027, 1, 4), date(2027, 1, 31), 0)

    assert after("FREQ=DAILY;INTERVAL=3") == date(2027, 2, 3)
    assert after("FREQ=WEEKLY") == date(2027, 2, 7)
    assert after("FREQ=MONTHLY") == date(2027, 2, 28)
    assert after("FREQ=YEARLY;INTERVAL=2") == date(2029, 1, 31)


def test_count_and_until_end_the_rule() -> None:
    assert following("FREQ=DAILY;COUNT=3", "2027-01-01", done=1) == date(2027, 1, 2)
    assert following("FREQ=DAILY;COUNT=3", "2027-01-02", done=2) is None
    assert following("FREQ=DAILY;COUNT=1", "2027-01-01") is None
    assert following("FREQ=WEEKLY;UNTIL=20270115", "2027-01-08") == date(2027, 1, 15)
    assert following("FREQ=WEEKLY;UNTIL=20270114", "2027-01-08") is None
    assert following("FREQ=DAILY;UNTIL=20270110", "2027-01-01", "2027-01-12") is None


@pytest.mark.parametrize(
    ("rule", "part"),
    [
        ("FREQ=HOURLY", "FREQ"),
        ("INTERVAL=2", "FREQ"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL"),
        ("FREQ=DAILY;INTERVAL=x", "INTERVAL"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=2MO", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=+MO", "BYDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=-2", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "BYMONTHDAY"),
        ("FREQ=DAILY;COUNT=0", "COUNT"),
        ("FREQ=DAILY;UNTIL=2027-01-01", "UNTIL"),
        ("FREQ=DAILY;UNTIL=20270230", "UNTIL"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20270101", "COUNT"),
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS"),
        ("FREQ=DAILY;WKST=MO", "WKST"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ"),
        ("FREQ", "'FREQ'"),
    ],
)
def test_rules_outside_the_subset_name_the_part(rule: str, part: str) -> None:
    with pytest.raises(RuleError, match=part):
        check(rule)


def test_from_completion_takes_freq_and_interval_only() -> None:
    assert check("FREQ=WEEKLY;INTERVAL=2", "completion")
    for rule, part in (("FREQ=WEEKLY;BYDAY=MO", "BYDAY"), ("FREQ=DAILY;COUNT=2", "COUNT")):
        with pytest.raises(RuleError, match=part):
            check(rule, "completion")


RULES = (
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
    "FREQ=WEEKLY;INTERVAL=3",
    "FREQ=MONTHLY",
    "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR",
    "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31",
    "FREQ=YEARLY",
    "FREQ=YEARLY;INTERVAL=2;BYMONTH=3",
    "FREQ=YEARLY;BYMONTH=2;BYDAY=MO",
)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("due", ["2027-01-29", "2027-01-31", "2028-02-29", "2027-03-15"])
def test_late_completions_keep_the_rules_phase(rule: str, due: str) -> None:
    # The search starts near the completion day: the same answer as walking from the due date.
    start = datetime.combine(date.fromisoformat(due), time())
    walked = rrulestr(rule, dtstart=start)
    for days in (0, 1, 5, 40, 365, 1000, 4000):
        completed_on = start + timedelta(days=days)
        expected = walked.after(completed_on, inc=False)
        assert expected is not None
        assert following(rule, due, completed_on.date().isoformat()) == expected.date()


def test_the_calendar_end_uses_a_rule_up() -> None:
    assert following("FREQ=DAILY", "2027-01-01", "9000-01-01") == date(9000, 1, 2)
    assert following("FREQ=YEARLY", "9999-06-01") is None
    assert next_due("FREQ=DAILY", "completion", date(9999, 1, 1), date(9999, 12, 31), 0) is None
