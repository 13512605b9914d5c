"""A notice's changes to the hours: each day or range, its weekday, closed or new hours, within the period."""

from __future__ import annotations

from datetime import date, datetime

from generator.errors import WARNING, SourceError
from generator.limits import PROSE_WARNINGS_SHOWN
from generator.model import Change, Department, SiteSettings
from generator.read.yaml_nodes import Node, Scalar, Seq
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
# The warning of a change that closes channels by leaving them out; it names at most NAMED of them.
OMISSION = "this change closes every channel it does not list"
NAMED = 6


def read_changes(node: Node, problems: Problems, settings: SiteSettings, departments: dict[str, Department],
                 department_ids: tuple[str, ...] | None, period: Period, lang: str,
                 published: datetime | None) -> tuple[Change, ...]:
    """Return a notice's changes sorted by their first day; report days given twice and the limit on days.
    With `department_ids` None (a department unknown or in error, reported where it is) channels are not checked."""
    seq = expect_list(node, problems, "changes")
    if seq is None:
        return ()
    channels = None if department_ids is None else {c.id for d in department_ids for c in departments[d].channels}
    chosen = None if department_ids is None else tuple(departments[d] for d in department_ids)
    published_day = published.date() if published else None
    seen: dict[date, int] = {}
    changes = []
    limits = settings.limits
    most = limits["change_days"]
    total = 0
    before = len(problems.items)
    for item in seq.items:
        change = read_change(item, problems, settings, channels, period, lang, published_day, chosen)
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
    _count_beyond_the_first(problems, before)
    return tuple(sorted(changes, key=lambda c: c.first))


def read_change(node: Node, problems: Problems, settings: SiteSettings, channels: set[str] | None, period: Period,
                lang: str, published_day: date | None,
                departments: tuple[Department, ...] | None = None) -> Change | None:
    """Return one change (a day or a range, closed or with hours), or None when it is wrong; with the notice's
    `departments` known, warn when its hours close channels by leaving them out (warn_closed_by_omission)."""
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
    given = read_change_hours(item.get("hours"), problems, settings, channels) \
        if item.get("hours") is not None else None
    hours, kept = given if given is not None else (None, ())
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
    change = Change(span[0], span[1], closed, hours or (), note, node.line, kept)
    if hours is not None and departments is not None:
        listed = tuple(key.text for key, _ in item.get("hours").pairs)
        warn_closed_by_omission(item.key_node("hours"), problems, change, listed, departments)
    return change


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
                      channels: set[str] | None) -> tuple[tuple, tuple[str, ...]] | None:
    """Return a change's ((channel, intervals), ...) and the channels it keeps `regular`, each sorted by channel,
    or None when any is wrong; `channels` None: the notice's channels are not known, and are not checked."""
    mapping = expect_map(node, problems, "hours")
    if mapping is None:
        return None
    before = problems.count()
    check_intervals(mapping, settings.limits, problems)
    if problems.count() > before:
        return None
    result = []
    kept = []
    for key, value in mapping.pairs:
        if channels is not None and key.text not in channels:
            problems.error(key, f"no department of this notice has a channel '{key.text}'",
                           did_you_mean(key.text, sorted(channels))
                           or (f"channels are {quote_list(sorted(channels), 'and')}" if channels else None))
            continue
        if _says_regular(value):
            kept.append(key.text)
            continue
        if isinstance(value, Seq) and (regular := next((v for v in value.items if _says_regular(v)), None)):
            problems.error(regular, "'regular' cannot be combined with other intervals")
            continue
        intervals = parse_hours_value(value, problems)
        if intervals is not None:
            result.append((key.text, intervals))
    if not mapping.pairs:
        problems.error(mapping, "hours is empty", "list channel: hours, or write closed: true")
    if len(result) + len(kept) != len(mapping.pairs):
        return None
    return tuple(sorted(result)), tuple(sorted(kept))


def _says_regular(node: Node) -> bool:
    """Tell whether a channel's value in a change is the word `regular` (its usual hours kept)."""
    return isinstance(node, Scalar) and not node.is_null and node.text.strip().lower() == "regular"


def warn_closed_by_omission(node: Node, problems: Problems, change: Change, listed: tuple[str, ...],
                            departments: tuple[Department, ...]) -> None:
    """Warn at `node` (the `hours:` key) when a change that opens no channel closes, by leaving them out, channels
    of its departments that are usually open on some of its days; the hint lists them as `regular`.

    A change that gives some channel hours reads as "only these" (`hours: {email: 09:00-23:00}`), and one that
    lists every channel, or writes `closed: true`, says what it closes: neither is warned about.  One that only
    closes (or keeps) the channels it names, as `hours: {phone: closed}`, was most likely meant to touch those
    alone.  Usually open is by the weekly hours (a 24/7 channel always): a public holiday is not known here.
    """
    if change.closed or any(intervals for _, intervals in change.hours):
        return
    weekdays = {day.weekday() for day in change.days()[:7]}
    named = set(listed)
    closed: list[str] = []
    for department in departments:
        for channel in department.channels:
            hours = channel.hours
            usually_open = hours.always or any(hours.days[weekday] for weekday in weekdays)
            if channel.id not in named and channel.id not in closed and usually_open:
                closed.append(channel.id)
    if not closed:
        return
    span = change.first.isoformat() if change.first == change.last else f"{change.first}..{change.last}"
    shut = [channel for channel, _ in sorted(change.hours, key=lambda pair: listed.index(pair[0]))]
    one = len(closed) == 1
    message = (f"{OMISSION}: {_plain_list(closed)} "
               f"{'is' if one else 'are'} closed on {span}" + (f", not only {_plain_list(shut)}" if shut else ""))
    kept = set(change.kept)
    written = ", ".join(f"{c}: {'regular' if c in kept else 'closed'}" for c in listed)
    keep = ", ".join([f"{c}: regular" for c in closed[:NAMED]] + ["…"] * (len(closed) > NAMED))
    problems.warning(node, message,
                     f"to keep {'its' if one else 'their'} usual hours, list {'it' if one else 'them'} as regular: "
                     f"hours: {{{written}, {keep}}}; to close every channel, write closed: true")


def _count_beyond_the_first(problems: Problems, before: int) -> None:
    """Keep the first PROSE_WARNINGS_SHOWN warnings of OMISSION a notice's changes made (problems.items[before:])
    and count the others in one more: 400 one-day changes, each naming the 199 other channels of 20 departments,
    printed 2.5 MB for one notice."""
    made = [p for p in problems.items[before:] if p.message.startswith(OMISSION)]
    if len(made) <= PROSE_WARNINGS_SHOWN:
        return
    hidden = made[PROSE_WARNINGS_SHOWN:]
    dropped = {id(p) for p in hidden}
    problems.items[before:] = [p for p in problems.items[before:] if id(p) not in dropped]
    first = hidden[0]
    problems.items.append(SourceError(
        first.path, first.line, first.column, f"{len(hidden)} more changes of this notice close channels they do not "
        "list; not shown", f"the first {PROSE_WARNINGS_SHOWN} are above: list the channels each change keeps as "
        "regular, or write closed: true", WARNING))


def _plain_list(words: list[str]) -> str:
    """Return words as a readable list without quotes: a, b and c; past NAMED words, the count of the others."""
    if len(words) > NAMED:
        return ", ".join(words[:NAMED]) + f" and {len(words) - NAMED} more"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
