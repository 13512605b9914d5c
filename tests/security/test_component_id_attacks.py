"""A component's id names its outputs (badges/<id>.svg, feeds/components/<id>.xml): an id whose output is the
site's own is refused by `check`, where the message can say where, not by every later build. Real runs of
`python build.py`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

# Each test runs the command line in a process of its own.
pytestmark = pytest.mark.slow

NOW = "2026-11-23T10:00:00-03:00"


def build_py(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=120)


def test_a_component_whose_badge_would_replace_the_sites_is_refused_by_the_check(make_site, tmp_path):
    site = make_site({"site_src/status.yaml": "components:\n  - id: status\n    name: Status\n"})
    expected = ("site_src/status.yaml:2:9: error: the component id 'status' would give the component's badge the "
                "address of badges/status.svg, the badge of the whole site's state\n"
                "  hint: name the component, e.g. 'status-page'\n")
    for command in (("check",), ("build", "--out", str(tmp_path / "out"))):
        done = build_py(site, *command)
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stderr.startswith(expected), done.stderr
        assert "two outputs" not in done.stderr and "internal error" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_component_named_like_the_badge_but_not_it_is_built(make_site, tmp_path):
    site = make_site({"site_src/status.yaml": "components:\n  - id: status-page\n    name: Status\n"})
    assert build_py(site, "build", "--out", str(tmp_path / "out")).returncode == 0
    assert (tmp_path / "out" / "badges" / "status-page.svg").is_file()
    assert (tmp_path / "out" / "badges" / "status.svg").is_file()
