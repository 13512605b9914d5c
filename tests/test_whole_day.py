"""A day open from midnight to midnight reads "24 hours" in every output, never "00:00" or "00:00 – 00:00".

The site is built through the command line at a fixed instant; each output format is
read back: HTML pages, iCalendar files, feeds, JSON-LD and the hours API.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import icalendar
import lxml.html
import pytest

from generator.cli import main

SITE = """\
name: Loja Hospedagem
base_url: https://apoio.example.pt/
timezone: Europe/Lisbon
languages: [pt-PT, en, es]
holidays:
  country: PT
"""

HOURS = """\
departments:
  - id: comercial
    name: {pt-PT: Comercial, en: Sales, es: Comercial}
    channels:
      - id: phone
        type: phone
        contact: "+351 210 000 000"
        hours:
          mon-fri: 09:00-19:00
          sat: 00:00-24:00
      - id: email
        type: email
        contact: comercial@example.pt
        hours:
          mon-fri: 09:00-19:00
"""

NOTICE = """\
---
title: Natal
date: 2026-11-20 10:00
type: hours
period: 2026-12-24..2026-12-24
changes:
  - date: 2026-12-24
    hours: {email: 00:00-24:00}
---
No dia 24 só o e-mail.
"""

WHOLE_DAY = {"pt-PT": "24 horas", "en": "24 hours", "es": "24 horas"}
# A whole day formatted as an interval of clock times: "00:00 – 00:00", "00:00" alone, or "00:00 – 24:00".
MIDNIGHT_TO_MIDNIGHT = re.compile(r"(?<![+\-\d:])00:00(?:\s*[–-]\s*(?:00|24):00)?(?![:\d])")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    (site / "site_src").mkdir()
    (site / "notices").mkdir()
    (site / "site_src/site.yaml").write_text(SITE, encoding="utf-8")
    (site / "site_src/hours.yaml").write_text(HOURS, encoding="utf-8")
    (site / "notices/2026-11-20-natal.md").write_text(NOTICE, encoding="utf-8")
    out = site / "public"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", "2026-12-01T10:00:00Z"]) == 0
    return out


def visible_text(path: Path) -> str:
    doc = lxml.html.fromstring(path.read_bytes())
    for script in doc.xpath("//script|//style"):
        script.drop_tree()
    return " ".join(doc.text_content().split())


def test_pages_say_24_hours(built):
    for lang, prefix in (("pt-PT", ""), ("en", "en/"), ("es", "es/")):
        hours_page = visible_text(built / prefix / "index.html")
        notice_page = visible_text(built / prefix / "notices/2026-11-20-natal/index.html")
        for text in (hours_page, notice_page):
            assert WHOLE_DAY[lang] in text
            assert not MIDNIGHT_TO_MIDNIGHT.search(text), MIDNIGHT_TO_MIDNIGHT.search(text)


def test_calendars_say_24_hours(built):
    files = sorted(built.rglob("*.ics"))
    assert files
    summaries = []
    for path in files:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        summaries += [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")
                      if str(event.decoded("DTSTART")).startswith("2026-12-24")]
    christmas = [s for s in summaries if s.startswith(("Comercial:", "Sales:"))]
    assert christmas, summaries
    for summary in christmas:
        assert summary.endswith((" 24 horas", " 24 hours")), summary
        assert not MIDNIGHT_TO_MIDNIGHT.search(summary), summary


def test_feeds_and_api_texts_never_read_midnight_to_midnight(built):
    for path in sorted(built.rglob("*.xml")) + sorted((built / "api").rglob("*.json")):
        data = path.read_text(encoding="utf-8")
        assert "00:00 – 00:00" not in data and "00:00\u202f–\u202f00:00" not in data, path


def test_api_keeps_machine_readable_times(built):
    api = json.loads((built / "api/hours.json").read_text(encoding="utf-8"))
    phone = api["departments"][0]["channels"][0]
    assert phone["hours"]["sat"] == [{"start": "00:00", "end": "24:00"}]


def test_json_ld_keeps_schema_org_convention(built):
    doc = lxml.html.fromstring((built / "index.html").read_bytes())
    data = json.dumps([json.loads(s.text) for s in doc.xpath('//script[@type="application/ld+json"]')])
    assert '"opens": "00:00:00"' in data.replace('":"', '": "')
    assert '"closes": "23:59:00"' in data.replace('":"', '": "')
