"""The contact-hours page: paths, languages, weekly lines, the next days, JSON-LD, themes, size."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from generator.model import (
    Build,
    Channel,
    Department,
    HolidayCalendar,
    Interval,
    Override,
    Priority,
    ResponseTime,
    Site,
    Support,
    Text,
    TicketState,
    WeeklyHours,
)
from generator.read.templates import default_theme_dir, theme_loader
from generator.render.html import make_environment, render_hours_pages
from generator.render.i18n import LOCALE_DIR, LocaleFormats, read_catalogs, translations_for
from generator.render.jsonld import regular_hours, script_json, split_at_midnight

NNBSP = "\u202f"
ZONE = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 16, 10, 30, tzinfo=ZONE)        # a Monday
HOLIDAY = date(2026, 11, 20)
NOTICE_DAY = date(2026, 11, 18)


def hours(text: str) -> tuple[Interval, ...]:
    """Return intervals from '09:00-12:00 14:00-18:00'."""
    def minutes(clock: str) -> int:
        h, m = clock.split(":")
        return int(h) * 60 + int(m)
    return tuple(Interval(minutes(a), minutes(b)) for a, b in (part.split("-") for part in text.split()))


def make_test_build() -> Build:
    """Return a site with two departments, split hours, Saturday, a 24/7 e-mail, a holiday and a notice."""
    weekday = hours("08:00-12:00 13:00-18:00")
    phone = Channel("phone", "phone", "+55 13 3500-0000",
                    WeeklyHours(days=(weekday,) * 5 + (hours("09:00-13:00"), ())),
                    ResponseTime(5, 240, "5m-4h"))
    email = Channel("email", "email", "suporte@example.net",
                    WeeklyHours(days=((Interval(0, 1440),),) * 7, always=True),
                    ResponseTime(240, 1440, "4h-1d"))
    chat = Channel("chat", "chat", "https://chat.example.net/financeiro",
                   WeeklyHours(days=(hours("09:00-18:00"),) * 5 + ((), ())), ResponseTime(5, 5, "5m"))
    whatsapp = Channel("whatsapp", "whatsapp", "+55 13 99700-0200",
                       WeeklyHours(days=(hours("08:00-21:00"),) * 6 + ((),), holidays=hours("09:00-13:00")))
    support = Department("suporte", Text((("pt-BR", "Suporte Técnico"), ("en", "Technical Support"))),
                         "America/Sao_Paulo", (phone, email),
                         Text((("pt-BR", "Conexão e Wi-Fi."), ("en", "Connection and Wi-Fi."))))
    billing = Department("financeiro", Text((("pt-BR", "Financeiro"), ("en", "Billing"), ("es", "Facturación"))),
                         "America/Sao_Paulo", (chat, whatsapp))
    site = Site(
        name="Example Networks",
        base_url="https://suporte.example.net/",
        timezone="America/Sao_Paulo",
        languages=("pt-BR", "en", "es", "pt-PT"),
        holiday_rules=None,
        departments=(support, billing),
        support=Support(
            priorities=(Priority("critical", Text((("pt-BR", "Crítica"), ("en", "Critical"))),
                                 Text((("pt-BR", "Serviço indisponível"), ("en", "Service down"))),
                                 Text((("pt-BR", "até 1 hora"), ("en", "within 1 hour")))),),
            states=(TicketState("queued", Text((("pt-BR", "Na fila"), ("en", "Queued"))),
                                Text((("pt-BR", "Aguardando um técnico"), ("en", "Waiting for a technician")))),),
            notes=(Text((("pt-BR", "<p>Abra <strong>um chamado por problema</strong>.</p>"),
                         ("en", "<p>Open <strong>one ticket per problem</strong>.</p>"))),),
        ),
    )
    calendar = HolidayCalendar(MappingProxyType({HOLIDAY: Text((
        ("pt-BR", "Dia Nacional de Zumbi e da Consciência Negra"), ("en", "Black Awareness Day"),
        ("es", "Día de la Conciencia Negra"), ("pt-PT", "Dia da Consciência Negra")))}))
    overrides = MappingProxyType({("suporte", "phone", NOTICE_DAY): Override(
        hours("09:00-12:00"), "2026-11-10-treinamento",
        Text((("pt-BR", "Treinamento da equipe"), ("en", "Staff training"))))})
    return Build(site=site, now=NOW, holidays=calendar, overrides=overrides)


@pytest.fixture(scope="module")
def pages() -> dict[str, bytes]:
    outputs = render_hours_pages(make_test_build(), make_environment(theme_loader((default_theme_dir(),))))
    return {output.path: output.data for output in outputs}


def parse(data: bytes):
    return lxml.html.document_fromstring(data.decode("utf-8"))


def text_of(element) -> str:
    """Return an element's text with line breaks as spaces and runs of ASCII white space as one."""
    for br in element.iter("br"):
        br.tail = " " + (br.tail or "")
    return re.sub(r"[ \t\n]+", " ", element.text_content()).strip()


def weekly_lines(doc, department: str, channel: int) -> list[tuple[str, str]]:
    """Return (dt, dd) text pairs of a channel's weekly hours."""
    card = doc.xpath(f'//section[@aria-labelledby="d-{department}"]//ul[@class="chs"]/li')[channel]
    return [(text_of(dt), text_of(dt.getnext())) for dt in card.xpath(".//dt")]


def next_days_rows(doc, department: str) -> dict[str, list[str]]:
    """Return the 14-day table's rows by ISO date: [row header, cell, cell, ...] as text."""
    table = doc.xpath(f'//section[@aria-labelledby="d-{department}"]//table')[0]
    return {row.xpath("./th/time/@datetime")[0]: [text_of(cell) for cell in row.xpath("./th|./td")]
            for row in table.xpath("./tbody/tr")}


def test_one_page_per_language_in_its_folder(pages):
    assert list(pages) == ["index.html", "en/index.html", "es/index.html", "pt-pt/index.html"]


@pytest.mark.parametrize("path, lang", [("index.html", "pt-BR"), ("en/index.html", "en"),
                                        ("es/index.html", "es"), ("pt-pt/index.html", "pt-PT")])
def test_language_attributes_and_alternates(pages, path, lang):
    doc = parse(pages[path])
    assert doc.get("lang") == lang
    alternates = {link.get("hreflang"): link.get("href") for link in doc.xpath('//link[@rel="alternate"][@hreflang]')}
    assert alternates == {
        "pt-BR": "https://suporte.example.net/", "en": "https://suporte.example.net/en/",
        "es": "https://suporte.example.net/es/", "pt-PT": "https://suporte.example.net/pt-pt/",
        "x-default": "https://suporte.example.net/",
    }
    folder = "" if lang == "pt-BR" else "../" + lang.lower() + "/"
    feeds = [(link.get("type"), link.get("href")) for link in doc.xpath('//link[@rel="alternate"][@type]')]
    assert feeds == [("application/rss+xml", folder + "feed.xml"), ("application/atom+xml", folder + "atom.xml")]
    switcher = doc.xpath("//header/div/nav[2]//a")
    assert [(a.get("hreflang"), a.get("lang")) for a in switcher] == [
        ("pt-BR", "pt-BR"), ("en", "en"), ("es", "es"), ("pt-PT", "pt-PT")]
    assert [a.get("aria-current") for a in switcher].count("page") == 1


def test_switcher_links_are_relative_to_the_page(pages):
    root = [a.get("href") for a in parse(pages["index.html"]).xpath("//header/div/nav[2]//a")]
    english = [a.get("href") for a in parse(pages["en/index.html"]).xpath("//header/div/nav[2]//a")]
    assert root == ["./", "en/", "es/", "pt-pt/"]
    assert english == ["../", "../en/", "../es/", "../pt-pt/"]


def test_weekly_lines_merge_equal_days_in_portuguese(pages):
    doc = parse(pages["index.html"])
    assert weekly_lines(doc, "suporte", 0) == [
        ("seg.–sex.", f"08:00{NNBSP}–{NNBSP}12:00, 13:00{NNBSP}–{NNBSP}18:00"),
        ("sáb.", f"09:00{NNBSP}–{NNBSP}13:00"),
        ("dom.", "Fechado"),
        ("Feriados", "Fechado"),
    ]
    assert weekly_lines(doc, "suporte", 1) == [("Todos os dias", "24 horas, inclusive feriados")]
    assert weekly_lines(doc, "financeiro", 1)[-1] == ("Feriados", f"09:00{NNBSP}–{NNBSP}13:00")


def test_weekly_lines_in_english(pages):
    doc = parse(pages["en/index.html"])
    assert weekly_lines(doc, "suporte", 0) == [
        ("Mon–Fri", f"08:00{NNBSP}–{NNBSP}12:00, 13:00{NNBSP}–{NNBSP}18:00"),
        ("Sat", f"09:00{NNBSP}–{NNBSP}13:00"),
        ("Sun", "Closed"),
        ("Public holidays", "Closed"),
    ]
    assert weekly_lines(doc, "financeiro", 0) == [
        ("Mon–Fri", f"09:00{NNBSP}–{NNBSP}18:00"), ("Sat–Sun", "Closed"), ("Public holidays", "Closed")]


def test_channels_have_clickable_contacts_and_response_times(pages):
    doc = parse(pages["index.html"])
    links = [a.get("href") for a in doc.xpath('//ul[@class="chs"]/li/p/a')]
    assert links == ["tel:+551335000000", "mailto:suporte@example.net",
                     "https://chat.example.net/financeiro", "https://wa.me/5513997000200"]
    responses = [text_of(p) for p in doc.xpath('//ul[@class="chs"]/li/p[starts-with(., "Tempo")]')]
    assert responses == ["Tempo de resposta: 5 minutos – 4 horas", "Tempo de resposta: 4 horas – 1 dia",
                         "Tempo de resposta: 5 minutos"]


def test_time_zone_in_words_with_its_offset(pages):
    assert "Fuso horário: Horário de Brasília (GMT-03:00)" in text_of(parse(pages["index.html"]))
    assert "Time zone: Brasilia Time (GMT-03:00)" in text_of(parse(pages["en/index.html"]))


def test_next_days_table_starts_today_and_names_the_holiday(pages):
    doc = parse(pages["index.html"])
    table = doc.xpath('//section[@aria-labelledby="d-suporte"]//table')[0]
    assert text_of(table.find("caption")) == "Suporte Técnico: horário dos próximos 14 dias"
    assert [th.get("scope") for th in table.xpath("./thead/tr/th")] == ["col"] * 3
    rows = next_days_rows(doc, "suporte")
    assert list(rows)[0] == "2026-11-16" and len(rows) == 14
    assert rows["2026-11-16"] == ["seg., 16 de nov.", f"08:00{NNBSP}–{NNBSP}12:00, 13:00{NNBSP}–{NNBSP}18:00",
                                  "24 horas"]
    assert rows["2026-11-20"] == [
        "sex., 20 de nov. Feriado: Dia Nacional de Zumbi e da Consciência Negra", "Fechado", "24 horas"]
    assert next_days_rows(doc, "financeiro")["2026-11-20"][1:] == ["Fechado", f"09:00{NNBSP}–{NNBSP}13:00"]
    english = next_days_rows(parse(pages["en/index.html"]), "suporte")
    assert english["2026-11-20"][0] == "Fri, Nov 20 Public holiday: Black Awareness Day"


def test_notice_day_shows_its_hours_and_note(pages):
    rows = next_days_rows(parse(pages["index.html"]), "suporte")
    assert rows["2026-11-18"] == ["qua., 18 de nov. Aviso: Treinamento da equipe",
                                  f"09:00{NNBSP}–{NNBSP}12:00 (horário especial)", "24 horas"]
    english = next_days_rows(parse(pages["en/index.html"]), "suporte")
    assert english["2026-11-18"][:2] == ["Wed, Nov 18 Notice: Staff training",
                                         f"09:00{NNBSP}–{NNBSP}12:00 (special hours)"]


def test_static_html_never_says_open_now(pages):
    for path, data in pages.items():
        doc = parse(data)
        for script in doc.xpath("//script"):
            script.drop_tree()
        visible = text_of(doc).lower()
        for phrase in ("open now", "aberto agora", "abierto ahora", "closed now", "fechado agora"):
            assert phrase not in visible, (path, phrase)
        assert all(p.get("hidden") is not None and not p.text_content()
                   for p in doc.xpath('//p[@class="live"]'))


def test_embedded_schedule_has_the_next_days_as_minutes_after_start(pages):
    doc = parse(pages["index.html"])
    live = json.loads(doc.get_element_by_id("schedule").text)
    start = datetime(2026, 11, 16, tzinfo=ZONE)
    assert live["start"] == int(start.timestamp())
    assert live["end"] == int(datetime(2026, 11, 30, tzinfo=ZONE).timestamp())
    assert live["lang"] == "pt-BR" and live["text"]["today"] == "hoje" and live["hour"] == "2-digit"
    support = live["departments"][0]
    assert support["zone"] == "America/Sao_Paulo" and support["name"] == "Horário de Brasília"
    assert support["channels"]["suporte/phone"][:2] == [[480, 720], [780, 1080]]
    assert support["channels"]["suporte/email"] == [[0, 14 * 1440]]     # merged: no close at midnight
    assert [480 + 2 * 1440, 720 + 2 * 1440] not in support["channels"]["suporte/phone"]   # the notice day
    assert [540 + 2 * 1440, 720 + 2 * 1440] in support["channels"]["suporte/phone"]
    assert set(doc.xpath('//p[@class="live"]/@data-live')) == {
        key for d in live["departments"] for key in d["channels"]}


def test_jsonld_organization_with_contact_points(pages):
    doc = parse(pages["index.html"])
    (script,) = doc.xpath('//script[@type="application/ld+json"]')
    data = json.loads(script.text)
    assert data["@type"] == "Organization" and data["name"] == "Example Networks"
    assert data["url"] == "https://suporte.example.net/"
    points = data["contactPoint"]
    assert [(p["contactType"], p.get("telephone"), p.get("email"), p.get("url")) for p in points] == [
        ("Suporte Técnico", "+55 13 3500-0000", None, None),
        ("Suporte Técnico", None, "suporte@example.net", None),
        ("Financeiro", None, None, "https://chat.example.net/financeiro"),
        ("Financeiro", "+55 13 99700-0200", None, None),
    ]
    assert points[0]["availableLanguage"] == ["pt-BR", "en", "es", "pt-PT"]
    weekdays = [f"https://schema.org/{d}" for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
    phone = points[0]["hoursAvailable"]
    assert phone[:3] == [
        {"@type": "OpeningHoursSpecification", "dayOfWeek": weekdays, "opens": "08:00:00", "closes": "12:00:00"},
        {"@type": "OpeningHoursSpecification", "dayOfWeek": weekdays, "opens": "13:00:00", "closes": "18:00:00"},
        {"@type": "OpeningHoursSpecification", "dayOfWeek": "https://schema.org/Saturday",
         "opens": "09:00:00", "closes": "13:00:00"},
    ]
    assert {"@type": "OpeningHoursSpecification", "opens": "00:00:00", "closes": "00:00:00",
            "validFrom": "2026-11-20", "validThrough": "2026-11-20"} in phone
    assert {"@type": "OpeningHoursSpecification", "opens": "09:00:00", "closes": "12:00:00",
            "validFrom": "2026-11-18", "validThrough": "2026-11-18"} in phone
    email = points[1]["hoursAvailable"]
    assert email == [{"@type": "OpeningHoursSpecification", "dayOfWeek": weekdays + [
        "https://schema.org/Saturday", "https://schema.org/Sunday"], "opens": "00:00:00", "closes": "23:59:00"}]
    whatsapp = points[3]["hoursAvailable"]
    assert {"@type": "OpeningHoursSpecification", "opens": "09:00:00", "closes": "13:00:00",
            "validFrom": "2026-11-20", "validThrough": "2026-11-20"} in whatsapp
    english = json.loads(parse(pages["en/index.html"]).xpath('//script[@type="application/ld+json"]')[0].text)
    assert english["contactPoint"][0]["contactType"] == "Technical Support"


def test_jsonld_splits_overnight_hours_at_midnight():
    assert split_at_midnight((Interval(1320, 1800),)) == [(0, "22:00:00", "23:59:00"), (1, "00:00:00", "06:00:00")]
    late = Channel("night", "phone", None, WeeklyHours(days=((),) * 4 + ((Interval(1320, 1800),),) + ((),) * 2))
    assert regular_hours(late) == [
        {"@type": "OpeningHoursSpecification", "dayOfWeek": "https://schema.org/Friday",
         "opens": "22:00:00", "closes": "23:59:00"},
        {"@type": "OpeningHoursSpecification", "dayOfWeek": "https://schema.org/Saturday",
         "opens": "00:00:00", "closes": "06:00:00"},
    ]


def test_script_json_cannot_close_its_script_element():
    assert script_json({"a": "</script><!--&"}) == '{"a":"\\u003c/script\\u003e\\u003c!--\\u0026"}'


def test_support_section_after_the_departments(pages):
    doc = parse(pages["index.html"])
    sections = [s.get("aria-labelledby") for s in doc.xpath("//main/section")]
    assert sections == ["d-suporte", "d-financeiro", "how-support"]
    support = doc.xpath('//section[@aria-labelledby="how-support"]')[0]
    assert [text_of(cell) for cell in support.xpath(".//tbody/tr")[0]] == [
        "Crítica", "Serviço indisponível", "até 1 hora"]
    assert support.xpath('.//div[@class="note"]/p/strong')[0].text == "um chamado por problema"


def test_page_structure_for_assistive_technology(pages):
    for data in pages.values():
        doc = parse(data)
        ids = doc.xpath("//@id")
        assert len(ids) == len(set(ids))
        assert doc.xpath('//a[@class="skip"]/@href') == ["#main"]
        assert doc.xpath("//main/@id") == ["main"]
        assert len(doc.xpath("//header//nav")) == 2 and doc.xpath("//footer")
        for region in doc.xpath('//div[@role="region"]'):
            assert region.get("tabindex") == "0"
            assert doc.get_element_by_id(region.get("aria-labelledby")).tag == "caption"
        assert all(th.get("scope") in ("row", "col") for th in doc.xpath("//th"))
        assert doc.xpath('//meta[@name="description"]/@content')[0]
        assert not doc.xpath("//link[@rel='stylesheet'] | //script[@src] | //img")


def test_navigation_links_only_to_pages_that_exist():
    build = make_test_build()
    env = make_environment(theme_loader((default_theme_dir(),)))
    plain = parse(render_hours_pages(build, env)[0].data)
    assert plain.xpath("//header/div/nav[1]//a/@href") == ["./"]
    full = parse(render_hours_pages(build, env, status_page=True, notices_page=True)[1].data)
    assert full.xpath("//header/div/nav[1]//a/@href") == ["../en/", "../en/status/", "../en/notices/"]
    assert [text_of(a) for a in full.xpath("//header/div/nav[1]//a")] == ["Contact hours", "Service status", "Notices"]


def test_a_site_template_overrides_the_theme(tmp_path):
    (tmp_path / "support.html").write_text('<section id="own">{{ _("Notices") }} – own</section>\n')
    outputs = render_hours_pages(make_test_build(), make_environment(theme_loader((tmp_path, default_theme_dir()))))
    doc = parse(outputs[0].data)
    assert text_of(doc.get_element_by_id("own")) == "Avisos – own"
    assert doc.xpath('//section[@aria-labelledby="d-suporte"]')     # the rest still from the theme


def test_output_is_byte_identical_across_renders(pages):
    again = render_hours_pages(make_test_build(), make_environment(theme_loader((default_theme_dir(),))))
    assert {output.path: output.data for output in again} == pages


def test_pages_stay_under_the_size_budget(pages):
    for path, data in pages.items():
        assert len(data) < 40_000, (path, len(data))


def test_every_template_message_is_translated():
    messages = {message if isinstance(message, str) else message[0]
                for _, _, message, _, _ in extract_from_dir(
                    str(default_theme_dir()), method_map=[("**.html", "jinja2")],
                    options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})}
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and all(
            m.string if isinstance(m.string, tuple) else (m.string,))}
        assert messages <= translated, (po_path.parent.parent.name, sorted(messages - translated))
        assert not catalog.obsolete


def test_catalogs_are_found_by_language_tag():
    catalogs = read_catalogs()
    assert sorted(catalogs) == ["es", "pt_BR", "pt_PT"]
    assert translations_for(catalogs, "pt-PT").gettext("Closed") == "Encerrado"
    assert translations_for(catalogs, "pt-AO").gettext("Closed") in ("Fechado", "Encerrado")
    assert translations_for(catalogs, "fr").gettext("Closed") == "Closed"


def test_formats_use_babel_names():
    assert LocaleFormats("pt-BR").weekdays((0, 1, 2, 3, 4)) == "seg.–sex."
    assert LocaleFormats("es").weekdays((5,)) == "sáb"
    assert LocaleFormats("pt-PT").day(date(2026, 11, 16)) == "segunda, 16/11"
    assert LocaleFormats("en").duration_range(15, 120) == "15 minutes – 2 hours"
    assert LocaleFormats("pt-BR").duration_range(2, 10) == "2–10 minutos"
    assert LocaleFormats("pt-BR").interval(Interval(1080, 1440)) == f"18:00{NNBSP}–{NNBSP}00:00"
    assert LocaleFormats("en").zone_name("UTC") == "UTC"


LIVE_HARNESS = r"""
const [json, script, ...instants] = JSON.parse(require("fs").readFileSync(0, "utf8"));
const found = {};
globalThis.document = {
  getElementById: () => ({textContent: json}),
  querySelector: (selector) => {
    const key = selector.match(/"(.*)"/)[1];
    return found[key] || (found[key] = {hidden: true, textContent: ""});
  },
};
globalThis.setInterval = () => 0;
const results = instants.map((instant) => {
  Date.now = () => Date.parse(instant);
  new Function(script)();
  return Object.fromEntries(Object.entries(found).map(([key, el]) => [key, [el.hidden, el.textContent]]));
});
process.stdout.write(JSON.stringify(results));
"""


def run_live_script(page: bytes, instants: list[str], zone: str) -> list[dict]:
    """Run the page's own "open now" script under Node with a fake clock and the visitor in `zone`."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing: the inline script is not run")
    doc = parse(page)
    payload = json.dumps([doc.get_element_by_id("schedule").text,
                          doc.xpath("//body/script[not(@type)]")[0].text, *instants])
    done = subprocess.run([node, "-e", LIVE_HARNESS], input=payload, capture_output=True, text=True,
                          env={"TZ": zone, "PATH": os.environ.get("PATH", "")}, timeout=60, check=True)
    return json.loads(done.stdout)


@pytest.mark.slow
def test_live_script_says_open_or_when_it_opens(pages):
    mon_10h, mon_12h30, thu_19h, after = run_live_script(pages["index.html"], [
        "2026-11-16T13:00:00Z", "2026-11-16T15:30:00Z", "2026-11-19T22:00:00Z", "2026-12-01T12:00:00Z"],
        "America/New_York")
    assert mon_10h["suporte/phone"] == [False, "Aberto agora, fecha às 12:00 (Horário de Brasília; "
                                               "10:00 no seu horário)"]
    assert mon_10h["suporte/email"] == [False, "Aberto agora"]
    assert mon_12h30["suporte/phone"][1] == "Fechado agora, abre hoje às 13:00 (Horário de Brasília; 11:00 no seu horário)"
    # Friday the 20th is a public holiday, when the phone is closed.
    assert thu_19h["suporte/phone"][1] == "Fechado agora, abre sábado às 09:00 (Horário de Brasília; 07:00 no seu horário)"
    assert all(value == [True, ""] for value in after.values())      # past the embedded days: silent


@pytest.mark.slow
def test_live_script_omits_the_visitors_time_when_it_is_the_same(pages):
    (sunday,) = run_live_script(pages["en/index.html"], ["2026-11-22T15:00:00Z"], "America/Sao_Paulo")
    assert sunday["suporte/phone"] == [False, "Closed now, opens tomorrow at 08:00 (Brasilia Time)"]
    assert sunday["financeiro/chat"] == [False, "Closed now, opens tomorrow at 09:00 (Brasilia Time)"]
    (monday,) = run_live_script(pages["es/index.html"], ["2026-11-23T11:00:00Z"], "Europe/Madrid")
    assert monday["suporte/phone"] == [False, "Abierto ahora, cierra a las 12:00 (hora de Brasilia; 16:00 en su hora local)"]
    assert monday["financeiro/chat"] == [False, "Cerrado ahora, abre hoy a las 9:00 (hora de Brasilia; 13:00 en su hora local)"]


def test_a_catalog_is_read_when_its_language_is_first_looked_up(tmp_path):
    locale_dir = shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    catalogs = read_catalogs(locale_dir)
    assert sorted(catalogs) == ["es", "pt_BR", "pt_PT"] and "es" in catalogs
    assert catalogs["pt_BR"].messages_digest == read_catalogs()["pt_BR"].messages_digest
    # Spanish not looked up yet: its file is read at its first lookup, as it is then, and kept.
    spanish = locale_dir / "es" / "LC_MESSAGES" / "messages.mo"
    with (locale_dir / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="es", domain="messages")
    catalog["Closed"].string = "Cerrada"
    with spanish.open("wb") as mo_file:
        write_mo(mo_file, catalog)
    assert read_catalogs()["es"].gettext("Closed") == "Cerrado"
    assert translations_for(catalogs, "es").gettext("Closed") == "Cerrada"
    spanish.unlink()
    assert catalogs["es"].gettext("Closed") == "Cerrada"


def test_every_compiled_catalog_holds_its_po_files_messages():
    """A build reads the .mo files: each must say what its .po file says, message for message (after an edit
    of a .po file: pybabel compile -D messages -d generator/locale)."""
    po_files = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
    assert [path.with_suffix(".mo") for path in po_files] == sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.mo"))
    for po_path in po_files:
        with po_path.open("rb") as po_file, po_path.with_suffix(".mo").open("rb") as mo_file:
            source, compiled = read_po(po_file), read_mo(mo_file)

        def messages(catalog, keep):
            # (read_po gives a plural's forms as a tuple, read_mo as a list)
            return sorted((m.context or "", repr(tuple(m.id) if isinstance(m.id, list) else m.id),
                           repr(tuple(m.string) if isinstance(m.string, list) else m.string))
                          for m in catalog if m.id and keep(m))
        # What pybabel compile writes: the translated messages that are not fuzzy.
        written = messages(source, lambda m: not m.fuzzy and all(m.string if isinstance(m.string, tuple)
                                                                 else (m.string,)))
        assert written and messages(compiled, lambda m: True) == written, \
            f"{po_path.relative_to(LOCALE_DIR)} changed: pybabel compile -D messages -d generator/locale"
