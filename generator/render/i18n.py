"""Languages: gettext catalogs for the templates, and Babel formats for dates, times and zones.

Catalogs are the `.po` files under `generator/locale/<locale>/LC_MESSAGES/`, which translators edit, and the
`.mo` files compiled from them beside them (`pybabel compile -D messages -d generator/locale`), which a build
reads: parsing a `.po` file with Babel costs some 20 ms a language, with the email package Babel reads its
header with, where gettext reads a `.mo` file in well under 1 ms (tests/test_render_html.py holds the two
to the same messages). English is the msgid itself and needs no catalog.
"""

from __future__ import annotations

import gettext as gettext_module
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    format_timedelta,
    get_datetime_format,
    get_day_names,
    get_timezone_gmt,
    get_timezone_name,
)
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import Translations
from babel.units import format_unit
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from generator.model import Interval
from generator.render.bounds import checked_binop

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
# fmt.items lists at most this many: the pages list some tens (departments, channels, languages).
MAX_LISTED = 1_000
# Zones that CLDR names after no region: Babel calls them "Unknown Region (UTC) Time".
REGIONLESS_ZONES = ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Etc/Zulu")


@lru_cache(maxsize=64)
def locale_of(lang: str) -> Locale:
    """Return Babel's Locale of a language tag, parsed once: Babel's functions take it as it is,
    where a name would be parsed again on every call."""
    return Locale.parse(lang, sep="-")


def babel_locale(lang: str) -> str:
    """Return Babel's name of a language tag: 'pt-BR' -> 'pt_BR', 'en' -> 'en'."""
    return str(locale_of(lang))


class Catalog(Translations):
    """A language's compiled messages, and a digest of them (`messages_digest`) that says when they changed."""

    messages_digest: str = ""


@lru_cache(maxsize=8)
def read_catalogs(locale_dir: Path = LOCALE_DIR) -> Mapping[str, Catalog]:
    """Return every `<locale>/LC_MESSAGES/messages.mo` below `locale_dir` as a Catalog, by locale, each read
    when it is first looked up.

    The catalogs ship with the package and do not change while it runs, so every
    renderer of a build shares one reading of them; a rebuild of a site in one language
    reads one file.
    """
    return _Catalogs({mo_path.parent.parent.name: mo_path
                      for mo_path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))})


class _Catalogs(Mapping):
    """The catalogs by locale, each read from its .mo file (`paths`) on its first lookup, then kept."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self._paths = paths
        self._read: dict[str, Catalog] = {}

    def __getitem__(self, locale: str) -> Catalog:
        if locale not in self._read:
            self._read[locale] = read_catalog(self._paths[locale].read_bytes())
        return self._read[locale]

    def __iter__(self):
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, locale: object) -> bool:
        return locale in self._paths


def read_catalog(compiled: bytes) -> Catalog:
    """Return the Catalog of a compiled (.mo) catalog's bytes, with their digest as its messages' digest.

    The .mo file is made once from its .po file and kept, so its bytes change only when a
    message (or the header, which a compilation stamps with the time) changes: a digest that
    changes too often costs a compilation of the templates, never a word.
    """
    catalog = Catalog(BytesIO(compiled), domain=DOMAIN)
    catalog.messages_digest = hashlib.sha256(compiled).hexdigest()
    return catalog


ENGLISH = gettext_module.NullTranslations()


def messages_digest(translations: gettext_module.NullTranslations) -> str:
    """Return the digest of a catalog's messages ('' for the English msgids, which have none).

    Raise TypeError for translations that read_catalogs did not make: their messages cannot
    be told apart, and compiled templates keyed by them could carry another catalog's words.
    """
    if isinstance(translations, Catalog):
        return translations.messages_digest
    if type(translations) is gettext_module.NullTranslations:
        return ""
    raise TypeError(f"no digest of the messages of {type(translations).__name__}: "
                    "catalogs are made by i18n.read_catalogs or i18n.read_catalog")


def translations_for(catalogs: Mapping[str, gettext_module.NullTranslations],
                     lang: str) -> gettext_module.NullTranslations:
    """Return the catalog of `lang`, else one of its base language, else the English msgids."""
    locale = babel_locale(lang)
    if locale in catalogs:
        return catalogs[locale]
    base = locale.split("_")[0]
    for name in sorted(catalogs):
        if name.split("_")[0] == base:
            return catalogs[name]
    return ENGLISH


@lru_cache(maxsize=16)
def template_gettext(translations: gettext_module.NullTranslations) -> dict[str, Callable]:
    """Return `gettext`, `ngettext`, `_`, `pgettext` and `npgettext` for templates, in Jinja2's newstyle.

    Newstyle means: the result is marked safe when autoescaping, and `%(name)s`
    placeholders are filled from keyword arguments, which are escaped.  Each
    language's environment has them as globals (render/frame.py), and folds the
    constant messages into its compiled templates (render/folding.py) the same way.
    The functions are made once per catalog and keep each message without
    placeholders once translated: a site of many pages asks for the same few
    dozen words tens of thousands of times.  Their `%` is a template's `%`, bounded as
    the sandbox bounds it (render/bounds.py): a message is a template's text too.
    """
    plain: dict[tuple[str, bool], str] = {}

    def formatted(text: str, variables: dict, autoescape: bool) -> str:
        if autoescape:
            text = Markup(text)
        # Python's `%`, outside the sandbox's operators: '%(a)300000000s' would make 300 MB.
        checked_binop("%", text, variables)
        return text % variables

    @pass_context
    def gettext(__context: Context, __string: str, **variables: object) -> str:
        autoescape = __context.eval_ctx.autoescape
        if not variables:
            text = plain.get((__string, autoescape))
            if text is None:
                # `% {}` as newstyle does, so that '%%' reads '%' with or without the cache.
                text = plain[(__string, autoescape)] = formatted(translations.gettext(__string), {}, autoescape)
            return text
        return formatted(translations.gettext(__string), variables, autoescape)

    @pass_context
    def ngettext(__context: Context, __singular: str, __plural: str, __num: int,
                 **variables: object) -> str:
        variables.setdefault("num", __num)
        text = translations.ngettext(__singular, __plural, __num)
        return formatted(text, variables, __context.eval_ctx.autoescape)

    # Jinja's own (jinja2.ext's _make_new_pgettext and _make_new_npgettext), formatting through `formatted`.
    @pass_context
    def pgettext(__context: Context, __string_ctx: str, __string: str, **variables: object) -> str:
        variables.setdefault("context", __string_ctx)
        text = translations.pgettext(__string_ctx, __string)
        return formatted(text, variables, __context.eval_ctx.autoescape)

    @pass_context
    def npgettext(__context: Context, __string_ctx: str, __singular: str, __plural: str, __num: int,
                  **variables: object) -> str:
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        text = translations.npgettext(__string_ctx, __singular, __plural, __num)
        return formatted(text, variables, __context.eval_ctx.autoescape)

    return {"gettext": gettext, "ngettext": ngettext, "_": gettext, "pgettext": pgettext, "npgettext": npgettext}


@lru_cache(maxsize=4096)
def _time_interval(locale: str, start: int, end: int) -> str:
    """Format one interval of a day; a schedule repeats a handful of intervals thousands of times."""
    text = format_interval(time(start // 60, start % 60), time(end // 60, end % 60), "Hm", locale=locale)
    return text.replace("\u2009", "\u202f")


@dataclass(frozen=True, slots=True)
class LocaleFormats:
    """Dates, times, intervals, durations and zone names written the way `lang` writes them."""

    lang: str

    # The formats that pages repeat (dates, zone names, language names) are kept once
    # made, per language and value: a LocaleFormats is a value, equal for equal languages, so
    # every page of a language shares the cache.  Each cache is bounded.

    @property
    def locale(self) -> Locale:
        """Return the Babel locale of the language."""
        return locale_of(self.lang)

    @lru_cache(maxsize=4096)
    def day(self, day: date) -> str:
        """Return a short date with its weekday: 'seg., 16 de nov.', 'Mon, Nov 16'."""
        return format_skeleton("MMMEd", day, locale=self.locale)

    @lru_cache(maxsize=4096)
    def day_with_year(self, day: date) -> str:
        """Return a short date with its weekday and year: 'qui., 24 de dez. de 2026', 'Thu, Dec 24, 2026'."""
        return format_skeleton("yMMMEd", day, locale=self.locale)

    @lru_cache(maxsize=4096)
    def date(self, day: date) -> str:
        """Return a short date with its year: '3 de nov. de 2026', 'Nov 3, 2026'."""
        return format_skeleton("yMMMd", day, locale=self.locale)

    @lru_cache(maxsize=4096)
    def date_range(self, first: date, last: date) -> str:
        """Return a range of days, one date when first == last: '24 – 29 de dez. de 2026'.

        As in `interval`, CLDR's thin spaces around the dash become narrow no-break spaces.
        """
        text = format_interval(first, last, "yMMMd", locale=self.locale)
        return text.replace("\u2009", "\u202f")

    @lru_cache(maxsize=4096)
    def full_day(self, day: date) -> str:
        """Return a long date with its weekday: 'segunda-feira, 16 de novembro de 2026'."""
        return format_date(day, "full", locale=self.locale)

    @lru_cache(maxsize=4096)
    def time(self, minutes: int) -> str:
        """Return a time of day given in minutes after midnight, 24-hour: '09:00'."""
        minutes %= 1440
        return format_skeleton("Hm", time(minutes // 60, minutes % 60), locale=self.locale)

    @lru_cache(maxsize=4096)
    def long_date(self, day: date) -> str:
        """Return a long date without its weekday: '16 de novembro de 2026', 'November 16, 2026'."""
        return format_date(day, "long", locale=self.locale)

    def interval(self, interval: Interval) -> str:
        """Return an interval of a day: '09:00 – 12:00' (an end past midnight wraps: '22:00 – 06:00').

        A whole day, 00:00-24:00, reads "24 hours" from the catalog: its wrapped
        ends would be 00:00 and 00:00, which CLDR writes as the single time "00:00".
        CLDR puts thin spaces around the dash, where a line may break; they become
        narrow no-break spaces so that an interval never splits across lines.
        """
        if interval.start % 1440 == 0 and interval.end - interval.start == 1440:
            return self.whole_day()
        return _time_interval(self.locale, interval.start % 1440, interval.end % 1440)

    def whole_day(self) -> str:
        """Return the catalog's words for a day open from midnight to midnight: '24 horas', '24 hours'."""
        return translations_for(read_catalogs(), self.lang).gettext("24 hours")

    def weekdays(self, days: tuple[int, ...], width: str = "abbreviated") -> str:
        """Return a run of weekdays (0 = Monday): 'seg.', 'seg.–sex.'."""
        names = get_day_names(width, locale=self.locale)
        if len(days) == 1:
            return names[days[0]]
        if all(b == a + 1 for a, b in zip(days, days[1:])):
            return f"{names[days[0]]}–{names[days[-1]]}"
        return ", ".join(names[day] for day in days)

    def weekday(self, day: int, width: str = "wide") -> str:
        """Return one weekday's name (0 = Monday)."""
        return get_day_names(width, locale=self.locale)[day]

    @lru_cache(maxsize=4096)
    def zone_name(self, zone: str) -> str:
        """Return a zone's generic name: 'Horário de Brasília', 'Brasília Time'."""
        if zone in REGIONLESS_ZONES:
            return "UTC"
        return get_timezone_name(ZoneInfo(zone), locale=self.locale)

    def utc_offset(self, instant: datetime, zone: str) -> str:
        """Return the zone's offset from UTC at an instant: 'GMT-03:00'."""
        text = get_timezone_gmt(instant.astimezone(ZoneInfo(zone)), "long", locale=self.locale)
        # CLDR 48 (Babel 2.19) moved Portuguese's GMT after the offset: "-03:00 GMT". Brazilian and
        # Portuguese readers know "GMT-03:00" (CLDR's own form until then, and the one that clocks,
        # airlines and both governments' pages use); "(-03:00 GMT)" beside a zone's name reads like a
        # difference to subtract. The offset itself still comes from Babel.
        if self.locale.zone_formats["gmt"] == "%s GMT" and text.endswith(" GMT"):
            return "GMT" + text.removesuffix(" GMT")
        return text

    @lru_cache(maxsize=4096)
    def date_time(self, instant: datetime, zone: str) -> str:
        """Return an instant as the zone's long date and 24-hour time: '16 de novembro de 2026 10:00'."""
        local = instant.astimezone(ZoneInfo(zone))
        clock = self.time(local.hour * 60 + local.minute)
        # CLDR's own glue pattern ("{1} 'às' {0}" and the like), as Babel's format_datetime uses it.
        return self._glue_pattern("long").replace("{0}", clock).replace("{1}", self.long_date(local.date()))

    @lru_cache(maxsize=4096)
    def short_date_time(self, instant: datetime, zone: str) -> str:
        """Return an instant as the zone's short date and 24-hour time: '29 de nov. de 2026 01:00'."""
        local = instant.astimezone(ZoneInfo(zone))
        return self._glue(self.date(local.date()), self.time(local.hour * 60 + local.minute))

    def instant_range(self, start: datetime, end: datetime, zone: str) -> str:
        """Return a span of time in a zone: '29 de nov. de 2026 01:00 – 03:00', the date once when it is one day."""
        first, last = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
        if first.date() != last.date():
            return f"{self.short_date_time(first, zone)}\u202f–\u202f{self.short_date_time(last, zone)}"
        clock = Interval(first.hour * 60 + first.minute, last.hour * 60 + last.minute)
        return self._glue(self.date(first.date()), self.interval(clock))

    def _glue(self, day: str, clock: str) -> str:
        """Join a date and a time with CLDR's medium glue pattern ('{1} {0}', '{1}, {0}')."""
        return self._glue_pattern("medium").replace("{0}", clock).replace("{1}", day)

    @lru_cache(maxsize=64)
    def _glue_pattern(self, width: str) -> str:
        """Return CLDR's pattern that joins a date ({1}) and a time ({0}), quotes removed."""
        return str(get_datetime_format(width, locale=self.locale)).replace("'", "")

    def duration(self, minutes: int) -> str:
        """Return a duration in whole days, hours or minutes: '4 horas', '90 minutos', '2 dias'."""
        unit, count = self._duration_unit(minutes)
        if unit == "day":
            # format_unit's 'duration-day' lacks its pattern in some locales (pt: '2 duration-day').
            return format_timedelta(timedelta(days=count), threshold=1, locale=self.locale)
        return format_unit(count, f"duration-{unit}", length="long", locale=self.locale)

    def duration_range(self, low: int, high: int) -> str:
        """Return a range of durations: '2–10 minutos' in one unit, else '15 minutos – 2 horas'."""
        if low == high:
            return self.duration(high)
        (low_unit, low_count), (high_unit, _) = self._duration_unit(low), self._duration_unit(high)
        if low_unit == high_unit:
            return f"{format_decimal(low_count, locale=self.locale)}–{self.duration(high)}"
        return f"{self.duration(low)} – {self.duration(high)}"

    @staticmethod
    def _duration_unit(minutes: int) -> tuple[str, int]:
        """Return the largest unit that divides a duration in minutes, and the count of it."""
        if minutes and minutes % 1440 == 0:
            return "day", minutes // 1440
        if minutes and minutes % 60 == 0:
            return "hour", minutes // 60
        return "minute", minutes

    @lru_cache(maxsize=4096)
    def items(self, items: tuple[str, ...]) -> str:
        """Return a list in words: 'Financeiro, Comercial e Suporte', 'Billing, Sales, and Support'."""
        if len(items) > MAX_LISTED:
            # Babel's format_list takes time in the square of the items: a million took minutes.
            raise SecurityError(f"'fmt.items' would list more than {MAX_LISTED:,} items")
        return format_list(list(items), locale=self.locale)

    @lru_cache(maxsize=4096)
    def language_name(self, lang: str) -> str:
        """Return a language's name in that language, capitalised as in a menu: 'Português (Brasil)'."""
        name = Locale.parse(lang, sep="-").get_display_name(babel_locale(lang)) or lang
        return name[:1].upper() + name[1:]

    @lru_cache(maxsize=4096)
    def language_name_here(self, lang: str) -> str:
        """Return a language's name in this language: 'Portuguese (Brazil)' on an English page."""
        return Locale.parse(lang, sep="-").get_display_name(self.locale) or lang

    def intervals(self, intervals: Iterable[Interval]) -> str:
        """Return a day's intervals: '09:00 – 12:00, 14:00 – 18:00'."""
        return ", ".join(self.interval(interval) for interval in intervals)
