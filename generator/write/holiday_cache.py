"""The holidays package's answers kept between builds (schedule/holiday_answers.py): one small file, sealed.

The answers name the public holidays every calendar and hours page shows, so a file planted in the
cache folder must not change them: like the kept checks (notice_cache.py), the file is given back only
when its HMAC-SHA256 under this user's key (template_cache.py) matches, and it is plain data (marshal
of tuples, strings, numbers), never code.  Only files this module sealed are read; the pipeline asks
only of a trusted cache folder (read/cache.py: cache_trust).
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

FILE_NAME = "holiday-answers.sealed"
SEAL = b"expediente-sealed-holiday-answers-1\n"
KIND = b"holiday-answers"
# A country's holidays over four years in three languages are a few kilobytes; a file past this is not ours.
MAX_FILE_BYTES = 1 << 22


def read_holiday_answers(folder) -> dict | None:
    """Return the answers kept in `folder` (a trusted cache folder), as holiday_answers.HolidayAnswers takes them;
    None when there is no file sealed by this machine's key, or it cannot be read."""
    key = machine_key(key_path())
    if key is None:
        return None
    data = read_own_file(os.path.join(folder, FILE_NAME), MAX_FILE_BYTES)
    head = len(SEAL) + hashlib.sha256().digest_size
    if data is None or not data.startswith(SEAL):
        return None
    body = memoryview(data)[head:]
    if not hmac.compare_digest(data[len(SEAL):head], _seal(key, body)):
        return None
    try:
        kept = marshal.loads(body)
    except (ValueError, TypeError, EOFError):
        return None
    return kept if isinstance(kept, dict) else None


def write_holiday_answers(folder, kept: dict) -> None:
    """Keep the answers `kept` (plain data: HolidayAnswers.to_keep) in `folder`, sealed, atomically; a file that
    cannot be written is simply not kept."""
    key = machine_key(key_path())
    if key is None:
        return
    body = marshal.dumps(kept)
    try:
        replace_file(Path(folder) / FILE_NAME, SEAL + _seal(key, body) + body)
    except (OSError, ValueError):
        pass


def _seal(key: bytes, body) -> bytes:
    # marshal's format is Python's own: a file written by another Python is not this one's to decode.
    sealing = hmac.new(key, KIND + b"\0" + sys.version.encode() + b"\0", hashlib.sha256)
    sealing.update(body)
    return sealing.digest()
