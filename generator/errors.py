"""Problems found in a site's sources, each placed at a file, line and column."""

from __future__ import annotations

from dataclasses import dataclass

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
        """Return the problem as compilers print it: `file:line:col: severity: message`."""
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_warning(self) -> SourceError:
        """Return a copy of this problem marked as a warning."""
        return SourceError(self.path, self.line, self.column, self.message, self.hint, WARNING)


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
