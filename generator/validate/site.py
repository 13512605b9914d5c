"""site.yaml: name, address, time zone, languages and holiday rules."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from generator.limits import year_problem
from generator.model import HolidayRules, Text
from generator.read.yaml_nodes import Map, Node, Scalar
from generator.schedule.holiday_answers import country_subdivisions
from generator.validate.dates import describe_bad_date, swapped_date_hint
from generator.validate.fields import (
    Problems,
    bracket_problem,
    check_keys,
    did_you_mean,
    expect_line,
    expect_list,
    expect_localised,
    expect_map,
    expect_text,
    quote_list,
    suggest,
    url_host_problem,
)

# Languages whose interface strings are translated; others fall back to English.
UI_LANGUAGES = ("pt-BR", "pt-PT", "en", "es")
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Answers which subdivisions a country has (None: the holidays package knows no such country).
Subdivisions = Callable[[str], tuple[str, ...] | None]


# Not zones of their own: Debian's zoneinfo folder holds `localtime`, a link to the machine's /etc/localtime,
# and zoneinfo.available_timezones() lists it.
MACHINE_ZONES = frozenset({"localtime"})
LOCALTIME_HINT = ("'localtime' is the zone of whichever machine builds the site, which differs from one machine to "
                  "another: name the zone, such as America/Sao_Paulo or Europe/Lisbon")


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Return the time zone names a site may use: the IANA names the tzdata package lists, read once."""
    # Not zoneinfo.available_timezones(): it adds every file of the machine's zoneinfo folder (its TZPATH),
    # `localtime` among them, and a site naming that zone would follow the clock of whichever machine builds
    # it: two machines, two sites from one commit.  The list is the file beside the package's __init__
    # (importlib.resources, with zipfile and its readers, cost every build some 4 ms); the resources API
    # only for a package not on disk (zipped).
    try:
        import tzdata

        text = Path(tzdata.__file__).with_name("zones").read_text(encoding="utf-8")
    except ImportError:
        text = ""
    except (OSError, TypeError):
        from importlib import resources

        try:
            text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
        except (OSError, ModuleNotFoundError):
            text = ""
    listed = frozenset(line.strip() for line in text.splitlines() if line.strip())
    # tzdata is a dependency; an installation without it still refuses the machine's own zone.
    return listed or frozenset(zoneinfo.available_timezones()) - MACHINE_ZONES


def expect_timezone(node: Node, problems: Problems, what: str) -> str | None:
    """Return an IANA time zone name (one of known_zones), or report it with the nearest real name."""
    name = expect_text(node, problems, what)
    if name is None:
        return None
    zones = known_zones()
    if name in zones:
        return name
    if name in MACHINE_ZONES:
        problems.error(node, f"unknown time zone '{name}'", LOCALTIME_HINT)
        return None
    ordered = sorted(zones)
    key = name.replace(" ", "_").lower()
    best = next((z for z in ordered if z.lower() == key), None)
    best = best or next((z for z in ordered if z.lower().endswith("/" + key)), None)
    best = best or suggest(name.replace(" ", "_"), ordered, cutoff=0.5)
    hint = f"did you mean '{best}'?" if best else "use an IANA name such as America/Sao_Paulo or Europe/Lisbon"
    problems.error(node, f"unknown time zone '{name}'", hint)
    return None


def language_tag(text: str) -> str | None:
    """Return the canonical tag of a language Babel has data for ('pt-br' -> 'pt-BR'), else None."""
    try:
        locale = Locale.parse(text.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None
    return str(locale).replace("_", "-")


def babel_locale(tag: str) -> str:
    """Return Babel's name of a language tag: 'pt-BR' -> 'pt_BR'."""
    return tag.replace("-", "_")


def validate_languages(node: Node, problems: Problems) -> tuple[str, ...]:
    """Return the site's languages, default first; report unknown, repeated or misspelt tags."""
    if isinstance(node, Scalar):
        items = (node,)
    else:
        seq = expect_list(node, problems, "languages")
        items = seq.items if seq else ()
    tags: list[str] = []
    for item in items:
        text = expect_text(item, problems, "a language")
        if text is None:
            continue
        tag = language_tag(text)
        if tag is None:
            problems.error(item, f"no locale data for the language '{text}'",
                           "use a BCP 47 tag such as pt-BR, pt-PT, en or es")
        elif tag != text:
            problems.error(item, f"write the language as '{tag}', not '{text}'",
                           "tags are used in file names and keys, so they must be written one way")
            tags.append(tag)
        elif tag in tags:
            problems.error(item, f"the language '{tag}' is listed twice")
        else:
            # The catalogs serve a tag from one of its base language (render/i18n.py translations_for):
            # 'pt' is read with pt-BR's, as CLDR's own 'pt' is Brazilian; 'es-MX' with es's.
            if tag.partition("-")[0] not in {known.partition("-")[0] for known in UI_LANGUAGES}:
                problems.warning(item, f"the interface is not translated to '{tag}'; its labels will be in English",
                                 f"translated: {quote_list(UI_LANGUAGES, 'and')}")
            tags.append(tag)
    if not tags and not problems.count():
        problems.error(node, "languages is empty: a site is written in at least one language",
                       "for example languages: [pt-PT, en]; the first is the default")
    return tuple(tags)


def _closure_date(key: Scalar, problems: Problems) -> tuple[int, int] | date | None:
    """Read a closure key: 'MM-DD' every year or 'YYYY-MM-DD' once."""
    text = key.text.strip()
    found = MONTH_DAY.match(text)
    if found:
        month, day = int(found[1]), int(found[2])
        try:
            date(2024, month, day)  # a leap year, so that 02-29 is accepted
        except ValueError:
            problems.error(key, f"{text} does not exist in any year",
                           f"{swapped_date_hint(text)} A closure every year is MM-DD" if swapped_date_hint(text) else "write MM-DD, e.g. 12-24")
            return None
        return month, day
    found = FULL_DATE.match(text)
    if found:
        if year_problem(int(found[1])):
            problems.error(key, year_problem(int(found[1])))
            return None
        try:
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            problems.error(key, describe_bad_date(text, int(found[1]), int(found[2]), int(found[3])),
                           swapped_date_hint(text))
            return None
    problems.error(key, f"'{text}' is not a closure date", "write MM-DD for every year or YYYY-MM-DD for one day")
    return None


def validate_holidays(node: Node, problems: Problems, languages: tuple[str, ...],
                      subdivisions: Subdivisions = country_subdivisions) -> HolidayRules | None:
    """Return the holiday rules of site.yaml or of a department in hours.yaml: a country known to the holidays
    package (`subdivisions` tells its subdivisions, None for a country it does not know), its subdivision,
    closures."""
    mapping = expect_map(node, problems, "holidays")
    if mapping is None:
        return None
    check_keys(mapping, problems, "holidays", (), ("country", "subdivision", "extra"))
    country = subdivision = None
    valid: tuple[str, ...] = ()
    if (value := mapping.get("country")) is not None and (code := expect_text(value, problems, "country")):
        known = subdivisions(code)
        if known is not None:
            # Shown as one code wherever it appears (the API, hints), however the package was asked for it.
            country, valid = country_alpha2(code), known
        else:
            problems.error(value, f"the holidays package does not know the country '{code}'",
                           _unknown_country_hint(code, languages))
    if (value := mapping.get("subdivision")) is not None and (sub := expect_text(value, problems, "subdivision")):
        if country is None and mapping.get("country") is None:
            problems.error(value, "a subdivision needs a country")
        elif country is not None:
            if sub in valid:
                subdivision = sub
            else:
                problems.error(value, f"'{sub}' is not a subdivision of {country} known to the holidays package",
                               f"valid: {', '.join(valid)}" if valid else f"{country} has no subdivisions")
    yearly, dated = [], []
    if (value := mapping.get("extra")) is not None and (extra := expect_map(value, problems, "extra")):
        for key, name_node in extra.pairs:
            when = _closure_date(key, problems)
            name = expect_localised(name_node, problems, "a closure's name", languages, one_line=True)
            if when is None or name is None:
                continue
            if isinstance(when, date):
                dated.append((when, name))
            else:
                yearly.append((when[0], when[1], name))
    return HolidayRules(country, subdivision, tuple(sorted(yearly, key=lambda y: y[:2])),
                        tuple(sorted(dated, key=lambda d: d[0])))


def country_alpha2(code: str) -> str:
    """Return the ISO 3166 alpha-2 code of a country the holidays package lists under `code` (MEX -> MX,
    GBR and UK -> GB); any other code as it is."""
    if len(code) == 2 and code != "UK":    # UK: the package's one two-letter alias (of GB)
        return code
    # The registry names each country's codes without importing the countries' modules; only a site that
    # writes an alpha-3 code pays for it.
    from holidays.registry import COUNTRIES

    return next((names[1] for names in COUNTRIES.values() if code in names[1:]), code)


def _folded(text: str) -> str:
    """Return `text` without accents, case folded: México, mexico and MEXICO are one."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def country_by_name(name: str, languages: tuple[str, ...]) -> tuple[str, str] | None:
    """Return (territory code, its name) of a country named `name` in one of `languages` or in English
    (Babel's territory names, accents and case aside), the site's languages first; None when none is."""
    wanted = _folded(name.strip())
    for language in (*languages, "en"):
        try:
            territories = Locale.parse(language, sep="-").territories
        except (UnknownLocaleError, ValueError):
            continue
        found = next(((code, text) for code, text in territories.items()
                      if code.isalpha() and _folded(text) == wanted), None)
        if found is not None:
            return found
    return None


def _unknown_country_hint(code: str, languages: tuple[str, ...] = ()) -> str:
    """Return what to write instead of a country the holidays package does not list: the code in capitals,
    the code of a country written by its name, the nearest code, or what a financial market's code is."""
    # The list imports every country's module: listed already in this process unless the answer came from
    # the build cache (holiday_answers.country_subdivisions).
    import holidays

    codes = "use an ISO 3166 code such as BR, PT, ES or US"
    supported = holidays.list_supported_countries()
    if code.upper() in supported:
        return f"write '{country_alpha2(code.upper())}'"
    # Before the near codes: México is no misspelt MCO (Monaco).
    if (named := country_by_name(code, languages)) is not None and named[0] in supported:
        return f"write '{named[0]}', the code of {named[1]}"
    if code.upper() in holidays.list_supported_financial():
        return f"{code} is a financial market's calendar in the holidays package, not a country's: {codes}"
    # A near code only for what looks like a code (BRR, XB): 'utils' is no misspelt TLS.
    near = did_you_mean(code.upper(), supported) if code.isalpha() and 2 <= len(code) <= 3 else None
    return near or codes


def validate_base_url(node: Node, problems: Problems) -> str | None:
    """Return the site's absolute address, which must end with '/'."""
    url = expect_text(node, problems, "base_url")
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        problems.error(node, *bracket_problem(url))
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.error(node, f"base_url must be an absolute http or https address, not '{url}'",
                       "for example https://status.example.net/")
        return None
    if (bad_host := url_host_problem(url)) is not None:
        problems.error(node, *bad_host)
        return None
    if not url.endswith("/"):
        problems.error(node, "base_url must end with '/'", f"write {url}/")
        return None
    return url


def validate_site_settings(root: Node | None, problems: Problems, holidays: bool = True):
    """Return (name, base_url, timezone, languages, holiday rules, description) from site.yaml.

    Without `holidays`, the rules are None and left to the caller (validate_site_holidays).
    """
    mapping = expect_map(root, problems, "site.yaml")
    if mapping is None:
        return None
    check_keys(mapping, problems, "site.yaml", ("name", "base_url", "timezone", "languages"),
               ("holidays", "description", "limits"))
    name = expect_line(mapping.get("name"), problems, "name") if mapping.get("name") else None
    base_url = validate_base_url(mapping.get("base_url"), problems) if mapping.get("base_url") else None
    timezone = expect_timezone(mapping.get("timezone"), problems, "timezone") if mapping.get("timezone") else None
    languages = validate_languages(mapping.get("languages"), problems) \
        if mapping.get("languages") is not None else ()
    rules = None
    if holidays and mapping.get("holidays") is not None:
        rules = validate_holidays(mapping.get("holidays"), problems, languages or ("en",))
    description: Text | None = None
    if mapping.get("description") is not None:
        description = expect_localised(mapping.get("description"), problems, "description", languages or ("en",))
    if None in (name, base_url, timezone) or not languages:
        return None
    return name, base_url, timezone, languages, rules, description


def validate_site_holidays(root: Node | None, problems: Problems,
                           subdivisions: Callable[[str], tuple[str, ...] | None] = country_subdivisions
                           ) -> HolidayRules | None:
    """Return site.yaml's holiday rules, which validate_site_settings leaves out when asked to (`subdivisions`:
    as validate_holidays)."""
    if not isinstance(root, Map) or root.get("holidays") is None:
        return None
    languages = validate_languages(root.get("languages"), Problems(problems.path)) if root.get("languages") else ()
    return validate_holidays(root.get("holidays"), problems, languages or ("en",), subdivisions)
