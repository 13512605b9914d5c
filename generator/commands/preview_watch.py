"""What the preview watches, and the rebuild after each burst of changes (commands/serve.py starts it).

The watch is not recursive: watchfiles' recursive watch (notify's) follows every symbolic link, and a pushed
`notices/usr -> /usr` put an inotify watch on each of the thousands of folders of /usr, rebuilding on changes
out there (a link to `/` walked /proc and stopped the watcher; other programs then found no inotify watches
left).
Each folder of the site's sources is listed here, without following a link the build would not follow
(read/links.py), and watched alone; a folder made or removed while the preview runs is watched anew.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from watchfiles import Change, watch

from generator.read.cache import CACHE_DIR
from generator.read.links import SOURCE_FOLDERS, refused_links
from generator.read.templates import default_theme_dir

# How long a watch waits for changes before it answers that none came: a new watch's first answer says it is set.
REWATCH_WAIT_MS = 200


def watched_folders(site_dir: Path) -> list[Path]:
    """Return the folders whose changes trigger a rebuild, each once by its real path: every folder under the
    site's source folders and the default theme, and those a link the build follows leads to; none outside the
    site."""
    refused, _ = refused_links(site_dir)
    try:
        base = site_dir.resolve(strict=True)
    except (OSError, RuntimeError):
        return []
    found: dict[Path, None] = {}
    for top in SOURCE_FOLDERS:
        _add_folders(site_dir / top, base, refused, found)
    theme = default_theme_dir()
    if theme.is_dir():
        _add_folders(theme, None, frozenset(), found)
    return sorted(found)


def _add_folders(top: Path, base: Path | None, refused: frozenset[Path], found: dict[Path, None]) -> None:
    """Add to `found` the real path of `top` and of every folder under it; a link is followed only where the
    build follows one (not `refused`, to a folder inside `base`, not its .git), and never without `base`."""
    pending = [top]
    while pending:
        folder = pending.pop()
        if folder.is_symlink():
            if base is None or folder in refused:
                continue
            try:
                real = folder.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if not real.is_dir() or not real.is_relative_to(base) or real.relative_to(base).parts[:1] == (".git",):
                continue
        elif folder.is_dir():
            real = folder.resolve()
        else:
            continue
        if real in found or (base is not None and _not_sources(real, base)):
            continue
        found[real] = None
        try:
            with os.scandir(folder) as listing:
                pending.extend(Path(entry.path) for entry in listing
                               if entry.is_symlink() or entry.is_dir(follow_symlinks=False))
        except OSError:
            continue


def _not_sources(real: Path, base: Path) -> bool:
    """Tell whether the folder `real` is one a walk must not enter: the site's root (its sources are walked from
    their own folders; a link `up -> ..` led here), any .git (git's own writes) or the build cache (each rebuild
    writes it, and would be seen as a change that builds again)."""
    if not real.is_relative_to(base):
        return False
    parts = real.relative_to(base).parts
    return not parts or ".git" in parts or parts[0] == CACHE_DIR


def watch_and_rebuild(site_dir: Path, rebuild: Callable[[], object], folders: list[Path],
                      stop: threading.Event) -> None:
    """Call `rebuild` after each burst of changes in `folders` (watched_folders of `site_dir`) until `stop` is set;
    a folder made or removed (or a link the build follows) changes what is watched."""
    site = site_dir.resolve()
    pending = False   # changes seen, not yet built: they wait for the watch of the new set of folders
    try:
        while not stop.is_set():
            restart = False
            try:
                # step: a save that writes, renames and touches a file within 50 ms is one change (an editor's
                # save takes a few ms; a burst cut in two costs one more rebuild, of the parts changed since).
                # 100 ms made a third of the save-to-reload time at 1,000 notices (bench/bench_serve.py).
                # yield_on_timeout: the first (empty) answer of a new watch says it is set up, so that what
                # changed before it is built then, and nothing saved meanwhile is missed.
                for changes in watch(*folders, stop_event=stop, step=50, raise_interrupt=False, recursive=False,
                                     rust_timeout=REWATCH_WAIT_MS, yield_on_timeout=True):
                    # An editor's temporary file, made and removed within one burst, is not worth naming.
                    made = {name for change, name in changes if change == Change.added}
                    gone = {name for change, name in changes if change == Change.deleted}
                    names = sorted({_shown(Path(name), site) for _, name in changes if name not in made & gone})
                    if names:
                        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
                        print(f"changed: {', '.join(names[:3])}{more}", flush=True)
                    if _moves_folders(made, gone, folders):
                        # A folder made (or a link to one) is watched from now on, one removed no longer.
                        now = watched_folders(site_dir)
                        if now != folders:
                            folders, restart, pending = now, True, pending or bool(names)
                            break
                    if names or pending:
                        pending = False
                        rebuild()
            except FileNotFoundError:
                # A folder removed between its listing and its watch: list them again.
                folders, restart, pending = watched_folders(site_dir), True, True
                time.sleep(REWATCH_WAIT_MS / 1000)
            if not restart:
                return
    except Exception as exc:   # the preview keeps serving what it has; say that it no longer follows changes
        print(f"error: stopped watching for changes: {exc}", file=sys.stderr, flush=True)


def _shown(path: Path, site: Path) -> str:
    return path.relative_to(site).as_posix() if path.is_relative_to(site) else str(path)


def _moves_folders(made: set[str], gone: set[str], folders: list[Path]) -> bool:
    """Tell whether a change may have made or removed a folder to watch: a watched folder gone, or a folder (or a
    link, which watched_folders then judges) made; a saved file alone does not list the folders again."""
    watched = {str(folder) for folder in folders}
    return any(name in watched for name in gone) or any(os.path.isdir(name) for name in made)
