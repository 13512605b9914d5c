"""Time pipeline.load() of a notices site with and without the kept checks and git history, and whole rebuilds.

    python bench/bench_load.py                          # 1,000 and 10,000 notices, 5 rounds, in git
    python bench/bench_load.py --sizes 1000 --runs 7 --no-git

The site is make_notices_site.py's (the shared corpus), committed to git ten notices
a commit (so that the notices' history has as many commits as a site that grew a
notice at a time has tenths of), unless --no-git.  Each case runs in a new process
and times `pipeline.load` inside it (imports not counted); the cases, round by round:

| case | what |
| --- | --- |
| load, nothing kept | `load(site, cache=False)`: every notice read and checked, git log run (all cores) |
| load, nothing changed | `load(site)` with the checks kept by the round before |
| load, one notice edited | one notice's body edited (not committed), then `load(site)` |
| load, one commit more | that edit committed, then `load(site)`: the history counts one commit more |
| build, nothing changed | `build.py build` into the same folder (the build cache answers) |
| build, one notice edited | a notice edited, then `build.py build`, whose load is the one above |

It prints the median wall seconds of each, and the reference loop (conditions.py) before and after.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_build import format_table
from conditions import compile_bytecode, reference_loop, settle
from make_notices_site import make_notices_site

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00-03:00"
LOAD = ("import sys, time\nfrom pathlib import Path\nfrom generator.pipeline import load\n"
        "started = time.perf_counter()\nloaded = load(Path(sys.argv[1]), cache=sys.argv[2] == 'kept')\n"
        "took = time.perf_counter() - started\nassert loaded.site is not None, loaded.problems[:3]\nprint(took)\n")


def git(site: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=site,
                   check=True, capture_output=True)


def commit_in_batches(site: Path, batch: int = 10) -> None:
    """Make the site a git repository whose notices came ten a commit."""
    git(site, "init", "-q")
    (site / ".gitignore").write_text(".expediente-cache/\n", encoding="utf-8")
    git(site, "add", ".gitignore", "site_src")
    git(site, "commit", "-qm", "settings")
    names = sorted(path.name for path in (site / "notices").glob("*.md"))
    for start in range(0, len(names), batch):
        git(site, "add", "--", *(f"notices/{name}" for name in names[start:start + batch]))
        git(site, "commit", "-qm", f"notices {start}")


def time_load(site: Path, kept: bool) -> float:
    """Return the seconds pipeline.load took in a new process."""
    done = subprocess.run([sys.executable, "-c", LOAD, str(site), "kept" if kept else "none"], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    return float(done.stdout.split()[-1])


def time_build(site: Path, out: Path) -> float:
    settle(out.parent)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out),
                    "--now", NOW], check=True, capture_output=True)
    return time.perf_counter() - started


def edit_one(site: Path, round_: int) -> None:
    """Change the body of one notice (the middle one), a different text each round."""
    paths = sorted((site / "notices").glob("*.md"))
    path = paths[len(paths) // 2]
    path.write_text(path.read_text(encoding="utf-8") + f"\nAtualizado ({round_}).\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-git", action="store_true", help="leave the site outside git")
    parser.add_argument("--work", type=Path, help="folder for the sites (default: a temporary one)")
    args = parser.parse_args(argv)
    compile_bytecode()
    loop_before = reference_loop()
    rows = [("notices", "case", "median s", "min s", "max s")]
    with tempfile.TemporaryDirectory(prefix="expediente-load-", dir=args.work) as work:
        for size in args.sizes:
            site = make_notices_site(Path(work) / f"site-{size}", size)
            if not args.no_git:
                commit_in_batches(site)
            out = Path(work) / f"out-{size}"
            time_build(site, out)                                  # the kept checks, the output, the templates
            times: dict[str, list[float]] = {case: [] for case in (
                "load, nothing kept", "load, nothing changed", "load, one notice edited", "load, one commit more",
                "build, nothing changed", "build, one notice edited")}
            for round_ in range(args.runs):
                times["load, nothing kept"].append(time_load(site, kept=False))
                times["build, nothing changed"].append(time_build(site, out))
                times["load, nothing changed"].append(time_load(site, kept=True))
                edit_one(site, round_)
                times["load, one notice edited"].append(time_load(site, kept=True))
                if not args.no_git:
                    git(site, "commit", "-qam", f"edit {round_}")
                    times["load, one commit more"].append(time_load(site, kept=True))
                edit_one(site, round_ + 1000)
                times["build, one notice edited"].append(time_build(site, out))
            for case, runs in times.items():
                if runs:
                    rows.append((f"{size:,}", case, f"{statistics.median(runs):.3f}", f"{min(runs):.3f}",
                                 f"{max(runs):.3f}"))
    print(format_table([list(row) for row in rows]))
    print(f"reference loop (conditions.reference_loop): {loop_before:.2f} s before, {reference_loop():.2f} s after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
