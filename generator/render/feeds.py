"""News feeds of the notices: RSS 2.0 and Atom in every language, and RSS per department and component.

Paths: `feed.xml` and `atom.xml` in the default language, `<lang>/feed.xml` and
`<lang>/atom.xml` for the others (the folder is the lower-case tag),
`feeds/<department id>.xml` (RSS, default language) with the notices that concern
one department, and `feeds/components/<component id>.xml` (RSS, default language)
with the incident and maintenance notices that name one status component,
cancelled ones included so that a subscriber learns of the cancellation.

feedgen stamps feeds and entries with the clock unless told otherwise, so every
date below is set from the notices. The build's "now" only decides which of an
incident's or maintenance's updates are said yet (those at or before it:
schedule/status.py updates_said, the rule the status page and the notice's page follow). An entry's date is its notice's `updated` (else `date`)
or its newest update said, whichever is later, and its content lists those
updates after the text, newest first: a reader sees the entry change, under the
same guid, as the incident goes on. The feed's date is the newest last edit
(`modified`, else `updated`, else `date`) or update said of its entries; a feed
without entries carries the Unix epoch, a fixed instant, so that an empty feed is
as reproducible as a full one.

A feed lists at most MAX_ENTRIES notices: `listed_notices` says which, so that a rebuild after an
edit to a notice no feed lists need not render the feeds (render/dependencies.py).  feedgen, and
lxml under it, are imported when a feed is rendered, not when this module is: deciding that costs
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Mapping
from zoneinfo import ZoneInfo

from generator.model import Build, Department, IncidentUpdate, Notice, Output, Site
from generator.render import urls
from generator.render.i18n import LocaleFormats, read_catalogs, translations_for
from generator.schedule.status import updates_said

if TYPE_CHECKING:
    from feedgen.entry import FeedEntry
    from feedgen.feed import FeedGenerator

MAX_ENTRIES = 50
UPDATE_STATUS_NAMES = (("investigating", "Investigating"), ("identified", "Identified"), ("monitoring", "Monitoring"),
                       ("resolved", "Resolved"), ("scheduled", "Scheduled"), ("in_progress", "In progress"),
                       ("verifying", "Verifying"), ("completed", "Completed"))
GENERATOR = "Expediente"
# The date of a feed with no entries: fixed, so that it does not follow the clock.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"


@dataclass(frozen=True, slots=True)
class Words:
    """The few words a feed writes itself, in one language."""

    notices: str
    cancelled: str
    updates: str = "Updates"
    statuses: tuple[tuple[str, str], ...] = ()     # (an update's status, its name)

    def status(self, status: str) -> str:
        """Return the name of an update's status in the feed's language (the status itself if unknown)."""
        return dict(self.statuses).get(status, status)


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed to write: its format, path, language, title and entries (newest first)."""

    format: str                      # "rss" or "atom"
    path: str
    lang: str
    title: str
    notices: tuple[Notice, ...]


def render_feeds(build: Build) -> tuple[Output, ...]:
    """Return every feed of the site (RSS and Atom per language, RSS per department), sorted by path."""
    site = build.site
    catalogs = read_catalogs()
    words = {lang: feed_words(catalogs, lang) for lang in site.languages}
    outputs = [Output(feed.path, render_feed(site, feed, words[feed.lang], build.now))
               for feed in plan_feeds(site, words)]
    return tuple(sorted(outputs, key=lambda output: output.path))


def plan_feeds(site: Site, words: Mapping[str, Words]) -> tuple[Feed, ...]:
    """Return the feeds of a site: per language feed.xml and atom.xml, then feeds/<department>.xml."""
    everything, by_department = _listings(site)
    feeds = []
    for lang in site.languages:
        title = f"{site.name} – {words[lang].notices}"
        feeds.append(Feed("rss", urls.rss_feed(site, lang), lang, title, everything))
        feeds.append(Feed("atom", urls.atom_feed(site, lang), lang, title, everything))
    lang = site.default_language
    for department in site.departments:
        title = f"{site.name} – {words[lang].notices}: {department.name.get(lang)}"
        feeds.append(Feed("rss", urls.department_feed(department.id), lang, title, by_department[department.id]))
    return tuple(feeds)


def listed_notices(site: Site) -> tuple[Notice, ...]:
    """Return every notice that one of render_feeds' feeds lists, oldest first by (date, slug): the feeds
    read nothing of the other notices."""
    everything, by_department = _listings(site)
    listed = {notice.slug: notice for notice in everything}
    for entries in by_department.values():
        listed.update((notice.slug, notice) for notice in entries)
    return tuple(sorted(listed.values(), key=lambda n: (n.date, n.slug)))


def _listings(site: Site) -> tuple[tuple[Notice, ...], dict[str, tuple[Notice, ...]]]:
    """Return the entries of the site's feed (every language lists the same) and of each department's feed."""
    return newest_first(site.notices), {
        department.id: newest_first(tuple(n for n in site.notices if department.id in n.departments))
        for department in site.departments}


def render_component_feeds(build: Build) -> tuple[Output, ...]:
    """Return `feeds/components/<component id>.xml` (RSS, default language) per status component, sorted by path."""
    site = build.site
    words = {site.default_language: feed_words(read_catalogs(), site.default_language)}
    outputs = [Output(feed.path, render_feed(site, feed, words[feed.lang], build.now))
               for feed in plan_component_feeds(site, words)]
    return tuple(sorted(outputs, key=lambda output: output.path))


def plan_component_feeds(site: Site, words: Mapping[str, Words]) -> tuple[Feed, ...]:
    """Return one RSS feed per status component: the incidents and maintenance that name it."""
    lang = site.default_language
    feeds = []
    for component in site.components:
        title = f"{site.name} – {words[lang].notices}: {component.name.get(lang)}"
        entries = newest_first(tuple(n for n in site.notices if n.type in ("incident", "maintenance")
                                     and any(cid == component.id for cid, _ in n.components)))
        feeds.append(Feed("rss", urls.component_feed(component.id), lang, title, entries))
    return tuple(feeds)


def render_feed(site: Site, feed: Feed, words: Words, now: datetime) -> bytes:
    """Return one feed's XML bytes at `now` (the updates said by then), as feedgen pretty-prints them."""
    generator = feed_generator(site, feed, now)
    departments = {department.id: department for department in site.departments}
    for notice in feed.notices:
        # add_entry prepends by default; append keeps the newest-first order.
        generator.add_entry(feed_entry(site, notice, feed.lang, words, departments, now), order="append")
    if feed.format == "atom":
        return generator.atom_str(pretty=True)
    return generator.rss_str(pretty=True)


def feed_generator(site: Site, feed: Feed, now: datetime) -> FeedGenerator:
    """Return a FeedGenerator with the channel of `feed` at `now` set, and no entries."""
    from feedgen.feed import FeedGenerator  # see the module's docstring: only a feed rendered needs it

    generator = FeedGenerator()
    url = urls.absolute(site, feed.path)
    generator.id(url)
    generator.title(feed.title)
    description = site.description.get(feed.lang) if site.description else None
    generator.description(description or feed.title)
    generator.language(feed.lang)
    # RFC 4287 requires an author of the feed or of every entry; the site speaks for itself.
    generator.author(name=site.name)
    generator.generator(GENERATOR)
    generator.updated(feed_updated(feed.notices, now))
    # feedgen takes the RSS channel <link> from the last link() call, whatever its rel:
    # the self link must come first and the HTML page last.
    generator.link(href=url, rel="self", type=ATOM_TYPE if feed.format == "atom" else RSS_TYPE)
    generator.link(href=urls.notices_page_url(site, feed.lang), rel="alternate", type="text/html")
    return generator


def feed_entry(site: Site, notice: Notice, lang: str, words: Words,
               departments: Mapping[str, Department], now: datetime) -> FeedEntry:
    """Return a notice as a feed entry in `lang` at `now`: title, permanent link, dates, HTML body and the
    updates said by then, categories."""
    from feedgen.entry import FeedEntry  # see the module's docstring

    entry = FeedEntry()
    url = urls.notice_page_url(site, lang, notice.slug)
    title = notice.title.get(lang)
    entry.title(f"{words.cancelled} {title}" if notice.cancelled else title)
    entry.guid(url, permalink=True)
    entry.link(href=url, rel="alternate", type="text/html")
    entry.published(notice.date)
    said = updates_said(notice, now)
    entry.updated(max([notice.updated or notice.date, *(update.at for update in said)]))
    body = notice.body.get(lang) + updates_html(site, said, lang, words)
    # description() sets the RSS <description>; content() then sets content:encoded and
    # Atom content. The HTML is escaped as text (type html), not CDATA, which Atom forbids.
    entry.description(body)
    entry.content(body, type="html")
    categories = [{"term": notice.type}]
    categories += [{"term": department.id, "label": department.name.get(lang)}
                   for department in site.departments if department.id in notice.departments]
    entry.category(categories)
    return entry


def newest_first(notices: tuple[Notice, ...]) -> tuple[Notice, ...]:
    """Return at most MAX_ENTRIES notices, newest first by (date, slug)."""
    return tuple(sorted(notices, key=lambda n: (n.date, n.slug), reverse=True)[:MAX_ENTRIES])


def feed_updated(notices: tuple[Notice, ...], now: datetime) -> datetime:
    """Return a feed's date at `now`: its entries' newest last edit or update said, or the epoch when it has none."""
    edits = [n.modified or n.updated or n.date for n in notices]
    edits += [update.at for n in notices for update in updates_said(n, now)]
    return max(edits) if edits else EMPTY_FEED_UPDATED


def updates_html(site: Site, updates: tuple[IncidentUpdate, ...], lang: str, words: Words) -> str:
    """Return the updates (newest first) as the HTML an entry's content ends with: status, time and text of
    each, in `lang` and the site's zone; empty without updates."""
    if not updates:
        return ""
    fmt, zone = LocaleFormats(lang), site.timezone
    items = "".join(
        f'<li><p><strong>{escape(words.status(update.status))}</strong> · '
        f'<time datetime="{update.at.astimezone(ZoneInfo(zone)).isoformat()}">'
        f'{escape(fmt.date_time(update.at, zone))} ({escape(fmt.zone_name(zone))})</time></p>'
        f'{update.text.get(lang)}</li>'
        for update in updates)
    return f"\n<h2>{escape(words.updates)}</h2>\n<ol>{items}</ol>"


def feed_words(catalogs: Mapping, lang: str) -> Words:
    """Return the words a feed writes in `lang`, from the gettext catalogs, English if none."""
    translations = translations_for(catalogs, lang)
    # The names the pages give an update's status (templates/names.html, update_status).
    statuses = tuple((status, translations.gettext(name)) for status, name in UPDATE_STATUS_NAMES)
    return Words(notices=translations.gettext("Notices"), cancelled=translations.gettext("Cancelled:"),
                 updates=translations.gettext("Updates"), statuses=statuses)

