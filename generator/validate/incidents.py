"""The status fields of incident and maintenance notices: components, impact, window, updates."""

from __future__ import annotations

from datetime import datetime, timedelta

from generator.model import COMPONENT_STATES, IMPACTS, INCIDENT_STATUSES, IncidentUpdate, SiteSettings
from generator.read.yaml_nodes import Map, Node, Scalar, Seq
from generator.validate.fields import (
    Problems,
    check_keys,
    did_you_mean,
    expect_list,
    expect_localised,
    expect_map,
    expect_text,
    quote_list,
)
from generator.validate.markdown_html import render_text
from generator.validate.notice_fields import read_instant

STATUS_KEYS = ("components", "impact", "start", "end", "updates")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
# The state a component takes during an incident when only the incident's impact is given.
IMPACT_STATE = {"none": "operational", "minor": "degraded_performance", "major": "partial_outage",
                "critical": "major_outage"}
STATE_IMPACT = {"operational": "none", "degraded_performance": "minor", "partial_outage": "major",
                "major_outage": "critical", "under_maintenance": "none"}


def read_components(node: Node, problems: Problems, site: SiteSettings, kind: str, impact: str | None):
    """Read `{component: state}` or a list of components (state from the impact, or under maintenance)."""
    known = [c.id for c in site.components]
    pairs: list[tuple[Node, str, str | None]] = []
    if isinstance(node, Map):
        for key, value in node.pairs:
            state = expect_text(value, problems, "a component's state")
            if state is not None and state not in COMPONENT_STATES:
                problems.error(value, f"unknown component state '{state}'",
                               did_you_mean(state, COMPONENT_STATES) or f"use {quote_list(COMPONENT_STATES)}")
                state = None
            pairs.append((key, key.text, state))
    else:
        items = (node,) if isinstance(node, Scalar) else (expect_list(node, problems, "components") or Seq(0, 0, ())).items
        default = "under_maintenance" if kind == "maintenance" else IMPACT_STATE.get(impact or "")
        if default is None and kind == "incident":
            problems.error(node, "a list of components needs the incident's impact to know their state",
                           "add impact: minor, major or critical, or write {component: state}")
        for item in items:
            text = expect_text(item, problems, "a component")
            if text is not None:
                pairs.append((item, text, default))
    result, seen = [], set()
    for where, component, state in pairs:
        if component not in known:
            problems.error(where, f"unknown component '{component}'",
                           did_you_mean(component, known) or (f"components are {quote_list(known, 'and')}" if known
                                                              else "this site's status page has no components: describe them in site_src/status.yaml"))
        elif component in seen:
            problems.error(where, f"the component '{component}' is listed twice")
        elif state is not None:
            seen.add(component)
            result.append((component, state))
    if not pairs:
        problems.error(node, "components is empty")
    return tuple(result)


def read_updates(node: Node, problems: Problems, site: SiteSettings, kind: str, zone: str,
                 start: datetime | None = None) -> tuple[IncidentUpdate, ...]:
    """Read the timeline, oldest first, each update with at, status and text, none long before `start`."""
    seq = expect_list(node, problems, "updates")
    if seq is None:
        return ()
    statuses = MAINTENANCE_STATUSES if kind == "maintenance" else INCIDENT_STATUSES
    updates: list[IncidentUpdate] = []
    for item in seq.items:
        update = expect_map(item, problems, "an update")
        if update is None or not check_keys(update, problems, "an update", ("at", "status", "text"), ()):
            continue
        at = read_instant(update.get("at"), problems, "at", zone)
        status = expect_text(update.get("status"), problems, "status")
        if status is not None and status not in statuses:
            problems.error(update.get("status"), f"unknown {kind} status '{status}'",
                           did_you_mean(status, statuses) or f"use {quote_list(statuses)}")
            status = None
        text = expect_localised(update.get("text"), problems, "text", site.languages)
        if at is None or status is None or text is None:
            continue
        if updates and at < updates[-1].at:
            problems.error(update.get("at"), "updates go oldest first: this one is earlier than the one before it")
            continue
        if start is not None and too_early(at, start, kind):
            problems.error(update.get("at"), *update_before_start(at, start, kind))
            continue
        updates.append(IncidentUpdate(at, status, render_text(update.get("text"), text, problems)))
    return tuple(updates)


# Maintenance is announced ahead, with updates before it starts; an incident's updates follow its start.
MAINTENANCE_NOTICE = timedelta(days=365)


def too_early(at: datetime, start: datetime, kind: str) -> bool:
    """Tell whether an update comes before an incident's start, or over a year before a maintenance's."""
    return at < start - (MAINTENANCE_NOTICE if kind == "maintenance" else timedelta(0))


def update_before_start(at: datetime, start: datetime, kind: str) -> tuple[str, str]:
    """Return (message, hint) for an update dated too long before the start of its incident or maintenance."""
    local = at.astimezone(start.tzinfo)
    written, begun = local.strftime("%Y-%m-%d %H:%M"), start.strftime("%Y-%m-%d %H:%M")
    message = (f"this update ({written}) comes before the incident's start ({begun})" if kind == "incident"
               else f"this update ({written}) comes over a year before the maintenance starts ({begun})")
    if local.year != start.year:
        try:
            meant = local.replace(year=start.year)
        except ValueError:          # 29 February
            meant = None
        if meant is not None and not too_early(meant, start, kind):
            return message, f"did you mean {meant.strftime('%Y-%m-%d %H:%M')}?"
    return message, f"check the date of the update, or the {kind}'s start"


def read_status_fields(front: Map, problems: Problems, site: SiteSettings, kind: str, published: datetime | None) -> dict | None:
    """Return the Notice fields of an incident or maintenance notice, or None when they are invalid."""
    zone = site.timezone
    before = problems.count()
    if not site.components:
        article = "an" if kind == "incident" else "a"
        # True whether status.yaml is missing or was refused for errors of its own (reported where they are).
        problems.error(front, f"{article} {kind} notice needs components, and this site's status page has none",
                       "describe the components in site_src/status.yaml")
        return None
    impact = None
    if (node := front.get("impact")) is not None:
        impact = expect_text(node, problems, "impact")
        if kind == "maintenance":
            problems.error(node, "maintenance has no impact; its components are under maintenance")
            impact = None
        elif impact is not None and impact not in IMPACTS:
            problems.error(node, f"unknown impact '{impact}'", did_you_mean(impact, IMPACTS) or f"use {quote_list(IMPACTS)}")
            impact = None
    components = ()
    if front.get("components") is None:
        problems.error(front, f"a {kind} notice is missing the required key 'components'")
    else:
        components = read_components(front.get("components"), problems, site, kind, impact)
    start = read_instant(front.get("start"), problems, "start", zone) if front.get("start") is not None else published
    end = read_instant(front.get("end"), problems, "end", zone) if front.get("end") is not None else None
    if kind == "maintenance":
        for key in ("start", "end"):
            if front.get(key) is None:
                problems.error(front, f"a maintenance notice is missing the required key '{key}'")
    if start and end and end <= start:
        problems.error(front.get("end"), "end must come after start")
    updates = read_updates(front.get("updates"), problems, site, kind, zone, start) \
        if front.get("updates") is not None else ()
    if kind == "incident" and impact is None and components:
        impact = max((STATE_IMPACT[state] for _, state in components), key=IMPACTS.index)
    if kind == "incident" and updates and updates[-1].status == "resolved" and end is None:
        problems.warning(front, "the last update says resolved, but the incident has no end",
                         "add end: with the time it was resolved")
    if problems.count() > before:
        return None
    return {"components": components, "impact": impact, "start": start, "end": end, "updates": updates}
