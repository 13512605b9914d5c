"""Symbolic links among a site's sources: followed only where they stay inside the site.

The sources come from a repository that others push to, and git stores a
symbolic link as the text of its target: `site_src/support.yaml -> /etc/x` or
`templates/leak.txt -> ../../../etc/hostname` would have the build read a file
of the machine that builds (and show it on the site, or its keys in error
messages).  Before anything in `site_src/`, `notices/` or `templates/` is read,
every link there is looked at, without following it: one that leads outside the
site (or into its `.git`), one written as an absolute path, a loop and a link to
nothing are errors placed at the link, and the file behind it is never read.
Templates are never read through a link at all (render/theme.py refuses them
too).  Hard links are not looked for: git cannot carry one (a checkout writes
each file anew), so one in a site was made by someone with a shell on this
machine, who can read the file anyway (docs/security.md).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from generator.errors import SourceError

# The folders a build reads from a site, said once: the link check, the build cache and the preview watch them.
SOURCE_FOLDERS = ("site_src", "notices", "templates")
# The probe's files (read/probe_rows.py reads them): said here, where a build without them looks, so that
# it need not import the readers to find the folder absent.
UPTIME_FOLDER = Path("site_src") / "uptime"
_WHAT = {"site_src": "the file", "notices": "the notice", "templates": "the template"}
LINK_HINT = "replace the link with a copy of the file, or with a relative link to a file inside the site"
TEMPLATE_HINT = "replace the link with a copy of the template"
FOLDER_HINT = "replace the link with the folder itself"


def refused_links(site_dir: Path) -> tuple[frozenset[Path], list[SourceError]]:
    """Return the links under the source folders that must not be followed, and an error for each."""
    try:
        base = site_dir.resolve(strict=True)
    except (OSError, RuntimeError):
        return frozenset(), []
    refused: set[Path] = set()
    problems: list[SourceError] = []
    for top in SOURCE_FOLDERS:
        folder = site_dir / top
        if folder.is_symlink():
            problem = _judge(folder, top, base, "the folder", top == "templates")
            if problem is not None:
                refused.add(folder)
                problems.append(problem)
                continue
        if not folder.is_dir():
            continue
        for path in _links_under(folder):
            rel = f"{top}/{path.relative_to(folder).as_posix()}"
            problem = _judge(path, rel, base, _WHAT[top], top == "templates")
            if problem is not None:
                refused.add(path)
                problems.append(problem)
    return frozenset(refused), problems


def _links_under(folder: Path) -> list[Path]:
    """Return every symbolic link under `folder`, without following any, in sorted order."""
    # scandir's entries know whether they are links without a call per file: a build looks at every
    # notice here, ten thousand of them in a large site.
    found: list[Path] = []
    pending = [str(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as listing:
                # In any order: the walk's order is not the result's, sorted once at the end.
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                found.append(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
    return sorted(found)


def _judge(link: Path, rel: str, base: Path, what: str, never: bool) -> SourceError | None:
    """Return the error of one link (None when it may be followed); `never`: no link is allowed here."""
    hint = TEMPLATE_HINT if never else LINK_HINT
    try:
        target = os.readlink(link)
        resolved = link.resolve(strict=True)
    except RuntimeError:
        return SourceError(rel, 1, 1, f"{what} is a symbolic link loop: following it leads back to it", hint)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return SourceError(rel, 1, 1, f"{what} is a symbolic link loop: following it leads back to it", hint)
        return SourceError(rel, 1, 1, f"{what} is a symbolic link to nothing: its target does not exist", hint)
    kind = "file"
    if resolved.is_dir():
        what, kind, hint = "the folder", "folder", TEMPLATE_HINT if never else FOLDER_HINT
    inside = resolved.is_relative_to(base)
    if not inside or resolved.relative_to(base).parts[:1] == (".git",):
        return SourceError(rel, 1, 1, f"{what} is a symbolic link to a {kind} outside the site", hint)
    if os.path.isabs(target):
        return SourceError(rel, 1, 1, f"{what} is a symbolic link to an absolute path; links in a site are "
                           "relative, or the site breaks when it is copied or cloned", hint)
    if never:
        return SourceError(rel, 1, 1, f"{what} is a symbolic link: templates are never read through a link", hint)
    return None
