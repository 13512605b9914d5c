"""Attacks found by a review of the defences, each a real build of a copy of the example site.

Each build runs in a process whose address space is capped (2 GB) and under a timeout, so
that an attack the defences miss fails the test instead of taking the machine's memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers_template_attacks import NOW, ROOT, assert_refused, example_site, published

# Each test builds in a process of its own, some up to a time or memory limit.
pytestmark = pytest.mark.slow

SANDBOX_HINT = ("  hint: templates run in a sandbox: they may use the values, filters and tests the pages give them, "
                "not Python's internals (docs/security.md)")
TOO_LONG = ("templates/style.css:1:1: error: not allowed in a template: '*' would make a text or list of more "
            "than 1,000,000 characters or items")
TOO_BIG = "templates/style.css:1:1: error: not allowed in a template: '{}' would make a number of more than 65,536 bits"


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def capped_build(site: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """Build `site` into tmp_path/out in a process of at most 2 GB of address space, within 120 s."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--site", str(site),
                           "--out", str(tmp_path / "out"), "--now", NOW],
                          capture_output=True, text=True, timeout=120, env=env, preexec_fn=_capped)


# One operation that asks for gigabytes or for minutes of arithmetic -> the exact message.
BOMBS = {
    "text_repeated": ("{{ ('x' * 10**10)|length }}", TOO_LONG),
    "text_repeated_left": ("{{ (10**10 * 'x')|length }}", TOO_LONG),
    "list_repeated": ("{{ ([0] * 10**10)|length }}", TOO_LONG),
    # Jinja folded this constant while compiling: the build hung before rendering a page.
    "power_folded": ("{{ (10 ** (10 ** 10))|string|length }}", TOO_BIG.format("**")),
    "power_at_render": ("{% set n = 10 ** 10 %}{{ (7 ** n) > 0 }}", TOO_BIG.format("**")),
    "product_squared": ("{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}"
                        "{% endfor %}{{ ns.n > 0 }}", TOO_BIG.format("*")),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_one_operation_cannot_ask_for_gigabytes_or_hours(tmp_path: Path, name: str) -> None:
    payload, message = BOMBS[name]
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text(payload + "\n", encoding="utf-8")
    started = time.monotonic()
    result = capped_build(site, tmp_path)
    assert_refused(result, message)
    assert result.stderr.splitlines()[1] == SANDBOX_HINT
    assert published(tmp_path) == ""
    assert time.monotonic() - started < 30


def test_small_repeats_and_powers_still_work(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text(
        "/* {{ '-' * 20 }} {{ 3 * 'ab' }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 6 * 7 }} {{ 1.5 * 2 }} "
        "{{ ([1, 2] * 2)|length }} */\n", encoding="utf-8")
    result = capped_build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    # style.css is inlined in every page.
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "/* -------------------- ababab 1024 0.5 42 3.0 4 */" in page


def check(site: Path) -> subprocess.CompletedProcess:
    """Run `check` on `site` as a pusher's CI would."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("value", "message"), [
    ("9" * 5000, "limits: notices may be at most 100,000, not a number of 5,000 digits"),
    ("²", "limits: notices must be a whole number above 0, not '²'"),
], ids=["five_thousand_digits", "superscript_two"])
def test_a_number_python_cannot_read_is_a_located_error_not_a_crash(tmp_path: Path, value: str,
                                                                    message: str) -> None:
    """`str.isdigit` accepts '²' and 5,000 digits, on which `int()` raised: "internal error" before."""
    site = example_site(tmp_path)
    with (site / "site_src" / "site.yaml").open("a", encoding="utf-8") as stream:
        stream.write(f"\nlimits:\n  notices: {value}\n")
    result = check(site)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    line = len((site / "site_src" / "site.yaml").read_text(encoding="utf-8").splitlines())
    assert f"site_src/site.yaml:{line}:12: error: {message}" in result.stderr.splitlines(), result.stderr


# --- What no single operation shows: a template that loops or grows for as long as it is let ----------

def _bounded_server(tmp_path: Path, seconds: int, megabytes: int):
    from helpers_push_attacks import Server, make_site_repo

    site_repo = make_site_repo(tmp_path / "template" / "site")
    return Server(tmp_path / "server", site_repo, extra=("--max-build-seconds", str(seconds),
                                                         "--max-build-mb", str(megabytes)))


def _assert_nothing_published(server, pushed) -> None:
    from helpers_push_attacks import git

    assert pushed.returncode != 0
    assert "(pre-receive hook declined)" in pushed.stderr.decode()
    assert not (server.www / "current").exists()
    assert git(server.bare, "rev-parse", "--verify", "--quiet", "refs/heads/main", check=False).returncode != 0


def test_a_pushed_template_that_loops_for_hours_is_stopped_at_the_servers_time_limit(tmp_path, capsys):
    from helpers_push_attacks import remote_lines

    (tmp_path / "server").mkdir(parents=True)
    server = _bounded_server(tmp_path, seconds=5, megabytes=4096)
    capsys.readouterr()
    server.commit({"templates/style.css": "{% for a in range(100000) %}{% for b in range(100000) %}"
                                          "{% endfor %}{% endfor %}\n"})
    started = time.monotonic()
    pushed = server.push()
    took = time.monotonic() - started
    _assert_nothing_published(server, pushed)
    assert ("expediente: the build used more than 5 s of processor time, the most this server allows a push "
            "(install-server-hooks --max-build-seconds); nothing was published") in remote_lines(pushed.stderr)
    assert took < 60, took


def test_a_pushed_template_that_doubles_a_text_is_stopped_at_the_servers_memory_limit(tmp_path, capsys):
    from helpers_push_attacks import remote_lines

    (tmp_path / "server").mkdir(parents=True)
    server = _bounded_server(tmp_path, seconds=120, megabytes=1024)
    capsys.readouterr()
    server.commit({"templates/style.css": "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
                                          "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}\n"})
    pushed = server.push()
    _assert_nothing_published(server, pushed)
    assert remote_lines(pushed.stderr)[:2] == [
        "templates/style.css:1:1: error: the template needed more memory than the build may use",
        "  hint: look for a loop that grows a text or a list (on a server, install-server-hooks "
        "--max-build-mb sets how much memory a push's build may use)"]
