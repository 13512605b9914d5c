"""Finding dates written in prose and checking them against the calendar.

Staff write "fechado em 17 de Setembro de 2017, Terça-Feira" and get the weekday or
the month wrong.  `find_dates` reads the dates of a text in the notice's language and
in English, with any weekday written right beside them; `check_dates` turns what cannot
be right into SourceErrors.  A false alarm teaches people to ignore the checker, so
anything that is not clearly a date (a version, an IP address, `24/7`, `3ª via`) is
left alone rather than guessed at.

Rules, each tested in tests/test_dates_in_text.py:
- Names of weekdays and months come from CLDR (Babel: wide and abbreviated, format and
  stand-alone), compared without case or accents; only informal spellings are added
  here ("tues", "2ª-feira", "3.ª feira", "terca feira", "setiembre").  Abbreviations that
  are also words ("ter", "dom", "mar", "sun", "sat", "wed", "may") count only when
  capitalised or followed by their dot.  A bare ordinal ("3ª") is a weekday only when no
  word follows it.
- Numeric dates follow the order of the language's CLDR short date format: month first
  for `en` and `en-US`, day first for `pt-BR`, `pt-PT`, `es` and `en-GB`.  A date with a
  year that is impossible in that order but possible in the other ("17/10/2017" in an
  `en-US` notice) is read in the other order.  ISO dates are year-month-day everywhere;
  dotted dates (`17.10.2017`) are always day first and need two-digit day and month and
  a four-digit year.  Without a year the month needs two digits ("3/10" is a fraction),
  unless the date follows "dia" or has a weekday beside it; `24/7` is never a date.
- A number glued to letters, `/ . : # @ + $ % & = -`, right after a word such as
  versão, nota, página, chamado, Rua, Av., Ponte, Windows, or right before a unit such
  as Mbps, is not a date.  Code, addresses, e-mail and HTML are not read at all.
- A date without a year takes the reference's year, the one before or the one after,
  whichever puts it nearest to the reference; at equal distance, the later one.
- A weekday belongs to a date only when written right beside it: nothing between them
  but spaces, a line break inside one Markdown block, `, : ( ) [ ] | * _ - – —` and the
  words de, del, dia, el, on, the, em, no, na.  Weekdays joined as a range or list
  ("de segunda a sexta") belong to dates joined the same way and pair off in order
  (a range's ends with a list's ends); otherwise they belong to none.  A weekday between
  two dates goes to the one it fits, else to the date before "(" it closes, else to the
  side without punctuation, else to the date before it.
- Bare days before a dated day share its month and year: "19 a 30 de outubro",
  "21 e 22/10", "17, 18 e 19 de outubro"; "de X a Y", "X–Y" and "entre X e Y" are ranges.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Sequence

from babel import Locale, UnknownLocaleError
from babel.dates import get_date_format, get_day_names, get_month_names

from .errors import ERROR, WARNING, SourceError


@dataclass(frozen=True, slots=True)
class ProseDate:
    """A date found in text, with the weekday written beside it, if any."""

    line: int                        # 1-based, of the match start in the given text
    column: int
    text: str                        # the matched text ("17 de Setembro de 2017", or "19" of "19 a 30/10")
    day: date | None                 # None when the written date does not exist
    weekday_written: str | None      # the weekday word as written ("Terça-Feira"), if any
    weekday: int | None = None       # that word read as 0..6, Monday = 0
    written: str = ""                # the whole date as read ("19/10" for the 19 of "19 a 30/10")
    parts: tuple[int, int, int] = (0, 0, 0)   # (year, month, day) as read, the year maybe inferred
    year_inferred: bool = False
    offset: int = 0                  # 0-based offset of the match in the given text
    range: tuple[date, date] | None = None    # both ends, when the date is an end of "X to Y"


# Informal spellings CLDR does not list; the CLDR names themselves are never written out here.
_INFORMAL_WEEKDAYS = {"en": {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}}
_INFORMAL_MONTHS = {"es": {"setiembre": 9}, "en": {"sept": 9}}
# Abbreviations that are also ordinary words ("ter" = to have, "sun", "wed"): read only
# when capitalised or written with the abbreviation's dot.
_WORDLIKE_ABBREVIATIONS = frozenset(("ter", "dom", "mar", "sun", "sat", "wed", "may"))
# A number right after these words is a version, score, page, ticket or street, not a date.
_NUMBER_WORDS = frozenset((
    "v", "ver", "versao", "version", "release", "build", "rev", "nota", "score", "rating",
    "avaliacao", "calificacion", "puntuacion", "pagina", "page", "pag", "parte", "part",
    "passo", "step", "etapa", "item", "n", "nº", "n°", "nr", "num", "numero", "number",
    "ticket", "chamado", "protocolo", "pedido", "ordem", "order", "fatura", "invoice",
    "processo", "lote", "rua", "r", "av", "avenida", "avda", "praca", "plaza", "largo",
    "alameda", "travessa", "estrada", "rodovia", "calle", "paseo", "ponte", "puente",
    "bairro", "barrio", "colonia", "vila", "villa", "parque", "escola", "colegio", "hospital",
    "porta", "port", "puerto", "slot", "interface", "windows", "explorer", "office", "debian", "ubuntu",
    "macos", "ios", "android", "iphone", "ipad", "galaxy",
))
# ... and one right before these is a speed, size or count: "plano 20/10 Mbps".
_UNIT_WORDS = frozenset((
    "mbps", "kbps", "gbps", "mb", "gb", "kb", "tb", "mega", "megas", "giga", "gigas", "mhz", "ghz",
    "ms", "vezes", "parcelas", "times", "veces", "cuotas",
))
_NOT_WEEKDAY_AFTER = frozenset(("santo", "san", "sao"))   # "Santo Domingo, 17/10"
_DAY_WORDS = frozenset(("dia", "dias"))                   # "dia 3/1" is a date, "3/1" alone is not
_RANGE_WORDS = ("a", "ao", "ate", "al", "hasta", "to", "through", "thru", "till", "until")
_LIST_WORDS = ("e", "y", "and", "or", "ou", "o")
_TIE_WORDS = ("de", "del", "dia", "el", "on", "the", "em", "no", "na")

_ALNUM_BEFORE = r"(?<![^\W_])"
_ALNUM_AFTER = r"(?![^\W_])"
_NUM_BEFORE = _ALNUM_BEFORE + r"(?<![/.:#@+$%&=\\-])(?<!\d,)"
_NUM_AFTER = r"(?![^\W_]|[/%]|[.,:-][^\W_])"
_YEAR4 = r"(?:19|20|21)\d\d"
_DAY = r"[0-3]?\d(?:st|nd|rd|th|\.?[º°]|o(?![^\W_]))?(?!\d)"
_CONJ = rf"(?:\s*[-–—]\s*|\s+(?:{'|'.join(_RANGE_WORDS + _LIST_WORDS)})\s+)"
_DAY_LIST = rf"{_DAY}(?:(?:\s*,\s*{_DAY})*{_CONJ}{_DAY})?"
_DATE_JOIN = re.compile(rf"(?:\s*,\s*|\s*,?{_CONJ})")
_WEEKDAY_JOIN = re.compile(rf"(?:\s*[,/&]\s*|\s*,?{_CONJ})")
_TIE_GAP = re.compile(rf"(?:[\s,:|*_()\[\]—–-]|\b(?:{'|'.join(_TIE_WORDS)})\b)*")
_BLOCK_START = re.compile(r"[ \t]*(?:[-*+>#|]|\d+[.)][ \t]|$)")   # list item, quote, heading, table row, blank
_BLOCK_LINE = re.compile(r"[ \t]*(?:[#|]|$)")                      # heading, table row, blank: end at the break
_MASKS = re.compile(
    r"^(```|~~~)[^\n]*\n.*?^\1[^\n]*$"            # fenced code
    r"|`[^`\n]+`"                                 # inline code
    r"|(?:https?|ftp)://\S+|www\.\S+"             # addresses
    r"|(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++"  # e-mail
    r"|\]\([^()\s]*\)|<[^<>\s]+>|<[a-z/!][^<>\n]*>"  # link targets, autolinks, HTML tags
    r"|(?<![\w.-])[\w-]++(?:\.[\w-]++)++/\S*",       # example.com/path
    # (no part may run over where another could start: rescanning from each would be quadratic;
    # the runs are possessive, ++, since giving back a character could never let them match)
    re.S | re.M)
# A text without one of these has nothing to mask: the scan above is skipped.
_MASK_SIGNS = ("`", "~", "@", "<", "]", "/", "www.")


@dataclass(frozen=True)
class _Vocabulary:
    """Weekday and month words of one notice language plus English, and the regexes built from them."""

    locale: Locale
    weekdays: dict        # folded word -> 0..6
    months: dict          # folded word -> 1..12
    abbreviations: frozenset
    month_first: bool
    weekday_re: re.Pattern
    shapes: tuple         # (name, compiled regex)


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError) as error:
        raise ValueError(f"unknown language {lang!r}") from error


def _fold(text: str) -> str:
    """Return text in lower case without accents (ª and º are kept: they are not accents)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _weekday_alternation(words) -> str:
    # "terca-feira" is also written "terca feira" and "tercafeira"
    return "|".join(re.escape(w[:-6]) + r"[\s-]?feira" if w.endswith("-feira") else re.escape(w)
                    for w in sorted(words, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=32)   # a memo of a pure function: one vocabulary per language
def _vocabulary(lang: str) -> _Vocabulary:
    notice = _locale(lang)
    weekdays: dict[str, int] = {}
    months: dict[str, int] = {}
    wide: set[str] = set()
    short: set[str] = set()
    english_months: set[str] = set()
    for loc in (notice, Locale("en")):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for index, name in get_day_names(width, context, loc).items():
                    word = _fold(name).rstrip(".")
                    weekdays.setdefault(word, index)
                    (wide if width == "wide" else short).add(word)
                    if word.endswith("-feira"):
                        weekdays.setdefault(word[:-6], index)   # "terça" for "terça-feira"
                        wide.add(word[:-6])
                for month, name in get_month_names(width, context, loc).items():
                    word = _fold(name).rstrip(".")
                    months.setdefault(word, month)
                    (wide if width == "wide" else short).add(word)
                    if loc.language == "en":
                        english_months.add(word)
        for word, index in _INFORMAL_WEEKDAYS.get(loc.language, {}).items():
            weekdays.setdefault(word, index)
            short.add(word)
        for word, month in _INFORMAL_MONTHS.get(loc.language, {}).items():
            months.setdefault(word, month)
            short.add(word)
            if loc.language == "en":
                english_months.add(word)
    # A dot after an abbreviation belongs to it; after a whole word it ends a sentence.
    abbreviations = short - wide
    wide_months = set(months) - abbreviations
    month_re = (rf"(?P<m>(?:{_alternation(wide_months)}){_ALNUM_AFTER}"
                rf"|(?:{_alternation(set(months) - wide_months)})\.?{_ALNUM_AFTER})")
    # "Mar 17" is March in English but Tuesday the 17th in Spanish: weekday words win.
    month_first_words = english_months - set(weekdays)
    month_first_re = rf"(?P<m>(?:{_alternation(month_first_words)})\.?{_ALNUM_AFTER})"
    year_tail = rf"(?:(?:\s*,\s*|\s+|-)(?:(?:de|del|of)\s+)?(?P<y>{_YEAR4})(?!\d|[.,:/]\d))?"
    names = _weekday_alternation(weekdays)
    ordinals = ""
    if notice.language == "pt":   # "3ª-feira", "3.ª feira"; a bare "3ª" only when no word follows ("3ª via")
        feira = r"[2-6]\.?\s?[ªº°a][\s-]?feira"
        # One pair of alternatives per digit, so that every alternative starts with a letter or digit
        # of its own: the regex engine then skips ahead to the characters a weekday can start with.
        ordinals = "".join(
            rf"|{digit}\.?\s?[ªº°a][\s-]?feira|{digit}\.?ª(?=\s*(?:[^\w\s]|\d|$)"
            rf"|\s+(?:a|ao|ate|e|ou)\s+(?:{feira}|[2-6]\.?ª|{names}){_ALNUM_AFTER})"
            for digit in "23456")
    # Without the look-behind that a word must not go on before it: see _word_starts.
    weekday_re = re.compile(rf"(?:{names}{ordinals}){_ALNUM_AFTER}")
    slash = r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d\d))?"
    shapes = (
        ("day_first", rf"(?<![^\W_])(?<![/.:#@+$%&=])(?<!\d,)(?P<d>[0-3]?\d)(?:st|nd|rd|th|\.?[º°]|o)?"
                      rf"(?:\s+(?:(?:de|del|of)\s+)?|-){month_re}{year_tail}"),
        ("month_first", rf"{_NUM_BEFORE}{month_first_re}\s+(?P<days>{_DAY_LIST})"
                        rf"(?![^\W_]|[.,:/]\d){year_tail}"),
        ("iso", rf"{_NUM_BEFORE}(?P<y>{_YEAR4})(?P<sep>[-/])(?P<b>\d{{1,2}})(?P=sep)(?P<a>\d{{1,2}})"
                rf"(?=t\d|{_NUM_AFTER})"),
        ("slash", rf"{_NUM_BEFORE}{slash}(?:\s*[-–—]\s*(?P<tail>\d{{1,2}}/\d{{1,2}}(?:/(?:\d{{4}}|\d\d))?))?{_NUM_AFTER}"),
        ("dotted", rf"{_NUM_BEFORE}(?P<a>\d\d)\.(?P<b>\d\d)\.(?P<y>\d{{4}}){_NUM_AFTER}"),
        ("hyphen", rf"{_NUM_BEFORE}(?P<a>\d{{1,2}})-(?P<b>\d{{1,2}})-(?P<y>\d{{4}}){_NUM_AFTER}"),
    )
    # Each shape starts with a digit, or a month's name: testing that first character before
    # the lookbehinds makes the scan of a text about a third faster.
    month_initials = "".join(sorted({word[0] for word in month_first_words}))
    first = {"month_first": rf"(?=[{re.escape(month_initials)}])"}
    pattern = get_date_format("short", locale=notice).pattern
    return _Vocabulary(
        locale=notice, weekdays=weekdays, months=months, abbreviations=frozenset(abbreviations),
        month_first=pattern.find("M") < pattern.find("d"), weekday_re=weekday_re,
        shapes=tuple((name, re.compile(first.get(name, r"(?=\d)") + regex)) for name, regex in shapes))


def _weekday_of(token: str, vocabulary: _Vocabulary) -> int | None:
    """Return 0..6 for a folded weekday token found by the vocabulary's regex."""
    token = token.rstrip(".")
    ordinal = re.fullmatch(r"([2-6])\.?\s?[ªº°a]?(?:[\s-]?feira)?", token)
    if ordinal and ("ª" in token or "feira" in token):
        return int(ordinal.group(1)) - 2        # 2ª = segunda = Monday
    token = re.sub(r"[\s-]?feira$", "-feira", token)
    return vocabulary.weekdays.get(token)


def parse_weekday(word: str, langs) -> int | None:
    """Return the weekday (Monday = 0) that `word` names in any of `langs` or in English, else None."""
    folded = _fold(word.strip())
    for lang in ([langs] if isinstance(langs, str) else list(langs)) or ["en"]:
        vocabulary = _vocabulary(lang)
        if vocabulary.weekday_re.fullmatch(folded.rstrip(".")):
            found = _weekday_of(folded, vocabulary)
            if found is not None:
                return found
    return None


# --- reading a text -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Text:
    """A text folded for matching, with the way back to the original's offsets."""

    original: str
    folded: str          # lower case, no accents; code, addresses and tags blanked out
    origin: Sequence[int]   # folded offset -> original offset, plus one entry for the end
    line_starts: tuple

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1

    def piece(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _prepare(text: str) -> _Text:
    # Every character other than ASCII is folded once (str.replace), then the whole text is
    # lowered; the character-by-character way back is needed only when folding changes a
    # character's length (rare: "ß", ligatures).
    folds = {} if text.isascii() else {char: _fold(char) for char in set(_NOT_ASCII.findall(text))}
    if all(len(value) == 1 for value in folds.values()):
        joined = text
        for char, folded in folds.items():
            joined = joined.replace(char, folded)
        joined = joined.lower()
        origin: Sequence[int] = range(len(text) + 1)
    else:
        chars: list[str] = []
        positions: list[int] = []
        for index, char in enumerate(text):
            folded = char.lower() if char < "\x80" else _fold(char)
            chars.extend(folded)
            positions.extend([index] * len(folded))
        positions.append(len(text))
        joined, origin = "".join(chars), tuple(positions)
    if any(sign in joined for sign in _MASK_SIGNS):
        joined = _MASKS.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), joined)
    folded = _mark_block_ends(joined)
    starts = (0,) + tuple(found.end() for found in re.finditer("\n", text))
    return _Text(text, folded, origin, starts)


def _mark_block_ends(folded: str) -> str:
    """Turn each line break that ends a Markdown block into a NUL, which no phrase crosses.

    A block ends at a blank line, after a heading or table row, and before a list item,
    heading, table row or quote; other line breaks only wrap a paragraph.
    """
    pieces = []
    lines = folded.split("\n")
    for line, following in zip(lines, lines[1:]):
        pieces.append(line)
        pieces.append("\0" if _BLOCK_LINE.match(line) or _BLOCK_START.match(following) else "\n")
    pieces.append(lines[-1])
    return "".join(pieces)


def _previous_word(folded: str, start: int) -> str:
    """Return the word just before `start`, skipping spaces and one of `. : #`."""
    found = re.search(r"([^\W\d_]+)[°]?\.?\s*[:#]?\s*$", folded[max(0, start - 30):start])
    return found.group(1) if found else ""


def _next_word(folded: str, end: int) -> str:
    """Return the word just after `end`, skipping spaces."""
    found = re.match(r"\s*([^\W\d_]+)", folded[end:end + 30])
    return found.group(1) if found else ""


def infer_year(month: int, day: int, reference: date) -> int:
    """Return the year (reference's, or one either side) putting month/day nearest to reference."""
    def distance(year: int) -> tuple[int, int]:
        near = date(year, month, min(day, calendar.monthrange(year, month)[1]))
        return abs((near - reference).days), -year     # at equal distance, the later year
    return min((reference.year - 1, reference.year, reference.year + 1), key=distance)


@dataclass(slots=True)
class _Item:
    """A date while it is being read; becomes a ProseDate."""

    start: int
    end: int
    ymd: tuple[int, int, int]
    year_inferred: bool
    written: str
    weak: bool = False                 # "3/1": only a date with a weekday beside it or after "dia"
    weekday: int | None = None
    weekday_written: str | None = None
    range: tuple[date, date] | None = None

    @property
    def day(self) -> date | None:
        year, month, day = self.ymd
        return date(year, month, day) if day <= calendar.monthrange(year, month)[1] else None


@dataclass(slots=True)
class _Weekday:
    """A weekday word found in the text."""

    start: int
    end: int
    index: int
    written: str


@dataclass(slots=True)
class _Run:
    """Dates or weekdays written as one range or list ("19 a 30/10", "segunda a sexta")."""

    kind: str | None                 # "range", "list", or None for a single one
    members: list

    @property
    def start(self) -> int:
        return self.members[0].start

    @property
    def end(self) -> int:
        return self.members[-1].end


def _numbers(first: str, second: str, year: str | None, month_first: bool):
    """Return (month, day, day_first) of a numeric date in the notice's order, or None if none fits."""
    month, day = (int(first), int(second)) if month_first else (int(second), int(first))
    day_first = not month_first
    if year and month > 12 and day <= 12:
        month, day, day_first = day, month, month_first     # "17/10/2017" in a month-first notice
    if not (1 <= month <= 12 and 1 <= day <= 31) or (not year and {first, second} == {"24", "7"}):
        return None
    return month, day, day_first


def _year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) if len(text) == 4 else 2000 + int(text)


def _read_dates(text: _Text, vocabulary: _Vocabulary, reference: date) -> list[_Run]:
    """Return the dates of the text, one run for each match."""
    candidates = []
    # Every shape but month_first starts with a digit that starts a word: trying each shape at
    # those few places finds what finditer would, a good deal faster than scanning every character.
    folded = text.folded
    starts = [start for found in _DIGIT_RUN.finditer(folded)
              if (start := found.start()) == 0 or not folded[start - 1].isalnum()]
    if not starts:
        return []           # every date has a digit that starts a word: its day, or its year
    # The shapes that start with a digit go on with one of these after it (_DATE_START): the
    # others ("500 clientes", "100Mbps") need not be tried shape by shape.
    digits = [start for start in starts if _DATE_START.match(folded, start)]
    for name, regex in vocabulary.shapes:
        found = regex.finditer(folded) if name == "month_first" else _matches_at(regex, folded, digits)
        for match in found:
            if _previous_word(text.folded, match.start()) not in _NUMBER_WORDS \
                    and _next_word(text.folded, match.end()) not in _UNIT_WORDS:
                candidates.append((match.start(), -match.end(), name, match))
    runs, taken_until = [], 0
    for start, _, name, match in sorted(candidates, key=lambda c: c[:2]):   # leftmost, then longest
        if start >= taken_until:
            run = _read_match(text, vocabulary, reference, name, match, taken_until)
            if run:
                runs.append(run)
                taken_until = match.end()
    return runs


# A digit that starts a word is the first of a run of digits, after no letter or digit
# (found this way rather than by a look-behind tried at every character).
_DIGIT_RUN = re.compile(r"\d+")
# How each shape but month_first goes on after its first digits: a day (1-2 digits) then an
# ordinal's ending, a space, "/", "." or "-" (day_first, slash, dotted, hyphen); a year then
# "-" or "/" (iso).
_DATE_START = re.compile(r"\d{1,2}(?:[/.\s\-º°o]|st|nd|rd|th)|\d{4}[-/]")


def _word_starts(regex: re.Pattern, text: str):
    """Yield what regex.finditer(text) yields once each match must not follow a letter or digit.

    The check is made here rather than by a look-behind at the start of the regex, which
    would make the engine try every character instead of skipping to those a match can
    start with.  A match that follows a letter is passed over and looked for again one
    character later, as the look-behind would have done.
    """
    position = 0
    while (match := regex.search(text, position)) is not None:
        start = match.start()
        if start and text[start - 1].isalnum():
            position = start + 1
            continue
        yield match
        position = match.end()


def _matches_at(regex: re.Pattern, text: str, starts: list[int]):
    """Yield what regex.finditer(text) yields when no match can start elsewhere than at `starts` (sorted)."""
    end = 0
    for start in starts:
        if start >= end and (match := regex.match(text, start)):
            end = match.end()
            yield match


def _item(text, start, end, year, month, day, reference, written=None, weak=False) -> _Item:
    inferred = year is None
    if inferred:
        year = infer_year(month, day, reference)
    return _Item(start, end, (year, month, day), inferred, written or text.piece(start, end), weak)


def _read_match(text, vocabulary, reference, name, match, taken_until):
    """Return the dates of one regex match, or None when it is not a date after all."""
    group = match.group
    if name == "month_first":
        word = group("m").rstrip(".")
        if word in _WORDLIKE_ABBREVIATIONS and text.piece(match.start(), match.end())[:1].islower() \
                and not group("m").endswith("."):
            return None                    # "you may 17 ..."
        month, year = vocabulary.months[word], _year(group("y"))
        days = list(re.finditer(r"[0-3]?\d", group("days")))
        if len(days) == 1:
            return _Run(None, [_item(text, match.start(), match.end(), year, month, int(days[0].group()), reference)])
        offset, month_text = match.start("days"), text.piece(match.start("m"), match.end("m"))
        year_text = f", {group('y')}" if group("y") else ""
        items = [_item(text, match.start() if i == 0 else offset + d.start(), offset + d.end(), year, month,
                       int(d.group()), reference, f"{month_text} {d.group()}{year_text}")
                 for i, d in enumerate(days)]
        return _Run(_join_kind(text.folded[offset + days[-2].end():offset + days[-1].start()]), items)
    if name == "day_first":
        month = vocabulary.months[group("m").rstrip(".")]
        items = [_item(text, match.start(), match.end(), _year(group("y")), month, int(group("d")), reference)]
        return _with_day_list(text, reference, items, taken_until)
    if name in ("iso", "dotted"):
        found = _numbers(*((group("b"), group("a")) if name == "iso" else (group("a"), group("b"))),
                         group("y"), name == "iso")
        return found and _Run(None, [_item(text, match.start(), match.end(), int(group("y")), *found[:2], reference)])
    found = _numbers(group("a"), group("b"), group("y"), vocabulary.month_first)
    if not found:
        return None
    month, day, day_first = found
    weak = not group("y") and len(group("a" if vocabulary.month_first else "b")) == 1
    first_end = match.end("y") if group("y") else match.end("b")
    items = [_item(text, match.start(), first_end, _year(group("y")), month, day, reference, weak=weak)]
    if name == "slash" and group("tail"):                       # "19/10-30/10"
        first, second, *year = group("tail").split("/")
        tail = _numbers(first, second, year[0] if year else None, vocabulary.month_first)
        if not tail:
            return None
        items.append(_item(text, match.start("tail"), match.end("tail"), _year(year[0] if year else None),
                           *tail[:2], reference))
        return _Run("range", items)
    return _with_day_list(text, reference, items, taken_until) if day_first else _Run(None, items)


_LIST_PREFIX = re.compile(rf"{_NUM_BEFORE}(?P<days>{_DAY}(?:\s*,\s*{_DAY})*)(?P<conj>{_CONJ})$")


def _with_day_list(text, reference, items, taken_until):
    """Add the bare days written before a day-first date: "19 a 30 de outubro", "21 e 22/10"."""
    full = items[0]
    found = _LIST_PREFIX.search(text.folded, max(taken_until, full.start - 80), full.start)
    if not found or _previous_word(text.folded, found.start()) in _NUMBER_WORDS:
        return _Run(None, items)
    year, month, _ = full.ymd
    full_text = text.piece(full.start, full.end)
    bare = []
    for number in re.finditer(r"[0-3]?\d", found.group("days")):
        if not 1 <= int(number.group()) <= 31:
            return _Run(None, items)
        start = found.start("days") + number.start()
        item = _item(text, start, start + len(number.group()), year, month, int(number.group()), reference,
                     re.sub(r"\d+", number.group(), full_text, count=1))
        item.year_inferred = full.year_inferred
        bare.append(item)
    return _Run(_join_kind(found.group("conj")), bare + items)


def _join_kind(gap: str) -> str:
    words = set(re.findall(r"[^\W\d_]+", gap))
    return "range" if words & set(_RANGE_WORDS) or re.search(r"[-–—]", gap) else "list"


def _read_weekdays(text: _Text, vocabulary: _Vocabulary, covered: bytearray) -> list[_Weekday]:
    """Return the weekday words of the text outside the dates."""
    found = []
    for match in _word_starts(vocabulary.weekday_re, text.folded):
        start, end = match.span()
        if any(covered[start:end]):
            continue
        token = match.group()
        dotted = text.folded[end:end + 1] == "." and token in vocabulary.abbreviations
        written = text.piece(start, end)
        if (token in _WORDLIKE_ABBREVIATIONS and not dotted and written[:1].islower()) \
                or _previous_word(text.folded, start) in _NOT_WEEKDAY_AFTER:
            continue
        index = _weekday_of(token, vocabulary)
        if index is not None:
            found.append(_Weekday(start, end + dotted, index, written))
    return found


def _merge_runs(runs: list[_Run], join: re.Pattern, folded: str) -> list[_Run]:
    """Join neighbouring runs that only `join` separates ("19/10 a 30/10", "sábado e domingo")."""
    merged: list[_Run] = []
    for run in runs:
        gap = folded[merged[-1].end:run.start] if merged else ""
        if not merged or len(gap) > 24 or not join.fullmatch(gap):
            merged.append(run)
            continue
        last = merged[-1]
        if len(last.members) == len(run.members) == 1:
            between = _previous_word(folded, last.start) in ("entre", "between")   # "entre 17/10 e 02/11"
            last.kind = "range" if between else _join_kind(gap)
        else:
            last.kind = "list"
        last.members.extend(run.members)
    return merged


def _pairs(weekdays: _Run, dates: _Run) -> list[tuple] | None:
    """Pair the weekdays of a run with the dates of a run, or None when they do not correspond."""
    if len(weekdays.members) == len(dates.members):
        return list(zip(weekdays.members, dates.members))
    if len(weekdays.members) == 2 and weekdays.kind == "range" and len(dates.members) > 2:
        return [(weekdays.members[0], dates.members[0]), (weekdays.members[1], dates.members[-1])]
    return None       # "terça-feira, 17/10 e 24/10": which of the two?


def _tie(folded: str, date_runs: list[_Run], weekday_runs: list[_Run]) -> None:
    """Give each date the weekday written beside it, if any (see the module's rules)."""
    runs = sorted([(run.start, False, run) for run in date_runs] + [(run.start, True, run) for run in weekday_runs],
                  key=lambda r: r[0])
    for position, (_, is_weekday, run) in enumerate(runs):
        if not is_weekday:
            continue
        options = []      # (gap, pairs, consistent) on the left, then on the right
        for neighbour, left in ((position - 1, True), (position + 1, False)):
            if not 0 <= neighbour < len(runs) or runs[neighbour][1]:
                continue
            dates = runs[neighbour][2]
            gap = folded[dates.end:run.start] if left else folded[run.end:dates.start]
            pairs = _pairs(run, dates) if len(gap) <= 24 and _TIE_GAP.fullmatch(gap) else None
            if pairs and all(item.weekday is None for _, item in pairs):
                consistent = all(item.day is not None and item.day.weekday() == day.index for day, item in pairs)
                options.append((gap, pairs, consistent))
        if not options:
            continue
        chosen = options[0]
        if len(options) == 2:
            (left_gap, _, left_ok), (right_gap, _, right_ok) = options
            if left_ok != right_ok:
                chosen = options[0] if left_ok else options[1]      # never a false alarm when one side fits
            elif left_gap.rstrip().endswith("(") and right_gap.lstrip().startswith(")"):
                chosen = options[0]                                 # "17/10 (terça), 18/10"
            elif re.search(r"[,:|()\[\]—–-]", left_gap) and not re.search(r"[,:|()\[\]—–-]", right_gap):
                chosen = options[1]                                 # "17/10, terça 18/10"
        for day, item in chosen[1]:
            item.weekday, item.weekday_written = day.index, day.written


def _mark_ranges(runs: list[_Run]) -> None:
    for run in runs:
        first, last = run.members[0], run.members[-1]
        if run.kind == "range" and len(run.members) == 2 and first.day and last.day and first.day <= last.day:
            first.range = last.range = (first.day, last.day)


@lru_cache(maxsize=512)
def find_dates(text: str, lang: str, reference: date) -> tuple[ProseDate, ...]:
    """Return the dates written in `text` (in `lang` or English), in order, with their weekdays."""
    vocabulary = _vocabulary(lang)
    prepared = _prepare(text)
    date_runs = _read_dates(prepared, vocabulary, reference)
    if not date_runs:
        return ()           # the weekdays written, if any, are only read beside dates
    covered = bytearray(len(prepared.folded))
    for run in date_runs:
        covered[run.start:run.end] = b"\x01" * (run.end - run.start)
    date_runs = _merge_runs(date_runs, _DATE_JOIN, prepared.folded)
    weekday_runs = [_Run(None, [day]) for day in _read_weekdays(prepared, vocabulary, covered)]
    _tie(prepared.folded, date_runs, _merge_runs(weekday_runs, _WEEKDAY_JOIN, prepared.folded))
    _mark_ranges(date_runs)
    found = []
    for run in date_runs:
        for item in run.members:
            if item.weak and item.weekday is None and _previous_word(prepared.folded, item.start) not in _DAY_WORDS:
                continue
            start, _end = prepared.span(item.start, item.end)
            line = bisect_right(prepared.line_starts, start)
            found.append(ProseDate(
                line=line, column=start - prepared.line_starts[line - 1] + 1, text=text[start:_end],
                day=item.day, weekday_written=item.weekday_written, weekday=item.weekday,
                written=item.written, parts=item.ymd, year_inferred=item.year_inferred, offset=start,
                range=item.range))
    return tuple(sorted(found, key=lambda d: d.offset))


# --- checking -------------------------------------------------------------------------


def _english_weekday(index: int) -> str:
    return get_day_names("wide", locale="en")[index]


def _english_month(month: int) -> str:
    return get_month_names("wide", locale="en")[month]


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _shift_months(day: date, months: int) -> date | None:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, day.day) if day.day <= calendar.monthrange(year, month + 1)[1] else None


def weekday_mismatch_hint(day: date, weekday: int, lang: str, period, *, reference: date | None = None) -> str:
    """Return the date most likely meant when `day` was written with `weekday` (Monday = 0).

    Candidates have the written weekday and the same day of the month one or two months or
    a year away, or lie within a week of `day`.  The first of these rules that separates
    them decides: inside `period` (inclusive) when given; within half a year of
    `reference` (the notice's date) when given, since a notice is about the days around
    it; a slip of one month or one year (the copied notice whose weekday was updated but
    not its month), then a day within the week, then a slip of two months; nearest to `day`.
    """
    _locale(lang)   # the hint is in English like the messages; the language is only checked
    if weekday == day.weekday():
        raise ValueError(f"{day.isoformat()} is a {_english_weekday(weekday)}: there is no mismatch")
    kinds = ((0, (-1, 1, -12, 12)), (2, (-2, 2)))
    candidates = [(kind, _shift_months(day, months)) for kind, shifts in kinds for months in shifts]
    candidates += [(1, day + timedelta(days=(weekday - day.weekday()) % 7)),
                   (1, day - timedelta(days=(day.weekday() - weekday) % 7))]
    candidates = [(kind, c) for kind, c in candidates if c is not None and c != day and c.weekday() == weekday]

    def inside(candidate: date) -> bool:
        return period is not None and period[0] <= candidate <= period[1]

    def rank(candidate: tuple[int, date]) -> tuple:
        kind, when = candidate
        far = reference is not None and abs((when - reference).days) > 183
        return not inside(when), far, kind, abs((when - day).days), when
    _, best = min(candidates, key=rank)
    said = f"{best.isoformat()} is a {_english_weekday(weekday)}"
    if inside(best):
        return f"{said} and lies inside the notice's period"
    if period is not None:
        # A guess outside the period would be a second mistake: say so rather than propose it.
        return (f"no {_english_weekday(weekday)} near it lies inside the notice's period "
                f"({period[0].isoformat()} to {period[1].isoformat()}): check the weekday, or the date and the period")
    if best.day != day.day:
        meant = f"the {_ordinal(best.day)}" if best.month == day.month else f"{_english_month(best.month)} {best.day}"
        meant += f", {best.year}" if best.year != day.year else ""
    elif best.month != day.month:
        meant = _english_month(best.month) + (f" {best.year}" if best.year != day.year else "")
    else:
        meant = str(best.year)
    return f"{said} (did you mean {meant}?)"


def _shown(found: ProseDate) -> str:
    """Return the date as written, with the year it was read in when the text left it out."""
    if found.year_inferred and found.day is not None:
        return f"{found.written} ({found.day.isoformat()})"
    return found.written


def check_dates(text: str, lang: str, reference: date, path: str, line_offset: int = 0,
                period: tuple[date, date] | None = None,
                acknowledged: frozenset[date] = frozenset()) -> tuple[SourceError, ...]:
    """Return the problems of the dates in `text`: days that do not exist, weekdays that do not
    match (errors) and days outside `period` but not `acknowledged` (warnings), placed at
    line_offset + their line."""
    local = _vocabulary(lang).locale
    problems = []
    for found in find_dates(text, lang, reference):
        line = line_offset + found.line
        if found.day is None:
            year, month, _ = found.parts
            problems.append(SourceError(
                path, line, found.column,
                f"{found.written} does not exist: {_english_month(month)} {year} has "
                f"{calendar.monthrange(year, month)[1]} days", None, ERROR))
            continue
        if found.weekday is not None and found.weekday != found.day.weekday():
            actual = found.day.weekday()
            name = _english_weekday(actual)
            if local.language != "en":
                name += f" ({get_day_names('wide', locale=local)[actual]})"
            problems.append(SourceError(
                path, line, found.column, f"{_shown(found)} is a {name}, not {found.weekday_written}",
                weekday_mismatch_hint(found.day, found.weekday, lang, period, reference=reference), ERROR))
            continue    # one word per date: the weekday's hint already says which day may be meant
        if period is not None and not period[0] <= found.day <= period[1] and found.day not in acknowledged:
            problems.append(SourceError(
                path, line, found.column,
                f"{_shown(found)} lies outside the notice's period "
                f"({period[0].isoformat()} to {period[1].isoformat()})",
                f"check the date; if it is meant, add it to the front matter: "
                f"prose_dates_ok: [{found.day.isoformat()}]", WARNING))
    return tuple(sorted(problems, key=SourceError.sort_key))
