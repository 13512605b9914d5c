"""maintenance.ics: windows as timed events, read by three calendar parsers and checked for what they skip."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from conftest import ROOT
from ics_checks import components, first, instant_of, parse_everywhere, problems_of

from generator.pipeline import load, make_build
from generator.render.maintenance_calendar import render_maintenance_calendar

NOW = datetime.fromisoformat("2026-11-23T10:00:00-03:00")


def example(now: datetime = NOW, edit=None):
    loaded = load(ROOT)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    if edit:
        site = edit(site)
    return render_maintenance_calendar(make_build(site, now))


def test_the_example_window_is_a_timed_event_in_the_site_zone():
    output = example()
    assert output.path == "maintenance.ics"
    assert problems_of(output.data) == []
    _, problems = parse_everywhere(output.data, (date(2026, 11, 1), date(2026, 12, 31)))
    assert problems == []
    events = components(output.data, "VEVENT")
    assert len(events) == 1
    event = events[0]
    assert first(event, "UID").value == "2026-11-20-manutencao-data-center@status.example.net"
    assert instant_of(first(event, "DTSTART")) == datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    assert instant_of(first(event, "DTEND")) == datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    assert first(event, "SUMMARY").value == "Manutenção programada no data center"
    assert first(event, "STATUS").value == "CONFIRMED"
    assert "Data center Santos" in first(event, "DESCRIPTION").value
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in output.data
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in output.data


def test_a_withdrawn_window_stays_marked_cancelled():
    def cancel(site):
        return replace(site, notices=tuple(replace(n, cancelled=True) if n.type == "maintenance" else n
                                           for n in site.notices))
    event = components(example(edit=cancel).data, "VEVENT")[0]
    assert first(event, "STATUS").value == "CANCELLED"
    assert first(event, "UID").value == "2026-11-20-manutencao-data-center@status.example.net"


def test_windows_that_ended_long_ago_are_dropped_and_output_is_deterministic():
    later = example(now=datetime.fromisoformat("2027-03-10T10:00:00-03:00"))
    assert components(later.data, "VEVENT") == []
    assert problems_of(later.data) == []
    assert example().data == example().data
