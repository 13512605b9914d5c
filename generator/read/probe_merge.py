"""Each component's past days, added up over its files, kept in the day-count cache between builds.

A local day of the site takes rows from two UTC days' files (two months' at a month's edge), so
with day folders nearly every day is the sum of two files' histograms: some 130 microseconds a
day, 0.3 s a build for 100 components' open month, 1.2 s for 90 open days. The sums are kept in
`<cache>/uptime/<component>/days.merged` with, for each day, the files it was added up from, and
for each file what its counts were taken from (size, mtime_ns, bytes read, their hash): a build
adds up again only the days of the files that changed (an append: today's file, two days). The
format is the rollup's (read/probe_cache.py) with those two tables in its JSON line; one made for
other settings or damaged is never trusted. Nothing here writes a file.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.model import DayCounts
from generator.read.probe_cache import Rollup, decode_rollup, encode_rollup
from generator.read.probe_rows import merge_counts

MERGED_NAME = "days.merged"       # beside the files' <YYYY-MM>.rollup and <YYYY-MM-DD>.rollup


def identity(rollup: Rollup) -> list:
    """Return what tells that a file's counts changed: its size, mtime_ns, bytes read and their hash."""
    return [rollup.size, rollup.mtime_ns, rollup.read, rollup.digest]


def decode_merged(data: bytes, key: dict) -> tuple[dict, dict] | None:
    """Return the kept sums (files: source -> identity; days: date -> (DayCounts, sources)), or None."""
    rollup = decode_rollup(data, key)
    if rollup is None or not rollup.warnings:
        return None
    try:
        tables = json.loads(rollup.warnings[0][1])
        files = {source: list(found) for source, found in tables["files"].items()}
        sources = {date.fromordinal(int(day)): tuple(found) for day, found in tables["sources"].items()}
        days = {day: (counts, sources[day]) for day, counts in rollup.days.items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return files, days


def encode_merged(files: dict, days: dict, key: dict) -> bytes:
    """Return the sums as the cache keeps them: a rollup whose one warning holds the two tables."""
    tables = json.dumps({"files": files, "sources": {str(day.toordinal()): list(found)
                                                     for day, (_, found) in days.items()}}, sort_keys=True)
    rollup = Rollup(0, 0, 0, "", 0, 0, True, False, False, None, ((0, tables, None),),
                    MappingProxyType({day: counts for day, (counts, _) in days.items()}))
    return encode_rollup(rollup, key)


def merged_days(rollups: dict[str, Rollup], stored: Path | None, key: dict,
                changed: list[tuple[Path, bytes]]) -> Mapping[date, DayCounts]:
    """Return every day's counts added up over the files' `rollups` (by source); the kept sums of the days
    whose files did not change are taken from `stored`, and new sums are added to `changed` to be written."""
    files = {source: identity(rollup) for source, rollup in rollups.items()}
    old = None
    if stored is not None:
        try:
            old = decode_merged(stored.read_bytes(), {**key, "merged": True})
        except OSError:             # none yet, or unreadable: added up again
            old = None
    kept: dict = {}
    if old is not None:
        if old[0] == files:
            return {day: counts for day, (counts, _) in old[1].items()}
        gone = {source for source, found in old[0].items() if files.get(source) != found}
        new = {source for source in files if old[0].get(source) != files[source]}
        touched = {day for source in new for day in rollups[source].days}
        kept = {day: found for day, found in old[1].items() if day not in touched and not gone.intersection(found[1])}
    parts: dict[date, list[tuple[str, DayCounts]]] = {}
    for source, rollup in rollups.items():
        for day, counts in rollup.days.items():
            if day not in kept:
                parts.setdefault(day, []).append((source, counts))
    days = dict(kept)
    for day, found in parts.items():
        days[day] = (merge_counts([counts for _, counts in found]), tuple(source for source, _ in found))
    if stored is not None:
        changed.append((stored, encode_merged(files, days, {**key, "merged": True})))
    return {day: counts for day, (counts, _) in days.items()}
