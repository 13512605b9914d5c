"""Same inputs and the same "now" give byte-identical output, whatever the machine's settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, snapshot

NOW = "2026-11-23T10:00:00-03:00"


def copy_example(target: Path, reverse: bool) -> Path:
    """Copy the example site file by file, in sorted or reverse order (directory order differs)."""
    files = sorted(p for d in ("site_src", "notices") for p in (ROOT / d).rglob("*") if p.is_file())
    for path in reversed(files) if reverse else files:
        dest = target / path.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    return target


def build(site: Path, out: Path, env: dict[str, str], *args: str) -> None:
    full = {k: v for k, v in os.environ.items() if k not in ("TZ", "LANG", "LC_ALL", "PYTHONHASHSEED")}
    full.update(env)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--site", str(site), "--out", str(out), *args],
                            capture_output=True, text=True, env=full, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_output_does_not_depend_on_time_zone_locale_hash_seed_or_file_order(tmp_path):
    first = copy_example(tmp_path / "a", reverse=False)
    second = copy_example(tmp_path / "b", reverse=True)
    build(first, tmp_path / "out-a", {"TZ": "UTC", "LANG": "C.UTF-8", "PYTHONHASHSEED": "1"}, "--now", NOW)
    build(second, tmp_path / "out-b", {"TZ": "Asia/Tokyo", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "4242"},
          "--now", NOW)
    a, b = snapshot(tmp_path / "out-a"), snapshot(tmp_path / "out-b")
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    assert len(a) > 5


@pytest.mark.slow
def test_source_date_epoch_sets_now(tmp_path):
    site = copy_example(tmp_path / "site", reverse=False)
    build(site, tmp_path / "by-flag", {"TZ": "UTC"}, "--now", "2026-11-23T13:00:00Z")
    build(site, tmp_path / "by-epoch", {"TZ": "Europe/Lisbon", "SOURCE_DATE_EPOCH": "1795438800"})
    assert snapshot(tmp_path / "by-flag") == snapshot(tmp_path / "by-epoch")


@pytest.mark.slow
def test_a_different_now_changes_the_output(tmp_path):
    site = copy_example(tmp_path / "site", reverse=False)
    build(site, tmp_path / "monday", {}, "--now", "2026-11-23T10:00:00-03:00")
    build(site, tmp_path / "tuesday", {}, "--now", "2026-11-24T10:00:00-03:00")
    assert snapshot(tmp_path / "monday")["index.html"] != snapshot(tmp_path / "tuesday")["index.html"]
