"""The `check` command: validate everything a build reads, the probe's files included, and write nothing."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.model import Build
from generator.pipeline import load, resolve
from generator.report import summary_of, write_problems


def scheduled_lines(build: Build) -> tuple[str, ...]:
    """Return 'path: scheduled: published at <date in the site's zone>' for each notice dated after the build's now."""
    site = build.site
    zone = ZoneInfo(site.timezone)
    return tuple(f"{n.path}: scheduled: published at {n.date.astimezone(zone).isoformat()} ({site.timezone})"
                 for n in sorted(build.scheduled, key=lambda n: (n.date, n.path)))


def check_command(site_dir: Path, now: datetime, strict: bool = False, fmt: str = "text",
                  stdout=None, stderr=None) -> int:
    """Check the site at `now` and print its problems in format `fmt`; return the exit status (0 valid, 1 not)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    resolved = resolve(load(site_dir, strict=strict), now)
    write_problems(resolved.problems, fmt, site_dir, stdout, stderr)
    if resolved.build is None:
        print(summary_of(resolved.problems), file=stderr)
        return 1
    # With --format json, stdout holds the JSON list alone.
    said = stderr if fmt == "json" else stdout
    for line in scheduled_lines(resolved.build):
        print(line, file=said)
    print(f"checked {site_dir}: {summary_of(resolved.problems)}", file=said)
    return 0
