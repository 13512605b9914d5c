"""Counting the rows of the probe's month files per local day: the row format, and the fast and careful counters.

The files are `site_src/uptime/<YYYY-MM-DD>/<component>.csv` (UTC days, as the probe writes
them) and `site_src/uptime/<component>/<YYYY-MM>.csv` (UTC months, as earlier probes did), header
`time,ok,latency_ms,detail`, one check per line: `2026-11-23T13:00:05Z,1,48.2,HTTP 200`:

- time: UTC, ISO 8601 with `Z` and whole seconds (any ISO 8601 time with an offset is
  read too, on the careful path, and converted to UTC);
- ok: `1` or `0`; a success slower than `degraded_after` is still `1`;
- latency_ms: milliseconds (the probe writes one decimal); empty when nothing answered;
- detail: short text, CSV-quoted when it holds a comma or a quote; never a line break.

The probe (probe/csv_file.py) appends them in time order. Everything here works on bytes
already read (read/probe_files.py opens the files): rows that are well formed and sorted are
counted by regular expressions and binary search, without Python code per row; any other
file goes through the csv module, which names each malformed row.
"""

from __future__ import annotations

import csv
import operator
import re
from array import array
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice, repeat
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from generator.model import DayCounts

HEADER = b"time,ok,latency_ms,detail"
TIME = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
# Starts at the line break before a row, so that one match is one row; captures `ok,latency`.
ROW = re.compile(rb"\n" + TIME + rb",([01],[^,\n]*),")
# ASCII digits only (`\d` of a str takes any script's, which float() reads and the fast reader's bytes do not), and
# at most 10 before the point (115 days of milliseconds): float() reads 400 digits as inf, which no bin holds.
LATENCY = re.compile(r"\d{1,10}(?:\.\d{1,9})?", re.ASCII)
TIME_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", re.ASCII)
# The csv module reads no field longer than this (131,072 characters): such a row is malformed, wherever it is.
FIELD_LIMIT = csv.field_size_limit()
LONG_FIELD = (f"a field is longer than the {FIELD_LIMIT:,} characters a row may hold",
              "the probe writes details of at most 200 characters: shorten it")
SHOWN = 40        # characters of a malformed field that a message quotes
FAILED, NO_LATENCY = -1, -2
LATENCY_BIN_LIMIT = 2**32 - 1   # tenths of a millisecond: bins are stored as unsigned 32-bit integers
# `ok,latency` text -> its histogram bin (FAILED, NO_LATENCY), and per slowness limit -> 1 when slower:
# a bounded cache of pure functions, shared by the components a process reads (rows repeat a few
# thousand texts), emptied when it grows past MAX_TEXTS.
TEXTS: dict = {}
MAX_TEXTS = 1 << 18


@dataclass(frozen=True, slots=True)
class Part:
    """The counts of some complete lines of a file, and what was noticed reading them."""

    days: dict[date, DayCounts]
    plain: bool
    first: bytes
    last: tuple[str, str, str, str] | None
    warnings: tuple[tuple[int, str, str | None], ...]


class RowError(ValueError):
    """A line that the csv module cannot read: `problem` is (message, hint), as check_row gives them."""

    def __init__(self, problem: tuple[str, str | None]):
        super().__init__(problem[0])
        self.problem = problem


def latency_bin(ms: float) -> int:
    """Return a latency's histogram bin in tenths of a millisecond: 0.1 ms below 100 ms, else 3 figures."""
    tenths = ms * 10
    if tenths < 1000:
        return int(tenths + 0.5)
    if not tenths < LATENCY_BIN_LIMIT:
        return LATENCY_BIN_LIMIT         # the last bin holds any longer one (and int() of inf would raise)
    step = 10 ** (len(str(int(ms))) - 3)            # in ms: 1 below 1 s, 10 below 10 s, ...
    return min(int(ms / step + 0.5) * step * 10, LATENCY_BIN_LIMIT)


def merge_counts(parts: Sequence[DayCounts]) -> DayCounts:
    """Return the sum of partial counts of the same day (say, from two month files)."""
    if len(parts) == 1:
        return parts[0]
    # map() and zip() keep the per-bin work in C: warm builds merge hundreds of these.
    tables = [dict(zip(part.bins, part.counts)) for part in parts]
    keys = sorted(set().union(*tables))
    totals = map(sum, zip(*(map(table.get, keys, repeat(0)) for table in tables)))
    return DayCounts(sum(p.checks for p in parts), sum(p.ok for p in parts), sum(p.degraded for p in parts),
                     array("I", keys), array("I", totals))


class Context:
    """What counting one component's rows needs: its zone, the bounds of its local days and its slowness limit."""

    def __init__(self, zone: ZoneInfo, bounds: Mapping[date, object], slow_ms: float | None):
        self.zone = zone
        self.bounds = bounds          # date -> its LocalDay (start and end in UTC), from schedule.uptime
        self.slow_ms = slow_ms
        if sum(map(len, TEXTS.values())) > MAX_TEXTS:
            TEXTS.clear()
        self.keys: dict[bytes, int] = TEXTS.setdefault("keys", {})
        self.slow: dict[bytes, int] = TEXTS.setdefault(("slow", slow_ms), {})


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
    edges = [stamp(context.bounds[day].start) for day in days] + [stamp(context.bounds[last_day].end)]
    counts = count_segments(data, start, end, edges, context)
    if counts is None:
        return None
    return {day: found for day, found in zip(days, counts) if found.checks}


def in_order(data: bytes, start: int, end: int) -> bool:
    """Tell whether the lines data[start:end] are sorted, which rows starting with their time are when in time order."""
    rows = data[start:end - 1].split(b"\n")
    return all(map(operator.le, rows, islice(rows, 1, None)))


def split_row(line: str) -> list[str]:
    """Return the fields of one CSV line; RowError when the csv module cannot read it (a field over its limit,
    a carriage return inside the line)."""
    try:
        return next(csv.reader([line]), [])
    except csv.Error as error:
        if "field larger" in str(error):
            raise RowError(LONG_FIELD) from None
        raise RowError(("a carriage return inside the row, which the csv module does not read",
                        "the probe writes each row on one line: remove the carriage return")) from None


def shown(field: str) -> str:
    """Return a field as a message quotes it: its first SHOWN characters, and '…' for the rest."""
    return field if len(field) <= SHOWN else field[:SHOWN] + "…"


def long_line(data: bytes, start: int, end: int) -> bool:
    """Tell whether a line of data[start:end] is longer than a field may be (in bytes, which bound its characters)."""
    # Only text longer than the limit can hold such a line; split() and len() keep the work in C.
    return end - start > FIELD_LIMIT and max(map(len, data[start:end].split(b"\n"))) > FIELD_LIMIT


def check_row(fields: list[str], month: str) -> tuple[str, str | None] | None:
    """Return why a row is malformed and how to fix it , or None when well formed."""
    if any(len(field) > FIELD_LIMIT for field in fields):
        return LONG_FIELD
    if len(fields) != 4:
        return (f"expected 4 fields (time,ok,latency_ms,detail), found {len(fields)}",
                'quote a detail that holds a comma: "refused, retrying"' if len(fields) > 4 else None)
    when = read_time(fields[0])
    if when is None:
        return f"'{shown(fields[0])}' is not a UTC time", "write it like 2026-11-23T13:00:05Z"
    # `month` names the file's span: a UTC month (2026-11) or, of a day folder's file, a UTC day (2026-11-23).
    if len(month) == 10 and f"{when:%Y-%m-%d}" != month:
        return f"{fields[0]} does not belong in the file of {month}", f"move the row to the folder {when:%Y-%m-%d}"
    if f"{when:%Y-%m}" != month[:7]:
        return f"{fields[0]} does not belong in the file of {month}", f"move the row to {when:%Y-%m}.csv"
    if fields[1] not in ("0", "1"):
        return f"'{shown(fields[1])}' is not 1 or 0", "1 when the check succeeded, 0 when it failed"
    if fields[2] and not LATENCY.fullmatch(fields[2]):
        return (f"'{shown(fields[2])}' is not a latency in milliseconds",
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
    """Read the lines data[start:end] of a month's file one by one: good rows sorted by time, a warning per other.

    A row never spans lines (the probe writes details on one), so each line is parsed by itself: a quote
    left open ends with its line, as on the fast path, instead of swallowing the rows after it.
    """
    lines = data[start:end].decode("utf-8", "replace").split("\n")
    if lines and not lines[-1]:
        lines.pop()                 # the line break that ends the last line
    good, warnings = [], []
    for number, text in enumerate(lines, first_line):
        text = text.rstrip("\r")
        if not text:
            continue                # an empty line is no row, and no mistake
        try:
            fields = split_row(text) if '"' in text else text.split(",")
        except RowError as error:
            warnings.append((number, *error.problem))
            continue
        problem = check_row(fields, month)
        if problem is not None:
            warnings.append((number, problem[0], problem[1]))
        else:
            when = read_time(fields[0])
            good.append((f"{when:%Y-%m-%dT%H:%M:%S}Z", fields[1], fields[2], fields[3]))
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
    # Rows of other months or days (or nonsense years) would stretch the days to count: the slow path names them.
    span = len(month)
    # So would a line longer than the csv module reads: the slow path names its row.
    days = count_days(rows, low, high, context) \
        if rows[low:low + span] == rows[line:line + span] == month.encode() and not long_line(rows, low, high) \
        else None
    if days is not None:
        try:
            last = split_row(rows[line:high].decode("utf-8", "replace").rstrip("\r\n"))
        except RowError:
            days = None         # a carriage return inside the last row: the slow path names it
        else:
            return Part(days, ordered, rows[low:low + 20], tuple(last), ())
    # The slow path: some row is malformed.
    good, warnings = clean_rows(data, start, end, first_line, month)
    if not good:
        return Part({}, False, b"", None, tuple(warnings))
    clean = canonical(good)
    days = count_days(clean, 1, len(clean), context)
    return Part(days or {}, False, good[0][0].encode(), good[-1], tuple(warnings))
