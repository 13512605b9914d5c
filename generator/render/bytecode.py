"""Compiled templates kept between builds, sealed with a key that only this machine's user holds.

Compiling the theme's templates takes a few tenths of a second per language, so
the compiled code is kept in the site's `.expediente-cache/templates/`.  That
folder is inside a tree that others write (a commit can carry it), and Jinja's
own FileSystemBytecodeCache unpickles its files before it checks anything: a
planted file would run code.  Here a file is loaded only when its HMAC-SHA256,
under a 32-byte key kept outside every site (`$XDG_CACHE_HOME/expediente/
bytecode-key`, `~/.cache/...` when unset, mode 0600), matches; no pickle is
used, and the code is unmarshalled only after the seal is checked.  Anything
else (no key, a bad seal, a file from another Jinja or Python) is compiled again.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import secrets
import stat
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path

from jinja2.bccache import Bucket, BytecodeCache, bc_magic

from generator.render.folding import catalog_fingerprint

KEY_FILE = Path("expediente") / "bytecode-key"
KEY_BYTES = 32
SEAL = b"expediente-sealed-bytecode-1\n"
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


class SealedBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache in a folder, each file sealed with the machine key (and, for a
    language's environment, keyed by its catalog: see folding.catalog_fingerprint)."""

    def __init__(self, folder: Path, key: bytes, salt: str = ""):
        self.folder = folder
        self.key = key
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Return the file name's stem of a template's compiled code: its name, file and catalog."""
        return hashlib.sha256(f"{self.salt}\0{name}\0{filename or ''}".encode()).hexdigest()

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.sealed"

    def _seal(self, bucket: Bucket, body: bytes) -> bytes:
        # Code compiled for the sandbox calls through its checks; code compiled without it does
        # not, so the seal of one never opens the other.
        kind = b"sandboxed" if getattr(bucket.environment, "sandboxed", False) else b"plain"
        return hmac.new(self.key, kind + b"\0" + bucket.key.encode() + b"\0" + body, hashlib.sha256).digest()

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give the bucket its compiled code when a file sealed by this machine holds it for this source."""
        try:
            handle = os.open(self._path(bucket), os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(handle, "rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        except OSError:
            return
        head = len(SEAL) + hashlib.sha256().digest_size
        if len(data) > MAX_FILE_BYTES or not data.startswith(SEAL):
            return
        seal, body = data[len(SEAL):head], data[head:]
        if not hmac.compare_digest(seal, self._seal(bucket, body)):
            return
        # Only our own bytes from here on: the same Jinja and Python, and the same source.
        checksum = (bucket.checksum or "").encode()
        expected = bc_magic + len(checksum).to_bytes(4, "big") + checksum
        if body.startswith(expected):
            try:
                bucket.code = marshal.loads(body[len(expected):])
            except (EOFError, ValueError, TypeError):
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Write the bucket's compiled code, sealed, atomically; a cache that cannot be written is not kept."""
        checksum = (bucket.checksum or "").encode()
        body = bc_magic + len(checksum).to_bytes(4, "big") + checksum + marshal.dumps(bucket.code)
        path = self._path(bucket)
        temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(handle, "wb") as stream:
                stream.write(SEAL + self._seal(bucket, body) + body)
            os.replace(temp, path)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass

    def clear(self) -> None:
        """Remove every sealed file in the folder."""
        for path in self.folder.glob("*.sealed"):
            try:
                path.unlink()
            except OSError:
                pass


def sealed_bytecode_cache(folder: Path, translations: NullTranslations | None = None) -> SealedBytecodeCache | None:
    """Return the sealed cache of compiled templates in `folder` (keyed by `translations`' catalog when
    given), or None when the folder or this machine's key cannot be had: templates are then compiled
    in memory."""
    key = machine_key(key_path())
    if key is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if folder.is_symlink() or not folder.is_dir():
        return None
    return SealedBytecodeCache(folder, key, "" if translations is None else catalog_fingerprint(translations))
