"""Local wall times in iCalendar: the instant a wall time means, how to write it, and VTIMEZONEs.

RFC 5545 reads a DTSTART with a TZID as a wall time in that zone; around a
daylight-saving change some wall times happen twice and some never.  These
functions find the instant a schedule means by a wall time (`wall_instant`),
write an instant so that clients read the same one back (`as_written`), and
build the VTIMEZONE of a zone over the dates a calendar uses, from zoneinfo's
own transitions (`make_timezone`): icalendar's `Timezone.from_tzinfo` writes a
DAYLIGHT onset in the wrong offset (the post-transition wall time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard


def wall_instant(zone: ZoneInfo, wall: datetime, last: bool) -> datetime:
    """Return the UTC instant when the local clock shows `wall`: its first or `last` occurrence; a skipped time maps to the jump."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if _wall(first, zone) == wall:
        return second if last and _wall(second, zone) == wall else first
    # Skipped: fold=0 reads the wall time in the offset before the jump, fold=1 in the one after,
    # so the jump lies between the two readings.
    return _first_change(zone, second, first)


def as_written(instant: datetime, zone: ZoneInfo) -> datetime:
    """Return the instant in `zone` when RFC 5545 reads that wall time back as the same instant, else in UTC."""
    local = instant.astimezone(zone)
    if local.replace(fold=0).astimezone(UTC) == instant:
        return local.replace(fold=0)
    return instant.astimezone(UTC)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def make_timezone(name: str, first: date, last: date) -> Timezone:
    """Return a VTIMEZONE for `name` valid from `first` to `last`, from zoneinfo's transitions (timezone_parts)."""
    vtimezone = Timezone()
    vtimezone.add("tzid", name)
    for kind, properties in timezone_parts(name, first, last):
        part = kind()
        for prop, value in properties:
            part.add(prop, value)
        vtimezone.add_component(part)
    return vtimezone


def timezone_parts(name: str, first: date, last: date
                   ) -> tuple[tuple[type[TimezoneDaylight | TimezoneStandard], tuple[tuple[str, object], ...]], ...]:
    """Return the observances of a VTIMEZONE for `name` from `first` to `last`: each one's kind and properties.

    Each observance's DTSTART is the wall time just before its onset, in
    TZOFFSETFROM (RFC 5545 3.6.5): Brazil's 2017-10-15 DAYLIGHT starts at
    00:00, Lisbon's March change at 01:00 and its October one at 02:00.
    """
    zone = ZoneInfo(name)
    # A day of margin before, and two after for hours that run past midnight.
    begin = first - timedelta(1)
    end = wall_instant(zone, datetime.combine(last + timedelta(2), time()), last=False)
    while True:
        start = wall_instant(zone, datetime.combine(begin, time()), last=False)
        offset = start.astimezone(zone).utcoffset()
        # The first observance: the offset in force at the start, as if it began then.
        observances = [(start + offset, offset, offset, start)]
        for moment, before, after in _transitions(zone, start, end):
            observances.append((moment + before, before, after, moment))
        # Outlook wants a STANDARD part: reach back past the last change to standard time.
        if any(not moment.astimezone(zone).dst() for *_, moment in observances) or first - begin > timedelta(1100):
            break
        begin -= timedelta(180)
    parts = []
    for wall, before, after, moment in observances:
        local = moment.astimezone(zone)
        properties = (("dtstart", wall.replace(tzinfo=None)), ("tzoffsetfrom", before), ("tzoffsetto", after))
        if local.tzname():
            properties += (("tzname", local.tzname()),)
        parts.append((TimezoneDaylight if local.dst() else TimezoneStandard, properties))
    return tuple(parts)


def _transitions(zone: ZoneInfo, start: datetime, end: datetime):
    """Yield (UTC instant, offset before, offset after) for each offset change in [start, end)."""
    here, before = start, start.astimezone(zone).utcoffset()
    while here < end:
        # No zone has changed its offset twice within a day since the 1940s.
        there = min(here + timedelta(days=1), end)
        after = there.astimezone(zone).utcoffset()
        if after != before:
            yield _first_change(zone, here, there), before, after
        here, before = there, after


def _first_change(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """Return the first whole second in (low, high] whose UTC offset differs from the one at `low`."""
    before = low.astimezone(zone).utcoffset()
    low, high = low.replace(microsecond=0), high.replace(microsecond=0)
    while high - low > timedelta(seconds=1):
        middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high
