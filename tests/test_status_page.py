"""The status page: banner, incidents, maintenance, components with daily bars, history, size, validity."""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from helpers_vnu import run_vnu

from generator import pipeline
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
from generator.read.templates import default_theme_dir, theme_loader
from generator.render.frame import make_environment
from generator.render.status_html import level, percent, render_status_pages

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("America/Sao_Paulo")
UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 22, 10, 30, tzinfo=ZONE)
NNBSP = "\u202f"


# --- Builds made by hand ------------------------------------------------------------

def at(text: str, zone=ZONE) -> datetime:
    """Return an aware datetime from 'YYYY-MM-DD HH:MM' in `zone`."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zone)


def text(pt: str, en: str) -> Text:
    return Text((("pt-BR", pt), ("en", en)))


def probe_day(day: date, uptime: float, p50: float = 120.0, p95: float = 240.0) -> UptimeDay:
    """Return a day measured by the probe every minute, with its uptime and latency."""
    return UptimeDay(day, uptime, "probe", checks=1440, ok=round(1440 * uptime), latency_p50=p50,
                     latency_p95=p95, outage_minutes=round((1 - uptime) * 1440, 1))


def history(today: date, *, first: int = 0, dips: dict[int, float] | None = None, source: str = "probe",
            base: float = 120.0) -> tuple[UptimeDay, ...]:
    """Return 90 days ending `today`: the `first` oldest without data, `dips` {days ago: uptime}, the rest 100 %.

    Latency wanders smoothly around `base`, so that the sparkline has a shape.
    """
    days = []
    for ago in range(89, -1, -1):
        day = today - timedelta(days=ago)
        if 89 - ago < first:
            days.append(UptimeDay(day, None, "none"))
            continue
        uptime = (dips or {}).get(ago, 1.0)
        if source == "incidents":
            days.append(UptimeDay(day, uptime, "incidents", outage_minutes=round((1 - uptime) * 1440, 1)))
        else:
            wave = base * (1 + 0.2 * math.sin(ago / 9))
            days.append(probe_day(day, uptime, round(wave, 1), round(wave * 2.1, 1)))
    return tuple(days)


def with_uptime(build: Build, histories: dict[str, tuple[UptimeDay, ...]],
                latest: dict[str, ProbeResult] | None = None) -> Build:
    """Return the build with Build.uptime from daily histories; windows averaged over the days with data."""
    today = build.now.astimezone(ZoneInfo(build.site.timezone)).date()
    uptime = {}
    for cid, days in histories.items():
        windows = []
        for key, count in (("24h", 1), ("7d", 7), ("30d", 30), ("90d", 90)):
            values = [d.uptime for d in days if (today - d.day).days < count and d.uptime is not None]
            windows.append((key, sum(values) / len(values) if values else None))
        uptime[cid] = ComponentUptime(cid, days, tuple(windows), (latest or {}).get(cid))
    return dataclasses.replace(build, uptime=MappingProxyType(uptime))


def example_histories(today: date) -> dict[str, tuple[UptimeDay, ...]]:
    """Return histories for the example's five components: probe days, no-data days, incident-only days."""
    incident = (today - date(2026, 11, 5)).days
    return {
        "website": history(today, first=12, dips={incident: 0.9993, 40: 0.97, 60: 0.9993}, base=180),
        "email": history(today, dips={30: 0.9861}, base=60),
        "dns": history(today, dips={70: 0.9}, base=12),
        "link-sp": history(today, first=3, dips={incident: 0.9375}, base=25),
        "datacenter": history(today, source="incidents"),
    }


HTTP = Check("http", 10.0, 2.0, public=True, url="https://www.example.net/")
TCP = Check("tcp", 5.0, host="mail.example.net", port=587)
COMPONENTS = (
    Component("website", text("Site", "Website"), text("Web", "Web"), check=HTTP),
    Component("email", text("E-mail", "E-mail"), text("Serviços", "Services"), check=TCP),
    Component("link", text("Link São Paulo", "São Paulo link"), text("Rede", "Network")),
    Component("dns", text("DNS", "DNS"), text("Serviços", "Services"), check=dataclasses.replace(TCP, port=53)),
)


def incident(slug: str, start: str, end: str | None, components, impact: str, updates=()) -> Notice:
    """Return an incident notice in Portuguese with an English title."""
    return Notice(
        slug=slug, path=f"notices/{slug}.md", type="incident", lang="pt-BR",
        title=text(f"Incidente {slug}", f"Incident {slug}"), body=Text.plain("<p>…</p>"),
        date=at(start), updated=None, departments=(), components=tuple(components), impact=impact,
        start=at(start), end=at(end) if end else None,
        updates=tuple(IncidentUpdate(at(when), status, text(f"pt {status}", f"en {status}"))
                      for when, status in updates))


def maintenance(slug: str, start: str, end: str, components) -> Notice:
    """Return a maintenance window notice."""
    return Notice(
        slug=slug, path=f"notices/{slug}.md", type="maintenance", lang="pt-BR",
        title=text(f"Manutenção {slug}", f"Maintenance {slug}"), body=Text.plain("<p>…</p>"),
        date=at(start) - timedelta(days=5), updated=None, departments=(),
        components=tuple((cid, "under_maintenance") for cid in components), start=at(start), end=at(end))


def make_build(notices=(), now: datetime = NOW, components=COMPONENTS, zone: str = "America/Sao_Paulo",
               languages=("pt-BR", "en")) -> Build:
    """Return a small site with four components in three groups and the given notices; each checked
    component has one probe result, a good one five minutes old (without any, it awaits its first check)."""
    site = Site(name="Example Networks", base_url="https://status.example.net/", timezone=zone,
                languages=languages, holiday_rules=None, departments=(), notices=tuple(notices),
                components=components)
    checked = ProbeResult((now - timedelta(minutes=5)).astimezone(UTC), True, 12.0, "connected")
    uptime = {c.id: ComponentUptime(c.id, (), (), checked) for c in components if c.check is not None}
    return Build(site=site, now=now, holidays=HolidayCalendar(), uptime=MappingProxyType(uptime))


@functools.cache
def environment():
    """Return one Jinja2 environment for the module: templates and catalogs are compiled once."""
    return make_environment(theme_loader((default_theme_dir(),)))


def render(build: Build) -> dict[str, bytes]:
    return {o.path: o.data for o in render_status_pages(build, environment())}


def parse(data: bytes):
    return lxml.html.document_fromstring(data.decode("utf-8"))


def words(element) -> str:
    """Return an element's text with runs of ASCII white space as one space."""
    return re.sub(r"[ \t\n]+", " ", element.text_content()).strip()


def banner(data: bytes) -> str:
    return words(parse(data).xpath('//div[contains(@class, "ov")]//strong')[0])


def bars(doc, component: int = 0) -> list:
    return doc.xpath('//ol[@class="bars"]')[component].xpath("./li")


# --- The overall banner ------------------------------------------------------------

BANNERS = {
    "none": ((), "Todos os sistemas funcionando normalmente", "All systems operational"),
    "maintenance": ((maintenance("m", "2026-11-22 09:00", "2026-11-22 12:00", ["email"]),),
                    "Manutenção em andamento", "Maintenance in progress"),
    "minor": ((incident("i", "2026-11-22 10:00", None, [("website", "degraded_performance")], "minor"),),
              "Instabilidade em alguns serviços", "Minor service disruption"),
    "major": ((incident("i", "2026-11-22 10:00", None, [("website", "partial_outage")], "major"),),
              "Interrupção parcial dos serviços", "Partial service outage"),
    "critical": ((incident("i", "2026-11-22 10:00", None, [("link", "major_outage")], "critical"),),
                 "Interrupção grave dos serviços", "Major service outage"),
}


@pytest.mark.parametrize("indicator", BANNERS)
def test_banner_says_the_overall_state_in_words_with_an_icon(indicator):
    notices, portuguese, english = BANNERS[indicator]
    pages = render(make_build(notices))
    assert banner(pages["status/index.html"]) == portuguese
    assert banner(pages["en/status/index.html"]) == english
    box = parse(pages["en/status/index.html"]).xpath('//div[contains(@class, "ov")]')[0]
    assert box.xpath(".//svg/@aria-hidden") == ["true"]          # the icon repeats the words, hidden from readers
    assert words(box).endswith("As of Nov 22, 2026, 10:30 (Brasilia Time).")


def test_a_declared_impact_raises_the_banner_above_the_components_states():
    notices = (incident("i", "2026-11-22 10:00", None, [("website", "degraded_performance")], "critical"),)
    assert banner(render(make_build(notices))["en/status/index.html"]) == "Major service outage"


def test_a_resolved_incident_leaves_the_banner_operational():
    notices = (incident("i", "2026-11-22 08:00", "2026-11-22 09:00", [("link", "major_outage")], "critical"),)
    assert banner(render(make_build(notices))["status/index.html"]) == "Todos os sistemas funcionando normalmente"


# --- Incidents --------------------------------------------------------------------

UPDATES = (("2026-11-22 10:10", "investigating"), ("2026-11-22 10:25", "identified"),
           ("2026-11-22 10:40", "monitoring"), ("2026-11-22 10:05", "investigating"))


def test_active_incident_with_its_timeline_newest_first_and_no_update_from_after_now():
    notices = (incident("fibra", "2026-11-22 10:00", None, [("link", "major_outage"), ("website", "degraded_performance")],
                        "major", UPDATES),)
    doc = parse(render(make_build(notices))["status/index.html"])
    article = doc.xpath('//section[@aria-labelledby="active"]/article')[0]
    assert article.xpath(".//h3/a/@href") == ["../notices/fibra/"]
    assert words(article.xpath("./p")[0]) == (
        "Causa identificada · Impacto: Grave · Desde 22 de nov. de 2026 10:00 (Horário de Brasília)")
    assert [words(li) for li in article.xpath('./ul[@class="cl"]/li')] == [
        "Link São Paulo: Interrupção total", "Site: Desempenho degradado"]
    timeline = [(words(li.xpath("./p/strong")[0]), li.xpath("./p/time/@datetime")[0], words(li.xpath("./div")[0]))
                for li in article.xpath('./ol[@class="tl"]/li')]
    assert timeline == [
        ("Causa identificada", "2026-11-22T10:25:00-03:00", "pt identified"),
        ("Investigando", "2026-11-22T10:10:00-03:00", "pt investigating"),
        ("Investigando", "2026-11-22T10:05:00-03:00", "pt investigating"),
    ]
    assert words(article.xpath('./ol[@class="tl"]/li/p/time')[0]) == "22 de nov. de 2026 10:25"


def test_an_untranslated_update_keeps_its_language():
    notice = incident("x", "2026-11-22 10:00", None, [("link", "major_outage")], "major")
    notice = dataclasses.replace(notice, updates=(
        IncidentUpdate(at("2026-11-22 10:05"), "investigating", Text((("pt-BR", "<p>Investigando.</p>"),))),))
    doc = parse(render(make_build((notice,)))["en/status/index.html"])
    assert doc.xpath('//ol[@class="tl"]/li/div/@lang') == ["pt-BR"]
    assert doc.xpath('//ol[@class="tl"]/li/div/p/text()') == ["Investigando."]


def test_no_incident_section_without_an_active_incident():
    notices = (incident("old", "2026-11-20 10:00", "2026-11-20 11:00", [("link", "major_outage")], "major"),)
    doc = parse(render(make_build(notices))["status/index.html"])
    assert not doc.xpath('//section[@aria-labelledby="active"]')


# --- Maintenance --------------------------------------------------------------------

WINDOW = maintenance("ups", "2026-11-29 01:00", "2026-11-29 03:00", ["email", "link"])


@pytest.mark.parametrize("now, where, status", [
    ("2026-11-22 10:30", "maintenance", "Agendada"),
    ("2026-11-29 00:59", "maintenance", "Agendada"),
    ("2026-11-29 01:00", "maintenance", "Em andamento"),
    ("2026-11-29 02:59", "maintenance", "Em andamento"),
    ("2026-11-29 03:00", "history", "Concluída"),
    ("2026-12-15 12:00", "history", "Concluída"),
])
def test_maintenance_upcoming_in_progress_or_completed(now, where, status):
    doc = parse(render(make_build((WINDOW,), now=at(now)))["status/index.html"])
    maintenance_section = doc.xpath('//section[@aria-labelledby="maintenance"]')
    history_items = doc.xpath('//section[@aria-labelledby="history"]//li')
    if where == "maintenance":
        article = maintenance_section[0].xpath("./article")[0]
        assert words(article.xpath("./p")[0]) == (
            f"{status} · 29 de nov. de 2026 01:00{NNBSP}–{NNBSP}03:00 (Horário de Brasília)")
        # Maintenance enters the history when it starts.
        assert len(history_items) == (status == "Em andamento")
    else:
        assert not maintenance_section
        assert len(history_items) == 1
        assert f"Manutenção · {status} · 29 de nov. de 2026 01:00" in words(history_items[0])
    in_progress = status == "Em andamento"
    assert banner(doc_bytes := render(make_build((WINDOW,), now=at(now)))["status/index.html"]) == (
        "Manutenção em andamento" if in_progress else "Todos os sistemas funcionando normalmente")
    states = [words(s) for s in parse(doc_bytes).xpath('//li[@class="cp"]/div[@class="ch"]/span')]
    assert states == (["Operacional", "Em manutenção", "Operacional", "Em manutenção"] if in_progress
                      else ["Operacional"] * 4)


def test_maintenance_window_names_the_zone_in_english():
    doc = parse(render(make_build((WINDOW,)))["en/status/index.html"])
    assert words(doc.xpath('//section[@aria-labelledby="maintenance"]/article/p')[0]) == (
        f"Scheduled · Nov 29, 2026, 01:00{NNBSP}–{NNBSP}03:00 (Brasilia Time)")


# --- Components and their bars ------------------------------------------------------

def test_groups_in_file_order_open_with_their_worst_state():
    notices = (incident("i", "2026-11-22 10:00", None, [("dns", "partial_outage")], "major"),)
    doc = parse(render(make_build(notices))["en/status/index.html"])
    groups = doc.xpath('//details[@class="gr"]')
    assert len(groups) == 3 and all(g.get("open") is not None for g in groups)
    assert [words(g.xpath("./summary")[0]) for g in groups] == [
        "Web Operational", "Services Partial outage", "Network Operational"]
    assert [words(h) for h in groups[1].xpath(".//h4")] == ["E-mail", "DNS"]


def test_ninety_bars_oldest_first_with_their_date_and_figure_as_text():
    today = NOW.date()
    days = history(today, first=2, dips={1: 0.99934, 0: 0.5})
    build = with_uptime(make_build(), {"website": days})
    pages = render(build)
    pt, en = parse(pages["status/index.html"]), parse(pages["en/status/index.html"])
    assert len(bars(pt)) == 90 and all(len(bars(pt, n)) == 90 for n in range(4))
    assert [words(b) for b in bars(pt)[:3]] == ["25 de ago.: sem dados", "26 de ago.: sem dados", "27 de ago.: 100,00%"]
    assert [words(b) for b in bars(pt)[-2:]] == ["21 de nov.: 99,93%", "22 de nov.: 50,00%"]
    assert [words(b) for b in bars(en)[-2:]] == ["Nov 21: 99.93%", "Nov 22: 50.00%"]
    assert [b.get("class") for b in bars(pt)[:3] + bars(pt)[-2:]] == ["n", "n", None, "u1", "u3"]
    assert all(b.get("tabindex") == "0" for b in bars(pt))       # without the script every day is reachable
    assert pt.xpath('//ol[@class="bars"]/@aria-label')[0] == "Disponibilidade diária de Site nos últimos 90 dias"


def test_no_data_is_never_shown_as_full_uptime():
    today = NOW.date()
    days = (probe_day(today - timedelta(days=2), 1.0), probe_day(today - timedelta(days=1), 0.999999))
    doc = parse(render(with_uptime(make_build(), {"website": days}))["status/index.html"])
    strip = bars(doc)
    assert [words(b) for b in strip[-3:]] == ["20 de nov.: 100,00%", "21 de nov.: 99,99%", "22 de nov.: sem dados"]
    assert [b.get("class") for b in strip[-3:]] == [None, "u1", "n"]
    assert all(b.get("class") == "n" for b in strip[:-3])
    # A component the probe never saw: every bar and every window says "no data".
    email = doc.xpath('//li[@class="cp"]')[1]
    assert {words(b) .split(": ")[1] for b in email.xpath('.//ol[@class="bars"]/li')} == {"sem dados"}
    assert [words(dd) for dd in email.xpath('.//dl[@class="win"]//dd')] == ["sem dados"] * 4


def test_uptime_levels_and_percentages():
    assert [level(v) for v in (None, 1.0, 0.9999, 0.99, 0.9899, 0.95, 0.5, 0.0)] == [
        "n", "", "u1", "u1", "u2", "u2", "u3", "u3"]
    assert percent(None, "en") is None
    assert [percent(v, "pt-BR") for v in (1.0, 0.99995, 0.9993, 0.0)] == ["100,00%", "99,99%", "99,93%", "0,00%"]
    assert percent(0.9993, "en") == "99.93%"
    assert percent(0.9993, "es") == "99,93\xa0%"
    assert percent(0.9993, "pt-PT") == "99,93%"


def test_windows_and_latency_summary():
    days = history(NOW.date(), base=100)
    build = with_uptime(make_build(), {"website": days})
    doc = parse(render(build)["en/status/index.html"])
    card = doc.xpath('//li[@class="cp"]')[0]
    assert [(words(d.xpath("./dt")[0]), words(d.xpath("./dd")[0])) for d in card.xpath('.//dl[@class="win"]/div')] == [
        ("24 hours", "100.00%"), ("7 days", "100.00%"), ("30 days", "100.00%"), ("90 days", "100.00%")]
    last = days[-1]
    assert words(card.xpath('.//p[@class="lt"]')[0]) == (
        f"Response time on Nov 22: median {round(last.latency_p50)} ms, 95th percentile {round(last.latency_p95)} ms.")
    spark = card.xpath('.//svg[@class="sl"]')[0]
    assert spark.get("role") == "img"
    low, high = min(d.latency_p50 for d in days), max(d.latency_p50 for d in days)
    assert spark.get("aria-label") == (
        f"Median response time per day, last 90 days: from {round(low)} ms to {round(high)} ms")
    assert spark.xpath("./path/@d")[0].startswith("M0 ")


def test_sparkline_breaks_at_days_without_latency():
    days = history(NOW.date(), first=10)
    days = days[:50] + (dataclasses.replace(days[50], latency_p50=None, latency_p95=None),) + days[51:]
    doc = parse(render(with_uptime(make_build(), {"website": days}))["status/index.html"])
    path = doc.xpath('//svg[@class="sl"]/path/@d')[0]
    assert path.startswith("M10 ") and path.count("M") == 2 and "M51 " in path


def test_check_target_only_when_public():
    build = with_uptime(make_build(), {"website": history(NOW.date()), "email": history(NOW.date())},
                        {"email": ProbeResult(NOW.astimezone(UTC), True, 40.0)})
    html = render(build)["status/index.html"].decode()
    assert "https://www.example.net/" in html and "<code>https://www.example.net/</code> (HTTP)" in html
    assert "mail.example.net" not in html and ":587" not in html
    doc = parse(html.encode())
    email = doc.xpath('//li[@class="cp"]')[1]
    assert words(email.xpath("./p")[-1]) == "Última verificação: 22 de nov. de 2026 10:30"


def test_incident_only_days_are_said_to_be_estimated():
    today = NOW.date()
    build = with_uptime(make_build(), {
        "link": history(today, source="incidents"),
        "website": history(today)[:-2] + (UptimeDay(today - timedelta(days=1), 0.98, "incidents"),
                                          probe_day(today, 1.0))})
    doc = parse(render(build)["status/index.html"])
    website, link = doc.xpath('//li[@class="cp"]')[0], doc.xpath('//li[@class="cp"]')[3]     # groups in file order
    assert words(link.xpath('./p[@class="mu"]')[-1]) == (
        "Sem monitoramento: disponibilidade calculada a partir dos incidentes publicados.")
    assert not any("estimado" in words(b) for b in link.xpath('.//ol[@class="bars"]/li'))
    assert [words(b) for b in website.xpath('.//ol[@class="bars"]/li')[-2:]] == [
        "21 de nov.: 98,00% (estimado)", "22 de nov.: 100,00%"]


def test_bars_follow_local_days_across_a_dst_change():
    lisbon = ZoneInfo("Europe/Lisbon")
    now = datetime(2026, 11, 1, 0, 30, tzinfo=lisbon)     # a week after the clocks went back on 25 October
    build = make_build(now=now, zone="Europe/Lisbon", languages=("pt-PT", "en"))
    days = history(now.date(), dips={7: 0.96})            # 25 October had 25 hours
    doc = parse(render(with_uptime(build, {"website": days}))["en/status/index.html"])
    strip = bars(doc)
    assert len(strip) == 90 and words(strip[-1]) == "Nov 1: 100.00%" and words(strip[-8]) == "Oct 25: 96.00%"
    assert words(strip[0]) == "Aug 4: 100.00%"
    pt = parse(render(with_uptime(build, {"website": days}))["status/index.html"])
    # CLDR 48 (Babel 2.19) writes pt-PT's short day and month as Brazil does ("25/10" before): kept, it reads well.
    assert words(bars(pt)[-8]) == "25 de out.: 96,00%"


# --- History ----------------------------------------------------------------------

def test_history_by_month_newest_first_with_links_to_notices():
    notices = (incident("a", "2026-11-05 14:05", "2026-11-05 15:35", [("link", "major_outage")], "major"),
               incident("b", "2026-09-30 23:30", "2026-10-01 01:00", [("link", "partial_outage")], "minor"),
               incident("c", "2026-11-10 08:00", "2026-11-10 09:00", [("website", "degraded_performance")], "none"),
               incident("old", "2026-07-01 10:00", "2026-07-01 11:00", [("link", "major_outage")], "major"))
    doc = parse(render(make_build(notices))["status/index.html"])
    section = doc.xpath('//section[@aria-labelledby="history"]')[0]
    assert [words(h) for h in section.xpath("./h3")] == [
        "Novembro de 2026", "Outubro de 2026", "Setembro de 2026", "Agosto de 2026"]
    assert section.xpath("./h3/time/@datetime") == ["2026-11", "2026-10", "2026-09", "2026-08"]
    assert [a.get("href") for a in section.xpath(".//li/a")] == ["../notices/c/", "../notices/a/", "../notices/b/"]
    assert words(section.xpath(".//li")[0]) == (
        f"Incidente c Incidente · Resolvido · 10 de nov. de 2026 08:00{NNBSP}–{NNBSP}09:00")
    assert words(section.xpath("./p")[0]) == "Nenhum incidente ou manutenção neste mês."
    en = parse(render(make_build(notices))["en/status/index.html"])
    assert [words(h) for h in en.xpath('//section[@aria-labelledby="history"]/h3')][:2] == [
        "November 2026", "October 2026"]
    assert en.xpath('//section[@aria-labelledby="history"]//li/a/@href')[0] == "../../en/notices/c/"


# --- The page as a whole ------------------------------------------------------------

def example_build(histories: bool = True) -> Build:
    loaded = load(ROOT)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    build = pipeline.make_build(site, NOW)
    if histories:
        build = with_uptime(build, example_histories(NOW.date()),
                            {"website": ProbeResult(NOW.astimezone(UTC), True, 180.0)})
    return build


@pytest.fixture(scope="module")
def example_pages() -> dict[str, bytes]:
    return render(example_build())


def test_example_pages_in_every_language(example_pages):
    assert sorted(example_pages) == ["en/status/index.html", "status/index.html"]
    doc = parse(example_pages["status/index.html"])
    assert doc.xpath("/html/@lang") == ["pt-BR"]
    assert [words(a) for a in doc.xpath('//header//a[@aria-current="page"]')] == [
        "Status dos serviços", "Português (Brasil)"]
    assert doc.xpath('//header//a[@hreflang="en"]/@href') == ["../en/status/"]
    assert [words(h) for h in doc.xpath("//h2")] == [
        "Manutenção", "Componentes", "Histórico de incidentes"]


def test_example_page_stays_under_60_kb(example_pages):
    for path, data in example_pages.items():
        assert len(data) <= 60_000, (path, len(data))
    for path, data in render(example_build(histories=False)).items():
        assert len(data) <= 60_000, (path, len(data))


def test_page_structure_for_assistive_technology(example_pages):
    for data in example_pages.values():
        doc = parse(data)
        ids = doc.xpath("//@id")
        assert len(ids) == len(set(ids))
        assert doc.xpath("//main/@id") == ["main"] and len(doc.xpath("//h1")) == 1
        levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4")]
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))         # no level skipped
        assert not doc.xpath("//link[@rel='stylesheet'] | //script[@src] | //img | //*[@style]")
        # No external request: the only absolute addresses are the page's own canonical and alternates.
        assert all(h.startswith("https://status.example.net/") or not re.match(r"[a-z]+:|//", h)
                   for h in doc.xpath("//link/@href"))
        assert not doc.xpath("//*[@src]") and not re.search(r"url\((?!#)", words(doc.xpath("//style")[0]))
        for icon in doc.xpath("//svg[@class='ic']"):
            assert icon.get("aria-hidden") == "true"


def test_renders_are_byte_identical(example_pages):
    again = render_status_pages(example_build(), make_environment(theme_loader((default_theme_dir(),))))
    assert {o.path: o.data for o in again} == example_pages


def test_every_state_icon_is_defined(example_pages):
    doc = parse(example_pages["status/index.html"])
    defined = set(doc.xpath("//symbol/@id"))
    assert defined == {"i-ok", "i-dg", "i-po", "i-mo", "i-mt", "i-nd"}
    assert {u.get("href")[1:] for u in doc.xpath("//use")} <= defined


@pytest.mark.slow
def test_pages_are_valid_html(tmp_path, example_pages):
    pages = dict(example_pages)
    for name, notices in BANNERS.items():
        pages[f"{name}/status/index.html"] = render(make_build(notices[0] + (WINDOW,)))["status/index.html"]
    files = []
    for path, data in pages.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files.append(target)
    result = run_vnu(files)
    assert result.returncode == 0, result.stdout + result.stderr


CONTRAST_PAIRS = ("ok", "dg", "po", "mo", "mt", "nd")


def relative_luminance(colour: str) -> float:
    if len(colour) == 4:
        colour = "#" + "".join(c * 2 for c in colour[1:])
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_state_colours_read_as_text_on_light_and_dark_backgrounds():
    css = (default_theme_dir() / "status.css").read_text()
    theme = (default_theme_dir() / "style.css").read_text()
    light, dark = [dict(re.findall(r"--(\w+):(#[0-9a-f]{6}|#[0-9a-f]{3})\b", block)) for block in css.split("@media", 2)[:2]]
    theme_light, theme_dark = [dict(re.findall(r"--(\w+):(#[0-9a-f]{6}|#[0-9a-f]{3})\b", block))
                               for block in theme.split("@media", 2)[:2]]
    for colours, background in ((light, theme_light["bg"]), (dark, theme_dark["bg"])):
        for name in CONTRAST_PAIRS:
            # State words are written in these colours: text contrast, on the page and on the banner's tint.
            assert contrast(colours[name], background) >= 4.5, (name, colours[name], background)
            assert contrast(colours[name], colours["tint"]) >= 4.5, (name, colours[name], colours["tint"])
