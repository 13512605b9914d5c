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
  - dates: 2027-02-01..2028-06-30
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
    notice.write_text(LONG_NOTICE + "Texto longo do aviso. " * 100 + "\n", encoding="utf-8")
    capsys.readouterr()
    assert run(site, tmp_path / "clean", "--no-cache") == 1
    clean_error = capsys.readouterr().err
    assert "passes the limit of 1 MB (limits: output_mb)" in clean_error
    assert run(site, out) == 1
    error = capsys.readouterr().err
    assert "passes the limit of 1 MB (limits: output_mb)" in error
    assert error.endswith("1 error; nothing was written\n")
    assert tree(out) == before
