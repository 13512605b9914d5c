"""Time full builds of the example site and of a large generated one, each in a fresh process.

    python bench/bench_build.py                  # 5 runs per case, 50 departments x 5 channels
    python bench/bench_build.py --runs 10 --departments 200 --channels 8

Prints, per case, the median, fastest and slowest wall time of `build.py build` and the
peak resident memory of the build process, as a small table. Not a test: nothing is
asserted, and the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from conditions import compile_bytecode, settle
from make_large_site import make_large_site

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00-03:00"


@dataclass(frozen=True, slots=True)
class Run:
    """One build: wall time in seconds, peak resident memory in KiB, and the files it wrote."""

    seconds: float
    max_rss_kib: int
    files: int
    bytes: int


def build_once(site: Path, out: Path) -> Run:
    """Build `site` into `out` in a new Python process and measure it; raise if the build fails."""
    command = [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out), "--now", NOW]
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    settle()
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be the largest of all children so far.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"building {site} failed ({process.returncode}):\n"
                               + log.read().decode("utf-8", "replace"))
    files = [path for path in out.rglob("*") if path.is_file()]
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    max_rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return Run(seconds, max_rss, len(files), sum(path.stat().st_size for path in files))


def bench(site: Path, runs: int, work: Path) -> list[Run]:
    """Build `site` `runs` times, each into a new output folder."""
    return [build_once(site, work / f"out-{site.name}-{number}") for number in range(runs)]


def format_table(rows: list[list[str]]) -> str:
    """Return rows as a plain-text table, the first row as its header; numbers aligned right."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) if column == 0 else cell.rjust(width)
                 for column, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def summarise(name: str, runs: list[Run]) -> list[str]:
    """Return one table row for a case."""
    times = [run.seconds for run in runs]
    return [
        name,
        str(len(runs)),
        f"{statistics.median(times):.3f}",
        f"{min(times):.3f}",
        f"{max(times):.3f}",
        f"{max(run.max_rss_kib for run in runs) / 1024:.1f}",
        str(runs[-1].files),
        f"{runs[-1].bytes / 1024:.0f}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run both cases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="builds per case (default 5)")
    parser.add_argument("--departments", type=int, default=50, help="departments of the large site (default 50)")
    parser.add_argument("--channels", type=int, default=5, help="channels per department (default 5)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="expediente-bench-") as temp:
        work = Path(temp)
        large = make_large_site(work / "large", args.departments, args.channels)
        cases = [("example", ROOT), (f"large ({args.departments}x{args.channels})", large)]
        rows = [["case", "runs", "median s", "min s", "max s", "peak RSS MiB", "files", "output KiB"]]
        for name, site in cases:
            print(f"building {name} {args.runs} times ...", file=sys.stderr, flush=True)
            rows.append(summarise(name, bench(site, args.runs, work)))
    print(f"Python {sys.version.split()[0]}, --now {NOW}, each build in a new process")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
