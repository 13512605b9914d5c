"""The checked notices kept between builds: one file, sealed with this machine's key, and its form in memory.

Checking a notice (reading its YAML, converting its Markdown, scanning its prose for
dates) is most of what loading a site costs, and a rebuild after one edit would
otherwise check every notice again.  Each check is kept under a key that covers
everything it read (validate/checked.py) with what it asked of the other notices,
all in `.expediente-cache/checked-notices.sealed`.  The checks are Python objects
(pickled), so the file is given back only when its HMAC-SHA256 under this user's key
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
SEAL = b"expediente-sealed-checked-notices-1\n"
KIND = b"checked-notices"
# Some 900 bytes per notice; a file past this is not ours.
MAX_FILE_BYTES = 1 << 30


def read_checked(folder) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """Return the checks kept in `folder` (a trusted cache folder), key -> (asked, every, pickled bytes), and the
    record of the files (validate/checked.py's CheckedEntries takes both); both empty when there is no file
    sealed by this machine's key, or it cannot be read."""
    key = machine_key(key_path())
    if key is None:
        return {}, {}
    data = read_own_file(os.path.join(folder, FILE_NAME), MAX_FILE_BYTES)
    if data is None:
        return {}, {}
    head = len(SEAL) + hashlib.sha256().digest_size
    if not data.startswith(SEAL):
        return {}, {}
    body = memoryview(data)[head:]
    if not hmac.compare_digest(data[len(SEAL):head], _seal(key, body)):
        return {}, {}
    try:
        # marshal: plain data (dicts, tuples, strings, bytes) only; the checks stay pickled until asked for.
        entries, stats = marshal.loads(body)
    except (ValueError, TypeError, EOFError):
        return {}, {}
    if not (isinstance(entries, dict) and isinstance(stats, dict)):
        return {}, {}
    return entries, stats


def write_checked(folder, entries: dict[str, tuple], stats: dict[str, tuple]) -> None:
    """Keep the checks `entries` (key -> (asked, every, pickled bytes)) and the files' record `stats` in `folder`,
    sealed, atomically; a file that cannot be written is simply not kept."""
    key = machine_key(key_path())
    if key is None:
        return
    body = marshal.dumps((entries, stats))
    try:
        replace_file(Path(folder) / FILE_NAME, SEAL + _seal(key, body) + body)
    except OSError:
        pass


def _seal(key: bytes, body) -> bytes:
    # marshal's format is Python's own: a file written by another Python is not this one's to decode.
    sealing = hmac.new(key, KIND + b"\0" + sys.version.encode() + b"\0", hashlib.sha256)
    sealing.update(body)
    return sealing.digest()
