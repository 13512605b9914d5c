"""Notice pages and the notices on the hours page: paths, generated tables, banners, languages, links."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from datetime import date, datetime
from urllib.parse import urldefrag, urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from conftest import EXAMPLE_NOW, copy_example
from helpers_vnu import run_vnu

from generator.cli import main
from generator.model import Change, Channel, Department, Interval, Notice, Site, Text, WeeklyHours
from generator.pipeline import build_site, make_build
from generator.read.templates import default_theme_dir, theme_loader
from generator.render.html import make_environment, render_hours_pages
from generator.render.notices import render_notice_index, render_notice_pages, upcoming_notices

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SP)        # a Monday
NNBSP = "\u202f"
BASE = "https://support.test.example/"
LANGS = ("pt-BR", "en", "es")
FOLDERS = {"pt-BR": "", "en": "en/", "es": "es/"}


def text(pt: str, en: str | None = None) -> Text:
    return Text((("pt-BR", pt),) + ((("en", en),) if en else ()))


def hours(first: str, last: str) -> tuple[Interval, ...]:
    (h1, m1), (h2, m2) = (map(int, first.split(":")), map(int, last.split(":")))
    return (Interval(h1 * 60 + m1, h2 * 60 + m2),)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SP)


def notice(slug: str, published: datetime, title: Text, body: Text, kind: str = "hours", **fields) -> Notice:
    return Notice(slug=slug, path=f"notices/{slug}.md", type=kind, lang="pt-BR", title=title, body=body,
                  date=published, updated=fields.pop("updated", None),
                  departments=fields.pop("departments", ("suporte", "financeiro")), **fields)


WEEKDAYS = hours("08:00", "18:00")
SUPPORT = Department("suporte", text("Suporte Técnico", "Technical Support"), "America/Sao_Paulo", (
    Channel("phone", "phone", "+55 13 3500-0000", WeeklyHours((WEEKDAYS,) * 5 + ((), ()))),
    Channel("email", "email", "suporte@example.net", WeeklyHours(((Interval(0, 1440),),) * 7, always=True)),
))
BILLING = Department("financeiro", text("Financeiro", "Billing"), "America/Sao_Paulo", (
    Channel("chat", "chat", "https://chat.example.net/", WeeklyHours((hours("09:00", "18:00"),) * 5 + ((), ()))),
))

XMAS = notice(
    "2026-11-16-natal", at(11, 16), text("Horário no Natal", "Hours over Christmas"),
    text("<p>Dia <strong>24</strong>: horário reduzido.</p>", "<p>December <strong>24</strong>: reduced hours.</p>"),
    changes=(
        Change(date(2026, 12, 24), date(2026, 12, 24), False, (("phone", hours("08:00", "12:00")),
                                                                ("chat", hours("08:00", "12:00"))),
               text("Véspera de Natal", "Christmas Eve")),
        Change(date(2026, 12, 25), date(2026, 12, 25), True, note=text("Natal", "Christmas Day")),
        Change(date(2026, 12, 28), date(2026, 12, 29), False, (("email", hours("09:00", "18:00")),),
               text("Somente e-mail", "E-mail only")),
    ))
CANCELLED = notice(
    "2026-11-10-treinamento", at(11, 10, 14), text("Atendimento reduzido em 27/11"),
    text("<p><strong>Aviso cancelado:</strong> horário normal.</p>"), departments=("financeiro",),
    cancelled=True, updated=at(11, 12, 9),
    changes=(Change(date(2026, 11, 27), date(2026, 11, 27), False, (("chat", hours("08:00", "12:00")),),
                    text("Treinamento da equipe", "Staff training")),))
OLD = notice(
    "2026-11-05-plantao", at(11, 5), text("Plantão no sábado", "Saturday on call"), text("<p>Das 9h às 12h.</p>"),
    departments=("suporte",),
    changes=(Change(date(2026, 11, 28), date(2026, 11, 28), False, (("phone", hours("09:00", "12:00")),)),))
NEW = notice(
    "2026-11-18-plantao-novo", at(11, 18), text("Plantão no sábado, até as 13h", "Saturday on call, until 1 pm"),
    text("<p>Das 9h às 13h.</p>", "<p>From 9 am to 1 pm.</p>"), departments=("suporte",), supersedes=(OLD.slug,),
    changes=(Change(date(2026, 11, 28), date(2026, 11, 28), False, (("phone", hours("09:00", "13:00")),)),))
INFO = notice("2026-11-03-whatsapp", at(11, 3, 9), text("Novo canal <script>x</script> & WhatsApp", "New channel"),
              text("<p>Fale pelo <em>WhatsApp</em> &amp; chat.</p>", "<p>Talk to us on <em>WhatsApp</em>.</p>"),
              kind="info", departments=("financeiro",))
OLD_INFO = notice("2026-09-01-boletos", at(9, 1), text("Novo boleto", "New payment slip"), text("<p>Boleto.</p>"),
                  kind="info")
PAST = notice("2026-10-30-finados", at(10, 30), text("Finados", "All Souls' Day"), text("<p>Fechado.</p>"),
              changes=(Change(date(2026, 11, 2), date(2026, 11, 2), True),))
NOTICES = (XMAS, CANCELLED, OLD, NEW, INFO, OLD_INFO, PAST)


def make_site(notices=NOTICES, languages=LANGS) -> Site:
    return Site(name="Test ISP", base_url=BASE, timezone="America/Sao_Paulo", languages=languages,
                holiday_rules=None, departments=(SUPPORT, BILLING), notices=notices)


def render(site: Site | None = None, now: datetime = NOW) -> dict[str, bytes]:
    """Render the hours and notice pages as the pipeline does (overrides from the notices)."""
    build = make_build(site or make_site(), now)
    env = make_environment(theme_loader((default_theme_dir(),)))
    outputs = (render_hours_pages(build, env, notices_page=True) + render_notice_index(build, env)
               + render_notice_pages(build, env, build.site.notices))
    return {output.path: output.data for output in outputs}


@pytest.fixture(scope="module")
def pages() -> dict[str, bytes]:
    return render()


def parse(data: bytes):
    return lxml.html.document_fromstring(data.decode("utf-8"))


def text_of(element) -> str:
    """Return an element's text with line breaks as spaces and runs of ASCII white space as one."""
    for br in element.iter("br"):
        br.tail = " " + (br.tail or "")
    return re.sub(r"[ \t\n]+", " ", element.text_content()).strip()


def table_rows(doc) -> list[list[str]]:
    """Return the rows of a notice's table of changes as text, header cell first."""
    return [[text_of(cell) for cell in row.xpath("./th|./td")]
            for row in doc.xpath('//table[caption/@id="changes"]/tbody/tr')]


def page(pages, lang: str, slug: str | None = None):
    return parse(pages[f"{FOLDERS[lang]}notices/{slug + '/' if slug else ''}index.html"])


# --- Paths -----------------------------------------------------------------------

def test_every_notice_has_a_page_in_every_language(pages):
    expected = {f"{FOLDERS[lang]}notices/{n.slug}/index.html" for lang in LANGS for n in NOTICES}
    expected |= {f"{FOLDERS[lang]}notices/index.html" for lang in LANGS}
    expected |= {f"{FOLDERS[lang]}index.html" for lang in LANGS}
    assert set(pages) == expected
    for lang in LANGS:
        assert parse(pages[f"{FOLDERS[lang]}notices/{XMAS.slug}/index.html"]).get("lang") == lang


def test_alternates_point_to_the_same_notice_in_each_language(pages):
    doc = page(pages, "en", XMAS.slug)
    assert doc.xpath('//link[@rel="canonical"]/@href') == [f"{BASE}en/notices/{XMAS.slug}/"]
    assert doc.xpath("//header/div/nav[2]//a/@href") == [
        f"../../../notices/{XMAS.slug}/", f"../../../en/notices/{XMAS.slug}/", f"../../../es/notices/{XMAS.slug}/"]
    assert [(link.get("type"), link.get("href")) for link in doc.xpath('//link[@rel="alternate"][@type]')] == [
        ("application/rss+xml", "../../../en/feed.xml"), ("application/atom+xml", "../../../en/atom.xml")]


# --- The notice's page -------------------------------------------------------------

def test_table_of_changes_is_generated_in_portuguese(pages):
    doc = page(pages, "pt-BR", XMAS.slug)
    assert text_of(doc.xpath('//caption[@id="changes"]')[0]) == "Mudanças no horário, dia a dia"
    assert [text_of(th) for th in doc.xpath('//table[caption/@id="changes"]/thead//th')] == [
        "Data", "Suporte Técnico", "Financeiro"]
    assert table_rows(doc) == [
        ["qui., 24 de dez. de 2026 Véspera de Natal", f"Telefone: 08:00{NNBSP}–{NNBSP}12:00 E-mail: Fechado",
         f"Chat: 08:00{NNBSP}–{NNBSP}12:00"],
        ["sex., 25 de dez. de 2026 Natal", "Fechado", "Fechado"],
        ["seg., 28 de dez. de 2026 Somente e-mail", f"Telefone: Fechado E-mail: 09:00{NNBSP}–{NNBSP}18:00", "Fechado"],
        ["ter., 29 de dez. de 2026 Somente e-mail", f"Telefone: Fechado E-mail: 09:00{NNBSP}–{NNBSP}18:00", "Fechado"],
    ]
    assert doc.xpath('//table[caption/@id="changes"]/tbody/tr/th/@scope') == ["row"] * 4
    assert doc.xpath('//table[caption/@id="changes"]/tbody/tr/th/time/@datetime') == [
        "2026-12-24", "2026-12-25", "2026-12-28", "2026-12-29"]
    assert "Fuso horário: Horário de Brasília" in text_of(doc)


def test_table_of_changes_is_generated_in_english(pages):
    doc = page(pages, "en", XMAS.slug)
    assert text_of(doc.xpath('//caption[@id="changes"]')[0]) == "Changes to the hours, day by day"
    assert table_rows(doc) == [
        ["Thu, Dec 24, 2026 Christmas Eve", f"Phone: 08:00{NNBSP}–{NNBSP}12:00 E-mail: Closed",
         f"Chat: 08:00{NNBSP}–{NNBSP}12:00"],
        ["Fri, Dec 25, 2026 Christmas Day", "Closed", "Closed"],
        ["Mon, Dec 28, 2026 E-mail only", f"Phone: Closed E-mail: 09:00{NNBSP}–{NNBSP}18:00", "Closed"],
        ["Tue, Dec 29, 2026 E-mail only", f"Phone: Closed E-mail: 09:00{NNBSP}–{NNBSP}18:00", "Closed"],
    ]


def test_facts_of_a_notice_in_the_pages_language(pages):
    def facts(doc) -> list[tuple[str, str]]:
        return [(text_of(dt), text_of(dt.getnext())) for dt in doc.xpath('//dl[@class="facts"]/dt')]

    assert facts(page(pages, "pt-BR", CANCELLED.slug)) == [
        ("Tipo", "Alteração de horário"), ("Situação", "Cancelado"), ("Dias", "27 de nov. de 2026"),
        ("Departamentos", "Financeiro"),
        ("Publicado", "10 de novembro de 2026 14:00 (Horário de Brasília)"),
        ("Atualizado", "12 de novembro de 2026 09:00 (Horário de Brasília)"),
    ]
    assert facts(page(pages, "en", XMAS.slug)) == [
        ("Type", "Change of hours"), ("Status", "Upcoming"), ("Days", f"Dec 24{NNBSP}–{NNBSP}25 and Dec 28{NNBSP}–{NNBSP}29, 2026"),
        ("Departments", "Technical Support and Billing"),
        ("Published", "November 16, 2026, 10:00 (Brasilia Time)"),
    ]
    doc = page(pages, "en", XMAS.slug)
    assert doc.xpath('//dl[@class="facts"]//time/@datetime') == ["2026-11-16T10:00:00-03:00"]


def test_cancelled_notice_says_so_in_words_and_strikes_its_title(pages):
    doc = page(pages, "pt-BR", CANCELLED.slug)
    (title,) = doc.xpath("//h1")
    assert text_of(title) == "Cancelado: Atendimento reduzido em 27/11"
    assert text_of(title.find("s")) == "Atendimento reduzido em 27/11"
    assert [text_of(p) for p in doc.xpath('//p[@class="banner"]')] == [
        "Este aviso foi cancelado. O que ele anunciava não vale."]
    assert text_of(doc.xpath('//caption[@id="changes"]')[0]) == "Mudanças anunciadas, que não valem mais"
    assert doc.xpath("//title")[0].text.startswith("Cancelado: Atendimento reduzido em 27/11")
    # No "add to calendar" for changes that do not apply; the department calendar stays.
    assert not [a for a in doc.xpath("//a/@href") if a.endswith("notice.ics")]
    assert "webcal://support.test.example/calendar/financeiro.ics" in doc.xpath("//main//a/@href")


def test_superseded_notice_links_the_notice_that_replaces_it(pages):
    doc = page(pages, "en", OLD.slug)
    (banner,) = doc.xpath('//p[@class="banner"]')
    assert text_of(banner) == ("This notice was replaced. It no longer applies; see instead: "
                               "Saturday on call, until 1 pm")
    assert banner.xpath(".//a/@href") == [f"../../../en/notices/{NEW.slug}/"]
    assert text_of(doc.xpath("//h1")[0]) == "Saturday on call"
    replacement = page(pages, "en", NEW.slug)
    assert not replacement.xpath('//p[@class="banner"]')
    replaces = replacement.xpath('//dl[@class="facts"]/dt[.="Replaces"]/following-sibling::dd[1]//a/@href')
    assert replaces == [f"../../../en/notices/{OLD.slug}/"]


def test_an_untranslated_notice_is_shown_in_its_own_language_with_lang(pages):
    doc = page(pages, "en", CANCELLED.slug)
    assert doc.get("lang") == "en"
    assert doc.xpath("//h1/s/@lang") == ["pt-BR"] and text_of(doc.xpath("//h1")[0]).startswith("Cancelled: ")
    assert doc.xpath('//div[@class="body"]/@lang') == ["pt-BR"]
    assert "This notice has not been translated; it is shown in Portuguese (Brazil)." in text_of(doc)
    # The note has an English text: no lang attribute on it.
    assert table_rows(doc)[0][0] == "Fri, Nov 27, 2026 Staff training"
    assert not doc.xpath('//table//*[@lang]')
    # Spanish: nothing is written in Spanish, so everything falls back to the notice's language.
    spanish = page(pages, "es", XMAS.slug)
    assert spanish.xpath("//h1/span/@lang") == ["pt-BR"] and spanish.xpath('//div[@class="body"]/@lang') == ["pt-BR"]
    assert spanish.xpath('//table//span[@class="tag"]/@lang') == ["pt-BR"] * 4
    assert "Este aviso no se ha traducido; se muestra en portugués (Brasil)." in text_of(spanish)
    # A translated notice carries no lang of its own.
    english = page(pages, "en", XMAS.slug)
    assert not english.xpath("//main//*[@lang]") and english.xpath("//h1/span")[0].get("lang") is None


def test_body_is_the_sanitised_html_as_given_and_text_is_escaped(pages):
    doc = page(pages, "pt-BR", INFO.slug)
    body = doc.xpath('//div[@class="body"]')[0]
    assert lxml.html.tostring(body.find("p"), encoding="unicode").strip() == (
        "<p>Fale pelo <em>WhatsApp</em> &amp; chat.</p>")
    assert text_of(doc.xpath("//h1")[0]) == "Novo canal <script>x</script> & WhatsApp"
    assert b"<script>x" not in pages[f"notices/{INFO.slug}/index.html"]
    assert not doc.xpath("//script")


def test_calendar_links_of_an_hours_notice(pages):
    doc = page(pages, "en", XMAS.slug)
    links = doc.xpath('//h2[@id="calendar"]/following-sibling::ul[1]//a/@href')
    assert links == [
        f"../../../notices/{XMAS.slug}/notice.ics",
        "webcal://support.test.example/calendar/suporte.ics", "https://support.test.example/calendar/suporte.ics",
        "webcal://support.test.example/calendar/financeiro.ics", "https://support.test.example/calendar/financeiro.ics",
    ]
    info = page(pages, "en", INFO.slug)
    assert not [a for a in info.xpath("//a/@href") if a.endswith("notice.ics")]


# --- The list of notices ------------------------------------------------------------

def test_index_lists_every_notice_newest_first_with_its_state(pages):
    doc = page(pages, "pt-BR")
    items = doc.xpath('//ul[@class="nl"]/li')
    assert [li.xpath("./h2/a/@href")[0] for li in items] == [
        f"../notices/{n.slug}/" for n in (NEW, XMAS, CANCELLED, OLD, INFO, PAST, OLD_INFO)]
    assert [text_of(li.xpath("./p")[0]) for li in items] == [
        "Programado · Alteração de horário · 28 de nov. de 2026",
        f"Programado · Alteração de horário · 24{NNBSP}–{NNBSP}25 de dez. e 28{NNBSP}–{NNBSP}29 de dez. de 2026",
        "Alteração de horário · 27 de nov. de 2026",
        "Substituído · Alteração de horário · 28 de nov. de 2026",
        "Recente · Comunicado",
        "Encerrado · Alteração de horário · 2 de nov. de 2026",
        "Encerrado · Comunicado",
    ]
    assert text_of(items[2].find("h2")) == "Cancelado: Atendimento reduzido em 27/11"
    assert items[2].xpath("./h2//s")
    assert text_of(items[3].xpath("./p")[-1]) == "Substituído por: Plantão no sábado, até as 13h"
    feeds = doc.xpath("//main/p[1]/a/@href")
    assert feeds == ["../feed.xml", "../atom.xml", "webcal://support.test.example/calendar.ics",
                     "https://support.test.example/calendar.ics", "#by-department"]
    assert doc.xpath('//table[caption/@id="by-department"]/tbody/tr/td[1]/a/@href') == [
        "../feeds/suporte.xml", "../feeds/financeiro.xml"]
    assert doc.xpath('//header//a[@aria-current="page"]/@href') == ["../notices/", "../notices/"]


def test_department_feeds_and_calendars_say_their_language_elsewhere(pages):
    assert "The department feeds and the calendars are in Portuguese (Brazil)." in text_of(page(pages, "en"))
    assert "Os feeds" not in text_of(page(pages, "pt-BR"))


# --- The hours page -------------------------------------------------------------------

def upcoming_items(data: bytes) -> list[str]:
    doc = parse(data)
    return [text_of(li) for li in doc.xpath('//section[@aria-labelledby="upcoming"]//li')]


def test_upcoming_block_lists_what_still_matters_in_effect_first_then_by_start(pages):
    assert upcoming_items(pages["index.html"]) == [
        "Novo canal <script>x</script> & WhatsApp Publicado em 3 de nov. de 2026 · Recente",
        "Cancelado: Atendimento reduzido em 27/11 27 de nov. de 2026",
        "Plantão no sábado, até as 13h 28 de nov. de 2026 · Programado",
        f"Horário no Natal 24{NNBSP}–{NNBSP}25 de dez. e 28{NNBSP}–{NNBSP}29 de dez. de 2026 · Programado",
    ]
    doc = parse(pages["en/index.html"])
    block = doc.xpath('//section[@aria-labelledby="upcoming"]')[0]
    assert block.xpath(".//li/a/@href") == [f"../en/notices/{n.slug}/" for n in (INFO, CANCELLED, NEW, XMAS)]
    cancelled = block.xpath(".//li")[1]
    assert text_of(cancelled.find("strong")) == "Cancelled:" and cancelled.xpath("./a[s]/@lang") == ["pt-BR"]
    assert block.xpath("./p/a/@href") == ["../en/notices/"]
    # Right after the page's heading, before the departments.
    assert doc.xpath("//main/*[self::section or self::h1]")[1] is block


@pytest.mark.parametrize("now, slugs", [
    (at(11, 28, 12), [NEW.slug, INFO.slug, XMAS.slug]),          # the Saturday: the cancelled day is over
    (at(12, 5), [XMAS.slug]),                                    # the announcement is over 30 days old
    (at(12, 29, 23), [XMAS.slug]),                               # its last day
    (at(12, 30, 0), []),
])
def test_upcoming_notices_relative_to_now(now, slugs):
    assert [n.slug for n in upcoming_notices(make_build(make_site(), now))] == slugs


def test_hours_page_says_when_nothing_is_announced():
    out = render(make_site(notices=(PAST, OLD_INFO)))
    assert upcoming_items(out["index.html"]) == []
    assert "Nenhuma mudança de horário foi anunciada." in text_of(parse(out["index.html"]))


def test_each_changed_day_of_the_hours_page_links_to_its_notice(pages):
    doc = parse(pages["en/index.html"])
    table = doc.xpath('//section[@aria-labelledby="d-suporte"]//table')[0]
    linked = {row.xpath("./th/time/@datetime")[0]: (text_of(row.find("th")), row.xpath(".//a/@href"))
              for row in table.xpath("./tbody/tr") if row.xpath(".//a")}
    assert linked == {"2026-11-28": ("Sat, Nov 28 Special hours", [f"../en/notices/{NEW.slug}/"])}
    billing = parse(pages["index.html"]).xpath('//section[@aria-labelledby="d-financeiro"]//table//a')
    assert billing == []       # the cancelled notice changes nothing


def test_footer_links_to_notices_feeds_and_calendar(pages):
    doc = parse(pages["es/index.html"])
    (nav,) = doc.xpath("//footer//nav")
    assert nav.get("aria-label") == "Siga los avisos"
    assert [(text_of(a), a.get("href")) for a in nav.xpath(".//a")] == [
        ("Avisos", "../es/notices/"), ("Canal RSS", "../es/feed.xml"), ("Canal Atom", "../es/atom.xml"),
        ("Suscribirse al calendario", "webcal://support.test.example/calendar.ics"),
        ("dirección https", "https://support.test.example/calendar.ics"),
    ]


# --- Whole outputs ------------------------------------------------------------------

def test_renders_are_byte_identical(pages):
    assert render() == pages


def test_pages_are_small(pages):
    for path, data in pages.items():
        if "notices/" in path:
            assert len(data) < 16_000, (path, len(data))


def test_pages_for_assistive_technology(pages):
    for path, data in pages.items():
        doc = parse(data)
        ids = doc.xpath("//@id")
        assert len(ids) == len(set(ids)), path
        assert len(doc.xpath("//h1")) == 1, path
        assert all(th.get("scope") in ("row", "col") for th in doc.xpath("//th")), path
        for region in doc.xpath('//div[@role="region"]'):
            assert doc.get_element_by_id(region.get("aria-labelledby")).tag == "caption", path
        labels = [nav.get("aria-label") for nav in doc.xpath("//nav")]
        assert len(labels) == len(set(labels)) == 3 and all(labels), path
        assert not doc.xpath("//link[@rel='stylesheet'] | //script[@src] | //img | //iframe"), path


@pytest.mark.slow
def test_hand_built_pages_pass_the_nu_html_checker(pages, tmp_path):
    files = []
    for path, data in sorted(pages.items()):
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files.append(target)
    result = run_vnu(files)
    output = (result.stdout + result.stderr).replace(str(tmp_path), "")
    assert result.returncode == 0 and not output.strip(), output


def test_markup_in_a_notice_body_is_sanitised_on_its_page(make_site, tmp_path):
    body = ('Olá <script>alert("x")</script> <b onclick="steal()">negrito</b> '
            '<a href="javascript:alert(2)">clique</a> {{ 7 * 7 }} {% raw %}')
    site = make_site({"notices/2026-11-20-x.md": (
        f'---\ntitle: "{{{{ 7*7 }}}} aviso <i>"\ndate: 2026-11-20 10:00\ntype: info\n---\n{body}\n')})
    result = build_site(site, NOW)
    assert result.ok, result.problems
    outputs = {o.path: o.data.decode("utf-8") for o in result.outputs}
    for path in ("notices/2026-11-20-x/index.html", "en/notices/2026-11-20-x/index.html"):
        doc = lxml.html.document_fromstring(outputs[path])
        (body_div,) = doc.xpath('//div[@class="body"]')
        assert text_of(body_div) == 'Olá negrito clique {{ 7 * 7 }} {% raw %}'
        assert body_div.xpath(".//b/@onclick") == [] and body_div.xpath(".//a/@href") == []
        assert text_of(doc.xpath("//h1")[0]) == "{{ 7*7 }} aviso <i>"
        assert not doc.xpath("//script") and "alert" not in outputs[path]


# --- The example site ---------------------------------------------------------------

@pytest.fixture(scope="module")
def example(example_outputs) -> Mapping[str, bytes]:
    """The example site's files, built once for the session (conftest.example_build)."""
    return example_outputs


def internal_links(outputs: dict[str, bytes], base: str):
    """Yield (page, href, output path or None, fragment) for every link of every page to the site itself.

    Relative links resolve against the page; absolute http(s) and webcal links count
    when they name the site's host and path; a folder means its index.html.
    """
    site = urlsplit(base)
    for path, data in sorted(outputs.items()):
        if not path.endswith(".html"):
            continue
        doc = parse(data)
        for href in doc.xpath("//a/@href | //link/@href"):
            url, fragment = urldefrag(urljoin(base + path, href.replace("webcal://", "https://", 1)))
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.netloc != site.netloc:
                continue                                    # mailto:, tel:, other hosts
            if not parts.path.startswith(site.path):
                yield path, href, None, fragment
                continue
            target = posixpath.normpath(parts.path[len(site.path):] or ".")
            target = "index.html" if target == "." else target
            if parts.path.endswith("/"):
                target = posixpath.join(target, "index.html") if target != "index.html" else target
            yield path, href, target, fragment


def test_every_internal_link_of_the_example_resolves(example):
    """Crawl every page of the example: each link to the site names a file it writes."""
    links = list(internal_links(example, "https://status.example.net/"))
    assert len(links) > 200
    missing = sorted({(page, href) for page, href, target, _ in links if target is None or target not in example})
    assert not missing, missing
    broken_fragments = []
    for page, href, target, fragment in links:
        if fragment and target in example and not parse(example[target]).xpath(f'//*[@id="{fragment}"]'):
            broken_fragments.append((page, href))
    assert not broken_fragments


def test_calendar_links_of_the_example_resolve(example):
    targets = {(page, target) for page, _, target, _ in internal_links(example, "https://status.example.net/")
               if target and target.endswith(".ics")}
    assert {t for _, t in targets} >= {"calendar.ics", "calendar/suporte.ics",
                                       "notices/2026-11-16-natal-e-ano-novo/notice.ics"}
    assert sorted(t for t in targets if t[1] not in example) == []


def test_example_has_a_page_per_notice_and_language(example):
    slugs = sorted(path.split("/")[1] for path in example if re.fullmatch(r"notices/[^/]+/index\.html", path))
    assert slugs == ["2017-10-16-alteracao-de-expediente", "2026-11-03-whatsapp-comercial",
                     "2026-11-05-instabilidade-link-sp", "2026-11-10-treinamento-equipe",
                     "2026-11-16-natal-e-ano-novo", "2026-11-20-manutencao-data-center"]
    assert all(f"en/notices/{slug}/index.html" in example for slug in slugs)
    assert "notices/index.html" in example and "en/notices/index.html" in example


def test_example_upcoming_block_and_2017_table(example):
    assert upcoming_items(example["index.html"]) == [
        "Novo canal de vendas pelo WhatsApp Publicado em 3 de nov. de 2026 · Recente",
        "Cancelado: Atendimento telefônico reduzido em 27/11 (cancelado) 27 de nov. de 2026",
        f"Manutenção programada no data center 29 de nov. de 2026 01:00{NNBSP}–{NNBSP}03:00 · Programado",
        # The notice's three runs of days (26-27 December a weekend, 30 December the stocktaking), each year once.
        f"Horário de atendimento no Natal e no Ano-Novo 24{NNBSP}–{NNBSP}25 de dez., 28{NNBSP}–{NNBSP}29 de dez. e "
        f"31 de dez. de 2026{NNBSP}–{NNBSP}2 de jan. de 2027 · Programado",
    ]
    rows = table_rows(parse(example["en/notices/2017-10-16-alteracao-de-expediente/index.html"]))
    assert len(rows) == 16                                   # 17 October to 1 November, day by day
    assert rows[0] == ["Tue, Oct 17, 2017", "Closed", "Closed", "Closed"]
    assert rows[2][0] == "Thu, Oct 19, 2017 E-mail only"
    assert rows[2][1] == f"Phone: Closed Chat: Closed E-mail: 09:00{NNBSP}–{NNBSP}23:00"


def test_example_incident_page_shows_its_timeline(example):
    doc = parse(example["notices/2026-11-05-instabilidade-link-sp/index.html"])
    updates = [text_of(li.find("p")) for li in doc.xpath('//h2[@id="updates"]/following-sibling::ol[1]/li')]
    assert updates == [
        "Resolvido · 5 de novembro de 2026 15:35", "Monitorando · 5 de novembro de 2026 15:20",
        "Causa identificada · 5 de novembro de 2026 14:40", "Investigando · 5 de novembro de 2026 14:10"]
    facts = {text_of(dt): text_of(dt.getnext()) for dt in doc.xpath('//dl[@class="facts"]/dt')}
    assert facts["Situação"] == "Encerrado" and facts["Impacto"] == "Grave"
    assert facts["Quando"] == f"5 de nov. de 2026 14:05{NNBSP}–{NNBSP}15:35 (Horário de Brasília)"


def test_one_process_renders_the_notice_pages_as_the_default_build_does(example, tmp_path):
    result = build_site(copy_example(tmp_path / "site"), datetime.fromisoformat(EXAMPLE_NOW), jobs=1)
    assert result.ok, result.problems
    paths = [output.path for output in result.outputs]
    assert "notices/index.html" in paths and "en/notices/2026-11-16-natal-e-ano-novo/index.html" in paths
    assert paths == sorted(paths)
    assert {output.path: output.data for output in result.outputs} == example


# An incident's update posted after the build's "now" is not said yet: the status page, the API and the feeds
# leave it out, and the notice's own page must too, or it says 'resolved' while the status page still says
# 'investigating'.
MID_INCIDENT = "2026-11-05T14:30:00-03:00"     # the example's link-sp incident: investigating since 14:10


def test_the_notice_page_does_not_say_updates_posted_after_now(tmp_path):
    site, out = copy_example(tmp_path / "site"), tmp_path / "public"
    assert main(["build", "--site", str(site), "--now", MID_INCIDENT, "--out", str(out)]) == 0
    status_page = (out / "status" / "index.html").read_text()
    assert "A conexão está normalizada." not in status_page          # the status page waits for 15:35
    for page_path, later in (("notices/2026-11-05-instabilidade-link-sp/index.html",
                              ("A conexão está normalizada.", "O fornecedor concluiu o reparo.", "foi rompido")),
                             ("en/notices/2026-11-05-instabilidade-link-sp/index.html",
                              # The English body says the fibre "was cut" too: the 14:40 update's own words.
                              ("Connectivity is back to normal.", "The provider finished the repair.",
                               "A fibre cable of our transit provider"))):
        html = (out / page_path).read_text()
        assert "Clientes relatam lentidão" in html or "Customers report slowness" in html   # 14:10 is said
        assert [said for said in later if said in html] == [], page_path
