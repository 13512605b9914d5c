"""A notice's days on the home page, the notice index and its own page: separate days as a list, runs as ranges.

"24–31 de dic de 2026" for a notice that changes 24 and 31 December reads as the week between them.
Built through generator.cli.main at the user's "now"; the pages' text is read with html.parser.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import write_tree
from test_holiday_channel_events import HOURS, NOW, SITE

from generator.cli import main
from generator.render.i18n import LocaleFormats
from generator.render.notices import days_text

CHRISTMAS = """\
---
title: "Horario de Navidad y Año Nuevo"
date: 2026-12-07 10:00
departments: [soporte]
period: 2026-12-24..2027-01-01
prose_dates_ok: [2026-12-25]
changes:
  - date: 2026-12-24
    hours: {telefono: 09:00-14:00, whatsapp: 09:00-14:00, correo: 24h, chat: 08:00-14:00}
  - date: 2026-12-31
    hours: {telefono: 09:00-14:00, whatsapp: 09:00-14:00, correo: 24h, chat: 08:00-14:00}
---
Les informamos que cerramos el 24 y el 31 a las 14 h. El 25 de diciembre y el 1 de enero
no habrá atención (días festivos). El correo se atiende como siempre.
"""

CHRISTMAS_EN = """\
---
title: "Christmas and New Year hours"
---
We close at 14:00 on the 24th and the 31st. There is no support on 25 December and 1 January
(public holidays). E-mail is answered as always.
"""

INVENTORY = """\
---
title: "Inventario del 28 y 29 de diciembre"
date: 2026-12-07 10:00
departments: [soporte]
changes:
  - date: 2026-12-28
    hours: {correo: 24h}
  - date: 2026-12-29
    hours: {correo: 24h}
---
El 28 y el 29 de diciembre solo atendemos por correo.
"""

INVENTORY_EN = """\
---
title: "Stocktaking on 28 and 29 December"
---
On 28 and 29 December we answer by e-mail only.
"""


class Text(HTMLParser):
    """The text of a page, tags left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(path: Path) -> str:
    parser = Text()
    parser.feed(path.read_text(encoding="utf-8"))
    # ASCII white space only: the narrow no-break spaces around a range's dash are part of the text.
    return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("days")
    source = write_tree(root / "site", {
        "site_src/site.yaml": SITE.replace("__LANGUAGES__", "es-MX, en"),
        "site_src/hours.yaml": HOURS,
        "notices/2026-12-07-navidad.md": CHRISTMAS,
        "notices/2026-12-07-navidad.en.md": CHRISTMAS_EN,
        "notices/2026-12-07-inventario.md": INVENTORY,
        "notices/2026-12-07-inventario.en.md": INVENTORY_EN,
    })
    out = root / "out"
    assert main(["build", "--site", str(source), "--out", str(out), "--now", NOW]) == 0
    return out


PAGES = ("index.html", "notices/index.html", "notices/2026-12-07-navidad/index.html")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("folder, days, week", [
    ("", "24 y 31 de dic de 2026", "24–31 de dic"),
    ("en/", "Dec 24 and 31, 2026", "Dec 24\u202f–\u202f31"),
])
def test_two_separate_days_are_a_list_on_every_page_that_shows_them(site, page, folder, days, week):
    shown = text_of(site / folder / page)
    assert days in shown
    assert week not in shown


@pytest.mark.parametrize("folder, days", [("", "28–29 de dic de 2026"), ("en/", "Dec 28\u202f–\u202f29, 2026")])
def test_consecutive_days_stay_a_range(site, folder, days):
    assert days in text_of(site / folder / "notices/2026-12-07-inventario/index.html")
    assert days in text_of(site / folder / "notices/index.html")


def test_the_notice_page_says_its_days_in_its_description(site):
    page = (site / "notices/2026-12-07-navidad/index.html").read_text(encoding="utf-8")
    assert 'content="Cambio de horario: Horario de Navidad y Año Nuevo (24 y 31 de dic de 2026)"' in page


def one(day: date) -> tuple[date, date]:
    return day, day


@pytest.mark.parametrize("lang, runs, expected", [
    ("pt-BR", (one(date(2026, 12, 24)), one(date(2026, 12, 26)), one(date(2026, 12, 31))), "24, 26 e 31 de dez. de 2026"),
    ("en", (one(date(2026, 12, 24)), one(date(2026, 12, 26)), one(date(2026, 12, 31))), "Dec 24, 26, and 31, 2026"),
    ("de", (one(date(2026, 12, 24)), one(date(2026, 12, 26)), one(date(2026, 12, 31))), "24., 26. und 31. Dez. 2026"),
    ("pt-BR", ((date(2026, 12, 24), date(2026, 12, 26)), one(date(2026, 12, 31))),
     "24\u202f–\u202f26 de dez. e 31 de dez. de 2026"),
    ("en", (one(date(2026, 11, 30)), one(date(2026, 12, 2))), "Nov 30 and Dec 2, 2026"),
    ("en", (one(date(2026, 12, 31)), one(date(2027, 1, 2))), "Dec 31, 2026 and Jan 2, 2027"),
    ("pt-BR", ((date(2026, 12, 24), date(2026, 12, 29)),), "24\u202f–\u202f29 de dez. de 2026"),
    # The example's Christmas notice: each year said once, after the last run in it.
    ("en", ((date(2026, 12, 24), date(2026, 12, 25)), (date(2026, 12, 28), date(2026, 12, 29)),
            (date(2026, 12, 31), date(2027, 1, 2))),
     "Dec 24\u202f–\u202f25, Dec 28\u202f–\u202f29, and Dec 31, 2026\u202f–\u202fJan 2, 2027"),
])
def test_runs_of_days_in_words(lang, runs, expected):
    assert days_text(LocaleFormats(lang), runs) == expected
