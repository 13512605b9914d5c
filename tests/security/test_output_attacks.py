"""Text from a site that reaches the command line's output: it must not command the CI runner that reads it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import MINIMAL_SITE, ROOT

# Each test runs `check` in a process of its own.
pytestmark = pytest.mark.slow

# A key whose text starts lines the GitHub Actions runner obeys: mask a value, forge an annotation,
# stop command processing for good, and the older `##[...]` form.
INJECTED_KEY = ('"x\\n::add-mask::hunter2\\n  ::warning title=forged::all is well'
                '\\r::stop-commands::forever\\n##[error]forged"')


def runner_commands(stdout: str) -> list[str]:
    """Return the workflow commands the Actions runner would obey in `stdout`, in order.

    As the runner reads a step's output: line by line (CR, LF or CRLF), `::name` at the start
    of a trimmed line, the older `##[name]` anywhere in a line, and nothing but the resume
    token between `::stop-commands::TOKEN` and `::TOKEN::`.
    """
    commands, stopped = [], None
    for line in re.split(r"\r\n|\r|\n", stdout):
        trimmed = line.strip()
        if stopped is not None:
            if trimmed == f"::{stopped}::":
                stopped = None
            continue
        if trimmed.startswith("::"):
            name = re.match(r"::([^ :]*)", trimmed).group(1)
            commands.append(name)
            if name == "stop-commands":
                stopped = trimmed.split("::")[2]
        elif "##[" in line:
            commands.append("##[" + line.split("##[", 1)[1].split("]", 1)[0])
    return commands


def test_a_line_break_in_a_value_starts_no_workflow_command(make_site, tmp_path):
    site = make_site({"site_src/site.yaml": MINIMAL_SITE + f"{INJECTED_KEY}: 1\n"})
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--site", str(site), "--format",
                           "github"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    # Two annotations (the carriage return is a control character, the key is unknown), the folded group,
    # and the stop that keeps the plain list inert: nothing else.
    assert runner_commands(done.stdout) == ["error", "error", "group", "stop-commands", "endgroup"]
    plain = done.stdout.split("\n")
    start = next(i for i, line in enumerate(plain) if line.startswith("::stop-commands::"))
    assert plain[start + 1] == ("site_src/site.yaml:8:1: error: the text holds the control character U+000D, which "
                                "pages, feeds and calendars cannot carry")
    assert plain[start + 3] == (
        "site_src/site.yaml:8:1: error: unknown key 'x\\n::add-mask::hunter2\\n  ::warning title=forged::all "
        "is well\\r::stop-commands::forever\\n# #[error]forged' in site.yaml"
    )
    # Even without the stop, no line of the list could be read as a command.
    assert runner_commands("\n".join(plain[start + 1:start + 5])) == []


def test_the_runner_model_sees_the_attack_the_escaping_prevents():
    # The model above is not blind: unescaped, the same text commands the runner.
    raw = "site.yaml:8:1: error: unknown key 'x\n::add-mask::hunter2\n  ::warning title=forged::w\n##[error]f'"
    assert runner_commands(raw) == ["add-mask", "warning", "##[error"]
