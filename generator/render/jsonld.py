"""schema.org JSON-LD for the contact-hours page: an Organization and its ContactPoints.

Hours are OpeningHoursSpecification objects as Google reads them: wall-clock local
times "HH:MM:SS", open all day as 00:00-23:59, closed all day as opens = closes =
00:00; an interval past midnight is split at midnight. The closed or changed days of
the coming weeks (public holidays, notices) are extra specifications with
validFrom/validThrough.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from generator.model import Build, Channel, Department, Interval
from generator.schedule import hours as schedule
from generator.schedule.timeline import SPECIAL_DAYS

# schema.org's DayOfWeek members, Monday first like date.weekday(): vocabulary, not words of a language.
SCHEMA_DAYS = tuple(f"https://schema.org/{day}" for day in (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))


def organization(build: Build, lang: str) -> dict:
    """Return the site's Organization with one ContactPoint per department and channel."""
    site = build.site
    points = [contact_point(build, department, channel, lang)
              for department in site.departments for channel in department.channels]
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": site.name,
        "url": site.base_url,
        "contactPoint": points,
    }


def contact_point(build: Build, department: Department, channel: Channel, lang: str) -> dict:
    """Return a channel's ContactPoint: contact by type, languages and hours (regular, then special days)."""
    point: dict = {"@type": "ContactPoint", "contactType": department.name.get(lang)}
    if channel.name is not None:
        point["name"] = channel.name.get(lang)
    contact = (channel.contact or "").strip()
    if contact:
        if channel.type in ("phone", "whatsapp"):
            point["telephone"] = contact
        elif channel.type == "email":
            point["email"] = contact
        elif contact.startswith(("https://", "http://")):
            point["url"] = contact
    point["availableLanguage"] = list(build.site.languages)
    point["hoursAvailable"] = regular_hours(channel) + special_days(build, department, channel)
    return point


def regular_hours(channel: Channel) -> list[dict]:
    """Return the weekly hours, one specification per distinct (opens, closes), days in week order."""
    week = [schedule.ALL_DAY] * 7 if channel.hours.always else list(channel.hours.days)
    by_times: dict[tuple[str, str], list[int]] = {}
    for weekday, intervals in enumerate(week):
        for offset, opens, closes in split_at_midnight(intervals):
            by_times.setdefault((opens, closes), []).append((weekday + offset) % 7)
    specs = []
    for (opens, closes), days in by_times.items():
        names = [SCHEMA_DAYS[day] for day in sorted(set(days))]
        specs.append({"@type": "OpeningHoursSpecification", "dayOfWeek": names if len(names) > 1 else names[0],
                      "opens": opens, "closes": closes})
    return specs


def special_days(build: Build, department: Department, channel: Channel) -> list[dict]:
    """Return the closed or changed days of the next SPECIAL_DAYS days, consecutive equal days joined."""
    first = build.now.astimezone(ZoneInfo(department.timezone)).date()
    days = schedule.days_from(department, channel, first, SPECIAL_DAYS, build.holidays_of(department), build.overrides)
    regular = [schedule.ALL_DAY] * 7 if channel.hours.always else list(channel.hours.days)
    runs: list[tuple[date, date, tuple[Interval, ...]]] = []
    for hours in days:
        intervals = tuple(sorted(hours.intervals))
        if hours.reason == schedule.REGULAR or intervals == tuple(sorted(regular[hours.day.weekday()])):
            continue
        if runs and runs[-1][1] + timedelta(1) == hours.day and runs[-1][2] == intervals:
            runs[-1] = (runs[-1][0], hours.day, intervals)
        else:
            runs.append((hours.day, hours.day, intervals))
    specs = []
    for start, end, intervals in runs:
        if not intervals:
            specs.append(_dated(start, end, "00:00:00", "00:00:00"))
        for offset, opens, closes in split_at_midnight(intervals):
            specs.append(_dated(start + timedelta(offset), end + timedelta(offset), opens, closes))
    return specs


def split_at_midnight(intervals: tuple[Interval, ...]) -> list[tuple[int, str, str]]:
    """Return (days after the interval's own day, opens, closes) pieces that each stay within a day."""
    pieces = []
    for interval in intervals:
        start, end = interval.start, interval.end
        while start < end:
            day, rest = divmod(start, 1440)
            piece_end = min(end, (day + 1) * 1440)
            pieces.append((day, _clock(rest), _clock(piece_end - day * 1440)))
            start = piece_end
    return pieces


def _clock(minutes: int) -> str:
    """Return minutes after midnight as 'HH:MM:00'; the end of the day is 23:59 as Google reads it."""
    if minutes >= 1440:
        return "23:59:00"
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _dated(first: date, last: date, opens: str, closes: str) -> dict:
    """Return a specification valid from `first` through `last` only."""
    return {"@type": "OpeningHoursSpecification", "opens": opens, "closes": closes,
            "validFrom": first.isoformat(), "validThrough": last.isoformat()}


def script_json(data: object) -> str:
    """Return JSON safe inside a <script> element: sorted keys, and no '<', '>' or '&' as such."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
