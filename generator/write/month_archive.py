"""Writing a closed month of the probe's history: its xz file and its summary, then removing its month file
and day files.

read/probe_summary.py holds the two formats and says when a month closes; probe/month_close.py
decides which months to close and calls this under the probe's lock.

The order keeps every moment readable: the xz file, then the summary (each a temporary file
renamed over its name), and only then the month file and the day files go. A build that finds a month file
reads it and leaves the summary aside, so a probe stopped half way leaves the month as it was; day files
left by a probe stopped before removing them are counted beside the summary until the next probe run, whose
close finds their rows already in the xz file and removes them (probe/month_close.py).

Every folder is reached through write/live_folders.LiveFolders, each opened from the one above without
following a link, and every name is created, renamed and removed relative to its folder's descriptor: a
folder or file of the history replaced by a link while the probe measured (a push landing meanwhile) is
refused (ELOOP, naming it), never written, renamed or removed through.
"""

from __future__ import annotations

import contextlib
import lzma
import os

from generator.write.live_folders import LiveFolders

XZ_PRESET = 6         # -9 gave the same size on a month of one-minute checks, in 25 % more time
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def replace_file(folder: int, name: str, data: bytes) -> None:
    """Write a file whole and durably under a temporary name in the folder open as `folder`, then rename it over
    `name` there (a link standing at `name` is replaced, not followed)."""
    temporary = f".{name}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary, dir_fd=folder)     # left by a probe of the same process id stopped while writing
    fd = os.open(temporary, _NEW, 0o644, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)


def write_closed_month(folders: LiveFolders, component: str, archive: str, rows: bytes, summary_name: str,
                       summary: bytes, done: list[str]) -> None:
    """Write a month's `rows` compressed with xz as `archive` and its `summary` as `summary_name` in the folder
    `component` (a path under the root of `folders`), then remove the files that held the rows (`done`, paths
    under the same root: its month file, its day folders' files) and the day folders they leave empty.

    Raises OSError; ELOOP, with the path of the link as its filename, for a link met where a folder should be."""
    # A component whose rows were only ever in day folders gets its folder here (made durably).
    into = folders.get(component, make=True)
    replace_file(into, archive, lzma.compress(rows, preset=XZ_PRESET))
    replace_file(into, summary_name, summary)
    os.fsync(into)
    emptied = set()
    for path in done:
        folder, _, name = path.rpartition("/")
        os.unlink(name, dir_fd=folders.get(folder))      # unlink never follows a link: it removes the link
        emptied.add(folder)
    parents = set()
    for folder in sorted(emptied - {component}):
        parent, _, name = folder.rpartition("/")
        try:
            os.rmdir(name, dir_fd=folders.get(parent))   # a day folder whose every file is closed
            parents.add(parent)
        except OSError:
            os.fsync(folders.get(folder))    # other components' rows (or anything else) are still in it
    for parent in sorted(parents):
        os.fsync(folders.get(parent))
    if component in emptied:
        os.fsync(into)
