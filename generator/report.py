"""How problems are printed: `text` for people, `github` for pull requests, `json` for tools.

text    Today's form, on stderr, as compilers print it (`SourceError.format`):
        `notices/x.md:12:5: error: message`, then `  hint: …` when there is a hint.

github  One workflow command per problem, on stdout, which GitHub Actions turns into an
        annotation on that line of the pull request's diff:
        `::error file=notices/x.md,line=12,col=5,title=Expediente::message%0Ahint: …`
        (`::warning` for a warning; no `line`/`col` when the position is unknown).
        Escaping is GitHub's own (actions/toolkit, core/src/command.ts): in the message
        `%`, CR and LF become `%25`, `%0D` and `%0A`; in a property, `:` and `,` also
        become `%3A` and `%2C`.  GitHub shows at most 10 error and 10 warning annotations
        per step, so every problem follows in the text form too, folded in a log group,
        one line per field (line breaks in a value shown as `\\n`) and between
        `::stop-commands::` and its token, so that no text of the site commands the runner.

json    A JSON list on stdout and nothing else there:
        `[{"file", "line", "column", "severity", "message", "hint"}]`, in the order of the
        text form; `line` and `column` are null when unknown, `hint` null when there is none.

In both machine formats a file is named from the working folder, the site folder
(`--site`) first, so that GitHub finds it from the repository's root and a tool can
open it; with the default `--site .` that is the same path the text form shows.
The exit status does not depend on the format: 1 when there are errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

from generator.errors import ERROR, SourceError

FORMATS = ("text", "github", "json")
ANNOTATION_TITLE = "Expediente"


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """Add `--format text|github|json` to a command that reports problems."""
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="how problems are printed: text (default), github (workflow annotations) "
                             "or json (a list on stdout)")


def escape_data(text: str) -> str:
    """Escape a workflow command's message as GitHub's toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value: as a message, and also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def problem_file(problem: SourceError, site_dir: Path) -> str:
    """Return the problem's file named from the working folder, with forward slashes."""
    path = Path(site_dir) / problem.path
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            pass
    return os.path.normpath(path).replace(os.sep, "/")


def github_annotation(problem: SourceError, site_dir: Path) -> str:
    """Return one problem as a GitHub Actions `::error` or `::warning` workflow command."""
    command = "error" if problem.severity == ERROR else "warning"
    properties = [("file", problem_file(problem, site_dir))]
    if problem.line:
        properties.append(("line", str(problem.line)))
        if problem.column:
            properties.append(("col", str(problem.column)))
    properties.append(("title", ANNOTATION_TITLE))
    message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command} {joined}::{escape_data(message)}"


def flat(text: str) -> str:
    """Return text on one line: line breaks and other control characters written as escapes (\\n, \\x1b)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else
                   {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")
                   if ord(char) < 0x100 else f"\\u{ord(char):04x}" for char in text)


def inert(line: str) -> str:
    """Return a line of the plain list that the runner cannot take for a workflow command.

    The runner reads `::command` at the start of a trimmed line and the older `##[command]`
    anywhere in it; neither form survives here.
    """
    line = line.replace("##[", "# #[")
    return "| " + line if line.strip().startswith("::") else line


def plain_lines(problems: tuple[SourceError, ...]) -> list[str]:
    """Return the problems in the text form, each field on its line, made inert for the runner."""
    lines = []
    for problem in problems:
        hint = flat(problem.hint) if problem.hint else None
        text = SourceError(flat(problem.path), problem.line, problem.column, flat(problem.message), hint,
                           problem.severity).format()
        lines.extend(inert(line) for line in text.split("\n"))
    return lines


def github_lines(problems: tuple[SourceError, ...], site_dir: Path) -> list[str]:
    """Return the annotations, then every problem in the text form inside a folded log group.

    A file's text reaches messages (a key, a weekday as written), and a line break in it
    must not start a line the runner obeys (`::add-mask::`, `::warning`, `::stop-commands::`).
    The annotations are escaped as GitHub's toolkit escapes them; the plain list is written
    one line per field with line breaks shown as `\\n` (plain_lines), and between
    `::stop-commands::TOKEN` and `::TOKEN::`, during which the runner obeys no command.
    The token is a hash of the list itself: the same output for the same problems, and
    not one that the list can contain.
    """
    if not problems:
        return []
    lines = [github_annotation(problem, site_dir) for problem in problems]
    plain = plain_lines(problems)
    token = "expediente-" + hashlib.sha256("\n".join(plain).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    lines.append("::group::Every problem, with its file and line")
    lines.append(f"::stop-commands::{token}")
    lines.extend(plain)
    lines.append(f"::{token}::")
    lines.append("::endgroup::")
    return lines


def problems_json(problems: tuple[SourceError, ...], site_dir: Path) -> str:
    """Return the problems as a JSON list of {file, line, column, severity, message, hint}."""
    items = [{
        "file": problem_file(problem, site_dir),
        "line": problem.line or None,
        "column": problem.column or None,
        "severity": problem.severity,
        "message": problem.message,
        "hint": problem.hint,
    } for problem in problems]
    return json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True)


def summary_of(problems) -> str:
    """Return e.g. '2 errors, 1 warning', '2 warnings' (no '0 errors'), or 'no errors'."""
    errors = sum(1 for p in problems if p.severity == ERROR)
    warnings = len(problems) - errors
    parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts) or "no errors"


def print_problems(problems: tuple[SourceError, ...], stream) -> None:
    """Print every problem to `stream` in the text form, one per line (and its hint), as compilers do."""
    for problem in problems:
        print(problem.format(), file=stream)


def write_problems(problems: tuple[SourceError, ...], fmt: str, site_dir: Path, stdout, stderr) -> None:
    """Print the problems in format `fmt`: text on stderr, github and json on stdout."""
    if fmt == "json":
        print(problems_json(problems, site_dir), file=stdout)
    elif fmt == "github":
        for line in github_lines(problems, site_dir):
            print(line, file=stdout)
    else:
        print_problems(problems, stderr)


def flush_standard_streams() -> bool:
    """Flush standard output and error; tell whether both could be (or there was nothing to flush)."""
    flushed = True
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            flushed = False             # a closed pipe, or a closed stream
    return flushed
