"""The status side of the model: components and their checks, incidents' updates, probe rows, daily counts and uptime."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from generator.model.hours import Text

# Atlassian Statuspage's vocabulary, so that its clients and aggregators read ours unchanged.
COMPONENT_STATES = ("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance")
IMPACTS = ("none", "minor", "major", "critical")
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
CHECK_TYPES = ("http", "tcp", "dns")


# How old a component's newest probe row may be before the page says "no recent checks" (status.yaml's
# `stale_after`, else three times its `probe_interval`, else this). The one definition: the page, the
# API and next-change all read Component.stale_after.
DEFAULT_STALE_AFTER = timedelta(minutes=30)


def shown_url(url: str) -> str:
    """Return an address as pages and messages may show it: no user name or password, no query, no fragment.

    A query often carries a token (`?key=...`); the probe sends it, nothing prints it.
    """
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
class ProbeResult:
    """One probe measurement: when (UTC), whether it succeeded, how long it took, what it saw."""

    time: datetime
    ok: bool
    latency_ms: float | None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DayCounts:
    """Probe checks of a local day or part of one: sums and a latency histogram, mergeable across files.

    `bins` are latencies in tenths of a millisecond (0.1 ms wide below 100 ms, three figures above), ascending;
    `counts` go with them.
    """

    checks: int = 0
    ok: int = 0
    degraded: int = 0
    bins: Sequence[int] = ()
    counts: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class ProbeHistory:
    """What the probe's files say about one component as of the build's now: `days` with a check up to now,
    `recent` (each local day's part of the 24 hours before now), the `latest` result up to now, and the
    `first` row of the oldest month file (when not after now)."""

    days: Mapping[date, DayCounts] = field(default_factory=lambda: MappingProxyType({}))
    recent: Mapping[date, DayCounts] = field(default_factory=lambda: MappingProxyType({}))
    latest: ProbeResult | None = None
    first: datetime | None = None


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
