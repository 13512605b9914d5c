"""When the output would next change by itself: `python build.py next-change`.

The output of a build depends on its sources and on "now".  This module finds the
first instant after "now" at which some rule of the renderers flips, so that a
scheduler knows when a rebuild is due even when nobody edits anything: a build at
any instant before it gives the same pages as a build at "now", and a build at it
(or, for the rules marked "+1 s", within the second after it) may not.

What counts, each compared exactly as the renderers compare it:

1. A new local day, in the site's time zone and in each department's: the 14-day
   table of the hours page, the 90 days of api/hours.json, the calendars' window,
   the days of hours notices (changed hours, closures), public holidays and company
   closures, the uptime bars and the status history all begin and end at a local
   midnight.  So the answer is never more than a day away.  A midnight that a
   daylight-saving change skips is the instant the clocks jump.
2. A change of a department zone's UTC offset (daylight saving): the hours page
   shows each department's offset ("GMT+01:00").
3. Incident and maintenance notices: `start`, `end` and every update's `at`, since
   the status page, the Statuspage API and the notices' states follow them; and
   `end` +1 s, when the hours page stops listing the notice (it lists windows
   whose end has not passed).  Withdrawn notices count too, since lists still show them.
4. Announcements without days or a window: `date` + 30 days +1 s, when they stop
   being news (their publication is rule 7).
5. The calendar subscriptions (calendar.ics, per department, maintenance.ics):
   an event leaves them 90 days after it ended, which for an event that ended at a
   local midnight is not a midnight once daylight saving changed in between.
6. A probe result speaks for its component for the component's `stale_after`
   (status.yaml; 30 minutes by default): at its time + `stale_after` +1 s, if
   nothing newer came, a failing or slow result stops colouring the component and
   the page says "no recent checks" instead.
7. Scheduled notices, dated after "now": their `date`, when they are published
   (until then no output holds them; see pipeline.make_build).

Not counted:

- channels opening and closing: no page says "open" or "closed" statically; the
  open-now script works it out in the browser from the schedule in the page, and
  the static pages only change with the day (rule 1);
- what moves with every instant: the build's own time ("updated at",
  `generated_at`), uptime percentages over the last 24 hours and of today, and
  the running length of an unresolved incident;
- new sources: an edited notice or the probe's new rows change the output through
  a commit, which triggers its own build.

Instants in sources are whole seconds, and so is the answer.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.model import Build, Notice
from generator.pipeline import load, resolve
from generator.render.calendars import Words, holiday_events, notice_events
from generator.render.i18n import read_catalogs, translations_for
from generator.report import print_problems
from generator.schedule.timeline import (
    CALENDAR_PAST_DAYS,
    NEWS_DAYS,
    calendar_drops_at,
    fresh_until,
    news_until,
    stale_since,
)
from generator.schedule.zones import offset_changes

ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Transition:
    """An instant at which the output changes by itself, and why."""

    at: datetime
    reason: str


def next_midnight(zone: ZoneInfo, now: datetime) -> datetime:
    """Return the first instant after `now` of a new local day in `zone` (the jump when midnight is skipped)."""
    day = now.astimezone(zone).date()
    while True:
        day += timedelta(1)
        # fold=0 reads a skipped 00:00 with the offset before the jump, which is the jump itself.
        midnight = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
        if midnight > now:
            return midnight


def day_transitions(build: Build) -> list[Transition]:
    """Return the next local midnight of the site's zone and of each department's (rule 1)."""
    zones = sorted({build.site.timezone} | {d.timezone for d in build.site.departments})
    return [Transition(next_midnight(ZoneInfo(name), build.now), f"a new day begins in {name}")
            for name in zones]


def offset_transitions(build: Build) -> list[Transition]:
    """Return the next UTC offset change of each department's zone within two days (rule 2)."""
    found = []
    for name in sorted({d.timezone for d in build.site.departments}):
        changes = offset_changes(ZoneInfo(name), build.now, build.now + timedelta(days=2))
        if changes:
            found.append(Transition(changes[0], f"the UTC offset of {name} changes"))
    return found


def notice_transitions(notice: Notice) -> list[Transition]:
    """Return the instants at which one notice changes the pages (rules 3 and 4)."""
    what = notice.path
    if notice.type in ("incident", "maintenance") and notice.start is not None:
        found = [Transition(notice.start, f"{what}: the {notice.type} starts")]
        found += [Transition(update.at, f"{what}: an update ({update.status}) is posted")
                  for update in notice.updates]
        if notice.end is not None:
            found.append(Transition(notice.end, f"{what}: the {notice.type} ends"))
            found.append(Transition(notice.end + ONE_SECOND, f"{what}: the hours page stops listing it"))
        return found
    if notice.changes or notice.period is not None:
        return []   # its days begin and end at local midnights (rule 1)
    # Its publication (`date`) is rule 7: a notice dated later is not in the build yet.
    return [Transition(news_until(notice.date) + ONE_SECOND, f"{what}: it is no longer news ({NEWS_DAYS} days)")]


def calendar_transitions(build: Build) -> list[Transition]:
    """Return when calendar events leave the subscriptions, 90 days after they ended (rule 5)."""
    site = build.site
    lang = site.default_language
    words = Words(lang, translations_for(read_catalogs(), lang))
    ends = [(event.end_instant(), notice.path) for notice in site.notices if notice.type == "hours"
            for event in notice_events(build, notice, words)]
    for dept in site.departments:
        today = build.now.astimezone(ZoneInfo(dept.timezone)).date()
        # Only events that ended in the last 90 days (and a day or two more) can leave soon.
        ends += [(event.end_instant(), f"the holiday {event.start.isoformat()} of {dept.id}")
                 for event in holiday_events(build, dept, today - timedelta(CALENDAR_PAST_DAYS + 2), today, words)]
    ends += [(notice.end, notice.path) for notice in site.notices
             if notice.type == "maintenance" and notice.end is not None]
    return [Transition(calendar_drops_at(end), f"{what}: its calendar event ended {CALENDAR_PAST_DAYS} days ago")
            for end, what in ends]


def probe_transitions(build: Build) -> list[Transition]:
    """Return when each checked component's newest probe result becomes stale (rule 6)."""
    found = []
    for component in build.site.components:
        measured = build.uptime.get(component.id)
        latest = measured.latest if measured else None
        if latest is not None and latest.time <= build.now and stale_since(component, latest, build.now) is None \
                and component.check is not None:
            minutes = f"{component.stale_after.total_seconds() / 60:g}"
            found.append(Transition(fresh_until(component, latest) + ONE_SECOND,
                                    f"the probe result of {component.id} is {minutes} minutes old"))
    return found


def transitions_after(build: Build) -> tuple[Transition, ...]:
    """Return every transition after the build's now, soonest first (then by reason)."""
    found = day_transitions(build) + offset_transitions(build) + calendar_transitions(build)
    found += probe_transitions(build)
    for notice in build.site.notices:
        found += notice_transitions(notice)
    # What a scheduled notice does once published is counted by the build that publishes it.
    found += [Transition(notice.date, f"{notice.path}: the scheduled notice is published")
              for notice in build.scheduled]
    now = build.now.astimezone(UTC)
    later = {Transition(t.at.astimezone(UTC), t.reason) for t in found if t.at.astimezone(UTC) > now}
    return tuple(sorted(later, key=lambda t: (t.at, t.reason)))


def next_change(build: Build) -> tuple[datetime, tuple[str, ...]]:
    """Return the first instant after now at which the output changes, with every reason for it then."""
    found = transitions_after(build)
    first = found[0].at   # never empty: a new day always comes
    if first.microsecond:
        first = first.replace(microsecond=0) + ONE_SECOND
    return first, tuple(t.reason for t in found if t.at <= first)


def next_change_command(site_dir: Path, now: datetime, strict: bool = False, explain: bool = False,
                        stdout=None, stderr=None) -> int:
    """Print the next change after `now` (naive: in the site's zone) as ISO 8601 in the site's zone (and why,
    with `explain`); return the exit status (1 when the site has errors, warnings too with `strict`)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    resolved = resolve(load(site_dir, strict=strict), now)
    print_problems(resolved.problems, stderr)
    if resolved.build is None:
        return 1
    at, reasons = next_change(resolved.build)
    print(at.astimezone(ZoneInfo(resolved.build.site.timezone)).isoformat(), file=stdout)
    if explain:
        for reason in reasons:
            print(f"  {reason}", file=stdout)
    return 0
