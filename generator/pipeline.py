"""The build, top to bottom: read, validate, resolve calendars, render, (the caller) write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from .cache import cache_dir
from .effective import notice_overrides
from .errors import ERROR, SourceError, has_errors, sort_problems
from .load import load_site
from .model import Build, Site
from .parallel import map_in_parallel
from .render import Output
from .render.api import render_hours_api
from .render.badges import render_badges
from .render.calendars import render_notice_calendars, render_subscription_calendars
from .render.feeds import render_component_feeds, render_feeds
from .render.html import make_environment, render_hours_pages
from .render.maintenance_calendar import render_maintenance_calendar
from .render.notices import render_notice_index, render_notice_pages
from .render.status_page import render_status_pages
from .render.statuspage import render_statuspage_api
from .rollups import read_histories
from .schedule import build_holiday_calendar
from .uptime import make_uptime

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "templates"
# Notices rendered by one task; with fewer notices than PARALLEL_FROM one process renders all.
NOTICES_PER_TASK = 50
PARALLEL_FROM = 64


@dataclass(frozen=True, slots=True)
class Result:
    """What a build produced: the outputs (empty when invalid) and every problem found.

    With a sink (see render_site), `outputs` holds what the sink returned for each output.
    """

    outputs: tuple
    problems: tuple[SourceError, ...]

    @property
    def ok(self) -> bool:
        """Tell whether the build may be written: no errors among the problems."""
        return not has_errors(self.problems)


def resolve_now(site: Site, now: datetime) -> datetime:
    """Return the build's "now" as an aware datetime; a naive one is read in the site's time zone."""
    if now.tzinfo is None:
        return now.replace(tzinfo=ZoneInfo(site.timezone))
    return now


def make_build(site: Site, now: datetime, site_dir: Path | None = None, cache: bool = True,
               problems: list[SourceError] | None = None) -> Build:
    """Resolve what depends on "now": the public holidays of the years the outputs cover, and uptime.

    Uptime comes from incidents alone without `site_dir`; with it, also from the probe's files
    in site_src/uptime/ (through the cache unless `cache` is false), whose warnings go to `problems`.
    """
    years = range(now.year - 1, now.year + 3)
    holidays = build_holiday_calendar(site.holiday_rules, years, site.languages)
    overrides = notice_overrides(site.notices, site.departments)
    histories, found = read_histories(site_dir, site, now, cache) if site_dir is not None else ({}, ())
    if problems is not None:
        problems.extend(found)
    uptime = make_uptime(site, now, histories)
    return Build(site=site, now=now, holidays=holidays, overrides=overrides, uptime=uptime)


def render_site(build: Build, template_dirs: tuple[Path, ...], bytecode_dir: Path | None = None,
                jobs: int | None = None, sink: Callable[[tuple[Output, ...]], tuple] | None = None) -> tuple:
    """Render every output of the site, sorted by path; in up to `jobs` processes when there are many notices.

    With `sink` (write.Staging.write), each part's outputs are handed to it in the
    process that rendered them, as soon as they are made, and what it returns for
    them (write.Written, with a `path`) is returned instead of the outputs: the
    files are written while the rest is still being rendered, and no page's bytes
    travel between processes.
    """
    env = make_environment(template_dirs, bytecode_dir)
    has_status = bool(build.site.components)
    favicon = env.loader.get_source(env, "favicon.svg")[0].encode("utf-8")
    tasks: list[Callable[[], Iterable[Output]]] = [
        partial(render_hours_pages, build, env, status_page=has_status, notices_page=True),
        partial(render_notice_index, build, env, status_page=has_status),
        lambda: [render_hours_api(build)],
        # The theme's icon, or the site's own templates/favicon.svg: browsers ask for one on every site.
        lambda: [Output("favicon.svg", favicon)],
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
    done = map_in_parallel(partial(_run, sink=sink), tasks, jobs, min_items=2)
    return tuple(sorted((output for outputs in done for output in outputs), key=lambda o: o.path))


def _run(task: Callable[[], Iterable[Output]], sink: Callable[[tuple[Output, ...]], tuple] | None) -> tuple:
    outputs = tuple(task())
    return outputs if sink is None else sink(outputs)


def build_site(site_dir: Path, now: datetime, strict: bool = False, jobs: int | None = None,
               sink: Callable[[tuple[Output, ...]], tuple] | None = None) -> Result:
    """Read, validate and render a site folder at the instant `now`; nothing is written here but through `sink`.

    `jobs` bounds the processes that read and render notices (parallel.py; None: one
    per core); `sink` receives the outputs as they are rendered, only when the site
    is valid (see render_site).
    """
    site, problems, templates = load_site(site_dir, strict, jobs)
    if site is None:
        return Result((), problems)
    found: list[SourceError] = []
    build = make_build(site, resolve_now(site, now), site_dir, problems=found)
    if strict:
        found = [SourceError(p.path, p.line, p.column, p.message, p.hint, ERROR) for p in found]
    problems = sort_problems(list(problems) + found)
    if has_errors(problems):
        return Result((), problems)
    template_dirs = tuple(d for d in (templates, DEFAULT_THEME) if d is not None)
    return Result(render_site(build, template_dirs, cache_dir(site_dir) / "templates", jobs, sink), problems)
