"""The manifest's folder times (read/output_state.py): an up-to-date check lists only the folders whose change
time is not the one the manifest vouches for, and a folder is vouched for only once it was seen to hold exactly
the output's entries, at a time the file system's clock had left behind."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from conftest import snapshot
from test_incremental import NOW, copy_example, edit

from generator.cli import main
from generator.read.cache import manifest_path, read_manifest
from generator.read.output_state import folder_records, output_intact
from generator.write.build_cache import filesystem_clock

NOTICE = "notices/2026-11-10-treinamento-equipe"


def build(site: Path, out: Path, *extra: str) -> None:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW, *extra]) == 0


def vouched_build(site: Path, out: Path) -> dict:
    """Build, then rebuild after an edit once the file system's clock has moved on: every folder the full
    build made is then older than the clock, and the manifest vouches for it."""
    build(site, out)
    time.sleep(0.05)
    build(site, out, "--strict")       # another key: the folders are looked at again, none of them changed
    return read_manifest(site, out)


def test_a_full_build_vouches_for_its_folders_with_their_change_times(tmp_path):
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    manifest = vouched_build(site, out)
    folders = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_dir()} | {""}
    assert set(manifest["folders"]) == folders
    assert manifest["folders"][NOTICE] == os.lstat(out / NOTICE).st_ctime_ns


def test_a_file_put_into_a_vouched_folder_is_found_by_the_up_to_date_check(tmp_path, capsys):
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    assert NOTICE in vouched_build(site, out)["folders"]
    (out / NOTICE / "stray.html").write_text("not ours", encoding="utf-8")
    capsys.readouterr()
    build(site, out, "--strict")
    assert "up to date" not in capsys.readouterr().out
    assert not (out / NOTICE / "stray.html").exists()


def test_a_folder_or_a_link_put_into_a_vouched_folder_is_found(tmp_path, capsys):
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    manifest = vouched_build(site, out)
    (out / NOTICE / "extra").mkdir()
    assert not output_intact(out, manifest)
    (out / NOTICE / "extra").rmdir()
    (out / NOTICE / "index.html").rename(tmp_path / "index.html")
    (out / NOTICE / "index.html").symlink_to(tmp_path / "index.html")
    assert not output_intact(out, manifest)


def test_a_folder_is_not_vouched_for_when_it_changed_in_the_clock_s_present_tick(tmp_path):
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "x.html").write_text("x", encoding="utf-8")
    changed = os.lstat(out / "a").st_ctime_ns
    files = ["a/x.html"]
    # A change in the same tick would leave the time as it is: not vouched for.
    assert folder_records(out, files, changed)["a"] is None
    assert folder_records(out, files, changed + 1)["a"] == changed
    # Nor is a folder that holds more than the output's files, whatever the clock says.
    (out / "a" / "y.html").write_text("y", encoding="utf-8")
    assert folder_records(out, files, os.lstat(out / "a").st_ctime_ns + 1)["a"] is None


def test_an_incremental_build_keeps_the_untouched_folders_times_and_looks_again_at_the_touched(tmp_path):
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    before = vouched_build(site, out)["folders"]
    time.sleep(0.05)
    edit(site / "notices" / "2026-11-03-whatsapp-comercial.md", "sem sair da conversa", "pelo celular")
    build(site, out)
    after = read_manifest(site, out)["folders"]
    assert after[NOTICE] == before[NOTICE]
    touched = "notices/2026-11-03-whatsapp-comercial"
    assert after.get(touched) in (None, os.lstat(out / touched).st_ctime_ns)
    assert after.get(touched) != before[touched]


def test_a_stray_file_in_a_folder_an_incremental_build_does_not_touch_is_found_by_that_build(tmp_path, capsys):
    # The folder's time no longer matches the one vouched for, so the build lists it, finds the stray file
    # and builds in full; the manifest it writes then vouches for the folder again.
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    vouched_build(site, out)
    edit(site / "notices" / "2026-11-03-whatsapp-comercial.md", "sem sair da conversa", "pelo celular")
    (out / NOTICE / "stray.html").write_text("not ours", encoding="utf-8")
    build(site, out)
    assert not (out / NOTICE / "stray.html").exists()
    capsys.readouterr()
    build(site, out)
    assert "up to date" in capsys.readouterr().out


def test_a_crafted_folder_time_is_only_a_time(tmp_path, capsys):
    # Folder times that are not numbers, or name folders outside the output, vouch for nothing.
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    vouched_build(site, out)
    where = manifest_path(site, out)
    manifest = json.loads(where.read_text(encoding="utf-8"))
    manifest["folders"] = {NOTICE: "x", "..": 1, "": [1]}
    where.write_text(json.dumps(manifest), encoding="utf-8")
    (out / NOTICE / "stray.html").write_text("not ours", encoding="utf-8")
    capsys.readouterr()
    build(site, out, "--strict")     # the same key: the up-to-date check
    assert "up to date" not in capsys.readouterr().out
    assert not (out / NOTICE / "stray.html").exists()


def test_the_file_system_clock_is_the_time_it_stamps_on_a_new_file(tmp_path):
    clock = filesystem_clock(tmp_path)
    (tmp_path / "later").write_text("x", encoding="utf-8")
    assert 0 < clock <= os.lstat(tmp_path / "later").st_ctime_ns
    assert list(tmp_path.iterdir()) == [tmp_path / "later"], "the clock's own file is gone"
    assert filesystem_clock(tmp_path / "missing") == 0


def test_a_folder_left_behind_by_a_deleted_notice_is_found_by_the_build(tmp_path, capsys):
    # The deleted notice's folder holds a file someone else put there: the build that removes the notice's
    # pages finds it (its folder's time is not the vouched one) and builds in full, which leaves none of it.
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    vouched_build(site, out)
    gone = "2026-11-03-whatsapp-comercial"
    (out / "notices" / gone / "stray.html").write_text("not ours", encoding="utf-8")
    for source in (site / "notices").glob(f"{gone}*.md"):
        source.unlink()
    build(site, out, "--strict")
    assert not (out / "notices" / gone).exists()
    capsys.readouterr()
    build(site, out, "--strict")
    assert "up to date" in capsys.readouterr().out
    build(site, tmp_path / "clean", "--no-cache", "--strict")
    assert snapshot(out) == snapshot(tmp_path / "clean")


def test_a_folder_not_vouched_for_is_looked_at_again_by_the_next_incremental_build(tmp_path):
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    vouched_build(site, out)
    where = manifest_path(site, out)
    manifest = json.loads(where.read_text(encoding="utf-8"))
    manifest["folders"][NOTICE] = None          # as a folder changed in the clock's tick is kept
    where.write_text(json.dumps(manifest), encoding="utf-8")
    edit(site / "notices" / "2026-11-03-whatsapp-comercial.md", "sem sair da conversa", "pelo celular")
    build(site, out)
    assert read_manifest(site, out)["folders"][NOTICE] == os.lstat(out / NOTICE).st_ctime_ns


def test_a_folder_replaced_by_a_link_below_a_vouched_folder_is_not_kept(tmp_path):
    # An incremental build takes a folder as the output's when its parent's time is the vouched one; the
    # link put in the folder's place changes the parent's time, so the folder is looked at, and the part
    # behind the link is rendered again as a clean build would have it.
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    manifest = vouched_build(site, out)
    assert manifest["folders"]["notices"] == os.lstat(out / "notices").st_ctime_ns
    shutil.copytree(out / NOTICE, tmp_path / "theirs")
    shutil.rmtree(out / NOTICE)
    (out / NOTICE).symlink_to(tmp_path / "theirs", target_is_directory=True)
    edit(site / "notices" / "2026-11-03-whatsapp-comercial.md", "sem sair da conversa", "pelo celular")
    build(site, out, "--strict")
    assert not (out / NOTICE).is_symlink()
    build(site, tmp_path / "clean", "--no-cache", "--strict")
    assert snapshot(out) == snapshot(tmp_path / "clean")
