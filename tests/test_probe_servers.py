"""The HTTP check against the servers it meets in the field, each a real server on a real socket.

HTTP/1.0 (the standard library's file server, which closes after each answer), HTTP/1.1
with Content-Length and `Connection: close`, chunked bodies, gzip, a body beyond the
read limit, a self-signed certificate, a redirect, a server that stalls or hangs up
mid-body, and IPv6 on [::1]; then Debian's nginx, as most sites run it (.ci/run installs
it; elsewhere the nginx test is skipped when there is none). Every check must end in a row with a fixed detail: none
may end in "internal error", and one check going wrong never stops the others.
"""

from __future__ import annotations

import gzip
import http.server
import io
import shutil
import socket
import ssl
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import LOCAL_PROBE
from helpers_vnu import require

from generator.commands.probe import probe_command, run_checks
from generator.model import Check, Component, Text
from generator.probe.checks import check_http

NOW = datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC)
T = "2026-11-23T13:00:05Z"
PAGE = b"<!doctype html><title>Example Networks</title><p>Todos os sistemas funcionando.</p>"
GZIP_BOMB = gzip.compress(bytes(20_000_000) + PAGE, compresslevel=1, mtime=0)
# A self-signed certificate for localhost and 127.0.0.1, valid until 2126 (openssl req -x509 -days 36500).
CERTIFICATE = """\
-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUeqUykVjyIpYwbilXZPVFik+lZFgwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNzA2NDgzOVoYDzIxMjYxMTEz
MDY0ODM5WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATnP3OGhgOIaHptloqQi7NpahhEb6cPNqELrzdB5+870Axq+eHwMpZ5
kwYaKO/t2npVWUrcNKXjGj8wSO9kyG+Go28wbTAdBgNVHQ4EFgQU/Nx0dCoyVHmm
H7XAmdsye3dD0CQwHwYDVR0jBBgwFoAU/Nx0dCoyVHmmH7XAmdsye3dD0CQwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSQAwRgIhAJocGoCJepm2CfV1yoD/4e/2BRIMDmUYfGVSnJu0t40kAiEA
hcdY3oBN/mufuQSl161+FmFqrUQggdmX//WV9HRwT8o=
-----END CERTIFICATE-----
"""
KEY = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgP0Eo+AwtH5atVv/W
qjjAukXdXAYOoIItSrVI2hcUZF+hRANCAATnP3OGhgOIaHptloqQi7NpahhEb6cP
NqELrzdB5+870Axq+eHwMpZ5kwYaKO/t2npVWUrcNKXjGj8wSO9kyG+G
-----END PRIVATE KEY-----
"""


# Servers ---------------------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 answers by path, each closing the connection as servers do when asked to."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.seen.append((self.path, dict(self.headers)))
        route = getattr(self, "route_" + self.path.strip("/").replace("-", "_"), None)
        if route is None:
            return self.answer(404, b"not here")
        route()

    def answer(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def route_close(self):
        """Content-Length and Connection: close, as nginx and Apache answer the probe's own `Connection: close`."""
        self.answer(200, PAGE, Content_Type="text/html; charset=utf-8")

    def route_chunked(self):
        """A chunked body whose text is split across chunks, sent in several writes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in (PAGE[:20], PAGE[20:30], PAGE[30:], b""):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.flush()
            time.sleep(0.02)
        self.close_connection = True

    def gzipped(self) -> bytes | None:
        if "gzip" not in self.headers.get("Accept-Encoding", ""):
            self.answer(406, b"ask for gzip")
            return None
        return gzip.compress(PAGE, mtime=0)

    def route_gzip(self):
        """Only when asked for, like a server with compression on."""
        if (body := self.gzipped()) is not None:
            self.answer(200, body, Content_Type="text/html; charset=utf-8", Content_Encoding="gzip", Vary="Accept-Encoding")

    def route_gzip_chunked(self):
        if (body := self.gzipped()) is None:
            return
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in (body[:10], body[10:], b""):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.close_connection = True

    def route_gzip_bomb(self):
        """20 MB of zeros in under 100 kB, then the text: the probe must stop at its limit, not inflate it all."""
        self.answer(200, GZIP_BOMB, Content_Encoding="gzip")

    def route_big(self):
        """The text only after the first MB."""
        self.answer(200, b"a" * 1_100_000 + PAGE, Content_Type="text/html")

    def route_brotli(self):
        self.answer(200, b"\x1b\x00\xf8\xff", Content_Encoding="br")

    def route_moved(self):
        self.answer(302, b"", Location="/close")

    def route_stall(self):
        """Headers and a first part of the body, then nothing more."""
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAGE) + 1000))
        self.end_headers()
        self.wfile.write(PAGE[:10])
        self.wfile.flush()
        self.server.release.wait(5)
        self.close_connection = True

    def route_hang_up(self):
        """A body cut short: the connection closes before Content-Length bytes came."""
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAGE) + 1000))
        self.end_headers()
        self.wfile.write(PAGE[:10])
        self.close_connection = True

    def route_hang_up_chunked(self):
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(PAGE), PAGE[:10]))
        self.close_connection = True

    def log_message(self, *args):
        pass


class Http10Handler(Handler):
    """HTTP/1.0: no Content-Length, the body ends when the server closes the connection."""

    protocol_version = "HTTP/1.0"

    def route_plain(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE)


class FileHandler(http.server.SimpleHTTPRequestHandler):
    """The standard library's file server, as `python -m http.server` runs it (HTTP/1.0)."""

    def log_message(self, *args):
        pass


class IPv6Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def serve(server: http.server.HTTPServer) -> http.server.HTTPServer:
    server.daemon_threads = True
    server.block_on_close = False
    server.seen = []
    server.release = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Every server of the matrix, by name: (base url, server)."""
    files = tmp_path_factory.mktemp("files")
    (files / "index.html").write_bytes(PAGE)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    (files / "cert.pem").write_text(CERTIFICATE + KEY)
    tls.load_cert_chain(files / "cert.pem")
    made = {
        "1.1": serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)),
        "1.0": serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Http10Handler)),
        "files": serve(http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: FileHandler(*a, directory=str(files)))),
        "tls": serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)),
        "v6": serve(IPv6Server(("::1", 0), Handler)),
    }
    made["tls"].socket = tls.wrap_socket(made["tls"].socket, server_side=True)
    urls = {name: f"{'https' if name == 'tls' else 'http'}://"
                  f"{'[::1]' if name == 'v6' else '127.0.0.1'}:{server.server_address[1]}"
            for name, server in made.items()}
    yield {name: (urls[name], server) for name, server in made.items()}
    for server in made.values():
        server.release.set()
        server.shutdown()
        server.server_close()


def make_site(root: Path, checks: dict[str, str]) -> Path:
    """Write a site whose status.yaml has one component per check (YAML flow mappings)."""
    (root / "site_src").mkdir(parents=True, exist_ok=True)
    (root / "site_src/site.yaml").write_text(
        "name: Test ISP\nbase_url: https://support.test.example/\ntimezone: America/Sao_Paulo\nlanguages: [en]\n")
    lines = ["components:"]
    for component, check in checks.items():
        lines += [f"  - id: {component}", f"    name: {component}", f"    check: {check}"]
    (root / "site_src/status.yaml").write_text("\n".join(lines) + "\n")
    return root


def every_recorded(site: Path) -> dict[str, list[str]]:
    """Return every component's rows of NOW's day (the probe writes a folder per UTC day), by component."""
    day = site / "site_src/uptime" / NOW.date().isoformat()
    return {path.stem: recorded(site, path.stem) for path in sorted(day.glob("*.csv"))}


def recorded(site: Path, component: str) -> list[str]:
    """Return a component's rows with the latency replaced by 'ms' (measured) or '' (none)."""
    lines = (site / f"site_src/uptime/{NOW.date().isoformat()}/{component}.csv").read_text().splitlines()
    assert lines[0] == "time,ok,latency_ms,detail"
    found = []
    for line in lines[1:]:
        at, ok, latency, detail = line.split(",", 3)
        found.append(",".join((at, ok, "ms" if latency else "", detail)))
    return found


# The matrix ------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.network
def test_every_server_gives_a_row_with_a_clear_detail(tmp_path, servers):
    url = {name: base for name, (base, _) in servers.items()}
    # Generous timeouts: a loaded CI machine must not turn an answer into "timeout"; only the stall waits it out.
    contains = "contains: Todos os sistemas, timeout: 5s"
    site = make_site(tmp_path, {
        "http10": f"{{type: http, url: '{url['1.0']}/plain', {contains}}}",
        "http10-files": f"{{type: http, url: '{url['files']}/', {contains}}}",
        "http10-status": f"{{type: http, url: '{url['files']}/index.html', timeout: 5s}}",
        "close": f"{{type: http, url: '{url['1.1']}/close', {contains}}}",
        "chunked": f"{{type: http, url: '{url['1.1']}/chunked', {contains}}}",
        "gzip": f"{{type: http, url: '{url['1.1']}/gzip', {contains}}}",
        "gzip-chunked": f"{{type: http, url: '{url['1.1']}/gzip-chunked', {contains}}}",
        "gzip-bomb": f"{{type: http, url: '{url['1.1']}/gzip-bomb', {contains}}}",
        "big": f"{{type: http, url: '{url['1.1']}/big', {contains}}}",
        "brotli": f"{{type: http, url: '{url['1.1']}/brotli', {contains}}}",
        "moved": f"{{type: http, url: '{url['1.1']}/moved', {contains}}}",
        "moved-expected": f"{{type: http, url: '{url['1.0']}/moved', expect_status: [302], timeout: 5s}}",
        "stall": f"{{type: http, url: '{url['1.1']}/stall', contains: Todos os sistemas, timeout: 1s}}",
        "hang-up": f"{{type: http, url: '{url['1.0']}/hang-up', {contains}}}",
        "hang-up-chunked": f"{{type: http, url: '{url['1.1']}/hang-up-chunked', {contains}}}",
        "tls": f"{{type: http, url: '{url['tls']}/close', {contains}}}",
        "ipv6": f"{{type: http, url: '{url['v6']}/chunked', {contains}}}",
    })
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    status = probe_command(site, NOW, LOCAL_PROBE, out, err, interactive=False)
    took = time.perf_counter() - started
    assert (status, err.getvalue()) == (0, "")
    assert out.getvalue().startswith("probed 17 components: 9 up, 8 down in ")
    assert every_recorded(site) == {
        "http10": [f"{T},1,ms,HTTP 200"],
        "http10-files": [f"{T},1,ms,HTTP 200"],
        "http10-status": [f"{T},1,ms,HTTP 200"],
        "close": [f"{T},1,ms,HTTP 200"],
        "chunked": [f"{T},1,ms,HTTP 200"],
        "gzip": [f"{T},1,ms,HTTP 200"],
        "gzip-chunked": [f"{T},1,ms,HTTP 200"],
        "gzip-bomb": [f"{T},0,ms,expected text not found in the first 1 MB of the body"],
        "big": [f"{T},0,ms,expected text not found in the first 1 MB of the body"],
        "brotli": [f"{T},0,ms,body in an encoding the probe cannot read"],
        "moved": [f"{T},0,ms,HTTP 302 (redirect not followed)"],
        "moved-expected": [f"{T},1,ms,HTTP 302"],
        "stall": [f"{T},0,,timeout"],
        "hang-up": [f"{T},0,ms,connection closed before the end of the body"],
        "hang-up-chunked": [f"{T},0,ms,connection closed before the end of the body"],
        "tls": [f"{T},0,,TLS certificate not valid (self-signed)"],
        "ipv6": [f"{T},1,ms,HTTP 200"],
    }
    assert took < 5, "the checks run concurrently"
    # The probe asked for gzip, and never followed the redirect to /close on the HTTP/1.0 server.
    sent = dict(servers["1.1"][1].seen)
    assert sent["/gzip"]["Accept-Encoding"] == "gzip" and sent["/close"]["Connection"] == "close"
    assert [path for path, _ in servers["1.0"][1].seen].count("/close") == 0
    assert servers["v6"][1].seen[0][1]["Host"] == f"[::1]:{servers['v6'][1].server_address[1]}"


@pytest.mark.slow
@pytest.mark.network
def test_a_stalled_body_times_out_in_the_check_itself(servers):
    """Without the runner's watch: the check gives up at its own timeout, long before the server lets go (5 s)."""
    base, _ = servers["1.1"]
    started = time.perf_counter()
    result = check_http(Check(type="http", timeout=0.5, url=f"{base}/stall", contains="Todos"), LOCAL_PROBE, NOW)
    assert (result.ok, result.latency_ms, result.detail) == (False, None, "timeout")
    assert 0.5 <= time.perf_counter() - started < 2.5


@pytest.mark.slow
@pytest.mark.network
def test_a_check_without_contains_asks_for_the_body_as_it_is(tmp_path, servers):
    base, server = servers["1.1"]
    site = make_site(tmp_path, {"website": f"{{type: http, url: '{base}/gzip', expect_status: [406], timeout: 5s}}"})
    assert probe_command(site, NOW, LOCAL_PROBE, io.StringIO(), io.StringIO(), interactive=False) == 0
    assert recorded(site, "website") == [f"{T},1,ms,HTTP 406"]
    assert [headers for path, headers in server.seen if path == "/gzip"][-1]["Accept-Encoding"] == "identity"


@pytest.mark.slow
@pytest.mark.network
def test_an_unexpected_error_in_one_check_is_that_checks_failed_row(servers):
    """A check the probe cannot carry out (here an unknown record type, which status.yaml refuses) fails alone."""
    base, _ = servers["1.1"]
    good = Component("website", Text.plain("Website"), check=Check(type="http", timeout=1.0, url=f"{base}/close",
                                                                    contains="Example Networks"))
    bad = Component("broken", Text.plain("Broken"), check=Check(type="dns", timeout=1.0, name="example.test",
                                                                  record="BOGUS", server="127.0.0.1"))
    outcomes = run_checks((bad, good), LOCAL_PROBE, NOW)
    assert [(o.component.id, o.result.ok, o.result.detail, o.problem) for o in outcomes] == [
        ("broken", False, "check failed (UnknownRdatatype)", None),
        ("website", True, "HTTP 200", None),
    ]


@pytest.mark.slow
@pytest.mark.network
def test_a_caller_of_the_checks_cannot_send_an_unlisted_variable_either(servers):
    """The command refuses such a header before it measures; run_checks, called on its own, refuses it too."""
    base, server = servers["1.1"]
    check = Check(type="http", timeout=1.0, url=f"{base}/close", headers=(("Authorization", "STATUS_TOKEN"),))
    before = len(server.seen)
    environ = {**LOCAL_PROBE, "STATUS_TOKEN": "tok-0001",
               "EXPEDIENTE_PROBE_SECRETS": "STATUS_TOKEN@https://www.example.net/close"}
    (outcome,) = run_checks((Component("api", Text.plain("API"), check=check),), environ, NOW)
    host = base.removeprefix("http://")
    assert (outcome.result, outcome.problem) == (
        None, f"the probe may not send the variable STATUS_TOKEN to {host}/close over plain http: "
              f"EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@http://{host}/close")
    # Listed for the page without the scheme, it goes over https only: the url is plain http.
    environ["EXPEDIENTE_PROBE_SECRETS"] += f" STATUS_TOKEN@{host}/close"
    (outcome,) = run_checks((Component("api", Text.plain("API"), check=check),), environ, NOW)
    assert outcome.problem == (f"the probe may not send the variable STATUS_TOKEN to {host}/close over plain http: "
                               f"EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@http://{host}/close")
    # Listed for another page of the host, or for the host without a path, it does not go either.
    environ["EXPEDIENTE_PROBE_SECRETS"] += f" STATUS_TOKEN@http://{host}/health STATUS_TOKEN@http://{host}"
    (outcome,) = run_checks((Component("api", Text.plain("API"), check=check),), environ, NOW)
    assert outcome.problem.startswith("the probe may not send the variable STATUS_TOKEN to ")
    assert len(server.seen) == before
    environ["EXPEDIENTE_PROBE_SECRETS"] += f" STATUS_TOKEN@http://{host}/close"
    (outcome,) = run_checks((Component("api", Text.plain("API"), check=check),), environ, NOW)
    assert outcome.result.detail == "HTTP 200" and server.seen[-1][1]["Authorization"] == "tok-0001"


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.parametrize("entry", ["STATUS_TOKEN@127.0.0.1/close", "STATUS_TOKEN@127.0.0.1:{port}/close",
                                   "STATUS_TOKEN@http://127.0.0.1:{port}/close", "STATUS_TOKEN@https://127.0.0.1/",
                                   "STATUS_TOKEN@Https://127.0.0.1:{port}/close"],
                         ids=["host", "port", "http", "https", "https_port"])
def test_an_https_check_may_send_a_variable_listed_with_or_without_the_http_scheme(servers, entry):
    """Over https any entry for the host lets its variable go (one naming http allows plain http as well); the
    self-signed server is then reached, and the row says what it found."""
    base, _ = servers["tls"]
    port = base.rsplit(":", 1)[1]
    check = Check(type="http", timeout=1.0, url=f"{base}/close", headers=(("Authorization", "STATUS_TOKEN"),))
    environ = {**LOCAL_PROBE, "STATUS_TOKEN": "tok-0001", "EXPEDIENTE_PROBE_SECRETS": entry.format(port=port)}
    (outcome,) = run_checks((Component("api", Text.plain("API"), check=check),), environ, NOW)
    assert (outcome.problem, outcome.result.detail) == (None, "TLS certificate not valid (self-signed)")
    environ["EXPEDIENTE_PROBE_SECRETS"] = f"STATUS_TOKEN@http://127.0.0.1:{int(port) % 65535 + 1}/close"
    (outcome,) = run_checks((Component("api", Text.plain("API"), check=check),), environ, NOW)
    assert outcome.problem == (f"the probe may not send the variable STATUS_TOKEN to 127.0.0.1:{port}/close: "
                               f"EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@https://127.0.0.1:{port}/close")


# nginx -----------------------------------------------------------------------------------------

NGINX = """\
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log stderr error;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
    types {{ text/html html; }}
    charset utf-8;
    gzip on;
    gzip_min_length 20;
    server {{
        listen 127.0.0.1:{port};
        listen [::1]:{port};
        root {dir}/www;
        location = /moved {{ return 301 /index.html; }}
        location /plain/ {{ gzip off; }}
    }}
    server {{
        listen 127.0.0.1:{tls} ssl;
        ssl_certificate {dir}/tls.pem;
        ssl_certificate_key {dir}/tls.pem;
        root {dir}/www;
    }}
}}
"""


def free_port() -> int:
    """Return a port free on both 127.0.0.1 and [::1] a moment ago."""
    while True:
        with socket.socket(socket.AF_INET6) as v6:
            v6.bind(("::1", 0))
            port = v6.getsockname()[1]
            with socket.socket() as v4:
                try:
                    v4.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    """Debian's nginx on 127.0.0.1 and [::1] (HTTP) and 127.0.0.1 (TLS, self-signed), serving a few files."""
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    require(binary is not None, "nginx", "install it, e.g. `apt-get install nginx` (.ci/run does)")
    folder = tmp_path_factory.mktemp("nginx")
    (folder / "www/plain").mkdir(parents=True)
    (folder / "tmp").mkdir()
    for name in ("index.html", "plain/index.html"):
        (folder / "www" / name).write_bytes(PAGE)
    (folder / "www/big.html").write_bytes(b"a" * 1_100_000 + PAGE)
    (folder / "tls.pem").write_text(CERTIFICATE + KEY)
    port, tls = free_port(), free_port()
    (folder / "nginx.conf").write_text(NGINX.format(dir=folder, port=port, tls=tls))
    process = subprocess.Popen([binary, "-e", "stderr", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.communicate()[1].decode(errors='replace')}")
            time.sleep(0.05)
    yield port, tls
    process.terminate()
    process.wait(10)


@pytest.mark.slow
@pytest.mark.network
def test_nginx_as_most_sites_run_it(tmp_path, nginx):
    port, tls = nginx
    contains = "contains: Todos os sistemas, timeout: 5s"
    site = make_site(tmp_path, {
        # gzip on: a gzip, chunked body and Connection: close, the case that once crashed the probe.
        "gzip": f"{{type: http, url: 'http://127.0.0.1:{port}/', {contains}}}",
        "plain": f"{{type: http, url: 'http://127.0.0.1:{port}/plain/', {contains}}}",
        "ipv6": f"{{type: http, url: 'http://[::1]:{port}/index.html', {contains}}}",
        "big": f"{{type: http, url: 'http://127.0.0.1:{port}/big.html', {contains}}}",
        "missing": f"{{type: http, url: 'http://127.0.0.1:{port}/missing.html', {contains}}}",
        "moved": f"{{type: http, url: 'http://127.0.0.1:{port}/moved', {contains}}}",
        "moved-expected": f"{{type: http, url: 'http://127.0.0.1:{port}/moved', expect_status: [301], timeout: 5s}}",
        "tls": f"{{type: http, url: 'https://127.0.0.1:{tls}/', {contains}}}",
    })
    out, err = io.StringIO(), io.StringIO()
    assert (probe_command(site, NOW, LOCAL_PROBE, out, err, interactive=False), err.getvalue()) == (0, "")
    assert every_recorded(site) == {
        "gzip": [f"{T},1,ms,HTTP 200"],
        "plain": [f"{T},1,ms,HTTP 200"],
        "ipv6": [f"{T},1,ms,HTTP 200"],
        "big": [f"{T},0,ms,expected text not found in the first 1 MB of the body"],
        "missing": [f"{T},0,ms,HTTP 404"],
        "moved": [f"{T},0,ms,HTTP 301 (redirect not followed)"],
        "moved-expected": [f"{T},1,ms,HTTP 301"],
        "tls": [f"{T},0,,TLS certificate not valid (self-signed)"],
    }
