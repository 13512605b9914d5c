"""The two steps of a full build's swap beneath write/staging.py's `swap_in`: two folders made to trade
names in one step (`exchange`), and the tree that was replaced removed afterwards (`remove_later`).

`exchange` is `renameat2(..., RENAME_EXCHANGE)`, Linux's rename that swaps two names
at once: glibc 2.28 and later export it, and the standard library does not wrap it,
so it is called through ctypes, imported only when a full build replaces an output
(2 ms of such a build, `python -X importtime`; an up-to-date build never pays it).
staging.swap_in says why the output needs it.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import threading
from pathlib import Path

# From <fcntl.h> and <linux/fs.h>: the current directory as a directory descriptor, and the exchange flag.
AT_FDCWD = -100
RENAME_EXCHANGE = 2
# What renameat2 answers where the file system cannot exchange two names (EINVAL, ENOTSUP), or the
# kernel lacks the call (glibc answers ENOSYS for it): then the caller renames twice, as before.
CANNOT_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}
_found: dict[str, object] = {}      # the C function and ctypes' errno reader, looked up once


def _renameat2():
    """Return (renameat2, get_errno) from the C library, or None where there is none (not Linux, old glibc)."""
    if "renameat2" not in _found:
        found = None
        if sys.platform.startswith("linux"):
            import ctypes

            function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
            if function is not None:
                function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
                function.restype = ctypes.c_int
                found = (function, ctypes.get_errno)
        _found["renameat2"] = found
    return _found["renameat2"]


def exchange(first: Path, second: Path) -> bool:
    """Make the existing `first` and `second` trade names in one step; return False where this system cannot
    (nothing has changed then). Any other failure raises the OSError a rename would, nothing changed either."""
    found = _renameat2()
    if found is None:
        return False
    function, get_errno = found
    if function(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    number = get_errno()
    if number in CANNOT_EXCHANGE:
        return False
    raise OSError(number, os.strerror(number), str(first), None, str(second))


def remove_later(folder: Path) -> None:
    """Remove a retired output tree in a detached process, so that the build ends without waiting for it.

    The new output is live already; deleting thousands of files of the old one can
    take a second, which a `git push` to a server hook would otherwise wait for.
    The remover is a grandchild that holds none of this process's files (a caller
    reading this process's output to its end is not kept waiting); it is removed
    here instead when forking is not safe or not possible.
    """
    # A fork copies only the calling thread: a lock another thread holds would stay locked in the child.
    if not (sys.platform.startswith("linux") and threading.active_count() == 1):
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        pid = os.fork()
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    if pid == 0:
        try:
            try:
                grandchild = os.fork()
            except OSError:
                grandchild = -1                 # no second fork: remove it here, while the caller waits
            if grandchild == 0:
                os.setsid()
                null = os.open(os.devnull, os.O_RDWR)
                for descriptor in (0, 1, 2):
                    os.dup2(null, descriptor)
                os.closerange(3, 1 << 16)
            if grandchild <= 0:
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
