"""`next-change`: the next instant at which the output changes by itself, around the example's
maintenance window and incident, over daylight-saving changes (Europe/Lisbon), and from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import PROBED_STATUS

from generator.cli import main
from generator.commands.next_change import next_change, next_midnight
from generator.pipeline import load, make_build, resolve_now

ROOT = Path(__file__).resolve().parent.parent
MAINTENANCE = "notices/2026-11-20-manutencao-data-center.md"
INCIDENT = "notices/2026-11-05-instabilidade-link-sp.md"


@pytest.fixture(scope="module")
def example():
    loaded = load(ROOT)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    return site


def answer(site, site_dir: Path, now: str) -> tuple[str, tuple[str, ...]]:
    """Return the next change after `now` as the command prints it, with its reasons."""
    build = make_build(site, resolve_now(site, datetime.fromisoformat(now)), site_dir)
    at, reasons = next_change(build)
    return at.astimezone(ZoneInfo(site.timezone)).isoformat(), reasons


# --- The example: maintenance 2026-11-29 01:00-03:00 (-03:00), incident 2026-11-05 14:05-15:35 ---

@pytest.mark.parametrize("now, expected, reason", [
    ("2026-11-28T23:00:00-03:00", "2026-11-29T00:00:00-03:00", "a new day begins in America/Sao_Paulo"),
    ("2026-11-29T00:00:00-03:00", "2026-11-29T01:00:00-03:00", f"{MAINTENANCE}: the maintenance starts"),
    ("2026-11-29T00:59:59-03:00", "2026-11-29T01:00:00-03:00", f"{MAINTENANCE}: the maintenance starts"),
    ("2026-11-29T01:00:00-03:00", "2026-11-29T03:00:00-03:00", f"{MAINTENANCE}: the maintenance ends"),
    ("2026-11-29T02:30:00-03:00", "2026-11-29T03:00:00-03:00", f"{MAINTENANCE}: the maintenance ends"),
    # The hours page lists a window until its end has passed: one second later it is gone.
    ("2026-11-29T03:00:00-03:00", "2026-11-29T03:00:01-03:00", f"{MAINTENANCE}: the hours page stops listing it"),
    ("2026-11-29T03:00:01-03:00", "2026-11-30T00:00:00-03:00", "a new day begins in America/Sao_Paulo"),
    # Any offset in, the site's out.
    ("2026-11-29T04:00:00+00:00", "2026-11-29T03:00:00-03:00", f"{MAINTENANCE}: the maintenance ends"),
    # A naive "now" is read in the site's zone.
    ("2026-11-29T00:30:00", "2026-11-29T01:00:00-03:00", f"{MAINTENANCE}: the maintenance starts"),
])
def test_around_the_maintenance_window(example, now, expected, reason):
    assert answer(example, ROOT, now) == (expected, (reason,))


@pytest.mark.parametrize("now, expected, reason", [
    # The incident is dated (posted) 14:10, after its start: until then it is scheduled, in no output.
    ("2026-11-05T14:00:00-03:00", "2026-11-05T14:10:00-03:00", f"{INCIDENT}: the scheduled notice is published"),
    ("2026-11-05T14:05:00-03:00", "2026-11-05T14:10:00-03:00", f"{INCIDENT}: the scheduled notice is published"),
    ("2026-11-05T15:00:00-03:00", "2026-11-05T15:20:00-03:00", f"{INCIDENT}: an update (monitoring) is posted"),
    # The recorded end and the last update fall on the same instant: both reasons are given.
    ("2026-11-05T15:34:00-03:00", "2026-11-05T15:35:00-03:00", None),
    ("2026-11-05T15:35:00-03:00", "2026-11-05T15:35:01-03:00", f"{INCIDENT}: the hours page stops listing it"),
])
def test_around_the_incident(example, now, expected, reason):
    at, reasons = answer(example, ROOT, now)
    assert at == expected
    if reason is None:
        assert reasons == (f"{INCIDENT}: an update (resolved) is posted", f"{INCIDENT}: the incident ends")
    else:
        assert reasons == (reason,)


def test_an_announcement_stops_being_news_after_30_days(example):
    assert answer(example, ROOT, "2026-12-03T09:00:00-03:00") == (
        "2026-12-03T09:30:01-03:00",
        ("notices/2026-11-03-whatsapp-comercial.md: it is no longer news (30 days)",))


def test_a_calendar_event_leaves_the_subscriptions_90_days_after_it_ended(example):
    # Christmas Eve 2026: 08:00-14:00, so its event ends at 14:00 and leaves 90 days later, not at midnight.
    assert answer(example, ROOT, "2027-03-24T12:00:00-03:00") == (
        "2027-03-24T14:00:00-03:00",
        ("notices/2026-11-16-natal-e-ano-novo.md: its calendar event ended 90 days ago",))


# --- Daylight saving: a site in Europe/Lisbon -------------------------------------------------

LISBON_SITE = """\
name: Exemplo
base_url: https://apoio.example.pt/
timezone: Europe/Lisbon
languages: [pt-PT, en]
holidays:
  country: PT
"""
LISBON_HOURS = """\
departments:
  - id: apoio
    name: Apoio
    channels:
      - id: phone
        type: phone
        contact: "+351 210 000 000"
        hours:
          mon-fri: 09:00-18:00
"""


@pytest.fixture
def lisbon(make_site):
    site_dir = make_site({"site_src/site.yaml": LISBON_SITE, "site_src/hours.yaml": LISBON_HOURS})
    loaded = load(site_dir)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    return site, site_dir


@pytest.mark.parametrize("now, expected, reason", [
    # 2027-03-28: the clocks go from 01:00 to 02:00, and the hours page shows the new offset.
    ("2027-03-28T00:30:00+00:00", "2027-03-28T02:00:00+01:00", "the UTC offset of Europe/Lisbon changes"),
    # A day of 23 hours still ends at midnight.
    ("2027-03-28T12:00:00+01:00", "2027-03-29T00:00:00+01:00", "a new day begins in Europe/Lisbon"),
    # 2027-10-31: from 02:00 back to 01:00; printed with the offset after the change.
    ("2027-10-31T00:30:00+01:00", "2027-10-31T01:00:00+00:00", "the UTC offset of Europe/Lisbon changes"),
    ("2027-10-31T01:30:00+00:00", "2027-11-01T00:00:00+00:00", "a new day begins in Europe/Lisbon"),
    # New Year's Day 2027 ended at midnight in winter time; 90 days later is 01:00 in summer time.
    ("2027-04-02T00:30:00+01:00", "2027-04-02T01:00:00+01:00",
     "the holiday 2027-01-01 of apoio: its calendar event ended 90 days ago"),
])
def test_daylight_saving_in_lisbon(lisbon, now, expected, reason):
    site, site_dir = lisbon
    assert answer(site, site_dir, now) == (expected, (reason,))


def test_a_department_in_another_zone_has_its_own_midnight(make_site):
    hours = LISBON_HOURS.replace("    name: Apoio\n", "    name: Apoio\n    timezone: America/Sao_Paulo\n")
    site_dir = make_site({"site_src/site.yaml": LISBON_SITE, "site_src/hours.yaml": hours})
    site = load(site_dir).site
    # Midnight in São Paulo is 03:00 in Lisbon in winter, and comes first.
    assert answer(site, site_dir, "2027-01-10T01:00:00+00:00") == (
        "2027-01-10T03:00:00+00:00", ("a new day begins in America/Sao_Paulo",))


def test_a_skipped_midnight_is_the_jump():
    # São Paulo, 2017-10-15: the clocks jumped from 00:00 to 01:00.
    zone = ZoneInfo("America/Sao_Paulo")
    now = datetime(2017, 10, 14, 12, tzinfo=zone)
    assert next_midnight(zone, now).astimezone(zone).isoformat() == "2017-10-15T01:00:00-02:00"


def test_a_repeated_hour_before_midnight_is_not_a_new_day():
    # São Paulo, 2018-02-17: at 00:00 (-02:00) the clocks went back to 23:00 (-03:00) of the 17th.
    zone = ZoneInfo("America/Sao_Paulo")
    now = datetime(2018, 2, 17, 23, 30, tzinfo=zone)            # the first pass, -02:00
    assert next_midnight(zone, now).astimezone(zone).isoformat() == "2018-02-18T00:00:00-03:00"


# --- The probe --------------------------------------------------------------------------------

def test_a_failing_probe_result_counts_for_30_minutes(make_site):
    site_dir = make_site({
        "site_src/status.yaml": PROBED_STATUS,
        "site_src/uptime/website/2026-11.csv":
            "time,ok,latency_ms,detail\n2026-11-23T12:55:05Z,1,12.0,connected\n2026-11-23T13:00:05Z,0,,refused\n",
    })
    loaded = load(site_dir)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    assert answer(site, site_dir, "2026-11-23T13:10:00+00:00") == (
        "2026-11-23T10:30:06-03:00", ("the probe result of website is 30 minutes old",))


def test_a_good_probe_result_becomes_no_recent_checks_when_it_ages(make_site):
    site_dir = make_site({
        "site_src/status.yaml": PROBED_STATUS,
        "site_src/uptime/website/2026-11.csv": "time,ok,latency_ms,detail\n2026-11-23T13:00:05Z,1,12.0,connected\n",
    })
    site = load(site_dir).site
    assert answer(site, site_dir, "2026-11-23T13:10:00+00:00") == (
        "2026-11-23T10:30:06-03:00", ("the probe result of website is 30 minutes old",))
    # Once stale, the result changes nothing more: the next change is the new day.
    assert answer(site, site_dir, "2026-11-23T13:40:00+00:00") == (
        "2026-11-24T00:00:00-03:00", ("a new day begins in America/Sao_Paulo",))


def test_the_staleness_limit_follows_status_yaml(make_site):
    row = "time,ok,latency_ms,detail\n2026-11-23T13:00:05Z,1,12.0,connected\n"
    for settings, expected in (("probe_interval: 5m\n", ("2026-11-23T10:15:06-03:00", "15")),
                               ("probe_interval: 5m\nstale_after: 1h\n", ("2026-11-23T11:00:06-03:00", "60"))):
        site_dir = make_site({"site_src/status.yaml": settings + PROBED_STATUS, "site_src/uptime/website/2026-11.csv": row})
        loaded = load(site_dir)
        site, problems = loaded.site, loaded.problems
        assert site is not None, problems
        assert answer(site, site_dir, "2026-11-23T13:10:00+00:00") == (
            expected[0], (f"the probe result of website is {expected[1]} minutes old",))


# --- The command ------------------------------------------------------------------------------

def test_command_prints_the_instant(capsys):
    assert main(["next-change", "--site", str(ROOT), "--now", "2026-11-29T00:10-03:00"]) == 0
    assert capsys.readouterr() == ("2026-11-29T01:00:00-03:00\n", "")


def test_command_explains(capsys):
    assert main(["next-change", "--site", str(ROOT), "--now", "2026-11-29T00:10-03:00", "--explain"]) == 0
    assert capsys.readouterr().out == (
        "2026-11-29T01:00:00-03:00\n"
        f"  {MAINTENANCE}: the maintenance starts\n")


def test_command_reads_source_date_epoch(capsys):
    epoch = int(datetime(2026, 11, 29, 3, 10, tzinfo=UTC).timestamp())   # 00:10 in São Paulo
    assert main(["next-change", "--site", str(ROOT)], environ={"SOURCE_DATE_EPOCH": str(epoch)}) == 0
    assert capsys.readouterr().out == "2026-11-29T01:00:00-03:00\n"


def test_command_on_an_invalid_site(make_site, capsys):
    site_dir = make_site({"notices/2026-11-10-x.md": "---\ntitle: X\ndate: 2026-02-30\n---\n"})
    assert main(["next-change", "--site", str(site_dir), "--now", "2026-11-29T00:10-03:00"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "notices/2026-11-10-x.md:3:7: error: 2026-02-30 does not exist: February 2026 has 28 days\n"


def test_command_with_strict_refuses_what_build_with_strict_refuses(make_site, capsys, tmp_path):
    """A probe file's warning (found while resolving, not loading) is an error under --strict, for
    next-change as for build and check: one site, one verdict."""
    site_dir = make_site({
        "site_src/status.yaml": PROBED_STATUS,
        "site_src/uptime/webiste/2026-11.csv": "time,ok,latency_ms,detail\n2026-11-23T13:00:05Z,1,12.0,connected\n",
    })
    place = "site_src/uptime/webiste/2026-11.csv:1:1"
    said = ("no component 'webiste' in site_src/status.yaml; its probe history is not shown\n"
            "  hint: did you mean 'website'? Rename the folder after a component id, or remove it\n")
    now = ["--site", str(site_dir), "--now", "2026-11-23T13:10:00+00:00"]
    assert main(["next-change", *now]) == 0
    assert capsys.readouterr() == ("2026-11-24T00:00:00-03:00\n", f"{place}: warning: {said}")
    assert main(["next-change", "--strict", *now]) == 1
    assert capsys.readouterr() == ("", f"{place}: error: {said}")
    assert main(["build", "--strict", "--out", str(tmp_path / "out"), *now]) == 1
    assert capsys.readouterr().err == f"{place}: error: {said}1 error; nothing was written\n"
    assert main(["check", "--strict", *now]) == 1
    assert capsys.readouterr().err == f"{place}: error: {said}1 error\n"
