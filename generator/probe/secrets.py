"""Which environment variable the probe may send to which url: the operator's list, never the pushed tree's.

A check's `headers:` in status.yaml name the environment variables whose values the probe sends. Whoever
pushes writes status.yaml, url included, while the variables are the probe machine's: its push token, the
CI's job token, a cloud key. So the names alone cannot decide: the person who runs the probe lists, in one
environment variable set where the probe runs (never in the repository), each variable with the url it
may go to:

    EXPEDIENTE_PROBE_SECRETS="STATUS_TOKEN@https://www.example.net/health STATUS_AUTH@https://api.example.net:8443/v1/status"

Entries are separated by spaces or commas. An entry names a url, or the start of urls: the variable goes to
that host, over https only (`https://` may be left out), on any port or the one written, and only to that
path and the paths under it (`/health` covers `/health` and `/health/db`, not `/healthz`; `/` covers every
page). A host alone is not enough: the check's path and `contains` are the pusher's, and a component's state
is published, so a token granted for a host would answer, a push at a time, what any of its pages holds.
A url with a query is covered only by an entry that names that very query: a query changes what a page
answers. A path with a dot segment, an encoded slash, a backslash or a ';' is covered by none: a server may
read it as another path. The scheme is part of the grant because the url's is the pusher's: a port alone
does not keep a value off plain http (`http://host:443/` is plain http to port 443), and over plain http
anyone on the path reads it. `NAME@http://host/path` allows plain http too, for a probe that watches a
private network; the operator writes the scheme to say so. The host is compared without regard to case, the
name and the path exactly; an IPv6 host is written in brackets, as in a url (`NAME@https://[2001:db8::1]/`).
A header whose variable is not listed for its check's url stops the probe before it measures anything, and
whether that variable is set is never looked at: the answer is the same either way.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from generator.errors import SourceError
from generator.model import Check, Component
from generator.read.yaml_nodes import Map, Node, Scalar, Seq
from generator.validate.fields import HOST_NAME
from generator.validate.status import ENV_NAME

VARIABLE = "EXPEDIENTE_PROBE_SECRETS"
STATUS_FILE = "site_src/status.yaml"
# `https://` before the host says what an entry without a scheme means already: operators write it from the url.
ENTRY = re.compile(r"^(?P<name>[^@]+)@(?:(?P<plain>(?i:http)://)|(?i:https)://)?"
                   r"(?P<host>\[[^\]]*\]|[^:\[\]/?#]+)(?::(?P<port>[0-9]{1,5}))?"
                   r"(?P<path>/[^?#]*)?(?:\?(?P<query>[^#]*))?$")
REFUSED = "the probe may not send the variable"      # how each refusal starts: the command names its cause
EXAMPLE = f'{VARIABLE}="STATUS_TOKEN@https://www.example.net/health STATUS_AUTH@https://[2001:db8::1]:8443/status"'


@dataclass(frozen=True, slots=True)
class Grant:
    """One entry of the operator's list: variable `name` may go to `host` (normalised), on `port` or any,
    over https only or, when `plain`, over plain http too, to `path` and the paths under it, with no query
    or with `query` exactly."""

    name: str
    host: str
    port: int | None
    plain: bool
    path: str
    query: str | None = None

    def covers(self, path: str, query: str) -> bool:
        """Tell whether a url's path and query (as sent, without '?') are this entry's: its path or one under it,
        and its query exactly (none when the entry names none)."""
        under = path == self.path or path.startswith(self.path if self.path.endswith("/") else self.path + "/")
        return under and query == (self.query or "")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A header of a check whose variable may not go where the check sends it: the error's message and hint."""

    header: str
    variable: str
    message: str
    hint: str


def normal_host(host: str) -> str:
    """Return a host (without brackets) as compared: an IP address in its canonical form, a name in lower case."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.lower()


def read_grants(text: str | None) -> tuple[frozenset[Grant], tuple[SourceError, ...]]:
    """Read EXPEDIENTE_PROBE_SECRETS's value into grants; return them and an error for each malformed entry."""
    grants, problems = set(), []
    for entry in re.split(r"[\s,]+", (text or "").strip()):
        if not entry:
            continue
        found = ENTRY.match(entry)
        host = found["host"] if found else ""
        bracketed = host.startswith("[")
        port = int(found["port"]) if found and found["port"] else None
        if found and ENV_NAME.match(found["name"]) and (port is None or 1 <= port <= 65535) and (
                is_ipv6(host[1:-1]) if bracketed else HOST_NAME.match(host) is not None) and (
                found["path"] is None or not odd_path(found["path"])):
            if found["path"] is None:
                problems.append(pathless(entry, found["name"], found["plain"] is not None))
                continue
            grants.add(Grant(found["name"], normal_host(host[1:-1] if bracketed else host), port,
                             found["plain"] is not None, found["path"], found["query"] or None))
            continue
        # Someone may have written the secret itself (NAME=value): its value is never echoed.
        shown = entry.partition("=")[0] + "=…" if "=" in entry else entry
        problems.append(SourceError(
            VARIABLE, 0, 0, f"the entry '{shown}' is not NAME@https://host/path or NAME@http://host/path",
            "NAME is an environment variable's name (upper-case letters, digits and _); after the @ comes the url "
            "that NAME may go to, or the start of such urls: the host as in the check's url (an IPv6 address in "
            "brackets), a port if the url gives one, and a path; NAME goes over https only, unless the entry "
            f"starts its host with http://; separate entries with spaces or commas, e.g. {EXAMPLE}"))
    return frozenset(grants), tuple(problems)


def pathless(entry: str, name: str, plain: bool) -> SourceError:
    """Return the error of an entry that names a host but no path (the form of older versions)."""
    written = entry.partition("@")[2]
    written = written if "://" in written else f"https://{written}"
    return SourceError(
        VARIABLE, 0, 0,
        f"the entry '{entry}' names no path: it would let {name} go to every page of its host, and whoever pushes "
        "status.yaml chooses the page and the text it must hold, and reads in the published state what it answered",
        f"name the page the check is for, e.g. {name}@{written}/health (the pages under it too); "
        f"{name}@{written}/ lets the variable go to every page of the host, and is as wide as the token is")


def odd_path(path: str) -> bool:
    """Tell whether a url's path holds what a server may read as another path: a dot segment, an encoded slash
    or backslash, a backslash, a ';' (parameters some servers strip before they compare), a '%' left after
    decoding once (encoded twice) or a byte outside ASCII (a dot written as overlong UTF-8 %c0%ae, fullwidth
    %ef%bc%8e or U+2025, which some servers fold into '.')."""
    decoded = unquote(path)
    if not unquote_to_bytes(path).isascii() or not path.isascii():
        return True
    return any(c in decoded for c in "\\;%") or "/" in unquote(path.replace("/", "")) \
        or any(segment in (".", "..") for segment in decoded.split("/"))


def is_ipv6(text: str) -> bool:
    """Tell whether `text` is an IPv6 address."""
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


def destination(url: str) -> tuple[str, str, int | None]:
    """Return a check url's host and path as the messages show them (with its port when the url gives one, and
    without its query, which may hold a secret), the host as compared, and the port the probe connects to (None
    when the url's port is not a number)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    try:
        given = parts.port
    except ValueError:
        return shown + (parts.path or "/"), normal_host(host), None
    if given is not None:
        shown += f":{given}"
    return shown + (parts.path or "/"), normal_host(host), given or (443 if parts.scheme == "https" else 80)


def refused(check: Check, grants: frozenset[Grant]) -> list[Refusal]:
    """Return a refusal for each header of a check whose variable may not go to its url: its host in its scheme,
    its path and its query."""
    if not check.headers:
        return []
    shown, host, port = destination(check.url or "")
    parts = urlsplit(check.url or "")
    path = parts.path or "/"
    # Over https any grant for the host will do; over anything else (status.yaml allows only http) only one
    # whose entry names http.
    secure = parts.scheme == "https"
    found = []
    for header, variable in check.headers:
        usable = [grant for grant in grants if grant.name == variable and grant.host == host
                  and (secure or grant.plain) and (grant.port is None or port is not None and grant.port == port)]
        if odd_path(path):
            found.append(Refusal(
                header, variable, f"{REFUSED} {variable} to {shown}: the url's path holds a dot segment, an encoded "
                "slash, a backslash, a ';' or a byte outside ASCII, which the server may read as another path",
                "write the path as the server reads it, in ASCII, without '.' or '..' segments, %2F, %5C, '\\' or ';'"))
        elif not any(grant.covers(path, parts.query) for grant in usable):
            found.append(refusal(header, variable, shown, not secure,
                                 parts.query != "" and any(grant.covers(path, "") for grant in usable)))
    return found


def refusal(header: str, variable: str, shown: str, plain: bool, query: bool = False) -> Refusal:
    """Return the refusal of a header's variable for a url as shown (host, port, path), over plain http or over
    https; `query` when an entry covers the url's path but not its query."""
    where = "where the probe runs (the cron job's environment, the CI's variables), never in the repository; " \
            "docs/format.md says how"
    if query:
        return Refusal(
            header, variable, f"{REFUSED} {variable} to {shown} with the url's query: {VARIABLE} lists "
            f"{variable} for that path without a query",
            "a query changes what a page answers, and the published state tells whoever pushes what it answered: "
            f"remove the query from the check's url, or the probe's operator writes the whole url, query included, "
            f"in the entry {where}")
    scheme = "http" if plain else "https"
    if not plain:
        return Refusal(header, variable, f"{REFUSED} {variable} to {shown}: {VARIABLE} does not list "
                       f"{variable}@https://{shown}",
                       f"if {shown} is meant to receive {variable}, the probe's operator adds "
                       f"{variable}@{scheme}://{shown} (that page and those under it) to {VARIABLE} {where}")
    return Refusal(
        header, variable,
        f"{REFUSED} {variable} to {shown} over plain http: {VARIABLE} does not list {variable}@http://{shown}",
        f"over plain http the value crosses the network in clear text: give the check an https:// url, or, if {shown} "
        f"is meant to receive {variable} in clear text (a probe on a private network), the probe's operator adds "
        f"{variable}@http://{shown} to {VARIABLE} {where}")


def header_nodes(root: Node | None) -> dict[tuple[str, str], Node]:
    """Return the node of each header's variable in status.yaml, by (component id, header name)."""
    nodes: dict[tuple[str, str], Node] = {}
    components = root.get("components") if isinstance(root, Map) else None
    for item in components.items if isinstance(components, Seq) else ():
        ident = item.get("id") if isinstance(item, Map) else None
        check = item.get("check") if isinstance(item, Map) else None
        headers = check.get("headers") if isinstance(check, Map) else None
        if isinstance(ident, Scalar) and isinstance(headers, Map):
            for key, value in headers.pairs:
                nodes.setdefault((ident.text, key.text), value)
    return nodes


def secret_problems(components: tuple[Component, ...], root: Node | None, environ) -> tuple[SourceError, ...]:
    """Return the errors that keep the probe from running: malformed entries of EXPEDIENTE_PROBE_SECRETS, and
    each header whose variable it does not list for its check's url (host, scheme, path, query), placed at that
    header in status.yaml."""
    grants, problems = read_grants(environ.get(VARIABLE))
    nodes = header_nodes(root)
    found = list(problems)
    for component in components:
        for problem in refused(component.check, grants) if component.check else ():
            node = nodes.get((component.id, problem.header))
            found.append(SourceError(STATUS_FILE, node.line if node else 1, node.column if node else 1,
                                     problem.message, problem.hint))
    return tuple(found)
