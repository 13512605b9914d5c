"""The day-count cache of the probe's files: what it holds and its bytes (written by write/probe_cache.py).

One entry per component, `<cache>/uptime/<component>.counts`, in the build's cache folder (the
site's own, or the server hooks'; see read/cache.py), read and written once a build. It holds, for
each of the component's files (a day folder's file, a month file, a closed month's summary), its
counts per local day beside the file's size, mtime_ns, how many bytes were read and a SHA-1 hash of
those bytes: read/probe_files.py decides from these whether the file changed, grew, or must be read
again. It also holds the days added up over the files (read/probe_merge.py), so that a build where
nothing changed decodes those sums and no file's own days. An entry is a line of JSON, then the
histograms' arrays; one made for other settings (time zone, slowness limit, byte order) or damaged
is never trusted. A file no longer listed drops out of the entry when it is next written.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from zoneinfo import ZoneInfo

from generator.model import DayCounts

CACHE_FOLDER = "uptime"       # in the build's cache folder
CACHE_SUFFIX = ".counts"      # <component>.counts
CACHE_MAGIC = b"expediente uptime counts 4\n"


class StoredDays(Mapping):
    """A file's per-day counts as the cache entry holds them, decoded on first use: a build where the file
    did not change needs only its identity, not its days."""

    __slots__ = ("table", "raw", "_days")

    def __init__(self, table: list, raw: bytes):
        self.table = table        # [[ordinal, checks, ok, degraded, bins], ...]
        self.raw = raw            # the bins, then the counts, as unsigned 32-bit integers
        self._days = None

    def _decoded(self) -> dict:
        if self._days is None:
            total = sum(row[4] for row in self.table)
            bins, counts = array("I"), array("I")
            bins.frombytes(self.raw[:4 * total])
            counts.frombytes(self.raw[4 * total:])
            days, at = {}, 0
            for ordinal, checks, ok, degraded, size in self.table:
                days[date.fromordinal(ordinal)] = DayCounts(checks, ok, degraded, bins[at:at + size],
                                                            counts[at:at + size])
                at += size
            self._days = days
        return self._days

    def __getitem__(self, day: date) -> DayCounts:
        return self._decoded()[day]

    def __iter__(self):
        # The days are known from the table: listing them decodes no histogram.
        return (date.fromordinal(row[0]) for row in self.table)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and any(row[0] == day.toordinal() for row in self.table)

    def __len__(self) -> int:
        return len(self.table)


@dataclass(frozen=True, slots=True)
class Rollup:
    """What one file held when it was last read: per-day counts and how to tell it changed."""

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
    rows_stat: tuple[int, int] | None = None    # a closed month's xz file's size and mtime_ns (size, mtime_ns above
    #                                             are its summary's): its counts stand while neither file changed


@dataclass(frozen=True, slots=True)
class Entry:
    """A component's cache entry: each file's counts (by source, as warnings name it) and the kept sums
    (read/probe_merge.py: files, source -> identity; days, date -> (DayCounts, sources))."""

    rollups: Mapping[str, Rollup]
    merged_files: Mapping[str, list]
    merged_days: Mapping[date, tuple[DayCounts, tuple[str, ...]]]


def cache_key(component: str, zone: ZoneInfo, slow_ms: float | None) -> dict:
    """Return what a component's cached counts depend on besides its files' bytes."""
    return {"component": component, "zone": zone.key, "slow_ms": slow_ms, "byteorder": sys.byteorder}


def _table(days: Mapping[date, DayCounts]) -> tuple[list, bytes]:
    """Return days' counts as the entry stores them: the table and the arrays' bytes."""
    if isinstance(days, StoredDays):
        return days.table, days.raw          # unchanged since read: copied, not encoded again
    found = sorted(days.items())
    bins, counts = array("I"), array("I")
    for _, counted in found:
        bins.extend(counted.bins)
        counts.extend(counted.counts)
    return ([[day.toordinal(), c.checks, c.ok, c.degraded, len(c.bins)] for day, c in found],
            bins.tobytes() + counts.tobytes())


def _stored(table: list, blob: bytes, at: int, size: int) -> StoredDays:
    """Return a table and its slice of the arrays, checked to fit, as lazily decoded days."""
    if not isinstance(table, list) or at < 0 or at + size > len(blob) \
            or 8 * sum(row[4] for row in table) != size or any(len(row) != 5 for row in table):
        raise ValueError("damaged")
    return StoredDays(table, blob[at:at + size])


def decode_entry(data: bytes, key: dict) -> Entry | None:
    """Return a component's cache entry from its bytes, or None when damaged or made for other settings."""
    try:
        if not data.startswith(CACHE_MAGIC):
            return None
        split = data.index(b"\n", len(CACHE_MAGIC))
        head = json.loads(data[len(CACHE_MAGIC):split])
        if head["key"] != key:
            return None
        blob = memoryview(data)[split + 1:]     # slices of it are not copies
        rollups = {}
        for source, found in head["files"].items():
            days = _stored(found.pop("days"), blob, found.pop("at"), found.pop("bytes"))
            last = found.pop("last")
            warnings = tuple((line, message, hint) for line, message, hint in found.pop("warnings"))
            rows_stat = found.pop("rows_stat")
            rollups[source] = Rollup(**found, last=tuple(last) if last else None, warnings=warnings, days=days,
                                     rows_stat=tuple(rows_stat) if rows_stat is not None else None)
        merged = head["merged"]
        sums = _stored(merged["days"], blob, merged["at"], merged["bytes"])
        sources = {int(day): tuple(found) for day, found in merged["sources"].items()}
        days = {day: (counts, sources[day.toordinal()]) for day, counts in sums._decoded().items()}
        files = {source: list(found) for source, found in merged["files"].items()}
        return Entry(MappingProxyType(rollups), files, days)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
        return None      # a damaged or older cache entry is counted again, never trusted


def encode_entry(entry: Entry, key: dict) -> bytes:
    """Return a component's cache entry as the cache stores it: a line of JSON, then the histograms' arrays."""
    parts, at = [], 0
    files = {}
    for source, rollup in sorted(entry.rollups.items()):
        table, raw = _table(rollup.days)
        files[source] = {"size": rollup.size, "mtime_ns": rollup.mtime_ns, "read": rollup.read,
                         "digest": rollup.digest, "lines": rollup.lines, "body": rollup.body,
                         "readable": rollup.readable, "plain": rollup.plain, "verify": rollup.verify,
                         "last": rollup.last, "warnings": [list(w) for w in rollup.warnings],
                         "rows_stat": rollup.rows_stat, "days": table, "at": at, "bytes": len(raw)}
        parts.append(raw)
        at += len(raw)
    table, raw = _table({day: counts for day, (counts, _) in entry.merged_days.items()})
    parts.append(raw)
    merged = {"files": dict(entry.merged_files), "days": table, "at": at, "bytes": len(raw),
              "sources": {str(day.toordinal()): list(found) for day, (_, found) in entry.merged_days.items()}}
    head = {"key": key, "files": files, "merged": merged}
    # Compact and in insertion order (files sorted above): the entry is written again on every append.
    return CACHE_MAGIC + json.dumps(head, separators=(",", ":")).encode() + b"\n" + b"".join(parts)
