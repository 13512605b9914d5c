"""Shared fixtures: a pinned environment, small site trees, and golden-file comparison."""

from __future__ import annotations

import difflib
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MINIMAL_SITE = """\
name: Test ISP
base_url: https://support.test.example/
timezone: America/Sao_Paulo
languages: [pt-BR, en]
holidays:
  country: BR
  subdivision: SP
"""

MINIMAL_HOURS = """\
departments:
  - id: suporte
    name: {pt-BR: Suporte, en: Support}
    channels:
      - id: phone
        type: phone
        contact: "+55 13 3500-0000"
        hours:
          mon-fri: [09:00-12:00, 14:00-18:00]
          sat: 09:00-12:00
"""


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden files from the current output")


@pytest.fixture(autouse=True)
def pinned_environment(monkeypatch):
    """Pin the time zone and locale so that nothing depends on the machine running the tests."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    time.tzset()
    yield
    time.tzset()


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a dict of relative path -> content under root and return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path):
    """Return a function that writes a small valid site, with files replaced or added."""

    def make(files: dict[str, str | bytes] | None = None, base: bool = True) -> Path:
        tree: dict[str, str | bytes] = {}
        if base:
            tree = {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS}
        tree.update(files or {})
        site = tmp_path / "site"
        return write_tree(site, {k: v for k, v in tree.items() if v is not None})

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under folder by relative path, to compare trees byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_tree(actual: Path, expected: Path, update: bool) -> None:
    """Compare two trees byte for byte, showing a unified diff of the first difference; or rewrite expected."""
    got = snapshot(actual)
    if update:
        import shutil
        shutil.rmtree(expected, ignore_errors=True)
        for rel, data in got.items():
            (expected / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected / rel).write_bytes(data)
        return
    want = snapshot(expected)
    assert sorted(got) == sorted(want), "the set of files differs (run pytest --update-golden after review)"
    for rel in sorted(want):
        if got[rel] != want[rel]:
            diff = difflib.unified_diff(
                want[rel].decode("utf-8", "replace").splitlines(), got[rel].decode("utf-8", "replace").splitlines(),
                f"expected/{rel}", f"actual/{rel}", lineterm="", n=2,
            )
            pytest.fail(f"{rel} differs from its golden file:\n" + "\n".join(list(diff)[:60]))
