"""The publishing folder: one build per commit in releases/, the `current` link, the log, the lock, rollback.

    DIR/current -> releases/<commit>     a symbolic link, replaced in one rename
    DIR/releases/<commit>/               one finished build per commit that passed pre-receive
    DIR/releases.log                     what was built, went live or failed, and when, oldest first
    DIR/.lock                            held while a release is built or switched
    DIR/cache/                           the build's caches, never read from a pushed tree

pre-receive builds the pushed commit into releases/<commit> and logs it as `built`;
post-receive switches `current` to the branch's newest commit when its release was
built by a pre-receive since that commit was last live (publish.py). Everything that
writes here holds the lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

KEEP_RELEASES = 5
LOG_NAME = "releases.log"
BUILT, PUBLISHED, ROLLED_BACK, FAILED = "built", "publish", "rollback", "failed"


class PublishError(Exception):
    """Publishing cannot go on; the message says why, in the pusher's or the operator's words."""


def say(text: str) -> None:
    """Print a line for the pusher; a pusher who hung up must not stop a publish half-way."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def short(commit: str) -> str:
    """Return the abbreviation people see in `git log --oneline`."""
    return commit[:10]


def releases_dir(publish_to: Path) -> Path:
    """Return the folder holding one build per published commit."""
    return publish_to / "releases"


def cache_folder(publish_to: Path) -> Path:
    """Return where the hooks keep the build's caches: beside releases/, never inside a pushed tree."""
    return publish_to / "cache"


def live_release(publish_to: Path) -> str | None:
    """Return the commit `current` points to, or None when nothing is published."""
    try:
        target = os.readlink(publish_to / "current")
    except OSError:
        return None
    return Path(target).name


def read_log(publish_to: Path) -> list[tuple[str, str, str]]:
    """Return the log as (time, action, commit), oldest first; lines this code did not write are skipped."""
    try:
        lines = (publish_to / LOG_NAME).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3:
            entries.append((parts[0], parts[1], parts[2]))
    return entries


def append_log(publish_to: Path, now: datetime, action: str, commit: str) -> None:
    """Add one line to the log: when, what, which commit."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(publish_to / LOG_NAME, "a", encoding="utf-8") as log:
        log.write(f"{stamp} {action} {commit}\n")


def pending_releases(publish_to: Path) -> set[str]:
    """Return the commits built by pre-receive since `current` last changed, whose release is still there.

    Their pushes may still be waiting for post-receive: such a release is switched to
    as it is, and never pruned before the next switch.
    """
    pending: set[str] = set()
    for _, action, commit in read_log(publish_to):
        if action in (PUBLISHED, ROLLED_BACK):
            pending.clear()
        elif action == BUILT:
            pending.add(commit)
    return {commit for commit in pending if (releases_dir(publish_to) / commit).is_dir()}


def switch_current(publish_to: Path, commit: str) -> None:
    """Point `current` at releases/<commit> in one rename, so the web server never sees a half-switched site."""
    temp = publish_to / "current.tmp"
    if temp.is_symlink() or temp.exists():
        temp.unlink()  # left by an interrupted switch; the lock says no switch is running now
    os.symlink(f"releases/{commit}", temp)
    try:
        os.replace(temp, publish_to / "current")
    except OSError as exc:
        temp.unlink()
        raise PublishError(f"cannot replace {publish_to / 'current'}: {exc.strerror}; it must be a symbolic "
                           f"link (or absent), not a folder") from exc
    sync_folder(publish_to)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk so that a switch survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def prune_releases(publish_to: Path, keep: int = KEEP_RELEASES) -> list[str]:
    """Delete all but the `keep` releases that went live last, never the live one nor one still pending;
    return what was deleted.

    The order is the log's; a release folder the log does not mention as live counts as
    older than every logged one. Leftovers of interrupted builds (dot-folders) go too:
    this runs under the lock, so no build is writing them.
    """
    folder = releases_dir(publish_to)
    if not folder.is_dir():
        return []
    present = {p.name: p for p in folder.iterdir()}
    newest_first: list[str] = []
    for _, action, commit in reversed(read_log(publish_to)):
        if action in (PUBLISHED, ROLLED_BACK) and commit in present and commit not in newest_first:
            newest_first.append(commit)
    unlogged = sorted((name for name in present if not name.startswith(".") and name not in newest_first),
                      key=lambda name: present[name].stat().st_mtime, reverse=True)
    ordered = newest_first + unlogged
    kept = set(ordered[:keep]) | {live_release(publish_to)} | pending_releases(publish_to)
    deleted = []
    for name in sorted(present):
        if name not in kept:
            shutil.rmtree(present[name], ignore_errors=True)
            deleted.append(name)
    return [name for name in deleted if not name.startswith(".")]


@contextmanager
def publish_lock(publish_to: Path):
    """Hold DIR/.lock while building or switching, so concurrent pushes build and publish one at a time."""
    publish_to.mkdir(parents=True, exist_ok=True)
    with open(publish_to / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("expediente: waiting for the publish already running to finish...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def previous_release(publish_to: Path) -> str | None:
    """Return the release published before the live one that is still kept, by the log's order."""
    live = live_release(publish_to)
    published = [commit for _, action, commit in read_log(publish_to) if action == PUBLISHED]
    if live not in published:
        return None
    position = len(published) - 1 - published[::-1].index(live)
    for commit in reversed(published[:position]):
        if commit != live and (releases_dir(publish_to) / commit).is_dir():
            return commit
    return None


def rollback(publish_to: Path, now: datetime) -> str:
    """Switch `current` back to the previous release; return its commit or raise PublishError saying why not."""
    if not publish_to.is_dir():
        raise PublishError(f"{publish_to} does not exist")
    with publish_lock(publish_to):
        live = live_release(publish_to)
        if live is None:
            raise PublishError(f"nothing is published in {publish_to}: there is no {publish_to / 'current'}")
        commit = previous_release(publish_to)
        if commit is None:
            raise PublishError(f"there is no earlier release to roll back to: {short(live)} is the oldest "
                               f"one kept in {releases_dir(publish_to)}")
        switch_current(publish_to, commit)
        append_log(publish_to, now, ROLLED_BACK, commit)
        return commit
