"""Folders reached by descriptors, each opened from the one above without following a link.

An incremental build checks the live output before it changes anything, then renames its files into
place and removes the retired ones (write/staging.py: Staging.commit_in_place); the probe checks the
site before it measures, then appends its rows for seconds afterwards (probe/csv_file.py).  A folder
replaced by a link in between (a hand edit, a push landing meanwhile) would take those writes and
removals wherever it leads; through descriptors, each folder opened from its parent's without
following a link, it is refused instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class LiveFolders:
    """Descriptors of the folders under `root`, each opened from its parent's without following a link.

    `follow_root`: `root` itself may be a link (the site folder the operator names); `durable`: a folder
    made is made durable (its parent synced), as the probe's history must be.
    """

    def __init__(self, root: str, durable: bool = False, follow_root: bool = False):
        self._durable = durable
        self._open = {"": os.open(root, _FOLDER if follow_root else _FOLDER | os.O_NOFOLLOW)}

    def get(self, folder: str, make: bool = False) -> int:
        """Return a folder's descriptor (made when `make` and missing); OSError when it is a link (ELOOP) or a
        file, whose filename is the path (under `root`) of the folder, or link, that could not be opened."""
        if folder not in self._open:
            parent, _, name = folder.rpartition("/")
            above = self.get(parent, make)
            if make:
                try:
                    os.mkdir(name, dir_fd=above)
                    if self._durable:
                        os.fsync(above)
                except FileExistsError:
                    pass        # there already, or made by another process between our look and our mkdir
            try:
                self._open[folder] = _open_folder(name, above)
            except OSError as error:
                error.filename = folder     # the whole path, so that a message can name the link
                raise
        return self._open[folder]

    def close(self) -> None:
        """Close every descriptor."""
        for descriptor in self._open.values():
            with contextlib.suppress(OSError):
                os.close(descriptor)


def _open_folder(name: str, parent: int) -> int:
    try:
        return os.open(name, _FOLDER | os.O_NOFOLLOW, dir_fd=parent)
    except NotADirectoryError:
        # O_DIRECTORY answers a link with "not a directory": say what it is (the messages' hints differ).
        try:
            is_link = stat.S_ISLNK(os.lstat(name, dir_fd=parent).st_mode)
        except OSError:
            is_link = False
        if is_link:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), name) from None
        raise
