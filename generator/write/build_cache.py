"""Writing the build cache (read/cache.py reads it): the sources' index and each output folder's manifest.

A cache that cannot be written is simply not kept: the next build reads every source
again and rewrites every output, and nothing else changes.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from generator.write.new_files import replace_file


def write_json(path: Path, value: dict, sort_keys: bool = True) -> None:
    """Write a JSON value into `path` atomically (a temporary file, then a rename); give up quietly on failure."""
    try:
        replace_file(path, json.dumps(value, sort_keys=sort_keys, separators=(",", ":")).encode("utf-8"))
    except OSError:
        pass


def write_manifest(path: Path, out_dir: Path, key: str, hashes: dict[str, str], messages: str,
                   parts: dict[str, list] | None = None, known: dict[str, list] | None = None,
                   folders: dict[str, int | None] | None = None, clock: int = 0, live: int | None = None) -> None:
    """Record in `path` what is now in the output folder, with each file's size and times to detect outside edits,
    each part's key and files (render/dependencies.py), and the change time of each folder known to hold
    exactly its files (`folders`: read/output_state.folder_records); `known` gives [hash, size, time, change
    time] of files checked as they are during this build (not looked at again).

    A file changed at `clock` (write/build_cache.filesystem_clock, taken once the output was written) or later
    is recorded with no change time (-1): an edit in the clock's present tick would leave it as it is, so the
    next build compares its bytes (read/output_state.py); 0 puts every file so.  So is a file not in `known`
    changed at `live` (the clock when the build began to change the output: its swap, or its first rename) or
    later: the build wrote its bytes before then, and a change since (a hand edit before this records it) is
    someone else's.
    """
    fresh = clock if live is None else min(clock, live)
    files = {}
    known = known or {}
    for rel, content_hash in hashes.items():
        recorded = known.get(rel)
        if recorded is not None and recorded[0] == content_hash:
            files[rel] = recorded if recorded[3] < clock else [*recorded[:3], -1]
            continue
        try:
            stat = os.lstat(os.path.join(out_dir, rel))
        except OSError:
            continue
        changed = stat.st_ctime_ns
        files[rel] = [content_hash, stat.st_size, stat.st_mtime_ns, changed if changed < fresh else -1]
    # Not sorted: it is read as data only (never published nor compared as text), and sorting its 33,000 keys
    # cost 0.01 s of a 10,000-notice rebuild.
    write_json(path, {"key": key, "files": files, "messages": messages, "parts": parts or {},
                      "folders": folders or {}}, sort_keys=False)


def filesystem_clock(folder: Path) -> int:
    """Return the time the file system stamps on a change in `folder` now (a file made there and removed at
    once), in nanoseconds; 0 when no file can be made there (no folder's time then counts as past).

    Its clock, not Python's: the kernel stamps files with a coarser clock than time.time_ns() reads,
    and a network file system with the server's.
    """
    try:
        handle, name = tempfile.mkstemp(prefix=".expediente-clock-", dir=folder)
    except OSError:
        return 0
    try:
        return os.fstat(handle).st_ctime_ns
    except OSError:
        return 0
    finally:
        os.close(handle)
        try:
            os.unlink(name)
        except OSError:
            pass


def remove_manifest(path: Path) -> None:
    """Remove a manifest before the output it vouches for changes, so that a build killed meanwhile is noticed."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
