"""The `build` command: answer from the cache when nothing changed, else build and write what changed.

This module imports only the standard library and the cache until it knows a
build is needed, so that an up-to-date rebuild costs little more than starting
Python and looking at the sources' file times.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

from generator.read.cache import (
    cache_trust,
    output_intact,
    read_manifest,
    reusable_hashes,
    source_fingerprint,
    write_manifest,
)
from generator.render.default_theme import default_theme_dir
from generator.write.staging import Staging, check_target


def run_build(site_dir: Path, out_dir: Path, now: datetime, strict: bool, use_cache: bool = True) -> int:
    """Build the site into `out_dir`; return the exit status (0 built or up to date, 1 invalid content)."""
    from generator.cli import print_problems, summary_of

    started = time.perf_counter()
    check_target(out_dir, site_dir)
    # A cache that came with the sources is neither read nor written (build_site says so).
    trusted, _ = cache_trust(site_dir)
    settings = {"now": now.isoformat(), "strict": strict, "out": str(out_dir.resolve())}
    key = source_fingerprint(site_dir, default_theme_dir(), settings) if trusted else ""
    manifest = read_manifest(site_dir, out_dir) if use_cache and trusted else {}
    if manifest.get("key") == key and output_intact(out_dir, manifest):
        sys.stderr.write(manifest.get("messages", ""))
        took = time.perf_counter() - started
        print(f"{out_dir} is up to date ({len(manifest['files'])} files) in {took:.2f} s")
        return 0

    from generator.pipeline import build_site  # the renderers are loaded only when something is built

    # Pages are written into the staging folder as they are rendered (in every build
    # process); the staging folder replaces the output only once all is written.
    staging = Staging(out_dir, site_dir, reusable_hashes(out_dir, manifest))
    try:
        result = build_site(site_dir, now, strict=strict, sink=staging.write)
        print_problems(result.problems, sys.stderr)
        if not result.ok:
            staging.discard()
            print(f"{summary_of(result.problems)}; nothing was written", file=sys.stderr)
            return 1
        hashes, written = staging.commit(result.outputs)
    except BaseException:
        staging.discard()
        raise
    messages = "".join(problem.format() + "\n" for problem in result.problems)
    if key:
        write_manifest(site_dir, out_dir, key, hashes, messages)
    took = time.perf_counter() - started
    print(f"built {len(result.outputs)} files ({written} written) into {out_dir} in {took:.2f} s")
    return 0


def check_site(site_dir: Path, now: datetime, strict: bool, cache_root: Path | None = None):
    """Validate everything a build reads, the probe's history included.

    Return (site or None, problems, lines naming each scheduled notice and when it is published).
    The probe's history is counted through the cache in `cache_root` (see rollups.read_histories).
    """
    from zoneinfo import ZoneInfo

    from generator.errors import ERROR, SourceError, has_errors, sort_problems
    from generator.load import load_site
    from generator.read.probe_files import read_histories

    site, problems, _ = load_site(site_dir, strict=strict)
    trusted, untrusted = cache_trust(site_dir, cache_root)
    found = [untrusted] if untrusted else []
    scheduled: tuple[str, ...] = ()
    if site is not None:
        aware = now if now.tzinfo is not None else now.replace(tzinfo=ZoneInfo(site.timezone))
        scheduled = scheduled_lines(site, aware)
        if site.components or (site_dir / "site_src" / "uptime").is_dir():
            found += read_histories(site_dir, site, aware, cache=trusted, cache_root=cache_root)[1]
    if strict:
        found = [SourceError(p.path, p.line, p.column, p.message, p.hint, ERROR) for p in found]
    problems = sort_problems(list(problems) + list(found))
    return (None if has_errors(problems) else site), problems, scheduled


def scheduled_lines(site, now: datetime) -> tuple[str, ...]:
    """Return 'path: scheduled: published at <date in the site's zone>' for each notice dated after `now`."""
    from zoneinfo import ZoneInfo

    from generator.model import split_scheduled

    zone = ZoneInfo(site.timezone)
    _, scheduled = split_scheduled(site.notices, now)
    return tuple(f"{n.path}: scheduled: published at {n.date.astimezone(zone).isoformat()} ({site.timezone})"
                 for n in sorted(scheduled, key=lambda n: (n.date, n.path)))
