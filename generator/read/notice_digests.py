"""Digests that say whether a notice's check can be reused: of each notice file's bytes, and of the generator's code.

A file's digest is of its path and its bytes.  Reading ten thousand notices to hash
them costs more than looking at their sizes and times, so a digest made before is
taken back when the file's size, modification and change times and inode are those
recorded with it; a file whose times were within a few seconds of the recording is
hashed again (its time may not yet tell a second edit apart from the first: the
"racy" case git knows), and so is one whose change time moved (`touch -d` sets the
modification time, never the change time).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import zoneinfo
from functools import lru_cache

import babel
import markdown
import nh3
import yaml

from generator import __version__
from generator.read.cache import package_hashes
from generator.read.sources import MAX_SOURCE_BYTES, NoticeFile, file_digest

# What else the checks' results depend on: Markdown and nh3 make the bodies' HTML, PyYAML the nodes,
# Babel the prose scanner's names of days and months (each imported by the checks anyway).
LIBRARIES = (markdown, nh3, yaml, babel)
# A recorded file time this close to the recording is not trusted to tell one edit from the next.
RACY_NS = 3_000_000_000


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Return a digest of the generator's version, its Python modules' bytes, Python's version and the versions
    of the libraries the checks use: a change to any of them makes every kept check stale."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    for library in LIBRARIES:
        # Their own attribute, not importlib.metadata: that reads every installed package's metadata.
        digest.update(f"{library.__name__}={getattr(library, '__version__', '?')}\0".encode())
    # The package read once for this and read/cache.py's code digest (package_hashes); the modules alone count
    # here: a catalog or the starter site changes no check.
    for path, file_hash in package_hashes():
        if path.endswith(".py"):
            digest.update(path.encode() + b"\0")
            digest.update(bytes.fromhex(file_hash) if file_hash != "unreadable" else b"unreadable")
    return digest.hexdigest()


def zone_digest(zone: str) -> str:
    """Return a digest of the time zone database's rules for `zone`, read where zoneinfo reads them (its TZPATH,
    then the tzdata package); "" when there are none: a tzdata update changes a check's offsets and messages."""
    parts = zone.split("/")
    if zone.startswith("/") or ".." in parts or "" in parts:
        return ""
    for folder in zoneinfo.TZPATH:
        try:
            with open(os.path.join(folder, *parts), "rb") as handle:
                return hashlib.sha256(handle.read(1 << 20)).hexdigest()
        except OSError:
            continue
    # Only when the system has no zone files: importlib.resources (and tempfile, zipfile) is not imported otherwise.
    from importlib import resources

    try:
        data = resources.files("tzdata.zoneinfo").joinpath(*parts).read_bytes()
    except (ImportError, OSError, ValueError):
        return ""
    return hashlib.sha256(data).hexdigest()


def notice_digests(files: tuple[NoticeFile, ...], known: dict[str, tuple]
                   ) -> tuple[dict[str, str], dict[str, tuple]]:
    """Return each file's digest by its path relative to the site ("" when it cannot be read), and the
    record to keep for next time: rel -> (size, mtime_ns, ctime_ns, inode, digest); `known` is that
    record from before."""
    digests: dict[str, str] = {}
    record: dict[str, tuple] = {}
    settled = time.time_ns() - RACY_NS
    for file in files:
        try:
            stat = os.stat(file.path)
        except OSError:
            digests[file.rel] = ""
            continue
        seen = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        before = known.get(file.rel)
        if before is not None and tuple(before[:4]) == seen:
            digest = before[4]
        elif stat.st_size > MAX_SOURCE_BYTES:
            digest = f"too large: {stat.st_size}"     # as read_notice_and_digest says it
        else:
            try:
                with open(file.path, "rb") as handle:
                    digest = file_digest(file.rel, handle.read())
            except OSError:
                digests[file.rel] = ""
                continue
        digests[file.rel] = digest
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < settled:
            record[file.rel] = (*seen, digest)
    return digests, record


def notice_stats(files: tuple[NoticeFile, ...]) -> dict[str, tuple]:
    """Return rel -> (size, mtime_ns, ctime_ns, inode) of each file whose times are old enough to be recorded (as
    notice_digests records them), for a load that takes each file's digest from its reading instead."""
    stats: dict[str, tuple] = {}
    settled = time.time_ns() - RACY_NS
    for file in files:
        try:
            stat = os.stat(file.path)
        except OSError:
            continue
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < settled:
            # Taken before the reading: a file saved in between has other times now, so its record will not match.
            stats[file.rel] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    return stats
