"""check_dates: what cannot be right in the dates of a text, with a hint at what was meant."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from babel.dates import get_day_names, get_month_names

from generator.errors import ERROR, WARNING, SourceError
from generator.validate.dates_in_text.finding import ProseDate, find_dates
from generator.validate.dates_in_text.vocabulary import parse_locale


def _english_weekday(index: int) -> str:
    return get_day_names("wide", locale="en")[index]


def _english_month(month: int) -> str:
    return get_month_names("wide", locale="en")[month]


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _shift_months(day: date, months: int) -> date | None:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, day.day) if day.day <= calendar.monthrange(year, month + 1)[1] else None


def _day_month(day: date, year: bool) -> str:
    """Return "10 December", with the year when asked ("31 December 2026")."""
    return f"{day.day} {_english_month(day.month)}" + (f" {day.year}" if year else "")


def _either(weekday: int, first: date, second: date) -> str:
    """Return "Thursday is 10 or 17 December" for the two dates on `weekday` around a written date."""
    if first.month == second.month:
        both = f"{first.day} or {_day_month(second, False)}"
    else:
        years = first.year != second.year
        both = f"{_day_month(first, years)} or {_day_month(second, years)}"
    return f"{_english_weekday(weekday)} is {both}"


def _slip_meant(day: date, best: date) -> str:
    """Return what the hint asks about a date on the right weekday: "the 16th", "November 1", "October", "2024"."""
    if best.day != day.day:
        meant = f"the {_ordinal(best.day)}" if best.month == day.month else f"{_english_month(best.month)} {best.day}"
        return meant + (f", {best.year}" if best.year != day.year else "")
    if best.month != day.month:
        return _english_month(best.month) + (f" {best.year}" if best.year != day.year else "")
    return str(best.year)


def _month_slip(day: date, weekday: int, reference: date | None) -> date | None:
    """Return the same day of the month one or two months or a year away, on `weekday`, when that is likely
    what was meant: the written day lies before the notice's date or over half a year after it (a copied
    notice whose month or year was not updated), and the slip lies from the notice's week to half a year on,
    nearer to the notice's date than the written day; else None.  Without a notice's date nothing says so."""
    if reference is None or 0 <= (day - reference).days <= 183:
        return None
    slips = [(kind, when) for kind, shifts in ((0, (-1, 1, -12, 12)), (1, (-2, 2))) for months in shifts
             if (when := _shift_months(day, months)) is not None and when.weekday() == weekday
             and -7 <= (when - reference).days <= 183 and abs((when - reference).days) < abs((day - reference).days)]
    return min(slips, key=lambda slip: (slip[0], abs((slip[1] - reference).days), slip[1]))[1] if slips else None


def weekday_mismatch_hint(day: date, weekday: int, lang: str, period, *, reference: date | None = None,
                          span: tuple[date, date] | None = None) -> str:
    """Return a hint at the date meant when `day` was written with `weekday` (Monday = 0).

    Candidates are the two dates on that weekday around `day` and the same day of the month one or
    two months or a year away.  One inside `period` (inclusive) wins, a month or a year before a
    week; else, for a notice without a period, one between the start and the end of the
    notice (`span`, a maintenance's or an incident's days).  Otherwise the same day of another
    month or year is named only where the day of the month is likely right (see _month_slip), a
    date one day off alone (the commonest slip) unless it lies before the notice's date
    (`reference`), and else both dates around `day`, so that the hint never guesses at a
    past month for a day just ahead.
    """
    parse_locale(lang)   # the hint is in English like the messages; the language is only checked
    if weekday == day.weekday():
        raise ValueError(f"{day.isoformat()} is a {_english_weekday(weekday)}: there is no mismatch")
    before = day - timedelta(days=(day.weekday() - weekday) % 7)
    after = day + timedelta(days=(weekday - day.weekday()) % 7)
    slips = [(kind, when) for kind, shifts in ((0, (-1, 1, -12, 12)), (2, (-2, 2))) for months in shifts
             if (when := _shift_months(day, months)) is not None and when.weekday() == weekday]
    candidates = slips + [(1, before), (1, after)]
    name = _english_weekday(weekday)

    def first_inside(own: tuple[date, date]) -> date | None:
        inside = sorted((kind, abs((when - day).days), when) for kind, when in candidates if own[0] <= when <= own[1])
        return inside[0][2] if inside else None
    if period is not None and (best := first_inside(period)):
        return f"{best.isoformat()} is a {name} and lies inside the notice's period"
    if period is None and span is not None and (best := first_inside(span)):
        where = "is the day the notice starts" if best == span[0] else "lies between the notice's start and end"
        return f"{best.isoformat()} is a {name} and {where}"
    slip = _month_slip(day, weekday, reference)
    near = min((before, after), key=lambda when: (abs((when - day).days), when))
    alone = slip or (near if abs((near - day).days) == 1 and (reference is None or near >= reference) else None)
    if period is not None:
        # The likely day lies outside the period: name it, and say that the period would have to change too.
        best = alone or near
        return (f"{best.isoformat()} is a {name} but lies outside the notice's period ({period[0].isoformat()} to "
                f"{period[1].isoformat()}): check the weekday, or the date and the period")
    if alone is not None:
        return f"{alone.isoformat()} is a {name} (did you mean {_slip_meant(day, alone)}?)"
    return _either(weekday, before, after)


def _local_weekday(index: int, lang: str) -> str:
    """Return the weekday's name in `lang` ("quarta-feira"), English's for English."""
    return get_day_names("wide", locale=parse_locale(lang))[index]


def _swapped_problem(found: ProseDate, lang: str) -> tuple[str, str]:
    """Return (message, hint) for a numeric date that is none as written and one the other way ("12/16" in pt-BR):
    the hint is sure of itself when the weekday written beside it is that other reading's."""
    _, month, day = found.parts
    separator = "/" if "/" in found.written else "."
    # Read the other way, the month comes first as written when the notice's order is day first.
    day_first = found.written.startswith((f"{month}{separator}", f"{month:02d}{separator}"))
    order, meant = ("day/month", f"{day}{separator}{month}") if day_first else ("month/day", f"{month}{separator}{day}")
    weekday = found.day.weekday()
    said = f"{_local_weekday(weekday, lang)}, {found.day.isoformat()}"
    hint = f"in {lang} a date is {order}: did you mean {meant} ({said})?"
    if found.weekday is not None and found.weekday != weekday:
        hint = (f"in {lang} a date is {order}: {meant} would be {found.day.isoformat()}, a "
                f"{_english_weekday(weekday)}{'' if lang.startswith('en') else f' ({_local_weekday(weekday, lang)})'}, "
                f"not {found.weekday_written}")
    return f"{found.written} is not a date: there is no month {day}", hint


# A numeric date without a year, day and month in either order: "1/12".
_TWO_NUMBERS = re.compile(r"(\d{1,2})([/.])(\d{1,2})")


def _swapped_in_period(found: ProseDate, period: tuple[date, date]) -> str | None:
    """Return `did you mean 12/1?` when a numeric date without a year that lies outside `period` ("1/12") has,
    read the other way, a day inside it on the weekday written beside it; else None."""
    numbers = _TWO_NUMBERS.fullmatch(found.written)
    if not numbers or not found.year_inferred or found.weekday is None:
        return None
    _, month, day = found.parts
    for year in sorted({period[0].year, period[1].year}):
        try:
            other = date(year, day, month)
        except ValueError:
            return None
        if period[0] <= other <= period[1] and other.weekday() == found.weekday:
            return f"did you mean {numbers[3]}{numbers[2]}{numbers[1]}?"
    return None


def _shown(found: ProseDate) -> str:
    """Return the date as written, with the year it was read in when the text left it out."""
    if found.year_inferred and found.day is not None:
        return f"{found.written} ({found.day.isoformat()})"
    return found.written


def check_dates(text: str, lang: str, reference: date, path: str, line_offset: int = 0,
                period: tuple[date, date] | None = None,
                acknowledged: frozenset[date] = frozenset(),
                span: tuple[date, date] | None = None) -> tuple[SourceError, ...]:
    """Return the problems of the dates in `text`: days that do not exist, weekdays that do not
    match (errors) and days outside `period` but not `acknowledged` (warnings), placed at
    line_offset + their line; `span` (a maintenance's or an incident's first and last day) only
    guides the hint at the day a wrong weekday meant."""
    local = parse_locale(lang)      # not vocabulary_of: a text without dates needs no date regexes
    problems = []
    for found in find_dates(text, lang, reference, period and tuple(period)):
        line = line_offset + found.line
        if found.swapped and found.day is not None:
            problems.append(SourceError(path, line, found.column, *_swapped_problem(found, lang), ERROR))
            continue
        if found.day is None:
            year, month, _ = found.parts
            problems.append(SourceError(
                path, line, found.column,
                f"{found.written} does not exist: {_english_month(month)} {year} has "
                f"{calendar.monthrange(year, month)[1]} days", None, ERROR))
            continue
        if found.weekday is not None and found.weekday != found.day.weekday():
            actual = found.day.weekday()
            name = _english_weekday(actual)
            if local.language != "en":
                name += f" ({get_day_names('wide', locale=local)[actual]})"
            problems.append(SourceError(
                path, line, found.column, f"{_shown(found)} is a {name}, not {found.weekday_written}",
                weekday_mismatch_hint(found.day, found.weekday, lang, period, reference=reference,
                                      span=span), ERROR))
            continue    # one word per date: the weekday's hint already says which day may be meant
        if period is not None and not period[0] <= found.day <= period[1] and found.day not in acknowledged:
            problems.append(SourceError(
                path, line, found.column,
                f"{_shown(found)} lies outside the notice's period "
                f"({period[0].isoformat()} to {period[1].isoformat()})",
                _swapped_in_period(found, period) or
                f"check the date; if it is meant, add it to the front matter: "
                f"prose_dates_ok: [{found.day.isoformat()}]", WARNING))
    return tuple(sorted(problems, key=SourceError.sort_key))
