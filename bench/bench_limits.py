"""The worst input each limit accepts, built: seconds, peak memory and output, medians of fresh processes.

    python bench/bench_limits.py [--runs 3] [--notices 2000] [--only TEXT]

Each case is the example site (site_src/ and notices/) with one input at its limit
(generator/limits.py, defaults): the build runs in a fresh process each time, and
its peak resident memory is the child's own (wait4).  The limit on notices is
measured at --notices (20,000 takes minutes on a shared machine); its cost grows
linearly with the count (see bench_notices.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.limits import LIMITS, MAX_BODY_CHARS, MAX_BODY_MARKS

NOW = "2026-11-23T10:00:00-03:00"


def limit(key: str) -> int:
    return LIMITS[key].default


def intervals(count: int) -> str:
    """Return `count` short intervals of one day, as a YAML flow list."""
    return "[" + ", ".join(f"{h:02d}:00-{h:02d}:30" for h in range(count)) + "]"


def notice(front: str, body: str = "Aviso.\n", day: str = "2026-11-20") -> str:
    return f"---\ntitle: Aviso\ndate: {day} 10:00\n{front}---\n{body}"


def case_change_days() -> dict[str, str]:
    first = "2027-02-01"
    from datetime import date, timedelta

    last = (date.fromisoformat(first) + timedelta(limit("change_days") - 1)).isoformat()
    hours = intervals(limit("intervals_per_day"))
    return {"notices/2026-11-20-x.md": notice(
        f"changes:\n  - dates: {first}..{last}\n    hours: {{phone: {hours}, chat: {hours}}}\n")}


def case_hours() -> dict[str, str]:
    day = intervals(limit("intervals_per_day"))
    lines = ["departments:"]
    for d in range(limit("departments")):
        lines += [f"  - id: d{d}", f"    name: D{d}", "    channels:"]
        lines += [f"      - {{id: c{c}, type: email, contact: c{c}@example.net, hours: {{daily: {day}}}}}"
                  for c in range(limit("channels"))]
    return {"site_src/hours.yaml": "\n".join(lines) + "\n", "notices": None}


def case_markdown() -> dict[str, str]:
    marks = "<a " * MAX_BODY_MARKS
    body = marks + "x " * ((MAX_BODY_CHARS - len(marks)) // 2)
    return {"notices/2026-11-20-x.md": notice("", body[:MAX_BODY_CHARS])}


def case_languages() -> dict[str, str]:
    text = (ROOT / "site_src/site.yaml").read_text(encoding="utf-8")
    tags = "[pt-BR, en, es, pt-PT, fr, de, it, nl, sv, da]"  # the default limit: 10
    return {"site_src/site.yaml": text.replace("[pt-BR, en]", tags)}


def case_components() -> dict[str, str]:
    """The example's components, then more with a check each, up to the limit: 90 bars and an API entry each."""
    text = (ROOT / "site_src/status.yaml").read_text(encoding="utf-8").rstrip("\n") + "\n"
    existing = text.count("\n  - id: ")
    extra = [f"  - {{id: c{n}, name: C{n}, check: {{type: tcp, host: 192.0.2.{n % 250 + 1}, port: 443}}}}"
             for n in range(limit("components") - existing)]
    return {"site_src/status.yaml": text + "\n".join(extra) + "\n"}


def case_notices(count: int) -> dict[str, str]:
    """`count` notices in place of the example's (at the limit, the example's own would be over it)."""
    days = [f"2026-11-{1 + n % 20:02d}" for n in range(count)]
    return {"notices": None, **{f"notices/{day}-n{n}.md": notice("", "Aviso.\n", day) for n, day in enumerate(days)}}


def make_site(folder: Path, files: dict[str, str | None]) -> Path:
    site = folder / "site"
    for name in ("site_src", "notices"):
        shutil.copytree(ROOT / name, site / name)
    for rel, text in files.items():
        if text is None:
            shutil.rmtree(site / rel)
            continue
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    return site


def build_once(site: Path) -> tuple[float, float, float]:
    """Build in a fresh process: (seconds, peak MB of that process and its workers, MB written)."""
    out = site.parent / "public"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--no-cache", "--site", str(site),
                              "--out", str(out), "--now", NOW], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the build of {site} failed:\n{child.stderr.read().decode()}")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return took, usage.ru_maxrss / 1024, size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--only", help="run only the cases whose name holds this text")
    args = parser.parse_args()
    cases = [
        ("example site as it is", {}),
        (f"change_days: one notice changing {limit('change_days')} days, {limit('intervals_per_day')} intervals "
         "in 2 channels", case_change_days()),
        (f"departments x channels x intervals_per_day: {limit('departments')} x {limit('channels')} x "
         f"{limit('intervals_per_day')}, every day", case_hours()),
        (f"Markdown: {MAX_BODY_CHARS:,} characters with {MAX_BODY_MARKS} unclosed tags", case_markdown()),
        (f"languages: {limit('languages')}", case_languages()),
        (f"components: {limit('components')}, each with a check", case_components()),
        (f"notices: {args.notices:,} (limit {limit('notices'):,})", case_notices(args.notices)),
    ]
    print(f"| input (at the limit) | seconds | peak MB | output MB |  (medians of {args.runs} fresh builds)")
    print("|---|---:|---:|---:|")
    for name, files in cases:
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory(prefix="bench-limits-") as temp:
            site = make_site(Path(temp), files)
            runs = [build_once(site) for _ in range(args.runs)]
        seconds, memory, output = (statistics.median(values) for values in zip(*runs))
        print(f"| {name} | {seconds:.2f} | {memory:.0f} | {output:.1f} |", flush=True)


if __name__ == "__main__":
    main()
