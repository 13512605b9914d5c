"""The checked notices kept between builds: one file, sealed with this machine's key, and its form in memory.

Checking a notice (reading its YAML, converting its Markdown, scanning its prose for
dates) is most of what loading a site costs, and a rebuild after one edit would
otherwise check every notice again.  Each check is kept under a key that covers
everything it read (validate/checked.py) with what it asked of the other notices,
all in `.expediente-cache/checked-notices.sealed`, but the pickled checks themselves, which are in segment
files beside it (`checked-segment-<digest>.sealed`, named by their contents, each sealed with its name), so that
a rebuild after one edit writes the index and one small segment, not the megabytes of checks it kept as
they were (at 10,000 notices, 11 MB rewritten: 30 ms of every such rebuild); what the build computed of
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

import fcntl
import hashlib
import hmac
import marshal
import os
import stat
import sys
from contextlib import contextmanager
from pathlib import Path

from generator.own_files import read_own_file
from generator.write.new_files import make_folder, replace_file
from generator.write.template_cache import key_path, machine_key

FILE_NAME = "checked-notices.sealed"
SEAL = b"expediente-sealed-checked-notices-3\n"
KIND = b"checked-notices"
SEGMENT_PREFIX = "checked-segment-"
SEGMENT_SUFFIX = ".sealed"
SEGMENT_KIND = b"checked-notices-segment:"      # sealed with the file's name after it: a segment under another's name is not taken
# The names replace_file gives its temporary files for the segments and the index.
LEFT_BY_KILLED = (f".{SEGMENT_PREFIX}", f".{FILE_NAME}.")
# What the build computed of each notice, beside the checks: some 200 bytes per notice.
DIGESTS_FILE_NAME = "notice-digests.sealed"
DIGESTS_KIND = b"notice-digests"
# Some 900 bytes per notice; a file past this is not ours.
MAX_FILE_BYTES = 1 << 30


def read_checked(folder) -> tuple[dict[str, tuple], dict[str, tuple], list[bytes]]:
    """Return the checks kept in `folder` (a trusted cache folder), key -> (asked, every, segment, position), the
    record of the files, and the segments, each a pickled tuple of checks (validate/checked.py's CheckedEntries
    takes all three); all empty when there is no file sealed by this machine's key, or it cannot be read."""
    # Shared: a build writing the checks at the same time (write_checked) removes the segments its index no longer
    # names, which may be those of the index read here.
    with _locked(folder, fcntl.LOCK_SH):
        return _read_checked(folder)


def _read_checked(folder) -> tuple[dict[str, tuple], dict[str, tuple], list[bytes]]:
    """read_checked, the folder locked."""
    # marshal: plain data (dicts, tuples, strings, bytes) only; the checks stay pickled until asked for.
    kept = _read_sealed(folder, FILE_NAME, KIND)
    if not (isinstance(kept, tuple) and len(kept) == 3):
        return {}, {}, []
    entries, stats, names = kept
    if not (isinstance(entries, dict) and isinstance(stats, dict) and isinstance(names, list)
            and all(isinstance(name, str) and _is_segment_name(name) for name in names)):
        return {}, {}, []
    segments = []
    for name in names:
        segment = _read_sealed_bytes(folder, name, SEGMENT_KIND + name.encode())
        if segment is None:
            # Missing or damaged: every notice is checked again, and the file is made anew (write_checked
            # keeps a segment file that is already there under its name).
            _remove(folder, name)
            return {}, {}, []
        segments.append(bytes(segment))
    return entries, stats, segments


def write_checked(folder, entries: dict[str, tuple], stats: dict[str, tuple], segments: list[bytes]) -> None:
    """Keep the checks `entries` (key -> (asked, every, segment, position)), the files' record `stats` and the
    `segments` in `folder`, sealed, atomically; a file that cannot be written is simply not kept.

    A segment whose file is already there (same name, so the same bytes, and the size they make) is not
    written again; segment files the index no longer names are removed, after it is written.  When a segment or
    the index cannot be written (a full disk), what was kept before is left whole; the folder is locked meanwhile
    against other builds' read_checked and write_checked."""
    names = [f"{SEGMENT_PREFIX}{hashlib.sha256(segment).hexdigest()[:40]}{SEGMENT_SUFFIX}" for segment in segments]
    try:
        make_folder(Path(folder))
    except OSError:
        return
    # Exclusive: another build's load reading the index and then its segments (read_checked) must not find one
    # removed in between, nor another build's sweep below remove a segment written here before the index naming it.
    with _locked(folder, fcntl.LOCK_EX):
        _write_checked(folder, entries, stats, segments, names)


def _write_checked(folder, entries: dict[str, tuple], stats: dict[str, tuple], segments: list[bytes],
                   names: list[str]) -> None:
    """write_checked, the folder locked; `names` are the segments' file names."""
    for name, segment in zip(names, segments):
        if not _segment_there(folder, name, len(segment)) and \
                not _write_sealed_bytes(folder, name, SEGMENT_KIND + name.encode(), segment):
            # Not written (a full disk): the index kept before, and every segment it names, stay as they were.
            return
    if not _write_sealed(folder, FILE_NAME, KIND, (entries, stats, names)):
        return          # the index kept before still names its segments
    try:
        # With them, what a build killed while writing a segment or the index left (replace_file's temporary
        # files): no other build is writing one while the lock is held here.
        stale = [name for name in os.listdir(folder) if _is_segment_name(name) and name not in names
                 or name.startswith(LEFT_BY_KILLED) and name.endswith(".tmp")]
    except OSError:
        stale = []
    for name in stale:
        _remove(folder, name)


def _segment_there(folder, name: str, size: int) -> bool:
    """Tell whether `folder` holds a regular file `name` of the size a sealed segment of `size` bytes makes."""
    try:
        there = os.lstat(os.path.join(folder, name))
    except OSError:
        return False
    return stat.S_ISREG(there.st_mode) and there.st_size == _sealed_size(size)


@contextmanager
def _locked(folder, how: int):
    """Hold the lock `how` (fcntl.LOCK_SH or LOCK_EX) on `folder` itself while the block runs: no lock file is
    made; without a lock (no folder yet, a file system that has none) the block runs all the same."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        handle = None
    try:
        if handle is not None:
            try:
                fcntl.flock(handle, how)
            except OSError:
                pass
        yield
    finally:
        if handle is not None:
            os.close(handle)


def _is_segment_name(name: str) -> bool:
    """Tell whether `name` is a segment file's name (no path: only ever a name inside the cache folder)."""
    digest = name[len(SEGMENT_PREFIX):-len(SEGMENT_SUFFIX)]
    return (name.startswith(SEGMENT_PREFIX) and name.endswith(SEGMENT_SUFFIX) and len(digest) == 40
            and all(char in "0123456789abcdef" for char in digest))


def _remove(folder, name: str) -> None:
    """Remove the file `name` from `folder` (a link itself, never what it points to), if it can be."""
    try:
        os.unlink(os.path.join(folder, name))
    except OSError:
        pass


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
    body = _read_sealed_bytes(folder, name, kind)
    if body is None:
        return None
    try:
        return marshal.loads(body)
    except (ValueError, TypeError, EOFError):
        return None


def _read_sealed_bytes(folder, name: str, kind: bytes) -> memoryview | None:
    """Return the bytes `folder`/`name` holds, when they are sealed by this machine's key as `kind`; else None."""
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
    return body


def _write_sealed(folder, name: str, kind: bytes, value: object) -> bool:
    """Write `value` (plain data) marshalled into `folder`/`name`, sealed as `kind`; return whether it was written."""
    return _write_sealed_bytes(folder, name, kind, marshal.dumps(value))


def _write_sealed_bytes(folder, name: str, kind: bytes, body: bytes) -> bool:
    """Write `body` into `folder`/`name`, sealed as `kind`; return whether it was written."""
    key = machine_key(key_path())
    if key is None:
        return False
    try:
        replace_file(Path(folder) / name, SEAL + _seal(key, kind, body) + body)
    except OSError:
        return False
    return True


def _sealed_size(size: int) -> int:
    """Return the size of the sealed file of a body of `size` bytes."""
    return len(SEAL) + hashlib.sha256().digest_size + size


def _seal(key: bytes, kind: bytes, body) -> bytes:
    # marshal's format is Python's own: a file written by another Python is not this one's to decode.
    # The kind is sealed too: one file's contents copied into the other's name are not taken for it.
    sealing = hmac.new(key, kind + b"\0" + sys.version.encode() + b"\0", hashlib.sha256)
    sealing.update(body)
    return sealing.digest()
