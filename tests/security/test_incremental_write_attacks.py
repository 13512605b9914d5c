"""The in-place writer of an incremental build (write/staging.py: commit_in_place) never writes or removes
outside the output folder, whatever the site's cache says and whatever links stand in the output.

A site folder that came as a tarball or a shared folder (no git repository) brings its own
`.expediente-cache/`, which the build trusts as this machine's: its manifest names the files the
last build wrote, and an incremental build removes those the new output does not have.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from conftest import ROOT

from generator.cli import main
from generator.read.cache import manifest_path

NOW = "2026-11-23T10:00:00-03:00"
NOTICE = "2026-11-03-whatsapp-comercial"


def example(target: Path) -> Path:
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def build(site: Path, out: Path) -> int:
    return main(["build", "--site", str(site), "--out", str(out), "--now", NOW])


def edit_notice(site: Path) -> None:
    notice = site / "notices" / f"{NOTICE}.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("sem sair da conversa", "pelo celular"),
                      encoding="utf-8")


def built(tmp_path: Path) -> tuple[Path, Path]:
    """Return a copy of the example site and the output folder it was built into, with its manifest."""
    site = example(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out) == 0
    return site, out


def add_a_line(site: Path) -> None:
    """Edit a notice other than NOTICE: a line added to its body."""
    notice = site / "notices" / "2026-11-10-treinamento-equipe.md"
    notice.write_text(notice.read_text(encoding="utf-8") + "\nMais.\n", encoding="utf-8")


def link_notice_folder(out: Path, target: Path) -> None:
    """Put in place of NOTICE's folder in `out` a link to `target`, a copy of it (its files' times kept)."""
    shutil.copytree(out / "notices" / NOTICE, target)
    shutil.rmtree(out / "notices" / NOTICE)
    (out / "notices" / NOTICE).symlink_to(target, target_is_directory=True)


def clean(site: Path, out: Path) -> dict[str, bytes]:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW, "--no-cache"]) == 0
    return tree(out)


def tree(folder: Path) -> dict[str, object]:
    """Return every entry under `folder`: a file's bytes, a link's target (links are not followed)."""
    found: dict[str, object] = {}
    for where, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(where, name)
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_file():
                found[rel] = path.read_bytes()
    return found


def forge_manifest(site: Path, out: Path, names: list[str]) -> None:
    """Add `names` to the manifest's files, as a crafted cache would, each with a plausible record."""
    where = manifest_path(site, out)
    manifest = json.loads(where.read_text(encoding="utf-8"))
    for name in names:
        manifest["files"][name] = ["0" * 64, 1, 1]
    where.write_text(json.dumps(manifest), encoding="utf-8")


def test_a_manifest_naming_files_outside_the_output_removes_none_of_them(tmp_path):
    site, out = built(tmp_path)
    beside = tmp_path / "victim.txt"
    beside.write_text("keep me", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    absolute = elsewhere / "victim.txt"
    absolute.write_text("keep me too", encoding="utf-8")
    forge_manifest(site, out, ["../victim.txt", str(absolute), "notices/../../victim.txt"])
    edit_notice(site)
    assert build(site, out) == 0
    assert beside.read_text(encoding="utf-8") == "keep me"
    assert absolute.read_text(encoding="utf-8") == "keep me too"
    assert tree(out) == clean(site, tmp_path / "clean")


def test_a_manifest_part_naming_a_file_outside_the_output_is_not_kept(tmp_path):
    # A part whose files lie outside the output cannot be "kept": its files are not the output's.
    site, out = built(tmp_path)
    outside = tmp_path / "outside.html"
    outside.write_text("x", encoding="utf-8")
    where = manifest_path(site, out)
    manifest = json.loads(where.read_text(encoding="utf-8"))
    stat = os.lstat(outside)
    name = f"notice:{NOTICE}"
    digest = manifest["files"][manifest["parts"][name][1][0]][0]
    manifest["files"]["../outside.html"] = [digest, stat.st_size, stat.st_mtime_ns]
    manifest["parts"][name][1] = ["../outside.html"]
    where.write_text(json.dumps(manifest), encoding="utf-8")
    add_a_line(site)
    assert build(site, out) == 0
    assert outside.read_text(encoding="utf-8") == "x"
    assert tree(out) == clean(site, tmp_path / "clean")
    written = json.loads(where.read_text(encoding="utf-8"))
    assert all(not path.startswith(("/", "..")) and "/../" not in path for path in written["files"])


def test_a_link_planted_where_a_changed_file_goes_is_not_written_through(tmp_path):
    site, out = built(tmp_path)
    secret = tmp_path / "secret.html"
    secret.write_text("mine", encoding="utf-8")
    page = out / "notices" / NOTICE / "index.html"
    page.unlink()
    page.symlink_to(secret)
    edit_notice(site)
    assert build(site, out) == 0
    assert secret.read_text(encoding="utf-8") == "mine"
    assert not page.is_symlink()
    assert tree(out) == clean(site, tmp_path / "clean")


def test_a_folder_link_planted_where_files_are_retired_removes_nothing_through_it(tmp_path):
    site, out = built(tmp_path)
    target = tmp_path / "theirs"
    link_notice_folder(out, target)
    for source in (site / "notices").glob(f"{NOTICE}*.md"):
        source.unlink()
    assert build(site, out) == 0
    assert (target / "index.html").exists()
    assert tree(out) == clean(site, tmp_path / "clean")


def test_a_kept_part_behind_a_folder_link_is_not_kept(tmp_path):
    # The notice's folder is replaced by a link to a copy that looks the same (times kept): its part is not
    # the output's any more, so it is rendered again and the link replaced, as a clean build would have it.
    site, out = built(tmp_path)
    target = tmp_path / "theirs"
    link_notice_folder(out, target)
    add_a_line(site)
    assert build(site, out) == 0
    assert tree(out) == clean(site, tmp_path / "clean")


def test_a_folder_link_put_into_an_up_to_date_output_is_not_vouched_for(tmp_path, capsys):
    site, out = built(tmp_path)
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "secret.txt").write_text("x", encoding="utf-8")
    (out / "extra").symlink_to(tmp_path / "theirs", target_is_directory=True)
    capsys.readouterr()
    assert build(site, out) == 0
    assert "up to date" not in capsys.readouterr().out
    assert tree(out) == clean(site, tmp_path / "clean")
    assert (tmp_path / "theirs" / "secret.txt").exists()
