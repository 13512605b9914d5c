"""The `build` command, and building into a folder (build, serve and the server hooks alike).

build_into is the one way a site reaches a folder: its pages are written into a
staging folder beside the target as they are rendered, and the staging folder is
swapped in whole only when the build is valid, so a failed or interrupted build
leaves the previous output as it was.  The `build` command answers from its
manifest when nothing changed, else builds into public/ and writes the manifest.

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

from generator.read.cache import (
    cache_trust,
    manifest_path,
    output_intact,
    read_manifest,
    reusable_hashes,
    source_fingerprint,
    source_index_path,
)
from generator.read.templates import default_theme_dir
from generator.report import print_problems, summary_of
from generator.write.build_cache import write_json, write_manifest
from generator.write.staging import Staging, check_target

if TYPE_CHECKING:   # for the annotations only: see build_into
    from generator.pipeline import Result


@dataclass(frozen=True, slots=True)
class Built:
    """What build_into did: the build's result, and when it was valid, each file's hash and how many were
    written anew (the others are linked from the previous output)."""

    result: Result
    hashes: dict[str, str] = field(default_factory=dict)
    written: int = 0


def build_into(site_dir: Path, out_dir: Path, now: datetime, strict: bool = False, *,
               previous_hashes: dict[str, str] | None = None, cache_root: Path | None = None,
               on_result: Callable[[Result], None] | None = None, use_cache: bool = True) -> Built:
    """Build the site at `now` into `out_dir` through a staging folder swapped in only when the build is valid;
    return the Built (the folder is left as it was when the build has errors or fails).

    Files whose hash `previous_hashes` gives for the live output are linked rather than
    written again; caches are kept in `cache_root` (pipeline.build), and without `use_cache` (--no-cache)
    every notice is checked anew (pipeline.load).  `on_result` is given
    the build's result before the folder is swapped in, so that its problems are told
    even when the swap then fails.
    """
    # Here, not above: the pipeline imports the validators and, while the notices are read, the
    # renderers (Jinja, Babel, icalendar); an up-to-date `build` never needs them (run_build).
    from generator.pipeline import build_site

    # Pages are written into the staging folder as they are rendered (in every build
    # process); the staging folder replaces the output only once all is written.
    staging = Staging(out_dir, site_dir, previous_hashes)
    try:
        result = build_site(site_dir, now, strict=strict, sink=staging.write, cache_root=cache_root, cache=use_cache)
        if on_result is not None:
            on_result(result)
        if not result.ok:
            staging.discard()
            return Built(result)
        hashes, written = staging.commit(result.outputs)
    except BaseException:
        staging.discard()
        raise
    return Built(result, hashes, written)


def run_build(site_dir: Path, out_dir: Path, now: datetime, strict: bool, use_cache: bool = True) -> int:
    """Build the site into `out_dir`; return the exit status (0 built or up to date, 1 invalid content)."""
    started = time.perf_counter()
    check_target(out_dir, site_dir)
    # A cache that came with the sources is neither read nor written (pipeline.resolve says so).
    trusted, _ = cache_trust(site_dir)
    settings = {"now": now.isoformat(), "strict": strict, "out": str(out_dir.resolve())}
    key, index = source_fingerprint(site_dir, default_theme_dir(), settings) if trusted else ("", None)
    if index is not None:
        write_json(source_index_path(site_dir), index)
    manifest = read_manifest(site_dir, out_dir) if use_cache and trusted else {}
    if manifest.get("key") == key and output_intact(out_dir, manifest):
        sys.stderr.write(manifest.get("messages", ""))
        took = time.perf_counter() - started
        print(f"{out_dir} is up to date ({len(manifest['files'])} files) in {took:.2f} s")
        return 0

    built = build_into(site_dir, out_dir, now, strict, previous_hashes=reusable_hashes(out_dir, manifest),
                       on_result=lambda result: print_problems(result.problems, sys.stderr), use_cache=use_cache)
    result = built.result
    if not result.ok:
        print(f"{summary_of(result.problems)}; nothing was written", file=sys.stderr)
        return 1
    messages = "".join(problem.format() + "\n" for problem in result.problems)
    if key:
        write_manifest(manifest_path(site_dir, out_dir), out_dir, key, built.hashes, messages)
    took = time.perf_counter() - started
    print(f"built {len(result.outputs)} files ({built.written} written) into {out_dir} in {took:.2f} s")
    return 0
