"""The preview server against a DNS-rebinding page: only this machine's names and addresses get an answer."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from generator.commands.local_hosts import host_allowed
from generator.commands.preview_watch import watched_folders

NOW = "2026-11-23T10:00:00-03:00"
# Each test starts `build.py serve` in a process of its own and talks to it over a socket.
pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="the tests stop the server with POSIX signals"),
              pytest.mark.slow, pytest.mark.network]


def start(site: Path, log: Path, *extra: str) -> tuple[subprocess.Popen, str, int]:
    """Start `build.py serve --port 0`; return the process and the address and port it says it serves."""
    env = {**os.environ, "TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "build.py", "serve", "--site", str(site), "--port", "0",
                                    "--now", NOW, *extra], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(r"serving a preview at http://\[?([0-9a-f.:]+)\]?:(\d+)/", log.read_text())
        if found:
            return process, found[1], int(found[2])
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"the preview did not start:\n{log.read_text()}")


def get(address: str, port: int, host: str | None) -> tuple[int, str]:
    """GET / with the given Host header (None: no Host header at all)."""
    connection = http.client.HTTPConnection(address, port, timeout=10)
    try:
        connection.putrequest("GET", "/", skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.fixture
def preview(make_site, tmp_path):
    process, address, port = start(make_site(), tmp_path / "log.txt")
    yield address, port
    # SIGTERM, which serve takes as Ctrl-C: a job started in the background inherits SIGINT ignored.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_the_preview_listens_on_127_0_0_1_only(preview):
    address, port = preview
    assert address == "127.0.0.1"
    lan = [ip for ip in socket.gethostbyname_ex(socket.gethostname())[2] if not ip.startswith("127.")]
    for ip in lan:
        with pytest.raises(OSError), socket.create_connection((ip, port), timeout=2):
            pass


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{0}", "127.0.0.1.nip.io", "localhost.evil.example",
                                  "192.168.1.10", "[2001:db8::1]", "", None])
def test_a_foreign_host_header_gets_400_and_nothing_of_the_site(preview, host):
    address, port = preview
    status, body = get(address, port, host.replace("{0}", str(port)) if host else host)
    assert status == 400
    assert body == "this preview answers only to localhost and its own address\n"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "[::1]:{port}",
                                  "app.localhost:{port}", "127.0.0.1"])
def test_this_machine_s_names_are_answered(preview, host):
    address, port = preview
    status, body = get(address, port, host.format(port=port))
    assert status == 200 and "Test ISP" in body


def test_bound_to_every_address_any_address_literal_is_accepted_but_no_other_name():
    assert host_allowed("192.168.1.10:8000", "0.0.0.0") and host_allowed("[fe80::1]:8000", "::")
    assert not host_allowed("evil.example:8000", "0.0.0.0")
    assert host_allowed("192.168.1.10", "192.168.1.10") and not host_allowed("192.168.1.11", "192.168.1.10")


def test_an_address_that_is_not_one_is_a_usage_error(make_site, tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--site", str(make_site()),
                           "--bind", "example.com"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "expediente: error: --bind example.com is not an IP address (e.g. 127.0.0.1)\n"


def stop_preview(process: subprocess.Popen) -> None:
    """Stop the preview as Ctrl-C does (SIGTERM: a job started in the background inherits SIGINT ignored)."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def inotify_watches(pid: int) -> int:
    """Return how many inotify watches the process `pid` holds (Linux's /proc/<pid>/fdinfo)."""
    count = 0
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            count += sum(line.startswith("inotify wd:") for line in info.read_text().splitlines())
        except OSError:
            continue    # a descriptor closed meanwhile
    return count


def wait_for(predicate, seconds: float = 20) -> bool:
    """Return whether `predicate()` came true within `seconds`, asking every 50 ms."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="counts inotify watches in Linux's /proc")
def test_the_preview_does_not_watch_a_folder_outside_the_site_through_a_link(make_site, tmp_path):
    """A pushed notices/usr -> /usr had the watcher (watchfiles, recursive, following links) put a watch on each
    of /usr's 17,000 folders, and rebuild whenever something changed out there."""
    outside = tmp_path / "elsewhere"
    for n in range(20):
        (outside / f"folder-{n}").mkdir(parents=True)
    site = make_site()
    (site / "notices").mkdir()
    (site / "notices" / "linked").symlink_to(outside)
    log = tmp_path / "serve.log"
    process, _, _ = start(site, log)
    try:
        # One watch for each folder of the site's sources and of the default theme, none for the 21 out there.
        expected = len(watched_folders(site))
        assert wait_for(lambda: inotify_watches(process.pid) == expected, 10), (inotify_watches(process.pid),
                                                                                expected)
        (outside / "folder-7" / "unrelated.txt").write_text("a file of some other program\n")
        (site / "notices" / "2026-11-20-aviso.md").write_text("not a notice: a change the preview sees\n")
        assert wait_for(lambda: "changed: notices/2026-11-20-aviso.md" in log.read_text()), log.read_text()
        time.sleep(0.5)
    finally:
        stop_preview(process)
    text = log.read_text()
    assert "notices/linked:1:1: error: the folder is a symbolic link to a folder outside the site" in text
    assert "unrelated.txt" not in text, text
    assert "stopped watching" not in text, text


def test_a_folder_made_while_the_preview_runs_is_watched_and_so_is_one_a_link_inside_the_site_leads_to(
        make_site, tmp_path):
    site = make_site({"shared/.keep": ""})
    log = tmp_path / "serve.log"
    process, _, _ = start(site, log)
    try:
        # A folder made, then a file saved in it: the second change is seen only if the new folder is watched.
        (site / "site_src" / "extra").mkdir()
        assert wait_for(lambda: "changed: site_src/extra" in log.read_text()), log.read_text()
        time.sleep(0.5)
        (site / "site_src" / "extra" / "notes.yaml").write_text("a: 1\n")
        assert wait_for(lambda: "changed: site_src/extra/notes.yaml" in log.read_text()), log.read_text()
        # A link the build follows (relative, inside the site) leads the watch to its folder too.
        (site / "site_src" / "shared").symlink_to(Path("..") / "shared")
        assert wait_for(lambda: "changed: site_src/shared" in log.read_text()), log.read_text()
        time.sleep(0.5)
        (site / "shared" / "notes.yaml").write_text("a: 1\n")
        assert wait_for(lambda: "shared/notes.yaml" in log.read_text()), log.read_text()
    finally:
        stop_preview(process)
    assert "stopped watching" not in log.read_text()


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="counts inotify watches in Linux's /proc")
def test_a_link_to_the_site_root_does_not_make_the_preview_watch_git_or_the_build_cache(make_site, tmp_path):
    """site_src/up -> .. passes check (it stays inside the site); the walk followed it to the site's root and from
    there into .git (git's own writes rebuilt the preview) and .expediente-cache (each rebuild that wrote the cache
    was seen as a change and built again)."""
    site = make_site({".git/objects/ab/.keep": "", ".expediente-cache/templates/.keep": "", "notices/.keep": None})
    (site / "notices").mkdir()
    (site / "site_src" / "up").symlink_to(Path(".."))
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--site", str(site), "--now", NOW],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    base = site.resolve()
    watched = {folder.relative_to(base).as_posix() for folder in watched_folders(site) if folder.is_relative_to(base)}
    assert watched == {"site_src", "notices"}, watched
    log = tmp_path / "serve.log"
    process, _, _ = start(site, log)
    try:
        # One watch for each folder of the sources and of the default theme: none for the root, .git or the cache.
        expected = len(watched_folders(site))
        assert wait_for(lambda: inotify_watches(process.pid) == expected, 10), (inotify_watches(process.pid),
                                                                                expected)
        (site / ".git" / "objects" / "ab" / "0123").write_text("an object git wrote\n")
        (site / ".expediente-cache" / "templates" / "x").write_text("a cache entry\n")
        (site / "notices" / "2026-11-20-aviso.md").write_text("not a notice: a change the preview sees\n")
        assert wait_for(lambda: "changed: notices/2026-11-20-aviso.md" in log.read_text()), log.read_text()
        time.sleep(0.5)
    finally:
        stop_preview(process)
    text = log.read_text()
    assert ".git" not in text and ".expediente-cache" not in text, text
    assert "stopped watching" not in text, text
