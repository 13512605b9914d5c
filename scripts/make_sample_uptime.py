"""Write SAMPLE probe history for the example site: made up, seeded, the same on every run.

    python scripts/make_sample_uptime.py            # rewrites site_src/uptime/<component>/<YYYY-MM>.csv
    python scripts/make_sample_uptime.py --out DIR  # somewhere else

This is not real monitoring data. It gives the example's status page 90 days of bars:
a check every 5 minutes for the components that have a check in site_src/status.yaml
(website, email, dns, link-sp; datacenter has none), over the 90 local days up to the
instant the example is built at (2026-11-23 10:00 in São Paulo), about 26,000 rows per
component. It agrees with the example incident (notices/2026-11-05-instabilidade-link-sp.md):
on 2026-11-05 from 14:05 to 15:35 local time link-sp fails every check and the website
answers slowly, above its 2 s `degraded_after`, with a few timeouts. Otherwise there
are rare isolated failures, the DNS check only starts on 2026-09-10 (its
`monitored_since` in status.yaml, so earlier days show "not monitored yet"), and the
e-mail probe misses a few hours on 2026-10-13. The last row is five minutes before the
example's "now": built at a later "now" (the clock), the page says "no recent checks since
…", as it should for a probe that has stopped.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "site_src" / "uptime"
ZONE = ZoneInfo("America/Sao_Paulo")
START = datetime(2026, 8, 26, tzinfo=ZONE)               # first of the 90 local days
END = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)         # the example's "now"; no row after it
STEP = timedelta(minutes=5)
OFFSET = timedelta(seconds=5)                            # the probe runs a few seconds after each step
INCIDENT = (datetime(2026, 11, 5, 14, 5, tzinfo=ZONE), datetime(2026, 11, 5, 15, 35, tzinfo=ZONE))
DNS_FROM = datetime(2026, 9, 10, 11, 0, tzinfo=ZONE)
EMAIL_GAP = (datetime(2026, 10, 13, 2, 0, tzinfo=ZONE), datetime(2026, 10, 13, 5, 30, tzinfo=ZONE))


def website(rng: random.Random, at: datetime) -> tuple[int, float | None, str]:
    """An HTTP check: about 180 ms, slow and sometimes timing out during the incident."""
    if INCIDENT[0] <= at < INCIDENT[1]:
        if rng.random() < 0.12:
            return 0, None, "timed out after 10 s"
        return 1, rng.uniform(2300, 4800), "HTTP 200"
    if rng.random() < 0.0006:
        return 0, rng.uniform(40, 90), "HTTP 502"
    latency = rng.lognormvariate(5.2, 0.25)
    if rng.random() < 0.002:
        latency += rng.uniform(1800, 2600)                # an occasional slow page
    return 1, latency, "HTTP 200"


def email(rng: random.Random, at: datetime) -> tuple[int, float | None, str] | None:
    """A TCP check of the submission port: about 25 ms; the probe missed a few hours once."""
    if EMAIL_GAP[0] <= at < EMAIL_GAP[1]:
        return None
    if rng.random() < 0.0004:
        return 0, None, "connection timed out after 5 s"
    return 1, rng.lognormvariate(3.2, 0.3), "connected"


def dns(rng: random.Random, at: datetime) -> tuple[int, float | None, str] | None:
    """A DNS query: about 8 ms, only since the check was added."""
    if at < DNS_FROM:
        return None
    if rng.random() < 0.0005:
        return 0, None, "timed out after 3 s"
    latency = rng.lognormvariate(2.1, 0.35)
    if rng.random() < 0.001:
        latency += rng.uniform(500, 900)
    return 1, latency, "A 203.0.113.10"


def link_sp(rng: random.Random, at: datetime) -> tuple[int, float | None, str]:
    """A TCP check of the BGP session: about 4 ms, down throughout the incident."""
    if INCIDENT[0] <= at < INCIDENT[1]:
        return 0, None, "connection timed out after 5 s"
    if rng.random() < 0.0003:
        return 0, None, "connection refused"
    return 1, rng.lognormvariate(1.4, 0.2), "connected"


CHECKS = {"website": website, "email": email, "dns": dns, "link-sp": link_sp}


def write_component(folder: Path, component: str) -> int:
    """Write one component's month files; return the number of rows."""
    rng = random.Random(f"expediente sample {component}")
    check = CHECKS[component]
    files: dict[str, list[list[str]]] = {}
    at, rows = START.astimezone(UTC), 0
    while at + OFFSET <= END:
        local = at.astimezone(ZONE)
        result = check(rng, local)
        if result is not None:
            ok, latency, detail = result
            when = at + OFFSET
            files.setdefault(f"{when:%Y-%m}", []).append(
                [f"{when:%Y-%m-%dT%H:%M:%S}Z", str(ok), "" if latency is None else f"{latency:.1f}", detail])
            rows += 1
        at += STEP
    folder.mkdir(parents=True)
    for month, lines in sorted(files.items()):
        with (folder / f"{month}.csv").open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(["time", "ok", "latency_ms", "detail"])
            writer.writerows(lines)
    return rows


def main() -> None:
    """Rewrite the sample history of every checked component."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for component in sorted(CHECKS):
        folder = args.out / component
        if folder.exists():
            shutil.rmtree(folder)
        print(f"{folder}: {write_component(folder, component)} rows")


if __name__ == "__main__":
    main()
