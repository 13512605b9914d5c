"""Save to reloaded page under `expediente serve`: how long after a notice is saved the browser shows it.

    python bench/bench_serve.py                          # 1,000 notices, 10 saves, headless Chromium
    python bench/bench_serve.py --saves 20 --notices 10000
    python bench/bench_serve.py --no-browser             # the server's events and a GET instead of a browser

Writes the 1,000 notices of the shared corpus as bench/peers' Expediente site (or, with
`--example-site`, make_notices_site.py's copy of the example site), starts `build.py serve
--port 0` on 127.0.0.1 with a fixed --now, and opens one notice's page in Debian's Chromium
through Playwright (as tests/helpers_browser.py does). Then, `--saves` times, a second apart:
the notice's file is written with a new marker word in its body, the time of the save is taken
once the file is closed, and the bench waits until the page in the browser has reloaded and its
text holds the marker. save -> shown is the browser's own time of that page's DOMContentLoaded
(performance.timeOrigin + the navigation's domContentLoadedEventEnd) minus the time of the
save, both read from the system clock. So the figure holds everything a person waits for:
the server's file watcher noticing the save (watchfiles, with serve's 50 ms grouping of the
changes in a burst), the rebuild, the Server-Sent Event, and the browser fetching and parsing
the page again.

With `--no-browser`, the bench itself listens on the server's event stream
(/__expediente/events) and, at each new build id, GETs the page and looks for the marker:
save -> shown is the time that GET returned the marked page.

From serve's own output, the time the "changed:" line was printed and the build's seconds
that serve reports split the figure into: the watcher (save -> "changed:" line), the build,
and the rest (the event, the reload). One untimed save comes first. Prints the median and
the max of each, and the reference loop before and after (conditions.reference_loop). Not
a test: the figures depend on the machine (bench/README.md).
"""

from __future__ import annotations

import argparse
import http.client
import queue
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench_notices import NOW, ROOT
from bench_speed import write_base_sites
from conditions import compile_bytecode, reference_loop

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
EVENTS_PATH = "/__expediente/events"   # generator/commands/preview_pages.py

# The page's own time of its DOMContentLoaded, in ms since the epoch, if its text holds the marker.
SHOWN = """marker => {
  if (!document.body || !document.body.innerText.includes(marker)) return null;
  const entry = performance.getEntriesByType("navigation")[0];
  const at = entry ? (entry.domContentLoadedEventEnd || entry.domContentLoadedEventStart) : 0;
  return performance.timeOrigin + (at || performance.now());
}"""


@dataclass
class Serve:
    """A running `build.py serve`: the process, its address, its output folder, and its output lines with
    the time each was read."""

    process: subprocess.Popen
    base: str
    out: Path
    lines: list[tuple[float, str]]


def start_serve(site: Path, timeout: float) -> Serve:
    """Start `build.py serve` on `site` at a free port; return it once its first build is served."""
    command = [sys.executable, "-u", str(ROOT / "build.py"), "serve", "--site", str(site), "--port", "0",
               "--now", NOW]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, bufsize=1)
    lines: list[tuple[float, str]] = []
    ready: queue.Queue[str] = queue.Queue()

    def read() -> None:
        # Each line is stamped as it arrives: serve prints "changed: ..." when its watcher reports a save.
        for line in process.stdout:
            lines.append((time.time(), line.rstrip("\n")))
            ready.put(line)

    threading.Thread(target=read, name="serve-output", daemon=True).start()
    out = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = ready.get(timeout=1)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        if line.startswith("building ") and " into " in line:
            out = Path(line.rstrip("\n").rsplit(" into ", 1)[1])
        found = re.search(r"serving a preview at (http://\S+/)", line)
        if found and out is not None:
            return Serve(process, found.group(1), out, lines)
    stop_serve(process)
    raise SystemExit("serve did not start:\n" + "\n".join(text for _, text in lines[-30:]))


def stop_serve(process: subprocess.Popen) -> None:
    """Stop serve as Ctrl-C does, so that it removes its preview folder; kill it if it does not stop."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def notice_url(serve: Serve, notice: Path) -> str:
    """Return the address of the notice's page in the served site (the shortest path that names its slug)."""
    pages = [path for path in serve.out.rglob("index.html") if path.parent.name == notice.stem]
    if not pages:
        raise SystemExit(f"no page named {notice.stem}/index.html in {serve.out}")
    page = min(pages, key=lambda path: (len(path.parts), str(path)))
    return serve.base + page.parent.relative_to(serve.out).as_posix() + "/"


def save(path: Path, original: str, marker: str) -> float:
    """Write the notice with the marker as a last paragraph of its body; return the time the file was closed."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(original.rstrip("\n") + f"\n\nMarcador {marker}.\n")
    return time.time()


def wait_in_browser(page, marker: str, timeout: float) -> tuple[float, float]:
    """Wait until the page has reloaded and shows `marker`; return the page's time of that load and the time
    this process saw it (both seconds since the epoch)."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # Woken by the reload; on a timeout (a reload missed between two waits) the page is looked at anyway.
            page.wait_for_event("domcontentloaded", timeout=250)
        except Error:
            pass
        try:
            shown = page.evaluate(SHOWN, marker)
        except Error:   # the page navigated while it was being read
            continue
        if shown:
            return shown / 1000, time.time()
    raise SystemExit(f"the page did not show {marker} within {timeout} s")


class Events:
    """The server's Server-Sent Events, read in a thread: each build id with the time it arrived."""

    def __init__(self, base: str):
        host, port = base.removeprefix("http://").rstrip("/").rsplit(":", 1)
        self.address = (host, int(port))
        self.ids: queue.Queue[tuple[float, str]] = queue.Queue()
        self.sock = socket.create_connection(self.address)
        self.sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        threading.Thread(target=self._read, name="serve-events", daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := self.sock.recv(65536):
            buffer += chunk
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                found = re.search(rb"^data: (.+)$", event, re.MULTILINE)
                if found and b"event: build" in event:
                    self.ids.put((time.time(), found.group(1).decode()))

    def fetch(self, path: str) -> str:
        """GET a page of the served site; return its text."""
        connection = http.client.HTTPConnection(*self.address, timeout=30)
        try:
            connection.request("GET", path)
            return connection.getresponse().read().decode("utf-8", "replace")
        finally:
            connection.close()


def wait_for_events(events: Events, path: str, marker: str, timeout: float) -> tuple[float, float]:
    """Wait for build events until the page at `path` shows `marker`; return the time the GET returned it
    (twice, as wait_in_browser returns two times)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            events.ids.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if marker in events.fetch(path):
            shown = time.time()
            return shown, shown
    raise SystemExit(f"the page did not show {marker} within {timeout} s")


def split_by_serve(lines: list[tuple[float, str]], saved: float) -> tuple[float | None, float | None]:
    """Return, from serve's output after `saved`, when its "changed:" line came and the build seconds it told."""
    changed = build = None
    for at, text in list(lines):
        if at < saved:
            continue
        if changed is None and text.startswith("changed: "):
            changed = at
        found = re.match(r"built \d+ files \(\d+ written\) in ([\d.]+) s", text)
        if changed is not None and found:
            build = float(found.group(1))
            break
    return changed, build


def summary(label: str, values: list[float]) -> list[str]:
    """Return a table row: the median and max of `values` in seconds."""
    if not values:
        return [label, "-", "-", "-"]
    return [label, str(len(values)), f"{statistics.median(values):.3f}", f"{max(values):.3f}"]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, write the site, start serve, time the saves and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000, help="notices in the site (default 1000)")
    parser.add_argument("--saves", type=int, default=10, help="timed saves (default 10), after one untimed")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between saves (default 1)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one save may take to show")
    parser.add_argument("--no-browser", action="store_true",
                        help="wait on the server's events and a GET instead of a browser")
    parser.add_argument("--example-site", action="store_true",
                        help="serve make_notices_site.py's copy of the example site instead of the peers' one")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser (default /usr/bin/chromium)")
    args = parser.parse_args(argv)
    from bench_build import format_table

    compile_bytecode()
    loop_before = reference_loop()
    results: list[tuple[float, float, float | None, float | None]] = []   # shown, seen, watcher, build
    with tempfile.TemporaryDirectory(prefix="expediente-serve-") as temp:
        site = write_base_sites(Path(temp), args.notices, args.example_site)["expediente"]
        notices = sorted((site / "notices").glob("*.md"))
        notice = notices[len(notices) // 2]
        original = notice.read_text(encoding="utf-8")
        serve = start_serve(site, timeout=600)
        browser = playwright = None
        try:
            url = notice_url(serve, notice)
            path = url.removeprefix(serve.base.rstrip("/"))
            if args.no_browser:
                events = Events(serve.base)
                events.ids.get(timeout=30)   # the current build's id, sent first
                wait = lambda marker: wait_for_events(events, path, marker, args.timeout)
            else:
                from playwright.sync_api import sync_playwright

                playwright = sync_playwright().start()
                browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url, wait_until="load")
                wait = lambda marker: wait_in_browser(page, marker, args.timeout)
            token = secrets.token_hex(3)
            for number in range(args.saves + 1):
                time.sleep(args.pause)   # the watcher and the server idle again before the next save
                marker = f"medida{number}x{token}"
                saved = save(notice, original, marker)
                shown, seen = wait(marker)
                changed, build = split_by_serve(serve.lines, saved)
                label = "untimed save" if number == 0 else f"save {number}/{args.saves}"
                print(f"{label}: shown after {shown - saved:.3f} s (seen by the bench after {seen - saved:.3f} s; "
                      f"watcher {'-' if changed is None else f'{changed - saved:.3f}'} s, "
                      f"build {'-' if build is None else f'{build:.2f}'} s)", file=sys.stderr, flush=True)
                if number:
                    results.append((shown - saved, seen - saved, None if changed is None else changed - saved, build))
        finally:
            if browser is not None:
                browser.close()
            if playwright is not None:
                playwright.stop()
            stop_serve(serve.process)
            notice.write_text(original, encoding="utf-8")
    loop_after = reference_loop()
    watcher = [r[2] for r in results if r[2] is not None]
    builds = [r[3] for r in results if r[3] is not None]
    rest = [r[0] - r[2] - r[3] for r in results if r[2] is not None and r[3] is not None]
    how = "the bench's GET after the server's event" if args.no_browser else "headless Chromium"
    rows = [["", "saves", "median s", "max s"],
            summary("save -> shown", [r[0] for r in results]),
            summary("save -> seen by the bench", [r[1] for r in results]),
            summary("  watcher: save -> serve's \"changed:\" line", watcher),
            summary("  build, as serve reports it", builds),
            summary("  the rest: event, reload, page", rest)]
    target = statistics.median(r[0] for r in results)
    print("\n".join([
        f"save -> reloaded page under serve: {args.notices:,} notices, {args.saves} saves of one notice "
        f"({notice.name}), {how}",
        f"reference loop (conditions.reference_loop): {loop_before:.2f} s before, {loop_after:.2f} s after",
        "", format_table(rows), "",
        f"issue 16: save of one notice to reloaded page at most 0.5 s: median {target:.3f} s, "
        + ("met" if target <= 0.5 else "NOT met")]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
