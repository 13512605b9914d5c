"""Run Lighthouse on the example site's hours page and status page, served on 127.0.0.1, and print the scores.

    python bench/lighthouse.py                     # mobile (Lighthouse's default), hours and status pages
    python bench/lighthouse.py --preset desktop    # the desktop configuration
    python bench/lighthouse.py --details           # ... and every audit that cost points
    python bench/lighthouse.py --save reports/     # ... and keep each page's JSON report

Builds the example at a fixed instant into a temporary folder, serves it over HTTP on a free
port of 127.0.0.1, and runs the npm package `lighthouse` (12.x, on Node 18.16 or later) with
Debian's Chromium (CHROME_PATH). Lighthouse is not one of the test checkers in package.json:
when node_modules/ lacks it, this installs it there with `npm install --no-save lighthouse@12`
(package.json and package-lock.json stay as they are; `npm ci` removes it again).

Prints the four category scores (performance, accessibility, best-practices, seo) per page,
0 to 100. Not a test: nothing is asserted, and performance depends on the machine's load.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00-03:00"
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
LIGHTHOUSE_PACKAGE = "lighthouse@12"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Page name -> path under the output's root.
PAGES = {"hours": "", "status": "status/"}
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run")


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve the built site without a log line per request."""

    def log_message(self, format, *args):
        pass


def build_example(out: Path) -> None:
    """Build the example site (the repository root) into `out` at the fixed instant."""
    command = [sys.executable, str(ROOT / "build.py"), "build", "--site", str(ROOT), "--out", str(out), "--now", NOW]
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the build failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def ensure_lighthouse(npm: str | None) -> None:
    """Install Lighthouse into node_modules/ without recording it, unless it is there already."""
    if LIGHTHOUSE.is_file():
        return
    if npm is None:
        raise SystemExit("npm is missing: install Node.js 18.16 or later with npm")
    print(f"installing {LIGHTHOUSE_PACKAGE} into node_modules/ (not saved to package.json) ...", file=sys.stderr)
    command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error", LIGHTHOUSE_PACKAGE]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0 or not LIGHTHOUSE.is_file():
        raise SystemExit(f"could not install {LIGHTHOUSE_PACKAGE} ({result.returncode}):\n{result.stdout}{result.stderr}")


def run_lighthouse(node: str, chromium: str, url: str, preset: str | None) -> dict:
    """Run Lighthouse on `url` and return its JSON report (the LHR)."""
    command = [node, str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"]
    if preset:
        command.append(f"--preset={preset}")
    env = dict(os.environ, CHROME_PATH=chromium)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url} ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def scores(report: dict) -> dict[str, int | None]:
    """Return each category's score from 0 to 100 (None when Lighthouse could not score it)."""
    return {name: None if report["categories"][name]["score"] is None
            else round(report["categories"][name]["score"] * 100) for name in CATEGORIES}


def lost_points(report: dict) -> list[str]:
    """Return the weighted audits that scored below 1, per category, as lines to print."""
    lines = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                lines.append(f"    {name}: {audit['id']} scored {audit['score']:.2f}, weight {ref['weight']}: "
                             f"{audit['title']}{value}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, build and serve the example, run Lighthouse on each page and print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=("desktop", "perf", "experimental"), default=None,
                        help="a Lighthouse configuration (default: Lighthouse's mobile one)")
    parser.add_argument("--details", action="store_true", help="also list every audit that cost points")
    parser.add_argument("--save", type=Path, default=None, help="a folder to write each page's JSON report to")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium",
                        help="the browser's executable (default: chromium on the PATH)")
    args = parser.parse_args(argv)
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        parser.error("node is missing: install Node.js 18.16 or later")
    if not Path(args.chromium).is_file():
        parser.error(f"{args.chromium} not found: install it with `apt-get install chromium`")
    ensure_lighthouse(npm)
    results = {}
    with tempfile.TemporaryDirectory(prefix="expediente-lighthouse-") as temp:
        site = Path(temp) / "public"
        build_example(site)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            for page, path in PAGES.items():
                report = run_lighthouse(node, args.chromium, base + path, args.preset)
                results[page] = report
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"{page}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        finally:
            server.shutdown()
            server.server_close()
    version = next(iter(results.values()))["lighthouseVersion"]
    print(f"Lighthouse {version}, {args.preset or 'mobile'} configuration, example built at {NOW}")
    print(f"{'page':<8}" + "".join(f"{name:>16}" for name in CATEGORIES))
    for page, report in results.items():
        print(f"{page:<8}" + "".join(f"{'-' if s is None else s:>16}" for s in scores(report).values()))
        if args.details:
            print("\n".join(lost_points(report)) or "    (no audit cost points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
