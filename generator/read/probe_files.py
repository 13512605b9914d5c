"""Reading the probe's month files into per-day counts, with a cache that survives appends.

The files are `site_src/uptime/<component>/<YYYY-MM>.csv` (UTC months), header
`time,ok,latency_ms,detail`, one check per line: `2026-11-23T13:00:05Z,1,48.2,HTTP 200`.
The probe appends to them, in time order.

Each month file is read once into counts per local day of the site (`DayCounts`:
checks, successes, slow successes and a latency histogram, which two files add up
exactly when a local day spans two UTC months). The counts are kept in
`<site>/.expediente-cache/uptime/<component>/<YYYY-MM>.rollup`, beside the file's
size, mtime_ns, how many bytes were read and a SHA-1 hash of those bytes:

- same size and mtime_ns: the counts are used as they are, without opening the file;
- the file grew and its first `read` bytes still hash the same: it was appended to,
  so only the new lines are read and their counts added;
- anything else (rewritten, truncated, other time zone or slowness limit): read again.

A file modified within two seconds of being read may change again within the same
mtime tick without changing size (as git's "racily clean" index entries), so such
an entry is checked against the hash on the next build instead of trusted.

Today and the 24 hours before now are counted afresh from the end of the newest
files on every build, so "now" never leaks into the cache and rows after now (a
build with an earlier --now) are left out.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import operator
import os
import re
import sys
import time as clock
from array import array
from bisect import bisect_right
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import Mapping
from zoneinfo import ZoneInfo

from generator.errors import ERROR, WARNING, SourceError
from generator.model import ProbeResult, Site
from generator.schedule.uptime import (
    UTC,
    DayCounts,
    LocalDay,
    ProbeHistory,
    day_bounds,
    latency_bin,
    local_days,
    merge_counts,
    months_between,
    recent_segments,
)

UPTIME_FOLDER = Path("site_src") / "uptime"
CACHE_FOLDER = Path(".expediente-cache") / "uptime"
CACHE_MAGIC = b"expediente uptime rollup 2\n"
HEADER = b"time,ok,latency_ms,detail"
TIME = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
# Starts at the line break before a row, so that one match is one row; captures `ok,latency`.
ROW = re.compile(rb"\n" + TIME + rb",([01],[^,\n]*),")
LATENCY = re.compile(r"\d+(?:\.\d+)?")
TIME_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
FAILED, NO_LATENCY = -1, -2
RACY_NS = 2_000_000_000
PARALLEL_BYTES = 32 << 20     # below this, starting processes costs more than it saves
MAX_WORKERS = 4               # each process is another interpreter of up to ~70 MB: keep the peak under 500 MB
TAIL_BYTES = 1 << 17
FIRST_ROW_BYTES = 1 << 16     # where the first row of a month file is looked for


@dataclass(frozen=True, slots=True)
class Rollup:
    """What one month file held when it was last read: per-day counts and how to tell it changed."""

    size: int
    mtime_ns: int
    read: int                 # bytes read: up to the last line break
    digest: str               # SHA-1 of those bytes
    lines: int                # line breaks in them
    body: int                 # where the first row starts (after the header)
    readable: bool            # the header is right
    plain: bool               # every row well formed and in time order: its end can be read by itself
    verify: bool              # modified just before it was read: check the hash next time
    last: tuple[str, str, str, str] | None      # the newest row's fields
    warnings: tuple[tuple[int, str, str | None], ...]
    days: Mapping[date, DayCounts]


@dataclass(frozen=True, slots=True)
class Part:
    """The counts of some complete lines of a file, and what was noticed reading them."""

    days: dict[date, DayCounts]
    plain: bool
    first: bytes
    last: tuple[str, str, str, str] | None
    warnings: tuple[tuple[int, str, str | None], ...]


class Context:
    """What reading one component's files needs: its zone, its slowness limit and the row texts seen."""

    def __init__(self, zone: ZoneInfo, slow_ms: float | None, seen: dict | None = None):
        self.zone = zone
        self.slow_ms = slow_ms
        # `ok,latency` text -> its histogram bin, FAILED, or NO_LATENCY (a success without latency);
        # and -> 1 when a success in the limit's bin is slower than the limit. Rows repeat a few
        # thousand texts, so `seen` shares them between the components of a build (the second, per limit).
        seen = {} if seen is None else seen
        self.keys: dict[bytes, int] = seen.setdefault("keys", {})
        self.slow: dict[bytes, int] = seen.setdefault(("slow", slow_ms), {})
        self.bounds: dict[date, LocalDay] = {}

    def day(self, day: date) -> LocalDay:
        """Return a local day's bounds, computed once."""
        found = self.bounds.get(day)
        if found is None:
            found = self.bounds[day] = day_bounds(day, self.zone)
        return found

    def learn(self, texts: set[bytes]) -> bool:
        """Parse `ok,latency` texts not seen yet; tell whether every latency is a number of milliseconds."""
        for text in texts - self.keys.keys():
            latency = text[2:].decode("ascii", "replace")
            if latency and not LATENCY.fullmatch(latency):
                return False
            if text[0] == 48:              # "0": the check failed, whatever its latency
                self.keys[text] = FAILED
            else:
                self.keys[text] = latency_bin(float(latency)) if latency else NO_LATENCY
        return True

    def degraded(self, found: list[bytes], counted: Counter, keys: list[int]) -> int:
        """Return how many successes were slower than the limit, from their bins where these decide it."""
        if self.slow_ms is None:
            return 0
        # Bins grow with latency, so a bin above the limit's holds only slower checks; only
        # the limit's own bin needs the exact texts.
        limit = latency_bin(self.slow_ms)
        slower = sum(counted[key] for key in keys[bisect_right(keys, limit):])
        if counted.get(limit):
            for text in set(found) - self.slow.keys():
                self.slow[text] = int(self.keys[text] == limit and float(text[2:]) > self.slow_ms)
            slower += sum(map(self.slow.__getitem__, found))
        return slower


def stamp(instant: datetime) -> bytes:
    """Return an instant as the files write it, rounded up to the second: `2026-11-23T13:00:05Z`."""
    instant = instant.astimezone(UTC)
    if instant.microsecond:
        instant = instant.replace(microsecond=0) + timedelta(seconds=1)
    return f"{instant:%Y-%m-%dT%H:%M:%S}Z".encode()


def parse_stamp(text: bytes | str) -> datetime | None:
    """Return the instant of a row's time, or None when it is not one."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    if not TIME_TEXT.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)
    except ValueError:
        return None


def find_row(data: bytes, when: bytes, low: int, high: int) -> int:
    """Return where the first row at or after `when` starts in the sorted rows data[low:high].

    `low` and `high` are line starts and data[low - 1] is a line break.
    """
    while low < high:
        middle = (low + high) // 2
        line = data.rfind(b"\n", low - 1, middle) + 1
        if data[line:line + 20] < when:
            low = data.index(b"\n", line) + 1
        else:
            high = line
    return low


def count_segments(data: bytes, start: int, end: int, edges: list[bytes], context: Context) -> list[DayCounts] | None:
    """Count the sorted rows data[start:end] between consecutive time edges; None if a row is malformed."""
    offsets = [find_row(data, edge, start, end) for edge in edges]
    result = []
    for low, high in zip(offsets, offsets[1:]):
        if low >= high:
            result.append(DayCounts())
            continue
        # Per row only C runs: one regex pass, dict lookups through map() and a Counter;
        # no Python code runs per row or per latency.
        found = ROW.findall(data, low - 1, high)
        if len(found) != data.count(b"\n", low, high):
            return None
        try:
            counted = Counter(map(context.keys.__getitem__, found))
        except KeyError:       # texts not seen yet: parse them once, then count again
            if not context.learn(set(found)):
                return None
            counted = Counter(map(context.keys.__getitem__, found))
        failed, checks = counted.pop(FAILED, 0), len(found)
        counted.pop(NO_LATENCY, None)
        keys = sorted(counted)
        result.append(DayCounts(checks, checks - failed, context.degraded(found, counted, keys), array("I", keys),
                                array("I", map(counted.__getitem__, keys))))
    return result


def count_days(data: bytes, start: int, end: int, context: Context) -> dict[date, DayCounts] | None:
    """Count sorted rows data[start:end] per local day; None if a row is malformed."""
    first = parse_stamp(data[start:start + 20])
    line = data.rfind(b"\n", start - 1, end - 1) + 1
    last = parse_stamp(data[line:line + 20])
    if first is None or last is None:
        return None
    day, last_day = first.astimezone(context.zone).date(), last.astimezone(context.zone).date()
    days = []
    while day <= last_day:
        days.append(day)
        day += timedelta(1)
    edges = [stamp(context.day(day).start) for day in days] + [stamp(context.day(last_day).end)]
    counts = count_segments(data, start, end, edges, context)
    if counts is None:
        return None
    return {day: found for day, found in zip(days, counts) if found.checks}


def in_order(data: bytes, start: int, end: int) -> bool:
    """Tell whether the lines data[start:end] are sorted, which rows starting with their time are when in time order."""
    rows = data[start:end - 1].split(b"\n")
    return all(map(operator.le, rows, islice(rows, 1, None)))


def split_row(line: str) -> list[str]:
    """Return the fields of one CSV line."""
    return next(csv.reader([line]), [])


def check_row(fields: list[str], month: str) -> tuple[str, str | None] | None:
    """Return why a row is malformed and how to fix it (as history.py words it), or None when well formed."""
    if len(fields) != 4:
        return (f"expected 4 fields (time,ok,latency_ms,detail), found {len(fields)}",
                'quote a detail that holds a comma: "refused, retrying"' if len(fields) > 4 else None)
    when = read_time(fields[0])
    if when is None:
        return f"'{fields[0]}' is not a UTC time", "write it like 2026-11-23T13:00:05Z"
    if f"{when:%Y-%m}" != month:
        return f"{fields[0]} does not belong in the file of {month}", f"move the row to {when:%Y-%m}.csv"
    if fields[1] not in ("0", "1"):
        return f"'{fields[1]}' is not 1 or 0", "1 when the check succeeded, 0 when it failed"
    if fields[2] and not LATENCY.fullmatch(fields[2]):
        return (f"'{fields[2]}' is not a latency in milliseconds",
                "write a number such as 182 or 182.4, or nothing when there was no answer")
    return None


def read_time(text: str) -> datetime | None:
    """Return a row's time in UTC: as the probe writes it, or any ISO 8601 time with an offset."""
    when = parse_stamp(text)
    if when is not None:
        return when
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None and "T" in text else None


def clean_rows(data: bytes, start: int, end: int, first_line: int, month: str):
    """Read data[start:end] of a month's file with the csv module: good rows sorted by time, a warning per other."""
    text = data[start:end].decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    good, warnings, line = [], [], first_line
    for fields in reader:
        problem = check_row(fields, month) if fields else None     # an empty line is no row, and no mistake
        if problem is not None:
            warnings.append((line, problem[0], problem[1]))
        elif fields:
            when = read_time(fields[0])
            good.append((f"{when:%Y-%m-%dT%H:%M:%S}Z", fields[1], fields[2], fields[3].rstrip("\r")))
        line = first_line + reader.line_num
    good.sort(key=lambda row: row[0])
    return good, warnings


def canonical(rows) -> bytes:
    """Return well-formed rows as the fast reader expects them, after a leading line break."""
    return b"\n" + "".join(f"{row[0]},{row[1]},{row[2]},\n" for row in rows).encode("ascii")


def sorted_rows(data: bytes, start: int, end: int) -> bytes:
    """Return the lines data[start:end] sorted, after a leading line break, as the fast reader expects them."""
    rows = data[start:end - 1].split(b"\n")
    rows.sort()
    return b"\n" + b"\n".join(rows) + b"\n"


def read_part(data: bytes, start: int, end: int, first_line: int, month: str, context: Context) -> Part:
    """Count the complete lines data[start:end] of a month's file (data[start - 1] is a line break) per local day."""
    if start >= end:
        return Part({}, True, b"", None, ())
    ordered = in_order(data, start, end)
    rows, low = (data, start) if ordered else (sorted_rows(data, start, end), 1)
    high = low + end - start
    line = rows.rfind(b"\n", low - 1, high - 1) + 1
    # Rows of other months (or nonsense years) would stretch the days to count: the slow path names them.
    days = count_days(rows, low, high, context) if rows[low:low + 7] == rows[line:line + 7] == month.encode() else None
    if days is not None:
        last = split_row(rows[line:high].decode("utf-8", "replace").rstrip("\r\n"))
        return Part(days, ordered, rows[low:low + 20], tuple(last), ())
    # The slow path: some row is malformed.
    good, warnings = clean_rows(data, start, end, first_line, month)
    if not good:
        return Part({}, False, b"", None, tuple(warnings))
    clean = canonical(good)
    days = count_days(clean, 1, len(clean), context)
    return Part(days or {}, False, good[0][0].encode(), good[-1], tuple(warnings))


def digest_of(data) -> str:
    """Return the hash that tells whether a file's beginning changed (SHA-1: fastest here; no security rests on it)."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def read_month(path: Path, old: Rollup | None, context: Context) -> Rollup:
    """Return a month file's counts: the cached ones when unchanged, else read (only the new lines when appended)."""
    before = path.stat()
    if old is not None and old.size == before.st_size and old.mtime_ns == before.st_mtime_ns and not old.verify:
        return old
    data = path.read_bytes()
    after = path.stat()
    end = data.rfind(b"\n") + 1
    # A file still being written, or written just now, may change again without its size and mtime showing it.
    racy = (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) \
        or clock.time_ns() - after.st_mtime_ns < RACY_NS
    stat = dict(size=len(data), mtime_ns=after.st_mtime_ns, verify=racy)
    hashed = hashlib.sha1(memoryview(data)[:old.read], usedforsecurity=False) if old is not None else None
    if old is not None and old.readable and old.read <= end and hashed.hexdigest() == old.digest:
        if old.read == end:
            return replace(old, **stat)
        hashed.update(memoryview(data)[old.read:end])       # one pass over the file for both hashes
        part = read_part(data, old.read, end, old.lines + 1, path.stem, context)
        days = dict(old.days)
        for day, counts in part.days.items():
            days[day] = merge_counts((days[day], counts)) if day in days else counts
        newer = old.last is None or (part.last is not None and part.last[0] >= old.last[0])
        plain = old.plain and part.plain and (old.last is None or part.first >= old.last[0].encode())
        return replace(old, **stat, read=end, digest=hashed.hexdigest(),
                       lines=old.lines + data.count(b"\n", old.read, end), plain=plain,
                       last=part.last if newer else old.last, warnings=old.warnings + part.warnings,
                       days=MappingProxyType(days))
    body = data.find(b"\n") + 1
    header = data[:body].rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
    common = dict(stat, read=end, digest=digest_of(memoryview(data)[:end]), lines=data.count(b"\n", 0, end), body=body)
    if body and header != HEADER:
        shown = header[:60].decode("utf-8", "replace")
        warning = (1, f"the first line must be the header 'time,ok,latency_ms,detail', not '{shown}'",
                   "restore the header line; every month file starts with it")
        return Rollup(**common, readable=False, plain=False, last=None, warnings=(warning,),
                      days=MappingProxyType({}))
    part = read_part(data, body, end, 2, path.stem, context) if body else Part({}, True, b"", None, ())
    return Rollup(**common, readable=True, plain=part.plain, last=part.last, warnings=part.warnings,
                  days=MappingProxyType(part.days))


def row_result(fields: tuple[str, str, str, str]) -> ProbeResult:
    """Return a well-formed row as a ProbeResult."""
    when = parse_stamp(fields[0])
    return ProbeResult(when, fields[1] == "1", float(fields[2]) if fields[2] else None, fields[3])


def read_rows(path: Path, rollup: Rollup, since: bytes) -> tuple[bytes, int]:
    """Return bytes holding the file's rows from `since` on (at least), sorted, and where the first one starts.

    A plain file is read from its end back, by growing pieces; any other is read whole, sorted or cleaned.
    """
    if not rollup.plain:
        data = path.read_bytes()[:rollup.read]
        if rollup.warnings:
            return canonical(clean_rows(data, rollup.body, rollup.read, 2, path.stem)[0]), 1
        return sorted_rows(data, rollup.body, rollup.read), 1
    size = TAIL_BYTES
    with path.open("rb") as file:
        while True:
            offset = max(rollup.body, rollup.read - size)
            file.seek(offset - 1)
            data = file.read(rollup.read - offset + 1)
            start = data.find(b"\n") + 1
            if offset == rollup.body or data[start:start + 20] < since:
                return data, start
            size *= 4


def read_recent(path: Path, rollup: Rollup, segments: list[tuple[date, datetime, datetime]],
                context: Context) -> list[DayCounts]:
    """Count a month file's rows in each segment (a part of a local day), from the file's end."""
    if not rollup.readable or rollup.read <= rollup.body:
        return [DayCounts() for _ in segments]
    data, start = read_rows(path, rollup, stamp(segments[0][1]))
    edges = [stamp(begin) for _, begin, _ in segments] + [stamp(segments[-1][2])]
    found = count_segments(data, start, len(data), edges, context)
    if found is None:      # the file changed since it was read a moment ago: count what is well formed
        clean = canonical(clean_rows(data, start, len(data), 0, path.stem)[0])
        found = count_segments(clean, 1, len(clean), edges, context)
    return found


def latest_row(path: Path, rollup: Rollup, until: bytes) -> tuple[str, str, str, str] | None:
    """Return the newest row of a file before `until` (rows after the build's now are left out)."""
    if rollup.last is None or rollup.last[0].encode() < until:
        return rollup.last
    if not rollup.plain:
        earlier = [row for row in clean_rows(path.read_bytes(), rollup.body, rollup.read, 2, path.stem)[0]
                   if row[0].encode() < until]
        return earlier[-1] if earlier else None
    data, start = read_rows(path, rollup, until)
    found = find_row(data, until, start, len(data))
    if found == start:
        return None
    line = data[data.rfind(b"\n", 0, found - 1) + 1:found]
    return tuple(split_row(line.decode("utf-8", "replace").rstrip("\r\n")))


def cache_key(source: str, zone: ZoneInfo, slow_ms: float | None) -> dict:
    """Return what the cached counts of a file depend on besides its bytes."""
    return {"source": source, "zone": zone.key, "slow_ms": slow_ms, "byteorder": sys.byteorder}


def decode_rollup(data: bytes, key: dict) -> Rollup | None:
    """Return cached counts from their bytes, or None when damaged or made for other settings."""
    try:
        if not data.startswith(CACHE_MAGIC):
            return None
        split = data.index(b"\n", len(CACHE_MAGIC))
        head = json.loads(data[len(CACHE_MAGIC):split])
        if head.pop("key") != key:
            return None
        table = head.pop("days")
        total = sum(row[4] for row in table)
        bins, counts = array("I"), array("I")
        bins.frombytes(data[split + 1:split + 1 + 4 * total])
        counts.frombytes(data[split + 1 + 4 * total:])
        if len(bins) != total or len(counts) != total:
            return None
        days, at = {}, 0
        for ordinal, checks, ok, degraded, size in table:
            days[date.fromordinal(ordinal)] = DayCounts(checks, ok, degraded, bins[at:at + size], counts[at:at + size])
            at += size
        last = head.pop("last")
        warnings = tuple((line, message, hint) for line, message, hint in head.pop("warnings"))
        return Rollup(**head, last=tuple(last) if last else None, warnings=warnings, days=MappingProxyType(days))
    except (ValueError, TypeError, KeyError):   # a damaged or older cache file is read again, never trusted
        return None


def encode_rollup(rollup: Rollup, key: dict) -> bytes:
    """Return a month file's counts as the cache stores them: a line of JSON, then the histograms' arrays."""
    days = sorted(rollup.days.items())
    head = {"key": key, "size": rollup.size, "mtime_ns": rollup.mtime_ns, "read": rollup.read,
            "digest": rollup.digest, "lines": rollup.lines, "body": rollup.body, "readable": rollup.readable,
            "plain": rollup.plain, "verify": rollup.verify, "last": rollup.last,
            "warnings": [list(w) for w in rollup.warnings],
            "days": [[day.toordinal(), c.checks, c.ok, c.degraded, len(c.bins)] for day, c in days]}
    bins, counts = array("I"), array("I")
    for _, found in days:
        bins.extend(found.bins)
        counts.extend(found.counts)
    return CACHE_MAGIC + json.dumps(head, sort_keys=True).encode() + b"\n" + bins.tobytes() + counts.tobytes()


def write_cache(path: Path, data: bytes) -> None:
    """Write a cache file atomically (a temporary file, then a rename), so a reader never sees half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@dataclass(frozen=True, slots=True)
class Month:
    """One month file of a component to bring up to date: where it is, its cache entry, what counts depend on."""

    component: str
    month: str
    path: Path
    source: str           # as warnings name it: site_src/uptime/<component>/<YYYY-MM>.csv
    key: dict
    stored: Path | None   # its cache file
    slow_ms: float | None


def unchanged(month: Month, old: Rollup | None) -> bool:
    """Tell whether the cached counts may be used without opening the file: same size and mtime, not racy."""
    if old is None or old.verify:
        return False
    found = month.path.stat()
    return old.size == found.st_size and old.mtime_ns == found.st_mtime_ns


def read_months(batch: list[tuple[str, bytes | None, dict, str, float | None]]) -> list[bytes]:
    """Bring month files' counts up to date; take and return them as cache bytes (what crosses processes)."""
    seen: dict = {}
    found = []
    for path, cached, key, zone, slow_ms in batch:
        context = Context(ZoneInfo(zone), slow_ms, seen)
        old = decode_rollup(cached, key) if cached else None
        found.append(encode_rollup(read_month(Path(path), old, context), key))
    return found


def worker_count() -> int:
    """Return how many processors this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                        # not on Linux
        return os.cpu_count() or 1


def refresh(months: list[Month], cached: dict[str, bytes], zone: ZoneInfo, seen: dict,
            workers: int | None) -> dict[str, Rollup]:
    """Return every month file's counts, reading the changed files, in parallel when there is much to read.

    `cached` holds the cache bytes by source; the changed files' new counts are written back to the cache.
    """
    result, stale = {}, []
    for month in months:
        old = decode_rollup(cached[month.source], month.key) if month.source in cached else None
        if unchanged(month, old):
            result[month.source] = old
        else:
            stale.append((month, old))
    workers = min(worker_count(), MAX_WORKERS) if workers is None else workers
    size = sum(month.path.stat().st_size for month, old in stale if old is None)
    if workers > 1 and size > PARALLEL_BYTES:
        try:
            stale = read_in_processes(stale, cached, zone, workers, result)
        except (OSError, ImportError, NotImplementedError, BrokenProcessPool):
            pass    # no processes here (a sandbox, no /dev/shm): read the files in this one
    for month, old in stale:
        rollup = read_month(month.path, old, Context(zone, month.slow_ms, seen))
        result[month.source] = rollup
        if month.stored is not None:
            cached[month.source] = encode_rollup(rollup, month.key)
    return result


def read_in_processes(stale: list[tuple[Month, Rollup | None]], cached: dict[str, bytes], zone: ZoneInfo,
                      workers: int, result: dict[str, Rollup]) -> list:
    """Read stale month files in up to `workers` processes, into `result` and `cached`; return none left.

    Reading a cold cache is CPU-bound (about 0.8 us per row) and files are independent. Each
    process gets a batch of about equal bytes, so that it parses each latency text once.
    """
    batches: list[list[tuple[Month, Rollup | None]]] = [[] for _ in range(min(workers, len(stale)))]
    loads = [0] * len(batches)
    for month, old in sorted(stale, key=lambda item: -item[0].path.stat().st_size):
        lightest = loads.index(min(loads))
        batches[lightest].append((month, old))
        loads[lightest] += month.path.stat().st_size
    jobs = [[(str(m.path), cached.get(m.source) if old else None, m.key, zone.key, m.slow_ms) for m, old in batch]
            for batch in batches]
    with ProcessPoolExecutor(max_workers=len(batches)) as pool:
        for batch, encoded in zip(batches, pool.map(read_months, jobs)):
            for (month, _), data in zip(batch, encoded):
                result[month.source] = decode_rollup(data, month.key)
                cached[month.source] = data
    return []


def file_warnings(month: Month, rollup: Rollup) -> list[SourceError]:
    """Return the problems of one month file: a malformed row is an error (someone edited the file by hand
    and must say what they meant); a torn last line is a warning (a killed probe; the next run repairs it)."""
    found = [SourceError(month.source, line, 1, message, hint, ERROR) for line, message, hint in rollup.warnings]
    if rollup.size > rollup.read:
        found.append(SourceError(month.source, rollup.lines + 1, 1,
                                 "the last line is unfinished (a probe stopped while writing?); it is skipped",
                                 "the next probe run removes it", WARNING))
    return found


def first_row_time(folder: Path, now: datetime) -> datetime | None:
    """Return the time of the first row of a component's oldest month file, if it is not after `now`.

    The probe appends rows in time order, so the oldest file's first well-formed row is when
    checking began; it stays put as months pass, unlike the first day of the 90 shown.
    """
    for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].csv")):
        try:
            with path.open("rb") as file:
                head = file.read(FIRST_ROW_BYTES)     # bounded: a file without line breaks is not read whole
        except OSError:
            continue
        for line in head.split(b"\n")[1:]:
            found = parse_stamp(line[:20])
            if found is not None:
                return found if found <= now else None
    return None


def make_history(months: list[Month], rollups: dict[str, Rollup], days: tuple[LocalDay, ...], now: datetime,
                 context: Context, first: datetime | None = None) -> ProbeHistory:
    """Return one component's probe history: cached counts for past days, the files' ends for today and 24 h."""
    segments = recent_segments(days, now)
    until = stamp(segments[-1][2])
    recent_months = set(months_between(segments[0][1].astimezone(UTC), now.astimezone(UTC)))
    parts: dict[date, list[DayCounts]] = {}
    recent: list[list[DayCounts]] = [[] for _ in segments]
    latest = None
    for month in months:
        rollup = rollups[month.source]
        for day, counts in rollup.days.items():
            parts.setdefault(day, []).append(counts)
        if month.month in recent_months:
            for found, counts in zip(recent, read_recent(month.path, rollup, segments, context)):
                found.append(counts)
        row = latest_row(month.path, rollup, until)
        if row is not None and (latest is None or row[0] >= latest[0]):
            latest = row
    today, since = days[-1].day, now - timedelta(hours=24)
    measured = {day: merge_counts(found) for day, found in parts.items() if days[0].day <= day < today}
    by_segment = [merge_counts(found) if found else DayCounts() for found in recent]
    today_parts = [c for (day, _, _), c in zip(segments, by_segment) if day == today and c.checks]
    if today_parts:
        measured[today] = merge_counts(today_parts)
    window: dict[date, list[DayCounts]] = {}
    for (day, begin, _), counts in zip(segments, by_segment):
        if begin >= since and counts.checks:
            window.setdefault(day, []).append(counts)
    return ProbeHistory(MappingProxyType({day: measured[day] for day in sorted(measured)}),
                        MappingProxyType({day: merge_counts(found) for day, found in sorted(window.items())}),
                        row_result(latest) if latest else None, first)


def read_histories(site_dir: Path, site: Site, now: datetime, cache: bool = True,
                   workers: int | None = None,
                   cache_root: Path | None = None) -> tuple[Mapping[str, ProbeHistory], tuple[SourceError, ...]]:
    """Read site_src/uptime/ into each component's probe history as of `now`, with warnings about its files.

    With `cache`, counts are kept in and taken from <site>/.expediente-cache/uptime/, or from
    <cache_root>/uptime/ (the server hooks keep it beside releases/, outside the pushed tree).
    Changed files are read by up to `workers` processes (all processors by default) when there
    is much to read.
    """
    stored_in = site_dir / CACHE_FOLDER if cache_root is None else cache_root / CACHE_FOLDER.name
    root = site_dir / UPTIME_FOLDER
    if not root.is_dir():
        return MappingProxyType({}), ()
    zone = ZoneInfo(site.timezone)
    days = local_days(zone, now)
    known = {component.id: component for component in site.components}
    problems: list[SourceError] = []
    wanted = months_between(days[0].start.astimezone(UTC), now.astimezone(UTC))
    by_component: dict[str, list[Month]] = {}
    firsts: dict[str, datetime | None] = {}
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        label = (UPTIME_FOLDER / folder.name).as_posix()
        component = known.get(folder.name)
        if component is None:
            close = difflib.get_close_matches(folder.name, sorted(known), n=1)
            hint = f"did you mean '{close[0]}'? Rename the folder after a component id, or remove it" if close \
                else "rename the folder after a component id, or remove it"
            # Placed at its first file, whose name a person opens; at the folder when it holds none.
            first = next(iter(sorted(folder.glob("*.csv"))), None)
            where = (f"{label}/{first.name}", 1, 1) if first is not None else (label, 0, 0)
            problems.append(SourceError(*where, f"no component '{folder.name}' in site_src/status.yaml; "
                                        "its probe history is not shown", hint, WARNING))
            continue
        check = component.check
        slow_ms = check.degraded_after * 1000 if check is not None and check.degraded_after is not None else None
        firsts[component.id] = first_row_time(folder, now)
        by_component[component.id] = [
            Month(component.id, month, folder / f"{month}.csv", f"{label}/{month}.csv",
                  cache_key(f"{label}/{month}.csv", zone, slow_ms),
                  stored_in / folder.name / f"{month}.rollup" if cache else None, slow_ms)
            for month in wanted if (folder / f"{month}.csv").is_file()]
    months = [month for found in by_component.values() for month in found]
    cached = {}
    for month in months:
        if month.stored is not None and month.stored.is_file():
            cached[month.source] = month.stored.read_bytes()
    before = dict(cached)
    seen: dict = {}
    rollups = refresh(months, cached, zone, seen, workers)
    failed = None
    for month in months:
        if month.stored is not None and cached.get(month.source) is not before.get(month.source):
            try:
                write_cache(month.stored, cached[month.source])
            except OSError as error:
                failed = failed or SourceError(str(CACHE_FOLDER), 0, 0,
                                               f"could not write the uptime cache: {error.strerror}",
                                               "the build is right all the same, but reads the probe's files again",
                                               WARNING)
        problems += file_warnings(month, rollups[month.source])
    if failed is not None:
        problems.append(failed)
    histories = {cid: make_history(found, rollups, days, now, Context(zone, found[0].slow_ms if found else None, seen),
                                   firsts[cid])
                 for cid, found in by_component.items()}
    return MappingProxyType(histories), tuple(problems)
