"""The floor under a full build: what no build of the 1,000-notice site can take less than, beside the build.

    python bench/bench_floor.py                     # 1,000 notices, 7 rounds
    python bench/bench_floor.py --notices 1000 --runs 9

Each round, in one run and in turn, times in new processes:

* the full build: `build.py --no-cache` into a new folder, as bench_notices.py's "full" (after one
  untimed build that compiles the site's templates);
* start-up: `python -c pass`, the interpreter alone;
* start-up and imports: `python -c "import ..."` of every module the build imports (read once,
  before the rounds, from `python -X importtime` of an untimed build: the modules a build loads
  when it runs, including those it imports inside functions), whole process;
* Markdown: `generator.markup.render_markdown` on the same 1,000 bodies (bench/corpus, as
  make_notices_site.py writes them), one call each, in a process that has already imported it
  (the converter is made within the timed part, as a build makes it);
* writing: the bytes of the untimed build's output (some 2,400 files), read into memory first, written
  into a new folder with the folders made as they come, the way write/staging.py writes them;
* the one-edit floor: a new process that only starts Python and imports what the rebuild after one
  notice's edit must use (PyYAML, Python-Markdown, nh3, Jinja, Babel) and loads Babel's locale data for
  the site's language (time_edit_floor; bench_speed.py prints it beside the one-edit rebuild).

Prints the median wall and CPU seconds of each over the rounds, and each one's share of the
full build's median. The three floors overlap nowhere, but they are measured apart: the build
writes while it renders, on every core; their sum is a floor for one process, not for the build.
Not a test: the figures depend on the machine (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_notices import NOW, ROOT, build, timed
from conditions import compile_bytecode, reference_loop, settle
from corpus import make_notices
from make_notices_site import make_notices_site

# Converts the bodies given as a JSON list on stdin; prints its own wall and CPU seconds.
_MARKDOWN = """
import json, sys, time
from generator.markup import render_markdown
bodies = json.load(sys.stdin)
wall, cpu = time.perf_counter(), time.process_time()
for body in bodies:
    render_markdown(body)
print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu]))
"""

# Writes every file under argv[1] into the new folder argv[2], as write/staging.py does (a folder
# made when a file first needs it, each file created exclusively); prints its wall and CPU seconds.
_WRITE = """
import json, os, sys, time
source, target = sys.argv[1], sys.argv[2]
files = []
for folder, _, names in os.walk(source):
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "rb") as handle:
            files.append((os.path.relpath(path, source), handle.read()))
wall, cpu = time.perf_counter(), time.process_time()
made = set()
for relative, data in files:
    folder = os.path.join(target, os.path.dirname(relative))
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    descriptor = os.open(os.path.join(target, relative), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)
print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu, len(files)]))
"""


# What the rebuild after one notice's edit cannot do without, in a new process: the libraries that read the notice
# (PyYAML), make and clean its body's HTML (Python-Markdown, nh3), render its page (Jinja) and name its days and
# dates (Babel, with the locale data of the language argv[1], as babel.dates loads it for the page).
_EDIT_FLOOR = """
import sys
import yaml, markdown, nh3, jinja2, babel.dates
locale = babel.Locale.parse(sys.argv[1], sep="-")
locale.days, locale.months, locale.date_formats
"""

# Imports the modules named in argv[2:], in order, with the checkout argv[1] first on the path.
_IMPORT = "import sys\nsys.path.insert(0, sys.argv[1])\nfor name in sys.argv[2:]: __import__(name)"

# Imports, in order, those of the modules named in argv that import, and prints their names.
_FOUND = """
import sys
for name in sys.argv[1:]:
    try:
        __import__(name)
    except Exception:
        continue
    print(name)
"""


def imported_modules(site: Path, out: Path) -> list[str]:
    """Return the modules a build of `site` imports, in the order it imports them (`-X importtime`)."""
    result = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "build.py"), "--site", str(site),
                             "--out", str(out), "--now", NOW, "--no-cache"],
                            capture_output=True, text=True, check=True)
    names: list[str] = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "imported package" not in line:
            name = line.rsplit("|", 1)[1].strip()
            if name not in names:
                names.append(name)
    # -X importtime also lists the modules tried and not found (`nt`, `_winapi` on Linux, six.moves' winreg).
    found = subprocess.run([sys.executable, "-c", _FOUND, *names], capture_output=True, text=True, check=True,
                           cwd=ROOT)
    return found.stdout.split()


def in_process(script: str, *args: str, stdin: str = "") -> tuple[float, float]:
    """Run a script in a new Python process from the root; return the wall and CPU seconds it reports."""
    result = subprocess.run([sys.executable, "-c", script, *args], input=stdin, capture_output=True, text=True,
                            check=True, cwd=ROOT)
    wall, cpu, *_ = json.loads(result.stdout)
    return wall, cpu


def floor_bodies(notices: int) -> str:
    """Return the Markdown bodies of the corpus's first `notices` notices (seed 1), as the JSON that
    time_markdown reads."""
    return json.dumps([notice.body for notice in make_notices(notices, seed=1)])


def time_imports(modules: list[str], work: Path) -> tuple[float, float, int]:
    """Import `modules` in order in a new process; return its wall and CPU seconds and peak MiB."""
    return timed([sys.executable, "-c", _IMPORT, str(ROOT), *modules], work)


def site_language(site: Path) -> str:
    """Return the first (default) language of a site's site.yaml, e.g. "pt-BR"."""
    import yaml

    return yaml.safe_load((site / "site_src" / "site.yaml").read_text(encoding="utf-8"))["languages"][0]


def time_edit_floor(language: str, work: Path) -> tuple[float, float, int]:
    """Start Python and import what a one-edit rebuild must use, with Babel's data for `language`; return the
    process's wall and CPU seconds and peak MiB (timed like a build)."""
    return timed([sys.executable, "-c", _EDIT_FLOOR, language], work)


def time_markdown(bodies: str) -> tuple[float, float]:
    """Convert the bodies (floor_bodies) once each in a new process; return the wall and CPU seconds of that."""
    return in_process(_MARKDOWN, stdin=bodies)


def time_writing(source: Path, target: Path) -> tuple[float, float]:
    """Write the files under `source` into the new folder `target`; return the wall and CPU seconds of that."""
    settle()
    return in_process(_WRITE, str(source), str(target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    compile_bytecode()
    loop_before = reference_loop()
    with tempfile.TemporaryDirectory(prefix="expediente-floor-") as work_name:
        work = Path(work_name)
        site = make_notices_site(work / "site", args.notices)
        bodies = floor_bodies(args.notices)
        warm = work / "warm"
        build(site, warm, "--no-cache")                       # the site's compiled templates, and the bytes
        modules = imported_modules(site, work / "importtime")
        cases: dict[str, list[tuple[float, float]]] = {
            "full build": [], "start-up": [], "start-up and imports": [], "Markdown": [], "writing": [],
            "one-edit floor": []}
        language = site_language(site)
        for round_ in range(args.runs):
            cases["full build"].append(build(site, work / f"full-{round_}", "--no-cache")[:2])
            cases["start-up"].append(timed([sys.executable, "-c", "pass"], work)[:2])
            cases["start-up and imports"].append(time_imports(modules, work)[:2])
            cases["Markdown"].append(time_markdown(bodies))
            cases["writing"].append(time_writing(warm, work / f"written-{round_}"))
            cases["one-edit floor"].append(time_edit_floor(language, work)[:2])
            print(f"round {round_ + 1}: " + ", ".join(f"{case} {times[-1][0]:.2f} s ({times[-1][1]:.2f} s CPU)"
                                                     for case, times in cases.items()), flush=True)
        files = sum(1 for path in warm.rglob("*") if path.is_file())
    full_wall = statistics.median(t[0] for t in cases["full build"])
    full_cpu = statistics.median(t[1] for t in cases["full build"])
    rows = [("case", "median wall s", "median CPU s", "wall / full", "CPU / full")]
    for case, times in cases.items():
        wall, cpu = statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)
        rows.append((case, f"{wall:.3f}", f"{cpu:.3f}", f"{wall / full_wall:.2f}", f"{cpu / full_cpu:.2f}"))
    floor = [sum(statistics.median(t[i] for t in cases[case]) for case in ("start-up and imports", "Markdown",
                                                                          "writing")) for i in (0, 1)]
    rows.append(("floor (imports + Markdown + writing)", f"{floor[0]:.3f}", f"{floor[1]:.3f}",
                 f"{floor[0] / full_wall:.2f}", f"{floor[1] / full_cpu:.2f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    print(f"{args.notices:,} notices, {files:,} output files, {len(modules)} modules imported; "
          f"{args.runs} rounds")
    print(f"reference loop (conditions.reference_loop): {loop_before:.2f} s before, {reference_loop():.2f} s after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
