"""Durations a push writes (a check's timeout and degraded_after, the history's stale_after and probe_interval,
a channel's response_time): each has a ceiling, and past it `check`, `build` and `probe` give a located error,
never "internal error", never a probe run held for years. Real runs of `python build.py`, and a real listener
that accepts connections and answers none."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import LOCAL_PROBE, MINIMAL_HOURS, ROOT

from generator.commands.probe import run_checks
from generator.model import Check, Component

# Each test runs the command line in a process of its own.
pytestmark = pytest.mark.slow

NOW = "2026-11-23T10:00:00-03:00"
BIG = "9" * 5000


def build_py(site: Path, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python build.py <args> --site <site> --now NOW` in a process of its own."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=timeout, env=env)


def probe_env() -> dict[str, str]:
    """The probe's environment: none of the caller's EXPEDIENTE_*; the local host stands for a remote one."""
    return {**{key: value for key, value in os.environ.items()
               if not key.startswith("EXPEDIENTE_") and key != "SOURCE_DATE_EPOCH"}, **LOCAL_PROBE}


def refusal(result: subprocess.CompletedProcess) -> list[str]:
    """Assert exit 1 with no traceback nor internal error; return the lines of the messages."""
    output = result.stdout + result.stderr
    assert "internal error" not in output and "Traceback" not in output, output
    assert result.returncode == 1, output
    return output.splitlines()


@pytest.fixture
def silent_port():
    """A real listener on 127.0.0.1 that accepts every connection and answers none; yields its port."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(8)
    try:
        yield listening.getsockname()[1]
    finally:
        listening.close()


def check_status(port: int, keys: str) -> str:
    return ("components:\n  - id: portal\n    name: Portal\n"
            f"    check: {{type: http, url: \"http://127.0.0.1:{port}/\", {keys}}}\n")


def column(text: str, value: str) -> int:
    """Return the column (from 1) where `value` starts on the fourth line of `text`, the check's."""
    return text.splitlines()[3].index(value) + 1


TIMEOUT_HINT = "  hint: every probe run waits for its slowest check: write a timeout of a few seconds, e.g. 10s"


@pytest.mark.parametrize("timeout, shown", [("100000h", "100000h"), ("1000000000000h", "1000000000000h"),
                                            ("61s", "61s"), (f"{BIG}ms", "9999999999999999999…")],
                         ids=["years", "past-a-locks-wait", "a-second-too-long", "five-thousand-digits"])
def test_a_pushed_timeout_cannot_hold_the_probe_for_years(make_site, silent_port, timeout, shown):
    status = check_status(silent_port, f"timeout: {timeout}")
    site = make_site({"site_src/status.yaml": status})
    message = f"site_src/status.yaml:4:{column(status, timeout)}: error: timeout '{shown}' is longer than 60 s"
    lines = refusal(build_py(site, "check"))
    assert lines[lines.index(message) + 1] == TIMEOUT_HINT
    # The probe reads status.yaml as the check does: it stops at once, connects nowhere, waits for nothing.
    started = time.monotonic()
    probed = build_py(site, "probe", env=probe_env(), timeout=60)
    assert refusal(probed)[:3] == [message, TIMEOUT_HINT, "the status components have errors; nothing was probed"]
    assert time.monotonic() - started < 30


def test_the_longest_timeout_allowed_is_a_minute(make_site, silent_port):
    site = make_site({"site_src/status.yaml": check_status(silent_port, "timeout: 60s, degraded_after: 59.5s")})
    assert build_py(site, "check").returncode == 0


def test_a_degraded_after_past_the_ceiling_is_a_located_error(make_site, silent_port):
    status = check_status(silent_port, f"degraded_after: {BIG}h")
    site = make_site({"site_src/status.yaml": status})
    lines = refusal(build_py(site, "check"))
    assert f"site_src/status.yaml:4:{column(status, BIG)}: error: degraded_after '9999999999999999999…' is longer than 60 s" in lines
    assert "  hint: degraded_after is shorter than the check's timeout, e.g. 2s" in lines


def test_a_probe_run_stops_waiting_at_its_deadline_whatever_a_checks_timeout(silent_port):
    # A caller of the checks that makes its own Check (not read from status.yaml) still cannot hold a run.
    component = Component("portal", {"en": "Portal"}, None, None,
                          Check(type="http", timeout=3600.0, url=f"http://127.0.0.1:{silent_port}/"))
    started = time.monotonic()
    outcomes = run_checks((component,), dict(LOCAL_PROBE), datetime(2026, 11, 23, 13, tzinfo=UTC), longest=1.0)
    took = time.monotonic() - started
    assert [(o.component.id, o.result.ok, o.result.detail) for o in outcomes] == [("portal", False, "timeout")]
    assert 0.9 < took < 5, took


@pytest.mark.parametrize("key, line", [("stale_after", 1), ("probe_interval", 2)])
def test_a_stale_after_of_five_thousand_digits_is_a_located_error(make_site, key, line):
    other = "probe_interval: 5m\n" if key == "stale_after" else "stale_after: 1h\n"
    given = f"{key}: {BIG}m\n"
    text = given + other if key == "stale_after" else other + given
    site = make_site({"site_src/status.yaml": text + "components:\n  - id: portal\n    name: Portal\n"})
    lines = refusal(build_py(site, "check"))
    assert f"site_src/status.yaml:{line}:{len(key) + 3}: error: {key} '9999999999999999999…' is longer than " \
           "90 days (2160h)" in lines


def test_a_stale_after_of_ninety_days_is_built(make_site, tmp_path):
    site = make_site({"site_src/status.yaml": "stale_after: 2160h\ncomponents:\n  - id: portal\n    name: Portal\n"})
    assert build_py(site, "build", "--out", str(tmp_path / "out")).returncode == 0
    site = make_site({"site_src/status.yaml": "stale_after: 2161h\ncomponents:\n  - id: portal\n    name: Portal\n"})
    assert refusal(build_py(site, "check"))[:2] == [
        "site_src/status.yaml:1:14: error: stale_after '2161h' is longer than 90 days (2160h)",
        "  hint: a row older than stale_after is no longer news of the service: write e.g. 30m, 2h or 72h"]


def hours_with(response: str) -> str:
    return MINIMAL_HOURS.replace('        contact: "+55 13 3500-0000"\n',
                                 f'        contact: "+55 13 3500-0000"\n        response_time: {response}\n')


RESPONSE_HINT = "  hint: write the time in which staff answer, e.g. 30m, 4h or 2d"


@pytest.mark.parametrize("response, shown", [(f"{BIG}m", "9999999999999999999…"), ("99999999999d", "99999999999d"),
                                             ("367d", "367d"), (f"5m-{BIG}h", "9999999999999999999…")],
                         ids=["five-thousand-digits", "past-what-the-pages-word", "a-day-past-a-year", "range-end"])
def test_a_response_time_of_five_thousand_digits_is_a_located_error(make_site, tmp_path, response, shown):
    site = make_site({"site_src/hours.yaml": hours_with(response)})
    for command in (("check",), ("build", "--out", str(tmp_path / "out"))):
        lines = refusal(build_py(site, *command))
        message = f"site_src/hours.yaml:8:24: error: the response time '{shown}' is longer than a year"
        assert lines[lines.index(message) + 1] == RESPONSE_HINT


def test_a_response_time_the_check_accepts_is_built(make_site, tmp_path):
    site = make_site({"site_src/hours.yaml": hours_with("5m-366d")})
    assert build_py(site, "check").returncode == 0
    built = build_py(site, "build", "--out", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
