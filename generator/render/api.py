"""The hours API: `api/hours.json`, every channel's regular hours and the next 90 days as instants.

Clients read it instead of re-implementing holidays, notices and daylight
saving.  Shape (keys are sorted in the file):

    {"name", "base_url", "timezone", "languages", "generated_at",
     "departments": [{"id", "name": {lang: text}, "description", "timezone",
        "holidays": {"country", "subdivision", "own", "keeps_none"},
        "channels": [{"id", "type", "name", "contact",
            "response_time": {"text", "low", "high"} | null,   # minutes
            "hours": {"mon".."sun", "holidays": [{"start": "09:00", "end": "12:00"}], "always"},
            "days": [{"date", "open": [{"start", "end"}], "reason",
                      "holiday" (reason "holiday"), "notice" and "note" (reason "notice")}]}]}]}

Regular hours are local wall-clock times as written: an `end` not after its
`start` means the next day ("22:00"-"02:00"), and "24:00" is midnight at the
end of the day.  A 24/7 channel lists 00:00-24:00 on every day and holiday.
In `days`, dates are local to the department's zone and start on the local
date of the build's "now"; `open` gives ISO 8601 instants with their offsets,
so a daylight-saving change shows as a change of offset.  Names are objects
from each site language to its text, so that clients choose.

A department's `holidays` says whose public holidays its `days` follow: the
`holidays` package's `country` and `subdivision` (null: none), `own` when
hours.yaml gives the department its own `holidays:` (else it follows
site.yaml's), and `keeps_none` when it keeps no holiday at all (no country and
no closures), so that no day of it is ever a holiday.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.model import Build, Channel, Department, HolidayRules, Interval, Output, Text, WeeklyHours
from generator.render import urls
from generator.schedule.hours import ALL_DAY, HOLIDAY, NOTICE, DayHours, days_from
from generator.schedule.timeline import HOURS_API_DAYS

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INDENT = "  "
# Strings, numbers, booleans and null exactly as json.dumps(..., ensure_ascii=False) writes them.
_SCALARS = json.JSONEncoder(ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class _Written:
    """A value already written by `_dumps` (at nesting level 0), to be placed as it is."""

    text: str


def render_hours_api(build: Build) -> Output:
    """Return `api/hours.json`: the site's departments, channels, weekly hours and next 90 days."""
    site = build.site
    written: dict = {}
    document = {
        "name": site.name,
        "base_url": site.base_url,
        "timezone": site.timezone,
        "languages": list(site.languages),
        "generated_at": build.now.isoformat(),
        "departments": [_department(build, department, written) for department in site.departments],
    }
    return Output(urls.hours_api(), (_dumps(document) + "\n").encode("utf-8"))


def _dumps(value) -> str:
    """Return `value` as json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2) writes it.

    json's C encoder does not indent, so with `indent` json falls back to its
    pure-Python encoder, a generator per nested value: that was most of the time
    spent on a large site's file.  This writes the same text by appending to one
    list, leaves every string and number to json, and places a `_Written` value
    (the days that many channels share) without writing it again.
    """
    parts: list[str] = []
    _write(value, "\n", parts)
    return "".join(parts)


def _write(value, newline: str, parts: list[str]) -> None:
    """Append `value` to `parts`; `newline` is a line break and the indentation of the line `value` starts on."""
    if isinstance(value, str):
        parts.append(_SCALARS.encode(value))
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + INDENT
        separator = "{" + inner
        for key in sorted(value):
            if not isinstance(key, str):
                raise TypeError(f"keys must be strings, not {type(key).__name__}: {key!r}")
            parts.append(separator)
            parts.append(_SCALARS.encode(key))
            parts.append(": ")
            _write(value[key], inner, parts)
            separator = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + INDENT
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _write(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "]")
    elif isinstance(value, _Written):
        # Written at level 0: each of its line breaks takes this level's indentation.
        # JSON strings escape their line breaks, so every "\n" in it is between lines.
        parts.append(value.text.replace("\n", newline))
    else:
        parts.append(_SCALARS.encode(value))


def _department(build: Build, department: Department, written: dict) -> dict:
    """Return one department with its channels; `written` keeps the days already written, by what they show."""
    languages = build.site.languages
    return {
        "id": department.id,
        "name": _by_language(department.name, languages),
        "description": _by_language(department.description, languages),
        "timezone": department.timezone,
        # Its own `holidays:` replace the site's for it (Build.holidays_of follows the same rule).
        "holidays": _holidays(build.site.holiday_rules if department.holidays is None else department.holidays,
                              own=department.holidays is not None),
        "channels": [_channel(build, department, channel, written) for channel in department.channels],
    }


def _holidays(rules: HolidayRules | None, own: bool) -> dict:
    """Return which holidays a department keeps, from the rules that apply to it (None: the site has none)."""
    if rules is None:
        return {"country": None, "subdivision": None, "own": own, "keeps_none": True}
    return {"country": rules.country, "subdivision": rules.subdivision, "own": own,
            "keeps_none": not (rules.country or rules.yearly or rules.dated)}


def _channel(build: Build, department: Department, channel: Channel, written: dict) -> dict:
    """Return one channel: how to reach it, its regular hours and its next days."""
    response = channel.response_time
    first = build.now.astimezone(ZoneInfo(department.timezone)).date()
    days = days_from(department, channel, first, HOURS_API_DAYS, build.holidays_of(department), build.overrides)
    # Channels with the same hours in one zone show the same days: write them once.
    # A day's spans follow from its zone, date and intervals, so the key leaves them out.
    key = (department.timezone, tuple((h.day, h.intervals, h.reason, h.holiday, h.notice, h.note) for h in days))
    if key not in written:
        written[key] = _Written(_dumps([_day(hours, build.site.languages) for hours in days]))
    return {
        "id": channel.id,
        "type": channel.type,
        "name": _by_language(channel.name, build.site.languages),
        "contact": channel.contact,
        "response_time": None if response is None else {
            "text": response.text, "low": response.low, "high": response.high},
        "hours": _weekly(channel.hours),
        "days": written[key],
    }


def _weekly(hours: WeeklyHours) -> dict:
    """Return the regular hours by weekday key, the holiday hours and the 24/7 flag."""
    days = (ALL_DAY,) * 7 if hours.always else hours.days
    weekly = {key: _wall_times(intervals) for key, intervals in zip(WEEKDAY_KEYS, days)}
    weekly["holidays"] = _wall_times(ALL_DAY if hours.always else hours.holidays)
    weekly["always"] = hours.always
    return weekly


def _day(hours: DayHours, languages: tuple[str, ...]) -> dict:
    """Return one local day: its openings as instants and why they apply."""
    entry = {
        "date": hours.day.isoformat(),
        "open": [{"start": span.start.isoformat(), "end": span.end.isoformat()} for span in hours.spans],
        "reason": hours.reason,
    }
    if hours.reason == HOLIDAY:
        entry["holiday"] = _by_language(hours.holiday, languages)
    if hours.reason == NOTICE:
        entry["notice"] = hours.notice
        if hours.note is not None:
            entry["note"] = _by_language(hours.note, languages)
    return entry


def _wall_times(intervals: tuple[Interval, ...]) -> list[dict]:
    """Return intervals as local clock times, in order."""
    return [{"start": _clock(i.start), "end": _clock(i.end if i.end == 1440 else i.end % 1440)}
            for i in sorted(intervals)]


def _clock(minutes: int) -> str:
    """Return minutes after midnight as `HH:MM` (1440 is `24:00`)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _by_language(text: Text | None, languages: tuple[str, ...]) -> dict | None:
    """Return a text as an object from each site language to its wording."""
    if text is None:
        return None
    return {lang: text.get(lang) for lang in languages}
