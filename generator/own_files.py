"""Reading a file this machine's user wrote into a folder others may also write (a cache inside a site).

A name there may have been planted: a link (not followed at the last step), a FIFO (never
waited on), a file of 10 GB (its size is looked at before a byte is read).  read/ and write/
both read such files (the notices' git record; the sealed caches), so the one way lives here.
"""

from __future__ import annotations

import os
import stat


def read_own_file(path, most: int) -> bytes | None:
    """Return the bytes of the regular file at `path` (a link at its last step is not followed), or None when it
    is not one, holds more than `most` bytes, or cannot be read."""
    # O_NONBLOCK: opening a FIFO planted under the name would otherwise wait for a writer for ever;
    # its size is looked at before anything is read, so a file of 10 GB costs one fstat, not 1 GB of memory.
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode) or status.st_size > most:
            return None
        chunks, left = [], most + 1
        while left > 0 and (chunk := os.read(handle, min(left, 1 << 24))):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(handle)
    data = b"".join(chunks)
    return data if len(data) <= most else None
