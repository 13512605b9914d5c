"""The probe's lock file is no source: a commit of everything in a site leaves it out."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

from generator.model import ProbeResult
from generator.probe.csv_file import append_rows


def git(site, *args: str) -> str:
    return subprocess.run(["git", "-C", str(site), *args], capture_output=True, text=True, check=True).stdout


def test_git_add_all_leaves_the_lock_out(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    git(site, "init", "-q")
    result = ProbeResult(datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC), True, 12.0, "HTTP 200")
    assert append_rows(site, [("website", result)]) == ()
    assert (site / "site_src/uptime/.lock").exists()
    git(site, "add", "-A")
    assert git(site, "diff", "--cached", "--name-only").split() == [
        "site_src/uptime/.gitignore", "site_src/uptime/2026-11-23/website.csv"]


def test_a_gitignore_of_the_site_is_left_as_it_is(tmp_path):
    folder = tmp_path / "site_src/uptime"
    folder.mkdir(parents=True)
    (folder / ".gitignore").write_text("*.tmp\n", encoding="utf-8")
    result = ProbeResult(datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC), True, 12.0, "HTTP 200")
    append_rows(tmp_path, [("website", result)])
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "*.tmp\n"
