"""What a new site's pages, feeds and calendars say in its first hour: real builds through
generator.cli.main of small sites in tmp_path, read back with the clients people use
(feedparser, icalendar) or as the words a visitor reads."""

from __future__ import annotations

import calendar
import json
import re
from html import unescape
from pathlib import Path

import feedparser
import icalendar
import lxml.html
import pytest

from generator.cli import main

SITE = """\
name: Example Networks
base_url: https://status.example.net/
timezone: America/Sao_Paulo
languages: [en, pt-BR]
"""
HOURS = """\
departments:
  - id: support
    name: Support
    channels:
      - id: phone
        type: phone
        contact: "+55 13 3500-0000"
        hours: {mon-fri: 09:00-18:00}
  - id: lisbon
    name: {en: Lisbon office, pt-BR: Escritório de Lisboa}
    timezone: Europe/Lisbon
    channels:
      - id: phone
        type: phone
        contact: "+351 21 000 0000"
        hours: {mon-fri: 09:00-17:00}
"""
STATUS = """\
components:
  - id: website
    name: Website
    check: {type: http, url: "http://127.0.0.1:9/"}
  - id: email
    name: E-mail
    check: {type: tcp, host: 127.0.0.1, port: 9}
"""
INCIDENT = """\
---
title: Slow e-mail
date: 2026-11-20 17:40
type: incident
components: {email: degraded_performance}
start: 2026-11-20 17:35
%(end)s
updates:
  - at: 2026-11-20 17:40
    status: investigating
    text: {en: We are looking into it., pt-BR: Estamos investigando.}
  - at: 2026-11-20 18:20
    status: identified
    text: {en: A queue was stuck., pt-BR: Uma fila travou.}
  - at: 2026-11-20 18:40
    status: resolved
    text: {en: Mail flows again., pt-BR: O e-mail voltou a fluir.}
---
E-mail was slow.
"""
NOW = "2026-11-20T22:00:00Z"      # 19:00 in São Paulo, 20 minutes after the incident ended


def build_site(tmp_path: Path, now: str = NOW, end: str = "end: 2026-11-20 18:40",
               notices: dict[str, str] | None = None) -> Path:
    """Write the site, build it at `now` with the command line, and return the output folder."""
    site = tmp_path / "site"
    files = {"site_src/site.yaml": SITE, "site_src/hours.yaml": HOURS, "site_src/status.yaml": STATUS,
             "notices/2026-11-20-slow-mail.md": INCIDENT % {"end": end}, **(notices or {})}
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", now]) == 0
    return out


def banner(path: Path) -> list[str]:
    """Return the status page's banner: the overall state in words."""
    page = lxml.html.fromstring(path.read_bytes())
    return [re.sub(r"\s+", " ", e.text_content()).strip()
            for e in page.xpath('//div[contains(concat(" ", @class, " "), " ov ")]//strong')]


def component_rows(out: Path) -> dict[str, str]:
    """Return each component's row on the status page as the words a visitor reads, bars left out."""
    page = lxml.html.fromstring((out / "status" / "index.html").read_bytes())
    rows = {}
    for row in page.xpath('//li[@class="cp"]'):
        for bars in row.xpath('.//ol[@class="bars"]'):
            bars.getparent().remove(bars)
        rows[row.xpath(".//h4")[0].text_content()] = re.sub(r"\s+", " ", " ".join(row.itertext())).strip()
    return rows


def badge_label(out: Path, name: str) -> str:
    return unescape(re.search(r'aria-label="([^"]*)"', (out / "badges" / f"{name}.svg").read_text()).group(1))


# --- 1. Before the first probe --------------------------------------------------------

def test_checked_components_without_rows_say_no_checks_yet_and_show_no_uptime(tmp_path):
    out = build_site(tmp_path)
    assert banner(out / "status" / "index.html") == ["Awaiting the first checks"]
    rows = component_rows(out)
    no_uptime = ("24 hours no data 7 days no data 30 days no data 90 days no data "
                 "No checks yet: the probe has not checked this component, so there is no uptime to show.")
    assert rows == {"Website": f"Website No checks yet {no_uptime}", "E-mail": f"E-mail No checks yet {no_uptime}"}
    page = (out / "status" / "index.html").read_text(encoding="utf-8")
    assert "100.00%" not in page and "Not monitored" not in page and "All systems operational" not in page
    assert badge_label(out, "status") == "Example Networks: Awaiting the first checks"
    assert badge_label(out, "email") == "E-mail: No checks yet · no data (30 days)"
    assert badge_label(out, "website") == "Website: No checks yet · no data (30 days)"
    translated = component_rows(out / "pt-br")
    assert translated["E-mail"].startswith("E-mail Ainda sem verificações 24 horas sem dados")
    assert banner(out / "pt-br" / "status" / "index.html") == ["Aguardando as primeiras verificações"]

    components = {c["id"]: c for c in json.loads((out / "api/v2/components.json").read_text())["components"]}
    for cid in ("website", "email"):
        assert components[cid]["status"] == "operational"
        assert components[cid]["description"] == "No checks yet: this status comes from the published notices alone."
    uptime = {c["id"]: c for c in json.loads((out / "api/uptime.json").read_text())["components"]}
    assert uptime["email"]["windows"] == {"24h": None, "7d": None, "30d": None, "90d": None}
    assert uptime["email"]["latest"] is None
    assert {day["source"] for day in uptime["email"]["days"]} == {"none"}


def test_a_state_declared_by_an_open_incident_is_shown_as_the_notices_word_alone(tmp_path):
    out = build_site(tmp_path, now="2026-11-20T21:00:00Z", end="")     # 18:00: the incident is still open
    rows = component_rows(out)
    assert rows["E-mail"] == (
        "E-mail Degraded performance 24 hours no data 7 days no data 30 days no data 90 days no data "
        "No checks yet: the probe has not checked this component; its state comes from the published "
        "notices alone, and there is no uptime to show.")
    assert rows["Website"].startswith("Website No checks yet 24 hours no data")
    assert banner(out / "status" / "index.html") == ["Minor service disruption"]
    assert badge_label(out, "email") == "E-mail: Degraded performance · no data (30 days)"
    email = next(c for c in json.loads((out / "api/v2/components.json").read_text())["components"]
                 if c["id"] == "email")
    assert email["status"] == "degraded_performance"
    assert email["description"] == "No checks yet: this status comes from the published notices alone."


def test_once_the_probe_has_written_a_row_the_component_is_measured_again(tmp_path):
    rows = {"site_src/uptime/email/2026-11.csv": "time,ok,latency_ms,detail\n2026-11-20T21:55:00Z,1,12.0,connected\n"}
    out = build_site(tmp_path, notices=rows)
    shown = component_rows(out)
    assert shown["E-mail"].startswith("E-mail Operational 24 hours ")
    assert "No checks yet" not in shown["E-mail"]
    assert shown["Website"].startswith("Website No checks yet")
    email = next(c for c in json.loads((out / "api/v2/components.json").read_text())["components"]
                 if c["id"] == "email")
    assert email["description"] is None


# --- 2. A department's calendar is in its own zone ---------------------------------------

def test_a_department_calendar_names_its_own_zone(tmp_path):
    out = build_site(tmp_path)
    zones = {name: icalendar.Calendar.from_ical((out / name).read_bytes())["X-WR-TIMEZONE"]
             for name in ("calendar.ics", "calendar/lisbon.ics", "calendar/support.ics")}
    assert zones == {"calendar.ics": "America/Sao_Paulo", "calendar/lisbon.ics": "Europe/Lisbon",
                     "calendar/support.ics": "America/Sao_Paulo"}
    api = json.loads((out / "api" / "hours.json").read_text())
    assert {d["id"]: d["timezone"] for d in api["departments"]} == {
        "support": "America/Sao_Paulo", "lisbon": "Europe/Lisbon"}


def test_a_notice_calendar_of_lisbons_hours_alone_is_shown_in_lisbons_zone(tmp_path):
    hours = """\
---
title: Lisbon closes early
date: 2026-11-18 10:00
type: hours
departments: [lisbon]
changes:
  - date: 2026-11-27
    hours: {phone: 09:00-12:00}
---
The Lisbon office closes at noon.
"""
    out = build_site(tmp_path, notices={"notices/2026-11-18-lisbon-early.md": hours})
    data = (out / "notices" / "2026-11-18-lisbon-early" / "notice.ics").read_bytes()
    assert icalendar.Calendar.from_ical(data)["X-WR-TIMEZONE"] == "Europe/Lisbon"


# --- 3. Feeds show an incident's updates ----------------------------------------------------

def entry_of(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed, next(e for e in parsed.entries if "slow-mail" in e.link)


@pytest.mark.parametrize("name", ["atom.xml", "feed.xml", "feeds/components/email.xml"])
def test_feed_entries_carry_the_latest_update_and_list_the_updates_newest_first(tmp_path, name):
    out = build_site(tmp_path)
    parsed, entry = entry_of(out / name)
    if name == "atom.xml":
        assert calendar.timegm(entry.updated_parsed) == calendar.timegm((2026, 11, 20, 21, 40, 0))
    else:   # RSS has no <updated>: the guid stays the page's address, so a reader shows the entry updated
        assert entry.id == "https://status.example.net/notices/2026-11-20-slow-mail/"
    assert calendar.timegm(parsed.feed.updated_parsed) == calendar.timegm((2026, 11, 20, 21, 40, 0))
    content = re.sub(r"\s+", " ", lxml.html.fromstring(entry.content[0].value).text_content()).strip()
    assert content == (
        "E-mail was slow. Updates "
        "Resolved · November 20, 2026, 18:40 (Brasilia Time)Mail flows again."
        "Identified · November 20, 2026, 18:20 (Brasilia Time)A queue was stuck."
        "Investigating · November 20, 2026, 17:40 (Brasilia Time)We are looking into it.")


def test_feeds_say_the_updates_in_their_language_and_none_posted_after_now(tmp_path):
    out = build_site(tmp_path, now="2026-11-20T21:30:00Z", end="")      # 18:30: resolved not yet posted
    _, entry = entry_of(out / "pt-br" / "atom.xml")
    assert calendar.timegm(entry.updated_parsed) == calendar.timegm((2026, 11, 20, 21, 20, 0))
    content = re.sub(r"\s+", " ", lxml.html.fromstring(entry.content[0].value).text_content()).strip()
    assert content.endswith(
        "Atualizações Causa identificada · 20 de novembro de 2026 18:20 (Horário de Brasília)Uma fila travou."
        "Investigando · 20 de novembro de 2026 17:40 (Horário de Brasília)Estamos investigando.")
    assert "Resolvido" not in content


# --- 4. A maintenance title that starts with the type's word is not prefixed -----------------

def maintenance(title: str) -> str:
    return f"""\
---
title: {title}
date: 2026-11-18 10:00
type: maintenance
components: [website]
start: 2026-11-29 01:00
end: 2026-11-29 03:00
---
Router replaced.
"""


def test_maintenance_summaries_do_not_repeat_the_types_word(tmp_path):
    site_pt = SITE.replace("languages: [en, pt-BR]", "languages: [pt-BR, en]")
    notices = {"notices/2026-11-18-a.md": maintenance("Manutenção programada no roteador"),
               "notices/2026-11-18-b.md": maintenance("manutenção do firewall"),
               "notices/2026-11-18-c.md": maintenance("Troca de roteador"),
               "notices/2026-11-18-d.md": maintenance("Manutencao sem acento"),
               "notices/2026-11-18-e.md": maintenance("Manutençãozinha")}
    out = build_site(tmp_path, notices={**notices, "site_src/site.yaml": site_pt})
    cal = icalendar.Calendar.from_ical((out / "maintenance.ics").read_bytes())
    summaries = sorted(str(event["SUMMARY"]) for event in cal.walk("VEVENT"))
    assert summaries == ["Manutenção programada no roteador", "Manutenção: Manutencao sem acento",
                         "Manutenção: Manutençãozinha", "Manutenção: Troca de roteador", "manutenção do firewall"]
