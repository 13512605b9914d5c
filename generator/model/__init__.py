"""The site model: frozen values that flow from validation to the renderers.

Every object is complete when made; times of day are minutes after local
midnight, instants are aware datetimes, and collections are tuples.

The contact-hours values live in model/hours.py and the status values in model/status.py; every
value is imported from here (`from generator.model import Notice, Channel`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Mapping

from generator.limits import DEFAULT_LIMITS, Limits
from generator.model.hours import (  # noqa: F401  (the model's one public face: from generator.model import ...)
    CHANNEL_TYPES,
    Change,
    Channel,
    Department,
    HolidayCalendar,
    HolidayRules,
    Interval,
    Priority,
    ResponseTime,
    Support,
    Text,
    TicketState,
    WeeklyHours,
    pickled_by_fields,
)
from generator.model.status import (  # noqa: F401
    CHECK_TYPES,
    COMPONENT_STATES,
    DEFAULT_STALE_AFTER,
    IMPACTS,
    INCIDENT_STATUSES,
    Check,
    Component,
    ComponentUptime,
    DayCounts,
    IncidentUpdate,
    ProbeHistory,
    ProbeResult,
    UptimeDay,
    shown_url,
)

NOTICE_TYPES = ("hours", "info", "incident", "maintenance")


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
    modified: datetime | None = None    # its files' last git commit; None outside git, where the last edit
                                        # is `updated`, else `date` (every renderer reads it so)
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
    # Ids of hours.yaml's departments that hold an error (in themselves or a channel): their error is
    # reported there, and a notice's channels are not checked against what is left of them.
    faulty_departments: tuple[str, ...] = ()

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
    # department id -> its own holidays, for each department whose hours.yaml entry replaces the site's
    department_holidays: Mapping[str, HolidayCalendar] = field(default_factory=lambda: MappingProxyType({}))
    # slugs of the notices another notice replaces (superseded_slugs): every page asks
    superseded: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "superseded", superseded_slugs(self.site.notices))

    def holidays_of(self, department: Department) -> HolidayCalendar:
        """Return the holidays and closures that apply to `department`: its own, else the site's."""
        return self.department_holidays.get(department.id, self.holidays)


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
