"""A closed month of the probe's history: its day counts (`<YYYY-MM>.days.json`) and its rows (`<YYYY-MM>.csv.xz`).

When every local day that a UTC month's rows fall on is over, and the 24 hours before now no longer
reach into it, the probe closes the month (probe/month_close.py): the month file's bytes go, unchanged,
into one xz file, and what the build needs of them goes into a small summary, so that git keeps a
few kilobytes where the growing file was, and a build reads the summary instead of the rows.

The summary is one JSON document (docs/format.md shows it): the zone and slowness limit it was counted
with, what the rows were (bytes, lines, hash, the first and the newest row), and one entry per local
day: checks, successes, slow successes and the latency histogram. A day that lies wholly in the month
keeps only what its median and 95th percentile need (`reduce_counts`), which gives the same figures;
the two days that the month's first and last instants cut keep their whole histogram, since the next
or previous month's file adds to them.

A summary made with another zone or slowness limit, or one that is damaged, is not used: the rows are
read from the xz file instead (with a warning when damaged), streamed, and refused past the most a
month of the probe's rows can be (MAX_MONTH_ROWS rows, MAX_MONTH_BYTES bytes): a fixed bound, not
`limits: tree_mb`, which a pushed site.yaml raises to 100 GB and which a few kilobytes of xz reach.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import time as clock
from array import array
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from generator.errors import WARNING, SourceError
from generator.model import DayCounts
from generator.read.probe_cache import Rollup
from generator.read.probe_rows import HEADER, Context, Part, parse_stamp, read_part

SUMMARY_SUFFIX = ".days.json"
ARCHIVE_SUFFIX = ".csv.xz"
SUMMARY_FORMAT = "expediente uptime month 1"
MAX_SUMMARY_BYTES = 1 << 20       # a month of one-minute checks is some 20 KB; anything larger is not ours
MAX_UNPACK_MEMORY = 64 << 20      # what unpacking a closed month may take (the probe's preset 6 needs 9 MiB)
# The most a closed month's rows can be. The probe starts once a minute (cron's finest schedule): 44,640
# rows in a 31-day month. Its longest row is 20 bytes of time, `1`, a latency (`%.1f` of a timeout: under
# 12 bytes), a 200-character detail quoted with its quotes doubled or in 4-byte UTF-8 (802 bytes), three
# commas and a line break: under 850 bytes, so 1 KiB a row. A month of one-minute checks each as long as
# a row can be is 43.6 MiB; MAX_MONTH_BYTES leaves room above that. Rows are counted too, with four times
# a month of one-minute checks (a check every 15 seconds) allowed: a month of typical rows (some 36 bytes)
# takes 6 MB, so it is the row count that bounds a probe run more often than cron allows. Both are fixed:
# memory and time stay bounded whatever `limits:` a pushed site.yaml sets.
MONTH_OF_MINUTES = 31 * 24 * 60
MAX_MONTH_ROWS = 4 * MONTH_OF_MINUTES
MAX_MONTH_BYTES = 48 << 20        # above MONTH_OF_MINUTES rows of 1 KiB each (43.6 MiB)
MONTH_MOST = "the most a month of the probe's rows can be"
UNPACK_CHUNK = 1 << 20            # bytes unpacked at a time: rows and bytes are counted as they come
RACY_NS = 2_000_000_000


class SummaryError(ValueError):
    """A summary or archive that cannot be used: the message says why, in the user's words."""


def month_span(month: str) -> tuple[datetime, datetime]:
    """Return the first instant of a UTC month (`2026-11`) and the first instant of the next."""
    first = datetime.fromisoformat(f"{month}-01T00:00:00+00:00")
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def count_file(data: bytes, stat: dict, month: str, context: Context) -> Rollup:
    """Return the counts of a month file's whole bytes, with `stat` (size, mtime_ns, verify) as given."""
    end = data.rfind(b"\n") + 1
    body = data.find(b"\n") + 1
    header = data[:body].rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
    common = dict(stat, read=end, digest=hashlib.sha1(memoryview(data)[:end], usedforsecurity=False).hexdigest(),
                  lines=data.count(b"\n", 0, end), body=body)
    if body and header != HEADER:
        shown = header[:60].decode("utf-8", "replace")
        warning = (1, f"the first line must be the header 'time,ok,latency_ms,detail', not '{shown}'",
                   "restore the header line; every month file starts with it")
        return Rollup(**common, readable=False, plain=False, last=None, warnings=(warning,),
                      days=MappingProxyType({}))
    part = read_part(data, body, end, 2, month, context) if body else Part({}, True, b"", None, ())
    return Rollup(**common, readable=True, plain=part.plain, last=part.last, warnings=part.warnings,
                  days=MappingProxyType(part.days))


def reduce_counts(counts: DayCounts) -> DayCounts:
    """Return a day's counts with a histogram of at most two bins that gives the same median and 95th percentile.

    Nearest rank: the p-th percentile is the first bin whose running count reaches ceil(p * n / 100).
    Keeping n, the median's bin with that rank as its count, and the 95th percentile's bin with the
    rest gives both ranks the same bins (when the two ranks are equal, so are their bins).
    """
    total = sum(counts.counts)
    if not total:
        return DayCounts(counts.checks, counts.ok, counts.degraded)
    wanted = []
    running = 0
    ranks = [-(-50 * total // 100), -(-95 * total // 100)]
    for key, count in zip(counts.bins, counts.counts):
        running += count
        while ranks and running >= ranks[0]:
            wanted.append(key)
            ranks.pop(0)
    median_rank = -(-50 * total // 100)
    if wanted[0] == wanted[1]:
        return DayCounts(counts.checks, counts.ok, counts.degraded, array("I", [wanted[0]]), array("I", [total]))
    return DayCounts(counts.checks, counts.ok, counts.degraded, array("I", wanted),
                     array("I", [median_rank, total - median_rank]))


def encode_summary(month: str, rollup: Rollup, context: Context, first: bytes) -> bytes:
    """Return a closed month's summary: the counts of its rows (`rollup`, counted with `context`), as JSON."""
    start, end = month_span(month)
    days = []
    for day, counts in sorted(rollup.days.items()):
        bounds = context.bounds[day]
        whole = start <= bounds.start and bounds.end <= end       # no other month's file adds to this day
        kept = reduce_counts(counts) if whole else counts
        days.append([day.isoformat(), kept.checks, kept.ok, kept.degraded, list(kept.bins), list(kept.counts)])
    document = {"format": SUMMARY_FORMAT, "month": month, "zone": context.zone.key,
                "degraded_after_ms": context.slow_ms,
                "rows": {"bytes": rollup.read, "lines": rollup.lines, "body": rollup.body, "sha1": rollup.digest,
                         "in_order": rollup.plain, "first": first.decode("ascii"),
                         "last": list(rollup.last) if rollup.last else None},
                "days": days}
    # One day per line: a person reads it, and git's deltas stay line-sized.
    head = json.dumps({key: value for key, value in document.items() if key != "days"}, sort_keys=True,
                      ensure_ascii=False)
    lines = ",\n".join(json.dumps(day) for day in days)
    return f'{head[:-1]}, "days": [\n{lines}\n]}}\n'.encode("utf-8")


def _integer(value, at_least: int = 0) -> int:
    if type(value) is not int or value < at_least:
        raise SummaryError(f"'{value}' is not a count")
    return value


def decode_summary(data: bytes, month: str, context: Context) -> tuple[dict, dict] | None:
    """Return (the rows' description, days) of a summary, or None when counted with another zone or limit.

    Raises SummaryError when the summary is damaged or not one the probe writes, or claims more than its
    rows can hold: more rows or bytes than a month of the probe's rows can be, or more checks than rows.
    """
    if len(data) > MAX_SUMMARY_BYTES:
        raise SummaryError(f"it is larger than a summary's {MAX_SUMMARY_BYTES:,} bytes")
    try:
        document = json.loads(data)
    except RecursionError:
        raise SummaryError("it is not JSON (nested too deep)") from None
    except ValueError as error:
        raise SummaryError(f"it is not JSON ({str(error)[:100]})") from None
    if not isinstance(document, dict) or document.get("format") != SUMMARY_FORMAT:
        raise SummaryError(f"its format is not '{SUMMARY_FORMAT}'")
    if document.get("month") != month:
        raise SummaryError(f"it describes the month '{str(document.get('month'))[:20]}', not {month}")
    if document.get("zone") != context.zone.key or document.get("degraded_after_ms") != context.slow_ms:
        return None
    rows, listed = document.get("rows"), document.get("days")
    if not isinstance(rows, dict) or not isinstance(listed, list):
        raise SummaryError("it lacks 'rows' or 'days'")
    last = rows.get("last")
    if last is not None and (not isinstance(last, list) or len(last) != 4 or not all(isinstance(f, str) for f in last)
                             or parse_stamp(last[0]) is None):
        raise SummaryError("its newest row is not one")
    first = rows.get("first")
    if not isinstance(first, str) or (first and parse_stamp(first) is None):
        raise SummaryError("its first row's time is not one")
    described = {"bytes": _integer(rows.get("bytes")), "lines": _integer(rows.get("lines")),
                 "body": _integer(rows.get("body")), "sha1": str(rows.get("sha1"))[:40],
                 "in_order": rows.get("in_order") is True, "first": first, "last": tuple(last) if last else None}
    # Each row is a line of its own: the checks its days claim are bounded by the rows, the rows by the bytes.
    if described["bytes"] > MAX_MONTH_BYTES:
        raise SummaryError(f"its rows are more than {MAX_MONTH_BYTES >> 20} MB, {MONTH_MOST}")
    if described["lines"] > described["bytes"] or described["body"] > described["bytes"]:
        raise SummaryError("it claims more lines than its rows have bytes")
    if described["lines"] > MAX_MONTH_ROWS + 1:
        raise SummaryError(f"it describes more than {MAX_MONTH_ROWS:,} rows, {MONTH_MOST}")
    rows_held = described["lines"] - (1 if described["body"] else 0)
    start, end = month_span(month)
    days: dict[date, DayCounts] = {}
    claimed = 0
    for entry in listed:
        if not isinstance(entry, list) or len(entry) != 6 or not isinstance(entry[0], str):
            raise SummaryError("a day is not [date, checks, ok, slow, bins, counts]")
        try:
            day = date.fromisoformat(entry[0])
        except ValueError:
            raise SummaryError(f"'{entry[0][:20]}' is not a date") from None
        if day not in context.bounds or not (context.bounds[day].end > start and context.bounds[day].start < end):
            raise SummaryError(f"{day} is not a day of {month}")
        checks, ok, slow = _integer(entry[1]), _integer(entry[2]), _integer(entry[3])
        if not (slow <= ok <= checks) or day in days:
            raise SummaryError(f"the counts of {day} do not add up")
        bins, counts = entry[4], entry[5]
        if not isinstance(bins, list) or not isinstance(counts, list) or len(bins) != len(counts) \
                or any(type(b) is not int or not 0 <= b < 2**32 for b in bins) or bins != sorted(set(bins)) \
                or any(type(c) is not int or not 0 < c < 2**32 for c in counts) or sum(counts) > ok:
            raise SummaryError(f"the latencies of {day} are not a histogram")
        claimed += checks
        if claimed > rows_held:
            raise SummaryError(f"its days count more checks than the {rows_held:,} rows it describes")
        days[day] = DayCounts(checks, ok, slow, array("I", bins), array("I", counts))
    return described, days


def summary_rollup(data: bytes, stat, month: str, context: Context) -> Rollup | None:
    """Return a closed month's counts from its summary's bytes (`stat`: the summary file's), or None when
    counted with another zone or limit. Raises SummaryError when damaged or claiming more than a month holds."""
    decoded = decode_summary(data, month, context)
    if decoded is None:
        return None
    rows, days = decoded
    racy = clock.time_ns() - stat.st_mtime_ns < RACY_NS
    return Rollup(size=stat.st_size, mtime_ns=stat.st_mtime_ns, read=rows["bytes"], digest=rows["sha1"],
                  lines=rows["lines"], body=rows["body"], readable=True, plain=rows["in_order"], verify=racy,
                  last=rows["last"], warnings=(), days=MappingProxyType(days))


def summary_first(data: bytes) -> str | None:
    """Return the time of a summary's first row as written, from the whole summary or its first line (which
    the probe ends with the opening of the days' list); None when it has none or is damaged."""
    for text in (data[:MAX_SUMMARY_BYTES], data[:MAX_SUMMARY_BYTES].rstrip() + b"]}"):
        try:
            first = json.loads(text).get("rows", {}).get("first")
        except (ValueError, AttributeError, RecursionError):
            continue
        return first if isinstance(first, str) and first else None
    return None


def read_archive(path: Path, max_bytes: int = MAX_MONTH_BYTES) -> bytes:
    """Return the rows of a closed month, decompressed: at most `max_bytes` of them (its summary's count, when
    known), and never more than a month of the probe's rows can be.

    Raises SummaryError when the file is not xz, is damaged, or holds more (a small file can unpack to a lot).
    """
    with path.open("rb") as file:
        return unpack_archive(file, max_bytes)


def unpack_archive(file: BinaryIO, max_bytes: int = MAX_MONTH_BYTES) -> bytes:
    """Return the rows of a closed month read from an open xz file, decompressed, as read_archive (the probe's
    close opens the file itself, without following a link); SummaryError as read_archive."""
    limit = min(max_bytes, MAX_MONTH_BYTES)
    chunks: list[bytes] = []
    size = lines = 0
    try:
        # The probe writes preset 6 (an 8 MiB dictionary, 9 MiB to unpack); a header may ask for 4 GiB.
        decompressor = lzma.LZMADecompressor(format=lzma.FORMAT_XZ, memlimit=MAX_UNPACK_MEMORY)
        while not decompressor.eof:
            chunk = b""
            if decompressor.needs_input:
                chunk = file.read(UNPACK_CHUNK)
                if not chunk:
                    raise SummaryError("it ends before its last block: the file is cut short")
            # A piece at a time, counted as it comes: what is refused is never unpacked past the bound.
            out = decompressor.decompress(chunk, max_length=UNPACK_CHUNK)
            size += len(out)
            lines += out.count(b"\n")
            if size > limit:
                raise SummaryError(f"it unpacks to more than {MAX_MONTH_BYTES >> 20} MB, {MONTH_MOST}"
                                   if limit == MAX_MONTH_BYTES else
                                   f"it unpacks to more than the {limit:,} bytes its summary describes")
            if lines > MAX_MONTH_ROWS + 1:       # the header, then the rows
                raise SummaryError(f"it holds more than {MAX_MONTH_ROWS:,} rows, {MONTH_MOST}")
            chunks.append(out)
        # xz reads concatenated streams as one file, this reader would stop at the first: the probe writes one
        # stream, so anything after it (another stream, padding, junk) is refused rather than silently dropped.
        if decompressor.unused_data or file.read(1):
            raise SummaryError("it holds data after the end of its first xz stream (the probe writes one stream)")
    except lzma.LZMAError as error:
        raise SummaryError(f"it is not an xz file the probe wrote ({error})") from None
    return b"".join(chunks)


def archive_problem(source: str, month: str, error: Exception) -> SourceError:
    """Return the error of a closed month (its summary named by `source`) whose xz file cannot be read."""
    reason = str(error) if isinstance(error, SummaryError) else (error.strerror or type(error).__name__).lower()
    return SourceError(source.removesuffix(SUMMARY_SUFFIX) + ARCHIVE_SUFFIX, 0, 0,
                       f"cannot read the closed month's rows: {reason}",
                       f"restore the file from git (it holds the rows of {month}, compressed with xz)")


def archive_stat(rows: Path) -> tuple[int, int] | None:
    """Return a closed month's xz file's size and mtime_ns, which its cached counts are kept under beside the
    summary's; None when there is none (or it cannot be seen)."""
    try:
        found = rows.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def read_closed(summary: Path, rows: Path, source: str, context: Context, problems: list[SourceError]) -> Rollup:
    """Return a closed month's counts from its summary; from its xz file `rows` when the summary was counted
    with another zone or slowness limit (with a warning when it is damaged); empty, with an error, when
    neither serves. `source` names the summary in messages.

    The counts carry the identity of both files: a cached count stands only while neither changed. Counts
    read with a problem are marked to be read again, so that every build names the problem, cached or not.
    """
    month = summary.name.removesuffix(SUMMARY_SUFFIX)
    found_before = len(problems)
    stat = summary.stat()
    # Taken before either file is read: a change while reading shows as a new identity at the next build.
    rows_stat = archive_stat(rows)
    with summary.open("rb") as file:
        data = file.read(MAX_SUMMARY_BYTES + 1)       # bounded: a larger one is refused unread
    try:
        rollup = summary_rollup(data, stat, month, context)
    except SummaryError as error:
        problems.append(SourceError(source, 1, 1, f"not a summary the probe writes: {error}; the month's "
                                    f"rows are read from {rows.name} instead",
                                    "remove the file: the next probe run writes it again", WARNING))
        rollup = None
    now = clock.time_ns()
    racy = now - stat.st_mtime_ns < RACY_NS or (rows_stat is not None and now - rows_stat[1] < RACY_NS)
    if rollup is not None:
        return replace(rollup, verify=racy, rows_stat=rows_stat)
    warned = len(problems) > found_before        # the summary's warning
    try:
        raw = read_archive(rows)
    except (SummaryError, OSError) as error:
        problems.append(archive_problem(source, month, error))
        return Rollup(stat.st_size, stat.st_mtime_ns, 0, "", 0, 0, False, False, True, None, (),
                      MappingProxyType({}), rows_stat)
    counted = count_file(raw, dict(size=stat.st_size, mtime_ns=stat.st_mtime_ns, verify=racy or warned), month,
                         context)
    return replace(counted, rows_stat=rows_stat)
