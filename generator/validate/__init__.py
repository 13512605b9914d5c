"""Validation: raw YAML nodes -> the frozen model, or every problem found, placed in its file."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from generator.errors import SourceError, sort_problems
from generator.model import HolidayRules, Site
from generator.read.sources import NoticeFile, Sources, read_notice
from generator.validate.fields import Problems
from generator.validate.hours import validate_departments
from generator.validate.limits import check_hours_counts, check_notice_count, check_site_counts, validate_limits
from generator.validate.notices import validate_notices
from generator.validate.site import validate_site_holidays, validate_site_settings
from generator.validate.status import validate_components
from generator.validate.support import validate_support


def validate_sources(sources: Sources, jobs: int | None = None,
                     meanwhile: Callable[[], object] | None = None) -> tuple[Site | None, tuple[SourceError, ...]]:
    """Turn the read sources into a Site; return it (None when there are errors) and all problems, sorted.

    Notices are read in up to `jobs` processes (None: one per core).  `meanwhile` is
    called once, while other processes read the notices (the build imports its
    renderers then).
    """
    found: list[SourceError] = []
    site_problems = Problems(sources.site.path if sources.site else "site_src/site.yaml")
    settings = None
    if sources.site is not None and sources.site.root is not None:
        settings = validate_site_settings(sources.site.root, site_problems, holidays=False)
    found += site_problems.items
    holiday_problems = Problems(site_problems.path)
    holiday_rules: HolidayRules | None = None

    def check_holidays() -> None:
        # The holidays package imports the module of every country it knows to check one
        # (some 0.1 s); notices do not depend on the holidays, so this runs while they are read.
        nonlocal holiday_rules
        holiday_rules = validate_site_holidays(sources.site.root if sources.site else None, holiday_problems)
        if meanwhile is not None:
            meanwhile()

    if settings is None:
        # Without the site's time zone and languages nothing else can be read reliably.
        check_holidays()
        return None, sort_problems(found + holiday_problems.items + _reading_problems(sources.notices))
    name, base_url, timezone, languages, _, description = settings
    limit_problems = Problems(site_problems.path)
    limits = validate_limits(sources.site.root, limit_problems)
    counted = Problems(sources.status.path if sources.status else "site_src/status.yaml")
    check_site_counts(sources.site.root, sources.status.root if sources.status else None, limits,
                      limit_problems, counted)
    found += limit_problems.items + counted.items

    departments = ()
    if sources.hours is not None and sources.hours.root is not None:
        hours_problems = Problems(sources.hours.path)
        check_hours_counts(sources.hours.root, limits, hours_problems)
        departments = validate_departments(sources.hours.root, hours_problems, timezone, languages)
        found += hours_problems.items
    support = None
    if sources.support is not None and sources.support.root is not None:
        support_problems = Problems(sources.support.path)
        support = validate_support(sources.support.root, support_problems, languages)
        found += support_problems.items
    components = ()
    if sources.status is not None and sources.status.root is not None:
        status_problems = Problems(sources.status.path)
        components = validate_components(sources.status.root, status_problems, languages)
        found += status_problems.items
    site = Site(
        name=name, base_url=base_url, timezone=timezone, languages=languages, holiday_rules=None,
        departments=departments, support=support, description=description, components=components,
        limits=limits,
    )
    too_many = check_notice_count(sources.notices, limits)
    if too_many:
        # Not one of them is read: reading them is what the limit bounds.
        check_holidays()
        found += too_many
    elif sources.notices and departments:
        notices, notice_problems = validate_notices(sources.notices, site, sources.history, jobs,
                                                    meanwhile=check_holidays)
        found += notice_problems
        site = replace(site, notices=notices)
    else:
        check_holidays()
        found += _reading_problems(sources.notices)
    found += holiday_problems.items
    return replace(site, holiday_rules=holiday_rules), sort_problems(found)


def _reading_problems(files: tuple[NoticeFile, ...]) -> list[SourceError]:
    """Return what is wrong in reading the notices (encoding, front matter, YAML syntax) when they
    cannot be validated, so that every such mistake shows at once all the same."""
    found: list[SourceError] = []
    for file in files:
        found += read_notice(file)[1]
    return found
