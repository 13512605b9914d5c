"""Time the prose date scan alone: check_dates over the bodies of generated notices and the test corpus.

    python bench/bench_prose.py                       # 1,000 generated notices + tests/prose, 7 runs
    python bench/bench_prose.py --notices 5000 --runs 9
    PYTHONPATH=/tmp/old-checkout python bench/bench_prose.py   # another checkout's generator

The texts are the notices of bench/corpus (as bench/make_notices_site.py writes them: about
half name days with their weekdays), each with its date, plus every file of tests/prose/ok
and tests/prose/bad. Each run scans every text once with the memo of find_dates cleared, in this
process; prints the median, the fastest and the slowest run, and which generator was timed.
Not a test: the figures depend on the machine; compare two checkouts in alternating runs
(`--against` in bench_notices.py does so for whole builds).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import yaml

sys.path.insert(1, str(Path(__file__).resolve().parent))
from make_notices_site import make_notices_site

import generator
from generator.validate.dates_in_text import check_dates, find_dates

ROOT = Path(__file__).resolve().parent.parent


def read_texts(folder: Path) -> list[tuple[str, str, date, tuple | None]]:
    """Return (body, lang, date, period) of each notice-like file with front matter under `folder`."""
    texts = []
    for path in sorted(folder.rglob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        # "2026-11-20 09:00" has no seconds, so YAML leaves it a string; "2026-11-20" is a date.
        day = meta["date"] if isinstance(meta["date"], date) else datetime.fromisoformat(str(meta["date"])).date()
        lang = meta.get("lang") or (path.name.split(".")[-2] if path.name.count(".") > 1 else "pt-BR")
        period = meta.get("period")
        if isinstance(period, str):     # "2026-11-20..2026-11-23", as notices write it
            period = tuple(date.fromisoformat(part) for part in period.split(".."))
        elif period is not None:
            period = tuple(period)
        texts.append((body, lang, day, period))
    return texts


def scan(texts) -> float:
    """Return the seconds one scan of every text takes."""
    find_dates.cache_clear()
    started = time.perf_counter()
    for body, lang, day, period in texts:
        check_dates(body, lang, day, "n.md", 0, period)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="expediente-prose-") as work:
        site = make_notices_site(Path(work) / "site", args.notices)
        texts = read_texts(site / "notices") + read_texts(ROOT / "tests" / "prose")
    scan(texts)                                   # vocabularies built, regexes compiled
    times = sorted(scan(texts) for _ in range(args.runs))
    print(f"generator: {Path(generator.__file__).parent}")
    print(f"{len(texts)} texts, {sum(len(t[0]) for t in texts):,} characters; {args.runs} runs: "
          f"median {statistics.median(times) * 1000:.1f} ms, min {times[0] * 1000:.1f} ms, "
          f"max {times[-1] * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
