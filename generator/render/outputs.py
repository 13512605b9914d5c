"""Every output of a site, in parts: the site-wide outputs by name, and the outputs of a run of notices.

Each part is a pure function of the Build (and the template environment) that
returns Outputs; the pipeline decides which process renders which part and hands
the outputs on to the writer (pipeline._render).

Each part imports its renderer when it is first rendered: a rebuild after one edit renders two or three
parts, and the others' libraries (icalendar alone, some 0.07 s, and feedgen with lxml) would cost more
than rendering them.  A build that renders many parts imports them all before the pool forks
(import_renderers), so that each worker does not import them again.
"""

from __future__ import annotations

from typing import Callable, Iterable

from jinja2 import Environment

from generator.model import Build, Notice, Output
from generator.render import urls
from generator.render.dependencies import notice_calendar_part, notice_part, part_keys
from generator.render.html import make_environment, render_hours_pages
from generator.render.i18n import read_catalogs, translations_for
from generator.render.notices import render_notice_index, render_notice_pages
from generator.render.theme import TemplateFailed, template_problem

__all__ = ["import_renderers", "make_environment", "notice_calendar_part", "notice_part", "notice_runs", "part_keys", "placed_failure", "prepare",
           "render_named_part", "render_notice_parts", "render_site_part", "site_parts"]

# Notices rendered by one part: enough that a part's setup is shared, few enough that parts spread evenly.
NOTICES_PER_PART = 50


def prepare(languages: Iterable[str] = ()) -> None:
    """Do ahead what every build's renderers need first: compile the gettext catalogs of `languages` (kept once
    read), so that processes forked after it share them."""
    catalogs = read_catalogs()
    for lang in languages:
        translations_for(catalogs, lang)


def _hours_pages(build: Build, env: Environment) -> tuple[Output, ...]:
    return render_hours_pages(build, env, status_page=bool(build.site.components), notices_page=True)


def _notice_index(build: Build, env: Environment) -> tuple[Output, ...]:
    return render_notice_index(build, env, status_page=bool(build.site.components))


def _favicon(build: Build, env: Environment) -> tuple[Output, ...]:
    # The theme's icon, or the site's own templates/favicon.svg: browsers ask for one on every site.
    return (Output(urls.favicon(), env.loader.get_source(env, "favicon.svg")[0].encode("utf-8")),)


# The parts whose renderer is imported when first rendered (see the module's docstring).

def _hours_api(build: Build, env: Environment) -> tuple[Output, ...]:
    from generator.render.api import render_hours_api
    return (render_hours_api(build),)


def _feeds(build: Build, env: Environment) -> tuple[Output, ...]:
    from generator.render.feeds import render_feeds
    return tuple(render_feeds(build))


def _subscription_calendars(build: Build, env: Environment) -> tuple[Output, ...]:
    from generator.render.calendars import render_subscription_calendars
    return tuple(render_subscription_calendars(build))


def _status_pages(build: Build, env: Environment) -> tuple[Output, ...]:
    from generator.render.status_html import render_status_pages
    return tuple(render_status_pages(build, env))


def _badges(build: Build, env: Environment) -> tuple[Output, ...]:
    from generator.render.badges import render_badges
    return tuple(render_badges(build))


def _statuspage_api(build: Build, env: Environment) -> tuple[Output, ...]:
    from generator.render.statuspage_api import render_statuspage_api
    return tuple(render_statuspage_api(build))


def _component_feeds(build: Build, env: Environment) -> tuple[Output, ...]:
    from generator.render.feeds import render_component_feeds
    return tuple(render_component_feeds(build))


def _maintenance_calendar(build: Build, env: Environment) -> tuple[Output, ...]:
    from generator.render.maintenance_calendar import render_maintenance_calendar
    return (render_maintenance_calendar(build),)


def import_renderers() -> None:
    """Import every part's renderer now (a build about to render many parts in several processes)."""
    from generator.render import (  # noqa: F401  (imported for their side effect: loaded once, before the fork)
        api,
        badges,
        calendars,
        feeds,
        maintenance_calendar,
        status_html,
        statuspage_api,
    )


Part = Callable[[Build, Environment], Iterable[Output]]
# The site-wide parts by name, each rendered whole by one process.
SITE_PARTS: dict[str, Part] = {
    "hours pages": _hours_pages,
    "notice index": _notice_index,
    "hours api": _hours_api,
    "favicon": _favicon,
    "feeds": _feeds,
    "subscription calendars": _subscription_calendars,
}
# Only a site with components (status.yaml) has these.
STATUS_PARTS: dict[str, Part] = {
    "status pages": _status_pages,
    "badges": _badges,
    "statuspage api": _statuspage_api,
    "component feeds": _component_feeds,
    "maintenance calendar": _maintenance_calendar,
}


def site_parts(build: Build) -> tuple[str, ...]:
    """Return the names of the site-wide parts this build has (the status parts only with components)."""
    return tuple(SITE_PARTS) + (tuple(STATUS_PARTS) if build.site.components else ())


def render_site_part(build: Build, env: Environment, name: str) -> tuple[Output, ...]:
    """Render one site-wide part (one of site_parts) into its outputs."""
    return tuple((SITE_PARTS.get(name) or STATUS_PARTS[name])(build, env))


def render_named_part(build: Build, env: Environment, name: str) -> tuple[tuple[str, tuple[Output, ...]], ...]:
    """Render one site-wide part; return it as render_notice_parts does: ((name, its outputs),)."""
    return ((name, render_site_part(build, env, name)),)


def notice_runs(build: Build, notices: Iterable[Notice] | None = None) -> tuple[tuple[Notice, ...], ...]:
    """Return the site's notices (or those of them given), ordered by (date, slug), in runs of NOTICES_PER_PART."""
    notices = sorted(build.site.notices if notices is None else notices, key=lambda n: (n.date, n.slug))
    return tuple(tuple(notices[start:start + NOTICES_PER_PART]) for start in range(0, len(notices), NOTICES_PER_PART))


def render_notice_parts(build: Build, env: Environment, notices: Iterable[Notice],
                        wanted: Callable[[str], bool] | None = None) -> tuple[tuple[str, tuple[Output, ...]], ...]:
    """Render the parts of some notices that `wanted` (None: all) names: each one's pages (notice_part) and an
    hours notice's calendar (notice_calendar_part); return each part's name with its outputs, notice by notice."""
    wanted = wanted or (lambda name: True)
    notices = list(notices)
    paged = [notice for notice in notices if wanted(notice_part(notice))]
    pages = render_notice_pages(build, env, paged, status_page=bool(build.site.components))
    calendared = [notice for notice in notices
                  if notice_calendar_part(notice) is not None and wanted(notice_calendar_part(notice))]
    calendars = {}
    if calendared:
        from generator.render.calendars import render_notice_calendars
        calendars = {output.path: output for output in render_notice_calendars(build, calendared)}
    per_notice = len(build.site.languages)     # one page per language, notice by notice (render_notice_pages)
    parts = [(notice_part(notice), tuple(pages[number * per_notice:(number + 1) * per_notice]))
             for number, notice in enumerate(paged)]
    parts += [(notice_calendar_part(notice), (calendars[urls.notice_calendar(notice.slug)],)) for notice in calendared]
    return tuple(parts)


def placed_failure(exc: Exception, env: Environment) -> TemplateFailed | None:
    """Return a renderer's exception as TemplateFailed, placed in the template it came from; None when it did
    not come from a template.  Call it where the exception was raised: the traceback says where."""
    problem = template_problem(exc, env.loader)
    return None if problem is None else TemplateFailed(problem)
