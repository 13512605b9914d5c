"""A real browser for the tests: the site built through the command line, served on 127.0.0.1, and
Debian's Chromium driven by Playwright (no browser download). Missing pieces fail under CI, else skip."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from helpers_vnu import require

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def build_site(site_dir: Path, out: Path, now: str) -> Path:
    """Build the site in `site_dir` into `out` at `now` through the real command line, and return `out`."""
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    env.update(TZ="UTC", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    command = [sys.executable, "build.py", "build", "--site", str(site_dir), "--out", str(out), "--now", now]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"the build failed ({result.returncode}):\n{result.stdout}{result.stderr}"
    return out


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without a log line per request (pytest would show them all on a failure)."""

    extra: dict[str, Path] = {}

    def translate_path(self, path):
        """Serve the extra files at their URL paths; everything else from the folder."""
        wanted = path.split("?", 1)[0].split("#", 1)[0]
        return str(self.extra[wanted]) if wanted in self.extra else super().translate_path(path)

    def log_message(self, format, *args):
        pass


@contextmanager
def serve(folder: Path, extra: dict[str, Path] | None = None) -> Iterator[str]:
    """Serve `folder` over HTTP on 127.0.0.1 at a free port, in a thread; yield its base URL ('http://.../').

    `extra` maps URL paths ('/x/axe.min.js') to files outside the folder, served beside it.
    """
    handler = type("Handler", (QuietHandler,), {"extra": dict(extra or {})})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name="test-http-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def chromium():
    """Yield a headless Chromium (Debian's, through Playwright), or stop the test when either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(sync_playwright is not None, "the Python package playwright", "run `pip install -e '.[test]'`")
    require(Path(CHROMIUM).is_file(), f"Chromium ({CHROMIUM})", "install it, e.g. `apt-get install chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
