"""`python build.py` in a source tree the running Python has not installed (no install at all, or a
non-editable `pip install ./repo`, whose package build.py does not import): the default theme is the tree's
own templates/, and a missing library or theme is named with what to do about it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00-03:00"

pytestmark = [pytest.mark.slow, pytest.mark.tree]


def copy_tree(target: Path, templates: bool = True) -> Path:
    """Copy what `python build.py` runs from (no generator/theme: only a wheel has one) into `target`."""
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("generator", "site_src", "notices") + (("templates",) if templates else ()):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("build.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    assert not (target / "generator" / "theme").exists()
    return target


def bare_python(folder: Path, libraries: bool) -> Path:
    """Make a virtual environment with no generator installed, seeing this one's libraries when `libraries`
    (a path in a .pth file: the editable install's own .pth, which would map generator.theme, is not run)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    if libraries:
        purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        Path(purelib, "libraries.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return python


def run_build(python: Path, tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(python), "build.py", *args], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_tree_without_an_install_builds_with_its_own_templates(tmp_path):
    tree = copy_tree(tmp_path / "clone")
    python = bare_python(tmp_path / "venv", libraries=True)
    found = subprocess.run([str(python), "-c", "import generator.read.templates as t; "
                            "print(t.default_theme_dir())"], cwd=tree, capture_output=True, text=True)
    assert found.stdout == f"{tree / 'templates'}\n", found.stderr
    result = run_build(python, tree, "--now", NOW, "--out", str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("built ")
    assert (tmp_path / "out" / "index.html").read_bytes() == (ROOT / "tests" / "golden" / "example" /
                                                             "index.html").read_bytes()


def test_a_tree_without_its_templates_says_how_to_restore_them(tmp_path):
    tree = copy_tree(tmp_path / "clone", templates=False)
    python = bare_python(tmp_path / "venv", libraries=True)
    result = run_build(python, tree, "--now", NOW, "--out", str(tmp_path / "out"))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"error: the default theme is missing from this source tree (no {tree}/templates/"
                             f"base.html): restore it with 'git -C {tree} checkout -- templates'\n")


@pytest.mark.parametrize("command", [(), ("check",), ("serve",), ("new", "notice", "--title", "x")])
def test_a_tree_without_its_libraries_names_the_missing_one(tmp_path, command):
    tree = copy_tree(tmp_path / "clone")
    python = bare_python(tmp_path / "venv", libraries=False)
    result = run_build(python, tree, *command)
    library = "Babel"   # every command, serve too, reads the catalogs before it watches
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"error: the library {library} is not installed in this Python ({python})\n"
                             f"  hint: install the generator and its libraries: 'pip install -e {tree}' "
                             "(in a virtual environment)\n")
