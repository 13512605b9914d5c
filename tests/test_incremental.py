"""Incremental builds: an up-to-date rebuild is answered from the cache, an edit rewrites only what changed,
and the result is always byte-identical to a clean build."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, snapshot

from generator.cli import main

NOW = "2026-11-23T10:00:00-03:00"


def copy_example(target: Path) -> Path:
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def build(site: Path, out: Path, *extra: str) -> None:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW, *extra]) == 0


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_nothing_changed_is_answered_from_the_cache(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    build(site, tmp_path / "out")
    before = inodes(tmp_path / "out")
    capsys.readouterr()
    build(site, tmp_path / "out")
    assert "is up to date" in capsys.readouterr().out
    assert inodes(tmp_path / "out") == before


def test_an_edit_rewrites_only_the_files_that_depend_on_it(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    before = inodes(out)
    notice = site / "notices" / "2026-11-03-whatsapp-comercial.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("sem sair da conversa", "pelo celular"),
                      encoding="utf-8")
    build(site, out)
    after = inodes(out)
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert "notices/2026-11-03-whatsapp-comercial/index.html" in changed
    assert "feed.xml" in changed
    assert "index.html" not in changed, "the hours page does not show an info notice's body"
    assert "calendar.ics" not in changed
    assert len(changed) < len(after) / 4


def test_an_edited_output_file_is_rewritten(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    (out / "index.html").write_text("tampered", encoding="utf-8")
    capsys.readouterr()
    build(site, out)
    assert "up to date" not in capsys.readouterr().out
    assert (out / "index.html").read_text(encoding="utf-8") != "tampered"


@pytest.mark.slow
def test_random_edits_give_the_same_output_as_clean_builds(tmp_path):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    rng = random.Random(20261123)
    notices = sorted((site / "notices").glob("*.md"))
    edits = [
        lambda p: p.write_text(p.read_text(encoding="utf-8") + "\nMais uma linha.\n", encoding="utf-8"),
        lambda p: p.write_text(p.read_text(encoding="utf-8").replace("title:", "title: (revisto)", 1), encoding="utf-8"),
        lambda p: p.unlink() if not p.name.count(".") > 1 and not any(
            q.name.startswith(p.stem + ".") for q in p.parent.iterdir()) else None,
        lambda p: (site / "site_src" / "hours.yaml").write_text(
            (site / "site_src" / "hours.yaml").read_text(encoding="utf-8").replace("18:00", "18:30", 1),
            encoding="utf-8"),
    ]
    for step in range(5):
        target = rng.choice([p for p in notices if p.exists()])
        rng.choice(edits)(target)
        build(site, out)
        clean = tmp_path / f"clean-{step}"
        build(site, clean, "--no-cache")
        assert snapshot(out) == snapshot(clean), f"step {step}: incremental output differs from a clean build"


@pytest.mark.slow
def test_the_old_output_is_removed_after_the_build_has_ended(tmp_path):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    notice = sorted((site / "notices").glob("*.md"))[0]
    notice.write_text(notice.read_text(encoding="utf-8") + "\nMais uma linha.\n", encoding="utf-8")
    # A caller that reads the build's output to its end is not kept waiting by the remover.
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--site", str(site), "--out", str(out),
                           "--now", NOW], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "built" in done.stdout, done.stderr
    deadline = time.monotonic() + 20
    while any(p.name.startswith(".out.old-") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
    assert (out / "index.html").is_file()


def test_with_another_thread_running_the_old_tree_is_removed_before_returning(tmp_path):
    from generator.write.staging import remove_later

    folder = tmp_path / "old"
    for number in range(50):
        (folder / str(number)).mkdir(parents=True)
        (folder / str(number) / "index.html").write_text("x")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        remove_later(folder)
        assert not folder.exists()
    finally:
        stop.set()
        thread.join()
