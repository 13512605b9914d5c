"""The `serve` command: a local preview that rebuilds on every change and reloads the browser.

The site is built into a temporary folder (never the site's public/) and served
from 127.0.0.1 only. A thread watches site_src/, notices/ and templates/ and
rebuilds after each burst of changes; pages are sent with a small script that
listens on a Server-Sent Events stream and reloads when the build id changes.
While the sources hold errors, every page shows them instead of the last good
build, so nothing stale is ever mistaken for current. The script is added while
a page is sent; the files on disk are exactly what `build` would write.
"""

from __future__ import annotations

import errno
import ipaddress
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from generator.commands.build import LiveOutput, build_into
from generator.commands.local_hosts import host_allowed
from generator.commands.preview_pages import (
    EVENTS_PATH,
    inject_reload,
    page_language,
    render_problems_page,
    scheduled_banner,
)
from generator.commands.preview_watch import watch_and_rebuild, watched_folders
from generator.errors import SourceError, has_errors
from generator.model import Notice
from generator.pipeline import LoadMemo
from generator.report import print_problems, summary_of
from generator.write.new_files import make_preview_folder, remove_preview_folder
from generator.write.staging import WriteError

HOST = "127.0.0.1"   # a preview is for the person at this machine, never for the network
KEEPALIVE_SECONDS = 15   # a comment on an idle event stream, so that a closed browser tab is noticed

# Types by suffix, so that nothing depends on the machine's /etc/mime.types.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}

@dataclass(frozen=True, slots=True)
class Snapshot:
    """The latest build as the server sees it: its id, whether it may be shown, and what went wrong."""

    build_id: str
    ok: bool
    problems: tuple[SourceError, ...] = ()
    failure: str | None = None   # a write or internal error, already worded for the reader
    scheduled: tuple[Notice, ...] = ()   # notices dated after the build's "now": shown in a banner only

    def summary(self) -> str:
        """Return e.g. '2 errors, 1 warning', or what stopped a build that had no errors in its sources."""
        return summary_of(self.problems) if has_errors(self.problems) else "the preview could not be built"

    def report(self) -> str:
        """Return the problems as the command line prints them, one per line."""
        lines = [problem.format() for problem in self.problems]
        if self.failure:
            lines.append(self.failure)
        return "\n".join(lines) + "\n"


class Preview:
    """The output folder and the latest build, shared by the rebuilding thread and the request handlers."""

    def __init__(self, site_dir: Path, out_dir: Path, clock: Callable[[], datetime], strict: bool, debug: bool):
        self.site_dir, self.out_dir, self.clock, self.strict, self.debug = site_dir, out_dir, clock, strict, debug
        self.closing = False
        self._token = secrets.token_hex(4)   # a restarted server's first build must still reload open pages
        self._count = 0
        self._hashes: dict[str, str] = {}
        self._live: LiveOutput | None = None    # what the preview folder holds, part by part
        self._memo = LoadMemo()                 # the notices as last checked, kept between rebuilds
        self._signature: tuple | None = None
        self._snapshot = Snapshot(self._next_id(), ok=False, failure="the first build has not finished")
        self._changed = threading.Condition()
        self._building = threading.Lock()

    def _next_id(self) -> str:
        self._count += 1
        return f"{self._token}-{self._count}"

    def snapshot(self) -> Snapshot:
        """Return the latest build."""
        with self._changed:
            return self._snapshot

    def rebuild(self) -> Snapshot:
        """Build the site at the clock's "now", write it when valid, print what happened; return the new snapshot."""
        with self._building:
            started = time.perf_counter()
            told = []   # the result, kept even when writing it then fails
            failure, written, count = None, 0, 0
            try:
                # The last build's parts are kept here, not in a manifest: the preview folder is this
                # process's own, so a rebuild renders only the parts whose key changed (commands/build.py).
                built = build_into(self.site_dir, self.out_dir, self.clock(), self.strict,
                                   previous_hashes=self._hashes, on_result=told.append, live=self._live,
                                   memo=self._memo)
                if built.result.ok:
                    self._hashes, written, count = built.hashes, built.written, len(built.hashes)
                    self._live = LiveOutput({path: [digest] for path, digest in built.hashes.items()},
                                            built.parts, list(built.hashes))
            except (WriteError, OSError) as exc:
                self._live = None       # the folder may be half changed: the next build is a full one
                failure = f"error: the preview could not be written: {exc}"
            except Exception:
                self._live = None
                failure = "internal error: this is a bug in the generator; run again with --debug for details"
                if self.debug:
                    failure = "internal error:\n" + traceback.format_exc()
            problems: tuple[SourceError, ...] = told[0].problems if told else ()
            scheduled: tuple[Notice, ...] = told[0].scheduled if told else ()
            ok = failure is None and not has_errors(problems)
            print_problems(problems, sys.stderr)
            if failure:
                print(failure, file=sys.stderr)
            for notice in scheduled:
                print(f"{notice.path}: scheduled: published at {notice.date.isoformat()}", flush=True)
            signature = (ok, tuple(sorted(self._hashes.items())) if ok else (), problems, failure, scheduled)
            took = time.perf_counter() - started
            with self._changed:
                first = self._signature is None
                news = "" if first else "; open pages reload"
                if signature != self._signature:
                    self._snapshot = Snapshot(self._next_id(), ok, problems, failure, scheduled)
                    self._signature = signature
                    self._changed.notify_all()
                elif ok:
                    news = "; the output did not change"
                snapshot = self._snapshot
            if ok:
                print(f"built {count} files ({written} written) in {took:.2f} s{news}", flush=True)
            else:
                print(f"{snapshot.summary()}; the browser shows the problems until they are fixed", file=sys.stderr,
                      flush=True)
            return snapshot

    def wait_for_build(self, seen: str | None, timeout: float) -> Snapshot | None:
        """Return the latest build once its id differs from `seen`; None on timeout or when closing."""
        with self._changed:
            self._changed.wait_for(lambda: self.closing or self._snapshot.build_id != seen, timeout)
            if self.closing or self._snapshot.build_id == seen:
                return None
            return self._snapshot

    def close(self) -> None:
        """Release every open event stream."""
        with self._changed:
            self.closing = True
            self._changed.notify_all()


def is_page(url_path: str) -> bool:
    """Tell whether a request path names a page (a folder, an .html file, a name without suffix)."""
    last = url_path.rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


class PreviewHandler(SimpleHTTPRequestHandler):
    """Answers from the output folder; adds the reload script to pages; never lists a folder."""

    server_version = "ExpedientePreview"

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview   # set before the base class handles the request
        super().__init__(*args, directory=str(preview.out_dir), **kwargs)

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def answer(self, send_body: bool) -> None:
        """Send the events stream, the problems page, or a file of the latest good build."""
        if not host_allowed(self.headers.get("Host"), self.server.server_address[0]):
            # DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 would
            # read the preview with the visitor's browser; its requests carry its own name.
            return self.send(400, CONTENT_TYPES[".txt"], b"this preview answers only to localhost and "
                             b"its own address\n", send_body)
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            return self.send_events(send_body)
        # The snapshot is taken before the file is read: a build finishing in between then
        # costs one extra reload, never an old page that believes it is current.
        snapshot = self.preview.snapshot()
        if not snapshot.ok:
            if is_page(path):
                return self.send(200, CONTENT_TYPES[".html"], render_problems_page(snapshot, self.preview.site_dir),
                                 send_body)
            return self.send(500, CONTENT_TYPES[".txt"], snapshot.report().encode(), send_body)
        root = Path(self.directory).resolve()
        target = Path(self.translate_path(path))
        if target.is_dir() and (target / "index.html").is_file():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        if not target.is_file() or not target.resolve().is_relative_to(root):
            return self.send_not_found(snapshot, send_body)
        try:
            data = target.read_bytes()
        except OSError:   # swapped away by a build between the test and the read
            return self.send_not_found(snapshot, send_body)
        kind = CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        if target.suffix.lower() == ".html":
            data = inject_reload(data, snapshot.build_id, scheduled_banner(snapshot.scheduled, page_language(data)))
        self.send(200, kind, data, send_body)

    def send(self, status: int, kind: str, data: bytes, send_body: bool) -> None:
        """Send a whole response that no cache keeps."""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def send_not_found(self, snapshot: Snapshot, send_body: bool) -> None:
        """Send a 404 that reloads with the next build, which may create the page."""
        page = b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>" \
               b"<body><h1>Not found</h1><p>The site has no file at this address.</p></body></html>\n"
        self.send(404, CONTENT_TYPES[".html"], inject_reload(page, snapshot.build_id), send_body)

    def send_events(self, send_body: bool) -> None:
        """Stream the id of every new build as a Server-Sent Event, starting with the current one."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not send_body:
            return
        seen = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not self.preview.closing:
                snapshot = self.preview.wait_for_build(seen, KEEPALIVE_SECONDS)
                if self.preview.closing:
                    break
                if snapshot is None:
                    self.wfile.write(b": still here\n\n")
                else:
                    self.wfile.write(f"event: build\ndata: {snapshot.build_id}\n\n".encode())
                    seen = snapshot.build_id
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass   # the page was closed or reloaded

    def list_directory(self, path):
        """Refuse folder listings: a folder without index.html is not a page of the site."""
        self.send_error(404)
        return None

    def log_message(self, format: str, *args) -> None:
        if self.preview.debug:
            super().log_message(format, *args)


class PreviewServer(ThreadingHTTPServer):
    """A threading server whose closed connections are not reported as errors."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PreviewServer6(PreviewServer):
    """The preview server on an IPv6 address."""

    address_family = socket.AF_INET6


def listen_hint(exc: OSError, port: int) -> str:
    """Return what to do when the preview's socket cannot listen on `port`, from the OSError's errno."""
    if exc.errno == errno.EADDRINUSE:
        return (f"another program (another preview?) listens there: stop it, or choose another port with "
                f"--port, e.g. --port {port + 1 if 0 < port < 65535 else 8001}")
    if exc.errno == errno.EACCES:
        return "ports below 1024 need privileges: choose another with --port, e.g. --port 8000"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "--bind must be an address of this machine, e.g. 127.0.0.1"
    return "choose another address with --bind or another port with --port"


def serve_command(site_dir: Path, port: int, clock: Callable[[], datetime], strict: bool, debug: bool = False,
                  bind: str = HOST) -> int:
    """Serve a live preview of `site_dir` on `bind`:`port` (127.0.0.1 by default), each build at `clock()`,
    until interrupted; return the exit status."""
    if not 0 <= port <= 65535:
        print(f"expediente: error: --port {port} is not a port number (0 to 65535)", file=sys.stderr)
        return 2
    try:
        bind = str(ipaddress.ip_address(bind))
    except ValueError:
        print(f"expediente: error: --bind {bind} is not an IP address (e.g. 127.0.0.1)", file=sys.stderr)
        return 2
    root = make_preview_folder()
    preview = Preview(site_dir, root / "site", clock, strict, debug)
    try:
        server_class = PreviewServer6 if ":" in bind else PreviewServer
        server = server_class((bind, port), partial(PreviewHandler, preview=preview))
    except OSError as exc:
        remove_preview_folder(root)
        # Not bad usage (2): the same command works once the port is free; a failure to run, as a build's OSError.
        print(f"error: cannot listen on {bind}:{port}: {exc.strerror or exc}\n  hint: {listen_hint(exc, port)}",
              file=sys.stderr)
        return 1
    stop = threading.Event()
    # The watcher starts before the first build, so that a change saved during it is not missed.
    watcher = threading.Thread(target=watch_and_rebuild, args=(site_dir, preview.rebuild, watched_folders(site_dir), stop),
                               name="expediente-watch", daemon=True)
    previous_term = None
    if threading.current_thread() is threading.main_thread():
        previous_term = signal.signal(signal.SIGTERM, signal.default_int_handler)   # stop as on Ctrl-C
    try:
        watcher.start()
        print(f"building {site_dir} into {preview.out_dir}", flush=True)
        preview.rebuild()
        shown = f"[{bind}]" if ":" in bind else bind
        print(f"serving a preview at http://{shown}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        print("stopping the preview", flush=True)
    finally:
        preview.close()
        stop.set()
        server.server_close()
        watcher.join()   # a build in progress finishes before its folder is removed
        remove_preview_folder(root)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    return 0
