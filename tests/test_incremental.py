"""Incremental builds: an up-to-date rebuild is answered from the cache, an edit rewrites only what changed,
and the result is always byte-identical to a clean build."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

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


def test_a_file_put_into_the_output_by_hand_is_removed_by_the_build_after_an_edit(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    edit(site / "notices" / "2026-11-03-whatsapp-comercial.md", "sem sair da conversa", "pelo celular")
    (out / "notices" / "stray.html").write_text("not ours", encoding="utf-8")
    capsys.readouterr()
    build(site, out)    # the sources changed: the build finds the stray file in its folder and builds in full
    rendered, parts = rendered_parts(capsys.readouterr().out)
    assert rendered == parts
    assert not (out / "notices" / "stray.html").exists()
    build(site, out)
    assert "up to date" in capsys.readouterr().out
    build(site, tmp_path / "clean", "--no-cache")
    assert snapshot(out) == snapshot(tmp_path / "clean")


def entries(folder: Path) -> dict[str, object]:
    """Return every entry under `folder` without following a link: a file's bytes, a link's target, a folder."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        found[rel] = ("link", str(path.readlink())) if path.is_symlink() else "folder" if path.is_dir() \
            else path.read_bytes()
    return found


def hand_edits(out: Path, outside: Path) -> list[Callable[[random.Random], object]]:
    """Return what a person may do to the output by hand between two builds, each given the test's random."""
    def some(rng: random.Random, pattern: str) -> Path:
        return rng.choice(sorted(path for path in out.glob(pattern) if not path.is_symlink()))

    def same_size_same_time(path: Path) -> None:
        before = path.stat()
        data = path.read_bytes()
        with open(path, "r+b") as handle:           # in place: its size kept
            handle.write(bytes([data[0] ^ 1]))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    def link_folder_outside(folder: Path) -> None:
        copy = outside / f"copy-{len(list(outside.iterdir()))}"
        shutil.copytree(folder, copy)               # the same sizes and times
        shutil.rmtree(folder)
        folder.symlink_to(copy)

    return [
        lambda rng: (out / f"stray-{rng.randrange(1000)}.html").write_text("not ours", encoding="utf-8"),
        lambda rng: (some(rng, "notices/*/") / "stray.html").write_text("not ours", encoding="utf-8"),
        lambda rng: (out / "extra" / "deeper").mkdir(parents=True, exist_ok=True) or (
            out / "extra" / "deeper" / "stray.html").write_text("x", encoding="utf-8"),
        lambda rng: same_size_same_time(some(rng, "**/*.html")),
        lambda rng: os.truncate(some(rng, "**/*.*"), 0),
        lambda rng: some(rng, "**/*.*").unlink(),
        lambda rng: shutil.rmtree(some(rng, "notices/*/")),
        lambda rng: (lambda path: (path.unlink(), path.symlink_to(outside / "secret.txt")))(some(rng, "**/*.html")),
        lambda rng: (lambda path: (path.unlink(), path.symlink_to("/etc/hostname")))(some(rng, "**/*.json")),
        lambda rng: link_folder_outside(some(rng, "notices/*/")),
    ]


@pytest.mark.slow
def test_random_edits_give_the_same_output_as_clean_builds(tmp_path):
    """Random edits of the sources, each with random edits of the output by hand (or none, or these alone):
    every build's output equals a clean build's, and nothing outside the output is changed."""
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside the output", encoding="utf-8")
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
        lambda p: None,                                 # the sources as they were
    ]
    by_hand = hand_edits(out, outside)
    watched = [Path("/etc/hostname"), outside / "secret.txt"]
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in watched}
    for step in range(10):
        target = rng.choice([p for p in notices if p.exists()])
        rng.choice(edits)(target)
        for hand_edit in rng.sample(by_hand, rng.choice([0, 1, 1, 2])):
            hand_edit(rng)
        copies = {path: entries(path) for path in outside.iterdir() if path.is_dir()}
        build(site, out)
        clean = tmp_path / f"clean-{step}"
        build(site, clean, "--no-cache")
        assert entries(out) == entries(clean), f"step {step}: incremental output differs from a clean build"
        assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in watched} == before
        assert {path: entries(path) for path in copies} == copies, f"step {step}: a folder outside was changed"
        shutil.rmtree(clean)


def rendered_parts(out: str) -> tuple[int, int]:
    """Return (parts rendered, parts) from the build command's last line."""
    found = re.search(r"(\d+) of (\d+) parts rendered", out)
    assert found, out
    return int(found[1]), int(found[2])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_renders_only_the_parts_that_depend_on_it(tmp_path, capsys):
    from generator.render.outputs import SITE_PARTS, STATUS_PARTS

    site_wide = len(SITE_PARTS) + len(STATUS_PARTS)       # the example has a status page
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    main_files = [path for path in (site / "notices").glob("*.md") if path.stem.count(".") == 0]
    # A notice's pages are a part; an hours notice's notice.ics another.
    notices = len(main_files) + sum("\ntype: hours\n" in path.read_text(encoding="utf-8") for path in main_files)
    assert notices > len(main_files)
    assert rendered_parts(capsys.readouterr().out) == (site_wide + notices, site_wide + notices)
    before = inodes(out)

    edit(site / "notices" / "2026-11-03-whatsapp-comercial.md", "sem sair da conversa", "pelo celular")
    build(site, out)
    # The notice, and the feeds: no other site-wide part shows bodies.
    assert rendered_parts(capsys.readouterr().out) == (1 + 1, site_wide + notices)
    after = inodes(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert {p for p in changed if p.endswith("/index.html") and "/notices/" in "/" + p and p.count("/") >= 2
            and not p.endswith("notices/index.html")} == {"notices/2026-11-03-whatsapp-comercial/index.html"}, \
        "the English page shows the translation's body, whose bytes did not change: it is not written"

    # An hours notice's body: its pages and the feeds, not its calendar, which does not print the body.
    calendar = "notices/2026-11-16-natal-e-ano-novo/notice.ics"
    edit(site / "notices" / "2026-11-16-natal-e-ano-novo.md", "continuam sendo recebidos", "seguem sendo recebidos")
    build(site, out)
    assert rendered_parts(capsys.readouterr().out) == (1 + 1, site_wide + notices)
    after, before = inodes(out), after
    assert after[calendar] == before[calendar]

    # A minute later, no notice changes phase: the notices' pages are not rendered, nor written; every
    # site-wide part prints "now", but for the favicon.
    before = after
    build(site, out, "--now", "2026-11-23T10:01:00-03:00")
    assert rendered_parts(capsys.readouterr().out) == (site_wide - 1, site_wide + notices)
    after = inodes(out)
    assert all(after[path] == before[path] for path in after if "/notices/" in "/" + path and path.count("/") >= 2
               and not path.endswith("notices/index.html"))

    # Past the maintenance's start it becomes active: its pages are rendered again, and only its.
    build(site, out, "--now", "2026-11-29T01:30:00-03:00")
    assert rendered_parts(capsys.readouterr().out) == (site_wide - 1 + 1, site_wide + notices)


UPDATE_ADDED = ("  - at: 2026-11-05 15:30\n    status: monitoring\n"
                "    text: {pt-BR: O tráfego voltou à rota principal., en: Traffic is back on the main route.}\n")


def scripted_edits(site: Path) -> list[tuple[str, Callable[[], object], str]]:
    """Return (what, the edit, the build's now) for each step of the scripted rebuilds."""
    notices = site / "notices"
    theme = ROOT / "templates" / "notice.html"
    return [
        ("a body edited", lambda: edit(notices / "2026-11-03-whatsapp-comercial.md",
                                       "sem sair da conversa", "pelo celular"), NOW),
        ("a title edited", lambda: edit(notices / "2026-11-10-treinamento-equipe.md", "title: ", "title: (revisto) "),
         NOW),
        ("an incident's update added", lambda: edit(notices / "2026-11-05-instabilidade-link-sp.md", "  - at: 2026-11-05 15:35",
                                                    UPDATE_ADDED + "  - at: 2026-11-05 15:35"), NOW),
        ("a maintenance window moved", lambda: edit(notices / "2026-11-20-manutencao-data-center.md",
                                                    "start: 2026-11-29 01:00", "start: 2026-11-29 00:30"), NOW),
        ("a change's hours edited", lambda: edit(notices / "2026-11-16-natal-e-ano-novo.md",
                                                 "phone: 08:00-12:00", "phone: 08:00-11:00"), NOW),
        ("an hours notice's body edited", lambda: edit(notices / "2026-11-16-natal-e-ano-novo.md",
                                                       "continuam sendo recebidos", "seguem sendo recebidos"), NOW),
        ("a translation added", lambda: (notices / "2026-11-10-treinamento-equipe.en.md").write_text(
            "---\ntitle: Reduced phone support on 27/11 (cancelled)\n---\nThe training was called off.\n",
            encoding="utf-8"), NOW),
        ("a translation removed", lambda: (notices / "2026-11-03-whatsapp-comercial.en.md").unlink(), NOW),
        ("a notice renamed", lambda: [(notices / f"2026-11-10-treinamento-equipe{end}").rename(
            notices / f"2026-11-10-treinamento-da-equipe{end}") for end in (".md", ".en.md")], NOW),
        ("a notice deleted", lambda: [(notices / f"2026-11-05-instabilidade-link-sp{end}").unlink()
                                      for end in (".md", ".en.md")], NOW),
        ("a site template edited", lambda: (site / "templates").mkdir() or (site / "templates" / "notice.html").write_text(
            theme.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}\n<p>Aviso</p>", 1),
            encoding="utf-8"), NOW),
        ("the site's settings edited", lambda: edit(site / "site_src" / "site.yaml", "name: Example Networks",
                                                    "name: Example Redes"), NOW),
        ("the regular hours edited", lambda: edit(site / "site_src" / "hours.yaml", "18:00", "18:30"), NOW),
        ("a department's holidays given", lambda: edit(site / "site_src" / "hours.yaml", COMERCIAL,
                                                       COMERCIAL + "    holidays: {country: PT}\n"), NOW),
        ("a department's holidays edited", lambda: edit(site / "site_src" / "hours.yaml",
                                                        "holidays: {country: PT}", "holidays: {country: ES}"), NOW),
        ("now a minute later", lambda: None, "2026-11-23T10:01:00-03:00"),
        ("now across midnight", lambda: None, "2026-11-24T00:10:00-03:00"),
        ("now across the maintenance's start", lambda: None, "2026-11-29T01:30:00-03:00"),
        ("now across the maintenance's end", lambda: None, "2026-11-29T03:30:00-03:00"),
        ("now into the Christmas notice's days", lambda: None, "2026-12-24T08:00:00-03:00"),
        ("now past them", lambda: None, "2027-01-03T08:00:00-03:00"),
    ]


COMERCIAL = "  - id: comercial\n    name: {pt-BR: Comercial, en: Sales}\n"


def test_a_departments_holidays_edited_rebuild_what_shows_them_as_a_clean_build(tmp_path, capsys):
    """A department's own `holidays:` given, edited and removed: each incremental build equals a clean one."""
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    first = snapshot(out)
    hours = site / "site_src" / "hours.yaml"
    steps = [
        ("given", lambda: edit(hours, COMERCIAL, COMERCIAL + "    holidays: {country: PT}\n")),
        ("given a closure", lambda: edit(hours, "holidays: {country: PT}",
                                         "holidays: {country: PT, extra: {\"2026-12-02\": Inventário}}")),
        ("made none", lambda: edit(hours, "holidays: {country: PT, extra: {\"2026-12-02\": Inventário}}",
                                   "holidays: {}")),
        ("removed", lambda: edit(hours, "    holidays: {}\n", "")),
    ]
    for what, change in steps:
        change()
        capsys.readouterr()
        build(site, out)
        assert "up to date" not in capsys.readouterr().out, what
        clean = tmp_path / f"clean-{what}"
        build(site, clean, "--no-cache")
        assert snapshot(out) == snapshot(clean), f"{what}: the incremental output differs from a clean build"
        if what == "given a closure":
            # Sales alone closes on its closure (a Wednesday), with Portugal's holidays: the hours page says so.
            calendar = (out / "calendar" / "comercial.ics").read_text(encoding="utf-8")
            assert "DTSTART;VALUE=DATE:20261202" in calendar and "Inventário" in calendar
            assert "DTSTART;VALUE=DATE:20261202" not in (out / "calendar" / "financeiro.ics").read_text(encoding="utf-8")
            assert "Imaculada Conceição" in (out / "api" / "hours.json").read_text(encoding="utf-8")
        shutil.rmtree(clean)
    assert snapshot(out) == first, "with the department's holidays removed, the output is the first build's"


def part_keys_of(site: Path, out: Path) -> dict[str, str]:
    """Return each part's key as the output folder's manifest records it."""
    from generator.read.cache import read_manifest

    return {name: entry[0] for name, entry in read_manifest(site, out)["parts"].items()}


STATUS = {"status pages", "badges", "statuspage api", "component feeds"}


@pytest.mark.parametrize(("what", "parts"), [
    # A body is shown by the feeds and the notice's own pages only.
    ("a body edited", {"feeds", "notice:2026-11-03-whatsapp-comercial"}),
    ("an hours notice's body edited", {"feeds", "notice:2026-11-16-natal-e-ano-novo"}),
    # A title is listed: the index, the hours page's "upcoming", the hours notice's calendar events.
    ("a title edited", {"feeds", "notice index", "hours pages", "subscription calendars",
                        "notice:2026-11-10-treinamento-equipe", "notice calendar:2026-11-10-treinamento-equipe"}),
    # An update is on the status parts and the notice's page; the index and hours pages list no updates.
    ("an incident's update added", {"feeds", *STATUS, "notice:2026-11-05-instabilidade-link-sp"}),
    ("a maintenance window moved", {"feeds", *STATUS, "maintenance calendar", "notice index", "hours pages",
                                    "notice:2026-11-20-manutencao-data-center"}),
    ("a change's hours edited", {"feeds", "notice index", "hours pages", "hours api", "subscription calendars",
                                 "notice:2026-11-16-natal-e-ano-novo", "notice calendar:2026-11-16-natal-e-ano-novo"}),
])
def test_each_edit_renders_the_parts_that_read_what_changed(tmp_path, capsys, what, parts):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    before = part_keys_of(site, out)
    dict((step, change) for step, change, _ in scripted_edits(site))[what]()
    build(site, out)
    after = part_keys_of(site, out)
    assert {name for name in after if after[name] != before.get(name)} == parts
    assert rendered_parts(capsys.readouterr().out.splitlines()[-1])[0] == len(parts)
    clean = tmp_path / "clean"
    build(site, clean, "--no-cache")
    assert snapshot(out) == snapshot(clean), f"after {what}: the incremental output differs from a clean build"


@pytest.mark.slow
def test_scripted_edits_give_the_same_output_as_clean_builds(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    for step, (what, change, now) in enumerate(scripted_edits(site)):
        change()
        build(site, out, "--now", now)
        assert "0 of" not in capsys.readouterr().out.splitlines()[-1] or what.startswith("now"), what
        clean = tmp_path / f"clean-{step}"
        build(site, clean, "--no-cache", "--now", now)
        assert snapshot(out) == snapshot(clean), f"after {what}: the incremental output differs from a clean build"
        shutil.rmtree(clean)


def test_a_build_killed_while_moving_files_in_is_repaired_by_the_next(tmp_path, capsys):
    from generator.read.cache import manifest_path

    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    edit(site / "notices" / "2026-11-03-whatsapp-comercial.md", "sem sair da conversa", "pelo celular")
    # What a build killed between two of its renames leaves: its manifest removed (before the first
    # rename: write/staging.py), one page new and the others old.
    manifest_path(site, out).unlink()
    (out / "notices" / "2026-11-03-whatsapp-comercial" / "index.html").write_text("new", encoding="utf-8")
    capsys.readouterr()
    build(site, out)
    rendered, parts = rendered_parts(capsys.readouterr().out)
    assert rendered == parts, "without a manifest the next build is a full one"
    build(site, tmp_path / "clean", "--no-cache")
    assert snapshot(out) == snapshot(tmp_path / "clean")


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
    from generator.write.swap import remove_later

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


def test_a_notice_no_feed_lists_edited_renders_its_own_part_alone(tmp_path, capsys):
    # 55 newer notices in every department push the 2017 notice out of every feed (50 entries each).
    site = copy_example(tmp_path / "site")
    for day in range(55):
        (site / "notices" / f"2026-10-{day // 2 + 1:02d}-aviso-{day}.md").write_text(
            f"---\ntitle: Aviso {day}\ndate: 2026-10-{day // 2 + 1:02d} 09:{day % 60:02d}\ntype: info\n"
            f"departments: [financeiro, comercial, suporte]\n---\nTexto do aviso {day}.\n", encoding="utf-8")
    out = tmp_path / "out"
    build(site, out)
    before = part_keys_of(site, out)
    edit(site / "notices" / "2017-10-16-alteracao-de-expediente.md", "Informamos que", "Avisamos que")
    build(site, out)
    after = part_keys_of(site, out)
    assert {name for name in after if after[name] != before.get(name)} == {"notice:2017-10-16-alteracao-de-expediente"}
    clean = tmp_path / "clean"
    build(site, clean, "--no-cache")
    assert snapshot(out) == snapshot(clean)


def test_now_passing_an_incidents_update_renders_its_page_again(tmp_path, capsys):
    # The link-sp incident: investigating since 14:10, updates at 14:40, 15:20 and 15:35 (its end). A notice's
    # page says the updates posted by "now": each one passed renders the page again, as a clean build would.
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    page = "notices/2026-11-05-instabilidade-link-sp/index.html"
    build(site, out, "--now", "2026-11-05T14:30:00-03:00")
    assert "Um cabo de fibra" not in (out / page).read_text(encoding="utf-8")
    # 14:45: the 14:40 update is said, and the incident is still active (its phase alone does not move).
    # 15:40: every update is said, and the incident is over.
    for now, said in (("2026-11-05T14:45:00-03:00", "Um cabo de fibra"),
                      ("2026-11-05T15:40:00-03:00", "A conexão está normalizada.")):
        before = part_keys_of(site, out)
        capsys.readouterr()
        build(site, out, "--now", now)
        after = part_keys_of(site, out)
        assert "notice:2026-11-05-instabilidade-link-sp" in {name for name in after if after[name] != before[name]}
        assert said in (out / page).read_text(encoding="utf-8"), now
        clean = tmp_path / "clean"
        build(site, clean, "--no-cache", "--now", now)
        assert snapshot(out) == snapshot(clean), f"at {now}: the incremental output differs from a clean build"
        shutil.rmtree(clean)
