"""A copy of the example site to attack, and a real build of it (`python build.py build` in a new process)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-23T10:00:00-03:00"


def example_site(tmp_path: Path) -> Path:
    """Return a copy of the repository's example site (site_src/ and notices/) in tmp_path/site."""
    site = tmp_path / "site"
    site.mkdir()
    for name in ("site_src", "notices"):
        shutil.copytree(ROOT / name, site / name)
    return site


def build(site: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    """Build `site` into tmp_path/out with the build command, this machine's cache key kept in tmp_path."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--site", str(site),
                           "--out", str(tmp_path / "out"), "--now", NOW, *extra],
                          capture_output=True, text=True, timeout=300, env=env)


def published(tmp_path: Path) -> str:
    """Return the text of every file the build wrote (nothing when it wrote nothing)."""
    out = tmp_path / "out"
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(out.rglob("*")) if p.is_file())


def assert_refused(result: subprocess.CompletedProcess, message: str) -> None:
    """Assert that the build failed with exactly `message` among its problems, placed, with no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stderr.splitlines(), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "nothing was written" in result.stderr


def git(site: Path, *args: str) -> None:
    """Run git in the site, as someone committing to it would."""
    subprocess.run(["git", "-c", "user.name=Staff", "-c", "user.email=staff@example.net", *args], cwd=site,
                   check=True, capture_output=True, timeout=60)
