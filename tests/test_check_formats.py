"""`check --format text|github|json`: exact outputs, GitHub's escaping rules, exit statuses."""

from __future__ import annotations

import json
import re

import pytest

from generator.cli import main
from generator.errors import ERROR, WARNING, SourceError
from generator.report import escape_data, escape_property, github_annotation, problems_json

NOTICE = """\
---
title: Aviso
date: 2026-11-10 10:00
changes:
  - date: 2026-11-09
    closed: true
  - date: 2026-11-24
    weekday: sexta-feira
    closed: true
---
Texto.
"""
WARNING_TEXT = "the change on 2026-11-09 is dated before the notice was published (2026-11-10)"
ERROR_TEXT = "2026-11-24 is a Tuesday (terça-feira), not sexta-feira"
HINT_TEXT = "Friday is 20 or 27 November"


@pytest.fixture
def broken_site(make_site, monkeypatch):
    """A site whose one notice has a warning (line 5) and an error with a hint (line 8); cwd is the site."""
    site = make_site({"notices/2026-11-10-aviso.md": NOTICE})
    monkeypatch.chdir(site)
    return site


def test_text_is_unchanged(broken_site, capsys):
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"notices/2026-11-10-aviso.md:5:5: warning: {WARNING_TEXT}\n"
        f"notices/2026-11-10-aviso.md:8:14: error: {ERROR_TEXT}\n"
        f"  hint: {HINT_TEXT}\n"
        "1 error, 1 warning\n"
    )
    assert main(["check", "--format", "text"]) == 1
    assert capsys.readouterr().err == err


def test_github_annotations(broken_site, capsys):
    assert main(["check", "--format", "github"]) == 1
    out, err = capsys.readouterr()
    token = re.search(r"^::stop-commands::(expediente-[0-9a-f]{32})$", out, re.M).group(1)
    assert out == (
        "::warning file=notices/2026-11-10-aviso.md,line=5,col=5,title=Expediente::" + WARNING_TEXT + "\n"
        "::error file=notices/2026-11-10-aviso.md,line=8,col=14,title=Expediente::"
        + ERROR_TEXT + "%0Ahint: " + HINT_TEXT + "\n"
        "::group::Every problem, with its file and line\n"
        f"::stop-commands::{token}\n"
        f"notices/2026-11-10-aviso.md:5:5: warning: {WARNING_TEXT}\n"
        f"notices/2026-11-10-aviso.md:8:14: error: {ERROR_TEXT}\n"
        f"  hint: {HINT_TEXT}\n"
        f"::{token}::\n"
        "::endgroup::\n"
    )
    assert main(["check", "--format", "github"]) == 1
    assert capsys.readouterr().out == out     # the token is the same from run to run
    assert err == "1 error, 1 warning\n"


def test_github_paths_start_from_the_working_folder(make_site, monkeypatch, capsys):
    # In a workflow the working folder is the repository's root: a site in a subfolder is named with it.
    site = make_site({"notices/2026-11-10-aviso.md": NOTICE})
    monkeypatch.chdir(site.parent)
    assert main(["check", "--site", site.name, "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"::warning file={site.name}/notices/2026-11-10-aviso.md,line=5,col=5,")
    assert main(["check", "--site", f"./{site.name}/", "--format", "github"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == first


def test_json_list(broken_site, capsys):
    assert main(["check", "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == [
        {"file": "notices/2026-11-10-aviso.md", "line": 5, "column": 5, "severity": "warning",
         "message": WARNING_TEXT, "hint": None},
        {"file": "notices/2026-11-10-aviso.md", "line": 8, "column": 14, "severity": "error",
         "message": ERROR_TEXT, "hint": HINT_TEXT},
    ]
    assert out.startswith('[\n  {\n    "column": 5,\n    "file": "notices/2026-11-10-aviso.md",\n')
    assert "terça-feira" in out    # UTF-8, not \u escapes
    assert err == "1 error, 1 warning\n"


def test_json_keeps_stdout_for_the_list_when_all_is_well(make_site, monkeypatch, capsys):
    monkeypatch.chdir(make_site())
    assert main(["check", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert out == "[]\n"
    assert err == "checked .: no errors\n"


def test_warnings_alone_pass_in_every_format(make_site, monkeypatch, capsys):
    notice = NOTICE.replace("  - date: 2026-11-24\n    weekday: sexta-feira\n", "  - date: 2026-11-24\n")
    monkeypatch.chdir(make_site({"notices/2026-11-10-aviso.md": notice}))
    assert main(["check", "--format", "github"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[0].startswith("::warning file=notices/2026-11-10-aviso.md,line=5,col=5,")
    assert out.splitlines()[-1] == "checked .: 1 warning"
    assert main(["check", "--format", "json", "--strict"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["severity"] == "error"


def test_an_unknown_format_is_a_usage_error(make_site, monkeypatch, capsys):
    monkeypatch.chdir(make_site())
    assert main(["check", "--format", "xml"]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


# --- GitHub's escaping (actions/toolkit, packages/core/src/command.ts) -------------------

def test_escape_data():
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    # % first, so that an escape already in the text is not read back as one.
    assert escape_data("%0A") == "%250A"


def test_escape_property():
    assert escape_property("a:b,c%d\ne\r") == "a%3Ab%2Cc%25d%0Ae%0D"


def test_annotation_of_an_awkward_file_and_message():
    problem = SourceError("notices/2026-01-01-a,b:c.md", 3, 7, "100% wrong: 'x', 'y'\nsecond line",
                          "write 50%: then, go on", ERROR)
    assert github_annotation(problem, ".") == (
        "::error file=notices/2026-01-01-a%2Cb%3Ac.md,line=3,col=7,title=Expediente::"
        "100%25 wrong: 'x', 'y'%0Asecond line%0Ahint: write 50%25: then, go on"
    )


def test_annotation_without_a_position():
    problem = SourceError("site_src/site.yaml", 0, 0, "site_src/site.yaml is missing", None, ERROR)
    assert github_annotation(problem, ".") == (
        "::error file=site_src/site.yaml,title=Expediente::site_src/site.yaml is missing")
    assert github_annotation(SourceError("a.yaml", 4, 0, "m", None, WARNING), ".") == (
        "::warning file=a.yaml,line=4,title=Expediente::m")


def test_json_of_an_unknown_position():
    problem = SourceError("site_src/site.yaml", 0, 0, "missing", None, ERROR)
    assert json.loads(problems_json((problem,), ".")) == [
        {"file": "site_src/site.yaml", "line": None, "column": None, "severity": "error",
         "message": "missing", "hint": None}]
