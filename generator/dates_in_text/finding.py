"""find_dates: the dates of a text with their weekdays, from the reading and tying steps."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .reading import Run, read_dates
from .text import prepare, previous_word
from .tying import mark_ranges, merge_runs, read_weekdays, tie
from .vocabulary import DATE_JOIN, WEEKDAY_JOIN, vocabulary_of
from .words import DAY_WORDS


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



@lru_cache(maxsize=512)
def find_dates(text: str, lang: str, reference: date) -> tuple[ProseDate, ...]:
    """Return the dates written in `text` (in `lang` or English), in order, with their weekdays."""
    vocabulary = vocabulary_of(lang)
    prepared = prepare(text)
    date_runs = read_dates(prepared, vocabulary, reference)
    if not date_runs:
        return ()           # the weekdays written, if any, are only read beside dates
    covered = bytearray(len(prepared.folded))
    for run in date_runs:
        covered[run.start:run.end] = b"\x01" * (run.end - run.start)
    date_runs = merge_runs(date_runs, DATE_JOIN, prepared.folded)
    weekday_runs = [Run(None, [day]) for day in read_weekdays(prepared, vocabulary, covered)]
    tie(prepared.folded, date_runs, merge_runs(weekday_runs, WEEKDAY_JOIN, prepared.folded))
    mark_ranges(date_runs)
    found = []
    for run in date_runs:
        for item in run.members:
            if item.weak and item.weekday is None and previous_word(prepared.folded, item.start) not in DAY_WORDS:
                continue
            start, _end = prepared.span(item.start, item.end)
            line = bisect_right(prepared.line_starts, start)
            found.append(ProseDate(
                line=line, column=start - prepared.line_starts[line - 1] + 1, text=text[start:_end],
                day=item.day, weekday_written=item.weekday_written, weekday=item.weekday,
                written=item.written, parts=item.ymd, year_inferred=item.year_inferred, offset=start,
                range=item.range))
    return tuple(sorted(found, key=lambda d: d.offset))

