"""Writing the build cache (read/cache.py reads it): the sources' index and each output folder's manifest.

A cache that cannot be written is simply not kept: the next build reads every source
again and rewrites every output, and nothing else changes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from generator.write.new_files import replace_file


def write_json(path: Path, value: dict) -> None:
    """Write a JSON value into `path` atomically (a temporary file, then a rename); give up quietly on failure."""
    try:
        replace_file(path, json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    except OSError:
        pass


def write_manifest(path: Path, out_dir: Path, key: str, hashes: dict[str, str], messages: str,
                   parts: dict[str, list] | None = None, known: dict[str, list] | None = None) -> None:
    """Record in `path` what is now in the output folder, with each file's size and time to detect outside edits,
    and each part's key and files (render/dependencies.py); `known` gives [hash, size, time] of files
    checked as they are during this build (not looked at again)."""
    files = {}
    known = known or {}
    for rel, content_hash in hashes.items():
        recorded = known.get(rel)
        if recorded is not None and recorded[0] == content_hash:
            files[rel] = recorded
            continue
        try:
            stat = os.stat(os.path.join(out_dir, rel))
        except OSError:
            continue
        files[rel] = [content_hash, stat.st_size, stat.st_mtime_ns]
    write_json(path, {"key": key, "files": files, "messages": messages, "parts": parts or {}})


def remove_manifest(path: Path) -> None:
    """Remove a manifest before the output it vouches for changes, so that a build killed meanwhile is noticed."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
