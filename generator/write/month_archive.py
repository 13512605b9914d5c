"""Writing a closed month of the probe's history: its xz file and its summary, then removing its month file.

read/probe_summary.py holds the two formats and says when a month closes; probe/month_close.py
decides which months to close and calls this under the probe's lock.

The order keeps every moment readable: the xz file, then the summary (each a temporary file
renamed over its name), and only then the month file goes. A build that finds a month file
reads it and leaves the summary aside, so a probe stopped half way leaves the month as it was.
"""

from __future__ import annotations

import lzma
import os
from pathlib import Path

XZ_PRESET = 6         # -9 gave the same size on a month of one-minute checks, in 25 % more time


def replace_file(path: Path, data: bytes) -> None:
    """Write a file whole and durably under a temporary name, then rename it over `path`."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def write_closed_month(month_file: Path, archive: Path, rows: bytes, summary_file: Path, summary: bytes) -> None:
    """Replace a month file by its `rows` compressed with xz into `archive`, and its `summary`."""
    replace_file(archive, lzma.compress(rows, preset=XZ_PRESET))
    replace_file(summary_file, summary)
    month_file.unlink()
    fd = os.open(month_file.parent, os.O_RDONLY)
    try:
        os.fsync(fd)            # the renames and the removal are durable together
    finally:
        os.close(fd)
