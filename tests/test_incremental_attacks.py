"""Sequences of edits after which an incremental build must still do exactly what a clean `--no-cache` build
at the same "now" does: the same bytes, or the same refusal."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import ROOT

from generator.cli import main

NOW = "2026-11-23T10:00:00-03:00"

# A notice whose change table is long (about 150 KB of pages), which brings the example near 1 MB.
LONG_NOTICE = """\
---
title: Fechado para obras
date: 2026-11-20 10:00
changes:
  - dates: 2027-02-01..2027-03-31
    closed: true
---
"""


def example(target: Path) -> Path:
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def run(site: Path, out: Path, *extra: str) -> int:
    return main(["build", "--site", str(site), "--out", str(out), "--now", NOW, *extra])


def tree(folder: Path) -> dict[str, bytes]:
    found = {}
    for where, _, names in os.walk(folder):
        for name in names:
            path = Path(where, name)
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def test_an_edit_that_takes_the_output_past_its_limit_is_refused_as_a_clean_build_refuses_it(tmp_path, capsys):
    # The limit is on what one build writes: a clean build counts every file; an incremental one must count
    # the files it keeps too, or an output over the limit is published one small edit at a time.
    site = example(tmp_path / "site")
    settings = site / "site_src" / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "limits:\n  change_days: 3000\n  output_mb: 1\n",
                        encoding="utf-8")
    notice = site / "notices" / "2026-11-20-obras.md"
    notice.write_text(LONG_NOTICE + "Aviso.\n", encoding="utf-8")
    out = tmp_path / "public"
    assert run(site, out) == 0
    before = tree(out)
    # About 0.9 MB before the edit and 1.2 MB after it (2026-12-08): margins wide enough that a change of the
    # pages' size elsewhere does not move either side across the limit.
    notice.write_text(LONG_NOTICE + "Texto longo do aviso. " * 1000 + "\n", encoding="utf-8")
    capsys.readouterr()
    assert run(site, tmp_path / "clean", "--no-cache") == 1
    clean_error = capsys.readouterr().err
    assert "passes the limit of 1 MB (limits: output_mb)" in clean_error
    assert run(site, out) == 1
    error = capsys.readouterr().err
    assert "passes the limit of 1 MB (limits: output_mb)" in error
    assert error.endswith("1 error; nothing was written\n")
    assert tree(out) == before


def test_the_preview_equals_a_clean_build_after_a_deletion_a_broken_template_and_its_fix(tmp_path):
    from datetime import datetime

    from generator.commands.serve import Preview

    site = example(tmp_path / "site")
    out = tmp_path / "preview" / "site"
    clock = [datetime.fromisoformat(NOW)]
    preview = Preview(site, out, lambda: clock[0], strict=False, debug=False)
    assert preview.rebuild().ok
    # A notice deleted: its pages go, and the pages that linked to it change.
    for source in (site / "notices").glob("2026-11-03-whatsapp-comercial*.md"):
        source.unlink()
    assert preview.rebuild().ok
    # The site's own template, broken: nothing changes in the preview; then fixed, with "now" a week on.
    templates = site / "templates"
    templates.mkdir()
    notice_page = (ROOT / "templates" / "notice.html").read_text(encoding="utf-8")
    (templates / "notice.html").write_text(notice_page.replace("{% endblock %}", "{% endblok %}"), encoding="utf-8")
    assert not preview.rebuild().ok
    (templates / "notice.html").write_text(notice_page.replace("All notices", "Every notice"), encoding="utf-8")
    clock[0] = datetime.fromisoformat("2026-11-30T10:00:00-03:00")
    assert preview.rebuild().ok
    assert b"Every notice" in (out / "en" / "notices" / "2026-11-10-treinamento-equipe" / "index.html").read_bytes()
    # The site's template removed: the default theme's page comes back.
    shutil.rmtree(templates)
    assert preview.rebuild().ok
    clean = tmp_path / "clean"
    assert main(["build", "--site", str(site), "--out", str(clean), "--now", "2026-11-30T10:00:00-03:00",
                 "--no-cache"]) == 0
    assert tree(out) == tree(clean)


def test_a_build_after_the_output_was_changed_by_hand_equals_a_clean_build(tmp_path):
    site = example(tmp_path / "site")
    out = tmp_path / "public"
    assert run(site, out) == 0
    # A file edited (its size kept), one deleted, a folder where a file was, and a stray file.
    page = out / "notices" / "2026-11-10-treinamento-equipe" / "index.html"
    data = page.read_bytes()
    page.write_bytes(data.replace(b"<h1", b"<h2", 1))
    (out / "en" / "notices" / "2026-11-10-treinamento-equipe" / "index.html").unlink()
    feed = out / "feed.xml"
    feed.unlink()
    feed.mkdir()
    (out / "stray.html").write_text("x", encoding="utf-8")
    notice = site / "notices" / "2026-11-03-whatsapp-comercial.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("sem sair da conversa", "pelo celular"),
                      encoding="utf-8")
    assert run(site, out) == 0
    assert run(site, out) == 0      # what the first left (the stray file) the second repairs, at the latest
    assert tree(out) == tree(_clean(site, tmp_path / "clean"))


def test_the_output_given_relative_with_a_trailing_slash_is_the_same_output(tmp_path, monkeypatch):
    site = example(tmp_path / "site")
    assert run(site, tmp_path / "public") == 0
    monkeypatch.chdir(tmp_path)
    notice = site / "notices" / "2026-11-03-whatsapp-comercial.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("sem sair da conversa", "pelo celular"),
                      encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", "public/", "--now", NOW]) == 0
    assert main(["build", "--site", "site", "--out", "./public", "--now", NOW, "--strict"]) == 0
    assert tree(tmp_path / "public") == tree(_clean(site, tmp_path / "clean"))


def _clean(site: Path, out: Path) -> Path:
    assert run(site, out, "--no-cache") == 0
    return out


def test_a_build_killed_at_any_moment_is_repaired_by_the_next(tmp_path):
    import random
    import signal
    import subprocess
    import sys
    import time

    site = example(tmp_path / "site")
    out = tmp_path / "public"
    assert run(site, out) == 0
    notice = site / "notices" / "2026-11-03-whatsapp-comercial.md"
    text = notice.read_text(encoding="utf-8")
    chance = random.Random(16)
    for attempt in range(8):
        notice.write_text(text.replace("sem sair da conversa", f"pelo celular ({attempt})"), encoding="utf-8")
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--site", str(site),
                                  "--out", str(out), "--now", NOW], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.2, 1.2))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert time.monotonic() - started < 30
        assert run(site, out) == 0
        clean = _clean(site, tmp_path / f"clean-{attempt}")
        assert tree(out) == tree(clean), f"attempt {attempt}"
        shutil.rmtree(clean)


def test_a_template_in_a_hidden_folder_of_the_site_s_theme_is_followed(tmp_path, capsys):
    # The theme loader reads any file under templates/, dot-named ones too: the up-to-date check must see
    # them change, or `build` answers "up to date" with the old page.
    site = example(tmp_path / "site")
    (site / "templates" / ".parts").mkdir(parents=True)
    theme_page = (ROOT / "templates" / "notice.html").read_text(encoding="utf-8")
    (site / "templates" / "notice.html").write_text(
        theme_page.replace("{% block main %}", '{% block main %}{% include ".parts/aside.html" %}', 1),
        encoding="utf-8")
    aside = site / "templates" / ".parts" / "aside.html"
    aside.write_text("<p>Antes</p>\n", encoding="utf-8")
    out = tmp_path / "public"
    assert run(site, out) == 0
    aside.write_text("<p>Depois</p>\n", encoding="utf-8")
    capsys.readouterr()
    assert run(site, out) == 0
    assert "up to date" not in capsys.readouterr().out
    assert tree(out) == tree(_clean(site, tmp_path / "clean"))


def test_new_zone_rules_on_the_machine_are_not_answered_up_to_date(tmp_path):
    # The pages write times in the site's zone by the machine's time zone database (zoneinfo's TZPATH): when
    # its rules change (a country drops or adopts summer time; the system's tzdata updated), a build must not
    # answer "up to date" with times of the old rules.
    import subprocess
    import sys

    site = example(tmp_path / "site")
    zones = tmp_path / "zoneinfo"
    (zones / "America").mkdir(parents=True)
    shutil.copy(Path("/usr/share/zoneinfo/America/Sao_Paulo"), zones / "America" / "Sao_Paulo")
    (zones / "tzdata.zi").write_text("# version 2099a\n", encoding="utf-8")
    env = {**os.environ, "PYTHONTZPATH": str(zones)}

    def build_with(out: Path, *extra: str) -> str:
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out),
                               "--now", NOW, *extra], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = tmp_path / "public"
    build_with(out)
    # New rules: the zone an hour off from what it was.
    shutil.copy(Path("/usr/share/zoneinfo/America/Noronha"), zones / "America" / "Sao_Paulo")
    (zones / "tzdata.zi").write_text("# version 2099b\n", encoding="utf-8")
    assert "up to date" not in build_with(out)
    clean = tmp_path / "clean"
    build_with(clean, "--no-cache")
    assert tree(out) == tree(clean)
