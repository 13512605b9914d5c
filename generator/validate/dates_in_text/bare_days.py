"""Bare day numbers beside weekdays: "na quinta, dia 12", "el viernes día 13", "Monday the 15th".

A number is read as a day of the month only right beside a weekday word:
- after it, with nothing between but spaces, a comma, "(" or a dash, and maybe "dia",
  "día", "the", "del" (with "el", "no", "na", "on" before them): "quinta, dia 12",
  "viernes 13", "Monday 9th";  after "el", "na", "no", "on" before the weekday, with a
  single space between ("el jueves 12 abrimos"), the number counts as if "dia" led it;
- or before it, when "dia", "día", "the" or "del" comes first or the number has an
  ordinal's ending: "dia 12 (quinta)", "the 15th, Monday".
A number with neither lead word nor ordinal ending ("sábado, 3") is a day only when
punctuation (a colon too), a parenthesis opening with a capital (a name), the end of the block, or a range or list
to another weekday follows it, or when the capitalised weekday opens a sentence and a verb
follows ("Segunda 17 voltamos"; words.SENTENCE_DAY_WORDS), or when it is the second day of
a list ("Sáb 21 y dom 22"):
"sábado, 3 técnicos", "segunda a sexta, 8 a 18" and "sábado, 9 h" are not days.  Lists
of bare days ("dias 12 e 13") need a lead word or ordinal ending.

Month and year: a bare day joined to a later date by a range or list word, maybe with a
weekday between ("de segunda, 9, a quarta, 11 de março", "from Monday 9th to Wednesday
11th March"), takes that date's month and year (the month before, for a range whose first
day is the greater).  Otherwise the day is read inside the notice's period when one of its
months has it there (else nearest the period); without a period, as the first such day on
or after the notice's date, across a year's end, unless that leaves the weekday wrong where
the same day in the week before the notice fits it ("ontem, quinta, dia 12").
"""

from __future__ import annotations

import bisect
import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from generator.validate.dates_in_text.reading import Item, Run, Weekday, join_kind
from generator.validate.dates_in_text.text import Text, next_word, previous_word
from generator.validate.dates_in_text.vocabulary import CONJ, DAY, LIST_WORDS, RANGE_WORDS, Vocabulary
from generator.validate.dates_in_text.words import (
    BARE_DAY_GAP_WORDS,
    BARE_DAY_LEADS,
    HOUR_WORDS,
    NOT_VERBS_IN_MOS,
    NUMBER_WORDS,
    SENTENCE_DAY_ENDING,
    SENTENCE_DAY_WORDS,
    UNIT_WORDS,
    WEEKDAY_ARTICLES,
)

_DAYS = re.compile(rf"(?P<first>{DAY})(?P<more>(?:\s*,\s*{DAY})*{CONJ}{DAY})?(?![^\W_]|[/%]|[.,:-]\d)")
_NUMBER = re.compile(r"\d+")
_DAY = re.compile(DAY)
# A day number is a word of one or two digits after a word and a gap of spaces, commas, "(" or
# dashes ("quinta, 12", "dia 12", "Seg. 12"): found by one scan, which passes over most numbers
# ("+55 13", "R$ 10,50", "v2") before anything is tried in Python.
_BARE_START = re.compile(r"(?:[^\W\d_]|\.)[ \t\n,(—–-]{1,6}(\d{1,2})(?!\d)")
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th|\.?[º°]|o)$")
# Between a weekday and the day number after it ("quinta, dia 12": ", " then the lead "dia").
_GAP_BEFORE = re.compile(rf"[\s,(—–-]*(?:(?:{'|'.join(BARE_DAY_GAP_WORDS)})\s+)?")
# Between a day number and the weekday after it ("dia 12 (quinta)").
_GAP_AFTER = re.compile(r"[\s,(—–-]*")
# What may follow a day number without lead word or ordinal ending: punctuation (a colon too, "Sábado
# 16: horario normal"), the end of a block, a dash, or a parenthesis naming the day ("Viernes 15 (San Isidro)").
_WEAK_END = re.compile(r"\s*(?:$|\0|[.,;:!?)\]](?!\d)|[—–]\s|\((?=[^\W\d_]))")
_JOIN_WORDS = "|".join(RANGE_WORDS + LIST_WORDS)
# What lies between a day number read beside a weekday and the next weekday of one list: " y ", " e ".
_FOLLOWS_A_DAY = re.compile(rf"\s*,?\s+(?:{'|'.join(LIST_WORDS)})\s+(?:(?:el|o|a|the|on|no|na)\s+)?")
# Before a weekday that opens a sentence: the start of the text or of a block, or a sentence's end.
_SENTENCE_START = re.compile(r"(?:^|[\0\n.!?:;|>*#-])[\s*_]*$")
# Between a bare day and a later date of one range or list, with "W" for each weekday word between.
_LINK = re.compile(rf"\s*,?\s*(?:[-–—]|(?:{_JOIN_WORDS})(?=\s))\s*(?:(?:el|o|a|the|on|no|na)\s+)?"
                   rf"(?:W\.?\s*,?\s*)?(?:(?:dia|the)\s+)?")


def _candidates(folded: str, covered: bytearray):
    """Yield (match, lead, lead_start, strong) for each number that could be a bare day by its shape alone."""
    taken = 0
    for number in _BARE_START.finditer(folded):
        start = number.start(1)
        if start < taken or covered[start] or not 1 <= int(number.group(1)) <= 31 \
                or (folded[start - 1] == "-" and folded[start - 2:start - 1].isalnum()):
            continue
        match = _DAYS.match(folded, start)
        before = previous_word(folded, start)
        if not match or before in NUMBER_WORDS or next_word(folded, match.end()) in UNIT_WORDS | HOUR_WORDS:
            continue
        lead = re.search(rf"{before}\s*$", folded[max(0, start - 8):start]) if before in BARE_DAY_LEADS else None
        strong = bool(lead) or _ORDINAL.search(match.group("first")) is not None
        if match.group("more") and not strong:
            continue                                    # "segunda a sexta, 8 a 18": hours, not days
        taken = match.end()
        yield match, lead, start - len(lead.group()) if lead else start, strong


@lru_cache(maxsize=32)   # a memo of a pure function: one regex per vocabulary
def _weekday_before(weekday_re: re.Pattern) -> re.Pattern:
    return re.compile(rf"(?:{weekday_re.pattern})\.?{_GAP_BEFORE.pattern}$")


def may_have_bare_days(text: Text, vocabulary: Vocabulary, covered: bytearray) -> bool:
    """Whether some number of the text has a weekday word right beside it: a quick test, made
    before the whole text is searched for weekdays (most texts without dates have none)."""
    folded = text.folded
    before = _weekday_before(vocabulary.weekday_re)
    for match, _, lead_start, strong in _candidates(folded, covered):
        if before.search(folded, max(0, lead_start - 30), lead_start):
            return True
        after = _GAP_AFTER.match(folded, match.end(), match.end() + 4)
        if strong and vocabulary.weekday_re.match(folded, after.end()):
            return True
    return False


def read_bare_days(text: Text, weekdays: list[Weekday], covered: bytearray) -> list[Run]:
    """Return runs of day numbers written right beside a weekday, their months not yet known (ymd 0, 0, n)."""
    folded = text.folded
    ends = [w.end for w in weekdays]
    starts = [w.start for w in weekdays]
    runs: list[Run] = []
    for match, lead, lead_start, strong in _candidates(folded, covered):
        start = match.start()
        weekday_before = _weekday_ending_at(weekdays, folded, ends, lead_start)
        weekday_after = strong and _weekday_starting_at(folded, starts, match.end())
        if not (weekday_before or weekday_after):
            continue
        if weekday_before and not strong and folded[weekday_before[1]:start] == " " \
                and (previous_word(folded, weekday_before[0]) in WEEKDAY_ARTICLES
                     or _opens_a_sentence(text, weekday_before[0], match.end())):
            strong = True                               # "el jueves 12 abrimos", "Segunda 17 voltamos"
        if weekday_before and not strong and runs and _FOLLOWS_A_DAY.fullmatch(folded, runs[-1].end, weekday_before[0]):
            strong = True                               # the second of "Sáb 21 y dom 22": a list of days
        end = _WEAK_END.match(folded, match.end())
        if end and end.group().endswith("(") and not text.piece(end.end(), end.end() + 1).isupper():
            end = None                                  # "Sábado 3 (três) técnicos": a name is capitalised
        if not strong and not end and not _range_to_weekday(folded, starts, match):
            continue
        days = list(_DAY.finditer(match.group()))
        if not all(1 <= int(_NUMBER.match(day.group()).group()) <= 31 for day in days):
            continue
        items = []
        for day in days:
            day_start, end = start + day.start(), start + day.end()
            written = text.piece(day_start, end)
            if not items and lead:
                written = text.piece(lead_start, start).strip() + " " + written
            items.append(Item(day_start, end, (0, 0, int(_NUMBER.match(day.group()).group())), True, written,
                              bare=True))
        gap = folded[items[-2].end:items[-1].start] if len(items) > 1 else ""
        runs.append(Run(join_kind(gap) if gap else None, items))
    return runs


def _opens_a_sentence(text: Text, weekday_start: int, number_end: int) -> bool:
    """Whether a capitalised weekday opens a sentence and the word after its number says what
    happens that day: "Segunda 17 voltamos", "Lunes 16 no abrimos" (words.SENTENCE_DAY_WORDS)."""
    folded = text.folded
    if not text.piece(weekday_start, weekday_start + 1).isupper() \
            or not _SENTENCE_START.search(folded, max(0, weekday_start - 8), weekday_start):
        return False
    after = re.match(r" ([^\W\d_]+)", folded[number_end:number_end + 30])
    word = after.group(1) if after else ""
    return word in SENTENCE_DAY_WORDS or (word.endswith(SENTENCE_DAY_ENDING) and word not in NOT_VERBS_IN_MOS)


def _weekday_ending_at(weekdays: list[Weekday], folded: str, ends: list[int], position: int):
    """Return (start, end) of the weekday word written right before `position`, else None."""
    index = bisect.bisect_right(ends, position) - 1
    if index < 0:
        return None
    gap = folded[ends[index]:position]
    if len(gap) <= 12 and _GAP_BEFORE.fullmatch(gap) is not None:
        return weekdays[index].start, ends[index]
    return None


def _weekday_starting_at(folded: str, starts: list[int], position: int) -> bool:
    index = bisect.bisect_left(starts, position)
    if index >= len(starts):
        return False
    gap = folded[position:starts[index]]
    return len(gap) <= 4 and _GAP_AFTER.fullmatch(gap) is not None


def _range_to_weekday(folded: str, starts, match) -> bool:
    """Whether a range or list word and then a weekday follow the day: "lunes 9 al miércoles 11"."""
    joined = re.match(rf"\s*,?\s+(?:{_JOIN_WORDS})\s+(?:(?:el|o|a|the|on|no|na)\s+)?", folded[match.end():match.end() + 20])
    return bool(joined) and match.end() + joined.end() in set(starts)


def resolve_bare_days(text: Text, runs: list[Run], bare: list[Run], weekdays: list[Weekday],
                      reference: date, period) -> tuple[list[tuple[Item, Item]], list[Item]]:
    """Give each bare day its month and year (see the module's rules).

    Return the ranges that a bare day starts and a later date ends, as (first, last), and
    the bare days read from the notice's date alone, which may still move (settle_bare_day).
    """
    ordered = sorted(runs + bare, key=lambda r: r.start)
    bare_ids = {id(run) for run in bare}
    spans = [(w.start, w.end) for w in weekdays]
    ranges, floating = [], []
    for position in range(len(ordered) - 1, -1, -1):      # from the end: a later bare day lends its month
        run = ordered[position]
        if id(run) not in bare_ids:
            continue
        following = ordered[position + 1] if position + 1 < len(ordered) else None
        link = _link(text.folded, run.end, following.start, spans) if following else None
        if link and following.members[0].ymd[1]:
            anchor = following.members[0]
            year, month, anchor_day = anchor.ymd
            for item in run.members:
                if link == "range" and item.ymd[2] > anchor_day:      # "de quinta, 30, a sábado, 1 de novembro"
                    item.ymd = (year, month - 1, item.ymd[2]) if month > 1 else (year - 1, 12, item.ymd[2])
                else:
                    item.ymd = (year, month, item.ymd[2])
                    item.year_inferred = anchor.year_inferred
                    item.written = re.sub(r"\d+", str(item.ymd[2]), anchor.written, count=1)
            if link == "range" and len(run.members) == 1:
                ranges.append((run.members[0], anchor))
            continue
        for item in run.members:
            item.ymd = _resolve(item.ymd[2], reference, period)
            if not period:
                floating.append(item)
    return ranges, floating


def settle_bare_day(item: Item, reference: date) -> None:
    """Move a bare day read from the notice's date alone into the week before that date when its
    weekday is wrong where it was read and right there ("ontem, quinta, dia 12" written on the 13th)."""
    found = _days_numbered(item.ymd[2], reference - timedelta(days=7), reference - timedelta(days=1))
    if item.weekday is not None and item.day is not None and item.day.weekday() != item.weekday \
            and found and found[0].weekday() == item.weekday:
        item.ymd = (found[0].year, found[0].month, found[0].day)


def _link(folded: str, end: int, start: int, spans) -> str | None:
    """Return "range" or "list" when only a join word and maybe a weekday lie between end and start."""
    if start - end > 40:
        return None
    gap = folded[end:start]
    for w_start, w_end in reversed(spans):
        if end <= w_start and w_end <= start:
            gap = gap[:w_start - end] + "W" + gap[w_end - end:]
    found = _LINK.fullmatch(gap)
    return join_kind(gap.replace("W", " ")) if found else None


def _resolve(day: int, reference: date, period) -> tuple[int, int, int]:
    """Return (year, month, day) for a bare day number (see the module's rules)."""
    if period:
        first, last = period
        candidates = _days_numbered(day, first - timedelta(days=62), last + timedelta(days=62))
        inside = [c for c in candidates if first <= c <= last]
        if inside:
            chosen = inside[0]
        else:
            chosen = min(candidates, key=lambda c: (max((first - c).days, (c - last).days), -c.toordinal()))
    else:
        chosen = _days_numbered(day, reference, reference + timedelta(days=92))[0]
    return chosen.year, chosen.month, chosen.day


def _days_numbered(day: int, first: date, last: date) -> list[date]:
    """Return the dates from first to last (inclusive) whose day of the month is `day`."""
    found = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        if day <= calendar.monthrange(year, month)[1] and first <= date(year, month, day) <= last:
            found.append(date(year, month, day))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return found
