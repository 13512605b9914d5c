"""HTML pages from the model through the Jinja2 theme: the contact-hours page in every language.

Templates receive plain values already resolved for one language (`page`, `site`,
`departments`, `support`, `live`, `jsonld`) plus `fmt`, the language's Babel formats,
and the language's gettext functions; the words of the page live in the templates
and the gettext catalogs, the facts in these values.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .. import schedule
from ..i18n import Formats, read_catalogs, template_gettext, translations_for
from ..model import Build, Channel, Department, ResponseTime, Site, Support
from . import Output
from .jsonld import organization, script_json

DEFAULT_THEME = Path(__file__).resolve().parent.parent.parent / "templates"
NEXT_DAYS = 14
URL_CONTACT = re.compile(r"https?://\S+\Z")


# --- The environment ---------------------------------------------------------

def make_environment(template_dirs: tuple[Path, ...]) -> Environment:
    """Return the Jinja2 environment: templates searched in `template_dirs` order, then the default theme."""
    dirs = tuple(template_dirs)
    if DEFAULT_THEME.resolve() not in {Path(d).resolve() for d in dirs}:
        dirs += (DEFAULT_THEME,)
    env = Environment(
        loader=FileSystemLoader([str(d) for d in dirs]),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # English by default and newstyle gettext; each render passes its language's functions.
    env.install_null_translations(newstyle=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.extend(expediente_catalogs=read_catalogs())
    return env


# --- Paths and the page frame --------------------------------------------------

def language_folder(site: Site, lang: str) -> str:
    """Return the folder of a language's pages: '' for the default language, else e.g. 'pt-pt/'."""
    return "" if lang == site.default_language else lang.lower() + "/"


def page_frame(build: Build, lang: str, page: str, *, status_page: bool = False,
               notices_page: bool = False) -> dict:
    """Return what base.html needs for `page` ('hours', 'status' or 'notices') in `lang`."""
    site = build.site
    folder = language_folder(site, lang)
    sub = "" if page == "hours" else page + "/"
    up = "../" * (folder + sub).count("/")
    base_url = site.base_url.rstrip("/") + "/"
    fmt = Formats(lang)

    def href(target: str) -> str:
        return up + target if up + target else "./"

    alternates = [{
        "lang": other,
        "name": fmt.language_name(other),
        "href": href(language_folder(site, other) + sub),
        "url": base_url + language_folder(site, other) + sub,
        "current": other == lang,
    } for other in site.languages]
    pages = ["hours"] + (["status"] if status_page else []) + (["notices"] if notices_page else [])
    nav = [{"page": name, "href": href(folder + ("" if name == "hours" else name + "/")),
            "current": name == page} for name in pages]
    return {
        "lang": lang,
        "path": folder + sub + "index.html",
        "url": base_url + folder + sub,
        "home": href(folder),
        "alternates": alternates,
        "nav": nav,
        "updated": {"text": fmt.date_time(build.now, site.timezone), "zone": fmt.zone_name(site.timezone),
                    "iso": build.now.isoformat()},
    }


def render_page(env: Environment, template: str, lang: str, context: Mapping) -> bytes:
    """Render one template in `lang` with the language's gettext functions and formats."""
    translations = translations_for(env.expediente_catalogs, lang)
    html = env.get_template(template).render(**context, fmt=Formats(lang), **template_gettext(translations))
    return html.encode("utf-8")


# --- The contact-hours page ------------------------------------------------------

def render_hours_pages(build: Build, env: Environment, *, status_page: bool = False,
                       notices_page: bool = False) -> tuple[Output, ...]:
    """Return the contact-hours page of every language: index.html, then <lang>/index.html."""
    outputs = []
    for lang in build.site.languages:
        frame = page_frame(build, lang, "hours", status_page=status_page, notices_page=notices_page)
        context = {
            "page": frame,
            "site": build.site,
            "departments": [department_view(build, department, lang) for department in build.site.departments],
            "support": support_view(build.site.support, lang),
            "live": live_schedule(build, lang),
            "jsonld": script_json(organization(build, lang)),
        }
        outputs.append(Output(frame["path"], render_page(env, "hours.html", lang, context)))
    return tuple(outputs)


def department_view(build: Build, department: Department, lang: str) -> dict:
    """Return one department as the page shows it: channels, weekly lines and the next days."""
    fmt = Formats(lang)
    first = build.now.astimezone(ZoneInfo(department.timezone)).date()
    channels = [channel_view(department, channel, lang) for channel in department.channels]
    by_channel = [schedule.days_from(department, channel, first, NEXT_DAYS, build.holidays, build.overrides)
                  for channel in department.channels]
    days = []
    for n in range(NEXT_DAYS):
        hours = [column[n] for column in by_channel]
        holiday = next((h.holiday.get(lang) for h in hours if h.holiday is not None), None) or None
        changed = [h.reason == schedule.NOTICE for h in hours]
        notes: list[str] = []
        for h in hours:
            note = h.note.get(lang) if h.note is not None and h.reason == schedule.NOTICE else None
            if note and note != holiday and note not in notes:
                notes.append(note)
        days.append({
            "iso": (first + timedelta(n)).isoformat(),
            "label": fmt.day(first + timedelta(n)),
            "holiday": holiday,
            "notes": notes,
            # Said once for the row when every channel changed, else beside each changed channel.
            "special": all(changed) and not notes,
            "marked": bool(holiday or any(changed)),
            "cells": [{
                "always": h.intervals == schedule.ALL_DAY,
                "hours": [fmt.interval(i) for i in h.intervals],
                "notice": changed[c] and not all(changed),
            } for c, h in enumerate(hours)],
        })
    return {
        "id": department.id,
        "name": department.name.get(lang),
        "description": department.description.get(lang) if department.description else None,
        "zone": fmt.zone_name(department.timezone),
        "offset": fmt.utc_offset(build.now, department.timezone),
        "channels": channels,
        "days": days,
    }


def channel_view(department: Department, channel: Channel, lang: str) -> dict:
    """Return one channel: its label, contact and link, weekly lines, holiday hours and response time."""
    fmt = Formats(lang)
    week = [{"days": fmt.weekdays(days), "hours": [fmt.interval(i) for i in intervals]}
            for days, intervals in schedule.weekly_summary(channel.hours)]
    return {
        "key": f"{department.id}/{channel.id}",
        "type": channel.type,
        "name": channel.name.get(lang) if channel.name else None,
        "contact": channel.contact,
        "href": contact_href(channel),
        "always": channel.hours.always,
        "week": week,
        "holidays": [fmt.interval(i) for i in channel.hours.holidays],
        "response": response_view(channel.response_time, fmt),
    }


def contact_href(channel: Channel) -> str | None:
    """Return the link to a channel's contact: tel: (digits only), mailto:, or the URL itself."""
    contact = (channel.contact or "").strip()
    if not contact:
        return None
    if channel.type in ("phone", "whatsapp"):
        digits = re.sub(r"\D", "", contact)
        return ("tel:+" if contact.startswith("+") else "tel:") + digits if digits else None
    if channel.type == "email":
        return "mailto:" + contact
    return contact if URL_CONTACT.match(contact) else None


def response_view(response: ResponseTime | None, fmt: Formats) -> dict | None:
    """Return a response-time target written out: '5 minutos', '2–10 minutos', 'up to' with low == 0."""
    if response is None:
        return None
    return {"low": response.low, "high": fmt.duration(response.high),
            "text": fmt.duration_range(response.low, response.high)}


def support_view(support: Support | None, lang: str) -> dict | None:
    """Return how support works in `lang`: priorities, ticket states and notes (sanitised HTML)."""
    if support is None or not (support.priorities or support.states or support.notes):
        return None
    return {
        "priorities": [{"name": p.name.get(lang), "qualifies": p.qualifies.get(lang),
                        "response": p.response.get(lang) if p.response else None}
                       for p in support.priorities],
        "states": [{"name": s.name.get(lang), "meaning": s.meaning.get(lang)} for s in support.states],
        # Notes were sanitised by markup.render_markdown when the site was read.
        "notes": [Markup(note.get(lang)) for note in support.notes],
    }


# --- The schedule the browser reads ---------------------------------------------

def live_schedule(build: Build, lang: str) -> dict:
    """Return the openings of the next days, for the "open now" script.

    `start` and `end` are UTC epoch seconds; each span is a pair of minutes after `start`.

    Touching spans are merged, so that a channel open until 24:00 and again from
    00:00 is not said to close at midnight; the script says nothing outside the
    window [start, end), and gives no closing time for a span reaching its end.
    """
    fmt = Formats(lang)
    firsts = {d.id: build.now.astimezone(ZoneInfo(d.timezone)).date() for d in build.site.departments}
    start = min((_midnight(firsts[d.id], ZoneInfo(d.timezone)) for d in build.site.departments),
                default=build.now)
    end = min((_midnight(firsts[d.id] + timedelta(NEXT_DAYS), ZoneInfo(d.timezone))
               for d in build.site.departments), default=build.now)
    departments = []
    for department in build.site.departments:
        first = firsts[department.id]
        channels = {}
        for channel in department.channels:
            days = schedule.days_from(department, channel, first, NEXT_DAYS, build.holidays, build.overrides)
            spans = schedule.merge_spans(span for day in days for span in day.spans)
            channels[f"{department.id}/{channel.id}"] = [
                [_minutes(span.start, start), _minutes(span.end, start)] for span in spans]
        departments.append({"zone": department.timezone, "name": fmt.zone_name(department.timezone),
                            "channels": channels})
    return {
        "lang": lang,
        # Intl's hour style that matches CLDR's 'Hm' as Babel writes it: '09:00' (pt-BR) or '9:00' (es).
        "hour": "2-digit" if fmt.time(9 * 60).startswith("0") else "numeric",
        "start": int(start.timestamp()),
        "end": int(end.timestamp()),
        "departments": departments,
    }


def _minutes(instant: datetime, start: datetime) -> int:
    """Return whole minutes from `start` to `instant`, as instants (same-zone subtraction ignores DST)."""
    return (int(instant.timestamp()) - int(start.timestamp())) // 60


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the first instant of a local day (the wall clock's 00:00, or the jump past it)."""
    return datetime.combine(day, time(), tzinfo=zone)
