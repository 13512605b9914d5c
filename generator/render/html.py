"""The contact-hours page in every language: departments, channels, the next days, JSON-LD.

The page (hours.html) receives `page` (frame.py), `site`, `upcoming` (the notices
announced at the top, when the notices have pages), `departments`, `support`,
`live` (the schedule the "open now" script reads) and `jsonld`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup

from generator.model import Build, Channel, Department, Output, ResponseTime, Support
from generator.render import urls
from generator.render.frame import make_environment, page_frame, render_page
from generator.render.i18n import LocaleFormats
from generator.render.jsonld import organization, script_json
from generator.render.notices import notice_summary, upcoming_notices
from generator.schedule import hours as schedule
from generator.schedule.timeline import HOURS_PAGE_DAYS

# The frame's names stay importable from here, where the pipeline and the tests look for them.
__all__ = ["make_environment", "page_frame", "render_page", "render_hours_pages", "department_view", "live_schedule"]

URL_CONTACT = re.compile(r"https?://\S+\Z")


# --- The contact-hours page ------------------------------------------------------

def render_hours_pages(build: Build, env: Environment, *, status_page: bool = False,
                       notices_page: bool = False) -> tuple[Output, ...]:
    """Return the contact-hours page of every language: index.html, then <lang>/index.html.

    With `notices_page` the page links to the notices: their pages exist, so the
    coming changes are listed at the top and each changed day links to its notice.
    """
    outputs = []
    for lang in build.site.languages:
        frame = page_frame(build, lang, "hours", status_page=status_page, notices_page=notices_page)
        # Without the notices' pages, the days a notice changes name it but link nowhere.
        folder = frame["folder"] if notices_page else None
        context = {
            "page": frame,
            "site": build.site,
            "upcoming": [notice_summary(build, notice, lang, frame["folder"])
                         for notice in upcoming_notices(build)] if notices_page else None,
            "departments": [department_view(build, department, lang, folder)
                            for department in build.site.departments],
            "support": support_view(build.site.support, lang),
            "live": live_schedule(build, lang),
            "jsonld": script_json(organization(build, lang)),
        }
        outputs.append(Output(frame["path"], render_page(env, "hours.html", lang, context)))
    return tuple(outputs)


def department_view(build: Build, department: Department, lang: str, folder: str | None = None) -> dict:
    """Return one department as the page shows it: channels, weekly lines and the next days.

    `folder` leads from the page to its language's folder, where the notices' pages are;
    without it a changed day names its notice's note but does not link to the notice.
    """
    fmt = LocaleFormats(lang)
    first = build.now.astimezone(ZoneInfo(department.timezone)).date()
    # A department whose own hours.yaml entry says it keeps no holiday (`holidays: {}`) has no holiday hours to
    # show. (A site without holiday rules keeps the line: its channels' holiday hours are what staff wrote.)
    own = department.holidays
    observes = own is None or bool(own.country or own.yearly or own.dated)
    channels = [channel_view(department, channel, lang, observes) for channel in department.channels]
    holidays = build.holidays_of(department)   # its own, when hours.yaml gives them, else the site's
    by_channel = [schedule.days_from(department, channel, first, HOURS_PAGE_DAYS, holidays, build.overrides)
                  for channel in department.channels]
    days = []
    for n in range(HOURS_PAGE_DAYS):
        hours = [column[n] for column in by_channel]
        holiday = next((h.holiday.get(lang) for h in hours if h.holiday is not None), None) or None
        changed = [h.reason == schedule.NOTICE for h in hours]
        # One mention per notice (and per distinct note): its note, unless the holiday already says it.
        mentions: list[dict] = []
        for h in hours:
            if h.reason != schedule.NOTICE:
                continue
            note = (h.note.get(lang) if h.note is not None else None) or None
            mention = {"note": None if note == holiday else note,
                       "href": folder + urls.notice_folder(h.notice) if folder is not None else None}
            if mention not in mentions:
                mentions.append(mention)
        days.append({
            "iso": (first + timedelta(n)).isoformat(),
            "label": fmt.day(first + timedelta(n)),
            "holiday": holiday,
            "notices": mentions,
            # Said once for the row when every channel changed, else beside each changed channel.
            "special": all(changed),
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


def channel_view(department: Department, channel: Channel, lang: str, observes_holidays: bool = True) -> dict:
    """Return one channel: its label, contact and link, weekly lines, holiday hours (`observes_holidays`: whether
    its department keeps any holiday at all) and response time."""
    fmt = LocaleFormats(lang)
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
        "observes_holidays": observes_holidays,
        "response": response_view(channel.response_time, fmt),
    }


def contact_href(channel: Channel) -> str | None:
    """Return the link to a channel's contact: tel: (digits only), a WhatsApp chat, mailto:, or the URL itself."""
    contact = (channel.contact or "").strip()
    if not contact:
        return None
    if channel.type == "whatsapp":
        # wa.me opens a chat and takes the international number's digits only; a number without its + would
        # open a chat with whoever has those digits in another country, so it gets no link (check warns).
        digits = re.sub(r"\D", "", contact)
        return f"https://wa.me/{digits}" if contact.startswith("+") and digits else None
    if channel.type == "phone":
        digits = re.sub(r"\D", "", contact)
        return ("tel:+" if contact.startswith("+") else "tel:") + digits if digits else None
    if channel.type == "email":
        return "mailto:" + contact
    return contact if URL_CONTACT.match(contact) else None


def response_view(response: ResponseTime | None, fmt: LocaleFormats) -> dict | None:
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
    fmt = LocaleFormats(lang)
    firsts = {d.id: build.now.astimezone(ZoneInfo(d.timezone)).date() for d in build.site.departments}
    start = min((_midnight(firsts[d.id], ZoneInfo(d.timezone)) for d in build.site.departments),
                default=build.now)
    end = min((_midnight(firsts[d.id] + timedelta(HOURS_PAGE_DAYS), ZoneInfo(d.timezone))
               for d in build.site.departments), default=build.now)
    departments = []
    for department in build.site.departments:
        first = firsts[department.id]
        channels, holidays = {}, build.holidays_of(department)
        for channel in department.channels:
            days = schedule.days_from(department, channel, first, HOURS_PAGE_DAYS, holidays, build.overrides)
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
