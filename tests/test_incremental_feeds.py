"""The feeds are keyed on the notices they list (render/feeds.py: listed_notices), not on every notice: with more
notices than a feed lists, a notice none lists is edited without rendering the feeds, and a notice that enters a
listing (a department it joins, a date that makes it new) renders them again.  Each rebuild is compared with a
clean build of the same sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_example, snapshot

from generator.cli import main
from generator.render.feeds import MAX_ENTRIES

NOW = "2026-11-23T10:00:00-03:00"
FEED = "feeds/comercial.xml"


@pytest.fixture(autouse=True)
def own_key(tmp_path, monkeypatch):
    """Each test seals with a key of its own (write/template_cache.py keeps it under XDG_CACHE_HOME)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def write_notice(site: Path, number: int, day: str, departments: str = "financeiro", body: str = "Sem novidades.") -> Path:
    """Write an info notice of `day` (YYYY-MM-DD) into the site; return its file."""
    path = site / "notices" / f"{day}-aviso-{number}.md"
    path.write_text(f"---\ntitle: Aviso {number}\ndate: {day} 10:00\ntype: info\ndepartments: [{departments}]\n"
                    f"---\n{body}\n", encoding="utf-8")
    return path


def same_as_clean(site: Path, out: Path, clean: Path, what: str, capsys) -> tuple[dict[str, bytes], str]:
    """Build `site` into `out` (incremental) and `clean` (no cache); assert they agree; return the output and
    what the incremental build said."""
    capsys.readouterr()
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW]) == 0
    said = capsys.readouterr().out
    assert main(["build", "--site", str(site), "--out", str(clean), "--now", NOW, "--no-cache"]) == 0
    made = snapshot(out)
    assert made == snapshot(clean), f"after {what}: the incremental output differs from a clean build"
    return made, said


def test_a_notice_no_feed_lists_changes_no_feed_until_it_enters_one(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    # More notices of one department than a feed lists, all older than the example's: the oldest is in none.
    for number in range(MAX_ENTRIES + 5):
        write_notice(site, number, f"2025-{1 + number // 28:02d}-{1 + number % 28:02d}")
    oldest = site / "notices" / "2025-01-01-aviso-0.md"
    before, _ = same_as_clean(site, out, tmp_path / "clean-0", "the first build", capsys)

    write_notice(site, 0, "2025-01-01", body="Texto corrigido.")
    edited, said = same_as_clean(site, out, tmp_path / "clean-1", "an unlisted notice's body", capsys)
    assert "(2 written," in said, said          # its page in each language, not a feed
    assert edited["feed.xml"] == before["feed.xml"]

    # The commercial department has few notices: joining it puts the oldest notice in its feed.
    write_notice(site, 0, "2025-01-01", departments="comercial", body="Texto corrigido.")
    joined, _ = same_as_clean(site, out, tmp_path / "clean-2", "an unlisted notice joining a department", capsys)
    assert b"Aviso 0<" in joined[FEED] and b"Aviso 0<" not in before[FEED]

    # Dated anew (a new file name), it heads every feed.
    oldest.unlink()
    write_notice(site, 0, "2026-11-22", departments="comercial", body="Texto corrigido.")
    newest, _ = same_as_clean(site, out, tmp_path / "clean-3", "an unlisted notice made the newest", capsys)
    assert b"Aviso 0<" in newest["feed.xml"] and b"Aviso 0<" not in before["feed.xml"]
