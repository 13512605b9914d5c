"""The `build` command, and building into a folder (build, serve and the server hooks alike).

build_into is the one way a site reaches a folder: its pages are written into a
staging folder beside the target as they are rendered, and nothing reaches the
output unless the build is valid.  A full build swaps the staging folder in whole;
an incremental one (the manifest vouches for the live output) renders only the
parts whose key changed and renames only the changed files into place
(write/staging.py).  The `build` command answers from its manifest when nothing
changed, else builds into public/; the manifest is removed before the output
changes and written after, so a build killed in between is repaired by the next.

This module imports only the standard library and the cache until it knows a
build is needed, so that an up-to-date rebuild costs little more than starting
Python and looking at the sources' file times.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator.errors import SourceError
from generator.read.cache import (
    NOT_ASKED,
    cache_trust,
    manifest_path,
    read_manifest,
    source_fingerprint,
    source_index_path,
)
from generator.read.output_state import folder_records, live_output, output_intact, read_back
from generator.read.templates import default_theme_dir
from generator.report import print_problems, summary_of
from generator.write.build_cache import filesystem_clock, remove_manifest, write_json, write_manifest
from generator.write.staging import Staging, WriteError, check_target

if TYPE_CHECKING:   # for the annotations only: see build_into
    from generator.pipeline import LoadMemo, Result


@dataclass(frozen=True, slots=True)
class Built:
    """What build_into did: the build's result, and when it was valid, each file's hash, how many were
    written anew (the others are linked from, or kept in, the previous output), each part's key and files,
    and whether it was written in place (an incremental build that did not fall back to a full one)."""

    result: Result
    hashes: dict[str, str] = field(default_factory=dict)
    written: int = 0
    parts: dict[str, list] = field(default_factory=dict)
    in_place: bool = False        # written into the live output (else swapped in whole)


@dataclass(frozen=True, slots=True)
class LiveOutput:
    """What the output folder holds, as far as the last build vouches for it (read.output_state.live_output)."""

    files: dict[str, list]        # each file still as the last build wrote it: [hash, size, time, change time]
    parts: dict[str, list]        # each part all of whose files are among them: [key, [files]]
    held: list[str]               # every file the last build wrote (the manifest's), whatever became of it


def build_into(site_dir: Path, out_dir: Path, now: datetime, strict: bool = False, *,
               previous_hashes: dict[str, str] | None = None, cache_root: Path | None = None,
               on_result: Callable[[Result], None] | None = None, live: LiveOutput | None = None,
               invalidate: Callable[[], None] | None = None, use_cache: bool = True,
               memo: LoadMemo | None = None, untrusted: SourceError | None | object = NOT_ASKED) -> Built:
    """Build the site at `now` into `out_dir`; return the Built (the folder is left as it was when the build
    has errors or fails).

    Without `live`, through a staging folder swapped in whole: files whose hash `previous_hashes`
    gives for the live output are linked rather than written again.  With `live`, incrementally:
    only the parts whose key changed are rendered, only the files whose bytes changed are written
    (aside, then renamed into place), and `invalidate` is called before the live output first
    changes (write/staging.py says why).  Caches are kept in `cache_root` (pipeline.build);
    without `use_cache` (--no-cache) every notice is checked anew (pipeline.load); `memo` keeps
    what was loaded between calls (serve); `untrusted` is what read.cache.untrusted_cache said, when the caller
    asked it already.  `on_result` is given the build's result before the
    folder changes, so that its problems are told even when writing then fails.
    """
    # Here, not above: the pipeline imports the validators and, while the notices are read, the
    # renderers (Jinja, Babel, icalendar); an up-to-date `build` never needs them (run_build).
    from generator.pipeline import build_site

    in_place = live is not None and out_dir.is_dir()
    hashes = {path: recorded[0] for path, recorded in live.files.items()} if in_place else previous_hashes
    previous = {name: part[0] for name, part in live.parts.items()} if in_place else None
    # What the parts kept would add to the output: counted against the site's limit as a clean build counts it.
    sizes = {name: sum(_size(out_dir, path, live.files[path]) for path in part[1])
             for name, part in live.parts.items()} if in_place else None
    # Pages are written into the staging folder as they are rendered (in every build process);
    # the live output changes only once all is written.
    staging = Staging(out_dir, site_dir, hashes, in_place=in_place)
    try:
        result = build_site(site_dir, now, strict=strict, sink=staging.write, cache_root=cache_root,
                            cache=use_cache, memo=memo, previous=previous, previous_bytes=sizes, untrusted=untrusted)
        if on_result is not None:
            on_result(result)
        if not result.ok:
            staging.discard()
            return Built(result)
        parts = {name: [key, sorted(record.path for record in result.parts[name])] if name in result.parts
                 else live.parts[name] for name, key in result.keys.items()}
        if in_place:
            kept = {path: hashes[path] for name, key in result.keys.items() if name not in result.parts
                    for path in live.parts[name][1]}
            try:
                files, written = staging.commit_in_place(result.outputs, kept, live.held, invalidate)
            except WriteError:
                # The live output is not as the manifest says (a folder where a file goes): build it whole.
                staging.discard()
                return build_into(site_dir, out_dir, now, strict, cache_root=cache_root, on_result=None,
                                  invalidate=invalidate, use_cache=use_cache, memo=memo, untrusted=untrusted)
        else:
            if invalidate is not None:
                invalidate()
            files, written = staging.commit(result.outputs)
    except BaseException:
        staging.discard()
        raise
    return Built(result, files, written, parts, in_place)


def _size(out_dir: Path, path: str, recorded: list) -> int:
    """Return a live file's size: as the manifest recorded it, else (serve keeps only hashes) as it is now."""
    if len(recorded) >= 2:
        return recorded[1]
    try:
        return (out_dir / path).lstat().st_size
    except OSError:
        return 0


def _touched(hashes: dict[str, str], live: LiveOutput) -> tuple[list[str], list[str]]:
    """Return the files an incremental build wrote anew where the last build had them, and those it added or
    retired (read.output_state.folder_records): their folders changed, the others did not."""
    files, held = live.files, set(live.held)
    rewritten, changed = [], [path for path in held if path not in hashes]
    for path, digest in hashes.items():
        if path not in held:
            changed.append(path)
        elif path not in files or files[path][0] != digest:
            rewritten.append(path)
    return rewritten, changed


def run_build(site_dir: Path, out_dir: Path, now: datetime, strict: bool, use_cache: bool = True) -> int:
    """Build the site into `out_dir`; return the exit status (0 built or up to date, 1 invalid content)."""
    started = time.perf_counter()
    check_target(out_dir, site_dir)
    # A cache that came with the sources is neither read nor written (pipeline.resolve says so).
    trusted, untrusted = cache_trust(site_dir)
    settings = {"now": now.isoformat(), "strict": strict, "out": str(out_dir.resolve())}
    key, index = source_fingerprint(site_dir, default_theme_dir(), settings) if trusted else ("", None)
    if index is not None:
        write_json(source_index_path(site_dir), index, sort_keys=False)    # read as data only, as the manifest
    manifest = read_manifest(site_dir, out_dir) if use_cache and trusted else {}
    refreshed: dict[str, list] = {}
    if manifest.get("key") == key and output_intact(out_dir, manifest, refreshed):
        if refreshed:
            # Files whose change time alone moved (bytes compared), or that the last build wrote in the clock's
            # tick: recorded with their times now, so that the next check does not read them again.
            clock = filesystem_clock(out_dir.parent)
            manifest["files"].update((rel, record if record[3] < clock else [*record[:3], -1])
                                     for rel, record in refreshed.items())
            write_json(manifest_path(site_dir, out_dir), manifest, sort_keys=False)
        told = manifest.get("messages")
        sys.stderr.write(told if isinstance(told, str) else "")     # data, maybe crafted: text or nothing
        took = time.perf_counter() - started
        print(f"{out_dir} is up to date ({len(manifest['files'])} files) in {took:.2f} s")
        return 0

    # Incrementally when the sources changed and no folder of the output holds a file, folder or link the
    # last build did not put there (live_output): files edited or removed by hand are written again with
    # their parts.  Else a full build swaps in a new tree, which removes whatever was added by hand.  It
    # writes every file anew, none linked from the live output: the detached remover of the old tree would
    # set the change times of linked files after the manifest recorded them (read/output_state.py).
    found = live_output(out_dir, manifest) if manifest and manifest.get("key") != key else None
    live = LiveOutput(*found) if found is not None else None
    where = manifest_path(site_dir, out_dir)
    went_live: list[int] = []       # the file system's clock when the build began to change the output

    def invalidate() -> None:
        remove_manifest(where)
        went_live.append(filesystem_clock(out_dir.parent))

    built = build_into(site_dir, out_dir, now, strict,
                       on_result=lambda result: print_problems(result.problems, sys.stderr), live=live,
                       invalidate=invalidate, use_cache=use_cache, untrusted=untrusted)
    result = built.result
    if not result.ok:
        print(f"{summary_of(result.problems)}; nothing was written", file=sys.stderr)
        return 1
    messages = "".join(problem.format() + "\n" for problem in result.problems)
    if key:
        # Written last: it vouches for the output only once all of it is in place.  The folders' times are
        # taken after the file system's clock (folder_records says why); a file changed since the output
        # went live is recorded with no change time (write_manifest says why).
        clock = filesystem_clock(out_dir.parent)
        incremental = live is not None and built.in_place
        rewritten, changed = _touched(built.hashes, live) if incremental else ((), None)
        folders = folder_records(out_dir, built.hashes, clock, manifest.get("folders"), rewritten, changed)
        known = None
        if incremental:
            # The few files it renamed into the live output (all of them changed after it went live) are read
            # back rather than left to the next check, which would then rewrite the manifest (+0.09 s at 10,000).
            written = {path: built.hashes[path] for path in rewritten}
            written.update((path, built.hashes[path]) for path in changed if path in built.hashes)
            known = {**live.files, **read_back(out_dir, written)}
        write_manifest(where, out_dir, key, built.hashes, messages, built.parts, known, folders, clock,
                       went_live[0] if went_live else None)
    took = time.perf_counter() - started
    rendered = sum(1 for name in result.keys if name in result.parts)
    print(f"built {len(built.hashes)} files ({built.written} written, {rendered} of {len(result.keys)} parts "
          f"rendered) into {out_dir} in {took:.2f} s")
    return 0
