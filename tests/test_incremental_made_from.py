"""What a rebuild keeps of each notice between builds (render/dependencies.py: NoticeDigests) is keyed on
everything the notice is made from (validate/checked.py: made_from), not on its file's bytes alone: a
notice whose git history, translations or consulted neighbours change while its own file stays byte for
byte the same is keyed anew, and the incremental output stays the same as a clean build's."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from conftest import copy_example, snapshot

from generator.cli import main
from generator.pipeline import LoadMemo, build_site

NOW = "2026-11-23T10:00:00-03:00"
NOTICE = "notices/2026-11-10-treinamento-equipe.md"
PAGE = "notices/2026-11-10-treinamento-equipe/index.html"
EN_PAGE = "en/" + PAGE


@pytest.fixture(autouse=True)
def own_key(tmp_path, monkeypatch):
    """Each test seals with a key of its own (write/template_cache.py keeps it under XDG_CACHE_HOME)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def git(site: Path, *args: str, when: str = "2026-11-20T12:00:00-03:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=site,
                          env=env, capture_output=True, text=True, check=True).stdout


def build(site: Path, out: Path, *extra: str) -> None:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW, *extra]) == 0


def same_as_clean(site: Path, out: Path, clean: Path, what: str) -> dict[str, bytes]:
    """Build `site` into `out` (incremental) and into `clean` (no cache); assert they agree; return the output."""
    build(site, out)
    build(site, clean, "--no-cache")
    made = snapshot(out)
    assert made == snapshot(clean), f"after {what}: the incremental output differs from a clean build"
    return made


def git_site(tmp_path: Path) -> Path:
    site = copy_example(tmp_path / "site")
    (site / ".gitignore").write_text(".expediente-cache/\n", encoding="utf-8")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "first")
    return site


def commit_twice_unchanged(site: Path) -> None:
    """Commit an edit to NOTICE and its undoing: the file's revision and last change move, its bytes do not."""
    notice = site / NOTICE
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text + "\nRascunho.\n", encoding="utf-8")
    git(site, "commit", "-qam", "draft", when="2026-11-21T09:00:00-03:00")
    notice.write_text(text, encoding="utf-8")
    git(site, "commit", "-qam", "undone", when="2026-11-22T09:30:00-03:00")


def test_a_notice_whose_history_alone_changes_is_rendered_again(tmp_path, capsys):
    site = git_site(tmp_path)
    out = tmp_path / "out"
    before = same_as_clean(site, out, tmp_path / "clean-0", "the first build")
    commit_twice_unchanged(site)
    after = same_as_clean(site, out, tmp_path / "clean-1", "two commits that change nothing")
    assert after[PAGE] != before[PAGE], "the notice's page does not show its history: this test would prove nothing"


def test_a_translation_added_and_removed_keys_its_notice_anew(tmp_path):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    before = same_as_clean(site, out, tmp_path / "clean-0", "the first build")
    translation = site / NOTICE.replace(".md", ".en.md")
    translation.write_text("---\ntitle: Reduced phone support on 27/11 (cancelled)\n---\nThe training was moved.\n",
                           encoding="utf-8")
    added = same_as_clean(site, out, tmp_path / "clean-1", "a translation added")
    assert added[EN_PAGE] != before[EN_PAGE]
    translation.write_text("---\ntitle: Reduced phone support (cancelled)\n---\nThe training was moved.\n",
                           encoding="utf-8")
    same_as_clean(site, out, tmp_path / "clean-2", "a translation edited")
    translation.unlink()
    assert same_as_clean(site, out, tmp_path / "clean-3", "a translation removed") == before


def test_a_neighbour_named_by_supersedes_removed_and_restored(tmp_path):
    """A check asks whether the notice it supersedes exists: its notice is made anew when the answer changes
    (today a missing one is an error, so no valid notice is made under the other answer)."""
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    replacing = site / "notices" / "2026-11-22-treinamento-remarcado.md"
    replacing.write_text(
        "---\ntitle: Treinamento remarcado\ndate: 2026-11-22 10:00\ntype: info\ndepartments: [financeiro]\n"
        "supersedes: [2026-11-10-treinamento-equipe]\n---\nO treinamento foi remarcado.\n", encoding="utf-8")
    before = same_as_clean(site, out, tmp_path / "clean-0", "a notice that supersedes another")
    kept = (site / NOTICE).read_text(encoding="utf-8")
    (site / NOTICE).unlink()
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW]) == 1
    (site / NOTICE).write_text(kept, encoding="utf-8")
    assert same_as_clean(site, out, tmp_path / "clean-1", "the superseded notice restored") == before


def test_serve_keeps_what_it_computed_in_memory_and_agrees_with_a_clean_build(tmp_path):
    site = git_site(tmp_path)
    memo = LoadMemo()
    now = datetime.fromisoformat(NOW)
    first = build_site(site, now, jobs=1, memo=memo)
    assert memo.digests, "nothing was kept in memory"
    commit_twice_unchanged(site)
    again = build_site(site, now, jobs=1, memo=memo)
    clean = build_site(site, now, jobs=1, cache=False)
    assert dict(again.keys) == dict(clean.keys)
    assert again.keys["notice:2026-11-10-treinamento-equipe"] != first.keys["notice:2026-11-10-treinamento-equipe"]
    assert again.outputs == clean.outputs

