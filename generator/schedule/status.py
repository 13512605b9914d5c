"""Pure status logic: component states at an instant, incidents, maintenance windows, the overall indicator.

The vocabulary is Atlassian Statuspage's, so its clients read our API unchanged.
A maintenance window puts its components under maintenance between start and
end by itself; an unresolved incident holds its components' states; a recent
failing probe counts too; the worst state wins.

A checked component whose newest probe row is older than its `stale_after` is
stale: the probe has stopped, or stopped reaching it. The page then says "no
recent checks since …" rather than a state (unless an incident or maintenance
states one), and never "all systems operational"; the Statuspage API, whose
vocabulary has no "unknown", keeps the last known state and says why.  When a
result goes stale is a rule of timeline.py, which next-change follows too.

A checked component without a single probe row is awaiting its first check: the
page and the badges say "No checks yet" rather than "operational" (unless an
incident or maintenance states something), and never "all systems operational".
"""

from __future__ import annotations

from datetime import datetime

from generator.model import Build, Component, IncidentUpdate, Notice, ProbeResult
from generator.schedule.timeline import stale_since

SEVERITY = {"operational": 0, "under_maintenance": 1, "degraded_performance": 2, "partial_outage": 3,
            "major_outage": 4}
STATE_INDICATOR = {"operational": "none", "under_maintenance": "maintenance", "degraded_performance": "minor",
                   "partial_outage": "major", "major_outage": "critical"}


def worst(states) -> str:
    """Return the most severe of the given states (operational when there are none)."""
    return max(states, key=SEVERITY.__getitem__, default="operational")


def incidents(build: Build) -> tuple[Notice, ...]:
    """Return the incident notices that were not withdrawn, newest start first."""
    found = [n for n in build.site.notices if n.type == "incident" and not n.cancelled]
    return tuple(sorted(found, key=lambda n: (n.start or n.date, n.slug), reverse=True))


def maintenances(build: Build) -> tuple[Notice, ...]:
    """Return the maintenance notices that were not withdrawn, soonest start first."""
    found = [n for n in build.site.notices if n.type == "maintenance" and not n.cancelled]
    return tuple(sorted(found, key=lambda n: (n.start, n.slug)))


def is_unresolved(incident: Notice, now: datetime) -> bool:
    """Tell whether an incident has started and not ended at `now`."""
    return (incident.start or incident.date) <= now and (incident.end is None or incident.end > now)


def updates_said(notice: Notice, now: datetime) -> tuple[IncidentUpdate, ...]:
    """Return a notice's updates posted at or before `now`, newest first: what every output says of them.

    The status page, the Statuspage API, the feeds and the notice's own page all say an update only from
    its time on, so that none of them tells a reader what another does not yet.
    """
    # Of two updates at the same minute (validate/incidents.py allows it) the one written later is the newer, as
    # the Statuspage API says: sorted oldest first, which keeps the written order of equal times, then reversed
    # (a sort newest first would keep the earlier-written one first).
    return tuple(reversed(sorted((u for u in notice.updates if u.at <= now), key=lambda u: u.at)))


def maintenance_status(window: Notice, now: datetime) -> str:
    """Return scheduled, in_progress, verifying or completed for a window at `now`, as Statuspage names them.

    Only updates already posted at `now` count; a window ends by itself at its end.
    """
    said = [update.status for update in window.updates if update.at <= now]
    if said and said[-1] == "completed" and now >= window.start:
        return "completed"
    if now < window.start:
        return "scheduled"
    if now < window.end:
        return "verifying" if said and said[-1] == "verifying" else "in_progress"
    return "completed"


def probe_state(component: Component, latest: ProbeResult | None, now: datetime, last_known: bool = False) -> str:
    """Return what the latest probe result says about now: major outage when it failed, degraded when slow.

    A stale result says nothing (operational) unless `last_known` asks for its verdict all the same.
    """
    if component.check is None or latest is None or latest.time > now:
        return "operational"
    if not last_known and stale_since(component, latest, now) is not None:
        return "operational"
    if not latest.ok:
        return "major_outage"
    limit = component.check.degraded_after
    if limit is not None and latest.latency_ms is not None and latest.latency_ms > limit * 1000:
        return "degraded_performance"
    return "operational"


def component_state(build: Build, component: Component, now: datetime | None = None,
                    last_known: bool = False) -> str:
    """Return a component's state at `now` (the build's by default): the worst of its sources.

    With `last_known`, a stale probe result still counts (the API's view: it has no "unknown").
    """
    now = now or build.now
    states = []
    for incident in incidents(build):
        if is_unresolved(incident, now):
            states += [state for cid, state in incident.components if cid == component.id]
    for window in maintenances(build):
        if window.start <= now < window.end and maintenance_status(window, now) != "completed":
            states += [state for cid, state in window.components if cid == component.id]
    uptime = build.uptime.get(component.id)
    states.append(probe_state(component, uptime.latest if uptime else None, now, last_known))
    return worst(states)


def component_states(build: Build, last_known: bool = False) -> tuple[tuple[Component, str], ...]:
    """Return every component with its state at the build's now, in file order."""
    return tuple((component, component_state(build, component, last_known=last_known))
                 for component in build.site.components)


def stale_components(build: Build) -> dict[str, datetime]:
    """Return the stale components at the build's now: component id -> time of its newest probe row."""
    found = {}
    for component in build.site.components:
        measured = build.uptime.get(component.id)
        since = stale_since(component, measured.latest if measured else None, build.now)
        if since is not None:
            found[component.id] = since
    return found


INDICATOR_ORDER = ("none", "maintenance", "minor", "major", "critical")
STALE = "stale"    # the page's and the badges' own state: the probe's newest row is too old to say anything
AWAITING = "awaiting"   # theirs too: the component has a check, but the probe has not written a row of it yet


def awaiting_first_check(build: Build, component: Component) -> bool:
    """Tell whether a component has a check but no probe row at all yet: nothing measured to speak of it."""
    if component.check is None:
        return False
    measured = build.uptime.get(component.id)
    return measured is None or (measured.latest is None and measured.first is None
                                and all(day.source != "probe" for day in measured.days))


def overall(build: Build, last_known: bool = False) -> tuple[str, str]:
    """Return Statuspage's indicator (none, maintenance, minor, major, critical) and the worst component state.

    An unresolved incident's declared impact counts even when it names no failing component.
    """
    state = worst(state for _, state in component_states(build, last_known))
    candidates = [STATE_INDICATOR[state]]
    candidates += [n.impact for n in incidents(build) if is_unresolved(n, build.now) and n.impact]
    return max(candidates, key=INDICATOR_ORDER.index), state


def shown_states(build: Build) -> tuple[str, dict[str, str], dict[str, datetime]]:
    """Return what the page and the badges show: the indicator, each component's state, the stale ones' rows.

    A stale component whose state nobody declared shows STALE rather than operational, and
    then the indicator is STALE rather than "none" (all systems operational); one awaiting its
    first check likewise shows AWAITING, and the indicator is AWAITING when none is STALE.
    """
    indicator, _ = overall(build)
    stale = stale_components(build)
    states = {}
    for component, state in component_states(build):
        if state == "operational" and component.id in stale:
            state = STALE
        elif state == "operational" and awaiting_first_check(build, component):
            state = AWAITING
        states[component.id] = state
    shown = {cid: since for cid, since in stale.items() if states[cid] == STALE}
    if indicator == "none" and shown:
        indicator = STALE
    elif indicator == "none" and AWAITING in states.values():
        indicator = AWAITING
    return indicator, states, shown
