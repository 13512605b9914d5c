"""Tests for generator.render.calendars: the .ics subscriptions, read back by the parsers clients use.

Every calendar goes through icalendar (no component errors), the strict `ical`
package and recurring-ical-events, then through the checks in ics_checks that
those parsers skip.  Times are compared as UTC instants.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import hypothesis
import icalendar
import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from ics_checks import components, content_lines, parse_everywhere, problems_of, unescape, vtimezone_mismatches

from generator.model import Build, Change, Channel, Department, HolidayRules, Interval, Notice, Site, Text, WeeklyHours
from generator.render.calendars import MESSAGES, render_calendars
from generator.render.i18n import read_catalogs
from generator.render.ical_files import (
    CalendarEvent,
    _folded,
    _line_of,
    calendar_bytes,
    event_bytes,
    make_event,
    timezone_bytes,
)
from generator.render.ical_zones import make_timezone
from generator.schedule.effective import notice_overrides
from generator.schedule.hours import build_holiday_calendar

ROOT = Path(__file__).resolve().parent.parent
SP, LISBON = "America/Sao_Paulo", "Europe/Lisbon"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo(SP))
NNBSP = "\u202f"

# --- Building blocks --------------------------------------------------------

def text(pt: str, en: str | None = None) -> Text:
    return Text((("pt-BR", pt), ("en", en or pt)))


def weekly(weekdays, saturday=(), sunday=(), holidays=(), always=False) -> WeeklyHours:
    return WeeklyHours((tuple(weekdays),) * 5 + (tuple(saturday), tuple(sunday)), tuple(holidays), always)


def iv(first: str, last: str) -> Interval:
    (h1, m1), (h2, m2) = (map(int, first.split(":")), map(int, last.split(":")))
    return Interval(h1 * 60 + m1, h2 * 60 + m2)


def departments(zone: str = SP) -> tuple[Department, ...]:
    """Return the example's three departments (Technical Support's e-mail is 24/7)."""
    return (
        Department("financeiro", text("Financeiro", "Billing"), zone, (
            Channel("phone", "phone", "+55 13 3500-0100", weekly([iv("09:00", "12:00"), iv("13:00", "18:00")])),
            Channel("chat", "chat", "https://chat.example.net/f", weekly([iv("08:00", "20:00")])),
            Channel("email", "email", "financeiro@example.net", weekly([iv("08:00", "18:00")], [iv("09:00", "13:00")])),
        )),
        Department("comercial", text("Comercial", "Sales"), zone, (
            Channel("phone", "phone", "+55 13 3500-0200", weekly([iv("09:00", "18:00")], [iv("09:00", "13:00")])),
            Channel("whatsapp", "whatsapp", "+55 13 99700-0200", weekly([iv("08:00", "21:00")])),
            Channel("email", "email", "vendas@example.net", weekly([iv("08:00", "18:00")])),
        )),
        Department("suporte", text("Suporte Técnico", "Technical Support"), zone, (
            Channel("phone", "phone", "+55 13 3500-0000", weekly([iv("08:00", "22:00")], [iv("09:00", "12:00")],
                                                                 holidays=[iv("09:00", "15:00")])),
            Channel("chat", "chat", "https://chat.example.net/s", weekly([iv("08:00", "24:00")], [iv("08:00", "24:00")],
                                                                         [iv("08:00", "24:00")], [iv("09:00", "18:00")])),
            Channel("helpdesk", "helpdesk", "https://central.example.net", weekly([iv("08:00", "18:00")])),
            Channel("email", "email", "suporte@example.net", weekly([], always=True)),
        )),
    )


def notice(slug: str, published: datetime, changes: tuple[Change, ...], depts=("financeiro", "comercial", "suporte"),
           title: str = "Aviso", kind: str = "hours", revision: int = 1, modified: datetime | None = None,
           **more) -> Notice:
    return Notice(slug=slug, path=f"notices/{slug}.md", type=kind, lang="pt-BR", title=text(title), body=text(""),
                  date=published, updated=None, departments=depts, changes=changes, revision=revision,
                  modified=modified or published, **more)


def at(*args: int, zone: str = SP) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def closed(first: date, last: date | None = None, note: Text | None = None) -> Change:
    return Change(first, last or first, True, note=note)


def hours(first: date, last: date | None, note: Text | None = None, **channels: list[Interval]) -> Change:
    return Change(first, last or first, False, tuple((k, tuple(v)) for k, v in channels.items()), note)


NOTICE_2017 = notice(
    "2017-10-16-alteracao-de-expediente", at(2017, 10, 16, 19, 26), (
        closed(date(2017, 10, 17)), closed(date(2017, 10, 18)),
        hours(date(2017, 10, 19), date(2017, 10, 30), text("Somente por e-mail", "E-mail only"),
              email=[iv("09:00", "23:00")]),
        closed(date(2017, 10, 31)), closed(date(2017, 11, 1)),
    ), title="Alteração de expediente entre 17/10 e 02/11", period=(date(2017, 10, 17), date(2017, 11, 2)))
NOTICE_XMAS = notice(
    "2026-11-16-natal-e-ano-novo", at(2026, 11, 16, 10, 0), (
        hours(date(2026, 12, 24), None, text("Véspera de Natal"), phone=[iv("08:00", "12:00")],
              chat=[iv("08:00", "14:00")], email=[iv("08:00", "14:00")]),
        closed(date(2026, 12, 25), note=text("Natal", "Christmas Day")),
        hours(date(2026, 12, 28), date(2026, 12, 29), text("Somente chat e e-mail"),
              chat=[iv("09:00", "18:00")], email=[iv("09:00", "18:00")]),
        closed(date(2026, 12, 31), note=text("Véspera de Ano-Novo")),
        closed(date(2027, 1, 1), note=text("Confraternização Universal")),
        hours(date(2027, 1, 2), None, text("Plantão reduzido"), phone=[iv("09:00", "12:00")],
              chat=[iv("09:00", "12:00")]),
    ), title="Horário de atendimento no Natal e no Ano-Novo", revision=3, modified=datetime(2026, 11, 18, 12, 30, tzinfo=UTC))
NOTICE_CANCELLED = notice(
    "2026-11-10-treinamento-equipe", at(2026, 11, 10, 14, 0), (
        hours(date(2026, 11, 27), None, text("Treinamento da equipe"), chat=[iv("08:00", "20:00")],
              email=[iv("08:00", "18:00")]),
    ), depts=("financeiro", "comercial"), title="Atendimento telefônico reduzido em 27/11 (cancelado)", cancelled=True)
NOTICE_INFO = notice("2026-11-03-whatsapp-comercial", at(2026, 11, 3, 9, 30), (), depts=("comercial",), kind="info")
EXAMPLE_RULES = HolidayRules("BR", "SP", yearly=((12, 24, text("Véspera de Natal")), (12, 31, text("Véspera de Ano-Novo"))),
                             dated=((date(2026, 12, 30), text("Inventário anual", "Annual stocktaking")),))


def make_site(notices=(NOTICE_2017, NOTICE_INFO, NOTICE_CANCELLED, NOTICE_XMAS), languages=("pt-BR", "en"),
              depts=None, rules=EXAMPLE_RULES, name="Example Networks") -> Site:
    return Site(name, "https://status.example.net/", SP, languages, rules, depts or departments(), notices=tuple(notices))


def make_build(site: Site, now: datetime = NOW) -> Build:
    """Resolve holidays and overrides as the pipeline does, without reading files."""
    years = range(now.year - 1, now.year + 3)
    return Build(site, now, build_holiday_calendar(site.holiday_rules, years, site.languages),
                 notice_overrides(site.notices, site.departments))


@pytest.fixture(scope="session")
def catalogs():
    """Return the shipped catalogs (test_shipped_catalogs_translate_the_calendars checks they are complete)."""
    return read_catalogs()


def _translated(translations, context, msgid) -> bool:
    got = translations.pgettext(context, msgid) if context else translations.gettext(msgid)
    return got != msgid or msgid in ("chat", "WhatsApp", "e-mail", "{department}: {hours}",
                                     "{department}: {hours} ({reason})")


def render(site: Site, catalogs, now: datetime = NOW) -> dict[str, bytes]:
    return {o.path: o.data for o in render_calendars(make_build(site, now), catalogs=catalogs)}


def events_of(data: bytes) -> dict[str, dict[str, object]]:
    """Return the VEVENTs by UID, each property's unfolded raw line by name."""
    result = {}
    for event in components(data, "VEVENT"):
        props = {line.name: line for line in event}
        result[props["UID"].value] = props
    return result


def summary(props) -> str:
    return unescape(props["SUMMARY"].value)


@pytest.fixture(scope="module")
def example(catalogs) -> dict[str, bytes]:
    return render(make_site(), catalogs)


# --- Files and parsing ------------------------------------------------------

def test_outputs_one_calendar_per_department_and_hours_notice(example):
    assert sorted(example) == [
        "calendar.ics", "calendar/comercial.ics", "calendar/financeiro.ics", "calendar/suporte.ics",
        "notices/2017-10-16-alteracao-de-expediente/notice.ics", "notices/2026-11-10-treinamento-equipe/notice.ics",
        "notices/2026-11-16-natal-e-ano-novo/notice.ics",
    ]


@pytest.mark.parametrize("path", [
    "calendar.ics", "calendar/comercial.ics", "calendar/financeiro.ics", "calendar/suporte.ics",
    "notices/2017-10-16-alteracao-de-expediente/notice.ics", "notices/2026-11-10-treinamento-equipe/notice.ics",
    "notices/2026-11-16-natal-e-ano-novo/notice.ics"])
def test_every_calendar_parses_everywhere_and_passes_the_structural_checks(example, path):
    data = example[path]
    calendar, problems = parse_everywhere(data, (date(2017, 1, 1), date(2028, 1, 1)))
    assert problems == []
    assert problems_of(data) == []
    assert vtimezone_mismatches(data) == []
    assert calendar.walk("VEVENT"), "every calendar here has events"


def test_calendar_properties(example):
    head = content_lines(example["calendar/suporte.ics"])
    props = {line.name: line for line in head[:12]}
    assert props["PRODID"].value == "-//Expediente//Example Networks//EN"
    assert props["VERSION"].value == "2.0"
    assert props["CALSCALE"].value == "GREGORIAN"
    assert props["METHOD"].value == "PUBLISH"
    assert props["NAME"].value == props["X-WR-CALNAME"].value == "Example Networks: Suporte Técnico"
    assert props["X-WR-TIMEZONE"].value == SP
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in example["calendar.ics"]
    assert b"\r\nX-PUBLISHED-TTL:PT6H\r\n" in example["calendar.ics"]
    props = {line.name: line for line in content_lines(example["calendar.ics"])[:12]}
    assert props["X-WR-CALNAME"].value == "Example Networks: Horário de atendimento"


def test_shipped_catalogs_translate_the_calendars():
    """Every phrase of the calendars is in each shipped catalog (else pt-BR calendars say 'closed')."""
    missing = []
    for locale, translations in sorted(read_catalogs().items()):
        for context, msgid in MESSAGES:
            if not _translated(translations, context, msgid):
                missing.append(f"{locale}: {context + ' | ' if context else ''}{msgid}")
    assert missing == [], "catalog entries to add to generator/locale/"


# --- Events -----------------------------------------------------------------

def test_closed_and_changed_days_of_the_2017_notice(example):
    events = events_of(example["notices/2017-10-16-alteracao-de-expediente/notice.ics"])
    host = "@status.example.net"
    slug = "2017-10-16-alteracao-de-expediente"
    # 17 and 18 October are one event; 19 to 30 October one timed event a day; 31 October and 1 November one.
    for dept in ("financeiro", "comercial", "suporte"):
        run = events[f"{slug}-{dept}-20171017{host}"]
        assert (run["DTSTART"].params, run["DTSTART"].value, run["DTEND"].value) == ({"VALUE": "DATE"}, "20171017", "20171019")
        assert events[f"{slug}-{dept}-20171031{host}"]["DTEND"].value == "20171102"
        assert f"{slug}-{dept}-20171018{host}" not in events
    assert len(events) == 3 * (2 + 12)
    support = events[f"{slug}-suporte-20171019{host}"]
    assert summary(support) == \
        f"Suporte Técnico: sem telefone, chat ou central de chamados; e-mail 09:00{NNBSP}–{NNBSP}23:00"
    assert summary(events[f"{slug}-suporte-20171017{host}"]) == "Suporte Técnico: fechado"
    assert support["DTSTART"].value == "20171019T090000" and support["DTSTART"].params == {"TZID": SP}
    description = unescape(support["DESCRIPTION"].value)
    assert description == ("Somente por e-mail\n\nAlteração de expediente entre 17/10 e 02/11\n\n"
                           "https://status.example.net/notices/2017-10-16-alteracao-de-expediente/")
    assert support["URL"].value == "https://status.example.net/notices/2017-10-16-alteracao-de-expediente/"
    assert support["TRANSP"].value == "TRANSPARENT" and support["STATUS"].value == "CONFIRMED"
    assert support["CATEGORIES"].value == "Suporte Técnico,Avisos"


def test_several_channels_on_a_day_share_one_event_with_every_hour_in_the_summary(example):
    events = events_of(example["calendar.ics"])
    eve = events["2026-11-16-natal-e-ano-novo-financeiro-20261224@status.example.net"]
    dash = f"{NNBSP}–{NNBSP}"
    assert summary(eve) == f"Financeiro: telefone 08:00{dash}12:00; chat e e-mail 08:00{dash}14:00"
    assert (eve["DTSTART"].value, eve["DTEND"].value) == ("20261224T080000", "20261224T140000")
    sales = events["2026-11-16-natal-e-ano-novo-comercial-20261228@status.example.net"]
    assert summary(sales) == f"Comercial: sem telefone ou WhatsApp; e-mail 09:00{dash}18:00"
    assert summary(events["2026-11-16-natal-e-ano-novo-suporte-20261225@status.example.net"]) == \
        "Suporte Técnico: fechado (Natal)"


def test_holiday_closures_when_every_channel_is_closed(example):
    events = events_of(example["calendar.ics"])
    stocktaking = events["holiday-20261230-financeiro@status.example.net"]
    assert summary(stocktaking) == "Financeiro: fechado (Inventário anual)"
    assert stocktaking["DTSTAMP"].value == "20250101T000000Z" and stocktaking["SEQUENCE"].value == "0"
    assert "LAST-MODIFIED" not in stocktaking
    assert stocktaking["CATEGORIES"].value == "Financeiro,Feriados"
    # 25 December and 1 January are closed by the notice: no second event for the holiday.
    assert "holiday-20261225-financeiro@status.example.net" not in events
    assert "holiday-20270101-comercial@status.example.net" not in events
    # 24 December is a company closure, but the notice gives it hours: the notice's event only.
    assert "holiday-20261224-financeiro@status.example.net" not in events
    # Black Consciousness Day (national since 2024) was three days ago: kept.
    assert "holiday-20261120-financeiro@status.example.net" in events
    # The next 12 months: up to 22 November 2027.
    assert "holiday-20271120-financeiro@status.example.net" in events
    assert "holiday-20271224-financeiro@status.example.net" not in events


def test_a_holiday_that_closes_some_channels_names_them_and_the_hours_of_the_others(example):
    events = events_of(example["calendar/suporte.ics"])
    # Technical Support's e-mail is open around the clock, its phone and chat keep holiday hours, its help desk
    # closes: the holiday is an all-day event all the same, saying what closes first.
    tiradentes = events["holiday-20270421-suporte@status.example.net"]
    dash = f"{NNBSP}–{NNBSP}"
    assert summary(tiradentes) == (f"Suporte Técnico: sem central de chamados; telefone 09:00{dash}15:00; "
                                   f"chat 09:00{dash}18:00; e-mail 24 horas (Tiradentes)")
    assert (tiradentes["DTSTART"].params, tiradentes["DTSTART"].value, tiradentes["DTEND"].value) == \
        ({"VALUE": "DATE"}, "20270421", "20270422")
    assert unescape(tiradentes["DESCRIPTION"].value) == "Feriado: Tiradentes\n\nhttps://status.example.net/"
    assert tiradentes["CATEGORIES"].value == "Suporte Técnico,Feriados"
    # The notice's days (25 December, 1 January) stay the notice's events alone.
    assert "holiday-20261225-suporte@status.example.net" not in events
    assert "2026-11-16-natal-e-ano-novo-suporte-20261225@status.example.net" in events


def test_cancelled_notice_keeps_its_events_marked_cancelled(example):
    for path in ("calendar.ics", "calendar/financeiro.ics", "notices/2026-11-10-treinamento-equipe/notice.ics"):
        event = events_of(example[path])["2026-11-10-treinamento-equipe-financeiro-20261127@status.example.net"]
        assert event["STATUS"].value == "CANCELLED"
    calendar = icalendar.Calendar.from_ical(example["calendar.ics"])
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses["2026-11-10-treinamento-equipe-comercial-20261127@status.example.net"] == "CANCELLED"


def test_superseded_notice_is_marked_cancelled(catalogs):
    replacement = notice("2026-11-20-natal-revisto", at(2026, 11, 20, 9, 0), (closed(date(2026, 12, 26)),),
                         supersedes=("2026-11-16-natal-e-ano-novo",))
    out = render(make_site((NOTICE_XMAS, replacement)), catalogs)
    events = events_of(out["calendar.ics"])
    assert events["2026-11-16-natal-e-ano-novo-suporte-20261225@status.example.net"]["STATUS"].value == "CANCELLED"
    assert events["2026-11-20-natal-revisto-suporte-20261226@status.example.net"]["STATUS"].value == "CONFIRMED"


def test_stamps_sequence_and_last_modified_come_from_the_notice(example):
    event = events_of(example["calendar.ics"])["2026-11-16-natal-e-ano-novo-suporte-20261231@status.example.net"]
    assert event["DTSTAMP"].value == event["LAST-MODIFIED"].value == "20261118T123000Z"
    assert event["SEQUENCE"].value == "3"


def test_english_site_words_and_a_named_channel(catalogs):
    depts = departments()
    support = depts[2]
    named = replace(support.channels[2], name=Text((("en", "Customer portal"), ("pt-BR", "Portal do assinante"))))
    depts = (depts[0], depts[1], replace(support, channels=(support.channels[0], support.channels[1], named, support.channels[3])))
    change = notice("2026-12-01-portal", at(2026, 12, 1, 9, 0), (
        hours(date(2026, 12, 7), None, None, helpdesk=[iv("10:00", "12:00")]),
        hours(date(2026, 12, 8), None, None, helpdesk=[iv("10:00", "12:00")], whatsapp=[iv("09:00", "11:00")]),
        closed(date(2026, 12, 9), note=Text.plain("Moving, offices")),
    ), depts=("suporte", "comercial"))
    out = render(make_site((change,), languages=("en", "pt-BR"), depts=depts), catalogs)
    events = events_of(out["calendar.ics"])
    dash = f"{NNBSP}–{NNBSP}"
    assert summary(events["2026-12-01-portal-suporte-20261207@status.example.net"]) == \
        f"Technical Support: no phone, chat, or e-mail; Customer portal 10:00{dash}12:00"
    assert summary(events["2026-12-01-portal-comercial-20261208@status.example.net"]) == \
        f"Sales: no phone or e-mail; WhatsApp 09:00{dash}11:00"
    # A department none of whose channels the change lists is closed that day.
    assert events["2026-12-01-portal-comercial-20261207@status.example.net"]["DTSTART"].params == {"VALUE": "DATE"}
    assert summary(events["2026-12-01-portal-comercial-20261207@status.example.net"]) == "Sales: closed"
    assert summary(events["2026-12-01-portal-suporte-20261209@status.example.net"]) == \
        "Technical Support: closed (Moving, offices)"
    assert b"SUMMARY:Technical Support: closed (Moving\\, offices)\r\n" in out["calendar.ics"]


def test_text_is_escaped_and_folded_without_splitting_a_character(catalogs):
    long_name = "Suporte Técnico às Operações de Conexão, Instalação; Manutenção e Informação Ção"
    note = "Observação: atenção ação\\configuração\nsegunda linha; vírgula, fim"
    depts = departments()
    depts = depts[:2] + (replace(depts[2], name=text(long_name)),)
    change = notice("2026-12-01-longo", at(2026, 12, 1, 9, 0), (
        hours(date(2026, 12, 7), None, text(note), email=[iv("09:00", "23:00")]),), depts=("suporte",))
    out = render(make_site((change,), depts=depts), catalogs)
    data = out["calendar/suporte.ics"]
    assert problems_of(data) == []
    assert any(line.startswith(b" ") for line in data.split(b"\r\n"))
    calendar, problems = parse_everywhere(data)
    assert problems == []
    # (Technical Support's holidays are events too: the notice's is found by its UID.)
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("2026-12-01-longo-"))
    assert str(event["SUMMARY"]) == \
        f"{long_name}: sem telefone, chat ou central de chamados; e-mail 09:00{NNBSP}–{NNBSP}23:00"
    assert str(event["DESCRIPTION"]).startswith(note + "\n\n")
    strict = IcsCalendarStream.calendar_from_ics(data.decode())
    assert [e.summary for e in strict.events if e.uid == str(event["UID"])] == [str(event["SUMMARY"])]
    # Every fold falls between characters: a split would break the line's UTF-8.
    raw = [line for line in data.split(b"\r\n") if line.startswith(b" ")]
    assert all(line.decode("utf-8") for line in raw)


def test_folds_never_split_a_character_wherever_the_75th_octet_falls(catalogs):
    """Shift two-octet characters across the fold by one octet at a time."""
    depts = departments()
    for shift in range(6):
        name = "x" * shift + "Ação São João Conceição Informação Atenção Operação Coração Estação Ç"
        site = make_site((notice("2026-12-01-dobra", at(2026, 12, 1, 9, 0), (closed(date(2026, 12, 7)),),
                                 depts=("suporte",)),), depts=depts[:2] + (replace(depts[2], name=text(name)),))
        data = render(site, catalogs)["calendar/suporte.ics"]
        assert problems_of(data) == [], shift
        calendar, problems = parse_everywhere(data)
        found = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("2026-12-01-dobra-")]
        assert problems == [] and found == [f"{name}: fechado"]


@settings(max_examples=300, deadline=None)
@given(summary=st.text("aZ ,;:\\09") | st.text(st.characters(exclude_categories=("Cs",),
                                                              exclude_characters="\r\n"), max_size=160),
       description=st.text(max_size=200), url_tail=st.text("abcçé/-_", max_size=90))
@hypothesis.example(summary="a" * 66, description="", url_tail="")     # SUMMARY line of 74 octets: not folded
@hypothesis.example(summary="a" * 67, description="", url_tail="")     # 75 octets: folded
@hypothesis.example(summary="a" * 65 + "é", description="", url_tail="")
def test_events_are_written_as_icalendar_writes_them(summary, description, url_tail):
    """Lines short enough not to fold skip icalendar's fold, and each line is written once: the bytes are its to_ical()'s."""
    item = CalendarEvent(
        uid="x-" + url_tail + "@status.example.net", department="suporte", start=date(2026, 12, 7),
        end=date(2026, 12, 8), summary=summary, description=description,
        url="https://status.example.net/notices/" + url_tail, categories=("Suporte", summary[:30]),
        stamp=datetime(2026, 11, 20, 13, 0, tzinfo=UTC), sequence=2,
        modified=datetime(2026, 11, 20, 13, 0, tzinfo=UTC), cancelled=False, zone="America/Sao_Paulo")
    event = make_event(item)
    # Written line by line, each distinct line once (twice here: the second time from the cache).
    assert event_bytes(item) == event.to_ical() and event_bytes(item) == event.to_ical()


def folds_as_icalendar(line: str) -> None:
    assert _folded(line) == icalendar.parser.Contentline(line).to_ical(), line


def test_lines_are_folded_as_icalendar_folds_them_wherever_a_character_or_an_escape_falls():
    """_folded folds by octet what icalendar folds by character: every character of 1 to 4 octets, and a
    backslash or caret (kept with what it escapes), at every place around the first and second folds."""
    escapes = ("é", "–", "😀", "\\", "^", "\\,", "^^", "é\\", "\\é")
    for length in range(70, 160):
        for char in escapes:
            folds_as_icalendar(char * (length // len(char)))
            for place in range(length - 12, length):
                folds_as_icalendar("b" * place + char + "c" * (length - place))
    for short in ("", "A", "X:" + "é" * 36, "X:" + "é" * 37):
        folds_as_icalendar(short)
    with pytest.raises(ValueError, match="line break"):
        _folded("DESCRIPTION:a\nb")


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"), max_size=400)
       | st.text("ab\\^é😀", max_size=400))
def test_any_line_is_folded_as_icalendar_folds_it(line):
    folds_as_icalendar(line)


def event_at(uid: str, start: date | datetime, end: date | datetime, zone: str = SP, **changes) -> CalendarEvent:
    item = CalendarEvent(
        uid=uid + "@status.example.net", department="suporte", start=start, end=end, summary="Suporte: fechado",
        description="Natal\n\nhttps://status.example.net/", url="https://status.example.net/",
        categories=("Suporte", "Avisos"), stamp=datetime(2026, 11, 20, 13, 0, tzinfo=UTC), sequence=0,
        modified=None, cancelled=False, zone=zone)
    return replace(item, **changes)


def test_one_instant_in_two_zones_is_written_twice():
    """Equal datetimes of different zones (the same instant) are different lines: TZID and UTC."""
    local = event_at("a", at(2026, 12, 7, 9, 0), at(2026, 12, 7, 18, 0))
    in_utc = replace(local, start=local.start.astimezone(UTC), end=local.end.astimezone(UTC))
    assert local.start == in_utc.start
    assert b"DTSTART;TZID=America/Sao_Paulo:20261207T090000\r\n" in event_bytes(local)
    assert b"DTSTART:20261207T120000Z\r\n" in event_bytes(in_utc)
    for item in (local, in_utc, local):
        assert event_bytes(item) == make_event(item).to_ical()


def test_equal_stamps_of_the_two_sides_of_a_fold_are_written_apart():
    """Lisbon's 01:30 on 2026-10-25 happens twice: the two datetimes are equal (one zone: fold is not compared)
    and hash alike, but are an hour apart, and DTSTAMP and LAST-MODIFIED are written in UTC."""
    summer = datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo(LISBON))
    winter = summer.replace(fold=1)
    assert summer == winter and hash(summer) == hash(winter)
    for stamp in (summer, winter, summer):
        item = event_at("fold", date(2026, 12, 7), date(2026, 12, 8), stamp=stamp, modified=stamp)
        assert event_bytes(item) == make_event(item).to_ical()
    assert b"DTSTAMP:20261025T013000Z\r\n" in event_bytes(replace(item, stamp=winter))


def test_equal_fixed_offsets_of_different_names_are_written_apart():
    """datetime.timezone objects are equal by their offset alone, but icalendar writes each one's name as TZID."""
    unnamed, named = timezone(timedelta(hours=-3)), timezone(timedelta(hours=-3), "BRT")
    assert unnamed == named
    for zone in (unnamed, named, unnamed):
        item = event_at("fixed", datetime(2026, 12, 7, 9, 0, tzinfo=zone), datetime(2026, 12, 7, 18, 0, tzinfo=zone))
        assert event_bytes(item) == make_event(item).to_ical()
    assert b"DTSTART;TZID=BRT:20261207T090000\r\n" in event_bytes(replace(item, start=item.start.replace(tzinfo=named)))


def test_a_calendar_is_what_icalendar_writes_of_it_whole():
    """calendar_bytes writes each distinct line once; the file is icalendar's to_ical() of the whole calendar."""
    site = replace(make_site(), name="Example Networks, a name long enough that its NAME line is folded")
    events = (
        event_at("dst-2017", at(2017, 10, 14, 22, 0), at(2017, 10, 15, 3, 0), summary="Suporte: noite"),
        event_at("lisboa", at(2026, 10, 24, 9, 0, zone=LISBON), at(2026, 10, 25, 18, 0, zone=LISBON), zone=LISBON),
        event_at("gap", datetime(2018, 11, 4, 3, 30, tzinfo=UTC), at(2018, 11, 4, 9, 0), sequence=3,
                 modified=datetime(2018, 10, 1, 12, 0, tzinfo=UTC), cancelled=True),
        event_at("natal", date(2026, 12, 25), date(2026, 12, 26), categories=("Suporte", "Feriados")),
        event_at("natal-lisboa", date(2026, 12, 25), date(2026, 12, 26), zone=LISBON))
    reference = icalendar.Calendar()
    for name, value in (("prodid", f"-//Expediente//{site.name}//EN"), ("version", "2.0"), ("calscale", "GREGORIAN"),
                        ("method", "PUBLISH"), ("name", f"{site.name}: Avisos"), ("x-wr-calname", f"{site.name}: Avisos"),
                        ("x-wr-timezone", SP), ("x-published-ttl", "PT6H")):
        reference.add(name, value)
    reference.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    # One VTIMEZONE per TZID, by name, over the days of that zone's timed events.
    reference.add_component(make_timezone(SP, date(2017, 10, 14), date(2018, 11, 4)))
    reference.add_component(make_timezone(LISBON, date(2026, 10, 24), date(2026, 10, 25)))
    for item in events:
        reference.add_component(make_event(item))
    build = make_build(site)
    assert calendar_bytes(build, f"{site.name}: Avisos", events) == reference.to_ical()
    # Again, from the lines already written, and with the events of another calendar.
    assert calendar_bytes(build, f"{site.name}: Avisos", events, {}) == reference.to_ical()
    assert parse_everywhere(reference.to_ical(), (date(2017, 10, 1), date(2027, 1, 1)))[1] == []


def test_a_department_with_nothing_to_show_gets_an_empty_calendar(catalogs):
    out = render(make_site((NOTICE_XMAS,), rules=None), catalogs, now=at(2027, 6, 1, 9, 0))
    data = out["calendar/suporte.ics"]
    assert b"BEGIN:VEVENT" not in data and b"BEGIN:VTIMEZONE" not in data
    assert parse_everywhere(data, (date(2027, 1, 1), date(2028, 1, 1)))[1] == [] and problems_of(data) == []
    assert b"BEGIN:VEVENT" in out["notices/2026-11-16-natal-e-ano-novo/notice.ics"]


# --- Times across daylight-saving changes -------------------------------------

def utc_starts(data: bytes) -> dict[str, tuple[datetime, datetime]]:
    """Return each timed event's start and end as UTC instants, as icalendar reads them."""
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]).split("@")[0]: (e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
            for e in calendar.walk("VEVENT") if isinstance(e["DTSTART"].dt, datetime)}


def test_brazil_2017_instants_across_the_change(catalogs):
    change = notice("2017-10-01-dst", at(2017, 10, 1, 9, 0), (
        hours(date(2017, 10, 14), None, None, email=[iv("09:00", "23:00")]),
        # Clocks jumped from 00:00 to 01:00 on 15 October: midnight is read as the jump.
        hours(date(2017, 10, 15), None, None, email=[iv("00:00", "08:00")]),
        # 00:15-00:45 never happened that night: no event.
        hours(date(2017, 10, 16), None, None, email=[iv("09:00", "23:00")]),
        hours(date(2018, 2, 17), None, None, email=[iv("22:00", "23:30")]),
    ), depts=("suporte",))
    gap = notice("2017-10-02-gap", at(2017, 10, 2, 9, 0), (
        hours(date(2017, 10, 15), None, None, email=[iv("00:15", "00:45")]),), depts=("suporte",))
    out = render(make_site((NOTICE_2017, change, gap)), catalogs, now=at(2017, 10, 20, 10, 0))
    data = out["calendar.ics"]
    assert problems_of(data) == [] and vtimezone_mismatches(data) == []
    times = utc_starts(data)
    assert times["2017-10-16-alteracao-de-expediente-suporte-20171019"] == (
        datetime(2017, 10, 19, 11, tzinfo=UTC), datetime(2017, 10, 20, 1, tzinfo=UTC))
    assert times["2017-10-01-dst-suporte-20171014"][0] == datetime(2017, 10, 14, 12, tzinfo=UTC)
    assert times["2017-10-01-dst-suporte-20171015"] == (datetime(2017, 10, 15, 3, tzinfo=UTC),
                                                         datetime(2017, 10, 15, 10, tzinfo=UTC))
    assert times["2017-10-01-dst-suporte-20171016"][0] == datetime(2017, 10, 16, 11, tzinfo=UTC)
    assert not any(uid.startswith("2017-10-02-gap") for uid in times)
    # 23:30 came twice on 17 February 2018; the hours end at the second (-03:00), written in UTC.
    assert times["2017-10-01-dst-suporte-20180217"] == (datetime(2018, 2, 18, 0, tzinfo=UTC),
                                                         datetime(2018, 2, 18, 2, 30, tzinfo=UTC))
    assert b"DTEND:20180218T023000Z\r\n" in data
    # The VTIMEZONE holds the 2017-10-15 change, its onset at 00:00 in the offset before it.
    assert b"BEGIN:DAYLIGHT\r\nDTSTART:20171015T000000\r\nTZNAME:-02\r\nTZOFFSETFROM:-0300\r\nTZOFFSETTO:-0200" in data
    # The strict parser and recurring-ical-events read the same instants.
    strict = IcsCalendarStream.calendar_from_ics(data.decode())
    by_uid = {e.uid.split("@")[0]: e for e in strict.events}
    assert by_uid["2017-10-16-alteracao-de-expediente-suporte-20171019"].dtstart.astimezone(UTC) == \
        datetime(2017, 10, 19, 11, tzinfo=UTC)
    assert by_uid["2017-10-01-dst-suporte-20171015"].dtstart.astimezone(UTC) == datetime(2017, 10, 15, 3, tzinfo=UTC)
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(
        datetime(2017, 10, 19, 10, 30, tzinfo=UTC), datetime(2017, 10, 19, 11, 30, tzinfo=UTC))
    assert sorted(str(e["UID"]).split("-")[-1].split("@")[0] for e in found if "alteracao" in str(e["UID"])) == \
        ["20171019"] * 3


def test_lisbon_instants_across_both_changes(catalogs):
    lisbon = departments(LISBON)
    change = notice("2026-03-01-lisboa", at(2026, 3, 1, 9, 0, zone=LISBON), tuple(
        hours(day, None, None, phone=[iv("09:00", "12:00")]) for day in
        (date(2026, 3, 28), date(2026, 3, 30), date(2026, 10, 24), date(2026, 10, 26))
    ) + (hours(date(2026, 10, 25), None, None, phone=[iv("00:30", "01:30")]),), depts=("suporte",))
    site = replace(make_site((change,), depts=lisbon, rules=None), timezone=LISBON)
    out = render(site, catalogs, now=at(2026, 3, 20, 12, 0, zone=LISBON))
    data = out["calendar.ics"]
    assert problems_of(data) == [] and vtimezone_mismatches(data) == []
    assert parse_everywhere(data, (date(2026, 1, 1), date(2027, 1, 1)))[1] == []
    times = utc_starts(data)
    assert times["2026-03-01-lisboa-suporte-20260328"][0] == datetime(2026, 3, 28, 9, tzinfo=UTC)
    assert times["2026-03-01-lisboa-suporte-20260330"][0] == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert times["2026-03-01-lisboa-suporte-20261024"][0] == datetime(2026, 10, 24, 8, tzinfo=UTC)
    assert times["2026-03-01-lisboa-suporte-20261026"][0] == datetime(2026, 10, 26, 9, tzinfo=UTC)
    # 01:30 came twice on 25 October: the hours end at the second one (+00:00).
    assert times["2026-03-01-lisboa-suporte-20261025"] == (datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
                                                            datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert b"BEGIN:DAYLIGHT\r\nDTSTART:20260329T010000\r\n" in data
    assert b"BEGIN:STANDARD\r\nDTSTART:20261025T020000\r\n" in data


def test_hours_past_midnight_end_the_next_day(catalogs):
    change = notice("2026-12-01-noite", at(2026, 12, 1, 9, 0), (
        hours(date(2026, 12, 10), None, None, chat=[iv("22:00", "26:00")]),), depts=("suporte",))
    out = render(make_site((change,)), catalogs)
    event = events_of(out["calendar.ics"])["2026-12-01-noite-suporte-20261210@status.example.net"]
    assert (event["DTSTART"].value, event["DTEND"].value) == ("20261210T220000", "20261211T020000")


@pytest.mark.parametrize("zone, first, last", [
    (SP, date(2017, 10, 1), date(2018, 3, 1)), (SP, date(2026, 1, 1), date(2027, 12, 31)),
    (LISBON, date(2026, 1, 1), date(2027, 12, 31)), ("Australia/Lord_Howe", date(2026, 1, 1), date(2026, 12, 31)),
    ("UTC", date(2026, 1, 1), date(2026, 2, 1))])
def test_vtimezones_agree_with_zoneinfo(zone, first, last):
    calendar = icalendar.Calendar()
    calendar.add_component(make_timezone(zone, first, last))
    data = calendar.to_ical()
    assert timezone_bytes(zone, first, last) == make_timezone(zone, first, last).to_ical()
    assert vtimezone_mismatches(data, through_icalendar=zone != "Australia/Lord_Howe") == []
    assert b"BEGIN:STANDARD" in data


# --- Windows, determinism and UIDs --------------------------------------------

def test_subscriptions_drop_events_ended_more_than_90_days_ago(catalogs):
    now = at(2017, 10, 20, 10, 0) + timedelta(days=90)   # 18 January 2018
    out = render(make_site(), catalogs, now=now)
    current = events_of(out["calendar.ics"])
    own = events_of(out["notices/2017-10-16-alteracao-de-expediente/notice.ics"])
    slug = "2017-10-16-alteracao-de-expediente"
    # 19 October ended at 23:00 (-02:00), more than 90 days before now; 20 October ended within them.
    assert f"{slug}-suporte-20171019@status.example.net" not in current
    assert f"{slug}-suporte-20171020@status.example.net" in current
    assert f"{slug}-suporte-20171017@status.example.net" not in current
    assert f"{slug}-suporte-20171019@status.example.net" in own and len(own) == 42
    later = render(make_site(), catalogs, now=NOW)
    assert not any(uid.startswith("2017") for uid in events_of(later["calendar.ics"]))


def test_two_renders_are_byte_identical_whatever_the_machine_zone(catalogs, monkeypatch):
    import time
    first_render = render(make_site(), catalogs)
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    assert render(make_site(), catalogs) == first_render
    # The same instant given in another zone changes nothing either.
    assert render(make_site(), catalogs, now=NOW.astimezone(UTC)) == first_render


def test_uids_and_events_stay_when_another_notice_is_added(example, catalogs):
    extra = notice("2026-12-02-manutencao", at(2026, 12, 2, 8, 0), (
        closed(date(2026, 12, 23)), closed(date(2026, 12, 26)),
        hours(date(2026, 12, 30), None, None, email=[iv("10:00", "12:00")])), depts=("financeiro",))
    before = events_of(example["calendar.ics"])
    after = events_of(render(make_site((NOTICE_2017, NOTICE_INFO, NOTICE_CANCELLED, NOTICE_XMAS, extra)),
                             catalogs)["calendar.ics"])
    new = set(after) - set(before)
    assert new and all(uid.startswith("2026-12-02-manutencao-") for uid in new)
    # The notice now closes the stocktaking day for Billing instead of the holiday: that one event goes.
    assert set(before) - set(after) == {"holiday-20261230-financeiro@status.example.net"}
    for uid in set(before) & set(after):
        assert before[uid] == after[uid], uid


# --- Through the command line -------------------------------------------------

def run_build(site: Path, out: Path, now: str) -> None:
    """Build `site` into `out` at `now` through `python build.py`; fail with its messages unless it succeeds."""
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--site", str(site), "--out", str(out), "--now", now],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, f"build failed ({result.returncode}):\n{result.stderr}"


def test_example_site_through_the_command_line(example_build):
    # Two builds giving the same bytes: test_reproducible.py, for the whole tree.
    out = example_build
    paths = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ics"))
    assert "calendar.ics" in paths and "calendar/suporte.ics" in paths
    assert "notices/2017-10-16-alteracao-de-expediente/notice.ics" in paths
    for path in paths:
        data = (out / path).read_bytes()
        assert parse_everywhere(data, (date(2017, 1, 1), date(2028, 1, 1)))[1] == [], path
        assert problems_of(data) == [], path
        assert vtimezone_mismatches(data) == [], path
    times = utc_starts((out / "notices/2017-10-16-alteracao-de-expediente/notice.ics").read_bytes())
    assert times["2017-10-16-alteracao-de-expediente-suporte-20171019"][0] == datetime(2017, 10, 19, 11, tzinfo=UTC)
    assert not any(uid.startswith("2017") for uid in utc_starts((out / "calendar.ics").read_bytes()))


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.net",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.net"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env, timeout=60)


GIT_NOTICE = """\
---
title: Alteração de expediente em dezembro
date: 2026-11-20 10:00
type: hours
departments: [suporte]
changes:
  - date: 2026-12-07
    weekday: segunda-feira
    hours: {{email: {hours}}}
  - date: 2026-12-08
    weekday: terça-feira
    closed: true
---
Na segunda-feira, 7 de dezembro, atendimento somente por e-mail; na terça-feira, 8 de dezembro, fechado.
"""


@pytest.mark.slow
def test_an_edit_committed_to_git_raises_sequence_and_keeps_uids(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "site"
    shutil.copytree(ROOT / "site_src", repo / "site_src")
    (repo / "notices").mkdir()
    path = repo / "notices" / "2026-11-20-dezembro.md"
    path.write_text(GIT_NOTICE.format(hours="09:00-18:00"), encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first", "--date", "2026-11-20T10:00:00-03:00")
    first_out = tmp_path / "first"
    run_build(repo, first_out, "2026-11-23T10:00:00-03:00")

    path.write_text(GIT_NOTICE.format(hours="10:00-16:00"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "second")
    second_out = tmp_path / "second"
    run_build(repo, second_out, "2026-11-23T10:00:00-03:00")

    ics = "notices/2026-11-20-dezembro/notice.ics"
    before, after = (events_of((out / ics).read_bytes()) for out in (first_out, second_out))
    assert sorted(before) == sorted(after) == [
        "2026-11-20-dezembro-suporte-20261207@status.example.net",
        "2026-11-20-dezembro-suporte-20261208@status.example.net"]
    for uid in before:
        assert int(after[uid]["SEQUENCE"].value) > int(before[uid]["SEQUENCE"].value)
        assert after[uid]["LAST-MODIFIED"].value >= before[uid]["LAST-MODIFIED"].value
        assert after[uid]["DTSTAMP"].value == after[uid]["LAST-MODIFIED"].value
    changed = after["2026-11-20-dezembro-suporte-20261207@status.example.net"]
    assert changed["DTSTART"].value == "20261207T100000"
    subscribed = events_of((second_out / "calendar/suporte.ics").read_bytes())
    assert "2026-11-20-dezembro-suporte-20261207@status.example.net" in subscribed


def test_categories_may_be_any_sequence_and_share_the_cached_lines():
    """A list of categories is taken as the tuple it equals: the event hashes (calendar_bytes keeps events by
    it) and every one of its content lines comes from the cache the tuple's event filled."""
    as_tuple = event_at("sequence", date(2026, 12, 7), date(2026, 12, 8))
    as_list = event_at("sequence", date(2026, 12, 7), date(2026, 12, 8), categories=["Suporte", "Avisos"])
    assert as_list == as_tuple and hash(as_list) == hash(as_tuple) and as_list.categories == ("Suporte", "Avisos")
    written = event_bytes(as_tuple)
    before = _line_of.cache_info()
    assert event_bytes(as_list) == written == make_event(as_tuple).to_ical()
    assert _line_of.cache_info().misses == before.misses and _line_of.cache_info().hits > before.hits
    assert b"CATEGORIES:Suporte,Avisos\r\n" in written
    with pytest.raises(TypeError, match=r"categories is a sequence of names, not one name \('Avisos'\)"):
        event_at("sequence", date(2026, 12, 7), date(2026, 12, 8), categories="Avisos")
