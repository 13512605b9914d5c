"""The preview server: a real `build.py serve` on 127.0.0.1, edited while it runs, read over HTTP."""

from __future__ import annotations

import html
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from conftest import MINIMAL_HOURS, MINIMAL_SITE, ROOT, write_tree

from generator.cli import main
from generator.commands.serve import EVENTS_PATH, Preview, Snapshot, inject_reload, is_page, render_problems_page
from generator.errors import SourceError

NOW = "2026-11-23T10:00:00-03:00"
NOTICE = "notices/2026-11-16-natal-e-ano-novo.md"
NOTICE_PAGE = "/notices/2026-11-16-natal-e-ano-novo/"
TITLE = "title: Horário de atendimento no Natal e no Ano-Novo"
DATE = "date: 2026-11-16 10:00"
WAIT = 20   # seconds; a rebuild of the example takes about two

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the tests stop the server with POSIX signals")


@dataclass
class Server:
    """A running preview: its process, address, site folder and console log."""

    process: subprocess.Popen
    port: int
    site: Path
    log: Path

    def console(self) -> str:
        return self.log.read_text(encoding="utf-8")


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(site: Path, log: Path, port: int | None = None) -> Server:
    """Start `build.py serve` on a site; output goes to a file, so that a full pipe never blocks it."""
    port = port or free_port()
    env = {**os.environ, "TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env.pop("SOURCE_DATE_EPOCH", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "build.py", "serve", "--site", str(site), "--port", str(port), "--now", NOW],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
            # Ctrl-C as a terminal sends it, even when these tests run in a background job (a shell
            # starts those with SIGINT ignored, and Python then leaves it ignored).
            preexec_fn=_interruptible,
        )
    return Server(process, port, site, log)


def stop(server: Server) -> int:
    """Stop the server as Ctrl-C does; kill it if it does not stop; return its exit status."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            return server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
    return server.process.wait(10)


def get(server: Server, path: str, timeout: float = 5) -> tuple[int, dict[str, str], str]:
    """Return the status, headers and text of a GET, sending the path as it is."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        connection.close()


def wait_until_up(server: Server) -> None:
    """Wait until the server answers, failing with its console if it exits or takes too long."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with {server.process.returncode}:\n{server.console()}")
        try:
            get(server, "/", timeout=WAIT)
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer within {WAIT} s:\n{server.console()}")


def poll(server: Server, path: str, wanted, what: str) -> tuple[int, dict[str, str], str]:
    """GET `path` until `wanted(status, body)` holds, within WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        status, headers, body = get(server, path)
        if wanted(status, body):
            return status, headers, body
        if time.monotonic() > deadline:
            pytest.fail(f"{path} never showed {what} within {WAIT} s; last answer {status}:\n{body[:2000]}\n"
                        f"console:\n{server.console()}")
        time.sleep(0.2)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def output_folder(server: Server) -> Path:
    """Return the temporary folder the server said it builds into."""
    for line in server.console().splitlines():
        if line.startswith("building ") and " into " in line:
            return Path(line.rsplit(" into ", 1)[1])
    raise AssertionError(f"no 'building ... into' line:\n{server.console()}")


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """A preview of a copy of the example site, for the tests of this module to edit."""
    root = tmp_path_factory.mktemp("serve")
    site = root / "site"
    for name in ("site_src", "notices"):
        shutil.copytree(ROOT / name, site / name)
    server = start(site, root / "console.txt")
    try:
        wait_until_up(server)
        yield server
    finally:
        stop(server)


@pytest.mark.network
@pytest.mark.slow
def test_serves_the_built_site_with_the_reload_script_only_on_the_wire(example):
    status, headers, body = get(example, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert "<title>" in body and "Example Networks" in body
    assert f'new EventSource("{EVENTS_PATH}")' in body
    assert body.index("new EventSource") < body.rindex("</body>")

    on_disk = (output_folder(example) / "index.html").read_text(encoding="utf-8")
    assert "EventSource" not in on_disk and "__expediente" not in on_disk
    assert not (example.site / "public").exists(), "a preview never writes the site's public/"
    assert "serving a preview at http://127.0.0.1:" in example.console()


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize("path, content_type", [
    ("/calendar.ics", "text/calendar; charset=utf-8"),
    ("/feed.xml", "application/xml; charset=utf-8"),
    ("/api/hours.json", "application/json"),
    ("/badges/status.svg", "image/svg+xml"),
    ("/en/notices/", "text/html; charset=utf-8"),
])
def test_content_types(example, path, content_type):
    status, headers, _ = get(example, path)
    assert (status, headers["Content-Type"]) == (200, content_type)


@pytest.mark.network
@pytest.mark.slow
def test_folders_redirect_to_their_index_and_are_never_listed(example):
    connection = http.client.HTTPConnection("127.0.0.1", example.port, timeout=5)
    connection.request("GET", "/notices")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (301, "/notices/")
    connection.close()
    for path in ("/api/", "/api", "/badges/", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/missing.html"):
        status, _, body = get(example, path)
        assert status == 404, path
        assert "hours.json" not in body and "root:" not in body


@pytest.mark.network
@pytest.mark.slow
def test_an_edited_notice_shows_after_the_rebuild(example):
    edit(example.site / NOTICE, TITLE, "title: Natal & Ano-Novo <revisto>")
    status, _, body = poll(example, NOTICE_PAGE, lambda s, b: "Natal &amp; Ano-Novo &lt;revisto&gt;" in b,
                           "the new title")
    assert status == 200
    assert "changed: notices/2026-11-16-natal-e-ano-novo.md" in example.console()


@pytest.mark.network
@pytest.mark.slow
def test_invalid_content_shows_the_problems_on_every_page_then_the_site_again(example, capsys):
    edit(example.site / NOTICE, DATE, "date: 2017-09-31")
    problem = "notices/2026-11-16-natal-e-ano-novo.md:3:7: error: 2017-09-31 does not exist: September 2017 has 30 days"
    status, headers, body = poll(example, NOTICE_PAGE, lambda s, b: "Build failed" in b, "the problems")

    assert main(["check", "--site", str(example.site)]) == 1
    printed = capsys.readouterr().err
    assert printed.startswith(problem + "\n")
    listed = printed.rsplit("\n", 2)[0]   # every problem, without the summary line
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "<title>Build failed: 1 error" in body
    assert f"<pre>{html.escape(listed)}\n</pre>" in body
    assert problem in example.console()

    _, _, home = get(example, "/")
    assert "Build failed: 1 error" in home and problem in home, "no page shows stale content"
    status, headers, text = get(example, "/feed.xml")
    assert (status, headers["Content-Type"], text) == (500, "text/plain; charset=utf-8", listed + "\n")

    edit(example.site / NOTICE, "date: 2017-09-31", DATE)
    status, _, body = poll(example, NOTICE_PAGE, lambda s, b: "Build failed" not in b, "the site again")
    assert status == 200 and "Example Networks" in body


@pytest.mark.network
@pytest.mark.slow
def test_the_event_stream_announces_each_new_build(example):
    connection = http.client.HTTPConnection("127.0.0.1", example.port, timeout=WAIT)
    try:
        connection.request("GET", EVENTS_PATH)
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/event-stream; charset=utf-8"

        def next_build() -> str:
            while True:
                line = response.fp.readline().decode()
                assert line, "the stream ended"
                if line.startswith("data: "):
                    return line[len("data: "):].strip()

        first = next_build()   # the current build, sent at once
        _, _, page = get(example, "/")
        assert f'const shown = "{first}";' in page
        edit(example.site / "notices/2026-11-10-treinamento-equipe.md", "o atendimento em", "o atendimento na")
        assert next_build() != first
    finally:
        connection.close()


@pytest.mark.network
@pytest.mark.slow
def test_ctrl_c_stops_the_server_and_removes_its_folder(tmp_path):
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS})
    server = start(site, tmp_path / "console.txt")
    try:
        wait_until_up(server)
        folder = output_folder(server)
        assert (folder / "index.html").is_file()
        stream = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        stream.request("GET", EVENTS_PATH)
        response = stream.getresponse()
        started = time.monotonic()
        assert stop(server) == 0
        assert time.monotonic() - started < 5
        assert response.read() is not None   # the open stream ends instead of hanging
        stream.close()
        assert not folder.parent.exists()
        assert server.console().rstrip().endswith("stopping the preview")
    finally:
        stop(server)


@pytest.mark.network
@pytest.mark.slow
def test_a_busy_port_is_a_failure_with_exit_status_1_and_a_hint(tmp_path):
    """A port in use is not bad usage (2): the same command works once it is free."""
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = start(site, tmp_path / "console.txt", port=taken.getsockname()[1])
        try:
            assert server.process.wait(WAIT) == 1
        finally:
            stop(server)
    assert server.console() == (f"error: cannot listen on 127.0.0.1:{server.port}: Address already in use\n"
                                "  hint: another program (another preview?) listens there: stop it, or choose another "
                                f"port with --port, e.g. --port {server.port + 1}\n")


def test_the_reload_script_goes_before_the_last_closing_body_tag():
    page = b"<html><body><p>a</p></BODY></html>"
    served = inject_reload(page, "abc-1")
    assert served.startswith(b"<html><body><p>a</p><script>") and served.endswith(b"</script>\n</BODY></html>")
    assert b'const shown = "abc-1";' in served
    assert inject_reload(b"<p>no body</p>", "abc-1").startswith(b"<p>no body</p><script>")


def test_the_problems_page_escapes_what_it_shows():
    problem = SourceError("notices/2026-01-01-<b>.md", 4, 2, "title <script>alert(1)</script> & more", "use &amp;")
    page = render_problems_page(Snapshot("abc-2", ok=False, problems=(problem,)), Path("/sites/<x>")).decode()
    assert "<script>alert" not in page
    assert ("<pre>notices/2026-01-01-&lt;b&gt;.md:4:2: error: title &lt;script&gt;alert(1)&lt;/script&gt; "
            "&amp; more\n  hint: use &amp;amp;\n</pre>") in page
    assert "<code>/sites/&lt;x&gt;</code>" in page and "<title>Build failed: 1 error" in page


def test_a_failure_outside_the_sources_is_shown_too():
    failure = "error: the preview could not be written: [Errno 28] No space left on device"
    page = render_problems_page(Snapshot("abc-3", ok=False, failure=failure), Path("/site")).decode()
    assert "<title>Build failed: the preview could not be built" in page
    assert f"<pre>{failure}\n</pre>" in page


def test_a_rebuild_with_the_same_output_keeps_its_id_so_nothing_reloads(make_site, tmp_path, capsys):
    site = make_site()
    preview = Preview(site, tmp_path / "preview" / "site", lambda: datetime.fromisoformat(NOW), strict=False,
                      debug=False)
    first = preview.rebuild()
    assert first.ok and (tmp_path / "preview" / "site" / "index.html").is_file()
    assert preview.rebuild().build_id == first.build_id
    assert capsys.readouterr().out.splitlines()[-1].endswith("s; the output did not change")
    edit(site / "site_src/site.yaml", "name: Test ISP", "name: Test ISP 2")
    second = preview.rebuild()
    assert second.ok and second.build_id != first.build_id
    assert preview.wait_for_build(first.build_id, timeout=0) == second
    assert preview.wait_for_build(second.build_id, timeout=0) is None
    assert not (site / "public").exists()


@pytest.mark.parametrize("path, page", [
    ("/", True), ("/en/", True), ("/notices/x/index.html", True), ("/notices", True),
    ("/feed.xml", False), ("/api/hours.json", False), ("/calendar.ics", False),
])
def test_which_requests_are_pages(path, page):
    assert is_page(path) is page


def test_a_saved_notice_is_rebuilt_in_process_by_its_parts_alone(tmp_path, capsys):
    site = tmp_path / "site"
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, site / folder)
    out = tmp_path / "preview" / "site"
    preview = Preview(site, out, lambda: datetime.fromisoformat(NOW), strict=False, debug=False)
    assert preview.rebuild().ok
    before = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    edit(site / NOTICE, TITLE, "title: Natal e Ano-Novo (revisto)")
    assert preview.rebuild().ok
    after = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    changed = {path for path in after if after[path] != before.get(path)}
    # The edited notice's pages change; every other notice's page is left as it was, not written again.
    assert "notices/2026-11-16-natal-e-ano-novo/index.html" in changed
    others = {path for path in after if path.startswith(("notices/2", "en/notices/2")) and "natal" not in path}
    assert others and not others & changed
    clean = tmp_path / "clean"
    assert main(["build", "--site", str(site), "--out", str(clean), "--now", NOW, "--no-cache"]) == 0
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == \
        {p.relative_to(clean).as_posix(): p.read_bytes() for p in clean.rglob("*") if p.is_file()}
