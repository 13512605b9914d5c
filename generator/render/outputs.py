"""Every output of a site, rendered in parts that the build's processes share.

The pipeline imports this module (and so every renderer) while the notices are
read: see pipeline.build_site.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable, Iterable

from generator.model import Build
from generator.parallel import map_in_parallel
from generator.render import Output, urls
from generator.render.api import render_hours_api
from generator.render.badges import render_badges
from generator.render.bytecode import CompiledStore
from generator.render.calendars import render_notice_calendars, render_subscription_calendars
from generator.render.feeds import render_component_feeds, render_feeds
from generator.render.html import make_environment, render_hours_pages
from generator.render.i18n import read_catalogs
from generator.render.maintenance_calendar import render_maintenance_calendar
from generator.render.notices import render_notice_index, render_notice_pages
from generator.render.status_html import render_status_pages
from generator.render.statuspage_api import render_statuspage_api
from generator.render.theme import TemplateFailed, ThemeLoader, template_problem


def prepare() -> None:
    """Do ahead what every build's renderers need first: compile the gettext catalogs (kept once read)."""
    read_catalogs()


# Notices rendered by one task; with fewer notices than PARALLEL_FROM one process renders all.
NOTICES_PER_TASK = 50
PARALLEL_FROM = 64


def render_site(build: Build, template_dirs: tuple[Path, ...], compiled: CompiledStore | None = None,
                jobs: int | None = None, sink: Callable[[tuple[Output, ...]], tuple] | None = None) -> tuple:
    """Render every output of the site, sorted by path; in up to `jobs` processes when there are many notices.

    A template that fails raises TemplateFailed, with the problem placed in the template.
    Compiled templates are kept in `compiled` (write.template_cache.sealed_files) between builds.
    With `sink` (write.Staging.write), each part's outputs are handed to it in the
    process that rendered them, as soon as they are made, and what it returns for
    them (write.Written, with a `path`) is returned instead of the outputs: the
    files are written while the rest is still being rendered, and no page's bytes
    travel between processes.
    """
    env = make_environment(template_dirs, compiled)
    has_status = bool(build.site.components)
    tasks: list[Callable[[], Iterable[Output]]] = [
        partial(render_hours_pages, build, env, status_page=has_status, notices_page=True),
        partial(render_notice_index, build, env, status_page=has_status),
        lambda: [render_hours_api(build)],
        # The theme's icon, or the site's own templates/favicon.svg: browsers ask for one on every site.
        lambda: [Output(urls.favicon(), env.loader.get_source(env, "favicon.svg")[0].encode("utf-8"))],
        partial(render_feeds, build),
        partial(render_subscription_calendars, build),
    ]
    if has_status:
        tasks += [
            partial(render_status_pages, build, env),
            partial(render_badges, build),
            partial(render_statuspage_api, build),
            partial(render_component_feeds, build),
            lambda: [render_maintenance_calendar(build)],
        ]
    # A notice's pages and calendar depend on that notice and the site alone: they are
    # rendered in parts of NOTICES_PER_TASK, each taken by whichever process is free.
    notices = sorted(build.site.notices, key=lambda n: (n.date, n.slug))
    parts = [notices[start:start + NOTICES_PER_TASK] for start in range(0, len(notices), NOTICES_PER_TASK)]
    tasks += [partial(render_notice_pages, build, env, part, status_page=has_status) for part in parts]
    tasks += [partial(render_notice_calendars, build, part) for part in parts]
    if len(notices) < PARALLEL_FROM:
        jobs = 1
    done = map_in_parallel(partial(_run, sink=sink, loader=env.loader), tasks, jobs, min_items=2)
    return tuple(sorted((output for outputs in done for output in outputs), key=lambda o: o.path))


def _run(task: Callable[[], Iterable[Output]], sink: Callable[[tuple[Output, ...]], tuple] | None,
         loader: ThemeLoader) -> tuple:
    """Render one part, and hand it to the sink; a template's failure is raised as TemplateFailed,
    placed in the template while the traceback is still at hand (it does not travel between processes)."""
    try:
        outputs = tuple(task())
    except Exception as exc:
        problem = template_problem(exc, loader)
        if problem is None:
            raise
        raise TemplateFailed(problem) from None
    return outputs if sink is None else sink(outputs)
