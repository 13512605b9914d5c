"""usual_hours: a channel's usual hours on a day, its holiday hours on a public holiday or closure.

"Estaremos fechados no dia 25/12 (Natal)" restates the site's hours when 25/12 is one of its
holidays: hours_said.py holds a phrase against the hours this returns.  A department's own
`holidays:` (hours.yaml, in the Department) replace the site's; the site's are site.yaml's
`holidays:`, handed in as written (`SiteHolidays`), because the pipeline checks them while the
notices are checked (validate_holidays), and read into rules here only when a phrase falls on a
day it would otherwise warn about: asking the holidays package loads the module of every country
it knows (some 0.1-0.3 s), and most notices never need it.  A notice's kept check depends on
them, so validate/checked.py's key holds `SiteHolidays.key()` (the departments' are in the settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from generator.model import Channel, Department, HolidayRules, Interval
from generator.read.yaml_nodes import Map, Node, Scalar, Seq
from generator.schedule.hours import build_holiday_calendar
from generator.validate.fields import Problems
from generator.validate.site import validate_holidays

ALL_DAY = (Interval(0, 1440),)


@dataclass(frozen=True, slots=True)
class SiteHolidays:
    """site.yaml's `holidays:` node as written (None: the site has none) and the site's languages."""

    node: Node | None = None
    languages: tuple[str, ...] = ("en",)

    def key(self) -> str:
        """Return what a kept check depends on: the node's values as written (not their places: a line added above
        `holidays:` in site.yaml changes no check)."""
        return repr(_values(self.node))


def _values(node: Node | None) -> object:
    if isinstance(node, Scalar):
        return node.text, node.plain
    if isinstance(node, Seq):
        return tuple(_values(item) for item in node.items)
    if isinstance(node, Map):
        return tuple((key.text, _values(value)) for key, value in node.pairs)
    return None


def site_holidays(site: Node | None, languages: tuple[str, ...]) -> SiteHolidays:
    """Return the site's holidays as site.yaml's root node (None: unread) writes them, in the site's languages."""
    return SiteHolidays(site.get("holidays") if isinstance(site, Map) else None, languages or ("en",))


@lru_cache(maxsize=8)
def _site_rules(holidays: SiteHolidays) -> HolidayRules | None:
    # Its problems are reported by the pipeline's own reading of site.yaml (validate.validate_holidays).
    return validate_holidays(holidays.node, Problems("site_src/site.yaml"), holidays.languages) \
        if holidays.node is not None else None


@lru_cache(maxsize=32)
def _holiday_days(rules: HolidayRules, year: int, language: str) -> frozenset[date]:
    return frozenset(build_holiday_calendar(rules, range(year, year + 1), (language,)).days)


def is_holiday(department: Department, day: date, holidays: SiteHolidays) -> bool:
    """Tell whether `day` is a public holiday or closure of `department`: its own rules, else the site's."""
    rules = department.holidays if department.holidays is not None else _site_rules(holidays)
    if rules is None or not (rules.country or rules.yearly or rules.dated):
        return False
    return day in _holiday_days(rules, day.year, holidays.languages[0])


def usual_hours(department: Department, channel: Channel, day: date,
                holidays: SiteHolidays | None) -> tuple[Interval, ...]:
    """Return a channel's hours on `day` without a notice: all day when always open, its holiday hours on a holiday
    of its department (usually none: closed; `holidays` None: holidays not asked), else its weekday's."""
    if channel.hours.always:
        return ALL_DAY
    if holidays is not None and is_holiday(department, day, holidays):
        return tuple(channel.hours.holidays)
    return tuple(channel.hours.days[day.weekday()])
