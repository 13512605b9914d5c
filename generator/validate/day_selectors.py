"""Day selectors of hours.yaml written with day names in Portuguese, Spanish or English ("lun-vie", "sáb",
"segunda a sexta", "Monday"): what the English key would be, for the hint of an unknown selector."""

from __future__ import annotations

import re

from generator.validate.dates_in_text import parse_weekday

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The languages whose day names are read (English is always read by parse_weekday): those of the users.
NAME_LANGUAGES = ("pt", "es")
# Between the two ends of a range: a dash, or the word a range is said with ("lunes a viernes").
RANGE_JOINS = re.compile(r"\s*[-–—]\s*|\s+(?:a|al|à|ao|até|ate|hasta|to|through)\s+", re.IGNORECASE)


def _day(word: str) -> int | None:
    """Return the day (Monday = 0) that `word` names (CLDR's wide and abbreviated names and the informal cuts of
    pt, es and en, any case, with or without accents and the dot), or None."""
    word = word.strip()
    return parse_weekday(word, NAME_LANGUAGES) if word else None


def _english_part(part: str) -> str | None:
    """Return one comma-separated part in English keys ("vie" -> "fri", "lun-vie" -> "mon-fri"), or None."""
    day = _day(part)
    if day is not None:
        return DAYS[day]
    # Each join in turn, since a name may hold a dash itself ("segunda-feira-sexta-feira").
    for join in RANGE_JOINS.finditer(part):
        first, last = _day(part[:join.start()]), _day(part[join.end():])
        if first is not None and last is not None:
            return f"{DAYS[first]}-{DAYS[last]}"
    return None


def english_selector(written: str, known: tuple[str, ...]) -> str | None:
    """Return the selector `written` with its day names in English keys ("lun-vie" -> "mon-fri",
    "lun,mié,vie" -> "mon,wed,fri"), parts already in `known` kept as written; None when a part names no
    day or nothing was in another language."""
    parts = []
    for part in written.split(","):
        part = part.strip()
        english = part.lower() if part.lower() in known else _english_part(part)
        if english is None:
            return None
        parts.append(english)
    english = ",".join(parts)
    return None if english == written.strip().lower() else english
