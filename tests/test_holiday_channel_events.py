"""A holiday on which some channels close is an event, and an event says first which channels close.

A support site in Mexico City (es-MX, en; holidays MX) with a desk in Madrid (ES, MD): each department
has an e-mail address answered around the clock, so no holiday closes every channel, yet the phone
closes on each. Built through generator.cli.main at the user's "now" and read back with icalendar.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import icalendar
import pytest
from conftest import write_tree

from generator.cli import main

NOW = "2026-12-07T19:30-06:00"

SITE = """\
name: "Hospedajes Tlaloc"
base_url: https://soporte.tlaloc.mx/
timezone: America/Mexico_City
languages: [__LANGUAGES__]
holidays:
  country: MX
"""

HOURS = """\
departments:
  - id: soporte
    name: {es-MX: "Soporte técnico (Ciudad de México)", en: "Technical support (Mexico City)"}
    channels:
      - id: telefono
        type: phone
        contact: "+52 55 5555 0100"
        hours:
          mon-fri: [09:00-14:00, 15:00-19:00]
          sat: 10:00-14:00
      - id: whatsapp
        type: whatsapp
        contact: "+52 55 5555 0101"
        hours:
          mon-fri: [09:00-14:00, 15:00-19:00]
          sat: 10:00-14:00
      - id: correo
        type: email
        contact: soporte@tlaloc.mx
        hours: 24/7
      - id: chat
        type: chat
        contact: https://chat.tlaloc.mx/
        hours:
          mon-fri: 08:00-20:00
          sat: 10:00-14:00
          holidays: 10:00-14:00
  - id: madrid
    name: {es-MX: "Soporte en España (Madrid)", en: "Support in Spain (Madrid)"}
    timezone: Europe/Madrid
    holidays:
      country: ES
      subdivision: MD
    channels:
      - id: telefono
        type: phone
        contact: "+34 910 000 100"
        hours:
          mon-thu: [09:00-14:00, 16:00-18:30]
          fri: 08:00-15:00
      - id: correo
        type: email
        contact: madrid@tlaloc.mx
        hours: 24/7
"""

NO_PHONE = """\
---
title: "Sin soporte telefónico el jueves 10 de diciembre"
lang: es-MX
date: 2026-12-07 10:00
departments: [soporte]
changes:
  - date: 2026-12-10
    hours: {whatsapp: [09:00-14:00, 15:00-19:00], correo: 24h, chat: 08:00-20:00}
    note: {es-MX: Sin atención telefónica, en: No phone support}
---
El jueves 10 de diciembre no habrá soporte telefónico por una capacitación de todo el equipo.
"""

NO_PHONE_EN = """\
---
title: "No phone support on Thursday, 10 December"
---
On Thursday, 10 December there will be no phone support because of staff training.
"""

ONLY_MAIL = """\
---
title: "Solo correo el 11 de diciembre"
lang: es-MX
date: 2026-12-07 10:00
departments: [soporte]
changes:
  - date: 2026-12-11
    hours: {correo: 09:00-18:00}
---
El viernes 11 de diciembre solo atendemos por correo, de 9 a 18 h.
"""

ONLY_MAIL_EN = """\
---
title: "E-mail only on 11 December"
---
On Friday, 11 December we answer by e-mail only, from 9:00 to 18:00.
"""


def build(tmp_path: Path, languages: str = "es-MX, en") -> Path:
    """Build the site with `languages` (the first the default), each notice written in es-MX and translated."""
    site = write_tree(tmp_path / "site", {
        "site_src/site.yaml": SITE.replace("__LANGUAGES__", languages),
        "site_src/hours.yaml": HOURS,
        "notices/2026-12-07-sin-telefono.md": NO_PHONE,
        "notices/2026-12-07-sin-telefono.en.md": NO_PHONE_EN,
        "notices/2026-12-07-solo-correo.md": ONLY_MAIL,
        "notices/2026-12-07-solo-correo.en.md": ONLY_MAIL_EN,
    })
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW]) == 0
    return out


def events(path: Path) -> dict[str, icalendar.Event]:
    """Return a calendar's events by UID, as icalendar reads the file."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def by_day(found: dict[str, icalendar.Event]) -> dict[date, str]:
    """Return each event's summary by its first day."""
    days = {}
    for event in found.values():
        start = event.decoded("DTSTART")
        days[start if type(start) is date else start.date()] = str(event["SUMMARY"])
    return days


@pytest.fixture(scope="module")
def spanish(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("es"))


DASH = "\u2013"


def test_a_holiday_that_closes_the_phone_of_a_department_with_a_24_7_channel_is_an_event(spanish):
    madrid = events(spanish / "calendar" / "madrid.ics")
    days = by_day(madrid)
    phone = "Soporte en España (Madrid): sin teléfono; correo electrónico 24 horas"
    assert days[date(2026, 12, 8)] == f"{phone} (Inmaculada Concepción)"
    assert days[date(2026, 12, 25)] == f"{phone} (Natividad del Señor)"
    assert days[date(2027, 1, 1)] == f"{phone} (Año Nuevo)"
    # Every holiday of Madrid from 90 days ago to 12 months ahead, each closing the phone alone.
    assert len(days) == 15 and all(summary.startswith(f"{phone} (") for summary in days.values())
    immaculate = madrid["holiday-20261208-madrid@soporte.tlaloc.mx"]
    assert immaculate.decoded("DTSTART") == date(2026, 12, 8) and immaculate.decoded("DTEND") == date(2026, 12, 9)
    assert str(immaculate["DESCRIPTION"]) == "Festivo: Inmaculada Concepción\n\nhttps://soporte.tlaloc.mx/"
    assert [str(c) for c in immaculate["CATEGORIES"].cats] == ["Soporte en España (Madrid)", "Festivos"]
    # The same events, byte for byte, in calendar.ics.
    whole = events(spanish / "calendar.ics")
    assert {uid: e.to_ical() for uid, e in whole.items() if uid.endswith("-madrid@soporte.tlaloc.mx")} == \
        {uid: e.to_ical() for uid, e in madrid.items()}


def test_each_holiday_of_mexico_city_names_what_closes_and_what_keeps_its_hours(spanish):
    soporte = by_day({uid: e for uid, e in events(spanish / "calendar" / "soporte.ics").items()
                      if uid.startswith("holiday-")})
    closing = "Soporte técnico (Ciudad de México): sin teléfono o WhatsApp; correo electrónico 24 horas; " \
              f"chat 10:00{DASH}14:00"
    assert soporte[date(2026, 12, 25)] == f"{closing} (Navidad)"
    assert soporte[date(2027, 1, 1)] == f"{closing} (Año Nuevo)"
    assert soporte[date(2027, 2, 1)] == f"{closing} (Día de la Constitución)"
    # Every public holiday from 90 days ago (16 September) to 12 months ahead.
    assert len(soporte) == 9 and all(summary.startswith(f"{closing} (") for summary in soporte.values())


def test_a_holiday_on_which_every_channel_is_open_around_the_clock_is_no_event(tmp_path):
    hours = HOURS.replace("""          mon-thu: [09:00-14:00, 16:00-18:30]
          fri: 08:00-15:00""", "          mon-fri: 09:00-18:00\n          holidays: 00:00-24:00")
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": SITE.replace("__LANGUAGES__", "es-MX, en"),
                                          "site_src/hours.yaml": hours})
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW]) == 0
    assert events(out / "calendar" / "madrid.ics") == {}


def test_a_phone_only_closure_says_first_that_the_phone_is_closed(spanish):
    day = events(spanish / "calendar" / "soporte.ics")["2026-12-07-sin-telefono-soporte-20261210@soporte.tlaloc.mx"]
    assert str(day["SUMMARY"]) == (
        f"Soporte técnico (Ciudad de México): sin teléfono; WhatsApp 09:00{DASH}14:00, 15:00{DASH}19:00; "
        f"correo electrónico 24 horas; chat 08:00{DASH}20:00")
    own = events(spanish / "notices" / "2026-12-07-sin-telefono" / "notice.ics")
    assert str(own["2026-12-07-sin-telefono-soporte-20261210@soporte.tlaloc.mx"]["SUMMARY"]) == str(day["SUMMARY"])
    mail = events(spanish / "calendar.ics")["2026-12-07-solo-correo-soporte-20261211@soporte.tlaloc.mx"]
    assert str(mail["SUMMARY"]) == ("Soporte técnico (Ciudad de México): sin teléfono, WhatsApp o chat; "
                                    f"correo electrónico 09:00{DASH}18:00")


def test_the_summaries_in_english(tmp_path):
    out = build(tmp_path, "en, es-MX")
    found = events(out / "calendar.ics")
    dash = f"\u202f{DASH}\u202f"
    assert str(found["2026-12-07-sin-telefono-soporte-20261210@soporte.tlaloc.mx"]["SUMMARY"]) == (
        f"Technical support (Mexico City): no phone; WhatsApp 09:00{dash}14:00, 15:00{dash}19:00; "
        f"e-mail 24 hours; chat 08:00{dash}20:00")
    assert str(found["2026-12-07-solo-correo-soporte-20261211@soporte.tlaloc.mx"]["SUMMARY"]) == \
        f"Technical support (Mexico City): no phone, WhatsApp, or chat; e-mail 09:00{dash}18:00"
    assert str(found["holiday-20261208-madrid@soporte.tlaloc.mx"]["SUMMARY"]) == \
        "Support in Spain (Madrid): no phone; e-mail 24 hours (Immaculate Conception)"
