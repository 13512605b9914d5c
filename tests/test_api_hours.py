"""Tests for api/hours.json: shape, reasons, daylight-saving offsets and byte-for-byte determinism."""

from __future__ import annotations

import json
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from generator.cli import main
from generator.model import (
    Build,
    Channel,
    Department,
    HolidayRules,
    Interval,
    Override,
    ResponseTime,
    Site,
    Text,
    WeeklyHours,
)
from generator.render.api import render_hours_api
from generator.schedule.hours import build_holiday_calendar

SP, LISBON = ZoneInfo("America/Sao_Paulo"), ZoneInfo("Europe/Lisbon")
OFFICE = (Interval(540, 720), Interval(840, 1080))

PHONE = Channel(
    "phone", "phone", "+55 11 4000-0000",
    WeeklyHours((OFFICE,) * 5 + ((Interval(540, 780),), ()), holidays=(Interval(600, 840),)),
    ResponseTime(0, 5, "até 5 minutos"), Text((("pt-BR", "Central telefónica"), ("en", "Phone line"))),
)
CHAT = Channel("chat", "chat", None, WeeklyHours(((),) * 7, always=True))
EMAIL = Channel(
    "email", "email", "apoio@example.pt",
    WeeklyHours(((Interval(540, 1080),),) * 5 + ((Interval(1320, 1560),), ((Interval(0, 1440)),))),
)
SITE = Site(
    name="Provedor Exemplo",
    base_url="https://suporte.example.com.br/",
    timezone="America/Sao_Paulo",
    languages=("pt-BR", "en"),
    holiday_rules=HolidayRules("BR", "SP", yearly=((12, 24, Text.plain("Recesso")),)),
    departments=(
        Department("suporte", Text((("pt-BR", "Suporte técnico"), ("en", "Technical support"))),
                   "America/Sao_Paulo", (PHONE, CHAT)),
        Department("lisboa", Text.plain("Escritório de Lisboa"), "Europe/Lisbon", (EMAIL,)),
    ),
)
OVERRIDES = MappingProxyType({
    ("suporte", "phone", date(2026, 11, 20)): Override(
        (Interval(480, 720),), "plantao-20-de-novembro",
        Text((("pt-BR", "Plantão no feriado"), ("en", "On call on the holiday")))),
})


def make_build(now: datetime) -> Build:
    """Return a build of the small site at `now`."""
    holidays = build_holiday_calendar(SITE.holiday_rules, range(now.year - 1, now.year + 2), SITE.languages)
    return Build(site=SITE, now=now, holidays=holidays, overrides=OVERRIDES)


def document(build: Build) -> dict:
    """Return the parsed hours API of a build."""
    output = render_hours_api(build)
    assert output.path == "api/hours.json"
    return json.loads(output.data.decode("utf-8"))


def channel(doc: dict, department_id: str, channel_id: str) -> dict:
    """Return one channel of the parsed document."""
    department = next(d for d in doc["departments"] if d["id"] == department_id)
    return next(c for c in department["channels"] if c["id"] == channel_id)


def day(entry: dict, iso: str) -> dict:
    """Return a channel's entry for one date."""
    return next(d for d in entry["days"] if d["date"] == iso)


def offsets(entry: dict) -> set[str]:
    """Return the UTC offsets of a day's openings."""
    return {span[key][-6:] for span in entry["open"] for key in ("start", "end")}


BRAZIL_2018 = make_build(datetime(2018, 2, 1, 12, 0, tzinfo=SP))
AUTUMN_2026 = make_build(datetime(2026, 10, 20, 23, 30, tzinfo=SP))   # already 21 October in Lisbon


# --- Shape ------------------------------------------------------------------

def test_top_level():
    doc = document(AUTUMN_2026)
    assert sorted(doc) == ["base_url", "departments", "generated_at", "languages", "name", "timezone"]
    assert doc["generated_at"] == "2026-10-20T23:30:00-03:00"
    assert (doc["name"], doc["timezone"], doc["base_url"]) == (
        "Provedor Exemplo", "America/Sao_Paulo", "https://suporte.example.com.br/")
    assert [d["id"] for d in doc["departments"]] == ["suporte", "lisboa"]
    assert doc["departments"][0]["name"] == {"pt-BR": "Suporte técnico", "en": "Technical support"}
    assert doc["departments"][1]["name"] == {"pt-BR": "Escritório de Lisboa", "en": "Escritório de Lisboa"}


def test_channel_contact_response_time_and_weekly_hours():
    phone = channel(document(AUTUMN_2026), "suporte", "phone")
    assert (phone["type"], phone["contact"]) == ("phone", "+55 11 4000-0000")
    assert phone["name"] == {"pt-BR": "Central telefónica", "en": "Phone line"}
    assert phone["response_time"] == {"text": "até 5 minutos", "low": 0, "high": 5}
    office = [{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}]
    assert phone["hours"] == {
        "mon": office, "tue": office, "wed": office, "thu": office, "fri": office,
        "sat": [{"start": "09:00", "end": "13:00"}], "sun": [],
        "holidays": [{"start": "10:00", "end": "14:00"}], "always": False,
    }
    email = channel(document(AUTUMN_2026), "lisboa", "email")
    assert email["hours"]["sat"] == [{"start": "22:00", "end": "02:00"}]
    assert email["hours"]["sun"] == [{"start": "00:00", "end": "24:00"}]
    chat = channel(document(AUTUMN_2026), "suporte", "chat")
    assert (chat["contact"], chat["response_time"], chat["name"]) == (None, None, None)
    assert chat["hours"]["always"] is True
    assert chat["hours"]["holidays"] == [{"start": "00:00", "end": "24:00"}]


@pytest.mark.parametrize("build", [BRAZIL_2018, AUTUMN_2026], ids=["2018", "2026"])
def test_ninety_local_days_from_the_local_date_of_now(build):
    doc = document(build)
    for department in doc["departments"]:
        zone = ZoneInfo(department["timezone"])
        first = build.now.astimezone(zone).date()
        for entry in department["channels"]:
            dates = [d["date"] for d in entry["days"]]
            assert len(dates) == 90
            assert dates[0] == first.isoformat()
            assert dates == sorted(set(dates))
            for d in entry["days"]:
                for span in d["open"]:
                    assert datetime.fromisoformat(span["start"]) < datetime.fromisoformat(span["end"])
    assert channel(doc, "lisboa", "email")["days"][0]["date"] == (
        "2026-10-21" if build is AUTUMN_2026 else "2018-02-01")
    assert channel(doc, "suporte", "phone")["days"][0]["date"] == (
        "2026-10-20" if build is AUTUMN_2026 else "2018-02-01")


# --- Daylight saving --------------------------------------------------------

def test_brazil_offsets_change_when_summer_time_ends_in_2018():
    phone = channel(document(BRAZIL_2018), "suporte", "phone")
    assert day(phone, "2018-02-16")["open"] == [
        {"start": "2018-02-16T09:00:00-02:00", "end": "2018-02-16T12:00:00-02:00"},
        {"start": "2018-02-16T14:00:00-02:00", "end": "2018-02-16T18:00:00-02:00"},
    ]
    assert offsets(day(phone, "2018-02-19")) == {"-03:00"}
    chat = channel(document(BRAZIL_2018), "suporte", "chat")
    # 2018-02-17 had 25 hours: 23:00-24:00 happened twice.
    assert day(chat, "2018-02-17")["open"] == [
        {"start": "2018-02-17T00:00:00-02:00", "end": "2018-02-18T00:00:00-03:00"}]


def test_lisbon_offsets_change_in_march_2018_and_october_2026():
    spring = channel(document(BRAZIL_2018), "lisboa", "email")
    assert offsets(day(spring, "2018-03-23")) == {"+00:00"}
    assert offsets(day(spring, "2018-03-26")) == {"+01:00"}
    assert day(spring, "2018-03-25")["open"] == [
        {"start": "2018-03-25T00:00:00+00:00", "end": "2018-03-26T00:00:00+01:00"}]
    autumn = channel(document(AUTUMN_2026), "lisboa", "email")
    assert day(autumn, "2026-10-23")["open"] == [
        {"start": "2026-10-23T09:00:00+01:00", "end": "2026-10-23T18:00:00+01:00"}]
    # Saturday 22:00 to 02:00 runs through the night the clocks go back.
    assert day(autumn, "2026-10-24")["open"] == [
        {"start": "2026-10-24T22:00:00+01:00", "end": "2026-10-25T02:00:00+00:00"}]
    assert day(autumn, "2026-10-26")["open"] == [
        {"start": "2026-10-26T09:00:00+00:00", "end": "2026-10-26T18:00:00+00:00"}]


# --- Reasons ----------------------------------------------------------------

def test_regular_holiday_and_notice_days():
    phone = channel(document(AUTUMN_2026), "suporte", "phone")
    assert day(phone, "2026-11-19") == {
        "date": "2026-11-19", "reason": "regular",
        "open": [{"start": "2026-11-19T09:00:00-03:00", "end": "2026-11-19T12:00:00-03:00"},
                 {"start": "2026-11-19T14:00:00-03:00", "end": "2026-11-19T18:00:00-03:00"}]}
    assert day(phone, "2026-11-02") == {
        "date": "2026-11-02", "reason": "holiday", "holiday": {"pt-BR": "Finados", "en": "All Souls' Day"},
        "open": [{"start": "2026-11-02T10:00:00-03:00", "end": "2026-11-02T14:00:00-03:00"}]}
    assert day(phone, "2026-11-20") == {
        "date": "2026-11-20", "reason": "notice", "notice": "plantao-20-de-novembro",
        "note": {"pt-BR": "Plantão no feriado", "en": "On call on the holiday"},
        "open": [{"start": "2026-11-20T08:00:00-03:00", "end": "2026-11-20T12:00:00-03:00"}]}
    assert day(phone, "2026-12-24")["holiday"] == {"pt-BR": "Recesso", "en": "Recesso"}
    assert day(phone, "2027-01-01")["holiday"]["pt-BR"] == "Confraternização Universal"
    reasons = {d["reason"] for d in phone["days"]}
    assert reasons == {"regular", "holiday", "notice"}
    for d in phone["days"]:
        assert ("holiday" in d) is (d["reason"] == "holiday")
        assert ("notice" in d) is (d["reason"] == "notice")


def test_always_open_channel_is_open_all_day_on_a_holiday():
    chat = channel(document(AUTUMN_2026), "suporte", "chat")
    assert day(chat, "2026-12-25") == {
        "date": "2026-12-25", "reason": "holiday", "holiday": {"pt-BR": "Natal", "en": "Christmas Day"},
        "open": [{"start": "2026-12-25T00:00:00-03:00", "end": "2026-12-26T00:00:00-03:00"}]}


def test_carnival_is_not_a_public_holiday():
    phone = channel(document(BRAZIL_2018), "suporte", "phone")
    assert day(phone, "2018-02-13")["reason"] == "regular"
    assert day(phone, "2018-03-30")["holiday"]["pt-BR"] == "Sexta-feira Santa"


# --- Bytes ------------------------------------------------------------------

@pytest.mark.parametrize("build", [BRAZIL_2018, AUTUMN_2026], ids=["2018", "2026"])
def test_bytes_are_sorted_utf8_and_identical_across_calls(build):
    first, second = render_hours_api(build), render_hours_api(build)
    assert first == second
    text = first.data.decode("utf-8")
    assert text.endswith("}\n") and "\r" not in text
    assert "\\u" not in text                       # UTF-8, not escaped

    def check_sorted(pairs):
        keys = [key for key, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    parsed = json.loads(text, object_pairs_hook=check_sorted)
    assert text == json.dumps(parsed, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def test_same_output_from_an_equal_build():
    again = make_build(datetime(2026, 10, 20, 23, 30, tzinfo=SP))
    assert render_hours_api(again).data == render_hours_api(AUTUMN_2026).data


# --- Which holidays each department keeps, through the command line -----------

HOLIDAY_SITE = """\
name: Provedor Exemplo
base_url: https://suporte.example.com.br/
timezone: America/Sao_Paulo
languages: [pt-BR, en]
holidays:
  country: BR
  subdivision: SP
"""
HOLIDAY_HOURS = """\
departments:
  - id: suporte
    name: Suporte
    channels:
      - {id: phone, type: phone, contact: "+55 11 4000-0000", hours: {mon-fri: 09:00-18:00}}
  - id: lisboa
    name: Lisboa
    timezone: Europe/Lisbon
    holidays: {country: PT}
    channels:
      - {id: phone, type: phone, contact: "+351 21 000 0000", hours: {mon-fri: 09:00-18:00}}
  - id: porto
    name: Porto
    timezone: Europe/Lisbon
    holidays: {country: PT, subdivision: "13"}
    channels:
      - {id: phone, type: phone, contact: "+351 22 000 0000", hours: {mon-fri: 09:00-18:00}}
  - id: noc
    name: NOC
    holidays: {}
    channels:
      - {id: phone, type: phone, contact: "+55 11 4000-0001", hours: {mon-fri: 09:00-18:00}}
  - id: inventario
    name: Inventário
    holidays:
      extra:
        "2026-12-30": Inventário anual
    channels:
      - {id: email, type: email, contact: inventario@example.com.br, hours: {mon-fri: 09:00-18:00}}
"""


def built_holidays(tmp_path, site_yaml: str = HOLIDAY_SITE) -> dict[str, dict]:
    """Build the site through the command line; return api/hours.json's `holidays` of each department by id."""
    site, out = tmp_path / "site", tmp_path / "out"
    for name, text in {"site.yaml": site_yaml, "hours.yaml": HOLIDAY_HOURS}.items():
        (site / "site_src").mkdir(parents=True, exist_ok=True)
        (site / "site_src" / name).write_text(text, encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", str(out), "--now", "2026-12-01T10:00:00-03:00"]) == 0
    data = json.loads((out / "api" / "hours.json").read_text(encoding="utf-8"))
    return {department["id"]: department["holidays"] for department in data["departments"]}


def test_each_department_says_which_holidays_it_keeps(tmp_path):
    assert built_holidays(tmp_path) == {
        "suporte": {"country": "BR", "subdivision": "SP", "own": False, "keeps_none": False},
        "lisboa": {"country": "PT", "subdivision": None, "own": True, "keeps_none": False},
        "porto": {"country": "PT", "subdivision": "13", "own": True, "keeps_none": False},
        "noc": {"country": None, "subdivision": None, "own": True, "keeps_none": True},
        # Its own closures alone: no public holidays, but not none at all.
        "inventario": {"country": None, "subdivision": None, "own": True, "keeps_none": False},
    }


def test_a_site_without_holidays_keeps_none_for_the_departments_that_follow_it(tmp_path):
    without = HOLIDAY_SITE.split("holidays:")[0]
    found = built_holidays(tmp_path, without)
    assert found["suporte"] == {"country": None, "subdivision": None, "own": False, "keeps_none": True}
    assert found["lisboa"] == {"country": "PT", "subdivision": None, "own": True, "keeps_none": False}
