"""Publishing by `git push` with real git: pushes are checked, accepted commits built and switched live, rolled back."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT

from generator.cli import main
from generator.write.releases import prune_releases, read_log

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

NOTICE = "notices/2026-12-01-feriado.md"
HOLIDAY_NOTICE = """\
---
title: Atendimento no feriado de 8 de dezembro
date: 2026-12-01 10:00
period: 2026-12-08..2026-12-08
changes:
  - date: 2026-12-08
    weekday: {weekday}
    closed: true
---
Na terça-feira, 8 de dezembro, estaremos fechados.
"""
# A theme override with a typo: only rendering the pages finds it.
BROKEN_TEMPLATE = """\
{% extends "base.html" %}
{% block title %}Horários{% endblock %}
{% block main %}
<h1>{{ site.nome }}</h1>
{% endblock %}
"""


def git_env() -> dict:
    """Return an environment in which git reads no user or system configuration and commits as Test."""
    return {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}


def git(cwd: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=cwd, env={**git_env(), **env}, capture_output=True, text=True,
                          timeout=60, check=False)
    if check:
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done


def remote_lines(stderr: str) -> list[str]:
    """Return what the hooks printed, as the pusher sees it after git's 'remote: ' prefix."""
    return [line[len("remote: "):].rstrip() for line in stderr.splitlines() if line.startswith("remote: ")]


def commit(work: Path, files: dict[str, str], message: str, **env: str) -> str:
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", message, **env)
    return git(work, "rev-parse", "HEAD").stdout.strip()


def push(work: Path) -> subprocess.CompletedProcess:
    return git(work, "push", "origin", "HEAD:main", check=False)


def assert_published(pushed: subprocess.CompletedProcess) -> None:
    said = remote_lines(pushed.stderr)
    assert pushed.returncode == 0 and said and " is live (" in said[-1], pushed.stderr


def current(www: Path) -> str:
    return os.readlink(www / "current")


@pytest.fixture(scope="module")
def site_repo(tmp_path_factory) -> Path:
    """A site repository holding the example's sources, committed once for the module."""
    repo = tmp_path_factory.mktemp("template") / "site"
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns(".*"))
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The example site")
    return repo


@pytest.fixture
def server(tmp_path, site_repo, capsys):
    """A bare repository with the hooks installed, the folder it publishes to, and a clone to push from."""
    bare, www, work = tmp_path / "site.git", tmp_path / "www", tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    assert main(["install-server-hooks", str(bare), "--publish-to", str(www)]) == 0
    capsys.readouterr()
    git(tmp_path, "clone", "-q", str(site_repo), str(work))
    git(work, "remote", "set-url", "origin", str(bare))
    return bare, www, work


@pytest.mark.slow
def test_a_wrong_weekday_is_refused_with_the_error_shown_to_the_pusher(server):
    bare, www, work = server
    bad = commit(work, {NOTICE: HOLIDAY_NOTICE.format(weekday="quarta-feira")}, "Holiday notice")
    pushed = push(work)
    assert pushed.returncode != 0
    said = remote_lines(pushed.stderr)
    assert said == [
        "notices/2026-12-01-feriado.md:7:14: error: 2026-12-08 is a Tuesday (terça-feira), not quarta-feira",
        "  hint: 2026-12-09 is a Wednesday but lies outside the notice's period (2026-12-08 to 2026-12-08): "
        "check the weekday, or the date and the period",
        "1 error",
        f"expediente: the push of {bad[:10]} to main was refused; nothing was published",
    ]
    assert "[remote rejected] HEAD -> main (pre-receive hook declined)" in pushed.stderr
    assert branch(bare) == ""
    assert not (www / "current").exists() and list((www / "releases").iterdir()) == []


@pytest.mark.slow
def test_a_valid_push_goes_live_and_rollback_switches_back(server, capsys):
    _, www, work = server
    first = git(work, "rev-parse", "HEAD").stdout.strip()
    pushed = push(work)
    assert pushed.returncode == 0, pushed.stderr
    assert current(www) == f"releases/{first}"
    assert (www / "current" / "index.html").is_file()
    # pre-receive built the release; post-receive only switched `current` to it.
    assert remote_lines(pushed.stderr) == [
        f"expediente: {first[:10]} checked and built: no errors",
        f"expediente: {first[:10]} is live ({www / 'current'} -> releases/{first})",
    ]
    second = commit(work, {NOTICE: HOLIDAY_NOTICE.format(weekday="terça-feira")}, "Holiday notice",
                    GIT_COMMITTER_DATE="2026-11-30T12:00:00Z")
    assert_published(push(work))
    assert current(www) == f"releases/{second}"
    # Built from a clone with history: calendar clients see the commit's time as the last edit.
    calendar = (www / "current" / "notices" / "2026-12-01-feriado" / "notice.ics").read_text(encoding="utf-8")
    assert "LAST-MODIFIED:20261130T120000Z" in calendar
    assert sorted(p.name for p in (www / "releases").iterdir()) == sorted([first, second])  # no leftovers
    assert [(action, sha) for _, action, sha in read_log(www)] == [
        ("built", first), ("publish", first), ("built", second), ("publish", second)]

    capsys.readouterr()
    assert main(["rollback", "--publish-to", str(www)]) == 0
    assert capsys.readouterr().out == f"rolled back: {www / 'current'} -> releases/{first}\n"
    assert current(www) == f"releases/{first}"
    assert main(["rollback", "--publish-to", str(www)]) == 1
    assert capsys.readouterr().err == (f"expediente: error: there is no earlier release to roll back to: "
                                       f"{first[:10]} is the oldest one kept in {www / 'releases'}\n")
    assert current(www) == f"releases/{first}"


@pytest.mark.slow
def test_a_template_that_fails_to_render_refuses_the_push_and_leaves_the_live_site(server):
    bare, www, work = server
    live = seed_releases(www, 1)[0]
    broken = commit(work, {"templates/hours.html": BROKEN_TEMPLATE}, "Own title on the hours page")
    pushed = push(work)
    assert pushed.returncode == 1  # pre-receive built the site, and the pusher is told why it failed
    assert remote_lines(pushed.stderr) == [
        "templates/hours.html:4:1: error: 'generator.model.Site object' has no attribute 'nome'",
        "1 error",
        f"expediente: the push of {broken[:10]} to main was refused; nothing was published",
    ]
    assert "(pre-receive hook declined)" in pushed.stderr and branch(bare) == ""
    assert current(www) == f"releases/{live}"
    assert [p.name for p in (www / "releases").iterdir()] == [live]
    assert [action for _, action, _ in read_log(www)] == ["publish"]


@pytest.mark.slow
def test_post_receive_builds_a_commit_no_pre_receive_built_and_says_why_it_failed(tmp_path, site_repo, capsys):
    # The commits arrived before the hooks were installed: post-receive, run by hand as
    # install-server-hooks says, builds the branch itself.
    bare, www, work = tmp_path / "site.git", tmp_path / "www", tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(tmp_path, "clone", "-q", str(site_repo), str(work))
    git(work, "remote", "set-url", "origin", str(bare))
    good = git(work, "rev-parse", "HEAD").stdout.strip()
    assert push(work).returncode == 0
    assert main(["install-server-hooks", str(bare), "--publish-to", str(www)]) == 0
    capsys.readouterr()

    def post_receive(sha: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(bare / "hooks" / "post-receive")], cwd=bare, input=f"0 {sha} refs/heads/main\n",
                              env={**git_env(), "GIT_DIR": "."}, capture_output=True, text=True, timeout=120)

    done = post_receive(good)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"expediente: building {good[:10]} (main)...",
                                        f"expediente: {good[:10]} is live ({www / 'current'} -> releases/{good})"]
    bare_hooks = bare / "hooks"
    os.rename(bare_hooks, tmp_path / "hooks-aside")
    broken = commit(work, {"templates/hours.html": BROKEN_TEMPLATE}, "Own title on the hours page")
    assert push(work).returncode == 0
    os.rename(tmp_path / "hooks-aside", bare_hooks)
    done = post_receive(broken)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"expediente: building {broken[:10]} (main)...",
        "templates/hours.html:4:1: error: 'generator.model.Site object' has no attribute 'nome'",
        "1 error",
        f"expediente: the build of {broken[:10]} failed and {good[:10]} stays live; the push itself was accepted",
    ]
    assert current(www) == f"releases/{good}"
    assert read_log(www)[-1][1:] == ("failed", broken)


def seed_releases(www: Path, count: int) -> list[str]:
    """Leave `count` releases in `www`, the last one live, as earlier pushes would have left them."""
    shas = [f"{n:040x}" for n in range(1, count + 1)]
    (www / "releases").mkdir(parents=True, exist_ok=True)
    with open(www / "releases.log", "a", encoding="utf-8") as log:
        for n, sha in enumerate(shas):
            (www / "releases" / sha).mkdir()
            (www / "releases" / sha / "index.html").write_text("<!doctype html>\n")
            log.write(f"2026-11-{n + 1:02}T10:00:00Z publish {sha}\n")
    os.symlink(f"releases/{shas[-1]}", www / "current")
    return shas


@pytest.mark.slow
def test_two_pushes_at_once_are_built_one_at_a_time_and_git_takes_one(server, tmp_path):
    bare, www, work = server
    assert_published(push(work))
    base = branch(bare)
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(bare), str(other))
    logs = [tmp_path / "push-1.err", tmp_path / "push-2.err"]
    # Hold the publishing lock, as a slow build would, until both pre-receive hooks wait for it: they
    # build one at a time, and git then takes the push whose base is still the branch's tip.
    with open(www / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ours = commit(work, {NOTICE: HOLIDAY_NOTICE.format(weekday="terça-feira")}, "Holiday notice")
        theirs = commit(other, {"notices/2026-12-02-aviso.md": "---\ntitle: Aviso\ndate: 2026-12-02 10:00\n---\n"
                                "Texto.\n"}, "Another notice")
        pushes = [start_push(work, logs[0]), start_push(other, logs[1])]
        wait_until(lambda: all("waiting for the publish" in log.read_text() for log in logs))
        assert branch(bare) == base
        fcntl.flock(lock, fcntl.LOCK_UN)
    codes = [process.wait(timeout=120) for process in pushes]
    assert sorted(codes) == [0, 1], [log.read_text() for log in logs]
    taken = (ours, theirs)[codes.index(0)]
    refused = logs[codes.index(1)].read_text()
    assert "[remote rejected]" in refused or "failed to update ref" in refused or "cannot lock ref" in refused
    assert branch(bare) == taken and current(www) == f"releases/{taken}"
    said = [line for log in logs for line in remote_lines(log.read_text())]
    assert not any(line.startswith("expediente: building ") for line in said)   # switched, never built again
    assert said.count(f"expediente: {taken[:10]} is live ({www / 'current'} -> releases/{taken})") == 1


def test_pruning_keeps_a_release_built_for_a_push_not_yet_switched(tmp_path):
    www = tmp_path / "www"
    shas = seed_releases(www, 7)
    pending = "f" * 40
    (www / "releases" / pending).mkdir()
    with open(www / "releases.log", "a", encoding="utf-8") as log:
        log.write(f"2026-11-09T10:00:00Z built {pending}\n")
    assert prune_releases(www) == shas[:2]
    assert sorted(p.name for p in (www / "releases").iterdir()) == sorted(shas[2:] + [pending])


def start_push(work: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as err:
        return subprocess.Popen(["git", "push", "origin", "HEAD:main"], cwd=work, env=git_env(),
                                stdout=subprocess.DEVNULL, stderr=err)


def branch(bare: Path) -> str:
    return git(bare, "rev-parse", "--verify", "--quiet", "refs/heads/main", check=False).stdout.strip()


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_only_the_last_five_releases_are_kept(server):
    _, www, work = server
    old = seed_releases(www, 5)
    (www / "releases" / ".leftover.new-x").mkdir()  # from a build that was interrupted
    newest = git(work, "rev-parse", "HEAD").stdout.strip()
    assert_published(push(work))
    assert current(www) == f"releases/{newest}"
    assert sorted(p.name for p in (www / "releases").iterdir()) == sorted(old[1:] + [newest])


def test_pruning_never_deletes_the_live_release(tmp_path):
    www = tmp_path / "www"
    shas = seed_releases(www, 8)
    os.replace(www / "current", www / "old-link")
    os.symlink(f"releases/{shas[0]}", www / "current")  # rolled back to the oldest
    assert prune_releases(www) == shas[1:3]
    assert sorted(p.name for p in (www / "releases").iterdir()) == [shas[0]] + shas[3:]


def test_rollback_with_nothing_published_says_so(tmp_path, capsys):
    (tmp_path / "www").mkdir()
    assert main(["rollback", "--publish-to", str(tmp_path / "www")]) == 1
    assert capsys.readouterr().err == (f"expediente: error: nothing is published in {tmp_path / 'www'}: "
                                       f"there is no {tmp_path / 'www' / 'current'}\n")


def test_install_server_hooks_is_idempotent_and_keeps_foreign_hooks(tmp_path, capsys):
    bare, www = tmp_path / "site.git", tmp_path / "www"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    assert main(["install-server-hooks", str(bare), "--publish-to", str(www)]) == 0
    hook = (bare / "hooks" / "post-receive").read_text()
    assert os.access(bare / "hooks" / "post-receive", os.X_OK)
    assert f"exec {os.path.abspath(os.sys.executable)} -P -c" in hook and f" post-receive {www} main 500 600 4096\n" in hook
    capsys.readouterr()
    assert main(["install-server-hooks", str(bare), "--publish-to", str(www)]) == 0
    assert "post-receive hook unchanged" in capsys.readouterr().out
    (bare / "hooks" / "pre-receive").write_text("#!/bin/sh\nexec /usr/local/bin/policy\n")
    assert main(["install-server-hooks", str(bare), "--publish-to", str(www)]) == 1
    assert f"{bare / 'hooks' / 'pre-receive'} already exists and was not written by expediente" in \
        capsys.readouterr().err
    assert main(["install-server-hooks", str(bare), "--publish-to", str(www), "--force"]) == 0
    assert (bare / "hooks" / "pre-receive.orig").read_text() == "#!/bin/sh\nexec /usr/local/bin/policy\n"
    assert main(["install-server-hooks", str(tmp_path), "--publish-to", str(www)]) == 2
    assert f"{tmp_path} is not a bare git repository" in capsys.readouterr().err
