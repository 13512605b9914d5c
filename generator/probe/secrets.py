"""Which environment variable the probe may send to which host: the operator's list, never the pushed tree's.

A check's `headers:` in status.yaml name the environment variables whose values the probe sends. Whoever
pushes writes status.yaml, url included, while the variables are the probe machine's: its push token, the
CI's job token, a cloud key. So the names alone cannot decide: the person who runs the probe lists, in one
environment variable set where the probe runs (never in the repository), each variable with the host it
may go to:

    EXPEDIENTE_PROBE_SECRETS="STATUS_TOKEN@www.example.net STATUS_AUTH@api.example.net:8443"

Entries are separated by spaces or commas. `NAME@host` lets NAME go to that host on any port, over https
only; `NAME@host:port` to that port only (`NAME@https://host` and `NAME@https://host:port` say the same,
as written from a url). The scheme is part of the grant because the url's is the pusher's:
a port alone does not keep a value off plain http (`http://host:443/` is plain http to port 443), and over
plain http anyone on the path reads it. `NAME@http://host` and `NAME@http://host:port` allow plain http too,
for a probe that watches a private network; the operator writes the scheme to say so. The host is compared
without regard to case, the name exactly; an IPv6 host is written in brackets, as in a url
(`NAME@[2001:db8::1]`). A header whose variable is not listed for its check's host and scheme stops the
probe before it measures anything, and whether that variable is set is never looked at: the answer is the
same either way.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator.errors import SourceError
from generator.model import Check, Component
from generator.read.yaml_nodes import Map, Node, Scalar, Seq
from generator.validate.fields import HOST_NAME
from generator.validate.status import ENV_NAME

VARIABLE = "EXPEDIENTE_PROBE_SECRETS"
STATUS_FILE = "site_src/status.yaml"
# `https://` before the host says what an entry without a scheme means already: operators write it from the url.
ENTRY = re.compile(r"^(?P<name>[^@]+)@(?:(?P<plain>(?i:http)://)|(?i:https)://)?"
                   r"(?P<host>\[[^\]]*\]|[^:\[\]]+)(?::(?P<port>[0-9]{1,5}))?$")
REFUSED = "the probe may not send the variable"      # how each refusal starts: the command names its cause
EXAMPLE = f'{VARIABLE}="STATUS_TOKEN@www.example.net STATUS_AUTH@[2001:db8::1]:8443"'


@dataclass(frozen=True, slots=True)
class Grant:
    """One entry of the operator's list: variable `name` may go to `host` (normalised), on `port` or any,
    over https only or, when `plain`, over plain http too."""

    name: str
    host: str
    port: int | None
    plain: bool


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
                is_ipv6(host[1:-1]) if bracketed else HOST_NAME.match(host) is not None):
            grants.add(Grant(found["name"], normal_host(host[1:-1] if bracketed else host), port,
                             found["plain"] is not None))
            continue
        # Someone may have written the secret itself (NAME=value): its value is never echoed.
        shown = entry.partition("=")[0] + "=…" if "=" in entry else entry
        problems.append(SourceError(
            VARIABLE, 0, 0,
            f"the entry '{shown}' is not NAME@host, NAME@host:port, NAME@http://host or NAME@http://host:port",
            "NAME is an environment variable's name (upper-case letters, digits and _), host is as in the check's "
            "url (an IPv6 address in brackets); NAME goes over https only, unless the entry starts its host with "
            f"http://; separate entries with spaces or commas, e.g. {EXAMPLE}"))
    return frozenset(grants), tuple(problems)


def is_ipv6(text: str) -> bool:
    """Tell whether `text` is an IPv6 address."""
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


def destination(url: str) -> tuple[str, str, int | None]:
    """Return a check url's host as the messages show it (with its port when the url gives one), the host
    as compared, and the port the probe connects to (None when the url's port is not a number)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    try:
        given = parts.port
    except ValueError:
        return shown, normal_host(host), None
    if given is not None:
        shown += f":{given}"
    return shown, normal_host(host), given or (443 if parts.scheme == "https" else 80)


def refused(check: Check, grants: frozenset[Grant]) -> list[Refusal]:
    """Return a refusal for each header of a check whose variable may not go to its url's host in its scheme."""
    if not check.headers:
        return []
    shown, host, port = destination(check.url or "")
    # Over https any grant for the host will do; over anything else (status.yaml allows only http) only one
    # whose entry names http.
    secure = urlsplit(check.url or "").scheme == "https"
    kinds = (False, True) if secure else (True,)
    return [refusal(header, variable, shown, not secure) for header, variable in check.headers
            if not any(Grant(variable, host, None, plain) in grants
                       or port is not None and Grant(variable, host, port, plain) in grants for plain in kinds)]


def refusal(header: str, variable: str, shown: str, plain: bool) -> Refusal:
    """Return the refusal of a header's variable for a host as shown, over plain http or over https."""
    where = "where the probe runs (the cron job's environment, the CI's variables), never in the repository; " \
            "docs/format.md says how"
    if not plain:
        return Refusal(header, variable, f"{REFUSED} {variable} to {shown}: {VARIABLE} does not list {variable}@{shown}",
                       f"if {shown} is meant to receive {variable}, the probe's operator adds {variable}@{shown} "
                       f"to {VARIABLE} {where}")
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
    each header whose variable it does not list for its check's host and scheme, placed at that header in status.yaml."""
    grants, problems = read_grants(environ.get(VARIABLE))
    nodes = header_nodes(root)
    found = list(problems)
    for component in components:
        for problem in refused(component.check, grants) if component.check else ():
            node = nodes.get((component.id, problem.header))
            found.append(SourceError(STATUS_FILE, node.line if node else 1, node.column if node else 1,
                                     problem.message, problem.hint))
    return tuple(found)
