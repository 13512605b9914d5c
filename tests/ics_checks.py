"""Checks of iCalendar files that the parsers skip, and parsing through the clients' libraries.

icalendar, the strict `ical` package and recurring-ical-events accept a missing
UID or DTSTAMP, a TZID with no VTIMEZONE, a DTEND before DTSTART, long lines
and bare LF endings; `problems_of` reports those, `parse_everywhere` runs the
three parsers and reports what they found.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from ical.calendar_stream import IcsCalendarStream

MAX_OCTETS = 75
PROPERTY = re.compile(r"(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;[^:]*)?):(?P<value>.*)\Z", re.S)


@dataclass(frozen=True)
class ContentLine:
    """One unfolded content line: its name (upper case), parameters and raw value."""

    name: str
    params: dict[str, str]
    value: str


def physical_lines(data: bytes) -> list[bytes]:
    """Return the lines of a file that ends every line with CRLF (checked by `problems_of`)."""
    return data.split(b"\r\n")[:-1]


def content_lines(data: bytes) -> list[ContentLine]:
    """Return the unfolded content lines (RFC 5545 3.1), parameters split naively (no quoted ';')."""
    unfolded: list[bytes] = []
    for line in physical_lines(data):
        if line[:1] in (b" ", b"\t") and unfolded:
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    result = []
    for raw in unfolded:
        match = PROPERTY.match(raw.decode("utf-8"))
        assert match, f"not a content line: {raw!r}"
        params = dict(p.split("=", 1) for p in match["params"].split(";")[1:])
        result.append(ContentLine(match["name"].upper(), {k.upper(): v for k, v in params.items()}, match["value"]))
    return result


def components(data: bytes, kind: str) -> list[list[ContentLine]]:
    """Return the content lines of every component named `kind` (nested components included in theirs)."""
    found: list[list[ContentLine]] = []
    stack: list[list[ContentLine]] = []
    for line in content_lines(data):
        if line.name == "BEGIN" and line.value.upper() == kind:
            stack.append([])
        elif line.name == "END" and line.value.upper() == kind:
            found.append(stack.pop())
        elif stack:
            stack[-1].append(line)
    return found


def first(lines: list[ContentLine], name: str) -> ContentLine | None:
    """Return the first line named `name` of a component, or None."""
    return next((line for line in lines if line.name == name), None)


def unescape(value: str) -> str:
    """Return a TEXT value without its RFC 5545 escapes (backslash before \\ ; , and n)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def problems_of(data: bytes) -> list[str]:
    """Return every structural problem of an .ics file that parsers let through, as readable sentences."""
    problems = []
    if not data.endswith(b"\r\n"):
        problems.append("the file does not end with CRLF")
    if re.search(rb"(?<!\r)\n", data) or re.search(rb"\r(?!\n)", data):
        problems.append("a line ends with a bare LF or CR")
    for number, line in enumerate(physical_lines(data), 1):
        if len(line) > MAX_OCTETS:
            problems.append(f"line {number} has {len(line)} octets (more than {MAX_OCTETS})")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {number} splits a UTF-8 sequence or is not UTF-8: {line!r}")
    if problems:
        return problems
    zones = {first(c, "TZID").value for c in components(data, "VTIMEZONE")}
    used_zones = set()
    uids = []
    for number, event in enumerate(components(data, "VEVENT"), 1):
        uid = first(event, "UID")
        where = f"VEVENT {number} ({uid.value if uid else 'no UID'})"
        for name in ("UID", "DTSTAMP", "DTSTART"):
            if first(event, name) is None:
                problems.append(f"{where} has no {name}")
        stamp = first(event, "DTSTAMP")
        if stamp is not None and not stamp.value.endswith("Z"):
            problems.append(f"{where}: DTSTAMP {stamp.value} is not in UTC")
        if uid is not None:
            uids.append(uid.value)
        for line in event:
            if "TZID" in line.params:
                used_zones.add(line.params["TZID"])
        start, end = first(event, "DTSTART"), first(event, "DTEND")
        if start is not None and end is not None:
            if ("VALUE" in start.params) != ("VALUE" in end.params):
                problems.append(f"{where}: DTSTART and DTEND have different value types")
            elif not instant_of(start) < instant_of(end):
                problems.append(f"{where}: DTEND {end.value} is not after DTSTART {start.value}")
    for zone in sorted(used_zones - zones):
        problems.append(f"TZID {zone} is used but has no VTIMEZONE")
    duplicates = sorted({uid for uid in uids if uids.count(uid) > 1})
    if duplicates:
        problems.append(f"UIDs used twice: {', '.join(duplicates)}")
    return problems


def instant_of(line: ContentLine) -> datetime:
    """Return a DTSTART/DTEND as a UTC instant: a date as midnight UTC, a TZID time through zoneinfo (RFC reading: fold=0)."""
    value = line.value
    if line.params.get("VALUE") == "DATE":
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC)
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    wall = datetime.strptime(value, "%Y%m%dT%H%M%S")
    return wall.replace(tzinfo=ZoneInfo(line.params["TZID"]), fold=0).astimezone(UTC)


def parse_everywhere(data: bytes, between: tuple[date, date] | None = None):
    """Parse with icalendar, ical and recurring-ical-events; return (icalendar Calendar, problems found)."""
    problems = []
    calendar = icalendar.Calendar.from_ical(data)
    for component in calendar.walk():
        for error in component.errors:
            problems.append(f"icalendar: {component.name}: {error}")
    try:
        strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    except Exception as exc:   # the strict parser raises on what it refuses
        problems.append(f"ical: {type(exc).__name__}: {exc}")
    else:
        if len(strict.events) != len(calendar.walk("VEVENT")):
            problems.append(f"ical read {len(strict.events)} events, icalendar {len(calendar.walk('VEVENT'))}")
    if between is not None:
        try:
            recurring_ical_events.of(calendar).between(*between)
        except Exception as exc:
            problems.append(f"recurring-ical-events: {type(exc).__name__}: {exc}")
    return calendar, problems


def hhmm(offset: timedelta) -> str:
    """Return a UTC offset as +HH:MM."""
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def vtimezone_mismatches(data: bytes, through_icalendar: bool = True) -> list[str]:
    """Compare every VTIMEZONE with zoneinfo, each onset and then every half hour of its span.

    Each observance's DTSTART, read in TZOFFSETFROM (RFC 5545 3.6.5), must be an
    instant where zoneinfo changes to TZOFFSETTO (or the start of the span, for an
    unchanged offset).  The offsets in force are then read two ways: as RFC 5545
    says (the TZOFFSETTO of the latest onset) and, with `through_icalendar`, by the
    tzinfo icalendar builds from the VTIMEZONE alone.  icalendar (like dateutil's
    tzical) assumes a DST saving of one hour and misreads Lord Howe's 30 minutes.
    """
    problems = []
    calendar = icalendar.Calendar.from_ical(data)
    for vtimezone in calendar.walk("VTIMEZONE"):
        name = str(vtimezone["TZID"])
        zone = ZoneInfo(name)
        onsets = []
        for part in vtimezone.subcomponents:
            if "RRULE" in part or "RDATE" in part:
                problems.append(f"{name}: {part.name} has RRULE or RDATE, which this check does not read")
            wall = part["DTSTART"].dt
            before, after = part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td
            onset = (wall - before).replace(tzinfo=UTC)
            onsets.append((onset, after))
            if (onset.astimezone(zone).utcoffset() != after
                    or (before != after and (onset - timedelta(seconds=1)).astimezone(zone).utcoffset() != before)):
                problems.append(f"{name}: {part.name} DTSTART {wall} ({hhmm(before)} to {hhmm(after)}) "
                                "is not a change in zoneinfo")
            if (part.name == "DAYLIGHT") != bool(onset.astimezone(zone).dst()):
                problems.append(f"{name}: {part.name} at {wall} but zoneinfo's DST then is {onset.astimezone(zone).dst()}")
        onsets.sort()
        instants = [onset for onset, _ in onsets]
        # icalendar reads the very first instant of the first observance in another offset;
        # that observance only marks where the definition starts, a day before the first event.
        start, end = instants[0] + timedelta(days=1), instants[-1] + timedelta(days=30)
        moment = start
        while moment < end:   # every quarter of an hour, as RFC 5545 reads the VTIMEZONE
            expected = moment.astimezone(zone).utcoffset()
            by_rfc = onsets[bisect_right(instants, moment) - 1][1]
            if by_rfc != expected:
                problems.append(f"{name}: at {moment:%Y-%m-%d %H:%M}Z the VTIMEZONE gives {hhmm(by_rfc)}, "
                                f"zoneinfo {hhmm(expected)}")
                break
            moment += timedelta(minutes=15)
        if through_icalendar:   # slower: around each onset and every six hours
            built = vtimezone.to_tz(lookup_tzid=False)
            samples = [start + timedelta(hours=6 * n) for n in range(int((end - start) / timedelta(hours=6)))]
            samples += [onset + delta for onset in instants[1:] for delta in (timedelta(minutes=-1), timedelta(0))]
            for moment in sorted(samples):
                if moment.astimezone(built).utcoffset() != moment.astimezone(zone).utcoffset():
                    problems.append(f"{name}: at {moment:%Y-%m-%d %H:%M}Z icalendar reads the VTIMEZONE as "
                                    f"{hhmm(moment.astimezone(built).utcoffset())}, "
                                    f"zoneinfo {hhmm(moment.astimezone(zone).utcoffset())}")
                    break
    return problems
