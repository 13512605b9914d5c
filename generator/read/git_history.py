"""The notices' git history: how many commits touched each file under notices/, and when the last one was made.

Calendar clients need SEQUENCE and LAST-MODIFIED to rise on every edit; git already
counts edits.  `git log` over notices/ compares every commit's tree with its parent's,
which costs seconds in a repository of ten thousand notices, so the counts are kept
(in the build cache, write/build_cache.py) with the commit they were counted at: when
HEAD has not moved they are taken back as they are, and when HEAD descends from that
commit only the commits since are counted and added (a commit's files are the same
whatever came after it).  After a rebase or a reset to elsewhere, and in a shallow
clone (whose history can grow without HEAD moving), everything is counted again.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.own_files import read_own_file

GIT_HISTORY_FILE = "git-history.json"
# Some 80 bytes a notice file; a record past this is not one this machine kept.
MAX_RECORD_BYTES = 64 << 20
COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
LAST_TIME = 253402214400       # 9999-12-31 00:00 UTC: the last commit time datetime.fromtimestamp gives back


def read_git_history(site_dir: Path, known: dict | None = None) -> tuple[Mapping[str, tuple[int, datetime]], dict | None]:
    """Return, for each file under notices/, (commits that touched it, time of the last one), and the record of it
    to keep for next time (None outside git, or when it cannot be kept; `known` itself when HEAD has not
    moved); `known` is that record from before.

    Outside a git checkout (or without git) the history is empty.
    """
    try:
        where = subprocess.run(["git", "rev-parse", "--show-prefix", "--is-shallow-repository", "HEAD"],
                               cwd=site_dir, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return MappingProxyType({}), None
    lines = where.stdout.split("\n")
    if where.returncode != 0 or len(lines) < 3:
        return MappingProxyType({}), None
    prefix, shallow, head = lines[0], lines[1] == "true", lines[2]
    counts: dict[str, list] | None = None
    since = None
    if known is not None and not shallow and known.get("prefix") == prefix:
        if known.get("head") == head:
            counts = known["counts"]
        elif _descends(site_dir, known.get("head"), head):
            counts, since = {name: list(value) for name, value in known["counts"].items()}, known["head"]
    if counts is None or since is not None:
        counts = _count(site_dir, counts or {}, since)
        if counts is None:
            return MappingProxyType({}), None
    history = {name: (count, datetime.fromtimestamp(last, tz=UTC)) for name, (count, last) in sorted(counts.items())}
    if since is None and known is not None and counts is known.get("counts"):
        return MappingProxyType(history), known      # HEAD has not moved: the same record (nothing to write)
    record = None if shallow else {"head": head, "prefix": prefix, "counts": counts}
    return MappingProxyType(history), record


def read_kept_history(path: Path) -> dict | None:
    """Return the record read_git_history kept at `path` (in a trusted cache folder), or None when there is none
    or it is not one."""
    data = read_own_file(path, MAX_RECORD_BYTES)
    if data is None:
        return None
    try:
        record = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not (isinstance(record, dict) and isinstance(record.get("head"), str) and COMMIT.fullmatch(record["head"])
            and isinstance(record.get("prefix"), str) and isinstance(record.get("counts"), dict)):
        return None
    for value in record["counts"].values():
        # A count a commit could have made: at least one commit, at a time a datetime can hold.
        if not (isinstance(value, list) and len(value) == 2 and all(type(n) is int for n in value)
                and value[0] >= 1 and 0 <= value[1] <= LAST_TIME):
            return None
    return record


def _descends(site_dir: Path, ancestor: object, head: str) -> bool:
    """Tell whether commit `ancestor` is an ancestor of `head` (or it)."""
    if not isinstance(ancestor, str) or not ancestor:
        return False
    try:
        return subprocess.run(["git", "merge-base", "--is-ancestor", ancestor, head], cwd=site_dir,
                              capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _count(site_dir: Path, counts: dict[str, list], since: str | None) -> dict[str, list] | None:
    """Add to `counts` (path -> [commits, last commit's time]) every commit after `since` (all, when None) that
    touched notices/; None when git fails."""
    span = ["HEAD"] if since is None else [f"{since}..HEAD"]
    try:
        log = subprocess.run(
            ["git", "-c", "core.quotepath=off", "log", "--format=%x00%ct", "--name-only", "--relative", *span, "--",
             "notices"], cwd=site_dir, capture_output=True, text=True, timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if log.returncode != 0:
        return None
    for entry in log.stdout.split("\0")[1:]:
        lines = [line for line in entry.split("\n") if line]
        if not lines:
            continue
        # git takes a commit dated in the year 3,000,000 (a pusher's clock, or a pusher): held at the last
        # time a datetime holds, it is still later than every other, and the build does not fail on it.
        when = min(int(lines[0]), LAST_TIME)
        for name in lines[1:]:
            count, last = counts.get(name, (0, when))
            counts[name] = [count + 1, max(last, when)]
    return counts
