"""Closing the probe's past months: each month file becomes an xz file of its rows and a summary of its days.

A UTC month closes at `now` when the local day of its last instant is over and the 24 hours
before now no longer reach into it: no build at or after now counts its rows again, only its
days (read/probe_summary.py describes both files; write/month_archive.py writes them). The probe
closes months after it has appended its rows, under the same lock, so that a row that arrives
late for a closed month (a clock set back) is merged into the month's xz file at once.

A month file with a malformed row or an unfinished last line is left open: the build names the
problem, and a person says what was meant before the rows are packed away. Compressing costs
about a second per month of one-minute checks, so one run closes months for CLOSE_SECONDS at
most and leaves the rest to the next run.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.errors import WARNING, SourceError
from generator.model import Component
from generator.probe.csv_file import LOCK_NAME, LOCK_WAIT, acquire_lock, describe_os_error, uptime_dir
from generator.read.probe_files import FIRST_ROW_BYTES
from generator.read.probe_rows import UPTIME_FOLDER, Context, parse_stamp
from generator.read.probe_summary import (
    ARCHIVE_SUFFIX,
    SUMMARY_SUFFIX,
    SummaryError,
    count_file,
    encode_summary,
    month_span,
    read_archive,
)
from generator.schedule.uptime import day_bounds
from generator.write.month_archive import write_closed_month

CLOSE_SECONDS = 10.0
MAX_MONTH_BYTES = 1 << 30     # the probe's own files: a month of one check a second is some 110 MB


def closes_at(month: str, zone: ZoneInfo) -> datetime:
    """Return the instant a UTC month closes: the end of the local day of its last instant, and 24 hours after it."""
    _, end = month_span(month)
    last_day = day_bounds((end - timedelta(microseconds=1)).astimezone(zone).date(), zone)
    return max(last_day.end, end + timedelta(hours=24))


def month_context(month: str, zone: ZoneInfo, slow_ms: float | None) -> Context:
    """Return what counting a month's rows needs: the bounds of every local day its rows can fall on."""
    start, end = month_span(month)
    day, last = start.astimezone(zone).date() - timedelta(1), end.astimezone(zone).date() + timedelta(1)
    bounds = {}
    while day <= last:
        bounds[day] = day_bounds(day, zone)
        day += timedelta(1)
    return Context(zone, bounds, slow_ms)


def close_month(path: Path, zone: ZoneInfo, slow_ms: float | None) -> bool:
    """Close one month file if its rows are all well formed; tell whether it was closed.

    Raises SummaryError when the month's xz file, already there, cannot be read, and OSError.
    """
    month = path.name.removesuffix(".csv")
    data = path.read_bytes()
    archive = path.with_name(month + ARCHIVE_SUFFIX)
    if archive.exists():
        # Rows that came after the month closed: the month is its closed rows and these.
        earlier = read_archive(archive, MAX_MONTH_BYTES)
        if not data.startswith(earlier):       # (a probe stopped after writing the xz file: the same rows)
            data = earlier + data[data.find(b"\n") + 1:]
    context = month_context(month, zone, slow_ms)
    rollup = count_file(data, dict(size=len(data), mtime_ns=0, verify=False), month, context)
    if not rollup.readable or rollup.warnings or rollup.read != len(data):
        return False
    # The first row as the build finds it in a month file (read/probe_files.py: first_row_time).
    first = next((line[:20] for line in data[:FIRST_ROW_BYTES].split(b"\n")[1:] if parse_stamp(line[:20])), b"")
    write_closed_month(path, archive, data, path.with_name(month + SUMMARY_SUFFIX),
                       encode_summary(month, rollup, context, first))
    return True


def close_months(site_dir: Path, components: tuple[Component, ...], zone: ZoneInfo,
                 now: datetime) -> tuple[tuple[str, ...], tuple[SourceError, ...]]:
    """Close every component's month files that are closed at `now`, for CLOSE_SECONDS at most; return the
    files closed (as site_src/uptime/<id>/<YYYY-MM>.csv) and warnings for those that could not be."""
    folder = uptime_dir(site_dir)
    due = []
    for component in sorted(components, key=lambda c: c.id):
        check = component.check
        slow_ms = check.degraded_after * 1000 if check is not None and check.degraded_after is not None else None
        for path in sorted((folder / component.id).glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].csv")):
            try:
                if closes_at(path.stem, zone) <= now.astimezone(UTC):
                    due.append((path, slow_ms))
            except (ValueError, OverflowError):
                continue            # not a month: the build names it
    if not due:
        return (), ()
    closed, problems = [], []
    try:
        lock = acquire_lock(folder / LOCK_NAME, LOCK_WAIT)
    except OSError as error:
        return (), (SourceError((UPTIME_FOLDER / LOCK_NAME).as_posix(), 0, 0,
                                f"could not close past months: {describe_os_error(error)[0]}",
                                "they stay open, and the next probe run tries again", WARNING),)
    deadline = time.monotonic() + CLOSE_SECONDS
    try:
        for path, slow_ms in due:
            if time.monotonic() > deadline:
                break               # the next run goes on
            shown = path.relative_to(site_dir).as_posix()
            try:
                if os.path.isfile(path) and close_month(path, zone, slow_ms):
                    closed.append(shown)
            except (OSError, SummaryError) as error:
                reason = str(error) if isinstance(error, SummaryError) else describe_os_error(error)[0]
                problems.append(SourceError(shown, 0, 0, f"could not close the month: {reason}",
                                            "its rows stay in the month file, and the build reads them", WARNING))
    finally:
        os.close(lock)
    return tuple(closed), tuple(problems)
