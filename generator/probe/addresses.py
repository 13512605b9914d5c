"""Where the probe may connect: to public addresses only, unless its operator allows private networks.

A pushed status.yaml names the probe's targets. Left free, it would point the probe at what only the probe's
machine reaches (the loopback, a cloud's metadata service at 169.254.169.254, the office network) and read the
answers off the published status page: a `contains` that turns a component up or down answers a guess about a
page nobody outside can read. So the probe resolves each target once, refuses it when any of its addresses is
not a public one, and connects to the very addresses it checked, so that a name answering a public address to
the check and a private one to the connection (DNS rebinding) gains nothing. An operator who means to watch
internal services sets EXPEDIENTE_PROBE_PRIVATE=1 where the probe runs; the pushed tree cannot.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl

PRIVATE_VARIABLE = "EXPEDIENTE_PROBE_PRIVATE"
# Why a refused check was not run: the probe's own rule, not a measurement, so no row is recorded for it.
NOT_PUBLIC = "its check's address is not public (loopback, private, link-local or reserved)"
PRIVATE_HINT = (f"if the probe is meant to watch internal services, its operator sets {PRIVATE_VARIABLE}=1 "
                "where the probe runs (docs/format.md)")


class AddressRefused(Exception):
    """A target resolves to an address that is not public, and the operator has not allowed private ones."""


def private_allowed(environ) -> bool:
    """Tell whether the probe's operator allows private addresses (EXPEDIENTE_PROBE_PRIVATE=1)."""
    return environ.get(PRIVATE_VARIABLE) == "1"


def is_public(address: str) -> bool:
    """Tell whether an IP address (text, an IPv6 zone allowed) is one the probe may reach by default."""
    ip = ipaddress.ip_address(address.partition("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 address that carries an IPv4 one reaches that one: ::ffff:127.0.0.1 is the loopback, whatever
        # Python 3.11 says of it; 2002:7f00:1:: (6to4) and a Teredo address lead to the IPv4 address they wrap.
        wrapped = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        if any(inner is not None for inner in wrapped):
            return all(inner is None or is_public(str(inner)) for inner in wrapped)
    # ipaddress also counts the documentation ranges (192.0.2.0/24 ...) and 100.64.0.0/10 as not global: refused too.
    return ip.is_global and not (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_unspecified
                                 or ip.is_multicast or ip.is_reserved)


def resolve(host: str, port: int, environ) -> tuple[tuple[int, tuple], ...]:
    """Resolve host:port once into (family, socket address) pairs; raise AddressRefused when any is not public
    and private ones are not allowed, socket.gaierror when the name does not resolve."""
    found = tuple((family, address) for family, _, _, _, address in
                  socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    if not private_allowed(environ) and any(not is_public(address[0]) for _, address in found):
        raise AddressRefused(host)
    return found


def open_socket(addresses: tuple[tuple[int, tuple], ...], timeout: float) -> socket.socket:
    """Connect to the first of the checked addresses that accepts, as socket.create_connection does for a name."""
    failure: OSError | None = None
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            failure = exc
    raise failure or OSError("no address to connect to")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to addresses already resolved and checked; the url's host still names the request."""

    def __init__(self, host: str, port: int, addresses, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self):
        """Open the socket to a checked address (never resolve the host again)."""
        self.sock = open_socket(self.addresses, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to addresses already resolved and checked; the certificate is checked for the host."""

    def __init__(self, host: str, port: int, addresses, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self.addresses = addresses
        self.tls = context

    def connect(self):
        """Open the socket to a checked address and speak TLS on it for the url's host name."""
        self.sock = self.tls.wrap_socket(open_socket(self.addresses, self.timeout), server_hostname=self.host)
