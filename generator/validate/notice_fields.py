"""A notice's front matter, field by field: dates and ranges, type, language, departments, supersedes, revision."""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import get_day_names

from generator.model import NOTICE_TYPES, SiteSettings
from generator.read.yaml_nodes import Map, Node, Scalar, Seq
from generator.validate.dates import parse_date, parse_datetime, swapped_date_hint
from generator.validate.fields import Problems, did_you_mean, expect_list, expect_text, quote_list
from generator.validate.numbers import whole_number
from generator.validate.site import babel_locale

SUPPORTED_TYPES = NOTICE_TYPES
RANGE = re.compile(r"^\s*(\S+)\s*\.\.\s*(\S+)\s*$")
SHORT_RANGE_DAYS = 62   # a range of two months or less is what a notice's period or change plainly means
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_phrase(day: date, lang: str) -> str:
    """Return e.g. 'a Sunday (domingo)': the English name, then the name in the notice's language."""
    english = WEEKDAYS_EN[day.weekday()]
    if lang.split("-")[0] == "en":
        return f"a {english}"
    local = get_day_names("wide", locale=babel_locale(lang))[day.weekday()]
    return f"a {english} ({local})"


def read_day(node: Node, problems: Problems, what: str) -> date | None:
    """Read one YYYY-MM-DD date at its node, saying why a date does not exist."""
    text = expect_text(node, problems, what)
    if text is None:
        return None
    day, error = parse_date(text)
    if error:
        problems.error(node, error, swapped_date_hint(text))
    return day


def read_range(node: Node, problems: Problems, what: str) -> tuple[date, date] | None:
    """Read `YYYY-MM-DD..YYYY-MM-DD`, reporting a reversed range."""
    text = expect_text(node, problems, what)
    if text is None:
        return None
    found = RANGE.match(text)
    if not found:
        problems.error(node, f"'{text}' is not a range of dates", "write FIRST..LAST, e.g. 2017-10-19..2017-10-21")
        return None
    first, error_first = parse_date(found[1])
    last, error_last = parse_date(found[2])
    for error, end in ((error_first, found[1]), (error_last, found[2])):
        if error:
            problems.error(node, error, swapped_date_hint(end))
    if first is None or last is None:
        return None
    if last < first:
        problems.error(node, f"the range {text.strip()} runs backwards", backwards_range_hint(first, last))
        return None
    return first, last


def backwards_range_hint(first: date, last: date) -> str:
    """Return what a range from `first` back to `last` most likely meant: the two ends swapped, or, when that is the
    shorter range, the end's month and day after the start (`2026-12-24..2026-01-01`: the year not moved on at New
    Year); both when neither is short (two months or less) and so neither is clearly meant."""
    swapped = f"{last.isoformat()}..{first.isoformat()}"
    try:
        onwards = last.replace(year=first.year)
        if onwards < first:
            onwards = last.replace(year=first.year + 1)
    except ValueError:                                   # 29 February in a year without it
        return f"write {swapped}"
    across = f"{first.isoformat()}..{onwards.isoformat()}"
    swapped_days, across_days = (first - last).days, (onwards - first).days
    if min(swapped_days, across_days) > SHORT_RANGE_DAYS:
        return f"write {swapped}, or {across} if it runs into {onwards.year}"
    return f"write {swapped}" if swapped_days <= across_days else f"did you mean {across}?"


def file_date_problem(named: date, published: date, file_name: str) -> tuple[str, str] | None:
    """Return (warning, hint) when the date a notice's `file_name` starts with (`named`) and its front matter's date
    (`published`) disagree as a slip does: day and month swapped in one of them, or more than a month apart (a
    notice copied from another, its date updated and not its name); None when they agree or lie within a month.

    The file name's date is the day `new` publishes it, and part of the notice's address for good: a notice
    drafted a few days ahead, or put off, keeps its name, and is not warned about."""
    if named == published:
        return None
    rename = f"rename the file {published.isoformat()}{file_name[10:]}"
    redate = f"write date: {named.isoformat()}"
    if published.day <= 12 and published.replace(month=published.day, day=published.month) == named:
        return (f"the file name's date {named.isoformat()} is the notice's date {published.isoformat()} with day and "
                "month swapped", f"correct the one that is wrong: {rename}, or {redate}")
    if abs((published - named).days) > 31:
        return (f"the file name says {named.isoformat()} but the notice's date is {published.isoformat()}",
                f"{rename} (its address changes), or {redate} if the file name is right")
    return None


def read_instant(node: Node | None, problems: Problems, what: str, zone: str) -> datetime | None:
    """Read `YYYY-MM-DD HH:MM` (in `zone` unless an offset is written) at its node; None when absent or wrong."""
    if node is None:
        return None
    text = expect_text(node, problems, what)
    if text is None:
        return None
    value, error = parse_datetime(text, zone)
    if error:
        problems.error(node, error, swapped_date_hint(text))
    return value


def read_language(node: Node | None, problems: Problems, settings: SiteSettings) -> str:
    """Return the notice's language: `lang` when it is one of the site's, else the site's first."""
    if node is not None and (text := expect_text(node, problems, "lang")):
        if text in settings.languages:
            return text
        problems.error(node, f"'{text}' is not one of the site's languages",
                       did_you_mean(text, settings.languages)
                       or f"the site's languages are {quote_list(settings.languages, 'and')}")
    return settings.default_language


def read_type(front: Map, problems: Problems) -> str | None:
    """Return the notice's type: `type`, else 'hours' with changes and 'info' without; None when unknown."""
    node = front.get("type")
    if node is None:
        return "hours" if front.get("changes") is not None else "info"
    text = expect_text(node, problems, "type")
    if text in SUPPORTED_TYPES:
        return text
    if text is not None:
        problems.error(node, f"unknown notice type '{text}'",
                       did_you_mean(text, SUPPORTED_TYPES) or f"use {quote_list(SUPPORTED_TYPES)}")
    return None


def _items(node: Node, problems: Problems, what: str) -> tuple[Node, ...]:
    """Return a list's items; one value alone counts as a list of one."""
    if isinstance(node, Scalar):
        return (node,)
    return (expect_list(node, problems, what) or Seq(0, 0, ())).items


def read_departments(node: Node | None, problems: Problems, kind: str | None,
                     departments: tuple[str, ...], faulty: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """Return the ids of the departments a notice concerns (all of them when absent); None when wrong, or when
    one of them is among the `faulty` ones of hours.yaml and was left out there (its error is reported there)."""
    if node is None:
        # Incidents and maintenance concern components, not the contact hours of departments.
        return () if kind in ("incident", "maintenance") else departments
    items = _items(node, problems, "departments")
    chosen: list[str] = []
    missing = False
    for item in items:
        text = expect_text(item, problems, "a department")
        if text is None:
            continue
        if text not in departments and text in faulty:
            missing = True
        elif text not in departments:
            problems.error(item, f"unknown department '{text}'",
                           did_you_mean(text, departments) or f"departments are {quote_list(departments, 'and')}")
        elif text in chosen:
            problems.error(item, f"the department '{text}' is listed twice")
        else:
            chosen.append(text)
    if not items:
        problems.error(node, "departments is empty", "remove it to mean every department")
    return tuple(chosen) if chosen and not missing else None


def read_supersedes(node: Node | None, problems: Problems, own: str, slugs: frozenset[str]) -> tuple[str, ...]:
    """Return the slugs of the notices this one (`own`) replaces, each one of `slugs`."""
    if node is None:
        return ()
    targets = []
    for item in _items(node, problems, "supersedes"):
        target = expect_text(item, problems, "supersedes")
        if target is None:
            continue
        target = target.removesuffix(".md").rsplit("/", 1)[-1]
        if target == own:
            problems.error(item, "a notice cannot supersede itself")
        elif target not in slugs:
            problems.error(item, f"supersedes names '{target}', which is not a notice",
                           did_you_mean(target, sorted(slugs)) or "name another notice's file without .md")
        else:
            targets.append(target)
    return tuple(targets)


def read_revision(node: Node | None, problems: Problems) -> int:
    """Return the revision written in the front matter (0 when absent or wrong)."""
    if node is None:
        return 0
    text = expect_text(node, problems, "revision")
    number = whole_number(text) if text is not None else None
    if number is None:
        problems.error(node, "revision must be a whole number, such as 2")
        return 0
    return number
