"""Uptime arithmetic: local days, incident minutes, latency percentiles, the 90 bars and the windows.

Pure functions of their arguments; reading the probe's files is read/probe_files.py's job, which
this module tells which local days, parts of days and month files a build needs (`probe_window`).

A component's day is measured by the probe when the probe checked it that day
(uptime = successful checks / checks), else by the incidents that name it, as
Statuspage and Instatus publish it: major-outage minutes count fully,
partial-outage minutes at 30 %, degraded performance not at all, over the
minutes of the local day (23 or 25 hours when the clocks change; today only up
to now). A day with neither, and every day of a checked component the probe has
not checked yet, is "no data", never 100 % -- except for a component
without a check that declares `monitored_since`: its incidents are its only source
and people have published them since that day, so from then on a day without one
counts as operational (source "incidents", which the page marks as estimated).

The windows: "24h" is the 24 hours before now, "7d", "30d" and "90d" the last 7, 30
and 90 bars. Each sums the days with data that it overlaps: checks-weighted when all
of them were measured by the probe (successes / checks), else minutes-weighted (a
probe day counting its failed share of checks as lost minutes). Days without data
are left out rather than counted as up; a window without any data is None.

Latencies are kept in a histogram whose bins are 0.1 ms wide below 100 ms and
three significant figures above (1 ms up to 1 s, 10 ms up to 10 s, ...), so a
percentile is off by at most 0.05 ms or 0.5 %; bins of two files add up, which
lets a local day that spans two UTC month files be merged exactly.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from types import MappingProxyType
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from generator.model import ComponentUptime, DayCounts, Notice, ProbeHistory, Site, UptimeDay
from generator.schedule.timeline import STATUS_DAYS

# (name, days): "24h" is the 24 hours before now; the others are the last N local days, today up to now.
WINDOWS = (("24h", 0), ("7d", 7), ("30d", 30), ("90d", 90))
OUTAGE_WEIGHTS = {"major_outage": 1.0, "partial_outage": 0.3}


@dataclass(frozen=True, slots=True)
class LocalDay:
    """One calendar day in the site's time zone, as the UTC instants it starts and ends at."""

    day: date
    start: datetime
    end: datetime


def day_bounds(day: date, zone: ZoneInfo) -> LocalDay:
    """Return a local day with its UTC start and end; a midnight the clocks skip starts at the change."""
    # fold=0 reads a skipped midnight (Brazil's DST began at 00:00) with the offset before the
    # change, which lands on the instant of the change: the day starts when the clocks jump.
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(1), time(0), tzinfo=zone).astimezone(UTC)
    return LocalDay(day, start, end)


def local_days(zone: ZoneInfo, now: datetime, count: int = STATUS_DAYS) -> tuple[LocalDay, ...]:
    """Return the last `count` local days ending with today's date at `now`, oldest first."""
    today = now.astimezone(zone).date()
    return tuple(day_bounds(today - timedelta(back), zone) for back in range(count - 1, -1, -1))


def months_between(first: datetime, last: datetime) -> list[str]:
    """Return the UTC months from `first` to `last` as month files name them: 2026-11."""
    year, month, found = first.year, first.month, []
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def recent_segments(days: tuple[LocalDay, ...], now: datetime) -> list[tuple[date, datetime, datetime]]:
    """Return the parts of local days that make up today and the 24 hours before now, in order.

    The last part ends just after `now`'s second, so that a row written at now counts.
    """
    since = now - timedelta(hours=24)
    first = min(since, days[-1].start)
    points = sorted({first, since} | {d.start for d in days if first < d.start < now})
    end = now.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
    segments = []
    for begin, finish in zip(points, points[1:] + [end]):
        day = next(d.day for d in reversed(days) if d.start <= begin)
        segments.append((day, begin, finish))
    return segments


@dataclass(frozen=True, slots=True)
class ProbeWindow:
    """What a build at `now` needs of the probe's files: the 90 local `days`, the `segments` (parts of local
    days) that make up today and the 24 hours before now, the UTC `months` whose files hold them, and the
    `bounds` of every local day that a row of those months can fall on."""

    now: datetime
    days: tuple[LocalDay, ...]
    segments: tuple[tuple[date, datetime, datetime], ...]
    months: tuple[str, ...]
    recent_months: frozenset[str]
    bounds: Mapping[date, LocalDay]


def probe_window(zone: ZoneInfo, now: datetime) -> ProbeWindow:
    """Return the local days, segments and month files that the probe's history at `now` is counted in."""
    days = local_days(zone, now)
    segments = tuple(recent_segments(days, now))
    months = months_between(days[0].start.astimezone(UTC), now.astimezone(UTC))
    # A row of a month file lies within its UTC month, so on a local date from the day before the
    # month's first instant to the day after its last: those are all the days a file is counted in.
    first = datetime.fromisoformat(f"{months[0]}-01T00:00:00+00:00")
    year, month = map(int, months[-1].split("-"))
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    day, last = first.astimezone(zone).date() - timedelta(1), end.astimezone(zone).date() + timedelta(1)
    bounds = {}
    while day <= last:
        bounds[day] = day_bounds(day, zone)
        day += timedelta(1)
    recent = months_between(segments[0][1].astimezone(UTC), now.astimezone(UTC))
    return ProbeWindow(now, days, segments, tuple(months), frozenset(recent), MappingProxyType(bounds))


def bin_value(key: int) -> float:
    """Return the latency in milliseconds that a histogram bin stands for."""
    return key / 10


def percentiles(bins: Sequence[int], counts: Sequence[int], wanted: Sequence[int]) -> tuple[float | None, ...]:
    """Return nearest-rank percentiles of a histogram in milliseconds (None when it is empty)."""
    cumulative = list(accumulate(counts))
    total = cumulative[-1] if cumulative else 0
    if total == 0:
        return (None,) * len(wanted)
    # rank = ceil(percent / 100 * n), in integers so that no rounding moves it
    return tuple([bins[bisect_left(cumulative, max(1, -(-percent * total // 100)))] / 10 for percent in wanted])


def incident_windows(notices: Sequence[Notice], component: str,
                     now: datetime) -> tuple[tuple[datetime, datetime, float], ...]:
    """Return (start, end, weight) of each incident naming `component`, not withdrawn, up to `now`.

    An unresolved incident runs to now; weight is 1 for a major outage, 0.3 for a partial one, 0 otherwise.
    """
    found = []
    for notice in notices:
        if notice.type != "incident" or notice.cancelled:
            continue
        start = notice.start or notice.date
        end = min(notice.end, now) if notice.end is not None else now
        for cid, state in notice.components:
            if cid == component and start < end:
                found.append((start, end, OUTAGE_WEIGHTS.get(state, 0.0)))
    return tuple(sorted(found))


def overlaps(windows, start: datetime, end: datetime) -> bool:
    """Tell whether any incident window overlaps [start, end)."""
    return any(s < end and e > start for s, e, _ in windows)


def outage_minutes(windows, start: datetime, end: datetime) -> float:
    """Return the weighted outage minutes in [start, end); where incidents overlap, the heaviest counts."""
    clipped = [(max(s, start), min(e, end), w) for s, e, w in windows if s < end and e > start and w > 0]
    edges = sorted({t for s, e, _ in clipped for t in (s, e)})
    total = 0.0
    for left, right in zip(edges, edges[1:]):
        weight = max((w for s, e, w in clipped if s <= left and e >= right), default=0.0)
        total += weight * (right - left).total_seconds() / 60
    return total


def minutes(start: datetime, end: datetime) -> float:
    """Return the minutes between two instants (0 when end is not after start)."""
    return max(0.0, (end - start).total_seconds() / 60)


def measure_day(local: LocalDay, now: datetime, counts: DayCounts | None, windows, reported: bool = False) -> UptimeDay:
    """Return one bar: from the probe when it checked that day, else from incidents, else no data.

    With `reported` (incidents are the component's only source, and published since before
    that day), a day without an incident is a day the operator reported nothing: operational.
    """
    length = minutes(local.start, min(local.end, now))
    if counts is not None and counts.checks:
        failed_share = (counts.checks - counts.ok) / counts.checks
        p50, p95 = percentiles(counts.bins, counts.counts, (50, 95))
        return UptimeDay(local.day, counts.ok / counts.checks, "probe", counts.checks, counts.ok, counts.degraded,
                         p50, p95, failed_share * length)
    if length > 0 and overlaps(windows, local.start, min(local.end, now)):
        lost = outage_minutes(windows, local.start, min(local.end, now))
        return UptimeDay(local.day, 1 - lost / length, "incidents", outage_minutes=lost)
    if reported and length > 0:
        return UptimeDay(local.day, 1.0, "incidents", outage_minutes=0.0)
    return UptimeDay(local.day, None, "none")


def combine(parts: Sequence[tuple[str, float, float, int, int]]) -> float | None:
    """Return the uptime of a window from its parts with data: (source, minutes, lost minutes, checks, ok).

    Checks-weighted when every part was measured by the probe; minutes-weighted otherwise, a probe
    part counting its failed share of checks as lost minutes; None when no part has data.
    """
    if not parts:
        return None
    if all(source == "probe" for source, *_ in parts):
        return sum(p[4] for p in parts) / sum(p[3] for p in parts)
    total = sum(p[1] for p in parts)
    if total <= 0:
        return None
    return 1 - sum(p[2] for p in parts) / total


def window_days(bars: Sequence[UptimeDay], days: Sequence[LocalDay], now: datetime) -> list:
    """Return the parts with data of a run of bars, for `combine`."""
    parts = []
    for bar, local in zip(bars, days):
        if bar.source != "none":
            length = minutes(local.start, min(local.end, now))
            parts.append((bar.source, length, bar.outage_minutes, bar.checks, bar.ok))
    return parts


def window_24h(days: Sequence[LocalDay], bars: Sequence[UptimeDay], probe: ProbeHistory | None, windows,
               now: datetime) -> list:
    """Return the parts with data of the 24 hours before now, each local day clipped to them."""
    since = now - timedelta(hours=24)
    parts = []
    for local, bar in zip(days, bars):
        start, end = max(local.start, since), min(local.end, now)
        if start >= end:
            continue
        if bar.source == "probe":
            counts = probe.recent.get(local.day) if probe else None
            if counts is not None and counts.checks:
                share = (counts.checks - counts.ok) / counts.checks
                parts.append(("probe", minutes(start, end), share * minutes(start, end), counts.checks, counts.ok))
        elif bar.source == "incidents":
            parts.append(("incidents", minutes(start, end), outage_minutes(windows, start, end), 0, 0))
    return parts


def make_component_uptime(component: str, days: Sequence[LocalDay], probe: ProbeHistory | None,
                          notices: Sequence[Notice], now: datetime, since: date | None = None,
                          checked: bool = True) -> ComponentUptime:
    """Return a component's 90 bars, its 24 h / 7 d / 30 d / 90 d figures and its latest probe result.

    Days before `since` (the component's monitored_since) are left without data, so no window counts them.
    A component without a check (`checked` false) that declares `since` is watched by people who
    publish its incidents: from that day on, a day without one counts as operational, as
    Statuspage counts it. Without `since` nobody said when that began, so such days stay "no data".
    """
    windows = incident_windows(notices, component, now)
    reported = since is not None and not checked
    bars = tuple(UptimeDay(local.day, None, "none") if since is not None and local.day < since
                 else measure_day(local, now, probe.days.get(local.day) if probe else None, windows, reported)
                 for local in days)
    figures = []
    for name, count in WINDOWS:
        if count == 0:
            parts = window_24h(days, bars, probe, windows, now)
        else:
            parts = window_days(bars[-count:], days[-count:], now)
        figures.append((name, combine(parts)))
    return ComponentUptime(component, bars, tuple(figures), probe.latest if probe else None,
                           probe.first if probe else None)


def make_uptime(site: Site, now: datetime, histories: Mapping[str, ProbeHistory]) -> Mapping[str, ComponentUptime]:
    """Return every component's uptime at `now`, by component id in sorted order.

    A checked component without a single probe row yet has no figure at all: its incidents do not
    stand in for the checks it awaits (the page says "No checks yet" rather than 100 %).
    """
    days = local_days(ZoneInfo(site.timezone), now)
    result = {}
    for component in sorted(site.components, key=lambda c: c.id):
        history = histories.get(component.id)
        awaiting = component.check is not None and (history is None or (
            history.latest is None and history.first is None and not history.days))
        result[component.id] = make_component_uptime(component.id, days, history, () if awaiting else site.notices,
                                                     now, component.monitored_since, component.check is not None)
    return MappingProxyType(result)
