"""Time full builds of the same 1,000 notices with Expediente, Hugo and Pelican, in turn.

    python bench/peers/run.py                                   # 1,000 notices, 3 builds of each
    python bench/peers/run.py --runs 5 --profile                # steadier medians, then profile our build
    python bench/peers/run.py --work /tmp/peers --generate-only # write the three sites and stop

Writes one set of Portuguese support notices (bench/corpus: seeded, the same text on
every machine) as an Expediente site, a Hugo site and a Pelican site (peer_sites.py,
with the settings and templates of hugo/ and pelican/ beside this file), checks that
Expediente accepts them (`build.py check`), then builds the three in turn (ours, Hugo,
Pelican, our no-change rebuild; again and again) and prints the median wall time of
each and their ratios.
Installs nothing: Hugo and Pelican must already be there (see bench/peers/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_build import format_table
from conditions import compile_bytecode, settle
from corpus import make_notices
from peer_sites import write_sites

sys.path.insert(0, str(ROOT))
from generator.parallel import default_jobs

NOW = "2026-11-23T10:00:00-03:00"

# --- Measuring ---------------------------------------------------------------------

INSTALL_HINTS = {"hugo": "apt-get install hugo", "pelican": "pip install pelican markdown"}


@dataclass(frozen=True, slots=True)
class Run:
    """One build: wall and CPU time (user + system, the children included) in seconds, and what it wrote."""

    seconds: float
    cpu_seconds: float
    files: int
    bytes: int


def run_once(command: list[str], out: Path, env: dict[str, str]) -> Run:
    """Run one build command and measure it; raise if it fails."""
    settle()
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        # wait4 gives this child's own rusage, with the processes it waited for (a pool's workers).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            log.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n" + log.read().decode("utf-8", "replace"))
    files = [path for path in out.rglob("*") if path.is_file()]
    return Run(seconds, usage.ru_utime + usage.ru_stime, len(files), sum(path.stat().st_size for path in files))


def find_tools(args: argparse.Namespace) -> dict[str, list[str]] | None:
    """Return the commands that run Hugo and Pelican, or print how to install the missing ones and return None."""
    tools = {}
    for name in ("hugo", "pelican"):
        given = getattr(args, name)
        found = shutil.which(given) if given else shutil.which(name)
        if found:
            tools[name] = [found]
        elif name == "pelican" and not given and can_import("pelican"):
            tools[name] = [sys.executable, "-m", "pelican"]
    missing = [name for name in ("hugo", "pelican") if name not in tools]
    for name in missing:
        print(f"error: {name} is not installed (or not on PATH); install it with `{INSTALL_HINTS[name]}`, "
              f"or name its command with --{name}", file=sys.stderr)
    return None if missing else tools


def can_import(module: str) -> bool:
    """Tell whether this Python can import a module."""
    import importlib.util

    return importlib.util.find_spec(module) is not None


def version_of(command: list[str]) -> str:
    """Return the first line a `--version` (or Hugo's `version`) prints."""
    arguments = ["version"] if Path(command[-1]).name == "hugo" else ["--version"]
    result = subprocess.run(command + arguments, capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr) else "?"


def machine() -> str:
    """Return a line about this machine: cores, CPU model, system."""
    model = "?"
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"machine: {cores} cores (nproc), {model}, {platform.system()} {platform.release()}"


def load_average() -> str:
    """Return the load averages over 1, 5 and 15 minutes: how busy the machine was."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def has_incremental_mode() -> bool:
    """Tell whether our command line offers an incremental build (its help names one, or a build cache)."""
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True, text=True)
    return any(word in result.stdout.lower() for word in ("incremental", "--no-cache"))


def generator_version() -> str:
    """Return the commit of the generator measured, and whether its files differ from it."""
    def git(*arguments: str) -> str:
        result = subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    changed = git("status", "--porcelain", "--", "build.py", "generator", "templates")
    return commit + (" with uncommitted changes to the generator" if changed else "")


def forget_cache(site: Path) -> None:
    """Remove our build cache from the site, so that the next build starts cold, as on a fresh clone."""
    shutil.rmtree(site / OUR_CACHE, ignore_errors=True)


def check_ours(site: Path) -> str:
    """Run `build.py check` on our site; return its verdict, or raise with its output when it fails."""
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--site", str(site), "--now", NOW],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"build.py check refused the generated notices:\n{result.stderr[-4000:]}")
    warnings = result.stderr.count(": warning: ")
    return result.stdout.strip() + ("" if not warnings else f"; {warnings} warnings:\n{result.stderr[-4000:]}")


def commands(sites: dict[str, Path], tools: dict[str, list[str]], work: Path, number: int) -> dict:
    """Return (command, output folder, environment) of each build of round `number`."""
    clean = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    epoch = dict(clean, SOURCE_DATE_EPOCH=str(int(datetime.fromisoformat(NOW).timestamp())))
    ours, hugo, pelican = (work / f"out-{name}-{number}" for name in ("expediente", "hugo", "pelican"))
    build = [sys.executable, str(ROOT / "build.py"), "build", "--site", str(sites["expediente"]),
             "--out", str(ours), "--now", NOW]
    return {
        "expediente": (build, ours, clean),
        # --buildFuture: Hugo skips pages dated after the clock, and the notices run up to NOW.
        "hugo": (tools["hugo"] + ["--source", str(sites["hugo"]), "--destination", str(hugo), "--quiet",
                                  "--buildFuture", "--cacheDir", str(work / "hugo-cache")], hugo, epoch),
        "pelican": (tools["pelican"] + [str(sites["pelican"] / "content"), "--settings",
                                        str(sites["pelican"] / "pelicanconf.py"), "--output", str(pelican),
                                        "--quiet"], pelican, epoch),
        # The same command again into the folder the full build just wrote.
        "rebuild": (build, ours, clean),
    }


ORDER = ("expediente", "hugo", "pelican", "rebuild")
OUR_CACHE = ".expediente-cache"   # generator/read/cache.py: kept in the site folder, ignored by git


def bench(sites: dict[str, Path], tools: dict[str, list[str]], work: Path, runs: int) -> dict[str, list[Run]]:
    """Build the sites in turn, `runs` rounds after one untimed round; return the runs by case."""
    results: dict[str, list[Run]] = {name: [] for name in ORDER}
    for number in range(runs + 1):
        planned = commands(sites, tools, work, number)
        for name in ORDER:
            label = "warm-up" if number == 0 else f"round {number}/{runs}"
            print(f"{label}: {name} ...", file=sys.stderr, flush=True)
            if name == "expediente":
                forget_cache(sites["expediente"])   # a full build: nothing kept from the round before
            run = run_once(*planned[name])
            if number:
                results[name].append(run)
    # The outputs are removed only now: on ext4, files made within minutes of a large deletion
    # are slow to create (the allocator skips recently freed inodes), which would slow the next
    # tool for the previous one's clean-up.
    for number in range(runs + 1):
        for name in ("expediente", "hugo", "pelican"):
            shutil.rmtree(work / f"out-{name}-{number}", ignore_errors=True)
    return results


def report(results: dict[str, list[Run]], incremental: bool) -> list[str]:
    """Return the table and the ratios as lines."""
    medians = {name: statistics.median(run.seconds for run in runs) for name, runs in results.items()}
    labels = {"expediente": "expediente full build", "hugo": "hugo full build", "pelican": "pelican full build",
              "rebuild": "expediente no-change rebuild" + (" (cached)" if incremental else " (plain rebuild)")}
    rows = [["build", "runs", "median s", "min s", "max s", "median CPU s", "files", "output KiB"]]
    for name in ORDER:
        runs = results[name]
        times = [run.seconds for run in runs]
        rows.append([labels[name], str(len(runs)), f"{medians[name]:.3f}", f"{min(times):.3f}", f"{max(times):.3f}",
                     f"{statistics.median(run.cpu_seconds for run in runs):.3f}", str(runs[-1].files),
                     f"{runs[-1].bytes / 1024:.0f}"])
    cpu = {name: statistics.median(run.cpu_seconds for run in runs) for name, runs in results.items()}
    # The aims of the project's speed targets (bench/README.md, bench_speed.py gives them all in one run).
    aims = (("ours / hugo (full builds)", "expediente", "hugo", "at most 2.5", lambda r: r <= 2.5),
            ("ours / pelican (full builds)", "expediente", "pelican", "at most 0.4", lambda r: r <= 0.4),
            ("our rebuild / hugo's full build", "rebuild", "hugo", "below 1", lambda r: r < 1))
    rows_ratio = [["ratio of medians", "wall", "aim", "", "CPU"]]
    for label, top, bottom, aim, met in aims:
        ratio = medians[top] / medians[bottom]
        rows_ratio.append([label, f"{ratio:.2f}", aim, "met" if met(ratio) else "NOT met",
                           f"{cpu[top] / cpu[bottom]:.2f}"])
    lines = [format_table(rows), "", format_table(rows_ratio), ""]
    if incremental:
        lines.append("note: build.py keeps a build cache in the site folder; it is removed before each full "
                     "build, and the no-change rebuild (same --now, same output folder) is answered from it")
    else:
        lines.append("note: build.py has no incremental mode yet; the no-change rebuild is a plain full build "
                     "into the folder the previous build wrote")
    lines.append("CPU: user + system time of the build and its child processes; wall time is what the aims are "
                 "about, CPU time shows how much of it is work when the machine is shared")
    return lines


# --- Profiling our build -----------------------------------------------------------

def profile_ours(site: Path, work: Path, top: int) -> list[str]:
    """Build our site once under cProfile; return the share of time by module and the top functions."""
    import pstats

    stats_file = work / "expediente.prof"
    forget_cache(site)
    command = [sys.executable, "-m", "cProfile", "-o", str(stats_file), str(ROOT / "build.py"), "build",
               "--site", str(site), "--out", str(work / "out-profile"), "--now", NOW]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"})
    stats = pstats.Stats(str(stats_file))
    table = stats.stats  # (file, line, function) -> (primitive calls, calls, own time, cumulative time, callers)
    total = sum(own for _, _, own, _, _ in table.values())
    by_module: dict[str, float] = {}
    for (file, _, _), (_, _, own, _, _) in table.items():
        by_module[module_of(file)] = by_module.get(module_of(file), 0.0) + own
    lines = [f"profile of one full build under cProfile: {total:.2f} s of own time in all functions "
             f"(cProfile slows the build; compare shares, not seconds)", "",
             "own time by module or package:"]
    rows = [["module", "own s", "share"]]
    for module, own in sorted(by_module.items(), key=lambda item: -item[1])[:top]:
        rows.append([module, f"{own:.3f}", f"{own / total:.1%}"])
    lines += [format_table(rows), "", "functions by cumulative time (time inside them and what they call):"]
    rows = [["function", "calls", "cumulative s", "share", "own s"]]
    ranked = sorted(table.items(), key=lambda item: -item[1][3])
    for (file, line, name), (_, calls, own, cumulative, _) in ranked[:top]:
        rows.append([f"{module_of(file)}:{line}({name})", str(calls), f"{cumulative:.3f}",
                     f"{cumulative / total:.1%}", f"{own:.3f}"])
    lines += [format_table(rows), "", "functions by own time:"]
    rows = [["function", "calls", "own s", "share"]]
    for (file, line, name), (_, calls, own, _, _) in sorted(table.items(), key=lambda item: -item[1][2])[:top]:
        rows.append([f"{module_of(file)}:{line}({name})", str(calls), f"{own:.3f}", f"{own / total:.1%}"])
    return lines + [format_table(rows), "", f"the full profile: python -m pstats {stats_file}"]


def module_of(file: str) -> str:
    """Return our module's path (generator/...), a third-party package's name, or the file as given."""
    path = Path(file)
    if path.is_absolute() and path.is_relative_to(ROOT):
        return str(path.relative_to(ROOT))
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if file == "~":
        return "(built-in functions)"
    if path.is_absolute():
        return "(standard library) " + path.stem
    return file


# --- The command line --------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Parse the command line, write the sites, check ours, build all three in turn and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="notices (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="timed builds of each generator (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the notices (default 1)")
    parser.add_argument("--work", type=Path, help="folder for the sites and builds, kept afterwards "
                                                  "(default: a temporary folder, removed)")
    parser.add_argument("--generate-only", action="store_true", help="write and check the sites, build nothing")
    parser.add_argument("--hugo", help="the hugo command (default: hugo on PATH)")
    parser.add_argument("--pelican", help="the pelican command (default: pelican on PATH, or python -m pelican)")
    parser.add_argument("--profile", action="store_true", help="then profile one of our builds with cProfile")
    parser.add_argument("--top", type=int, default=25, help="rows of each profile table (default 25)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.count < 1:
        parser.error("--runs and --count must be at least 1")
    if args.work and args.work.exists() and any(args.work.iterdir()):
        parser.error(f"{args.work} is not empty; choose a new folder")
    tools = None
    if not args.generate_only:
        tools = find_tools(args)
        if tools is None:
            return 1
    with tempfile.TemporaryDirectory(prefix="expediente-peers-") as temp:
        work = args.work or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        notices = make_notices(args.count, args.seed)
        sites = write_sites(work, notices)
        kinds = sum(1 for n in notices if n.kind == "hours")
        print(f"wrote {len(notices)} notices ({kinds} hours, {len(notices) - kinds} info) into {work}",
              file=sys.stderr)
        try:
            verdict = check_ours(sites["expediente"])
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.generate_only:
            print(verdict)
            return 0
        compile_bytecode()
        started, load_before = datetime.now().astimezone(), load_average()
        results = bench(sites, tools, work, args.runs)
        lines = [f"Expediente vs Hugo vs Pelican: {args.count} notices (seed {args.seed}), {args.runs} timed builds "
                 f"of each after one untimed, in turn: {', '.join(ORDER)}",
                 f"date: {started:%Y-%m-%d %H:%M %Z}", machine(),
                 f"load average (1, 5, 15 min) before: {load_before}; after: {load_average()}",
                 f"Python {platform.python_version()} ({sys.executable}); expediente at {generator_version()}",
                 f"Hugo: {version_of(tools['hugo'])}", f"Pelican: {version_of(tools['pelican'])}",
                 f"ours: build.py build --now {NOW}, {default_jobs()} processes; hugo and pelican with "
                 "SOURCE_DATE_EPOCH of the same instant",
                 "before each timed build: sync (bench/conditions.py); our bytecode compiled once, as installed",
                 f"check: {verdict}", "", *report(results, has_incremental_mode())]
        if args.profile:
            lines += ["", *profile_ours(sites["expediente"], work, args.top)]
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
