"""The time rules of schedule/timeline.py: where next-change says the output changes, the renderers change.

Each test asks next-change for the instant a rule flips, then renders at the second
before and at that instant: the outputs the rule governs differ there, and only there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import PROBED_STATUS

from generator.commands.next_change import next_change
from generator.pipeline import load, make_build, resolve_now
from generator.render.calendars import render_subscription_calendars
from generator.render.notices import ACTIVE, PAST, notice_status, upcoming_notices
from generator.schedule.status import STALE, shown_states
from generator.schedule.timeline import calendar_horizon

ROOT = Path(__file__).resolve().parent.parent
ONE_SECOND = timedelta(seconds=1)


@pytest.fixture(scope="module")
def example():
    loaded = load(ROOT)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    return site


def around(site, now: str):
    """Return the next change after `now` with its reasons, and the builds a second before it and at it."""
    build = make_build(site, resolve_now(site, datetime.fromisoformat(now)), ROOT)
    at, reasons = next_change(build)
    return at, reasons, make_build(site, at - ONE_SECOND, ROOT), make_build(site, at, ROOT)


def test_news_ends_where_next_change_says(example):
    at, reasons, before, after = around(example, "2026-12-03T09:00:00-03:00")
    assert reasons == ("notices/2026-11-03-whatsapp-comercial.md: it is no longer news (30 days)",)
    notice = next(n for n in example.notices if n.slug == "2026-11-03-whatsapp-comercial")
    assert (notice_status(before, notice), notice_status(after, notice)) == (ACTIVE, PAST)
    assert notice in upcoming_notices(before) and notice not in upcoming_notices(after)


def test_a_calendar_event_leaves_where_next_change_says(example):
    at, reasons, before, after = around(example, "2027-03-24T12:00:00-03:00")
    assert reasons == ("notices/2026-11-16-natal-e-ano-novo.md: its calendar event ended 90 days ago",)
    first, then = (dict((o.path, o.data) for o in render_subscription_calendars(b)) for b in (before, after))
    uid = b"UID:2026-11-16-natal-e-ano-novo-"
    assert uid in first["calendar.ics"]
    # Every department's event of that day ended at the same instant: all of them leave together.
    assert first["calendar.ics"].count(uid) > then["calendar.ics"].count(uid)


def test_a_probe_result_goes_stale_where_next_change_says(make_site):
    site_dir = make_site({
        "site_src/status.yaml": PROBED_STATUS,
        "site_src/uptime/website/2026-11.csv": "time,ok,latency_ms,detail\n2026-11-23T13:00:05Z,1,12.0,connected\n",
    })
    loaded = load(site_dir)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    build = make_build(site, resolve_now(site, datetime.fromisoformat("2026-11-23T13:10:00+00:00")), site_dir)
    at, reasons = next_change(build)
    assert reasons == ("the probe result of website is 30 minutes old",)
    before, after = make_build(site, at - ONE_SECOND, site_dir), make_build(site, at, site_dir)
    assert (shown_states(before)[0], shown_states(after)[0]) == ("none", STALE)


def test_the_calendar_horizon_keeps_the_day_of_the_month():
    assert calendar_horizon(datetime(2027, 3, 24).date()) == datetime(2028, 3, 24).date()
    assert calendar_horizon(datetime(2028, 2, 29).date()) == datetime(2029, 2, 28).date()
