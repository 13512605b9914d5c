"""Feeds: RSS 2.0 and Atom per language and RSS per department, read back by feedparser and checked against RFC 4287."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree

from generator.model import Build, Department, HolidayCalendar, Notice, Site, Text
from generator.pipeline import load, resolve_now
from generator.pipeline import make_build as make_site_build
from generator.render.feeds import EMPTY_FEED_UPDATED, MAX_ENTRIES, listed_notices, render_feeds

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).parent / "schemas" / "atom.rng"
ATOM = "{http://www.w3.org/2005/Atom}"
SP = ZoneInfo("America/Sao_Paulo")
BRT = timezone(timedelta(hours=-3))          # a fixed -03:00, as a notice may be written
BASE = "https://support.test.example/"
LANGS = ("pt-BR", "en", "es", "pt-PT")
FOLDERS = {"pt-BR": "", "en": "en/", "es": "es/", "pt-PT": "pt-pt/"}
WORDS = {  # the feed's own words: "Notices" and "Cancelled:"
    "pt-BR": ("Avisos", "Cancelado:"),
    "en": ("Notices", "Cancelled:"),
    "es": ("Avisos", "Cancelado:"),
    "pt-PT": ("Avisos", "Cancelado:"),
}

DEPARTMENTS = (
    Department("financeiro", Text((("pt-BR", "Financeiro"), ("en", "Billing"))), "America/Sao_Paulo", ()),
    Department("comercial", Text((("pt-BR", "Comercial"), ("en", "Sales"))), "America/Sao_Paulo", ()),
    Department("suporte", Text((("pt-BR", "Suporte Técnico"), ("en", "Technical Support"))), "America/Sao_Paulo", ()),
)

# Newest first, as the feeds must list them.
HOLIDAYS = Notice(
    slug="2026-11-16-natal", path="notices/2026-11-16-natal.md", type="hours", lang="pt-BR",
    title=Text((("pt-BR", "Horário no Natal e no Ano-Novo"), ("en", "Hours over Christmas and the New Year"))),
    body=Text((("pt-BR", "<p>Dia <strong>25</strong>: fechado.</p>"), ("en", "<p>December <strong>25</strong>: closed.</p>"))),
    date=datetime(2026, 11, 16, 10, 0, tzinfo=SP), updated=None,
    departments=("financeiro", "comercial", "suporte"),
    modified=datetime(2026, 11, 18, 8, 0, tzinfo=SP),   # a later edit: the feed's date, not the entry's
)
CANCELLED = Notice(
    slug="2026-11-10-treinamento", path="notices/2026-11-10-treinamento.md", type="hours", lang="pt-BR",
    title=Text((("pt-BR", "Atendimento reduzido em 27/11"),)),
    body=Text((("pt-BR", "<p><strong>Aviso cancelado:</strong> horário normal.</p>"),)),
    date=datetime(2026, 11, 10, 14, 0, tzinfo=SP), updated=datetime(2026, 11, 12, 9, 15, tzinfo=SP),
    departments=("financeiro", "comercial"), cancelled=True,
    modified=datetime(2026, 11, 12, 9, 15, tzinfo=SP),
)
INFO = Notice(
    slug="2026-11-03-whatsapp", path="notices/2026-11-03-whatsapp.md", type="info", lang="pt-BR",
    title=Text((("pt-BR", "Novo canal <script>alert(1)</script> & WhatsApp"),)),
    body=Text((("pt-BR", "<p>Nunca cole &lt;script&gt; no chat &amp; fale pelo WhatsApp.</p>"),)),
    date=datetime(2026, 11, 3, 9, 30, tzinfo=SP), updated=None, departments=("comercial",),
)
# Written with a fixed -03:00 while São Paulo kept summer time (-02:00): the instant must survive.
OLD_DST = Notice(
    slug="2017-10-16-expediente", path="notices/2017-10-16-expediente.md", type="hours", lang="pt-BR",
    title=Text((("pt-BR", "Alteração de expediente entre 17/10 e 02/11"),)),
    body=Text((("pt-BR", "<ul><li>17/10: fechado</li></ul>"),)),
    date=datetime(2017, 10, 16, 19, 26, tzinfo=BRT), updated=datetime(2017, 10, 17, 8, 0, tzinfo=SP),
    departments=("financeiro", "comercial", "suporte"),
)
NOTICES = (HOLIDAYS, CANCELLED, INFO, OLD_DST)


def make_build(notices: tuple[Notice, ...] = NOTICES, now: datetime | None = None) -> Build:
    site = Site(name="Test ISP", base_url=BASE, timezone="America/Sao_Paulo", languages=LANGS,
                holiday_rules=None, departments=DEPARTMENTS, notices=notices,
                description=Text((("pt-BR", "Avisos do Test ISP"), ("en", "Notices of Test ISP"))))
    return Build(site=site, now=now or datetime(2026, 11, 23, 10, 0, tzinfo=SP), holidays=HolidayCalendar())


@pytest.fixture(scope="module")
def feeds() -> dict[str, bytes]:
    return {output.path: output.data for output in render_feeds(make_build())}


@pytest.fixture(scope="module")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def url(lang: str, path: str) -> str:
    return BASE + FOLDERS[lang] + path


def utc(instant: datetime) -> tuple[int, ...]:
    """Return an instant as the first six fields of feedparser's *_parsed (UTC)."""
    return instant.astimezone(UTC).timetuple()[:6]


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def language_feeds():
    return [(lang, FOLDERS[lang] + name) for lang in LANGS for name in ("feed.xml", "atom.xml")]


# --- What is produced -----------------------------------------------------------

def test_paths(feeds):
    assert sorted(feeds) == sorted([path for _, path in language_feeds()]
                                   + ["feeds/comercial.xml", "feeds/financeiro.xml", "feeds/suporte.xml"])


def test_same_bytes_every_time_and_no_clock(feeds):
    again = render_feeds(make_build())
    assert {o.path: o.data for o in again} == feeds
    later = render_feeds(make_build(now=datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)))
    assert {o.path: o.data for o in later} == feeds
    assert not any(b"2031" in data for data in feeds.values())


def test_feedgen_pretty_output(feeds):
    for path, data in feeds.items():
        assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n"), path
        assert data.decode("utf-8").count("\n") > 10, path


# --- Every language's feeds, read back by feedparser ---------------------------------

@pytest.mark.parametrize("lang,path", language_feeds())
def test_channel(feeds, lang, path):
    parsed = parse(feeds[path])
    notices_word, _ = WORDS[lang]
    assert parsed.version == ("atom10" if path.endswith("atom.xml") else "rss20")
    assert parsed.feed.title == f"Test ISP – {notices_word}"
    assert parsed.feed.language == lang
    assert parsed.feed.link == url(lang, "notices/")
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [url(lang, path.rsplit("/", 1)[-1])]
    assert parsed.feed.generator == "Expediente"
    # The newest last edit among the entries (HOLIDAYS' git commit), never the build's "now".
    assert tuple(parsed.feed.updated_parsed)[:6] == utc(HOLIDAYS.modified)


@pytest.mark.parametrize("lang,path", language_feeds())
def test_entries(feeds, lang, path):
    parsed = parse(feeds[path])
    assert [entry.id for entry in parsed.entries] == [url(lang, f"notices/{n.slug}/") for n in NOTICES]
    for entry, notice in zip(parsed.entries, NOTICES):
        assert entry.link == entry.id
        assert tuple(entry.published_parsed)[:6] == utc(notice.date)
        content = entry.content[0]
        assert (content.type, content.value) == ("text/html", notice.body.get(lang))
        if path.endswith("atom.xml"):
            assert tuple(entry.updated_parsed)[:6] == utc(notice.updated or notice.date)
        else:
            assert entry.summary == notice.body.get(lang)


def test_old_summer_time_instants(feeds):
    """-03:00 written during Brazil's summer time is 22:26 UTC; São Paulo's 08:00 then was -02:00."""
    for path in ("atom.xml", "en/atom.xml"):
        entry = parse(feeds[path]).entries[-1]
        assert tuple(entry.published_parsed)[:6] == (2017, 10, 16, 22, 26, 0)
        assert tuple(entry.updated_parsed)[:6] == (2017, 10, 17, 10, 0, 0)
    assert b"<pubDate>Mon, 16 Oct 2017 19:26:00 -0300</pubDate>" in feeds["feed.xml"]
    assert b"<updated>2017-10-17T08:00:00-02:00</updated>" in feeds["atom.xml"]


@pytest.mark.parametrize("lang", LANGS)
def test_titles_in_the_feeds_language(feeds, lang):
    titles = [entry.title for entry in parse(feeds[FOLDERS[lang] + "atom.xml"]).entries]
    _, cancelled_word = WORDS[lang]
    assert titles[0] == HOLIDAYS.title.get(lang)
    assert titles[1] == f"{cancelled_word} Atendimento reduzido em 27/11"
    assert sum(title.startswith(cancelled_word) for title in titles) == 1
    assert parse(feeds[FOLDERS[lang] + "feed.xml"]).entries[1].title == titles[1]


def test_translation_chosen_by_language(feeds):
    assert parse(feeds["en/feed.xml"]).entries[0].title == "Hours over Christmas and the New Year"
    assert parse(feeds["feed.xml"]).entries[0].title == "Horário no Natal e no Ano-Novo"
    assert "December" in parse(feeds["en/atom.xml"]).entries[0].content[0].value


def test_categories(feeds):
    rss = parse(feeds["en/feed.xml"]).entries
    assert [tag.term for tag in rss[0].tags] == ["hours", "Billing", "Sales", "Technical Support"]
    assert [tag.term for tag in rss[2].tags] == ["info", "Sales"]
    atom = parse(feeds["atom.xml"]).entries
    assert [(tag.term, tag.label) for tag in atom[2].tags] == [("info", None), ("comercial", "Comercial")]


def test_html_is_escaped_never_raw(feeds):
    for path, data in feeds.items():
        assert b"<script" not in data.lower(), path
    assert b"Novo canal &lt;script&gt;alert(1)&lt;/script&gt; &amp; WhatsApp" in feeds["atom.xml"]
    assert parse(feeds["feed.xml"]).entries[2].title == "Novo canal <script>alert(1)</script> & WhatsApp"


# --- The channel as written, where feedparser would hide a mistake ------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_rss_channel_link_is_the_html_page(feeds, lang):
    """feedgen writes the channel <link> from its last link() call: it must be the HTML page, not the feed."""
    path = FOLDERS[lang] + "feed.xml"
    channel = etree.fromstring(feeds[path]).find("channel")
    assert channel.findtext("link") == url(lang, "notices/")
    self_links = channel.findall(f"{ATOM}link")
    assert [(link.get("rel"), link.get("href")) for link in self_links] == [("self", BASE + path)]
    assert channel.findtext("language") == lang
    assert channel.findtext("generator") == "Expediente"
    assert channel.findtext("lastBuildDate") == "Wed, 18 Nov 2026 08:00:00 -0300"
    items = channel.findall("item")
    assert [item.find("guid").get("isPermaLink") for item in items] == ["true"] * len(NOTICES)
    assert all(item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") for item in items)


@pytest.mark.parametrize("lang", LANGS)
def test_atom_feed_fields(feeds, lang):
    feed = etree.fromstring(feeds[FOLDERS[lang] + "atom.xml"])
    assert feed.findtext(f"{ATOM}id") == url(lang, "atom.xml")
    assert feed.findtext(f"{ATOM}updated") == "2026-11-18T08:00:00-03:00"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Test ISP"
    generator = feed.find(f"{ATOM}generator")
    assert (generator.text, dict(generator.attrib)) == ("Expediente", {})   # no version, no URI
    assert [entry.find(f"{ATOM}content").get("type") for entry in feed.iter(f"{ATOM}entry")] == ["html"] * 4
    assert b"CDATA" not in feeds[FOLDERS[lang] + "atom.xml"]


# --- Atom against RFC 4287 ---------------------------------------------------------

def check_rfc4287(data: bytes, schema: etree.RelaxNG) -> None:
    """Validate an Atom document with the RELAX NG grammar, then the RFC's Schematron rules the grammar carries."""
    feed = etree.fromstring(data)
    assert schema.validate(feed), str(schema.error_log)
    entries = feed.findall(f"{ATOM}entry")
    # "An atom:feed must have an atom:author unless all of its atom:entry children have an atom:author."
    assert feed.find(f"{ATOM}author") is not None or all(e.find(f"{ATOM}author") is not None for e in entries)
    for entry in entries:
        # "An atom:entry must have at least one atom:link element with a rel attribute of 'alternate' or an atom:content."
        alternate = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert alternate or entry.find(f"{ATOM}content") is not None
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("lang", LANGS)
def test_atom_valid_against_rfc4287(feeds, schema, lang):
    check_rfc4287(feeds[FOLDERS[lang] + "atom.xml"], schema)


def test_schema_rejects_what_feedgen_gets_wrong(schema):
    """The grammar is only worth having if it fails the mistakes the feeds could make."""
    head = (b'<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>'
            b'<updated>2026-11-16T10:00:00-03:00</updated>')
    entry = b'<entry><id>e</id><title>t</title><updated>2026-11-16T10:00:00-03:00</updated>%s</entry></feed>'
    assert schema.validate(etree.fromstring(head + entry % b'<content type="html">&lt;p&gt;</content>'))
    bad = [
        head + entry % b'<content type="CDATA"><![CDATA[<p>x</p>]]></content>',   # content(type='CDATA')
        head.replace(b"-03:00", b"") + b"</feed>",                                # a date with no offset
        head.replace(b"<id>x</id>", b"") + b"</feed>",                            # no id
        head + b'<author><uri>https://x</uri></author></feed>',                   # an author with no name
        head + b'<link href="x" hreflang="pt_BR"/></feed>',                       # not a language tag
    ]
    for document in bad:
        assert not schema.validate(etree.fromstring(document)), document


# --- Limits, order and department feeds ------------------------------------------------

def many(count: int) -> tuple[Notice, ...]:
    start = datetime(2026, 1, 1, 9, 0, tzinfo=SP)
    return tuple(replace(INFO, slug=f"n{i:02d}", title=Text.plain(f"Aviso {i}"), date=start + timedelta(days=i),
                         departments=("suporte",) if i % 2 else ("comercial",))
                 for i in range(count))


def test_at_most_fifty_newest_entries(schema):
    outputs = {o.path: o.data for o in render_feeds(make_build(many(60)))}
    for path in ("feed.xml", "atom.xml", "pt-pt/atom.xml"):
        entries = parse(outputs[path]).entries
        assert len(entries) == MAX_ENTRIES
        assert entries[0].title == "Aviso 59" and entries[-1].title == "Aviso 10"
    check_rfc4287(outputs["atom.xml"], schema)
    assert len(parse(outputs["feeds/suporte.xml"]).entries) == 30
    assert len(parse(outputs["feeds/financeiro.xml"]).entries) == 0


def test_listed_notices_are_those_the_feeds_list_and_the_others_change_no_feed():
    # 120 notices: the site's feeds list the 50 newest, "suporte" and "comercial" the 50 newest of their 58 and
    # 59 (older ones than the site's feeds reach), and "financeiro" its three old ones, which no other feed lists.
    old = tuple(replace(OLD_DST, slug=f"old-{i}", date=OLD_DST.date + timedelta(days=i), departments=("financeiro",))
                for i in range(3))
    notices = many(117) + old
    outputs = {o.path: o.data for o in render_feeds(make_build(notices))}
    in_feeds = {entry.id for data in outputs.values() for entry in parse(data).entries}
    listed = listed_notices(make_build(notices).site)
    assert {url(lang, f"notices/{n.slug}/") for n in listed for lang in ("pt-BR", "en", "es", "pt-PT")
            } >= in_feeds
    assert {n.slug for n in listed} == {e.rsplit("/", 2)[-2] for e in in_feeds}
    assert list(listed) == sorted(listed, key=lambda n: (n.date, n.slug))
    assert {n.slug for n in listed} >= {"old-0", "old-1", "old-2", "n17", "n18", "n116"}
    unlisted = [n for n in notices if n not in listed]
    assert [n.slug for n in unlisted] == [f"n{i:02d}" for i in range(17)]
    edited = tuple(replace(n, body=Text.plain("<p>editado</p>"), title=Text.plain("Editado"))
                   if n is unlisted[7] else n for n in notices)
    assert {o.path: o.data for o in render_feeds(make_build(edited))} == outputs


def test_same_date_ordered_by_slug():
    notices = (replace(INFO, slug="b-second"), replace(INFO, slug="a-first"), replace(OLD_DST, slug="c-old"))
    outputs = {o.path: o.data for o in render_feeds(make_build(notices))}
    assert [e.id for e in parse(outputs["feed.xml"]).entries] == [url("pt-BR", f"notices/{slug}/")
                                                                 for slug in ("b-second", "a-first", "c-old")]


@pytest.mark.parametrize("department", [d.id for d in DEPARTMENTS])
def test_department_feeds(feeds, department):
    path = f"feeds/{department}.xml"
    parsed = parse(feeds[path])
    expected = [n for n in NOTICES if department in n.departments]
    assert [entry.id for entry in parsed.entries] == [url("pt-BR", f"notices/{n.slug}/") for n in expected]
    name = next(d.name.get("pt-BR") for d in DEPARTMENTS if d.id == department)
    assert parsed.feed.title == f"Test ISP – Avisos: {name}"
    assert parsed.feed.language == "pt-BR"
    channel = etree.fromstring(feeds[path]).find("channel")
    assert channel.findtext("link") == BASE + "notices/"
    assert channel.find(f"{ATOM}link").get("href") == BASE + path


def test_department_feed_date_is_its_own_newest_edit(feeds):
    """Only the Suporte feed lacks the cancelled notice; its date still follows its own entries."""
    assert parse(feeds["feeds/comercial.xml"]).entries[1].title.startswith("Cancelado:")
    only_old = {o.path: o.data for o in render_feeds(make_build((OLD_DST, INFO)))}
    assert tuple(parse(only_old["feeds/suporte.xml"]).feed.updated_parsed)[:6] == utc(OLD_DST.updated)
    assert tuple(parse(only_old["feeds/comercial.xml"]).feed.updated_parsed)[:6] == utc(INFO.date)


def test_empty_feeds_carry_the_epoch(schema):
    outputs = {o.path: o.data for o in render_feeds(make_build(()))}
    for path in ("feed.xml", "atom.xml", "en/feed.xml", "feeds/suporte.xml"):
        parsed = parse(outputs[path])
        assert parsed.entries == []
        assert tuple(parsed.feed.updated_parsed)[:6] == utc(EMPTY_FEED_UPDATED)
    check_rfc4287(outputs["atom.xml"], schema)


# --- The example site -------------------------------------------------------------

@pytest.fixture(scope="module")
def example():
    loaded = load(ROOT)
    site, problems = loaded.site, loaded.problems
    assert site is not None, problems
    build = make_site_build(site, resolve_now(site, datetime.fromisoformat("2026-11-23T10:00:00-03:00")))
    return site, {output.path: output.data for output in render_feeds(build)}


def test_example_feeds(example, schema):
    site, outputs = example
    base = "https://status.example.net/"
    assert sorted(outputs) == ["atom.xml", "en/atom.xml", "en/feed.xml", "feed.xml",
                               "feeds/comercial.xml", "feeds/financeiro.xml", "feeds/suporte.xml"]
    newest_first = sorted(site.notices, key=lambda n: (n.date, n.slug), reverse=True)
    now = datetime.fromisoformat("2026-11-23T10:00:00-03:00")
    # An incident's updates posted by now date its entry and the feed too (test_first_hour_pages.py).
    newest_edit = max([n.modified or n.updated or n.date for n in site.notices]
                      + [u.at for n in site.notices for u in n.updates if u.at <= now])
    for lang, folder in (("pt-BR", ""), ("en", "en/")):
        for name in ("feed.xml", "atom.xml"):
            parsed = parse(outputs[folder + name])
            assert parsed.feed.language == lang
            assert parsed.feed.link == f"{base}{folder}notices/"
            assert tuple(parsed.feed.updated_parsed)[:6] == utc(newest_edit)
            assert [e.id for e in parsed.entries] == [f"{base}{folder}notices/{n.slug}/" for n in newest_first]
            for entry, notice in zip(parsed.entries, newest_first):
                assert tuple(entry.published_parsed)[:6] == utc(notice.date)
                # The body, then the incident's updates when it has some (their words in test_first_hour_pages.py).
                content = entry.content[0].value
                assert content.startswith(notice.body.get(lang))
                assert (content != notice.body.get(lang)) == bool(notice.updates)
        check_rfc4287(outputs[folder + "atom.xml"], schema)
    titles = [e.title for e in parse(outputs["en/feed.xml"]).entries]
    assert titles[0] == "Planned maintenance in the data centre"
    assert titles[1] == "Contact hours over Christmas and the New Year"
    assert titles[2] == "Cancelled: Atendimento telefônico reduzido em 27/11 (cancelado)"   # no translation yet
    assert parse(outputs["feed.xml"]).entries[2].title.startswith("Cancelado: ")
    # The 2017 notice was published during Brazil's last summer time: 19:26 at -02:00.
    assert tuple(parse(outputs["atom.xml"]).entries[-1].published_parsed)[:6] == (2017, 10, 16, 21, 26, 0)
    counts = {d: len(parse(outputs[f"feeds/{d}.xml"]).entries) for d in ("financeiro", "comercial", "suporte")}
    assert counts == {"financeiro": 3, "comercial": 4, "suporte": 2}
    assert not any(b"<script" in data.lower() for data in outputs.values())
