"""The build cache (`.expediente-cache/`, ignored by git), read: source fingerprints and output manifests.

A rebuild with nothing changed is answered from here without reading or rendering
anything; a rebuild after an edit rewrites only the output files whose bytes changed.
Hashes are of content; file sizes and modification times only decide whether a
file's stored hash can be trusted without reading it again.

Everything here is JSON, read as data: a manifest names output files, which are only
looked at inside the output folder.  A cache that came with the sources (committed
to git, so present in every clone, or a symbolic link leading elsewhere) is not this
machine's: `untrusted_cache` says so, and the build then neither reads nor writes it.
The cache is written by write/build_cache.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG

from generator import __version__
from generator.errors import WARNING, SourceError
from generator.read.links import SOURCE_FOLDERS

CACHE_DIR = ".expediente-cache"
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def cache_dir(site_dir: Path) -> Path:
    """Return the cache folder of a site."""
    return site_dir / CACHE_DIR


def cache_trust(site_dir: Path, cache_root: Path | None = None) -> tuple[bool, SourceError | None]:
    """Return whether the build may read and write its cache, and the warning about the site's own cache.

    A cache that came with the sources (untrusted_cache) is neither read nor written; one outside
    the tree (`cache_root`, as the server hooks pass) is the machine's own, whatever the tree holds.
    """
    untrusted = untrusted_cache(site_dir)
    return may_use_cache(untrusted, site_dir, cache_root), untrusted


def may_use_cache(untrusted: SourceError | None, site_dir: Path, cache_root: Path | None = None) -> bool:
    """Return cache_trust's answer from what untrusted_cache said of the site (git asked once, not per stage)."""
    return untrusted is None or (cache_root is not None and cache_root != cache_dir(site_dir))


# For a caller that has not asked untrusted_cache yet: asking runs git, some milliseconds of every build,
# so a command that asked already (commands/build.py: run_build) passes its answer on.
NOT_ASKED = object()


def untrusted_cache(site_dir: Path) -> SourceError | None:
    """Return a warning when the site's cache folder came from elsewhere (committed to git, or a
    symbolic link), None when it is absent or this machine's own."""
    folder = cache_dir(site_dir)
    if not os.path.lexists(folder):
        return None
    if os.path.islink(folder) or not os.path.isdir(folder):
        return SourceError(CACHE_DIR, 1, 1, f"{CACHE_DIR} is not a folder but a link or a file: the build cache "
                           "was neither read nor written", f"remove {CACHE_DIR}; the build makes its own", WARNING)
    try:
        # core.fsmonitor names a command that ls-files runs: a site folder that came with its own .git/config
        # (a tarball, a shared folder) would otherwise run it on every build.
        listed = subprocess.run(["git", "-c", "core.fsmonitor=false", "ls-files", "-z", "--", CACHE_DIR],
                                cwd=site_dir, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode == 0 and listed.stdout:
        first = listed.stdout.split(b"\0")[0].decode("utf-8", "replace")
        return SourceError(CACHE_DIR, 1, 1, f"the build cache is committed to the repository ({first}, ...): "
                           "a cache is never read from a commit, so it was neither read nor written",
                           f"git rm -r --cached {CACHE_DIR} && echo {CACHE_DIR}/ >> .gitignore", WARNING)
    return None


def _read_json(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as handle:
            value = json.load(handle)
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError, RecursionError):    # nested past the parser's depth: not one this tool wrote
        return {}


def _files(site_dir: Path, theme: Path) -> list[tuple[str, str]]:
    """Return every file a build may read, with a stable key, in sorted order (paths as strings:
    this runs before every build, the up-to-date ones included)."""
    found: list[tuple[str, str]] = []
    roots = [(name, os.path.join(site_dir, name)) for name in SOURCE_FOLDERS]
    roots += [("@theme", str(theme)), ("@generator", str(PACKAGE_DIR))]
    for label, root in roots:
        if os.path.isdir(root):
            # The theme loader reads any file under a theme's folder, dot-named ones too ('.parts/footer.html'):
            # those are followed; elsewhere dot-named files (an editor's) and temporary ones are no source.
            _list_into(found, root, f"{label}/", label in ("templates", "@theme"))
    return found


def _list_into(found: list[tuple[str, str]], folder: str, prefix: str, theme: bool) -> None:
    """Append to `found` the key and path of every file under `folder`: its files, then each subfolder's, in
    name order, as os.walk lists them (links to folders are not followed); one scandir per folder, no
    path joined in Python (0.03 s of os.walk at 10,000 notices)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    below = []
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if name != "__pycache__" and (theme or not name.startswith(".")) and not entry.is_symlink():
                below.append(entry)
        elif not (name.endswith(".pyc") or not theme and (name.endswith(".tmp") or name.startswith("."))):
            found.append((prefix + name, entry.path))
    for entry in below:
        _list_into(found, entry.path, f"{prefix}{entry.name}/", theme)


def _git_head(site_dir: Path) -> str:
    """Return the checked-out commit: notices' revisions come from git history."""
    try:
        result = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=site_dir,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def source_index_path(site_dir: Path) -> Path:
    """Return where the sizes, times and hashes of the sources are kept between builds."""
    return cache_dir(site_dir) / "source-index.json"


def source_fingerprint(site_dir: Path, theme: Path, settings: dict) -> tuple[str, dict | None]:
    """Return a hash of everything a build depends on (sources, theme, generator code, git HEAD, settings),
    and the index of the sources' sizes, times and hashes when it changed (None when it did not), for
    write/build_cache.py to keep."""
    index = _read_json(source_index_path(site_dir))
    fresh: dict[str, list] = {}
    lines = []
    stat = os.stat
    for key, path in _files(site_dir, theme):
        try:
            found = stat(path)
        except OSError:
            continue
        if not S_ISREG(found.st_mode):
            # A FIFO (from an archive, never from git) would block the read below: its kind counts, the reader
            # that lists it reports it.
            lines.append(f"{key}\0mode {found.st_mode:o}\n")
            continue
        size, time = found.st_size, found.st_mtime_ns
        known = index.get(key)
        if known and known[0] == size and known[1] == time:
            fresh[key] = known          # the record itself: no new list for each of 10,000 unchanged files
            content_hash = known[2]
        else:
            try:
                with open(path, "rb", buffering=0) as handle:     # unbuffered: no isatty ioctl, no lseek
                    content_hash = hashlib.sha256(handle.readall()).hexdigest()
            except OSError:
                continue
            fresh[key] = [size, time, content_hash]
        lines.append(f"{key}\0{content_hash}\n")
    # Hashed at once, not line by line: the same digest, without 10,000 calls.
    digest = hashlib.sha256(json.dumps({"settings": settings, "version": __version__, "head": _git_head(site_dir),
                                        "machine": machine_stamp()}, sort_keys=True).encode())
    digest.update("".join(lines).encode())
    return digest.hexdigest(), (fresh if fresh != index else None)


def machine_stamp() -> list:
    """Return what tells, for a few file times, that this machine's libraries or time zone rules changed.

    The outputs depend on both (Babel's formats, the holidays, the times of every page, written by the
    zone database's rules): a folder of installed packages changes when one is installed, upgraded or
    removed, and tzdata.zi (its first line is the database's version) whenever the system's rules are
    updated.  Asking each library its version took 55 ms, a third of an up-to-date build.
    """
    stamp = []
    folders = [(path, "") for path in sys.path if path.endswith(("site-packages", "dist-packages"))]
    folders += [(path, "tzdata.zi") for path in _zone_folders()]
    for folder, name in folders:
        try:
            found = os.stat(os.path.join(folder, name) if name else folder)
        except OSError:
            continue
        stamp.append([folder, name, found.st_size, found.st_mtime_ns])
    return stamp


def _zone_folders() -> tuple[str, ...]:
    """Return where zoneinfo reads the zones (its TZPATH), without importing it when no build needs it yet
    (7 ms, against 2 ms for sysconfig): PYTHONTZPATH when set, else the interpreter's configured path."""
    if "zoneinfo" in sys.modules:
        return tuple(sys.modules["zoneinfo"].TZPATH)
    given = os.environ.get("PYTHONTZPATH")
    if given is None:
        import sysconfig

        given = sysconfig.get_config_var("TZPATH") or ""
    return tuple(path for path in given.split(os.pathsep) if os.path.isabs(path))


def manifest_path(site_dir: Path, out_dir: Path) -> Path:
    """Return where the manifest of one output folder is kept (a site may build into several)."""
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir(site_dir) / "outputs" / f"{name}.json"


def read_manifest(site_dir: Path, out_dir: Path) -> dict:
    """Return the last build's manifest for this output folder: key, files and messages."""
    return _read_json(manifest_path(site_dir, out_dir))


# What every output depends on besides the model: the theme's templates and the generator itself.
# The keys of the output's parts (render/dependencies.py) start from these.

def folders_digest(folders: tuple[Path, ...]) -> str:
    """Return a digest of every file under `folders` (names and contents, in sorted order): a theme's templates."""
    return hashlib.blake2b("".join(f"{number}\0{path}\0{file_hash}\n" for number, root in enumerate(folders)
                                   for path, file_hash in _file_hashes(root)).encode(), digest_size=32).hexdigest()


def _file_hashes(root: Path) -> tuple[tuple[str, str], ...]:
    """Return every file under `root` but bytecode: its path inside `root` ('/' between folders) and the SHA-256
    of its bytes ("unreadable" when it cannot be read), in path order."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]   # bytecode: made from the sources hashed here
        inside = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if inside == "." else f"{inside}/"
        for name in names:
            if name.endswith(".pyc"):
                continue
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    found.append((prefix + name, hashlib.sha256(handle.read()).hexdigest()))
            except OSError:
                found.append((prefix + name, "unreadable"))
    return tuple(sorted(found))


# Libraries whose versions change what the outputs hold (Babel's formats, holiday rules, feed and calendar text).
_LIBRARIES = ("babel", "feedgen", "holidays", "icalendar", "jinja2", "markdown", "markupsafe", "nh3", "tzdata")


@lru_cache(maxsize=1)
def package_hashes() -> tuple[tuple[str, str], ...]:
    """Return every file of the generator's package but its bytecode, with its SHA-256, in path order (_file_hashes).

    Read once per process for both code digests (code_digest here, the notices' checks' in
    read/notice_digests.py): each walked and read the package itself, some 7 ms apiece of a
    rebuild after one edit, most of it opening the files.
    """
    return _file_hashes(PACKAGE_DIR)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Return a digest of the generator's code and catalogs, its version and its libraries' versions.

    Computed once per process: a running process renders with the code it loaded, whatever
    is on disk now (a `serve` left running keeps its own).
    """
    versions = _library_versions(_LIBRARIES)
    files = hashlib.blake2b("".join(f"{path}\0{digest}\n" for path, digest in package_hashes()).encode(),
                            digest_size=32)
    return files.hexdigest() + hashlib.blake2b(
        repr((__version__, sys.version, versions)).encode(), digest_size=16).hexdigest()


def _library_versions(names: tuple[str, ...]) -> list[str]:
    """Return "name=version" for each of `names`, read from the names of the installed packages' metadata
    folders (name-version.dist-info, or .egg-info) on sys.path, the first found as importlib.metadata finds it;
    importlib.metadata only for one not found so ("name=-" when not installed)."""
    # importlib.metadata imports the email package to parse each METADATA file: 25 ms of a rebuild after one
    # edit (a tenth of it at 1,000 notices), where a listing of each folder on sys.path takes one.
    found: dict[str, str] = {}
    wanted = set(names)
    for path in sys.path:
        if not wanted - found.keys():
            break
        try:
            entries = os.listdir(path or ".")
        except OSError:
            continue
        for entry in entries:
            stem = entry.rsplit(".", 1)[0]
            if not entry.endswith((".dist-info", ".egg-info")) or "-" not in stem:
                continue
            name, version = stem.split("-", 1)
            name = name.lower().replace("-", "_").replace(".", "_")
            if name in wanted and name not in found:
                found[name] = version
    versions = []
    for name in names:
        if name not in found:
            from importlib.metadata import PackageNotFoundError, version
            try:
                found[name] = version(name)
            except PackageNotFoundError:
                found[name] = "-"
        versions.append(f"{name}={found[name]}")
    return versions


def base_key(template_dirs: tuple[Path, ...]) -> str:
    """Return what every part's key starts from (render/dependencies.py): the theme's templates (the site's
    `template_dirs`, then the default theme's), the generator's code, and the machine's libraries and zone rules."""
    from generator.read.templates import default_theme_dir  # Jinja: only a build that renders needs it

    return folders_digest((*template_dirs, default_theme_dir())) + code_digest() + hashlib.blake2b(
        repr(machine_stamp()).encode(), digest_size=16).hexdigest()
