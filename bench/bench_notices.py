"""Builds of sites with many notices: full, nothing changed, and one notice changed.

    python bench/bench_notices.py                   # 1,000 and 10,000 notices, 3 runs each
    python bench/bench_notices.py --sizes 1000 --runs 5
    python bench/bench_notices.py --sizes 1000 --runs 7 --against /tmp/old-checkout
    python bench/bench_notices.py --sizes 1000 --runs 12 --against /tmp/no-gc /tmp/no-exit

Each build runs `build.py` in a new process with a fixed --now. "full" ignores the
cache (--no-cache) into a fresh folder, after one untimed build that compiles the
site's templates; "no change" rebuilds into the same folder with nothing changed;
"one notice" edits one notice's body, then rebuilds.  The full builds come first:
see the comment in main() on deleted files. Prints
median wall and CPU seconds and peak memory per case, and the time of a fixed Python
loop before and after (conditions.reference_loop: how busy the machine was). Not a
test: the figures depend on the machine and on what else it is doing.

With --against, full builds by other checkouts of the generator (an older commit,
say: `git worktree add /tmp/old-checkout <commit>`, or copies with one speed trick
removed) alternate with this one's on the same site, the order turned every round; every
round is printed, then for each other checkout the median of the per-round ratios
(this / other): on a machine whose speed drifts from one minute to the next, that
ratio is steadier than either time.  With --fresh-clone, each of those full builds is what a
fresh clone's first build does: the site's .expediente-cache is removed before it and the build
keeps its caches (no --no-cache); the user's cache ($XDG_CACHE_HOME: the key, the default
theme's compiled templates) stays warm unless --empty-user-cache gives every build an empty one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_build import format_table
from conditions import compile_bytecode, prepare_checkout, reference_loop, settle
from make_notices_site import make_notices_site

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00-03:00"


def timed(command: list[str], outputs: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Run a command (in `env`, or this environment); return wall seconds, CPU seconds (user + system, the
    children it waited for included) and peak memory in MiB of its largest process.

    Old outputs that earlier builds still remove in the background (in `outputs`) are waited for.
    """
    settle(outputs)
    # Its messages go to a file, not a pipe: a pipe nobody reads while it runs fills up and stalls it.
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                   env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            raise SystemExit(f"build failed: {' '.join(command)}\n{log.read().decode('utf-8', 'replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def build(site: Path, out: Path, *extra: str, root: Path = ROOT,
          env: dict[str, str] | None = None) -> tuple[float, float, int]:
    return timed([sys.executable, str(root / "build.py"), "--site", str(site), "--out", str(out), "--now", NOW,
                  *extra], out.parent, env)


def compare(site: Path, work: Path, others: list[Path], runs: int, fresh_clone: bool = False,
            empty_user_cache: bool = False) -> list[tuple[str, ...]]:
    """Alternate full builds of `site` by this checkout's generator and each of `others`; return table rows.

    Every round builds once with each, in an order turned by one place every round, so that a
    machine that slows down or speeds up within a round favours none of them.
    """
    names = ["this", *(str(other) for other in others)]
    roots = {"this": ROOT, **{str(other): other for other in others}}
    for name, other in zip(names[1:], others):
        prepare_checkout(other)
        build(site, work / f"warm-{names.index(name)}", "--no-cache", root=other)  # its compiled templates
    if fresh_clone:
        build(site, work / "warm-this", "--no-cache")   # this checkout's store of the default theme, if it has one
    times: dict[str, list[tuple[float, float, int]]] = {name: [] for name in names}
    for round_ in range(runs):
        turn = round_ % len(names)
        for name in names[turn:] + names[:turn]:
            env = None
            if empty_user_cache:
                env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="user-cache-", dir=work)}
            if fresh_clone:
                shutil.rmtree(site / ".expediente-cache", ignore_errors=True)
            times[name].append(build(site, work / f"run-{names.index(name)}-{round_}",
                                     *(() if fresh_clone else ("--no-cache",)), root=roots[name], env=env))
        print(f"round {round_ + 1}: " + ", ".join(f"{name} {times[name][-1][0]:.2f} s ({times[name][-1][1]:.2f} s CPU)"
                                                 for name in names), flush=True)
    rows = [(name if name != "this" else "this checkout", "full",
             f"{statistics.median(r[0] for r in times[name]):.2f}",
             f"{statistics.median(r[1] for r in times[name]):.2f}", str(max(r[2] for r in times[name])))
            for name in names]
    for name in names[1:]:
        # Each round's own ratio: the drift of the machine between rounds cancels out.
        ratios = [mine[0] / theirs[0] for mine, theirs in zip(times["this"], times[name])]
        cpu = [mine[1] / theirs[1] for mine, theirs in zip(times["this"], times[name])]
        rows.append((f"this / {name}", "per-round ratio", f"{statistics.median(ratios):.3f}",
                     f"{statistics.median(cpu):.3f}", ""))
    return rows


def edit_one(site: Path, round_: int) -> None:
    """Change the body of one notice, a different text each round."""
    path = sorted((site / "notices").glob("*.md"))[len(list((site / "notices").glob("*.md"))) // 2]
    path.write_text(path.read_text(encoding="utf-8") + f"\nAtualizado ({round_}).\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", type=Path, nargs="+", default=[],
                        help="other checkouts of the generator: alternate full builds with this one's")
    parser.add_argument("--fresh-clone", action="store_true",
                        help="with --against: remove the site's .expediente-cache before each full build")
    parser.add_argument("--empty-user-cache", action="store_true",
                        help="with --against: give each full build an empty XDG_CACHE_HOME")
    args = parser.parse_args(argv)
    rows = [("notices", "case", "median wall s", "median CPU s", "peak MiB")]
    compile_bytecode()
    loop_before = reference_loop()
    with tempfile.TemporaryDirectory(prefix="expediente-notices-") as work:
        for size in args.sizes:
            site = make_notices_site(Path(work) / f"site-{size}", size)
            if args.against:
                rows += compare(site, Path(work), [other.resolve() for other in args.against], args.runs,
                                args.fresh_clone, args.empty_user_cache)
                continue
            results: dict[str, list[tuple[float, float, int]]] = {"full": [], "no change": [], "one notice": []}
            out = Path(work) / f"out-{size}"
            # Full builds first, each into a new folder kept until the end: on ext4, files made
            # within minutes of a large deletion are slow to create (the allocator skips recently
            # freed inodes), and an edited notice's rebuild removes the old output tree.
            build(site, Path(work) / f"warm-{size}", "--no-cache")   # the site's compiled templates
            for round_ in range(args.runs):
                results["full"].append(build(site, Path(work) / f"fresh-{size}-{round_}", "--no-cache"))
            build(site, out)                                   # fill the cache and the output folder
            for round_ in range(args.runs):
                results["no change"].append(build(site, out))
                edit_one(site, round_)
                results["one notice"].append(build(site, out))
            for case, runs in results.items():
                rows.append((f"{size:,}", case, f"{statistics.median(r[0] for r in runs):.2f}",
                             f"{statistics.median(r[1] for r in runs):.2f}", str(max(r[2] for r in runs))))
    print(format_table([list(row) for row in rows]))
    print(f"reference loop (conditions.reference_loop): {loop_before:.2f} s before, {reference_loop():.2f} s after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
