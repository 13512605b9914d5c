"""Pure time logic: effective hours per day, public holidays, daylight-saving changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping

from .model import Channel, Department, HolidayCalendar, HolidayRules, Interval, Override, Text, WeeklyHours

REGULAR, HOLIDAY, NOTICE = "regular", "holiday", "notice"


@dataclass(frozen=True, slots=True)
class Span:
    """An opening as instants, aware of the department's time zone."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class DayHours:
    """The hours that apply on one day: those that start on it, as written and as instants."""

    day: date
    intervals: tuple[Interval, ...]
    spans: tuple[Span, ...]
    reason: str                     # REGULAR, HOLIDAY or NOTICE
    holiday: Text | None = None     # the holiday's name, also when a notice overrides it
    notice: str | None = None       # slug of the notice that sets the hours
    note: Text | None = None


def build_holiday_calendar(rules: HolidayRules | None, years: range, languages: tuple[str, ...]) -> HolidayCalendar:
    """Return the public holidays and closures of `years`, named in each of `languages`."""
    raise NotImplementedError


def day_hours(department: Department, channel: Channel, day: date, holidays: HolidayCalendar,
              overrides: Mapping = {}) -> DayHours:
    """Return what applies to a channel on one local day: a notice, else a holiday, else the week."""
    raise NotImplementedError
