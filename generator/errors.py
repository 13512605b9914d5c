"""Problems found in a site's sources, each placed at a file, line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class SourceError:
    """One problem in a source file; line and column count from 1 (0 when unknown)."""

    path: str
    line: int
    column: int
    message: str
    hint: str | None = None
    severity: str = ERROR

    def sort_key(self) -> tuple:
        """Return the key that orders problems by file, position, then text."""
        return (self.path, self.line, self.column, self.severity != ERROR, self.message)

    def format(self) -> str:
        """Return the problem as compilers print it: `file:line:col: severity: message`.

        Messages quote what a source holds, written by whoever pushed it: a control character
        in it is shown escaped, so that it can neither drive the reader's terminal nor start a
        line of its own.
        """
        where = visible(self.path)
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: {self.severity}: {visible(self.message)}"
        if self.hint:
            text += f"\n  hint: {visible(self.hint)}"
        return text

    def as_warning(self) -> SourceError:
        """Return a copy of this problem marked as a warning."""
        return SourceError(self.path, self.line, self.column, self.message, self.hint, WARNING)


# A memo of a pure function: compiled on first use, as every process imports this module and most say
# nothing (a class beyond Latin-1 costs the regex compiler some tenths of a millisecond).
@cache
def _control() -> re.Pattern:
    return re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str) -> str:
    """Return `text` with control characters (line breaks included) written as escapes, e.g. \\x1b."""
    if _control().search(text) is None:
        return text
    return _control().sub(lambda found: repr(found[0])[1:-1], text)


class SiteInvalid(Exception):
    """Raised by the pipeline when the sources hold errors; carries every problem found."""

    def __init__(self, problems: tuple[SourceError, ...]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def sort_problems(problems) -> tuple[SourceError, ...]:
    """Return problems without duplicates, sorted by file, line and column."""
    return tuple(sorted(set(problems), key=SourceError.sort_key))


def has_errors(problems) -> bool:
    """Tell whether any of the problems is an error rather than a warning."""
    return any(p.severity == ERROR for p in problems)
