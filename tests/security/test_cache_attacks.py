"""Caches planted in the site tree: a commit (or anyone who writes the tree) must not get code run.

Jinja's FileSystemBytecodeCache unpickled `.expediente-cache/templates/*.cache` before
checking anything.  Compiled templates are now kept sealed with an HMAC under a key kept
outside the site (write/template_cache.py), and a committed cache folder is not used at all.
Each test is a real build of a copy of the example site.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import subprocess
from pathlib import Path

import pytest
from helpers_template_attacks import build, example_site, git, published

from generator.read.templates import default_theme_dir
from generator.render.bytecode import kept_name
from generator.render.folding import catalog_fingerprint
from generator.render.frame import ThemeCodeGenerator
from generator.render.i18n import read_catalogs, translations_for
from generator.write.template_cache import SEAL

# Each test builds a copy of the example in processes of their own.
pytestmark = pytest.mark.slow

LANGUAGES = ("pt-BR", "en")   # the example site's


class RunsAShell:
    """Unpickling this runs a shell command: what a planted Jinja bytecode cache file holds."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def theme_templates() -> list[Path]:
    return sorted(path for path in default_theme_dir().iterdir() if path.suffix in (".html", ".css", ".js"))


def plant_caches(site: Path, marker: Path) -> int:
    """Write, under every name the build would look for a compiled template (Jinja's own cache and
    the sealed one), a file that runs `touch marker` if it is ever loaded; return how many."""
    from jinja2.bccache import bc_magic

    folder = site / ".expediente-cache" / "templates"
    folder.mkdir(parents=True)
    command = f"touch {marker}"
    evil_code = marshal.dumps(compile(f"import os\nos.system({command!r})\n", "planted", "exec"))
    count = 0
    for lang in LANGUAGES:
        salt = catalog_fingerprint(translations_for(read_catalogs(), lang))
        for path in theme_templates():
            name, filename = path.name, str(path)
            # Where FileSystemBytecodeCache, salted per language, kept it: a pickle runs on load.
            jinja_key = hashlib.sha1(f"{name}|{filename}".encode()).hexdigest()
            salted = hashlib.sha1(f"{salt}\0{jinja_key}".encode()).hexdigest()
            for key in (jinja_key, salted):
                (folder / f"__jinja2_{key}.cache").write_bytes(bc_magic + pickle.dumps(RunsAShell(command)))
            # Where the sealed cache keeps it, with the right source checksum but a seal made without the key.
            checksum = hashlib.sha1(path.read_text(encoding="utf-8").encode()).hexdigest().encode()
            body = bc_magic + len(checksum).to_bytes(4, "big") + checksum + evil_code
            sealed = kept_name(salt, name, filename, b"sandboxed" + ThemeCodeGenerator.compiled_as)
            (folder / f"{sealed}.sealed").write_bytes(SEAL + bytes(32) + body)
            count += 3
    return count


COMMITTED = (".expediente-cache:1:1: warning: the build cache is committed to the repository "
             "(.expediente-cache/templates/")


def test_a_committed_template_cache_is_not_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    site = example_site(tmp_path)
    git(site, "init", "-q")
    assert plant_caches(site, marker) > 30
    git(site, "add", "-A")
    git(site, "add", "-f", ".expediente-cache")
    git(site, "commit", "-q", "-m", "content")
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    lines = result.stderr.splitlines()
    warning = next(line for line in lines if line.startswith(COMMITTED))
    assert warning.endswith(", ...): a cache is never read from a commit, so it was neither read nor written")
    assert lines[lines.index(warning) + 1] == ("  hint: git rm -r --cached .expediente-cache && echo "
                                              ".expediente-cache/ >> .gitignore")
    # Nothing was written into the committed folder either.
    assert not (site / ".expediente-cache" / "outputs").exists()


def test_a_template_cache_planted_in_a_plain_folder_is_not_loaded(tmp_path: Path) -> None:
    """Not in git (a tarball, a shared folder): the files are there, but none is sealed with this machine's key."""
    marker = tmp_path / "MARKER"
    site = example_site(tmp_path)
    plant_caches(site, marker)
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert "warning" not in result.stderr


def test_a_sealed_file_changed_by_someone_else_is_compiled_again(tmp_path: Path) -> None:
    """The default theme's compiled templates are kept in this user's store (beside the key), not in the site."""
    site = example_site(tmp_path)
    assert build(site, tmp_path, "--no-cache").returncode == 0
    assert not list((site / ".expediente-cache" / "templates").glob("*.sealed"))
    [folder] = (tmp_path / "xdg-cache" / "expediente" / "theme-templates").iterdir()   # this generator's
    honest = {path.name: path.read_bytes() for path in folder.glob("*.sealed")}
    assert len(honest) == len(LANGUAGES) * len(theme_templates())   # every template, once per language
    first = (tmp_path / "out" / "index.html").read_bytes()
    for name, data in honest.items():
        # One byte of the code changed: the seal no longer matches.
        (folder / name).write_bytes(data[:-20] + bytes([data[-20] ^ 1]) + data[-19:])
    result = build(site, tmp_path, "--no-cache")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "index.html").read_bytes() == first
    assert {path.name: path.read_bytes() for path in folder.glob("*.sealed")} == honest   # compiled and sealed again


def test_a_cache_folder_linked_elsewhere_is_neither_read_nor_written(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    site = example_site(tmp_path)
    os.symlink(elsewhere, site / ".expediente-cache")
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (".expediente-cache:1:1: warning: .expediente-cache is not a folder but a link or a file: the build "
            "cache was neither read nor written") in result.stderr.splitlines()
    assert list(elsewhere.iterdir()) == []


def test_a_key_that_others_could_write_is_not_used(tmp_path: Path) -> None:
    key = tmp_path / "xdg-cache" / "expediente" / "bytecode-key"
    key.parent.mkdir(parents=True)
    key.write_bytes(bytes(32))
    key.chmod(0o666)
    site = example_site(tmp_path)
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert not list((site / ".expediente-cache" / "templates").glob("*.sealed"))


def test_the_key_is_made_private_and_outside_the_site(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    assert build(site, tmp_path).returncode == 0
    key = tmp_path / "xdg-cache" / "expediente" / "bytecode-key"
    assert key.stat().st_mode & 0o777 == 0o600 and key.stat().st_size == 32
    assert (key.parent.stat().st_mode & 0o077) == 0
    assert not any(path.name == "bytecode-key" for path in site.rglob("*"))


# The kept checks (.expediente-cache/checked-notices.sealed) and git counts (git-history.json): what someone who
# can put files in a site folder that is not in git (a tarball, a shared folder) can make of them.

def plain_build(site: Path, tmp_path: Path, *extra: str) -> str:
    """Build `site` (a real build in a new process; a hang is a failure) and return every file it published."""
    result = build(site, tmp_path, *extra)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return published(tmp_path)


def edit_a_notice(site: Path) -> None:
    """Edit one notice, so that the next build loads the site rather than answer "nothing changed" from its cache."""
    edited = sorted((site / "notices").glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


@pytest.mark.parametrize("name", ["checked-notices.sealed", "git-history.json", "templates"])
def test_a_fifo_at_a_kept_cache_name_does_not_hang_the_build(tmp_path: Path, name: str) -> None:
    site = example_site(tmp_path)
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "content")
    plain_build(site, tmp_path)
    edit_a_notice(site)
    cache = site / ".expediente-cache"
    if name == "templates":     # every compiled template's sealed file
        for path in (cache / "templates").glob("*.sealed"):
            path.unlink()
            os.mkfifo(path)
    else:
        (cache / name).unlink()
        os.mkfifo(cache / name)
    # Opening a FIFO for reading waits for a writer: the build would never end (build() times out at 300 s).
    kept = plain_build(site, tmp_path)
    assert kept == plain_build(site, tmp_path, "--no-cache")


def test_a_huge_kept_cache_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracemalloc

    from generator.read.git_history import read_kept_history
    from generator.write.notice_cache import read_checked

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("checked-notices.sealed", "git-history.json"):
        with open(cache / name, "wb") as handle:
            handle.truncate(10 << 30)      # 10 GB, sparse: nothing on disk
    tracemalloc.start()
    try:
        assert read_checked(cache) == ({}, {}, [])
        assert read_kept_history(cache / "git-history.json") is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, f"{peak:,} bytes taken to refuse a 10 GB file"


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_a_link_planted_at_a_temporary_cache_name_is_not_written_through(tmp_path: Path, kind: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache files were written through `<name>.<process id>.tmp`: a name anyone could plant beforehand."""
    from generator.pipeline import load
    from generator.write.notice_cache import read_checked

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    site = example_site(tmp_path)
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "content")
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file\n", encoding="utf-8")
    cache = site / ".expediente-cache"
    cache.mkdir()
    for name in ("checked-notices.sealed", "git-history.json"):
        # Every process id this machine could give the build (pid_max), and the one it does give.
        for pid in sorted({os.getpid(), *range(os.getpid() - 2, os.getpid() + 3)}):
            planted = cache / f"{name}.{pid}.tmp"
            if kind == "symlink":
                planted.symlink_to(victim)
            else:
                os.link(victim, planted)
    loaded = load(site, jobs=1)
    assert loaded.site is not None
    assert victim.read_text(encoding="utf-8") == "the user's own file\n"
    assert read_checked(cache)[0], "the checks were kept all the same"
    assert (cache / "git-history.json").is_file() and not (cache / "git-history.json").is_symlink()


def planted_checks(site: Path, tmp_path: Path, marker: Path) -> bytes:
    """Return a checked-notices file for `site` whose every check, once unpickled, runs `touch marker`: made from
    one this machine sealed (the keys are digests of public things), every pickle swapped, the seal left as it was."""
    from generator.write.notice_cache import FILE_NAME, SEAL

    plain_build(site, tmp_path)
    data = (site / ".expediente-cache" / FILE_NAME).read_bytes()
    head = len(SEAL) + 32
    entries, stats, segments = marshal.loads(data[head:])
    evil = pickle.dumps(RunsAShell(f"touch {marker}"))
    body = marshal.dumps((entries, stats, [evil for _ in segments]))
    return data[:head] + body


def test_checks_planted_with_a_seal_not_made_by_this_key_are_never_unpickled(tmp_path: Path) -> None:
    from generator.write.notice_cache import FILE_NAME

    marker = tmp_path / "MARKER"
    site = example_site(tmp_path)
    planted = planted_checks(site, tmp_path, marker)
    edit_a_notice(site)
    (site / ".expediente-cache" / FILE_NAME).write_bytes(planted)
    kept = plain_build(site, tmp_path)
    assert not marker.exists()
    assert kept == plain_build(site, tmp_path, "--no-cache")


def test_a_commit_dated_past_the_year_9999_is_built(tmp_path: Path) -> None:
    """git accepts a commit dated in the year 3,170,843; the calendar's LAST-MODIFIED cannot say it."""
    site = example_site(tmp_path)
    git(site, "init", "-q")
    git(site, "add", "-A")
    subprocess.run(["git", "-c", "user.name=Staff", "-c", "user.email=staff@example.net", "commit", "-q", "-m", "x"],
                   cwd=site, check=True, capture_output=True, timeout=60,
                   env={**os.environ, "GIT_COMMITTER_DATE": "@99999999999999 +0000",
                        "GIT_AUTHOR_DATE": "@99999999999999 +0000"})
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_site_folder_with_its_own_git_config_runs_no_command(tmp_path: Path) -> None:
    """Asking git whether the cache is committed read the index, and `core.fsmonitor` in the folder's own
    .git/config (a tarball or a shared folder carries one; a push cannot) is a command git runs to do that."""
    marker = tmp_path / "MARKER"
    site = example_site(tmp_path)
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "content")
    git(site, "config", "core.fsmonitor", f"touch {marker}; false")
    plain_build(site, tmp_path)
    assert not marker.exists()
