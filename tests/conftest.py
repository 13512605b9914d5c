"""Shared fixtures: a pinned environment, small site trees, one build of the example, golden-file comparison."""

from __future__ import annotations

import contextlib
import difflib
import shutil
import threading
import time
from pathlib import Path
from types import MappingProxyType

import pytest

import generator
from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
# The package the tests import: generator/ of this tree (editable install), or an installed wheel's copy when the
# tests run against one. Tests that read the code itself (its imports, its files) read it here, not in ROOT.
PACKAGE = Path(generator.__file__).resolve().parent
# The instant the example site is built for: a Monday morning in São Paulo, before the
# maintenance window and the Christmas notice, after the incident.
EXAMPLE_NOW = "2026-11-23T10:00:00-03:00"

# A status.yaml with one probed component (a TCP check), for the tests of the probe's timeline.
PROBED_STATUS = """\
components:
  - id: website
    name: Site
    check:
      type: tcp
      host: www.example.net
      port: 443
      timeout: 5s
"""

# The probe connects only to public addresses unless its operator sets EXPEDIENTE_PROBE_PRIVATE=1 (docs/format.md).
# The probe's tests measure real servers on 127.0.0.1 and ::1: this is the one allowance they share, given to the
# probe's environment by their helpers; tests/security/test_probe_address_attacks.py shows the default.
LOCAL_PROBE = MappingProxyType({"EXPEDIENTE_PROBE_PRIVATE": "1"})

@contextlib.contextmanager
def serving(server):
    """Run a real server (socketserver) in a thread while the block runs; yield it; stop and close it after."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


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


def pin_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set TZ and the locale to fixed values and drop SOURCE_DATE_EPOCH, through `monkeypatch`."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    time.tzset()


@pytest.fixture(autouse=True)
def pinned_environment(monkeypatch):
    """Pin the time zone and locale so that nothing depends on the machine running the tests."""
    pin_environment(monkeypatch)
    yield
    time.tzset()


def copy_example(target: Path) -> Path:
    """Copy the example site's sources (site_src/, notices/) to `target` and return it.

    A copy outside git: revisions and edit times then come from the notices themselves,
    so the output does not change with every commit of the repository.
    """
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns(".lock"))
    return target


@pytest.fixture(scope="session")
def example_build(tmp_path_factory):
    """Build the example site once per session at EXAMPLE_NOW through the command line; yield its output folder.

    Every test that only reads the example's output shares this folder; a test that edits
    the site or the output makes its own copy. The folder is compared with itself at the end
    of the session, so that a test that writes into it fails instead of misleading the others.
    """
    work = tmp_path_factory.mktemp("example")
    site, out = copy_example(work / "site"), work / "public"
    # Session fixtures are set up before the function-scoped pinned_environment: pin here too.
    with pytest.MonkeyPatch.context() as monkeypatch:
        pin_environment(monkeypatch)
        status = main(["build", "--site", str(site), "--out", str(out), "--now", EXAMPLE_NOW])
    time.tzset()
    assert status == 0, "the example site does not build"
    built = snapshot(out)
    yield out
    assert snapshot(out) == built, "a test wrote into the shared example build: copy it before changing it"


@pytest.fixture(scope="session")
def example_outputs(example_build) -> MappingProxyType[str, bytes]:
    """Return the shared example build as a read-only mapping of relative path -> bytes."""
    return MappingProxyType(snapshot(example_build))


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
