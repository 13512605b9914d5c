"""A build with no manifest to answer from (a first build, --no-cache) keys its manifest on the notice files' bytes
its checks read (read/cache.py: Fingerprint), not on a reading of its own before the build: the next build is up to
date exactly when nothing changed since those bytes were read, whenever an editor saved meanwhile."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT, snapshot

import generator.pipeline.loading as loading
from generator.cli import main
from generator.read.cache import source_fingerprint, start_fingerprint
from generator.read.sources import file_digest
from generator.read.templates import default_theme_dir

NOW = "2026-11-23T10:00:00-03:00"
NOTICE = "notices/2026-11-03-whatsapp-comercial.md"
TRANSLATION = "notices/2026-11-03-whatsapp-comercial.en.md"


def copy_example(target: Path) -> Path:
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def build(site: Path, out: Path, capsys, *extra: str) -> str:
    capsys.readouterr()
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW, *extra]) == 0
    return capsys.readouterr().out


def clean_build(site: Path, out: Path, capsys) -> dict[str, bytes]:
    build(site, out, capsys, "--no-cache")
    return snapshot(out)


def edited(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: SAVED MEANWHILE ", 1),
                    encoding="utf-8")


def test_a_notice_file_hashes_as_its_check_keys_it():
    """The fingerprint's line of a notice file is the digest a check of its bytes is kept under (file_digest);
    other files keep their plain SHA-256."""
    from generator.read.cache import _content_hash

    data = (ROOT / NOTICE).read_bytes()
    assert _content_hash(NOTICE, data) == file_digest(NOTICE, data)
    assert _content_hash(TRANSLATION, data) == file_digest(TRANSLATION, data)
    assert _content_hash("notices/README.md", data) != file_digest("notices/README.md", data)
    assert _content_hash("notices/sub/2026-11-03-x.md", data) != file_digest("notices/sub/2026-11-03-x.md", data)
    assert _content_hash("site_src/site.yaml", data) != file_digest("site_src/site.yaml", data)


def test_a_fingerprint_finished_with_the_digests_read_is_the_one_read_before(tmp_path):
    site = copy_example(tmp_path / "site")
    settings = {"now": NOW}
    whole = source_fingerprint(site, default_theme_dir(), settings)
    later = start_fingerprint(site, default_theme_dir(), settings, notices_later=True)
    read = {f"notices/{p.name}": file_digest(f"notices/{p.name}", p.read_bytes()) for p in (site / "notices").iterdir()}
    assert later.finish(read) == whole
    # A notice file the build did not read is not vouched for: no key of real bytes, no record.
    missing = start_fingerprint(site, default_theme_dir(), settings, notices_later=True).finish(
        {rel: digest for rel, digest in read.items() if rel != NOTICE})
    assert missing[0] != whole[0]
    assert NOTICE not in missing[1] and TRANSLATION in missing[1]


def test_a_first_build_then_nothing_changed_is_up_to_date(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    assert "built" in build(site, tmp_path / "out", capsys)
    assert "is up to date" in build(site, tmp_path / "out", capsys)
    assert "built" in build(site, tmp_path / "other", capsys, "--no-cache")
    assert "is up to date" in build(site, tmp_path / "other", capsys)


def test_a_notice_saved_before_its_check_read_it_is_vouched_for_as_read(tmp_path, capsys, monkeypatch):
    """Saved after the fingerprint began but before the notices were read: the output is made from the new text,
    and so is the key, so the next build is up to date, with a clean build's output."""
    site = copy_example(tmp_path / "site")
    real = loading.read_sources

    def saved_first(site_dir, *args, **kwargs):
        edited(site / NOTICE)
        return real(site_dir, *args, **kwargs)

    monkeypatch.setattr(loading, "read_sources", saved_first)
    build(site, tmp_path / "out", capsys)
    monkeypatch.setattr(loading, "read_sources", real)
    assert "is up to date" in build(site, tmp_path / "out", capsys)
    assert snapshot(tmp_path / "out") == clean_build(site, tmp_path / "clean", capsys)


def test_a_notice_saved_after_its_check_read_it_is_built_again(tmp_path, capsys, monkeypatch):
    """Saved once its check had read it: the output was made from the old text, so the next build is no up-to-date
    answer, and gives a clean build's output of the new text."""
    site = copy_example(tmp_path / "site")
    monkeypatch.setenv("EXPEDIENTE_JOBS", "1")
    real = loading.check_file

    def saved_after(file, check):
        done = real(file, check)
        if file.rel == NOTICE:
            edited(site / NOTICE)
        return done

    monkeypatch.setattr(loading, "check_file", saved_after)
    build(site, tmp_path / "out", capsys)
    monkeypatch.setattr(loading, "check_file", real)
    assert "is up to date" not in build(site, tmp_path / "out", capsys)
    assert "SAVED MEANWHILE" in (tmp_path / "out" / "notices" / "2026-11-03-whatsapp-comercial" / "index.html"
                                 ).read_text(encoding="utf-8")
    assert snapshot(tmp_path / "out") == clean_build(site, tmp_path / "clean", capsys)
    assert "is up to date" in build(site, tmp_path / "out", capsys)
