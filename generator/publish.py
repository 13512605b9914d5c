"""Publishing from a bare git repository: check pushes, build releases, switch `current`, roll back.

The folder a web server serves looks like this:

    DIR/current -> releases/<commit>     a symbolic link, replaced in one rename
    DIR/releases/<commit>/               one finished build per published commit
    DIR/releases.log                     what went live and when, oldest first
    DIR/.lock                            held while a release is built or switched
    DIR/cache/                           the build's caches, never read from a pushed tree

`pre-receive` checks the pushed commit in a temporary folder and refuses the push on
errors; `post-receive` builds the branch's newest commit into a release and switches
`current` to it. Both judge the pushed tree from git's objects first and check it out
the same way (pushed_tree.py), so what was checked is what is built. Both print to
stderr, which git shows the pusher as "remote: ...".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .errors import has_errors, sort_problems
from .leftovers import working_folder
from .pushed_tree import TreeUnreadable, checkout_commit, inspect_tree

KEEP_RELEASES = 5
MAX_TREE_MB = 500          # the most a pushed site.yaml may raise `limits: tree_mb` to (install-server-hooks)
CHECK_PREFIX, BUILD_PREFIX = "expediente-check-", "expediente-build-"
ZERO_COMMIT = "0" * 40
LOG_NAME = "releases.log"
PUBLISHED, ROLLED_BACK, FAILED = "publish", "rollback", "failed"


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


# --- Running git -------------------------------------------------------------

def git(args: list[str], cwd: Path, env: dict | None = None, check: bool = True) -> str:
    """Run git and return its output; raise PublishError with git's own message when it fails."""
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise PublishError(f"git {args[0]} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout.strip()


def clean_environment() -> dict:
    """Remove git's hook variables from this process, so no git run here finds the bare repository by accident.

    Returns the variables as they were, for the git commands that must see the
    pushed objects (git keeps them in quarantine until pre-receive accepts them).
    The build's "now" is the clock: SOURCE_DATE_EPOCH is removed too.
    """
    before = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("GIT_") or name == "SOURCE_DATE_EPOCH":
            del os.environ[name]
    return before


def branch_tip(git_dir: Path, branch: str) -> str | None:
    """Return the commit the branch points to now, or None when it does not exist."""
    out = git(["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"], git_dir, check=False)
    return out or None


# --- The release folder ------------------------------------------------------

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
    """Delete all but the `keep` releases that went live last, never the live one; return what was deleted.

    The order is the log's; a release folder the log does not mention counts as older
    than every logged one. Leftovers of interrupted builds (dot-folders) go too: this
    runs under the lock, so no build is writing them.
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
    kept = set(ordered[:keep]) | {live_release(publish_to)}
    deleted = []
    for name in sorted(present):
        if name not in kept:
            shutil.rmtree(present[name], ignore_errors=True)
            deleted.append(name)
    return [name for name in deleted if not name.startswith(".")]


@contextmanager
def publish_lock(publish_to: Path):
    """Hold DIR/.lock while building or switching, so concurrent pushes publish one at a time."""
    import fcntl

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


# --- Checking and building -----------------------------------------------------

def refused_tree(git_dir: Path, commit: str, env: dict, max_tree_mb: int) -> bool:
    """Print why the pushed tree may not even be checked out, and tell whether that is so."""
    from .cli import print_problems, summary_of

    try:
        problems = sort_problems(inspect_tree(git_dir, commit, env, max_tree_mb))
    except TreeUnreadable as exc:
        raise PublishError(str(exc)) from None
    print_problems(problems, sys.stderr)
    if has_errors(problems):
        say(summary_of(problems))
        return True
    return False


def check_commit(git_dir: Path, commit: str, env: dict, publish_to: Path, max_tree_mb: int = MAX_TREE_MB) -> bool:
    """Check the site as of `commit` in a temporary folder, its problems to stderr; tell whether it passed.

    The tree is judged from git's objects, then checked out exactly as build_release
    checks it out, and checked as `python build.py check` checks, so the pusher reads
    the same messages as at home.
    """
    from .build_command import check_site
    from .cli import parse_now, print_problems, summary_of

    if refused_tree(git_dir, commit, env, max_tree_mb):
        return False
    with working_folder(CHECK_PREFIX) as temp:
        site_dir = temp / "site"
        try:
            checkout_commit(git_dir, commit, site_dir, env)
        except TreeUnreadable as exc:
            raise PublishError(str(exc)) from None
        try:
            site, problems, _ = check_site(site_dir, parse_now(None, {}), strict=False,
                                        cache_root=cache_folder(publish_to))
        except Exception as exc:  # never a traceback for the pusher; the push is refused
            say(f"internal error: {type(exc).__name__} while checking; this is a bug in the generator")
            return False
    print_problems(problems, sys.stderr)
    if site is None:
        say(summary_of(problems))
        return False
    return True


def build_release(git_dir: Path, commit: str, publish_to: Path, now: datetime,
                  max_tree_mb: int = MAX_TREE_MB) -> bool:
    """Build `commit` into releases/<commit> (through a temporary folder beside it); say why when it fails."""
    from .cli import print_problems, summary_of
    from .pipeline import build_site
    from .write import WriteError, write_site

    if refused_tree(git_dir, commit, dict(os.environ), max_tree_mb):
        return False
    with working_folder(BUILD_PREFIX) as temp:
        site_dir = temp / "site"
        try:
            checkout_commit(git_dir, commit, site_dir, dict(os.environ))
            result = build_site(site_dir, now, cache_root=cache_folder(publish_to))
            print_problems(result.problems, sys.stderr)
            if not result.ok:
                say(f"expediente: {summary_of(result.problems)} in {short(commit)}")
                return False
            write_site(result.outputs, releases_dir(publish_to) / commit, site_dir)
        except TreeUnreadable as exc:
            say(f"error: {exc}")
            return False
        except (PublishError, WriteError) as exc:
            say(f"error: {exc}")
            return False
        except OSError as exc:
            say(f"error: {exc.strerror or exc}: {exc.filename or ''}")
            return False
        except Exception as exc:  # a broken template above all: say where, not only that it broke
            say(describe_failure(exc, site_dir))
            return False
    return True


def describe_failure(exc: BaseException, site_dir: Path) -> str:
    """Return `file:line: error: message` for an exception raised while rendering, placed in the template if any."""
    from jinja2 import TemplateSyntaxError

    from .default_theme import default_theme_dir
    from .parallel import raised_at

    place = None
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        place = (exc.filename, exc.lineno)
    else:
        for filename, lineno in reversed(raised_at(exc)):
            if filename.endswith((".html", ".xml", ".js", ".css", ".txt")):
                place = (filename, lineno)
                break
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if place is None:
        return f"error: {type(exc).__name__}: {message}"
    path = Path(place[0])
    for base, label in ((site_dir, ""), (default_theme_dir().parent, "(the default theme) ")):
        if path.is_relative_to(base):
            return f"{label}{path.relative_to(base).as_posix()}:{place[1]}: error: {message}"
    return f"{path}:{place[1]}: error: {message}"


# --- What the hooks and commands do ------------------------------------------

def publish_branch(git_dir: Path, publish_to: Path, branch: str, max_tree_mb: int = MAX_TREE_MB) -> int:
    """Build the branch's newest commit and make it live; 0 when live (or already live), 1 when it failed."""
    from .cli import parse_now

    with publish_lock(publish_to):
        # Take the tip only now: a push that waited for the lock publishes the newest commit,
        # and one that finds it already live has nothing to do, so the last push always wins.
        commit = branch_tip(git_dir, branch)
        if commit is None:
            say(f"expediente: the branch {branch} does not exist; nothing was published")
            return 0
        live = live_release(publish_to)
        if commit == live:
            say(f"expediente: {short(commit)} is already live")
            return 0
        now = parse_now(None, {})  # the clock: a published site shows the days from the moment it is built
        say(f"expediente: building {short(commit)} ({branch})...")
        if not build_release(git_dir, commit, publish_to, now, max_tree_mb):
            append_log(publish_to, now, FAILED, commit)
            kept = f"{short(live)} stays live" if live else "nothing is published yet"
            say(f"expediente: the build of {short(commit)} failed and {kept}; the push itself was accepted")
            return 1
        switch_current(publish_to, commit)
        append_log(publish_to, now, PUBLISHED, commit)
        prune_releases(publish_to)
        say(f"expediente: {short(commit)} is live ({publish_to / 'current'} -> releases/{commit})")
        return 0


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


def rollback(publish_to: Path) -> str:
    """Switch `current` back to the previous release; return its commit or raise PublishError saying why not."""
    from .cli import parse_now

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
        append_log(publish_to, parse_now(None, {}), ROLLED_BACK, commit)
        return commit


def read_updates(text: str) -> list[tuple[str, str, str]]:
    """Return the (old, new, ref) lines git gives pre-receive and post-receive on stdin."""
    return [tuple(line.split()[:3]) for line in text.splitlines() if len(line.split()) >= 3]


def run_hook(argv: list[str]) -> int:
    """Entry point of the installed server hooks: `pre-receive|post-receive DIR BRANCH [MAX_TREE_MB]`,
    updates on stdin."""
    hook, publish_to, branch, *rest = argv
    max_tree_mb = int(rest[0]) if rest and rest[0].isdigit() else MAX_TREE_MB
    git_dir = Path(os.environ.get("GIT_DIR", ".")).resolve()  # git runs hooks inside the bare repository
    env = clean_environment()
    ref = f"refs/heads/{branch}"
    ours = [(old, new) for old, new, name in read_updates(sys.stdin.read()) if name == ref]
    try:
        if hook == "pre-receive":
            for _, new in ours:
                if new == ZERO_COMMIT:
                    say(f"expediente: {branch} is the published branch; deleting it is refused")
                    return 1
                if not check_commit(git_dir, new, env, Path(publish_to), max_tree_mb):
                    say(f"expediente: the push of {short(new)} to {branch} was refused; nothing was published")
                    return 1
                say(f"expediente: {short(new)} checked: no errors")
            return 0
        if hook == "post-receive":
            if not any(new != ZERO_COMMIT for _, new in ours):
                return 0
            return publish_branch(git_dir, Path(publish_to), branch, max_tree_mb)
    except PublishError as exc:
        say(f"expediente: error: {exc}")
        return 1
    except Exception as exc:  # the pusher reads this: a located line, never a traceback of the server's code
        say(f"expediente: internal error ({type(exc).__name__}); nothing was published; this is a bug in "
            f"the generator, and the server's operator can run the hook by hand to see where")
        return 1
    say(f"expediente: unknown hook '{hook}'")
    return 2
