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
from stat import S_ISDIR, S_ISREG
from typing import Iterable

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
    outside = cache_root is not None and cache_root != cache_dir(site_dir)
    return untrusted is None or outside, untrusted


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
    except (OSError, ValueError):
        return {}


def _files(site_dir: Path, theme: Path) -> list[tuple[str, str]]:
    """Return every file a build may read, with a stable key, in sorted order (paths as strings:
    this runs before every build, the up-to-date ones included)."""
    found: list[tuple[str, str]] = []
    roots = [(name, os.path.join(site_dir, name)) for name in SOURCE_FOLDERS]
    roots += [("@theme", str(theme)), ("@generator", str(PACKAGE_DIR))]
    for label, root in roots:
        if not os.path.isdir(root):
            continue
        # The theme loader reads any file under a theme's folder, dot-named ones too ('.parts/footer.html'):
        # those are followed; elsewhere dot-named files (an editor's) and temporary ones are no source.
        theme = label in ("templates", "@theme")
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and (theme or not d.startswith(".")))
            inside = os.path.relpath(folder, root).replace(os.sep, "/")
            prefix = f"{label}/" if inside == "." else f"{label}/{inside}/"
            for name in sorted(names):
                if name.endswith(".pyc") or not theme and (name.endswith(".tmp") or name.startswith(".")):
                    continue
                found.append((prefix + name, os.path.join(folder, name)))
    return found


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
    digest = hashlib.sha256()
    digest.update(json.dumps({"settings": settings, "version": __version__, "head": _git_head(site_dir),
                              "machine": machine_stamp()}, sort_keys=True).encode())
    for key, path in _files(site_dir, theme):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        known = index.get(key)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            content_hash = known[2]
        else:
            try:
                with open(path, "rb") as handle:
                    content_hash = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                continue
        fresh[key] = [stat.st_size, stat.st_mtime_ns, content_hash]
        digest.update(f"{key}\0{content_hash}\n".encode())
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


def output_intact(out_dir: Path, manifest: dict) -> bool:
    """Tell whether the output folder still holds exactly the files the manifest recorded (and no link: a
    build never makes one, and a link to a folder would put files the manifest does not know into the output).

    Each file is looked at (one lstat: its size and time), and each folder: one whose change time is the
    one the manifest vouches for (folder_records) holds the entries it held then, since adding, removing or
    renaming an entry sets a folder's change time; any other folder is listed.  Listing every folder of a
    10,000-notice output cost 0.17 s of the 0.3 s of an up-to-date build; the lstats of the folders 0.03 s.
    """
    files, vouched = manifest.get("files"), manifest.get("folders")
    if not isinstance(files, dict) or not out_dir.is_dir() or out_dir.is_symlink():
        return False
    vouched = vouched if isinstance(vouched, dict) else {}
    root = str(out_dir) + "/"
    lstat = os.lstat
    folders = set()
    for rel, recorded in files.items():
        if not inside_output(rel) or not _recorded(recorded):
            return False
        try:
            stat = lstat(root + rel)
        except OSError:
            return False
        if recorded[1] != stat.st_size or recorded[2] != stat.st_mtime_ns or not S_ISREG(stat.st_mode):
            return False
        folders.add(rel.rpartition("/")[0])
    unvouched = []
    for folder in _with_parents(folders):
        try:
            stat = lstat(root + folder)
        except OSError:
            return False
        # A link where a folder goes fails here: every file above was reached through folders only.
        if not S_ISDIR(stat.st_mode):
            return False
        if vouched.get(folder) != stat.st_ctime_ns:
            unvouched.append(folder)
    return not unvouched or all(_holds_only(out_dir, folder, entries)
                                for folder, entries in expected_entries(files, unvouched).items())


def _with_parents(folders: set[str]) -> set[str]:
    """Return the folders (relative paths, '' the output itself) with every folder above them."""
    found = {""}
    for folder in folders:
        while folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


def expected_entries(files: Iterable[str], folders: Iterable[str]) -> dict[str, dict[str, bool]]:
    """Return, for each of `folders`, the entries that the output's `files` put in it (name -> is a folder)."""
    wanted = {folder: {} for folder in folders}
    for rel in files:
        folder, _, name = rel.rpartition("/")
        is_folder = False
        while True:
            entries = wanted.get(folder)
            if entries is not None:
                entries[name] = is_folder
            if not folder:
                break
            folder, _, name = folder.rpartition("/")
            is_folder = True
    return wanted


def _holds_only(out_dir: Path, folder: str, entries: dict[str, bool]) -> bool:
    """Tell whether a folder of the output holds exactly `entries` (name -> is a folder), none of them a link."""
    try:
        with os.scandir(os.path.join(out_dir, folder)) as listing:
            found = 0
            for entry in listing:
                # The listing says what each entry is: no call for the links and folders.
                is_folder = entries.get(entry.name)
                if is_folder is None or entry.is_symlink() or entry.is_dir(follow_symlinks=False) != is_folder:
                    return False
                found += 1
    except OSError:
        return False
    return found == len(entries)


def folder_records(out_dir: Path, files: Iterable[str], clock: int, previous: dict | None = None,
                   touched: Iterable[str] | None = None) -> dict[str, int]:
    """Return the change time of each folder of the output that holds exactly what `files` put in it, for the
    manifest to vouch for (output_intact): the folder is listed, unless it is not among the folders of the
    `touched` files and `previous` (the last manifest's records) gives its time.

    `clock` is the file system's time just before (write/build_cache.filesystem_clock): a folder changed
    at that time or later is not vouched for, as a change in the same tick of the clock would leave its
    change time as it is (git's "racy" entries); the next up-to-date check lists it.  A record carried
    from `previous` for a folder that changed since no longer matches its time: the check lists it.
    """
    files = list(files)
    folders = _with_parents({rel.rpartition("/")[0] for rel in files})
    previous = previous if isinstance(previous, dict) and touched is not None else {}
    check = set(folders) if touched is None else \
        _with_parents({rel.rpartition("/")[0] for rel in touched}) & folders
    records = {}
    for folder in folders:
        if folder not in check:
            carried = previous.get(folder)
            if isinstance(carried, int):
                records[folder] = carried
                continue
            check.add(folder)
    root = str(out_dir) + "/"
    checked = {}
    for folder in check:
        try:
            stat = os.lstat(root + folder)
        except OSError:
            continue
        if S_ISDIR(stat.st_mode) and stat.st_ctime_ns < clock:
            checked[folder] = stat.st_ctime_ns
    # Listed after its time was taken: an entry added meanwhile is seen, or changes the time from the one kept.
    for folder, entries in expected_entries(files, checked).items():
        if _holds_only(out_dir, folder, entries):
            records[folder] = checked[folder]
    return records


def reusable_hashes(out_dir: Path, manifest: dict) -> dict[str, str]:
    """Return, for files still exactly as the last build wrote them, their content hashes."""
    reusable = {}
    files = manifest.get("files")
    for rel, recorded in (files if isinstance(files, dict) else {}).items():
        if not inside_output(rel) or not _recorded(recorded):
            continue
        try:
            stat = os.lstat(os.path.join(out_dir, rel))
        except OSError:
            continue
        if recorded[1] == stat.st_size and recorded[2] == stat.st_mtime_ns:
            reusable[rel] = recorded[0]
    return reusable


# What every output depends on besides the model: the theme's templates and the generator itself.
# The keys of the output's parts (render/dependencies.py) start from these.

def folders_digest(folders: tuple[Path, ...]) -> str:
    """Return a digest of every file under `folders` (names and contents, in sorted order): a theme's templates."""
    digest = hashlib.blake2b(digest_size=32)
    for number, root in enumerate(folders):
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")   # bytecode: made from the sources hashed here
            inside = os.path.relpath(folder, root).replace(os.sep, "/")
            for name in sorted(names):
                if name.endswith(".pyc"):
                    continue
                try:
                    with open(os.path.join(folder, name), "rb") as handle:
                        data = handle.read()
                except OSError:
                    data = b"\0unreadable"
                digest.update(f"{number}\0{inside}/{name}\0{len(data)}\0".encode())
                digest.update(data)
    return digest.hexdigest()


# Libraries whose versions change what the outputs hold (Babel's formats, holiday rules, feed and calendar text).
_LIBRARIES = ("babel", "feedgen", "holidays", "icalendar", "jinja2", "markdown", "markupsafe", "nh3", "tzdata")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Return a digest of the generator's code and catalogs, its version and its libraries' versions.

    Computed once per process: a running process renders with the code it loaded, whatever
    is on disk now (a `serve` left running keeps its own).
    """
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for name in _LIBRARIES:
        try:
            versions.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name}=-")
    return folders_digest((PACKAGE_DIR,)) + hashlib.blake2b(
        repr((__version__, sys.version, versions)).encode(), digest_size=16).hexdigest()


def live_output(out_dir: Path, manifest: dict) -> tuple[dict[str, list], dict[str, list], list[str]] | None:
    """Return what an incremental build may take from the live output: the files still exactly as the last
    build recorded them ([hash, size, time] each), the parts all of whose files are among them ([key,
    [files]] each), and every file the manifest names; None when the manifest has no parts (the next
    build is then a full one).

    Only the recorded files are looked at (one lstat each), not the folders: listing every folder of a
    10,000-notice output took 0.7-1.3 s, against 0.2 s for the lstats.  A file put into the folder by
    someone else is found by the next up-to-date check (output_intact), which then builds in full.
    """
    files, parts = manifest.get("files"), manifest.get("parts")
    if not isinstance(files, dict) or not isinstance(parts, dict) or not out_dir.is_dir() or out_dir.is_symlink():
        return None
    # The manifest is data, maybe crafted (a site folder that came with its cache): a name that is not a
    # plain path inside the output ('../x', '/etc/x') is neither looked at, kept nor removed.
    files = {rel: recorded for rel, recorded in files.items() if inside_output(rel)}
    intact: dict[str, list] = {}
    root = str(out_dir)
    # A file is the output's only in a folder of the output, not behind a link put in its place (lstat
    # follows links on the way): each folder is looked at once (one lstat per folder).
    plain: dict[str, bool] = {"": True}

    def plain_folder(folder: str) -> bool:
        if folder not in plain:
            try:
                mode = os.lstat(os.path.join(root, folder)).st_mode
            except OSError:
                mode = 0
            plain[folder] = S_ISDIR(mode) and plain_folder(os.path.dirname(folder))
        return plain[folder]

    for rel, recorded in files.items():
        if not _recorded(recorded) or not plain_folder(os.path.dirname(rel)):
            continue
        try:
            stat = os.lstat(os.path.join(root, rel))
        except OSError:
            continue
        if recorded[1] == stat.st_size and recorded[2] == stat.st_mtime_ns and S_ISREG(stat.st_mode):
            intact[rel] = recorded
    kept = {name: part for name, part in parts.items()
            if isinstance(part, list) and len(part) == 2 and isinstance(part[1], list)
            and all(isinstance(path, str) and path in intact for path in part[1])}
    return intact, kept, list(files)


def _recorded(value: object) -> bool:
    """Tell whether a manifest's record of a file has its shape: [hash, size, time]."""
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) \
        and all(isinstance(number, int) for number in value[1:])


def inside_output(rel: object) -> bool:
    """Tell whether a name from a manifest is a plain relative path that stays inside the output folder:
    folders and a name joined by '/', none of them empty, '.' or '..', no backslash or NUL."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel:
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


def base_key(template_dirs: tuple[Path, ...]) -> str:
    """Return what every part's key starts from (render/dependencies.py): the theme's templates (the site's
    `template_dirs`, then the default theme's), the generator's code, and the machine's libraries and zone rules."""
    from generator.read.templates import default_theme_dir  # Jinja: only a build that renders needs it

    return folders_digest((*template_dirs, default_theme_dir())) + code_digest() + hashlib.blake2b(
        repr(machine_stamp()).encode(), digest_size=16).hexdigest()
