"""Git hooks: the scripts, installing them, and the `install-hooks`, `install-server-hooks` and `rollback` commands
(their options are declared in cli.py, which imports this module only when one of them runs).

Every hook this writes carries MARKER, so that installing again replaces our own
hook (idempotent) and never, without --force, one somebody else wrote. The scripts
call the generator with the absolute path of the Python that installed them: git
runs hooks with whatever PATH the committer's shell, GUI or ssh session has.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from generator.commands import UsageError
from generator.write.new_files import keep_aside, make_folder, replace_script
from generator.write.releases import PublishError, rollback

MARKER = "# expediente-hook"
ROOT = Path(__file__).resolve().parents[2]  # the folder holding generator/ (and build.py in a checkout)
COMMANDS = ("install-hooks", "install-server-hooks", "rollback")

PRE_COMMIT = """\
#!/bin/sh
{marker}: pre-commit
# Checks the site as it is staged (dates, weekdays, hours) and stops the commit on errors.
# Installed by `expediente install-hooks`: run it again to update this file, or delete the file.
# `git commit --no-verify` skips the check once; the server checks every push anyway.
python={python}
generator={generator}
site={site}

if [ -x "$python" ]; then
    set -- "$python" {call}
elif command -v expediente >/dev/null 2>&1; then
    set -- expediente
else
    echo "expediente: cannot check the site: $python does not exist and no 'expediente' is on PATH" >&2
    echo "  hint: run '{prog} install-hooks' again with the Python that has the generator" >&2
    exit 1
fi

# Check what is being committed (the index), not the working tree: an unstaged fix must not hide
# an error that is about to be committed, nor an unstaged mistake stop a good commit.
snapshot=$(mktemp -d "${{TMPDIR:-/tmp}}/expediente-commit.XXXXXX") || exit 1
trap 'rm -rf "$snapshot"' EXIT
trap 'exit 1' INT TERM
git checkout-index --all --prefix="$snapshot/" || exit 1
mkdir -p "$snapshot/$site"
if ! (cd "$snapshot/$site" && "$@" check --site .{strict} >/dev/null); then
    echo "expediente: the commit was stopped; fix the errors above and stage the fix with git add" >&2
    exit 1
fi
"""

# -P: git runs the hook in the bare repository, which holds no pushed file, but `-c` would still put that
# folder on sys.path before every library; as in the pre-commit hook, only the generator's folder is put there.
SERVER_HOOK = """\
#!/bin/sh
{marker}: {hook}
# {purpose}
# Installed by `expediente install-server-hooks`: run it again to change this file.
exec {python} -P -c 'import sys; sys.path.insert(0, sys.argv.pop(1)); from generator.cli import run_server_hook; \
sys.exit(run_server_hook(sys.argv[1:]))' {root} {hook} {publish_to} {branch} {max_tree_mb} {max_seconds} {max_mb}
"""

PURPOSE = {
    "pre-receive": "Checks and builds each push to the published branch into a release not yet live; "
                   "refuses the push on errors.",
    "post-receive": "Switches `current` to the release of the published branch's newest commit.",
}


class HookConflict(Exception):
    """A hook we did not write is in the way."""


# --- The scripts ---------------------------------------------------------------

def interpreter() -> str:
    """Return the running Python's absolute path, unresolved: a virtual environment's python is a symlink."""
    return os.path.abspath(sys.executable)


def pre_commit_script(site_in_repo: str, strict: bool, prog: str = "expediente") -> str:
    """Return the pre-commit hook that checks the staged site at `site_in_repo` (relative to the top);
    its hint names the command as the user ran it (`prog`)."""
    build_py = ROOT / "build.py"
    if build_py.is_file():
        call = '"$generator/build.py"'
    else:  # an installed package: no build.py, but the interpreter imports the generator
        # -P: `-c` would put the working folder, the staged site, on sys.path before every library (a committed
        # yaml.py imported in place of PyYAML); the generator's folder alone is put there.
        call = "-P -c 'import sys; sys.path.insert(0, sys.argv.pop(1)); from generator.cli import run; " \
               "sys.exit(run())' \"$generator\""
    return PRE_COMMIT.format(marker=MARKER, python=shlex.quote(interpreter()), generator=shlex.quote(str(ROOT)),
                             site=shlex.quote(site_in_repo), call=call, strict=" --strict" if strict else "",
                             prog=prog)


def server_hook_script(hook: str, publish_to: Path, branch: str, max_tree_mb: int = 500,
                       max_seconds: int = 600, max_mb: int = 4096) -> str:
    """Return the pre-receive or post-receive hook for publishing `branch` into `publish_to`.

    Every value is quoted for the shell (shlex.quote): a folder or branch name holding `$(...)`,
    backquotes or `;` is passed to Python as it is, never run.
    """
    return SERVER_HOOK.format(marker=MARKER, hook=hook, purpose=PURPOSE[hook], python=shlex.quote(interpreter()),
                              root=shlex.quote(str(ROOT)), publish_to=shlex.quote(str(publish_to)),
                              branch=shlex.quote(branch), max_tree_mb=shlex.quote(str(int(max_tree_mb))),
                              max_seconds=shlex.quote(str(int(max_seconds))), max_mb=shlex.quote(str(int(max_mb))))


# --- Installing ------------------------------------------------------------------

def hooks_folder(repo: Path) -> Path:
    """Return where git looks for the hooks of `repo` (core.hooksPath respected)."""
    out = subprocess.run(["git", "rev-parse", "--git-path", "hooks"], cwd=repo, capture_output=True, text=True,
                         check=False)
    return repo / out.stdout.strip()


def install_hook(folder: Path, name: str, text: str, force: bool) -> str:
    """Write one hook; return 'installed', 'updated' or 'unchanged'. A foreign hook is kept as <name>.orig."""
    path = folder / name
    status = "installed"
    if path.is_file() or path.is_symlink():
        old = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        if old == text and os.access(path, os.X_OK):
            return "unchanged"
        if MARKER in old:
            status = "updated"
        elif not force:
            raise HookConflict(f"{path} already exists and was not written by expediente")
        else:
            keep_aside(path, path.with_name(name + ".orig"))
            status = f"installed (the previous hook is kept as {name}.orig)"
    replace_script(path, text)
    return status


def git_out(args: list[str], cwd: Path) -> str | None:
    """Return git's output, or None when git fails (not a repository, say)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def install_hooks(site_dir: Path, strict: bool, force: bool, prog: str = "expediente") -> str:
    """Install the pre-commit hook in the repository holding `site_dir`; return what was done."""
    top = git_out(["rev-parse", "--show-toplevel"], site_dir)
    if top is None:
        raise UsageError(f"{site_dir} is not inside a git checkout; run 'git init' there first")
    prefix = git_out(["rev-parse", "--show-prefix"], site_dir) or ""
    folder = hooks_folder(site_dir)
    status = install_hook(folder, "pre-commit", pre_commit_script(prefix.rstrip("/") or ".", strict, prog), force)
    return f"pre-commit hook {status}: {folder / 'pre-commit'} (checks with {interpreter()})"


def install_server_hooks(repo: Path, publish_to: Path, branch: str, force: bool,
                         max_tree_mb: int = 500, max_seconds: int = 600, max_mb: int = 4096) -> list[str]:
    """Install pre-receive and post-receive in the bare repository `repo`; return what was done."""
    if git_out(["rev-parse", "--is-bare-repository"], repo) != "true":
        raise UsageError(f"{repo} is not a bare git repository; create one with 'git init --bare {repo}'")
    if git_out(["check-ref-format", "--branch", branch], repo) is None:
        raise UsageError(f"'{branch}' is not a valid branch name")
    current = publish_to / "current"
    if current.exists() and not current.is_symlink():
        raise UsageError(f"{current} exists and is not a symbolic link; move it away: the hooks replace it")
    make_folder(publish_to / "releases")
    folder = hooks_folder(repo)
    done = []
    for hook in ("pre-receive", "post-receive"):
        status = install_hook(folder, hook, server_hook_script(hook, publish_to, branch, max_tree_mb, max_seconds, max_mb),
                              force)
        done.append(f"{hook} hook {status}: {folder / hook}")
    if os.stat(repo).st_uid != os.stat(publish_to).st_uid:
        done.append(f"warning: {publish_to} and {repo} have different owners; the hooks run as the user who "
                    f"pushes and must be able to write to {publish_to}")
    done.append(f"pushes to {branch} are built into {publish_to / 'releases'} before they are accepted, "
                f"and served from {current}")
    ref = shlex.quote(f"refs/heads/{branch}")
    if not current.is_symlink():
        done.append(f"nothing is live yet: the next push to {branch} publishes it" if not has_branch(repo, branch)
                    else f"nothing is live yet: push to {branch}, or publish it as it is now with\n"
                         f"  cd {shlex.quote(str(repo))} && printf '0 %s %s\\n' \"$(git rev-parse {ref})\" {ref} "
                         f"| hooks/post-receive")
    return done


def has_branch(repo: Path, branch: str) -> bool:
    """Tell whether the repository has the branch already."""
    return git_out(["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], repo) is not None


# --- The commands ------------------------------------------------------------------

def run_hook_command(args: argparse.Namespace, now: datetime, prog: str = "expediente") -> int:
    """Run install-hooks, install-server-hooks or rollback (logged at `now`); return the exit status."""
    try:
        if args.command == "install-hooks":
            print(install_hooks(args.site, args.strict, args.force, prog))
        elif args.command == "install-server-hooks":
            publish_to = Path(os.path.abspath(args.publish_to))
            print("\n".join(install_server_hooks(Path(os.path.abspath(args.repo)), publish_to, args.branch,
                                                 args.force, args.max_tree_mb, args.max_build_seconds,
                                                 args.max_build_mb)))
        else:
            publish_to = Path(os.path.abspath(args.publish_to))
            commit = rollback(publish_to, now)
            print(f"rolled back: {publish_to / 'current'} -> releases/{commit}")
    except HookConflict as exc:
        print(f"{prog}: error: {exc}\n  hint: run again with --force to replace it "
              f"(it is kept beside as .orig), or call the check from it", file=sys.stderr)
        return 1
    except PublishError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    return 0
