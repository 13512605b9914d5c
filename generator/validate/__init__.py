"""Validation: raw YAML nodes -> the frozen model, or every problem found, placed in its file.

A site is validated in steps that the pipeline composes: the settings first
(`validate_settings`: site.yaml, hours.yaml, support.yaml, status.yaml), against
which each notice is checked on its own (notices.validate_notice, while
`validate_holidays` runs meanwhile), then what depends on several notices
(notices.gather_notices); `make_site` puts the whole together.
"""

from __future__ import annotations

from generator.errors import WARNING, SourceError
from generator.model import HolidayRules, Notice, Site, SiteSettings
from generator.read.sources import Sources
from generator.read.yaml_nodes import Map
from generator.schedule.holiday_answers import HolidayAnswers
from generator.validate.fields import Problems
from generator.validate.hours import validate_departments
from generator.validate.limits import check_hours_counts, check_site_counts, validate_limits
from generator.validate.phones import written_country
from generator.validate.site import (
    Subdivisions,
    expect_timezone,
    validate_languages,
    validate_site_holidays,
    validate_site_settings,
)


def validate_settings(sources: Sources, subdivisions: Subdivisions | None = None
                      ) -> tuple[SiteSettings | None, list[SourceError]]:
    """Turn the site's YAML files into its settings; return them (None when site.yaml cannot give the time
    zone and languages, without which nothing else can be read) and the problems found.  `subdivisions`
    (by default the holidays package's: validate.site.country_subdivisions) checks the countries of the
    departments' own `holidays:`."""
    found: list[SourceError] = []
    site_problems = Problems(sources.site.path if sources.site else "site_src/site.yaml")
    settings = None
    if sources.site is not None and sources.site.root is not None:
        settings = validate_site_settings(sources.site.root, site_problems, holidays=False)
    found += site_problems.items
    if settings is None:
        # Every problem at once: the other files are checked with what site.yaml still gives (a wrong name or
        # base_url leaves its time zone and languages), and each that needs what it does not give says so.
        zone, languages = readable_zone_and_languages(sources.site.root if sources.site else None)
        beside = validate_beside_site(sources, zone, languages, subdivisions)
        return None, found + beside[-1]
    name, base_url, timezone, languages, _, description = settings
    limits, departments, faulty, support, components, beside_problems = validate_beside_site(
        sources, timezone, languages, subdivisions)
    found += beside_problems
    return SiteSettings(name=name, base_url=base_url, timezone=timezone, languages=languages,
                        departments=departments, support=support, description=description,
                        components=components, limits=limits, faulty_departments=tuple(sorted(set(faulty)))), found


def readable_zone_and_languages(root) -> tuple[str | None, tuple[str, ...]]:
    """Return site.yaml's time zone (None) and languages (empty) when each is free of errors, from its YAML root."""
    if not isinstance(root, Map):
        return None, ()
    zone = expect_timezone(root.get("timezone"), Problems(""), "timezone") if root.get("timezone") else None
    said = Problems("")
    languages = validate_languages(root.get("languages"), said) if root.get("languages") is not None else ()
    return zone, (() if said.items else languages)


def not_checked(path: str, needs: str) -> SourceError:
    """Return the line that says a settings file was not checked because site.yaml's `needs` have errors."""
    return SourceError(path, 1, 1, f"not checked: it is read in site.yaml's {needs}, which have errors",
                       severity=WARNING)


def validate_beside_site(sources: Sources, timezone: str | None, languages: tuple[str, ...],
                         subdivisions: Subdivisions | None) -> tuple:
    """Check site.yaml's limits, hours.yaml, support.yaml and status.yaml with the site's time zone and languages
    (None and empty when site.yaml does not give them: the files that need them are not checked, and say so);
    return (limits, departments, faulty departments, support, components, problems)."""
    found: list[SourceError] = []
    site_path = sources.site.path if sources.site else "site_src/site.yaml"
    limit_problems = Problems(site_path)
    limits = validate_limits(sources.site.root if sources.site else None, limit_problems)
    counted = Problems(sources.status.path if sources.status else "site_src/status.yaml")
    check_site_counts(sources.site.root if sources.site else None, sources.status.root if sources.status else None,
                      limits, limit_problems, counted)
    found += limit_problems.items + counted.items
    departments: tuple = ()
    faulty: list[str] = []
    if sources.hours is not None and sources.hours.root is not None:
        if timezone is None or not languages:
            found.append(not_checked(sources.hours.path, "time zone and languages"))
        else:
            hours_problems = Problems(sources.hours.path)
            check_hours_counts(sources.hours.root, limits, hours_problems)
            # site.yaml's holiday country as written: its rules are checked later (validate_holidays), and it
            # only guesses the calling code of a phone number in a warning's hint.
            departments = validate_departments(sources.hours.root, hours_problems, timezone, languages, faulty,
                                               *((subdivisions,) if subdivisions is not None else ()),
                                               country=written_country(sources.site.root))
            found += hours_problems.items
    support = None
    # support.yaml's and status.yaml's readers are imported only for a site that has the file: a new process
    # that rebuilds a site without them (most rebuilds check one notice) is spared their modules.
    if sources.support is not None and sources.support.root is not None:
        if not languages:
            found.append(not_checked(sources.support.path, "languages"))
        else:
            from generator.validate.support import validate_support

            support_problems = Problems(sources.support.path)
            support = validate_support(sources.support.root, support_problems, languages)
            found += support_problems.items
    components = ()
    if sources.status is not None and sources.status.root is not None:
        if not languages:
            found.append(not_checked(sources.status.path, "languages"))
        else:
            from generator.validate.status import validate_components

            status_problems = Problems(sources.status.path)
            components = validate_components(sources.status.root, status_problems, languages)
            found += status_problems.items
    return limits, departments, faulty, support, components, found


def validate_holidays(sources: Sources, answers: HolidayAnswers | None = None
                      ) -> tuple[HolidayRules | None, list[SourceError]]:
    """Return site.yaml's holiday rules (None: none) and their problems.

    Apart from the settings because the holidays package imports the module of every
    country it knows to check one (some 0.1 s), and no notice depends on them: the
    pipeline runs this while the notices are checked; with `answers` (kept between builds:
    schedule/holiday_answers.py) the package is asked only what was not asked before.
    """
    problems = Problems(sources.site.path if sources.site else "site_src/site.yaml")
    rules = validate_site_holidays(sources.site.root if sources.site else None, problems,
                                   *((answers.subdivisions,) if answers is not None else ()))
    return rules, problems.items


def make_site(settings: SiteSettings, holiday_rules: HolidayRules | None, notices: tuple[Notice, ...]) -> Site:
    """Return the site: its settings, holiday rules and notices (ordered by date and slug), whole."""
    return Site(name=settings.name, base_url=settings.base_url, timezone=settings.timezone,
                languages=settings.languages, holiday_rules=holiday_rules, departments=settings.departments,
                support=settings.support, notices=notices, description=settings.description,
                components=settings.components, limits=settings.limits)
