"""load(): a site folder read and validated, each notice in whichever process is free, its check kept.

The recipe's first step (see the package's docstring): the sources are read, the settings
checked, then every notice and translation (in up to `jobs` processes, unless a kept check
of the same bytes and settings stands: validate/checked.py), then what depends on several
notices.  Nothing is written here but the kept checks and the notices' git history, through
write/.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable

from generator.errors import ERROR, SourceError, has_errors, sort_problems
from generator.model import Notice, Site, SiteSettings
from generator.parallel import map_in_parallel
from generator.read.cache import NOT_ASKED, cache_dir, code_digest, may_use_cache, untrusted_cache
from generator.read.git_history import GIT_HISTORY_FILE, read_git_history, read_kept_history
from generator.read.notice_digests import notice_digests, notice_stats
from generator.read.sources import NoticeFile, Sources, read_notice, read_notice_and_digest, read_sources
from generator.schedule.holiday_answers import HolidayAnswers
from generator.validate import make_site, validate_holidays, validate_settings
from generator.validate.checked import CheckedEntries, check_and_gather, pause_collector, release_collector
from generator.validate.limits import check_notice_count
from generator.validate.notices import import_checkers
from generator.write.build_cache import write_json
from generator.write.holiday_cache import read_holiday_answers, write_holiday_answers
from generator.write.notice_cache import read_checked, write_checked

# From this many files to check, the modules a check imports when first needed are imported before the workers fork.
IMPORT_CHECKERS_FROM = 20


@dataclass(frozen=True, slots=True)
class Loaded:
    """A site folder read and validated: the site (None when a problem is an error) and every problem, sorted."""

    site_dir: Path
    # What validated even when something did not (None only when site.yaml is unusable):
    # `new` needs only the settings, departments and components, whatever a notice holds.
    draft: Site | None
    problems: tuple[SourceError, ...]
    templates: Path | None          # the site's templates/ folder, when it has one
    strict: bool = False            # warnings were counted as errors, and so are those resolving finds
    # By slug, a digest of what each notice was made from, where its checks are kept (validate/checked.py:
    # made_from); the build keeps what it computes of a notice under it (render/dependencies.py).
    made_from: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    kept_in: Path | None = field(default=None, compare=False, repr=False)   # the cache folder the checks are kept in
    # What read.cache.untrusted_cache said of the site's own cache folder: resolve() decides from it too.
    untrusted: SourceError | None = field(default=None, compare=False, repr=False)

    @property
    def site(self) -> Site | None:
        """Return the site, or None when a problem is an error."""
        return None if has_errors(self.problems) else self.draft


@dataclass(slots=True)
class LoadMemo:
    """What load() keeps in memory between the loads of one process (serve): the notices' checks and their
    git history, so that a rebuild after one edit checks that notice alone and reads no cache file."""

    entries: CheckedEntries | None = None
    history: dict | None = None       # read/git_history.py's record
    digests: dict | None = None       # what the last build computed of each notice (render/dependencies.py)
    holidays: HolidayAnswers | None = None   # the holidays package's answers (schedule/holiday_answers.py)


def as_errors(problems, strict: bool) -> tuple[SourceError, ...]:
    """Return the problems, every warning made an error when `strict` (--strict), the order kept."""
    if not strict:
        return tuple(problems)
    return tuple(SourceError(p.path, p.line, p.column, p.message, p.hint, ERROR) for p in problems)


def load(site_dir: Path, strict: bool = False, jobs: int | None = None, *, rendering: bool = False,
         cache_root: Path | None = None, cache: bool = True, memo: LoadMemo | None = None,
         untrusted: SourceError | None | object = NOT_ASKED) -> Loaded:
    """Read and validate a site folder (notices in up to `jobs` processes) into a Loaded.

    With `rendering` (a build follows), the renderers are imported and the gettext catalogs
    compiled while other processes read the notices: that takes longer than anything
    else before the first page.  With `cache`, each notice's check and the notices' git history
    are kept in `cache_root` (by default the site's `.expediente-cache/`, unless it came with the
    sources: cache_trust) and reused when nothing they read has changed; `memo` keeps them in
    memory between the loads of one process (serve); `untrusted` is read.cache.untrusted_cache's answer, when
    the caller asked it already.  Nothing else is written.
    """
    root = cache_dir(site_dir) if cache_root is None else cache_root
    untrusted = untrusted_cache(site_dir) if untrusted is NOT_ASKED else untrusted
    kept = cache and may_use_cache(untrusted, site_dir, cache_root)
    sources, read_problems = read_sources(site_dir, git_history=False)
    if sources.notices:
        sources = with_history(sources, site_dir, root if kept else None, memo)
    entries = None
    if kept or memo is not None:
        with pause_collector():    # tens of thousands of values: out of the collector's rounds (see there)
            entries = memo.entries if memo is not None and memo.entries is not None else \
                CheckedEntries(*read_checked(root)) if kept else CheckedEntries()
    answers = kept_holiday_answers(root if kept else None, memo)
    draft, problems, made_from = validate_sources(sources, jobs, prepare_rendering if rendering else None, entries,
                                                  answers)
    if entries is not None and entries.settle() and kept:
        index, segments = entries.encoded()
        write_checked(root, index, entries.stats, segments)
    keep_holiday_answers(root if kept else None, answers)
    if memo is not None:
        memo.entries, memo.holidays = entries, answers
    problems = as_errors(sort_problems(list(read_problems) + list(problems)), strict)
    if not rendering:
        release_collector()        # a build (rendering) releases what the load froze when it ends
    return Loaded(site_dir, draft, problems, sources.templates, strict, made_from, root if kept else None, untrusted)


# load()'s steps: each notice read and checked in whichever process is free.

def with_history(sources: Sources, site_dir: Path, root: Path | None, memo: LoadMemo | None) -> Sources:
    """Return the sources with the notices' git history, counted anew only for commits not counted before (kept
    in `memo`, else in the cache folder `root`, which is then updated; None: nothing is kept)."""
    path = root / GIT_HISTORY_FILE if root is not None else None
    known = memo.history if memo is not None and memo.history is not None else \
        read_kept_history(path) if path is not None else None
    history, record = read_git_history(site_dir, known)
    if record is not None and record is not known and path is not None:
        write_json(path, record)
    if memo is not None:
        memo.history = record
    return replace(sources, history=history)


def kept_holiday_answers(root: Path | None, memo: LoadMemo | None = None) -> HolidayAnswers:
    """Return the holidays package's answers kept in `memo`, else in the trusted cache folder `root` (None: none)."""
    if memo is not None and memo.holidays is not None:
        return memo.holidays
    return HolidayAnswers(read_holiday_answers(root), code_digest()) if root is not None else HolidayAnswers()


def keep_holiday_answers(root: Path | None, answers: HolidayAnswers) -> None:
    """Write the answers into the trusted cache folder `root` (None: nowhere) when some were asked anew."""
    kept = answers.to_keep()
    if kept is not None and root is not None:
        write_holiday_answers(root, kept)
        answers.added = False


def validate_sources(sources: Sources, jobs: int | None = None, meanwhile: Callable[[], object] | None = None,
                      entries: CheckedEntries | None = None, answers: HolidayAnswers | None = None
                      ) -> tuple[Site | None, tuple[SourceError, ...], dict[str, str]]:
    """Turn the read sources into a Site: the settings, then each notice (in up to `jobs` processes, unless
    `entries` holds its check) while the holiday rules are checked and `meanwhile` is called, then what depends
    on several notices.  `answers` holds the holidays package's answers kept from earlier builds.

    Return the site (None only when the settings cannot be read; see load), every problem, sorted, and by slug
    what each notice was made from (check_and_gather).
    """
    settings, found = validate_settings(sources, answers.subdivisions if answers is not None else None)
    holidays: list = []

    def check_holidays() -> None:
        # Nothing in a notice depends on the holidays: they are checked while the notices are.
        holidays.extend(validate_holidays(sources, answers))
        if meanwhile is not None:
            meanwhile()

    notices: tuple[Notice, ...] = ()
    made_from: dict[str, str] = {}
    too_many = check_notice_count(sources.notices, settings.limits) if settings is not None else []
    if too_many:
        # Not one of them is read: reading them is what the limit bounds.
        check_holidays()
        found += too_many
    elif settings is not None and sources.notices and settings.departments:
        notices, notice_problems, made_from = check_notices(sources, settings, jobs, check_holidays, entries)
        found += notice_problems
    else:
        # Without the settings (or without departments) the notices cannot be checked; what is wrong in
        # reading them (encoding, front matter, YAML syntax) shows all the same, with every mistake at once.
        check_holidays()
        found += [problem for file in sources.notices for problem in read_notice(file)[1]]
    holiday_rules, holiday_problems = holidays
    found += holiday_problems
    if settings is None:
        return None, sort_problems(found), {}
    return make_site(settings, holiday_rules, notices), sort_problems(found), made_from


def check_notices(sources: Sources, settings: SiteSettings, jobs: int | None, meanwhile: Callable[[], object],
                   entries: CheckedEntries | None) -> tuple[tuple[Notice, ...], list[SourceError], dict[str, str]]:
    """Read and check every notice, then every translation, each file in whichever process is free (each is
    independent of the others; a translation's prose is checked as its notice's is) unless `entries` holds its
    check (validate/checked.py); then gather them (check_and_gather)."""
    digests: dict[str, str] | None = {}
    read: dict[str, str] = {}
    if entries is not None and entries.empty():
        # Nothing kept to look up (a first build): each file's digest is that of the bytes its check read, not
        # read and hashed once more beforehand (on one core, before the workers fork).
        digests, stats = None, notice_stats(sources.notices)
    elif entries is not None:
        digests, entries.fresh_stats = notice_digests(sources.notices, entries.stats)

    def check_files(files: list[NoticeFile], check: Callable, then: Callable[[], object] | None = None) -> list:
        if len(files) >= IMPORT_CHECKERS_FROM and jobs != 1:
            import_checkers()   # once here, not again in every worker the map forks
        done = map_in_parallel(partial(check_file, check=check), files, jobs, meanwhile=then)
        read.update((file.rel, digest) for file, (_, digest) in zip(files, done))
        return done

    found = check_and_gather(sources, settings, entries, digests,
                             lambda files, check: check_files(files, check, meanwhile),
                             check_files)
    if digests is None:
        entries.fresh_stats = {rel: (*seen, read[rel]) for rel, seen in stats.items() if read.get(rel)}
    return found


def check_file(file: NoticeFile, check: Callable) -> tuple[object, str]:
    """Read one notice or translation file; return `check(its source or None, the reading's problems)` and the
    digest of the bytes read."""
    source, problems, digest = read_notice_and_digest(file)
    return check(source, problems), digest


def prepare_rendering() -> None:
    """Import the renderers (Jinja, Babel: imported here, not above, see load); the catalogs are read by _render."""
    from generator.render import outputs
    outputs.prepare()
