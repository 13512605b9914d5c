"""Uptime arithmetic against hand-computed cases: outage minutes, DST days, no data, windows, percentiles."""

from __future__ import annotations

from array import array
from datetime import UTC, date, datetime, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from generator.model import Component, DayCounts, Notice, ProbeHistory, ProbeResult, Site, Text
from generator.read.probe_rows import latency_bin, merge_counts
from generator.schedule.uptime import (
    bin_value,
    day_bounds,
    incident_windows,
    local_days,
    make_component_uptime,
    make_uptime,
    outage_minutes,
    percentiles,
    probe_window,
)

SP = ZoneInfo("America/Sao_Paulo")
LISBON = ZoneInfo("Europe/Lisbon")


def incident(slug: str, start: datetime, end: datetime | None, components, cancelled: bool = False,
             kind: str = "incident") -> Notice:
    """Return an incident (or maintenance) notice naming components with their states."""
    return Notice(slug=slug, path=f"notices/{slug}.md", type=kind, lang="en", title=Text.plain(slug),
                  body=Text.plain(""), date=start, updated=None, departments=(), cancelled=cancelled,
                  components=tuple(components), impact="major", start=start, end=end)


def counts(checks: int, ok: int, latencies=(), degraded: int = 0) -> DayCounts:
    """Return probe counts of a day with the given successful latencies (ms) in the histogram."""
    histogram: dict[int, int] = {}
    for value in latencies:
        histogram[latency_bin(value)] = histogram.get(latency_bin(value), 0) + 1
    keys = sorted(histogram)
    return DayCounts(checks, ok, degraded, array("I", keys), array("I", [histogram[k] for k in keys]))


def bars_of(component: str, notices, now: datetime, zone=SP, probe: ProbeHistory | None = None):
    """Return a component's uptime at now over the 90 local days."""
    return make_component_uptime(component, local_days(zone, now), probe, notices, now)


def bar(result, day: date):
    """Return the bar of one day."""
    return next(found for found in result.days if found.day == day)


# --- one day from incidents ---------------------------------------------------------------------

def test_a_90_minute_major_outage_is_93_75_percent():
    outage = incident("cut", datetime(2026, 11, 5, 14, 5, tzinfo=SP), datetime(2026, 11, 5, 15, 35, tzinfo=SP),
                      [("link-sp", "major_outage")])
    result = bars_of("link-sp", [outage], datetime(2026, 11, 23, 10, 0, tzinfo=SP))
    found = bar(result, date(2026, 11, 5))
    assert found.source == "incidents"
    assert found.outage_minutes == 90
    assert found.uptime == pytest.approx(0.9375)


def test_60_minutes_of_partial_outage_weigh_18_minutes():
    partial = incident("slow", datetime(2026, 11, 5, 9, 0, tzinfo=SP), datetime(2026, 11, 5, 10, 0, tzinfo=SP),
                       [("website", "partial_outage")])
    found = bar(bars_of("website", [partial], datetime(2026, 11, 23, 10, 0, tzinfo=SP)), date(2026, 11, 5))
    assert found.outage_minutes == pytest.approx(18)
    assert found.uptime == pytest.approx(0.9875)


def test_degraded_performance_costs_nothing_but_the_day_has_data():
    slow = incident("slow", datetime(2026, 11, 5, 9, 0, tzinfo=SP), datetime(2026, 11, 5, 12, 0, tzinfo=SP),
                    [("website", "degraded_performance")])
    found = bar(bars_of("website", [slow], datetime(2026, 11, 23, 10, 0, tzinfo=SP)), date(2026, 11, 5))
    assert (found.source, found.uptime, found.outage_minutes) == ("incidents", 1.0, 0.0)


def test_overlapping_incidents_count_the_heavier_state_once():
    major = incident("a", datetime(2026, 11, 5, 10, 0, tzinfo=SP), datetime(2026, 11, 5, 11, 0, tzinfo=SP),
                     [("dns", "major_outage")])
    partial = incident("b", datetime(2026, 11, 5, 10, 30, tzinfo=SP), datetime(2026, 11, 5, 12, 0, tzinfo=SP),
                       [("dns", "partial_outage")])
    found = bar(bars_of("dns", [major, partial], datetime(2026, 11, 23, 10, 0, tzinfo=SP)), date(2026, 11, 5))
    assert found.outage_minutes == pytest.approx(60 + 60 * 0.3)      # 10:00-11:00 major, 11:00-12:00 partial


def test_cancelled_incidents_maintenance_and_other_components_do_not_count():
    start, end = datetime(2026, 11, 5, 10, 0, tzinfo=SP), datetime(2026, 11, 5, 11, 0, tzinfo=SP)
    notices = [incident("x", start, end, [("dns", "major_outage")], cancelled=True),
               incident("m", start, end, [("dns", "under_maintenance")], kind="maintenance"),
               incident("o", start, end, [("email", "major_outage")])]
    found = bar(bars_of("dns", notices, datetime(2026, 11, 23, 10, 0, tzinfo=SP)), date(2026, 11, 5))
    assert (found.source, found.uptime) == ("none", None)


def test_an_incident_across_midnight_is_split_between_the_days():
    night = incident("n", datetime(2026, 11, 5, 23, 0, tzinfo=SP), datetime(2026, 11, 6, 0, 30, tzinfo=SP),
                     [("dns", "major_outage")])
    result = bars_of("dns", [night], datetime(2026, 11, 23, 10, 0, tzinfo=SP))
    assert bar(result, date(2026, 11, 5)).outage_minutes == 60
    assert bar(result, date(2026, 11, 6)).outage_minutes == 30


# --- days of 23 and 25 hours ------------------------------------------------------------------------

@pytest.mark.parametrize("zone, day, hours", [
    (SP, date(2018, 2, 17), 25),        # summer time ended at midnight: 23:00-24:00 twice
    (SP, date(2017, 10, 15), 23),       # summer time began at midnight: 00:00 never happened
    (SP, date(2018, 11, 4), 23),
    (LISBON, date(2026, 3, 29), 23),    # last Sunday of March, 01:00 -> 02:00
    (LISBON, date(2026, 10, 25), 25),   # last Sunday of October, 02:00 -> 01:00
    (SP, date(2026, 11, 5), 24),
])
def test_local_days_last_as_long_as_the_clocks_say(zone, day, hours):
    local = day_bounds(day, zone)
    assert local.end - local.start == timedelta(hours=hours)
    assert local.start.astimezone(zone).date() == day


def test_a_skipped_midnight_starts_the_day_at_the_change():
    local = day_bounds(date(2017, 10, 15), SP)
    assert local.start == datetime(2017, 10, 15, 3, 0, tzinfo=UTC)        # 00:00 -03 = 01:00 -02
    assert local.end == datetime(2017, 10, 16, 2, 0, tzinfo=UTC)          # 00:00 -02


@pytest.mark.parametrize("zone, day, minutes", [
    (SP, date(2018, 2, 17), 1500), (SP, date(2017, 10, 15), 1380),
    (LISBON, date(2026, 3, 29), 1380), (LISBON, date(2026, 10, 25), 1500),
])
def test_outage_share_uses_the_minutes_of_a_dst_day(zone, day, minutes):
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(hours=12)
    outage = incident("o", start, start + timedelta(minutes=90), [("dns", "major_outage")])
    found = bar(bars_of("dns", [outage], datetime.combine(day + timedelta(3), datetime.min.time(), tzinfo=zone),
                        zone), day)
    assert found.uptime == pytest.approx(1 - 90 / minutes)


def test_an_incident_through_the_repeated_hour_counts_real_minutes():
    # São Paulo, night of 17 to 18 February 2018: 23:00-24:00 happened twice. From 22:30 -02 to
    # 23:30 -03 is two hours of real time, all on the 17th.
    start = datetime(2018, 2, 17, 22, 30, tzinfo=timezone(timedelta(hours=-2)))
    end = datetime(2018, 2, 17, 23, 30, tzinfo=timezone(timedelta(hours=-3)))
    outage = incident("o", start, end, [("dns", "major_outage")])
    found = bar(bars_of("dns", [outage], datetime(2018, 2, 20, tzinfo=SP)), date(2018, 2, 17))
    assert found.outage_minutes == 120
    assert found.uptime == pytest.approx(1 - 120 / 1500)


# --- no data, probe first, now ----------------------------------------------------------------------

def test_days_without_data_or_incidents_are_no_data_never_100():
    result = bars_of("datacenter", [], datetime(2026, 11, 23, 10, 0, tzinfo=SP))
    assert len(result.days) == 90
    assert result.days[0].day == date(2026, 8, 26) and result.days[-1].day == date(2026, 11, 23)
    assert all(found.uptime is None and found.source == "none" for found in result.days)
    assert result.windows == (("24h", None), ("7d", None), ("30d", None), ("90d", None))
    assert result.latest is None


def test_days_before_the_first_probe_data_are_no_data():
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SP)
    probe = ProbeHistory(MappingProxyType({date(2026, 11, 20): counts(1440, 1440),
                                           date(2026, 11, 21): counts(1440, 1440)}))
    result = bars_of("dns", [], now, probe=probe)
    assert [found.source for found in result.days[-5:]] == ["none", "probe", "probe", "none", "none"]
    assert all(found.uptime is None for found in result.days[:-4])


def test_probe_data_beats_incidents():
    outage = incident("o", datetime(2026, 11, 5, 14, 5, tzinfo=SP), datetime(2026, 11, 5, 15, 35, tzinfo=SP),
                      [("link-sp", "major_outage")])
    probe = ProbeHistory(MappingProxyType({date(2026, 11, 5): counts(288, 270, [4.0] * 270)}))
    found = bar(bars_of("link-sp", [outage], datetime(2026, 11, 23, 10, 0, tzinfo=SP), probe=probe),
                date(2026, 11, 5))
    assert (found.source, found.checks, found.ok) == ("probe", 288, 270)
    assert found.uptime == pytest.approx(270 / 288)
    assert found.outage_minutes == pytest.approx(18 / 288 * 1440)


def test_an_unresolved_incident_runs_up_to_now_and_today_counts_up_to_now():
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SP)
    open_ended = incident("o", datetime(2026, 11, 23, 8, 0, tzinfo=SP), None, [("email", "major_outage")])
    result = bars_of("email", [open_ended], now)
    today = result.days[-1]
    assert today.outage_minutes == 120
    assert today.uptime == pytest.approx(1 - 120 / 600)                # 600 minutes since midnight
    assert dict(result.windows)["24h"] == pytest.approx(1 - 120 / 600)  # yesterday has no data


def test_incidents_in_the_future_do_not_count():
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SP)
    later = incident("o", datetime(2026, 11, 23, 11, 0, tzinfo=SP), datetime(2026, 11, 23, 12, 0, tzinfo=SP),
                     [("email", "major_outage")])
    assert incident_windows([later], "email", now) == ()
    assert bars_of("email", [later], now).days[-1].source == "none"


# --- windows ------------------------------------------------------------------------------------------

def test_probe_windows_are_weighted_by_checks():
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SP)
    days = {date(2026, 11, 23) - timedelta(back): counts(100, 100) for back in range(1, 90)}
    days[date(2026, 11, 22)] = counts(100, 90)             # yesterday: 10 failures
    days[date(2026, 11, 10)] = counts(1000, 900)           # 13 days ago: 100 failures in many checks
    days[date(2026, 9, 1)] = counts(10, 0)                 # 83 days ago: all 10 failed
    days[date(2026, 11, 23)] = counts(42, 42)              # today, up to now
    recent = {date(2026, 11, 22): counts(50, 45), date(2026, 11, 23): counts(42, 42)}
    result = bars_of("dns", [], now, probe=ProbeHistory(MappingProxyType(days), MappingProxyType(recent)))
    windows = dict(result.windows)
    assert windows["24h"] == pytest.approx(87 / 92)
    assert windows["7d"] == pytest.approx((6 * 100 - 10 + 42) / (6 * 100 + 42))
    assert windows["30d"] == pytest.approx((28 * 100 - 10 + 900 + 42) / (28 * 100 + 1000 + 42))
    checks = 87 * 100 + 1000 + 10 + 42
    assert windows["90d"] == pytest.approx((checks - 10 - 100 - 10) / checks)


def test_incident_only_windows_are_weighted_by_minutes_of_days_with_data():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=SP)
    notices = [incident("a", datetime(2026, 11, 20, 10, 0, tzinfo=SP), datetime(2026, 11, 20, 11, 0, tzinfo=SP),
                        [("dc", "major_outage")]),
               incident("b", datetime(2026, 11, 23, 6, 0, tzinfo=SP), datetime(2026, 11, 23, 7, 0, tzinfo=SP),
                        [("dc", "partial_outage")])]
    windows = dict(bars_of("dc", notices, now).windows)
    assert windows["24h"] == pytest.approx(1 - 18 / 720)          # only today's 720 minutes have data
    assert windows["7d"] == pytest.approx(1 - (60 + 18) / (1440 + 720))
    assert windows["90d"] == windows["7d"]


def test_a_window_mixing_probe_and_incident_days_is_weighted_by_minutes():
    now = datetime(2026, 11, 23, 0, 0, tzinfo=SP)      # today has no minute yet
    probe = ProbeHistory(MappingProxyType({date(2026, 11, 22): counts(100, 75)}))
    outage = incident("a", datetime(2026, 11, 21, 10, 0, tzinfo=SP), datetime(2026, 11, 21, 11, 12, tzinfo=SP),
                      [("dns", "major_outage")])
    windows = dict(bars_of("dns", [outage], now, probe=probe).windows)
    assert windows["7d"] == pytest.approx(1 - (0.25 * 1440 + 72) / (2 * 1440))


# --- latency ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ms, expected", [
    (0.04, 0.0), (0.05, 0.1), (8.26, 8.3), (99.94, 99.9), (99.96, 100.0), (123.456, 123.0), (999.6, 1000.0),
    (1234.5, 1230.0), (1235.0, 1240.0), (20000.0, 20000.0), (98765.4, 98800.0),
])
def test_latency_bins_keep_three_figures_and_tenths_below_100_ms(ms, expected):
    assert bin_value(latency_bin(ms)) == expected


def test_nearest_rank_percentiles():
    ten = counts(10, 10, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    assert percentiles(ten.bins, ten.counts, (50, 95, 100)) == (50.0, 100.0, 100.0)
    skewed = counts(100, 100, [5.0] * 94 + [700.0] * 6)
    assert percentiles(skewed.bins, skewed.counts, (50, 94, 95)) == (5.0, 5.0, 700.0)
    assert percentiles((), (), (50, 95)) == (None, None)


def test_day_percentiles_come_from_successful_checks():
    probe = ProbeHistory(MappingProxyType({date(2026, 11, 22): counts(5, 4, [10.0, 20.0, 30.0, 40.0], degraded=1)}))
    found = bar(bars_of("dns", [], datetime(2026, 11, 23, 10, 0, tzinfo=SP), probe=probe), date(2026, 11, 22))
    assert (found.latency_p50, found.latency_p95, found.degraded) == (20.0, 40.0, 1)


def test_partial_histograms_merge_exactly():
    first, second = counts(3, 3, [10.0, 20.0, 20.0], 1), counts(3, 2, [20.0, 30.0])
    merged = merge_counts([first, second])
    assert (merged.checks, merged.ok, merged.degraded) == (6, 5, 1)
    assert list(zip(merged.bins, merged.counts)) == [(100, 1), (200, 3), (300, 1)]


def test_outage_minutes_are_clipped_to_the_span():
    windows = ((datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 12, tzinfo=UTC), 1.0),)
    assert outage_minutes(windows, datetime(2026, 1, 1, 11, tzinfo=UTC), datetime(2026, 1, 1, 13, tzinfo=UTC)) == 60


# --- the whole site -------------------------------------------------------------------------------------

def test_every_component_sorted_latest_kept_and_deterministic():
    components = tuple(Component(cid, Text.plain(cid)) for cid in ("website", "dns", "datacenter"))
    site = Site("S", "https://s.example/", "America/Sao_Paulo", ("en",), None, (), components=components)
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SP)
    latest = ProbeResult(datetime(2026, 11, 23, 12, 59, 5, tzinfo=UTC), True, 48.2, "HTTP 200")
    histories = {"dns": ProbeHistory(MappingProxyType({date(2026, 11, 23): counts(5, 5)}), latest=latest)}
    first, again = make_uptime(site, now, histories), make_uptime(site, now, histories)
    assert isinstance(first, MappingProxyType)
    assert list(first) == ["datacenter", "dns", "website"]
    assert first["dns"].latest == latest and first["website"].latest is None
    assert first == again


@pytest.mark.parametrize("zone", ["America/Sao_Paulo", "Pacific/Kiritimati", "Etc/GMT+12", "Europe/Lisbon"])
def test_the_probe_window_bounds_every_local_day_a_row_of_its_months_falls_on(zone):
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    window = probe_window(ZoneInfo(zone), now)
    assert window.months == ("2026-08", "2026-09", "2026-10", "2026-11")
    assert [d.day for d in window.days] == [d.day for d in local_days(ZoneInfo(zone), now)]
    at = datetime(2026, 8, 1, tzinfo=UTC)
    while at < datetime(2026, 12, 1, tzinfo=UTC):          # every hour of the four month files
        local = at.astimezone(ZoneInfo(zone)).date()
        assert window.bounds[local] == day_bounds(local, ZoneInfo(zone))
        assert window.bounds[local].start <= at < window.bounds[local].end
        at += timedelta(hours=1)
    assert window.recent_months == {"2026-11"}
    assert window.segments[-1][2] == datetime(2026, 11, 23, 10, 0, 1, tzinfo=UTC)
