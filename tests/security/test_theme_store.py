"""This user's store of the default theme's compiled templates ($XDG_CACHE_HOME/expediente/theme-templates/).

The installed default theme is the same for every site of a user, so its compiled templates are
kept outside the sites, sealed with the user's key (write/template_cache.py: theme_store), and a
fresh clone compiles only the site's own templates.  Each test builds copies of the example site
in this process (generator.cli.main), with the key and the store in tmp_path, and counts the
templates Jinja really compiles.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import shutil
from pathlib import Path

import pytest
from conftest import copy_example
from helpers_template_attacks import git

import generator.render.bytecode as bytecode
from generator.cli import main
from generator.read.cache import code_digest
from generator.read.templates import default_theme_dir
from generator.render.frame import ThemeCodeGenerator, ThemeEnvironment
from generator.write.template_cache import KEPT_GENERATORS, SEAL, theme_store

pytestmark = pytest.mark.slow

NOW = "2026-11-23T10:00:00-03:00"
LANGUAGES = ("pt-BR", "en")   # the example site's


@pytest.fixture
def compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Point XDG_CACHE_HOME into tmp_path and return the list of templates Jinja compiles from now on (names)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    names: list[str] = []
    compile_ = ThemeEnvironment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(ThemeEnvironment, "compile", counted)
    return names


def theme_templates() -> list[str]:
    return sorted(path.name for path in default_theme_dir().iterdir() if path.suffix in (".html", ".css", ".js"))


def store_root(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "expediente" / "theme-templates"


def generator_folder(tmp_path: Path) -> Path:
    """Return this generator's folder in the user's store."""
    return store_root(tmp_path) / hashlib.blake2b(code_digest().encode(), digest_size=16).hexdigest()


def fresh_build(tmp_path: Path, name: str) -> dict[str, bytes]:
    """Build a fresh copy of the example (no .expediente-cache) in this process; return its output by path."""
    site = copy_example(tmp_path / name)
    return build(site, tmp_path / f"{name}-out")


def build(site: Path, out: Path) -> dict[str, bytes]:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW]) == 0
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def site_store(site: Path) -> list[Path]:
    return sorted((site / ".expediente-cache" / "templates").glob("*.sealed"))


def test_a_second_fresh_clone_compiles_nothing_of_the_default_theme(tmp_path: Path, compiled: list[str]) -> None:
    first = fresh_build(tmp_path, "one")
    assert sorted(set(compiled)) == theme_templates() and len(compiled) == len(LANGUAGES) * len(theme_templates())
    assert len(list(generator_folder(tmp_path).glob("*.sealed"))) == len(compiled)
    assert site_store(tmp_path / "one") == []                  # nothing of the default theme in the site
    compiled.clear()
    assert fresh_build(tmp_path, "two") == first
    assert compiled == []
    # The folders are private, the files too.
    for folder in (store_root(tmp_path), generator_folder(tmp_path)):
        assert folder.stat().st_mode & 0o777 == 0o700
    assert {path.stat().st_mode & 0o777 for path in generator_folder(tmp_path).iterdir()} == {0o600}


def test_a_sites_own_template_is_kept_in_the_sites_store_not_the_users(tmp_path: Path, compiled: list[str]) -> None:
    site = copy_example(tmp_path / "own")
    (site / "templates").mkdir()
    own = (default_theme_dir() / "notice.html").read_text(encoding="utf-8") + "{# the site's own #}\n"
    (site / "templates" / "notice.html").write_text(own, encoding="utf-8")
    build(site, tmp_path / "own-out")
    assert compiled.count("notice.html") == len(LANGUAGES)
    assert len(site_store(site)) == len(LANGUAGES)               # the site's notice.html, once per language
    kept = list(generator_folder(tmp_path).glob("*.sealed"))
    assert len(kept) == len(LANGUAGES) * (len(theme_templates()) - 1)    # the rest of the default theme
    compiled.clear()
    # Another site of the user finds the default theme's notice.html compiled by nobody yet: only it is compiled.
    fresh_build(tmp_path, "plain")
    assert compiled == ["notice.html"] * len(LANGUAGES)


def test_the_users_store_is_used_when_the_sites_cache_is_not_trusted(tmp_path: Path, compiled: list[str],
                                                                    capsys: pytest.CaptureFixture) -> None:
    fresh_build(tmp_path, "one")
    site = copy_example(tmp_path / "committed")
    (site / ".expediente-cache").mkdir()
    (site / ".expediente-cache" / "planted").write_text("x", encoding="utf-8")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "add", "-f", ".expediente-cache")
    git(site, "commit", "-q", "-m", "content")
    compiled.clear()
    capsys.readouterr()
    build(site, tmp_path / "committed-out")
    assert "warning: the build cache is committed to the repository" in capsys.readouterr().err
    assert compiled == []
    assert site_store(site) == []


@pytest.mark.parametrize("how", ["one byte changed", "sealed with another key", "planted code, no seal"])
def test_a_file_in_the_users_store_not_sealed_by_this_key_is_compiled_again(tmp_path: Path, compiled: list[str],
                                                                            how: str) -> None:
    first = fresh_build(tmp_path, "one")
    folder = generator_folder(tmp_path)
    honest = {path.name: path.read_bytes() for path in folder.glob("*.sealed")}
    marker = tmp_path / "MARKER"
    evil = marshal.dumps(compile(f"open({str(marker)!r}, 'w').close()\n", "planted", "exec"))
    head = len(SEAL) + hashlib.sha256().digest_size
    for name, data in honest.items():
        body = data[head:]
        if how == "one byte changed":
            planted = data[:-20] + bytes([data[-20] ^ 1]) + data[-19:]
        elif how == "sealed with another key":
            # Sealed as SealedFiles seals (the kind, the name, the bytes), with a key that is not this user's.
            kind = b"sandboxed" + ThemeCodeGenerator.compiled_as
            stem = name.removesuffix(".sealed")
            planted = SEAL + hmac.new(bytes(32), kind + b"\0" + stem.encode() + b"\0" + body,
                                      hashlib.sha256).digest() + body
        else:
            # Jinja's header and this source's checksum, then code that would leave a mark, under no seal.
            planted = SEAL + bytes(32) + body[:len(body) - len(_code(body))] + evil
        (folder / name).write_bytes(planted)
    compiled.clear()
    assert fresh_build(tmp_path, "two") == first
    assert len(compiled) == len(honest)
    assert not marker.exists()
    assert {path.name: path.read_bytes() for path in folder.glob("*.sealed")} == honest   # compiled and sealed again


def _code(body: bytes) -> bytes:
    """Return the marshalled code of a kept body (Jinja's magic, the checksum's length and the checksum first)."""
    from jinja2.bccache import bc_magic

    length = int.from_bytes(body[len(bc_magic):len(bc_magic) + 4], "big")
    return body[len(bc_magic) + 4 + length:]


def make_unusable(root: Path, how: str, elsewhere: Path) -> None:
    """Make the user's store folder `root` something the build must not use."""
    root.parent.mkdir(parents=True, exist_ok=True)
    if how == "a link":
        elsewhere.mkdir(mode=0o700)
        root.symlink_to(elsewhere)
        return
    root.mkdir(mode=0o700)
    if how == "world-writable":
        root.chmod(0o777)
    elif how == "group-writable":
        root.chmod(0o770)
    elif how == "another user's":
        os.chown(root, 65534, 65534)


@pytest.mark.parametrize("how", ["a link", "world-writable", "group-writable", "another user's"])
def test_a_store_folder_not_private_to_this_user_is_not_used(tmp_path: Path, compiled: list[str], how: str) -> None:
    if how == "another user's" and os.getuid() != 0:
        pytest.skip("giving a folder to another user takes root")
    reference = fresh_build(tmp_path, "reference")   # made the key, and this generator's store
    shutil.rmtree(store_root(tmp_path))
    make_unusable(store_root(tmp_path), how, tmp_path / "elsewhere")
    compiled.clear()
    site = copy_example(tmp_path / "site")
    assert build(site, tmp_path / "site-out") == reference
    assert len(compiled) == len(LANGUAGES) * len(theme_templates())
    # Nothing read or written there: the default theme is kept with the site's templates, as before the store.
    assert list((tmp_path / "elsewhere").iterdir() if how == "a link" else store_root(tmp_path).iterdir()) == []
    assert len(site_store(site)) == len(compiled)


def test_another_generator_or_jinja_never_opens_this_ones_files(tmp_path: Path, compiled: list[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    first = fresh_build(tmp_path, "one")
    ours = generator_folder(tmp_path)
    kept = sorted(path.name for path in ours.iterdir())
    # Another generator (another version, or another virtual environment's libraries): a folder of its own.
    with monkeypatch.context() as patched:
        patched.setattr("generator.pipeline.code_digest", lambda: "another generator")
        compiled.clear()
        assert fresh_build(tmp_path, "two") == first
    assert len(compiled) == len(kept)
    assert sorted(path.name for path in ours.iterdir()) == kept
    assert len(list(store_root(tmp_path).iterdir())) == 2
    # Another Jinja with this generator's code: other names in this generator's folder, none of them opened.
    with monkeypatch.context() as patched:
        patched.setattr(bytecode, "jinja_version", "0.0-another")
        compiled.clear()
        assert fresh_build(tmp_path, "three") == first
    assert len(compiled) == len(kept)
    assert len(list(ours.iterdir())) == 2 * len(kept)


def test_the_store_keeps_the_last_used_generators_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for number in range(KEPT_GENERATORS + 2):
        store = theme_store(f"generator {number}")
        assert store is not None
        store.write("a" * 64, b"kind", b"code")
        # Each a second older than the next, as the clock would have them.
        os.utime(store.folder, (1_000_000 + number, 1_000_000 + number))
    kept = {path.name for path in store_root(tmp_path).iterdir()}
    newest = {hashlib.blake2b(f"generator {number}".encode(), digest_size=16).hexdigest()
              for number in range(2, KEPT_GENERATORS + 2)}
    assert kept == newest
    # Using an older one again makes it the newest.
    assert theme_store("generator 2") is not None and theme_store("generator 9") is not None
    assert hashlib.blake2b(b"generator 2", digest_size=16).hexdigest() in {
        path.name for path in store_root(tmp_path).iterdir()}
