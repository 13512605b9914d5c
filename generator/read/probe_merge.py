"""Each component's past days, added up over its files, kept in the day-count cache between builds.

A local day of the site takes rows from two UTC days' files (two months' at a month's edge), so
with day folders nearly every day is the sum of two files' histograms: some 130 microseconds a
day, 0.3 s a build for 100 components' open month, 1.2 s for 90 open days. The sums are kept in the
component's cache entry (read/probe_cache.py) with, for each day, the files it was added up from,
and for each file what its counts were taken from (size, mtime_ns, bytes read, their hash): a build
adds up again only the days of the files that changed (an append: today's file, two days), and a
build where nothing changed decodes only these sums. Nothing here writes a file.
"""

from __future__ import annotations

from datetime import date
from typing import Mapping

from generator.model import DayCounts
from generator.read.probe_cache import Entry, Rollup
from generator.read.probe_rows import merge_counts


def identity(rollup: Rollup) -> list:
    """Return what tells that a file's counts changed: its size, mtime_ns, bytes read and their hash."""
    return [rollup.size, rollup.mtime_ns, rollup.read, rollup.digest]


def merged_days(rollups: dict[str, Rollup], old: Entry | None) -> tuple[Mapping[date, DayCounts], Entry]:
    """Return every day's counts added up over the files' `rollups` (by source), and the cache entry that
    keeps them with the rollups; the sums of the days whose files did not change are taken from `old`."""
    files = {source: identity(rollup) for source, rollup in rollups.items()}
    kept: dict = {}
    if old is not None:
        if old.merged_files == files:
            days = old.merged_days
            return {day: counts for day, (counts, _) in days.items()}, Entry(rollups, files, days)
        gone = {source for source, found in old.merged_files.items() if files.get(source) != found}
        new = {source for source in files if old.merged_files.get(source) != files[source]}
        touched = {day for source in new for day in rollups[source].days}
        kept = {day: found for day, found in old.merged_days.items()
                if day not in touched and not gone.intersection(found[1])}
    parts: dict[date, list[tuple[str, DayCounts]]] = {}
    for source, rollup in rollups.items():
        for day in rollup.days:
            if day not in kept:
                parts.setdefault(day, []).append((source, rollup.days[day]))
    days = dict(kept)
    for day, found in parts.items():
        days[day] = (merge_counts([counts for _, counts in found]), tuple(source for source, _ in found))
    return {day: counts for day, (counts, _) in days.items()}, Entry(rollups, files, days)
