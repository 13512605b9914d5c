"""The holidays package's answers kept between builds (schedule/holiday_answers.py, write/holiday_cache.py): a
rebuild with the same holiday settings, years and languages gets the same site and Build without importing
the package; a changed setting asks it again; a file not sealed by this machine's key is ignored."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import EXAMPLE_NOW, ROOT, copy_example, snapshot

from generator.pipeline import load, resolve
from generator.write.holiday_cache import FILE_NAME, read_holiday_answers, write_holiday_answers

CACHE = ".expediente-cache"
NOW = datetime.fromisoformat(EXAMPLE_NOW)


@pytest.fixture(autouse=True)
def own_key(tmp_path, monkeypatch):
    """Each test seals with a key of its own (write/template_cache.py keeps it under XDG_CACHE_HOME)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def resolved_anew(site: Path, tmp_path: Path, now: datetime = NOW):
    """Return the loaded site and its Build with nothing kept: no cache read, an empty cache folder to resolve."""
    fresh = load(site, cache=False, jobs=1)
    return fresh, resolve(fresh, now, cache_root=tmp_path / "empty-cache", jobs=1).build


def test_kept_answers_give_the_same_site_and_build(tmp_path):
    site = copy_example(tmp_path / "site")
    fresh, fresh_build = resolved_anew(site, tmp_path)
    resolve(load(site, jobs=1), NOW, jobs=1)                 # asks the package, keeps its answers
    kept = read_holiday_answers(site / CACHE)
    assert kept is not None and {question[0] for question in kept["answers"]} == {"subdivisions", "public"}
    again = load(site, jobs=1)
    assert again == fresh
    assert resolve(again, NOW, jobs=1).build == fresh_build
    assert fresh_build.holidays.days, "the example's country has public holidays: the test compares something"


BUILD_TWICE = """
import sys
from generator.cli import main
for out in sys.argv[3:]:
    assert main(["build", "--site", sys.argv[1], "--out", out, "--now", sys.argv[2]]) == 0
print("holidays" in sys.modules)
"""


def imports_holidays(site: Path, now: str, *outs: Path) -> bool:
    """Build the site into each of `outs` in one new process; return whether it imported the holidays package."""
    done = subprocess.run([sys.executable, "-c", BUILD_TWICE, str(site), now, *map(str, outs)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return done.stdout.splitlines()[-1] == "True"


def clean_copy(site: Path, target: Path) -> Path:
    shutil.copytree(site, target, ignore=shutil.ignore_patterns(CACHE))
    return target


@pytest.mark.parametrize(("what", "old", "new", "now"), [
    ("the subdivision", "subdivision: SP", "subdivision: RJ", EXAMPLE_NOW),
    ("the country", "country: BR\n  subdivision: SP", "country: PT", EXAMPLE_NOW),
    ("the languages", "languages: [pt-BR, en]", "languages: [pt-BR, en, es]", EXAMPLE_NOW),
    ("the years (now)", None, None, "2027-02-01T10:00:00-03:00"),
])
def test_a_changed_holiday_setting_asks_the_package_again(tmp_path, what, old, new, now):
    site = copy_example(tmp_path / "site")
    assert imports_holidays(site, EXAMPLE_NOW, tmp_path / "first"), "the first build asks the package"
    assert not imports_holidays(site, EXAMPLE_NOW, tmp_path / "first"), "a rebuild takes the kept answers"
    if old is not None:
        settings = site / "site_src" / "site.yaml"
        text = settings.read_text(encoding="utf-8")
        assert old in text, what
        settings.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert imports_holidays(site, now, tmp_path / "first"), f"{what} changed: the package is asked again"
    clean = clean_copy(site, tmp_path / "clean-site")
    imports_holidays(clean, now, tmp_path / "clean")
    assert snapshot(tmp_path / "first") == snapshot(tmp_path / "clean"), what
    assert not imports_holidays(site, now, tmp_path / "first"), "and its new answers are kept"


@pytest.mark.parametrize("forgery", ["another key", "garbage", "not sealed"])
def test_answers_not_sealed_by_this_machine_are_ignored(tmp_path, monkeypatch, forgery):
    site = copy_example(tmp_path / "site")
    fresh, fresh_build = resolved_anew(site, tmp_path)
    resolve(load(site, jobs=1), NOW, jobs=1)
    kept = read_holiday_answers(site / CACHE)
    # The same questions, answered with one more public holiday (1 March) named FORGED.
    forged = {**kept, "answers": {question: answer + ((datetime(2026, 3, 1).toordinal(),
                                                        (("pt-BR", "FORGED"), ("en", "FORGED"))),)
                                  if question[0] == "public" else answer
                                  for question, answer in kept["answers"].items()}}
    write_holiday_answers(site / CACHE, forged)
    assert "FORGED" in repr(resolve(load(site, jobs=1), NOW, jobs=1).build.holidays), \
        "a file sealed by this machine's key is believed: the test can tell"
    if forgery == "another key":
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
        write_holiday_answers(site / CACHE, forged)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    elif forgery == "garbage":
        (site / CACHE / FILE_NAME).write_bytes(b"\0" * 100)
    else:
        import marshal
        (site / CACHE / FILE_NAME).write_bytes(marshal.dumps(forged))
    loaded = load(site, jobs=1)
    assert loaded == fresh
    assert resolve(loaded, NOW, jobs=1).build == fresh_build
