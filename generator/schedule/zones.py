"""When a time zone changes its UTC offset, found once per zone and UTC day.

zoneinfo keeps a zone's transitions to itself, so they are found by asking for
the offset at every whole UTC hour and, in an hour whose two ends differ,
bisecting to the second where it changes.  No zone has changed its offset twice
within an hour since the 1940s; two changes within one day do happen, which is
why a day is not judged by its two ends alone.

The hours probed are whole UTC hours, so what is found in a day does not depend
on the range a caller asks about.  Each (zone, UTC day) is therefore probed once
per process and the answer kept: the caches hold pure functions of immutable
arguments (a ZoneInfo hashes by identity and is never changed), so they make
calls faster without changing any result.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_PROBE = timedelta(hours=1)
_PROBES_PER_DAY = 24
_ONE_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)


def in_zone(now: datetime, zone_name: str) -> datetime:
    """Return `now` as an aware time in the zone `zone_name`: a naive one is a wall time there (never in the
    machine's zone), an aware one the same instant converted."""
    zone = ZoneInfo(zone_name)
    return now.replace(tzinfo=zone) if now.tzinfo is None else now.astimezone(zone)


def offset_at(zone: ZoneInfo, instant: datetime) -> timedelta:
    """Return the UTC offset of `zone` at an aware instant."""
    return instant.astimezone(zone).utcoffset()


def offset_changes(zone: ZoneInfo, low: datetime, high: datetime) -> tuple[datetime, ...]:
    """Return the UTC instants strictly between aware `low` and `high` where `zone` changes offset, in order."""
    low, high = low.astimezone(UTC), high.astimezone(UTC)
    # A UTC day holds the changes in (its midnight, the next midnight]: start on
    # the day of `low` and stop at the first day starting at or after `high`.
    day = low.date()
    changes: list[datetime] = []
    while datetime.combine(day, time(), tzinfo=UTC) < high:
        changes.extend(change for change in _changes_in_utc_day(zone, day) if low < change < high)
        day += _ONE_DAY
    return tuple(changes)


@lru_cache(maxsize=16384)
def _changes_in_utc_day(zone: ZoneInfo, day: date) -> tuple[datetime, ...]:
    """Return the UTC instants in (midnight, next midnight] of UTC day `day` where `zone` changes offset."""
    here = datetime.combine(day, time(), tzinfo=UTC)
    before = offset_at(zone, here)
    changes = []
    for _ in range(_PROBES_PER_DAY):
        there = here + _PROBE
        after = offset_at(zone, there)
        if after != before:
            changes.append(_bisect_change(zone, here, there, before))
        here, before = there, after
    return tuple(changes)


def _bisect_change(zone: ZoneInfo, low: datetime, high: datetime, before: timedelta) -> datetime:
    """Return the first second in (low, high] whose offset differs from `before`."""
    while high - low > _ONE_SECOND:
        middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
        if offset_at(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high
