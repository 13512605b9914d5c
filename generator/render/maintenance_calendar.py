"""maintenance.ics: planned maintenance windows as timed events, for calendar subscriptions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from generator.markup import plain_text
from generator.model import Build, Notice, Output
from generator.render import urls
from generator.render.calendars import _host, _in_window, notice_url
from generator.render.i18n import read_catalogs, translations_for
from generator.render.ical_files import CalendarEvent, calendar_bytes


def maintenance_event(build: Build, window: Notice, maintenance_word: str) -> CalendarEvent:
    """Return one window as an event in the site's time zone; a withdrawn window stays, cancelled."""
    site = build.site
    lang = site.default_language
    names = {c.id: c.name.get(lang) for c in site.components}
    affected = ", ".join(names[cid] for cid, _ in window.components)
    url = notice_url(build, window)
    body = plain_text(window.body.get(lang))
    description = "\n\n".join(part for part in (window.title.get(lang), affected, body, url) if part)
    zone = ZoneInfo(site.timezone)
    stamp = (window.modified or window.updated or window.date)
    return CalendarEvent(
        uid=f"{window.slug}@{_host(build)}",
        department="",
        start=window.start.astimezone(zone),
        end=window.end.astimezone(zone),
        summary=maintenance_summary(maintenance_word, window.title.get(lang)),
        description=description,
        url=url,
        categories=(maintenance_word,),
        stamp=stamp,
        sequence=window.revision,
        modified=stamp,
        cancelled=window.cancelled,
        zone=site.timezone,
    )


def maintenance_summary(word: str, title: str) -> str:
    """Return an event's summary: the title after "<word>: ", or the title alone when it already starts with the word."""
    # "Manutenção: Manutenção programada…" says the word twice. Casefolded, accents kept:
    # "Manutencao programada" does not start with "Manutenção"; nor does "Maintenances…" with "Maintenance".
    head = title[:len(word)]
    rest = title[len(word):]
    if head.casefold() == word.casefold() and not (rest[:1].isalnum() or rest[:1] == "_"):
        return title
    return f"{word}: {title}"


def render_maintenance_calendar(build: Build) -> Output:
    """Return maintenance.ics with every window the subscriptions still keep (timeline.calendar_keeps) or still to come."""
    site = build.site
    lang = site.default_language
    word = translations_for(read_catalogs(), lang).gettext("Maintenance")
    windows = sorted((n for n in site.notices if n.type == "maintenance"), key=lambda n: (n.start, n.slug))
    events = [maintenance_event(build, window, word) for window in windows]
    events = sorted((e for e in events if _in_window(build, e)), key=CalendarEvent.sort_key)
    return Output(urls.maintenance_calendar(), calendar_bytes(build, f"{site.name}: {word}", events))
