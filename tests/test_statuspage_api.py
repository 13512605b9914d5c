"""The status API: Statuspage v2 files checked against JSON Schemas written from Statuspage's documented
shapes, their states as of the build's "now", api/uptime.json, and the RSS feed of each component."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import feedparser
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from generator.cli import main
from generator.markup import plain_text
from generator.model import (
    Build,
    Check,
    Component,
    ComponentUptime,
    HolidayCalendar,
    IncidentUpdate,
    Notice,
    ProbeResult,
    Site,
    Text,
    UptimeDay,
)
from generator.pipeline import load
from generator.pipeline import make_build as make_site_build
from generator.render.feeds import render_component_feeds, render_feeds
from generator.render.statuspage_api import render_statuspage_api

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).parent / "schemas" / "statuspage"
SP = ZoneInfo("America/Sao_Paulo")
BASE = "https://status.test.example/"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SP)
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SCHEMA_OF = {
    "api/v2/summary.json": "summary.json",
    "api/v2/status.json": "status.json",
    "api/v2/components.json": "components.json",
    "api/v2/incidents.json": "incidents.json",
    "api/v2/incidents/unresolved.json": "incidents-unresolved.json",
    "api/v2/scheduled-maintenances.json": "scheduled-maintenances.json",
    "api/v2/scheduled-maintenances/upcoming.json": "scheduled-maintenances-upcoming.json",
    "api/v2/scheduled-maintenances/active.json": "scheduled-maintenances-active.json",
    "api/uptime.json": "uptime.json",
}

# What must never be published: the targets of private checks and the value of a header's secret.
SECRET_VARIABLE = "EXPEDIENTE_TEST_STATUS_TOKEN"
SECRET_VALUE = "s3cr3t-Vq8ZxT2-never-published"
PRIVATE = ("portal-internal.private.example", "mail-internal.private.example", "resolver.private.example",
           "192.0.2.53", "X-Status-Token", SECRET_VARIABLE, SECRET_VALUE)


def text(pt: str, en: str | None = None) -> Text:
    return Text((("pt-BR", pt), ("en", en))) if en else Text((("pt-BR", pt),))


WEB, SERVICES, NETWORK = text("Web"), text("Serviços", "Services"), text("Rede", "Network")
# Groups interleaved with an ungrouped component: each group lists at its first member's place.
COMPONENTS = (
    Component("website", text("Site", "Website"), WEB, text("www.test.example"),
              Check("http", 10.0, 2.0, public=True, url="https://www.test.example/")),
    Component("link-sp", text("Link São Paulo", "São Paulo link")),
    Component("email", text("E-mail"), SERVICES,
              check=Check("tcp", 5.0, 1.0, host="mail-internal.private.example", port=587)),
    Component("portal", text("Área do cliente", "Customer area"), WEB,
              check=Check("http", 10.0, url="https://portal-internal.private.example/health",
                          headers=(("X-Status-Token", SECRET_VARIABLE),))),
    Component("dns", text("DNS recursivo", "Recursive DNS"), SERVICES,
              check=Check("dns", 3.0, name="resolver.private.example", server="192.0.2.53")),
    Component("datacenter", text("Data center"), NETWORK, text("Energia e climatização", "Power and cooling")),
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SP)


def update(when: datetime, status: str, html: str) -> IncidentUpdate:
    return IncidentUpdate(when, status, Text((("pt-BR", html), ("en", "<p>In English.</p>"))))


def notice(slug: str, kind: str, published: datetime, components, *, start=None, end=None, impact=None,
           updates=(), cancelled=False, modified=None, body="<p>Corpo do aviso.</p>") -> Notice:
    return Notice(slug=slug, path=f"notices/{slug}.md", type=kind, lang="pt-BR",
                  title=text(f"Título {slug}", f"Title {slug}"), body=text(body, "<p>Notice body.</p>"),
                  date=published, updated=None, departments=(), cancelled=cancelled, modified=modified,
                  components=components, impact=impact, start=start, end=end, updates=updates)


OPEN = notice("2026-11-23-lentidao-email", "incident", at(23, 8, 35), (("email", "partial_outage"),),
              start=at(23, 8, 30), impact="major", modified=at(23, 9, 12), updates=(
                  update(at(23, 8, 35), "investigating", "<p>Lentidão no envio de e-mails.</p>"),
                  update(at(23, 9, 10), "identified",
                         "<p>Fila <strong>parada</strong> &amp; reprocessando.\nVeja o\n"
                         '<a href="https://www.test.example/ajuda" rel="noopener noreferrer">guia</a>.</p>\n'
                         "<ul>\n<li>SMTP</li>\n<li>IMAP</li>\n</ul>"),
                  update(at(23, 11, 0), "monitoring", "<p>Depois de agora: ainda não publicado.</p>"),
              ))
RESOLVED = notice("2026-11-05-link", "incident", at(5, 14, 10),
                  (("link-sp", "major_outage"), ("website", "degraded_performance")),
                  start=at(5, 14, 5), end=at(5, 15, 35), impact="major", modified=at(6, 9, 0), updates=(
                      update(at(5, 14, 10), "investigating", "<p>Investigando.</p>"),
                      update(at(5, 14, 40), "identified", "<p>Fibra rompida.</p>"),
                      update(at(5, 15, 20), "monitoring", "<p>Acompanhando.</p>"),
                      update(at(5, 15, 35), "resolved", "<p>Normalizado.</p>"),
                  ))
QUIET = notice("2026-11-10-dns", "incident", at(10, 7, 0), (("dns", "degraded_performance"),),
               start=at(10, 6, 40), end=at(10, 7, 20), impact="minor",
               body="<p>O DNS respondeu devagar entre 6h40 e 7h20.</p>")
FALSE_ALARM = notice("2026-11-22-falso-alarme", "incident", at(22, 23, 0), (("datacenter", "major_outage"),),
                     start=at(22, 22, 50), impact="critical", cancelled=True)
UPCOMING = notice("2026-11-20-nobreaks", "maintenance", at(20, 18, 0),
                  (("datacenter", "under_maintenance"), ("email", "under_maintenance")),
                  start=at(29, 1, 0), end=at(29, 3, 0), modified=at(20, 18, 5))
ACTIVE = notice("2026-11-21-roteador", "maintenance", at(21, 10, 0), (("link-sp", "under_maintenance"),),
                start=at(23, 9, 0), end=at(23, 12, 0),
                updates=(update(at(21, 10, 0), "scheduled", "<p>Troca do roteador de borda.</p>"),))
DONE = notice("2026-11-02-dns", "maintenance", at(2, 9, 0), (("dns", "under_maintenance"),),
              start=at(3, 1, 0), end=at(3, 2, 0))
WITHDRAWN = notice("2026-11-22-cancelada", "maintenance", at(22, 9, 0), (("website", "under_maintenance"),),
                   start=at(23, 9, 30), end=at(23, 11, 0), cancelled=True)
HOURS = replace(notice("2026-11-16-natal", "hours", at(16, 10, 0), ()), departments=("suporte",))
NOTICES = (HOURS, OPEN, RESOLVED, QUIET, FALSE_ALARM, UPCOMING, ACTIVE, DONE, WITHDRAWN)
TIMELINE = ["resolved", "monitoring", "identified", "investigating"]     # newest first, as Statuspage lists them


def make_build(notices=NOTICES, now=NOW, uptime=None, components=COMPONENTS) -> Build:
    site = Site(name="Test ISP", base_url=BASE, timezone="America/Sao_Paulo", languages=("pt-BR", "en"),
                holiday_rules=None, departments=(), notices=tuple(notices), components=components)
    return Build(site=site, now=now, holidays=HolidayCalendar(), uptime=MappingProxyType(uptime or {}))


def render(build: Build) -> dict[str, dict]:
    return {output.path: json.loads(output.data) for output in render_statuspage_api(build)}


def validators() -> dict[str, Draft202012Validator]:
    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMAS.glob("*.json"))}
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    return {path: Draft202012Validator(schemas[name], registry=registry) for path, name in SCHEMA_OF.items()}


VALIDATORS = validators()


def assert_valid(files: dict[str, dict]) -> None:
    assert sorted(files) == sorted(SCHEMA_OF)
    for path, document in files.items():
        errors = sorted(VALIDATORS[path].iter_errors(document), key=lambda e: list(e.absolute_path))
        assert not errors, f"{path}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def fresh_probe(ok: bool, latency: float | None = 120.0, minutes_ago: int = 5) -> ComponentUptime:
    return ComponentUptime("website", (), (), ProbeResult(NOW.astimezone(UTC) - timedelta(minutes=minutes_ago), ok,
                                                          latency, detail="connect to portal-internal.private.example"))


# Every checked component with a fresh row that finds it well: nothing awaits its first check.
MEASURED = MappingProxyType({c.id: fresh_probe(ok=True) for c in COMPONENTS if c.check is not None})


# --- shapes ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("now", [NOW, at(3, 1, 30), at(29, 2, 0), at(23, 12, 0), datetime(2027, 3, 1, tzinfo=SP)])
def test_every_file_matches_its_schema(now):
    assert_valid(render(make_build(now=now)))


def test_the_schemas_reject_what_statuspage_clients_would_not_read():
    files = render(make_build())
    bad_indicator = dict(files["api/v2/status.json"], status={"indicator": "green", "description": "ok"})
    assert list(VALIDATORS["api/v2/status.json"].iter_errors(bad_indicator))
    component = dict(files["api/v2/components.json"]["components"][1], status="down")
    assert list(VALIDATORS["api/v2/components.json"].iter_errors({"page": files["api/v2/status.json"]["page"],
                                                                   "components": [component]}))
    incident = dict(files["api/v2/incidents.json"]["incidents"][0])
    del incident["shortlink"]
    assert list(VALIDATORS["api/v2/incidents.json"].iter_errors({"page": files["api/v2/status.json"]["page"],
                                                                  "incidents": [incident]}))
    resolved = [i for i in files["api/v2/incidents.json"]["incidents"] if i["status"] == "resolved"]
    assert list(VALIDATORS["api/v2/incidents/unresolved.json"].iter_errors(
        {"page": files["api/v2/status.json"]["page"], "incidents": resolved}))


def test_page_object_and_time_format():
    files = render(make_build())
    page = files["api/v2/summary.json"]["page"]
    assert page == {"id": "status.test.example", "name": "Test ISP", "url": "https://status.test.example",
                    "time_zone": "America/Sao_Paulo", "updated_at": "2026-11-23T12:12:00.000Z"}
    assert all(document.get("page", page) == page for document in files.values())

    def instants(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from instants(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from instants(v, key)
        elif key.endswith(("_at", "_for", "_until")) or key == "time":
            yield key, value

    found = [(k, v) for document in files.values() for k, v in instants(document)]
    assert len(found) > 100
    assert all(v is None or INSTANT.match(v) for _, v in found), [f for f in found if f[1] and not INSTANT.match(f[1])]


# --- the indicator ---------------------------------------------------------------------------------------------

DEGRADED = replace(OPEN, components=(("email", "degraded_performance"),), impact="minor")
DOWN = replace(OPEN, components=(("email", "major_outage"),), impact="critical")
DECLARED = replace(OPEN, components=(("email", "degraded_performance"),), impact="critical")


@pytest.mark.parametrize("notices, uptime, indicator, description", [
    ((), {}, "none", "All Systems Operational"),
    ((HOURS, RESOLVED, QUIET, DONE), {}, "none", "All Systems Operational"),
    ((UPCOMING,), {}, "none", "All Systems Operational"),
    ((FALSE_ALARM, WITHDRAWN), {}, "none", "All Systems Operational"),
    ((ACTIVE,), {}, "maintenance", "Service Under Maintenance"),
    ((DEGRADED,), {}, "minor", "Minor Service Outage"),
    ((OPEN,), {}, "major", "Partial System Outage"),
    ((ACTIVE, OPEN), {}, "major", "Partial System Outage"),
    ((DOWN,), {}, "critical", "Major Service Outage"),
    ((DECLARED,), {}, "critical", "Major Service Outage"),        # the declared impact counts
    ((), {"website": fresh_probe(ok=False)}, "critical", "Major Service Outage"),
    ((), {"website": fresh_probe(ok=True, latency=2500.0)}, "minor", "Minor Service Outage"),
    # Stale: the API has no "unknown" and keeps the last known status (the page says "no recent checks").
    ((), {"website": fresh_probe(ok=False, minutes_ago=45)}, "critical", "Major Service Outage"),
    # Checked components nobody has measured yet: not "all is well", though nothing is known to be down.
    ((), None, "none", "Awaiting First Checks"),
    ((HOURS, RESOLVED, UPCOMING, WITHDRAWN), None, "none", "Awaiting First Checks"),
    ((), {"website": None}, "none", "Awaiting First Checks"),
    # What is known to be wrong, or under maintenance, outranks what is not known yet.
    ((ACTIVE,), None, "maintenance", "Service Under Maintenance"),
    ((DEGRADED,), None, "minor", "Minor Service Outage"),
    ((), {"website": fresh_probe(ok=False), "email": None}, "critical", "Major Service Outage"),
], ids=["nothing", "past", "upcoming", "cancelled", "maintenance", "degraded", "partial", "partial+maintenance",
        "major-outage", "declared-critical", "probe-down", "probe-slow", "probe-stale", "awaiting",
        "awaiting-past", "awaiting-one", "awaiting-maintenance", "awaiting-degraded", "awaiting-probe-down"])
def test_indicator_and_description(notices, uptime, indicator, description):
    """`uptime` is laid over MEASURED (a None removes a component's rows); None alone: nothing measured."""
    measured = {} if uptime is None else {cid: row for cid, row in (MEASURED | uptime).items() if row is not None}
    files = render(make_build(notices, uptime=measured))
    expected = {"indicator": indicator, "description": description}
    assert files["api/v2/status.json"]["status"] == expected
    assert files["api/v2/summary.json"]["status"] == expected
    for path in ("api/v2/status.json", "api/v2/summary.json"):
        assert not list(VALIDATORS[path].iter_errors(files[path]))


# --- incidents -------------------------------------------------------------------------------------------------


def test_incidents_newest_first_without_the_cancelled_and_unresolved_only_unresolved():
    files = render(make_build())
    listed = files["api/v2/incidents.json"]["incidents"]
    assert ids(listed) == [OPEN.slug, QUIET.slug, RESOLVED.slug]
    assert [i["status"] for i in listed] == ["identified", "resolved", "resolved"]
    assert ids(files["api/v2/incidents/unresolved.json"]["incidents"]) == [OPEN.slug]
    assert ids(files["api/v2/summary.json"]["incidents"]) == [OPEN.slug]
    # After its end the incident is resolved, though no update said so.
    later = render(make_build((replace(OPEN, end=at(23, 9, 50)),)))
    assert later["api/v2/incidents/unresolved.json"]["incidents"] == []
    assert later["api/v2/incidents.json"]["incidents"][0]["status"] == "resolved"
    # An incident that has not started by now is not shown.
    assert render(make_build(now=at(23, 8, 0)))["api/v2/incidents/unresolved.json"]["incidents"] == []


def test_incident_as_of_now_with_updates_newest_first():
    incident = render(make_build())["api/v2/incidents/unresolved.json"]["incidents"][0]
    assert incident["status"] == "identified"       # the 11:00 update is later than now
    assert incident["impact"] == "major"
    assert incident["name"] == f"Título {OPEN.slug}"
    assert incident["shortlink"] == f"{BASE}notices/{OPEN.slug}/"
    assert (incident["created_at"], incident["started_at"]) == ("2026-11-23T11:35:00.000Z", "2026-11-23T11:30:00.000Z")
    assert incident["updated_at"] == "2026-11-23T12:12:00.000Z"        # its last edit
    assert incident["monitoring_at"] is None and incident["resolved_at"] is None
    updates = incident["incident_updates"]
    assert [u["status"] for u in updates] == ["identified", "investigating"]
    assert [u["created_at"] for u in updates] == ["2026-11-23T12:10:00.000Z", "2026-11-23T11:35:00.000Z"]
    assert [u["id"] for u in updates] == [f"{OPEN.slug}-20261123t121000z", f"{OPEN.slug}-20261123t113500z"]
    assert all(u["incident_id"] == OPEN.slug for u in updates)
    assert updates[0]["body"] == ("Fila parada & reprocessando. Veja o guia (https://www.test.example/ajuda)."
                                  "\n\n- SMTP\n- IMAP")
    assert updates[-1]["affected_components"] == [
        {"code": "email", "name": "E-mail", "old_status": "operational", "new_status": "partial_outage"}]
    assert "affected_components" not in updates[0]
    assert [c["id"] for c in incident["components"]] == ["email"]
    assert incident["components"][0]["status"] == "partial_outage"


def test_resolved_incident_timeline():
    listed = render(make_build())["api/v2/incidents.json"]["incidents"]
    resolved = next(i for i in listed if i["id"] == RESOLVED.slug)
    assert [u["status"] for u in resolved["incident_updates"]] == TIMELINE
    assert [u["body"] for u in resolved["incident_updates"]] == ["Normalizado.", "Acompanhando.", "Fibra rompida.",
                                                                  "Investigando."]
    assert resolved["monitoring_at"] == "2026-11-05T18:20:00.000Z"
    assert resolved["resolved_at"] == "2026-11-05T18:35:00.000Z"
    assert resolved["incident_updates"][0]["affected_components"] == [
        {"code": "link-sp", "name": "Link São Paulo", "old_status": "major_outage", "new_status": "operational"},
        {"code": "website", "name": "Site", "old_status": "degraded_performance", "new_status": "operational"}]
    assert [c["status"] for c in resolved["components"]] == ["under_maintenance", "operational"]   # as of now
    # Without updates: the notice's text opens it, and the resolution is written as Statuspage writes it.
    quiet = next(i for i in listed if i["id"] == QUIET.slug)
    assert [(u["status"], u["body"], u["created_at"]) for u in quiet["incident_updates"]] == [
        ("resolved", "Este incidente foi resolvido.", "2026-11-10T10:20:00.000Z"),
        ("investigating", "O DNS respondeu devagar entre 6h40 e 7h20.", "2026-11-10T09:40:00.000Z")]


# --- maintenance -----------------------------------------------------------------------------------------------


def maintenance_ids(files, path):
    return ids(files[f"api/v2/scheduled-maintenances{path}.json"]["scheduled_maintenances"])


def test_upcoming_and_active_split_by_now():
    files = render(make_build())
    assert maintenance_ids(files, "") == [UPCOMING.slug, ACTIVE.slug, DONE.slug]     # newest window first
    assert maintenance_ids(files, "/upcoming") == [UPCOMING.slug]
    assert maintenance_ids(files, "/active") == [ACTIVE.slug]
    assert ids(files["api/v2/summary.json"]["scheduled_maintenances"]) == [UPCOMING.slug, ACTIVE.slug]
    statuses = {m["id"]: m["status"] for m in files["api/v2/scheduled-maintenances.json"]["scheduled_maintenances"]}
    assert statuses == {UPCOMING.slug: "scheduled", ACTIVE.slug: "in_progress", DONE.slug: "completed"}
    window = files["api/v2/scheduled-maintenances/upcoming.json"]["scheduled_maintenances"][0]
    assert (window["scheduled_for"], window["scheduled_until"], window["impact"]) == (
        "2026-11-29T04:00:00.000Z", "2026-11-29T06:00:00.000Z", "maintenance")
    assert [(u["status"], u["body"]) for u in window["incident_updates"]] == [("scheduled", "Corpo do aviso.")]


@pytest.mark.parametrize("now, upcoming, active, completed", [
    (at(23, 8, 59), [ACTIVE.slug], [], []),
    (at(23, 9, 0), [], [ACTIVE.slug], []),          # starts at its start
    (at(23, 11, 59), [], [ACTIVE.slug], []),
    (at(23, 12, 0), [], [], [ACTIVE.slug]),         # ends at its end
])
def test_window_boundaries(now, upcoming, active, completed):
    files = render(make_build((ACTIVE,), now=now))
    assert maintenance_ids(files, "/upcoming") == upcoming
    assert maintenance_ids(files, "/active") == active
    window = files["api/v2/scheduled-maintenances.json"]["scheduled_maintenances"][0]
    assert (window["status"] == "completed") == bool(completed)


def test_a_window_moves_components_by_itself():
    statuses = []
    for now in (at(29, 0, 59), at(29, 1, 0), at(29, 2, 59), at(29, 3, 0)):
        files = render(make_build((UPCOMING,), now=now))
        states = {c["id"]: c["status"] for c in files["api/v2/components.json"]["components"]}
        statuses.append((states["datacenter"], states["email"], states["group-rede"], states["dns"],
                         files["api/v2/status.json"]["status"]["indicator"],
                         [u["status"] for u in files["api/v2/scheduled-maintenances.json"]["scheduled_maintenances"][0]
                          ["incident_updates"]]))
    assert statuses == [
        ("operational", "operational", "operational", "operational", "none", ["scheduled"]),
        ("under_maintenance", "under_maintenance", "under_maintenance", "operational", "maintenance",
         ["in_progress", "scheduled"]),
        ("under_maintenance", "under_maintenance", "under_maintenance", "operational", "maintenance",
         ["in_progress", "scheduled"]),
        ("operational", "operational", "operational", "operational", "none", ["completed", "in_progress", "scheduled"]),
    ]
    files = render(make_build((UPCOMING,), now=at(29, 3, 0)))
    window = files["api/v2/scheduled-maintenances.json"]["scheduled_maintenances"][0]
    texts = {u["status"]: u["body"] for u in window["incident_updates"]}
    assert texts["completed"] == "A manutenção programada foi concluída."
    assert window["resolved_at"] == "2026-11-29T06:00:00.000Z"
    changes = {u["status"]: u.get("affected_components") for u in window["incident_updates"]}
    assert changes["scheduled"] is None
    assert [(c["code"], c["old_status"], c["new_status"]) for c in changes["in_progress"]] == [
        ("datacenter", "operational", "under_maintenance"), ("email", "operational", "under_maintenance")]
    assert [(c["code"], c["old_status"], c["new_status"]) for c in changes["completed"]] == [
        ("datacenter", "under_maintenance", "operational"), ("email", "under_maintenance", "operational")]


def test_withdrawn_notices_change_nothing():
    files = render(make_build())
    text_of_files = json.dumps(files)
    assert FALSE_ALARM.slug not in text_of_files and WITHDRAWN.slug not in text_of_files
    states = {c["id"]: c["status"] for c in files["api/v2/components.json"]["components"]}
    assert states["website"] == "operational" and states["datacenter"] == "operational"


# --- components ------------------------------------------------------------------------------------------------


def test_components_and_groups_as_statuspage_lists_them():
    components = render(make_build())["api/v2/components.json"]["components"]
    assert ids(components) == ["group-web", "website", "portal", "link-sp", "group-servicos", "email", "dns",
                               "group-rede", "datacenter"]
    assert [c["position"] for c in components] == list(range(1, 10))
    by_id = {c["id"]: c for c in components}
    assert by_id["group-web"]["group"] is True and by_id["group-web"]["components"] == ["website", "portal"]
    assert by_id["group-servicos"]["name"] == "Serviços"                 # the default language
    assert by_id["group-servicos"]["components"] == ["email", "dns"]
    assert by_id["group-servicos"]["status"] == "partial_outage"          # the worst of its members
    assert [by_id[c]["group_id"] for c in ("website", "portal", "link-sp", "email", "datacenter")] == [
        "group-web", "group-web", None, "group-servicos", "group-rede"]
    assert by_id["link-sp"]["status"] == "under_maintenance"              # ACTIVE's window
    assert by_id["datacenter"]["description"] == "Energia e climatização"
    assert all(c["page_id"] == "status.test.example" for c in components)
    assert not any("components" in c for c in components if not c["group"])
    assert by_id["email"]["updated_at"] == "2026-11-23T11:30:00.000Z"     # when OPEN started
    assert by_id["portal"]["updated_at"] == "1970-01-01T00:00:00.000Z"    # never changed


def test_a_group_id_never_takes_a_component_id():
    components = (Component("group-web", text("Web")), Component("site", text("Site"), WEB),
                  Component("x", text("X"), text("Сеть")))
    listed = render(make_build((), components=components))["api/v2/components.json"]["components"]
    assert ids(listed) == ["group-web", "group-web-2", "site", "group-2", "x"]


# --- caching, determinism, secrets -----------------------------------------------------------------------------


def test_updated_at_follows_content_not_the_clock():
    quiet_hours = [render_statuspage_api(make_build(now=now)) for now in (at(23, 12, 30), at(23, 18, 0))]
    assert quiet_hours[0] == quiet_hours[1]          # nothing changed between them: the same bytes
    pages = [render(make_build(now=now))["api/v2/status.json"]["page"]["updated_at"]
             for now in (at(29, 0, 59), at(29, 1, 0), at(29, 3, 30))]
    assert pages == ["2026-11-23T15:00:00.000Z", "2026-11-29T04:00:00.000Z", "2026-11-29T06:00:00.000Z"]
    # An edit of a notice counts, a cancelled one's included (it removes a window from the page).
    edited = replace(WITHDRAWN, modified=at(23, 12, 45))
    assert render(make_build(NOTICES[:-1] + (edited,), now=at(23, 18, 0)))["api/v2/status.json"]["page"][
        "updated_at"] == "2026-11-23T15:45:00.000Z"
    # A failing probe dates the change; a healthy one does not.
    assert render(make_build((), uptime={"website": fresh_probe(ok=False)}))["api/v2/status.json"]["page"][
        "updated_at"] == "2026-11-23T12:55:00.000Z"
    assert render(make_build((), uptime={"website": fresh_probe(ok=True)}))["api/v2/status.json"]["page"][
        "updated_at"] == "1970-01-01T00:00:00.000Z"


def test_deterministic_whatever_the_order_of_notices():
    first = render_statuspage_api(make_build())
    assert render_statuspage_api(make_build()) == first
    shuffled = list(NOTICES)
    random.Random(7).shuffle(shuffled)
    assert render_statuspage_api(make_build(tuple(shuffled))) == first
    for output in first:
        assert output.data.endswith(b"}\n") and b"\r" not in output.data
        assert output.data.decode("utf-8") == json.dumps(json.loads(output.data), sort_keys=True,
                                                         ensure_ascii=False, indent=2) + "\n"


def test_no_private_target_and_no_secret_anywhere(monkeypatch):
    monkeypatch.setenv(SECRET_VARIABLE, SECRET_VALUE)
    uptime = {"portal": replace(fresh_probe(ok=False), component="portal"), "website": fresh_probe(ok=True)}
    build = make_build(uptime=uptime)
    outputs = render_statuspage_api(build) + render_component_feeds(build) + render_feeds(build)
    for output in outputs:
        for secret in PRIVATE:
            assert secret.encode() not in output.data, f"{secret} in {output.path}"
    published = json.loads(next(o.data for o in outputs if o.path == "api/uptime.json"))
    assert {c["id"]: c["check"] for c in published["components"]} == {
        "website": {"type": "http", "target": "https://www.test.example/"}, "link-sp": None,
        "email": {"type": "tcp", "target": None}, "portal": {"type": "http", "target": None},
        "dns": {"type": "dns", "target": None}, "datacenter": None}


# --- api/uptime.json -------------------------------------------------------------------------------------------


def test_uptime_without_measurements_has_90_days_without_data():
    files = render(make_build())
    uptime = files["api/uptime.json"]
    assert uptime["timezone"] == "America/Sao_Paulo" and uptime["updated_at"] is None
    for component in uptime["components"]:
        days = component["days"]
        assert len(days) == 90 and (days[0]["date"], days[-1]["date"]) == ("2026-08-26", "2026-11-23")
        assert all(d["uptime"] is None and d["source"] == "none" and d["checks"] == 0 for d in days)
        assert component["windows"] == {"24h": None, "7d": None, "30d": None, "90d": None}
        assert component["latest"] is None
    assert [c["group"] for c in uptime["components"]] == ["Web", None, "Serviços", "Web", "Serviços", "Rede"]
    # Local days: 23:30 in São Paulo is already the next day in UTC.
    late = render(make_build(now=at(23, 23, 30)))["api/uptime.json"]["components"][0]["days"]
    assert late[-1]["date"] == "2026-11-23"


def test_uptime_with_measurements():
    days = tuple(UptimeDay(date(2026, 11, 23) - timedelta(days=89 - n), 1.0, "probe", 288, 288, 3, 101.25, 250.04)
                 for n in range(89))
    days += (UptimeDay(date(2026, 11, 23), 0.99652777777, "probe", 120, 119, 0, 98.0, 180.0, 5.0),)
    windows = (("24h", 0.99652777777), ("7d", 0.9995), ("30d", 0.99988), ("90d", None))
    measured = ComponentUptime("website", days, windows,
                               ProbeResult(datetime(2026, 11, 23, 12, 55, tzinfo=UTC), True, 97.26, "HTTP 200"))
    files = render(make_build(uptime={"website": measured}))
    assert_valid(files)
    uptime = files["api/uptime.json"]
    website = uptime["components"][0]
    assert website["windows"] == {"24h": 0.996528, "7d": 0.9995, "30d": 0.99988, "90d": None}
    assert website["days"][-1] == {"date": "2026-11-23", "uptime": 0.996528, "source": "probe", "checks": 120,
                                   "ok": 119,
                                   "degraded": 0, "latency_p50": 98.0, "latency_p95": 180.0, "outage_minutes": 5.0}
    assert website["days"][0]["latency_p50"] == 101.2 and website["days"][0]["latency_p95"] == 250.0
    assert website["latest"] == {"time": "2026-11-23T12:55:00.000Z", "ok": True, "latency_ms": 97.3}
    assert uptime["updated_at"] == "2026-11-23T12:55:00.000Z"
    assert "HTTP 200" not in json.dumps(uptime)          # a probe's detail is not published


# --- awaiting the first checks, through the command line -------------------------------------------------------

AWAITED_STATUS = """\
components:
  - id: website
    name: Site
    check: {type: tcp, host: www.test.example, port: 443}
  - id: email
    name: E-mail
    check: {type: tcp, host: mail.test.example, port: 587}
  - id: datacenter
    name: Data center
"""
AWAITED_NOW = "2026-11-23T13:00:00Z"        # 10:00 in São Paulo
AWAITED_OPEN = """\
---
title: E-mail lento
date: 2026-11-23 09:00
type: incident
components: {email: degraded_performance}
start: 2026-11-23 08:50
impact: minor
---
O envio de e-mails está lento.
"""


def rows(*lines: str) -> str:
    return "time,ok,latency_ms,detail\n" + "".join(f"{line}\n" for line in lines)


def built_status(make_site, tmp_path: Path, files: dict[str, str]) -> dict[str, dict]:
    """Build a site with two checked components and one without a check at AWAITED_NOW through the command
    line; return the `status` object of status.json, checking that summary.json says the same."""
    site, out = make_site({"site_src/status.yaml": AWAITED_STATUS, **files}), tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", AWAITED_NOW]) == 0
    documents = {name: json.loads((out / "api" / "v2" / name).read_text(encoding="utf-8"))
                 for name in ("status.json", "summary.json")}
    for name, document in documents.items():
        assert not list(VALIDATORS[f"api/v2/{name}"].iter_errors(document))
    assert documents["summary.json"]["status"] == documents["status.json"]["status"]
    return documents["status.json"]["status"]


def test_components_awaiting_their_first_checks_are_not_all_systems_operational(make_site, tmp_path):
    assert built_status(make_site, tmp_path, {}) == {"indicator": "none", "description": "Awaiting First Checks"}


def test_one_component_still_awaiting_keeps_the_page_from_saying_all_is_well(make_site, tmp_path):
    files = {"site_src/uptime/website/2026-11.csv": rows("2026-11-23T12:55:00Z,1,12.0,connected")}
    assert built_status(make_site, tmp_path, files) == {"indicator": "none",
                                                         "description": "Awaiting First Checks"}


def test_once_every_checked_component_has_rows_all_systems_are_operational(make_site, tmp_path):
    files = {"site_src/uptime/website/2026-11.csv": rows("2026-11-23T12:55:00Z,1,12.0,connected"),
             "site_src/uptime/email/2026-11.csv": rows("2026-11-23T12:56:00Z,1,30.0,connected")}
    assert built_status(make_site, tmp_path, files) == {"indicator": "none",
                                                         "description": "All Systems Operational"}


def test_what_is_known_to_be_wrong_outranks_what_is_not_known_yet(make_site, tmp_path):
    declared = {"notices/2026-11-23-email-lento.md": AWAITED_OPEN}
    assert built_status(make_site, tmp_path, declared) == {"indicator": "minor",
                                                            "description": "Minor Service Outage"}
    failing = {"site_src/uptime/website/2026-11.csv": rows("2026-11-23T12:55:00Z,0,,timeout")}
    assert built_status(make_site, tmp_path / "failing", failing) == {"indicator": "critical",
                                                                       "description": "Major Service Outage"}


# --- the example site, through the pipeline --------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_site() -> Site:
    loaded = load(ROOT)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    return site


def test_example_site(example_site):
    # With the probe's rows (read without a cache, which would be written into the repository): without
    # them, every checked component would await its first check.
    files = render(make_site_build(example_site, datetime(2026, 11, 23, 10, 0, tzinfo=SP), ROOT, cache=False))
    assert_valid(files)
    assert files["api/v2/status.json"]["status"] == {"indicator": "none", "description": "All Systems Operational"}
    incident = files["api/v2/incidents.json"]["incidents"][0]
    assert incident["id"] == "2026-11-05-instabilidade-link-sp" and incident["status"] == "resolved"
    assert [u["status"] for u in incident["incident_updates"]] == TIMELINE
    assert incident["incident_updates"][-1]["body"] == (
        "Clientes relatam lentidão e perda de conexão. Estamos investigando.")
    assert maintenance_ids(files, "/upcoming") == ["2026-11-20-manutencao-data-center"]
    window = render(make_site_build(example_site, datetime(2026, 11, 29, 2, 0, tzinfo=SP)))
    assert_valid(window)
    assert maintenance_ids(window, "/active") == ["2026-11-20-manutencao-data-center"]
    assert window["api/v2/status.json"]["status"]["indicator"] == "maintenance"
    states = {c["id"]: c["status"] for c in window["api/v2/components.json"]["components"]}
    assert states["datacenter"] == states["email"] == "under_maintenance" and states["dns"] == "operational"
    active = window["api/v2/scheduled-maintenances/active.json"]["scheduled_maintenances"][0]
    body = active["incident_updates"][-1]["body"]
    assert body.startswith("No domingo, 29 de novembro, entre 1h e 3h, faremos a troca dos nobreaks do data center")
    assert "<" not in body and "\n" not in body


# --- RSS per component -----------------------------------------------------------------------------------------


def test_component_feeds():
    outputs = {o.path: o.data for o in render_component_feeds(make_build())}
    assert sorted(outputs) == sorted(f"feeds/components/{c.id}.xml" for c in COMPONENTS)
    entries = {}
    for path, data in outputs.items():
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.feed.link == f"{BASE}notices/"                         # the alternate link, last
        assert any(link.rel == "self" and link.href == BASE + path for link in parsed.feed.links)
        assert parsed.feed.language == "pt-BR"
        entries[path.rsplit("/", 1)[1][:-4]] = [(e.link, e.title) for e in parsed.entries]
    link = lambda n: f"{BASE}notices/{n.slug}/"
    assert entries["link-sp"] == [(link(ACTIVE), f"Título {ACTIVE.slug}"),
                                  (link(RESOLVED), f"Título {RESOLVED.slug}")]
    assert entries["datacenter"] == [(link(FALSE_ALARM), f"Cancelado: Título {FALSE_ALARM.slug}"),
                                     (link(UPCOMING), f"Título {UPCOMING.slug}")]
    assert entries["email"] == [(link(OPEN), f"Título {OPEN.slug}"), (link(UPCOMING), f"Título {UPCOMING.slug}")]
    assert entries["portal"] == []
    assert "Test ISP – Avisos: Link São Paulo" in outputs["feeds/components/link-sp.xml"].decode()
    # "Now" only decides which updates are said: the same until the next one is posted at 11:00.
    assert render_component_feeds(make_build()) == render_component_feeds(make_build(now=at(23, 10, 59)))
    later = {o.path: o.data.decode() for o in render_component_feeds(make_build(now=at(29, 2, 0)))}
    assert "Depois de agora" not in outputs["feeds/components/email.xml"].decode()
    assert "Depois de agora" in later["feeds/components/email.xml"]


def test_example_component_feeds(example_site):
    outputs = {o.path: o.data for o in render_component_feeds(make_site_build(example_site, NOW))}
    parsed = feedparser.parse(outputs["feeds/components/link-sp.xml"])
    assert parsed.bozo == 0
    assert [e.link for e in parsed.entries] == ["https://status.example.net/notices/2026-11-05-instabilidade-link-sp/"]
    assert [e.link for e in feedparser.parse(outputs["feeds/components/email.xml"]).entries] == [
        "https://status.example.net/notices/2026-11-20-manutencao-data-center/"]


@pytest.mark.parametrize("html, expected", [
    ("<p>Linha 1<br>\nLinha 2</p>\n<p>Outro &lt;parágrafo&gt; &amp; fim.</p>",
     "Linha 1\nLinha 2\n\nOutro <parágrafo> & fim."),
    ("<ol>\n<li>um</li>\n<li>dois</li>\n</ol>\n<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n<p>Depois.</p>",
     "1. um\n2. dois\n\n- a\n  - b\n\nDepois."),
    ("<ul>\n<li>\n<p>solto</p>\n</li>\n<li>\n<p>outro</p>\n</li>\n</ul>", "- solto\n- outro"),
    ('<p>Escreva a <a href="mailto:suporte@x.example">suporte@x.example</a> ou veja o '
     '<a href="https://x.example/ajuda">guia</a>.</p>',
     "Escreva a suporte@x.example ou veja o guia (https://x.example/ajuda)."),
    ("<table>\n<tr>\n<th>A</th>\n<th>B</th>\n</tr>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</table>", "A | B\n1 | 2"),
    ("<pre><code>dig  example.net\n  A\n</code></pre>", "dig  example.net\n  A"),
    ("<h2>Título</h2>\n<p>Texto\ncom quebra.</p>", "Título\n\nTexto com quebra."),
])
def test_bodies_are_plain_text(html, expected):
    assert plain_text(html) == expected
