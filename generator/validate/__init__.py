"""Validation: raw YAML nodes -> the frozen model, or every problem found, placed in its file.

A site is validated in steps that the pipeline composes: the settings first
(`validate_settings`: site.yaml, hours.yaml, support.yaml, status.yaml), against
which each notice is checked on its own (notices.validate_notice, while
`validate_holidays` runs meanwhile), then what depends on several notices
(notices.gather_notices); `make_site` puts the whole together.
"""

from __future__ import annotations

from generator.errors import SourceError
from generator.model import HolidayRules, Notice, Site, SiteSettings
from generator.read.sources import Sources
from generator.schedule.holiday_answers import HolidayAnswers
from generator.validate.fields import Problems
from generator.validate.hours import validate_departments
from generator.validate.limits import check_hours_counts, check_site_counts, validate_limits
from generator.validate.phones import written_country
from generator.validate.site import Subdivisions, validate_site_holidays, validate_site_settings


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
        return None, found
    name, base_url, timezone, languages, _, description = settings
    limit_problems = Problems(site_problems.path)
    limits = validate_limits(sources.site.root, limit_problems)
    counted = Problems(sources.status.path if sources.status else "site_src/status.yaml")
    check_site_counts(sources.site.root, sources.status.root if sources.status else None, limits,
                      limit_problems, counted)
    found += limit_problems.items + counted.items
    departments: tuple = ()
    faulty: list[str] = []
    if sources.hours is not None and sources.hours.root is not None:
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
        from generator.validate.support import validate_support

        support_problems = Problems(sources.support.path)
        support = validate_support(sources.support.root, support_problems, languages)
        found += support_problems.items
    components = ()
    if sources.status is not None and sources.status.root is not None:
        from generator.validate.status import validate_components

        status_problems = Problems(sources.status.path)
        components = validate_components(sources.status.root, status_problems, languages)
        found += status_problems.items
    return SiteSettings(name=name, base_url=base_url, timezone=timezone, languages=languages,
                        departments=departments, support=support, description=description,
                        components=components, limits=limits, faulty_departments=tuple(sorted(set(faulty)))), found


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
