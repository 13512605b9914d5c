"""Writing the output folder: the only code that touches it.

Every file is written into a staging folder beside the target first, so a failed
build writes nothing into the output.  Then one of two ways:

* a full build swaps the staging folder in whole: the two folders trade names in
  one step where Linux allows it, so that the output path never names nothing (a
  web server would answer 404 in that moment: swap_in); the old tree is removed
  afterwards by a detached process (swap.py);
* an incremental build (`in_place`: the last build's manifest vouches for the live
  output) writes only the files whose bytes changed into the staging folder, then
  renames each into its place in the live output and removes the retired files.
  Its cost follows the changed files: linking every unchanged file into a new tree
  cost O(all files) (at 10,000 notices, most of an edited notice's rebuild).  The
  trade-off: while the renames run, the live output holds some new files beside
  old ones (each file is whole, never half-written: renamed into place), and a
  build killed in that moment leaves it so.  The caller therefore invalidates its
  manifest before the first rename and writes it after the last (commands/build.py);
  the next build, finding no manifest, builds in full and swaps, which repairs it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from generator.write.leftovers import hold_new_folder, remove_leftovers
from generator.write.live_folders import LiveFolders
from generator.write.swap import exchange, remove_later

if TYPE_CHECKING:
    # Only named in annotations: importing the model makes its 26 dataclasses (some 20 ms), which an
    # up-to-date build, whose command imports this module, never uses.
    from generator.model import Output


class WriteError(Exception):
    """The output cannot be written where asked; the message says why."""


def check_outputs(outputs: tuple[Output, ...]) -> None:
    """Refuse two outputs with one path, and any path that would land outside the output folder."""
    seen: set[str] = set()
    for output in outputs:
        path = output.path
        parts = [part for part in path.split("/") if part not in ("", ".")]
        if path.startswith("/") or ".." in parts or not parts or "\\" in path:
            raise WriteError(f"refusing to write '{path}': it would land outside the output folder")
        key = "/".join(parts).lower()
        if key in seen:
            raise WriteError(f"two outputs would be written to '{output.path}'")
        seen.add(key)


def check_target(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder that holds the sources or is a symbolic link (it is replaced whole on every
    build, and a link could have been committed to send the build's files elsewhere)."""
    if out_dir.is_symlink():
        raise WriteError(f"{out_dir} is a symbolic link; the output folder is replaced whole on every build, "
                         "never written through a link: give the folder itself to --out")
    out, site = out_dir.resolve(), site_dir.resolve()
    if out == site or site.is_relative_to(out):
        raise WriteError(f"the output folder {out_dir} contains the site's sources; choose another --out")
    if (out / ".git").exists() or (out / "site_src").exists():
        raise WriteError(f"{out_dir} looks like a source folder, not a build output; choose another --out")


@dataclass(frozen=True, slots=True)
class Written:
    """One output as it now is in the staging folder: its path, its content's digest (content_digest),
    and whether its bytes were written anew (else it is a hard link to the unchanged file of the live
    output)."""

    path: str
    digest: str
    new: bool


def content_digest(data: bytes) -> str:
    """Return the hash by which the manifest knows a file's content (BLAKE2b: faster than SHA-256 here)."""
    return hashlib.blake2b(data, digest_size=32).hexdigest()


def _plain_path(path: object) -> bool:
    """Tell whether a path is relative, canonical and inside the output folder (no '', '.' or '..' part)."""
    if not isinstance(path, str) or not path or "\\" in path or "\0" in path:
        return False
    framed = f"/{path}/"    # an empty part shows as '//': one search each, not a split (10,000s of paths)
    return "//" not in framed and "/./" not in framed and "/../" not in framed


def _is_plain_folder(path: str) -> bool:
    """Tell whether a folder is where its path says, with no symbolic link anywhere on the way."""
    return os.path.realpath(path) == os.path.normpath(path)


class Staging:
    """A new output folder, written beside the live one and swapped in whole by `commit`.

    `write` may be called many times, from this process and from the build's forked
    workers (parallel.py), each call with its own outputs: the folder, the live
    output to link unchanged files from and their hashes are fixed when the staging
    begins, and no file is ever written twice (a second output at one path is an
    error).  Nothing touches the live output until `commit`; `discard` removes the
    staging folder and leaves the live output as it was.
    """

    def __init__(self, out_dir: Path, site_dir: Path, previous_hashes: dict[str, str] | None = None, *,
                 in_place: bool = False):
        check_target(out_dir, site_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.previous_hashes = dict(previous_hashes or {})
        # In place (commit_in_place), a file whose bytes the live output holds already is not written at all.
        self.in_place = in_place and out_dir.is_dir()
        self.previous = str(out_dir.resolve()) if self.previous_hashes and out_dir.is_dir() and not self.in_place \
            else None
        # Staging and retired folders of builds that were killed are removed first (leftovers.py).
        remove_leftovers(out_dir.parent, staging_prefix(out_dir))
        remove_leftovers(out_dir.parent, retired_prefix(out_dir))
        self._held = hold_new_folder(out_dir.parent, staging_prefix(out_dir))
        self.root = self._held.path
        self._made: set[str] = set()     # folders of the staging tree this process made or checked

    def write(self, outputs: tuple[Output, ...]) -> tuple[Written, ...]:
        """Write outputs into the staging folder; return what became of each, in order.

        One thread writes: the build's processes already write side by side, and writer
        threads within a process cost more in handing the interpreter's lock back and
        forth than they gained (1,000 notices: 2.4 s without them, 3.0 s with four).
        """
        outputs = tuple(outputs)
        check_outputs(outputs)
        by_folder: dict[str, list[Output]] = {}
        for output in outputs:
            by_folder.setdefault(os.path.dirname(output.path), []).append(output)
        done = [self._write_folder(folder, by_folder[folder]) for folder in by_folder]
        written = {record.path: record for records in done for record in records}
        return tuple(written[output.path] for output in outputs)

    def _write_folder(self, folder: str, outputs: list[Output]) -> list[Written]:
        made = self._make_folder(folder)
        previous = None
        if self.previous is not None:
            # Unchanged files are linked from the live output: only from a folder that is where it seems.
            candidate = os.path.join(self.previous, folder)
            previous = candidate if _is_plain_folder(candidate) else None
        return [self._write_file(output, made, previous) for output in outputs]

    def _make_folder(self, folder: str) -> str:
        """Make a folder of the staging tree (and its parents); return its path.

        check_outputs refused absolute paths and '..'; a folder that exists already (made
        by another process of the build) is checked to be a folder, not a link that would
        lead elsewhere, once per process.
        """
        path = self.root
        for part in folder.split("/"):
            if part in ("", "."):
                continue
            path = os.path.join(path, part)
            if path in self._made:
                continue
            try:
                os.mkdir(path)
            except FileExistsError:     # made by another process of the build, or not a folder
                if not stat.S_ISDIR(os.lstat(path).st_mode):
                    raise WriteError(f"refusing to write into '{folder}': '{os.path.relpath(path, self.root)}' "
                                     "is a file or a link, not a folder") from None
            self._made.add(path)
        return path

    def _write_file(self, output: Output, folder: str, previous: str | None) -> Written:
        """Link an unchanged file from the live output's `previous` folder, else write its bytes into `folder`."""
        digest = content_digest(output.data)
        name = os.path.basename(output.path)
        target = os.path.join(folder, name)
        if self.in_place and self.previous_hashes.get(output.path) == digest:
            return Written(output.path, digest, False)
        if previous is not None and self.previous_hashes.get(output.path) == digest:
            source = os.path.join(previous, name)
            try:
                if not stat.S_ISLNK(os.lstat(source).st_mode):
                    os.link(source, target, follow_symlinks=False)
                    return Written(output.path, digest, False)
            except FileExistsError:
                raise WriteError(f"two outputs would be written to '{output.path}'") from None
            except OSError:
                pass  # gone, another file system, or links not allowed: write the bytes instead
        # The folder is new and holds only what this build wrote: no link to follow.
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        except FileExistsError:
            raise WriteError(f"two outputs would be written to '{output.path}'") from None
        try:
            view = memoryview(output.data)
            while view:
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)
        return Written(output.path, digest, True)

    def commit(self, written: Iterable[Written]) -> tuple[dict[str, str], int]:
        """Swap the staging folder in as the output; return each file's hash and how many were written anew.

        `written` is everything every `write` returned: two outputs whose paths differ
        only in case are refused here, as one file system would make them one file.
        """
        written = tuple(written)
        seen: set[str] = set()
        for record in written:
            if record.path.lower() in seen:
                raise WriteError(f"two outputs would be written to '{record.path}'")
            seen.add(record.path.lower())
        os.chmod(self.root, 0o755)
        swap_in(Path(self.root), self.out_dir)
        self._held.release()
        return {record.path: record.digest for record in written}, sum(record.new for record in written)

    def commit_in_place(self, written: Iterable[Written], kept: dict[str, str], live: Iterable[str],
                        invalidate: Callable[[], None] | None = None) -> tuple[dict[str, str], int]:
        """Move the files written anew into the live output, one rename each, and remove the live files the
        new output does not have; return each file's hash (`kept`: the live files taken as they are) and
        how many were written anew.

        Everything is checked before anything changes; `invalidate` is called just before the first
        change (the manifest that vouched for the live output goes: see the module's docstring).
        """
        written = tuple(written)
        hashes = dict(kept)
        hashes.update((record.path, record.digest) for record in written)
        seen: set[str] = set()
        for path in kept:
            if not _plain_path(path):
                raise WriteError(f"refusing to keep '{path}': it is not a file inside the output folder")
        for path in hashes:
            if path.lower() in seen:
                raise WriteError(f"two outputs would be written to '{path}'")
            seen.add(path.lower())
        live_root = os.path.realpath(self.out_dir)     # check_target refused a link; its parents may hold some
        new = [record.path for record in written if record.new]
        folders = sorted({os.path.dirname(path) for path in new})
        for folder in folders:
            self._check_live_folder(live_root, folder)
        for path in new:
            target = os.path.join(live_root, path)
            if os.path.lexists(target) and not stat.S_ISREG(os.lstat(target).st_mode):
                raise WriteError(f"refusing to replace '{path}' in {self.out_dir}: it is not a file")
        # `live` comes from the manifest, which is data: only plain paths inside the output are removed.
        retired = sorted(path for path in set(live) - set(hashes) if _plain_path(path))
        for folder in sorted({os.path.dirname(path) for path in retired}):
            if os.path.lexists(os.path.join(live_root, folder)) \
                    and not _is_plain_folder(os.path.join(live_root, folder)):
                # A link where a folder was: the caller builds in full, which replaces the tree and the link.
                raise WriteError(f"refusing to remove files in '{folder}' of the live output: it is not a folder")
        if invalidate is not None:
            invalidate()
        # Through each folder's descriptor, opened without following a link: a folder replaced by a link
        # since the checks above (a hand edit while this runs) is refused, not written or removed through.
        path = "."
        try:
            opened = LiveFolders(live_root)     # the output's own folder, gone or made a link meanwhile: refused too
        except OSError as exc:
            raise WriteError(f"the live output changed while it was written ({exc.strerror}): '{path}'") from None
        try:
            for path in new:
                folder, _, name = path.rpartition("/")
                os.replace(os.path.join(self.root, path), name, dst_dir_fd=opened.get(folder, make=True))
            emptied: set[str] = set()
            for path in retired:
                folder, _, name = path.rpartition("/")
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=opened.get(folder))
                emptied.add(folder)
            # Folders left empty go too, deepest first, as a clean build would not make them.
            for folder in sorted(emptied, key=lambda f: -f.count("/")):
                while folder:
                    parent, _, name = folder.rpartition("/")
                    try:
                        os.rmdir(name, dir_fd=opened.get(parent))
                    except OSError:
                        break
                    folder = parent
        except OSError as exc:
            # The caller builds in full: a new tree swapped in whole replaces the link and what was renamed.
            raise WriteError(f"the live output changed while it was written ({exc.strerror}): '{path}'") from None
        finally:
            opened.close()
        self._held.remove()
        return hashes, len(new)

    @staticmethod
    def _check_live_folder(live_root: str, folder: str) -> None:
        """Refuse a folder of the live output that is a link or a file (a rename would follow or fail there)."""
        path = live_root
        for part in folder.split("/"):
            if part in ("", "."):
                continue
            path = os.path.join(path, part)
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                return
            if not stat.S_ISDIR(mode):
                raise WriteError(f"refusing to write into '{folder}' of the live output: "
                                 f"'{os.path.relpath(path, live_root)}' is a file or a link, not a folder")

    def discard(self) -> None:
        """Remove the staging folder; the live output stays as it was."""
        self._held.remove()


def staging_prefix(out_dir: Path) -> str:
    """Return how the names of `out_dir`'s staging folders begin (they are made beside it)."""
    return f".{out_dir.name}.new-"


def retired_prefix(out_dir: Path) -> str:
    """Return how the names of `out_dir`'s replaced trees begin, while they wait to be removed."""
    return f".{out_dir.name}.old-"


def write_site(outputs: tuple[Output, ...], out_dir: Path, site_dir: Path,
               previous_hashes: dict[str, str] | None = None) -> tuple[dict[str, str], int]:
    """Write every output into a temporary folder beside `out_dir`, then swap it in.

    With `previous_hashes` (what the live output holds, as far as is known), files
    whose bytes did not change are linked rather than rewritten. Returns the new
    hashes and how many files were written.
    """
    staging = Staging(out_dir, site_dir, previous_hashes)
    try:
        return staging.commit(staging.write(outputs))
    except BaseException:
        staging.discard()
        raise


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by the folder `staging` in one step (two renames where the system cannot); the old
    tree is removed only afterwards.

    A web server resolves every request's path anew: between two renames (the old tree
    aside, the new one into its place) the output folder does not exist, and every
    request then is answered 404, which a CDN or a browser may keep. So the two folders
    trade names in one step where Linux allows it (swap.exchange), and the old tree,
    now at the staging name, is moved into a retired folder, removed from there as
    before (bench/conditions.settle waits for those). Killed at any step, a build
    leaves a whole tree at `out_dir`, old or new, and what the next build removes
    (leftovers.py): before the exchange the new tree is the staging folder; after it
    the old tree is at a staging name, no longer locked once this process is gone.
    """
    if out_dir.is_symlink() or out_dir.is_file():
        raise WriteError(f"{out_dir} is not a folder; remove it or choose another --out")
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    held = hold_new_folder(out_dir.parent, retired_prefix(out_dir))   # locked: see leftovers.py
    retired = Path(held.path)
    try:
        if exchange(staging, out_dir):
            # A build starting in this instant may have removed the old tree as a leftover: all it was for.
            with contextlib.suppress(FileNotFoundError):
                os.replace(staging, retired / "tree")
        else:
            os.replace(out_dir, retired / "tree")
            try:
                os.replace(staging, out_dir)
            except OSError:
                os.replace(retired / "tree", out_dir)
                raise
        remove_later(retired)
    finally:
        held.release()
