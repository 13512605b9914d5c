"""Reading dates and times written in sources, with messages that say what is wrong."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from generator.limits import year_problem

MONTHS_EN = tuple(calendar.month_name)  # English is fixed in messages; index 1..12
DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DATETIME_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def describe_bad_date(text: str, year: int, month: int, day: int) -> str:
    """Return why year-month-day is not a date: `2017-09-31 does not exist: September 2017 has 30 days`."""
    if not 1 <= month <= 12:
        return f"{text} does not exist: there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    return f"{text} does not exist: {MONTHS_EN[month]} {year} has {days} days"


# The date part of a written date or date and time, its year left out for a closure's MM-DD: "2026-31-12 10:00".
_DATE_PART = re.compile(r"^(\s*(?:\d{4}-)?)(\d{1,2})-(\d{1,2})(?!\d)")


def swapped_date_hint(text: str) -> str | None:
    """Return `did you mean 2026-12-31?` for a written date (YYYY-MM-DD, maybe with a time, or MM-DD) that does not
    exist as written but does with its month and day swapped, the mistake of one used to day/month; else None."""
    found = _DATE_PART.match(text)
    if not found:
        return None
    year = int(found[1].strip(" -") or 2024)     # MM-DD: a leap year, in which every day of a closure exists
    month, day = int(found[2]), int(found[3])
    try:
        date(year, month, day)
        return None                              # it exists as written: what is wrong lies elsewhere
    except ValueError:
        pass
    try:
        date(year, day, month)
    except ValueError:
        return None
    return f"did you mean {found[1].strip()}{found[3]}-{found[2]}{text[found.end():].rstrip()}?"


def parse_date(text: str) -> tuple[date | None, str | None]:
    """Parse YYYY-MM-DD; return (date, None) or (None, message)."""
    found = DATE_TEXT.match(text.strip())
    if not found:
        return None, f"'{text}' is not a date: write YYYY-MM-DD"
    year, month, day = int(found[1]), int(found[2]), int(found[3])
    if year_problem(year):
        return None, year_problem(year)
    try:
        return date(year, month, day), None
    except ValueError:
        return None, describe_bad_date(text.strip(), year, month, day)


def parse_datetime(text: str, zone: str) -> tuple[datetime | None, str | None]:
    """Parse `YYYY-MM-DD[ HH:MM[:SS]][offset]` as an aware datetime, in `zone` unless an offset is written."""
    found = DATETIME_TEXT.match(text.strip())
    if not found:
        return None, f"'{text}' is not a date and time: write YYYY-MM-DD HH:MM"
    year, month, day = int(found[1]), int(found[2]), int(found[3])
    if year_problem(year):
        return None, year_problem(year)
    try:
        day_value = date(year, month, day)
    except ValueError:
        return None, describe_bad_date(f"{found[1]}-{found[2]}-{found[3]}", year, month, day)
    hour, minute, second = int(found[4] or 0), int(found[5] or 0), int(found[6] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None, f"{found[4]}:{found[5]} is not a time of day"
    offset = found[7]
    if offset is None:
        tz = ZoneInfo(zone)
    elif offset == "Z":
        tz = UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime.combine(day_value, time(hour, minute, second), tz), None
