"""Attacks on this user's store of the default theme's compiled templates (write/template_cache.py: theme_store).

The store is trusted where the site's own cache is not (a committed `.expediente-cache`), so what
lands in it, and where it lives, must be the installed theme's and this user's alone: a site's own
template is never kept there, whatever path leads to the site; a store and key that came with the
site (XDG_CACHE_HOME pointing into it) are never used; a generator's folder removed while a build
still writes to it is not made again open to others.  Each test builds copies of the example site in
this process (generator.cli.main), and compares with a build that keeps nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import copy_example
from helpers_template_attacks import git
from test_theme_store import LANGUAGES, _code, build, compiled, generator_folder, site_store, theme_templates

import generator.render.bytecode as bytecode
from generator.read.templates import default_theme_dir, theme_loader
from generator.render.frame import make_environment
from generator.write.template_cache import SealedFiles, theme_store

pytestmark = pytest.mark.slow
__all__ = ["compiled"]      # the fixture, used by name


def test_a_site_reached_through_the_theme_folders_path_keeps_its_templates_in_its_own_store(
        tmp_path: Path, compiled: list[str]) -> None:
    site = copy_example(tmp_path / "own")
    (site / "templates").mkdir()
    own = (default_theme_dir() / "notice.html").read_text(encoding="utf-8") + "{# the site's own #}\n"
    (site / "templates" / "notice.html").write_text(own, encoding="utf-8")
    # The site named by a path that starts with the installed theme's folder (a script's `$THEME/../..`).
    through = os.path.join(str(default_theme_dir()), os.path.relpath(site, default_theme_dir()))
    assert through.startswith(str(default_theme_dir()) + os.sep) and Path(through).resolve() == site.resolve()
    reference = build(copy_example_with(site, tmp_path / "reference"), tmp_path / "reference-out")
    shutil.rmtree(generator_folder(tmp_path))
    compiled.clear()
    assert build(Path(through), tmp_path / "own-out") == reference
    # The site's notice.html in the site's store, never in the user's: there only the default theme's.
    assert len(site_store(site)) == len(LANGUAGES)
    assert len(list(generator_folder(tmp_path).glob("*.sealed"))) == len(LANGUAGES) * (len(theme_templates()) - 1)


def copy_example_with(site: Path, target: Path) -> Path:
    """Copy `site` (its sources and templates/) to `target` and return it."""
    shutil.copytree(site, target)
    return target


def test_a_key_and_store_committed_inside_the_site_are_never_used(tmp_path: Path, compiled: list[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # The pusher: a key of their own and the default theme compiled with it, under the site's .cache/
    # (where a CI job that caches its project folder points XDG_CACHE_HOME), then code of theirs sealed in.
    site = copy_example(tmp_path / "pushed")
    key = bytes(range(32))
    theirs = tmp_path / "pushers-cache"
    (theirs / "expediente").mkdir(parents=True)
    (theirs / "expediente" / "bytecode-key").write_bytes(key)
    (theirs / "expediente" / "bytecode-key").chmod(0o600)
    monkeypatch.setenv("XDG_CACHE_HOME", str(theirs))
    build(copy_example(tmp_path / "pushers-copy"), tmp_path / "pushed-out")
    shutil.copytree(theirs, site / ".cache")
    folder = site / ".cache" / "expediente" / "theme-templates" / generator_folder(tmp_path).name
    kind = bytecode._kind(make_environment(theme_loader()))
    marker = tmp_path / "MARKER"
    evil = marshal_of(f"open({str(marker)!r}, 'w').close()\n")
    planted = 0
    for path in folder.glob("*.sealed"):
        store = SealedFiles(folder, key)
        body = store.read(path.name.removesuffix(".sealed"), kind)
        assert body is not None
        store.write(path.name.removesuffix(".sealed"), kind, body[:len(body) - len(_code(body))] + evil)
        planted += 1
    assert planted == len(LANGUAGES) * len(theme_templates())
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "content")
    # The admin: a clone under a private umask (the key and the folders come out 0600 and 0700), the
    # cache in the clone's .cache/.
    clone, plain = tmp_path / "clone", tmp_path / "plain"
    mask = os.umask(0o077)
    try:
        git(tmp_path, "clone", "-q", str(site), str(clone))
        git(tmp_path, "clone", "-q", str(site), str(plain))
    finally:
        os.umask(mask)
    # What the clone's build gives without any store: no key can be made under a file.
    (tmp_path / "a-file").write_bytes(b"")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    reference = build(plain, tmp_path / "plain-out")
    monkeypatch.setenv("XDG_CACHE_HOME", str(clone / ".cache"))
    compiled.clear()
    assert build(clone, tmp_path / "clone-out") == reference
    assert not marker.exists()
    assert len(compiled) == len(LANGUAGES) * len(theme_templates())


def marshal_of(source: str) -> bytes:
    import marshal

    return marshal.dumps(compile(source, "planted", "exec"))


def test_a_generators_folder_removed_while_a_build_writes_is_not_made_again_open_to_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    store = theme_store("a running generator")
    assert store is not None and store.folder.stat().st_mode & 0o777 == 0o700
    # Another generator's build removes this one's folder (_keep_newest) while this one still renders.
    shutil.rmtree(store.folder)
    mask = os.umask(0o022)
    try:
        store.write("a" * 64, b"kind", b"code")
    finally:
        os.umask(mask)
    # Not made again with the umask's modes (0755: every user could list what is compiled there).
    assert not store.folder.exists() or store.folder.stat().st_mode & 0o777 == 0o700
