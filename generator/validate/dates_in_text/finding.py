"""find_dates: the dates of a text with their weekdays, from the reading and tying steps."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from generator.validate.dates_in_text.bare_days import (
    may_have_bare_days,
    read_bare_days,
    resolve_bare_days,
    settle_bare_day,
)
from generator.validate.dates_in_text.reading import Run, read_dates
from generator.validate.dates_in_text.text import prepare, previous_word
from generator.validate.dates_in_text.tying import mark_ranges, merge_runs, read_weekdays, tie
from generator.validate.dates_in_text.vocabulary import DATE_JOIN, WEEKDAY_JOIN, parse_locale, vocabulary_of
from generator.validate.dates_in_text.words import DAY_WORDS

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class ProseDate:
    """A date found in text, with the weekday written beside it, if any."""

    line: int                        # 1-based, of the match start in the given text
    column: int
    text: str                        # the matched text ("17 de Setembro de 2017", or "19" of "19 a 30/10")
    day: date | None                 # None when the written date does not exist
    weekday_written: str | None      # the weekday word as written ("Terça-Feira"), if any
    weekday: int | None = None       # that word read as 0..6, Monday = 0
    written: str = ""                # the whole date as read ("19/10" for the 19 of "19 a 30/10")
    parts: tuple[int, int, int] = (0, 0, 0)   # (year, month, day) as read, the year maybe inferred
    year_inferred: bool = False
    offset: int = 0                  # 0-based offset of the match in the given text
    range: tuple[date, date] | None = None    # both ends, when the date is an end of "X to Y"
    swapped: bool = False            # no date as written ("12/16" day first): `day` is the other reading



@lru_cache(maxsize=512)
def find_dates(text: str, lang: str, reference: date, period: tuple[date, date] | None = None) -> tuple[ProseDate, ...]:
    """Return the dates written in `text` (in `lang` or English), in order, with their weekdays;
    a day number written alone beside a weekday is read inside `period` when given (bare_days.py)."""
    if not _DIGIT.search(text):
        parse_locale(lang)  # an unknown language is refused all the same (ValueError)
        return ()           # every date has a digit: no vocabulary needed (its regexes take 10 ms to compile)
    vocabulary = vocabulary_of(lang)
    prepared = prepare(text)
    date_runs = read_dates(prepared, vocabulary, reference)
    covered = bytearray(len(prepared.folded))
    for run in date_runs:
        covered[run.start:run.end] = b"\x01" * (run.end - run.start)
    if not date_runs and not may_have_bare_days(prepared, vocabulary, covered):
        return ()           # the weekdays written, if any, are only read beside dates and day numbers
    weekdays = read_weekdays(prepared, vocabulary, covered)
    bare_runs = read_bare_days(prepared, weekdays, covered) if weekdays else []
    if not date_runs and not bare_runs:
        return ()           # the weekdays written, if any, are only read beside dates
    date_runs = merge_runs(date_runs, DATE_JOIN, prepared.folded)
    ranges, floating = resolve_bare_days(prepared, date_runs, bare_runs, weekdays, reference, period)
    weekday_runs = merge_runs([Run(None, [day]) for day in weekdays], WEEKDAY_JOIN, prepared.folded)
    tie(prepared.folded, date_runs + bare_runs, weekday_runs)
    for item in floating:
        settle_bare_day(item, reference)
    mark_ranges(date_runs)
    for first, last in ranges:
        if first.weekday is not None and first.day and last.day and first.day <= last.day:
            first.range = last.range = (first.day, last.day)
    found = []
    for run in date_runs + bare_runs:
        for item in run.members:
            if item.weekday is None and (item.bare or (
                    item.weak and previous_word(prepared.folded, item.start) not in DAY_WORDS)):
                continue
            start, _end = prepared.span(item.start, item.end)
            line = bisect_right(prepared.line_starts, start)
            found.append(ProseDate(
                line=line, column=start - prepared.line_starts[line - 1] + 1, text=text[start:_end],
                day=item.day, weekday_written=item.weekday_written, weekday=item.weekday,
                written=item.written, parts=item.ymd, year_inferred=item.year_inferred, offset=start,
                range=item.range, swapped=item.swapped))
    return tuple(sorted(found, key=lambda d: d.offset))
