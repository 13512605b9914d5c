"""Measure how much a git repository grows per component per year from the probe's day folders.

    python bench/bench_history_growth.py                    # 1- and 5-minute checks, 2 components, 3-day windows
    python bench/bench_history_growth.py --components 4 --days 2 --commit-every 15

Simulates, in a real git repository in a temporary folder, a scheduled probe: the real
appender (probe/csv_file.py) writes the rows of every check to its day folder,
`site_src/uptime/<YYYY-MM-DD>/<component>.csv` (`--month-files`: to the month files of earlier
probes, `site_src/uptime/<component>/<YYYY-MM>.csv`), and every `--commit-every` minutes of
simulated time the rows are committed. Each changed file's blob is stored whole in
each commit (loose objects are zlib-compressed whole files), so with month files a loose commit costs more
the later in the month it is made; the bench therefore simulates two windows of
`--days` days, one at the start of a 30-day month (days 1-3) and one at its end (days
28-30, after the month's earlier rows were committed once and packed), and measures,
for each, the growth of `.git/objects` (`git count-objects -v`):

- loose: after the commits, no gc (auto gc off): the objects' bytes, and their disk use by count-objects;
- gc: after `git gc --prune=now` (what auto gc or a hosting server does in time);
- aggressive: after `git gc --aggressive --prune=now`.

The year per component is the mean of the two windows' daily growth x 365 (the loose
growth per day rises linearly through a month, so the mean of its two ends is its mean).

Then the alternative of issue 16: at month close the month's raw rows are replaced by one
compressed file (gzip -9 or xz -9 of the CSV) plus per-day counts and failure intervals,
committed once; the current month's rows stay out of git. Measured as the growth of a
repository from one such commit x 12 (and, for reference, the raw month file committed
once). Not a test: nothing is asserted; the figures depend on git's version and settings.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import lzma
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_uptime import format_table

from generator.model import ProbeResult
from generator.probe import csv_file
from generator.probe.csv_file import append_rows, format_row
from generator.probe.month_close import close_month
from generator.write.live_folders import LiveFolders

MONTH = datetime(2026, 11, 1, tzinfo=UTC)        # November: 30 days
MONTH_DAYS = 30
FAILURE_RATE = 1 / 500


class Checks:
    """A reproducible stream of one component's check results: HTTP answers with log-normal latencies."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def result(self, at: datetime) -> ProbeResult:
        """Return the result of the check started on the minute `at` (a few seconds late, as a runner is)."""
        when = at + timedelta(seconds=self.rng.choice((0, 0, 1, 1, 2, 3)))
        if self.rng.random() < FAILURE_RATE:
            return ProbeResult(when, False, None, "connection failed (TimeoutError)")
        return ProbeResult(when, True, round(self.rng.lognormvariate(3.5, 0.6), 1), "HTTP 200")


def git(repo: Path, *args: str) -> str:
    """Run git in `repo`; return its output."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def object_sizes(repo: Path) -> dict[str, int]:
    """Return the bytes of the repository's objects: loose (file sizes, and disk use by count-objects), packed.

    count-objects counts disk blocks (4 KiB for the smallest loose object); the file sizes are what a
    copy would carry. Packed is the size of the pack and index files.
    """
    fields = dict(line.split(": ") for line in git(repo, "count-objects", "-v").splitlines())
    objects = repo / ".git" / "objects"
    loose = sum(p.stat().st_size for p in objects.glob("[0-9a-f][0-9a-f]/*"))
    packed = sum(p.stat().st_size for p in (objects / "pack").glob("*.*") if p.suffix in (".pack", ".idx"))
    return {"loose": loose, "disk": int(fields["size"]) * 1024, "packed": packed}


def new_repo(path: Path) -> Path:
    """Create an empty repository with auto gc off, so that the loose growth is measured whole."""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    for key, value in (("user.name", "probe"), ("user.email", "probe@bench.example"), ("gc.auto", "0"),
                       ("commit.gpgsign", "false")):
        git(path, "config", key, value)
    return path


def commit(repo: Path, message: str) -> None:
    """Commit everything in the work tree (the probe's files, their .gitignore)."""
    git(repo, "add", "-A", ".")
    git(repo, "commit", "-q", "--no-verify", "-m", message)


def checks_between(streams: dict[str, Checks], start: datetime, end: datetime, every: int) -> list:
    """Return (component, result) for every check started in [start, end), every `every` minutes."""
    rows = []
    at = start
    while at < end:
        rows += [(component, stream.result(at)) for component, stream in streams.items()]
        at += timedelta(minutes=every)
    return rows


def window(work: Path, every: int, components: int, first_day: int, days: int, commit_every: int) -> dict:
    """Simulate `days` days from day `first_day` of the month; return the growth in bytes per stage."""
    repo = new_repo(work / f"every{every}-day{first_day}")
    streams = {f"c{n:03d}": Checks(seed=every * 1000 + n) for n in range(components)}
    start = MONTH + timedelta(days=first_day - 1)
    # The month so far, committed once and packed: the window's blobs then have their month's rows before them.
    append_rows(repo, checks_between(streams, MONTH, start, every))
    (repo / "README").write_text("probe history\n")
    git(repo, "add", "README")
    commit(repo, "history so far")
    git(repo, "gc", "-q", "--aggressive", "--prune=now")
    base = object_sizes(repo)
    started = time.perf_counter()
    at, end, commits = start, start + timedelta(days=days), 0
    while at < end:
        step = at + timedelta(minutes=commit_every)
        append_rows(repo, checks_between(streams, at, step, every))
        commit(repo, f"probe {at:%Y-%m-%d %H:%M}")
        at, commits = step, commits + 1
    seconds = time.perf_counter() - started
    loose = object_sizes(repo)
    git(repo, "gc", "-q", "--prune=now")
    plain = object_sizes(repo)
    git(repo, "gc", "-q", "--aggressive", "--prune=now")
    aggressive = object_sizes(repo)
    raw = sum(p.stat().st_size for p in (repo / "site_src" / "uptime").rglob("*.csv"))
    shutil.rmtree(repo)
    per_day = components * days
    return {"loose": (loose["loose"] + loose["packed"] - base["packed"]) / per_day,
            "disk": (loose["disk"] + loose["packed"] - base["packed"]) / per_day,
            "gc": (plain["loose"] + plain["packed"] - base["packed"]) / per_day,
            "aggressive": (aggressive["loose"] + aggressive["packed"] - base["packed"]) / per_day,
            "commits": commits, "seconds": seconds, "raw_month_end": raw / components}


def month_rows(every: int, seed: int) -> list[ProbeResult]:
    """Return one component's checks of the whole month."""
    stream = Checks(seed)
    return [result for _, result in checks_between({"c": stream}, MONTH, MONTH + timedelta(days=MONTH_DAYS), every)]


def day_counts(rows: list[ProbeResult]) -> bytes:
    """Return the per-day counts file: date, checks, successes, latency median and 95th percentile."""
    days: dict = {}
    for row in rows:
        days.setdefault(row.time.date(), []).append(row)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "checks", "ok", "latency_p50", "latency_p95"])
    for day, found in sorted(days.items()):
        latencies = sorted(r.latency_ms for r in found if r.ok)
        writer.writerow([day.isoformat(), len(found), len(latencies),
                         latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]])
    return out.getvalue().encode()


def failure_intervals(rows: list[ProbeResult]) -> bytes:
    """Return the failure intervals file: first and last failed check of each run of failures, and its detail."""
    lines, run = ["first,last,checks,detail"], []
    for row in rows + [None]:
        if row is not None and not row.ok:
            run.append(row)
            continue
        if run:
            lines.append(f"{run[0].time:%Y-%m-%dT%H:%M:%SZ},{run[-1].time:%Y-%m-%dT%H:%M:%SZ},{len(run)},{run[0].detail}")
            run = []
    return ("\n".join(lines) + "\n").encode()


def committed_once(work: Path, name: str, files: dict[str, bytes]) -> dict:
    """Commit `files` once into a repository holding only a README; return its growth, loose and packed."""
    repo = new_repo(work / name)
    (repo / "README").write_text("probe history\n")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "gc", "-q", "--aggressive", "--prune=now")
    base = object_sizes(repo)
    folder = repo / "site_src" / "uptime" / "c000"
    folder.mkdir(parents=True)
    for file_name, data in files.items():
        (folder / file_name).write_bytes(data)
    commit(repo, "close the month")
    loose = object_sizes(repo)
    git(repo, "gc", "-q", "--aggressive", "--prune=now")
    packed = object_sizes(repo)
    shutil.rmtree(repo)
    return {"files": sum(map(len, files.values())),
            "loose": loose["loose"] + loose["packed"] - base["packed"],
            "disk": loose["disk"] + loose["packed"] - base["packed"],
            "aggressive": packed["loose"] + packed["packed"] - base["packed"]}


def month_close(work: Path, every: int) -> list[list[str]]:
    """Return table rows for the month-close alternatives at checks every `every` minutes (per component per year)."""
    rows = month_rows(every, seed=every)
    raw = (open_header() + "".join(map(format_row, rows))).encode()
    counts, failures = day_counts(rows), failure_intervals(rows)
    cases = {
        "raw CSV, committed once": {"2026-11.csv": raw},
        "gzip -9 + counts + failures": {"2026-11.csv.gz": gzip.compress(raw, 9, mtime=0),
                                        "2026-11.days.csv": counts, "2026-11.failures.csv": failures},
        "xz -9e + counts + failures": {"2026-11.csv.xz": lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME),
                                       "2026-11.days.csv": counts, "2026-11.failures.csv": failures},
        "counts + failures only": {"2026-11.days.csv": counts, "2026-11.failures.csv": failures},
        "the probe's close: xz -6 + .days.json": probe_close(work / f"probe-close-{every}", raw),
    }
    table = []
    for name, files in cases.items():
        grown = committed_once(work, f"close{every}-{len(table)}", files)
        table.append([f"{every}-min: {name}", mib(grown["files"] * 12), mib(grown["loose"] * 12),
                      mib(grown["disk"] * 12), mib(grown["aggressive"] * 12)])
    return table


def probe_close(folder: Path, raw: bytes) -> dict[str, bytes]:
    """Return the files the probe's month close (probe/month_close.py) makes of a month file, by name."""
    folder.mkdir(parents=True)
    (folder / "2026-11.csv").write_bytes(raw)
    folders = LiveFolders(str(folder.parent), durable=True, follow_root=True)
    try:
        assert close_month(folders, folder.name, "2026-11", f"{folder.name}/2026-11.csv", [],
                           ZoneInfo("America/Sao_Paulo"), 500.0)
    finally:
        folders.close()
    files = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
    shutil.rmtree(folder)
    return files


def open_header() -> str:
    """Return the month file's header line."""
    return "time,ok,latency_ms,detail\n"


def mib(size: float) -> str:
    """Return bytes as MiB with two decimals."""
    return f"{size / 2**20:,.2f}"


def main(argv: list[str] | None = None) -> int:
    """Run the windows and the month-close cases; print the tables."""
    parser = argparse.ArgumentParser(description="Measure the git growth of the probe's history.")
    parser.add_argument("--components", type=int, default=2)
    parser.add_argument("--days", type=int, default=3, help="simulated days per window")
    parser.add_argument("--commit-every", type=int, default=15, help="minutes of simulated time between commits")
    parser.add_argument("--every", type=int, nargs="+", default=[1, 5], help="minutes between checks")
    parser.add_argument("--month-files", action="store_true",
                        help="the layout of earlier probes, for reference: one file per component and UTC month")
    parser.add_argument("--day-files", action="store_true",
                        help="an experiment, not the probe's layout: one file per component and UTC day, "
                             "<component>/<YYYY-MM-DD>.csv")
    args = parser.parse_args(argv)
    if args.month_files:
        # The real appender, told to name a file per month: every commit rewrites the month's file.
        csv_file.day_path = lambda site_dir, component, when: (
            csv_file.uptime_dir(site_dir) / component / f"{when.astimezone(UTC):%Y-%m}.csv")
    if args.day_files:
        # Paths then end with the day, not the component, which git's delta search groups by.
        csv_file.day_path = lambda site_dir, component, when: (
            csv_file.uptime_dir(site_dir) / component / f"{when.astimezone(UTC):%Y-%m-%d}.csv")
    work = Path(tempfile.mkdtemp(prefix="expediente-growth-"))
    try:
        print(f"git {git(work, '--version').split()[-1]}; {args.components} components; windows of {args.days} "
              f"days at days 1 and {MONTH_DAYS - args.days + 1} of a {MONTH_DAYS}-day month; "
              f"a commit every {args.commit_every} min")
        table = [["checks, window", "commits", "raw MiB/mo", "loose MiB/day", "loose disk MiB/day", "gc MiB/day", "aggr. MiB/day"]]
        years = [["checks", "raw CSV MiB/yr", "loose MiB/yr", "loose disk MiB/yr", "gc MiB/yr", "aggressive MiB/yr"]]
        for every in args.every:
            measured = []
            for first in (1, MONTH_DAYS - args.days + 1):
                found = window(work, every, args.components, first, args.days, args.commit_every)
                measured.append(found)
                table.append([f"{every}-min, days {first}-{first + args.days - 1}", str(found["commits"]),
                              mib(found["raw_month_end"]), mib(found["loose"]), mib(found["disk"]), mib(found["gc"]),
                              mib(found["aggressive"])])
            raw_year = measured[-1]["raw_month_end"] * 12     # the end window's file holds the whole month
            years.append([f"{every}-min", mib(raw_year),
                          *(mib(sum(m[stage] for m in measured) / 2 * 365) for stage in ("loose", "disk", "gc", "aggressive"))])
        print("\nPer component, growth of .git/objects per simulated day:\n" + format_table(table))
        print("\nPer component per year (mean of the two windows x 365):\n" + format_table(years))
        close = [["month close, per component per year", "files MiB/yr", "loose MiB/yr", "loose disk MiB/yr",
                  "aggressive MiB/yr"]]
        for every in args.every:
            close += month_close(work, every)
        print("\nAt month close, one commit a month (x 12):\n" + format_table(close))
        # A year of the probe as it works now: the month file committed every --commit-every minutes
        # (its history stays in git after the month closes), plus each closed month's two files.
        closing = {row[0].split(":")[0]: float(row[4].replace(",", "")) for row in close[1:] if "probe's close" in row[0]}
        for row in years[1:]:
            gc, aggressive = (float(cell.replace(",", "")) for cell in row[4:6])
            extra = closing[row[0]]
            print(f"{row[0]} checks, 100 components, a year: {(gc + extra) * 100 / 1024:.2f} GiB after git gc, "
                  f"{(aggressive + extra) * 100 / 1024:.2f} GiB after git gc --aggressive "
                  f"(per component {gc + extra:.2f} and {aggressive + extra:.2f} MiB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
