"""Writing the day-count cache of the probe's files (read/probe_cache.py holds its format).

The cache only saves time: a file that cannot be written costs the next build a
re-read, never a wrong page, so a failure is one warning, not an error.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterable

from generator.errors import WARNING, SourceError
from generator.write.new_files import replace_file


def write_cache_file(path: Path, data: bytes) -> None:
    """Write a cache file atomically (a temporary file, then a rename), so a reader never sees half of one."""
    replace_file(path, data)


def write_probe_cache(files: Iterable[tuple[Path, bytes]], where: str) -> SourceError | None:
    """Write (path, bytes) cache files; return a warning placed at `where` naming the first failure, or None
    when all were written."""
    failed = None
    for path, data in files:
        try:
            write_cache_file(path, data)
            # Earlier builds kept a file per probe file in <component>/ beside the entry: stale once it is written.
            legacy = path.with_name(path.name.rsplit(".", 1)[0])
            if legacy.is_dir() and not legacy.is_symlink():
                shutil.rmtree(legacy)
        except OSError as error:
            failed = failed or SourceError(where, 0, 0, f"could not write the uptime cache: {error.strerror}",
                                           "the build is right all the same, but reads the probe's files again",
                                           WARNING)
    return failed
