"""Publishing from a bare git repository: each push is built before git accepts it, then switched live.

`pre-receive` judges the pushed tree from git's objects, checks it out, and builds it in
full (templates rendered, limits counted, files written) into releases/<commit>, which
is not live: any problem, a template's above all, refuses the push with its located
message, and nothing is published. `post-receive` then only switches `current` to the
release of the branch's newest commit (releases.py), and builds that commit itself only
when no pre-receive built it (hooks installed after the commit arrived, a release pruned
meanwhile, an operator publishing by hand). Both judge the pushed tree from git's objects
first and check it out the same way (pushed_tree.py), so what was checked is what is
built; the checkout lives in a temporary folder and the caches beside releases/. Both
print to stderr, which git shows the pusher as "remote: ...".

Both hold the publishing lock while they build or switch: concurrent pushes are built
one at a time, and a post-receive that waited publishes the newest commit.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Callable

from jinja2 import TemplateSyntaxError

from generator.commands.build import build_into
from generator.commands.pushed_tree import TreeUnreadable, checkout_commit, inspect_tree
from generator.errors import has_errors, sort_problems
from generator.pipeline import where_raised
from generator.read.templates import DEFAULT_THEME_LABEL, default_theme_dir
from generator.report import plain_lines, summary_of
from generator.write.leftovers import working_folder
from generator.write.releases import (
    BUILT,
    FAILED,
    PUBLISHED,
    PublishError,
    append_log,
    cache_folder,
    live_release,
    pending_releases,
    prune_releases,
    publish_lock,
    releases_dir,
    say,
    short,
    switch_current,
)
from generator.write.staging import WriteError

MAX_TREE_MB = 500          # the most a pushed site.yaml may raise `limits: tree_mb` to (install-server-hooks)
# What one push's hook may spend, whatever its templates do (install-server-hooks --max-build-seconds,
# --max-build-mb): processor time, and memory of each of its processes.
MAX_BUILD_SECONDS = 600
MAX_BUILD_MB = 4096
BUILD_PREFIX = "expediente-build-"
ZERO_COMMIT = "0" * 40


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
    The build's "now" is the clock (the command line's): SOURCE_DATE_EPOCH is removed too.
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


# --- Building a release -------------------------------------------------------

def tell_problems(problems) -> None:
    """Print problems for the pusher as `check` prints them, each field on one line and made inert for the
    CI runner of a job that deploys by pushing (no `::command` or `##[command]` that a pushed value wrote)."""
    for line in plain_lines(tuple(problems)):
        say(line)


def refused_tree(git_dir: Path, commit: str, env: dict, max_tree_mb: int) -> bool:
    """Print why the pushed tree may not even be checked out, and tell whether that is so."""
    try:
        problems = sort_problems(inspect_tree(git_dir, commit, env, max_tree_mb))
    except TreeUnreadable as exc:
        raise PublishError(str(exc)) from None
    tell_problems(problems)
    if has_errors(problems):
        say(summary_of(problems))
        return True
    return False


def build_release(git_dir: Path, commit: str, env: dict, publish_to: Path, now: datetime,
                  max_tree_mb: int = MAX_TREE_MB) -> bool:
    """Build `commit` into releases/<commit> (through a temporary folder beside it), its problems to stderr
    as `python build.py build` prints them; tell whether it was built.

    `env` holds the variables under which git finds the commit's objects: pre-receive
    passes the hook's own, with the quarantine of a push not yet accepted.
    """
    if refused_tree(git_dir, commit, env, max_tree_mb):
        return False
    with working_folder(BUILD_PREFIX) as temp:
        site_dir = temp / "site"
        try:
            checkout_commit(git_dir, commit, site_dir, env)
            built = build_into(site_dir, releases_dir(publish_to) / commit, now, cache_root=cache_folder(publish_to),
                               on_result=lambda result: tell_problems(result.problems))
            if not built.result.ok:
                say(summary_of(built.result.problems))
                return False
        except (TreeUnreadable, PublishError, WriteError) as exc:
            say(f"error: {exc}")
            return False
        except MemoryError:
            say("error: the build needed more memory than this server allows a push "
                "(install-server-hooks --max-build-mb); nothing was published")
            return False
        except OSError as exc:
            say(f"error: {exc.strerror or exc}: {exc.filename or ''}")
            return False
        except Exception as exc:  # never a traceback for the pusher: say where, not only that it broke
            say(describe_failure(exc, site_dir))
            return False
    return True


def describe_failure(exc: BaseException, site_dir: Path) -> str:
    """Return `file:line: error: message` for an exception raised while rendering, placed in the template if any."""
    place = None
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        place = (exc.filename, exc.lineno)
    else:
        for filename, lineno in reversed(where_raised(exc)):
            if filename.endswith((".html", ".xml", ".js", ".css", ".txt")):
                place = (filename, lineno)
                break
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if place is None:
        return f"error: {type(exc).__name__}: {message}"
    path = Path(place[0])
    for base, label in ((site_dir, ""), (default_theme_dir().parent, f"{DEFAULT_THEME_LABEL} ")):
        if path.is_relative_to(base):
            return f"{label}{path.relative_to(base).as_posix()}:{place[1]}: error: {message}"
    return f"{path}:{place[1]}: error: {message}"


# --- What the hooks do ---------------------------------------------------------

def prepare_release(git_dir: Path, commit: str, env: dict, publish_to: Path, clock: Callable[[], datetime],
                    max_tree_mb: int = MAX_TREE_MB) -> bool:
    """pre-receive: build the pushed commit into a release that is not live yet; tell whether the push may go on.

    Exactly what post-receive would publish is built here, so a push is accepted only
    when its site was built in full; the release is logged as `built` for post-receive.
    """
    with publish_lock(publish_to):
        if commit == live_release(publish_to):
            say(f"expediente: {short(commit)} is live already")
            return True
        now = clock()  # read once the lock is ours: the days shown start when it is built
        if not build_release(git_dir, commit, env, publish_to, now, max_tree_mb):
            return False
        append_log(publish_to, now, BUILT, commit)
    say(f"expediente: {short(commit)} checked and built: no errors")
    return True


def publish_branch(git_dir: Path, publish_to: Path, branch: str, clock: Callable[[], datetime],
                   max_tree_mb: int = MAX_TREE_MB) -> int:
    """post-receive: make the branch's newest commit live at `clock()`; 0 when live (or already live), 1 when
    it failed."""
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
        now = clock()
        if commit not in pending_releases(publish_to):
            # No pre-receive built it (or its release is gone): build it now, as pre-receive would.
            say(f"expediente: building {short(commit)} ({branch})...")
            if not build_release(git_dir, commit, dict(os.environ), publish_to, now, max_tree_mb):
                append_log(publish_to, now, FAILED, commit)
                kept = f"{short(live)} stays live" if live else "nothing is published yet"
                say(f"expediente: the build of {short(commit)} failed and {kept}; the push itself was accepted")
                return 1
        switch_current(publish_to, commit)
        append_log(publish_to, now, PUBLISHED, commit)
        prune_releases(publish_to)
        say(f"expediente: {short(commit)} is live ({publish_to / 'current'} -> releases/{commit})")
        return 0


def read_updates(text: str) -> list[tuple[str, str, str]]:
    """Return the (old, new, ref) lines git gives pre-receive and post-receive on stdin."""
    return [tuple(line.split()[:3]) for line in text.splitlines() if len(line.split()) >= 3]


def bound_this_process(cpu_seconds: int, memory_mb: int) -> None:
    """Cap the processor time and the memory of this hook and of the build processes it forks (which
    inherit both): a template that loops for hours or grows a text to gigabytes inside the sandbox
    stops here, the push refused, and the publishing lock (an flock) is released with the process."""
    def out_of_time(signum, frame):
        say(f"expediente: the build used more than {cpu_seconds} s of processor time, the most this server "
            "allows a push (install-server-hooks --max-build-seconds); nothing was published")
        sys.stderr.flush()
        os._exit(1)

    signal.signal(signal.SIGXCPU, out_of_time)
    # The hard limit, a few seconds later, ends a process stuck where Python cannot run the handler.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024,) * 2)


def run_hook(argv: list[str], clock: Callable[[], datetime]) -> int:
    """Run a server hook (cli.run_server_hook), each build at `clock()`:
    `pre-receive|post-receive DIR BRANCH [MAX_TREE_MB [MAX_BUILD_SECONDS MAX_BUILD_MB]]`, updates on stdin."""
    hook, publish_to, branch, *rest = argv
    numbers = [int(value) if value.isdigit() else None for value in rest]
    numbers += [None] * (3 - len(numbers))
    max_tree_mb = numbers[0] or MAX_TREE_MB
    bound_this_process(numbers[1] or MAX_BUILD_SECONDS, numbers[2] or MAX_BUILD_MB)
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
                if not prepare_release(git_dir, new, env, Path(publish_to), clock, max_tree_mb):
                    say(f"expediente: the push of {short(new)} to {branch} was refused; nothing was published")
                    return 1
            return 0
        if hook == "post-receive":
            if not any(new != ZERO_COMMIT for _, new in ours):
                return 0
            return publish_branch(git_dir, Path(publish_to), branch, clock, max_tree_mb)
    except PublishError as exc:
        say(f"expediente: error: {exc}")
        return 1
    except Exception as exc:  # the pusher reads this: a located line, never a traceback of the server's code
        say(f"expediente: internal error ({type(exc).__name__}); nothing was published; this is a bug in "
            f"the generator, and the server's operator can run the hook by hand to see where")
        return 1
    say(f"expediente: unknown hook '{hook}'")
    return 2
