"""How the command-line process ends: at once after its command (cli.run), with everything it
had to say written, and normally under a profiler, whose results are written at shutdown."""

from __future__ import annotations

import ast
import pstats
import re
import subprocess
import sys

import pytest
from conftest import PACKAGE, ROOT

NOW = "2026-11-23T10:00:00-03:00"


def run_build_py(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *prefix, str(ROOT / "build.py"), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_build_says_everything_before_it_ends(tmp_path):
    result = run_build_py("--site", str(ROOT), "--out", str(tmp_path / "out"), "--now", NOW)
    assert result.returncode == 0, result.stderr
    # The last line, written just before the process ends, reaches the pipe whole.
    assert re.fullmatch(rf"built \d+ files \(\d+ written, \d+ of \d+ parts rendered\) into {re.escape(str(tmp_path / 'out'))} in \d+\.\d\d s\n",
                        result.stdout), result.stdout
    assert (tmp_path / "out" / "index.html").is_file()


def test_a_failed_command_keeps_its_status_and_message(tmp_path):
    result = run_build_py("--site", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "the site folder" in result.stderr and result.stderr.endswith("does not exist\n")


@pytest.mark.slow
def test_under_a_profiler_the_process_ends_normally_and_the_profile_is_written(tmp_path):
    profile = tmp_path / "build.prof"
    result = run_build_py("--site", str(ROOT), "--out", str(tmp_path / "out"), "--now", NOW,
                          prefix=("-m", "cProfile", "-o", str(profile)))
    assert result.returncode == 0, result.stderr
    stats = pstats.Stats(str(profile))
    assert any(name == "run_build" for (_, _, name) in stats.stats)


# --- Messages in the user's own words ----------------------------------------------------------

@pytest.mark.slow
def test_in_a_source_tree_messages_name_python_build_py(tmp_path):
    """Run as `python build.py`, usage, hints and next steps say so; the console script says `expediente`."""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check"], cwd=empty, capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stderr) == (
        2, "python build.py: error: no site here: run 'python build.py init' to start one\n")
    usage = run_build_py("new")
    assert usage.returncode == 2 and usage.stderr.startswith("usage: python build.py new ")
    site = tmp_path / "site"
    made = run_build_py("init", str(site), "--now", NOW)
    assert made.stdout.splitlines()[1] == f"  python build.py check --site {site}"
    new = run_build_py("new", "notice", "--title", "Natal", "--site", str(site), "--now", NOW)
    assert new.stdout == f"created {site}/notices/2026-11-23-natal.md; fill it in, then run: python build.py check\n"
    assert "# Every key is described in docs/format.md; `python build.py check` checks this file." in (
        site / "notices" / "2026-11-23-natal.md").read_text(encoding="utf-8")
    elsewhere = run_build_py("check", "--site", str(empty))
    assert elsewhere.stderr == f"python build.py: error: no site in {empty}: run 'python build.py init' to start one\n"


def test_version_names_the_release():
    from generator import __version__

    result = run_build_py("--version")
    assert (result.returncode, result.stdout) == (0, f"python build.py {__version__}\n")


def test_in_a_sub_folder_of_a_site_the_message_names_the_site(tmp_path):
    site = tmp_path / "site"
    assert run_build_py("init", str(site), "--now", NOW).returncode == 0
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check"], cwd=site / "notices",
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (
        2, f"python build.py: error: no site here, but {site} holds one: run the command there, or add "
           f"--site {site}\n")


# --- The command line is the top of the house ----------------------------------------------------

def clock_reads(tree) -> list[int]:
    """Return the lines of a module that read the clock as a date: `now`, `utcnow` or `today` of
    datetime.datetime or datetime.date, however imported (`import datetime as dt`, `from datetime
    import date as day`), called or only named."""
    modules, classes = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "datetime"}
        elif isinstance(node, ast.ImportFrom) and node.module == "datetime":
            classes |= {alias.asname or alias.name for alias in node.names if alias.name in ("datetime", "date")}

    def is_clock_class(value) -> bool:
        if isinstance(value, ast.Name):
            return value.id in classes
        return (isinstance(value, ast.Attribute) and value.attr in ("datetime", "date")
                and isinstance(value.value, ast.Name) and value.value.id in modules)

    return sorted(node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in ("now", "utcnow", "today")
            and is_clock_class(node.value))


def test_the_clock_check_sees_aliases():
    planted = """
import datetime as dt
from datetime import date as day, datetime as moment
a = dt.datetime.now()
b = day.today()
c = moment.utcnow
d = dt.date.today()
e = something.now()
"""
    assert clock_reads(ast.parse(planted)) == [4, 5, 6, 7]


def test_nothing_imports_the_command_line_and_only_it_reads_the_clock():
    """cli.py imports the commands, never the reverse; "now" enters there (--now, SOURCE_DATE_EPOCH or
    the clock) and is handed down, so no other module reads datetime's now(), utcnow() or today()."""
    importers, clock_readers = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), name)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                modules = []
            if any(module == "generator.cli" for module in modules):
                importers.append(f"{name}:{node.lineno}")
        clock_readers += [f"{name}:{line}" for line in clock_reads(tree)]
    assert importers == []
    assert [place.split(":")[0] for place in clock_readers] == ["generator/cli.py"]


# --- What a command imports --------------------------------------------------------------------

IMPORTED_BY_A_BUILD = """
import sys
from generator.cli import main
assert main(sys.argv[1:]) == 0
print(" ".join(sorted(name for name in ("jinja2", "generator.commands.hooks", "importlib.resources", "traceback")
                      if name in sys.modules)))
"""


@pytest.mark.slow
def test_an_up_to_date_build_imports_neither_jinja_nor_the_hooks(tmp_path):
    """A build that finds its output up to date renders nothing: it must not pay for the template engine, nor
    for the git hooks' module (their options are declared by cli.py), as the first build, which renders, does;
    nor for importlib.resources (the default theme is found by its spec) or traceback (for --debug alone)."""
    args = ["build", "--site", str(ROOT), "--out", str(tmp_path / "out"), "--now", NOW]
    imported = [subprocess.run([sys.executable, "-c", IMPORTED_BY_A_BUILD, *args], cwd=ROOT, capture_output=True,
                               text=True, timeout=300, check=True).stdout.splitlines()[-1].split() for _ in range(2)]
    assert "jinja2" in imported[0] and imported[1] == []
