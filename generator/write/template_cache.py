"""The files of compiled templates kept between builds, sealed with a key that only this machine's user holds.

Compiling the theme's templates takes a few tenths of a second per language, so
render/bytecode.py keeps the compiled code: a site's own templates in the site's
`.expediente-cache/templates/`, the installed default theme's in this user's
`$XDG_CACHE_HOME/expediente/theme-templates/` (theme_store: the same for every site, as
Python keeps its own .pyc files; a folder per generator, the newest few kept).
That folder is inside a tree that others write (a commit can carry it), so a file
there is given back only when its HMAC-SHA256, under a 32-byte key kept outside
every site (`$XDG_CACHE_HOME/expediente/bytecode-key`, `~/.cache/...` when unset,
mode 0600), matches what it holds and the name it was asked by; anything else (no
key, a bad seal, a file too large to be ours) is as if there were no file, and the
template is compiled again.  What the bytes mean is render/bytecode.py's business;
this module only seals, writes, checks and reads them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.own_files import read_own_file
from generator.write.new_files import replace_file

KEY_FILE = Path("expediente") / "bytecode-key"
THEME_FOLDER = "theme-templates"       # beside the key
# Generators (versions, virtual environments) whose compiled default theme is kept: a user who
# switches between a few keeps each warm; a folder beyond these is removed when a new one is made.
KEPT_GENERATORS = 4
# One generator's folder holds its templates once per language, kind and install path (a few dozen);
# more means many throw-away installs with one code, and the folder is emptied.
MAX_THEME_FILES = 1000
KEY_BYTES = 32
SEAL = b"expediente-sealed-bytecode-1\n"
SUFFIX = ".sealed"
# A compiled template is tens of kilobytes; a larger file is not ours.
MAX_FILE_BYTES = 8_000_000


def key_path() -> Path:
    """Return where this user's key is kept: under $XDG_CACHE_HOME, or ~/.cache when it is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / KEY_FILE


@lru_cache(maxsize=4)
def machine_key(path: Path) -> bytes | None:
    """Return the key kept at `path`, made on first use; None when none can be trusted or made."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(KEY_BYTES))
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(handle, "rb") as stream:
            status = os.fstat(stream.fileno())
            key = stream.read(KEY_BYTES + 1)
    except OSError:
        return None
    # Only a key that no one else could have written or read is a key.
    if (not stat.S_ISREG(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o077
            or len(key) != KEY_BYTES):
        return None
    return key


@dataclass(frozen=True, slots=True)
class SealedFiles:
    """A folder of files each sealed with the machine key, by name (a hexadecimal digest) and kind.

    The seal covers the kind, the name and the bytes, so that a file is never given back
    under another name, nor for another kind of reader (render/bytecode.py keeps code
    compiled for the sandbox apart from code compiled without it).
    """

    folder: Path
    key: bytes

    def read(self, name: str, kind: bytes) -> bytes | None:
        """Return the bytes kept under `name` for `kind`, or None when there are none sealed by this machine."""
        data = read_own_file(self._path(name), MAX_FILE_BYTES)
        head = len(SEAL) + hashlib.sha256().digest_size
        if data is None or not data.startswith(SEAL):
            return None
        seal, body = data[len(SEAL):head], data[head:]
        if not hmac.compare_digest(seal, self._seal(name, kind, body)):
            return None
        return body

    def write(self, name: str, kind: bytes, body: bytes) -> None:
        """Keep `body` under `name` for `kind`, sealed, atomically; a file that cannot be written is not kept."""
        # A folder removed meanwhile (another generator's build keeps the newest few) is not made again: the file
        # would make it with the umask's modes, not private (theme_store makes it 0700 and checks it).
        if not os.path.isdir(self.folder):
            return
        try:
            replace_file(self._path(name), SEAL + self._seal(name, kind, body) + body)
        except OSError:
            pass

    def clear(self) -> None:
        """Remove every sealed file in the folder."""
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                path.unlink()
            except OSError:
                pass

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}{SUFFIX}"

    def _seal(self, name: str, kind: bytes, body: bytes) -> bytes:
        return hmac.new(self.key, kind + b"\0" + name.encode() + b"\0" + body, hashlib.sha256).digest()


def sealed_files(folder: Path) -> SealedFiles | None:
    """Return the sealed files of `folder`, made if need be, or None when the folder or this
    machine's key cannot be had (or the folder is a link): templates are then compiled in memory."""
    key = machine_key(key_path())
    if key is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if folder.is_symlink() or not folder.is_dir():
        return None
    return SealedFiles(folder, key)


def theme_store(generator: str) -> SealedFiles | None:
    """Return this user's sealed files for the default theme compiled by `generator` (read.cache.code_digest:
    its code, version, Python and libraries), in a folder of its own under theme-templates/ beside the key;
    None when the key or a private folder cannot be had: the theme is then compiled as a site's templates are."""
    key = machine_key(key_path())
    if key is None:
        return None
    root = key_path().parent / THEME_FOLDER
    folder = root / hashlib.blake2b(generator.encode(), digest_size=16).hexdigest()
    if not _private_folder(root):
        return None
    made = not os.path.lexists(folder)
    if not _private_folder(folder):
        return None
    try:
        if made:
            _keep_newest(root, folder)
        else:
            os.utime(folder)     # used now: what _keep_newest keeps
            if len(os.listdir(folder)) > MAX_THEME_FILES:
                SealedFiles(folder, key).clear()
    except OSError:
        pass
    return SealedFiles(folder, key)


def _private_folder(folder: Path) -> bool:
    """Make `folder` (0700) unless it exists; return whether it is a folder, not a link, of this user, that no one
    else may write (as machine_key asks of the key): another's folder would let them choose what is there."""
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    try:
        status = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid() and not status.st_mode & 0o022


def _keep_newest(root: Path, made: Path) -> None:
    """Remove the generators' folders in `root` beyond the KEPT_GENERATORS - 1 last used and `made`."""
    others = []
    for entry in os.scandir(root):
        if entry.name != made.name and entry.is_dir(follow_symlinks=False):
            others.append((entry.stat(follow_symlinks=False).st_mtime, entry.name))
    for _, name in sorted(others, reverse=True)[KEPT_GENERATORS - 1:]:
        shutil.rmtree(root / name, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class TemplateStores:
    """Where each compiled template is kept, by its source file: the default theme's (under `theme_dir`) in
    `theme` when this user's store can be had, every other (the site's own) in `site`."""

    site: SealedFiles | None
    theme: SealedFiles | None
    theme_dir: str

    def store_for(self, filename: str | None) -> SealedFiles | None:
        """Return the store of the template read from `filename`, or None when it is compiled in memory."""
        # The file's real path: a site named through the theme's folder (`<theme>/../../site`) has file names
        # that start with the theme's, and its own templates must never be kept in the user's store.
        if self.theme is not None and filename is not None and os.path.realpath(filename).startswith(self.theme_dir):
            return self.theme
        return self.site


def template_stores(site_folder: Path | None, theme_dir: Path, generator: str,
                    site_dir: Path | None = None) -> TemplateStores:
    """Return where a build keeps compiled templates: the site's `site_folder` (None when the site's cache is not
    trusted), and for the default theme at `theme_dir` this user's store for `generator` (theme_store), which
    is outside the site and so used whether or not the site's cache is trusted; not when the user's key lies
    inside `site_dir` (XDG_CACHE_HOME pointing into the site): whoever pushes to it could have chosen the key."""
    theme = None if _inside(key_path().parent, site_dir) else theme_store(generator)
    return TemplateStores(None if site_folder is None else sealed_files(site_folder), theme,
                          os.path.join(os.path.realpath(theme_dir), ""))


def _inside(path: Path, folder: Path | None) -> bool:
    """Tell whether `path` is `folder` or lies within it, both taken by their real paths (False without `folder`)."""
    if folder is None:
        return False
    real = os.path.realpath(folder)
    found = os.path.realpath(path)
    return found == real or found.startswith(os.path.join(real, ""))
