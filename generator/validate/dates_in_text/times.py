"""check_times: a time of day written in prose that cannot be one (`25:00`, `24:30`, `18h75`, `das 00h às 25h`).

Only the smallest reading that catches such slips: hours and minutes written together
(`18:30`, `18h30`), and an hour alone (`25h`) only where it is plainly a time of day —
after `às`, in `das … às …`, after `las` — since an hour alone is as often a duration
(`prazo de 48h`, `até 72h`, `24h` around the clock).  A one-digit number before a colon
is a ratio as often as a time (`splitter 1:64`), and is left alone; `7x24`, `24/7`
and scores written `3x1` are not read at all.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from generator.errors import ERROR, SourceError
from generator.validate.dates_in_text.text import prepare

# Hours and minutes: "18:75", "18h75", "24:30" (not within a longer run of digits, colons or dots).
_WITH_MINUTES = re.compile(r"(?<![\w:.,/])(\d{1,2})([:h])(\d{2})(?![\w:]|[.,]\d)")
# An hour alone where only a time of day is meant: "às 25h", "das 22h às 25h", "a las 25h".
_HOUR_ALONE = re.compile(r"(?:(?<![\w])(?:as|ate as|las)\s+|(?<![\w])das\s+(?=\d{1,2}h\s*(?:as|-|–)\s*\d))"
                         r"(\d{1,2})h(?![\w:]|[.,]\d)")
_HOUR_ALONE_END = re.compile(r"(?<![\w])das\s+\d{1,2}h\s*(?:as|-|–)\s*(\d{1,2})h(?![\w:]|[.,]\d)")
_MAYBE = re.compile(r"\d[:h]")


def check_times(text: str, path: str, line_offset: int = 0) -> tuple[SourceError, ...]:
    """Return an error for each impossible time of day in `text`, placed at line_offset + its line."""
    if not _MAYBE.search(text):
        return ()
    prepared = prepare(text)          # folded ("às" -> "as"), with code, addresses and tags blanked out
    folded = prepared.folded
    found: dict[int, SourceError] = {}

    def report(start: int, end: int, message: str, hint: str) -> None:
        begin, _ = prepared.span(start, end)
        line = bisect_right(prepared.line_starts, begin)
        column = begin - prepared.line_starts[line - 1] + 1
        found.setdefault(begin, SourceError(path, line_offset + line, column, message, hint, ERROR))

    for match in _WITH_MINUTES.finditer(folded):
        hour, separator, minutes = int(match[1]), match[2], int(match[3])
        if separator == ":" and len(match[1]) == 1:
            continue                  # "1:64": a ratio
        written = prepared.piece(match.start(), match.end())
        if minutes > 59:
            report(match.start(), match.end(), f"{written} is not a time of day: minutes run from 00 to 59",
                   "check the minutes")
        elif hour > 24 or (hour == 24 and minutes):
            report(match.start(), match.end(), f"{written} is not a time of day: hours run from 00 to 23",
                   "check the hour; 24:00 may end a day" if hour > 24 else
                   f"did you mean 00{separator}{match[3]}? A day's hours run to 23{separator}59")
    for regex in (_HOUR_ALONE, _HOUR_ALONE_END):
        for match in regex.finditer(folded):
            if prepared.piece(match.start(), match.start(1)).lower().startswith("as"):
                continue              # "as 48h" without its accent: the article ("durante as 48h"), not "às"
            if int(match[1]) > 24:
                written = prepared.piece(match.start(1), match.end())
                report(match.start(1), match.end(), f"{written} is not a time of day: hours run from 00 to 23",
                       "check the hour; 24h may end a day")
    return tuple(found[key] for key in sorted(found))
