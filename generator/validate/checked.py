"""One notice file read and checked, and what a later build needs to know to reuse that check.

A notice's check (validate_notice) reads its own file, the settings it is checked
against, and, for `supersedes`, whether other notices exist; a translation's check
(validate_translation) reads its own file, the settings, and its notice's language and
prose context; both read site.yaml's `holidays:`.  Each result is kept (write/notice_cache.py) under a key made of
everything in that list but the other notices (`notice_key`, `translation_key`);
what a notice asked of the other notices is recorded beside it (`Consulted`), so
that adding an unrelated notice leaves every other entry valid, and adding or
removing the notice one names makes only that one be checked again.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from typing import Callable, Mapping

from generator.errors import SourceError
from generator.model import Notice, SiteSettings
from generator.read.notice_digests import code_digest, zone_digest
from generator.read.sources import NOTICE_NAME, MarkdownSource, NoticeFile, Sources
from generator.validate.dates_in_text.hours_holidays import SiteHolidays, site_holidays
from generator.validate.notices import (
    CheckedNotice,
    CheckedTranslation,
    ProseContext,
    gather_notices,
    validate_notice,
    validate_translation,
)


@dataclass(frozen=True, slots=True)
class Consulted:
    """What one check asked of the other notices: (slug, whether it existed) for each slug looked up, and,
    when the whole set was read (a "did you mean" hint), the digest of every slug."""

    asked: tuple[tuple[str, bool], ...] = ()
    every: str | None = None


class RecordingSlugs:
    """The set of notices' slugs, as validate_notice asks it, noting every question (see Consulted)."""

    __slots__ = ("_slugs", "_asked", "_every")

    def __init__(self, slugs: frozenset[str]):
        self._slugs = slugs
        self._asked: dict[str, bool] = {}
        self._every = False

    def __contains__(self, slug: object) -> bool:
        present = slug in self._slugs
        if isinstance(slug, str):
            self._asked[slug] = present
        return present

    def __iter__(self):
        self._every = True
        return iter(self._slugs)

    def __len__(self) -> int:
        self._every = True
        return len(self._slugs)

    def consulted(self) -> Consulted:
        """Return what was asked so far."""
        return Consulted(tuple(sorted(self._asked.items())), slugs_digest(self._slugs) if self._every else None)


def slugs_digest(slugs: frozenset[str]) -> str:
    """Return a digest of a set of slugs that does not depend on the order a set iterates in."""
    return hashlib.sha256("\n".join(sorted(slugs)).encode()).hexdigest()


def check_notice(source: MarkdownSource | None, read_problems: list[SourceError], settings: SiteSettings,
                 slugs: frozenset[str], holidays: SiteHolidays) -> tuple[CheckedNotice, Consulted]:
    """Check one read notice (None: unreadable) as validate_notice does, the reading's problems first; return it
    and what it asked of `slugs`."""
    if source is None:
        return CheckedNotice(None, None, tuple(read_problems)), Consulted()
    asked = RecordingSlugs(slugs)
    checked = validate_notice(source, settings, asked, holidays)    # type: ignore[arg-type]  (a set as it asks)
    return replace(checked, problems=tuple(read_problems) + checked.problems), asked.consulted()


def check_translation(source: MarkdownSource | None, read_problems: list[SourceError], settings: SiteSettings,
                      notices: dict[str, CheckedNotice], holidays: SiteHolidays) -> CheckedTranslation:
    """Check one read translation (None: unreadable) against its notice as checked in `notices` (by slug), when
    there is one, the reading's problems first."""
    if source is None:
        return CheckedTranslation(None, tuple(read_problems))
    own = notices.get(NOTICE_NAME.match(source.path.rsplit("/", 1)[-1])[1])
    checked = validate_translation(source, settings, *((own.parts, own.prose) if own else (None, None)), holidays)
    return replace(checked, problems=tuple(read_problems) + checked.problems)


def settings_digest(settings: SiteSettings, code: str, holidays: SiteHolidays) -> str:
    """Return a digest of the generator's `code` digest (with its time zone's rules) and of every setting a notice's
    check reads: the time zone, the languages, the departments and their channels (with their own holidays), the
    components, the limits and the site's `holidays`."""
    # repr: the model's values print every field in a fixed order (tuples; the limits' mappings in
    # insertion order), and a string's repr is quoted, so two different settings never print alike.
    read = (settings.timezone, settings.languages, settings.departments, settings.components,
            dict(settings.limits.values), dict(settings.limits.where), settings.faulty_departments, holidays.key())
    return hashlib.sha256(f"{code}\n{read!r}".encode()).hexdigest()


def notice_key(settings_key: str, rel: str, content: str) -> str:
    """Return the key of a notice's check: the settings' digest (settings_digest), its path and its bytes' digest."""
    return hashlib.sha256(f"notice\0{settings_key}\0{rel}\0{content}".encode()).hexdigest()


def translation_key(file_key: str, own: CheckedNotice | None) -> str:
    """Return the key of a translation's check: its own notice_key, and what it reads of its notice, `own`
    (whether it is valid, its language and its prose context)."""
    if own is None:
        read = "none"
    else:
        read = repr((own.parts is not None, own.parts.lang if own.parts else None, _prose(own.prose)))
    return hashlib.sha256(f"translation\0{file_key}\0{read}".encode()).hexdigest()


def _prose(prose: ProseContext | None) -> tuple | None:
    """Return a prose context as plain values in a fixed order (its sets sorted)."""
    if prose is None:
        return None
    return (prose.lang, prose.reference, prose.period, prose.span,
            None if prose.covered is None else tuple(sorted(prose.covered)), tuple(sorted(prose.acknowledged)))


class CheckedEntries:
    """The kept checks by key, decoded when first asked for, and which ones the last load used.

    One load asks `get` for each file and `put`s what it had to check again; `settle` then keeps
    only what that load used.  The pipeline reads and writes them through write/notice_cache.py
    (`known`: key -> (asked, every, segment, position), and `segments`, each the pickled tuple of
    the checks it holds), or keeps one in memory between loads (pipeline.LoadMemo, for serve),
    which then never decodes a check twice.

    Checks are pickled by segments, not one by one: one pickle of 10,000 checks decodes in some 85 ms,
    10,000 pickles of one in 210 ms (each names its classes again, and looks them up).  A rebuild after
    an edit adds the checks it made as a small segment and keeps the others' bytes as they were
    (encoded), until the segments hold too much that is no longer used, or are too many.
    """

    def __init__(self, known: dict[str, tuple] | None = None, stats: dict[str, tuple] | None = None,
                 segments: list[bytes] | tuple[bytes, ...] = ()):
        # key -> [asked, every, the check (None until decoded), where it is pickled: (segment, position) or None]
        self._known: dict[str, list] = {key: [tuple(map(tuple, asked)), every, None, (segment, position)]
                                         for key, (asked, every, segment, position) in (known or {}).items()}
        self._segments: list[bytes] = list(segments)
        self._decoded: dict[int, tuple | None] = {}     # segment -> its checks (None: it cannot be decoded)
        self._used: dict[str, list] = {}
        self._made = 0
        self.stats: dict[str, tuple] = stats or {}          # read/notice_digests.py's record of the files
        self.fresh_stats: dict[str, tuple] | None = None   # that record as the current load made it
        self.changed = False
        self.made = 0      # how many checks the last settled load made anew (the others it reused)

    def get(self, key: str, slugs: frozenset[str], every: Callable[[], str]):
        """Return the check kept under `key` when what it asked of the other notices still holds (`slugs`, and
        `every`, which gives the digest of all of them); None otherwise."""
        entry = self._known.get(key)
        if entry is None:
            return None
        asked, every_then, value, where = entry
        if every_then is not None and every_then != every():
            return None
        if not all((slug in slugs) == present for slug, present in asked):
            return None
        if value is None:
            checks = self._segment(where[0])
            if checks is None or not 0 <= where[1] < len(checks):
                return None
            value = entry[2] = checks[where[1]]
        self._used[key] = entry
        return value

    def _segment(self, number: object) -> tuple | None:
        """Return the checks of segment `number`, decoded once; None when there is no such segment or it
        cannot be decoded."""
        if number not in self._decoded:
            checks = None
            if isinstance(number, int) and 0 <= number < len(self._segments):
                try:
                    checks = pickle.loads(self._segments[number])
                except Exception:   # sealed by this machine, yet not for this code: its files are checked again
                    checks = None
            self._decoded[number] = checks if isinstance(checks, tuple) else None
        return self._decoded[number]

    def empty(self) -> bool:
        """Tell whether no check and no record of the files is kept: nothing a load could look up."""
        return not self._known and not self.stats

    def asked(self, key: str) -> tuple:
        """Return what the check the current load used under `key` asked of the other notices: (asked, every)."""
        entry = self._used[key]
        return entry[0], entry[1]

    def put(self, key: str, consulted: Consulted, value) -> None:
        """Keep a check made by the current load under `key`, with what it asked of the other notices."""
        self._used[key] = [consulted.asked, consulted.every, value, None]
        self.changed = True
        self._made += 1

    def settle(self) -> bool:
        """Keep only the checks the current load used, and its record of the files; return whether that differs
        from what was kept before (to be written).  A load that checked no notice (the settings were
        broken) leaves everything as it was."""
        if self.fresh_stats is None:
            return False
        changed = self.changed or len(self._used) != len(self._known) or self.fresh_stats != self.stats
        self._known, self._used, self.stats = self._used, {}, self.fresh_stats
        self.fresh_stats, self.changed, self.made, self._made = None, False, self._made, 0
        return changed

    def encoded(self) -> tuple[dict[str, tuple], list[bytes]]:
        """Return every kept check as plain data: key -> (asked, every, segment, position), and the segments."""
        for entry in self._known.values():
            if entry[2] is None:    # kept, and no load asked for it since: decoded, to be counted and moved
                checks = self._segment(entry[3][0])
                if checks is not None and 0 <= entry[3][1] < len(checks):
                    entry[2] = checks[entry[3][1]]
        # A check that cannot be decoded is not kept; every other is, decoded, and its segment with it.
        self._known = {key: entry for key, entry in self._known.items() if entry[2] is not None}
        kept = sorted({entry[3][0] for entry in self._known.values() if entry[3] is not None})
        pickled = sum(len(self._decoded[number]) for number in kept)
        placed = sum(1 for entry in self._known.values() if entry[3] is not None)
        if pickled - placed > max(SEGMENT_SLACK, placed // 4):
            kept = []          # mostly checks no longer used: everything pickled again, in one segment
        elif len(kept) >= MOST_SEGMENTS:
            kept = [max(kept, key=lambda number: len(self._decoded[number]))]   # the others merged
        renumbered = {number: new for new, number in enumerate(kept)}
        segments = [self._segments[number] for number in kept]
        decoded = {new: self._decoded[number] for number, new in renumbered.items()}
        loose = []
        for entry in self._known.values():
            if entry[3] is not None and entry[3][0] in renumbered:
                entry[3] = (renumbered[entry[3][0]], entry[3][1])
            else:
                entry[3] = (len(segments), len(loose))
                loose.append(entry[2])
        if loose:
            segments.append(pickle.dumps(tuple(loose), protocol=pickle.HIGHEST_PROTOCOL))
            decoded[len(segments) - 1] = tuple(loose)
        self._segments, self._decoded = segments, decoded
        return {key: (asked, every, *where) for key, (asked, every, _, where) in self._known.items()}, segments


# A segment holding this many checks no longer used (or a quarter of the checks, if more) is pickled again.
SEGMENT_SLACK = 64
# More segments than this, and all but the largest are merged: a segment costs a pickle's overhead to decode.
MOST_SEGMENTS = 8


def check_and_gather(sources: Sources, settings: SiteSettings, entries: CheckedEntries | None,
                     digests: dict[str, str] | None,
                     check_notices: Callable, check_translations: Callable
                     ) -> tuple[tuple[Notice, ...], list, dict[str, str]]:
    """Return the notices and every problem of the sources' notice files (gather_notices): the checks `entries`
    holds (under keys made of the files' `digests`; None: `entries` holds nothing, and each check is kept under
    the digest of the bytes it read) reused, the others made and kept; and, by slug, the key of
    what each notice was made from (`made_from`), for the notices whose every file's check is kept.

    `check_notices(files, check)` and `check_translations(files, check)` return, for each file, in whichever
    processes (the pipeline maps them), (check(*read_notice(file)), the digest of the bytes read:
    read_notice_and_digest); `check` is check_notice or check_translation with its other arguments given.
    """
    holidays = site_holidays(sources.site.root if sources.site is not None else None, settings.languages)
    checked, translated, kept = _checks(sources.notices, settings, holidays, entries, digests, check_notices,
                                        check_translations)
    with pause_collector():
        notices, problems = gather_notices(sources.notices, checked, translated, settings, sources.history)
    return notices, problems, made_from(sources.notices, kept, entries, sources.history) if entries is not None else {}


def made_from(files: tuple[NoticeFile, ...], kept: dict[str, str], entries: CheckedEntries,
              history: Mapping) -> dict[str, str]:
    """Return, by slug, a digest of everything gather_notices makes a notice from, for each notice all of whose
    files have their check under a key in `kept` (by path): that check's key and what it asked of the other
    notices, and the path, the check's key and the git history of each of its files (its translations), in
    the order of `files`.

    The same digest means the same Notice (render/dependencies.py keeps what it computed of one under it):
    a check is made from its key and from the answers to what it asked alone, and gather_notices reads
    nothing else of a notice's files.  A notice with a file whose check is not kept has none.
    """
    rels: dict[str, list[str]] = {}
    main: dict[str, str] = {}
    for file in files:
        rels.setdefault(file.slug, []).append(file.rel)
        if file.lang is None:
            main[file.slug] = file.rel
    found = {}
    sha256, asked = hashlib.sha256, entries.asked
    for slug, own in rels.items():
        if len(own) == 1:
            # A notice without translations (most): the same tuple as below, made without the loops.
            rel = own[0]
            key = kept.get(rel)
            if key is None or main.get(slug) != rel:
                continue
            made = (key, asked(key), own, [key], [history.get(rel)])
        else:
            if slug not in main or not all(rel in kept for rel in own):
                continue
            key = kept[main[slug]]
            made = (key, asked(key), own, [kept[rel] for rel in own], [history.get(rel) for rel in own])
        found[slug] = sha256(repr(made).encode("utf-8", "surrogatepass")).hexdigest()
    return found


@contextmanager
def pause_collector():
    """Keep the garbage collector from running inside the block (as it was, after it), and what the block made out
    of its later rounds (gc.freeze) until release_collector()."""
    # Decoding thousands of kept checks and making the notices from them makes objects by the
    # million: the collector's rounds over them cost more than the work itself, and they hold no
    # cycles to collect.  Not around the checks themselves (Markdown's and the workers' garbage).
    # Frozen, not just left: the first round after the block would walk all of them, and then each
    # older generation's in turn (at 10,000 notices, one edit: 0.45 s of collecting, 0.2 s frozen).
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def release_collector() -> None:
    """Give what pause_collector froze (and whatever else is frozen) back to the garbage collector's rounds."""
    # Called when a load or a build ends: serve loads again and again in one process, and garbage
    # frozen with the model (cycles made between two loads) would otherwise never be collected.
    gc.unfreeze()


def _checks(files: tuple[NoticeFile, ...], settings: SiteSettings, holidays: SiteHolidays,
            entries: CheckedEntries | None, digests: dict[str, str] | None, check_notices: Callable,
            check_translations: Callable) -> tuple[dict, dict, dict]:
    """Return the checks of the notices and of the translations by path relative to the site (check_and_gather),
    and the key of each file whose check is the one `entries` keeps under that key (reused, or made from the
    bytes its key names), by path."""
    mains = [file for file in files if file.lang is None]
    translations = [file for file in files if file.lang is not None]
    slugs = frozenset(file.slug for file in mains)
    keys: dict[str, str] = {}
    settings_key = ""
    if entries is not None:
        settings_key = settings_digest(settings, code_digest() + zone_digest(settings.timezone), holidays)
        # A file that could not be read ("") is checked every time: how it fails may change.
        keys = {rel: notice_key(settings_key, rel, digest) for rel, digest in (digests or {}).items() if digest}

    def key_of(rel: str, read: str) -> str | None:
        # Kept only under the bytes it was made from: a file saved again between its digest and its
        # reading (an editor, during a load) would otherwise leave a check of the new text under the old.
        if entries is None or not read:
            return None
        if digests is None:     # no digest taken beforehand: the bytes read name the check
            return notice_key(settings_key, rel, read)
        return keys.get(rel) if read == digests.get(rel) else None
    every = lru_cache(maxsize=1)(partial(slugs_digest, slugs))
    with pause_collector():
        checked = {file.rel: entries.get(keys[file.rel], slugs, every) for file in mains if file.rel in keys}
    kept = {rel: keys[rel] for rel, one in checked.items() if one is not None}
    missing = [file for file in mains if checked.get(file.rel) is None]
    done = check_notices(missing, partial(check_notice, settings=settings, slugs=slugs, holidays=holidays))
    for file, ((one, consulted), read) in zip(missing, done):
        checked[file.rel] = one
        key = key_of(file.rel, read)
        if key is not None:
            entries.put(key, consulted, one)
            kept[file.rel] = key
    by_slug = {file.slug: checked[file.rel] for file in mains}
    translated = {}
    with pause_collector():
        for file in translations:
            if file.rel in keys:
                keys[file.rel] = translation_key(keys[file.rel], by_slug.get(file.slug))
                translated[file.rel] = entries.get(keys[file.rel], slugs, every)
                if translated[file.rel] is not None:
                    kept[file.rel] = keys[file.rel]
    missing = [file for file in translations if translated.get(file.rel) is None]
    done = check_translations(missing, partial(check_translation, settings=settings, notices=by_slug, holidays=holidays))
    for file, (one, read) in zip(missing, done):
        translated[file.rel] = one
        key = key_of(file.rel, read)
        if key is not None:
            key = translation_key(key, by_slug.get(file.slug)) if digests is None else key
            entries.put(key, Consulted(), one)
            kept[file.rel] = key
    return checked, translated, kept
