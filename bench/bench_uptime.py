"""Time the uptime part of a build on a large probe history: cold cache, warm cache, and after an append.

    python bench/bench_uptime.py                       # 100 components x 90 days x 1440 checks, 5 runs per case
    python bench/bench_uptime.py --components 20 --runs 3
    python bench/bench_uptime.py --keep /tmp/big       # keep the generated site to look at
    python bench/bench_uptime.py --closed              # the past months closed first, as the probe closes them
    python bench/bench_uptime.py --month-files         # the rows in month files (earlier probes) not day folders

Generates, in a temporary folder, a site whose status page has N components, each
checked once a minute for the 90 days before the build's now (about 13 million rows
for 100 components), then measures, each run in a new Python process, the uptime part
of the build (`pipeline.read_probe_histories` + `make_uptime`, what `make_build` adds for uptime):

The rows are in day folders, `site_src/uptime/<YYYY-MM-DD>/<component>.csv`, as the probe writes
them (`--month-files`: in month files, `<component>/<YYYY-MM>.csv`, as earlier probes did).

- cold: the cache folder removed before the run, so every file is read (by the
  pipeline's processes, one per core or $EXPEDIENTE_JOBS, as a build does; and by one, for comparison);
- warm: nothing changed since the previous run, so only the cache is read;
- append: every component's newest file got 10 more rows since the previous run
  (what the probe does between two builds), so only those rows are parsed (the file
  is still read whole once, to check that its beginning did not change).

With `--closed`, the months that are closed at the build's now are closed before the runs
(untimed), as the probe does it (probe/month_close.py): each becomes an xz file and a summary
of its days, which the build reads instead of the rows; only the current month is counted
from its rows.

Prints the median, fastest and slowest wall time, the median CPU time (user + system,
of the process and of the worker processes that read a cold cache in parallel; steadier
than wall time on a busy machine) and peak resident memory (`ru_maxrss` from
`resource.getrusage` in the child): "before" is the interpreter with the loaded site,
"peak" the whole process, "worker" the largest worker process (0 when none ran; at
most one per core run, and their pages shared with the parent by fork count in each). Not a test: nothing is asserted, and the
figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_build import format_table
from conditions import reference_loop

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00-03:00"
DAYS = 90

SITE = """\
name: Uptime benchmark
base_url: https://status.bench.example/
timezone: America/Sao_Paulo
languages: [en]
"""
HOURS = """\
departments:
  - id: support
    name: {en: Support}
    channels:
      - id: phone
        type: phone
        contact: "+55 13 3500-0000"
        hours:
          mon-fri: 09:00-18:00
"""

# Runs in the child: load the site, then time the uptime part alone.
CHILD = """
import json, resource, sys, time
from datetime import datetime
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generator.pipeline import load, read_probe_histories
import generator.read.probe_files, generator.write.probe_cache  # noqa: E401  (a build imports them while it reads notices)
from generator.schedule.uptime import make_uptime
site_dir, now, jobs = Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), int(sys.argv[4]) or None
loaded = load(site_dir)
site, problems = loaded.site, loaded.problems
usage = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
histories, warnings = read_probe_histories(site_dir, site, now, jobs=jobs)
uptime = make_uptime(site, now, histories)
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF)
workers = resource.getrusage(resource.RUSAGE_CHILDREN)    # the processes that read a cold cache, if any
cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime + workers.ru_utime + workers.ru_stime
rows = sum(day.checks for u in uptime.values() for day in u.days)
print(json.dumps({"seconds": seconds, "cpu": cpu, "before_kib": usage.ru_maxrss, "peak_kib": after.ru_maxrss,
                  "worker_peak_kib": workers.ru_maxrss, "rows": rows, "warnings": len(warnings)}))
"""


def write_site(site: Path, components: int, seed: int = 1, days: bool = True) -> int:
    """Write the site and its probe history (one check a minute) in day folders, as the probe writes it, or
    (days false) in the month files of earlier probes; return the number of rows."""
    src = site / "site_src"
    src.mkdir(parents=True)
    (src / "site.yaml").write_text(SITE, encoding="utf-8")
    (src / "hours.yaml").write_text(HOURS, encoding="utf-8")
    lines = ["components:"]
    for number in range(components):
        lines += [f"  - id: c{number:03d}", f"    name: {{en: Component {number}}}", "    check:",
                  "      type: tcp", f"      host: h{number}.bench.example", "      port: 443",
                  "      timeout: 5s", "      degraded_after: 500ms"]
    (src / "status.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rng = random.Random(seed)
    # A pool of latency texts drawn once keeps generation fast; each row picks from it.
    pool = [f"{rng.lognormvariate(3.5, 0.6):.1f}" for _ in range(20000)]
    end = datetime.fromisoformat(NOW).astimezone(UTC) - timedelta(minutes=60)
    start = end - timedelta(days=DAYS)
    stamps: dict[str, list[str]] = {}
    at = start.replace(second=0)
    while at <= end:
        stamps.setdefault(f"{at:%Y-%m-%d}" if days else f"{at:%Y-%m}", []).append(f"{at:%Y-%m-%dT%H:%M:%S}Z")
        at += timedelta(minutes=1)
    rows = 0
    for number in range(components):
        for month, times in stamps.items():
            latencies = rng.choices(pool, k=len(times))
            failed = set(rng.sample(range(len(times)), k=len(times) // 500))
            body = "".join(f"{t},0,,timed out\n" if i in failed else f"{t},1,{lat},connected\n"
                           for i, (t, lat) in enumerate(zip(times, latencies)))
            path = src / "uptime" / (f"{month}/c{number:03d}.csv" if days else f"c{number:03d}/{month}.csv")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("time,ok,latency_ms,detail\n" + body, encoding="ascii")
            rows += len(times)
    return rows


def newest_files(site: Path) -> list[Path]:
    """Return every component's newest file: of the newest day folder, or its newest month file."""
    folders = sorted((site / "site_src" / "uptime").iterdir())
    days = [folder for folder in folders if folder.name[:2] == "20"]
    if days:
        return sorted(days[-1].glob("*.csv"))
    return [sorted(folder.glob("*.csv"))[-1] for folder in folders]


def append_rows(site: Path, count: int) -> None:
    """Append `count` one-minute rows to every component's newest file, after its last row."""
    for newest in newest_files(site):
        with newest.open("rb") as file:
            file.seek(-100, 2)
            last = datetime.fromisoformat(file.read().splitlines()[-1][:19].decode()).replace(tzinfo=UTC)
        with newest.open("a", encoding="ascii") as file:
            for minute in range(1, count + 1):
                file.write(f"{last + timedelta(minutes=minute):%Y-%m-%dT%H:%M:%S}Z,1,12.5,connected\n")


def run_once(site: Path, now: str, workers: int = 0) -> dict:
    """Measure the uptime part once in a new Python process (workers: 0 lets the build choose)."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(site), now, str(workers)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout)


def close_one(due) -> bool:
    """Close one component's month as the probe does (a worker of close_past_months)."""
    from zoneinfo import ZoneInfo

    sys.path.insert(0, str(ROOT))
    from generator.probe.month_close import close_month
    from generator.write.live_folders import LiveFolders
    (component, month), (month_file, day_files) = due
    uptime = month_file.parent.parent if month_file is not None else day_files[0].parent.parent
    folders = LiveFolders(str(uptime), durable=True, follow_root=True)     # paths below are under it
    try:
        return close_month(folders, component, month, month_file and f"{component}/{month_file.name}",
                           [f"{day.parent.name}/{day.name}" for day in day_files], ZoneInfo("America/Sao_Paulo"),
                           500.0)
    finally:
        folders.close()


def close_past_months(site: Path) -> int:
    """Close every component's month that is closed at NOW, on every core; return how many were closed.

    As probe/month_close.py's close_months, without its limit of seconds per run."""
    from concurrent.futures import ProcessPoolExecutor
    from zoneinfo import ZoneInfo

    sys.path.insert(0, str(ROOT))
    from generator.pipeline import load
    from generator.probe.month_close import due_months
    due = due_months(site / "site_src" / "uptime", load(site).site.components, ZoneInfo("America/Sao_Paulo"),
                     datetime.fromisoformat(NOW))
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        return sum(pool.map(close_one, due.items()))


def ensure_site(site: Path, components: int, days: bool = True) -> None:
    """Generate the site's probe files unless `site` already holds a site (--keep), and say how many."""
    started = time.perf_counter()
    if not (site / "site_src").exists():
        rows = write_site(site, components, days=days)
        size = sum(path.stat().st_size for path in (site / "site_src" / "uptime").rglob("*.csv"))
        print(f"generated {rows:,} rows ({size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s")


def summarise(name: str, runs: list[dict]) -> list[str]:
    """Return one table row for a case."""
    times = [run["seconds"] for run in runs]
    return [name, f"{statistics.median(times):.2f}", f"{min(times):.2f}", f"{max(times):.2f}",
            f"{statistics.median(run['cpu'] for run in runs):.2f}",
            f"{max(run['before_kib'] for run in runs) / 1024:.0f}",
            f"{max(run['peak_kib'] for run in runs) / 1024:.0f}",
            f"{max(run['worker_peak_kib'] for run in runs) / 1024:.0f}",
            f"{runs[0]['rows']:,}"]


def main(argv: list[str] | None = None) -> int:
    """Generate the site, run the cases, print the table."""
    parser = argparse.ArgumentParser(description="Time the uptime part of a build on a large probe history.")
    parser.add_argument("--components", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="generate the site here and keep it")
    parser.add_argument("--closed", action="store_true", help="close the past months first, as the probe does")
    parser.add_argument("--month-files", action="store_true",
                        help="the rows in month files, as earlier probes wrote them, not in day folders")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="expediente-uptime-"))
    site = args.keep or work / "site"
    try:
        ensure_site(site, args.components, days=not args.month_files)
        if args.closed:
            started = time.perf_counter()
            count = close_past_months(site)
            print(f"closed {count} months in {time.perf_counter() - started:.0f} s; "
                  f"{sum(p.stat().st_size for p in (site / 'site_src' / 'uptime').rglob('*.*')) / 2**20:.0f} MiB left")
        cache = site / ".expediente-cache"
        loop_before = reference_loop()
        cold, serial = [], []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            serial.append(run_once(site, NOW, workers=1))
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(run_once(site, NOW))
        run_once(site, NOW)
        time.sleep(2.5)          # let the files age past the cache's two-second "racily clean" window
        run_once(site, NOW)
        warm = [run_once(site, NOW) for _ in range(args.runs)]
        appended = []
        for _ in range(args.runs):
            append_rows(site, 10)      # the history ends an hour before now: these rows count in the bars
            appended.append(run_once(site, NOW))
        header = ["case", "median s", "min s", "max s", "median CPU s", "before MiB", "peak MiB", "worker MiB",
                  "rows in bars"]
        print(f"{args.components} components x {DAYS} days x 1440 checks in "
              f"{'month files' if args.month_files else 'day folders'}{', closed' if args.closed else ''}, "
              f"{args.runs} runs per case, "
              f"each in a new process; now = {NOW}")
        print(format_table([header, summarise("cold, 1 process", serial), summarise("cold (empty cache)", cold),
                            summarise("warm (unchanged)", warm),
                            summarise("append (+10 rows each)", appended)]))
        print(f"reference loop (conditions.reference_loop): {loop_before:.2f} s before, {reference_loop():.2f} s after; "
              f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
