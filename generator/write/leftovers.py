"""Working folders that say whether the run that made them is alive, and the removal of those that are not.

A build writes into a staging folder beside its output, and a server hook checks or
builds in a folder of the temporary directory. A run killed with SIGKILL (or by a
power cut) cannot remove its folder, and nothing else would: each such folder holds
a copy of a site, and a server that publishes often fills its disk with them.

So every working folder is held with an exclusive `flock` on the folder itself for
as long as its run lives. The kernel drops the lock when the last process holding
the descriptor ends, however it ends (a build's forked workers hold it too), so a
folder whose lock can be taken belongs to nobody, and the next run removes it. A
process id would do the same job worse: ids are reused, and a lock needs no file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


class HeldFolder:
    """A working folder and the descriptor whose lock says that its run is alive."""

    def __init__(self, path: str, descriptor: int):
        self.path = path
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        """Drop the lock (the folder is renamed into place or removed by the caller)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def remove(self) -> None:
        """Remove the folder and drop the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.release()


def hold_new_folder(parent: str | Path, prefix: str) -> HeldFolder:
    """Make a new folder `parent/<prefix>XXXXXXXX` and lock it for the life of this run; return it.

    Between the folder's creation and its lock, another run may find it unlocked and
    remove it; the lock is therefore taken blocking (that run removes it while it holds
    the lock) and the folder is made again if what is locked is no longer at its path.
    """
    while True:
        path = os.path.realpath(tempfile.mkdtemp(prefix=prefix, dir=parent))
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            same = os.path.samestat(os.fstat(descriptor), os.lstat(path))
        except FileNotFoundError:
            same = False
        if same:
            return HeldFolder(path, descriptor)
        os.close(descriptor)


def remove_leftovers(parent: str | Path, prefix: str) -> list[str]:
    """Remove the folders `parent/<prefix>*` that no living run holds; return the names of those removed.

    Folders this user cannot open (another account's, in a shared temporary directory)
    are left alone, as are files and links that merely match the name.
    """
    removed = []
    try:
        names = sorted(name for name in os.listdir(parent) if name.startswith(prefix))
    except OSError:
        return removed
    for name in names:
        path = os.path.join(parent, name)
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            if os.fstat(descriptor).st_uid != os.getuid():
                continue
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue                    # its run is alive
            # Removed while locked: a run that made this very folder a moment ago and waits for
            # its lock sees the folder gone, and makes another one.
            shutil.rmtree(path, ignore_errors=True)
            removed.append(name)
        finally:
            os.close(descriptor)
    return removed


@contextmanager
def working_folder(prefix: str):
    """Yield a new folder in the temporary directory for one check or build, removed afterwards.

    Folders of earlier runs that were killed (whose lock nobody holds) are removed first.
    """
    parent = tempfile.gettempdir()
    remove_leftovers(parent, prefix)
    held = hold_new_folder(parent, prefix)
    try:
        yield Path(held.path)
    finally:
        held.remove()
