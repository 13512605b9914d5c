"""Notice pages in every language: the list of all notices and one page per notice.

Paths: `notices/index.html` and `notices/<slug>/index.html` in the default language,
`<lang>/notices/…` for the others (the feeds link there).

A notice's page shows its dates, type, departments and state, a day-by-day table of
its changes generated from the structured data in the page's language (so nobody
types that list by hand), and its body.  The body was sanitised by markup.py when
the site was read: it is marked safe here and never run through Jinja.  A notice
not translated into the page's language is shown in its own, with a `lang`
attribute so that screen readers switch voice.

States are relative to the build's "now" (`notice_status`); the hours page lists
the notices that still matter (`upcoming_notices`) through `notice_summary`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache, partial
from typing import Iterable
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval, format_skeleton
from babel.lists import format_list
from jinja2 import Environment
from markupsafe import Markup

from generator.model import Build, Notice, Output, Text
from generator.render import urls
from generator.render.frame import frame_moved_to, notice_updated, page_frame, render_page
from generator.render.i18n import LocaleFormats
from generator.schedule.effective import notice_cells
from generator.schedule.hours import ALL_DAY
from generator.schedule.status import updates_said
from generator.schedule.timeline import is_news

CANCELLED, SUPERSEDED, UPCOMING, ACTIVE, PAST = "cancelled", "superseded", "upcoming", "active", "past"


# --- Pages ---------------------------------------------------------------------

def render_notice_index(build: Build, env: Environment, *, status_page: bool = False) -> tuple[Output, ...]:
    """Return notices/index.html in every language: every notice, newest first."""
    site = build.site
    newest = sorted_notices(site.notices, newest_first=True)
    outputs = []
    for lang in site.languages:
        frame = page_frame(build, lang, "notices", status_page=status_page, notices_page=True)
        context = {
            "page": frame,
            "site": site,
            "notices": [notice_summary(build, notice, lang, frame["folder"]) for notice in newest],
            "departments": [{
                "name": department.name.get(lang),
                "feed": frame["root"] + urls.department_feed(department.id),
                "calendar": urls.subscription(site, urls.department_calendar(department.id)),
            } for department in site.departments],
            # The department feeds and the calendars are written in the default language only.
            "written_in": None if lang == site.default_language
            else LocaleFormats(lang).language_name_here(site.default_language),
        }
        outputs.append(Output(frame["path"], render_page(env, "notices.html", lang, context)))
    return tuple(outputs)


def render_notice_pages(build: Build, env: Environment, notices: Iterable[Notice], *,
                        status_page: bool = False) -> tuple[Output, ...]:
    """Return notices/<slug>/index.html in every language for each of `notices` (some or all of the site's).

    A notice's pages depend on that notice and the site alone, so the pipeline may
    render the notices in parts, each in its own process.  The pages come notice by
    notice, one per language of the site in its order (render/outputs.py counts on it).
    """
    site = build.site
    # Every notice page has the same frame but for its own addresses (frame_moved_to).
    frames = {lang: page_frame(build, lang, "notices", status_page=status_page, notices_page=True,
                               sub=urls.notice_folder("-")) for lang in site.languages}
    outputs = []
    for notice in notices:
        for lang in site.languages:
            frame = {**frame_moved_to(frames[lang], site, urls.notice_folder(notice.slug)),
                     "updated": notice_updated(notice, site, lang)}
            context = {"page": frame, "site": site, "notice": notice_view(build, notice, lang, frame)}
            outputs.append(Output(frame["path"], render_page(env, "notice.html", lang, context)))
    return tuple(outputs)


def notice_view(build: Build, notice: Notice, lang: str, frame: dict) -> dict:
    """Return one notice as its page shows it: summary, dates, departments, changes, body and links."""
    site = build.site
    fmt = LocaleFormats(lang)
    view = notice_summary(build, notice, lang, frame["folder"])
    body_lang = other_language(notice.body, lang, notice.lang)
    names = {component.id: component.name for component in site.components}
    shown_in = view["title_lang"] or body_lang
    view.update({
        # Sanitised when read (markup.render_markdown): safe as it is, and never a template.
        "body": Markup(notice.body.get(lang)),
        "body_lang": body_lang,
        "original": fmt.language_name_here(shown_in) if shown_in else None,
        "published_at": moment(build, notice.date, fmt),
        "updated_at": moment(build, notice.updated, fmt) if notice.updated else None,
        "departments": fmt.items(tuple(d.name.get(lang) for d in site.departments if d.id in notice.departments)),
        "table": change_table(build, notice, lang),
        # notice.ics sits beside the default language's page (calendars.py).
        "calendar": frame["root"] + urls.notice_calendar(notice.slug) if notice.type == "hours" else None,
        # The department calendars hold contact hours: offered with notices about departments.
        "subscribe": [{"name": d.name.get(lang), **urls.subscription(site, urls.department_calendar(d.id))}
                      for d in site.departments if d.id in notice.departments
                      and notice.type in ("hours", "info")],
        "replaces": [link_to(other, lang, frame["folder"]) for other in sorted_notices(site.notices)
                     if other.slug in notice.supersedes] if notice.supersedes else [],
        "impact": notice.impact,
        "components": [{"name": names[cid].get(lang) if cid in names else cid, "state": state}
                       for cid, state in notice.components],
        # Newest first, as status pages show a timeline; only those posted by "now", as the status page,
        # the API and the feeds say them (the notice's part keys on how many: render/dependencies.py).
        "updates": [{"at": moment(build, update.at, fmt), "status": update.status,
                     "text": Markup(update.text.get(lang)),
                     "lang": other_language(update.text, lang, notice.lang)}
                    for update in updates_said(notice, build.now)],
    })
    return view


def moment(build: Build, instant, fmt: LocaleFormats) -> dict:
    """Return an instant as the site's zone writes it, with the zone's name and ISO 8601."""
    local = instant.astimezone(ZoneInfo(build.site.timezone))
    return {"text": fmt.date_time(local, build.site.timezone), "zone": fmt.zone_name(build.site.timezone),
            "iso": local.isoformat()}


def change_table(build: Build, notice: Notice, lang: str) -> dict | None:
    """Return a notice's changes day by day: per department each channel's hours (none: closed), and the note.

    The cells come from effective.notice_cells, the very values the schedule applies.
    """
    if not notice.changes:
        return None
    fmt = LocaleFormats(lang)
    site = build.site
    departments = [d for d in site.departments if d.id in notice.departments]
    hours: dict[tuple[date, str, str], tuple] = {}
    notes: dict[date, Text | None] = {}
    for (dept_id, channel_id, day), override, change in notice_cells(notice, {d.id: d for d in departments}, build.holidays_of):
        hours[(day, dept_id, channel_id)] = override.intervals
        notes[day] = change.note
    zones = sorted({d.timezone for d in departments})
    rows = []
    for day in sorted(notes):
        cells = []
        for department in departments:
            given = [(channel, hours.get((day, department.id, channel.id), ())) for channel in department.channels]
            channels = [{
                "type": channel.type,
                "name": channel.name.get(lang) if channel.name else None,
                "always": tuple(intervals) == ALL_DAY,
                "hours": [fmt.interval(i) for i in intervals],
            } for channel, intervals in given]
            cells.append({"closed": not any(c["hours"] for c in channels), "channels": channels})
        note = notes[day]
        rows.append({"iso": day.isoformat(), "label": fmt.day_with_year(day), "cells": cells,
                     "note": note.get(lang) if note else None,
                     "note_lang": other_language(note, lang, notice.lang) if note else None})
    return {
        "departments": [{"name": d.name.get(lang), "zone": fmt.zone_name(d.timezone) if len(zones) > 1 else None}
                        for d in departments],
        "zone": fmt.zone_name(zones[0]) if len(zones) == 1 else None,
        "rows": rows,
    }


# --- Notices as lists show them --------------------------------------------------

def notice_summary(build: Build, notice: Notice, lang: str, folder: str) -> dict:
    """Return a notice as lists show it: link, title and its language, type, state, dates, replacements.

    `folder` leads from the page to its language's folder, where `notices/` is.  What it reads of a
    notice is listed in render/dependencies.py (LISTED): the notice index is rendered again when that changes.
    """
    fmt = LocaleFormats(lang)
    days = notice_days(notice)
    published = notice.date.astimezone(ZoneInfo(build.site.timezone))
    return {
        **link_to(notice, lang, folder),
        "slug": notice.slug,
        "type": notice.type,
        "status": notice_status(build, notice),
        "days": {"text": days_text(fmt, notice_day_runs(notice)), "first": days[0].isoformat(),
                 "last": days[1].isoformat()}
        if days else None,
        "window": window_view(build, notice, fmt),
        "published": {"text": fmt.date(published.date()), "iso": published.isoformat()},
        # Only a superseded notice has replacements: skip the search through every notice otherwise.
        "replaced_by": [link_to(other, lang, folder) for other in sorted_notices(build.site.notices)
                        if notice.slug in other.supersedes and not other.cancelled] if notice.slug in build.superseded else [],
    }


def link_to(notice: Notice, lang: str, folder: str) -> dict:
    """Return a link to a notice's page: href, title, and the title's language when not the page's."""
    return {"href": folder + urls.notice_folder(notice.slug), "title": notice.title.get(lang),
            "title_lang": other_language(notice.title, lang, notice.lang), "cancelled": notice.cancelled}


def window_view(build: Build, notice: Notice, fmt: LocaleFormats) -> dict | None:
    """Return an incident's or maintenance's time span as text ('since …' while it has no end), else None."""
    window = notice_window(notice)
    if window is None:
        return None
    start, end = window
    zone = build.site.timezone
    text = fmt.instant_range(start, end, zone) if end else fmt.short_date_time(start, zone)
    return {"text": text, "open": end is None, "zone": fmt.zone_name(zone)}


def notice_window(notice: Notice) -> tuple[datetime, datetime | None] | None:
    """Return an incident's or maintenance's start and end (None while unresolved), else None."""
    if notice.type in ("incident", "maintenance") and notice.start is not None:
        return notice.start, notice.end
    return None


def notice_days(notice: Notice) -> tuple[date, date] | None:
    """Return the first and last day a notice's changes cover, else its period, else None."""
    days = [day for change in notice.changes for day in (change.first, change.last)]
    if days:
        return min(days), max(days)
    return notice.period


def notice_day_runs(notice: Notice) -> tuple[tuple[date, date], ...]:
    """Return the runs of consecutive days a notice's changes cover (first, last), else its period, else ()."""
    runs: list[list[date]] = []
    for first, last in sorted((change.first, change.last) for change in notice.changes):
        if runs and first <= runs[-1][1] + timedelta(1):
            runs[-1][1] = max(runs[-1][1], last)
        else:
            runs.append([first, last])
    if runs:
        return tuple((first, last) for first, last in runs)
    return (notice.period,) if notice.period else ()


# Kept once made: a notice's days are shown on its page, the index and the hours page, in each language.
@lru_cache(maxsize=4096)
def days_text(fmt: LocaleFormats, runs: tuple[tuple[date, date], ...]) -> str:
    """Return runs of days in words: one run as a range ('24 – 29 de dez. de 2026'), separate days as a list
    in the language's own patterns ('24 e 31 de dez. de 2026', 'Dec 24 and 31, 2026'), so that two days a
    week apart never read as the week between them."""
    if len(runs) == 1:
        return fmt.date_range(*runs[0])
    locale = fmt.locale
    days = [first for first, last in runs]
    if all(first == last for first, last in runs) and len({(d.year, d.month) for d in days}) == 1:
        # Days of one month: CLDR's range of days of a month ('d–' and "d 'de 'MMM 'de 'y", 'MMM d – ' and
        # 'd, y') gives each end's pattern; without its dash, the first end's pattern starts the list.
        ends = locale.interval_formats.get("yMMMd", {}).get("d")
        head = ends[0].rstrip(_RANGE_SEPARATORS) if ends and len(ends) == 2 else ""
        if head and head != ends[0] and not head.endswith("'"):
            # A day between them as the first end is written when that holds no month ('24.', '26.'), else as
            # the bare day ('Dec 24, 26, and 31, 2026').
            middle = partial(format_date, format=head) if "M" not in head else partial(format_skeleton, "d")
            parts = [format_date(days[0], head, locale=locale),
                     *(middle(day, locale=locale) for day in days[1:-1]),
                     format_date(days[-1], ends[1], locale=locale)]
            return format_list(parts, locale=locale).replace("\u2009", "\u202f")
    # Each year said once, after its last run ('24 – 25 de dez., 28 – 29 de dez. e 31 de dez. de 2026 – 2 de
    # jan. de 2027'): a run is written without it when the next run starts in the same year.
    parts = []
    for (first, last), following in zip(runs, [*runs[1:], None]):
        if following is not None and first.year == last.year == following[0].year:
            parts.append(format_skeleton("MMMd", first, locale=locale) if first == last
                         else format_interval(first, last, "MMMd", locale=locale))
        else:
            parts.append(_run(fmt, first, last))
    return format_list(parts, locale=locale).replace("\u2009", "\u202f")


def _run(fmt: LocaleFormats, first: date, last: date) -> str:
    """Return one run of days with its year: a day as a date ('31 de dic de 2026'), else a range."""
    return fmt.date(first) if first == last else fmt.date_range(first, last)


# What may stand between the two ends of a CLDR range of days: spaces and a dash or tilde.
_RANGE_SEPARATORS = " \u00a0\u2009\u202f-\u2010\u2013\u2014~\u301c\uff5e"


def notice_status(build: Build, notice: Notice) -> str:
    """Return a notice's state at the build's "now": cancelled, superseded, upcoming, active or past.

    An incident or maintenance is active from its start to its end (while it has
    none, for an incident); a notice with days from its first to its last day in
    the site's zone; one with neither while it is news (timeline.is_news).
    """
    if notice.cancelled:
        return CANCELLED
    if notice.slug in build.superseded:
        return SUPERSEDED
    window = notice_window(notice)
    if window is not None:
        start, end = window
        if build.now < start:
            return UPCOMING
        return ACTIVE if end is None or build.now < end else PAST
    days = notice_days(notice)
    if days is None:
        if notice.date > build.now:
            return UPCOMING
        return ACTIVE if is_news(notice.date, build.now) else PAST
    today = build.now.astimezone(ZoneInfo(build.site.timezone)).date()
    if today < days[0]:
        return UPCOMING
    return ACTIVE if today <= days[1] else PAST


def upcoming_notices(build: Build) -> tuple[Notice, ...]:
    """Return the notices the hours page announces, in the order they affect the reader.

    Those whose last day is today or later in the site's zone, cancelled ones too
    (customers may have planned around them), incidents and maintenance not over,
    and announcements without days still news (timeline.is_news).  A
    superseded notice is left out: the one that replaces it is listed.  Incidents
    in progress come first, then what is in effect now, then the rest by when it
    starts (see reader_order).
    """
    today = build.now.astimezone(ZoneInfo(build.site.timezone)).date()

    def shown(notice: Notice) -> bool:
        if notice.slug in build.superseded and not notice.cancelled:
            return False
        window = notice_window(notice)
        if window is not None:
            return window[1] is None or window[1] >= build.now
        days = notice_days(notice)
        if days is not None:
            return days[1] >= today
        return is_news(notice.date, build.now)     # also when published later

    return tuple(sorted((n for n in build.site.notices if shown(n)), key=partial(reader_order, build)))


def reader_order(build: Build, notice: Notice) -> tuple:
    """Return a notice's place in "Upcoming changes": incident in progress, in effect now, news last, start, slug."""
    status = notice_status(build, notice)
    window = notice_window(notice)
    days = notice_days(notice)
    if window is not None:
        start = window[0]
    elif days is not None:
        start = datetime.combine(days[0], time(), tzinfo=ZoneInfo(build.site.timezone))
    else:
        start = notice.date
    ongoing_incident = notice.type == "incident" and status == ACTIVE
    # Among what is in effect, changed hours and windows before news (announcements without days).
    news = window is None and days is None
    return (not ongoing_incident, status != ACTIVE, news, start.astimezone(UTC), notice.slug)


def sorted_notices(notices: tuple[Notice, ...], newest_first: bool = False) -> list[Notice]:
    """Return notices ordered by (date, slug)."""
    return sorted(notices, key=lambda n: (n.date, n.slug), reverse=newest_first)


def text_language(text: Text, lang: str, written_in: str) -> str:
    """Return the language of what `text.get(lang)` returns; `written_in` for a text in no named language."""
    return text.pick(lang)[0] or written_in


def other_language(text: Text, lang: str, written_in: str) -> str | None:
    """Return the language of `text` on a page in `lang` when it differs (for a `lang` attribute), else None."""
    shown = text_language(text, lang, written_in)
    return None if shown == lang else shown
