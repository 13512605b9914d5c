"""The files the commands create beside a site's output: a new notice or starter file, a git hook, the
preview's temporary folder.

Each is created here so that write/ stays the one room that creates files: the commands decide what
to write and what to say, and call these to do it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# O_EXCL alone already refuses any existing name, a symbolic link (even to nothing) included;
# O_NOFOLLOW says so a second time, where the platform has it.
_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def create_new_file(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines as written) into a new file at `path`, making its folders first.

    Raise FileExistsError when anything, a symbolic link included, has the name already: a file is never
    overwritten, even when two runs race for the same name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, _CREATE_NEW, 0o666)
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


def replace_file(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Put `data` at `path` whole, with permissions `mode` (a new temporary file beside it, then a rename), making
    its folders first; raise OSError when it cannot be written (the temporary file is then removed)."""
    # mkstemp opens a name no one chose in advance, with O_EXCL and O_NOFOLLOW: a link or a hard link planted
    # where a temporary file was expected (a name made of the process id) is never written through.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def make_folder(path: Path) -> None:
    """Make the folder `path` and its parents, unless it exists."""
    path.mkdir(parents=True, exist_ok=True)


def keep_aside(path: Path, kept: Path) -> None:
    """Move the file (or link) `path` to `kept`, replacing whatever `kept` was."""
    os.replace(path, kept)


def replace_script(path: Path, text: str) -> None:
    """Put an executable script (mode 755) holding `text` at `path`, in one step: its folder is made first,
    and a reader sees either the old file or the whole new one, never half of it."""
    replace_file(path, text.encode("utf-8"), 0o755)


def make_preview_folder() -> Path:
    """Make and return a new, private folder in the temporary directory for a preview's builds."""
    return Path(tempfile.mkdtemp(prefix="expediente-preview-"))


def remove_preview_folder(root: Path) -> None:
    """Remove a preview's folder and everything in it; what cannot be removed is left."""
    shutil.rmtree(root, ignore_errors=True)
