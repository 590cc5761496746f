"""Repeating tasks: the API's subset of RFC 5545 RRULE, read and checked, and the next
occurrence of a rule (python-dateutil's rrule does the calendar work). Pure functions.

The subset: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY, INTERVAL, BYDAY (an ordinal such as 2MO or -1FR
only under MONTHLY), BYMONTHDAY (1..31, -1), BYMONTH, COUNT and UNTIL (a date). A rule
repeating from completion takes FREQ and INTERVAL alone.
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, weekday
from dateutil.rrule import weekdays as _WEEKDAYS

RULE_MAX = 200
RepeatFrom = Literal["due", "completion"]

_FREQUENCIES: dict[str, Literal[0, 1, 2, 3]] = {
    "YEARLY": YEARLY,
    "MONTHLY": MONTHLY,
    "WEEKLY": WEEKLY,
    "DAILY": DAILY,
}
# One unit of each frequency, to add INTERVAL of them (repeating from completion).
_UNITS = {
    "DAILY": relativedelta(days=1),
    "WEEKLY": relativedelta(weeks=1),
    "MONTHLY": relativedelta(months=1),
    "YEARLY": relativedelta(years=1),
}
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?)([1-5]?)(MO|TU|WE|TH|FR|SA|SU)$")
_NUMBER = re.compile(r"^[1-9][0-9]{0,3}$")
_UNTIL = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL")


class RuleError(ValueError):
    """A rule outside the subset; the message names the part."""


@dataclass(frozen=True, slots=True)
class Rule:
    freq: str
    interval: int = 1
    byday: tuple[weekday, ...] = ()
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    count: int | None = None
    until: date | None = None


def _numbers(
    part: str, value: str, low: int, high: int, negative_ok: bool = False
) -> tuple[int, ...]:
    numbers: list[int] = []
    for item in value.split(","):
        sign = -1 if negative_ok and item.startswith("-") else 1
        digits = item[1:] if sign < 0 else item
        if (
            not _NUMBER.match(digits)
            or not low <= int(digits) <= high
            or (sign < 0 and int(digits) != 1)
        ):
            allowed = f"{low}..{high}" + (" or -1" if negative_ok else "")
            raise RuleError(f"{part}: {item!r} is not one of {allowed}")
        numbers.append(sign * int(digits))
    return tuple(numbers)


def _weekdays(value: str, monthly: bool) -> tuple[weekday, ...]:
    days: list[weekday] = []
    for item in value.split(","):
        match = _BYDAY.match(item)
        if match is None:
            raise RuleError(f"BYDAY: {item!r} is not a day (MO..SU, with an ordinal like 2MO)")
        sign, ordinal, day = match.groups()
        if ordinal and not monthly:
            raise RuleError(f"BYDAY: an ordinal ({item!r}) is allowed only with FREQ=MONTHLY")
        if sign and not ordinal:
            raise RuleError(f"BYDAY: {item!r} has a sign but no ordinal")
        weekday_ = _WEEKDAYS[_DAYS.index(day)]
        days.append(weekday_(int(ordinal) * (-1 if sign == "-" else 1)) if ordinal else weekday_)
    return tuple(days)


def _until(value: str) -> date:
    match = _UNTIL.match(value)
    try:
        if match is None:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise RuleError(f"UNTIL: {value!r} is not a date as YYYYMMDD") from None


def parse(text: str, repeat_from: RepeatFrom = "due") -> Rule:
    """The rule `text` spells (`FREQ=WEEKLY;BYDAY=MO,FR`), or a RuleError naming the part."""
    parts: dict[str, str] = {}
    for item in text.split(";"):
        name, sep, value = item.partition("=")
        if not sep or not value:
            raise RuleError(f"{item!r} is not NAME=VALUE")
        if name not in _PARTS:
            raise RuleError(f"{name}: not supported (use {', '.join(_PARTS)})")
        if name in parts:
            raise RuleError(f"{name}: given twice")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise RuleError("FREQ: missing")
    if freq not in _FREQUENCIES:
        raise RuleError(f"FREQ: {freq!r} is not one of DAILY, WEEKLY, MONTHLY, YEARLY")
    if repeat_from == "completion":
        extra = sorted(set(parts) - {"FREQ", "INTERVAL"})
        if extra:
            raise RuleError(
                f"{extra[0]}: not allowed with repeat_from completion (FREQ, INTERVAL only)"
            )
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("COUNT: not allowed together with UNTIL")
    rule = Rule(
        freq=freq,
        interval=_numbers("INTERVAL", parts["INTERVAL"], 1, 999)[0] if "INTERVAL" in parts else 1,
        byday=_weekdays(parts["BYDAY"], freq == "MONTHLY") if "BYDAY" in parts else (),
        bymonthday=_numbers("BYMONTHDAY", parts["BYMONTHDAY"], 1, 31, negative_ok=True)
        if "BYMONTHDAY" in parts
        else (),
        bymonth=_numbers("BYMONTH", parts["BYMONTH"], 1, 12) if "BYMONTH" in parts else (),
        count=_numbers("COUNT", parts["COUNT"], 1, 999)[0] if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
    )
    if rule.bymonth and rule.bymonthday and not _some_day_exists(rule):
        raise RuleError("BYMONTHDAY: no such day in the months of BYMONTH")
    return rule


def _some_day_exists(rule: Rule) -> bool:
    # A rule that matches no day would make the search for its next occurrence run to year
    # 9999; February counts its 29th (leap years).
    longest = {month: monthrange(2024, month)[1] for month in rule.bymonth}
    return any(day <= longest[month] for month in rule.bymonth for day in rule.bymonthday)


def check(text: str, repeat_from: RepeatFrom = "due") -> str:
    """`text` if it is a rule of the subset (a RuleError otherwise)."""
    parse(text, repeat_from)
    return text


def _occurrences(rule: Rule, due: date, after: date) -> rrule:
    """The rule's occurrences from a start in the same phase as `due` but at most a period
    before `after`: a task completed long after its due date does not make the search walk
    every occurrence in between. The days rrule would take from its start (the month day, the
    month, the weekday) are given from `due` explicitly, so that the later start changes none."""
    byweekday: Any = rule.byday or None
    bymonthday: Any = rule.bymonthday or None
    bymonth: Any = rule.bymonth or None
    start = due
    if rule.freq == "DAILY":
        start = due + timedelta(days=(after - due).days // rule.interval * rule.interval)
    elif rule.freq == "WEEKLY":
        byweekday = byweekday or (due.weekday(),)
        start = due + timedelta(weeks=(after - due).days // 7 // rule.interval * rule.interval)
    elif rule.freq == "MONTHLY":
        if not byweekday:
            bymonthday = bymonthday or (due.day,)
        months = (after.year - due.year) * 12 + after.month - due.month
        start = due.replace(day=1) + relativedelta(months=months // rule.interval * rule.interval)
    else:
        if not byweekday and not bymonthday:
            bymonthday = (due.day,)
        if not bymonth and not byweekday:
            bymonth = (due.month,)
        years = (after.year - due.year) // rule.interval * rule.interval
        start = due.replace(month=1, day=1) + relativedelta(years=years)
    return rrule(
        _FREQUENCIES[rule.freq],
        dtstart=datetime.combine(start, time()),
        interval=rule.interval,
        byweekday=byweekday,
        bymonthday=bymonthday,
        bymonth=bymonth,
        until=datetime.combine(rule.until, time()) if rule.until else None,
        cache=False,
    )


def next_due(
    text: str, repeat_from: RepeatFrom, due: date, completed_on: date, done: int
) -> date | None:
    """The due date after completing an occurrence of the rule `text` due on `due` on the day
    `completed_on`, `done` occurrences having been completed before; None when the rule is
    used up (COUNT reached or UNTIL passed), or would go past the calendar's end (year 9999)."""
    rule = parse(text, repeat_from)
    if rule.count is not None and done + 1 >= rule.count:
        return None
    try:
        if repeat_from == "completion":
            found = completed_on + _UNITS[rule.freq] * rule.interval
        else:
            # COUNT is kept by the caller (`done`); UNTIL bounds the search itself.
            after = max(due, completed_on)
            following = _occurrences(rule, due, after).after(
                datetime.combine(after, time()), inc=False
            )
            if following is None:
                return None
            found = following.date()
    except (ValueError, OverflowError):  # past year 9999
        return None
    if rule.until is not None and found > rule.until:
        return None
    return found
