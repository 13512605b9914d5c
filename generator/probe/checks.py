"""The checks the probe runs: http, tcp and dns, each giving one ProbeResult with a fixed-phrase detail.

What a check records (see read/probe_rows.py for the file format, probe/csv_file.py for the appender):
- http: GET the url without following redirects. A 3xx is judged like any other
  status: expect it (`expect_status: [301]`) to check that a redirect is in
  place, or write the final address to check the page it leads to. Following
  redirects would hide a moved site and send the configured headers, which may
  hold credentials, to whatever host a Location names. With `contains`, the
  probe asks for gzip (`Accept-Encoding: gzip`) and the text must appear in the
  first 1 MB of the decoded body, in the body's declared charset.
- tcp: connect to host:port.
Every target (an http url's host, a tcp host, a dns server) is resolved once and refused unless all its
addresses are public (see addresses.py): a refusal raises NotRun, since the service was not measured; the
connection goes to those very addresses.
- dns: ask `server` (UDP, TCP when the answer is truncated) or the system's
  resolver for the record; NXDOMAIN, SERVFAIL, REFUSED and "no <type> record"
  are failures with an answer, so they keep their latency.
Latency runs from the start of the check to its verdict (for http: the response
headers, and the body when `contains` is set); it is empty when nothing answered.
Details are fixed phrases, never exception text, response bodies or header
values: configured secrets cannot reach the files or the console.
"""

from __future__ import annotations

import errno
import http.client
import os
import socket
import ssl
import time
import zlib
from datetime import datetime
from urllib.parse import urlsplit

from generator.model import Check, ProbeResult
from generator.probe.addresses import (
    NOT_PUBLIC,
    PRIVATE_HINT,
    AddressRefused,
    PinnedHTTPConnection,
    PinnedHTTPSConnection,
    is_public,
    open_socket,
    private_allowed,
    resolve,
)
from generator.probe.secrets import VARIABLE, read_grants, refused

USER_AGENT = "expediente-probe/0.1"
MAX_BODY = 1_048_576      # bytes of the (decoded) body searched for `contains`
READ_SIZE = 65_536        # bytes asked of the response at a time
# zlib's wbits for each Content-Encoding the probe can decode: 16+ reads a gzip header, 32+ either header.
DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": 32 + zlib.MAX_WBITS}
# OpenSSL's verify codes (X509_V_ERR_*) that a person can act on, as fixed phrases.
CERTIFICATE_ERRORS = {
    9: "not yet valid",
    10: "expired",
    18: "self-signed",
    19: "self-signed certificate in the chain",
    20: "issuer not trusted",
    21: "issuer not trusted",
    62: "issued for another host name",
}
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

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def refused_address() -> NotRun:
    """Return the NotRun of a target whose address is not public while private ones are not allowed."""
    return NotRun(NOT_PUBLIC, PRIVATE_HINT)


class BodyProblem(Exception):
    """The body could not be searched: its message is the check's detail, a fixed phrase."""


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
        reason = CERTIFICATE_ERRORS.get(exc.verify_code)
        return f"TLS certificate not valid ({reason})" if reason else "TLS certificate not valid"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "connection closed without an answer"
    if isinstance(exc, http.client.IncompleteRead):
        return "connection closed before the end of the body"
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
    """Return the request's headers, values read from the environment; raise NotRun when one is missing or
    may not go to the check's url (the command refuses those before it measures: this guards other callers)."""
    for problem in refused(check, read_grants(environ.get(VARIABLE))[0])[:1]:
        raise NotRun(problem.message)
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
    # gzip only when the body is read: `contains` searches the decoded text.
    encoding = "gzip" if check.contains is not None else "identity"
    for name, value in (("User-Agent", USER_AGENT), ("Accept-Encoding", encoding), ("Connection", "close")):
        if name.lower() not in given:
            headers[name] = value
    return headers


def body_contains(response: http.client.HTTPResponse, sock: socket.socket, text: str, clock: Clock) -> bool:
    """Tell whether `text` appears in the first MAX_BODY bytes of the decoded body, read before the deadline.

    Reads from the response (never from the connection, whose `sock` http.client drops when
    the response will close it); `sock` is the socket beneath, kept only to set the time left.
    Raise BodyProblem when the body ends unsearched: too long, or in an encoding not understood.
    """
    charset = response.headers.get_content_charset() or "utf-8"
    try:
        needle = text.encode(charset)
    except (LookupError, UnicodeEncodeError):
        needle = text.encode("utf-8")
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in DECODERS and encoding != "identity":
        raise BodyProblem("body in an encoding the probe cannot read")
    decoder = zlib.decompressobj(DECODERS[encoding]) if encoding in DECODERS else None
    body = bytearray()
    while True:
        sock.settimeout(clock.left())
        try:
            raw = response.read1(READ_SIZE)
        except http.client.IncompleteRead:       # a chunked body cut short
            raise BodyProblem("connection closed before the end of the body") from None
        if not raw:
            # read1() ends quietly where read() would raise IncompleteRead: bytes promised by Content-Length are missing.
            if response.length:
                raise BodyProblem("connection closed before the end of the body")
            return False
        searched = len(body)
        if decoder is None:
            body += raw[:MAX_BODY - len(body)]
        else:
            # max_length bounds what a small compressed body may inflate to.
            try:
                body += decoder.decompress(raw, MAX_BODY - len(body))
            except zlib.error:
                raise BodyProblem(f"body not valid {encoding}") from None
        if needle in body[max(0, searched - len(needle)):]:
            return True
        if len(body) >= MAX_BODY:
            raise BodyProblem(f"expected text not found in the first {MAX_BODY // 1_048_576} MB of the body")


def check_http(check: Check, environ, now: datetime) -> ProbeResult:
    """GET the check's url; ok when the status is expected and the body holds `contains`."""
    headers = request_headers(check, environ)
    parts = urlsplit(check.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        # Always give the port: http.client would read the last group of a bare IPv6 address as one.
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return ProbeResult(now, False, None, "invalid port in the url")
    clock = Clock(check.timeout)
    try:
        addresses = resolve(parts.hostname, port, environ)
    except AddressRefused:
        raise refused_address() from None
    except OSError as exc:
        return ProbeResult(now, False, None, describe_failure(exc))
    if parts.scheme == "https":
        connection = PinnedHTTPSConnection(parts.hostname, port, addresses, check.timeout,
                                           ssl.create_default_context())
    else:
        connection = PinnedHTTPConnection(parts.hostname, port, addresses, check.timeout)
    try:
        connection.connect()
        # Kept before getresponse(), which sets connection.sock to None when the response will close
        # the connection (HTTP/1.0, Connection: close); the response still reads from this socket.
        sock = connection.sock
        sock.settimeout(clock.left())
        connection.request("GET", target, headers=headers)
        sock.settimeout(clock.left())
        response = connection.getresponse()
        latency = clock.ms()
        if response.status not in check.expect_status:
            redirect = " (redirect not followed)" if 300 <= response.status < 400 else ""
            return ProbeResult(now, False, latency, f"HTTP {response.status}{redirect}")
        if check.contains is not None:
            try:
                found = body_contains(response, sock, check.contains, clock)
            except BodyProblem as problem:
                return ProbeResult(now, False, clock.ms(), str(problem))
            latency = clock.ms()
            if not found:
                return ProbeResult(now, False, latency, "expected text not found")
        return ProbeResult(now, True, latency, f"HTTP {response.status}")
    except (OSError, http.client.HTTPException) as exc:
        return ProbeResult(now, False, None, describe_failure(exc))
    finally:
        connection.close()


def check_tcp(check: Check, environ, now: datetime) -> ProbeResult:
    """Connect to host:port; ok when the connection is accepted."""
    clock = Clock(check.timeout)
    try:
        with open_socket(resolve(check.host, check.port, environ), check.timeout):
            return ProbeResult(now, True, clock.ms(), "connected")
    except AddressRefused:
        raise refused_address() from None
    except OSError as exc:
        return ProbeResult(now, False, None, describe_failure(exc))


def check_dns(check: Check, environ, now: datetime, port: int = 53) -> ProbeResult:
    """Resolve the name's record at the server (or the system's resolver); ok when there is an answer of that type."""
    # dnspython takes 50-110 ms to import here (python -X importtime): a probe run without a DNS check,
    # the most common, does without it.
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype
    import dns.resolver

    rdtype = dns.rdatatype.from_text(check.record)
    # The system's resolver is the operator's; a server named in status.yaml is checked like any target.
    if check.server and not private_allowed(environ) and not is_public(check.server):
        raise refused_address()
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
        return check_tcp(check, environ, now)
    return check_dns(check, environ, now, dns_port)
