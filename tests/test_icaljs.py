"""Every calendar of the example read by Mozilla's ical.js under Node (tests/icaljs_check.mjs): no parse
error, no floating time, no TZID without its VTIMEZONE, and every start and end the same instant (or
date) as icalendar reads. ical.js converts through the file's own VTIMEZONE, icalendar through zoneinfo,
so agreement also checks the VTIMEZONE the build writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from conftest import write_tree
from helpers_browser import ROOT, build_site
from helpers_vnu import require

CHECK = Path(__file__).with_name("icaljs_check.mjs")
# Every test runs Node.js (ical.js) in a process of its own.
pytestmark = pytest.mark.slow
ICAL_JS = ROOT / "node_modules" / "ical.js" / "package.json"
# A small site in Lisbon with a notice on each night the clocks change (the example's zone has no DST now).
LISBON = {
    "site_src/site.yaml": "name: Apoio Lisboa\nbase_url: https://apoio.test.example/\ntimezone: Europe/Lisbon\n"
                          "languages: [en]\nholidays:\n  country: PT\n",
    "site_src/hours.yaml": "departments:\n  - id: apoio\n    name: {en: Support}\n    channels:\n"
                           "      - {id: phone, type: phone, contact: '+351 210 000 000', hours: {daily: 09:00-18:00}}\n"
                           "      - {id: night, type: phone, contact: '+351 210 000 001', hours: {daily: 22:00-06:00}}\n",
    "notices/2026-10-20-clock-changes.md": """\
---
title: Night line on the nights the clocks change
date: 2026-10-20 10:00
type: hours
changes:
  - date: 2026-10-25
    hours: {night: 00:30-03:30, phone: 10:00-16:00}
    note: {en: Clocks go back}
  - date: 2027-03-28
    hours: {night: 00:30-03:30}
    note: {en: Clocks go forward}
---
The night line keeps shorter hours on the nights the clocks change.
""",
}
# Far from Brasília and Lisbon, so that a time read in the reader's own zone shows up as a wrong instant.
READER_ZONE = "Pacific/Kiritimati"


def run_icaljs(files: list[Path]) -> tuple[subprocess.CompletedProcess, dict]:
    """Run the ical.js check on `files` in one Node process; return the process and its JSON report."""
    node = shutil.which("node")
    require(node is not None, "node (Node.js 18 or later)", "install it, e.g. `apt-get install nodejs`")
    require(ICAL_JS.is_file(), f"ical.js ({ICAL_JS.parent.relative_to(ROOT)})", "run `npm ci` in the repository root")
    env = {"PATH": os.environ.get("PATH", ""), "TZ": READER_ZONE}
    result = subprocess.run([node, str(CHECK), *map(str, files)], cwd=ROOT, env=env, capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the ical.js check printed no JSON (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return result, report


def moment(value: date | datetime) -> str:
    """Return a date as 'YYYY-MM-DD' and an aware date-time as its UTC instant, as the ical.js check prints them."""
    if not isinstance(value, datetime):
        return value.isoformat()
    assert value.tzinfo is not None, f"icalendar read a floating time: {value}"
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def icalendar_events(path: Path) -> list[dict]:
    """Return each VEVENT of a file as icalendar reads it: uid, status, start and end (RFC 5545's default end)."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    events = []
    for event in calendar.walk("VEVENT"):
        start = event["DTSTART"].dt
        if "DTEND" in event:
            end = event["DTEND"].dt
        elif "DURATION" in event:
            end = start + event["DURATION"].dt
        else:
            end = start + timedelta(days=1) if not isinstance(start, datetime) else start
        events.append({"uid": str(event["UID"]), "status": str(event["STATUS"]) if "STATUS" in event else None,
                       "start": moment(start), "end": moment(end)})
    return events


@pytest.fixture(scope="module")
def site(example_build) -> Path:
    """The example site's output, built once for the session (conftest.example_build)."""
    return example_build


@pytest.fixture(scope="module")
def calendars(site) -> list[Path]:
    files = sorted(site.rglob("*.ics"))
    assert files, "the build wrote no .ics file"
    return files


@pytest.fixture(scope="module")
def icaljs(calendars) -> tuple[subprocess.CompletedProcess, dict]:
    return run_icaljs(calendars)


def test_icaljs_reads_every_calendar_without_errors(site, calendars, icaljs):
    result, report = icaljs
    assert sorted(report) == sorted(map(str, calendars))
    problems = [f"{Path(file).relative_to(site)}: {error}" for file, entry in report.items() for error in entry["errors"]]
    assert not problems and result.returncode == 0, (
        f"ical.js found problems (exit {result.returncode}):\n" + "\n".join(problems) + result.stderr)
    assert all(entry["events"] for entry in report.values()), "a calendar has no event"


def test_icaljs_and_icalendar_agree_on_every_event(site, calendars, icaljs):
    _, report = icaljs
    for path in calendars:
        theirs, ours = report[str(path)]["events"], icalendar_events(path)
        rel = path.relative_to(site).as_posix()
        assert [e["uid"] for e in theirs] == [e["uid"] for e in ours], f"{rel}: the events differ"
        for mozilla, python in zip(theirs, ours):
            assert mozilla == python, f"{rel}: ical.js and icalendar read {python['uid']} differently"


def test_the_example_calendars_hold_timed_and_all_day_events(icaljs):
    # Otherwise the comparison above would prove little about time zones.
    events = [event for entry in icaljs[1].values() for event in entry["events"]]
    assert any(event["start"].endswith("Z") for event in events)
    assert any(len(event["start"]) == 10 for event in events)
    christmas_eve = [e for e in events if e["uid"] == "2026-11-16-natal-e-ano-novo-suporte-20261224@status.example.net"]
    assert christmas_eve and christmas_eve[0]["start"] == "2026-12-24T11:00:00Z"      # 08:00 in Brasília


def test_the_check_rejects_floating_times_undefined_zones_and_broken_files(tmp_path):
    def calendar(*lines: str) -> str:
        return "\r\n".join(("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *lines, "END:VCALENDAR", ""))
    event = ("BEGIN:VEVENT", "UID:a@test", "DTSTAMP:20261101T000000Z")
    files = {
        "floating.ics": calendar(*event, "DTSTART:20261224T080000", "END:VEVENT"),
        "no-vtimezone.ics": calendar(*event, "DTSTART;TZID=America/Sao_Paulo:20261224T080000", "END:VEVENT"),
        "unfinished.ics": calendar(*event, "DTSTART:20261224T080000Z"),
        "fine.ics": calendar(*event, "DTSTART;VALUE=DATE:20261225", "END:VEVENT"),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    result, report = run_icaljs([tmp_path / name for name in files])
    errors = {Path(file).name: entry["errors"] for file, entry in report.items()}
    assert result.returncode == 1
    assert errors == {
        "floating.ics": ["event a@test: DTSTART is a floating time: its instant depends on the reader's zone"],
        "no-vtimezone.ics": ["event a@test: DTSTART names TZID America/Sao_Paulo, which no VTIMEZONE of the file "
                             "defines"],
        "unfinished.ics": ["invalid ical body. component began but did not end"],
        "fine.ics": [],
    }
    assert report[str(tmp_path / "fine.ics")]["events"] == [
        {"uid": "a@test", "status": None, "start": "2026-12-25", "end": "2026-12-26"}]


def test_across_daylight_saving_changes_both_read_the_same_instants(tmp_path):
    source = write_tree(tmp_path / "lisbon", LISBON)
    site = build_site(source, tmp_path / "public", "2026-10-20T12:00:00+01:00")
    files = sorted(site.rglob("*.ics"))
    result, report = run_icaljs(files)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in files:
        assert report[str(path)]["events"] == icalendar_events(path), path.relative_to(site).as_posix()
    notice = report[str(site / "notices" / "2026-10-20-clock-changes" / "notice.ics")]["events"]
    # 00:30 summer time to 16:00 winter time; 00:30 winter time to 03:30 summer time (an hour skipped).
    assert [(e["start"], e["end"]) for e in notice] == [
        ("2026-10-24T23:30:00Z", "2026-10-25T16:00:00Z"), ("2027-03-28T00:30:00Z", "2027-03-28T02:30:00Z")]
