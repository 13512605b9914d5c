"""Closing the probe's past months: a month's rows (its day folders' files, or a month file) become an xz file
of its rows and a summary of its days, in the component's folder, and the day files and month file go.

A UTC month closes at `now` when the local day of its last instant is over and the 24 hours
before now no longer reach into it: no build at or after now counts its rows again, only its
days (read/probe_summary.py describes both files; write/month_archive.py writes them). The probe
closes months after it has appended its rows, under the same lock, so that a row that arrives
late for a closed month (a clock set back) is merged into the month's xz file at once.

A month whose month file or a day file has a malformed row or an unfinished last line is left open: the build names the
problem, and a person says what was meant before the rows are packed away. Compressing costs
about a second per month of one-minute checks, so one run closes months for CLOSE_SECONDS at
most and leaves the rest to the next run.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from generator.errors import WARNING, SourceError
from generator.model import Component
from generator.probe.csv_file import LOCK_NAME, LOCK_WAIT, acquire_lock, describe_os_error, uptime_dir
from generator.read.links import UPTIME_FOLDER
from generator.read.probe_layout import FIRST_ROW_BYTES, a_probe_day, is_day_folder, out_of_probe_months
from generator.read.probe_rows import HEADER, Context, parse_stamp
from generator.read.probe_summary import (
    ARCHIVE_SUFFIX,
    MAX_MONTH_BYTES,
    MAX_MONTH_ROWS,
    SUMMARY_SUFFIX,
    SummaryError,
    count_file,
    encode_summary,
    month_span,
    unpack_archive,
)
from generator.schedule.uptime import day_bounds
from generator.write.live_folders import LiveFolders
from generator.write.month_archive import write_closed_month

CLOSE_SECONDS = 10.0


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


def checked(data: bytes, span: str, context: Context) -> bool:
    """Tell whether a month or day file's bytes are all well-formed rows under the header, ending with a line."""
    rollup = count_file(data, dict(size=len(data), mtime_ns=0, verify=False), span, context)
    return rollup.readable and not rollup.warnings and rollup.read == len(data)


def body(data: bytes) -> bytes:
    """Return a file's rows: its bytes after the header line."""
    return data[data.find(b"\n") + 1:] if data else b""


def open_file(folders: LiveFolders, path: str) -> BinaryIO | None:
    """Open a file (`path` under the root of `folders`) for reading from its folder's descriptor, without
    following a link; None when it or its folder is gone, or it is no file. Raises OSError (ELOOP, with the path
    of the link as its filename, for a link where the file or one of its folders should be)."""
    folder, _, name = path.rpartition("/")
    try:
        above = folders.get(folder)
        # O_NONBLOCK: a pipe named like a day file is not waited on (it is no file, and left aside below).
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=above)
    except FileNotFoundError:
        return None             # removed since it was listed (or its folder was)
    except OSError as error:
        if error.errno == errno.ELOOP and error.filename == name:
            error.filename = path
        raise
    file = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        file.close()
        return None
    return file


def read_file(folders: LiveFolders, path: str) -> bytes | None:
    """Return the bytes of a file (`path` under the root of `folders`) opened as open_file opens it; None
    when there is none."""
    file = open_file(folders, path)
    if file is None:
        return None
    with file:
        return file.read()


def read_closed_rows(folders: LiveFolders, path: str) -> bytes | None:
    """Return the rows of a month's xz file (`path` under the root of `folders`) opened as open_file opens it;
    None when there is none. Raises SummaryError when it cannot be read, and OSError as open_file."""
    file = open_file(folders, path)
    if file is None:
        return None
    with file:
        return unpack_archive(file)


def close_month(folders: LiveFolders, folder: str, month: str, month_file: str | None, day_files: list[str],
                zone: ZoneInfo, slow_ms: float | None) -> bool:
    """Close one component's month (its month file, day files, both, or late rows for a closed month) into
    `folder`/<month>.csv.xz and .days.json if its rows are all well formed; tell whether it was closed. Every
    path is under the root of `folders`, and every file is reached through them (write/live_folders.py).

    The xz file holds the month's rows as one month file would: the closed rows, the month file's, then
    the day files' in day order. Raises SummaryError when the month's xz file, already there, cannot be
    read, and OSError (ELOOP, naming the link as its filename, for a link met on the way).
    """
    context = month_context(month, zone, slow_ms)
    data = read_file(folders, month_file) if month_file is not None else None
    month_file = month_file if data is not None else None
    data = data if data is not None else HEADER + b"\n"
    days = [(path, rows) for path in day_files if (rows := read_file(folders, path)) is not None]
    if month_file is None and not days:
        return False            # gone since they were listed
    if not checked(data, month, context) or not all(checked(rows, path.split("/")[-2], context)
                                                    for path, rows in days):
        return False
    earlier = read_closed_rows(folders, f"{folder}/{month}{ARCHIVE_SUFFIX}")
    present = [path for path, _ in days]
    if earlier is not None:
        # Rows that came after the month closed: the month is its closed rows and these.
        if not data.startswith(earlier):       # (a probe stopped after writing the xz file: the same rows)
            data = earlier + body(data)
        # A day file whose every row the xz file holds was folded in by a probe stopped before removing it.
        closed = set(body(earlier).split(b"\n"))
        days = [(path, rows) for path, rows in days if not set(body(rows).split(b"\n")) <= closed]
    data += b"".join(body(rows) for _, rows in days)
    if len(data) > MAX_MONTH_BYTES or data.count(b"\n") > MAX_MONTH_ROWS + 1:
        return False            # more than the build unpacks from an xz file: left open, read as it is
    rollup = count_file(data, dict(size=len(data), mtime_ns=0, verify=False), month, context)
    # The first row as the build finds it in a month file (read/probe_layout.py: first_of_file).
    first = next((line[:20] for line in data[:FIRST_ROW_BYTES].split(b"\n")[1:] if parse_stamp(line[:20])), b"")
    write_closed_month(folders, folder, month + ARCHIVE_SUFFIX, data, month + SUMMARY_SUFFIX,
                       encode_summary(month, rollup, context, first),
                       [*([month_file] if month_file is not None else []), *present])
    return True


def due_months(folder: Path, components: tuple[Component, ...], zone: ZoneInfo, now: datetime) -> dict:
    """Return the months closed at `now` that have rows to close, as (component, month) -> (month file or None,
    day files): each component's month files, and the day folders' files."""
    due: dict[tuple[str, str], tuple[Path | None, list[Path]]] = {}
    ids = {component.id for component in components}

    def is_due(month: str) -> bool:
        if out_of_probe_months(month) is not None:
            return False            # no probe's month: left where it is, and the build names it
        try:
            return closes_at(month, zone) <= now.astimezone(UTC)
        except (ValueError, OverflowError):
            return False            # not a month: the build names it
    for component in sorted(ids):
        for path in sorted((folder / component).glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].csv")):
            if is_due(path.stem):
                due[component, path.stem] = (path, [])
    if not folder.is_dir():
        return due
    for day in sorted(path for path in folder.iterdir() if is_day_folder(path.name) and a_probe_day(path.name)):
        if not is_due(day.name[:7]):
            continue
        for path in sorted(day.glob("*.csv")):
            if path.stem in ids and path.is_file():
                due.setdefault((path.stem, day.name[:7]), (None, []))[1].append(path)
    return dict(sorted(due.items()))


def close_months(site_dir: Path, components: tuple[Component, ...], zone: ZoneInfo,
                 now: datetime) -> tuple[tuple[str, ...], tuple[SourceError, ...]]:
    """Close every component's months that are closed at `now` (month files, day folders' files), for
    CLOSE_SECONDS at most; return the months closed (as site_src/uptime/<id>/<YYYY-MM>.csv, or
    site_src/uptime/<YYYY-MM>-*/<id>.csv when only day files held its rows) and the problems of those that could
    not be: warnings, and an error naming a link met where a folder or file of the history should be."""
    folder = uptime_dir(site_dir)
    due = due_months(folder, components, zone, now)
    if not due:
        return (), ()
    slow = {component.id: component.check.degraded_after * 1000 for component in components
            if component.check is not None and component.check.degraded_after is not None}
    closed, problems = [], []
    uptime = UPTIME_FOLDER.as_posix()
    folders = None
    try:
        # The listing above went by path; everything read, written and removed from here on goes through
        # descriptors from the site's folder down, without following a link: a folder or file of the history
        # replaced by one after the probe's check (a push landing while it measured) is refused.
        folders = LiveFolders(str(site_dir), durable=True, follow_root=True)
        lock = acquire_lock(LOCK_NAME, LOCK_WAIT, folders.get(uptime))
    except OSError as error:
        if folders is not None:
            folders.close()
        if error.errno == errno.ELOOP:
            return (), (link_met(error, uptime),)
        return (), (SourceError(f"{uptime}/{LOCK_NAME}", 0, 0,
                                f"could not close past months: {describe_os_error(error)[0]}",
                                "they stay open, and the next probe run tries again", WARNING),)
    deadline = time.monotonic() + CLOSE_SECONDS
    try:
        for (component, month), (path, days) in due.items():
            if time.monotonic() > deadline:
                break               # the next run goes on
            shown = f"{uptime}/{component}/{path.name}" if path is not None \
                else f"{uptime}/{month}-*/{component}.csv"
            try:
                if close_month(folders, f"{uptime}/{component}", month,
                               f"{uptime}/{component}/{path.name}" if path is not None else None,
                               [f"{uptime}/{day.parent.name}/{day.name}" for day in days], zone,
                               slow.get(component)):
                    closed.append(shown)
            except OSError as error:
                problems.append(link_met(error, shown) if error.errno == errno.ELOOP else SourceError(
                    shown, 0, 0, f"could not close the month: {describe_os_error(error)[0]}",
                    "its rows stay where they are, and the build reads them", WARNING))
            except SummaryError as error:
                problems.append(SourceError(shown, 0, 0, f"could not close the month: {error}",
                                            "its rows stay where they are, and the build reads them", WARNING))
    finally:
        os.close(lock)
        folders.close()
    return tuple(closed), tuple(problems)


def link_met(error: OSError, shown: str) -> SourceError:
    """Return the error for a link met where a folder or file of the history should be (ELOOP, its filename
    the link's path under the site, else `shown`): the probe went through none, and a person removes it."""
    where = error.filename if isinstance(error.filename, str) and "/" in error.filename else shown
    reason, hint = describe_os_error(error)
    return SourceError(where, 0, 0, f"could not close the month: {reason}", hint)
