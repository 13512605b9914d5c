"""Calendar subscriptions (iCalendar, RFC 5545): closures and changed hours as events.

Outputs: `calendar.ics` (every department), `calendar/<department>.ics` and, for
every hours notice, `notices/<slug>/notice.ics` with that notice's events only.

What becomes an event, for one department on one local day:

* closed by a notice (a closed change, or a change that leaves every channel of
  the department closed): an all-day event; consecutive closed days of one
  notice with the same note are one event;
* a public holiday or company closure (as `schedule.day_hours` resolves it)
  on which any channel closes or keeps holiday hours: an all-day event per day,
  never merged, so that a notice on a neighbouring day cannot change its UID.
  Its summary names the holiday and, unless every channel is closed, the
  channels that close and the hours of those that stay open ("Suporte Técnico:
  sem central de chamados; e-mail 24 horas (Natal)"): a department with a 24/7
  channel closes its phone on a holiday too.  A holiday on which every channel
  is open around the clock changes nothing and makes no event;
* changed hours: one timed event per department and day, from the first opening
  to the last closing, the closed channels first in the summary, then every open
  channel's hours ("Suporte Técnico: sem telefone ou chat; e-mail 09:00 – 23:00"):
  what changed is read first, even where a client cuts the summary short.  One
  event per day rather than per interval keeps the UID of a day when an edit changes
  its hours, so clients update the event (SEQUENCE rises) instead of deleting and adding one.

UIDs depend only on the notice's slug, the department and the day
(`{slug}-{department}-{YYYYMMDD}@{host}`, `holiday-{YYYYMMDD}-{department}@{host}`).
DTSTAMP and LAST-MODIFIED are the notice's last edit and SEQUENCE its revision;
holidays get a fixed stamp (1 January of the year before), so output depends
on the sources and "now" only.  A cancelled or superseded notice keeps its
events with STATUS:CANCELLED: Apple, Thunderbird and Nextcloud strike them
through and Google removes them.

The subscription calendars cover the next 12 months from "now" and keep events
that ended at most 90 days ago (both rules in timeline.py, which next-change
follows too); a notice's own calendar keeps all its events.

Times: a timed event is written in the department's zone (TZID) when the
RFC 5545 reading of the wall time is the instant the schedule means; a wall
time skipped by a daylight-saving change (an opening inside the gap) or an end
in a repeated hour is written in UTC instead (ical_zones.py).  VTIMEZONEs are built
from zoneinfo over the calendar's dates only (ical_zones.py): icalendar's `Timezone.from_tzinfo`
writes a DAYLIGHT onset in the wrong offset (post-transition wall time).  The files
themselves are put together by ical_files.py.

Words: the site's default language, from the shipped gettext catalogs (every
phrase is listed in MESSAGES; channel words carry msgctxt "channel" because
they stand inside a sentence, "sem telefone").  A channel's own name wins.  The
closed channels are said as "no {channels}" ("sem telefone ou chat"), which no
channel's gender or number changes, as "fechado" would ("central de chamados").
"""

from __future__ import annotations

import gettext as gettext_module
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Iterable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.lists import format_list

from generator.model import Build, Channel, Department, Interval, Notice, Output
from generator.render import urls
from generator.render.i18n import LocaleFormats, read_catalogs, translations_for
from generator.render.ical_files import CalendarEvent, as_instant, calendar_bytes
from generator.render.ical_zones import as_written, wall_instant
from generator.schedule import hours as schedule
from generator.schedule.effective import notice_cells
from generator.schedule.timeline import CALENDAR_PAST_DAYS, calendar_horizon, calendar_keeps

CHANNEL_WORDS = {         # channel type -> its word inside a sentence (msgctxt "channel")
    "phone": "phone", "chat": "chat", "email": "e-mail", "helpdesk": "help desk",
    "whatsapp": "WhatsApp", "other": "other channel",
}
# Every (msgctxt, msgid) the calendars translate, for the catalogs and their tests.
MESSAGES = (
    *(("channel", word) for word in CHANNEL_WORDS.values()),
    (None, "{department}: closed"),
    (None, "{department}: closed ({reason})"),
    (None, "{department}: {hours}"),
    (None, "{department}: {hours} ({reason})"),
    (None, "no {channels}"),
    (None, "Contact hours"),
    (None, "Notices"),
    (None, "Public holidays"),
    (None, "Public holiday: %(name)s"),
)


# --- Words ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Words:
    """The few phrases of the calendars, in one language."""

    lang: str
    translations: gettext_module.NullTranslations

    def _(self, message: str) -> str:
        return self.translations.gettext(message)

    def channel(self, channel: Channel) -> str:
        """Return a channel's name inside a sentence: its own name, else its type's word."""
        if channel.name is not None:
            return channel.name.get(self.lang)
        return self.translations.pgettext("channel", CHANNEL_WORDS[channel.type])

    def closed(self, department: str, reason: str | None) -> str:
        """Return e.g. 'Financeiro: fechado (Natal)'."""
        if reason:
            return self._("{department}: closed ({reason})").format(department=department, reason=reason)
        return self._("{department}: closed").format(department=department)

    def hours(self, department: str, closed: list[str], groups: list[tuple[list[str], tuple[Interval, ...]]],
              reason: str | None = None) -> str:
        """Return e.g. 'Suporte Técnico: sem telefone; chat e e-mail 09:00 – 18:00 (Natal)': the closed
        channels first (what changed), then the open ones with their hours, then the reason if any."""
        fmt = LocaleFormats(self.lang)
        parts = [f"{fmt.items(tuple(names))} {fmt.intervals(intervals)}" for names, intervals in groups]
        if closed:
            # An "or" list after the negation: "sem telefone ou chat", "no phone or chat".
            channels = format_list(closed, style="or", locale=fmt.locale)
            parts.insert(0, self._("no {channels}").format(channels=channels))
        if reason:
            return self._("{department}: {hours} ({reason})").format(
                department=department, hours="; ".join(parts), reason=reason)
        return self._("{department}: {hours}").format(department=department, hours="; ".join(parts))

    def day(self, dept: Department, hours: Mapping[str, tuple[Interval, ...]], reason: str | None) -> str:
        """Return the summary of a department's day from each channel's hours (closed when it has none)."""
        name = dept.name.get(self.lang)
        if not any(hours.get(channel.id) for channel in dept.channels):
            return self.closed(name, reason)
        closed = [self.channel(channel) for channel in dept.channels if not hours.get(channel.id)]
        return self.hours(name, closed, _groups(dept, hours, self), reason)


# --- Events of a notice ---------------------------------------------------------

def notice_url(build: Build, notice: Notice) -> str:
    """Return the absolute URL of a notice's page in the calendars' language, the site's default."""
    return urls.notice_page_url(build.site, build.site.default_language, notice.slug)


def notice_events(build: Build, notice: Notice, words: Words) -> tuple[CalendarEvent, ...]:
    """Return every event of an hours notice, past ones included: closed runs all day, changed hours timed."""
    lang = words.lang
    title, url = notice.title.get(lang), notice_url(build, notice)
    stamp = (notice.modified or notice.updated or notice.date).astimezone(UTC)
    cancelled = notice.cancelled or notice.slug in build.superseded
    by_department = _notice_days(notice, build.site.departments, lang, build.holidays_of)
    host = _host(build)
    events = []
    for dept in build.site.departments:
        name = dept.name.get(lang)
        for first, last, hours, note in _runs(by_department.get(dept.id, {})):
            if hours is None:
                start, end, summary = first, last + timedelta(1), words.closed(name, note)
            else:
                times = timed_event_times(dept, first, hours)
                if times is None:
                    continue   # every opening lies inside an hour skipped by a DST change
                (start, end), summary = times, words.day(dept, hours, None)
            events.append(CalendarEvent(
                uid=f"{notice.slug}-{dept.id}-{first:%Y%m%d}@{host}", department=dept.id,
                start=start, end=end, summary=summary,
                description="\n\n".join(part for part in (note, title, url) if part), url=url,
                categories=(name, words._("Notices")), stamp=stamp, sequence=notice.revision, modified=stamp,
                cancelled=cancelled, zone=dept.timezone))
    return tuple(sorted(events, key=CalendarEvent.sort_key))


def _notice_days(notice: Notice, departments: tuple[Department, ...], lang: str, holidays_of):
    """Return {department: {day: (channel -> intervals, note)}} for the days a notice changes (a channel it keeps
    `regular` with its usual hours, `holidays_of` its department)."""
    days: dict[str, dict[date, tuple[dict[str, tuple[Interval, ...]], str | None]]] = {}
    for (dept_id, channel_id, day), override, change in notice_cells(notice, {d.id: d for d in departments}, holidays_of):
        hours = days.setdefault(dept_id, {}).get(day, ({}, None))[0]
        hours[channel_id] = tuple(override.intervals)
        # On a day two changes cover, the later one wins, as in the overrides.
        days[dept_id][day] = (hours, change.note.get(lang) if change.note else None)
    return days


def _runs(days: Mapping[date, tuple[dict[str, tuple[Interval, ...]], str | None]]):
    """Yield (first, last, hours or None when closed, note): consecutive closed days with one note are one run."""
    run: list = []
    for day in sorted(days):
        hours, note = days[day]
        closed = not any(hours.values())
        if run and not (closed and run[1] + timedelta(1) == day and run[3] == note):
            yield tuple(run)
            run = []
        if not closed:
            yield day, day, hours, note
        elif run:
            run[1] = day
        else:
            run = [day, day, None, note]
    if run:
        yield tuple(run)


def _groups(dept: Department, hours: Mapping[str, tuple[Interval, ...]],
            words: Words) -> list[tuple[list[str], tuple[Interval, ...]]]:
    """Return the open channels grouped by equal hours, in the department's channel order."""
    groups: dict[tuple[Interval, ...], list[str]] = {}
    for channel in dept.channels:
        intervals = tuple(sorted(hours.get(channel.id, ())))
        if intervals:
            groups.setdefault(intervals, []).append(words.channel(channel))
    return [(names, intervals) for intervals, names in groups.items()]


def timed_event_times(dept: Department, day: date, hours: Mapping[str, tuple[Interval, ...]]):
    """Return (start, end) of a day's changed hours, from the first opening to the last closing, or None."""
    zone = ZoneInfo(dept.timezone)
    midnight = datetime.combine(day, time())
    spans = []
    for intervals in hours.values():
        for interval in intervals:
            start = wall_instant(zone, midnight + timedelta(minutes=interval.start), last=False)
            end = wall_instant(zone, midnight + timedelta(minutes=interval.end), last=True)
            if start < end:
                spans.append((start, end))
    if not spans:
        return None
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    return as_written(start, zone), as_written(end, zone)


# --- Holiday closures -------------------------------------------------------------

def holiday_events(build: Build, dept: Department, first: date, last: date, words: Words) -> tuple[CalendarEvent, ...]:
    """Return an all-day event for each public holiday or closure from `first` to `last` on which a channel
    closes or keeps holiday hours (none when every channel is open around the clock)."""
    lang = words.lang
    host = _host(build)
    events = []
    holidays = build.holidays_of(dept)   # its own, when its hours.yaml entry gives them, else the site's
    for day in sorted(d for d in holidays.days if first <= d <= last):
        hours = [schedule.day_hours(dept, channel, day, holidays, build.overrides) for channel in dept.channels]
        # A notice's hours on the day (reason NOTICE) make that notice's event instead.
        if not hours or any(h.reason != schedule.HOLIDAY for h in hours):
            continue
        if all(h.intervals == schedule.ALL_DAY for h in hours):
            continue    # open around the clock as on any day: the holiday changes nothing
        name = hours[0].holiday.get(lang) if hours[0].holiday else None
        events.append(CalendarEvent(
            uid=f"holiday-{day:%Y%m%d}-{dept.id}@{host}", department=dept.id, start=day, end=day + timedelta(1),
            summary=words.day(dept, {c.id: h.intervals for c, h in zip(dept.channels, hours)}, name),
            description="\n\n".join(p for p in (name and words._("Public holiday: %(name)s") % {"name": name},
                                                _base_url(build)) if p),
            url=_base_url(build), categories=(dept.name.get(lang), words._("Public holidays")),
            stamp=datetime(day.year - 1, 1, 1, tzinfo=UTC),   # fixed: before any build that shows the day
            sequence=0, modified=None, cancelled=False, zone=dept.timezone))
    return tuple(events)


# --- Calendars ------------------------------------------------------------------

def render_calendars(build: Build, catalogs: Mapping[str, gettext_module.NullTranslations] | None = None
                     ) -> tuple[Output, ...]:
    """Return calendar.ics, calendar/<department>.ics and notices/<slug>/notice.ics, sorted by path."""
    hours_notices = [n for n in build.site.notices if n.type == "hours"]
    outputs = render_subscription_calendars(build, catalogs) + render_notice_calendars(build, hours_notices, catalogs)
    return tuple(sorted(outputs, key=lambda o: o.path))


def render_notice_calendars(build: Build, notices: Iterable[Notice],
                            catalogs: Mapping[str, gettext_module.NullTranslations] | None = None
                            ) -> tuple[Output, ...]:
    """Return notices/<slug>/notice.ics for each hours notice among `notices`, with all its events.

    A notice's calendar depends on that notice and the site alone, so the pipeline
    may render the notices in parts, each in its own process.
    """
    site = build.site
    words = _words(build, catalogs)
    outputs = []
    for notice in sorted((n for n in notices if n.type == "hours"), key=lambda n: (n.date, n.slug)):
        events = notice_events(build, notice, words)
        name = f"{site.name}: {notice.title.get(words.lang)}"
        # A notice that changes the hours of departments of one zone is shown in that zone.
        zones = {event.zone for event in events}
        shown = zones.pop() if len(zones) == 1 else None
        outputs.append(Output(urls.notice_calendar(notice.slug), calendar_bytes(build, name, events, timezone=shown)))
    return tuple(outputs)


def render_subscription_calendars(build: Build, catalogs: Mapping[str, gettext_module.NullTranslations] | None = None
                                  ) -> tuple[Output, ...]:
    """Return calendar.ics and calendar/<department>.ics: the events of the next 12 months and the last 90 days."""
    site = build.site
    words = _words(build, catalogs)
    current: list[CalendarEvent] = []
    for notice in sorted((n for n in site.notices if n.type == "hours"), key=lambda n: (n.date, n.slug)):
        if _may_be_in_window(build, notice):
            current += [e for e in notice_events(build, notice, words) if _in_window(build, e)]
    for dept in site.departments:
        today = build.now.astimezone(ZoneInfo(dept.timezone)).date()
        found = holiday_events(build, dept, today - timedelta(CALENDAR_PAST_DAYS + 1), calendar_horizon(today), words)
        current += [e for e in found if _in_window(build, e)]
    current.sort(key=CalendarEvent.sort_key)
    # An event is in calendar.ics and in its department's calendar: written once, used twice.
    serialised: dict[CalendarEvent, bytes] = {}
    outputs = [Output(urls.hours_calendar(), calendar_bytes(build, f"{site.name}: {words._('Contact hours')}", current,
                                                     serialised))]
    for dept in site.departments:
        mine = [e for e in current if e.department == dept.id]
        outputs.append(Output(urls.department_calendar(dept.id),
                              calendar_bytes(build, f"{site.name}: {dept.name.get(words.lang)}", mine, serialised,
                                             timezone=dept.timezone)))
    return tuple(outputs)


def _words(build: Build, catalogs: Mapping[str, gettext_module.NullTranslations] | None) -> Words:
    """Return the calendars' phrases in the site's default language."""
    lang = build.site.default_language
    return Words(lang, translations_for(read_catalogs() if catalogs is None else catalogs, lang))


def _may_be_in_window(build: Build, notice: Notice) -> bool:
    """Tell whether any event of a notice can be in the subscriptions (a cheap test before making them).

    A change's events lie within its days, an evening's hours ending at most a day
    later; three days of margin either side cover every time zone.
    """
    days = [day for change in notice.changes for day in (change.first, change.last)]
    if not days:
        return False
    today = build.now.date()
    return (max(days) >= today - timedelta(CALENDAR_PAST_DAYS + 3)
            and min(days) <= calendar_horizon(today) + timedelta(3))


# --- Small helpers ----------------------------------------------------------------

def _in_window(build: Build, event: CalendarEvent) -> bool:
    """Tell whether an event belongs in the subscriptions: not dropped yet, and starts before the horizon."""
    today = build.now.astimezone(ZoneInfo(event.zone)).date()
    horizon = as_instant(calendar_horizon(today), event.zone)
    return calendar_keeps(event.end_instant(), build.now) and as_instant(event.start, event.zone) < horizon


def _base_url(build: Build) -> str:
    return urls.site_url(build.site)


def _host(build: Build) -> str:
    return urlsplit(build.site.base_url).hostname or "localhost"
