"""Appending the probe's results to its day files, so that no history is ever lost or torn.

One folder per UTC day, one CSV file in it per component, `site_src/uptime/<YYYY-MM-DD>/<component id>.csv`
(earlier probes wrote a file per component and UTC month, `<component id>/<YYYY-MM>.csv`, which the build
still reads and the month close still folds in; docs/format.md tells why days), each starting with the header `time,ok,latency_ms,detail` (read/probe_rows.py describes the
format, and the build reads it): the probe writes the time in UTC with `Z` and whole
seconds, latencies with one decimal, and details on one line, CSV-quoted when they hold
a comma or a quote.

Appends never lose or corrupt history: each file gets its new lines in one
`os.write` on a descriptor opened with O_APPEND, then fsync; an exclusive
`flock` on `site_src/uptime/.lock` keeps probes from interleaving; a last line
without its newline (a probe killed while writing, a power cut) is skipped by
the reader and cut off by the next append, under the lock, before it writes.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from generator.errors import ERROR, WARNING, SourceError, sort_problems
from generator.model import ProbeResult
from generator.read.links import UPTIME_FOLDER
from generator.read.probe_rows import HEADER as HEADER_BYTES
from generator.write.live_folders import LiveFolders

HEADER = HEADER_BYTES.decode("ascii")
LOCK_NAME = ".lock"
COMPONENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_DETAIL = 200
LOCK_WAIT = 30.0      # seconds; appends take milliseconds, so a longer wait means a stuck process
TAIL_CHUNK = 65536


class HistoryWriteError(Exception):
    """Some rows could not be recorded; `problems` holds every error (file and reason) and warning."""

    def __init__(self, problems: tuple[SourceError, ...]):
        super().__init__("; ".join(p.format() for p in problems))
        self.problems = problems


# Paths -------------------------------------------------------------------------------------------

def uptime_dir(site_dir: Path) -> Path:
    """Return the folder that holds every component's history."""
    return Path(site_dir) / UPTIME_FOLDER


def day_path(site_dir: Path, component: str, when: datetime) -> Path:
    """Return the file that holds a component's rows of the UTC day of `when`."""
    when = when.astimezone(UTC)
    return uptime_dir(site_dir) / f"{when.year:04d}-{when.month:02d}-{when.day:02d}" / f"{component}.csv"


def display_path(path: Path, site_dir: Path | None) -> str:
    """Return `path` as messages show it: relative to the site folder when it is inside it."""
    if site_dir is not None:
        try:
            return Path(path).relative_to(site_dir).as_posix()
        except ValueError:
            pass
    return Path(path).as_posix()


# Writing ----------------------------------------------------------------------------------------

def format_time(when: datetime) -> str:
    """Return an aware instant as the files write it: UTC, whole seconds, `Z`."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"the probe time {when.isoformat()} has no time zone")
    return when.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def clean_detail(detail: str) -> str:
    """Return a detail fit for one CSV field on one line: no control characters, at most 200 characters."""
    text = " ".join("".join(c if c.isprintable() else " " for c in detail).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def format_row(result: ProbeResult) -> str:
    """Return one probe result as a line of a day (or month) file, newline included."""
    latency = ""
    if result.latency_ms is not None:
        if not 0 <= result.latency_ms < float("inf"):
            raise ValueError(f"latency {result.latency_ms!r} is not a duration")
        latency = f"{result.latency_ms:.1f}"
    detail = clean_detail(result.detail)
    if "," in detail or '"' in detail:
        detail = '"' + detail.replace('"', '""') + '"'
    return f"{format_time(result.time)},{1 if result.ok else 0},{latency},{detail}\n"


def describe_os_error(exc: OSError) -> tuple[str, str | None]:
    """Return the reason an OS call failed, in words, and what to do about it."""
    reason = (exc.strerror or type(exc).__name__).lower()
    hints = {
        errno.EACCES: "let the user that runs the probe write to site_src/uptime/",
        errno.EPERM: "let the user that runs the probe write to site_src/uptime/",
        errno.ENOSPC: "free some space on the disk that holds the site",
        errno.EDQUOT: "the disk quota is used up: free some space or raise the quota",
        errno.EROFS: "the file system is mounted read-only; run the probe in a writable checkout",
        errno.ENOTDIR: "something that should be a folder is a file; move it away",
        errno.EISDIR: "a folder stands where the day file should be; move it away",
        errno.EAGAIN: "a probe may be stuck: see which process holds site_src/uptime/.lock (fuser, lsof)",
        errno.ELOOP: "a symbolic link stands where the probe's file or folder should be: the probe never writes "
                     "through one; remove it",
    }
    return reason, hints.get(exc.errno)


def ignore_lock(folder: int) -> None:
    """Write .gitignore naming the lock file in the folder open as `folder`, unless there is one: the lock is no
    source to commit."""
    try:
        fd = os.open(".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644,
                     dir_fd=folder)
    except FileExistsError:
        return      # the site's own, or one written before: left as it is
    try:
        os.write(fd, f"# The probe's lock, held while it appends; not a source.\n{LOCK_NAME}\n".encode())
    finally:
        os.close(fd)


def acquire_lock(lock_path: Path | str, wait: float, folder: int | None = None) -> int:
    """Open and exclusively lock the lock file (`lock_path`, a name in the folder open as `folder` when given);
    return its descriptor (closing it releases the lock)."""
    # Read-only is enough for flock, and lets a lock file made by another user serve.
    fd = os.open(lock_path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644, dir_fd=folder)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise TimeoutError(errno.EAGAIN, f"another probe has held the lock for {wait:.0f} s")
            time.sleep(0.02)


def cut_torn_tail(fd: int, size: int) -> tuple[int, bytes]:
    """Find the end of the last whole line; return (new size, the bytes after it). The caller truncates."""
    position = size
    while position > 0:
        start = max(0, position - TAIL_CHUNK)
        chunk = os.pread(fd, position - start, start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            keep = start + newline + 1
            return keep, os.pread(fd, min(size - keep, 120), keep)
        position = start
    return 0, os.pread(fd, min(size, 120), 0)


def append_to_file(path: Path, lines: str, site_dir: Path, folders: LiveFolders) -> list[SourceError]:
    """Append whole lines to one day file, its folder reached through `folders` (the site's, opened from the
    site folder without following a link); the caller holds the lock; return repair warnings."""
    day = folders.get(path.parent.relative_to(site_dir).as_posix(), make=True)
    rel = display_path(path, site_dir)
    warnings = []
    # A link put in the day file's place after the site was checked (a push landing while the probe runs) is
    # not followed: the rows would go wherever it points.
    fd = os.open(path.name, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644, dir_fd=day)
    try:
        size = os.fstat(fd).st_size
        created = size == 0
        if size and os.pread(fd, 1, size - 1) != b"\n":
            keep, torn = cut_torn_tail(fd, size)
            os.ftruncate(fd, keep)
            line = os.pread(fd, keep, 0).count(b"\n") + 1 if keep else 1
            warnings.append(SourceError(
                rel, line, 1,
                f"removed an unfinished last line ({size - keep} bytes: "
                f"{torn.decode('utf-8', 'replace')!r}), left by a probe stopped while writing",
                "the rows before it are intact", WARNING,
            ))
            size = keep
        data = ((HEADER + "\n") if size == 0 else "") + lines
        payload = data.encode("utf-8")
        try:
            written = os.write(fd, payload)
            if written != len(payload):
                raise OSError(errno.ENOSPC, f"No space left on device (wrote {written} of {len(payload)} bytes)")
            os.fsync(fd)
        except OSError:
            # Leave no partial line behind; if even that fails, the next append cuts it off.
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass
            raise
    finally:
        os.close(fd)
    if created:
        os.fsync(day)
    return warnings


def append_rows(site_dir: Path, rows) -> tuple[SourceError, ...]:
    """Append (component id, ProbeResult) rows to their day files; return warnings.

    Rows of one file go in one write, in the order given. Raises HistoryWriteError
    with every problem when any file could not be written; the other files are
    still written. Raises ValueError for an invalid component id or a naive time.
    """
    site_dir = Path(site_dir)
    by_file: dict[Path, list[str]] = {}
    for component, result in rows:
        if not COMPONENT_ID.match(component):
            raise ValueError(f"'{component}' is not a component id")
        by_file.setdefault(day_path(site_dir, component, result.time), []).append(format_row(result))
    if not by_file:
        return ()
    folder = uptime_dir(site_dir)
    lock_path = folder / LOCK_NAME
    problems: list[SourceError] = []
    folders = None
    try:
        # Each folder from the site's down, without following a link: one put in the place of site_src/,
        # uptime/ or a day folder after the check (a push landing while the probe measured) is refused.
        folders = LiveFolders(str(site_dir), durable=True, follow_root=True)
        uptime = folders.get(folder.relative_to(site_dir).as_posix(), make=True)
        ignore_lock(uptime)
        lock = acquire_lock(LOCK_NAME, LOCK_WAIT, uptime)
    except OSError as exc:
        if folders is not None:
            folders.close()
        reason, hint = describe_os_error(exc)
        where = lock_path if folder.is_dir() else folder
        raise HistoryWriteError((SourceError(display_path(where, site_dir), 0, 0,
                                             f"cannot record the probe's results: {reason}", hint),))
    try:
        for path in sorted(by_file):
            try:
                problems += append_to_file(path, "".join(by_file[path]), site_dir, folders)
            except OSError as exc:
                reason, hint = describe_os_error(exc)
                problems.append(SourceError(display_path(path, site_dir), 0, 0,
                                            f"cannot append {len(by_file[path])} row"
                                            f"{'s' * (len(by_file[path]) != 1)}: {reason}", hint))
    finally:
        os.close(lock)      # releases the flock
        folders.close()
    problems = list(sort_problems(problems))
    if any(p.severity == ERROR for p in problems):
        raise HistoryWriteError(tuple(problems))
    return tuple(problems)
