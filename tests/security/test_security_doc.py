"""docs/security.md names the test that shows each defence: every test it names must exist, as pytest collects it.

How the document names tests (the rules this file reads it by):
- `file.py::test_name` or `file.py::test_name[id, id]`: a test (with those parameter ids); `file.py` is
  in tests/security/ unless the path starts with `tests/`.
- `::test_name` (and `::test_name[ids]`): a test of the file named last before it.
- `…[id, id]`: more parameter ids of the test named last before it.
- `file.py` alone: the file exists; a bare `test_name` is a test of the file named alone last before it
  (a table that says "tests in `tests/security/x.py` unless named").
- bad input `name`: a case folder tests/bad_inputs/name.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys

import pytest
from conftest import ROOT

# Both tests run pytest's collection of the security tests in a process of its own.
pytestmark = pytest.mark.slow
DOC = ROOT / "docs" / "security.md"
CODE = re.compile(r"`([^`]+)`")
TEST_FILE = r"(?:tests/(?:\w+/)*)?test_\w+\.py"       # test_x.py (in tests/security/) or tests/.../test_x.py
NAMED = re.compile(rf"^(?P<file>{TEST_FILE})?::(?P<test>test_\w+)(?:\[(?P<ids>[^\]]*)\])?$")
MORE_IDS = re.compile(r"^…\[(?P<ids>[^\]]*)\]$")
BARE_TEST = re.compile(r"^test_\w+$")
BARE_FILE = re.compile(rf"^{TEST_FILE}$")
BAD_INPUT = re.compile(r"bad inputs? ((?:`\w+`(?:, )?)+)")
# Collected in every run, so that one collection serves both tests below.
SECURITY_FILES = frozenset(f"tests/security/{p.name}" for p in (ROOT / "tests" / "security").glob("test_*.py"))


def path_of(name: str) -> str:
    return name if name.startswith("tests/") else f"tests/security/{name}"


def cited(text: str) -> tuple[set[str], set[str], set[str]]:
    """Return (test ids as pytest names them, test files, bad-input folders) that the document cites."""
    tests: set[str] = set()
    files: set[str] = set()
    last_file = default_file = last_test = None
    for code in CODE.findall(text):
        code = code.strip()
        if named := NAMED.match(code):
            if named["file"]:
                last_file = path_of(named["file"])
            assert last_file is not None, f"`{code}` names no file and none was named before it"
            last_test = f"{last_file}::{named['test']}"
            ids = [part.strip() for part in named["ids"].split(",")] if named["ids"] else []
            tests.update([f"{last_test}[{i}]" for i in ids if i not in ("...", "…")] or [last_test])
        elif more := MORE_IDS.match(code):
            assert last_test is not None, f"`{code}` follows no test"
            tests.update(f"{last_test}[{i.strip()}]" for i in more["ids"].split(","))
        elif BARE_FILE.match(code):
            default_file = last_file = path_of(code)
            files.add(default_file)
        elif BARE_TEST.match(code):
            assert default_file is not None, f"`{code}`: no file was named alone before it"
            tests.add(f"{default_file}::{code}")
    folders = {name for group in BAD_INPUT.findall(text) for name in CODE.findall(group)}
    return tests, files, folders


@functools.cache
def collected(files: frozenset[str]) -> frozenset[str]:
    """Return the node ids pytest collects from these files (parametrized ones with their ids)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *sorted(files)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return frozenset(line.strip() for line in done.stdout.splitlines() if "::" in line)


def missing_from(text: str) -> list[str]:
    """Return the test files, tests and bad-input folders that `text` names and that do not exist."""
    tests, files, folders = cited(text)
    files |= {name.split("::")[0] for name in tests}
    missing = sorted(name for name in files if not (ROOT / name).is_file())
    ids = collected(frozenset(SECURITY_FILES | {name for name in files if name not in missing}))
    plain = {node.split("[")[0] for node in ids}
    missing += sorted(name for name in tests if name not in (ids if "[" in name else plain))
    missing += sorted(f"tests/bad_inputs/{name}" for name in folders
                      if not (ROOT / "tests" / "bad_inputs" / name).is_dir())
    return missing


def test_every_test_the_security_document_names_exists():
    text = DOC.read_text(encoding="utf-8")
    tests, _, folders = cited(text)
    assert len(tests) > 100 and len(folders) >= 5       # the reader above still understands the document
    assert missing_from(text) == [], "docs/security.md names what does not exist"


def test_a_misspelt_name_is_found():
    text = ("| x | `test_push_attacks.py::test_a_gitlink_is_refused`, `::test_no_such_test` |\n"
            "| y | `test_template_attacks.py::test_a_template_cannot_reach_python[cycler_globals]` |\n"
            "| z | `…[no_such_id]`; `tests/test_nothing.py`; bad input `no_such_case` |\n")
    assert missing_from(text) == [
        "tests/test_nothing.py",
        "tests/security/test_push_attacks.py::test_no_such_test",
        "tests/security/test_template_attacks.py::test_a_template_cannot_reach_python[no_such_id]",
        "tests/bad_inputs/no_such_case",
    ]
