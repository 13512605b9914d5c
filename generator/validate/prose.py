"""The dates written in a notice's title and body, checked against the notice (the dates_in_text package finds them).

Errors: a date that does not exist, a weekday that does not match its date.
Warnings: a date outside the notice's period, and in an hours notice a date inside
it that no structured change covers.  Places are lines and columns in the .md file.
"""

from __future__ import annotations

from datetime import date

from ..dates_in_text import check_dates, find_dates
from ..errors import WARNING, SourceError
from ..read import MarkdownSource
from ..yamlnodes import Map, Scalar
from .fields import Problems


def uncovered_dates(text: str, lang: str, reference: date, period, covered: frozenset[date], path: str,
                    line_offset: int, column_offset: int = 0) -> list[SourceError]:
    """Warn about prose dates inside the period (or any, without one) that no structured change covers."""
    found = []
    for written in find_dates(text, lang, reference, period and tuple(period)):
        day = written.day
        # The period's own ends are often written as a range in the title ("entre 17/10 e 02/11").
        if day is None or day in covered or (period and not period[0] < day < period[1]):
            continue
        column = written.column + (column_offset if written.line == 1 else 0)
        found.append(SourceError(
            path, written.line + line_offset, column,
            f"{written.text} ({day.isoformat()}) is not one of the days this notice changes",
            "add a change for that day, or check the date", WARNING,
        ))
    return found


def check_prose(source: MarkdownSource, lang: str, reference: date, period, problems: Problems,
                covered: frozenset[date] | None = None) -> None:
    """Check the dates written in the title and body of one file against the notice's date and period."""
    found: list[SourceError] = []
    if covered is not None:
        title_node = source.front.get("title") if isinstance(source.front, Map) else None
        if isinstance(title_node, Scalar):
            found += uncovered_dates(title_node.text, lang, reference, period, covered, source.path,
                                     title_node.line - 1, title_node.column - 1)
        found += uncovered_dates(source.body, lang, reference, period, covered, source.path, source.body_line - 1)
    title_node = source.front.get("title") if isinstance(source.front, Map) else None
    if isinstance(title_node, Scalar):
        for problem in check_dates(title_node.text, lang, reference, source.path, title_node.line - 1, period):
            found.append(SourceError(problem.path, problem.line, problem.column + title_node.column - 1,
                                     problem.message, problem.hint, problem.severity))
    found += check_dates(source.body, lang, reference, source.path, source.body_line - 1, period)
    # A date already reported as wrong needs no second word about coverage.
    wrong = {(p.line, p.column) for p in found if p.severity != WARNING}
    problems.items.extend(p for p in found if not (p.severity == WARNING and (p.line, p.column) in wrong))
