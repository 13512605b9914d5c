"""A pushed status.yaml names header variables and urls; the probe's operator alone says which variable may go
to which url (EXPEDIENTE_PROBE_SECRETS). Each test runs `python build.py probe` against a real local server
that records every connection and every header it receives."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import LOCAL_PROBE, ROOT, serving

# Each test runs the command line in a process of its own.
pytestmark = pytest.mark.slow

NOW = "2026-11-23T10:00:00-03:00"
TOKEN = "tok-0001-of-the-status-page"
EXPORT = b"customer,password\nalice,hunter2\n"
SECRETS = {"PROBE_TOKEN": "glpat-write-repository-0001", "CI_JOB_TOKEN": "job-token-0002",
           "AWS_SECRET_ACCESS_KEY": "aws-secret-0003"}
NOTHING = "EXPEDIENTE_PROBE_SECRETS does not let every header go where its check sends it; nothing was probed\n"
PLAIN_HINT = (
    "  hint: over plain http the value crosses the network in clear text: give the check an https:// url, or, if "
    "{host} is meant to receive {variable} in clear text (a probe on a private network), the probe's operator adds "
    "{variable}@http://{host} to EXPEDIENTE_PROBE_SECRETS where the probe runs (the cron job's environment, the "
    "CI's variables), never in the repository; docs/format.md says how\n")


def run(site: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run build.py with the test's environment only: nothing of the caller's EXPEDIENTE_* leaks in. The local
    listener stands for a remote host: private addresses are allowed, so that only the list decides."""
    base = {key: value for key, value in os.environ.items()
            if not key.startswith("EXPEDIENTE_") and key != "SOURCE_DATE_EPOCH" and key not in SECRETS}
    base.update(LOCAL_PROBE)
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=120, env={**base, **(env or {})})


class _Recorder(BaseHTTPRequestHandler):
    """Answers every path "ok", and /admin/export.csv, to the token only, with what only the token opens."""

    def do_GET(self):
        self.server.seen.append(dict(self.headers.items()))
        self.server.paths.append(self.path)
        authorised = self.headers.get("Authorization") == TOKEN
        body = EXPORT if authorised and self.path == "/admin/export.csv" else b"" \
            if self.path == "/admin/export.csv" else b"ok"
        self.send_response(200 if body else 401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Listener(ThreadingHTTPServer):
    """Counts the connections it accepts, so that a test can tell that the probe never connected."""

    def __init__(self, address, family=socket.AF_INET):
        self.address_family = family
        self.connections = 0
        self.seen: list[dict[str, str]] = []
        self.paths: list[str] = []
        super().__init__(address, _Recorder)

    def verify_request(self, request, client_address):
        self.connections += 1
        return True


@pytest.fixture
def listener():
    """A real HTTP server on 127.0.0.1 standing for some host; yields the server (its port, what it received)."""
    server = _Listener(("127.0.0.1", 0))
    with serving(server):
        yield server


def status_yaml(url: str, headers: str = "{Authorization: STATUS_TOKEN}") -> str:
    return ("components:\n  - id: portal\n    name: Portal\n    check:\n      type: http\n"
            f"      url: {url}\n      timeout: 2s\n      headers: {headers}\n")


def rows(site: Path) -> list[Path]:
    return sorted((site / "site_src" / "uptime").rglob("*.csv")) if (site / "site_src" / "uptime").exists() else []


def test_a_pushed_check_cannot_send_the_servers_other_secrets_to_the_pushers_host(make_site, listener):
    # The probe's environment holds what its job needs: the token that pushes its rows
    # (docs/deploy-gitlab-pages.md: PROBE_TOKEN, write_repository), the CI's job token, a deploy key.
    # A pusher names them as header variables of a check whose url is the pusher's own host.
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(
        f"http://127.0.0.1:{port}/", "{X-A: PROBE_TOKEN, X-B: CI_JOB_TOKEN, X-C: AWS_SECRET_ACCESS_KEY}")})
    assert run(site, "check").returncode == 0        # the push is valid: only the operator's list decides
    # The operator lets STATUS_TOKEN go to the status host's health page, and nothing else anywhere.
    done = run(site, "probe", env={**SECRETS, "EXPEDIENTE_PROBE_SECRETS": "STATUS_TOKEN@https://www.example.net/health"})
    assert done.returncode == 1
    assert done.stderr == "".join(
        f"site_src/status.yaml:8:{column}: error: the probe may not send the variable {name} to 127.0.0.1:{port}/ over "
        f"plain http: EXPEDIENTE_PROBE_SECRETS does not list {name}@http://127.0.0.1:{port}/\n"
        + PLAIN_HINT.format(variable=name, host=f"127.0.0.1:{port}/")
        for column, name in ((22, "PROBE_TOKEN"), (40, "CI_JOB_TOKEN"), (59, "AWS_SECRET_ACCESS_KEY"))) + NOTHING
    assert done.stdout == ""
    assert (listener.connections, listener.seen, rows(site)) == (0, [], [])
    assert not [value for value in SECRETS.values() if value in done.stdout + done.stderr]


def test_a_variable_listed_for_the_checks_host_is_sent(make_site, listener):
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(f"http://LocalHost:{port}/health")})
    # Host names compare without regard to case, and so does the scheme; entries may be separated by commas as well
    # as spaces. The url is plain http: the entry says so.
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "EXPEDIENTE_PROBE_SECRETS":
                                   "OTHER@api.example.net/status,\n STATUS_TOKEN@HTTP://localhost/health"})
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert [headers["Authorization"] for headers in listener.seen] == [TOKEN]
    assert len(rows(site)) == 1 and TOKEN not in done.stdout + rows(site)[0].read_text()


def test_a_variable_listed_for_another_host_is_refused_before_any_connection(make_site, listener):
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(f"http://127.0.0.1:{port}/")})
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN,
                                   "EXPEDIENTE_PROBE_SECRETS": "STATUS_TOKEN@http://www.example.net/"})
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        f"site_src/status.yaml:8:32: error: the probe may not send the variable STATUS_TOKEN to 127.0.0.1:{port}/ "
        f"over plain http: EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@http://127.0.0.1:{port}/")
    assert done.stderr.endswith(NOTHING)
    assert (listener.connections, rows(site)) == (0, [])


@pytest.mark.parametrize("secrets", [None, "", "STATUS_TOKEN@http://www.example.net/"], ids=["unset", "empty", "other"])
def test_an_unlisted_variable_gets_the_same_answer_whether_it_is_set_or_not(make_site, listener, secrets):
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(f"http://127.0.0.1:{port}/", "{X-Key: DEPLOY_KEY}")})
    listing = {} if secrets is None else {"EXPEDIENTE_PROBE_SECRETS": secrets}
    answers = {run(site, "probe", env={**listing, **value}).stderr
               for value in ({}, {"DEPLOY_KEY": ""}, {"DEPLOY_KEY": "ssh-key-0004"})}
    assert answers == {
        f"site_src/status.yaml:8:24: error: the probe may not send the variable DEPLOY_KEY to 127.0.0.1:{port}/ over "
        f"plain http: EXPEDIENTE_PROBE_SECRETS does not list DEPLOY_KEY@http://127.0.0.1:{port}/\n"
        + PLAIN_HINT.format(variable="DEPLOY_KEY", host=f"127.0.0.1:{port}/") + NOTHING}
    assert (listener.connections, rows(site)) == (0, [])


def test_a_port_in_an_entry_binds_the_variable_to_that_port(make_site, listener):
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(f"http://127.0.0.1:{port}/")})
    other = port + 1 if port < 65535 else port - 1
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN,
                                   "EXPEDIENTE_PROBE_SECRETS": f"STATUS_TOKEN@http://127.0.0.1:{other}/"})
    assert done.returncode == 1 and (listener.connections, rows(site)) == (0, [])
    assert f"EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@http://127.0.0.1:{port}/\n" in done.stderr
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN,
                                   "EXPEDIENTE_PROBE_SECRETS": f"STATUS_TOKEN@http://127.0.0.1:{port}/"})
    assert (done.returncode, done.stderr) == (0, "")
    assert [headers["Authorization"] for headers in listener.seen] == [TOKEN]


@pytest.mark.parametrize("entry", ["STATUS_TOKEN@127.0.0.1/", "STATUS_TOKEN@127.0.0.1:{port}/",
                                   "STATUS_TOKEN@https://127.0.0.1/", "STATUS_TOKEN@HTTPS://127.0.0.1:{port}/"],
                         ids=["host", "port", "https", "https_port"])
def test_an_entry_without_the_http_scheme_never_sends_over_plain_http(make_site, listener, entry):
    # The url's scheme is the pusher's: an entry that does not name http lets its variable go over https only.
    # Naming https says just that: `NAME@https://host/` is `NAME@host/`, not a way to plain http.
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(f"http://127.0.0.1:{port}/")})
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "EXPEDIENTE_PROBE_SECRETS": entry.format(port=port)})
    assert done.stderr == (
        f"site_src/status.yaml:8:32: error: the probe may not send the variable STATUS_TOKEN to 127.0.0.1:{port}/ over "
        f"plain http: EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@http://127.0.0.1:{port}/\n"
        + PLAIN_HINT.format(variable="STATUS_TOKEN", host=f"127.0.0.1:{port}/") + NOTHING)
    assert (done.returncode, done.stdout, listener.connections, rows(site)) == (1, "", 0, [])


def test_an_ipv6_host_is_listed_in_brackets_and_compared_as_an_address(make_site):
    server = _Listener(("::1", 0), socket.AF_INET6)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        site = make_site({"site_src/status.yaml": status_yaml(f"'http://[::1]:{port}/'")})
        done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "EXPEDIENTE_PROBE_SECRETS": "STATUS_TOKEN@http://[0:0::1]/"})
        assert (done.returncode, done.stderr) == (0, "")
        assert [headers["Authorization"] for headers in server.seen] == [TOKEN]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


MALFORMED_HINT = (
    "  hint: NAME is an environment variable's name (upper-case letters, digits and _); after the @ comes the url that "
    "NAME may go to, or the start of such urls: the host as in the check's url (an IPv6 address in brackets), a port "
    "if the url gives one, and a path; NAME goes over https only, unless the entry starts its host with http://; "
    'separate entries with spaces or commas, e.g. EXPEDIENTE_PROBE_SECRETS="STATUS_TOKEN@https://www.example.net/health '
    'STATUS_AUTH@https://[2001:db8::1]:8443/status"\n')


@pytest.mark.parametrize("entry, shown", [
    ("STATUS_TOKEN", "STATUS_TOKEN"),                                   # no host
    ("STATUS_TOKEN@", "STATUS_TOKEN@"),
    ("STATUS_TOKEN@/health", "STATUS_TOKEN@/health"),
    ("status_token@www.example.net/", "status_token@www.example.net/"),  # not a variable's name
    ("STATUS_TOKEN@www.example.net:0/", "STATUS_TOKEN@www.example.net:0/"),
    ("STATUS_TOKEN@::1/", "STATUS_TOKEN@::1/"),                         # IPv6 without brackets
    ("STATUS_TOKEN@https:///health", "STATUS_TOKEN@https:///health"),   # https, but no host
    ("STATUS_TOKEN@https://www.example.net:0/", "STATUS_TOKEN@https://www.example.net:0/"),
    ("STATUS_TOKEN@https://http://www.example.net/", "STATUS_TOKEN@https://http://www.example.net/"),
    ("STATUS_TOKEN@ftp://www.example.net/", "STATUS_TOKEN@ftp://www.example.net/"),
    ("STATUS_TOKEN@https://www.example.net/health/../admin", "STATUS_TOKEN@https://www.example.net/health/../admin"),
    ("STATUS_TOKEN@https://www.example.net/health%2F..%2Fadmin",
     "STATUS_TOKEN@https://www.example.net/health%2F..%2Fadmin"),
    ("STATUS_TOKEN=tok-0001-of-the-status-page", "STATUS_TOKEN=…"),     # the secret itself: never echoed
], ids=["no_host", "empty_host", "path_only", "lower_case", "port_0", "bare_ipv6", "https_no_host", "https_port_0",
        "two_schemes", "ftp", "dot_segment", "encoded_slash", "value"])
def test_a_malformed_entry_is_an_error_naming_it(make_site, listener, entry, shown):
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(f"http://127.0.0.1:{port}/", "{X-Other: OTHER}")})
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "OTHER": "x",
                                   "EXPEDIENTE_PROBE_SECRETS": f"OTHER@http://127.0.0.1/ {entry}"})
    assert done.returncode == 1
    assert done.stderr == (
        f"EXPEDIENTE_PROBE_SECRETS: error: the entry '{shown}' is not NAME@https://host/path or "
        "NAME@http://host/path\n" + MALFORMED_HINT + NOTHING)
    assert (listener.connections, rows(site)) == (0, [])
    assert TOKEN not in done.stderr


@pytest.mark.parametrize("entry, written", [("STATUS_TOKEN@127.0.0.1", "https://127.0.0.1"),
                                            ("STATUS_TOKEN@http://127.0.0.1:{port}", "http://127.0.0.1:{port}"),
                                            ("STATUS_TOKEN@https://127.0.0.1", "https://127.0.0.1")],
                         ids=["host", "http_port", "https"])
def test_an_entry_without_a_path_is_an_error_that_says_what_to_write(make_site, listener, entry, written):
    # The form older versions took: a host, and so every page of it, each chosen by whoever pushes.
    port = listener.server_address[1]
    entry, written = entry.format(port=port), written.format(port=port)
    site = make_site({"site_src/status.yaml": status_yaml(f"http://127.0.0.1:{port}/health")})
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "EXPEDIENTE_PROBE_SECRETS": entry})
    assert done.returncode == 1
    assert done.stderr == (
        f"EXPEDIENTE_PROBE_SECRETS: error: the entry '{entry}' names no path: it would let STATUS_TOKEN go to every "
        "page of its host, and whoever pushes status.yaml chooses the page and the text it must hold, and reads in "
        "the published state what it answered\n"
        f"  hint: name the page the check is for, e.g. STATUS_TOKEN@{written}/health (the pages under it too); "
        f"STATUS_TOKEN@{written}/ lets the variable go to every page of the host, and is as wide as the token is\n"
        f"site_src/status.yaml:8:32: error: the probe may not send the variable STATUS_TOKEN to 127.0.0.1:{port}/health "
        f"over plain http: EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@http://127.0.0.1:{port}/health\n"
        + PLAIN_HINT.format(variable="STATUS_TOKEN", host=f"127.0.0.1:{port}/health") + NOTHING)
    assert (listener.connections, rows(site)) == (0, [])


def guesses(base: str) -> str:
    """A push's status.yaml: two checks of a page only the token opens, each guessing at what it holds."""
    return "components:\n" + "".join(
        f"  - id: guess-{n}\n    name: G{n}\n    check: {{type: http, url: \"{base}/admin/export.csv\", "
        f"contains: \"{guess}\", headers: {{Authorization: STATUS_TOKEN}}}}\n"
        for n, guess in ((1, "alice,hunter2"), (2, "alice,hunter3")))


def test_a_secret_granted_for_a_host_does_not_let_a_push_read_its_other_pages(make_site, listener, tmp_path):
    # The operator means the token for the status host's health page. Whether the entry names the host alone (the
    # form older versions took) or the page, a push that sends it to another page of the host, and publishes
    # whether that page holds a guessed text, is refused at each header before any connection.
    port = listener.server_address[1]
    base = f"http://127.0.0.1:{port}"
    site = make_site({"site_src/status.yaml": guesses(base)})
    assert run(site, "check").returncode == 0
    column = guesses(base).splitlines()[3].rindex("STATUS_TOKEN") + 1
    refusals = "".join(
        f"site_src/status.yaml:{line}:{column}: error: the probe may not send the variable STATUS_TOKEN to "
        f"127.0.0.1:{port}/admin/export.csv over plain http: EXPEDIENTE_PROBE_SECRETS does not list "
        f"STATUS_TOKEN@http://127.0.0.1:{port}/admin/export.csv\n"
        + PLAIN_HINT.format(variable="STATUS_TOKEN", host=f"127.0.0.1:{port}/admin/export.csv") for line in (4, 7))
    for entry in (base, f"{base}/health"):
        done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "EXPEDIENTE_PROBE_SECRETS": f"STATUS_TOKEN@{entry}"})
        assert done.returncode == 1
        assert done.stderr.endswith(refusals + NOTHING), done.stderr
        assert (listener.connections, rows(site)) == (0, [])
    out = tmp_path / "out"
    assert run(site, "build", "--out", str(out)).returncode == 0
    states = {c["name"]: c["status"] for c in json.loads((out / "api/v2/components.json").read_text())["components"]}
    assert states["G1"] == states["G2"], states


@pytest.mark.parametrize("path, contains, sent", [
    ("/health", "ok", True), ("/health/db", None, True), ("/healthz", None, False), ("/", None, False),
    ("/admin/export.csv", "alice", False)], ids=["the_page", "under_it", "beside_it", "above_it", "another"])
def test_a_path_in_an_entry_binds_the_variable_to_that_page_and_those_under_it(make_site, listener, path, contains,
                                                                               sent):
    port = listener.server_address[1]
    keys = f"{{Authorization: STATUS_TOKEN}}\n      contains: {contains}" if contains else "{Authorization: STATUS_TOKEN}"
    site = make_site({"site_src/status.yaml": status_yaml(f"http://127.0.0.1:{port}{path}", keys)})
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN,
                                   "EXPEDIENTE_PROBE_SECRETS": f"STATUS_TOKEN@http://127.0.0.1:{port}/health"})
    if sent:
        assert (done.returncode, done.stderr, listener.paths) == (0, "", [path])
        assert [headers["Authorization"] for headers in listener.seen] == [TOKEN]
        return
    assert done.stderr == (
        f"site_src/status.yaml:8:32: error: the probe may not send the variable STATUS_TOKEN to 127.0.0.1:{port}{path} "
        f"over plain http: EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@http://127.0.0.1:{port}{path}\n"
        + PLAIN_HINT.format(variable="STATUS_TOKEN", host=f"127.0.0.1:{port}{path}") + NOTHING)
    assert (done.returncode, listener.connections, rows(site)) == (1, 0, [])


@pytest.mark.parametrize("path", ["/health/../admin/export.csv", "/health/%2e%2e/admin/export.csv",
                                  "/health%2F..%2Fadmin/export.csv", "/health/..;/admin/export.csv",
                                  "/health\\..\\admin/export.csv", "/health/%c0%ae%c0%ae/admin/export.csv",
                                  "/health/%ef%bc%8e%ef%bc%8e/admin/export.csv", "/health/%e2%80%a5/admin/export.csv"],
                         ids=["dot_segment", "encoded_dots", "encoded_slash", "semicolon", "backslash",
                              "overlong_utf8_dots", "fullwidth_dots", "two_dot_leader"])
def test_a_path_that_a_server_may_read_as_another_is_refused(make_site, listener, path):
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(f"'http://127.0.0.1:{port}{path}'")})
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN,
                                   "EXPEDIENTE_PROBE_SECRETS": f"STATUS_TOKEN@http://127.0.0.1:{port}/health"})
    assert done.stderr == (
        f"site_src/status.yaml:8:32: error: the probe may not send the variable STATUS_TOKEN to 127.0.0.1:{port}{path}: "
        "the url's path holds a dot segment, an encoded slash, a backslash, a ';' or a byte outside ASCII, which the "
        "server may read as another path\n"
        "  hint: write the path as the server reads it, in ASCII, without '.' or '..' segments, %2F, %5C, '\\' or "
        "';'\n"
        + NOTHING)
    assert (done.returncode, listener.connections, rows(site)) == (1, 0, [])


def test_a_query_is_covered_only_by_an_entry_that_names_it(make_site, listener):
    port = listener.server_address[1]
    site = make_site({"site_src/status.yaml": status_yaml(f"'http://127.0.0.1:{port}/health?full=1&key=x'")})
    entry = f"STATUS_TOKEN@http://127.0.0.1:{port}/health"
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "EXPEDIENTE_PROBE_SECRETS": entry})
    assert done.stderr == (
        f"site_src/status.yaml:8:32: error: the probe may not send the variable STATUS_TOKEN to 127.0.0.1:{port}/health "
        "with the url's query: EXPEDIENTE_PROBE_SECRETS lists STATUS_TOKEN for that path without a query\n"
        "  hint: a query changes what a page answers, and the published state tells whoever pushes what it answered: "
        "remove the query from the check's url, or the probe's operator writes the whole url, query included, in the "
        "entry where the probe runs (the cron job's environment, the CI's variables), never in the repository; "
        "docs/format.md says how\n" + NOTHING)
    assert (done.returncode, listener.connections) == (1, 0)
    done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "EXPEDIENTE_PROBE_SECRETS": entry + "?full=1&key=x"})
    assert (done.returncode, done.stderr, listener.paths) == (0, "", ["/health?full=1&key=x"])


def test_check_and_build_neither_need_nor_read_the_list(make_site, tmp_path):
    site = make_site({"site_src/status.yaml": status_yaml("https://www.example.net/")})
    for listing in ({}, {"EXPEDIENTE_PROBE_SECRETS": "not an entry"}):
        assert run(site, "check", env=listing).returncode == 0
        assert run(site, "build", "--out", str(tmp_path / "out"), env=listing).returncode == 0


def test_a_variable_listed_for_port_443_never_goes_over_plain_http(make_site):
    # docs/format.md once said `NAME@host:443` keeps a variable off plain http: a pushed http://host:443/ url
    # names that port in clear text. The plain-http listener on 443 stands for anyone on the path.
    try:
        server = _Listener(("127.0.0.1", 443))
    except OSError as error:
        # The attack needs the port the entry names; the same refusal on any port is tested above.
        pytest.skip(f"port 443 cannot be bound here ({error.strerror})")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        site = make_site({"site_src/status.yaml": status_yaml("http://localhost:443/")})
        done = run(site, "probe", env={"STATUS_TOKEN": TOKEN, "EXPEDIENTE_PROBE_SECRETS": "STATUS_TOKEN@localhost:443/"})
        assert done.returncode == 1
        assert done.stderr == (
            "site_src/status.yaml:8:32: error: the probe may not send the variable STATUS_TOKEN to localhost:443/ over "
            "plain http: EXPEDIENTE_PROBE_SECRETS does not list STATUS_TOKEN@http://localhost:443/\n" + PLAIN_HINT.format(
                variable="STATUS_TOKEN", host="localhost:443/") + NOTHING)
        assert (server.connections, server.seen, rows(site)) == (0, [], [])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
