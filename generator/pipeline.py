"""The build, top to bottom: read, validate, resolve calendars, render, (the caller) write."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from generator.read.cache import cache_dir, cache_trust
from generator.render.default_theme import default_theme_dir
from generator.schedule.effective import notice_overrides
from generator.errors import ERROR, SourceError, has_errors, sort_problems
from generator.limits import Limits
from generator.load import load_site
from generator.model import Build, Notice, Site, split_scheduled
from generator.parallel import SharedCounter, map_in_parallel
from generator.render import Output
from generator.schedule.hours import build_holiday_calendar
from generator.write.template_cache import sealed_files



@dataclass(frozen=True, slots=True)
class Result:
    """What a build produced: the outputs (empty when invalid) and every problem found.

    With a sink (see render_site), `outputs` holds what the sink returned for each output.
    """

    outputs: tuple
    problems: tuple[SourceError, ...]
    scheduled: tuple[Notice, ...] = ()   # valid notices dated after the build's "now", not published

    @property
    def ok(self) -> bool:
        """Tell whether the build may be written: no errors among the problems."""
        return not has_errors(self.problems)


class OutputTooLarge(Exception):
    """The outputs rendered so far are over the site's limit on output (limits: output_mb); carries the error."""

    def __init__(self, problem: SourceError):
        super().__init__(problem)
        self.problem = problem


def counting_sink(limits: Limits, sink: Callable[[tuple[Output, ...]], tuple] | None):
    """Return a sink that counts the bytes of every output, in whichever process renders it, and raises
    OutputTooLarge before handing on (to `sink`, or back as they are) any that would pass the limit."""
    counter = SharedCounter()
    most = limits["output_mb"] * 1_000_000

    def take(outputs: tuple[Output, ...]) -> tuple:
        outputs = tuple(outputs)
        total = counter.add(sum(len(output.data) for output in outputs))
        if total > most:
            largest = max(outputs, key=lambda output: (len(output.data), output.path))
            raise OutputTooLarge(limits.problem(
                "output_mb", f"the build's output passes the limit of {limits['output_mb']:,} MB (limits: output_mb) "
                             f"at {largest.path} ({len(largest.data) / 1_000_000:.1f} MB)",
                "write fewer or shorter notices and changes"))
        return outputs if sink is None else sink(outputs)

    return take


def resolve_now(site: Site, now: datetime) -> datetime:
    """Return the build's "now" as an aware datetime; a naive one is read in the site's time zone."""
    if now.tzinfo is None:
        return now.replace(tzinfo=ZoneInfo(site.timezone))
    return now


def read_probe_histories(site_dir: Path, site: Site, now: datetime, cache: bool = True,
                         cache_root: Path | None = None, jobs: int | None = None):
    """Return (each component's probe history at `now`, the problems of site_src/uptime/ and of the cache).

    The changed month files are counted by up to `jobs` processes (parallel.py) when there is much to
    read; the changed counts are then written to the cache (see read/probe_files.py).
    """
    from types import MappingProxyType

    from generator.read.probe_files import list_probe_files, read_component_history
    from generator.schedule.uptime import probe_window
    from generator.write.probe_cache import write_probe_cache

    files = list_probe_files(site_dir, site, probe_window(ZoneInfo(site.timezone), now), cache, cache_root)
    read = map_in_parallel(read_component_history, files.components, jobs if files.heavy else 1, min_items=2)
    failed = write_probe_cache(entry for component in read for entry in component.cache)
    problems = [*files.problems, *(problem for component in read for problem in component.problems)]
    return (MappingProxyType({component.component: component.history for component in read}),
            tuple(problems + [failed] if failed else problems))


def make_build(site: Site, now: datetime, site_dir: Path | None = None, cache: bool = True,
               problems: list[SourceError] | None = None, cache_root: Path | None = None,
               jobs: int | None = None) -> Build:
    """Resolve what depends on "now": the public holidays of the years the outputs cover, and uptime.

    Uptime comes from incidents alone without `site_dir`; with it, also from the probe's files
    in site_src/uptime/ (through the cache in `cache_root`, by default the site's own, unless
    `cache` is false), whose warnings go to `problems`; up to `jobs` processes read them.
    """
    from generator.schedule.uptime import make_uptime

    # A notice dated later than "now" is scheduled: nothing is made of it, not even the
    # hours it changes, until a build at or after its date (next-change names that instant).
    published, scheduled = split_scheduled(site.notices, now)
    if scheduled:
        site = replace(site, notices=published)
    years = range(now.year - 1, now.year + 3)
    holidays = build_holiday_calendar(site.holiday_rules, years, site.languages)
    overrides = notice_overrides(site.notices, site.departments)
    histories, found = read_probe_histories(site_dir, site, now, cache, cache_root, jobs) \
        if site_dir is not None else ({}, ())
    if problems is not None:
        problems.extend(found)
    uptime = make_uptime(site, now, histories)
    return Build(site=site, now=now, holidays=holidays, overrides=overrides, uptime=uptime, scheduled=scheduled)


def _prepare_rendering() -> None:
    """Import what the build needs once the notices are read, and compile the gettext catalogs."""
    import generator.read.probe_files  # noqa: F401  (imported here, not above: see build_site)
    import generator.schedule.uptime  # noqa: F401
    from generator.render import outputs
    outputs.prepare()


def build_site(site_dir: Path, now: datetime, strict: bool = False, jobs: int | None = None,
               sink: Callable[[tuple[Output, ...]], tuple] | None = None, cache_root: Path | None = None) -> Result:
    """Read, validate and render a site folder at the instant `now`; nothing is written here but through `sink`.

    `jobs` bounds the processes that read and render notices (parallel.py; None: one
    per core); `sink` receives the outputs as they are rendered, only when the site
    is valid (see render_site). Caches are kept in `cache_root`, by default the site's
    `.expediente-cache/`; the server hooks pass a folder outside the pushed tree, so that
    nothing a pusher commits is read as a cache.  The outputs are counted as they are rendered, before
    `sink` sees them: past the site's limit (limits: output_mb) the build stops with
    an error, and `sink` is given nothing more.
    """
    cache_root = cache_dir(site_dir) if cache_root is None else cache_root
    # Importing the renderers (Jinja, icalendar, feedgen, ...) and compiling the gettext
    # catalogs take longer than anything else before the first page: they are done while
    # other processes read the notices.
    site, problems, templates = load_site(site_dir, strict, jobs, meanwhile=_prepare_rendering)
    if site is None:
        return Result((), problems)
    trusted, untrusted = cache_trust(site_dir, cache_root)
    found: list[SourceError] = [untrusted] if untrusted else []
    build = make_build(site, resolve_now(site, now), site_dir, cache=trusted, problems=found, cache_root=cache_root,
                       jobs=jobs)
    if strict:
        found = [SourceError(p.path, p.line, p.column, p.message, p.hint, ERROR) for p in found]
    problems = sort_problems(list(problems) + found)
    if has_errors(problems):
        return Result((), problems)
    template_dirs = tuple(d for d in (templates, default_theme_dir()) if d is not None)
    from generator.render import outputs as renderers
    try:
        compiled = sealed_files(cache_root / "templates") if trusted else None
        done = renderers.render_site(build, template_dirs, compiled, jobs, counting_sink(site.limits, sink))
    except OutputTooLarge as exc:
        return Result((), sort_problems(list(problems) + [exc.problem]), build.scheduled)
    except renderers.TemplateFailed as failed:
        return Result((), sort_problems(list(problems) + [failed.problem]), build.scheduled)
    return Result(done, problems, build.scheduled)
