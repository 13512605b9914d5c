"""A pushed commit's tree: judged from git's objects before one file is written, then checked out.

Both server hooks go through here, so that pre-receive checks exactly the files that
post-receive builds:

1. `inspect_tree` lists the tree with `git ls-tree -r -l -z` (names, modes, sizes) and
   refuses, before anything is extracted: a tree over the size or file-count limit
   (300 MB of zeros travel as 1.3 MB), submodules (`.gitmodules`, gitlinks), a `.git`
   inside the tree, file names with control characters or that are not UTF-8, and
   symbolic links that are absolute or lead out of the tree (their targets are read
   with `git cat-file`, and followed through the tree's other links as the kernel would).
2. `checkout_commit` makes a repository that borrows the bare repository's objects
   (and the quarantined ones of a push not yet accepted) and checks the commit out with
   git's own checkout, history included. `.gitattributes` of the pushed tree has no
   effect: `$GIT_DIR/info/attributes`, which outranks it, turns off every conversion,
   filter and `ident`, and `git archive` (export-ignore, export-subst) is not used.
   No configuration but the command line's reaches that git (no hooks, no filters).
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ERROR, SourceError
from generator.read.sources import MAX_SOURCE_BYTES, decode
from generator.read.yaml_nodes import parse_yaml
from generator.validate.fields import Problems
from generator.validate.limits import validate_limits

SITE_YAML = "site_src/site.yaml"
MB = 1_000_000
ATTRIBUTES = "* -text -eol -ident -filter -working-tree-encoding -crlf\n"
SYMLINK, GITLINK = "120000", "160000"
MAX_LINK_STEPS = 40            # as the kernel's ELOOP
LOOP: list[str] = ["\0loop"]   # what resolve_link gives for a loop: no path part can hold a NUL


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of the tree as `git ls-tree -r -l` lists it."""

    mode: str
    kind: str
    oid: str
    size: int
    path: str        # decoded as UTF-8, undecodable bytes kept as surrogates (see shown)


def shown(path: str) -> str:
    """Return a path as messages show it: as it is, or quoted and escaped as git does when it holds
    a control character, a byte that is not UTF-8, a quote or a backslash."""
    if path.isprintable() and '"' not in path and "\\" not in path:
        return path
    out = []
    for char in path:
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\n\t":
            out.append("\\n" if char == "\n" else "\\t")
        elif not char.isprintable():
            out.extend(f"\\{byte:03o}" for byte in char.encode("utf-8", "surrogateescape"))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def git_env(env: dict) -> dict:
    """Return the environment in which to read a pushed commit: the quarantine variables kept, no config."""
    return {**env, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}


def list_tree(git_dir: Path, commit: str, env: dict, max_entries: int) -> tuple[list[Entry], bool]:
    """Return the tree's files (at most `max_entries` + 1 of them) and whether the listing went beyond."""
    proc = subprocess.Popen(["git", "ls-tree", "-r", "-l", "-z", "--full-tree", commit], cwd=git_dir,
                            env=git_env(env), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    entries: list[Entry] = []
    pending = b""
    over = False
    assert proc.stdout is not None
    while not over:
        chunk = proc.stdout.read(1 << 16)
        if not chunk:
            break
        *records, pending = (pending + chunk).split(b"\0")
        for record in records:
            info, _, name = record.partition(b"\t")
            mode, kind, oid, size = info.split()
            entries.append(Entry(mode.decode(), kind.decode(), oid.decode(), int(size) if size != b"-" else 0,
                                 name.decode("utf-8", "surrogateescape")))
            if len(entries) > max_entries:
                over = True
                break
    if over:
        proc.kill()
    proc.stdout.close()
    if proc.wait() != 0 and not over:
        raise TreeUnreadable(f"git ls-tree {commit[:10]} failed")
    return entries, over


class TreeUnreadable(Exception):
    """git could not list or read the pushed commit."""


def read_blobs(git_dir: Path, oids: list[str], env: dict) -> dict[str, bytes]:
    """Return the contents of small blobs (link targets), read in one `git cat-file --batch`."""
    if not oids:
        return {}
    done = subprocess.run(["git", "cat-file", "--batch"], cwd=git_dir, env=git_env(env), check=False,
                          input="".join(f"{oid}\n" for oid in oids).encode(), capture_output=True)
    found, data = {}, done.stdout
    at = 0
    for oid in oids:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        size = int(header[2])
        found[oid] = data[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found


def read_tree_limits(git_dir: Path, commit: str, env: dict, ceiling_mb: int) -> tuple[int, int, list[SourceError]]:
    """Return the tree limits (MB, files) that the pushed site.yaml sets under `limits:`, and their problems.

    They are read from git's objects, as everything here; a value above the server's
    `ceiling_mb` (install-server-hooks --max-tree-mb) is lowered to it.
    """
    spec = f"{commit}:{SITE_YAML}"
    size = subprocess.run(["git", "cat-file", "-s", spec], cwd=git_dir, env=git_env(env), capture_output=True,
                          text=True, check=False)
    root = None     # no site.yaml, or too big: the defaults here, and the check says why later
    if size.returncode == 0 and size.stdout.strip().isdigit() and int(size.stdout) <= MAX_SOURCE_BYTES:
        blob = subprocess.run(["git", "cat-file", "blob", spec], cwd=git_dir, env=git_env(env),
                              capture_output=True, check=False).stdout
        text, _ = decode(blob, SITE_YAML)
        root, _ = parse_yaml(text, SITE_YAML) if text else (None, [])
    problems = Problems(SITE_YAML)
    # The same reading of `limits:` as the check's (validate/limits.py), so that one mistake there
    # gets one message, whether the push stops here or later.
    limits = validate_limits(root, problems)
    return min(limits["tree_mb"], ceiling_mb), limits["tree_files"], problems.items


def inspect_tree(git_dir: Path, commit: str, env: dict, ceiling_mb: int) -> list[SourceError]:
    """Return why the pushed tree may not be checked out at all (empty when it may), from git's objects alone."""
    limit_mb, limit_files, problems = read_tree_limits(git_dir, commit, env, ceiling_mb)
    if any(problem.severity == ERROR for problem in problems):
        return problems
    entries, over = list_tree(git_dir, commit, env, limit_files)
    if over:
        return [SourceError(".", 0, 0, f"the pushed tree holds more than {limit_files:,} files, over the limit "
                            f"of {limit_files:,} (limits: tree_files in {SITE_YAML})",
                            "keep generated or bulky files out of the site's repository")]
    total = sum(entry.size for entry in entries)
    if total > limit_mb * MB:
        largest = sorted(entries, key=lambda entry: (-entry.size, entry.path))[:3]
        listed = ", ".join(f"{shown(entry.path)} ({entry.size / MB:.1f} MB)" for entry in largest)
        problems.append(SourceError(
            largest[0].path, 0, 0,
            f"the pushed tree holds {total / MB:.1f} MB of files, over the limit of {limit_mb} MB "
            f"(limits: tree_mb in {SITE_YAML})",
            f"the largest files are {listed}; keep bulky files out of the site's repository "
            f"(this server allows up to {ceiling_mb} MB)"))
        return problems
    paths = {entry.path: entry for entry in entries}
    links = {entry.path: entry for entry in entries if entry.mode == SYMLINK}
    targets = read_blobs(git_dir, sorted({entry.oid for entry in links.values()}), env)
    for entry in entries:
        problems.extend(entry_problems(entry, paths))
    for path, entry in sorted(links.items()):
        target = targets.get(entry.oid, b"").decode("utf-8", "surrogateescape")
        problem = link_problem(path, target, {p: targets.get(e.oid, b"").decode("utf-8", "surrogateescape")
                                              for p, e in links.items()})
        if problem is not None:
            problems.append(problem)
    return problems


def entry_problems(entry: Entry, paths: dict[str, Entry]) -> list[SourceError]:
    """Return what is wrong with one entry of the tree by its name and mode alone."""
    found = []
    parts = entry.path.split("/")
    name = shown(entry.path)
    if entry.mode == GITLINK:
        found.append(SourceError(name, 0, 0, "a submodule cannot be published: its files are not in this "
                                 "repository", f"remove it with 'git rm --cached {parts[-1]}' and commit its files"))
    elif parts[-1] == ".gitmodules":
        found.append(SourceError(name, 0, 0, "submodules cannot be published; .gitmodules is refused",
                                 "remove it with 'git rm .gitmodules'"))
    if any(part in ("", ".", "..") for part in parts):
        found.append(SourceError(name, 0, 0, "a name in the path is '.', '..' or empty, which no checkout "
                                 "can hold (the tree was made by hand)", "remove the entry from the commit"))
    elif any(part.lower().rstrip(". ") == ".git" for part in parts):
        found.append(SourceError(name, 0, 0, "a file or folder named .git cannot be part of the site",
                                 "remove it from the commit"))
    if any("\udc80" <= char <= "\udcff" for char in entry.path):
        found.append(SourceError(name, 0, 0, "the file name is not UTF-8", "rename it"))
    elif not entry.path.isprintable():
        found.append(SourceError(name, 0, 0, "the file name holds a control character (a line break, a tab...)",
                                 "rename it"))
    return found


def link_problem(path: str, target: str, links: dict[str, str]) -> SourceError | None:
    """Return an error for a symbolic link that is absolute or leads out of the tree (or into .git), else None.

    The target is resolved as the kernel would, through the other links of the tree,
    so that `a -> .` plus `b -> a/../../etc` is seen for what it is.
    """
    name = shown(path)
    hint = "commit the file itself instead of a link to it"
    if target.startswith("/"):
        return SourceError(name, 0, 0, f"a symbolic link to the absolute path '{shown(target)}' is refused", hint)
    resolved = resolve_link(posixpath.dirname(path), target, links)
    if resolved is LOOP:
        return SourceError(name, 0, 0, f"the symbolic link to '{shown(target)}' is a loop: following it leads back "
                           f"to it (or through more than {MAX_LINK_STEPS} links)", hint)
    if resolved is None:
        return SourceError(name, 0, 0, f"the symbolic link to '{shown(target)}' leads out of the site", hint)
    if resolved and resolved[0].lower().rstrip(". ") == ".git":
        return SourceError(name, 0, 0, f"the symbolic link to '{shown(target)}' leads into .git", hint)
    return None


def resolve_link(folder: str, target: str, links: dict[str, str]) -> list[str] | None:
    """Return the path a link's target reaches inside the tree, as parts, None if it leaves the tree, or LOOP.

    A loop, or more than MAX_LINK_STEPS links on the way, gives LOOP: the kernel refuses
    such a path as well, and nothing good is behind it.
    """
    parts = [part for part in folder.split("/") if part]
    pending = [part for part in target.split("/")]
    steps = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        here = "/".join(parts + [part])
        if here in links:
            steps += 1
            if links[here].startswith("/"):
                return None
            if steps > MAX_LINK_STEPS:
                return LOOP
            pending = links[here].split("/") + pending
            continue
        parts.append(part)
    return parts


def object_folders(git_dir: Path, env: dict) -> list[str]:
    """Return the object folders holding a push's objects: the repository's, and its quarantine while
    pre-receive runs (git keeps a push's objects apart until the hook accepts it)."""
    folders = [os.path.realpath(git_dir / "objects")]
    for name in ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"):
        for folder in env.get(name, "").split(os.pathsep):
            if folder and os.path.realpath(folder) not in folders:
                folders.append(os.path.realpath(os.path.join(git_dir, folder)))
    return folders


def checkout_commit(git_dir: Path, commit: str, target: Path, env: dict) -> None:
    """Check `commit` out into `target` (a new folder) with its history, as both hooks build and check it."""
    base = {name: value for name, value in env.items() if not name.startswith("GIT_")}
    run_env = git_env(base)
    made = subprocess.run(["git", "init", "--quiet", "--template=", str(target)], env=run_env, check=False,
                          capture_output=True, text=True)
    if made.returncode != 0:
        raise TreeUnreadable(f"git init {target} failed: {made.stderr.strip()}")
    info = target / ".git" / "objects" / "info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "alternates").write_text("".join(f"{folder}\n" for folder in object_folders(git_dir, env)),
                                     encoding="utf-8")
    (target / ".git" / "info").mkdir(exist_ok=True)
    (target / ".git" / "info" / "attributes").write_text(ATTRIBUTES, encoding="utf-8")
    done = subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "-c", "advice.detachedHead=false",
                           "-c", "core.symlinks=true", "-c", "submodule.recurse=false",
                           "checkout", "--quiet", "--detach", commit, "--"],
                          cwd=target, env=run_env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise TreeUnreadable(f"git checkout {commit[:10]} failed: {done.stderr.strip()}")
