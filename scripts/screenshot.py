"""Build the example site at a fixed instant and take PNG screenshots of its pages with headless Chromium.

    python scripts/screenshot.py                 # docs/screenshots/hours.png, hours-mobile.png, status.png, notice.png
    python scripts/screenshot.py --dark          # ... and hours-dark.png, hours-mobile-dark.png, ...
    python scripts/screenshot.py --lang en       # the English pages (hours-en.png, ...)

Needs Debian's chromium (`apt-get install chromium`). The pictures are the same on
every run: the pages' scripts are shown the build's instant instead of the browser's
clock (a one-line script put first in the temporary copy of each page), and the
browser runs in the site's time zone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00-03:00"
SITE_ZONE = "America/Sao_Paulo"
SHOTS = ROOT / "docs" / "screenshots"
# The Christmas notice: a notice with a day-by-day table of changed hours.
NOTICE = "notices/2026-11-16-natal-e-ano-novo/"
# (file name stem, page folder in the language's folder, window width, window height):
# the hours page in a desktop window and at a phone's width, the status page, a notice.
VIEWS = (("hours", "", 1280, 2000), ("hours-mobile", "", 390, 2400), ("status", "status/", 1280, 2000),
         ("notice", NOTICE, 1280, 1500))
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
)
# Either flag alone makes Chromium report prefers-color-scheme: dark (Blink counts kDark as 0);
# --force-dark-mode also darkens the browser's own widgets, as a dark desktop theme does.
DARK_FLAGS = ("--force-dark-mode", "--blink-settings=preferredColorScheme=0")


def build_example(out: Path) -> None:
    """Build the example site (the repository root) into `out` at the fixed instant."""
    command = [sys.executable, str(ROOT / "build.py"), "build", "--site", str(ROOT), "--out", str(out), "--now", NOW]
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the build failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def freeze_clock(page: Path, now: str) -> None:
    """Make the page's scripts see `now` as the current time, so that open-now texts are the same on every run."""
    html = page.read_text(encoding="utf-8")
    millis = round(datetime.fromisoformat(now).timestamp() * 1000)
    if "<head>" not in html:
        raise SystemExit(f"{page} has no <head> to put the clock script in")
    page.write_text(html.replace("<head>", f"<head><script>Date.now = function () {{ return {millis}; }};</script>", 1),
                    encoding="utf-8")


def screenshot(chromium: str, page: Path, png: Path, width: int, height: int, dark: bool, profile: Path) -> None:
    """Open `page` in headless Chromium at width x height and write what it shows to `png`."""
    command = [chromium, *CHROMIUM_FLAGS, *(DARK_FLAGS if dark else ()), f"--user-data-dir={profile}",
               f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()]
    png.unlink(missing_ok=True)
    env = dict(os.environ, TZ=SITE_ZONE)
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, env=env)
    if result.returncode != 0 or not png.is_file():
        # Debian's wrapper script prints a harmless "[: unexpected operator" on every launch.
        noise = "\n".join(line for line in result.stderr.splitlines() if "unexpected operator" not in line)
        raise SystemExit(f"chromium could not take {png.name} ({result.returncode}):\n{noise}")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, build the site and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dark", action="store_true", help="also take the pages in dark mode (*-dark.png)")
    parser.add_argument("--lang", default=None, help="the page's language folder, e.g. en (default: the site's first)")
    parser.add_argument("--out", type=Path, default=SHOTS, help=f"where to write the PNGs (default: {SHOTS})")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium",
                        help="the browser's executable (default: chromium on the PATH)")
    args = parser.parse_args(argv)
    if not Path(args.chromium).is_file():
        parser.error(f"{args.chromium} not found: install it with `apt-get install chromium`")
    suffix = f"-{args.lang.lower()}" if args.lang else ""
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="expediente-shots-") as temp:
        site = Path(temp) / "public"
        build_example(site)
        folder = site / args.lang.lower() if args.lang else site
        for sub in sorted({sub for _, sub, _, _ in VIEWS}):
            if not (folder / sub / "index.html").is_file():
                parser.error(f"the build wrote no {(folder / sub / 'index.html').relative_to(site)}")
            freeze_clock(folder / sub / "index.html", NOW)
        for dark in (False, True) if args.dark else (False,):
            for stem, sub, width, height in VIEWS:
                page = folder / sub / "index.html"
                png = args.out / f"{stem}{suffix}{'-dark' if dark else ''}.png"
                screenshot(args.chromium, page, png, width, height, dark, Path(temp) / "profile")
                print(f"wrote {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
