"""The build, top to bottom: load (read, validate), resolve what depends on "now", render, (the sink) write.

Every command goes through the same three steps, so that they agree on what a site is:

    loaded = load(site_dir, strict)            # sources read and validated; every problem found
    resolved = resolve(loaded, now)            # "now" in the site's zone, holidays, the probe's files
    result = build(loaded, now, sink=...)      # resolve, then render each output into the sink

`check` and `next-change` stop after resolve; `build`, `serve` and the server hooks build.
With `strict`, warnings count as errors, in loading and in resolving alike (as_errors).
load() and its steps are in loading.py; resolve() and build() are here, each followed by its steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

from generator.errors import SourceError, has_errors, sort_problems
from generator.limits import Limits
from generator.model import Build, Notice, Output, Site, split_scheduled
from generator.parallel import SharedCounter, map_in_parallel, raised_at
from generator.pipeline.loading import Loaded, LoadMemo, as_errors, keep_holiday_answers, kept_holiday_answers, load
from generator.read.cache import CACHE_DIR, NOT_ASKED, base_key, cache_dir, code_digest, may_use_cache
from generator.read.links import UPTIME_FOLDER
from generator.read.templates import default_theme_dir, theme_loader
from generator.schedule.effective import notice_overrides
from generator.schedule.holiday_answers import HolidayAnswers
from generator.schedule.hours import build_holiday_calendar, department_holiday_calendars
from generator.schedule.uptime import make_uptime, probe_window
from generator.schedule.zones import in_zone
from generator.validate.checked import pause_collector, release_collector
from generator.write.template_cache import template_stores

__all__ = ["Loaded", "LoadMemo", "OutputTooLarge", "Resolved", "Result", "as_errors", "build", "build_site",
           "counting_sink", "load", "make_build", "read_probe_histories", "resolve", "resolve_now",
           "where_raised"]

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

    With a sink (see build_site), `outputs` holds what the sink returned for each output.
    """

    outputs: tuple
    problems: tuple[SourceError, ...]
    scheduled: tuple[Notice, ...] = ()   # valid notices dated after the build's "now", not published
    # Every part's key (render/dependencies.py), and what the sink returned for each part rendered: with
    # `previous` keys (see build), the parts whose key did not change are not rendered, nor in `outputs`.
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    parts: Mapping[str, tuple] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ok(self) -> bool:
        """Tell whether the build may be written: no errors among the problems."""
        return not has_errors(self.problems)


# Below this many notices one process renders everything: forking would cost more than it saves.
RENDER_PARALLEL_FROM = 64
# A build rendering more parts than this (a full build: hundreds) imports every renderer before the pool forks.
IMPORT_ALL_FROM = 8
# Below this many bytes of the probe's month files without cached counts, one process reads them all.
PROBE_PARALLEL_BYTES = 32 << 20


# The recipe: what every command calls (load: loading.py).

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
    untrusted = loaded.untrusted
    trusted = may_use_cache(untrusted, site_dir, cache_root)
    found: list[SourceError] = [untrusted] if untrusted else []
    # The public holidays as the holidays package named them in an earlier build, when asked the same.
    answers = kept_holiday_answers(cache_root if trusted else None)
    made = make_build(loaded.site, resolve_now(loaded.site, now), site_dir, cache=trusted, problems=found,
                      cache_root=cache_root, jobs=jobs, answers=answers)
    keep_holiday_answers(cache_root if trusted else None, answers)
    problems = sort_problems(list(loaded.problems) + list(as_errors(found, loaded.strict)))
    return Resolved(None if has_errors(problems) else made, problems, trusted)


def build(loaded: Loaded, now: datetime, *, sink: Callable[[tuple[Output, ...]], tuple] | None = None,
          cache_root: Path | None = None, jobs: int | None = None, previous: Mapping[str, str] | None = None,
          previous_bytes: Mapping[str, int] | None = None, memo: LoadMemo | None = None) -> Result:
    """Resolve a loaded site at `now` and render it; return the outputs, or none and the errors.

    With `previous` (each part's key in the output being replaced, for the parts whose files are
    still as that build wrote them), only the parts whose key differs are rendered (Result.keys,
    Result.parts); the caller keeps the others' files, whose sizes `previous_bytes` gives by part (they
    count towards the limit on output as the files rendered do, so that an incremental build refuses
    what a clean one refuses).

    Nothing is written here but through `sink`, which receives the outputs as they are
    rendered (in up to `jobs` processes; see _render), only when the site is valid.
    Caches are kept in `cache_root`, by default the site's `.expediente-cache/`; the server
    hooks pass a folder outside the pushed tree, so that nothing a pusher commits is read
    as a cache.  The outputs are counted as they are rendered, before `sink` sees them:
    past the site's limit (limits: output_mb) the build stops with an error, and `sink`
    is given nothing more.  What the keys' computing found of each notice is kept (render/dependencies.py:
    NoticeDigests) in `memo` (serve) or in the cache folder, when load kept the notices' checks.
    """
    try:
        return _build(loaded, now, sink, cache_root, jobs, previous, previous_bytes, memo)
    finally:
        release_collector()    # what load (and _kept_digests) froze: see validate/checked.py: pause_collector


def _build(loaded: Loaded, now: datetime, sink: Callable[[tuple[Output, ...]], tuple] | None,
           cache_root: Path | None, jobs: int | None, previous: Mapping[str, str] | None,
           previous_bytes: Mapping[str, int] | None, memo: LoadMemo | None) -> Result:
    """Do what build() says."""
    cache_root = cache_dir(loaded.site_dir) if cache_root is None else cache_root
    resolved = resolve(loaded, now, cache_root=cache_root, jobs=jobs)
    made, problems = resolved.build, resolved.problems
    if made is None:
        return Result((), problems)
    template_dirs = (loaded.templates,) if loaded.templates is not None else ()   # the default theme follows
    from generator.render.theme import TemplateFailed  # Jinja: only a build imports it (see loading.prepare_rendering)
    # Kept only where load kept the checks they rest on (in memory, loaded.made_from is empty otherwise).
    kept_in = loaded.kept_in if resolved.cache_trusted and loaded.made_from else None
    digests = _kept_digests(loaded, memo, kept_in)
    try:
        # The default theme's compiled templates in this user's store (outside the site), the site's own in its cache.
        compiled = template_stores(cache_root / "templates" if resolved.cache_trusted else None, default_theme_dir(),
                                   code_digest(), loaded.site_dir)
        done, keys, parts = _render(made, template_dirs, compiled, jobs, sink, previous or {}, previous_bytes or {},
                                    digests)
    except (OutputTooLarge, TemplateFailed) as exc:
        return Result((), sort_problems(list(problems) + [exc.problem]), made.scheduled)
    _keep_digests(digests, memo, kept_in)
    return Result(done, problems, made.scheduled, MappingProxyType(keys), MappingProxyType(parts))


def build_site(site_dir: Path, now: datetime, strict: bool = False, jobs: int | None = None,
               sink: Callable[[tuple[Output, ...]], tuple] | None = None, cache_root: Path | None = None,
               cache: bool = True, memo: LoadMemo | None = None,
               previous: Mapping[str, str] | None = None, previous_bytes: Mapping[str, int] | None = None,
               untrusted: SourceError | None | object = NOT_ASKED) -> Result:
    """Load and build a site folder at `now` in one call (build(load(...))); return the Result.

    `memo` keeps what was loaded between calls (serve); `previous` gives the parts' keys of the
    output being replaced, whose unchanged parts are not rendered again, and `previous_bytes` their sizes (build);
    `untrusted` what read.cache.untrusted_cache said, when the caller asked it already (load).
    """
    loaded = load(site_dir, strict, jobs, rendering=True, cache_root=cache_root, cache=cache, memo=memo,
                  untrusted=untrusted)
    return build(loaded, now, sink=sink, cache_root=cache_root, jobs=jobs, previous=previous,
                 previous_bytes=previous_bytes, memo=memo)


def where_raised(exc: BaseException) -> list[tuple[str, int]]:
    """Return (file, line) of each frame an exception of a build went through, in the process that raised
    it (a worker's frames travel with the exception: see parallel.py)."""
    return raised_at(exc)


# resolve()'s steps: what depends on "now".

def resolve_now(site: Site, now: datetime) -> datetime:
    """Return the build's "now" as an aware datetime; a naive one is read in the site's time zone."""
    # An aware "now" keeps its own offset: the pages and the API print it as it was given.
    return now if now.tzinfo is not None else in_zone(now, site.timezone)


def make_build(site: Site, now: datetime, site_dir: Path | None = None, cache: bool = True,
               problems: list[SourceError] | None = None, cache_root: Path | None = None,
               jobs: int | None = None, answers: HolidayAnswers | None = None) -> Build:
    """Resolve what depends on "now": the public holidays of the years the outputs cover, and uptime.

    `answers` gives the holidays package's answers kept from earlier builds (holiday_answers.py).
    Uptime comes from incidents alone without `site_dir`; with it, also from the probe's files
    in site_src/uptime/ (through the cache in `cache_root`, by default the site's own, unless
    `cache` is false), whose warnings go to `problems`; up to `jobs` processes read them.
    """
    # A notice dated later than "now" is scheduled: nothing is made of it, not even the
    # hours it changes, until a build at or after its date (next-change names that instant).
    published, scheduled = split_scheduled(site.notices, now)
    if scheduled:
        site = replace(site, notices=published)
    years = range(now.year - 1, now.year + 3)
    public = answers.public_holidays if answers is not None else None
    holidays = build_holiday_calendar(site.holiday_rules, years, site.languages, public)
    own_holidays = department_holiday_calendars(site.departments, years, site.languages, public)
    overrides = notice_overrides(site.notices, site.departments)
    histories, found = read_probe_histories(site_dir, site, now, cache, cache_root, jobs) \
        if site_dir is not None else ({}, ())
    if problems is not None:
        problems.extend(found)
    uptime = make_uptime(site, now, histories)
    return Build(site=site, now=now, holidays=holidays, overrides=overrides, uptime=uptime, scheduled=scheduled,
                 department_holidays=own_holidays)


def read_probe_histories(site_dir: Path, site: Site, now: datetime, cache: bool = True,
                         cache_root: Path | None = None, jobs: int | None = None):
    """Return (each component's probe history at `now`, the problems of site_src/uptime/ and of the cache).

    With `cache`, the counts are kept in the cache folder `cache_root` (by default the site's own).
    The changed month files are counted by up to `jobs` processes (parallel.py) when there is much to
    read; the changed counts are then written to the cache (see read/probe_files.py).
    """
    if not (site_dir / UPTIME_FOLDER).is_dir():
        return MappingProxyType({}), ()
    # Imported here: a site without the probe's files (most rebuilds of most sites) has nothing to count,
    # and the readers' modules (their dataclasses and regexes) cost a new process some milliseconds.
    from generator.read.probe_cache import CACHE_FOLDER as PROBE_CACHE_FOLDER
    from generator.read.probe_files import list_probe_files, read_component_history
    from generator.write.probe_cache import write_probe_cache

    stored_in = (cache_dir(site_dir) if cache_root is None else cache_root) / PROBE_CACHE_FOLDER if cache else None
    files = list_probe_files(site_dir, site, probe_window(ZoneInfo(site.timezone), now), stored_in)
    heavy = files.uncached_bytes > PROBE_PARALLEL_BYTES
    read = map_in_parallel(read_component_history, files.components, jobs if heavy else 1, min_items=2)
    # Placed at the site's own cache folder, whichever folder holds it: the server hooks' is not the pusher's to see.
    failed = write_probe_cache((entry for component in read for entry in component.cache),
                               f"{CACHE_DIR}/{PROBE_CACHE_FOLDER}")
    problems = [*files.problems, *(problem for component in read for problem in component.problems)]
    return (MappingProxyType({component.component: component.history for component in read}),
            tuple(problems + [failed] if failed else problems))


# build()'s steps: every part rendered, counted and handed to the sink.

class OutputTooLarge(Exception):
    """The outputs rendered so far are over the site's limit on output (limits: output_mb); carries the error."""

    def __init__(self, problem: SourceError):
        super().__init__(problem)
        self.problem = problem


def counting_sink(limits: Limits, sink: Callable[[tuple[Output, ...]], tuple] | None, already: int = 0):
    """Return a sink that counts the bytes of every output, in whichever process renders it, from `already`
    (the files kept from the previous output), and raises OutputTooLarge before handing on (to `sink`, or
    back as they are) any that would pass the limit."""
    counter = SharedCounter()
    counter.add(already)
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


def _kept_digests(loaded: Loaded, memo: LoadMemo | None, folder: Path | None):
    """Return what earlier builds computed of the loaded notices (render/dependencies.py: NoticeDigests), from
    `memo`, else from the trusted cache folder `folder` (None: from nowhere)."""
    from generator.render.dependencies import NoticeDigests
    from generator.write.notice_cache import read_notice_digests

    with pause_collector():    # 10,000 entries of plain strings: out of the collector's rounds
        known = memo.digests if memo is not None and memo.digests is not None else \
            read_notice_digests(folder) if folder is not None else {}
    return NoticeDigests(loaded.made_from, known)


def _keep_digests(digests, memo: LoadMemo | None, folder: Path | None) -> None:
    """Keep what this build computed of its notices in `memo`, and in the trusted cache folder `folder` (None:
    not there) when it changed."""
    from generator.write.notice_cache import write_notice_digests

    changed = digests.settle()
    if memo is not None:
        memo.digests = digests.fresh
    if folder is not None and changed:
        write_notice_digests(folder, digests.fresh)


def _render(build: Build, template_dirs: tuple[Path, ...], compiled, jobs: int | None,
            sink: Callable[[tuple[Output, ...]], tuple] | None, previous: Mapping[str, str],
            previous_bytes: Mapping[str, int], digests=None) -> tuple[tuple, dict[str, str], dict[str, tuple]]:
    """Render the parts of the site (render/outputs.py) whose key is not in `previous`, in up to `jobs`
    processes, and hand each part's outputs to `sink` in the process that rendered them; return what
    `sink` returned, sorted by path, every part's key, and what `sink` returned for each part rendered.

    The files are written while the rest is still being rendered, and no page's bytes travel between
    processes. A template that fails raises TemplateFailed, placed in the template.
    """
    from generator.render import outputs as renderers  # Jinja and the rest: see loading.prepare_rendering

    site_parts = renderers.site_parts(build)
    keys = renderers.part_keys(build, base_key(template_dirs), site_parts, digests)

    def wanted(name: str) -> bool:
        return previous.get(name) != keys[name]

    kept = sum(previous_bytes.get(name, 0) for name in keys if not wanted(name))
    sink = counting_sink(build.site.limits, sink, kept)
    env = renderers.make_environment(theme_loader(template_dirs), compiled)
    renderers.prepare(build.site.languages)    # the site's catalogs read once, before any worker is forked
    parts = [partial(renderers.render_named_part, build, env, name) for name in site_parts if wanted(name)]
    notices = [notice for notice in build.site.notices
               if any(wanted(name) for name in (renderers.notice_part(notice), renderers.notice_calendar_part(notice))
                      if name is not None)]
    parts += [partial(renderers.render_notice_parts, build, env, run, wanted)
              for run in renderers.notice_runs(build, notices)]
    if len(build.site.notices) < RENDER_PARALLEL_FROM:   # the site-wide parts grow with the notices too
        jobs = 1
    elif len(parts) > IMPORT_ALL_FROM:
        # Many parts, in several processes: each renderer imported once here, not in every worker.
        renderers.import_renderers()

    def render_and_hand_on(part: Callable[[], tuple[tuple[str, tuple[Output, ...]], ...]]) -> tuple:
        try:
            made = part()
        except Exception as exc:
            # Placed here, in the process that raised it: a traceback does not travel between processes.
            failed = renderers.placed_failure(exc, env)
            if failed is None:
                raise
            raise failed from None
        return tuple((name, tuple(sink(outputs))) for name, outputs in made)

    done = dict(part for parts_done in map_in_parallel(render_and_hand_on, parts, jobs, min_items=2)
                for part in parts_done)
    ordered = tuple(sorted((output for outputs in done.values() for output in outputs), key=lambda o: o.path))
    return ordered, keys, done
