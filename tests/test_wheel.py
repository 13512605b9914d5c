"""The package as users get it: an sdist and a wheel built from a copy of this tree, installed into a
fresh virtual environment outside the repository, with the copy (its templates/ included) gone."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-12-07T10:00:00Z"

# Every test here builds from, or reads, the source tree's generator/.
pytestmark = pytest.mark.tree


def run(command: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


def differences(left: Path, right: Path) -> list[str]:
    """Return the relative paths that differ between two trees (missing on one side, or other bytes)."""
    found = []
    compare = filecmp.dircmp(left, right)
    found += [f"{left.name}/{name}" for name in compare.left_only + compare.right_only + compare.funny_files]
    for name in compare.common_files:
        if (left / name).read_bytes() != (right / name).read_bytes():
            found.append(name)
    for name in compare.common_dirs:
        found += [f"{name}/{sub}" for sub in differences(left / name, right / name)]
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Build the sdist, then the wheel from it, of a copy of the tree; install the wheel into a fresh venv."""
    work = tmp_path_factory.mktemp("wheel")
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT).stdout
    source = work / "source"
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    # python -m build makes the sdist and then the wheel from the unpacked sdist: both must be complete.
    run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(source)], work)
    shutil.rmtree(source)  # nothing of the source tree, templates/ included, is left to lean on
    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)], work)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "--require-hashes", "-r", str(ROOT / "requirements" / "run.txt")], work)
    run([*pip, "--no-deps", str(next(dist.glob("*.whl")))], work)
    return venv


@pytest.mark.slow
def test_the_sdist_and_the_wheel_carry_the_theme_and_the_catalogs(installed):
    dist = installed.parent / "dist"
    wheel = zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()
    theme = sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_file() and p.name != "__init__.py")
    assert sorted(n.removeprefix("generator/theme/") for n in wheel
                  if n.startswith("generator/theme/") and not n.endswith("__init__.py")) == theme
    for lang in ("es", "pt_BR", "pt_PT"):
        assert f"generator/locale/{lang}/LC_MESSAGES/messages.po" in wheel
        assert f"generator/locale/{lang}/LC_MESSAGES/messages.mo" in wheel
    assert "generator/starter/workflows/publish.yml" in wheel
    sdist = subprocess.run(["tar", "-tzf", str(next(dist.glob("*.tar.gz")))], capture_output=True, text=True,
                           check=True).stdout
    assert "/templates/base.html" in sdist and "/generator/starter/site_src/hours.yaml" in sdist


@pytest.mark.slow
def test_the_installed_tool_inits_and_builds_what_the_source_tree_builds(installed, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    expediente = str(installed / "bin" / "expediente")
    where = run([str(installed / "bin" / "python"), "-c",
                 "from generator.read.templates import default_theme_dir; print(default_theme_dir())"], outside)
    assert Path(where.stdout.strip()).is_relative_to(installed)
    # The zones tzdata lists are read beside its __init__, not through importlib.resources: the same list,
    # or every site's time zone would be looked up by listing the whole database (some 40 ms a build).
    zones = run([str(installed / "bin" / "python"), "-c",
                 "from importlib.resources import files; from generator.validate.site import known_zones; "
                 "listed = files('tzdata').joinpath('zones').read_text().split(); "
                 "print(len(listed), known_zones() == frozenset(listed))"], outside)
    assert zones.stdout.split()[1] == "True" and int(zones.stdout.split()[0]) > 400
    made = run([expediente, "init", "site", "--name", "Rede Exemplo", "--language", "pt-BR,en,es",
                "--timezone", "America/Sao_Paulo", "--holidays", "BR", "--now", NOW], outside)
    assert made.stdout.splitlines()[:3] == ["created a new site in site; next:", "  cd site", "  expediente serve"]
    shutil.copytree(outside / "site", outside / "same-site")
    run([expediente, "build", "--site", "site", "--out", "by-wheel", "--now", NOW], outside)
    run([sys.executable, str(ROOT / "build.py"), "build", "--site", "same-site", "--out", "by-source", "--now", NOW],
        outside)
    assert differences(outside / "by-wheel", outside / "by-source") == []
    assert len(list((outside / "by-wheel").rglob("*.html"))) >= 9
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = subprocess.run([expediente, "check"], cwd=empty, capture_output=True, text=True, timeout=60)
    assert (refused.returncode, refused.stderr) == (2, "expediente: error: no site here: run 'expediente init' "
                                                       "to start one\n")


def test_every_package_of_the_tree_is_listed_for_the_wheel():
    """pyproject.toml lists the packages by hand (the theme is mapped onto templates/): a new
    sub-package left out of the list would be missing from every install."""
    import tomllib

    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = sorted(".".join(path.parent.relative_to(ROOT).parts)
                   for path in (ROOT / "generator").rglob("__init__.py"))
    assert sorted(listed) == sorted([*found, "generator.theme"])
