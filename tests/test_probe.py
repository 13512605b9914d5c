"""The probe against real local servers: HTTP, TCP and DNS on 127.0.0.1, the exact rows it writes, its exit codes."""

from __future__ import annotations

import csv
import io
import json
import lzma
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dns.message
import dns.rcode
import dns.rrset
import pytest
from conftest import LOCAL_PROBE

from generator.commands.probe import probe_command

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC)
SECRET = "s3cr3t-Tok3n-value"
HEADER = ["time", "ok", "latency_ms", "detail"]
SITE = """\
name: Test ISP
base_url: https://support.test.example/
timezone: America/Sao_Paulo
languages: [en]
"""
HOURS = """\
departments:
  - id: support
    name: Support
    channels:
      - id: phone
        type: phone
        contact: "+55 13 3500-0000"
        hours: {mon-fri: 09:00-18:00}
"""


# Servers ---------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    """Answers by path: /ok, /error, /slow, /stuck, /trickle, /redirect, /auth, /big, /latin1."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.seen.append((self.path, dict(self.headers)))
        if self.path == "/stuck":
            self.server.stuck.set()
            time.sleep(3)
        if self.path == "/slow":
            time.sleep(0.3)
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass                # the probe gave up, as it should
            return
        status, body, headers = {
            "/error": (500, b"<h1>Example Networks</h1> internal error", {}),
            "/redirect": (301, b"", {"Location": "/ok"}),
            "/auth": (200 if self.headers.get("Authorization") == f"Bearer {SECRET}" else 401, b"ok", {}),
            "/big": (200, b"a" * 1_100_000 + b"Example Networks", {}),
            "/latin1": (200, "Telecomunicações São Paulo".encode("latin-1"),
                        {"Content-Type": "text/html; charset=iso-8859-1"}),
        }.get(self.path, (200, b"<title>Example Networks</title>", {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def web():
    """An HTTP server on 127.0.0.1 that records what it was sent."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # server_close() waits for the handlers still running (/stuck sleeps 3 s): a thread left behind
    # would keep later tests' builds from forking (parallel.can_fork refuses beside other threads).
    server.daemon_threads = False
    server.block_on_close = True
    server.seen = []
    server.stuck = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def silent_port():
    """A port that accepts connections (the kernel's backlog) but never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


def closed_port() -> int:
    """Return a port on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ZONE = {
    ("www.example.test.", "A"): ["192.0.2.10"],
    ("example.test.", "MX"): ["10 mx1.example.test.", "20 mx2.example.test."],
    ("example.test.", "A"): ["192.0.2.1"],
}


@pytest.fixture(scope="module")
def dns_port():
    """A tiny authoritative DNS server on 127.0.0.1 (UDP) built with dnspython; silent for silent.test."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)              # so that the server notices `stop` (a closed socket does not wake it)
    names = {name for name, _ in ZONE}
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(data)
            question = query.question[0]
            name, kind = question.name.to_text(), dns.rdatatype.to_text(question.rdtype)
            if name == "silent.test.":
                continue
            response = dns.message.make_response(query)
            if name == "broken.test.":
                response.set_rcode(dns.rcode.SERVFAIL)
            elif name not in names:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif (name, kind) in ZONE:
                response.answer.append(dns.rrset.from_text_list(name, 300, "IN", kind, ZONE[name, kind]))
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()                     # a thread left behind keeps later builds from forking
    sock.close()


# Helpers ---------------------------------------------------------------------------------------

def make_site(root: Path, checks: dict[str, str]) -> Path:
    """Write a site whose status.yaml has one component per check (YAML flow mappings)."""
    (root / "site_src").mkdir(parents=True, exist_ok=True)
    (root / "site_src/site.yaml").write_text(SITE)
    (root / "site_src/hours.yaml").write_text(HOURS)
    lines = ["components:"]
    for component, check in checks.items():
        lines += [f"  - id: {component}", f"    name: {component}"]
        if check:
            lines.append(f"    check: {check}")
    (root / "site_src/status.yaml").write_text("\n".join(lines) + "\n")
    return root


def rows(site: Path, component: str, day: str = "2026-11-23") -> list[list[str]]:
    """Return a day file's rows as the csv module reads them, header checked and latencies as 'ms'."""
    text = (site / f"site_src/uptime/{day}/{component}.csv").read_text()
    assert text.endswith("\n")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == HEADER
    return [[t, ok, "ms" if latency else "", detail] for t, ok, latency, detail in parsed[1:]]


def latency(site: Path, component: str) -> float:
    """Return the latency of a component's newest row, as the csv module reads it."""
    text = (site / f"site_src/uptime/2026-11-23/{component}.csv").read_text()
    return float(list(csv.reader(io.StringIO(text)))[-1][2])


def probe(site: Path, environ=None, interactive=False, **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = probe_command(site, NOW, {**LOCAL_PROBE, **(environ or {})}, out, err, interactive=interactive, **kwargs)
    return status, out.getvalue(), err.getvalue()


def cli_environ() -> dict[str, str]:
    """Return the environment of a command run in a process of its own: this one's, without SOURCE_DATE_EPOCH,
    with the allowance of the local servers (conftest.LOCAL_PROBE)."""
    environ = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environ.update(LOCAL_PROBE)
    return environ


def run_cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    environ = cli_environ()
    environ.update(env or {})
    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=60, **kwargs)


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


# HTTP and TCP ----------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.network
def test_http_and_tcp_checks_write_exact_rows(tmp_path, web, silent_port):
    base, server = web
    refused = closed_port()
    site = make_site(tmp_path, {
        "ok": f"{{type: http, url: '{base}/ok', contains: Example Networks, timeout: 2s}}",
        "error": f"{{type: http, url: '{base}/error', contains: Example Networks, timeout: 2s}}",
        "missing": f"{{type: http, url: '{base}/ok', contains: Nowhere Telecom, timeout: 2s}}",
        "slow": f"{{type: http, url: '{base}/slow', timeout: 2s, degraded_after: 100ms}}",
        "stuck": f"{{type: http, url: '{base}/stuck', timeout: 500ms}}",
        "trickle": f"{{type: http, url: '{base}/trickle', contains: zzz, timeout: 500ms}}",
        "silent": f"{{type: http, url: 'http://127.0.0.1:{silent_port}/', timeout: 500ms}}",
        "closed": f"{{type: http, url: 'http://127.0.0.1:{refused}/', timeout: 2s}}",
        "moved": f"{{type: http, url: '{base}/redirect', timeout: 2s}}",
        "redirect": f"{{type: http, url: '{base}/redirect', expect_status: [301], timeout: 2s}}",
        "big": f"{{type: http, url: '{base}/big', contains: Example Networks, timeout: 2s}}",
        "latin": f"{{type: http, url: '{base}/latin1', contains: São Paulo, timeout: 2s}}",
        "port": f"{{type: tcp, host: 127.0.0.1, port: {server.server_address[1]}, timeout: 2s}}",
        "port-closed": f"{{type: tcp, host: 127.0.0.1, port: {refused}, timeout: 2s}}",
        "port-silent": f"{{type: tcp, host: 127.0.0.1, port: {silent_port}, timeout: 2s}}",
        "no-check": "",
    })
    started = time.perf_counter()
    status, out, err = probe(site)
    took = time.perf_counter() - started
    assert (status, err) == (0, "")
    assert re.fullmatch(r"probed 15 components: 6 up, 9 down in \d+\.\d s; down: error \(HTTP 500\), missing "
                        r"\(expected text not found\), stuck \(timeout\), trickle \(timeout\), silent \(timeout\) "
                        r"and 4 more; slow: slow \(\d+ ms, over 0\.1 s\)\n", out), out
    assert took < 1.9, "the checks run concurrently: the slowest one, not their sum, sets the time"
    t = "2026-11-23T13:00:05Z"
    assert {c: rows(site, c) for c in (
        "ok", "error", "missing", "slow", "stuck", "trickle", "silent", "closed", "moved", "redirect", "big", "latin",
        "port", "port-closed", "port-silent")} == {
        "ok": [[t, "1", "ms", "HTTP 200"]],
        "error": [[t, "0", "ms", "HTTP 500"]],
        "missing": [[t, "0", "ms", "expected text not found"]],
        "slow": [[t, "1", "ms", "HTTP 200"]],
        "stuck": [[t, "0", "", "timeout"]],
        "trickle": [[t, "0", "", "timeout"]],
        "silent": [[t, "0", "", "timeout"]],
        "closed": [[t, "0", "", "connection refused"]],
        "moved": [[t, "0", "ms", "HTTP 301 (redirect not followed)"]],
        "redirect": [[t, "1", "ms", "HTTP 301"]],
        "big": [[t, "0", "ms", "expected text not found in the first 1 MB of the body"]],
        "latin": [[t, "1", "ms", "HTTP 200"]],
        "port": [[t, "1", "ms", "connected"]],
        "port-closed": [[t, "0", "", "connection refused"]],
        "port-silent": [[t, "1", "ms", "connected"]],
    }
    assert 300 <= latency(site, "slow") < 1500       # slower than degraded_after, still a success
    assert latency(site, "ok") < 300
    assert not list((site / "site_src/uptime").glob("*/no-check.csv"))
    assert "/redirect" in [path for path, _ in server.seen] and "/ok" in [path for path, _ in server.seen]


@pytest.mark.slow
@pytest.mark.network
def test_a_header_secret_reaches_the_server_but_never_the_files_or_the_console(tmp_path, web):
    base, server = web
    site = make_site(tmp_path, {
        "api": f"{{type: http, url: '{base}/auth', timeout: 2s, headers: {{Authorization: STATUS_TOKEN}}}}",
    })
    # The probe's operator lets STATUS_TOKEN go to this page, over plain http as the local server speaks
    # (tests/security/test_probe_secret_attacks.py: to no other, and over https only unless the entry says http://).
    allowed = {"EXPEDIENTE_PROBE_SECRETS": "STATUS_TOKEN@http://127.0.0.1/auth"}
    status, out, err = probe(site, {**allowed, "STATUS_TOKEN": f"Bearer {SECRET}"}, interactive=True)
    assert status == 0
    assert rows(site, "api") == [["2026-11-23T13:00:05Z", "1", "ms", "HTTP 200"]]
    sent = [headers for path, headers in server.seen if path == "/auth"][-1]
    assert sent["Authorization"] == f"Bearer {SECRET}" and sent["User-Agent"] == "expediente-probe/0.1"
    assert SECRET.encode() not in all_bytes(site) and SECRET not in out + err

    # The same check without the variable, or with a value that cannot be a header: no row, an error, exit 1.
    status, out, err = probe(site, allowed)
    assert (status, out.split(" in ")[0]) == (1, "probed 1 component: 0 up, 0 down, 1 not checked")
    assert err == ("error: api: the environment variable STATUS_TOKEN (for the Authorization header) is not set; "
                   "the check was not run\n")
    status, out, err = probe(site, {**allowed, "STATUS_TOKEN": f"Bearer {SECRET}\r\nX-Evil: 1"})
    assert status == 1 and SECRET not in out + err
    assert err == ("error: api: the value of STATUS_TOKEN cannot be sent in the Authorization header: it holds a "
                   "line break, a control character or a character beyond Latin-1; the check was not run\n")
    status, _, err = probe(site, {**allowed, "STATUS_TOKEN": ""})
    assert "the environment variable STATUS_TOKEN (for the Authorization header) is empty" in err
    assert len(rows(site, "api")) == 1


@pytest.mark.slow
@pytest.mark.network
def test_a_terminal_gets_a_line_per_check(tmp_path, web):
    base, _ = web
    site = make_site(tmp_path, {
        "website": f"{{type: http, url: '{base}/ok', timeout: 2s}}",
        "db": f"{{type: tcp, host: 127.0.0.1, port: {closed_port()}, timeout: 2s}}",
    })
    status, out, _ = probe(site, interactive=True)
    lines = out.splitlines()
    assert status == 0 and len(lines) == 3
    assert sorted(line.split()[0:2] for line in lines[:2]) == [["db", "down"], ["website", "up"]]
    assert [line for line in lines if line.startswith("db")] == ["db       down                -  connection refused"]
    assert lines[2].startswith("probed 2 components: 1 up, 1 down in ")
    assert lines[2].endswith(" s; down: db (connection refused)")


@pytest.mark.slow
@pytest.mark.network
def test_the_summary_names_the_down_and_slow_ones_bounded_for_100_components(tmp_path, web):
    """From cron the summary is all there is to read: it says which are down and why, in one bounded line."""
    base, _ = web
    refused = closed_port()
    checks = {f"db-{n:03}": f"{{type: tcp, host: 127.0.0.1, port: {refused}, timeout: 2s}}" for n in range(98)}
    checks["slow"] = f"{{type: http, url: '{base}/slow', timeout: 2s, degraded_after: 100ms}}"
    checks["website"] = f"{{type: http, url: '{base}/ok', timeout: 2s}}"
    status, out, err = probe(make_site(tmp_path, checks))
    assert (status, err, out.count("\n")) == (0, "", 1)
    summary, _, named = re.fullmatch(r"(.*) in (\d+\.\d s); (.*)\n", out).groups()
    assert summary == "probed 100 components: 2 up, 98 down"
    took_ms = f"{latency(tmp_path, 'slow'):.0f}"
    assert named == ("down: db-000 (connection refused), db-001 (connection refused), db-002 (connection refused), "
                     "db-003 (connection refused), db-004 (connection refused) and 93 more; "
                     f"slow: slow ({took_ms} ms, over 0.1 s)")


# DNS -------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.network
def test_dns_checks_against_a_local_server(tmp_path, dns_port):
    site = make_site(tmp_path, {
        "www": "{type: dns, name: www.example.test, record: A, server: 127.0.0.1, timeout: 2s}",
        "mx": "{type: dns, name: example.test, record: MX, server: 127.0.0.1, timeout: 2s}",
        "gone": "{type: dns, name: gone.example.test, server: 127.0.0.1, timeout: 2s}",
        "v6": "{type: dns, name: www.example.test, record: AAAA, server: 127.0.0.1, timeout: 2s}",
        "broken": "{type: dns, name: broken.test, server: 127.0.0.1, timeout: 2s}",
        "silent": "{type: dns, name: silent.test, server: 127.0.0.1, timeout: 500ms}",
    })
    status, out, err = probe(site, dns_port=dns_port)
    assert (status, err, out.split(" in ")[0]) == (0, "", "probed 6 components: 2 up, 4 down")
    t = "2026-11-23T13:00:05Z"
    assert {c: rows(site, c) for c in ("www", "mx", "gone", "v6", "broken", "silent")} == {
        "www": [[t, "1", "ms", "1 A record"]],
        "mx": [[t, "1", "ms", "2 MX records"]],
        "gone": [[t, "0", "ms", "NXDOMAIN"]],
        "v6": [[t, "0", "ms", "no AAAA record"]],
        "broken": [[t, "0", "ms", "SERVFAIL"]],
        "silent": [[t, "0", "", "timeout"]],
    }


# The command line ------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.network
def test_the_command_line_records_and_prints_one_summary_line(tmp_path, web):
    base, _ = web
    site = make_site(tmp_path, {"website": f"{{type: http, url: '{base}/ok', timeout: 2s}}"})
    result = run_cli("probe", "--site", str(site), "--now", "2026-11-23T10:00:05-03:00",
                     env={"SOURCE_DATE_EPOCH": "1"})
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("probed 1 component: 1 up, 0 down in ") and result.stdout.count("\n") == 1
    assert rows(site, "website") == [["2026-11-23T13:00:05Z", "1", "ms", "HTTP 200"]]



def test_usage_errors_exit_2(tmp_path, capsys):
    from generator.cli import main

    site = make_site(tmp_path, {"website": "{type: tcp, host: 127.0.0.1, port: 9, timeout: 1s}"})
    for now, message in (("yesterday", "--now 'yesterday' is not an ISO 8601 date and time, "
                                       "e.g. 2026-11-23T10:00-03:00"),
                         ("2026-11-23T10:00", "--now '2026-11-23T10:00' needs a time zone, e.g. 2026-11-23T13:00:05Z")):
        assert main(["probe", "--site", str(site), "--now", now], environ={}) == 2
        assert capsys.readouterr().err == f"expediente: error: {message}\n"
    assert main(["probe", "--site", str(tmp_path / "nowhere")], environ={}) == 2
    assert main(["probe", "--bogus"], environ={}) == 2
    assert not (site / "site_src/uptime").exists()


def test_invalid_status_components_are_reported_and_nothing_is_probed(tmp_path):
    site = make_site(tmp_path, {"website": "{type: http, url: 'ftp://example.test/', timeout: 2s}"})
    status, out, err = probe(site)
    assert (status, out) == (1, "")
    assert err == ("site_src/status.yaml:4:30: error: 'ftp://example.test/' is not an http or https address\n"
                   "the status components have errors; nothing was probed\n")
    assert not (site / "site_src/uptime").exists()


def test_a_mistake_in_the_holiday_settings_does_not_stop_the_measurements(tmp_path):
    site = make_site(tmp_path, {"website": "{type: tcp, host: 127.0.0.1, port: 9, timeout: 1s}"})
    (site / "site_src/site.yaml").write_text(SITE + "holidays:\n  country: XX\n")
    status, out, err = probe(site)
    assert (status, err) == (0, "")
    assert [row[:2] for row in rows(site, "website")] == [["2026-11-23T13:00:05Z", "0"]]


@pytest.mark.slow
@pytest.mark.network
def test_a_torn_line_is_repaired_by_the_next_real_probe(tmp_path, web):
    base, _ = web
    site = make_site(tmp_path, {"website": f"{{type: http, url: '{base}/ok', timeout: 2s}}"})
    before = "time,ok,latency_ms,detail\n2026-11-23T12:55:05Z,1,12.5,HTTP 200\n"
    path = site / "site_src/uptime/2026-11-23/website.csv"
    path.parent.mkdir(parents=True)
    path.write_text(before + "2026-11-23T12:58:05Z,0,")
    result = run_cli("probe", "--site", str(site), "--now", "2026-11-23T13:00:05Z")
    assert result.returncode == 0
    assert result.stderr == (
        "site_src/uptime/2026-11-23/website.csv:3:1: warning: removed an unfinished last line "
        "(23 bytes: '2026-11-23T12:58:05Z,0,'), left by a probe stopped while writing\n"
        "  hint: the rows before it are intact\n")
    assert path.read_text().startswith(before + "2026-11-23T13:00:05Z,1,")
    assert rows(site, "website")[1] == ["2026-11-23T13:00:05Z", "1", "ms", "HTTP 200"]


@pytest.mark.slow
@pytest.mark.network
def test_a_probe_killed_while_checking_changes_nothing_and_the_next_one_records(tmp_path, web):
    base, server = web

    def configure(stuck_timeout: str) -> Path:
        return make_site(tmp_path, {
            "website": f"{{type: http, url: '{base}/ok', timeout: 2s}}",
            "stuck": f"{{type: http, url: '{base}/stuck', timeout: {stuck_timeout}}}",
        })

    site = configure("300ms")
    assert probe(site)[0] == 0
    history = {p: p.read_bytes() for p in (site / "site_src/uptime").rglob("*.csv")}
    configure("5s")
    server.stuck.clear()
    environ = cli_environ()
    process = subprocess.Popen([sys.executable, "build.py", "probe", "--site", str(site), "--now",
                                "2026-11-23T13:05:05Z"], cwd=ROOT, env=environ)
    assert server.stuck.wait(10)
    process.send_signal(signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL
    assert {p: p.read_bytes() for p in (site / "site_src/uptime").rglob("*.csv")} == history
    configure("300ms")
    assert probe(site)[0] == 0
    assert rows(site, "stuck") == [["2026-11-23T13:00:05Z", "0", "", "timeout"]] * 2
    assert len(rows(site, "website")) == 2


@pytest.mark.slow
@pytest.mark.network
def test_two_probes_at_once_write_whole_lines(tmp_path, web):
    base, _ = web
    site = make_site(tmp_path, {f"c{n}": f"{{type: http, url: '{base}/ok', timeout: 2s}}" for n in range(8)})
    environ = cli_environ()
    processes = [subprocess.Popen([sys.executable, "build.py", "probe", "--site", str(site), "--now", now],
                                  cwd=ROOT, env=environ, stdout=subprocess.DEVNULL)
                 for now in ("2026-11-23T13:00:05Z", "2026-11-23T13:00:06Z")]
    assert [p.wait(30) for p in processes] == [0, 0]
    for n in range(8):
        assert sorted(rows(site, f"c{n}")) == [["2026-11-23T13:00:05Z", "1", "ms", "HTTP 200"],
                                               ["2026-11-23T13:00:06Z", "1", "ms", "HTTP 200"]]


@pytest.mark.slow
@pytest.mark.network
def test_an_unwritable_history_folder_is_a_clear_error(tmp_path, web):
    base, _ = web
    site = make_site(tmp_path, {"website": f"{{type: http, url: '{base}/ok', timeout: 2s}}"})
    (site / "site_src/uptime").mkdir(mode=0o555)
    (site / "site_src/uptime").chmod(0o555)
    command = [sys.executable, "build.py", "probe", "--site", str(site), "--now", "2026-11-23T13:00:05Z"]
    if os.geteuid() == 0:
        # Root writes through permissions; without its capabilities it is held to them like anyone.
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv to drop capabilities")
        command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *command]
    try:
        environ = cli_environ()
        result = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1
        assert result.stdout.startswith("probed 1 component: 1 up, 0 down in ")
        assert result.stderr == (
            "site_src/uptime/.lock: error: cannot record the probe's results: permission denied\n"
            "  hint: let the user that runs the probe write to site_src/uptime/\n")
        assert list((site / "site_src/uptime").iterdir()) == []
    finally:
        (site / "site_src/uptime").chmod(0o755)


def test_the_probe_closes_past_months_after_recording_and_leaves_the_current_one(tmp_path, web):
    base, _ = web
    site = make_site(tmp_path, {"website": f"{{type: http, url: '{base}/ok', timeout: 2s}}"})
    folder = site / "site_src/uptime/website"
    folder.mkdir(parents=True)
    october = "time,ok,latency_ms,detail\n2026-10-05T12:00:00Z,1,20.0,HTTP 200\n2026-10-31T23:59:00Z,0,,timeout\n"
    (folder / "2026-10.csv").write_text(october)
    result = run_cli("probe", "--site", str(site), "--now", "2026-11-23T10:00:05-03:00")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1] == \
        "closed 1 past month file into .csv.xz and .days.json (site_src/uptime/website/2026-10.csv)"
    assert sorted(p.name for p in folder.iterdir()) == ["2026-10.csv.xz", "2026-10.days.json"]
    assert rows(site, "website")[0][:2] == ["2026-11-23T13:00:05Z", "1"]
    assert lzma.decompress((folder / "2026-10.csv.xz").read_bytes()).decode() == october
    assert json.loads((folder / "2026-10.days.json").read_bytes())["days"] == [
        ["2026-10-05", 1, 1, 0, [200], [1]], ["2026-10-31", 1, 0, 0, [], []]]
    # The next run has nothing to close, and says nothing about it.
    result = run_cli("probe", "--site", str(site), "--now", "2026-11-23T10:05:05-03:00")
    assert result.returncode == 0 and result.stdout.count("\n") == 1


def over_the_limit(site: Path, outside: Path) -> None:
    """101 probed components where a site may have 100: the build refuses the file, so does the probe."""
    make_site(site, {f"c{n}": "{type: tcp, host: 127.0.0.1, port: 9, timeout: 1s}" for n in range(101)})


def linked_out_of_the_site(site: Path, outside: Path) -> None:
    """status.yaml a link to a file outside the site (its check would be probed had the probe read it)."""
    make_site(outside, {"website": "{type: tcp, host: 127.0.0.1, port: 9, timeout: 1s}"})
    (site / "site_src/status.yaml").unlink()
    (site / "site_src/status.yaml").symlink_to(outside / "site_src/status.yaml")


def a_bad_port(site: Path, outside: Path) -> None:
    make_site(site, {"website": "{type: tcp, host: 127.0.0.1, port: 70000, timeout: 1s}"})


@pytest.mark.parametrize("spoil", [over_the_limit, linked_out_of_the_site, a_bad_port])
def test_a_bad_status_yaml_gives_the_probe_the_errors_check_gives(tmp_path, capsys, spoil):
    """The probe loads the settings as the build does: the same errors, placed alike, and nothing probed."""
    from generator.cli import main

    site = make_site(tmp_path / "site", {})
    (site / "notices").mkdir()
    spoil(site, tmp_path / "outside")
    assert main(["check", "--site", str(site), "--now", "2026-11-23T10:00:05-03:00"], environ={}) == 1
    checked = capsys.readouterr().err
    assert main(["probe", "--site", str(site), "--now", "2026-11-23T10:00:05-03:00"], environ={}) == 1
    probed = capsys.readouterr()
    errors = checked.rsplit("\n", 2)[0] + "\n"         # check's count of errors aside
    assert errors.startswith("site_src/status.yaml:") and ": error: " in errors
    assert (probed.out, probed.err) == ("", errors + "the status components have errors; nothing was probed\n")
    assert not (site / "site_src/uptime").exists()


def test_what_the_probe_does_not_use_does_not_stop_it_and_a_missing_status_yaml_does(tmp_path):
    """Loaded as the build loads them, hours.yaml and the notices are read too; their mistakes are the build's."""
    site = make_site(tmp_path, {"website": "{type: tcp, host: 127.0.0.1, port: 9, timeout: 1s}"})
    (site / "site_src/hours.yaml").write_text("departments: [\n")
    (site / "notices").mkdir()
    (site / "notices/2026-11-20-broken.md").write_text("---\ntitle: [\n")
    status, out, err = probe(site)
    assert (status, err) == (0, "")
    assert [row[:2] for row in rows(site, "website")] == [["2026-11-23T13:00:05Z", "0"]]
    (site / "site_src/status.yaml").unlink()
    assert probe(site) == (1, "", "site_src/status.yaml:1:1: error: the file is missing\n  hint: create "
                                  "site_src/status.yaml: docs/format.md describes it, and 'init' writes a commented one\n"
                                  "the status components have errors; nothing was probed\n")


def uptime_linked_out(site: Path, victim: Path) -> str:
    """site_src/uptime a link to a folder outside the site: the day folders would be made in it."""
    (site / "site_src/uptime").symlink_to(victim.parent, target_is_directory=True)
    return ("site_src/uptime:1:1: error: the folder is a symbolic link to a folder outside the site\n"
            "  hint: replace the link with the folder itself\n")


def day_file_linked_out(site: Path, victim: Path) -> str:
    """Today's day file a link to a file outside the site: the row would be appended to that file."""
    (site / "site_src/uptime/2026-11-23").mkdir(parents=True)
    (site / "site_src/uptime/2026-11-23/website.csv").symlink_to(victim)
    return ("site_src/uptime/2026-11-23/website.csv:1:1: error: the file is a symbolic link to a file outside "
            "the site\n  hint: replace the link with a copy of the file, or with a relative link to a file inside "
            "the site\n")


@pytest.mark.parametrize("spoil", [uptime_linked_out, day_file_linked_out])
def test_a_link_out_of_the_site_in_the_history_stops_the_probe_as_it_stops_check(tmp_path, capsys, spoil):
    """What the probe writes to is refused by check when a link leads it out of the site: the probe writes
    no row through it (it would append to, or make folders in, whatever the link names)."""
    from generator.cli import main

    site = make_site(tmp_path / "site", {"website": "{type: tcp, host: 127.0.0.1, port: 9, timeout: 1s}"})
    victim = tmp_path / "outside/victim.txt"
    victim.parent.mkdir()
    victim.write_text("not the site's\n")
    error = spoil(site, victim)
    assert main(["check", "--site", str(site), "--now", "2026-11-23T10:00:05-03:00"], environ={}) == 1
    assert capsys.readouterr().err == error + "1 error\n"
    assert probe(site) == (1, "", error + "the probe's history has errors; nothing was probed\n")
    assert victim.read_text() == "not the site's\n" and os.listdir(victim.parent) == ["victim.txt"]


def test_the_probe_starts_without_the_pipeline_or_the_notices(tmp_path):
    """The probe starts every minute: it reads the settings as load() does but imports no more than it needs
    (the pipeline's modules, with the notices' checks, cost it a tenth of a second) and lists no notice."""
    site = make_site(tmp_path / "site", {"website": "{type: tcp, host: 127.0.0.1, port: 9, timeout: 1s}"})
    (site / "notices").mkdir()
    (site / "notices/2026-11-20-broken.md").write_text("---\ntitle: [\n")
    script = ("import sys\nfrom generator.cli import main\n"
              f"status = main(['probe', '--site', {str(site)!r}, '--now', '2026-11-23T10:00:05-03:00'], "
              f"environ={dict(LOCAL_PROBE)!r})\n"
              "print(status, sorted(name for name in sys.modules if name.startswith(('generator.pipeline', "
              "'generator.parallel', 'generator.validate.notices'))))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (result.stdout.splitlines()[-1], result.stderr) == ("0 []", "")
    assert [row[:2] for row in rows(site, "website")] == [["2026-11-23T13:00:05Z", "0"]]
