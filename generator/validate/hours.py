"""hours.yaml: departments, their channels and the weekly hours of each channel."""

from __future__ import annotations

import re

from generator.model import CHANNEL_TYPES, Channel, Department, Interval, WeeklyHours
from generator.read.yaml_nodes import Map, Node, Scalar, Seq
from generator.validate.day_selectors import english_selector
from generator.validate.durations import DASHES, parse_response_time
from generator.validate.fields import (
    Problems,
    UniqueIds,
    check_keys,
    did_you_mean,
    expect_id,
    expect_list,
    expect_localised,
    expect_map,
    expect_text,
    quote_list,
    url_host_problem,
)
from generator.validate.phones import undialable_abroad
from generator.validate.site import Subdivisions, country_subdivisions, expect_timezone, validate_holidays

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GROUPS = {"daily": tuple(range(7)), "weekdays": tuple(range(5)), "weekends": (5, 6)}
HOLIDAYS = "holidays"
SELECTOR_WORDS = DAYS + tuple(GROUPS) + (HOLIDAYS, "mon-fri", "mon-sat", "sat-sun")
TIME = re.compile(r"^(\d{1,2})(?:(?::|h)(\d{1,2})?)?$")
NEXT_DAY = re.compile(r"\s*\+\s*1$")   # `22:00-06:00+1`: the end is on the next day, as timetables write it
# An interval past midnight that starts in the daytime and lasts longer than this is
# more likely a mistyped end (`09:00-7:00` for 19:00) than a shift (see suspicious_interval).
DAYTIME = (6 * 60, 18 * 60)
LONG_SHIFT = 16 * 60


def parse_time(text: str, is_end: bool) -> tuple[int | None, str | None]:
    """Read `9`, `9h`, `9h30`, `09:00` or `24:00` (as an end) into minutes after midnight."""
    found = TIME.match(text.strip())
    if not found:
        return None, f"'{text.strip()}' is not a time of day: write HH:MM, e.g. 09:00"
    hours = int(found[1])
    minutes = int(found[2]) if found[2] else 0
    if found[2] is not None and len(found[2]) != 2:
        return None, f"'{text.strip()}' is not a time of day: write minutes with two digits"
    if minutes > 59:
        return None, f"{text.strip()} is not a time of day: minutes run from 00 to 59"
    if hours == 24 and minutes == 0 and is_end:
        return 1440, None
    if hours > 23:
        return None, f"{text.strip()} is not a time of day: hours run from 00 to 23 (24:00 may end an interval)"
    return hours * 60 + minutes, None


def parse_interval(text: str) -> tuple[Interval | None, str | None, str | None]:
    """Read `HH:MM-HH:MM` into an Interval; an end before its start runs past midnight. Returns (interval, error, hint)."""
    parts = DASHES.split(text.strip())
    if len(parts) != 2:
        if len(parts) == 1 and TIME.match(parts[0]):
            return None, f"'{text}' is a time, not an interval", "write start and end, e.g. 09:00-18:00"
        return None, f"'{text}' is not an interval", "write HH:MM-HH:MM, e.g. 09:00-12:00, or 'closed'"
    next_day = NEXT_DAY.search(parts[1])
    start, error = parse_time(parts[0], is_end=False)
    if error:
        return None, error, None
    end, error = parse_time(parts[1][:next_day.start()] if next_day else parts[1], is_end=True)
    if error:
        return None, error, None
    if next_day and end > start:
        return None, f"'+1' marks an end on the next day, but {text.strip()} ends after it starts on the same day", \
            "remove '+1'"
    if end == start and not next_day:
        return None, f"the interval {text.strip()} is empty: it starts and ends at the same time", \
            "write 24h for a whole day, or 'closed'"
    if end <= start:
        end += 1440
    return Interval(start, end), None, None


def suspicious_interval(interval: Interval, text: str) -> tuple[str, str] | None:
    """Return (warning, hint) for an interval past midnight that starts in the daytime and lasts over 16 hours.

    `09:00-7:00` is far more often 09:00-19:00 mistyped than a 22-hour shift; an end
    marked `+1` says that the next day is meant, and is never suspicious.
    """
    length = interval.end - interval.start
    if NEXT_DAY.search(text) or interval.end <= 1440 or length <= LONG_SHIFT:
        return None
    if not DAYTIME[0] <= interval.start < DAYTIME[1]:
        return None
    written = text.strip()
    hours = f"{length // 60} hours" + (f" {length % 60} minutes" if length % 60 else "")
    message = f"{written} runs past midnight and lasts {hours}"
    marked = f"{'-'.join(DASHES.split(written))}+1 if it is meant to end the next day"
    meant = interval.end - 1440 + 720      # the end read as afternoon or evening: 7:00 -> 19:00
    if meant <= 1440:
        return message, f"did you mean {Interval(interval.start, meant).label()}? Write {marked}"
    return message, f"write {marked}"


def parse_hours_value(node: Node, problems: Problems) -> tuple[Interval, ...] | None:
    """Read one selector's value: `closed`, `24h`, one interval or a list of them."""
    items = node.items if isinstance(node, Seq) else (node,)
    if isinstance(node, Seq) and not node.items:
        problems.error(node, "the list of intervals is empty", "write 'closed' for a closed day")
        return None
    intervals: list[tuple[Interval, Scalar]] = []
    ok = True
    for item in items:
        if not isinstance(item, Scalar) or item.is_null:
            problems.error(item, "hours must be an interval such as 09:00-18:00, 'closed' or '24h'")
            ok = False
            continue
        word = item.text.strip().lower()
        if word in ("closed", "24h"):
            if len(items) > 1:
                problems.error(item, f"'{word}' cannot be combined with other intervals")
                ok = False
            elif word == "24h":
                return (Interval(0, 1440),)
            else:
                return ()
            continue
        if item.plain and word in ("off", "no", "false", "fechado", "cerrado"):
            problems.error(item, f"'{item.text}' is not a value for hours", "write 'closed'")
            ok = False
            continue
        interval, error, hint = parse_interval(item.text)
        if error:
            problems.error(item, error, hint)
            ok = False
            continue
        suspicious = suspicious_interval(interval, item.text)
        if suspicious:
            problems.warning(item, *suspicious)
        intervals.append((interval, item))
    intervals.sort(key=lambda pair: pair[0])
    for (first, _), (second, node_b) in zip(intervals, intervals[1:]):
        if second.start < first.end:
            problems.error(node_b, f"the intervals {first.label()} and {second.label()} overlap",
                           "merge them into one interval")
            ok = False
    return tuple(i for i, _ in intervals) if ok else None


def parse_selector(key: Scalar, problems: Problems) -> tuple[int | str, ...] | None:
    """Read a selector such as `mon-fri`, `mon,wed,fri`, `weekends` or `holidays` into day numbers."""
    days: list[int | str] = []
    for part in key.text.lower().split(","):
        part = part.strip()
        if part in GROUPS:
            days += GROUPS[part]
        elif part == HOLIDAYS:
            days.append(HOLIDAYS)
        elif part in DAYS:
            days.append(DAYS.index(part))
        elif "-" in part and all(p.strip() in DAYS for p in part.split("-", 1)):
            first, last = (DAYS.index(p.strip()) for p in part.split("-", 1))
            if last < first:
                problems.error(key, f"the day range '{part}' runs backwards", f"write '{DAYS[last]}-{DAYS[first]}'")
                return None
            days += range(first, last + 1)
        else:
            english = english_selector(key.text, SELECTOR_WORDS)
            hint = (f"did you mean '{english}'? Days are written as the English mon … sun" if english else
                    did_you_mean(part, SELECTOR_WORDS)
                    or "use mon … sun, a range (mon-fri), a list (mon,wed,fri), daily, weekdays, weekends or holidays")
            problems.error(key, f"unknown day selector '{part}'", hint)
            return None
    return tuple(days)


def check_past_midnight(days: list[tuple[Interval, ...]], lines: list[Node | None], problems: Problems) -> None:
    """Report a day whose hours overlap the part past midnight of the day before."""
    for today in range(7):
        yesterday = (today - 1) % 7
        for late in days[yesterday]:
            if late.end <= 1440:
                continue
            spill = late.end - 1440
            for interval in days[today]:
                if interval.start < spill:
                    problems.error(
                        lines[today],
                        f"{DAY_NAMES[today]}'s {interval.label()} overlaps {DAY_NAMES[yesterday]}'s {late.label()}, "
                        "which runs past midnight",
                        "end the night interval at 24:00 or start the morning later",
                    )


def name_days(days: list[int | str]) -> str:
    """Return days in words: 'Friday', 'Monday to Friday', 'Monday, Wednesday and public holidays'."""
    numbers = sorted(d for d in days if d != HOLIDAYS)
    names = [DAY_NAMES[d] for d in numbers]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        names = [f"{DAY_NAMES[numbers[0]]} to {DAY_NAMES[numbers[-1]]}"]
    names += ["public holidays"] * (HOLIDAYS in days)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def report_days_twice(key: Scalar, twice: dict[Scalar, list[int | str]], problems: Problems) -> None:
    """Report, once for the selector `key`, every day that an earlier selector already gave."""
    if len(twice) == 1:
        ((earlier, repeated),) = twice.items()
        verb = "is" if len(repeated) == 1 else "are"
        problems.error(key, f"{name_days(repeated)} {verb} given by both '{earlier.text}' (line {earlier.line}) "
                            f"and '{key.text}'", "name each day in one selector only")
        return
    given = ", ".join(f"{name_days(repeated)} by '{earlier.text}' (line {earlier.line})"
                      for earlier, repeated in sorted(twice.items(), key=lambda pair: pair[0].line))
    problems.error(key, f"'{key.text}' names days already given: {given}", "name each day in one selector only")


def validate_weekly_hours(node: Node, problems: Problems) -> WeeklyHours | None:
    """Read a channel's `hours`: `24/7`, or a mapping of selectors to hours."""
    if isinstance(node, Scalar) and node.text.strip().lower() == "24/7":
        whole = (Interval(0, 1440),)
        return WeeklyHours(days=(whole,) * 7, holidays=whole, always=True)
    if isinstance(node, Scalar) and not node.is_null:
        problems.error(node, f"hours must be '24/7' or a mapping of days to hours, not '{node.text}'",
                       "for example:  mon-fri: 09:00-18:00")
        return None
    mapping = expect_map(node, problems, "hours")
    if mapping is None:
        return None
    days: list[tuple[Interval, ...]] = [()] * 7
    holiday_hours: tuple[Interval, ...] = ()
    given_by: dict[int | str, Scalar] = {}
    lines: list[Node | None] = [None] * 7
    ok = True
    for key, value in mapping.pairs:
        selected = parse_selector(key, problems)
        intervals = parse_hours_value(value, problems)
        if selected is None or intervals is None:
            ok = False
            continue
        twice: dict[Scalar, list[int | str]] = {}   # earlier selector -> the days this one names again
        for day in selected:
            if day in given_by:
                twice.setdefault(given_by[day], []).append(day)
                continue
            given_by[day] = key
            if day == HOLIDAYS:
                holiday_hours = intervals
            else:
                days[day] = intervals
                lines[day] = value
        if twice:
            report_days_twice(key, twice, problems)
            ok = False
    if not ok:
        return None
    check_past_midnight(days, lines, problems)
    return WeeklyHours(days=tuple(days), holidays=holiday_hours)


def validate_contact(node: Node, kind: str, problems: Problems, country: str | None = None) -> str | None:
    """Check a contact by channel type: a phone number (`country` for undialable_abroad), an e-mail or web address."""
    contact = expect_text(node, problems, "contact")
    if contact is None:
        return None
    if kind in ("phone", "whatsapp"):
        digits = re.sub(r"\D", "", contact)
        if not 3 <= len(digits) <= 15 or re.search(r"[^\d\s()+.\-]", contact):
            problems.error(node, f"'{contact}' is not a phone number", "write it as people dial it, e.g. +55 13 3500-0000")
            return None
        if (undialable := undialable_abroad(contact, country, kind == "whatsapp")) is not None:
            problems.warning(node, *undialable)
    elif kind == "email":
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact):
            problems.error(node, f"'{contact}' is not an e-mail address", "for example suporte@example.net")
            return None
    elif kind in ("chat", "helpdesk"):
        if not re.match(r"^https?://[^\s/]+", contact):
            problems.error(node, f"a {kind} contact must be a web address, not '{contact}'",
                           "for example https://chat.example.net/")
            return None
        if (bad_host := url_host_problem(contact)) is not None:
            problems.error(node, *bad_host)
            return None
    return contact


def validate_channel(node: Node, problems: Problems, languages, country: str | None = None) -> Channel | None:
    """Read one channel of a department (`country`: its holidays', for validate_contact)."""
    mapping = expect_map(node, problems, "a channel")
    if mapping is None:
        return None
    check_keys(mapping, problems, "a channel", ("id", "type", "hours"), ("contact", "response_time", "name"))
    channel_id = expect_id(mapping.get("id"), problems, "a channel id") if mapping.get("id") else None
    kind = None
    if (value := mapping.get("type")) is not None and (text := expect_text(value, problems, "type")):
        if text in CHANNEL_TYPES:
            kind = text
        else:
            problems.error(value, f"unknown channel type '{text}'",
                           did_you_mean(text, CHANNEL_TYPES) or f"use {quote_list(CHANNEL_TYPES)}")
    contact = None
    if mapping.get("contact") is not None and kind:
        contact = validate_contact(mapping.get("contact"), kind, problems, country)
    elif mapping.get("contact") is None and channel_id:
        problems.warning(mapping, f"the channel '{channel_id}' has no contact",
                         "add contact: a phone number, e-mail address or web address")
    hours = validate_weekly_hours(mapping.get("hours"), problems) if mapping.get("hours") is not None else None
    response = parse_response_time(mapping.get("response_time"), problems) if mapping.get("response_time") else None
    name = expect_localised(mapping.get("name"), problems, "a channel's name", languages, one_line=True) \
        if mapping.get("name") is not None else None
    if None in (channel_id, kind, hours):
        return None
    return Channel(channel_id, kind, contact, hours, response, name)


def validate_department(node: Node, problems: Problems, site_zone: str, languages,
                        subdivisions: Subdivisions = country_subdivisions, country=None) -> Department | None:
    """Read one department and its channels; `holidays:` as site.yaml's (validate_holidays, `subdivisions` as there),
    whose country, else the site's (`country`), guesses where its phone numbers are."""
    mapping = expect_map(node, problems, "a department")
    if mapping is None:
        return None
    check_keys(mapping, problems, "a department", ("id", "name", "channels"), ("timezone", "description", "holidays"))
    dept_id = expect_id(mapping.get("id"), problems, "a department id") if mapping.get("id") else None
    name = expect_localised(mapping.get("name"), problems, "a department's name", languages, one_line=True) \
        if mapping.get("name") is not None else None
    zone = site_zone
    if mapping.get("timezone") is not None:
        zone = expect_timezone(mapping.get("timezone"), problems, "timezone")
    description = expect_localised(mapping.get("description"), problems, "description", languages) \
        if mapping.get("description") is not None else None
    # Its own holidays replace the site's whole ({}: none at all); absent, it follows the site's.
    holidays = validate_holidays(mapping.get("holidays"), problems, languages, subdivisions) \
        if mapping.get("holidays") is not None else None
    country = holidays.country if holidays is not None and holidays.country else country
    channels: list[Channel] = []
    ids = UniqueIds("channel")
    if (value := mapping.get("channels")) is not None and (seq := expect_list(value, problems, "channels")):
        if not seq.items:
            problems.error(seq, "a department needs at least one channel")
        for item in seq.items:
            channel = validate_channel(item, problems, languages, country)
            if channel is None:
                continue
            if ids.take(item.get("id") if isinstance(item, Map) else item, channel.id, item.line, problems):
                channels.append(channel)
    if None in (dept_id, name, zone) or not channels or (mapping.get("holidays") is not None and holidays is None):
        return None
    return Department(dept_id, name, zone, tuple(channels), description, holidays)


def validate_departments(root: Node | None, problems: Problems, site_zone: str, languages,
                         faulty: list[str] | None = None, subdivisions: Subdivisions = country_subdivisions,
                         country: str | None = None) -> tuple[Department, ...]:
    """Read hours.yaml into departments, reporting duplicate ids; add to `faulty` the id of each department
    that holds an error (itself or one of its channels), so that notices do not report it again; `subdivisions`
    answers for the holidays package (validate_holidays); `country` is site.yaml's holiday country."""
    mapping = expect_map(root, problems, "hours.yaml")
    if mapping is None:
        return ()
    check_keys(mapping, problems, "hours.yaml", ("departments",), ())
    value = mapping.get("departments")
    seq = expect_list(value, problems, "departments") if value is not None else None
    if seq is None:
        return ()
    departments: list[Department] = []
    ids = UniqueIds("department")
    for item in seq.items:
        before = problems.count()
        department = validate_department(item, problems, site_zone, languages, subdivisions, country)
        if problems.count() > before and faulty is not None and isinstance(item, Map) \
                and isinstance(written := item.get("id"), Scalar) and not written.is_null:
            faulty.append(written.text.strip())
        if department is not None and ids.take(item.get("id") if isinstance(item, Map) else item, department.id,
                                               item.line, problems):
            departments.append(department)
    if not seq.items:
        problems.error(seq, "there are no departments", "add at least one department with its channels")
    return tuple(departments)
