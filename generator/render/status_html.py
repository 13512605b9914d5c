"""The status page in every language: the overall state, incidents, maintenance, components, history.

Paths: `status/index.html` in the default language, `<lang>/status/index.html` for the
others. The page (status.html) receives `page` (frame.py), `site` and `status`
(`status_view`): facts resolved for one language, figures already formatted by
Babel; the words are in the templates and the gettext catalogs.

States come from status.py at the build's "now"; measured history from
`Build.uptime`. A component without measurements still gets its 90 days, each
"no data", so a missing probe is never shown as 100 %; days before its
`monitored_since` are "not monitored yet" instead.

A stale component (its newest probe row older than its `stale_after`) whose state
no incident or maintenance sets shows the pseudo-state "stale", "No recent checks
since …", in its row, its group and, when nothing worse is going on, the banner:
the page never says "All systems operational" about a probe that has stopped. A
checked component the probe has not checked yet shows "No checks yet" the same
way, and no uptime figure.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_percent
from babel.units import format_unit
from jinja2 import Environment
from markupsafe import Markup

from generator.model import Build, Component, ComponentUptime, Notice, Output, UptimeDay
from generator.render.frame import page_frame, render_page
from generator.render.i18n import LocaleFormats
from generator.render.notices import link_to, other_language, window_view
from generator.schedule.status import (
    AWAITING,
    STALE,
    awaiting_first_check,
    incidents,
    is_unresolved,
    maintenance_status,
    maintenances,
    overall,
    shown_states,
    updates_said,
    worst,
)
from generator.schedule.timeline import STATUS_DAYS

WINDOWS = ("24h", "7d", "30d", "90d")
# A bar's class by uptime: none for a full day (the most common, so it costs no bytes).
LEVELS = ((1.0, ""), (0.99, "u1"), (0.95, "u2"), (0.0, "u3"))
NO_DATA = "n"
BEFORE = "b"       # a day before the component's monitored_since
# The sparkline's drawing box: one unit per day across, SPARK_HEIGHT units up.
SPARK_HEIGHT = 24


def render_status_pages(build: Build, env: Environment, *, notices_page: bool = True) -> tuple[Output, ...]:
    """Return the status page of every language: status/index.html, then <lang>/status/index.html.

    With `notices_page` (the notice pages exist) incidents and maintenance link to theirs.
    """
    outputs = []
    for lang in build.site.languages:
        frame = page_frame(build, lang, "status", status_page=True, notices_page=notices_page)
        context = {"page": frame, "site": build.site,
                   "status": status_view(build, lang, frame["folder"] if notices_page else None)}
        outputs.append(Output(frame["path"], render_page(env, "status.html", lang, context)))
    return tuple(outputs)


def status_view(build: Build, lang: str, folder: str | None) -> dict:
    """Return what the status page shows in `lang`; `folder` leads to the language's folder (None: no notice links)."""
    fmt = LocaleFormats(lang)
    zone = build.site.timezone
    _, state = overall(build)
    indicator, states, stale = shown_states(build)
    shown_stale = sorted(stale.values())
    active = [n for n in incidents(build) if is_unresolved(n, build.now)]
    windows = [(maintenance_status(n, build.now), n) for n in maintenances(build)]
    return {
        "indicator": indicator,
        "state": state,
        "as_of": instant_view(build.now, zone, fmt),
        # The oldest newest row among the components shown as stale: since when the page is in the dark.
        "stale_since": instant_view(shown_stale[0], zone, fmt) if shown_stale else None,
        "zone": fmt.zone_name(zone),
        "incidents": [notice_view(build, n, lang, folder) for n in active],
        "in_progress": [notice_view(build, n, lang, folder, status) for status, n in windows
                        if status in ("in_progress", "verifying")],
        "upcoming": [notice_view(build, n, lang, folder, status) for status, n in windows if status == "scheduled"],
        "groups": group_views(build, lang, states),
        "history": history_view(build, lang, folder),
    }


# --- Incidents and maintenance ---------------------------------------------------

def notice_view(build: Build, notice: Notice, lang: str, folder: str | None, status: str | None = None) -> dict:
    """Return an incident or maintenance as the page shows it: link, window, components, updates newest first.

    `status` is a maintenance's (scheduled, in_progress, ...); an incident's is resolved once it has
    ended, else its latest update's.
    """
    fmt = LocaleFormats(lang)
    zone = build.site.timezone
    names = {component.id: component.name for component in build.site.components}
    # The page tells what was known at "now": a later update (a back-dated build) is not shown yet.
    updates = updates_said(notice, build.now)
    if status is None:
        ended = notice.end is not None and notice.end <= build.now
        status = "resolved" if ended else updates[0].status if updates else "investigating"
    window = window_view(build, notice, fmt)
    if notice.type == "incident" and window is not None and is_unresolved(notice, build.now):
        window = {**window, "text": fmt.short_date_time(notice.start, zone), "open": True}
    link = link_to(notice, lang, folder or "")
    return {
        **link,
        "href": link["href"] if folder is not None else None,
        "slug": notice.slug,
        "type": notice.type,
        "impact": notice.impact,
        "status": status,
        "days": None,       # names.when() reads a notice's days or its window
        "window": window,
        "components": [{"name": names[cid].get(lang) if cid in names else cid, "state": state}
                       for cid, state in notice.components],
        "updates": [{"status": update.status, "at": instant_view(update.at, zone, fmt),
                     # Sanitised when read (markup.py): safe as it is, and never a template.
                     "text": Markup(update.text.get(lang)),
                     "lang": other_language(update.text, lang, notice.lang)} for update in updates],
    }


def instant_view(instant: datetime, zone: str, fmt: LocaleFormats) -> dict:
    """Return an instant as the site's zone writes it (short date and time) and in ISO 8601."""
    return {"text": fmt.short_date_time(instant, zone), "iso": instant.astimezone(ZoneInfo(zone)).isoformat()}


def history_view(build: Build, lang: str, folder: str | None) -> list[dict]:
    """Return the months that the bars cover, newest first, each with the incidents and maintenance begun in it.

    Maintenance is listed once it has started; cancelled notices are left out.
    """
    fmt = LocaleFormats(lang)
    zone = ZoneInfo(build.site.timezone)
    today = build.now.astimezone(zone).date()
    first = today - timedelta(days=STATUS_DAYS - 1)
    months = []
    year, month = today.year, today.month
    while (year, month) >= (first.year, first.month):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    found = [n for n in incidents(build) + maintenances(build) if n.start is not None and n.start <= build.now]
    found.sort(key=lambda n: (n.start, n.slug), reverse=True)
    views = []
    for year, month in months:
        name = format_skeleton("yMMMM", date(year, month, 1), locale=fmt.locale)
        started = [n for n in found if (n.start.astimezone(zone).year, n.start.astimezone(zone).month) == (year, month)]
        views.append({
            "iso": f"{year:04d}-{month:02d}",
            "name": name[:1].upper() + name[1:],
            "notices": [notice_view(build, n, lang, folder,
                                    maintenance_status(n, build.now) if n.type == "maintenance" else None)
                        for n in started],
        })
    return views


# --- Components ------------------------------------------------------------------

def group_views(build: Build, lang: str, states: dict[str, str]) -> list[dict]:
    """Return the components by group, groups in the order they first appear; ungrouped ones form a group without a name."""
    groups: dict[object, list[Component]] = {}
    for component in build.site.components:
        groups.setdefault(component.group, []).append(component)
    return [{
        "id": f"g{n}",
        "name": group.get(lang) if group is not None else None,
        "state": group_state([states[c.id] for c in members]),
        "components": [component_view(build, c, states[c.id], lang) for c in members],
    } for n, (group, members) in enumerate(groups.items(), start=1)]


def group_state(states: list[str]) -> str:
    """Return a group's state: its members' worst, or when that is operational, stale if one of them is stale,
    else awaiting if one of them awaits its first check."""
    known = worst(state for state in states if state not in (STALE, AWAITING))
    if known == "operational":
        return next((pseudo for pseudo in (STALE, AWAITING) if pseudo in states), known)
    return known


def component_view(build: Build, component: Component, state: str, lang: str) -> dict:
    """Return one component: state, description, public check target, 90 daily bars, uptime windows, latency."""
    fmt = LocaleFormats(lang)
    uptime = build.uptime.get(component.id)
    days = bar_days(build, uptime)
    sources = {day.source for _, day in days if day is not None and day.uptime is not None}
    since = component.monitored_since
    check = component.check
    windows = dict(uptime.windows) if uptime else {}
    return {
        "id": component.id,
        "name": component.name.get(lang),
        "description": component.description.get(lang) if component.description else None,
        "state": state,
        "target": check.target() if check is not None and check.public else None,
        "check": check.type.upper() if check is not None and check.public else None,
        # Days not measured by a probe but worked out from the incidents published.
        "estimated": "estimated" if sources == {"incidents"} else ("some" if "incidents" in sources else None),
        "bars": [bar_view(day, record, fmt, mark=len(sources) > 1, before=since is not None and day < since)
                 for day, record in days],
        "windows": [{"key": key, "value": percent(windows.get(key), lang)} for key in WINDOWS],
        "latency": latency_view(days, fmt),
        "last_check": instant_view(uptime.latest.time, build.site.timezone, fmt)
        if uptime is not None and uptime.latest is not None else None,
        "stale_since": instant_view(uptime.latest.time, build.site.timezone, fmt) if state == STALE else None,
        # A check the probe has not run yet: no figure, and any state shown is the notices' word alone.
        "awaiting": awaiting_first_check(build, component),
    }


def bar_days(build: Build, uptime: ComponentUptime | None) -> list[tuple[date, UptimeDay | None]]:
    """Return the STATUS_DAYS local days ending today in the site's zone, oldest first, each with its record if any."""
    today = build.now.astimezone(ZoneInfo(build.site.timezone)).date()
    records = {day.day: day for day in uptime.days} if uptime else {}
    return [(day, records.get(day)) for day in (today - timedelta(days=n) for n in range(STATUS_DAYS - 1, -1, -1))]


def bar_view(day: date, record: UptimeDay | None, fmt: LocaleFormats, mark: bool = False, before: bool = False) -> dict:
    """Return one day's bar: its class (height and colour), its date and figure as text (None: no data).

    With `mark`, a day worked out from incidents says so (the component mixes both kinds of day).
    With `before`, the day comes before the component's monitored_since: not monitored, whatever
    the records say ("b" and no figure; `"m": True`).
    """
    if before:
        return {"c": BEFORE, "d": _short_date(day, fmt.locale), "v": None, "e": False, "m": True}
    value = record.uptime if record is not None else None
    return {
        "c": level(value),
        "d": _short_date(day, fmt.locale),
        "v": percent(value, fmt.lang),
        "e": mark and record is not None and value is not None and record.source == "incidents",
        "m": False,
    }


def level(uptime: float | None) -> str:
    """Return a bar's class: '' for 100 %, u1 from 99 %, u2 from 95 %, u3 below, n without data."""
    if uptime is None:
        return NO_DATA
    return next(name for floor, name in LEVELS if uptime >= floor)


def percent(value: float | None, lang: str) -> str | None:
    """Return a fraction as the language writes a percentage with two decimals: '99,93%'; None stays None.

    Rounded down, so that 100,00 % always means a day without any downtime.
    """
    if value is None:
        return None
    exact = Decimal(repr(min(max(value, 0.0), 1.0))).quantize(Decimal("0.0001"), rounding=ROUND_FLOOR)
    return _format_fraction(exact, LocaleFormats(lang).locale)


@lru_cache(maxsize=4096)
def _format_fraction(exact: Decimal, locale: str) -> str:
    """Format a fraction already rounded to four places; 90 bars a component repeat a few values."""
    pattern = Locale.parse(locale).percent_formats[None].pattern.split(";")[0]
    # The locale's own pattern ('#,##0%', '#,##0 %', '%#,##0') with two decimals after its last digit.
    pattern = re.sub(r"0(?=[^0]*$)", "0.00", pattern, count=1)
    return format_percent(exact, format=pattern, locale=locale)


@lru_cache(maxsize=1024)
def _short_date(day: date, locale: str) -> str:
    """Return a bar's date, '23 de nov.'; every component's bars share the same 90 days."""
    return format_skeleton("MMMd", day, locale=locale)


def latency_view(days: list[tuple[date, UptimeDay | None]], fmt: LocaleFormats) -> dict | None:
    """Return the latency: the last measured day's median and 95th percentile, and a sparkline of daily medians."""
    points = [(n, record) for n, (_, record) in enumerate(days)
              if record is not None and record.latency_p50 is not None]
    if not points:
        return None
    last = points[-1][1]
    medians = [record.latency_p50 for _, record in points]
    top = max(medians) or 1.0
    path, previous = [], None
    for n, record in points:
        y = round(SPARK_HEIGHT - 1 - record.latency_p50 / top * (SPARK_HEIGHT - 2), 1)
        # A day without figures breaks the line rather than joining its neighbours.
        path.append(f"{'L' if previous == n - 1 else 'M'}{n} {y:g}")
        previous = n
    if len(points) == 1:
        path.append("h1")
    return {
        "day": format_skeleton("MMMd", last.day, locale=fmt.locale),
        "iso": last.day.isoformat(),
        "p50": milliseconds(last.latency_p50, fmt),
        "p95": milliseconds(last.latency_p95, fmt) if last.latency_p95 is not None else None,
        "low": milliseconds(min(medians), fmt),
        "high": milliseconds(max(medians), fmt),
        "path": "".join(path),
        "width": len(days) - 1 or 1,
        "height": SPARK_HEIGHT,
    }


def milliseconds(value: float, fmt: LocaleFormats) -> str:
    """Return a duration in whole milliseconds as the language writes it: '120 ms'."""
    return format_unit(round(value), "duration-millisecond", length="short", locale=fmt.locale)
