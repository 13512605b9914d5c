"""The build, top to bottom: load (read, validate), resolve what depends on "now", render, (the sink) write.

Every command goes through the same three steps, so that they agree on what a site is:

    loaded = load(site_dir, strict)            # sources read and validated; every problem found
    resolved = resolve(loaded, now)            # "now" in the site's zone, holidays, the probe's files
    result = build(loaded, now, sink=...)      # resolve, then render each output into the sink

`check` and `next-change` stop after resolve; `build`, `serve` and the server hooks build.
With `strict`, warnings count as errors, in loading and in resolving alike (as_errors).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from generator.errors import ERROR, SourceError, has_errors, sort_problems
from generator.limits import Limits
from generator.model import Build, Notice, Site, split_scheduled
from generator.parallel import SharedCounter, map_in_parallel
from generator.read.cache import cache_dir, cache_trust
from generator.read.sources import read_sources
from generator.render import Output
from generator.render.default_theme import default_theme_dir
from generator.schedule.effective import notice_overrides
from generator.schedule.hours import build_holiday_calendar
from generator.validate import validate_sources
from generator.write.template_cache import sealed_files


@dataclass(frozen=True, slots=True)
class Loaded:
    """A site folder read and validated: the site (None when a problem is an error) and every problem, sorted."""

    site_dir: Path
    site: Site | None
    problems: tuple[SourceError, ...]
    templates: Path | None          # the site's templates/ folder, when it has one
    strict: bool = False            # warnings were counted as errors, and so are those resolving finds
    # What validated even when something did not (None only when site.yaml is unusable):
    # `new` needs only the settings, departments and components, whatever a notice holds.
    draft: Site | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    """A loaded site at one instant: the build (None when there are errors), every problem, and whether
    the build cache may be used."""

    build: Build | None
    problems: tuple[SourceError, ...]
    cache_trusted: bool = False



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


def as_errors(problems, strict: bool) -> tuple[SourceError, ...]:
    """Return the problems, every warning made an error when `strict` (--strict), the order kept."""
    if not strict:
        return tuple(problems)
    return tuple(SourceError(p.path, p.line, p.column, p.message, p.hint, ERROR) for p in problems)


def load(site_dir: Path, strict: bool = False, jobs: int | None = None, *, rendering: bool = False) -> Loaded:
    """Read and validate a site folder (notices in up to `jobs` processes) into a Loaded; nothing is written.

    With `rendering` (a build follows), the renderers are imported and the gettext catalogs
    compiled while other processes read the notices: that takes longer than anything
    else before the first page.
    """
    sources, read_problems = read_sources(site_dir)
    draft, problems = validate_sources(sources, jobs, _prepare_rendering if rendering else None)
    problems = as_errors(sort_problems(list(read_problems) + list(problems)), strict)
    site = None if has_errors(problems) else draft
    return Loaded(site_dir, site, problems, sources.templates, strict, draft)


def resolve(loaded: Loaded, now: datetime, *, cache_root: Path | None = None, jobs: int | None = None) -> Resolved:
    """Resolve a valid loaded site at `now` (naive: in the site's zone) into a Build, adding the probe's
    files' problems (errors when strict); an invalid one gives no Build and its problems as they are.

    The probe's files are counted through the cache in `cache_root` (by default the site's own
    `.expediente-cache/`), unless the site's cache came with its sources (cache_trust).
    """
    if loaded.site is None:
        return Resolved(None, loaded.problems)
    site_dir = loaded.site_dir
    cache_root = cache_dir(site_dir) if cache_root is None else cache_root
    trusted, untrusted = cache_trust(site_dir, cache_root)
    found: list[SourceError] = [untrusted] if untrusted else []
    made = make_build(loaded.site, resolve_now(loaded.site, now), site_dir, cache=trusted, problems=found,
                      cache_root=cache_root, jobs=jobs)
    problems = sort_problems(list(loaded.problems) + list(as_errors(found, loaded.strict)))
    return Resolved(None if has_errors(problems) else made, problems, trusted)


def _prepare_rendering() -> None:
    """Import what the build needs once the notices are read, and compile the gettext catalogs."""
    import generator.read.probe_files  # (imported here, not above: see load)
    import generator.schedule.uptime  # noqa: F401
    from generator.render import outputs
    outputs.prepare()


def build(loaded: Loaded, now: datetime, *, sink: Callable[[tuple[Output, ...]], tuple] | None = None,
          cache_root: Path | None = None, jobs: int | None = None) -> Result:
    """Resolve a loaded site at `now` and render it; return the outputs, or none and the errors.

    Nothing is written here but through `sink`, which receives the outputs as they are
    rendered (in up to `jobs` processes; see render_site), only when the site is valid.
    Caches are kept in `cache_root`, by default the site's `.expediente-cache/`; the server
    hooks pass a folder outside the pushed tree, so that nothing a pusher commits is read
    as a cache.  The outputs are counted as they are rendered, before `sink` sees them:
    past the site's limit (limits: output_mb) the build stops with an error, and `sink`
    is given nothing more.
    """
    cache_root = cache_dir(loaded.site_dir) if cache_root is None else cache_root
    resolved = resolve(loaded, now, cache_root=cache_root, jobs=jobs)
    made, problems = resolved.build, resolved.problems
    if made is None:
        return Result((), problems)
    template_dirs = tuple(d for d in (loaded.templates, default_theme_dir()) if d is not None)
    from generator.render import outputs as renderers
    try:
        compiled = sealed_files(cache_root / "templates") if resolved.cache_trusted else None
        done = renderers.render_site(made, template_dirs, compiled, jobs, counting_sink(made.site.limits, sink))
    except OutputTooLarge as exc:
        return Result((), sort_problems(list(problems) + [exc.problem]), made.scheduled)
    except renderers.TemplateFailed as failed:
        return Result((), sort_problems(list(problems) + [failed.problem]), made.scheduled)
    return Result(done, problems, made.scheduled)


def build_site(site_dir: Path, now: datetime, strict: bool = False, jobs: int | None = None,
               sink: Callable[[tuple[Output, ...]], tuple] | None = None, cache_root: Path | None = None) -> Result:
    """Load and build a site folder at `now` in one call (build(load(...))); return the Result."""
    return build(load(site_dir, strict, jobs, rendering=True), now, sink=sink, cache_root=cache_root, jobs=jobs)
