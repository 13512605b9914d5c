"""Credentials in a check's url: refused when in the url itself, never published when in its query."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

# Each test runs the command line in a process of its own.
pytestmark = pytest.mark.slow

NOW = "2026-11-23T10:00:00-03:00"
STATUS = """\
components:
  - id: portal
    name: {{pt-BR: Portal, en: Portal}}
    check:
      type: http
      url: {url}
      public: true
"""


def run(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=120)


def test_a_user_name_and_password_in_the_url_are_refused_with_a_hint(make_site):
    site = make_site({"site_src/status.yaml": STATUS.format(url="https://monitor:s3cr3t-pw@portal.test.example/")})
    done = run(site, "check")
    assert done.returncode == 1
    assert done.stderr == (
        "site_src/status.yaml:6:12: error: the url 'https://portal.test.example/' holds a user name or password "
        "(user:password@), which would be shown wherever the url is\n"
        "  hint: remove them and send them in a header, named here and set where the probe runs: "
        "headers: {Authorization: STATUS_AUTH}, with STATUS_AUTH='Basic <user:password in base64>'\n"
        "1 error\n"
    )
    assert "s3cr3t-pw" not in done.stdout + done.stderr


def test_a_user_name_alone_is_refused_too(make_site):
    site = make_site({"site_src/status.yaml": STATUS.format(url="http://token-abc123@portal.test.example/x")})
    done = run(site, "check")
    assert done.returncode == 1 and "holds a user name or password" in done.stderr
    assert "token-abc123" not in done.stderr


def test_the_query_of_a_public_target_is_never_published(make_site, tmp_path):
    url = "https://portal.test.example/health?token=q-s3cr3t-42&x=1#frag"
    site = make_site({"site_src/status.yaml": STATUS.format(url=url)})
    out = tmp_path / "out"
    done = run(site, "--out", str(out))
    assert done.returncode == 0, done.stderr
    published = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert published and not [path for path, data in published.items() if b"q-s3cr3t-42" in data]
    assert b'"target": "https://portal.test.example/health"' in published[out / "api" / "uptime.json"]


def test_a_malformed_url_is_not_echoed_with_its_query(make_site):
    site = make_site({"site_src/status.yaml": STATUS.format(url="portal.test.example/health?token=q-s3cr3t-42")})
    done = run(site, "check")
    assert done.returncode == 1
    assert done.stderr.startswith("site_src/status.yaml:6:12: error: 'portal.test.example/health' is not an http "
                                  "or https address\n")
    assert "q-s3cr3t-42" not in done.stderr
