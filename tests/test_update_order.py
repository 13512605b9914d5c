"""Two updates of an incident posted at the same minute (allowed: updates go
oldest first, equal times pass) are said in opposite orders by the status page and by the Statuspage API, so
the page and the API disagree on the incident's current status. A real build of a copy of the example site."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from generator.cli import main

ROOT = Path(__file__).resolve().parents[1]
INCIDENT = "notices/2026-11-05-instabilidade-link-sp.md"


def test_updates_at_the_same_time_are_said_newest_first_alike_on_the_status_page_and_the_api(tmp_path):
    site = tmp_path / "site"
    for name in ("site_src", "notices"):
        shutil.copytree(ROOT / name, site / name)
    # 'identified' then 'monitoring', both at 14:40: the second written is the newer.
    path = site / INCIDENT
    path.write_text(path.read_text(encoding="utf-8").replace("  - at: 2026-11-05 15:20\n", "  - at: 2026-11-05 14:40\n"),
                    encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", "2026-11-05T15:00:00-03:00"]) == 0
    api = json.loads((out / "api" / "v2" / "incidents" / "unresolved.json").read_text(encoding="utf-8"))
    incident = api["incidents"][0]
    assert incident["status"] == "monitoring"
    assert [u["status"] for u in incident["incident_updates"]] == ["monitoring", "identified", "investigating"]
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (out / "en" / "status" / "index.html").read_text(encoding="utf-8")))
    said = page[page.index("São Paulo link instability"):]
    # The page's current status and its newest-first list say what the API says.
    assert said.startswith("São Paulo link instability Monitoring ·"), said[:200]
    assert said.index("Monitoring · Nov 5, 2026, 14:40") < said.index("Identified · Nov 5, 2026, 14:40"), said[:800]
