"""The site model: frozen values that flow from validation to the renderers.

Every object is complete when made; times of day are minutes after local
midnight, instants are aware datetimes, and collections are tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Mapping

from generator.limits import DEFAULT_LIMITS, Limits

CHANNEL_TYPES = ("phone", "chat", "email", "helpdesk", "whatsapp", "other")
NOTICE_TYPES = ("hours", "info", "incident", "maintenance")
# Atlassian Statuspage's vocabulary, so that its clients and aggregators read ours unchanged.
COMPONENT_STATES = ("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance")
IMPACTS = ("none", "minor", "major", "critical")
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
CHECK_TYPES = ("http", "tcp", "dns")
# How old a component's newest probe row may be before the page says "no recent checks" (status.yaml's
# `stale_after`, else three times its `probe_interval`, else this). The one definition: the page, the
# API and next-change all read Component.stale_after.
DEFAULT_STALE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Text:
    """Text in one or more languages; `values` pairs a language tag with its text."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def plain(cls, text: str) -> Text:
        """Return a Text that reads the same in every language."""
        return cls((("", text),))

    def get(self, lang: str) -> str:
        """Return the text in `lang`, else in the same base language, else the first given."""
        return self.pick(lang)[1]

    def pick(self, lang: str) -> tuple[str, str]:
        """Return (tag, text) of what `get(lang)` returns; the tag is '' for a text in no named language."""
        for tag, text in self.values:
            if tag == lang:
                return tag, text
        base = lang.split("-")[0]
        for tag, text in self.values:
            if tag.split("-")[0] == base:
                return tag, text
        return self.values[0]

    def has(self, lang: str) -> bool:
        """Tell whether the text was written in exactly `lang`."""
        return any(tag == lang for tag, _ in self.values)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """Opening hours within a day: `end` > 1440 runs past midnight into the next day."""

    start: int
    end: int

    def label(self) -> str:
        """Return the interval as written in a schedule, e.g. `09:00-12:00`."""
        end = self.end % 1440 if self.end != 1440 else 1440
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """A channel's regular hours: seven days (Monday first) and the hours on a public holiday."""

    days: tuple[tuple[Interval, ...], ...]
    holidays: tuple[Interval, ...] = ()
    always: bool = False


@dataclass(frozen=True, slots=True)
class ResponseTime:
    """A response-time target in minutes, as a range (low == high for a single figure)."""

    low: int
    high: int
    text: str


@dataclass(frozen=True, slots=True)
class Channel:
    """One way to reach a department: phone, chat, e-mail, helpdesk, WhatsApp or other."""

    id: str
    type: str
    contact: str | None
    hours: WeeklyHours
    response_time: ResponseTime | None = None
    name: Text | None = None


@dataclass(frozen=True, slots=True)
class Department:
    """A department and its channels, with its own time zone (the site's by default)."""

    id: str
    name: Text
    timezone: str
    channels: tuple[Channel, ...]
    description: Text | None = None


@dataclass(frozen=True, slots=True)
class HolidayRules:
    """Which public holidays apply, and the company's own closures."""

    country: str | None
    subdivision: str | None
    yearly: tuple[tuple[int, int, Text], ...] = ()   # (month, day, name)
    dated: tuple[tuple[date, Text], ...] = ()


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Public holidays and closures of a span of years, by date."""

    days: Mapping[date, Text] = field(default_factory=lambda: MappingProxyType({}))

    def name(self, day: date) -> Text | None:
        """Return the holiday's name on `day`, or None on a normal day."""
        return self.days.get(day)


@dataclass(frozen=True, slots=True)
class Priority:
    """A ticket priority: what qualifies for it and the response target."""

    id: str
    name: Text
    qualifies: Text
    response: Text | None = None


@dataclass(frozen=True, slots=True)
class TicketState:
    """A ticket state and what it means for the customer."""

    id: str
    name: Text
    meaning: Text


@dataclass(frozen=True, slots=True)
class Support:
    """How support works: priorities, ticket states and short notes (sanitised HTML)."""

    priorities: tuple[Priority, ...] = ()
    states: tuple[TicketState, ...] = ()
    notes: tuple[Text, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a notice: the days it covers and what applies on them."""

    first: date
    last: date
    closed: bool
    hours: tuple[tuple[str, tuple[Interval, ...]], ...] = ()   # channel id -> intervals
    note: Text | None = None
    line: int = 0

    def days(self) -> tuple[date, ...]:
        """Return every day the change covers, in order."""
        from datetime import timedelta

        return tuple(self.first + timedelta(n) for n in range((self.last - self.first).days + 1))


def shown_url(url: str) -> str:
    """Return an address as pages and messages may show it: no user name or password, no query, no fragment.

    A query often carries a token (`?key=...`); the probe sends it, nothing prints it.
    """
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass(frozen=True, slots=True)
class Check:
    """How the probe checks a component; `headers` name environment variables, never hold secrets."""

    type: str                                   # http | tcp | dns
    timeout: float                              # seconds
    degraded_after: float | None = None         # seconds; slower counts as degraded
    public: bool = False                        # may the target be shown on the page?
    url: str | None = None                      # http
    expect_status: tuple[int, ...] = (200,)     # http
    contains: str | None = None                 # http
    headers: tuple[tuple[str, str], ...] = ()   # http: (header name, environment variable name)
    host: str | None = None                     # tcp
    port: int | None = None                     # tcp; dns: the server's, 53 when absent
    name: str | None = None                     # dns: the name to resolve
    record: str = "A"                           # dns
    server: str | None = None                   # dns: resolver address, the system's when absent

    def target(self) -> str:
        """Return what is checked, as the page shows it when the check is public (an url without its query)."""
        if self.type == "http":
            return shown_url(self.url or "")
        if self.type == "tcp":
            return f"{self.host}:{self.port}"
        return f"{self.name} {self.record}"


@dataclass(frozen=True, slots=True)
class Component:
    """A service, server, link or site whose state the status page shows."""

    id: str
    name: Text
    group: Text | None = None
    description: Text | None = None
    check: Check | None = None
    # A probe row older than this says nothing about now: the page shows "no recent checks since …".
    stale_after: timedelta = DEFAULT_STALE_AFTER
    monitored_since: date | None = None     # the bars' days before it are not monitored, not "no data"


@dataclass(frozen=True, slots=True)
class IncidentUpdate:
    """One step of an incident's timeline: when, its status then, and what was said (sanitised HTML)."""

    at: datetime
    status: str
    text: Text


@dataclass(frozen=True, slots=True)
class Notice:
    """A published notice: a change of hours, an announcement, an incident or maintenance."""

    slug: str
    path: str
    type: str
    lang: str
    title: Text
    body: Text          # sanitised HTML per language
    date: datetime
    updated: datetime | None
    departments: tuple[str, ...]
    period: tuple[date, date] | None = None
    supersedes: tuple[str, ...] = ()
    cancelled: bool = False
    changes: tuple[Change, ...] = ()
    revision: int = 0                   # rises with every edit: git commits of its files, or front matter
    modified: datetime | None = None    # last edit: its last git commit, else `updated`, else `date`
    # Incidents and maintenance (empty for hours and info notices):
    components: tuple[tuple[str, str], ...] = ()   # (component id, its state while this lasts)
    impact: str | None = None
    start: datetime | None = None
    end: datetime | None = None                     # None while an incident is unresolved
    updates: tuple[IncidentUpdate, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """What a site says of itself before its notices are read: what every notice is checked against."""

    name: str
    base_url: str
    timezone: str
    languages: tuple[str, ...]
    departments: tuple[Department, ...]
    support: Support | None = None
    description: Text | None = None
    components: tuple[Component, ...] = ()
    limits: Limits = DEFAULT_LIMITS

    @property
    def default_language(self) -> str:
        """Return the first language, in which the root pages are written."""
        return self.languages[0]


@dataclass(frozen=True, slots=True)
class Site:
    """Everything a build renders: settings, departments, support, notices."""

    name: str
    base_url: str
    timezone: str
    languages: tuple[str, ...]
    holiday_rules: HolidayRules | None
    departments: tuple[Department, ...]
    support: Support | None = None
    notices: tuple[Notice, ...] = ()
    description: Text | None = None
    components: tuple[Component, ...] = ()
    limits: Limits = DEFAULT_LIMITS

    @property
    def default_language(self) -> str:
        """Return the first language, in which the root pages are written."""
        return self.languages[0]


@dataclass(frozen=True, slots=True)
class Override:
    """Hours a notice sets for one channel on one day, replacing the regular ones."""

    intervals: tuple[Interval, ...]
    notice: str
    note: Text | None = None


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One probe measurement: when (UTC), whether it succeeded, how long it took, what it saw."""

    time: datetime
    ok: bool
    latency_ms: float | None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class UptimeDay:
    """One local day of a component: uptime as a fraction (None: no data) and where it came from."""

    day: date
    uptime: float | None
    source: str                          # "probe", "incidents" or "none"
    checks: int = 0
    ok: int = 0
    degraded: int = 0                    # successful but slower than degraded_after
    latency_p50: float | None = None     # milliseconds, successful checks only
    latency_p95: float | None = None
    outage_minutes: float = 0.0          # weighted minutes counted against the day


@dataclass(frozen=True, slots=True)
class ComponentUptime:
    """A component's measured history: the last 90 local days, oldest first, and its latest probe result."""

    component: str
    days: tuple[UptimeDay, ...]
    windows: tuple[tuple[str, float | None], ...]   # ("24h", 0.9993), ("7d", …), ("30d", …), ("90d", …)
    latest: ProbeResult | None = None
    first: datetime | None = None       # the first probe row ever kept (the oldest month file's), if any


@dataclass(frozen=True, slots=True)
class Build:
    """What every renderer receives: the site, the build's "now" and the resolved calendars."""

    site: Site
    now: datetime
    holidays: HolidayCalendar
    # (department id, channel id, day) -> the notice's hours for that day
    overrides: Mapping[tuple[str, str, date], Override] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # component id -> measured uptime; empty when the site has no components
    uptime: Mapping[str, ComponentUptime] = field(default_factory=lambda: MappingProxyType({}))
    # notices dated after "now": kept out of `site.notices`, so out of every output, until then
    scheduled: tuple[Notice, ...] = ()
    # slugs of the notices another notice replaces (superseded_slugs): every page asks
    superseded: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "superseded", superseded_slugs(self.site.notices))


@dataclass(frozen=True, slots=True)
class Output:
    """One file to write: a POSIX path relative to the output folder and its content."""

    path: str
    data: bytes


def split_scheduled(notices: tuple[Notice, ...], now: datetime) -> tuple[tuple[Notice, ...], tuple[Notice, ...]]:
    """Return (published, scheduled): the notices dated at or before `now`, and those dated after it."""
    return tuple(n for n in notices if n.date <= now), tuple(n for n in notices if n.date > now)


def superseded_slugs(notices: tuple[Notice, ...]) -> frozenset[str]:
    """Return the slugs of notices replaced by a notice that is not itself cancelled."""
    return frozenset(s for n in notices if not n.cancelled for s in n.supersedes)
