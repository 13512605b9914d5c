"""Time the current reader of the probe's files against DuckDB computing the same per-day counts in SQL.

    python bench/bench_uptime_engines.py                      # 20 components x 90 days x 1440 checks, 3 runs
    python bench/bench_uptime_engines.py --components 100 --runs 3

Generates the site of bench/bench_uptime.py (its generator), then measures, each run in
a new Python process:

- reader: `generator.pipeline.read_probe_histories` alone (not make_uptime), with an empty cache,
  with nothing changed, and after 10 new rows per component (as bench_uptime.py does);
- duckdb: one SQL statement over `site_src/uptime/*/*.csv` giving, per component and local day
  (America/Sao_Paulo), checks, successes and successes slower than 500 ms ("counts"), and the
  same with the successes' latency median and 95th percentile ("+ latency"), with 2 threads;
  DuckDB keeps nothing between runs, so the case "after 10 new rows" reads everything again.

Each child reports wall and CPU time of the measured part, and peak resident memory
(`ru_maxrss` of the process, and of its worker processes for the reader). DuckDB's import
time is measured in its own new processes. Then DuckDB's counts are checked against the
reader's for three components, every day of the window. DuckDB is not a dependency of
the project: install it into a private venv to run this (`.venv/bin/pip install duckdb`).
Not a test: nothing is asserted, and the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_uptime import DAYS, NOW, ROOT, append_rows, ensure_site, format_table

SAMPLE = ("c000", "c007", "c013")

READER = """
import json, resource, sys, time
from datetime import datetime
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generator.pipeline import load, read_probe_histories
import generator.read.probe_files, generator.write.probe_cache  # noqa: E401  (a build imports them while it reads notices)
site_dir, now, sample = Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), sys.argv[4].split(",")
site = load(site_dir).site
usage = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
histories, problems = read_probe_histories(site_dir, site, now)
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF)
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime + workers.ru_utime + workers.ru_stime
counts = {c: {d.isoformat(): [k.checks, k.ok, k.degraded] for d, k in histories[c].days.items()}
          for c in sample if c in histories}
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kib": after.ru_maxrss, "worker_peak_kib": workers.ru_maxrss,
                  "rows": sum(k.checks for h in histories.values() for k in h.days.values()),
                  "problems": len(problems), "counts": counts}))
"""

DUCK = """
import json, resource, sys, time
started = time.perf_counter()
import duckdb
imported = time.perf_counter() - started
site_dir, now, latency, sample = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4].split(",")
usage = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")     # it would print to stdout, which carries the figures
extra = (", median(latency_ms) FILTER (ok = 1) AS p50, quantile_cont(latency_ms, 0.95) FILTER (ok = 1) AS p95"
         if latency else "")
# Local days of the status page: 90 days ending with today's date at now, in the site's zone.
rows = con.execute(f'''
    SELECT regexp_extract(filename, '/uptime/([^/]+)/[^/]+[.]csv$', 1) AS component,
           CAST(timezone('America/Sao_Paulo', time) AS DATE) AS day,
           count(*) AS checks, sum(ok) AS ok, count_if(ok = 1 AND latency_ms > 500) AS degraded{extra}
    FROM read_csv('{site_dir}/site_src/uptime/*/*.csv', header = true, filename = true,
                  columns = {{'time': 'TIMESTAMPTZ', 'ok': 'INTEGER', 'latency_ms': 'DOUBLE', 'detail': 'VARCHAR'}})
    WHERE time <= TIMESTAMPTZ '{now}'
      AND CAST(timezone('America/Sao_Paulo', time) AS DATE)
          > CAST(timezone('America/Sao_Paulo', TIMESTAMPTZ '{now}') AS DATE) - 90
    GROUP BY ALL
''').fetchall()
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
counts = {}
for row in rows:
    if row[0] in sample:
        counts.setdefault(row[0], {})[row[1].isoformat()] = [row[2], int(row[3]), row[4]]
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kib": after.ru_maxrss, "worker_peak_kib": 0,
                  "rows": sum(row[2] for row in rows), "import": imported, "groups": len(rows), "counts": counts}))
"""

IMPORT = "import time; started = time.perf_counter(); import duckdb; print(time.perf_counter() - started)"


def child(args: list[str]) -> dict:
    """Run a child Python process; return what it printed as JSON."""
    done = subprocess.run([sys.executable, "-c", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout)


def reader(site: Path) -> dict:
    """Measure the current reader once."""
    return child([READER, str(ROOT), str(site), NOW, ",".join(SAMPLE)])


def duck(site: Path, latency: bool) -> dict:
    """Measure the DuckDB statement once."""
    return child([DUCK, str(site), NOW, "1" if latency else "0", ",".join(SAMPLE)])


def summarise(name: str, runs: list[dict]) -> list[str]:
    """Return one table row for a case."""
    times = [run["seconds"] for run in runs]
    return [name, f"{statistics.median(times):.2f}", f"{min(times):.2f}", f"{max(times):.2f}",
            f"{statistics.median(run['cpu'] for run in runs):.2f}",
            f"{max(run['peak_kib'] for run in runs) / 1024:.0f}",
            f"{max(run['worker_peak_kib'] for run in runs) / 1024:.0f}", f"{runs[-1]['rows']:,}"]


def compare(reference: dict, other: dict) -> tuple[int, list[str]]:
    """Return how many (component, day) counts were compared, and the differences found."""
    compared, differences = 0, []
    for component, days in reference.items():
        theirs = other.get(component, {})
        for day in sorted(set(days) | set(theirs)):
            compared += 1
            if days.get(day) != theirs.get(day):
                differences.append(f"{component} {day}: reader {days.get(day)}, duckdb {theirs.get(day)}")
    return compared, differences


def main(argv: list[str] | None = None) -> int:
    """Generate the site, run the cases, print the table and the check of the counts."""
    parser = argparse.ArgumentParser(description="Time the probe-file reader against DuckDB.")
    parser.add_argument("--components", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the site here and keep it")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="expediente-engines-"))
    site = args.keep or work / "site"
    try:
        ensure_site(site, args.components)
        imports = [float(subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True,
                                        check=True).stdout) for _ in range(5)]
        cache = site / ".expediente-cache"
        cold, counts_only, with_latency = [], [], []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(reader(site))
            counts_only.append(duck(site, latency=False))
            with_latency.append(duck(site, latency=True))
        reader(site)
        time.sleep(2.5)          # let the files age past the cache's two-second "racily clean" window
        reader(site)
        warm = [reader(site) for _ in range(args.runs)]
        appended, duck_appended = [], []
        for _ in range(args.runs):
            append_rows(site, 10)
            appended.append(reader(site))
            duck_appended.append(duck(site, latency=False))
        header = ["case", "median s", "min s", "max s", "median CPU s", "peak MiB", "worker MiB", "rows in days"]
        print(f"{args.components} components x {DAYS} days x 1440 checks, {args.runs} runs per case, "
              f"each in a new process; now = {NOW}")
        print(format_table([header, summarise("reader, empty cache", cold),
                            summarise("reader, nothing changed", warm),
                            summarise("reader, +10 rows each", appended),
                            summarise("duckdb, counts", counts_only),
                            summarise("duckdb, counts + p50/p95", with_latency),
                            summarise("duckdb, counts, +10 rows each", duck_appended)]))
        print(f"duckdb import: median {statistics.median(imports):.3f} s (min {min(imports):.3f}, "
              f"max {max(imports):.3f}) over {len(imports)} processes")
        for name, theirs, ours in (("empty cache", counts_only[-1], cold[-1]),
                                   ("+ latency", with_latency[-1], cold[-1]),
                                   ("after the appends", duck_appended[-1], appended[-1])):
            compared, differences = compare(ours["counts"], theirs["counts"])
            print(f"counts ({name}), {', '.join(SAMPLE)}: {compared} component-days compared, "
                  f"{len(differences)} differ" + "".join(f"\n  {line}" for line in differences[:10]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
