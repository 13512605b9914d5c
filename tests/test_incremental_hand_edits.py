"""Whatever was done to the output folder by hand since the last build, the next build's output equals a clean
build's: at once, whether a notice was edited (the incremental path) or nothing changed (the up-to-date check),
and without writing or removing anything outside the output through a link put into it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

import pytest
from test_incremental import NOW, copy_example, edit, rendered_parts

from generator.cli import main
from generator.read.cache import read_manifest

KEPT = "notices/2026-11-10-treinamento-equipe"       # a notice's folder the edit below does not render again


def build(site: Path, out: Path, *extra: str) -> None:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW, "--strict", *extra]) == 0


def tree(folder: Path) -> dict[str, object]:
    """Return every entry under `folder` without following a link: a file's bytes, a link's target, a folder."""
    found: dict[str, object] = {}
    for where, folders, names in os.walk(folder):
        for name in folders + names:
            path = Path(where, name)
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = "folder"
            else:
                found[rel] = path.read_bytes()
    return found


def fingerprint(path: Path) -> tuple:
    """Return what must not change in a file outside the output: its bytes, size, time and inode."""
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns, stat.st_ino


def same_size_same_time(path: Path) -> None:
    """Change a byte of a file in place, then put its time back: only its change time (ctime) tells."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[data.index(b"<h1")+1:data.index(b"<h1")+3] = b"H1"
    with open(path, "r+b") as handle:       # in place: same inode, same size
        handle.write(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def link_folder_outside(out: Path, outside: Path) -> None:
    """Replace a notice's folder by a link to a copy of it outside the output (same sizes, same times)."""
    shutil.copytree(out / KEPT, outside / "copy", copy_function=shutil.copy2)
    shutil.rmtree(out / KEPT)
    os.symlink(outside / "copy", out / KEPT)


HAND_EDITS: dict[str, Callable[[Path, Path], None]] = {
    "a file added at the top": lambda out, _: (out / "stray.html").write_text("not ours", encoding="utf-8"),
    "a file added in a notice's folder": lambda out, _: (out / KEPT / "stray.html").write_text("x", encoding="utf-8"),
    "a file added in a new folder": lambda out, _: ((out / "extra").mkdir(),
                                                    (out / "extra" / "stray.html").write_text("x", encoding="utf-8")),
    "a link added in a notice's folder": lambda out, outside: os.symlink(outside / "secret.txt", out / KEPT / "s.html"),
    "a file edited, its size and time put back": lambda out, _: same_size_same_time(out / KEPT / "index.html"),
    "a file truncated": lambda out, _: os.truncate(out / KEPT / "index.html", 0),
    "a file removed": lambda out, _: (out / KEPT / "index.html").unlink(),
    "a folder removed": lambda out, _: shutil.rmtree(out / KEPT),
    "a file replaced by a link inside the output": lambda out, _: ((out / KEPT / "index.html").unlink(),
                                                                   os.symlink("../../index.html", out / KEPT / "index.html")),
    "a file replaced by a link to a file outside": lambda out, outside: (
        (out / KEPT / "index.html").unlink(), os.symlink(outside / "secret.txt", out / KEPT / "index.html")),
    "a file replaced by a link to /etc/hostname": lambda out, _: (
        (out / KEPT / "index.html").unlink(), os.symlink("/etc/hostname", out / KEPT / "index.html")),
    "a folder replaced by a link to a folder outside": lambda out, outside: link_folder_outside(out, outside),
}


def notice_edited(site: Path) -> None:
    edit(site / "notices" / "2026-11-03-whatsapp-comercial.md", "sem sair da conversa", "pelo celular")


# Three of them in the fast inner loop (pytest -m "not slow"), every one of them in the full run.
FAST = {("a file added in a notice's folder", "a notice edited"),
        ("a file edited, its size and time put back", "a notice edited"),
        ("a folder replaced by a link to a folder outside", "a notice edited")}


@pytest.mark.parametrize(("hand_edit", "sources"), [
    pytest.param(hand_edit, sources, marks=() if (hand_edit, sources) in FAST else pytest.mark.slow)
    for hand_edit in sorted(HAND_EDITS) for sources in ("a notice edited", "nothing changed")])
def test_a_build_after_a_hand_edit_of_the_output_equals_a_clean_build(tmp_path, capsys, hand_edit, sources):
    site, out, outside = copy_example(tmp_path / "site"), tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside the output", encoding="utf-8")
    build(site, out)
    # Once the file system's clock has moved on, a build vouches for every folder by its change time (the
    # up-to-date check then lists none of them): the hand edits below meet the checks at their leanest.
    time.sleep(0.05)
    build(site, out, "--now", "2026-11-23T10:00:01-03:00")
    build(site, out)
    capsys.readouterr()
    HAND_EDITS[hand_edit](out, outside)
    watched = [path for path in outside.rglob("*") if path.is_file()] + [Path("/etc/hostname")]
    before = {path: fingerprint(path) for path in watched}
    if sources == "a notice edited":
        notice_edited(site)
    build(site, out)
    told = capsys.readouterr().out
    assert "up to date" not in told, f"{hand_edit}: the output was answered up to date"
    build(site, tmp_path / "clean", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean"), f"{hand_edit}, {sources}: the output differs from a clean build"
    assert {path: fingerprint(path) for path in watched} == before, f"{hand_edit}: a file outside was changed"
    assert sorted(path.name for path in outside.iterdir()) == sorted(
        ["secret.txt"] + (["copy"] if hand_edit == "a folder replaced by a link to a folder outside" else []))
    # And the next build, nothing changed, is answered from the manifest again.
    build(site, out)
    assert "up to date" in capsys.readouterr().out


def test_the_manifest_s_hash_is_the_one_a_moved_change_time_is_checked_by():
    from generator.read.output_state import file_digest
    from generator.write.staging import content_digest

    for data in (b"", b"x", "ç".encode() * 100_000):
        assert file_digest(data) == content_digest(data)


def test_a_file_whose_change_time_moved_but_not_its_bytes_costs_no_rebuild(tmp_path, capsys):
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    time.sleep(0.05)
    build(site, out, "--now", "2026-11-23T10:00:01-03:00")
    build(site, out)
    os.chmod(out / KEPT / "index.html", 0o600)
    os.chmod(out / KEPT / "index.html", 0o644)
    time.sleep(0.05)        # past the clock's tick: the manifest can then record the file's new change time
    capsys.readouterr()
    build(site, out)
    assert "up to date" in capsys.readouterr().out
    recorded = read_manifest(site, out)["files"][f"{KEPT}/index.html"]
    assert recorded[3] == os.lstat(out / KEPT / "index.html").st_ctime_ns, "recorded again: not read next time"
    notice_edited(site)
    build(site, out)
    assert rendered_parts(capsys.readouterr().out)[0] == 2, "the notice edited and the feeds, not the file's part"


def test_a_file_written_in_the_clock_s_present_tick_is_compared_by_its_bytes(tmp_path):
    # An edit in the tick in which the build wrote the file would leave its change time as it is: the
    # manifest records no change time for it, and the check compares its bytes.
    from generator.read.output_state import output_intact
    from generator.write.build_cache import write_manifest
    from generator.write.staging import content_digest

    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_bytes(b"<h1>ours</h1>")
    where = tmp_path / "manifest.json"
    write_manifest(where, out, "key", {"a/index.html": content_digest(b"<h1>ours</h1>")}, "",
                   clock=os.lstat(out / "a" / "index.html").st_ctime_ns)
    manifest = json.loads(where.read_text(encoding="utf-8"))
    assert manifest["files"]["a/index.html"][3] == -1
    refreshed: dict[str, list] = {}
    assert output_intact(out, manifest, refreshed)
    assert refreshed["a/index.html"][3] == os.lstat(out / "a" / "index.html").st_ctime_ns
    same_size_same_time(out / "a" / "index.html")
    assert not output_intact(out, manifest)


@pytest.mark.parametrize("marker", [".git", "site_src"])
def test_an_output_folder_this_tool_did_not_make_is_still_refused_after_a_build_into_it(tmp_path, capsys, marker):
    # A folder the last build made, that someone then turned into a source folder (a .git or a site_src put
    # in): refused before anything in it is looked at, kept or removed, with a notice edited or not.
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    (out / marker).mkdir()
    (out / marker / "config").write_text("ours", encoding="utf-8")
    before = tree(out)
    capsys.readouterr()
    for change in (lambda: None, lambda: notice_edited(site)):
        change()
        assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW, "--strict"]) == 1
        assert capsys.readouterr().err == (f"error: {out} looks like a source folder, not a build output; choose "
                                           "another --out; the previous output was left as it was\n")
        assert tree(out) == before


def test_a_folder_replaced_by_a_link_after_the_checks_is_not_written_through(tmp_path, capsys):
    # The checks of the live output run before anything changes; a folder swapped for a link to a copy outside
    # in the moment between them and the renames (here, when the manifest is removed, the last step before)
    # takes neither a rename nor a removal: the build falls back to a full one, which replaces the link.
    from generator.commands.build import LiveOutput, build_into
    from generator.read.output_state import live_output

    site, out, outside = copy_example(tmp_path / "site"), tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    build(site, out)
    notice_edited(site)
    edited = "notices/2026-11-03-whatsapp-comercial"
    retired = out / edited / "retired.html"       # as if the last build had written it: the build removes it
    retired.write_text("old", encoding="utf-8")
    manifest = read_manifest(site, out)
    manifest["files"][f"{edited}/retired.html"] = ["0" * 64, 3, 0, 0]
    live = LiveOutput(*live_output(out, manifest))

    def swap() -> None:
        if (out / edited).is_symlink():
            return          # called again by the full build it falls back to
        shutil.copytree(out / edited, outside / "copy", copy_function=shutil.copy2)
        shutil.rmtree(out / edited)
        os.symlink(outside / "copy", out / edited)

    built = build_into(site, out, datetime.fromisoformat(NOW), True, live=live, invalidate=swap)
    assert not built.in_place, "the live output was written into after a folder was replaced by a link"
    assert sorted(path.name for path in (outside / "copy").iterdir()) == ["index.html", "retired.html"]
    assert b"pelo celular" not in (outside / "copy" / "index.html").read_bytes()
    build(site, tmp_path / "clean", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean")


def test_the_output_folder_moved_away_after_the_checks_makes_a_full_build_not_a_traceback(tmp_path):
    # The output folder itself, moved away in the moment between the checks and the renames (an operator's
    # `mv` while the build runs): the renames are refused, nothing is written into the folder moved away, and
    # the build falls back to a full one where the output was.
    from generator.commands.build import LiveOutput, build_into
    from generator.read.output_state import live_output

    site, out, moved = copy_example(tmp_path / "site"), tmp_path / "out", tmp_path / "moved"
    build(site, out)
    notice_edited(site)
    before = tree(out)
    live = LiveOutput(*live_output(out, read_manifest(site, out)))

    def move() -> None:
        if out.exists() and not moved.exists():
            os.rename(out, moved)

    built = build_into(site, out, datetime.fromisoformat(NOW), True, live=live, invalidate=move)
    assert not built.in_place
    assert tree(moved) == before
    build(site, tmp_path / "clean", "--no-cache")
    assert tree(out) == tree(tmp_path / "clean")


def test_a_file_edited_after_the_output_went_live_and_before_the_manifest_was_written_is_found(tmp_path):
    # Between the swap (or the renames) and the manifest, a build lists folders (0.1 s at 10,000 notices): a
    # hand edit then, its size and time put back, took its change time into the manifest beside the build's
    # hash, and every later build answered "up to date" with it.  A file changed since the output went live
    # is recorded with no change time, so the next build compares its bytes.
    from generator.read.output_state import output_intact
    from generator.write.build_cache import filesystem_clock, write_manifest
    from generator.write.staging import content_digest

    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_bytes(b"<h1>ours</h1>")       # written by the build, before it went live
    time.sleep(0.01)
    live = filesystem_clock(tmp_path)                               # the output goes live
    same_size_same_time(out / "a" / "index.html")
    time.sleep(0.01)
    where = tmp_path / "manifest.json"
    write_manifest(where, out, "key", {"a/index.html": content_digest(b"<h1>ours</h1>")}, "",
                   clock=filesystem_clock(tmp_path), live=live)
    manifest = json.loads(where.read_text(encoding="utf-8"))
    assert manifest["files"]["a/index.html"][3] == -1
    assert not output_intact(out, manifest)


def test_the_files_an_incremental_build_wrote_are_read_back_by_their_bytes(tmp_path):
    # Read back once the clock was taken, rather than recorded with no change time (the next check would then
    # read them and rewrite the manifest): only a file whose bytes are the build's is vouched for, never a link.
    from generator.read.output_state import read_back
    from generator.write.staging import content_digest

    out, outside = tmp_path / "out", tmp_path / "outside.html"
    (out / "a").mkdir(parents=True)
    outside.write_bytes(b"<h1>ours</h1>")
    for name, data in (("ours.html", b"<h1>ours</h1>"), ("edited.html", b"<h1>theirs</h1>")):
        (out / "a" / name).write_bytes(data)
    os.symlink(outside, out / "a" / "link.html")
    digest = content_digest(b"<h1>ours</h1>")
    found = read_back(out, {f"a/{name}": digest for name in ("ours.html", "edited.html", "link.html", "gone.html")}
                      | {"../outside.html": digest})
    stat = os.lstat(out / "a" / "ours.html")
    assert found == {"a/ours.html": [digest, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]}


def test_a_crafted_manifest_s_folders_outside_the_output_are_not_listed(tmp_path):
    site, out, outside = copy_example(tmp_path / "site"), tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    build(site, out)
    manifest = read_manifest(site, out)
    manifest["folders"].update({"../outside": None, "/etc": None, "notices/../..": None})
    from generator.read.cache import manifest_path
    manifest_path(site, out).write_text(json.dumps(manifest), encoding="utf-8")
    notice_edited(site)
    build(site, out)
    # Listed, they would be recorded again (None: they do not hold the output's entries).
    assert not {"../outside", "/etc", "notices/../.."} & set(read_manifest(site, out)["folders"])


@pytest.mark.parametrize("messages", [["a list"], 1, None, {"a": "dict"}])
def test_a_manifest_whose_messages_are_not_text_is_answered_without_a_traceback(tmp_path, capsys, messages):
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    manifest = read_manifest(site, out)
    manifest["messages"] = messages
    from generator.read.cache import manifest_path
    manifest_path(site, out).write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()
    build(site, out)
    told = capsys.readouterr()
    assert "up to date" in told.out and told.err == ""


def test_a_manifest_nested_past_the_json_parser_s_depth_is_no_manifest_and_no_traceback(tmp_path, capsys):
    site, out = copy_example(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    from generator.read.cache import manifest_path
    manifest_path(site, out).write_text("[" * 200_000, encoding="utf-8")
    capsys.readouterr()
    build(site, out)
    told = capsys.readouterr()
    assert "up to date" not in told.out and "Traceback" not in told.err and "internal error" not in told.err
    assert read_manifest(site, out)["files"]          # a full build's manifest replaced it
