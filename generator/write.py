"""Writing the output folder: the only code that touches it.

A build is written into a temporary folder beside the target and swapped in at
the end, so an interrupted or failed build leaves the previous output intact.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from .render import Output

# Threads that make folders and files at once (see write_tree).
WRITERS = 4


class WriteError(Exception):
    """The output cannot be written where asked; the message says why."""


def check_outputs(outputs: tuple[Output, ...]) -> None:
    """Refuse two outputs with one path, and any path that would land outside the output folder."""
    seen: set[str] = set()
    for output in outputs:
        path = PurePosixPath(output.path)
        if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in output.path:
            raise WriteError(f"refusing to write '{output.path}': it would land outside the output folder")
        key = path.as_posix().lower()
        if key in seen:
            raise WriteError(f"two outputs would be written to '{output.path}'")
        seen.add(key)


def check_target(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder that holds the sources (it is replaced whole on every build)."""
    out, site = out_dir.resolve(), site_dir.resolve()
    if out == site or site.is_relative_to(out):
        raise WriteError(f"the output folder {out_dir} contains the site's sources; choose another --out")
    if (out / ".git").exists() or (out / "site_src").exists():
        raise WriteError(f"{out_dir} looks like a source folder, not a build output; choose another --out")


def write_tree(outputs: tuple[Output, ...], root: Path, previous: Path | None = None,
               unchanged: frozenset[str] = frozenset()) -> int:
    """Write outputs under `root`, a fresh empty folder; return how many files were written anew.

    Files named in `unchanged` are hard links to the same file in `previous` (the
    live output), so an incremental build rewrites only what changed. A link is
    never written through: changed files are always new files.

    Folders are written by a few threads at once: making a file or folder waits on
    the file system's journal far more than on the processor, and a site of many
    notices has a folder for each.
    """
    base = root.resolve()
    previous_base = previous.resolve() if previous is not None else None
    by_folder: dict[str, list[Output]] = {}
    for output in outputs:
        by_folder.setdefault(os.path.dirname(output.path), []).append(output)

    def write_folder(folder: str) -> int:
        made = base / folder
        made.mkdir(parents=True, exist_ok=True)
        # check_outputs refused absolute paths and '..'; this catches a folder that resolves elsewhere all the same.
        if not made.resolve().is_relative_to(base):
            raise WriteError(f"refusing to write into '{folder}': it resolves outside the output folder")
        return sum(_write_file(base, previous_base, output, output.path in unchanged) for output in by_folder[folder])

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        return sum(pool.map(write_folder, sorted(by_folder)))


def _write_file(base: Path, previous: Path | None, output: Output, unchanged: bool) -> int:
    """Link an unchanged file from the previous output, else write it; return 1 when written anew."""
    target = os.path.join(base, output.path)
    if previous is not None and unchanged:
        source = previous / output.path
        try:
            if not source.is_symlink() and source.resolve().is_relative_to(previous):
                os.link(source, target)
                return 0
        except OSError:
            pass  # another file system, or links not allowed: write the bytes instead
    # The folder is new and holds only what this build wrote: no link to follow.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(output.data)
    return 1


def content_hashes(outputs: tuple[Output, ...]) -> dict[str, str]:
    """Return each output's SHA-256, by path."""
    return {output.path: hashlib.sha256(output.data).hexdigest() for output in outputs}


def write_site(outputs: tuple[Output, ...], out_dir: Path, site_dir: Path,
               previous_hashes: dict[str, str] | None = None) -> tuple[dict[str, str], int]:
    """Write every output into a temporary folder beside `out_dir`, then swap it in.

    With `previous_hashes` (what the live output holds, as far as is known), files
    whose bytes did not change are linked rather than rewritten. Returns the new
    hashes and how many files were written.
    """
    check_outputs(outputs)
    check_target(out_dir, site_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    hashes = content_hashes(outputs)
    unchanged = frozenset(path for path, digest in hashes.items()
                          if previous_hashes and previous_hashes.get(path) == digest)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        written = write_tree(outputs, staging, out_dir if out_dir.is_dir() else None, unchanged)
        os.chmod(staging, 0o755)
        swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return hashes, written


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `staging` with two renames; the old tree is removed only afterwards."""
    if out_dir.is_symlink() or out_dir.is_file():
        raise WriteError(f"{out_dir} is not a folder; remove it or choose another --out")
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.replace(out_dir, retired / "tree")
    try:
        os.replace(staging, out_dir)
    except OSError:
        os.replace(retired / "tree", out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
