"""Golden files: the example site's whole output, byte for byte.

Run `pytest tests/test_golden.py --update-golden` to rewrite tests/golden/example/
after an intended change, and review the diff like code.
"""

from __future__ import annotations

import shutil

from conftest import ROOT, assert_same_tree

from generator.cli import main

NOW = "2026-11-23T10:00:00-03:00"
GOLDEN = ROOT / "tests" / "golden" / "example"


def test_example_output_matches_the_golden_files(tmp_path, update_golden):
    # A copy outside git: revisions and edit times then come from the notices themselves,
    # so the golden files do not change with every commit of the repository.
    site = tmp_path / "site"
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, site / folder)
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--now", NOW]) == 0
    assert_same_tree(tmp_path / "out", GOLDEN, update_golden)
