"""check_hours_said: hours the text gives for a day that the notice's changes do not give.

"Na quinta, dia 10, o suporte fecha às 15h" in a notice without a change for the 10th passes
every other check and leaves the pages showing the usual hours.  Each hours phrase
(hours_phrases.py) is tied to the dates of its sentence (finding.py): those before it since
the previous phrase, else those after it up to the next.  For each such day:
- no change covers it: a warning, unless the phrase only restates the usual hours of the
  departments and channels it speaks of ("nosso horário é das 8h às 18h"; a channel that
  closes at that time, one that opens at it, one closed all day); the hint writes the
  change that would say it, in the real `changes` syntax;
- a change covers it: a warning when the phrase agrees with no channel the change gives.
The usual hours of a day are its weekday's, or those of a public holiday or closure on one
(hours_holidays.py): "fechados no dia 25/12 (Natal)" restates them when the department's
holidays close it then.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from babel.dates import get_day_names

from generator.errors import WARNING, SourceError
from generator.limits import PROSE_WARNINGS_SHOWN
from generator.model import Change, Department, Interval
from generator.validate.dates_in_text.finding import ProseDate, find_dates
from generator.validate.dates_in_text.hours_holidays import SiteHolidays, usual_hours
from generator.validate.dates_in_text.vocabulary import fold, parse_locale

if TYPE_CHECKING:
    from generator.validate.dates_in_text.hours_phrases import HoursPhrase

# Words that name a channel by its type.
_TYPE_WORDS = {
    "phone": ("telefone", "telefonico", "telefonica", "telefono", "phone", "phones", "ligacao", "ligacoes", "llamadas"),
    "chat": ("chat",), "email": ("e-mail", "email", "correo"), "whatsapp": ("whatsapp", "zap"),
    "helpdesk": ("helpdesk", "portal", "chamados"),
}


@dataclass(frozen=True, slots=True)
class HoursContext:
    """What the hours a text gives are held against: the site's departments, the notice's and its changes."""

    departments: tuple[Department, ...]       # every department of the site
    chosen: tuple[str, ...] | None            # the notice's `departments` (None: all)
    changes: tuple[Change, ...]
    hours_notice: bool                        # its uncovered days are warned about by prose.uncovered_dates
    holidays: SiteHolidays = SiteHolidays()   # the site's (a department's own are in the department)


def _words_of(text: str) -> tuple[str, ...]:
    return tuple(fold(text).lower().replace(",", " ").split())


# A bounded cache of _names: the site's departments it was last asked for (the same tuple for every notice of a
# build) and its answer. Kept by identity: an lru_cache hashed the whole tuple, every channel's hours within it,
# twice a notice (190,000 hash calls in a 1,000-notice build).
_NAMES_ASKED: list = [None, None]


def _names(departments: tuple[Department, ...]) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Return the words that name a department or channel of the site, and by department id its words."""
    if _NAMES_ASKED[0] is not departments:
        _NAMES_ASKED[:] = [departments, _names_of(departments)]
    return _NAMES_ASKED[1]


def _names_of(departments: tuple[Department, ...]) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    words: set[str] = set()
    naming: dict[str, tuple[str, ...]] = {}
    for department in departments:
        own = {department.id} | {w for _, name in department.name.values for w in _words_of(name)[:1] if len(w) > 4}
        naming[department.id] = tuple(sorted(own))
        words |= own
        for channel in department.channels:
            words.add(channel.id)
    return frozenset(words), naming


def _channels_spoken_of(phrase: HoursPhrase, context: HoursContext) -> tuple[tuple[Department, ...], frozenset[str] | None, bool]:
    """Return the departments the sentence names (else the notice's), the channel ids it names (None: all), and
    whether it named a department."""
    _, naming = _names(context.departments)
    named = tuple(d for d in context.departments if phrase.words & set(naming[d.id]))
    chosen = named or tuple(d for d in context.departments if context.chosen is None or d.id in context.chosen)
    channels = {c.id for d in chosen for c in d.channels
                if c.id in phrase.words or phrase.words & set(_TYPE_WORDS.get(c.type, ()))}
    return chosen, frozenset(channels) or None, bool(named)


def _agrees(phrase: HoursPhrase, hours: list[tuple[Interval, ...]]) -> bool:
    """Tell whether the phrase says what one of the channels' `hours` on the day are (all closed, for closed)."""
    if phrase.kind == "closed":
        return not all(hours)     # "estaremos fechados" on a Sunday, while e-mail is read around the clock
    if phrase.kind == "closes":
        return any(h and h[-1].end == phrase.times[0] for h in hours)
    if phrase.kind == "opens":
        return any(h and h[0].start == phrase.times[0] for h in hours)
    if len(phrase.times) == 2:      # one range: the day's span ("das 9h às 18h" of 09:00-12:00 and 14:00-18:00)
        return any(h and (h[0].start, h[-1].end) == phrase.times for h in hours)
    return any(h == _ranges(phrase) for h in hours)


def _ranges(phrase: HoursPhrase) -> tuple[Interval, ...]:
    """Return the intervals a phrase of hours gives ("das 9h às 12h e das 14h às 18h": two)."""
    return tuple(Interval(*phrase.times[n:n + 2]) for n in range(0, len(phrase.times), 2))


def _as_said(phrase: HoursPhrase, usual: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Return a channel's usual intervals changed as the phrase says."""
    if phrase.kind == "closed":
        return ()
    if phrase.kind == "hours":
        return _ranges(phrase)
    cut = phrase.times[0]
    if phrase.kind == "closes":
        return tuple(Interval(i.start, min(i.end, cut)) for i in usual if i.start < cut)
    return tuple(Interval(max(i.start, cut), i.end) for i in usual if i.end > cut)


def _written(intervals: tuple[Interval, ...]) -> str:
    labels = [i.label() for i in intervals]
    return labels[0] if len(labels) == 1 else f"[{', '.join(labels)}]"


def _change_hint(phrase: HoursPhrase, day: date, context: HoursContext, earlier: list[tuple[str, str]]) -> str:
    """Return the change that would make the notice say what its text says of `day`, in one list with the changes
    of the `earlier` hints of the file for the same departments ((departments, change), to which it is added)."""
    departments, channels, named = _channels_spoken_of(phrase, context)
    hours: dict[str, tuple[Interval, ...]] = {}
    for department in departments:
        for channel in department.channels:
            usual = usual_hours(department, channel, day, context.holidays)
            # A channel open around the clock (e-mail) is not what "fecha às 15h" speaks of, unless it names it.
            spoken = channel.id in channels if channels is not None else not channel.hours.always
            hours.setdefault(channel.id, _as_said(phrase, usual) if spoken else usual)
    listed = {key: value for key, value in hours.items() if value}
    what = ("hours: {" + ", ".join(f"{key}: {_written(value)}" for key, value in listed.items()) + "}"
            if listed and (phrase.kind != "closed" or channels is not None) else "closed: true")
    chosen = ", ".join(d.id for d in departments) if named else ""
    item = f"{{date: {day.isoformat()}, {what}}}"
    # Two hints each with its own `changes: [...]` could not both be pasted: a later one lists the earlier's too.
    items = [said for on, said in earlier if on == chosen and said != item] + [item]
    earlier.append((chosen, item))
    said = f"changes: [{', '.join(items)}]"
    if named:
        said = f"departments: [{chosen}] and {said}"
    lead = "add a change, e.g." if len(items) == 1 else \
        f"add {'both days' if len(items) == 2 else f'these {len(items)} days'} in one changes list, e.g."
    return (f"{lead} {said} (see docs/format.md), or list the date in prose_dates_ok "
            f"if the text only repeats the usual hours")


def _days_of(index: int, phrases: tuple[HoursPhrase, ...], dates: tuple[ProseDate, ...], offsets: list[int],
             latest_ends: list[int]) -> list[date]:
    """Return the days a phrase speaks of: its sentence's dates since the previous phrase, else up to the next.

    `offsets` are the dates' (in order: find_dates sorts them), `latest_ends[index]` the furthest end of the
    phrases before this one (-1: none): one sentence may hold hundreds of phrases and dates, and looking
    through all of them for each phrase took time in the square of their number."""
    phrase = phrases[index]
    low, high = phrase.sentence
    after_previous = max(low, latest_ends[index])
    before_next = min(high, phrases[index + 1].offset) if index + 1 < len(phrases) else high
    near = dates[bisect_left(offsets, after_previous):bisect_left(offsets, phrase.offset)] or \
        dates[bisect_left(offsets, phrase.end):bisect_left(offsets, before_next)]
    days: list[date] = []
    seen: set[date] = set()
    for found in near:
        if found.day is None or found.swapped:
            continue        # reported as no date by check_dates
        first, last = found.range or (found.day, found.day)
        for n in range(min((last - first).days, 31) + 1):
            if first + timedelta(n) not in seen:
                seen.add(first + timedelta(n))
                days.append(first + timedelta(n))
    return days


def _said_by_change(change: Change, day: date, departments: tuple[Department, ...], channels: frozenset[str] | None,
                    context: HoursContext, holidays: SiteHolidays | None) -> list[tuple[Interval, ...]]:
    given = dict(change.hours)
    hours = []
    for department in departments:
        applies = context.chosen is None or department.id in context.chosen
        for channel in department.channels:
            if channels is None or channel.id in channels:
                usual = usual_hours(department, channel, day, holidays)
                kept = not applies or channel.id in change.kept
                hours.append(usual if kept else () if change.closed else tuple(given.get(channel.id, ())))
    return hours


def _change_words(change: Change) -> str:
    if change.closed:
        return "closed"
    return ", ".join([*(f"{key} {_written(tuple(value))}" for key, value in change.hours),
                      *(f"{key} regular" for key in change.kept)])


def check_hours_said(text: str, lang: str, reference: date, period, context: HoursContext,
                      acknowledged: frozenset[date], path: str, line_offset: int, column_offset: int = 0,
                     own: bool = True, hinted: list[tuple[str, str]] | None = None) -> list[SourceError]:
    """Return a warning for each day whose hours the text gives otherwise than the notice's changes; `own` False
    (a translation) leaves days without a change to the notice's own file.  `hinted` gathers the changes the hints
    wrote, for the file's next text (its body after its title): each hint lists those before it."""
    hinted = [] if hinted is None else hinted
    # A phrase speaks of the days its sentence names: a text without a date has none to warn about. (find_dates
    # has just read this text for check_dates, with the same arguments: this is a lookup.)
    dates = find_dates(text, lang, reference, period and tuple(period))
    if not dates:
        return []
    # Imported here: its regexes (some 7 ms to compile) serve only a text that names a date.
    from generator.validate.dates_in_text.hours_phrases import find_hours_phrases

    names, _ = _names(context.departments)
    # Only the blocks that hold a date are read: a phrase elsewhere has no day to be held against.
    phrases = find_hours_phrases(text, names, tuple(found.offset for found in dates))
    if not phrases:
        return []
    local = parse_locale(lang)
    offsets = [found.offset for found in dates]
    latest_ends = list(accumulate((phrase.end for phrase in phrases), max, initial=-1))
    found = []
    for index, phrase in enumerate(phrases):
        for day in _days_of(index, phrases, dates, offsets, latest_ends):
            change = next((c for c in context.changes if c.first <= day <= c.last), None)
            if day in acknowledged or (change is None and (not own or context.hours_notice or (
                    period and not period[0] <= day <= period[1]))):
                continue    # a day outside the period or without a change in an hours notice is warned about already
            departments, channels, _ = _channels_spoken_of(phrase, context)
            weekday = get_day_names("wide", locale=local)[day.weekday()]
            column = phrase.column + (column_offset if phrase.line == 1 else 0)
            # The weekday's hours first (holidays None): most phrases agree with them, and asking whether the day
            # is a holiday may import the holidays package (hours_holidays.py).
            if change is None:
                if any(_agrees(phrase, [usual_hours(d, c, day, holidays) for d in departments for c in d.channels
                                        if channels is None or c.id in channels]) for holidays in (None, context.holidays)):
                    continue
                # Each hint lists the days of those before it: past the warnings a file shows (check_prose), a
                # hint says its own day only, or the hints of hundreds of days would grow as their square.
                earlier = hinted if len(hinted) < PROSE_WARNINGS_SHOWN else []
                found.append(SourceError(
                    path, line_offset + phrase.line, column,
                    f'the text says the hours of {day.isoformat()} ({weekday}) change ("{phrase.text}"), '
                    f"but the notice changes no hours that day", _change_hint(phrase, day, context, earlier), WARNING))
            elif not any(_agrees(phrase, _said_by_change(change, day, departments, channels, context, holidays))
                         for holidays in (None, context.holidays)):
                found.append(SourceError(
                    path, line_offset + phrase.line, column,
                    f'the text says the hours of {day.isoformat()} ({weekday}) are "{phrase.text}", '
                    f"but the notice's change that day says {_change_words(change)}",
                    f"make the text and the change at line {change.line} agree", WARNING))
    return found
