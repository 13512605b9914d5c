"""A DNS check may ask a server on a port other than 53 (`port:` beside `server:`), through the
command line, against a real DNS server on 127.0.0.1."""

from __future__ import annotations

import pytest
from test_probe import dns_port, make_site, rows, run_cli  # noqa: F401  (dns_port is a fixture)


@pytest.mark.slow
@pytest.mark.network
def test_the_probe_asks_the_server_at_its_port(tmp_path, dns_port):  # noqa: F811
    site = make_site(tmp_path, {
        "www": f"{{type: dns, name: www.example.test, server: 127.0.0.1, port: {dns_port}, timeout: 2s}}"})
    result = run_cli("probe", "--site", str(site), "--now", "2026-11-23T13:00:05Z")
    assert (result.returncode, result.stderr) == (0, "")
    assert rows(site, "www") == [["2026-11-23T13:00:05Z", "1", "ms", "1 A record"]]


def test_a_port_without_a_server_is_an_error(tmp_path):
    site = make_site(tmp_path, {"www": "{type: dns, name: www.example.test, port: 5353}"})
    result = run_cli("check", "--site", str(site), "--now", "2026-11-23T13:00:05Z")
    assert result.returncode == 1
    assert result.stderr == (
        "site_src/status.yaml:4:54: error: a DNS check's port is the server's: it needs a server\n"
        "  hint: add server: with the resolver's IP address, or remove port\n1 error\n")
