"""A bare repository with the hooks `install-server-hooks` installs, a clone to push from, and what the
pusher reads: the helpers of every test that attacks the server through a real `git push`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import MINIMAL_HOURS, MINIMAL_SITE

from generator.cli import main


def git_env(**extra: str) -> dict:
    """Return an environment in which git reads no user or system configuration and commits as Test."""
    return {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid", **extra}


def git(cwd: Path, *args: str, check: bool = True, stdin: str | bytes | None = None,
        env: dict | None = None) -> subprocess.CompletedProcess:
    """Run git in `cwd`; assert it succeeded unless `check` is False."""
    done = subprocess.run(["git", *args], cwd=cwd, env=env or git_env(), capture_output=True, timeout=120,
                          check=False, input=stdin.encode() if isinstance(stdin, str) else stdin)
    if check:
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr.decode()}"
    return done


def out(done: subprocess.CompletedProcess) -> str:
    """Return a finished git's standard output as text."""
    return done.stdout.decode().strip()


def remote_lines(stderr: bytes) -> list[str]:
    """Return what the hooks printed, as the pusher sees it after git's 'remote: ' prefix."""
    text = stderr.decode("utf-8", "replace")
    return [line[len("remote: "):].rstrip() for line in text.splitlines() if line.startswith("remote: ")]


def make_site_repo(repo: Path, files: dict[str, str] | None = None) -> Path:
    """Commit a small valid site (or `files`) into a new repository at `repo`; return it."""
    for rel, text in (files or {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS}).items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "A small site")
    return repo


class Server:
    """A bare repository with the hooks installed, the folder it publishes to, a clone, and the hooks'
    temporary directory (TMPDIR, which the hooks inherit from the push)."""

    def __init__(self, root: Path, site_repo: Path, branch: str = "main", www_name: str = "www",
                 extra: tuple[str, ...] = ()):
        self.root, self.branch = root, branch
        self.bare, self.www, self.work, self.tmp = root / "site.git", root / www_name, root / "work", root / "tmp"
        self.tmp.mkdir()
        git(root, "init", "-q", "--bare", "-b", "main", str(self.bare))
        assert main(["install-server-hooks", str(self.bare), "--publish-to", str(self.www), "--branch", branch,
                     *extra]) == 0
        git(root, "clone", "-q", str(site_repo), str(self.work))
        git(self.work, "remote", "set-url", "origin", str(self.bare))

    def commit(self, files: dict[str, str | bytes], message: str = "Change") -> str:
        """Write `files` into the clone, commit everything, and return the commit."""
        for rel, content in files.items():
            path = self.work / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        return out(git(self.work, "rev-parse", "HEAD"))

    def link(self, rel: str, target: str) -> None:
        """Make a symbolic link in the clone (committed by the next `commit`)."""
        path = self.work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    def push(self, ref: str = "HEAD:main") -> subprocess.CompletedProcess:
        """Push from the clone, the hooks' temporary directory set to `tmp`."""
        return git(self.work, "push", "origin", ref, check=False, env=git_env(TMPDIR=str(self.tmp)))


def assert_refused(pushed: subprocess.CompletedProcess, server: Server, expected: list[str]) -> None:
    """The push was refused with exactly these lines before the summary, and nothing was published."""
    said = remote_lines(pushed.stderr)
    assert pushed.returncode != 0, said
    assert "(pre-receive hook declined)" in pushed.stderr.decode()
    head = out(git(server.work, "rev-parse", "HEAD"))
    errors = sum(1 for line in expected if ": error: " in line)
    wanted = [*expected, f"{errors} error{'s' * (errors != 1)}",
              f"expediente: the push of {head[:10]} to main was refused; nothing was published"]
    assert said == wanted, "\n".join(["said:", *said, "wanted:", *wanted])
    assert not (server.www / "current").exists()
    assert list((server.www / "releases").iterdir()) == [], "a release was written"
    assert git(server.bare, "rev-parse", "--verify", "--quiet", "refs/heads/main", check=False).returncode != 0
