"""A department's own `holidays:` in hours.yaml replace the site's for it, in every output that shows holidays.

A site in Brazil (BR, SP) with a desk in Lisbon that follows Portugal's: 8 December 2026 (Imaculada
Conceição) closes the Lisbon desk alone, 21 April 2027 (Tiradentes) the Brazilian one alone.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import MINIMAL_SITE, snapshot

from generator.cli import main

SITE = MINIMAL_SITE          # holidays: BR, SP

HOURS = """\
departments:
  - id: suporte
    name: {pt-BR: Suporte, en: Support}
    channels:
      - id: phone
        type: phone
        contact: "+55 13 3500-0000"
        hours:
          mon-fri: 09:00-18:00
  - id: portugal
    name: {pt-BR: Portugal, en: Portugal}
    timezone: Europe/Lisbon
__HOLIDAYS__    channels:
      - id: phone
        type: phone
        contact: "+351 21 000 0000"
        hours:
          mon-fri: 09:00-18:00
"""

PORTUGAL = """\
    holidays:
      country: PT
      extra:
        "2027-04-20": {pt-BR: Inventário, en: Stocktaking}
"""

DECEMBER = "2026-12-01T10:00:00-03:00"   # 8 December 2026 (a Tuesday) is a week away
APRIL = "2027-04-15T10:00:00-03:00"      # 21 April 2027 (a Wednesday) is six days away


def make_site(root: Path, holidays: str = PORTUGAL) -> Path:
    (root / "site_src").mkdir(parents=True)
    (root / "site_src" / "site.yaml").write_text(SITE, encoding="utf-8")
    (root / "site_src" / "hours.yaml").write_text(HOURS.replace("__HOLIDAYS__", holidays), encoding="utf-8")
    return root


def build(site: Path, out: Path, now: str) -> Path:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", now]) == 0
    return out


def api_days(out: Path) -> dict[tuple[str, str], dict]:
    """Return api/hours.json's days by (department, date), of each department's one channel."""
    data = json.loads((out / "api" / "hours.json").read_text(encoding="utf-8"))
    return {(dept["id"], day["date"]): day for dept in data["departments"] for day in dept["channels"][0]["days"]}


def section(html: str, dept: str) -> str:
    """Return the hours page's section of one department."""
    found = re.search(rf'<section class="dept" aria-labelledby="d-{dept}">(.*?)</section>', html, re.S)
    assert found, dept
    return found[1]


def script(html: str, kind: str) -> object:
    found = re.search(rf'<script type="application/{re.escape(kind)}"[^>]*>(.*?)</script>', html, re.S)
    assert found, kind
    return json.loads(found[1])


def closed_dates(html: str, dept_name: str) -> set[str]:
    """Return the days the JSON-LD says a contact point is closed all day (opens = closes = 00:00)."""
    point = next(p for p in script(html, "ld+json")["contactPoint"] if p["contactType"] == dept_name)
    return {spec["validFrom"] for spec in point["hoursAvailable"]
            if spec.get("validFrom") and spec["opens"] == spec["closes"] == "00:00:00"}


def open_days(html: str, channel: str, zone: str) -> set[date]:
    """Return the local days on which the "open now" script's schedule opens a channel."""
    schedule = script(html, "json")
    spans = next(d["channels"][channel] for d in schedule["departments"] if channel in d["channels"])
    start = datetime.fromtimestamp(schedule["start"], UTC)
    return {(start + timedelta(minutes=first)).astimezone(ZoneInfo(zone)).date() for first, _ in spans}


def holiday_events(path: Path) -> dict[date, str]:
    """Return the calendar's all-day events by day: their summaries (parsed with icalendar)."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert not calendar.errors
    return {event.decoded("DTSTART"): str(event["SUMMARY"]) for event in calendar.walk("VEVENT")
            if not isinstance(event.decoded("DTSTART"), datetime)}


def test_each_department_closes_on_its_own_countrys_holidays_in_the_api_pages_and_scripts(tmp_path):
    site = make_site(tmp_path / "site")
    december = build(site, tmp_path / "december", DECEMBER)
    days = api_days(december)
    assert days[("portugal", "2026-12-08")] == {
        "date": "2026-12-08", "open": [], "reason": "holiday",
        "holiday": {"pt-BR": "Imaculada Conceição", "en": "Immaculate Conception"}}
    assert days[("suporte", "2026-12-08")]["reason"] == "regular"
    assert days[("suporte", "2026-12-08")]["open"] == [
        {"start": "2026-12-08T09:00:00-03:00", "end": "2026-12-08T18:00:00-03:00"}]
    # Christmas is both countries' holiday, each named as its own country's package names it.
    assert days[("portugal", "2026-12-25")]["holiday"]["pt-BR"] == "Dia de Natal"
    assert days[("suporte", "2026-12-25")]["holiday"]["pt-BR"] == "Natal"
    # The API covers 90 days: Brazil's Carnaval is no public holiday there, nor Portugal's in Brazil.
    assert days[("portugal", "2027-02-16")]["reason"] == "regular"

    page = (december / "index.html").read_text(encoding="utf-8")
    assert "Feriado: Imaculada Conceição" in section(page, "portugal")
    assert "Imaculada" not in section(page, "suporte")
    english = (december / "en" / "index.html").read_text(encoding="utf-8")
    assert "Public holiday: Immaculate Conception" in section(english, "portugal")
    assert "2026-12-08" in closed_dates(page, "Portugal")
    assert "2026-12-08" not in closed_dates(page, "Suporte")
    assert date(2026, 12, 8) not in open_days(page, "portugal/phone", "Europe/Lisbon")
    assert date(2026, 12, 8) in open_days(page, "suporte/phone", "America/Sao_Paulo")

    april = build(site, tmp_path / "april", APRIL)
    days = api_days(april)
    assert days[("suporte", "2027-04-21")] == {
        "date": "2027-04-21", "open": [], "reason": "holiday", "holiday": {"pt-BR": "Tiradentes", "en": "Tiradentes' Day"}}
    assert days[("portugal", "2027-04-21")]["open"] == [
        {"start": "2027-04-21T09:00:00+01:00", "end": "2027-04-21T18:00:00+01:00"}]
    # The department's own closures (extra) are its alone.
    assert days[("portugal", "2027-04-20")]["holiday"] == {"pt-BR": "Inventário", "en": "Stocktaking"}
    assert days[("suporte", "2027-04-20")]["reason"] == "regular"
    page = (april / "index.html").read_text(encoding="utf-8")
    assert "Feriado: Tiradentes" in section(page, "suporte")
    assert "Tiradentes" not in section(page, "portugal")
    assert "2027-04-21" in closed_dates(page, "Suporte")
    assert "2027-04-21" not in closed_dates(page, "Portugal")
    assert date(2027, 4, 21) in open_days(page, "portugal/phone", "Europe/Lisbon")
    assert date(2027, 4, 21) not in open_days(page, "suporte/phone", "America/Sao_Paulo")


def test_each_departments_calendar_closes_it_on_its_own_holidays(tmp_path):
    out = build(make_site(tmp_path / "site"), tmp_path / "out", DECEMBER)
    portugal = holiday_events(out / "calendar" / "portugal.ics")
    suporte = holiday_events(out / "calendar" / "suporte.ics")
    assert portugal[date(2026, 12, 8)] == "Portugal: fechado (Imaculada Conceição)"
    assert date(2026, 12, 8) not in suporte
    assert suporte[date(2027, 4, 21)] == "Suporte: fechado (Tiradentes)"
    assert date(2027, 4, 21) not in portugal
    assert portugal[date(2027, 4, 20)] == "Portugal: fechado (Inventário)"
    # The site-wide calendar holds both, each naming the department it closes.
    both = holiday_events(out / "calendar.ics")
    assert both[date(2026, 12, 8)] == "Portugal: fechado (Imaculada Conceição)"
    assert both[date(2027, 4, 21)] == "Suporte: fechado (Tiradentes)"
    events = icalendar.Calendar.from_ical((out / "calendar.ics").read_bytes()).walk("VEVENT")
    christmas = sorted(str(e["SUMMARY"]) for e in events if e.decoded("DTSTART") == date(2026, 12, 25))
    assert christmas == ["Portugal: fechado (Dia de Natal)", "Suporte: fechado (Natal)"]


def test_next_change_counts_each_departments_own_holidays(tmp_path, capsys):
    site = make_site(tmp_path / "site")
    # An event leaves the subscriptions 90 days after it ended: 8 December's Lisbon closure ends at midnight
    # of the 9th in Lisbon, and leaves them at midnight of 9 March 2027 there.
    assert main(["next-change", "--site", str(site), "--now", "2027-03-08T20:00:00-03:00", "--explain"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("2027-03-08T21:00:00-03:00\n"), said
    assert "the holiday 2026-12-08 of portugal: its calendar event ended 90 days ago" in said
    assert "of suporte" not in said
    # Tiradentes (21 April 2027) closed the Brazilian desk alone: 90 days after its end, 20 July.
    assert main(["next-change", "--site", str(site), "--now", "2027-07-20T21:00:00-03:00", "--explain"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("2027-07-21T00:00:00-03:00\n"), said
    assert "the holiday 2027-04-21 of suporte" in said
    assert "2027-04-21 of portugal" not in said


def test_a_department_with_empty_holidays_works_every_holiday(tmp_path):
    site = make_site(tmp_path / "site", holidays="    holidays: {}\n")
    out = build(site, tmp_path / "out", APRIL)
    days = api_days(out)
    assert days[("portugal", "2027-04-21")]["reason"] == "regular"
    assert days[("suporte", "2027-04-21")]["reason"] == "holiday"
    assert holiday_events(out / "calendar" / "portugal.ics") == {}
    # Its hours page shows no "public holidays" line for a day it never has; the others keep theirs.
    page = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert "Public holidays" not in section(page, "portugal")
    assert "<dt>Public holidays</dt><dd>Closed</dd>" in section(page, "suporte")
    # Without `holidays:` it follows the site's.
    follows = build(make_site(tmp_path / "follows", holidays=""), tmp_path / "follows-out", APRIL)
    assert api_days(follows)[("portugal", "2027-04-21")]["holiday"]["pt-BR"] == "Tiradentes"


@pytest.mark.parametrize(("written", "hint"), [
    ("PX", "use an ISO 3166 code such as BR, PT, ES or US"),
    ("pt", "write 'PT'"),
    # A country's name, in a site language (pt-BR) or English, accents and case aside: its code, not a near
    # code (México is not Monaco's MCO).
    ("México", "write 'MX', the code of México"),
    ("mexico", "write 'MX', the code of México"),
    ("Mexico", "write 'MX', the code of México"),
    ("Alemanha", "write 'DE', the code of Alemanha"),
    ("Germany", "write 'DE', the code of Germany"),
    ("Deutschland", "use an ISO 3166 code such as BR, PT, ES or US"),      # German is no language of the site
])
def test_an_unknown_country_in_a_department_is_a_located_error_with_the_sites_hint(tmp_path, capsys, written, hint):
    site = make_site(tmp_path / "site", holidays=PORTUGAL.replace("country: PT", f"country: {written}"))
    assert main(["check", "--site", str(site)]) == 1
    said = capsys.readouterr()
    assert said.err.splitlines()[:2] == [
        f"site_src/hours.yaml:14:16: error: the holidays package does not know the country '{written}'",
        f"  hint: {hint}"], said.err
    assert "Traceback" not in said.err
    # site.yaml's `holidays:` says it alike.
    other = make_site(tmp_path / "other", holidays="")
    (other / "site_src" / "site.yaml").write_text(SITE.replace("country: BR", f"country: {written}"), encoding="utf-8")
    assert main(["check", "--site", str(other)]) == 1
    assert capsys.readouterr().err.splitlines()[:2] == [
        f"site_src/site.yaml:6:12: error: the holidays package does not know the country '{written}'",
        f"  hint: {hint}"]


def test_a_country_named_in_the_sites_language_gets_its_code_as_the_hint(tmp_path, capsys):
    site = make_site(tmp_path / "site", holidays="")
    (site / "site_src" / "site.yaml").write_text(
        SITE.replace("languages: [pt-BR, en]", "languages: [es-MX, en]").replace("country: BR", "country: Alemania")
        .replace("subdivision: SP", "subdivision: BY"), encoding="utf-8")
    (site / "site_src" / "hours.yaml").write_text(HOURS.replace("__HOLIDAYS__", "").replace("pt-BR", "es-MX"),
                                                  encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 1
    assert capsys.readouterr().err.splitlines()[:2] == [
        "site_src/site.yaml:6:12: error: the holidays package does not know the country 'Alemania'",
        "  hint: write 'DE', the code of Alemania"]


@pytest.mark.parametrize(("site_country", "desk_country"), [("MEX", "GBR"), ("MX", "UK")])
def test_a_three_letter_code_or_an_alias_is_taken_and_shown_as_the_two_letter_code(tmp_path, capsys, site_country,
                                                                                   desk_country):
    site = make_site(tmp_path / "site", holidays=PORTUGAL.replace("country: PT", f"country: {desk_country}"))
    (site / "site_src" / "site.yaml").write_text(
        SITE.replace("country: BR", f"country: {site_country}").replace("  subdivision: SP\n", ""),
        encoding="utf-8")
    out = build(site, tmp_path / "out", DECEMBER)
    assert "warning" not in capsys.readouterr().err
    data = json.loads((out / "api" / "hours.json").read_text(encoding="utf-8"))
    assert {dept["id"]: dept["holidays"]["country"] for dept in data["departments"]} == {
        "suporte": "MX", "portugal": "GB"}
    # The holidays are the countries' own, as for MX and GB.
    days = {(dept["id"], day["date"]): day for dept in data["departments"] for day in dept["channels"][0]["days"]}
    assert days[("portugal", "2026-12-25")]["reason"] == "holiday"
    assert days[("suporte", "2026-12-25")]["reason"] == "holiday"


def test_a_departments_holidays_are_checked_as_the_sites(tmp_path, capsys):
    site = make_site(tmp_path / "site", holidays=(
        "    holidays:\n      country: PT\n      subdivision: XX\n      regions: all\n"
        "      extra:\n        \"13-01\": Folga\n"))
    assert main(["check", "--site", str(site)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[2:4] == ["site_src/hours.yaml:16:7: error: unknown key 'regions' in holidays",
                          "  hint: holidays takes 'country', 'subdivision' or 'extra'"], lines
    assert any(line.startswith("site_src/hours.yaml:15:20: error: 'XX' is not a subdivision of PT") for line in lines)
    assert any(line.startswith("site_src/hours.yaml:18:9: error: 13-01 does not exist in any year") for line in lines)
    # `holidays` is among a department's keys now: a misspelt one is pointed to it.
    site = make_site(tmp_path / "typo", holidays="    holyday: {country: PT}\n")
    assert main(["check", "--site", str(site)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "site_src/hours.yaml:13:5: error: unknown key 'holyday' in a department", "  hint: did you mean 'holidays'?",
        "1 error"]


IMPORTED_HOLIDAYS = """
import sys
from generator.cli import main
assert main(["build", "--site", sys.argv[1], "--out", sys.argv[2], "--now", sys.argv[3]]) == 0
print("holidays" in sys.modules)
"""


def test_a_rebuild_takes_the_departments_holidays_from_the_kept_answers(tmp_path, monkeypatch):
    """The holidays package's answers for a department's country are kept as the site's are
    (schedule/holiday_answers.py): a rebuild in a new process does not import the package, and says the same."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))   # a sealing key of this test's own
    site = make_site(tmp_path / "site")

    def imports(out: Path, now: str) -> bool:
        done = subprocess.run([sys.executable, "-c", IMPORTED_HOLIDAYS, str(site), str(out), now],
                              cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True)
        return done.stdout.splitlines()[-1] == "True"

    assert imports(tmp_path / "first", DECEMBER)
    assert not imports(tmp_path / "second", DECEMBER)
    assert snapshot(tmp_path / "second") == snapshot(tmp_path / "first")
    assert api_days(tmp_path / "second")[("portugal", "2026-12-08")]["holiday"]["pt-BR"] == "Imaculada Conceição"
    # Another country for the department is a new question: the package is asked again.
    (site / "site_src" / "hours.yaml").write_text(HOURS.replace("__HOLIDAYS__", "    holidays: {country: ES}\n"),
                                                  encoding="utf-8")
    assert imports(tmp_path / "third", DECEMBER)
    assert api_days(tmp_path / "third")[("portugal", "2026-12-08")]["holiday"]["en"] == "Immaculate Conception"
    assert api_days(tmp_path / "third")[("portugal", "2027-01-06")]["holiday"]["en"] == "Epiphany"
