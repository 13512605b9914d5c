"""What one build may cost: every limit on a site's size, its default and its ceiling, in one place.

A site is written by whoever can push to it, and a few bytes can ask for a great
deal (a change over a thousand years, ten thousand intervals in a day): each
count that a build's time, memory or output grows with is bounded here.  A site
that really needs more raises a limit in site.yaml, under `limits:`, up to the
ceiling, which keeps the worst a push can ask for known (bench/bench_limits.py
measures it).  To add a limit, add it to LIMITS: site.yaml accepts it, the
defaults and ceilings in docs/format.md are these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from generator.errors import SourceError

SITE_FILE = "site_src/site.yaml"


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit: its default, the most site.yaml may raise it to, and what it counts (for messages)."""

    default: int
    ceiling: int
    counts: str


LIMITS: Mapping[str, Limit] = MappingProxyType({
    "change_days": Limit(400, 3660, "days that one notice changes"),
    "intervals_per_day": Limit(8, 48, "intervals in one day of one channel"),
    "departments": Limit(20, 200, "departments"),
    "channels": Limit(10, 50, "channels in one department"),
    "languages": Limit(10, 40, "languages"),
    "components": Limit(100, 1000, "status components"),
    "notices": Limit(20_000, 100_000, "notices"),
    "output_mb": Limit(500, 10_000, "megabytes that one build writes"),
    # Read before a pushed tree is extracted (pushed_tree.py). A site may ask for more than a
    # server allows: install-server-hooks --max-tree-mb (default 500) lowers tree_mb to its own cap.
    "tree_mb": Limit(100, 100_000, "megabytes of files in a pushed tree"),
    "tree_files": Limit(20_000, 100_000, "files in a pushed tree"),
})

# Years a typed date may name: enough for any history and plan, and far from the ends
# of Python's dates (year 9999 plus one day is an OverflowError).  Not configurable.
FIRST_YEAR, LAST_YEAR = 1970, 2200
# Markdown is converted in time that grows with the length of a text times the tags and
# links ('<', '[') in it; a notice's text is bounded in both.  Not configurable.
MAX_BODY_CHARS = 32_000
MAX_BODY_MARKS = 200
# The warnings about the dates and hours written in one file that are shown; the others are counted in one
# more line (validate/prose.py): a text can name a day hundreds of times.  Not configurable.
PROSE_WARNINGS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits of one site: the defaults, with what site.yaml raised or lowered, and where it did."""

    values: Mapping[str, int] = field(default_factory=lambda: MappingProxyType(
        {key: limit.default for key, limit in LIMITS.items()}))
    # key -> (line, column) of the value in site.yaml, for the keys it sets
    where: Mapping[str, tuple[int, int]] = field(default_factory=lambda: MappingProxyType({}))

    def __getitem__(self, key: str) -> int:
        """Return the value of a limit."""
        return self.values[key]

    def hint(self, key: str, advice: str | None = None) -> str:
        """Return how to stay under a limit (`advice`), or raise it in site.yaml up to its ceiling."""
        raise_it = f"limits: {{{key}: N}} in {SITE_FILE} raises it (at most {LIMITS[key].ceiling:,})"
        return f"{advice}, or {raise_it}" if advice else raise_it

    def over(self, key: str, found: int | None = None) -> str:
        """Return the message for a count over a limit: what is counted, how many, the limit's name and value."""
        counted = f" ({found:,})" if found is not None else ""
        return f"more {LIMITS[key].counts} than the limit of {self[key]:,}{counted} (limits: {key})"

    def problem(self, key: str, message: str, advice: str | None = None) -> SourceError:
        """Return an error about a limit placed where site.yaml sets it, else at the top of site.yaml."""
        line, column = self.where.get(key, (1, 1))
        return SourceError(SITE_FILE, line, column, message, self.hint(key, advice))


DEFAULT_LIMITS = Limits()


def year_problem(year: int) -> str | None:
    """Return why a typed year is refused (outside FIRST_YEAR..LAST_YEAR), or None."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return f"the year {year} is outside the years a site may name ({FIRST_YEAR} to {LAST_YEAR})"


def body_problem(body: str) -> tuple[int, str, str] | None:
    """Return (offset, message, hint) when a notice's text is too long or holds too many tags and links."""
    if len(body) > MAX_BODY_CHARS:
        return (MAX_BODY_CHARS, f"the text is longer than {MAX_BODY_CHARS:,} characters ({len(body):,})",
                "split it into several notices, or link to a longer document")
    if body.count("<") + body.count("[") <= MAX_BODY_MARKS:
        return None     # most texts: counted in C, not character by character below
    marks = 0
    for offset, char in enumerate(body):
        if char in "<[":
            marks += 1
            if marks > MAX_BODY_MARKS:
                return (offset, f"the text holds more than {MAX_BODY_MARKS} links and tags ('<' and '[')",
                        "link to a page that lists them, or split the notice")
    return None
