"""Issue 16's build figures in one run: full builds beside Hugo's and Pelican's, the rebuilds, the floor.

    python bench/bench_speed.py                                   # 1,000 notices, 5 timed rounds
    python bench/bench_speed.py --runs 7 --pelican /tmp/pelican-venv/bin/pelican
    python bench/bench_speed.py --sizes 1000 10000                # and the 10,000-notice rebuilds
    python bench/bench_speed.py --against /tmp/main-checkout      # another checkout in the same rounds

The notices are the shared corpus (bench/corpus, seed 1), written as the three sites of
bench/peers/ (peer_sites.py: the same titles, dates and Markdown bodies for Expediente, Hugo
and Pelican); `--example-site` builds the copy of the example site of make_notices_site.py
instead (two languages, status page: more pages than Hugo and Pelican make).

Every round times, each in a new process and in an order turned by one place every round:

* full: Expediente's `build.py build` into a new folder after its cache was removed, as
  bench/peers/run.py does (a fresh clone's build), on a copy of the site kept for full builds;
  this user's compiled default theme (`$XDG_CACHE_HOME/expediente/`, kept outside every site)
  stays, as it does for every build on a machine after its first;
* full, first on this machine: the same with an empty `$XDG_CACHE_HOME` of its own, so that
  the default theme is compiled too (a new machine's, or a new CI runner's, first build);
* hugo, pelican: their full builds of the same notices (peers/run.py's commands);
* nothing changed: `build.py build` into the folder and with the cache the builds before left,
  on a second copy of the site;
* one notice edited: a different notice's body edited (a line added), then the same rebuild;
* the floor (bench_floor.py): start-up and imports, Python-Markdown on the bodies, writing the
  output's files;
* the one-edit floor (bench_floor.py: time_edit_floor), at every size: a new process that starts Python,
  imports PyYAML, Python-Markdown, nh3, Jinja and Babel and loads Babel's data for the site's language,
  what the one-edit rebuild cannot do without; its ratio to "nothing changed" is printed beside the
  one-edit rebuild's, the nearest a new process can come to issue 16's 1.5.

One untimed round comes first (templates compiled, caches filled, disk warm). At sizes not
named by `--full-at` (default: 1,000 only) a round is the two rebuilds alone.  With
`--against`, each other checkout's full build and rebuilds (on its own copies of the site, its
edits the same) are timed in the same rounds.

Prints every round, then the medians (wall, CPU, peak memory of the largest process), the
reference loop before and after (conditions.reference_loop), and issue 16's ratios, each the
median of the per-round ratios (the machine's drift between rounds cancels out) with the ratio
of the medians beside it, its target and whether it is met.  Not a test: the figures depend on
the machine and on what else runs on it (bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH / "peers"))
import run as peers  # bench/peers/run.py: the peers' commands, the machine's description
from bench_build import format_table
from bench_floor import (
    floor_bodies,
    imported_modules,
    site_language,
    time_edit_floor,
    time_imports,
    time_markdown,
    time_writing,
)
from bench_notices import NOW, ROOT, timed
from conditions import compile_bytecode, prepare_checkout, reference_loop
from corpus import make_notices
from make_notices_site import make_notices_site
from peer_sites import write_sites

FULL, HUGO, PELICAN, SAME, EDITED = "full", "hugo full", "pelican full", "nothing changed", "one notice edited"
FIRST = "full, first on this machine"
FLOOR = ("start-up and imports", "Markdown", "writing")
EDIT_FLOOR = "one-edit floor"

# Issue 16's "Done means" for builds: (label, numerator, denominator or None for seconds, target, at what size).
# A target of None is no target but a floor, printed beside the target above it.
TARGETS = (
    ("one notice edited / nothing changed", EDITED, SAME, 1.5, None),
    ("one-edit floor / nothing changed", EDIT_FLOOR, SAME, None, None),
    ("one notice edited / Hugo's full build", EDITED, HUGO, 1.0, None),
    ("one notice edited at 10,000 notices, s", EDITED, None, 1.5, 10000),
    ("full build / Hugo's full build", FULL, HUGO, 2.5, None),
    ("full build / Pelican's full build", FULL, PELICAN, 0.4, None),
    ("full build, first on this machine / Hugo's", FIRST, HUGO, 2.5, None),
    ("full build, first on this machine / Pelican's", FIRST, PELICAN, 0.4, None),
)


@dataclass
class Checkout:
    """One generator checkout under test: its root, its two copies of the site and its rebuilt output."""

    name: str
    root: Path
    full_site: Path = Path()
    rebuilt_site: Path = Path()
    rebuilt_out: Path = Path()
    times: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)


def our_build(checkout: Checkout, site: Path, out: Path) -> list[str]:
    """Return the command of one `build.py build` by `checkout` of `site` into `out` at the fixed "now"."""
    return [sys.executable, str(checkout.root / "build.py"), "build", "--site", str(site), "--out", str(out),
            "--now", NOW]


def edit_notice(site: Path, round_: int) -> str:
    """Add a line to the body of a notice, a different one and a different line every round; return its name."""
    notices = sorted((site / "notices").glob("*.md"))
    path = notices[(len(notices) // 2 + 37 * round_) % len(notices)]
    path.write_text(path.read_text(encoding="utf-8") + f"\nAtualizado na rodada {round_}.\n", encoding="utf-8")
    return path.name


def write_base_sites(work: Path, size: int, example: bool) -> dict[str, Path]:
    """Write the sites of `size` notices under `work`; return Expediente's, Hugo's and Pelican's folders."""
    sites = write_sites(work / "peers", make_notices(size, seed=1))
    if example:
        sites["expediente"] = make_notices_site(work / "example", size)
    return sites


def prepare(checkouts: list[Checkout], base: Path, work: Path, size: int) -> None:
    """Give every checkout its two copies of the site; fill the rebuilt one's cache and output, untimed."""
    for index, checkout in enumerate(checkouts):
        checkout.full_site = shutil.copytree(base, work / f"site-{size}-{index}-full")
        checkout.rebuilt_site = shutil.copytree(base, work / f"site-{size}-{index}-rebuilt")
        checkout.rebuilt_out = work / "out" / f"rebuilt-{size}-{index}"
        checkout.times = {}
        timed(our_build(checkout, checkout.rebuilt_site, checkout.rebuilt_out), work / "out")


def plan_round(checkouts: list[Checkout], sites: dict[str, Path], tools: dict[str, list[str]] | None,
               floor: dict | None, work: Path, size: int, round_: int) -> list[tuple[str, Checkout | None, Callable]]:
    """Return the timed steps of one round, in this round's order: (case, checkout or None, step)."""
    out = work / "out"
    tag = f"{size}-{round_ + 1}"   # round -1 is the untimed one
    steps: list[tuple[str, Checkout | None, Callable]] = []
    for index, checkout in enumerate(checkouts):
        def full(checkout=checkout, index=index):
            peers.forget_cache(checkout.full_site)   # a full build: nothing kept from the round before
            return timed(our_build(checkout, checkout.full_site, out / f"full-{tag}-{index}"), out)

        def first(checkout=checkout, index=index):
            peers.forget_cache(checkout.full_site)
            user_cache = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="user-cache-", dir=out)}
            return timed(our_build(checkout, checkout.full_site, out / f"first-{tag}-{index}"), out, user_cache)

        def same(checkout=checkout):
            return timed(our_build(checkout, checkout.rebuilt_site, checkout.rebuilt_out), out)

        def edited(checkout=checkout):
            edit_notice(checkout.rebuilt_site, round_)
            return timed(our_build(checkout, checkout.rebuilt_site, checkout.rebuilt_out), out)

        if tools is not None:
            steps += [(FULL, checkout, full), (FIRST, checkout, first)]
        steps += [(SAME, checkout, same), (EDITED, checkout, edited)]
    language = site_language(checkouts[0].rebuilt_site)
    steps.append((EDIT_FLOOR, None, lambda: time_edit_floor(language, out)))
    if tools is not None and floor is not None:
        # peers.commands names the output folders by round; the one given here is unique in the run.
        planned = peers.commands(sites, tools, out, size * 100 + round_ + 1)
        steps.append((HUGO, None, lambda: timed(planned["hugo"][0], out, planned["hugo"][2])))
        steps.append((PELICAN, None, lambda: timed(planned["pelican"][0], out, planned["pelican"][2])))
        steps.append((FLOOR[0], None, lambda: time_imports(floor["modules"], out)))
        steps.append((FLOOR[1], None, lambda: time_markdown(floor["bodies"])))
        steps.append((FLOOR[2], None, lambda: time_writing(floor["output"], out / f"written-{tag}")))
    turn = round_ % len(steps) if round_ >= 0 else 0
    return steps[turn:] + steps[:turn]


def bench_size(checkouts: list[Checkout], sites: dict[str, Path], tools: dict[str, list[str]] | None,
               work: Path, size: int, runs: int) -> dict[str, list[tuple]]:
    """Time `runs` rounds (after an untimed one) at one size; return the peers' and the floor's times by case
    (the checkouts keep their own)."""
    floor = None
    if tools is not None:
        this = checkouts[0]
        output = work / "out" / f"floor-{size}"
        timed(our_build(this, this.full_site, output), work / "out")   # the bytes the writing floor writes
        floor = {"modules": imported_modules(this.full_site, work / "out" / f"importtime-{size}"),
                 "bodies": floor_bodies(size), "output": output}
    others: dict[str, list[tuple]] = {}
    for round_ in range(-1, runs):
        shown = []
        for case, checkout, step in plan_round(checkouts, sites, tools, floor, work, size, round_):
            result = step()
            name = case if checkout is None else f"{checkout.name}: {case}"
            shown.append(f"{name} {result[0]:.2f} s")
            if round_ < 0:
                continue
            table = others if checkout is None else checkout.times
            table.setdefault(case, []).append(result)
        label = "untimed round" if round_ < 0 else f"round {round_ + 1}/{runs}"
        print(f"{size:,} notices, {label}: " + ", ".join(shown), file=sys.stderr, flush=True)
    return others


def median(values) -> float:
    """Return the median of an iterable of numbers."""
    return statistics.median(list(values))


def table_rows(size: int, checkouts: list[Checkout], others: dict[str, list[tuple]]) -> list[list[str]]:
    """Return one row per checkout and case, and per peer and floor case: medians, min-max and peak."""
    rows = []
    for name, cases in [(c.name, c.times) for c in checkouts] + [("", others)]:
        for case, runs in cases.items():
            walls = [r[0] for r in runs]
            peak = str(max(r[2] for r in runs)) if all(len(r) > 2 for r in runs) else "-"
            rows.append([f"{size:,}", f"{name}: {case}" if name else case, str(len(runs)), f"{median(walls):.3f}",
                         f"{min(walls):.3f}-{max(walls):.3f}", f"{median(r[1] for r in runs):.3f}", peak])
    if all(case in others for case in FLOOR):
        rows.append([f"{size:,}", "floor: imports + Markdown + writing", str(len(others[FLOOR[0]])),
                     f"{sum(median(r[0] for r in others[c]) for c in FLOOR):.3f}", "",
                     f"{sum(median(r[1] for r in others[c]) for c in FLOOR):.3f}", "-"])
    return rows


def ratio_rows(size: int, checkout: Checkout, others: dict[str, list[tuple]]) -> list[list[str]]:
    """Return issue 16's targets for one checkout at one size: per-round ratio, ratio of medians, verdict."""
    times = {**others, **checkout.times}
    rows = []
    for label, top, bottom, target, at in TARGETS:
        if top not in times or (bottom is not None and bottom not in times) or (at is not None and at != size):
            continue
        if bottom is None:
            value = median(r[0] for r in times[top])
            rows.append([f"{size:,}", f"{checkout.name}: {label}", f"{value:.3f}", "", "", f"<= {target}",
                         "met" if value <= target else "NOT met"])
            continue
        per_round = median(a[0] / b[0] for a, b in zip(times[top], times[bottom]))
        of_medians = median(r[0] for r in times[top]) / median(r[0] for r in times[bottom])
        cpu = median(a[1] / b[1] for a, b in zip(times[top], times[bottom]))
        rows.append([f"{size:,}", f"{checkout.name}: {label}", f"{per_round:.3f}", f"{of_medians:.3f}",
                     f"{cpu:.3f}", "(floor)" if target is None else f"<= {target}",
                     "" if target is None else "met" if per_round <= target else "NOT met"])
    return rows


def against_rows(size: int, checkouts: list[Checkout]) -> list[list[str]]:
    """Return, for every other checkout and case, the median of the per-round ratios this / other."""
    rows = []
    this = checkouts[0]
    for other in checkouts[1:]:
        for case, runs in this.times.items():
            theirs = other.times.get(case, [])
            if theirs:
                rows.append([f"{size:,}", f"{case}: this / {other.name}",
                             f"{median(a[0] / b[0] for a, b in zip(runs, theirs)):.3f}",
                             f"{median(a[1] / b[1] for a, b in zip(runs, theirs)):.3f}"])
    return rows


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, write the sites, time the rounds and print the figures and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000], help="notices (default 1000)")
    parser.add_argument("--full-at", type=int, nargs="+", default=[1000], metavar="SIZE",
                        help="sizes at which the full builds, Hugo, Pelican and the floor are timed too "
                             "(default 1000; the other sizes time the two rebuilds only)")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5), after one untimed")
    parser.add_argument("--against", type=Path, nargs="+", default=[],
                        help="other checkouts of the generator, timed in the same rounds")
    parser.add_argument("--example-site", action="store_true",
                        help="build make_notices_site.py's copy of the example site instead of the peers' one")
    parser.add_argument("--hugo", help="the hugo command (default: hugo on PATH)")
    parser.add_argument("--pelican", help="the pelican command (default: pelican on PATH, or python -m pelican)")
    args = parser.parse_args(argv)
    if args.runs < 1 or min(args.sizes) < 1:
        parser.error("--runs and --sizes must be at least 1")
    tools = None
    if set(args.sizes) & set(args.full_at):
        tools = peers.find_tools(args)
        if tools is None:
            return 1
    checkouts = [Checkout("this", ROOT)] + [Checkout(str(other), other.resolve()) for other in args.against]
    for checkout in checkouts[1:]:
        prepare_checkout(checkout.root)
    compile_bytecode()
    started, load_before, loop_before = datetime.now().astimezone(), peers.load_average(), reference_loop()
    rows = [["notices", "case", "runs", "median wall s", "min-max s", "median CPU s", "peak MiB"]]
    targets = [["notices", "target", "per-round ratio", "ratio of medians", "CPU ratio", "target", "verdict"]]
    versus = [["notices", "case", "per-round wall ratio", "per-round CPU ratio"]]
    with tempfile.TemporaryDirectory(prefix="expediente-speed-") as temp:
        work = Path(temp)
        (work / "out").mkdir()
        for size in args.sizes:
            sites = write_base_sites(work / f"base-{size}", size, args.example_site)
            print(f"{size:,} notices: {peers.check_ours(sites['expediente']).splitlines()[0]}", file=sys.stderr)
            prepare(checkouts, sites["expediente"], work, size)
            others = bench_size(checkouts, sites, tools if size in args.full_at else None, work, size, args.runs)
            rows += table_rows(size, checkouts, others)
            for checkout in checkouts:
                targets += ratio_rows(size, checkout, others)
            versus += against_rows(size, checkouts)
        # Before the outputs go: removing some hundred thousand files takes minutes and loads the disk.
        loop_after, load_after = reference_loop(), peers.load_average()
        print_results(args, tools, started, load_before, load_after, loop_before, loop_after, rows, targets, versus)
    return 0


def print_results(args: argparse.Namespace, tools: dict[str, list[str]] | None, started: datetime,
                  load_before: str, load_after: str, loop_before: float, loop_after: float,
                  rows: list[list[str]], targets: list[list[str]], versus: list[list[str]]) -> None:
    """Print the conditions of the run, the medians, issue 16's targets and the comparisons with other checkouts."""
    site = "make_notices_site.py's copy of the example site" if args.example_site else "bench/peers' sites"
    lines = [f"issue 16's build figures: {', '.join(f'{s:,}' for s in args.sizes)} notices ({site}), "
             f"{args.runs} timed rounds after one untimed, the order turned each round",
             f"date: {started:%Y-%m-%d %H:%M %Z}", peers.machine(),
             f"load average (1, 5, 15 min) before: {load_before}; after: {load_after}",
             f"reference loop (conditions.reference_loop): {loop_before:.2f} s before, {loop_after:.2f} s after",
             f"Python {platform.python_version()}; this checkout: {peers.generator_version()}; "
             f"EXPEDIENTE_JOBS={os.environ.get('EXPEDIENTE_JOBS', '(unset: every core)')}"]
    if tools is not None:
        lines += [f"Hugo: {peers.version_of(tools['hugo'])}", f"Pelican: {peers.version_of(tools['pelican'])}"]
    lines += ["", format_table(rows), "", format_table(targets)]
    if len(versus) > 1:
        lines += ["", format_table(versus)]
    lines += ["", "per-round ratio: the median over the rounds of each round's own ratio (the verdict); "
                  "CPU: user + system of the process and the children it waited for; "
                  "peak: ru_maxrss of the largest process"]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
