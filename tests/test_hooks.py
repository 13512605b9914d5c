"""The local pre-commit hook (plain git and the pre-commit framework's manifest), with real git commits."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import PACKAGE, ROOT

from generator.cli import main
from generator.commands import hooks

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

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
BAD, GOOD = HOLIDAY_NOTICE.format(weekday="quarta-feira"), HOLIDAY_NOTICE.format(weekday="terça-feira")
ERROR_LINE = "notices/2026-12-01-feriado.md:7:14: error: 2026-12-08 is a Tuesday (terça-feira), not quarta-feira"
STOPPED = "expediente: the commit was stopped; fix the errors above and stage the fix with git add"

# The keys of a hook in .pre-commit-hooks.yaml, as pre-commit documents them.
MANIFEST_REQUIRED = {"id", "name", "entry", "language"}
MANIFEST_OPTIONAL = {"alias", "files", "exclude", "types", "types_or", "exclude_types", "always_run", "fail_fast",
                     "verbose", "pass_filenames", "require_serial", "description", "language_version",
                     "minimum_pre_commit_version", "args", "stages", "additional_dependencies", "log_file"}


def git_env(**extra: str) -> dict:
    return {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid", **extra}


def git(cwd: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=cwd, env=git_env(**env), capture_output=True, text=True, timeout=120,
                          check=False)
    if check:
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done


def write(repo: Path, rel: str, text: str) -> None:
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def repo(make_site) -> Path:
    """A small site in a git repository with one commit."""
    site = make_site()
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "Contact hours")
    return site


def commit_all(repo: Path, message: str = "Holiday notice", **env: str) -> subprocess.CompletedProcess:
    git(repo, "add", "-A")
    return git(repo, "commit", "-q", "-m", message, check=False, **env)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").stdout.strip()


# --- The plain git hook -------------------------------------------------------------

@pytest.mark.slow
@needs_git
def test_the_hook_stops_a_wrong_weekday_and_lets_the_fix_through(repo, capsys):
    assert main(["install-hooks", "--site", str(repo)]) == 0
    hook = repo / ".git" / "hooks" / "pre-commit"
    python = os.path.abspath(os.sys.executable)
    assert capsys.readouterr().out == f"pre-commit hook installed: {hook} (checks with {python})\n"
    assert os.access(hook, os.X_OK)
    before = head(repo)
    write(repo, NOTICE, BAD)
    done = commit_all(repo)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        ERROR_LINE, "  hint: 2026-12-09 is a Wednesday but lies outside the notice's period (2026-12-08 to 2026-12-08): "
            "check the weekday, or the date and the period", "1 error", STOPPED]
    assert head(repo) == before
    write(repo, NOTICE, GOOD)
    done = commit_all(repo)
    assert done.returncode == 0 and done.stderr == ""
    assert head(repo) != before


@pytest.mark.slow
@needs_git
def test_the_hook_checks_what_is_staged_not_the_working_tree(repo):
    assert main(["install-hooks", "--site", str(repo)]) == 0
    write(repo, NOTICE, BAD)
    git(repo, "add", "-A")
    write(repo, NOTICE, GOOD)  # fixed, but the fix is not staged: the mistake would be committed
    done = git(repo, "commit", "-q", "-m", "Holiday notice", check=False)
    assert done.returncode == 1 and ERROR_LINE in done.stderr.splitlines()
    git(repo, "add", "-A")
    write(repo, NOTICE, BAD)  # an unstaged mistake does not stop a good commit
    assert git(repo, "commit", "-q", "-m", "Holiday notice", check=False).returncode == 0
    assert git(repo, "show", f"HEAD:{NOTICE}").stdout == GOOD


@pytest.mark.slow
@needs_git
def test_a_site_in_a_sub_folder_is_checked_there(tmp_path, make_site):
    site = make_site()
    top = tmp_path / "repo"
    top.mkdir()
    shutil.move(site, top / "web")
    git(top, "init", "-q", "-b", "main")
    assert main(["install-hooks", "--site", str(top / "web")]) == 0
    assert "\nsite=web\n" in (top / ".git" / "hooks" / "pre-commit").read_text()
    write(top, f"web/{NOTICE}", BAD)
    done = commit_all(top)
    assert done.returncode == 1 and ERROR_LINE in done.stderr.splitlines()


@needs_git
def test_installing_again_changes_nothing_and_a_foreign_hook_is_kept(repo, capsys):
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert main(["install-hooks", "--site", str(repo), "--strict"]) == 0
    text = hook.read_text()
    assert " check --site . --strict >/dev/null" in text
    capsys.readouterr()
    assert main(["install-hooks", "--site", str(repo), "--strict"]) == 0
    assert capsys.readouterr().out.startswith("pre-commit hook unchanged: ")
    assert main(["install-hooks", "--site", str(repo)]) == 0
    assert capsys.readouterr().out.startswith("pre-commit hook updated: ")

    hook.write_text("#!/bin/sh\nexec lint-everything\n")
    assert main(["install-hooks", "--site", str(repo)]) == 1
    assert capsys.readouterr().err == (
        f"expediente: error: {hook} already exists and was not written by expediente\n"
        "  hint: run again with --force to replace it (it is kept beside as .orig), or call the check from it\n")
    assert hook.read_text() == "#!/bin/sh\nexec lint-everything\n"
    assert main(["install-hooks", "--site", str(repo), "--force"]) == 0
    assert "(the previous hook is kept as pre-commit.orig)" in capsys.readouterr().out
    assert (hook.parent / "pre-commit.orig").read_text() == "#!/bin/sh\nexec lint-everything\n"


@needs_git
def test_core_hooks_path_is_respected(repo):
    git(repo, "config", "core.hooksPath", ".githooks")
    assert main(["install-hooks", "--site", str(repo)]) == 0
    assert (repo / ".githooks" / "pre-commit").is_file()
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()


@needs_git
def test_a_hook_whose_python_is_gone_stops_the_commit_and_says_what_to_do(repo):
    assert main(["install-hooks", "--site", str(repo)]) == 0
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(re.sub(r"(?m)^python=.*$", "python=/nonexistent/python3", hook.read_text()))
    write(repo, NOTICE, GOOD)
    done = commit_all(repo, PATH="/usr/bin:/bin")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "expediente: cannot check the site: /nonexistent/python3 does not exist and no 'expediente' is on PATH",
        "  hint: run 'expediente install-hooks' again with the Python that has the generator",
    ]


@pytest.mark.slow
@needs_git
def test_a_hook_whose_python_is_gone_falls_back_to_expediente_on_path(repo, tmp_path):
    assert main(["install-hooks", "--site", str(repo)]) == 0
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(re.sub(r"(?m)^python=.*$", "python=/nonexistent/python3", hook.read_text()))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "expediente").write_text(f"#!/bin/sh\nexec {os.sys.executable} {ROOT / 'build.py'} \"$@\"\n")
    (bin_dir / "expediente").chmod(0o755)
    write(repo, NOTICE, BAD)
    done = commit_all(repo, PATH=f"{bin_dir}:/usr/bin:/bin")
    assert done.returncode == 1 and ERROR_LINE in done.stderr.splitlines()


@pytest.mark.slow
@needs_git
def test_a_hook_for_an_installed_package_imports_the_generator(repo, tmp_path, monkeypatch):
    installed = tmp_path / "site-packages"  # like a wheel's install: the package, no build.py beside it
    installed.mkdir()
    (installed / "generator").symlink_to(PACKAGE)
    monkeypatch.setattr(hooks, "ROOT", installed)
    assert main(["install-hooks", "--site", str(repo)]) == 0
    text = (repo / ".git" / "hooks" / "pre-commit").read_text()
    assert "from generator.cli import run" in text and "build.py" not in text.split("set --")[1]
    write(repo, NOTICE, BAD)
    done = commit_all(repo)
    assert done.returncode == 1 and ERROR_LINE in done.stderr.splitlines()


@pytest.mark.slow
def test_shellcheck_finds_nothing_in_the_hook_scripts(tmp_path, monkeypatch):
    beside = Path(os.sys.executable).parent / "shellcheck"
    shellcheck = str(beside) if beside.is_file() else shutil.which("shellcheck")
    if shellcheck is None:
        message = "shellcheck not found: pip install -e '.[test]' installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    scripts = {"pre-commit": hooks.pre_commit_script(".", False),
               "pre-receive": hooks.server_hook_script("pre-receive", Path("/srv/www/my site"), "main"),
               "post-receive": hooks.server_hook_script("post-receive", Path("/srv/www/it's"), "release/2026")}
    monkeypatch.setattr(hooks, "ROOT", tmp_path / "site packages")  # no build.py: the installed-package form
    scripts["pre-commit-installed"] = hooks.pre_commit_script("web site", True)
    for name, text in scripts.items():
        (tmp_path / name).write_text(text)
    done = subprocess.run([shellcheck, *scripts], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          check=False)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_install_hooks_outside_a_repository_is_a_usage_error(make_site, capsys, monkeypatch):
    site = make_site()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(site.parent))
    assert main(["install-hooks", "--site", str(site)]) == 2
    assert capsys.readouterr().err == (f"expediente: error: {site} is not inside a git checkout; "
                                       "run 'git init' there first\n")


# --- The pre-commit framework's manifest ---------------------------------------------

def read_manifest() -> list[dict]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_the_manifest_has_the_keys_pre_commit_documents():
    hooks = read_manifest()
    assert isinstance(hooks, list) and [hook["id"] for hook in hooks] == ["expediente-check"]
    hook = hooks[0]
    assert MANIFEST_REQUIRED <= set(hook) <= MANIFEST_REQUIRED | MANIFEST_OPTIONAL
    assert all(isinstance(hook[key], str) for key in MANIFEST_REQUIRED)
    assert hook["language"] == "python" and hook["entry"] == "expediente check"
    assert hook["pass_filenames"] is False
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts  # language: python installs this repository and runs its script


def test_the_manifest_runs_for_site_sources_only():
    files = re.compile(read_manifest()[0]["files"])  # pre-commit matches with re.search
    for path in ("site_src/site.yaml", "site_src/uptime/dns/2026-11.csv", "notices/2026-12-01-feriado.md",
                 "web/notices/2026-12-01-feriado.md"):
        assert files.search(path), path
    for path in ("README.md", "templates/hours.html", "docs/notices.md", "my_notices/x.md"):
        assert not files.search(path), path


def test_pre_commit_accepts_the_manifest():
    clientlib = pytest.importorskip("pre_commit.clientlib")
    assert clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))[0]["id"] == "expediente-check"


@needs_git
@pytest.mark.slow
@pytest.mark.tree
def test_pre_commit_try_repo_stops_a_wrong_weekday(tmp_path, make_site):
    """Install this repository as pre-commit does (a virtualenv, pip install) and run the hook on a site.

    Slow (20 to 50 s: it installs the dependencies into a fresh virtualenv).
    """
    hooks = tmp_path / "hooks-repo"  # the repository as it is on disk, committed, as try-repo wants it
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0")
    for rel in filter(None, listed):
        if (ROOT / rel).is_file() and not rel.startswith(("tests/", "docs/", "bench/")):
            (hooks / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, hooks / rel)
    git(hooks, "init", "-q", "-b", "main")
    git(hooks, "add", "-A")
    git(hooks, "commit", "-q", "-m", "snapshot")
    site = make_site({NOTICE: BAD})
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    started = time.monotonic()
    # The pre-commit of the test environment, which need not be on PATH.
    beside = Path(sys.executable).parent / "pre-commit"
    done = subprocess.run([str(beside) if beside.is_file() else "pre-commit", "try-repo", str(hooks), "expediente-check", "--all-files"], cwd=site,
                          env=git_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home")),
                          capture_output=True, text=True, timeout=300, check=False)
    print(f"pre-commit try-repo took {time.monotonic() - started:.0f} s")
    assert done.returncode == 1, done.stdout + done.stderr
    assert ERROR_LINE in done.stdout.splitlines(), done.stdout


@pytest.mark.slow
@needs_git
def test_a_hook_for_an_installed_package_imports_nothing_from_the_site(repo, tmp_path, monkeypatch):
    # `python -c` puts the working folder, here the staged site, on sys.path before the standard library and the
    # installed libraries: a committed yaml.py would be imported in place of PyYAML, and run by the commit.
    installed = tmp_path / "site-packages"
    installed.mkdir()
    (installed / "generator").symlink_to(PACKAGE)
    monkeypatch.setattr(hooks, "ROOT", installed)
    assert main(["install-hooks", "--site", str(repo)]) == 0
    ran = tmp_path / "ran"
    write(repo, "yaml.py", f"open({str(ran)!r}, 'w').close()\nraise SystemExit(7)\n")
    write(repo, NOTICE, GOOD)
    done = commit_all(repo)
    assert not ran.exists(), "the hook imported a module from the site it checked"
    assert done.returncode == 0, done.stderr
