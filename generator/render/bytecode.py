"""Compiled templates kept between builds: Jinja's bytecode cache over a store of sealed files.

Compiling the theme's templates takes a few tenths of a second per language, so the
compiled code is kept between builds.  Jinja's own FileSystemBytecodeCache unpickles
its files before it checks anything, and the cache folder is inside a tree that others
write: a planted file would run code.  Here the files are kept by a store that the
pipeline hands in (write/template_cache.py: each file sealed with a key only this
machine's user holds, and given back only when the seal matches); no pickle is used,
and the code is unmarshalled only from bytes the store vouches for, and only when
they were compiled by this Jinja and Python from this very source.  Rendering itself
never opens a file of the cache.

Which store keeps a template is the pipeline's choice, by its source file (CompiledStores:
the installed default theme's in this user's store, shared by every site, the site's own
templates in the site's).  A store shared by every installed generator of the user must
never give one's code to another, so a kept template's name holds, beyond its name, file and
language (the catalog), Jinja's version and what compiled it (_kind); the generator's own
digest names the folder of that store (write/template_cache.py: theme_store).
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path
from typing import Protocol

from jinja2 import __version__ as jinja_version
from jinja2.bccache import Bucket, BytecodeCache, bc_magic

from generator.render.folding import catalog_fingerprint


class CompiledStore(Protocol):
    """Where compiled templates are kept: bytes by name and kind, given back only if this machine kept them."""

    def read(self, name: str, kind: bytes) -> bytes | None:
        """Return the bytes kept under `name` for `kind`, or None."""

    def write(self, name: str, kind: bytes, body: bytes) -> None:
        """Keep `body` under `name` for `kind` (or silently not, when it cannot be kept)."""

    def clear(self) -> None:
        """Forget everything kept."""


class CompiledStores(Protocol):
    """Which CompiledStore keeps each template, by the file it was read from (write/template_cache.py:
    TemplateStores)."""

    def store_for(self, filename: str | None) -> CompiledStore | None:
        """Return the store of the template read from `filename`, or None when it is compiled in memory."""


class _Everywhere:
    """One store for every template."""

    def __init__(self, store: CompiledStore):
        self.store = store

    def store_for(self, filename: str | None) -> CompiledStore:
        """Return the one store, whatever `filename`."""
        return self.store


class StoredBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache in CompiledStores (for a language's environment, keyed by its
    catalog: see folding.catalog_fingerprint)."""

    def __init__(self, stores: CompiledStores, salt: str = ""):
        self.stores = stores
        self.salt = salt
        self._store_of: dict[str, CompiledStore] = {}     # by bucket key: where dump_bytecode keeps it

    def get_bucket(self, environment, name: str, filename: str | None, source: str) -> Bucket:
        """Return the bucket of a template (its name, file and source), filled from its store when kept there."""
        bucket = Bucket(environment, kept_name(self.salt, name, filename, _kind(environment)),
                        self.get_source_checksum(source))
        store = self.stores.store_for(filename)
        if store is not None:
            self._store_of[bucket.key] = store
            self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give the bucket its compiled code when its store holds it for this source."""
        store = self._store_of.get(bucket.key)
        body = None if store is None else store.read(bucket.key, _kind(bucket.environment))
        if body is None:
            return
        # Only bytes this machine kept from here on: the same Jinja and Python, and the same source.
        checksum = (bucket.checksum or "").encode()
        expected = bc_magic + len(checksum).to_bytes(4, "big") + checksum
        if body.startswith(expected):
            try:
                bucket.code = marshal.loads(body[len(expected):])
            except (EOFError, ValueError, TypeError):
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Hand the bucket's compiled code to its store, after Jinja's magic and the source's checksum."""
        store = self._store_of.get(bucket.key)
        if store is None:
            return
        checksum = (bucket.checksum or "").encode()
        body = bc_magic + len(checksum).to_bytes(4, "big") + checksum + marshal.dumps(bucket.code)
        store.write(bucket.key, _kind(bucket.environment), body)

    def clear(self) -> None:
        """Forget every compiled template the stores used by this cache keep."""
        for store in {id(store): store for store in self._store_of.values()}.values():
            store.clear()


def kept_name(salt: str, name: str, filename: str | None, kind: bytes) -> str:
    """Return the name a compiled template is kept under: a digest of the catalog's `salt`, the template's
    `name` and `filename`, Jinja's version and the `kind` of environment that compiled it (_kind)."""
    return hashlib.sha256(f"{salt}\0{name}\0{filename or ''}\0{jinja_version}\0".encode() + kind).hexdigest()


def _kind(environment) -> bytes:
    """Return what compiled the code: code compiled for the sandbox calls through its checks and code
    compiled without it does not, so the seal of one never opens the other; nor does code from one
    code generator open another's (render/frame.py: ThemeCodeGenerator.compiled_as), nor code that
    checks fewer operators (render/bounds.py) or was compiled by other code of ours (_compiler)."""
    env = environment
    sandboxed = b"sandboxed" if getattr(env, "sandboxed", False) else b"plain"
    return sandboxed + getattr(env.code_generator_class, "compiled_as", b"") + _compiler(
        type(env), env.code_generator_class, frozenset(getattr(env, "intercepted_binops", ())),
        frozenset(getattr(env, "intercepted_unops", ())))


@lru_cache(maxsize=16)
def _compiler(environment: type, generator: type, binops: frozenset, unops: frozenset) -> bytes:
    """Return a digest of what decides the code a template compiles to, beyond Jinja's own version (in
    bc_magic): the operators the sandbox intercepts and the source of every module of ours among the
    environment's and the code generator's classes, so that an edit of those never loads code
    compiled before it (a `*` left unchecked, a value printed by an escape of old)."""
    digest = hashlib.sha256(repr((sorted(binops), sorted(unops))).encode())
    modules = {cls.__module__ for cls in environment.__mro__ + generator.__mro__}
    for name in sorted(modules - {"builtins"}):
        if name.split(".")[0] not in ("jinja2", "markupsafe"):
            file = getattr(sys.modules.get(name), "__file__", None)
            digest.update(name.encode() + b"\0" + (Path(file).read_bytes() if file else b"") + b"\0")
    return b"+" + digest.hexdigest().encode()


def bytecode_cache(compiled: CompiledStore | CompiledStores | None, translations: NullTranslations | None = None
                   ) -> StoredBytecodeCache | None:
    """Return the bytecode cache over `compiled` (one store for every template, or CompiledStores), keyed by
    `translations`' catalog when given; None without one."""
    if compiled is None:
        return None
    stores = compiled if hasattr(compiled, "store_for") else _Everywhere(compiled)
    return StoredBytecodeCache(stores, "" if translations is None else catalog_fingerprint(translations))
