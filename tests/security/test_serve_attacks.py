"""The preview server against a DNS-rebinding page: only this machine's names and addresses get an answer."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from generator.commands.local_hosts import host_allowed

NOW = "2026-11-23T10:00:00-03:00"
# Each test starts `build.py serve` in a process of its own and talks to it over a socket.
pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="the tests stop the server with POSIX signals"),
              pytest.mark.slow, pytest.mark.network]


def start(site: Path, log: Path, *extra: str) -> tuple[subprocess.Popen, str, int]:
    """Start `build.py serve --port 0`; return the process and the address and port it says it serves."""
    env = {**os.environ, "TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "build.py", "serve", "--site", str(site), "--port", "0",
                                    "--now", NOW, *extra], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(r"serving a preview at http://\[?([0-9a-f.:]+)\]?:(\d+)/", log.read_text())
        if found:
            return process, found[1], int(found[2])
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"the preview did not start:\n{log.read_text()}")


def get(address: str, port: int, host: str | None) -> tuple[int, str]:
    """GET / with the given Host header (None: no Host header at all)."""
    connection = http.client.HTTPConnection(address, port, timeout=10)
    try:
        connection.putrequest("GET", "/", skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.fixture
def preview(make_site, tmp_path):
    process, address, port = start(make_site(), tmp_path / "log.txt")
    yield address, port
    # SIGTERM, which serve takes as Ctrl-C: a job started in the background inherits SIGINT ignored.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_the_preview_listens_on_127_0_0_1_only(preview):
    address, port = preview
    assert address == "127.0.0.1"
    lan = [ip for ip in socket.gethostbyname_ex(socket.gethostname())[2] if not ip.startswith("127.")]
    for ip in lan:
        with pytest.raises(OSError), socket.create_connection((ip, port), timeout=2):
            pass


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{0}", "127.0.0.1.nip.io", "localhost.evil.example",
                                  "192.168.1.10", "[2001:db8::1]", "", None])
def test_a_foreign_host_header_gets_400_and_nothing_of_the_site(preview, host):
    address, port = preview
    status, body = get(address, port, host.replace("{0}", str(port)) if host else host)
    assert status == 400
    assert body == "this preview answers only to localhost and its own address\n"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "[::1]:{port}",
                                  "app.localhost:{port}", "127.0.0.1"])
def test_this_machine_s_names_are_answered(preview, host):
    address, port = preview
    status, body = get(address, port, host.format(port=port))
    assert status == 200 and "Test ISP" in body


def test_bound_to_every_address_any_address_literal_is_accepted_but_no_other_name():
    assert host_allowed("192.168.1.10:8000", "0.0.0.0") and host_allowed("[fe80::1]:8000", "::")
    assert not host_allowed("evil.example:8000", "0.0.0.0")
    assert host_allowed("192.168.1.10", "192.168.1.10") and not host_allowed("192.168.1.11", "192.168.1.10")


def test_an_address_that_is_not_one_is_a_usage_error(make_site, tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--site", str(make_site()),
                           "--bind", "example.com"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "expediente: error: --bind example.com is not an IP address (e.g. 127.0.0.1)\n"
