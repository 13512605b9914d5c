"""What every benchmark here does before it times a build, so that a run measures the build alone.

* `compile_bytecode()`: Python keeps the compiled form of each module in
  `__pycache__/` after the first run, and pip compiles a package when it installs
  it; a machine with PYTHONDONTWRITEBYTECODE set (some containers and CI images)
  compiles the generator's sources again on every run, about 0.3 s here.  The
  benchmarks compile them once first, as any installation would have them.
* `settle()`: the writes of the run before are flushed to disk (`sync`) before
  the next run is timed, so that no run pays for another's writes.  For the same
  reason the benchmarks delete no output folder until all runs are done: ext4
  skips inodes freed in the last minutes when it makes a file (`recently_deleted`
  in the kernel's profile), so creating a thousand files right after deleting a
  thousand took here several times longer, and longer with every round.
  A build that replaces an output folder removes the old one in a detached
  process after it ends (write.remove_later); `settle(folder)` also waits for
  those removals beside the outputs in `folder`, so that the next timed build
  does not share the processor and the disk with one.
* `reference_loop()`: the machine is shared, and how fast it runs Python moves
  from one hour to the next; the benchmarks time a fixed loop on every core
  before and after their builds, so that a figure can be read beside how busy
  the machine was when it was measured.
"""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_bytecode() -> None:
    """Compile the generator's modules into __pycache__/, as an installed package has them."""
    compileall.compile_dir(str(ROOT / "generator"), quiet=1)


def prepare_checkout(root: Path) -> None:
    """Make another checkout of the generator (given with --against) build with its own code and its own theme:
    compile its modules, and give it its theme as its installed package would have it (generator/theme/).

    It is run with this environment's Python, whose editable install maps the name `generator.theme` to
    this checkout's templates/: a checkout without generator/theme/ would render with this checkout's
    theme, and an older generator with a newer theme either fails or measures the wrong templates. A copy,
    not a link: the generator refuses to read templates through a link.
    """
    compileall.compile_dir(str(root / "generator"), quiet=1)
    theme = root / "generator" / "theme"
    if root.resolve() != ROOT and (root / "templates").is_dir():
        if theme.is_dir() and not theme.is_symlink():
            shutil.rmtree(theme)      # a copy made for an earlier run: the templates may have changed since
        shutil.copytree(root / "templates", theme)


def settle(folder: Path | None = None) -> None:
    """Flush what earlier runs wrote and deleted, so that it does not slow the next timed run;
    first wait (up to two minutes) until no retired output in `folder` is still being removed."""
    deadline = time.monotonic() + 120
    while folder is not None and any(folder.glob(".*.old-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.sync()


# A fixed amount of pure-Python work: five million additions of a square.
_LOOP = "import time\nx = 0\nfor i in range(5_000_000): x += i * i\nprint(time.process_time())"


def reference_loop() -> float:
    """Return the CPU seconds of a fixed Python loop run on every core at once (the slowest)."""
    processes = [subprocess.Popen([sys.executable, "-c", _LOOP], stdout=subprocess.PIPE, text=True)
                 for _ in range(os.cpu_count() or 1)]
    return max(float(process.communicate()[0]) for process in processes)
