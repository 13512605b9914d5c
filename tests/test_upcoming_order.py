""""Upcoming changes and news" in the order that affects the reader: an incident in progress at the
top, then what is in effect now, then the rest by when it starts (the issue's 24 December)."""

from __future__ import annotations

import lxml.html
from conftest import MINIMAL_HOURS, MINIMAL_SITE, write_tree

from generator.cli import main

STATUS = """\
components:
  - id: telefonia
    name: Telefonia
"""
NOTICES = {
    "notices/2026-11-16-natal.md": """\
---
title: Horário no Natal
date: 2026-11-16 10:00
type: hours
period: 2026-12-24..2026-12-26
changes:
  - date: 2026-12-24
    hours: {phone: 09:00-12:00}
  - date: 2026-12-26
    closed: true
---
Horário reduzido.
""",
    "notices/2026-12-01-carnaval.md": """\
---
title: Horário no Carnaval
date: 2026-12-01 10:00
type: hours
period: 2027-02-08..2027-02-09
changes:
  - dates: 2027-02-08..2027-02-09
    closed: true
---
Fechado no Carnaval.
""",
    "notices/2026-12-20-boletos.md": """\
---
title: Novo boleto
date: 2026-12-20 10:00
type: info
---
O boleto mudou.
""",
    "notices/2026-12-24-queda.md": """\
---
title: Falha no telefone
date: 2026-12-24 09:10
type: incident
impact: major
start: 2026-12-24 09:00
components: {telefonia: major_outage}
updates:
  - at: 2026-12-24 09:10
    status: investigating
    text: Estamos investigando.
---
Falha no telefone.
""",
}


def test_in_effect_first_then_by_start_with_incidents_in_progress_on_top(tmp_path):
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS,
                                          "site_src/status.yaml": STATUS, **NOTICES})
    out = tmp_path / "public"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", "2026-12-24T11:00:00-03:00"]) == 0
    doc = lxml.html.fromstring((out / "index.html").read_bytes())
    links = doc.xpath('//section[@aria-labelledby="upcoming"]//li/a/@href')
    assert [link.split("/")[-2] for link in links] == [
        "2026-12-24-queda", "2026-11-16-natal", "2026-12-20-boletos", "2026-12-01-carnaval"]
