"""Every output of a site, in parts: the site-wide outputs by name, and the outputs of a run of notices.

Each part is a pure function of the Build (and the template environment) that
returns Outputs; the pipeline decides which process renders which part and hands
the outputs on to the writer.  `render_site` renders every part in this process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from jinja2 import Environment

from generator.model import Build, Notice, Output
from generator.render.api import render_hours_api
from generator.render.badges import render_badges
from generator.render.calendars import render_notice_calendars, render_subscription_calendars
from generator.render.feeds import render_component_feeds, render_feeds
from generator.render.html import make_environment, render_hours_pages
from generator.render.i18n import read_catalogs
from generator.render.maintenance_calendar import render_maintenance_calendar
from generator.render.notices import render_notice_index, render_notice_pages
from generator.render.status_html import render_status_pages
from generator.render.statuspage_api import render_statuspage_api
from generator.render.theme import TemplateFailed, template_problem

__all__ = ["TemplateFailed", "make_environment", "notice_runs", "placed_failure", "prepare", "render_notices",
           "render_site", "render_site_part", "site_parts"]

# Notices rendered by one part: enough that a part's setup is shared, few enough that parts spread evenly.
NOTICES_PER_PART = 50


def prepare() -> None:
    """Do ahead what every build's renderers need first: compile the gettext catalogs (kept once read)."""
    read_catalogs()


def _favicon(build: Build, env: Environment) -> list[Output]:
    # The theme's icon, or the site's own templates/favicon.svg: browsers ask for one on every site.
    return [Output("favicon.svg", env.loader.get_source(env, "favicon.svg")[0].encode("utf-8"))]


# The site-wide parts, by name: (renderer, whether only a site with a status page has it).
SITE_PARTS: dict[str, tuple[Callable[[Build, Environment], list[Output] | tuple[Output, ...]], bool]] = {
    "hours pages": (lambda build, env: render_hours_pages(build, env, status_page=bool(build.site.components),
                                                          notices_page=True), False),
    "notice index": (lambda build, env: render_notice_index(build, env, status_page=bool(build.site.components)),
                     False),
    "hours api": (lambda build, env: [render_hours_api(build)], False),
    "favicon": (_favicon, False),
    "feeds": (lambda build, env: render_feeds(build), False),
    "subscription calendars": (lambda build, env: render_subscription_calendars(build), False),
    "status pages": (lambda build, env: render_status_pages(build, env), True),
    "badges": (lambda build, env: render_badges(build), True),
    "statuspage api": (lambda build, env: render_statuspage_api(build), True),
    "component feeds": (lambda build, env: render_component_feeds(build), True),
    "maintenance calendar": (lambda build, env: [render_maintenance_calendar(build)], True),
}


def site_parts(build: Build) -> tuple[str, ...]:
    """Return the names of the site-wide parts this build has (the status parts only with components)."""
    has_status = bool(build.site.components)
    return tuple(name for name, (_, status_only) in SITE_PARTS.items() if has_status or not status_only)


def render_site_part(build: Build, env: Environment, name: str) -> tuple[Output, ...]:
    """Render one site-wide part (one of site_parts) into its outputs."""
    return tuple(SITE_PARTS[name][0](build, env))


def notice_runs(build: Build) -> tuple[tuple[Notice, ...], ...]:
    """Return the site's notices, ordered by (date, slug), in runs of NOTICES_PER_PART."""
    notices = sorted(build.site.notices, key=lambda n: (n.date, n.slug))
    return tuple(tuple(notices[start:start + NOTICES_PER_PART]) for start in range(0, len(notices), NOTICES_PER_PART))


def render_notices(build: Build, env: Environment, notices: tuple[Notice, ...]) -> tuple[Output, ...]:
    """Render the pages and calendars of some notices: they depend on those notices and the site alone."""
    pages = render_notice_pages(build, env, list(notices), status_page=bool(build.site.components))
    return tuple(pages) + tuple(render_notice_calendars(build, list(notices)))


def placed_failure(exc: Exception, env: Environment) -> TemplateFailed | None:
    """Return a renderer's exception as TemplateFailed, placed in the template it came from; None when it did
    not come from a template.  Call it where the exception was raised: the traceback says where."""
    problem = template_problem(exc, env.loader)
    return None if problem is None else TemplateFailed(problem)


def render_site(build: Build, template_dirs: tuple[Path, ...], bytecode_dir: Path | None = None) -> tuple[Output, ...]:
    """Render every output of the site in this process, sorted by path; a template that fails raises
    TemplateFailed, with the problem placed in the template."""
    env = make_environment(template_dirs, bytecode_dir)
    outputs: list[Output] = []
    try:
        for name in site_parts(build):
            outputs += render_site_part(build, env, name)
        for run in notice_runs(build):
            outputs += render_notices(build, env, run)
    except Exception as exc:
        failed = placed_failure(exc, env)
        if failed is None:
            raise
        raise failed from None
    return tuple(sorted(outputs, key=lambda output: output.path))
