"""Calendar files as icalendar writes them: the events (`CalendarEvent`) and whole VCALENDARs.

Every content line's value is written by icalendar (its value types' escaping and
formats), and each line is folded at 75 octets as icalendar folds it (`_folded`, held
to icalendar's own fold in tests/test_calendars.py); this module puts whole lines
together, in icalendar's order, so that what the calendars of a build share is written
once: the calendar's fixed properties, each distinct content line of the events, names
and VTIMEZONEs (`component_lines`), and each event, which calendar.ics and its
department's calendar both hold. The
bytes are those of icalendar's own to_ical() of the whole calendar
(tests/test_calendars.py). What becomes an event is calendars.py's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event, Timezone
from icalendar.parser import Contentline, Parameters

from generator.model import Build
from generator.render.ical_zones import timezone_parts

REFRESH = "PT6H"          # REFRESH-INTERVAL (Apple) and X-PUBLISHED-TTL (Outlook)


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One VEVENT: all-day when `start` and `end` are dates (`end` exclusive), else aware instants;
    `categories` any sequence of strings (kept as a tuple)."""

    uid: str
    department: str
    start: date | datetime
    end: date | datetime
    summary: str
    description: str
    url: str
    categories: tuple[str, ...]
    stamp: datetime
    sequence: int
    modified: datetime | None
    cancelled: bool
    zone: str

    def __post_init__(self) -> None:
        # Taken as the tuple it equals, whatever sequence was given: an event is hashed (calendar_bytes keeps
        # the events it wrote by it) and so is each property's value (the content lines' cache), which a list
        # is not. A tuple is kept as it is (no copy), so an equal list's event finds the same cached lines.
        if type(self.categories) is not tuple:
            if isinstance(self.categories, str):      # a sequence too, but of letters: say so rather than split it
                raise TypeError(f"categories is a sequence of names, not one name ({self.categories!r})")
            object.__setattr__(self, "categories", tuple(self.categories))

    def end_instant(self) -> datetime:
        """Return when the event ends, as a UTC instant (midnight in the department's zone for a date)."""
        return as_instant(self.end, self.zone)

    def sort_key(self) -> tuple:
        """Return the order of events in a calendar: by start, then UID."""
        return (as_instant(self.start, self.zone), self.uid)


def calendar_bytes(build: Build, name: str, events: Iterable[CalendarEvent],
                   serialised: dict[CalendarEvent, bytes] | None = None, timezone: str | None = None) -> bytes:
    """Return a VCALENDAR with `events` (in the given order) and a VTIMEZONE for every TZID they use.

    X-WR-TIMEZONE, the zone a client shows the calendar in, is `timezone` (a
    department's calendar names its own), or the site's.

    icalendar writes the calendar's properties and time zones, and each event on its
    own; the events follow the time zones as icalendar itself would place them.
    With `serialised`, an event already written for another calendar is reused.
    """
    events = tuple(events)
    site = build.site
    zones = b"".join(
        timezone_bytes(zone, min(days), max(days))
        for zone, days in sorted(_tzid_days(events).items()))
    shown = timezone or site.timezone
    head = (_BEGIN + _fixed_lines(site.name, shown, before_name=True) + _name_lines(name)
            + _fixed_lines(site.name, shown, before_name=False) + zones)
    serialised = {} if serialised is None else serialised
    body = []
    for item in events:
        if item not in serialised:
            serialised[item] = event_bytes(item)
        body.append(serialised[item])
    return head + b"".join(body) + _END


# A calendar's head is written by icalendar in three runs of whole content lines: the
# properties every calendar of the site shares (before and after its name, made once
# per build), its name, and its time zones (their lines written once, as an event's).

def _fixed_lines(site_name: str, timezone: str, before_name: bool) -> bytes:
    """Return the calendar properties every calendar of a site shares, before or after its name."""
    return _properties_once(site_name, timezone)[0 if before_name else 1]


@lru_cache(maxsize=8)
def _properties_once(site_name: str, timezone: str) -> tuple[bytes, bytes]:
    before = Calendar()
    # Set by hand: the default PRODID carries the library's version, and icalendar's
    # refresh_interval omits VALUE=DURATION.
    before.add("prodid", f"-//Expediente//{site_name}//EN")
    before.add("version", "2.0")
    before.add("calscale", "GREGORIAN")
    before.add("method", "PUBLISH")
    after = Calendar()
    after.add("x-wr-timezone", timezone)
    after.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    after.add("x-published-ttl", REFRESH)
    return _inner_lines(before), _inner_lines(after)


def _name_lines(name: str) -> bytes:
    """Return NAME and X-WR-CALNAME (the older property many clients still read) of a calendar."""
    return property_lines(Calendar, (("name", name), ("x-wr-calname", name)))


@lru_cache(maxsize=256)
def timezone_bytes(zone: str, first: date, last: date) -> bytes:
    """Return the VTIMEZONE of a zone covering the days from `first` to `last` (what make_timezone(...).to_ical() gives)."""
    parts = b"".join(component_lines(kind, properties) for kind, properties in timezone_parts(zone, first, last))
    return component_lines(Timezone, (("tzid", zone),), parts)


def _tzid_days(events: tuple[CalendarEvent, ...]) -> dict[str, list[date]]:
    """Return, per time zone named by a TZID in the events, the days of those events' starts and ends."""
    days: dict[str, list[date]] = {}
    for event in events:
        if uses_tzid(event):
            days.setdefault(event.zone, []).extend((event.start.date(), event.end.date()))
    return days


def _inner_lines(calendar: Calendar) -> bytes:
    """Return a calendar's content lines without its BEGIN and END lines."""
    text = calendar.to_ical()
    if not (text.startswith(_BEGIN) and text.endswith(_END)):
        raise AssertionError("icalendar did not write BEGIN:VCALENDAR ... END:VCALENDAR")
    return text[len(_BEGIN):-len(_END)]


_BEGIN = b"BEGIN:VCALENDAR\r\n"
_END = b"END:VCALENDAR\r\n"


def event_properties(item: CalendarEvent) -> tuple[tuple[str, object], ...]:
    """Return an event's (property, value) pairs, as Component.add takes them (a tuple for a list)."""
    properties = [("uid", item.uid), ("dtstamp", item.stamp), ("sequence", item.sequence)]
    if item.modified is not None:
        properties.append(("last-modified", item.modified))
    return (*properties, ("dtstart", item.start), ("dtend", item.end), ("summary", item.summary),
            ("description", item.description), ("url", item.url), ("categories", item.categories),
            ("transp", "TRANSPARENT"), ("status", "CANCELLED" if item.cancelled else "CONFIRMED"))


def make_event(item: CalendarEvent) -> Event:
    """Return the VEVENT of one event; nothing is taken from the clock or a random source."""
    event = Event()
    for name, value in event_properties(item):
        event.add(name, list(value) if isinstance(value, tuple) else value)
    return event


def event_bytes(item: CalendarEvent) -> bytes:
    """Return `make_event(item).to_ical()`, each content line written once per build (see component_lines)."""
    return component_lines(Event, event_properties(item))


# An event shares most of its content lines with other events: its notice's DESCRIPTION,
# URL, DTSTAMP and LAST-MODIFIED with the notice's other events, its CATEGORIES, SEQUENCE,
# TRANSP and STATUS with most events of the build, its days and SUMMARY with many; a
# VTIMEZONE its offsets and names with every other. A content line depends on its
# property's name and value alone, so icalendar writes each distinct line once (about a
# third of the lines of a build), and a component is its lines in icalendar's order.

def component_lines(kind: type[Component], properties: Iterable[tuple[str, object]],
                    subcomponents: bytes = b"") -> bytes:
    """Return what `kind()` with `properties` added (and `subcomponents` written) gives from to_ical()."""
    begin, end = _begin_end(kind)
    return begin + property_lines(kind, properties) + subcomponents + end


def property_lines(kind: type[Component], properties: Iterable[tuple[str, object]]) -> bytes:
    """Return the content lines of `properties` in a `kind` component, in icalendar's order, each written once."""
    lines = {name.upper(): _line(kind, name, value) for name, value in properties}
    return b"".join(lines[name] for name in _order(kind, tuple(lines)))


def _line(kind: type[Component], name: str, value) -> bytes:
    """Return the content line icalendar writes for one property of a `kind` component (Component.add's value)."""
    # Equal datetimes are written apart: of different zones at the same instant (TZID or UTC), of two
    # datetime.timezone objects of one offset and two names (each name its TZID), and of one zone on the two
    # sides of a fold (fold is not compared; DTSTAMP is written in UTC, an hour apart). So the key holds the
    # zone itself (by identity: the cached value keeps it alive, so its id is not reused) and the fold.
    zone = getattr(value, "tzinfo", None)
    if zone is None:
        return _line_of(kind, name, value, None, 0)
    return _line_of(kind, name, value, id(zone), value.fold)


@lru_cache(maxsize=8192, typed=True)
def _line_of(kind: type[Component], name: str, value, zone: int | None, fold: int) -> bytes:
    if type(value) is str and _text_as_typed(kind, name):
        line = _text_line(kind, name, value)
    else:
        line = _added_line(kind, name, value)
    return _folded(line) + b"\r\n"


def _added_line(kind: type[Component], name: str, value) -> str:
    """Return the unfolded content line of a `kind` component with one property added (Component.add's value)."""
    component = kind()
    component.add(name, list(value) if isinstance(value, tuple) else value)
    # What content_lines() does for each property, without the component's BEGIN and END lines.
    return component.content_line(name.upper(), component[name])


# Half of a build's distinct lines are text (UID, SUMMARY, DESCRIPTION, URL). For a text, Component.add
# makes the property's value type of it (types_factory) and adds nothing else, so that type writes the
# value and Contentline the line, without a component made for each.  Whether add() adds nothing is
# asked of icalendar itself, once per property, on texts holding every character its escaping changes.
# (The 1,848 distinct text lines of the 1,000-notice bench site: 45 ms of CPU before, 15 ms with _folded.)
def _text_line(kind: type[Component], name: str, value: str) -> str:
    """Return the unfolded content line icalendar writes for a text value of a property."""
    typed = kind.types_factory.for_property(name)(value)
    params = getattr(typed, "params", None)     # content_line's default, made only when wanted
    return Contentline.from_parts(name.upper(), Parameters() if params is None else params, typed)


@lru_cache(maxsize=64)
def _text_as_typed(kind: type[Component], name: str) -> bool:
    """Tell whether a text value of a `kind` component's property is written as _text_line writes it."""
    def written(make, probe: str) -> str | None:
        try:
            return make(kind, name, probe)
        except (AssertionError, ValueError):     # a line break refused (by Contentline, or by a URI)
            return None

    return all(written(_text_line, probe) == written(_added_line, probe) for probe in _PROBES)


# Every character that a text's escaping changes, without and with a line break.
_PROBES = ('a,b;c\\d"e:f^g', 'a,b;c\\d"e:f^g\nh')


def _folded(line: str) -> bytes:
    """Return a content line folded as icalendar folds it (its parser/string.py _foldline), in UTF-8.

    RFC 5545, 3.1: lines of at most 75 octets, each continuation led by a space, a UTF-8 sequence never
    split.  icalendar breaks before the character that would make a line 75 octets (74 and the line
    break; a continuation 74 after its space), and moves a backslash or caret that would end a line
    (not the only character of it) to the next, so that an escape stays whole.  It does so character
    by character (22 us a line, 19 ms of a 1,000-notice build's calendars): here by octet, on the
    encoded line (tests/test_calendars.py compares the two on every kind of line).
    """
    if "\n" in line:     # icalendar's own fold refuses it too: escaping (TEXT's "\\n") must come first
        raise ValueError(f"a content line holds a line break: {line[:60]!r}")
    data = line.encode("utf-8")
    if len(data) < _FOLD_AT:
        return data
    pieces = []
    start = 0
    while len(data) - start >= _FOLD_AT:
        end = start + _FOLD_AT - 1
        while data[end] & 0xC0 == 0x80:     # inside a UTF-8 sequence: break before its first octet
            end -= 1
        if end - start > 1 and data[end - 1] in _ESCAPES:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


# A content line of fewer octets than this is never folded.
_FOLD_AT = 75
_ESCAPES = b"\\^"    # as octets: neither is ever part of a longer UTF-8 sequence


@lru_cache(maxsize=16)
def _begin_end(kind: type[Component]) -> tuple[bytes, bytes]:
    """Return the BEGIN and END lines of a `kind` component, as icalendar writes them."""
    text = kind().to_ical()
    middle = text.index(b"\r\n") + 2
    return text[:middle], text[middle:]


@lru_cache(maxsize=64)
def _order(kind: type[Component], names: tuple[str, ...]) -> tuple[str, ...]:
    """Return property names in the order icalendar writes them in a `kind` component."""
    skeleton = kind()
    for name in names:
        skeleton[name] = None    # sorted_keys reads the names only
    return tuple(skeleton.sorted_keys())


def as_instant(moment: date | datetime, zone: str) -> datetime:
    """Return a UTC instant: an aware datetime as is, a date as midnight in `zone`."""
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    return datetime.combine(moment, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def uses_tzid(event: CalendarEvent) -> bool:
    """Tell whether an event's start or end is written with a TZID."""
    return any(isinstance(m, datetime) and m.tzinfo is not UTC for m in (event.start, event.end))
