"""Weekday and month words per language (CLDR plus words.py) and the regexes built from them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_date_format, get_day_names, get_month_names

from generator.validate.dates_in_text.words import (
    INFORMAL_MONTHS,
    INFORMAL_WEEKDAYS,
    LIST_WORDS,
    RANGE_WORDS,
    TIE_WORDS,
)

ALNUM_BEFORE = r"(?<![^\W_])"
ALNUM_AFTER = r"(?![^\W_])"
NUM_BEFORE = ALNUM_BEFORE + r"(?<![/.:#@+$%&=\\-])(?<!\d,)"
NUM_AFTER = r"(?![^\W_]|[/%]|[.,:-][^\W_])"
YEAR4 = r"(?:19|20|21)\d\d"
DAY = r"[0-3]?\d(?:st|nd|rd|th|\.?[º°]|o(?![^\W_]))?(?!\d)"
CONJ = rf"(?:\s*[-–—]\s*|\s+(?:{'|'.join(RANGE_WORDS + LIST_WORDS)})\s+)"
DAY_LIST = rf"{DAY}(?:(?:\s*,\s*{DAY})*{CONJ}{DAY})?"
DATE_JOIN = re.compile(rf"(?:\s*,\s*|\s*,?{CONJ})")
WEEKDAY_JOIN = re.compile(rf"(?:\s*[,/&]\s*|\s*,?{CONJ})")
TIE_GAP = re.compile(rf"(?:[\s,:|*_()\[\]—–-]|\b(?:{'|'.join(TIE_WORDS)})\b)*")


@dataclass(frozen=True)
class Vocabulary:
    """Weekday and month words of one notice language plus English, and the regexes built from them."""

    locale: Locale
    weekdays: dict        # folded word -> 0..6
    months: dict          # folded word -> 1..12
    abbreviations: frozenset
    month_first: bool
    weekday_re: re.Pattern
    shapes: tuple         # (name, compiled regex)


# A memo of a pure function: every text of every notice asks for its language's Locale (three times a
# notice), and Babel's Locale.parse makes a new one each time.  An unknown language raises, and is not kept.
@lru_cache(maxsize=64)
def parse_locale(lang: str) -> Locale:
    """Return the Babel Locale of a language tag ("pt-BR"); ValueError for an unknown language."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError) as error:
        raise ValueError(f"unknown language {lang!r}") from error


def fold(text: str) -> str:
    """Return text in lower case without accents (ª and º are kept: they are not accents)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _weekday_alternation(words) -> str:
    # "terca-feira" is also written "terca feira" and "tercafeira"
    return "|".join(re.escape(w[:-6]) + r"[\s-]?feira" if w.endswith("-feira") else re.escape(w)
                    for w in sorted(words, key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class WeekdayWords:
    """The weekday words of one notice language plus English: what parse_weekday needs, without any regex."""

    locale: Locale
    weekdays: dict        # folded word -> 0..6
    wide: frozenset       # whole words ("terca-feira", "terca", "tuesday")
    short: frozenset      # abbreviations and informal cuts ("ter", "tue", "tues")


@lru_cache(maxsize=32)   # a memo of a pure function: one set of weekday words per language
def weekday_words(lang: str) -> WeekdayWords:
    """Return the weekday words of `lang` and English, from CLDR and words.py; ValueError for an unknown language."""
    notice = parse_locale(lang)
    weekdays: dict[str, int] = {}
    wide: set[str] = set()
    short: set[str] = set()
    # The notice's language first: where a word names two days, its own language's day wins (setdefault).
    for loc in (notice, Locale("en")):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for index, name in get_day_names(width, context, loc).items():
                    word = fold(name).rstrip(".")
                    weekdays.setdefault(word, index)
                    (wide if width == "wide" else short).add(word)
                    if word.endswith("-feira"):
                        weekdays.setdefault(word[:-6], index)   # "terça" for "terça-feira"
                        wide.add(word[:-6])
        for word, index in INFORMAL_WEEKDAYS.get(loc.language, {}).items():
            weekdays.setdefault(word, index)
            short.add(word)
    return WeekdayWords(notice, weekdays, frozenset(wide), frozenset(short))


# A memo of a pure function: one vocabulary per language.  Building it compiles the date shapes' regexes
# (some 10 ms for a language): only a text's scan needs them, not a weekday named alone (parse_weekday).
@lru_cache(maxsize=32)
def vocabulary_of(lang: str) -> Vocabulary:
    """Return the weekday and month words of `lang` and English and the regexes of the date shapes."""
    days = weekday_words(lang)
    notice = days.locale
    weekdays = days.weekdays
    months: dict[str, int] = {}
    wide: set[str] = set(days.wide)
    short: set[str] = set(days.short)
    english_months: set[str] = set()
    for loc in (notice, Locale("en")):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, loc).items():
                    word = fold(name).rstrip(".")
                    months.setdefault(word, month)
                    (wide if width == "wide" else short).add(word)
                    if loc.language == "en":
                        english_months.add(word)
        for word, month in INFORMAL_MONTHS.get(loc.language, {}).items():
            months.setdefault(word, month)
            short.add(word)
            if loc.language == "en":
                english_months.add(word)
    # A dot after an abbreviation belongs to it; after a whole word it ends a sentence.
    abbreviations = short - wide
    wide_months = set(months) - abbreviations
    month_re = (rf"(?P<m>(?:{_alternation(wide_months)}){ALNUM_AFTER}"
                rf"|(?:{_alternation(set(months) - wide_months)})\.?{ALNUM_AFTER})")
    # "Mar 17" is March in English but Tuesday the 17th in Spanish: weekday words win.
    month_first_words = english_months - set(weekdays)
    month_first_re = rf"(?P<m>(?:{_alternation(month_first_words)})\.?{ALNUM_AFTER})"
    year_tail = rf"(?:(?:\s*,\s*|\s+|-)(?:(?:de|del|of)\s+)?(?P<y>{YEAR4})(?!\d|[.,:/]\d))?"
    names = _weekday_alternation(weekdays)
    digits = tail = ""
    if notice.language == "pt":   # "3ª-feira", "3.ª feira"; a bare "3ª" only when no word follows ("3ª via")
        feira = r"[2-6]\.?\s?[ªº°a][\s-]?feira"
        # Each digit is an alternative of its own, so that every alternative starts with a letter or digit:
        # the regex engine then skips ahead to the characters a weekday can start with.  What follows a digit
        # is written once, after the alternatives, for a digit alone (no Portuguese or English name ends with one:
        # tests/test_dates_in_text.py): five copies of it, each holding every name, took half the time of
        # compiling this language's regexes.
        digits = "|" + "|".join("23456")
        tail = (rf"(?:(?<![2-6])|(?<=[2-6])(?:\.?\s?[ªº°a][\s-]?feira|\.?ª(?=\s*(?:[^\w\s]|\d|$)"
                rf"|\s+(?:a|ao|ate|e|ou)\s+(?:{feira}|[2-6]\.?ª|{names}){ALNUM_AFTER})))")
    # Without the look-behind that a word must not go on before it: see word_starts.
    weekday_re = re.compile(rf"(?:{names}{digits}){tail}{ALNUM_AFTER}")
    slash = r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d\d))?"
    shapes = (
        ("day_first", rf"(?<![^\W_])(?<![/.:#@+$%&=])(?<!\d,)(?P<d>[0-3]?\d)(?:st|nd|rd|th|\.?[º°]|o)?"
                      rf"(?:\s+(?:(?:de|del|of)\s+)?|-){month_re}{year_tail}"),
        ("month_first", rf"{NUM_BEFORE}{month_first_re}\s+(?P<days>{DAY_LIST})"
                        rf"(?![^\W_]|[.,:/]\d){year_tail}"),
        ("iso", rf"{NUM_BEFORE}(?P<y>{YEAR4})(?P<sep>[-/])(?P<b>\d{{1,2}})(?P=sep)(?P<a>\d{{1,2}})"
                rf"(?=t\d|{NUM_AFTER})"),
        ("slash", rf"{NUM_BEFORE}{slash}(?:\s*[-–—]\s*(?P<tail>\d{{1,2}}/\d{{1,2}}(?:/(?:\d{{4}}|\d\d))?))?{NUM_AFTER}"),
        ("dotted", rf"{NUM_BEFORE}(?P<a>\d\d)\.(?P<b>\d\d)\.(?P<y>\d{{4}}){NUM_AFTER}"),
        ("hyphen", rf"{NUM_BEFORE}(?P<a>\d{{1,2}})-(?P<b>\d{{1,2}})-(?P<y>\d{{4}}){NUM_AFTER}"),
    )
    # Each shape starts with a digit, or a month's name: testing that first character before
    # the lookbehinds makes the scan of a text about a third faster.
    month_initials = "".join(sorted({word[0] for word in month_first_words}))
    first = {"month_first": rf"(?=[{re.escape(month_initials)}])"}
    pattern = get_date_format("short", locale=notice).pattern
    return Vocabulary(
        locale=notice, weekdays=weekdays, months=months, abbreviations=frozenset(abbreviations),
        month_first=pattern.find("M") < pattern.find("d"), weekday_re=weekday_re,
        shapes=tuple((name, re.compile(first.get(name, r"(?=\d)") + regex)) for name, regex in shapes))


# What weekday_of reads as an ordinal weekday ("3ª", "4.ª-feira", "2a feira"), when it holds "ª" or "feira".
ORDINAL = re.compile(r"([2-6])\.?\s?[ªº°a]?(?:[\s-]?feira)?")
FEIRA = re.compile(r"[\s-]?feira$")


def weekday_of(token: str, vocabulary: Vocabulary | WeekdayWords) -> int | None:
    """Return 0..6 for a folded weekday token found by the vocabulary's regex."""
    token = token.rstrip(".")
    ordinal = ORDINAL.fullmatch(token)
    if ordinal and ("ª" in token or "feira" in token):
        return int(ordinal.group(1)) - 2        # 2ª = segunda = Monday
    return vocabulary.weekdays.get(FEIRA.sub("-feira", token))


def parse_weekday(word: str, langs) -> int | None:
    """Return the weekday (Monday = 0) that `word` names in any of `langs` or in English, else None."""
    folded = fold(word.strip())
    token = folded.rstrip(".")
    for lang in ([langs] if isinstance(langs, str) else list(langs)) or ["en"]:
        found = weekday_of(folded, weekday_words(lang))
        if found is None:
            continue
        # A word of the vocabulary always matches its weekday regex, so the regex (and the date shapes built
        # with it) is needed only for an ordinal, which only some languages read ("3ª" is Portuguese).
        ordinal = ORDINAL.fullmatch(token)
        if not (ordinal and ("ª" in token or "feira" in token)) or vocabulary_of(lang).weekday_re.fullmatch(token):
            return found
    return None
