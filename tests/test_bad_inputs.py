"""Every malformed input in tests/bad_inputs/: exact messages, exit 1, no traceback, output untouched.

Each case folder holds only the files that differ from tests/bad_inputs/_base/,
`expected.txt` (what `check` prints on stderr) and optionally `args` (extra options).
A case that also holds `stdout.txt` is only warned about: `check` passes and prints that
summary (the site folder written SITE), and `build` writes the site with the same warnings.

The command line runs in this process (generator.cli.main, named `python build.py`, its
output captured); test_the_entry_point_prints_the_same runs `python build.py` itself for a
case of each kind and compares the transcripts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, snapshot

from generator.cli import main

CASES_DIR = Path(__file__).parent / "bad_inputs"
FOLDERS = sorted(p for p in CASES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))
CASES = [p.name for p in FOLDERS if not (p / "stdout.txt").exists()]
WARNED = [p.name for p in FOLDERS if (p / "stdout.txt").exists()]
NOW = "2026-11-23T10:00:00-03:00"


def assemble(case: str, target: Path) -> Path:
    """Copy the base site, then the case's files over it."""
    shutil.copytree(CASES_DIR / "_base", target)
    for path in sorted((CASES_DIR / case).rglob("*")):
        rel = path.relative_to(CASES_DIR / case)
        if path.is_file() and rel.name not in ("expected.txt", "args"):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / rel)
    return target


@dataclass(frozen=True)
class Transcript:
    """What a command said and how it ended, as subprocess.CompletedProcess names them."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """Return run(*args) -> Transcript: the command line run in this process, as `python build.py`."""

    def run(*args: str) -> Transcript:
        capsys.readouterr()                     # what came before is not the command's
        status = main(list(args), prog="python build.py")
        out, err = capsys.readouterr()
        return Transcript(status, out, err)

    return run


def run_entry_point(*args: str) -> Transcript:
    """Run `python build.py` in a process of its own and return what it said."""
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    return Transcript(done.returncode, done.stdout, done.stderr)


def test_there_are_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case, tmp_path, run_cli):
    site = assemble(case, tmp_path / "site")
    extra = (CASES_DIR / case / "args").read_text().split() if (CASES_DIR / case / "args").exists() else []
    expected = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8")

    checked = run_cli("check", "--site", str(site), "--now", NOW, *extra)
    assert checked.returncode == 1
    assert checked.stderr == expected
    assert "Traceback" not in checked.stderr + checked.stdout
    first = expected.splitlines()[0]
    assert first.split(":")[0].startswith(("site_src/", "notices")), "the message names the file"
    assert first.split(":")[1].isdigit(), "the message names the line"

    # A build with the same input must leave an existing output folder exactly as it was.
    out = tmp_path / "public"
    (out / "sub").mkdir(parents=True)
    (out / "index.html").write_text("<!doctype html><title>old</title>", encoding="utf-8")
    (out / "sub" / "data.json").write_bytes(b'{"old": true}\n')
    before = snapshot(out)
    built = run_cli("build", "--site", str(site), "--out", str(out), "--now", NOW, *extra)
    assert built.returncode == 1
    assert "Traceback" not in built.stderr + built.stdout
    assert built.stderr.startswith(expected.rsplit("\n", 2)[0])
    assert "nothing was written" in built.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"], "no temporary folder is left behind"


@pytest.mark.parametrize("case", WARNED)
def test_warned_input(case, tmp_path, run_cli):
    """Warnings alone: each said once with its place and hint, a summary that counts them, no '0 errors'."""
    site = assemble(case, tmp_path / "site")
    extra = (CASES_DIR / case / "args").read_text().split() if (CASES_DIR / case / "args").exists() else []
    expected = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8")
    summary = (CASES_DIR / case / "stdout.txt").read_text(encoding="utf-8")

    checked = run_cli("check", "--site", str(site), "--now", NOW, *extra)
    assert (checked.returncode, checked.stderr, checked.stdout.replace(str(site), "SITE")) == (0, expected, summary)
    built = run_cli("build", "--site", str(site), "--out", str(tmp_path / "public"), "--now", NOW, *extra)
    assert built.returncode == 0 and built.stderr == expected
    assert (tmp_path / "public" / "index.html").is_file()


def transcripts(case: str, folder: Path, run) -> list[Transcript]:
    """Check then build the case in a fresh copy under `folder` with `run`; return both, folders and timings named."""
    site = assemble(case, folder / "site")
    extra = (CASES_DIR / case / "args").read_text().split() if (CASES_DIR / case / "args").exists() else []
    said = []
    for command in (["check"], ["build", "--out", str(folder / "public")]):
        done = run(*command, "--site", str(site), "--now", NOW, *extra)
        out = re.sub(r" in \d+\.\d\d s$", " in T s", done.stdout.replace(str(folder), "FOLDER"), flags=re.M)
        said.append(Transcript(done.returncode, out, done.stderr.replace(str(folder), "FOLDER")))
    return said


@pytest.mark.slow
@pytest.mark.parametrize("case", [CASES[0], WARNED[0]])
def test_the_entry_point_prints_the_same(case, tmp_path, run_cli):
    """`python build.py` in its own process says what the command line says in this one (its timing aside)."""
    alone = transcripts(case, tmp_path / "process", run_entry_point)
    assert alone == transcripts(case, tmp_path / "here", run_cli)
    expected = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8")
    assert alone[0].stderr == expected and alone[0].returncode == (0 if case in WARNED else 1)
