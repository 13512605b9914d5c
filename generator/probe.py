"""The probe: run every component's check at once and append one row per check to the history.

`python build.py probe` is run from cron or CI. Each check runs in its own
thread and is given up at its timeout (plus a short grace for the check's own
clean-up), whatever it is blocked on: name resolution has no timeout of its own.

What a check records (see history.py for the file format):
- http: GET the url without following redirects. A 3xx is judged like any other
  status: expect it (`expect_status: [301]`) to check that a redirect is in
  place, or write the final address to check the page it leads to. Following
  redirects would hide a moved site and send the configured headers, which may
  hold credentials, to whatever host a Location names. With `contains`, the
  text must appear in the first 1 MB of the body, in the body's declared charset.
- tcp: connect to host:port.
- dns: ask `server` (UDP, TCP when the answer is truncated) or the system's
  resolver for the record; NXDOMAIN, SERVFAIL, REFUSED and "no <type> record"
  are failures with an answer, so they keep their latency.
Latency runs from the start of the check to its verdict (for http: the response
headers, and the body when `contains` is set); it is empty when nothing answered.
Details are fixed phrases, never exception text, response bodies or header
values: configured secrets cannot reach the files or the console.

A check that cannot run because of the probe's own configuration (a header's
environment variable unset or empty) records no row, since the service was not
measured, and makes the command exit 1 after recording the others.
"""

from __future__ import annotations

import errno
import http.client
import os
import queue
import socket
import ssl
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ERROR, SourceError, sort_problems
from .history import HistoryWriteError, append_rows
from .model import Check, Component, ProbeResult

USER_AGENT = "expediente-probe/0.1"
MAX_BODY = 1_048_576      # bytes of the body searched for `contains`
GRACE = 0.5               # seconds after a check's timeout before the runner stops waiting for it
OS_ERRORS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ECONNABORTED: "connection aborted",
    errno.EHOSTUNREACH: "no route to host",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "timeout",
    errno.EPIPE: "connection closed while sending",
}


class NotRun(Exception):
    """The check could not be run because of the probe's own configuration; the message holds no secret."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one component's check: its result, or why it was not run."""

    component: Component
    result: ProbeResult | None
    problem: str | None = None

    def state(self) -> str:
        """Return 'up', 'slow' (up, but slower than degraded_after), 'down' or 'not checked'."""
        if self.result is None:
            return "not checked"
        if not self.result.ok:
            return "down"
        limit = self.component.check.degraded_after
        if limit is not None and self.result.latency_ms is not None and self.result.latency_ms > limit * 1000:
            return "slow"
        return "up"


class Clock:
    """A check's stopwatch: the latency so far and the time left before its timeout."""

    def __init__(self, timeout: float):
        self.start = time.perf_counter()
        self.deadline = self.start + timeout

    def ms(self) -> float:
        """Return the milliseconds since the start, to one decimal."""
        return round((time.perf_counter() - self.start) * 1000, 1)

    def left(self) -> float:
        """Return the seconds left; raise TimeoutError when none are."""
        left = self.deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError
        return left


def describe_failure(exc: BaseException) -> str:
    """Return a fixed phrase for why a connection failed; exception text may echo what was sent."""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "TLS certificate not valid"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "connection closed without an answer"
    if isinstance(exc, http.client.InvalidURL):
        return "invalid url"
    if isinstance(exc, http.client.HTTPException):
        return "not an HTTP answer"
    if isinstance(exc, socket.gaierror):
        return "host not found" if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)) \
            else "name resolution failed"
    if isinstance(exc, OSError) and exc.errno in OS_ERRORS:
        return OS_ERRORS[exc.errno]
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno).lower()
    return f"connection failed ({type(exc).__name__})"


def request_headers(check: Check, environ) -> dict[str, str]:
    """Return the request's headers, values read from the environment; raise NotRun when one is missing."""
    headers = {}
    for name, variable in check.headers:
        value = environ.get(variable)
        if value is None:
            raise NotRun(f"the environment variable {variable} (for the {name} header) is not set")
        if not value.strip():
            raise NotRun(f"the environment variable {variable} (for the {name} header) is empty")
        if not all(c == "\t" or " " <= c <= "\xff" and c != "\x7f" for c in value):
            raise NotRun(f"the value of {variable} cannot be sent in the {name} header: "
                         "it holds a line break, a control character or a character beyond Latin-1")
        headers[name] = value
    given = {name.lower() for name in headers}
    for name, value in (("User-Agent", USER_AGENT), ("Accept-Encoding", "identity"), ("Connection", "close")):
        if name.lower() not in given:
            headers[name] = value
    return headers


def body_contains(response: http.client.HTTPResponse, sock: socket.socket, text: str, clock: Clock) -> bool:
    """Tell whether `text` appears in the first MAX_BODY bytes of the body, read before the deadline."""
    charset = response.headers.get_content_charset() or "utf-8"
    try:
        needle = text.encode(charset)
    except (LookupError, UnicodeEncodeError):
        needle = text.encode("utf-8")
    body = bytearray()
    while len(body) < MAX_BODY:
        sock.settimeout(clock.left())
        chunk = response.read1(min(65536, MAX_BODY - len(body)))
        if not chunk:
            return False
        body += chunk
        if needle in body[max(0, len(body) - len(chunk) - len(needle)):]:
            return True
    return False


def check_http(check: Check, environ, now: datetime) -> ProbeResult:
    """GET the check's url; ok when the status is expected and the body holds `contains`."""
    headers = request_headers(check, environ)
    parts = urlsplit(check.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        port = parts.port
    except ValueError:
        return ProbeResult(now, False, None, "invalid port in the url")
    clock = Clock(check.timeout)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, port, timeout=check.timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=check.timeout)
    try:
        connection.connect()
        connection.sock.settimeout(clock.left())
        connection.request("GET", target, headers=headers)
        connection.sock.settimeout(clock.left())
        response = connection.getresponse()
        latency = clock.ms()
        if response.status not in check.expect_status:
            redirect = " (redirect not followed)" if 300 <= response.status < 400 else ""
            return ProbeResult(now, False, latency, f"HTTP {response.status}{redirect}")
        if check.contains is not None:
            found = body_contains(response, connection.sock, check.contains, clock)
            latency = clock.ms()
            if not found:
                return ProbeResult(now, False, latency, "expected text not found")
        return ProbeResult(now, True, latency, f"HTTP {response.status}")
    except (OSError, http.client.HTTPException) as exc:
        return ProbeResult(now, False, None, describe_failure(exc))
    finally:
        connection.close()


def check_tcp(check: Check, now: datetime) -> ProbeResult:
    """Connect to host:port; ok when the connection is accepted."""
    clock = Clock(check.timeout)
    try:
        with socket.create_connection((check.host, check.port), timeout=check.timeout):
            return ProbeResult(now, True, clock.ms(), "connected")
    except OSError as exc:
        return ProbeResult(now, False, None, describe_failure(exc))


def check_dns(check: Check, now: datetime, port: int = 53) -> ProbeResult:
    """Resolve the name's record at the server (or the system's resolver); ok when there is an answer of that type."""
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype
    import dns.resolver

    rdtype = dns.rdatatype.from_text(check.record)
    clock = Clock(check.timeout)
    try:
        if check.server:
            query = dns.message.make_query(check.name, rdtype)
            response, _ = dns.query.udp_with_fallback(query, check.server, timeout=clock.left(),
                                                      port=check.port or port)
            latency = clock.ms()
            if response.rcode() != dns.rcode.NOERROR:
                return ProbeResult(now, False, latency, dns.rcode.to_text(response.rcode()))
            count = sum(len(rrset) for rrset in response.answer if rrset.rdtype == rdtype)
        else:
            try:
                resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                raise NotRun("this machine has no DNS resolver configured; give the check a server")
            answer = resolver.resolve(check.name, rdtype, lifetime=clock.left(), search=False,
                                      raise_on_no_answer=False)
            latency = clock.ms()
            count = len(answer.rrset) if answer.rrset is not None else 0
    except dns.resolver.NXDOMAIN:
        return ProbeResult(now, False, clock.ms(), "NXDOMAIN")
    except dns.resolver.NoNameservers:
        return ProbeResult(now, False, clock.ms(), "no server answered (SERVFAIL or REFUSED)")
    except (dns.exception.Timeout, TimeoutError, socket.timeout):
        return ProbeResult(now, False, None, "timeout")
    except dns.exception.DNSException:
        return ProbeResult(now, False, None, "bad DNS answer")
    except OSError as exc:
        return ProbeResult(now, False, None, describe_failure(exc))
    if count == 0:
        return ProbeResult(now, False, latency, f"no {check.record} record")
    return ProbeResult(now, True, latency, f"{count} {check.record} record{'s' * (count != 1)}")


def run_check(check: Check, environ, now: datetime, dns_port: int = 53) -> ProbeResult:
    """Run one check of any type; raise NotRun when the probe's configuration prevents it."""
    if check.type == "http":
        return check_http(check, environ, now)
    if check.type == "tcp":
        return check_tcp(check, now)
    return check_dns(check, now, dns_port)


def run_checks(components, environ, now: datetime, on_outcome=None, dns_port: int = 53) -> tuple[Outcome, ...]:
    """Run the checks of every component that has one, concurrently; return outcomes in component order.

    `on_outcome(outcome)` is called as each check finishes. A check still running
    GRACE seconds after its timeout is recorded as a timeout and left behind
    (its thread is a daemon, so it cannot keep the process alive).
    """
    finished: queue.Queue[Outcome] = queue.Queue()

    def work(component: Component) -> None:
        try:
            outcome = Outcome(component, run_check(component.check, environ, now, dns_port))
        except NotRun as exc:
            outcome = Outcome(component, None, str(exc))
        except Exception as exc:     # a bug must not take the other checks' results down with it
            outcome = Outcome(component, None, f"internal error in the probe ({type(exc).__name__}); this is a bug")
        finished.put(outcome)

    pending: dict[str, tuple[Component, float]] = {}
    for component in components:
        if component.check is None:
            continue
        pending[component.id] = (component, time.monotonic() + component.check.timeout + GRACE)
        threading.Thread(target=work, args=(component,), name=f"probe-{component.id}", daemon=True).start()
    outcomes: dict[str, Outcome] = {}

    def settle(outcome: Outcome) -> None:
        del pending[outcome.component.id]
        outcomes[outcome.component.id] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    while pending:
        wait = min(deadline for _, deadline in pending.values()) - time.monotonic()
        try:
            outcome = finished.get(timeout=max(0.0, wait))
        except queue.Empty:
            moment = time.monotonic()
            for component, deadline in list(pending.values()):
                if deadline <= moment:
                    settle(Outcome(component, ProbeResult(now, False, None, "timeout")))
            continue
        if outcome.component.id in pending:
            settle(outcome)
    return tuple(outcomes[c.id] for c in components if c.id in outcomes)


def load_components(site_dir: Path) -> tuple[tuple[Component, ...], tuple[SourceError, ...]]:
    """Read site.yaml (for its languages) and status.yaml only: a broken notice must not stop the measurements."""
    from .read import read_yaml
    from .validate.fields import Problems
    from .validate.site import validate_site_settings
    from .validate.status import validate_components

    src = site_dir / "site_src"
    site_source, problems = read_yaml(src / "site.yaml", site_dir, required=True)
    status_source, found = read_yaml(src / "status.yaml", site_dir, required=True)
    problems += found
    settings = None
    if site_source is not None and site_source.root is not None:
        site_problems = Problems(site_source.path)
        settings = validate_site_settings(site_source.root, site_problems)
        problems += site_problems.items
    components: tuple[Component, ...] = ()
    if settings is not None and status_source is not None and status_source.root is not None:
        status_problems = Problems(status_source.path)
        components = validate_components(status_source.root, status_problems, settings[3])
        problems += status_problems.items
    return components, sort_problems(problems)


def progress_line(outcome: Outcome, width: int) -> str:
    """Return the line a terminal shows when a check finishes."""
    result = outcome.result
    if result is None:
        return f"{outcome.component.id:<{width}}  {'not checked':<11}  {outcome.problem}"
    latency = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "-"
    return f"{outcome.component.id:<{width}}  {outcome.state():<11}  {latency:>8}  {result.detail}"


def summary_line(outcomes: tuple[Outcome, ...], seconds: float) -> str:
    """Return e.g. 'probed 5 components: 4 up, 1 down in 2.3 s'."""
    states = [o.state() for o in outcomes]
    up = sum(1 for s in states if s in ("up", "slow"))
    down = states.count("down")
    skipped = states.count("not checked")
    count = len(outcomes)
    text = f"probed {count} component{'s' * (count != 1)}: {up} up, {down} down"
    if skipped:
        text += f", {skipped} not checked"
    return f"{text} in {seconds:.1f} s"


def probe_command(site_dir: Path, now: datetime, environ=None, stdout=None, stderr=None,
                  interactive: bool | None = None, dns_port: int = 53) -> int:
    """Probe every component of a site and record the results at `now`; return the exit status (0 or 1)."""
    environ = os.environ if environ is None else environ
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    interactive = stdout.isatty() if interactive is None else interactive
    started = time.perf_counter()
    components, problems = load_components(site_dir)
    for problem in problems:
        print(problem.format(), file=stderr)
    if any(p.severity == ERROR for p in problems):
        print("the status components have errors; nothing was probed", file=stderr)
        return 1
    checked = tuple(c for c in components if c.check is not None)
    if not checked:
        print("no component in site_src/status.yaml has a check: nothing to probe", file=stderr)
        return 0
    width = max(len(c.id) for c in checked)

    def show(outcome: Outcome) -> None:
        if interactive:
            print(progress_line(outcome, width), file=stdout, flush=True)

    outcomes = run_checks(checked, environ, now, show, dns_port)
    status = 0
    try:
        warnings = append_rows(site_dir, [(o.component.id, o.result) for o in outcomes if o.result is not None])
    except HistoryWriteError as exc:
        warnings = exc.problems
        status = 1
    print(summary_line(outcomes, time.perf_counter() - started), file=stdout, flush=True)
    for problem in warnings:
        print(problem.format(), file=stderr)
    for outcome in outcomes:
        if outcome.result is None:
            print(f"error: {outcome.component.id}: {outcome.problem}; the check was not run", file=stderr)
            status = 1
    return status
