"""Tests for generator.schedule.hours: holiday names, weekly summaries, and opening hours across DST.

The property tests compare the module with an oracle written here from the
wall-clock rule alone: every interval is expanded into the set of local
(date, minute) pairs it covers, and an instant is open iff its local wall
minute is in that set.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import Channel, Department, HolidayCalendar, HolidayRules, Interval, Override, Text, WeeklyHours
from generator.schedule.hours import (
    HOLIDAY,
    NOTICE,
    REGULAR,
    build_holiday_calendar,
    day_hours,
    days_from,
    holiday_language,
    is_open,
    merge_spans,
    next_transition,
    weekly_summary,
)

SP = "America/Sao_Paulo"

# (zone, first local day checked): each window of three days holds a DST change, except UTC and Tokyo.
WINDOWS = (
    (SP, date(2017, 10, 14)),        # 2017-10-15 00:00 did not exist
    (SP, date(2018, 2, 17)),         # 2018-02-17 23:00-24:00 happened twice
    ("Europe/Lisbon", date(2026, 3, 28)),    # last Sunday of March: 01:00 -> 02:00
    ("Europe/Lisbon", date(2026, 10, 24)),   # last Sunday of October: 02:00 -> 01:00
    ("UTC", date(2026, 6, 1)),
    ("Asia/Tokyo", date(2026, 12, 30)),
)
CHECKED_DAYS = 3
HORIZON_DAYS = 2
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- Building blocks --------------------------------------------------------

def week(*days: tuple[Interval, ...], holidays: tuple[Interval, ...] = (), always: bool = False) -> WeeklyHours:
    """Return weekly hours from seven days of intervals."""
    return WeeklyHours(tuple(days), holidays, always)


def department(zone: str, hours: WeeklyHours) -> tuple[Department, Channel]:
    """Return a one-channel department in `zone`, and its channel."""
    channel = Channel("phone", "phone", "+55 11 4000-0000", hours)
    return Department("support", Text.plain("Support"), zone, (channel,)), channel


def calendar(days: dict[date, str]) -> HolidayCalendar:
    """Return a holiday calendar with plain names."""
    return HolidayCalendar(MappingProxyType({day: Text.plain(name) for day, name in days.items()}))


def local(zone: str, *args: int, fold: int = 0) -> datetime:
    """Return an aware local datetime."""
    return datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)


OFFICE = (Interval(540, 720), Interval(840, 1080))
OFFICE_WEEK = week(*(OFFICE,) * 5, (Interval(540, 780),), (), holidays=(Interval(600, 840),))


# --- The oracle -------------------------------------------------------------

def oracle_intervals(hours: WeeklyHours, day: date, holidays: dict[date, str],
                     overrides: dict[date, tuple[Interval, ...]]) -> tuple[Interval, ...]:
    """Return the intervals that apply on `day`: notice, else holiday, else the weekday."""
    if day in overrides:
        return overrides[day]
    if hours.always:
        return (Interval(0, 1440),)
    if day in holidays:
        return hours.holidays
    return hours.days[day.weekday()]


def oracle_open_minutes(hours, holidays, overrides, first: date, last: date) -> set[tuple[date, int]]:
    """Return every local (date, minute) covered by the intervals of days first..last."""
    covered = set()
    day = first
    while day <= last:
        for interval in oracle_intervals(hours, day, holidays, overrides):
            for minute in range(interval.start, interval.end):
                covered.add((day + timedelta(minute // 1440), minute % 1440))
        day += timedelta(1)
    return covered


def oracle_is_open(zone: ZoneInfo, covered: set[tuple[date, int]], instant: datetime) -> bool:
    """Tell whether the instant's local wall minute is covered."""
    wall = instant.astimezone(zone)
    return (wall.date(), wall.hour * 60 + wall.minute) in covered


def minutes_of(zone: ZoneInfo, first: date, days: int) -> list[datetime]:
    """Return every whole-minute instant from local midnight of `first` for `days` days (UTC)."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    return [start + timedelta(minutes=n) for n in range(days * 1440)]


# --- Strategies -------------------------------------------------------------

@st.composite
def intervals(draw) -> tuple[Interval, ...]:
    """Draw 0-3 intervals on quarter hours, some ending at 24:00 or past midnight."""
    result = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, 95)) * 15
        end = draw(st.one_of(
            st.just(1440),
            st.integers(start // 15 + 1, 96).map(lambda q: q * 15),
            st.integers(97, 120).map(lambda q: q * 15),       # past midnight, up to 06:00
        ))
        if end > start:
            result.append(Interval(start, end))
    return tuple(sorted(result))


@st.composite
def scenarios(draw):
    """Draw a zone and window, weekly hours, holidays and overrides around it."""
    zone, first = draw(st.sampled_from(WINDOWS))
    always = draw(st.integers(0, 5)) == 0
    hours = WeeklyHours(tuple(draw(intervals()) for _ in range(7)), draw(intervals()), always)
    nearby = [first + timedelta(n) for n in range(-2, CHECKED_DAYS + HORIZON_DAYS + 2)]
    holiday_days = draw(st.sets(st.sampled_from(nearby), max_size=3))
    override_days = draw(st.sets(st.sampled_from(nearby), max_size=2))
    overrides = {day: draw(intervals()) for day in sorted(override_days)}
    return zone, first, hours, {day: f"Holiday {day}" for day in sorted(holiday_days)}, overrides


def model_of(zone, hours, holidays, overrides):
    """Return the department, channel, calendar and overrides mapping for a scenario."""
    dept, channel = department(zone, hours)
    mapping = MappingProxyType({(dept.id, channel.id, day): Override(iv, f"notice-{day}")
                                for day, iv in overrides.items()})
    return dept, channel, calendar(holidays), mapping


# --- Properties -------------------------------------------------------------

@PROPERTY_SETTINGS
@given(scenarios())
def test_is_open_and_spans_follow_the_wall_clock(scenario):
    zone_name, first, hours, holidays, overrides = scenario
    dept, channel, cal, mapping = model_of(zone_name, hours, holidays, overrides)
    zone = ZoneInfo(zone_name)
    covered = oracle_open_minutes(hours, holidays, overrides, first - timedelta(3), first + timedelta(CHECKED_DAYS))
    spans = [(span.start.astimezone(UTC), span.end.astimezone(UTC)) for span in merge_spans(
        s for d in days_from(dept, channel, first - timedelta(2), CHECKED_DAYS + 3, cal, mapping) for s in d.spans)]
    for instant in minutes_of(zone, first, CHECKED_DAYS):
        expected = oracle_is_open(zone, covered, instant)
        assert is_open(dept, channel, instant, cal, mapping) is expected, instant.astimezone(zone)
        in_span = any(start <= instant < end for start, end in spans)
        assert in_span is expected, instant.astimezone(zone)


@PROPERTY_SETTINGS
@given(scenarios(), st.lists(st.integers(0, CHECKED_DAYS * 1440 - 1), min_size=1, max_size=6),
       st.integers(0, 59))
def test_next_transition_is_the_oracles_next_flip(scenario, starts, second):
    zone_name, first, hours, holidays, overrides = scenario
    dept, channel, cal, mapping = model_of(zone_name, hours, holidays, overrides)
    zone = ZoneInfo(zone_name)
    covered = oracle_open_minutes(hours, holidays, overrides, first - timedelta(3),
                                  first + timedelta(CHECKED_DAYS + HORIZON_DAYS + 1))
    minutes = minutes_of(zone, first, CHECKED_DAYS + HORIZON_DAYS + 1)
    states = [oracle_is_open(zone, covered, instant) for instant in minutes]
    for index in starts:
        instant = minutes[index] + timedelta(seconds=second)
        limit = instant + timedelta(days=HORIZON_DAYS)
        expected = next((minutes[n] for n in range(index + 1, len(minutes))
                         if states[n] != states[index] and minutes[n] <= limit), None)
        found = next_transition(dept, channel, instant, cal, mapping, horizon_days=HORIZON_DAYS)
        # Compare in UTC: `==` between zones is False for a time in the repeated hour (PEP 495).
        assert (found and found.astimezone(UTC)) == expected, instant.astimezone(zone)
        if found is not None:
            assert found.tzinfo == zone


@PROPERTY_SETTINGS
@given(scenarios())
def test_day_hours_picks_notice_then_holiday_then_week(scenario):
    zone_name, first, hours, holidays, overrides = scenario
    dept, channel, cal, mapping = model_of(zone_name, hours, holidays, overrides)
    for n in range(-2, CHECKED_DAYS + 2):
        day = first + timedelta(n)
        found = day_hours(dept, channel, day, cal, mapping)
        assert found.intervals == oracle_intervals(hours, day, holidays, overrides)
        assert found.reason == (NOTICE if day in overrides else HOLIDAY if day in holidays else REGULAR)
        assert (found.holiday is not None) is (day in holidays)
        assert found.notice == (f"notice-{day}" if day in overrides else None)
        assert all(span.start.astimezone(UTC) < span.end.astimezone(UTC) and span.start.tzinfo == ZoneInfo(zone_name)
                   for span in found.spans)


# --- Daylight-saving changes, by example ------------------------------------

def test_interval_starting_in_the_skipped_hour_opens_when_the_clock_jumps():
    dept, channel = department(SP, week(*((Interval(0, 480),),) * 7))
    spans = day_hours(dept, channel, date(2017, 10, 15), calendar({})).spans
    assert [(s.start.isoformat(), s.end.isoformat()) for s in spans] == [
        ("2017-10-15T01:00:00-02:00", "2017-10-15T08:00:00-02:00")]


def test_interval_inside_the_skipped_hour_never_opens():
    dept, channel = department(SP, week(*((Interval(0, 30),),) * 7))
    assert day_hours(dept, channel, date(2017, 10, 15), calendar({})).spans == ()


def test_repeated_hour_inside_an_interval_is_covered_both_times():
    dept, channel = department(SP, week(*((Interval(1320, 1560),),) * 7))
    spans = day_hours(dept, channel, date(2018, 2, 17), calendar({})).spans
    assert [(s.start.isoformat(), s.end.isoformat()) for s in spans] == [
        ("2018-02-17T22:00:00-02:00", "2018-02-18T02:00:00-03:00")]
    assert is_open(dept, channel, local(SP, 2018, 2, 17, 23, 30, fold=0), calendar({}))
    assert is_open(dept, channel, local(SP, 2018, 2, 17, 23, 30, fold=1), calendar({}))


def test_repeated_hour_cutting_an_interval_opens_it_on_each_pass():
    dept, channel = department(SP, week(*((Interval(1320, 1410),),) * 7))
    spans = day_hours(dept, channel, date(2018, 2, 17), calendar({})).spans
    assert [(s.start.isoformat(), s.end.isoformat()) for s in spans] == [
        ("2018-02-17T22:00:00-02:00", "2018-02-17T23:30:00-02:00"),
        ("2018-02-17T23:00:00-03:00", "2018-02-17T23:30:00-03:00")]


def test_24_00_then_00_00_is_not_a_transition():
    dept, channel = department("Europe/Lisbon", week(*((Interval(1200, 1440), Interval(0, 120)),) * 7))
    found = next_transition(dept, channel, local("Europe/Lisbon", 2026, 10, 24, 21), calendar({}))
    assert found.isoformat() == "2026-10-25T02:00:00+00:00"


def test_naive_instant_is_refused():
    dept, channel = department(SP, OFFICE_WEEK)
    with pytest.raises(ValueError, match="has no time zone"):
        is_open(dept, channel, datetime(2026, 1, 5, 10), calendar({}))


# --- Holidays, notices and 24/7 ---------------------------------------------

def test_channel_opens_with_holiday_hours_on_a_holiday():
    dept, channel = department(SP, OFFICE_WEEK)
    cal = build_holiday_calendar(HolidayRules("BR", "SP"), range(2026, 2027), ("pt-BR", "en"))
    found = day_hours(dept, channel, date(2026, 11, 20), cal)   # a Friday
    assert found.reason == HOLIDAY
    assert found.holiday.get("pt-BR") == "Dia Nacional de Zumbi e da Consciência Negra"
    assert found.intervals == (Interval(600, 840),)
    assert [(s.start.isoformat(), s.end.isoformat()) for s in found.spans] == [
        ("2026-11-20T10:00:00-03:00", "2026-11-20T14:00:00-03:00")]
    assert is_open(dept, channel, local(SP, 2026, 11, 20, 11), cal)
    assert not is_open(dept, channel, local(SP, 2026, 11, 20, 9, 30), cal)
    assert next_transition(dept, channel, local(SP, 2026, 11, 20, 11), cal).isoformat() == "2026-11-20T14:00:00-03:00"


def test_channel_closed_on_a_holiday_without_holiday_hours():
    dept, channel = department(SP, week(*(OFFICE,) * 5, (), ()))
    cal = calendar({date(2026, 12, 25): "Natal"})
    found = day_hours(dept, channel, date(2026, 12, 25), cal)
    assert (found.reason, found.intervals, found.spans) == (HOLIDAY, (), ())
    assert next_transition(dept, channel, local(SP, 2026, 12, 25, 10), cal).isoformat() == "2026-12-28T09:00:00-03:00"


def test_always_open_channel_is_open_on_a_holiday():
    dept, channel = department(SP, week(*((),) * 7, always=True))
    cal = build_holiday_calendar(HolidayRules("BR", "SP"), range(2026, 2027), ("pt-BR",))
    found = day_hours(dept, channel, date(2026, 12, 25), cal)
    assert (found.reason, found.intervals) == (HOLIDAY, (Interval(0, 1440),))
    assert is_open(dept, channel, local(SP, 2026, 12, 25, 3), cal)
    assert next_transition(dept, channel, local(SP, 2026, 12, 25, 3), cal) is None


def test_notice_beats_a_holiday_and_keeps_its_name():
    dept, channel = department(SP, OFFICE_WEEK)
    cal = calendar({date(2026, 12, 25): "Natal"})
    note = Text.plain("Plantão")
    overrides = {("support", "phone", date(2026, 12, 25)): Override((Interval(480, 600),), "plantao-natal", note)}
    found = day_hours(dept, channel, date(2026, 12, 25), cal, overrides)
    assert (found.reason, found.notice, found.note) == (NOTICE, "plantao-natal", note)
    assert found.holiday == Text.plain("Natal")
    assert found.intervals == (Interval(480, 600),)


def test_notice_for_another_channel_does_not_apply():
    dept, channel = department(SP, OFFICE_WEEK)
    overrides = {("support", "chat", date(2026, 12, 24)): Override((), "chat-closed")}
    assert day_hours(dept, channel, date(2026, 12, 24), calendar({}), overrides).reason == REGULAR


# --- Holiday calendar -------------------------------------------------------

def test_brazil_sao_paulo_2026_in_portuguese_and_english():
    cal = build_holiday_calendar(HolidayRules("BR", "SP"), range(2026, 2027), ("pt-BR", "en"))
    assert cal.name(date(2026, 7, 9)).values == (
        ("pt-BR", "Revolução Constitucionalista"), ("en", "Constitutionalist Revolution"))
    assert cal.name(date(2026, 11, 20)).values == (
        ("pt-BR", "Dia Nacional de Zumbi e da Consciência Negra"),
        ("en", "National Day of Zumbi and Black Awareness"))
    assert cal.name(date(2026, 12, 25)).values == (("pt-BR", "Natal"), ("en", "Christmas Day"))
    assert cal.name(date(2026, 2, 17)) is None          # Carnaval is optional, not public
    assert list(cal.days) == sorted(cal.days)
    assert isinstance(cal.days, MappingProxyType)


def test_state_holiday_only_in_its_state():
    cal = build_holiday_calendar(HolidayRules("BR", "RJ"), range(2026, 2027), ("pt-BR",))
    assert cal.name(date(2026, 7, 9)) is None


def test_names_do_not_depend_on_the_environment(monkeypatch):
    rules = HolidayRules("BR", "SP")
    expected = build_holiday_calendar(rules, range(2026, 2027), ("pt-BR", "en", "es"))
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(variable, "uk_UA.UTF-8")
    assert build_holiday_calendar(rules, range(2026, 2027), ("pt-BR", "en", "es")) == expected
    assert expected.name(date(2026, 12, 25)).get("es") == "Natal"   # Spanish falls back to Brazil's default


@pytest.mark.parametrize("lang, expected", [
    ("pt-BR", "pt_BR"), ("pt", "pt_BR"), ("pt-PT", "pt_BR"), ("en", "en_US"), ("en-GB", "en_US"),
    ("uk", "uk"), ("es", "pt_BR"),
])
def test_holiday_language_picks_the_closest_supported(lang, expected):
    assert holiday_language(lang, ("en_US", "pt_BR", "uk"), "pt_BR") == expected


def test_company_closures_join_public_holidays():
    rules = HolidayRules(
        "BR", "SP",
        yearly=((12, 24, Text((("pt-BR", "Véspera de Natal"), ("en", "Christmas Eve")))),
                (12, 25, Text.plain("Recesso")),
                (2, 29, Text.plain("Dia bissexto"))),
        dated=((date(2026, 12, 31), Text.plain("Inventário")),
               (date(2026, 12, 25), Text.plain("Recesso")),
               (date(2030, 1, 2), Text.plain("Fora do período"))),
    )
    cal = build_holiday_calendar(rules, range(2026, 2028), ("pt-BR", "en"))
    assert cal.name(date(2026, 12, 24)).values == (("pt-BR", "Véspera de Natal"), ("en", "Christmas Eve"))
    assert cal.name(date(2026, 12, 25)).values == (("pt-BR", "Natal; Recesso"), ("en", "Christmas Day; Recesso"))
    assert cal.name(date(2027, 12, 25)).get("pt-BR") == "Natal; Recesso"
    assert cal.name(date(2026, 12, 31)).get("en") == "Inventário"
    assert cal.name(date(2030, 1, 2)) is None
    assert not any(day.month == 2 and day.day == 29 for day in cal.days)


def test_closures_without_a_country():
    cal = build_holiday_calendar(HolidayRules(None, None, yearly=((1, 2, Text.plain("Folga")),)),
                                 range(2026, 2027), ("pt-BR",))
    assert dict(cal.days) == {date(2026, 1, 2): Text((("pt-BR", "Folga"),))}
    assert build_holiday_calendar(None, range(2026, 2027), ("pt-BR",)).days == {}


# --- Weekly summary ---------------------------------------------------------

def test_weekdays_with_equal_hours_form_one_group():
    assert weekly_summary(OFFICE_WEEK) == (
        ((0, 1, 2, 3, 4), OFFICE), ((5,), (Interval(540, 780),)), ((6,), ()))


def test_equal_days_apart_stay_in_separate_runs():
    short = (Interval(540, 720),)
    assert weekly_summary(week(OFFICE, short, OFFICE, OFFICE, (), (), ())) == (
        ((0,), OFFICE), ((1,), short), ((2, 3), OFFICE), ((4, 5, 6), ()))


def test_always_open_week_is_one_group():
    assert weekly_summary(week(*((),) * 7, always=True)) == ((tuple(range(7)), (Interval(0, 1440),)),)
