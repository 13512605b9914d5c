"""The hours API: `api/hours.json`, every channel's regular hours and the next 90 days as instants.

Clients read it instead of re-implementing holidays, notices and daylight
saving.  Shape (keys are sorted in the file):

    {"name", "base_url", "timezone", "languages", "generated_at",
     "departments": [{"id", "name": {lang: text}, "description", "timezone",
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
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from ..model import Build, Channel, Department, Interval, Text, WeeklyHours
from ..schedule import ALL_DAY, HOLIDAY, NOTICE, DayHours, days_from
from . import Output

PATH = "api/hours.json"
DAYS_AHEAD = 90
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def render_hours_api(build: Build) -> Output:
    """Return `api/hours.json`: the site's departments, channels, weekly hours and next 90 days."""
    site = build.site
    document = {
        "name": site.name,
        "base_url": site.base_url,
        "timezone": site.timezone,
        "languages": list(site.languages),
        "generated_at": build.now.isoformat(),
        "departments": [_department(build, department) for department in site.departments],
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    return Output(PATH, text.encode("utf-8"))


def _department(build: Build, department: Department) -> dict:
    """Return one department with its channels."""
    languages = build.site.languages
    return {
        "id": department.id,
        "name": _by_language(department.name, languages),
        "description": _by_language(department.description, languages),
        "timezone": department.timezone,
        "channels": [_channel(build, department, channel) for channel in department.channels],
    }


def _channel(build: Build, department: Department, channel: Channel) -> dict:
    """Return one channel: how to reach it, its regular hours and its next days."""
    response = channel.response_time
    first = build.now.astimezone(ZoneInfo(department.timezone)).date()
    days = days_from(department, channel, first, DAYS_AHEAD, build.holidays, build.overrides)
    return {
        "id": channel.id,
        "type": channel.type,
        "name": _by_language(channel.name, build.site.languages),
        "contact": channel.contact,
        "response_time": None if response is None else {
            "text": response.text, "low": response.low, "high": response.high},
        "hours": _weekly(channel.hours),
        "days": [_day(hours, build.site.languages) for hours in days],
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
