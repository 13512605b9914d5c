"""check_times: a time of day written in prose that cannot be one (`às 25:00`, `a las 25 hrs`, `das 18h às 18h75`).

A number written `18:30`, `18h30`, `25h` or `25 hrs` is read as a time of day only beside a word that
says so, and only then can it be an error: numbers like these are as often ratios (`50:50`),
port mappings (`80:80`), scores (`25:20`), durations (`26h30`, `72:00 horas`, `48h`) and
stopwatch readings (`47:15`), and a false error blocks every push.  The words:

- pt: `às` (with its accent: unaccented `as` is the article, `durante as 48h`), `até às`,
  `a partir das` (hours and minutes only: `a partir das 48h sem conexão` is a duration),
  and both ends of `das … às …` / `das …-…` (not `dentro das`);
- es: `a las`, `hasta las`, `desde las`, and both ends of `de las … a las …` (not `dentro de
  las`); never a bare `las` (`en las 48h siguientes`, `durante las 72h`);
- en: hours and minutes only (an hour alone is rarely written `25h`), after `at`, `until`,
  `till`, `by`, and in `from … to/until/till/- …` when the other end is a possible time
  (`from 50:50 to 80:20` is a ratio that changed).

A one-digit number before a colon is a ratio as often as a time (`1:64`), and is left alone;
`7x24`, `24/7` and scores written `3x1` are not read at all.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from generator.errors import ERROR, SourceError
from generator.validate.dates_in_text.text import prepare

# A time, with minutes ("18:75", "18h75", "24:30") or an hour alone ("25h", and with the hour's other
# abbreviations, maybe a space apart: "25 h", "25 hs", "25 hrs", "25hr"), not within a longer run of
# digits, colons or dots.  "horas" written out is left out: "a las 48 horas de la falla" is 48 hours after it.
_HOUR_ALONE = r"[ \t]?h(?:rs?|s)?"
_TIME = rf"(?<![\w:.,/])\d{{1,2}}(?:[:h]\d{{2}}|{_HOUR_ALONE})(?![\w:]|[.,]\d)"
# Groups: 1 the hour, 2 the separator, 3 the minutes.
_TIMES = re.compile(rf"(?<![\w:.,/])(\d{{1,2}})(?:([:h])(\d{{2}})|{_HOUR_ALONE})(?![\w:]|[.,]\d)")
# The word just before a time that makes it one (folded text: "às" reads "as", "até" "ate").
_LEAD = re.compile(r"(?<!\w)(a partir das|ate as|as|a las|hasta las|desde las|at|until|till|by)[ \t\n]+$")
_EN_LEADS = frozenset({"at", "until", "till", "by"})
# A range whose ends are both times of day: "das 22h às 25h", "das 22h-26h", "de las 8h a las 25h",
# "from 22:00 to 25:00" (group 1 the word that starts it, 2 and 3 its ends).
_RANGE = re.compile(rf"(?<!\w)(?<!dentro )(?<!dentro de )(das|de las|desde las|from)[ \t\n]+(?=({_TIME})"
                    rf"(?:[ \t\n]*[-–][ \t\n]*|[ \t\n]+(?:as|a las|hasta las|to|until|till)[ \t\n]+)({_TIME}))")
_MAYBE = re.compile(r"\d[ \t]?[:h]")


def check_times(text: str, path: str, line_offset: int = 0) -> tuple[SourceError, ...]:
    """Return an error for each impossible time of day in `text`, placed at line_offset + its line."""
    if not _MAYBE.search(text):
        return ()
    prepared = prepare(text)          # folded ("às" -> "as"), with code, addresses and tags blanked out
    folded = prepared.folded
    ranged = _range_ends(folded)
    found: dict[int, SourceError] = {}
    for match in _TIMES.finditer(folded):
        if match.start() not in ranged and not _led(prepared, match):
            continue
        problem = _problem(prepared, match)
        if problem:
            begin, _ = prepared.span(match.start(), match.end())
            line = bisect_right(prepared.line_starts, begin)
            column = begin - prepared.line_starts[line - 1] + 1
            found[begin] = SourceError(path, line_offset + line, column, *problem, ERROR)
    return tuple(found[key] for key in sorted(found))


def _range_ends(folded: str) -> set[int]:
    """Return the offsets of the times that end a range of times of day in the folded text."""
    ends: set[int] = set()
    for match in _RANGE.finditer(folded):
        first, second = _TIMES.match(folded, match.start(2)), _TIMES.match(folded, match.start(3))
        if match[1] == "from":
            # English: minutes on both ends, and one of them possible ("from 50:50 to 80:20" is a ratio).
            if not (first[3] and second[3]) or not (_possible(first) or _possible(second)):
                continue
        ends.update((match.start(2), match.start(3)))
    return ends


def _led(prepared, match: re.Match) -> bool:
    """Return whether a word that makes it a time of day stands just before the time `match`."""
    lead = _LEAD.search(prepared.folded, max(0, match.start() - 24), match.start())
    if not lead:
        return False
    word = lead[1]
    if word == "as" and prepared.piece(lead.start(1), lead.end(1)).lower() == "as":
        return False                  # "as" without its accent: the article ("durante as 48h"), not "às"
    if word in _EN_LEADS or word == "a partir das":
        return bool(match[3])         # hours and minutes only: "by 48h", "a partir das 48h" are durations
    return True


def _possible(match: re.Match) -> bool:
    """Return whether the time `match` is a possible time of day (24:00 ending a day included)."""
    hour, minutes = int(match[1]), int(match[3] or 0)
    return minutes < 60 and (hour < 24 or (hour == 24 and not minutes))


def _problem(prepared, match: re.Match) -> tuple[str, str] | None:
    """Return (message, hint) for the time `match` read as a time of day, or None when it is possible."""
    hour, separator, minutes = int(match[1]), match[2], match[3]
    written = prepared.piece(match.start(), match.end())
    if not minutes:
        return (f"{written} is not a time of day: hours run from 00 to 23",
                "check the hour; 24h may end a day") if hour > 24 else None
    if separator == ":" and len(match[1]) == 1:
        return None                   # "1:64": a ratio
    if int(minutes) > 59:
        return f"{written} is not a time of day: minutes run from 00 to 59", "check the minutes"
    if hour > 24 or (hour == 24 and int(minutes)):
        return (f"{written} is not a time of day: hours run from 00 to 23",
                "check the hour; 24:00 may end a day" if hour > 24 else
                f"did you mean 00{separator}{minutes}? A day's hours run to 23{separator}59")
    return None
