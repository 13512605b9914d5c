"""A notice's changes to the hours: each day or range, its weekday, closed or new hours, within the period."""

from __future__ import annotations

from datetime import date, datetime

from generator.model import Change, Department, SiteSettings
from generator.read.yaml_nodes import Node
from generator.validate.dates_in_text import parse_weekday, weekday_mismatch_hint
from generator.validate.fields import (
    Problems,
    check_keys,
    did_you_mean,
    expect_bool,
    expect_list,
    expect_localised,
    expect_map,
    expect_text,
    quote_list,
)
from generator.validate.hours import parse_hours_value
from generator.validate.limits import check_intervals
from generator.validate.notice_fields import read_day, read_range, weekday_phrase

CHANGE_KEYS = ("date", "dates", "weekday", "closed", "hours", "note")
Period = tuple[date, date] | None


def read_changes(node: Node, problems: Problems, settings: SiteSettings, departments: dict[str, Department],
                 department_ids: tuple[str, ...] | None, period: Period, lang: str,
                 published: datetime | None) -> tuple[Change, ...]:
    """Return a notice's changes sorted by their first day; report days given twice and the limit on days.
    With `department_ids` None (a department unknown or in error, reported where it is) channels are not checked."""
    seq = expect_list(node, problems, "changes")
    if seq is None:
        return ()
    channels = None if department_ids is None else {c.id for d in department_ids for c in departments[d].channels}
    published_day = published.date() if published else None
    seen: dict[date, int] = {}
    changes = []
    limits = settings.limits
    most = limits["change_days"]
    total = 0
    for item in seq.items:
        change = read_change(item, problems, settings, channels, period, lang, published_day)
        if change is None:
            continue
        # Counted before a day is listed: every day of a change costs a row on its pages.
        count = (change.last - change.first).days + 1
        total += count
        if count > most:
            problems.error(item.get("dates") or item, limits.over("change_days", count),
                           limits.hint("change_days", "split the change over several notices"))
            return ()
        if total > most:
            problems.error(item, limits.over("change_days", total),
                           limits.hint("change_days", "split the changes over several notices"))
            return ()
        for day in change.days():
            if day in seen:
                problems.error(item, f"{day.isoformat()} is listed twice (first at line {seen[day]})",
                               "give each day once; one change may list several channels")
            else:
                seen[day] = item.line
        if published and change.first < published.date():
            problems.warning(item, f"the change on {change.first.isoformat()} is dated before the notice "
                                   f"was published ({published.date().isoformat()})")
        changes.append(change)
    if not seq.items:
        problems.error(seq, "changes is empty")
    return tuple(sorted(changes, key=lambda c: c.first))


def read_change(node: Node, problems: Problems, settings: SiteSettings, channels: set[str] | None, period: Period,
                lang: str, published_day: date | None) -> Change | None:
    """Return one change (a day or a range, closed or with hours), or None when it is wrong."""
    item = expect_map(node, problems, "a change")
    if item is None:
        return None
    check_keys(item, problems, "a change", (), CHANGE_KEYS)
    span = None
    if item.get("date") is not None and item.get("dates") is not None:
        problems.error(item.key_node("dates"), "a change has either date or dates, not both")
        return None
    if (value := item.get("date")) is not None:
        day = read_day(value, problems, "date")
        span = (day, day) if day else None
        if day and (weekday := item.get("weekday")) is not None:
            check_weekday(weekday, problems, day, lang, period, published_day)
    elif (value := item.get("dates")) is not None:
        span = read_range(value, problems, "dates")
        if item.get("weekday") is not None:
            problems.error(item.key_node("weekday"), "weekday goes with a single date",
                           "split the range, or remove weekday")
    else:
        problems.error(item, "a change needs date: or dates:")
    closed = False
    if item.get("closed") is not None:
        closed = bool(expect_bool(item.get("closed"), problems, "closed"))
        if not closed:
            problems.error(item.get("closed"), "closed: false changes nothing", "remove it, or give hours")
    hours = read_change_hours(item.get("hours"), problems, settings, channels) \
        if item.get("hours") is not None else None
    if closed and item.get("hours") is not None:
        problems.error(item.key_node("hours"), "a change is either closed or has hours, not both")
    if not closed and item.get("hours") is None and item.get("closed") is None:
        problems.error(item, "a change needs closed: true or hours:")
    note = expect_localised(item.get("note"), problems, "note", settings.languages) \
        if item.get("note") is not None else None
    if span is None:
        return None
    if period and (span[0] < period[0] or span[1] > period[1]):
        where = item.get("date") or item.get("dates")
        problems.error(where, f"{span[0].isoformat() if span[0] == span[1] else f'{span[0]}..{span[1]}'} "
                              f"lies outside the notice's period {period[0]}..{period[1]}",
                       "correct the date, or widen period")
    if hours is None and not closed:
        return None
    return Change(span[0], span[1], closed, hours or (), note, node.line)


def check_weekday(node: Node, problems: Problems, day: date, lang: str, period: Period,
                  published_day: date | None) -> None:
    """Report a weekday written beside a date that falls on another day of the week."""
    written = expect_text(node, problems, "weekday")
    if written is None:
        return
    weekday = parse_weekday(written, (lang, "en"))
    if weekday is None:
        problems.error(node, f"'{written}' is not a weekday", "write it as in Terça-Feira, martes or Tuesday")
    elif weekday != day.weekday():
        problems.error(node, f"{day.isoformat()} is {weekday_phrase(day, lang)}, not {written}",
                       weekday_mismatch_hint(day, weekday, lang, period, reference=published_day))


def read_change_hours(node: Node, problems: Problems, settings: SiteSettings,
                      channels: set[str] | None) -> tuple | None:
    """Return a change's ((channel, intervals), ...) sorted by channel, or None when any is wrong; `channels`
    None: the notice's channels are not known, and are not checked."""
    mapping = expect_map(node, problems, "hours")
    if mapping is None:
        return None
    before = problems.count()
    check_intervals(mapping, settings.limits, problems)
    if problems.count() > before:
        return None
    result = []
    for key, value in mapping.pairs:
        if channels is not None and key.text not in channels:
            problems.error(key, f"no department of this notice has a channel '{key.text}'",
                           did_you_mean(key.text, sorted(channels))
                           or (f"channels are {quote_list(sorted(channels), 'and')}" if channels else None))
            continue
        intervals = parse_hours_value(value, problems)
        if intervals is not None:
            result.append((key.text, intervals))
    if not mapping.pairs:
        problems.error(mapping, "hours is empty", "list channel: hours, or write closed: true")
    return tuple(sorted(result)) if len(result) == len(mapping.pairs) else None
