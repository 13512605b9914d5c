"""Writing the day-count cache of the probe's month files (read/probe_cache.py holds its format).

The cache only saves time: a file that cannot be written costs the next build a
re-read, never a wrong page, so a failure is one warning, not an error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from generator.errors import WARNING, SourceError


def write_cache_file(path: Path, data: bytes) -> None:
    """Write a cache file atomically (a temporary file, then a rename), so a reader never sees half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_probe_cache(files: Iterable[tuple[Path, bytes]], where: str) -> SourceError | None:
    """Write (path, bytes) cache files; return a warning placed at `where` naming the first failure, or None
    when all were written."""
    failed = None
    for path, data in files:
        try:
            write_cache_file(path, data)
        except OSError as error:
            failed = failed or SourceError(where, 0, 0, f"could not write the uptime cache: {error.strerror}",
                                           "the build is right all the same, but reads the probe's files again",
                                           WARNING)
    return failed
