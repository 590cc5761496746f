"""Todoist's DATE column: a fixed date (with a time), or a recurring phrase in English
("every day", "every monday", "every 2 weeks", "every! 3 days"...). Recurring phrases become
RRULEs of the API's subset where they map; a phrase that does not map keeps its next date
when it has one, and is reported."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil import parser as date_parser
from dateutil.rrule import rrulestr

from app import recurrence
from app.recurrence import RepeatFrom


@dataclass(frozen=True)
class Due:
    day: date | None = None
    time: str | None = None
    repeat: str | None = None
    repeat_from: RepeatFrom = "due"
    note: str | None = None  # what could not be kept as it was


_DAYS = {
    "monday": "MO", "mon": "MO", "tuesday": "TU", "tue": "TU", "tues": "TU",
    "wednesday": "WE", "wed": "WE", "thursday": "TH", "thu": "TH", "thurs": "TH",
    "friday": "FR", "fri": "FR", "saturday": "SA", "sat": "SA", "sunday": "SU", "sun": "SU",
}  # fmt: skip
_UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_ALIASES = {"daily": "every day", "weekly": "every week", "monthly": "every month",
            "yearly": "every year", "annually": "every year"}  # fmt: skip
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4, "last": -1}  # fmt: skip
_AT = re.compile(r"\s+(?:at|@)\s+(.+)$")
_INTERVAL = re.compile(r"^(\d{1,3}|other)\s+(day|week|month|year)s?$")
_MONTH_DAY = re.compile(r"^(?:month\s+on\s+the\s+)?(\d{1,2})(?:st|nd|rd|th)$")
_NTH_DAY = re.compile(r"^(?:month\s+on\s+the\s+)?(\w+)\s+(\w+)$")


def _clock(text: str) -> str | None:
    """ "5pm", "17:30", "9" as HH:MM, or None."""
    try:
        moment = date_parser.parse(text, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return None
    return moment.strftime("%H:%M")


def _rule(phrase: str) -> str | None:
    """The RRULE of a recurring phrase (without "every"), or None when it does not map."""
    if phrase in _UNITS:
        return f"FREQ={_UNITS[phrase]}"
    if phrase in ("weekday", "workday"):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if phrase in ("last day", "last day of the month"):
        return "FREQ=MONTHLY;BYMONTHDAY=-1"
    interval = _INTERVAL.match(phrase)
    if interval:
        count = 2 if interval[1] == "other" else int(interval[1])
        if count < 1:
            return None
        return f"FREQ={_UNITS[interval[2]]}" + (f";INTERVAL={count}" if count > 1 else "")
    other_day = re.match(r"^other\s+(\w+)$", phrase)
    if other_day and other_day[1] in _DAYS:
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={_DAYS[other_day[1]]}"
    days = [word for word in re.split(r"\s*(?:,|\band\b)\s*", phrase) if word]
    if days and all(day in _DAYS for day in days):
        return "FREQ=WEEKLY;BYDAY=" + ",".join(dict.fromkeys(_DAYS[day] for day in days))
    month_day = _MONTH_DAY.match(phrase)
    if month_day and 1 <= int(month_day[1]) <= 31:
        return f"FREQ=MONTHLY;BYMONTHDAY={int(month_day[1])}"
    nth = _NTH_DAY.match(phrase)
    if nth and nth[1] in _ORDINALS and nth[2] in _DAYS:
        return f"FREQ=MONTHLY;BYDAY={_ORDINALS[nth[1]]}{_DAYS[nth[2]]}"
    return None


def _first(rule: str, today: date) -> date:
    start = datetime.combine(today, time())
    occurrence = rrulestr(f"RRULE:{rule}", dtstart=start).after(start, inc=True)
    return (occurrence or start).date()


def _fixed(text: str, today: date) -> tuple[date, str | None] | None:
    lowered = text.lower()
    clock = None
    at = _AT.search(lowered)
    if at:
        clock = _clock(at[1])
        lowered = lowered[: at.start()]
    relative = {"today": 0, "tomorrow": 1, "yesterday": -1}.get(lowered.strip())
    if relative is not None:
        return today + timedelta(days=relative), clock
    try:
        moment = date_parser.parse(lowered, default=datetime.combine(today, time()))
    except (ValueError, OverflowError):
        return None
    has_time = (
        clock is None and (moment.hour or moment.minute) and re.search(r"\d[:.]\d|[ap]m\b", lowered)
    )
    return moment.date(), clock or (moment.strftime("%H:%M") if has_time else None)


def read(text: str, today: date) -> Due:
    text = " ".join(text.split())
    if not text:
        return Due()
    lowered = _ALIASES.get(text.lower(), text.lower())
    every = re.match(r"^(every!?|ev!?)\s+(.+)$", lowered)
    if every is None:
        fixed = _fixed(text, today)
        if fixed is None:
            return Due(note=f"date {text!r} not understood: imported without a due date")
        return Due(day=fixed[0], time=fixed[1])
    completion = every[1].endswith("!")
    phrase, clock = every[2], None
    at = _AT.search(phrase)
    if at:
        clock = _clock(at[1])
        phrase = phrase[: at.start()]
    rule = _rule(phrase.strip())
    if rule is not None and completion:
        try:
            recurrence.check(rule, "completion")  # from completion: FREQ and INTERVAL alone
        except recurrence.RuleError:
            rule = None
    if rule is None:
        return Due(
            day=today,
            time=clock,
            note=f"repeat {text!r} has no equivalent here: imported as due today, not repeating",
        )
    return Due(
        day=_first(rule, today),
        time=clock,
        repeat=rule,
        repeat_from="completion" if completion else "due",
    )
