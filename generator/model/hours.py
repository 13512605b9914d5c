"""Contact hours in the model: departments, channels, weekly hours, holidays, support levels and a notice's changes."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from types import MappingProxyType
from typing import Mapping

CHANNEL_TYPES = ("phone", "chat", "email", "helpdesk", "whatsapp", "other")


def pickled_by_fields(cls):
    """Make a frozen dataclass (made whole by its constructor) pickle as its constructor and its fields' values.

    A slotted dataclass otherwise unpickles through dataclasses' __setstate__, which looks its fields
    up again for every object: a third of decoding the kept checks of ten thousand notices
    (write/notice_cache.py), and of what the build's processes send back.
    """
    names = tuple(item.name for item in fields(cls))
    if not all(item.init for item in fields(cls)):
        raise TypeError(f"{cls.__name__} has a field its constructor does not take: it cannot pickle by its fields")

    def __reduce__(self):
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = __reduce__
    return cls


@pickled_by_fields
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


@pickled_by_fields
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
    """A department and its channels, with its own time zone (the site's by default) and its own holiday rules
    (`holidays`: None follows the site's; rules with no country and no closures mean none at all)."""

    id: str
    name: Text
    timezone: str
    channels: tuple[Channel, ...]
    description: Text | None = None
    holidays: HolidayRules | None = None


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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Change:
    """One change of a notice: the days it covers and what applies on them.

    `hours` gives the listed channels their hours; `kept` names the channels listed as `regular`, which keep
    their usual hours (as if the notice did not name them); every other channel of the notice's departments
    is closed on the change's days.
    """

    first: date
    last: date
    closed: bool
    hours: tuple[tuple[str, tuple[Interval, ...]], ...] = ()   # channel id -> intervals
    note: Text | None = None
    line: int = 0
    kept: tuple[str, ...] = ()   # channel ids, sorted

    def days(self) -> tuple[date, ...]:
        """Return every day the change covers, in order."""
        return tuple(self.first + timedelta(n) for n in range((self.last - self.first).days + 1))
