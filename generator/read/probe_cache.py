"""The day-count cache of the probe's month files: what it holds and its bytes (written by write/probe_cache.py).

Each file's counts are kept in `<cache>/uptime/<component>/<YYYY-MM>.rollup` (a month file, a
closed month) or `<YYYY-MM-DD>.rollup` (a day file), in the
build's cache folder (the site's own, or the server hooks'; see read/cache.py), beside the file's size, mtime_ns, how many bytes were read and a SHA-1 hash
of those bytes: read/probe_files.py decides from these whether the file changed, grew, or
must be read again. A cache file is a line of JSON, then the histograms' arrays; one
made for other settings (time zone, slowness limit, byte order) or damaged is never trusted.
"""

from __future__ import annotations

import json
import sys
from array import array
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Mapping
from zoneinfo import ZoneInfo

from generator.model import DayCounts

CACHE_FOLDER = "uptime"       # in the build's cache folder
CACHE_MAGIC = b"expediente uptime rollup 2\n"


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
