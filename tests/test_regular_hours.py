"""A change's `hours:` may keep a channel's usual hours with `regular`, and `check` warns when a change that opens
nothing closes the channels it leaves out.

A support desk in Mexico City with four channels, the e-mail answered 24/7: on Thursday 10 December 2026 the phone
is closed for a training, and WhatsApp, e-mail and chat keep their hours.  Writing only `telefono: closed` closes
the others too (unlisted channels are closed: the format's contract), which the text did not mean.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from generator.cli import main

NOW = "2026-12-07T19:30:00-06:00"

SITE = """\
name: Tlaloc
base_url: https://soporte.test.example/
timezone: America/Mexico_City
languages: [es-MX, en]
holidays:
  country: MX
"""

HOURS = """\
departments:
  - id: soporte
    name: {es-MX: Soporte, en: Support}
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
        contact: soporte@tlaloc.example
        hours: 24/7
      - id: chat
        type: chat
        contact: https://chat.tlaloc.example/
        hours:
          mon-fri: 08:00-20:00
          sat: 10:00-14:00
"""

NOTICE = """\
---
title: Sin soporte telefónico el jueves 10 de diciembre
date: 2026-12-07 10:00
departments: [soporte]
changes:
  - __DAY__
    hours: __HOURS__
    note: {es-MX: Sin atención telefónica, en: No phone support}
---
El jueves 10 de diciembre no habrá soporte telefónico. WhatsApp, correo y chat atienden en su horario habitual.
"""

KEPT = "{telefono: closed, whatsapp: regular, correo: regular, chat: regular}"
# What KEPT means, written out as the format asked before `regular`.
WRITTEN_OUT = "{telefono: closed, whatsapp: [09:00-14:00, 15:00-19:00], correo: 24h, chat: 08:00-20:00}"


def make_site(root: Path, hours: str, day: str = "date: 2026-12-10", more: dict[str, str] | None = None) -> Path:
    (root / "site_src").mkdir(parents=True)
    (root / "notices").mkdir()
    (root / "site_src" / "site.yaml").write_text(SITE, encoding="utf-8")
    (root / "site_src" / "hours.yaml").write_text(HOURS, encoding="utf-8")
    notice = NOTICE.replace("__DAY__", day).replace("__HOURS__", hours)
    (root / "notices" / "2026-12-07-sin-telefono.md").write_text(notice, encoding="utf-8")
    for name, text in (more or {}).items():
        (root / "notices" / name).write_text(text, encoding="utf-8")
    return root


def check(site: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["check", "--site", str(site), "--now", NOW]) == 0
    return capsys.readouterr().err


def build(site: Path, out: Path) -> Path:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW]) == 0
    return out


def api_day(out: Path, channel: str, day: str) -> dict:
    data = json.loads((out / "api" / "hours.json").read_text(encoding="utf-8"))
    days = next(c["days"] for d in data["departments"] for c in d["channels"] if c["id"] == channel)
    return next(d for d in days if d["date"] == day)


def open_days(html: str, channel: str) -> set[date]:
    """Return the local days on which the hours page's "open now" schedule opens a channel."""
    found = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
    assert found
    schedule = json.loads(found[1])
    spans = next(d["channels"][channel] for d in schedule["departments"] if channel in d["channels"])
    start = datetime.fromtimestamp(schedule["start"], UTC)
    zone = ZoneInfo("America/Mexico_City")
    return {(start + timedelta(minutes=first)).astimezone(zone).date() for first, _ in spans}


def notice_events(path: Path) -> list[tuple]:
    """Return the calendar's events of the notice (parsed with icalendar): start, end and summary."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return sorted((e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"]))
                  for e in calendar.walk("VEVENT") if "sin-telefono" in str(e["UID"]))


def test_closing_only_the_phone_warns_at_hours_naming_the_channels_it_closes(tmp_path, capsys):
    site = make_site(tmp_path / "site", "{telefono: closed}")
    assert check(site, capsys) == (
        "notices/2026-12-07-sin-telefono.md:7:5: warning: this change closes every channel it does not list: "
        "whatsapp, correo and chat are closed on 2026-12-10, not only telefono\n"
        "  hint: to keep their usual hours, list them as regular: hours: {telefono: closed, whatsapp: regular, "
        "correo: regular, chat: regular}; to close every channel, write closed: true\n")


def test_the_warning_names_only_the_channels_usually_open_on_those_days(tmp_path, capsys):
    # Sunday 13 December: the phone, WhatsApp and chat are closed anyway; only the e-mail is closed by the change.
    site = make_site(tmp_path / "site", "{telefono: closed, chat: closed}", day="date: 2026-12-13")
    notice = site / "notices" / "2026-12-07-sin-telefono.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("jueves 10", "domingo 13"), encoding="utf-8")
    assert check(site, capsys) == (
        "notices/2026-12-07-sin-telefono.md:7:5: warning: this change closes every channel it does not list: "
        "correo is closed on 2026-12-13, not only telefono and chat\n"
        "  hint: to keep its usual hours, list it as regular: hours: {telefono: closed, chat: closed, "
        "correo: regular}; to close every channel, write closed: true\n")


def test_a_range_is_named_as_a_range(tmp_path, capsys):
    site = make_site(tmp_path / "site", "{telefono: closed, whatsapp: regular, chat: closed}",
                     day="dates: 2026-12-10..2026-12-11")
    assert check(site, capsys) == (
        "notices/2026-12-07-sin-telefono.md:7:5: warning: this change closes every channel it does not list: "
        "correo is closed on 2026-12-10..2026-12-11, not only telefono and chat\n"
        "  hint: to keep its usual hours, list it as regular: hours: {telefono: closed, whatsapp: regular, "
        "chat: closed, correo: regular}; to close every channel, write closed: true\n")


def test_intended_closures_stay_quiet(tmp_path, capsys):
    # Every channel closed, every channel listed, channels kept, or some channel opened ("e-mail only"):
    # what is left out is meant to close, as the format says.
    for n, hours in enumerate(("{telefono: closed, whatsapp: closed, correo: closed, chat: closed}",
                               KEPT, WRITTEN_OUT, "{correo: 09:00-18:00}",
                               "{telefono: 09:00-12:00, chat: closed}")):
        assert check(make_site(tmp_path / str(n), hours), capsys) == "", hours
    closed = NOTICE.replace("    hours: __HOURS__\n", "    closed: true\n").replace("__DAY__", "date: 2026-12-10")
    site = make_site(tmp_path / "closed", KEPT)
    (site / "notices" / "2026-12-07-sin-telefono.md").write_text(closed, encoding="utf-8")
    assert check(site, capsys) == ""


def test_regular_keeps_the_usual_hours_on_the_page_the_api_and_the_calendars(tmp_path, capsys):
    kept = build(make_site(tmp_path / "kept", KEPT), tmp_path / "kept-out")
    phone = api_day(kept, "telefono", "2026-12-10")
    assert (phone["open"], phone["reason"]) == ([], "notice")
    whatsapp = api_day(kept, "whatsapp", "2026-12-10")
    assert whatsapp == {"date": "2026-12-10", "reason": "regular", "open": [
        {"start": "2026-12-10T09:00:00-06:00", "end": "2026-12-10T14:00:00-06:00"},
        {"start": "2026-12-10T15:00:00-06:00", "end": "2026-12-10T19:00:00-06:00"}]}
    assert api_day(kept, "correo", "2026-12-10")["open"] == [
        {"start": "2026-12-10T00:00:00-06:00", "end": "2026-12-11T00:00:00-06:00"}]
    assert api_day(kept, "chat", "2026-12-10")["open"] == [
        {"start": "2026-12-10T08:00:00-06:00", "end": "2026-12-10T20:00:00-06:00"}]

    page = (kept / "index.html").read_text(encoding="utf-8")
    assert date(2026, 12, 10) not in open_days(page, "soporte/telefono")
    assert date(2026, 12, 10) in open_days(page, "soporte/whatsapp")
    assert date(2026, 12, 10) in open_days(page, "soporte/chat")

    # The notice's page and its calendar event read as the same notice written out in full.
    written = build(make_site(tmp_path / "written", WRITTEN_OUT), tmp_path / "written-out")
    events = notice_events(kept / "calendar" / "soporte.ics")
    assert events == notice_events(written / "calendar" / "soporte.ics")
    assert len(events) == 1 and isinstance(events[0][0], datetime)
    assert "cerrado" not in events[0][2]
    assert events == notice_events(kept / "calendar.ics")
    assert events == notice_events(kept / "notices" / "2026-12-07-sin-telefono" / "notice.ics")
    page = "notices/2026-12-07-sin-telefono/index.html"
    table = re.compile(r"<table.*?</table>", re.S)
    kept_table = table.findall((kept / page).read_text(encoding="utf-8"))
    assert kept_table == table.findall((written / page).read_text(encoding="utf-8"))
    assert "Teléfono: Cerrado<br>WhatsApp: <span>09:00–14:00</span>, <span>15:00–19:00</span><br>" \
           "Correo electrónico: 24 horas<br>Chat: <span>08:00–20:00</span>" in kept_table[0]


def test_regular_on_a_holiday_keeps_the_holiday_hours(tmp_path):
    # 25 December is a public holiday in Mexico: WhatsApp has no holiday hours, the e-mail is 24/7.
    out = build(make_site(tmp_path / "site", KEPT, day="date: 2026-12-25"), tmp_path / "out")
    whatsapp = api_day(out, "whatsapp", "2026-12-25")
    assert (whatsapp["open"], whatsapp["reason"]) == ([], "holiday")
    correo = api_day(out, "correo", "2026-12-25")
    assert (len(correo["open"]), correo["reason"]) == (1, "holiday")
    assert api_day(out, "telefono", "2026-12-25")["reason"] == "notice"


def test_a_channel_kept_regular_is_free_for_another_notice_to_change(tmp_path, capsys):
    chat = NOTICE.replace("__DAY__", "date: 2026-12-10").replace("__HOURS__", "{chat: 08:00-12:00, "
                                                                 "telefono: regular, whatsapp: regular, correo: regular}")
    site = make_site(tmp_path / "site", KEPT, more={"2026-12-07-chat-corto.md": chat.replace(
        "Sin soporte telefónico", "Chat hasta mediodía")})
    assert check(site, capsys) == ""
    out = build(site, tmp_path / "out")
    assert api_day(out, "chat", "2026-12-10")["open"] == [
        {"start": "2026-12-10T08:00:00-06:00", "end": "2026-12-10T12:00:00-06:00"}]
    assert api_day(out, "telefono", "2026-12-10")["open"] == []


def test_regular_is_a_whole_value(tmp_path, capsys):
    site = make_site(tmp_path / "site", "{telefono: closed, chat: [regular, 20:00-21:00]}")
    capsys.readouterr()
    assert main(["check", "--site", str(site), "--now", NOW]) == 1
    assert capsys.readouterr().err == (
        "notices/2026-12-07-sin-telefono.md:7:38: error: 'regular' cannot be combined with other intervals\n"
        "1 error\n")


def test_the_warning_is_bounded_however_many_changes_and_channels_a_notice_has(tmp_path, capsys):
    # Within the default limits: 20 departments of 10 channels, one notice of 336 one-day changes each closing one
    # channel. Each warning named the 199 others twice, 336 times: 2.5 MB for one notice.
    departments = "".join(
        f"  - id: d{d}\n    name: D{d}\n    channels:\n" + "".join(
            f"      - id: channel-{d}-{c}\n        type: email\n        contact: c{c}@d{d}.example\n"
            "        hours: 24/7\n" for c in range(10)) for d in range(20))
    changes = "".join(f"  - date: 2027-{1 + n // 28:02d}-{1 + n % 28:02d}\n    hours: {{channel-0-0: closed}}\n"
                      for n in range(12 * 28))
    notice = (f"---\ntitle: Aviso\ndate: 2026-11-20 10:00\ndepartments: [{', '.join(f'd{d}' for d in range(20))}]\n"
              f"changes:\n{changes}---\nUm canal fechado.\n")
    site = tmp_path / "site"
    (site / "site_src").mkdir(parents=True)
    (site / "notices").mkdir()
    (site / "site_src" / "site.yaml").write_text(SITE, encoding="utf-8")
    (site / "site_src" / "hours.yaml").write_text(f"departments:\n{departments}", encoding="utf-8")
    (site / "notices" / "2026-11-20-aviso.md").write_text(notice, encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--site", str(site), "--now", "2026-11-23T10:00:00-03:00"]) == 0
    printed = capsys.readouterr().err
    lines = printed.splitlines()
    assert lines[0] == ("notices/2026-11-20-aviso.md:7:5: warning: this change closes every channel it does not list: "
                        "channel-0-1, channel-0-2, channel-0-3, channel-0-4, channel-0-5, channel-0-6 and 193 more "
                        "are closed on 2027-01-01, not only channel-0-0")
    assert lines[1] == ("  hint: to keep their usual hours, list them as regular: hours: {channel-0-0: closed, "
                        "channel-0-1: regular, channel-0-2: regular, channel-0-3: regular, channel-0-4: regular, "
                        "channel-0-5: regular, channel-0-6: regular, …}; to close every channel, write closed: true")
    assert sum(": warning: this change closes every channel" in line for line in lines) == 20
    assert "notices/2026-11-20-aviso.md:47:5: warning: 316 more changes of this notice close channels they do not " \
           "list; not shown" in lines
    assert len(printed.encode()) < 20_000
