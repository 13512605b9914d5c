"""The `holidays` package's answers a build needs, kept between builds: importing the package loads the module
of every country it knows (some 0.1-0.3 s), more than the rest of a rebuild after one edit.

Two questions are asked of it: which subdivisions a country has (validate/site.py checks site.yaml's
`holidays:`) and a country's public holidays over some years in the site's languages (hours.py's
calendar).  Both answers are pure functions of the question and the package's version, so they are
kept as plain data (tuples, strings, numbers) under the question, with the version of the generator
and its libraries (read/cache.py: code_digest): the pipeline reads them from the build cache and
writes them back (write/holiday_cache.py, sealed), and a rebuild whose holiday settings, years and
languages did not change does not import the package at all.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Mapping

from generator.model import HolidayRules, Text
from generator.schedule.hours import public_holidays

# Past this many questions the answers not asked for in this build are dropped (a site asks two or three).
MAX_KEPT = 64


class HolidayAnswers:
    """The holidays package's answers: those kept from earlier builds (when made under `version`), and the new."""

    def __init__(self, kept: Mapping | None = None, version: str = ""):
        usable = isinstance(kept, dict) and kept.get("version") == version and isinstance(kept.get("answers"), dict)
        self.version = version
        self.kept: dict = dict(kept["answers"]) if usable else {}
        self.asked: dict = {}
        self.added = False

    def _answer(self, question: tuple, compute: Callable[[], object]) -> object:
        if question in self.kept:
            answer = self.kept[question]
        else:
            answer = compute()
            self.kept[question] = answer
            self.added = True
        self.asked[question] = answer
        return answer

    def subdivisions(self, code: str) -> tuple[str, ...] | None:
        """Return the subdivisions of a country the holidays package knows, or None when it knows no such country."""
        return self._answer(("subdivisions", code), lambda: country_subdivisions(code))

    def public_holidays(self, rules: HolidayRules, years: range, languages: tuple[str, ...]) -> dict[date, Text]:
        """Return the country's public holidays in `years` by date, one name per site language (public_holidays)."""
        question = ("public", rules.country, rules.subdivision, years.start, years.stop, years.step, languages)
        answer = self._answer(question, lambda: tuple(
            (day.toordinal(), text.values) for day, text in public_holidays(rules, years, languages).items()))
        return {date.fromordinal(day): Text(values) for day, values in answer}

    def to_keep(self) -> dict | None:
        """Return what to keep for the next build (plain data), or None when what is kept needs no change."""
        if not self.added:
            return None
        answers = self.kept if len(self.kept) <= MAX_KEPT else self.asked
        return {"version": self.version, "answers": answers}


def country_subdivisions(code: str) -> tuple[str, ...] | None:
    """Return the subdivisions of a country the holidays package lists (a code or an alias: BR, GBR, UK),
    or None for any other name."""
    import holidays  # here, not at the top: it loads every country it knows

    # Only a listed code reaches the package: country_holidays(code) is getattr(holidays, code)(...), so
    # any other name of its namespace would be called (PUBLIC, utils, __loader__: a TypeError), or give
    # no holidays at all (HolidayBase) or a stock exchange's (NYSE).  The list imports every country's
    # module, little more than a build asking a country's subdivisions and public holidays pays anyway
    # (0.255 s against 0.242 s in a fresh process, medians of 9 on 2026-12-08), and only when the answer
    # is not kept in the build cache.
    subdivisions = holidays.list_supported_countries().get(code)
    return tuple(subdivisions) if subdivisions is not None else None
