"""Which `Host` a server for this machine alone answers to: the defence against DNS rebinding.

A page of evil.example can make its own name resolve to 127.0.0.1 a moment after it
loaded, and then read whatever a local server answers, with the visitor's browser.
Its requests still name evil.example in `Host`: a server that answers only to
loopback names and addresses, and to the address it is bound to, gives it nothing.
An address literal cannot be rebound, so when the server listens on every address
(0.0.0.0 or ::), any address literal is accepted, still never another name.
"""

from __future__ import annotations

import ipaddress


def host_allowed(host: str | None, bound: str) -> bool:
    """Tell whether a request's Host header names this machine: a loopback name or address, or the
    address the preview is bound to (any address literal when it is bound to all of them)."""
    if not host:
        return False
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1:name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.rsplit(":", 1)[0]
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False            # a name other than localhost: what a rebinding page sends
    listening = ipaddress.ip_address(bound)
    return address.is_loopback or address == listening or listening.is_unspecified
