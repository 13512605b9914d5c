"""The checked notices kept between builds: one file, sealed with this machine's key, and its form in memory.

Checking a notice (reading its YAML, converting its Markdown, scanning its prose for
dates) is most of what loading a site costs, and a rebuild after one edit would
otherwise check every notice again.  Each check is kept under a key that covers
everything it read (validate/checked.py) with what it asked of the other notices,
all in `.expediente-cache/checked-notices.sealed`; what the build computed of
each notice to key its pages (render/dependencies.py) is kept beside it, in
`notice-digests.sealed`, the same way.  The checks are Python objects
(pickled, by segments), so the file is given back only when its HMAC-SHA256 under this user's key
(write/template_cache.py: outside every site, mode 0600) matches: a file that came
with the sources, was truncated, corrupted or written by another user or generator
is as if there were none, and every notice is checked again.  Only files this
module sealed are read; the pipeline never reads the site's own folder when the
cache came with the sources (read/cache.py: cache_trust).
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import sys
from pathlib import Path

from generator.own_files import read_own_file
from generator.write.new_files import replace_file
from generator.write.template_cache import key_path, machine_key

FILE_NAME = "checked-notices.sealed"
SEAL = b"expediente-sealed-checked-notices-2\n"
KIND = b"checked-notices"
# What the build computed of each notice, beside the checks: some 200 bytes per notice.
DIGESTS_FILE_NAME = "notice-digests.sealed"
DIGESTS_KIND = b"notice-digests"
# Some 900 bytes per notice; a file past this is not ours.
MAX_FILE_BYTES = 1 << 30


def read_checked(folder) -> tuple[dict[str, tuple], dict[str, tuple], list[bytes]]:
    """Return the checks kept in `folder` (a trusted cache folder), key -> (asked, every, segment, position), the
    record of the files, and the segments, each a pickled tuple of checks (validate/checked.py's CheckedEntries
    takes all three); all empty when there is no file sealed by this machine's key, or it cannot be read."""
    # marshal: plain data (dicts, tuples, strings, bytes) only; the checks stay pickled until asked for.
    kept = _read_sealed(folder, FILE_NAME, KIND)
    if not (isinstance(kept, tuple) and len(kept) == 3):
        return {}, {}, []
    entries, stats, segments = kept
    if not (isinstance(entries, dict) and isinstance(stats, dict) and isinstance(segments, list)
            and all(isinstance(segment, bytes) for segment in segments)):
        return {}, {}, []
    return entries, stats, segments


def write_checked(folder, entries: dict[str, tuple], stats: dict[str, tuple], segments: list[bytes]) -> None:
    """Keep the checks `entries` (key -> (asked, every, segment, position)), the files' record `stats` and the
    `segments` in `folder`, sealed, atomically; a file that cannot be written is simply not kept."""
    _write_sealed(folder, FILE_NAME, KIND, (entries, stats, segments))


def read_notice_digests(folder) -> dict[str, tuple[str, str, str, str]]:
    """Return what the last build computed of each notice (render/dependencies.py: NoticeDigests), kept in
    `folder` (a trusted cache folder): made-from digest -> four digests; empty when there is none sealed by
    this machine's key, or it cannot be read."""
    kept = _read_sealed(folder, DIGESTS_FILE_NAME, DIGESTS_KIND)
    if not isinstance(kept, dict):
        return {}
    for key, value in kept.items():
        # Sealed by this user, yet checked: a wrong shape here would be a wrong key, hence stale pages.
        if not (isinstance(key, str) and isinstance(value, tuple) and len(value) == 4
                and all(isinstance(item, str) for item in value)):
            return {}
    return kept


def write_notice_digests(folder, digests: dict[str, tuple[str, str, str, str]]) -> None:
    """Keep `digests` (made-from digest -> four digests: read_notice_digests) in `folder`, sealed, atomically;
    a file that cannot be written is simply not kept."""
    _write_sealed(folder, DIGESTS_FILE_NAME, DIGESTS_KIND, digests)


def _read_sealed(folder, name: str, kind: bytes) -> object:
    """Return what `folder`/`name` holds (marshalled), when it is sealed by this machine's key as `kind`; else None."""
    key = machine_key(key_path())
    if key is None:
        return None
    data = read_own_file(os.path.join(folder, name), MAX_FILE_BYTES)
    if data is None:
        return None
    head = len(SEAL) + hashlib.sha256().digest_size
    if not data.startswith(SEAL):
        return None
    body = memoryview(data)[head:]
    if not hmac.compare_digest(data[len(SEAL):head], _seal(key, kind, body)):
        return None
    try:
        return marshal.loads(body)
    except (ValueError, TypeError, EOFError):
        return None


def _write_sealed(folder, name: str, kind: bytes, value: object) -> None:
    """Write `value` (plain data) marshalled into `folder`/`name`, sealed as `kind`; nothing when it cannot be."""
    key = machine_key(key_path())
    if key is None:
        return
    body = marshal.dumps(value)
    try:
        replace_file(Path(folder) / name, SEAL + _seal(key, kind, body) + body)
    except OSError:
        pass


def _seal(key: bytes, kind: bytes, body) -> bytes:
    # marshal's format is Python's own: a file written by another Python is not this one's to decode.
    # The kind is sealed too: one file's contents copied into the other's name are not taken for it.
    sealing = hmac.new(key, kind + b"\0" + sys.version.encode() + b"\0", hashlib.sha256)
    sealing.update(body)
    return sealing.digest()
