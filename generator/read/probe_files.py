"""Reading the probe's day and month files into each component's history, through a cache that survives appends.

Each file (read/probe_layout.py says where they are: day folders, month files; read/probe_rows.py
the format) is read once into counts per local day of the site, which two files add up exactly
when a local day spans two UTC days or months. The
counts are cached (read/probe_cache.py holds the format; write/probe_cache.py writes it):

- same size and mtime_ns: the counts are used as they are, without opening the file;
- the file grew and its first `read` bytes still hash the same: it was appended to,
  so only the new lines are read and their counts added;
- anything else (rewritten, truncated, other time zone or slowness limit): read again.

A file modified within two seconds of being read may change again within the same
mtime tick without changing size (as git's "racily clean" index entries), so such
an entry is checked against the hash on the next build instead of trusted.

A month the probe closed (read/probe_summary.py) has no month file but a summary of its days
and an xz file of its rows: its counts come from the summary, cached the same way, and its rows
are read from the xz file only when a build at an earlier now needs them.

Today and the 24 hours before now are counted afresh from the end of the newest
files on every build, so "now" never leaks into the cache and rows after now (a
build with an earlier --now) are left out.

The pipeline lists the files (`list_probe_files`), then maps `read_component_history`
over the components, in processes when there is much to read (`ProbeFiles.uncached_bytes`
tells it how much), and has the changed counts written to the cache. Nothing here writes a file.
"""

from __future__ import annotations

import hashlib
import time as clock
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from generator.errors import ERROR, WARNING, SourceError
from generator.model import DayCounts, ProbeHistory, ProbeResult, Site
from generator.read.links import UPTIME_FOLDER
from generator.read.probe_cache import CACHE_SUFFIX, Rollup, cache_key, decode_entry, encode_entry
from generator.read.probe_layout import (
    first_row_time,
    is_day_folder,
    list_day_files,
    out_of_probe_months,
    unknown_component,
)
from generator.read.probe_merge import merged_days
from generator.read.probe_rows import (
    Context,
    canonical,
    clean_rows,
    count_segments,
    find_row,
    merge_counts,
    parse_stamp,
    read_part,
    sorted_rows,
    split_row,
    stamp,
)
from generator.read.probe_summary import (
    ARCHIVE_SUFFIX,
    SUMMARY_SUFFIX,
    SummaryError,
    archive_problem,
    archive_stat,
    count_file,
    read_archive,
    read_closed,
)

RACY_NS = 2_000_000_000
TAIL_BYTES = 1 << 17


def span_of(path: Path) -> str:
    """Return what a file's rows must fall in: the UTC day of a day folder's file, else the month of a month file."""
    return path.parent.name if is_day_folder(path.parent.name) else path.name[:7]


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
        part = read_part(data, old.read, end, old.lines + 1, span_of(path), context)
        days = dict(old.days)
        for day, counts in part.days.items():
            days[day] = merge_counts((days[day], counts)) if day in days else counts
        newer = old.last is None or (part.last is not None and part.last[0] >= old.last[0])
        plain = old.plain and part.plain and (old.last is None or part.first >= old.last[0].encode())
        return replace(old, **stat, read=end, digest=hashed.hexdigest(),
                       lines=old.lines + data.count(b"\n", old.read, end), plain=plain,
                       last=part.last if newer else old.last, warnings=old.warnings + part.warnings,
                       days=MappingProxyType(days))
    return count_file(data, stat, span_of(path), context)


def row_result(fields: tuple[str, str, str, str]) -> ProbeResult:
    """Return a well-formed row as a ProbeResult."""
    when = parse_stamp(fields[0])
    return ProbeResult(when, fields[1] == "1", float(fields[2]) if fields[2] else None, fields[3])


def read_rows(path: Path, rollup: Rollup, since: bytes) -> tuple[bytes, int]:
    """Return bytes holding the file's rows from `since` on (at least), sorted, and where the first one starts.

    A plain file is read from its end back, by growing pieces; any other, and a closed month's xz file
    (whose size the summary bounded), is read whole, sorted or cleaned.
    """
    if not rollup.plain or path.name.endswith(ARCHIVE_SUFFIX):
        data = read_archive(path, rollup.read) if path.name.endswith(ARCHIVE_SUFFIX) else path.read_bytes()
        data = data[:rollup.read]
        if rollup.warnings:
            return canonical(clean_rows(data, rollup.body, rollup.read, 2, span_of(path))[0]), 1
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
        clean = canonical(clean_rows(data, start, len(data), 0, span_of(path))[0])
        found = count_segments(clean, 1, len(clean), edges, context)
    return found


def latest_row(path: Path, rollup: Rollup, until: bytes) -> tuple[str, str, str, str] | None:
    """Return the newest row of a file before `until` (rows after the build's now are left out)."""
    if rollup.last is None or rollup.last[0].encode() < until:
        return rollup.last
    if not rollup.plain:
        earlier = [row for row in clean_rows(path.read_bytes(), rollup.body, rollup.read, 2, span_of(path))[0]
                   if row[0].encode() < until]
        return earlier[-1] if earlier else None
    data, start = read_rows(path, rollup, until)
    found = find_row(data, until, start, len(data))
    if found == start:
        return None
    line = data[data.rfind(b"\n", 0, found - 1) + 1:found]
    return tuple(split_row(line.decode("utf-8", "replace").rstrip("\r\n")))


@dataclass(frozen=True, slots=True)
class Month:
    """One file of a component's rows to bring up to date (a month file, a closed month, or a day folder's file):
    where it is and how warnings name it."""

    component: str
    month: str
    path: Path            # the month or day file, or a closed month's summary (read/probe_summary.py)
    source: str           # as warnings name it: site_src/uptime/<component>/<YYYY-MM>.csv, <YYYY-MM-DD>/<component>.csv
    rows: Path            # where the rows are: the month or day file, or a closed month's xz file
    day: str | None = None    # of a day folder's file: its UTC day

    @property
    def closed(self) -> bool:
        """Tell whether the month was closed: its counts are in a summary and its rows in an xz file."""
        return self.path != self.rows


def unchanged(month: Month, old: Rollup | None) -> bool:
    """Tell whether the cached counts may be used without opening the file: same size and mtime, not racy;
    of a closed month, the same of its xz file too (its counts may have come from it)."""
    if old is None or old.verify:
        return False
    found = month.path.stat()
    if month.closed and archive_stat(month.rows) != old.rows_stat:
        return False
    return old.size == found.st_size and old.mtime_ns == found.st_mtime_ns


def file_warnings(month: Month, rollup: Rollup) -> list[SourceError]:
    """Return the problems of one month file: a malformed row is an error (someone edited the file by hand
    and must say what they meant); a torn last line is a warning (a killed probe; the next run repairs it)."""
    found = [SourceError(month.source, line, 1, message, hint, ERROR) for line, message, hint in rollup.warnings]
    if rollup.size > rollup.read and not month.closed:
        found.append(SourceError(month.source, rollup.lines + 1, 1,
                                 "the last line is unfinished (a probe stopped while writing?); it is skipped",
                                 "the next probe run removes it", WARNING))
    return found


@dataclass(frozen=True, slots=True)
class ComponentFiles:
    """One component's month files to count at a build's now: where they are, and what counting them needs."""

    component: str
    folder: Path              # its month files' folder (which may not be there)
    first_day: Path | None    # its oldest day file
    months: tuple[Month, ...]
    zone: ZoneInfo
    slow_ms: float | None
    window: object            # schedule.uptime.ProbeWindow: the local days, segments and months to count
    stored: Path | None = None    # its cache entry (read/probe_cache.py), none without a cache


@dataclass(frozen=True, slots=True)
class ProbeFiles:
    """The components with a folder in site_src/uptime/, the problems of the folders, and how much there is
    to read: the bytes of the month files without cached counts."""

    components: tuple[ComponentFiles, ...]
    problems: tuple[SourceError, ...]
    uncached_bytes: int


@dataclass(frozen=True, slots=True)
class ComponentRead:
    """What one component's files say (plain values, so that a worker process can send it back), the problems
    of its files, and the cache entry to write: (path, bytes), none when nothing changed."""

    component: str
    days: tuple[tuple[date, DayCounts], ...]
    recent: tuple[tuple[date, DayCounts], ...]
    latest: ProbeResult | None
    first: datetime | None
    problems: tuple[SourceError, ...]
    cache: tuple[tuple[Path, bytes], ...]

    @property
    def history(self) -> ProbeHistory:
        """Return the component's probe history."""
        return ProbeHistory(MappingProxyType(dict(self.days)), MappingProxyType(dict(self.recent)),
                            self.latest, self.first)


def month_of(component: str, folder: Path, label: str, month: str) -> Month | None:
    """Return a component's month to count: its file while open, else its summary and xz file; None if neither."""
    path = folder / f"{month}.csv"
    if path.is_file():
        # A month file beside a summary holds rows the probe has not closed yet (it closes them at
        # its next run): it is the whole month, so the summary is left aside until then.
        rows, source = path, f"{label}/{month}.csv"
    elif (folder / f"{month}{SUMMARY_SUFFIX}").is_file():
        path, rows, source = folder / f"{month}{SUMMARY_SUFFIX}", folder / f"{month}{ARCHIVE_SUFFIX}", \
            f"{label}/{month}{SUMMARY_SUFFIX}"
    else:
        return None
    return Month(component, month, path, source, rows)


def list_probe_files(site_dir: Path, site: Site, window, stored_in: Path | None) -> ProbeFiles:
    """Return the files of site_src/uptime/ (month files, closed months, day files) that the probe's history in
    `window` is counted from.

    Their counts are kept in and taken from the folder `stored_in` (read/probe_cache.py), none when it
    is None. A folder or day file named after no component is a warning, and left out.
    """
    root = site_dir / UPTIME_FOLDER
    if not root.is_dir():
        return ProbeFiles((), (), 0)
    zone = ZoneInfo(site.timezone)
    known = {component.id: component for component in site.components}
    by_day, oldest, problems = list_day_files(root, known, window.months)
    found: list[ComponentFiles] = []
    uncached = 0
    folders = {path.name: path for path in root.iterdir() if path.is_dir() and not is_day_folder(path.name)}
    for name in sorted(set(folders) - set(known)):
        # Placed at its first file, whose name a person opens; at the folder when it holds none.
        label = (UPTIME_FOLDER / name).as_posix()
        first = next(iter(sorted(folders[name].glob("*.csv"))), None)
        problems.append(unknown_component(name, known, (f"{label}/{first.name}", 1, 1) if first is not None
                                          else (label, 0, 0)))
    for component in sorted(known.values(), key=lambda component: component.id):
        if component.id not in folders and component.id not in by_day:
            continue
        folder = root / component.id
        check = component.check
        slow_ms = check.degraded_after * 1000 if check is not None and check.degraded_after is not None else None
        # A month no probe writes (the 90 days shown in early 2000 reach into 1999) is named by first_row_time
        # as one whose rows are not shown: they are not counted either.
        months = [month_of(component.id, folder, (UPTIME_FOLDER / component.id).as_posix(), month)
                  if component.id in folders and out_of_probe_months(month) is None else None
                  for month in window.months]
        for day, path in by_day.get(component.id, ()):
            months.append(Month(component.id, day[:7], path, (UPTIME_FOLDER / day / path.name).as_posix(), path, day))
        months = tuple(month for month in months if month is not None)
        stored = stored_in / f"{component.id}{CACHE_SUFFIX}" if stored_in is not None else None
        if stored is None or not stored.is_file():
            uncached += sum(month.path.stat().st_size for month in months)
        found.append(ComponentFiles(component.id, folder, oldest.get(component.id), months, zone, slow_ms, window,
                                    stored))
    return ProbeFiles(tuple(found), tuple(problems), uncached)


def read_component_history(files: ComponentFiles) -> ComponentRead:
    """Count one component's month files (the changed ones only, when cached) into its history at the window's now."""
    context = Context(files.zone, files.window.bounds, files.slow_ms)
    key = cache_key(files.component, files.zone, files.slow_ms)
    entry = None
    if files.stored is not None:
        try:
            entry = decode_entry(files.stored.read_bytes(), key)
        except OSError:                 # none yet, or unreadable: every file is read again
            entry = None
    kept = entry.rollups if entry is not None else {}
    rollups: dict[str, Rollup] = {}
    problems: list[SourceError] = []
    for month in files.months:
        old = kept.get(month.source)
        if unchanged(month, old):
            rollup = old
        elif month.closed:
            rollup = read_closed(month.path, month.rows, month.source, context, problems)
        else:
            rollup = read_month(month.path, old, context)
        rollups[month.source] = rollup
        problems += file_warnings(month, rollup)
    merged, new_entry = merged_days(rollups, entry)
    # Written when a file's counts changed, or a file came or went (its entry is dropped with it).
    changed = files.stored is not None and (entry is None or kept.keys() != rollups.keys()
                                            or any(rollups[source] is not kept[source] for source in rollups))
    days, recent, latest = count_history(files.months, rollups, merged, files.window, context, problems)
    first = first_row_time(files.folder, files.first_day, files.window.now, problems)
    return ComponentRead(files.component, days, recent, latest, first, tuple(problems), ((files.stored, encode_entry(new_entry, key)),) if changed else ())


def count_history(months: tuple[Month, ...], rollups: dict[str, Rollup], merged, window, context: Context,
                  problems: list[SourceError]):
    """Return one component's (days, recent, latest) at the window's now: the `merged` counts for past days,
    the files' ends for today and the 24 hours before now, and the newest row up to now (a closed
    month's rows are read from its xz file only for a build at an earlier now; a failure goes to `problems`)."""
    days, segments, now = window.days, window.segments, window.now
    until = stamp(segments[-1][2])
    # a day file counts in the recent segments only when its UTC day meets them
    recent_days = (stamp(segments[0][1])[:10].decode(), until[:10].decode())
    recent: list[list[DayCounts]] = [[] for _ in segments]
    latest = None
    for month in months:
        rollup = rollups[month.source]
        try:
            if month.month in window.recent_months and (
                    month.day is None or recent_days[0] <= month.day <= recent_days[1]):
                for found, counts in zip(recent, read_recent(month.rows, rollup, segments, context)):
                    found.append(counts)
            row = latest_row(month.rows, rollup, until)
        except (SummaryError, OSError) as error:
            problems.append(archive_problem(month.source, month.month, error))
            continue
        if row is not None and (latest is None or row[0] >= latest[0]):
            latest = row
    today, since = days[-1].day, now - timedelta(hours=24)
    measured = {day: counts for day, counts in merged.items() if days[0].day <= day < today}
    by_segment = [merge_counts(found) if found else DayCounts() for found in recent]
    today_parts = [c for (day, _, _), c in zip(segments, by_segment) if day == today and c.checks]
    if today_parts:
        measured[today] = merge_counts(today_parts)
    last_24h: dict[date, list[DayCounts]] = {}
    for (day, begin, _), counts in zip(segments, by_segment):
        if begin >= since and counts.checks:
            last_24h.setdefault(day, []).append(counts)
    return (tuple((day, measured[day]) for day in sorted(measured)),
            tuple((day, merge_counts(found)) for day, found in sorted(last_24h.items())),
            row_result(latest) if latest else None)
