"""Weekday words, and tying each to the date or dates written right beside it."""

from __future__ import annotations

import re

from generator.validate.dates_in_text.reading import Run, Weekday, join_kind
from generator.validate.dates_in_text.text import Text, previous_word, word_starts
from generator.validate.dates_in_text.vocabulary import TIE_GAP, Vocabulary, weekday_of
from generator.validate.dates_in_text.words import LIST_WORDS, NOT_WEEKDAY_AFTER, RANGE_WORDS, WORDLIKE_ABBREVIATIONS

# A weekday word, a day number or date, a list or range word: a lower-case "dom", "sex" or "mar" after
# this is the next weekday of the list ("Sáb 21 y dom 22", "Sex. 13/3 e sáb 14/3"), not a word.
_AFTER_A_DAY = re.compile(rf"\.?[\s,(]*(?:(?:dia|the|el)\s+)?\d{{1,2}}(?:[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?)?"
                          rf"(?:st|nd|rd|th|º)?\)?\s*,?\s+(?:{'|'.join(LIST_WORDS + RANGE_WORDS)})\s+"
                          rf"(?:(?:el|o|a|the|on|no|na)\s+)?")
# ... or right after another weekday of one list or range: "(seg, ter e qua)", "sáb y dom".
_IN_A_LIST = re.compile(rf"\.?\s*(?:[,/&]\s*|\s(?:{'|'.join(LIST_WORDS + RANGE_WORDS)})\s+)")


def read_weekdays(text: Text, vocabulary: Vocabulary, covered: bytearray) -> list[Weekday]:
    """Return the weekday words of the text outside the dates."""
    found = []
    for match in word_starts(vocabulary.weekday_re, text.folded):
        start, end = match.span()
        if any(covered[start:end]):
            continue
        token = match.group()
        dotted = text.folded[end:end + 1] == "." and token in vocabulary.abbreviations
        written = text.piece(start, end)
        if (token in WORDLIKE_ABBREVIATIONS and not dotted and written[:1].islower()
                and not (found and (_AFTER_A_DAY.fullmatch(text.folded, found[-1].end, start)
                                    or _IN_A_LIST.fullmatch(text.folded, found[-1].end, start)))) \
                or previous_word(text.folded, start) in NOT_WEEKDAY_AFTER:
            continue
        index = weekday_of(token, vocabulary)
        if index is not None:
            found.append(Weekday(start, end + dotted, index, written))
    return found


def merge_runs(runs: list[Run], join: re.Pattern, folded: str) -> list[Run]:
    """Join neighbouring runs that only `join` separates ("19/10 a 30/10", "sábado e domingo")."""
    merged: list[Run] = []
    for run in runs:
        gap = folded[merged[-1].end:run.start] if merged else ""
        if not merged or len(gap) > 24 or not join.fullmatch(gap):
            merged.append(run)
            continue
        last = merged[-1]
        if len(last.members) == len(run.members) == 1:
            between = previous_word(folded, last.start) in ("entre", "between")   # "entre 17/10 e 02/11"
            last.kind = "range" if between else join_kind(gap)
        else:
            last.kind = "list"
        last.members.extend(run.members)
    return merged


def _pairs(weekdays: Run, dates: Run) -> list[tuple] | None:
    """Pair the weekdays of a run with the dates of a run, or None when they do not correspond."""
    if len(weekdays.members) == len(dates.members):
        return list(zip(weekdays.members, dates.members))
    if len(weekdays.members) == 2 and weekdays.kind == "range" and len(dates.members) > 2:
        return [(weekdays.members[0], dates.members[0]), (weekdays.members[1], dates.members[-1])]
    return None       # "terça-feira, 17/10 e 24/10": which of the two?


def tie(folded: str, date_runs: list[Run], weekday_runs: list[Run]) -> None:
    """Give each date the weekday written beside it, if any (see the module's rules)."""
    runs = sorted([(run.start, False, run) for run in date_runs] + [(run.start, True, run) for run in weekday_runs],
                  key=lambda r: r[0])
    for position, (_, is_weekday, run) in enumerate(runs):
        if not is_weekday:
            continue
        options = []      # (gap, pairs, consistent) on the left, then on the right
        for neighbour, left in ((position - 1, True), (position + 1, False)):
            if not 0 <= neighbour < len(runs) or runs[neighbour][1]:
                continue
            dates = runs[neighbour][2]
            gap = folded[dates.end:run.start] if left else folded[run.end:dates.start]
            pairs = _pairs(run, dates) if len(gap) <= 24 and TIE_GAP.fullmatch(gap) else None
            if pairs and all(item.weekday is None for _, item in pairs):
                consistent = all(item.day is not None and item.day.weekday() == day.index for day, item in pairs)
                options.append((gap, pairs, consistent))
        if not options:
            continue
        chosen = options[0]
        if len(options) == 2:
            (left_gap, _, left_ok), (right_gap, _, right_ok) = options
            if left_ok != right_ok:
                chosen = options[0] if left_ok else options[1]      # never a false alarm when one side fits
            elif left_gap.rstrip().endswith("(") and right_gap.lstrip().startswith(")"):
                chosen = options[0]                                 # "17/10 (terça), 18/10"
            elif re.search(r"[,:|()\[\]—–-]", left_gap) and not re.search(r"[,:|()\[\]—–-]", right_gap):
                chosen = options[1]                                 # "17/10, terça 18/10"
        for day, item in chosen[1]:
            item.weekday, item.weekday_written = day.index, day.written


def mark_ranges(runs: list[Run]) -> None:
    for run in runs:
        first, last = run.members[0], run.members[-1]
        if run.kind == "range" and len(run.members) == 2 and first.day and last.day and first.day <= last.day:
            first.range = last.range = (first.day, last.day)

