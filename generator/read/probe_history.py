"""Probe history: one CSV file per component and month, appended by the probe, read by the build.

Layout: `site_src/uptime/<component id>/<YYYY-MM>.csv` (the month of the row's
UTC time), each starting with the header `time,ok,latency_ms,detail`:

    time,ok,latency_ms,detail
    2026-11-23T13:00:05Z,1,182.4,HTTP 200
    2026-11-23T13:05:05Z,0,,timeout

- time: UTC, ISO 8601 with `Z` and whole seconds (the reader also accepts any
  ISO 8601 time with an offset, and converts it to UTC);
- ok: `1` or `0`; a success slower than `degraded_after` is still `1`;
- latency_ms: milliseconds with one decimal (integers are read too); empty when
  nothing answered;
- detail: short text, CSV-quoted when it holds a comma or a quote. A row never
  spans lines: the writer turns line breaks into spaces.

Public API (the rest is private):

- `append_rows(site_dir, rows)` appends probe results; returns warnings, raises
  `HistoryWriteError` carrying every problem when a row could not be recorded.
- `read_month_file(path, site_dir=None, times=None)` -> (results sorted by
  time, problems): the rows it could read, and a `SourceError` per malformed
  row (error, placed at file:line:column) or unfinished last line (warning).
- `read_component(site_dir, component, since=None)`: every month file of a
  component from the month of `since` on, joined.
- `month_files(site_dir, component)`, `month_path(site_dir, component, when)`.

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
from dataclasses import fields
from datetime import UTC, date, datetime
from itertools import islice
from operator import attrgetter
from pathlib import Path

from generator.errors import ERROR, WARNING, SourceError, sort_problems
from generator.model import ProbeResult

UPTIME_DIR = Path("site_src") / "uptime"
HEADER = "time,ok,latency_ms,detail"
LOCK_NAME = ".lock"
MONTH_FILE = re.compile(r"^(\d{4})-(\d{2})\.csv$")
COMPONENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LATENCY = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
MAX_DETAIL = 200
LOCK_WAIT = 30.0      # seconds; appends take milliseconds, so a longer wait means a stuck process
TAIL_CHUNK = 65536

Problems = tuple[SourceError, ...]


class HistoryWriteError(Exception):
    """Some rows could not be recorded; `problems` holds every error (file and reason) and warning."""

    def __init__(self, problems: tuple[SourceError, ...]):
        super().__init__("; ".join(p.format() for p in problems))
        self.problems = problems


# Paths -------------------------------------------------------------------------------------------

def uptime_dir(site_dir: Path) -> Path:
    """Return the folder that holds every component's history."""
    return Path(site_dir) / UPTIME_DIR


def month_path(site_dir: Path, component: str, when: datetime) -> Path:
    """Return the file that holds a component's rows of the UTC month of `when`."""
    when = when.astimezone(UTC)
    return uptime_dir(site_dir) / component / f"{when.year:04d}-{when.month:02d}.csv"


def month_files(site_dir: Path, component: str) -> tuple[Path, ...]:
    """Return a component's month files, oldest first; other files in its folder are ignored."""
    folder = uptime_dir(site_dir) / component
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.iterdir() if MONTH_FILE.match(p.name) and p.is_file()))


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
    """Return one probe result as a line of a month file, newline included."""
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
        errno.EISDIR: "a folder stands where the month file should be; move it away",
        errno.EAGAIN: "a probe may be stuck: see which process holds site_src/uptime/.lock (fuser, lsof)",
    }
    return reason, hints.get(exc.errno)


def fsync_folder(folder: Path) -> None:
    """Make a new entry in `folder` durable (a new file, a new sub-folder)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_folder(folder: Path) -> None:
    """Create `folder` and its missing parents, durably."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue    # another process made it between our look and our mkdir
        fsync_folder(path.parent)


def ignore_lock(folder: Path) -> None:
    """Write `folder`/.gitignore naming the lock file, unless there is one: the lock is no source to commit."""
    try:
        fd = os.open(folder / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    except FileExistsError:
        return      # the site's own, or one written before: left as it is
    try:
        os.write(fd, f"# The probe's lock, held while it appends; not a source.\n{LOCK_NAME}\n".encode())
    finally:
        os.close(fd)


def acquire_lock(lock_path: Path, wait: float) -> int:
    """Open and exclusively lock the lock file; return its descriptor (closing it releases the lock)."""
    # Read-only is enough for flock, and lets a lock file made by another user serve.
    fd = os.open(lock_path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
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


def append_to_file(path: Path, lines: str, site_dir: Path) -> list[SourceError]:
    """Append whole lines to one month file (the caller holds the lock); return repair warnings."""
    rel = display_path(path, site_dir)
    warnings = []
    make_folder(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
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
        fsync_folder(path.parent)
    return warnings


def append_rows(site_dir: Path, rows) -> tuple[SourceError, ...]:
    """Append (component id, ProbeResult) rows to their month files; return warnings.

    Rows of one file go in one write, in the order given. Raises HistoryWriteError
    with every problem when any file could not be written; the other files are
    still written. Raises ValueError for an invalid component id or a naive time.
    """
    site_dir = Path(site_dir)
    by_file: dict[Path, list[str]] = {}
    for component, result in rows:
        if not COMPONENT_ID.match(component):
            raise ValueError(f"'{component}' is not a component id")
        by_file.setdefault(month_path(site_dir, component, result.time), []).append(format_row(result))
    if not by_file:
        return ()
    folder = uptime_dir(site_dir)
    lock_path = folder / LOCK_NAME
    problems: list[SourceError] = []
    try:
        make_folder(folder)
        ignore_lock(folder)
        lock = acquire_lock(lock_path, LOCK_WAIT)
    except OSError as exc:
        reason, hint = describe_os_error(exc)
        where = lock_path if folder.is_dir() else folder
        raise HistoryWriteError((SourceError(display_path(where, site_dir), 0, 0,
                                             f"cannot record the probe's results: {reason}", hint),))
    try:
        for path in sorted(by_file):
            try:
                problems += append_to_file(path, "".join(by_file[path]), site_dir)
            except OSError as exc:
                reason, hint = describe_os_error(exc)
                problems.append(SourceError(display_path(path, site_dir), 0, 0,
                                            f"cannot append {len(by_file[path])} row"
                                            f"{'s' * (len(by_file[path]) != 1)}: {reason}", hint))
    finally:
        os.close(lock)      # releases the flock
    problems = list(sort_problems(problems))
    if any(p.severity == ERROR for p in problems):
        raise HistoryWriteError(tuple(problems))
    return tuple(problems)


# Reading ----------------------------------------------------------------------------------------

def split_fields(line: str) -> list[tuple[str, int]]:
    """Split one CSV line into (field, 1-based column) pairs; raise ValueError(column, message) when malformed."""
    found = []
    index, end = 0, len(line)
    while True:
        start = index
        if index < end and line[index] == '"':
            parts, index = [], index + 1
            while True:
                quote = line.find('"', index)
                if quote < 0:
                    raise ValueError(start + 1, "the quoted field is not closed")
                parts.append(line[index:quote])
                if line.startswith('"', quote + 1):
                    parts.append('"')
                    index = quote + 2
                    continue
                index = quote + 1
                break
            if index < end and line[index] != ",":
                raise ValueError(index + 1, "a quoted field must end at a comma")
            found.append(("".join(parts), start + 1))
        else:
            comma = line.find(",", index)
            index = end if comma < 0 else comma
            found.append((line[start:index], start + 1))
        if index >= end:
            return found
        index += 1


def parse_time(text: str) -> datetime:
    """Return a row's time as an aware UTC datetime; raise ValueError when it is not one."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None or "T" not in text:
        raise ValueError(text)
    return when.astimezone(UTC)


def parse_row(line: str, month: str) -> tuple[ProbeResult | None, tuple[int, str, str | None] | None]:
    """Read one row thoroughly; return (result, None) or (None, (column, message, hint))."""
    try:
        cells = split_fields(line)
    except ValueError as exc:
        column, message = exc.args
        return None, (column, message, 'write a quote inside a quoted field as two quotes: "a ""b"" c"')
    if len(cells) != 4:
        return None, (1, f"expected 4 fields ({HEADER}), found {len(cells)}",
                      'quote a detail that holds a comma: "refused, retrying"' if len(cells) > 4 else None)
    (time_text, time_col), (ok_text, ok_col), (latency_text, latency_col), (detail, _) = cells
    try:
        when = parse_time(time_text)
    except ValueError:
        return None, (time_col, f"'{time_text}' is not a UTC time", "write it like 2026-11-23T13:00:05Z")
    if month and format_time(when)[:7] != month:
        return None, (time_col, f"{time_text} does not belong in the file of {month}",
                      f"move the row to {format_time(when)[:7]}.csv")
    if ok_text not in ("1", "0"):
        return None, (ok_col, f"'{ok_text}' is not 1 or 0", "1 when the check succeeded, 0 when it failed")
    latency = None
    if latency_text:
        if not LATENCY.fullmatch(latency_text):
            return None, (latency_col, f"'{latency_text}' is not a latency in milliseconds",
                          "write a number such as 182 or 182.4, or nothing when there was no answer")
        latency = float(latency_text)
    return ProbeResult(when, ok_text == "1", latency, detail), None


def decode_history(data: bytes, rel: str) -> tuple[str, list[SourceError]]:
    """Decode a month file; a bad byte is reported where it is, and replaced."""
    try:
        text = data.decode("utf-8")
        problems = []
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", "replace")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        problems = [SourceError(rel, line, column, f"the file is not UTF-8: byte 0x{data[exc.start]:02x} "
                                "cannot start a character here", "save the file as UTF-8")]
        text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text, problems


def read_month_file(path: Path, site_dir: Path | None = None,
                    times: dict[str, datetime] | None = None) -> tuple[tuple[ProbeResult, ...], Problems]:
    """Read one month file; return its results (sorted by time, stable) and its problems.

    Malformed rows are errors at file:line:column and left out; an unfinished last
    line is a warning and left out. `times`, a dict shared between calls, reuses
    the datetimes of equal time stamps: a probe run writes the same time in every
    component's file, so sharing it saves time and memory when reading many.
    """
    rel = display_path(path, site_dir)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return (), (SourceError(rel, 0, 0, f"cannot read the file: {(exc.strerror or str(exc)).lower()}"),)
    text, problems = decode_history(data, rel)
    if not text:
        return (), tuple(problems)
    lines = text.split("\n")
    last = lines.pop()      # "" when the file ends with a newline, else an unfinished line
    if last:
        problems.append(SourceError(
            rel, len(lines) + 1, 1,
            "the last line is unfinished (a probe stopped while writing?); it is skipped",
            "the next probe run removes it", WARNING,
        ))
    named = MONTH_FILE.match(Path(path).name)
    month = f"{named[1]}-{named[2]}" if named else ""
    first = 0
    if lines and lines[0] != HEADER:
        shown = lines[0] if len(lines[0]) <= 60 else lines[0][:59] + "…"
        problems.append(SourceError(rel, 1, 1, f"the first line must be the header '{HEADER}', not '{shown}'",
                                    "restore the header line; every month file starts with it"))
        first = 0 if lines[0][:1].isdigit() else 1
    elif lines:
        first = 1
    if times is None:
        times = {}
    results = None
    # One regular expression over the whole file tells whether every row has the
    # shape the probe writes; only then the quick loop runs, without checks.
    start = len(HEADER) + 1 if first else 0
    if DIRECT and well_formed(month).fullmatch(text, start, len(text) - len(last)):
        results = read_rows_quickly(lines, first, times)
    if results is None:
        results = read_rows_carefully(lines, first, month, rel, problems)
    return results, tuple(sort_problems(problems))


def well_formed(month: str) -> re.Pattern:
    """Return the pattern of the data lines the probe writes in a month's file (any month when unknown)."""
    month = re.escape(month) if month else r"\d{4}-\d\d"
    return re.compile(rf'(?:{month}-\d\dT\d\d:\d\d:\d\dZ,[01],(?:\d+(?:\.\d+)?)?,[^",\n]*\n)*', re.ASCII)


# Setting ProbeResult's slots directly makes the same object as its constructor
# (equal, hashable, frozen to everyone else) at half the cost: a frozen
# dataclass's __init__ sets every field through object.__setattr__, and that is
# most of the time spent per row. Only while the model has exactly these fields.
DIRECT = (tuple(f.name for f in fields(ProbeResult)) == ("time", "ok", "latency_ms", "detail")
          and not hasattr(ProbeResult, "__post_init__"))


def read_rows_quickly(lines: list[str], first: int, times: dict[str, datetime]) -> tuple[ProbeResult, ...] | None:
    """Turn rows already known to be well formed into results; None when a date does not exist (31 November)."""
    new = object.__new__
    set_time, set_ok, set_latency, set_detail = (ProbeResult.__dict__[name].__set__
                                                 for name in ("time", "ok", "latency_ms", "detail"))
    parse = datetime.fromisoformat
    latencies: dict[str, float | None] = {"": None}
    details: dict[str, str] = {}
    results = []
    append = results.append
    in_order = True
    last = ""
    try:
        for line in islice(lines, first, None):
            stamp, ok, latency, detail = line.split(",")
            when = times.get(stamp)
            if when is None:
                when = times[stamp] = parse(stamp)
            value = latencies.get(latency, False)
            if value is False:
                value = latencies[latency] = float(latency)
            if stamp < last:        # same shape throughout, so text order is time order
                in_order = False
            last = stamp
            result = new(ProbeResult)
            set_time(result, when)
            set_ok(result, ok == "1")
            set_latency(result, value)
            set_detail(result, details.setdefault(detail, detail))
            append(result)
    except ValueError:
        return None
    if not in_order:
        # Probes that overlap may record a later start first; time order is what readers need.
        results.sort(key=attrgetter("time"))
    return tuple(results)


def read_rows_carefully(lines: list[str], first: int, month: str, rel: str,
                        problems: list[SourceError]) -> tuple[ProbeResult, ...]:
    """Turn data lines into results, reporting each malformed row at its line and column."""
    results = []
    for number in range(first, len(lines)):
        line = lines[number]
        if not line.strip():
            continue
        result, problem = parse_row(line, month)
        if problem is None:
            results.append(result)
        else:
            column, message, hint = problem
            problems.append(SourceError(rel, number + 1, column, message, hint))
    results.sort(key=attrgetter("time"))
    return tuple(results)


def read_component(site_dir: Path, component: str, since: date | datetime | None = None,
                   times: dict[str, datetime] | None = None) -> tuple[tuple[ProbeResult, ...], Problems]:
    """Read a component's month files from the month of `since` (all when None); return results and problems."""
    first = f"{since.year:04d}-{since.month:02d}" if since is not None else ""
    if isinstance(since, datetime):
        utc = since.astimezone(UTC)
        first = f"{utc.year:04d}-{utc.month:02d}"
    results: list[ProbeResult] = []
    problems: list[SourceError] = []
    shared = times if times is not None else {}
    for path in month_files(site_dir, component):
        if path.stem >= first:
            found, issues = read_month_file(path, site_dir, shared)
            results += found
            problems += issues
    return tuple(results), tuple(sort_problems(problems))
