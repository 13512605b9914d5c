"""Reading the dates of a prepared text: every shape, with the bare days of lists before them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from generator.validate.dates_in_text.text import Text, matches_at, next_word, previous_word
from generator.validate.dates_in_text.vocabulary import CONJ, DAY, NUM_BEFORE, RANGE_WORDS, Vocabulary
from generator.validate.dates_in_text.words import FRACTION_WORDS, NUMBER_WORDS, UNIT_WORDS, WORDLIKE_ABBREVIATIONS


def infer_year(month: int, day: int, reference: date) -> int:
    """Return the year (reference's, or one either side) putting month/day nearest to reference."""
    def distance(year: int) -> tuple[int, int]:
        near = date(year, month, min(day, calendar.monthrange(year, month)[1]))
        return abs((near - reference).days), -year     # at equal distance, the later year
    return min((reference.year - 1, reference.year, reference.year + 1), key=distance)


@dataclass(slots=True)
class Item:
    """A date while it is being read; becomes a ProseDate."""

    start: int
    end: int
    ymd: tuple[int, int, int]
    year_inferred: bool
    written: str
    weak: bool = False                 # "3/1": only a date with a weekday beside it or after "dia"
    swapped: bool = False              # "12/16" in a day-first notice: no date as written, ymd read the other way
    bare: bool = False                 # a day number alone ("quinta, dia 12"): a date only with its weekday
    weekday: int | None = None
    weekday_written: str | None = None
    range: tuple[date, date] | None = None

    @property
    def day(self) -> date | None:
        year, month, day = self.ymd
        return date(year, month, day) if day <= calendar.monthrange(year, month)[1] else None


@dataclass(slots=True)
class Weekday:
    """A weekday word found in the text."""

    start: int
    end: int
    index: int
    written: str


@dataclass(slots=True)
class Run:
    """Dates or weekdays written as one range or list ("19 a 30/10", "segunda a sexta")."""

    kind: str | None                 # "range", "list", or None for a single one
    members: list

    @property
    def start(self) -> int:
        return self.members[0].start

    @property
    def end(self) -> int:
        return self.members[-1].end


def _numbers(first: str, second: str, year: str | None, month_first: bool):
    """Return (month, day, day_first, swapped) of a numeric date in the notice's order, or None if none fits;
    `swapped`: no date as written, and without a year, read the other way (only a date beside a weekday)."""
    month, day = (int(first), int(second)) if month_first else (int(second), int(first))
    day_first = not month_first
    swapped = False
    if month > 12 and 1 <= day <= 12 and month <= 31:
        # "17/10/2017" in a month-first notice is read the other way; "12/16" in a day-first one, without a
        # year, is an error (checking.py), but only beside a weekday or after "dia": else it is a fraction.
        month, day, day_first, swapped = day, month, month_first, not year
    if not (1 <= month <= 12 and 1 <= day <= 31) or (not year and {first, second} == {"24", "7"}):
        return None
    return month, day, day_first, swapped


def _year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) if len(text) == 4 else 2000 + int(text)


def read_dates(text: Text, vocabulary: Vocabulary, reference: date) -> list[Run]:
    """Return the dates of the text, one run for each match."""
    candidates = []
    # Every shape but month_first starts with a digit that starts a word: trying each shape at
    # those few places finds what finditer would, a good deal faster than scanning every character.
    folded = text.folded
    starts = [start for found in _DIGIT_RUN.finditer(folded)
              if (start := found.start()) == 0 or not folded[start - 1].isalnum()]
    if not starts:
        return []           # every date has a digit that starts a word: its day, or its year
    # The shapes that start with a digit go on with one of these after it (_DATE_START): the
    # others ("500 clientes", "100Mbps") need not be tried shape by shape.
    digits = [start for start in starts if _DATE_START.match(folded, start)]
    for name, regex in vocabulary.shapes:
        found = regex.finditer(folded) if name == "month_first" else matches_at(regex, folded, digits)
        for match in found:
            if previous_word(text.folded, match.start()) not in NUMBER_WORDS \
                    and next_word(text.folded, match.end()) not in UNIT_WORDS:
                candidates.append((match.start(), -match.end(), name, match))
    runs, taken_until = [], 0
    for start, _, name, match in sorted(candidates, key=lambda c: c[:2]):   # leftmost, then longest
        if start >= taken_until:
            run = _read_match(text, vocabulary, reference, name, match, taken_until)
            if run:
                runs.append(run)
                taken_until = match.end()
    return runs


# A digit that starts a word is the first of a run of digits, after no letter or digit
# (found this way rather than by a look-behind tried at every character).
_DIGIT_RUN = re.compile(r"\d+")
# How each shape but month_first goes on after its first digits: a day (1-2 digits) then an
# ordinal's ending, a space, "/", "." or "-" (day_first, slash, dotted, hyphen); a year then
# "-" or "/" (iso).
_DATE_START = re.compile(r"\d{1,2}(?:[/.\s\-º°o]|st|nd|rd|th)|\d{4}[-/]")



def make_item(text, start, end, year, month, day, reference, written=None, weak=False) -> Item:
    inferred = year is None
    if inferred:
        year = infer_year(month, day, reference)
    return Item(start, end, (year, month, day), inferred, written or text.piece(start, end), weak)


def _read_match(text, vocabulary, reference, name, match, taken_until):
    """Return the dates of one regex match, or None when it is not a date after all."""
    group = match.group
    if name == "month_first":
        word = group("m").rstrip(".")
        if word in WORDLIKE_ABBREVIATIONS and text.piece(match.start(), match.end())[:1].islower() \
                and not group("m").endswith("."):
            return None                    # "you may 17 ..."
        month, year = vocabulary.months[word], _year(group("y"))
        days = list(re.finditer(r"[0-3]?\d", group("days")))
        if len(days) == 1:
            return Run(None, [make_item(text, match.start(), match.end(), year, month, int(days[0].group()), reference)])
        offset, month_text = match.start("days"), text.piece(match.start("m"), match.end("m"))
        year_text = f", {group('y')}" if group("y") else ""
        items = [make_item(text, match.start() if i == 0 else offset + d.start(), offset + d.end(), year, month,
                       int(d.group()), reference, f"{month_text} {d.group()}{year_text}")
                 for i, d in enumerate(days)]
        return Run(join_kind(text.folded[offset + days[-2].end():offset + days[-1].start()]), items)
    if name == "day_first":
        month = vocabulary.months[group("m").rstrip(".")]
        items = [make_item(text, match.start(), match.end(), _year(group("y")), month, int(group("d")), reference)]
        return _with_day_list(text, reference, items, taken_until)
    if name in ("iso", "dotted"):
        found = _numbers(*((group("b"), group("a")) if name == "iso" else (group("a"), group("b"))),
                         group("y"), name == "iso")
        return found and Run(None, [make_item(text, match.start(), match.end(), int(group("y")), *found[:2], reference)])
    found = _numbers(group("a"), group("b"), group("y"), vocabulary.month_first)
    if not found or not group("y") and next_word(text.folded, match.end()) in FRACTION_WORDS:
        return None
    month, day, day_first, swapped = found
    weak = swapped or not group("y") and len(group("a" if vocabulary.month_first else "b")) == 1
    first_end = match.end("y") if group("y") else match.end("b")
    items = [make_item(text, match.start(), first_end, _year(group("y")), month, day, reference, weak=weak)]
    items[0].swapped = swapped
    if name == "slash" and group("tail"):                       # "19/10-30/10"
        first, second, *year = group("tail").split("/")
        tail = _numbers(first, second, year[0] if year else None, vocabulary.month_first)
        if not tail:
            return None
        items.append(make_item(text, match.start("tail"), match.end("tail"), _year(year[0] if year else None),
                           *tail[:2], reference, weak=tail[3]))
        items[-1].swapped = tail[3]
        return Run("range", items)
    return _with_day_list(text, reference, items, taken_until) if day_first else Run(None, items)


_LIST_PREFIX = re.compile(rf"{NUM_BEFORE}(?P<days>{DAY}(?:\s*,\s*{DAY})*)(?P<conj>{CONJ})$")


def _with_day_list(text, reference, items, taken_until):
    """Add the bare days written before a day-first date: "19 a 30 de outubro", "21 e 22/10"."""
    full = items[0]
    found = _LIST_PREFIX.search(text.folded, max(taken_until, full.start - 80), full.start)
    if not found or previous_word(text.folded, found.start()) in NUMBER_WORDS:
        return Run(None, items)
    year, month, _ = full.ymd
    full_text = text.piece(full.start, full.end)
    bare = []
    for number in re.finditer(r"[0-3]?\d", found.group("days")):
        if not 1 <= int(number.group()) <= 31:
            return Run(None, items)
        start = found.start("days") + number.start()
        item = make_item(text, start, start + len(number.group()), year, month, int(number.group()), reference,
                     re.sub(r"\d+", number.group(), full_text, count=1))
        item.year_inferred = full.year_inferred
        bare.append(item)
    return Run(join_kind(found.group("conj")), bare + items)


def join_kind(gap: str) -> str:
    words = set(re.findall(r"[^\W\d_]+", gap))
    return "range" if words & set(RANGE_WORDS) or re.search(r"[-–—]", gap) else "list"

