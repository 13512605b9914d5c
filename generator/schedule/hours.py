"""Pure time logic: effective hours per day, public holidays, daylight-saving changes.

What applies on a day (`day_hours`): a notice's override for that channel and
day, else the hours for public holidays (all day for a 24/7 channel), else the
regular hours of the weekday.  The holiday's name is kept whenever the day is a
holiday, also when a notice overrides it.

When a channel is open: at an instant, take the local wall-clock time in the
department's zone.  The channel is open iff that wall time lies inside
[start, end) of an interval of its day, or inside the part past midnight of an
interval of an earlier day (an `end` above 1440 runs into the next day; ends
up to 48 hours after midnight are supported).  Nothing else is needed to handle
daylight-saving changes, and `spans` are exactly the instants that rule opens:

* a wall time that does not exist (spring forward; Brazil's clocks jumped from
  00:00 to 01:00 on 2017-10-15) maps to the instant where the clock jumps, so
  00:00-08:00 that day opens at 01:00-02:00, and an interval lying wholly
  inside the skipped hour opens never (it has no span);
* a wall time that happens twice (2018-02-17 23:00-24:00 in Sao Paulo) is
  covered both times when the interval contains it: the span starts at the
  first occurrence of `start` and ends at the second occurrence of `end`.
  When the repeated hour cuts an interval's edge (22:00-23:30 that night), the
  interval is open during each pass through its wall times and closed in
  between, so it yields two spans.

Spans of one day are not merged; `merge_spans` joins touching ones (24:00 of
one day and 00:00 of the next are not a change of state).  Compare span
instants in UTC: Python compares two datetimes that share a tzinfo by their
wall times and ignores `fold`, and `==` between zones is always False for a
time in the repeated hour (PEP 495).

Holiday names: one call to the `holidays` package per site language, always
with `language=` (its default depends on the environment), in the country's
supported language closest to the site's (exact, else the same base language,
else the country's default).  Only the public category counts.  A company
closure on a public holiday keeps both names, joined by "; " as the `holidays`
package joins two holidays on one day (public holiday first, then yearly
closures, then dated ones; repeated names once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

from generator.model import Channel, Department, HolidayCalendar, HolidayRules, Interval, Override, Text, WeeklyHours
from generator.schedule.timeline import HOURS_PAGE_DAYS
from generator.schedule.zones import offset_at, offset_changes

REGULAR, HOLIDAY, NOTICE = "regular", "holiday", "notice"

ALL_DAY = (Interval(0, 1440),)
NAME_SEPARATOR = "; "
# How many days an interval may reach past its own day (end <= 1440 * REACH_DAYS).
REACH_DAYS = 2
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Span:
    """An opening as instants, aware of the department's time zone."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class DayHours:
    """The hours that apply on one day: those that start on it, as written and as instants."""

    day: date
    intervals: tuple[Interval, ...]
    spans: tuple[Span, ...]
    reason: str                     # REGULAR, HOLIDAY or NOTICE
    holiday: Text | None = None     # the holiday's name, also when a notice overrides it
    notice: str | None = None       # slug of the notice that sets the hours
    note: Text | None = None


# --- Holidays ---------------------------------------------------------------

def build_holiday_calendar(rules: HolidayRules | None, years: range, languages: tuple[str, ...],
                           public: Callable[[HolidayRules, range, tuple[str, ...]], Mapping[date, Text]] | None = None
                           ) -> HolidayCalendar:
    """Return the public holidays and closures of `years`, named in each of `languages` (the public ones from
    `public`, by default public_holidays: holiday_answers.py hands in those kept between builds)."""
    if not languages:
        raise ValueError("a holiday calendar needs at least one language")
    names: dict[date, list[Text]] = {}
    if rules is not None and rules.country and len(years):
        for day, text in (public or public_holidays)(rules, years, languages).items():
            names.setdefault(day, []).append(text)
    if rules is not None:
        for year in years:
            for month, day_of_month, text in rules.yearly:
                try:
                    day = date(year, month, day_of_month)
                except ValueError:   # 29 February outside leap years
                    continue
                names.setdefault(day, []).append(text)
        for day, text in rules.dated:
            if day.year in years:
                names.setdefault(day, []).append(text)
    days = {day: _join_names(names[day], languages) for day in sorted(names)}
    return HolidayCalendar(MappingProxyType(days))


def department_holiday_calendars(departments: tuple[Department, ...], years: range, languages: tuple[str, ...],
                                 public: Callable[[HolidayRules, range, tuple[str, ...]], Mapping[date, Text]] | None
                                 = None) -> Mapping[str, HolidayCalendar]:
    """Return, by department id, the calendar of each department whose own `holidays:` replace the site's
    (build_holiday_calendar of its rules); a department that follows the site's is not in it."""
    made: dict[HolidayRules, HolidayCalendar] = {}
    for department in departments:
        if department.holidays is not None and department.holidays not in made:
            made[department.holidays] = build_holiday_calendar(department.holidays, years, languages, public)
    return MappingProxyType({d.id: made[d.holidays] for d in departments if d.holidays is not None})


def holiday_language(lang: str, supported: tuple[str, ...], default: str | None) -> str | None:
    """Return the `holidays` language closest to a site language tag such as `pt-BR`."""
    wanted = lang.replace("-", "_")
    for candidate in supported:
        if candidate.lower() == wanted.lower():
            return candidate
    base = wanted.split("_")[0].lower()
    same_base = sorted(c for c in supported if c.split("_")[0].lower() == base)
    if default in same_base:
        return default
    if same_base:
        return same_base[0]
    return default


def public_holidays(rules: HolidayRules, years: range, languages: tuple[str, ...]) -> dict[date, Text]:
    """Return the country's public holidays by date, one name per site language (asks the holidays package)."""
    # Imported here: the package loads every country it knows (see validate.validate_holidays).
    import holidays as holidays_lib

    # The probe only tells the country's languages (and checks country and
    # subdivision); with no years it names nothing, so its language is moot.
    probe = holidays_lib.country_holidays(rules.country, subdiv=rules.subdivision, years=[],
                                          language=None, categories=(holidays_lib.PUBLIC,))
    supported = tuple(probe.supported_languages)
    by_language: dict[str, Mapping[date, str]] = {}
    for lang in languages:
        chosen = holiday_language(lang, supported, probe.default_language)
        by_language[lang] = holidays_lib.country_holidays(
            rules.country, subdiv=rules.subdivision, years=list(years),
            language=chosen, categories=(holidays_lib.PUBLIC,))
    every_day = sorted(set().union(*(set(found) for found in by_language.values())))
    return {day: Text(tuple((lang, by_language[lang].get(day, "")) for lang in languages))
            for day in every_day}


def _join_names(texts: list[Text], languages: tuple[str, ...]) -> Text:
    """Return one Text per site language joining the names of everything on one day."""
    values = []
    for lang in languages:
        parts: list[str] = []
        for text in texts:
            name = text.get(lang)
            if name and name not in parts:
                parts.append(name)
        values.append((lang, NAME_SEPARATOR.join(parts)))
    return Text(tuple(values))


# --- What applies on a day --------------------------------------------------

def day_hours(department: Department, channel: Channel, day: date, holidays: HolidayCalendar,
              overrides: Mapping = {}) -> DayHours:
    """Return what applies to a channel on one local day: a notice, else a holiday, else the week."""
    zone = ZoneInfo(department.timezone)
    return _with_spans(zone, day, *_applicable(department, channel, day, holidays, overrides))


def days_from(department: Department, channel: Channel, first: date, count: int,
              holidays: HolidayCalendar, overrides: Mapping = {}) -> tuple[DayHours, ...]:
    """Return `count` consecutive local days of a channel's hours, starting on `first`."""
    zone = ZoneInfo(department.timezone)
    days = (first + timedelta(n) for n in range(count))
    return tuple(_with_spans(zone, day, *_applicable(department, channel, day, holidays, overrides)) for day in days)


def is_open(department: Department, channel: Channel, instant: datetime, holidays: HolidayCalendar,
            overrides: Mapping = {}) -> bool:
    """Tell whether a channel is open at an aware instant (the wall-clock rule above)."""
    _require_aware(instant)
    wall = instant.astimezone(ZoneInfo(department.timezone)).replace(tzinfo=None, fold=0)
    for back in range(REACH_DAYS + 1):
        day = wall.date() - timedelta(back)
        midnight = datetime.combine(day, time())
        intervals = _applicable(department, channel, day, holidays, overrides)[0]
        for interval in intervals:
            if midnight + timedelta(minutes=interval.start) <= wall < midnight + timedelta(minutes=interval.end):
                return True
    return False


def next_transition(department: Department, channel: Channel, instant: datetime, holidays: HolidayCalendar,
                    overrides: Mapping = {}, horizon_days: int = HOURS_PAGE_DAYS) -> datetime | None:
    """Return the next instant after `instant` when the channel opens or closes, or None within the horizon."""
    _require_aware(instant)
    zone = ZoneInfo(department.timezone)
    local_day = instant.astimezone(zone).date()
    # Start early enough to see every span that covers `instant`, and end late
    # enough that a span merged with one outside the range ends past the horizon.
    first = local_day - timedelta(REACH_DAYS)
    days = days_from(department, channel, first, REACH_DAYS + horizon_days + 3, holidays, overrides)
    # Compare in UTC: two datetimes sharing a tzinfo compare by wall time, fold ignored.
    now = instant.astimezone(UTC)
    limit = now + timedelta(days=horizon_days)
    for span in merge_spans(s for d in days for s in d.spans):
        start, end = span.start.astimezone(UTC), span.end.astimezone(UTC)
        if end <= now:
            continue
        flip = start if start > now else end
        return flip.astimezone(zone) if flip <= limit else None
    return None


def merge_spans(spans) -> tuple[Span, ...]:
    """Return spans sorted by instant and joined where they overlap or touch."""
    # Datetimes sharing a tzinfo compare by wall time, fold ignored: compare instants in UTC,
    # each converted once.  The sort is stable, so equal instants keep their order.
    utc = UTC
    keyed = sorted(((span.start.astimezone(utc), span.end.astimezone(utc), span) for span in spans),
                   key=lambda item: (item[0], item[1]))
    merged: list[Span] = []
    merged_end = None    # merged[-1].end in UTC
    for start, end, span in keyed:
        if merged and start <= merged_end:
            if end > merged_end:
                merged[-1], merged_end = Span(merged[-1].start, span.end), end
        else:
            merged.append(span)
            merged_end = end
    return tuple(merged)


def weekly_summary(hours: WeeklyHours) -> tuple[tuple[tuple[int, ...], tuple[Interval, ...]], ...]:
    """Return runs of consecutive weekdays (0 = Monday) with equal hours, in week order."""
    if hours.always:
        return ((tuple(range(7)), ALL_DAY),)
    groups: list[tuple[list[int], tuple[Interval, ...]]] = []
    for weekday, intervals in enumerate(hours.days):
        intervals = tuple(sorted(intervals))
        if groups and groups[-1][1] == intervals:
            groups[-1][0].append(weekday)
        else:
            groups.append(([weekday], intervals))
    return tuple((tuple(days), intervals) for days, intervals in groups)


def usual_intervals(channel: Channel, day: date, holidays: HolidayCalendar) -> tuple[Interval, ...]:
    """Return a channel's hours on a local day as if no notice changed them: its holiday hours on a holiday of
    `holidays` (the department's), else the weekday's; all day for a 24/7 channel."""
    hours = channel.hours
    if hours.always:
        return ALL_DAY
    return tuple(hours.holidays) if holidays.name(day) is not None else tuple(hours.days[day.weekday()])


def _applicable(department: Department, channel: Channel, day: date, holidays: HolidayCalendar,
                overrides: Mapping) -> tuple[tuple[Interval, ...], str, Text | None, str | None, Text | None]:
    """Return the day's intervals, reason, holiday, notice and note: an override, else a holiday, else the weekday."""
    name = holidays.name(day)
    override: Override | None = overrides.get((department.id, channel.id, day))
    if override is not None:
        return tuple(override.intervals), NOTICE, name, override.notice, override.note
    hours = channel.hours
    if name is not None:
        return ALL_DAY if hours.always else tuple(hours.holidays), HOLIDAY, name, None, None
    return ALL_DAY if hours.always else tuple(hours.days[day.weekday()]), REGULAR, None, None, None


# --- From wall-clock intervals to instants ----------------------------------

# Channels that share a zone and hours have the same days, and every page asks
# again for the days it shows: each day is made once.  A DayHours is immutable
# and its spans follow from the zone, date and intervals alone, so sharing one
# changes no result; the zone is part of the key, so the spans carry the very
# tzinfo the caller passed.
@lru_cache(maxsize=65536)
def _with_spans(zone: ZoneInfo, day: date, intervals: tuple[Interval, ...], reason: str, holiday: Text | None,
                notice: str | None, note: Text | None) -> DayHours:
    """Return one day's hours with the instants its intervals open, in `zone`."""
    return DayHours(day, intervals, _spans(zone, day, intervals), reason, holiday, notice, note)


def _spans(zone: ZoneInfo, day: date, intervals: tuple[Interval, ...]) -> tuple[Span, ...]:
    """Return the instants that the intervals of local day `day` open, in `zone`."""
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    spans: list[Span] = []
    for interval in intervals:
        wall_start = midnight + timedelta(minutes=interval.start)
        wall_end = midnight + timedelta(minutes=interval.end)
        spans.extend(Span(start.astimezone(zone), end.astimezone(zone))
                     for start, end in _preimage(zone, wall_start, wall_end))
    return tuple(spans)


def _preimage(zone: ZoneInfo, wall_start: datetime, wall_end: datetime) -> list[tuple[datetime, datetime]]:
    """Return the UTC ranges whose local wall time lies in [wall_start, wall_end).

    Wall times are passed as UTC datetimes with the wall clock's digits.  Between
    two offset changes the offset is constant, so the wanted instants there are
    [wall_start - offset, wall_end - offset) clipped to that stretch.  No offset
    is a day or more from UTC, so the changes that matter lie within a day of
    the wall times.
    """
    lo, hi = wall_start - _ONE_DAY, wall_end + _ONE_DAY
    cuts = [lo, *offset_changes(zone, lo, hi), hi]
    ranges: list[tuple[datetime, datetime]] = []
    for piece_start, piece_end in zip(cuts, cuts[1:]):
        offset = offset_at(zone, piece_start)
        start = max(wall_start - offset, piece_start)
        end = min(wall_end - offset, piece_end)
        if start < end:
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
    return ranges


def _require_aware(instant: datetime) -> None:
    """Refuse a naive datetime, which names no instant."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant.isoformat()} has no time zone; pass an aware datetime")
