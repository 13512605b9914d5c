"""The live output's folders, reached by descriptors (write/staging.py: Staging.commit_in_place).

An incremental build checks the live output before it changes anything, then renames its files into
place and removes the retired ones.  A folder replaced by a link in between (a hand edit while the build
runs) would take those renames and removals wherever it leads; through descriptors, each folder opened
from its parent's without following a link, it is refused instead.
"""

from __future__ import annotations

import contextlib
import os


class LiveFolders:
    """Descriptors of the live output's folders, each opened from its parent's without following a link."""

    def __init__(self, root: str):
        self._open = {"": os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)}

    def get(self, folder: str, make: bool = False) -> int:
        """Return a folder's descriptor (made when `make` and missing); OSError when it is a link or a file."""
        if folder not in self._open:
            parent, _, name = folder.rpartition("/")
            above = self.get(parent, make)
            if make:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, dir_fd=above)
            self._open[folder] = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=above)
        return self._open[folder]

    def close(self) -> None:
        """Close every descriptor."""
        for descriptor in self._open.values():
            os.close(descriptor)
