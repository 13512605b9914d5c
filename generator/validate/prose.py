"""The dates written in a notice's title and body, checked against the notice (the dates_in_text package finds them).

Errors: a date that does not exist, a weekday that does not match its date, a time of day that cannot be one.
Warnings: a date outside the notice's period, in an hours notice a date inside
it that no structured change covers, and hours the text gives for a day ("fecha às 15h")
that the notice's changes do not give (dates_in_text/hours_said.py).  Places are lines and columns in the .md file.
"""

from __future__ import annotations

from datetime import date

from generator.errors import ERROR, WARNING, SourceError
from generator.limits import PROSE_WARNINGS_SHOWN
from generator.read.sources import MarkdownSource
from generator.read.yaml_nodes import Map, Node, Scalar, Seq, describe
from generator.validate.dates import parse_date, swapped_date_hint
from generator.validate.dates_in_text import check_dates, check_times, find_dates
from generator.validate.dates_in_text.hours_said import HoursContext, check_hours_said
from generator.validate.fields import Problems


def uncovered_dates(text: str, lang: str, reference: date, period, covered: frozenset[date], path: str,
                    line_offset: int, column_offset: int = 0,
                    acknowledged: frozenset[date] = frozenset()) -> list[SourceError]:
    """Warn about prose dates inside the period (or any, without one) that no structured change covers."""
    found = []
    for written in find_dates(text, lang, reference, period and tuple(period)):
        day = written.day
        # The period's own ends are often written as a range in the title ("entre 17/10 e 02/11").
        if day is None or day in covered or day in acknowledged or (period and not period[0] < day < period[1]):
            continue
        column = written.column + (column_offset if written.line == 1 else 0)
        found.append(SourceError(
            path, written.line + line_offset, column,
            f"{written.text} ({day.isoformat()}) is not one of the days this notice changes",
            f"add a change for that day, or check the date; if it is meant, add it to the front matter: "
            f"prose_dates_ok: [{day.isoformat()}]", WARNING,
        ))
    return found


def read_prose_dates_ok(node: Node | None, problems: Problems) -> frozenset[date]:
    """Read `prose_dates_ok`: one date or a list of dates that the text may name outside the notice's days."""
    if node is None:
        return frozenset()
    items = node.items if isinstance(node, Seq) else (node,)
    days = set()
    for item in items:
        if not isinstance(item, Scalar) or item.is_null:
            problems.error(item, f"prose_dates_ok must list dates, not {describe(item)}",
                           "write prose_dates_ok: [2026-12-26]")
            continue
        day, error = parse_date(item.text)
        if error:
            problems.error(item, f"prose_dates_ok: {error}", swapped_date_hint(item.text))
        else:
            days.add(day)
    return frozenset(days)


def check_prose(source: MarkdownSource, lang: str, reference: date, period, problems: Problems,
                covered: frozenset[date] | None = None, acknowledged: frozenset[date] = frozenset(),
                hours: HoursContext | None = None, own: bool = True, span: tuple[date, date] | None = None) -> None:
    """Check the dates written in the title and body of one file against the notice's date and period, and
    the hours it gives for a day against the notice's changes (`hours`; `own` False: a translation).

    A date in `acknowledged` (the notice's `prose_dates_ok`) may lie outside the period or the changes; `span`
    (a maintenance's or an incident's first and last day) guides the hint at the day a wrong weekday meant.
    """
    found: list[SourceError] = []
    if covered is not None:
        title_node = source.front.get("title") if isinstance(source.front, Map) else None
        if isinstance(title_node, Scalar):
            found += uncovered_dates(title_node.text, lang, reference, period, covered, source.path,
                                     title_node.line - 1, title_node.column - 1, acknowledged)
        found += uncovered_dates(source.body, lang, reference, period, covered, source.path, source.body_line - 1,
                                 acknowledged=acknowledged)
    title_node = source.front.get("title") if isinstance(source.front, Map) else None
    if isinstance(title_node, Scalar):
        for problem in check_dates(title_node.text, lang, reference, source.path, title_node.line - 1, period,
                                   acknowledged, span):
            found.append(SourceError(problem.path, problem.line, problem.column + title_node.column - 1,
                                     problem.message, problem.hint, problem.severity))
        for problem in check_times(title_node.text, source.path, title_node.line - 1):
            found.append(SourceError(problem.path, problem.line, problem.column + title_node.column - 1,
                                     problem.message, problem.hint, problem.severity))
    found += check_dates(source.body, lang, reference, source.path, source.body_line - 1, period, acknowledged, span)
    found += check_times(source.body, source.path, source.body_line - 1)
    if hours is not None:
        hinted: list[tuple[str, str]] = []
        if isinstance(title_node, Scalar):
            found += check_hours_said(title_node.text, lang, reference, period, hours, acknowledged, source.path,
                                      title_node.line - 1, title_node.column - 1, own, hinted)
        found += check_hours_said(source.body, lang, reference, period, hours, acknowledged, source.path,
                                  source.body_line - 1, own=own, hinted=hinted)
    # A date already reported as wrong needs no second word about coverage.
    wrong = {(p.line, p.column) for p in found if p.severity != WARNING}
    problems.items.extend(_shown(source.path, [p for p in found if not (p.severity == WARNING
                                                                         and (p.line, p.column) in wrong)]))


def _shown(path: str, found: list[SourceError]) -> list[SourceError]:
    """Return `found` with its first PROSE_WARNINGS_SHOWN warnings and first PROSE_WARNINGS_SHOWN errors (in the
    order they are printed); the others of each kind are counted in one more of that kind, at the first of them."""
    shown = list(found)
    for kind, severity in (("warnings", WARNING), ("errors", ERROR)):
        same = sorted({p for p in shown if (p.severity == WARNING) == (severity == WARNING)},
                      key=SourceError.sort_key)
        if len(same) <= PROSE_WARNINGS_SHOWN:
            continue
        # A text can name a day hundreds of times ("sexta 27/11 ... e sexta 27/11 ...", "31/02/2027" x 2,900):
        # printed whole, each notice of a push would add some 200 KB to what the pusher reads.
        hidden = same[PROSE_WARNINGS_SHOWN:]
        first, dropped = hidden[0], set(hidden)
        shown = [p for p in shown if p not in dropped] + [SourceError(
            path, first.line, first.column,
            f"{len(hidden)} more {kind} about the dates and hours written in this file are not shown",
            f"the first {PROSE_WARNINGS_SHOWN} are above: deal with them and check again to see the others", severity)]
    return shown
