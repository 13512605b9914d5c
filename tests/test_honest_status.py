"""Honest status: a stopped probe is never shown as a healthy network, and days before monitoring began are
not "no data". Sites are real folders (status.yaml, the probe's CSV files, notices) read by the pipeline."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from helpers_vnu import run_vnu

from generator.pipeline import load, make_build
from generator.read.templates import default_theme_dir, theme_loader
from generator.render.badges import render_badges
from generator.render.frame import make_environment
from generator.render.status_html import render_status_pages
from generator.render.statuspage_api import render_statuspage_api

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)      # 10:00 in São Paulo
SITE = """\
name: Example Networks
base_url: https://status.example.net/
timezone: America/Sao_Paulo
languages: [pt-BR, en, pt-PT, es]
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
"""
COMPONENTS = """\
components:
  - id: website
    name: {pt-BR: Site, en: Website}
    group: Web
    description: {pt-BR: www.example.net, en: www.example.net}
    check: {type: tcp, host: www.example.net, port: 443}
  - id: email
    name: E-mail
    group: Web
    check: {type: tcp, host: mail.example.net, port: 587}
"""


def row(minutes_ago: int, ok: bool = True) -> str:
    at = NOW - timedelta(minutes=minutes_ago)
    return f"{at:%Y-%m-%dT%H:%M:%SZ},{int(ok)},{'12.0' if ok else ''},{'connected' if ok else 'timeout'}\n"


def site_with(tmp_path: Path, website: list[str], email: list[str], status_top: str = "",
              notices: dict[str, str] | None = None, components: str = COMPONENTS):
    """Write a site with two probed components and their rows; return its build at NOW."""
    files = {"site_src/site.yaml": SITE, "site_src/hours.yaml": HOURS, "site_src/status.yaml": status_top + components,
             "site_src/uptime/website/2026-11.csv": "time,ok,latency_ms,detail\n" + "".join(website),
             "site_src/uptime/email/2026-11.csv": "time,ok,latency_ms,detail\n" + "".join(email)}
    for name, content in (notices or {}).items():
        files[f"notices/{name}"] = content
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content)
    loaded = load(tmp_path)
    site, problems = loaded.site, loaded.problems
    assert site is not None and problems == (), problems
    found: list = []
    build = make_build(site, NOW, tmp_path, cache=False, problems=found)
    assert found == []
    return build


def words(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def page(build, path: str = "status/index.html"):
    """Return the banner, and each component's name and state, of one language's status page."""
    outputs = {o.path: o.data for o in render_status_pages(build, make_environment(theme_loader((default_theme_dir(),))))}
    doc = lxml.html.document_fromstring(outputs[path].decode())
    banner = words(doc.xpath('//div[contains(@class, "ov")]//strong')[0])
    states = {words(li.xpath(".//h4")[0]): words(li.xpath('./div[@class="ch"]/span')[0])
              for li in doc.xpath('//li[@class="cp"]')}
    groups = [words(s) for s in doc.xpath("//summary/span")]
    return banner, states, groups


def api(build) -> dict:
    return {o.path: json.loads(o.data) for o in render_statuspage_api(build)}


# --- The page ------------------------------------------------------------------------------------

def test_a_fresh_probe_is_believed(tmp_path):
    build = site_with(tmp_path, [row(29)], [row(5)])
    assert page(build) == ("Todos os sistemas funcionando normalmente",
                           {"Site": "Operacional", "E-mail": "Operacional"}, ["Operacional"])


def test_a_stopped_probe_says_no_recent_checks_in_every_language(tmp_path):
    # Both rows are older than 30 minutes: the probe stopped at 09:15 São Paulo time.
    build = site_with(tmp_path, [row(120, ok=False), row(45)], [row(50)])
    assert page(build) == (
        "Sem verificações recentes desde 23 de nov. de 2026 09:10",
        {"Site": "Sem verificações recentes desde 23 de nov. de 2026 09:15",
         "E-mail": "Sem verificações recentes desde 23 de nov. de 2026 09:10"},
        ["Sem verificações recentes"])
    assert page(build, "en/status/index.html") == (
        "No recent checks since Nov 23, 2026, 09:10",
        {"Website": "No recent checks since Nov 23, 2026, 09:15",
         "E-mail": "No recent checks since Nov 23, 2026, 09:10"},
        ["No recent checks"])
    assert page(build, "pt-pt/status/index.html")[0] == "Sem verificações recentes desde 23/11/2026, 09:10"
    assert page(build, "es/status/index.html")[0] == "Sin comprobaciones recientes desde 23 nov 2026, 9:10"


def test_one_stale_component_keeps_the_banner_from_saying_all_is_well(tmp_path):
    build = site_with(tmp_path, [row(45)], [row(5)])
    assert page(build, "en/status/index.html") == (
        "No recent checks since Nov 23, 2026, 09:15",
        {"Website": "No recent checks since Nov 23, 2026, 09:15", "E-mail": "Operational"},
        ["No recent checks"])


def test_a_failing_fresh_probe_still_outranks_a_stale_one(tmp_path):
    build = site_with(tmp_path, [row(45)], [row(5, ok=False)])
    assert page(build, "en/status/index.html") == (
        "Major service outage",
        {"Website": "No recent checks since Nov 23, 2026, 09:15", "E-mail": "Major outage"},
        ["Major outage"])


def test_a_state_a_person_declared_is_shown_over_no_recent_checks(tmp_path):
    incident = """\
---
title: Site lento
type: incident
date: 2026-11-23 09:30
components: {website: partial_outage}
impact: major
---
Investigando.
"""
    build = site_with(tmp_path, [row(45)], [row(5)], notices={"2026-11-23-site-lento.md": incident})
    assert page(build, "en/status/index.html") == (
        "Partial service outage", {"Website": "Partial outage", "E-mail": "Operational"}, ["Partial outage"])


@pytest.mark.parametrize("status_top, minutes_ago, stale", [
    ("probe_interval: 5m\n", 14, False),
    ("probe_interval: 5m\n", 16, True),                      # three intervals
    ("probe_interval: 5m\nstale_after: 2h\n", 100, False),   # said outright
    ("stale_after: 10m\n", 11, True),
])
def test_the_limit_is_three_probe_intervals_or_stale_after(tmp_path, status_top, minutes_ago, stale):
    build = site_with(tmp_path, [row(minutes_ago)], [row(1)], status_top)
    state = page(build, "en/status/index.html")[1]["Website"]
    assert state.startswith("No recent checks since") if stale else state == "Operational"


def test_the_badges_say_it_too(tmp_path):
    build = site_with(tmp_path, [row(45)], [row(5)])
    badges = {o.path: lxml.etree.fromstring(o.data) for o in render_badges(build)}
    label = {path: svg.get("aria-label") for path, svg in badges.items()}
    assert label["badges/status.svg"] == "Example Networks: Sem verificações recentes"
    assert label["badges/website.svg"] == "Site: Sem verificações recentes · 100,00% (30 dias)"
    assert label["badges/email.svg"] == "E-mail: Operacional · 100,00% (30 dias)"
    assert b"#6b6b6b" in lxml.etree.tostring(badges["badges/website.svg"])


# --- The Statuspage API --------------------------------------------------------------------------

def test_the_api_keeps_the_last_known_status_and_says_why(tmp_path):
    build = site_with(tmp_path, [row(45, ok=False)], [row(50)])
    files = api(build)
    components = {c["id"]: c for c in files["api/v2/components.json"]["components"]}
    assert components["website"]["status"] == "major_outage"
    assert components["website"]["description"] == (
        "www.example.net. Sem verificações recentes desde 23 de nov. de 2026 09:15 (Horário de Brasília): "
        "este é o último status conhecido.")
    assert components["email"]["status"] == "operational"
    assert components["email"]["description"] == (
        "Sem verificações recentes desde 23 de nov. de 2026 09:10 (Horário de Brasília): este é o último status conhecido.")
    # The instant each became stale is a change a caching client must see.
    assert components["email"]["updated_at"] == "2026-11-23T12:40:00.000Z"
    assert files["api/v2/status.json"]["status"] == {"indicator": "critical", "description": "Major Service Outage"}
    assert files["api/v2/summary.json"]["page"]["updated_at"] == "2026-11-23T12:45:00.000Z"


def test_the_api_of_a_fresh_probe_has_no_note(tmp_path):
    components = api(site_with(tmp_path, [row(10)], [row(10)]))["api/v2/components.json"]["components"]
    assert {c["id"]: (c["status"], c["description"]) for c in components if not c["group"]} == {
        "website": ("operational", "www.example.net"), "email": ("operational", None)}


# --- monitored_since -----------------------------------------------------------------------------

def test_days_before_monitored_since_are_not_no_data(tmp_path):
    status = COMPONENTS.replace("    check: {type: tcp, host: mail.example.net, port: 587}\n",
                                "    check: {type: tcp, host: mail.example.net, port: 587}\n"
                                "    monitored_since: 2026-11-20\n")
    build = site_with(tmp_path, [row(5)], [row(5)], components=status)
    outputs = {o.path: o.data for o in render_status_pages(build, make_environment(theme_loader((default_theme_dir(),))))}
    doc = lxml.html.document_fromstring(outputs["en/status/index.html"].decode())
    website, email = (strip.xpath("./li") for strip in doc.xpath('//ol[@class="bars"]'))
    assert [words(li) for li in email[-5:]] == [
        "Nov 19: not monitored yet", "Nov 20: no data", "Nov 21: no data", "Nov 22: no data", "Nov 23: 100.00%"]
    assert [li.get("class") for li in email[-5:]] == ["b", "n", "n", "n", None]
    assert [li.get("class") for li in email].count("b") == 86
    assert [words(li) for li in website[-5:-3]] == ["Nov 19: no data", "Nov 20: no data"]
    # api/uptime.json: no day before monitoring has data.
    uptime = {c["id"]: c for c in api(build)["api/uptime.json"]["components"]}
    assert [d["source"] for d in uptime["email"]["days"][-5:]] == ["none", "none", "none", "none", "probe"]


def test_monitored_since_must_be_a_date(tmp_path):
    (tmp_path / "site_src").mkdir()
    (tmp_path / "site_src/site.yaml").write_text(SITE)
    (tmp_path / "site_src/hours.yaml").write_text(HOURS)
    (tmp_path / "site_src/status.yaml").write_text(
        "probe_interval: 5m\nstale_after: 2m\ncomponents:\n  - id: website\n    name: Site\n"
        "    monitored_since: 2026-02-30\n")
    problems = load(tmp_path).problems
    assert [p.format() for p in problems] == [
        "site_src/status.yaml:2:14: error: stale_after must not be shorter than probe_interval\n"
        "  hint: every row would be stale before the next probe run; use at least two or three intervals",
        "site_src/status.yaml:6:22: error: monitored_since: 2026-02-30 does not exist: February 2026 has 28 days\n"
        "  hint: the first day the component was watched, e.g. monitored_since: 2026-09-01",
    ]


@pytest.mark.slow
def test_the_stale_page_is_valid_html(tmp_path):
    status = COMPONENTS.replace("    group: Web\n    check: {type: tcp, host: mail",
                                "    group: Web\n    monitored_since: 2026-11-20\n    check: {type: tcp, host: mail")
    build = site_with(tmp_path / "site", [row(45)], [row(50)], components=status)
    files = []
    for output in render_status_pages(build, make_environment(theme_loader((default_theme_dir(),)))):
        target = tmp_path / "out" / output.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(output.data)
        files.append(target)
    assert b"not monitored yet" in files[1].read_bytes()
    result = run_vnu(files)
    assert result.returncode == 0, result.stdout + result.stderr


# --- Issue 14, item 10: components' created_at, and components without checks -------------------

OFFICE_AND_LINK = """\
  - id: office
    name: {pt-BR: Escritório, en: Office}
    monitored_since: 2026-11-20
  - id: link
    name: {pt-BR: Link, en: Link}
  - id: phones
    name: {pt-BR: Telefones, en: Phones}
"""
OUTAGE = """\
---
title: Sem energia no escritório
type: incident
date: 2026-11-22 10:00
components: {office: major_outage, link: partial_outage}
impact: major
end: 2026-11-22 16:00
---
Sem energia.
"""


def test_components_are_created_when_they_are_first_known_to_be_on_the_page(tmp_path):
    status = COMPONENTS.replace("    check: {type: tcp, host: mail.example.net, port: 587}\n",
                                "    check: {type: tcp, host: mail.example.net, port: 587}\n"
                                "    monitored_since: 2026-11-20\n") + OFFICE_AND_LINK
    # The website's oldest file begins in September: that is when checking began, not 90 days ago.
    oldest = tmp_path / "site_src/uptime/website/2026-08.csv"
    oldest.parent.mkdir(parents=True)
    oldest.write_text("time,ok,latency_ms,detail\n2026-08-14T12:00:05Z,1,10.0,connected\n")
    build = site_with(tmp_path, [row(5)], [row(5)], components=status,
                      notices={"2026-11-22-sem-energia.md": OUTAGE})
    components = {c["id"]: c for c in api(build)["api/v2/components.json"]["components"]}
    assert {cid: c["created_at"] for cid, c in components.items()} == {
        "group-web": "2026-08-14T12:00:05.000Z",     # its earliest member's
        "website": "2026-08-14T12:00:05.000Z",       # its first probe row
        "email": "2026-11-20T03:00:00.000Z",         # monitored_since, at midnight in São Paulo
        "office": "2026-11-20T03:00:00.000Z",        # monitored_since wins over the later incident
        "link": "2026-11-22T13:00:00.000Z",          # the first incident that names it
        "phones": "1970-01-01T00:00:00.000Z",        # nothing is known: Statuspage clients read it as unknown
    }
    # A component that never changed is as old as its last change: when it was created.
    assert components["office"]["updated_at"] == "2026-11-22T19:00:00.000Z"
    assert components["website"]["updated_at"] == "2026-08-14T12:00:05.000Z"
    # The same bytes a month later: created_at does not follow the 90 days shown.
    later = make_build(build.site, NOW + timedelta(days=30), tmp_path, cache=False)
    assert {c["id"]: c["created_at"] for c in api(later)["api/v2/components.json"]["components"]} == {
        cid: c["created_at"] for cid, c in components.items()}


def test_a_component_without_checks_is_operational_from_monitored_since_unless_an_incident_says_otherwise(tmp_path):
    build = site_with(tmp_path, [row(5)], [row(5)], components=COMPONENTS + OFFICE_AND_LINK,
                      notices={"2026-11-22-sem-energia.md": OUTAGE})
    outputs = {o.path: o.data for o in render_status_pages(build, make_environment(theme_loader((default_theme_dir(),))))}
    doc = lxml.html.document_fromstring(outputs["en/status/index.html"].decode())
    items = {words(li.xpath(".//h4")[0]): li for li in doc.xpath('//li[@class="cp"]')}
    strips = {name: li.xpath('.//ol[@class="bars"]/li') for name, li in items.items()}
    # 10:00-16:00 of a 24-hour day in major outage: 75 % up.
    assert [words(li) for li in strips["Office"][-5:]] == [
        "Nov 19: not monitored yet", "Nov 20: 100.00%", "Nov 21: 100.00%", "Nov 22: 75.00%", "Nov 23: 100.00%"]
    # The page says where these figures come from.
    assert "Not monitored: uptime worked out from the published incidents." in words(items["Office"])
    # Without monitored_since nobody said since when incidents are published: silence is no data
    # (a partial outage's minutes count at 30 %: 6 h x 0.3 of 24 h lost).
    assert [words(li) for li in strips["Link"][-3:]] == ["Nov 21: no data", "Nov 22: 92.50%", "Nov 23: no data"]
    assert all(words(li).endswith(": no data") for li in strips["Phones"])
    uptime = {c["id"]: c for c in api(build)["api/uptime.json"]["components"]}
    office = uptime["office"]
    assert [(d["source"], d["uptime"]) for d in office["days"][-5:]] == [
        ("none", None), ("incidents", 1.0), ("incidents", 1.0), ("incidents", 0.75), ("incidents", 1.0)]
    assert office["windows"]["90d"] == pytest.approx(1 - 360 / (3 * 1440 + 600))
    assert uptime["phones"]["windows"] == {"24h": None, "7d": None, "30d": None, "90d": None}
