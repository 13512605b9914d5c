"""A pushed status.yaml points the probe at what only the probe's machine reaches (the loopback, a cloud's metadata
address, the office network) and reads the answer off the published status. By default the probe connects to
public addresses only; its operator allows private ones with EXPEDIENTE_PROBE_PRIVATE=1. A refused check is the
probe's own configuration, not a measurement: it records no row (the status page must not say the service was
down) and the command exits 1. Each test runs `python build.py` against real local servers."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import LOCAL_PROBE, ROOT, serving

from generator.probe.addresses import PinnedHTTPConnection, is_public

# Each test runs the command line in a process of its own.
pytestmark = pytest.mark.slow

NOW = "2026-11-23T10:00:00-03:00"


def run(site: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run build.py with none of the caller's EXPEDIENTE_* variables: the probe's default, unless `env` says."""
    base = {key: value for key, value in os.environ.items()
            if not key.startswith("EXPEDIENTE_") and key != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=120, env={**base, **(env or {})})


def refusal(component: str) -> str:
    return (f"error: {component}: its check's address is not public (loopback, private, link-local or reserved); "
            "the check was not run\n"
            "  hint: if the probe is meant to watch internal services, its operator sets EXPEDIENTE_PROBE_PRIVATE=1 "
            "where the probe runs (docs/format.md)\n")


def details(site: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Return each component's rows (ok, latency, detail) of every day probed."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for path in sorted((site / "site_src/uptime").glob("*/*.csv")):
        for _, ok, latency, detail in list(csv.reader(path.open()))[1:]:
            found.setdefault(path.stem, []).append((ok, latency, detail))
    return found


class _Private(BaseHTTPRequestHandler):
    """A page only this machine can read (a metadata service, an admin page on the loopback)."""

    def do_GET(self):
        self.server.hosts.append(self.headers.get("Host"))
        body = b"root-password=hunter2\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    def __init__(self):
        self.connections = 0
        self.hosts: list[str] = []
        super().__init__(("127.0.0.1", 0), _Private)

    def verify_request(self, request, client_address):
        self.connections += 1
        return True


@pytest.fixture
def private_page():
    """A real HTTP server on 127.0.0.1 serving a secret; yields the server (its port, what reached it)."""
    server = _Server()
    with serving(server):
        yield server


def guesses(url: str) -> str:
    # Two guesses at the secret; with `components: 100` a push asks a hundred questions a run.
    return "components:\n" + "".join(
        f"  - id: guess-{n}\n    name: G{n}\n    check: {{type: http, url: \"{url}\", contains: \"{guess}\"}}\n"
        for n, guess in ((1, "password=hunter2"), (2, "password=hunter3")))


def published_states(site: Path, out: Path) -> dict[str, str]:
    assert run(site, "--out", str(out)).returncode == 0
    return {c["name"]: c["status"] for c in json.loads((out / "api/v2/components.json").read_text())["components"]}


def test_the_published_status_does_not_tell_what_a_page_only_the_server_reads_holds(make_site, private_page, tmp_path):
    site = make_site({"site_src/status.yaml": guesses(f"http://127.0.0.1:{private_page.server_address[1]}/")})
    assert run(site, "check").returncode == 0
    done = run(site, "probe")
    assert done.returncode == 1
    assert done.stderr == refusal("guess-1") + refusal("guess-2")
    assert done.stdout.startswith("probed 2 components: 0 up, 0 down, 2 not checked in ")
    assert private_page.connections == 0
    assert details(site) == {}
    states = published_states(site, tmp_path / "out")
    assert states["G1"] == states["G2"], f"the status page answers the guesses: {states}"


def test_the_operator_allows_private_addresses(make_site, private_page, tmp_path):
    site = make_site({"site_src/status.yaml": guesses(f"http://127.0.0.1:{private_page.server_address[1]}/")})
    done = run(site, "probe", env=dict(LOCAL_PROBE))
    assert (done.returncode, done.stderr) == (0, "")
    assert [ok for (ok, _, _), in details(site).values()] == ["1", "0"]
    assert private_page.connections == 2


def test_every_kind_of_private_target_is_refused_without_a_connection(make_site):
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(8)
    listening.setblocking(False)
    port = listening.getsockname()[1]
    targets = {
        "loopback-tcp": f"{{type: tcp, host: 127.0.0.1, port: {port}}}",
        "localhost": f"{{type: http, url: 'http://localhost:{port}/'}}",          # a name that resolves to it
        "mapped": f"{{type: http, url: 'http://[::ffff:127.0.0.1]:{port}/'}}",   # IPv4 in IPv6 clothing
        "ipv6-loopback": f"{{type: tcp, host: '::1', port: {port}}}",
        "metadata": "{type: http, url: 'http://169.254.169.254/latest/meta-data/', timeout: 1s}",
        "office": "{type: tcp, host: 10.1.2.3, port: 22, timeout: 1s}",
        "cgnat": "{type: tcp, host: 100.64.0.1, port: 22, timeout: 1s}",
        "docs-range": "{type: http, url: 'https://192.0.2.1/', timeout: 1s}",
        "unspecified": f"{{type: tcp, host: 0.0.0.0, port: {port}}}",
        "dns-server": "{type: dns, name: example.net, server: 127.0.0.1, timeout: 1s}",
    }
    status = "components:\n" + "".join(f"  - id: {name}\n    name: {name}\n    check: {check}\n"
                                       for name, check in targets.items())
    site = make_site({"site_src/status.yaml": status})
    try:
        done = run(site, "probe")
        with pytest.raises(BlockingIOError):
            listening.accept()                 # nothing knocked at the listening port
    finally:
        listening.close()
    assert done.returncode == 1
    assert done.stderr == "".join(refusal(name) for name in targets)
    assert details(site) == {}


def test_a_refused_check_is_not_published_as_downtime_and_the_others_still_record(make_site, private_page, tmp_path):
    # Three runs a second apart, as cron would: a refusal each time, and no row that a reader could count as down.
    site = make_site({"site_src/status.yaml": (
        "components:\n"
        f"  - id: inside\n    name: Inside\n    check: {{type: http, url: 'http://127.0.0.1:{private_page.server_address[1]}/'}}\n"
        "  - id: outside\n    name: Outside\n    check: {type: dns, name: example.invalid, server: 127.0.0.1, timeout: 1s}\n")})
    for second in ("00", "01", "02"):
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "probe", "--site", str(site),
                               "--now", f"2026-11-23T10:00:{second}-03:00"], capture_output=True, text=True,
                              timeout=120, env={k: v for k, v in os.environ.items() if not k.startswith("EXPEDIENTE_")})
        assert done.returncode == 1
        assert done.stderr == refusal("inside") + refusal("outside")
    assert private_page.connections == 0
    assert not list((site / "site_src/uptime").glob("*/*.csv"))
    out = tmp_path / "out"
    assert run(site, "--out", str(out)).returncode == 0
    published = json.loads((out / "api/v2/components.json").read_text())["components"]
    assert [c["status"] for c in published] == ["operational", "operational"]
    page = (out / "status/index.html").read_text()
    assert "%" not in page.split("<main", 1)[1], "an uptime figure was published for checks that never ran"


def test_the_connection_goes_to_the_address_checked_never_to_a_second_answer_of_the_name(private_page):
    # DNS rebinding: a name may answer a public address to the check and a private one to the connection.
    # The probe resolves once and hands the checked addresses to the connection, which never asks again:
    # here the name does not even resolve, and the request still reaches the address given, under its name.
    port = private_page.server_address[1]
    connection = PinnedHTTPConnection("rebind.invalid", port, ((socket.AF_INET, ("127.0.0.1", port)),), 2.0)
    try:
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    assert private_page.hosts == [f"rebind.invalid:{port}"]


@pytest.mark.parametrize(("address", "public"), [
    ("2002:7f00:1::", False),                  # 6to4 of 127.0.0.1
    ("2002:a00:1::", False),                   # 6to4 of 10.0.0.1
    ("2002:808:808::", True),                  # 6to4 of 8.8.8.8
    ("::ffff:169.254.169.254", False),         # IPv4-mapped: a cloud's metadata service
    ("::ffff:8.8.8.8", True),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),   # Teredo, whose client is 192.0.2.45
    ("2001:4860:4860::8888", True),
])
def test_an_ipv6_address_that_carries_an_ipv4_one_is_judged_by_the_ipv4_one(address, public):
    """6to4, Teredo and IPv4-mapped addresses reach the IPv4 address they wrap: a private one is refused."""
    assert is_public(address) is public
