"""What every benchmark here does before it times a build, so that a run measures the build alone.

* `compile_bytecode()`: Python keeps the compiled form of each module in
  `__pycache__/` after the first run, and pip compiles a package when it installs
  it; a machine with PYTHONDONTWRITEBYTECODE set (some containers and CI images)
  compiles the generator's sources again on every run, about 0.3 s here.  The
  benchmarks compile them once first, as any installation would have them.
* `settle()`: the writes and deletions of the run before are flushed to disk
  (`sync`) before the next run is timed.  On a virtual disk mounted with
  `discard`, files created just after a large tree was deleted take several
  times longer, which would charge one tool for the previous one's clean-up.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_bytecode() -> None:
    """Compile the generator's modules into __pycache__/, as an installed package has them."""
    compileall.compile_dir(str(ROOT / "generator"), quiet=1)


def settle() -> None:
    """Flush what earlier runs wrote and deleted, so that it does not slow the next timed run."""
    os.sync()
