"""Golden files: the example site's whole output, byte for byte.

Run `pytest tests/test_golden.py --update-golden` to rewrite tests/golden/example/
after an intended change, and review the diff like code.
"""

from __future__ import annotations

from conftest import ROOT, assert_same_tree

GOLDEN = ROOT / "tests" / "golden" / "example"


def test_example_output_matches_the_golden_files(example_build, update_golden):
    # The shared build (conftest.example_build): the example copied out of git, built at EXAMPLE_NOW.
    assert_same_tree(example_build, GOLDEN, update_golden)
