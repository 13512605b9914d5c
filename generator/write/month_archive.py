"""Writing a closed month of the probe's history: its xz file and its summary, then removing its month file
and day files.

read/probe_summary.py holds the two formats and says when a month closes; probe/month_close.py
decides which months to close and calls this under the probe's lock.

The order keeps every moment readable: the xz file, then the summary (each a temporary file
renamed over its name), and only then the month file and the day files go. A build that finds a month file
reads it and leaves the summary aside, so a probe stopped half way leaves the month as it was; day files
left by a probe stopped before removing them are counted beside the summary until the next probe run, whose
close finds their rows already in the xz file and removes them (probe/month_close.py).
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


def fsync_folder(folder: Path) -> None:
    """Make the renames, creations and removals in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_closed_month(archive: Path, rows: bytes, summary_file: Path, summary: bytes, done: list[Path]) -> None:
    """Write a month's `rows` compressed with xz into `archive` and its `summary`, then remove the files that
    held the rows (`done`: its month file, its day folders' files) and the day folders they leave empty."""
    if not archive.parent.is_dir():
        archive.parent.mkdir()        # a component whose rows were only ever in day folders
        fsync_folder(archive.parent.parent)
    replace_file(archive, lzma.compress(rows, preset=XZ_PRESET))
    replace_file(summary_file, summary)
    fsync_folder(archive.parent)
    for path in done:
        path.unlink()
    for folder in sorted({path.parent for path in done} - {archive.parent}):
        try:
            folder.rmdir()            # a day folder whose every file is closed
        except OSError:
            fsync_folder(folder)      # other components' rows (or anything else) are still in it
    if {path.parent for path in done} - {archive.parent}:
        fsync_folder(archive.parent.parent)
    elif done:
        fsync_folder(archive.parent)
