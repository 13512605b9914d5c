"""The status API: Atlassian Statuspage's public API v2 under `api/v2/`, and `api/uptime.json`.

Statuspage's clients, chat integrations and aggregators read these files unchanged: `summary.json`, `status.json`,
`components.json`, `incidents.json`, `incidents/unresolved.json`, `scheduled-maintenances.json` and its
`upcoming.json` and `active.json`, in Statuspage's shapes and vocabulary.

Decisions a client may rely on:
- Instants are UTC with millisecond precision, `2026-11-05T17:05:00.000Z`, as Statuspage writes most of its own;
  dates (`start_date`) are `YYYY-MM-DD` or null.
- Ids are readable and stable: the page's is its host (and path), a component's its id, a group's `group-` and its
  name as a slug, an incident's or a window's the notice's slug, an update's the slug and its UTC instant.
- Everything is as of the build's "now": an incident shows once it has started, an update once it was posted. An
  incident is resolved once its `end` has passed; a resolved incident without a resolved update, and a window that
  started or ended without one, get the update Statuspage writes itself. An incident or window without updates
  opens with one that carries the notice's text.
- `updated_at` is derived from the content, never from the clock: the newest edit of a status notice, or the
  newest change of state that has happened by "now" (an incident or window starting or ending, an update posted, a
  failing probe's result), so that a client that caches on it sees every change and only real changes; a component
  that never changed gives its `created_at`.
- A component's `created_at` is the first instant it is known to have been on the page, stable from build to
  build: the start of its `monitored_since` day in the site's zone when it declares one (the operator's word
  wins); else the earlier of its first probe row (the oldest month file's) and the start or publication of the
  first incident or maintenance that names it; else, when nothing is known, the Unix epoch. A group's is its
  earliest member's.
- Names and texts are in the site's default language, bodies as plain text; the status descriptions keep
  Statuspage's English wording, which clients match on.
- A stale component (its newest probe row older than its `stale_after`) keeps its last known status, the verdict
  of that row, since Statuspage's vocabulary has no "unknown"; its `description` ends with "No recent checks
  since …: this is the last known status." in the default language, and its `updated_at` is the instant it became
  stale. The overall indicator is worked out from these last known statuses.
- A checked component without any probe row yet gets what its notices declare (else `operational`), and its
  `description` ends with "No checks yet: this status comes from the published notices alone." While one has none
  and nothing is known to be wrong (indicator "none"), the page's description is "Awaiting First Checks", not
  "All Systems Operational": nobody has measured it yet.
- The page `url` is the site's base URL without its final slash, so that a client that appends
  `/api/v2/summary.json` to it finds these files.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from generator.markup import plain_text
from generator.model import Build, Component, ComponentUptime, Notice, Output, UptimeDay
from generator.render import urls
from generator.render.i18n import LocaleFormats, babel_locale, read_catalogs, translations_for
from generator.schedule.status import (
    awaiting_first_check,
    component_state,
    incidents,
    is_unresolved,
    maintenance_status,
    maintenances,
    overall,
    probe_state,
    worst,
)
from generator.schedule.timeline import STATUS_DAYS, stale_since

MAX_LISTED = 50          # Statuspage lists the 50 most recent incidents and maintenances
WINDOWS = ("24h", "7d", "30d", "90d")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DESCRIPTIONS = {"none": "All Systems Operational", "minor": "Minor Service Outage",
                "major": "Partial System Outage", "critical": "Major Service Outage",
                "maintenance": "Service Under Maintenance"}
AWAITING_DESCRIPTION = "Awaiting First Checks"      # in Statuspage's capitals, like its own descriptions
ACTIVE = ("in_progress", "verifying")
# The updates Statuspage writes itself on a change of state, for catalogs that do not
# translate the msgid yet: by Babel locale, else by base language.
AUTOMATIC = {
    "resolved": ("This incident has been resolved.", {
        "pt": "Este incidente foi resolvido.", "es": "Este incidente se ha resuelto."}),
    "in_progress": ("Scheduled maintenance is currently in progress. We will provide updates as necessary.", {
        "pt": "A manutenção programada está em andamento. Publicaremos atualizações quando necessário.",
        "pt_PT": "A manutenção programada está a decorrer. Publicaremos atualizações sempre que necessário.",
        "es": "El mantenimiento programado está en curso. Publicaremos actualizaciones cuando sea necesario."}),
    "completed": ("The scheduled maintenance has been completed.", {
        "pt": "A manutenção programada foi concluída.", "es": "El mantenimiento programado ha finalizado."}),
}


def render_statuspage_api(build: Build) -> tuple[Output, ...]:
    """Return the Statuspage v2 files under `api/v2/` and `api/uptime.json`, sorted by path."""
    view = _View(build)
    page = view.page()
    status = dict(zip(("indicator", "description"), _status(build)))
    started = [n for n in incidents(build) if (n.start or n.date) <= build.now]
    listed = [view.incident(n) for n in started]
    unresolved = [view.incident(n) for n in started if is_unresolved(n, build.now)]
    # Newest window first, as Statuspage lists them.
    windows = [view.maintenance(n)
               for n in sorted(maintenances(build), key=lambda n: (n.start, n.slug), reverse=True)]
    documents = {
        "summary.json": {"page": page, "status": status, "components": view.components,
                         "incidents": unresolved,
                         "scheduled_maintenances": [w for w in windows if w["status"] != "completed"]},
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": view.components},
        "incidents.json": {"page": page, "incidents": listed[:MAX_LISTED]},
        "incidents/unresolved.json": {"page": page, "incidents": unresolved},
        "scheduled-maintenances.json": {"page": page, "scheduled_maintenances": windows[:MAX_LISTED]},
        "scheduled-maintenances/upcoming.json": {
            "page": page, "scheduled_maintenances": [w for w in windows if w["status"] == "scheduled"]},
        "scheduled-maintenances/active.json": {
            "page": page, "scheduled_maintenances": [w for w in windows if w["status"] in ACTIVE]},
    }
    outputs = [Output(urls.statuspage_api(name), _encode(document)) for name, document in documents.items()]
    outputs.append(Output(urls.uptime_api(), _encode(_uptime(build))))
    return tuple(sorted(outputs, key=lambda output: output.path))


def _status(build: Build) -> tuple[str, str]:
    """Return Statuspage's indicator and its description."""
    indicator, _ = overall(build, last_known=True)
    # "none" stays (Statuspage has no "unknown", and nothing is known to be down), but not the words "all is well".
    if indicator == "none" and any(awaiting_first_check(build, c) for c in build.site.components):
        return indicator, AWAITING_DESCRIPTION
    return indicator, DESCRIPTIONS[indicator]


class _View:
    """What every object of one build shares: the language, the page id and the components' states."""

    def __init__(self, build: Build):
        self.build, self.now, self.site = build, build.now, build.site
        self.lang = build.site.default_language
        self.page_id = page_id(build.site.base_url)
        translations = translations_for(read_catalogs(), self.lang)
        self.gettext = translations.gettext
        self.automatic = {status: _automatic_text(translations, self.lang, status) for status in AUTOMATIC}
        self.components = self._list_components()
        self.by_id = {item["id"]: item for item in self.components if not item["group"]}

    def page(self) -> dict:
        """Return the `page` object every endpoint starts with."""
        return {"id": self.page_id, "name": self.site.name, "url": self.site.base_url.rstrip("/"),
                "time_zone": self.site.timezone, "updated_at": _time(self.page_updated())}

    def page_updated(self) -> datetime:
        """Return the newest edit of a status notice or change of state by now; the epoch when there is none."""
        notices = [n for n in self.site.notices if n.type in ("incident", "maintenance")]
        instants = [_edited(n) for n in notices]
        instants += [at for n in notices if not n.cancelled for at in self._transitions(n)]
        instants += [at for component in self.site.components for at in self._probe_changes(component)]
        return max(instants, default=EPOCH)

    def _list_components(self) -> list[dict]:
        """Return the components in file order, each group before its members at its first member's place."""
        groups: dict[str, list[Component]] = {}
        for component in self.site.components:
            if component.group is not None:
                groups.setdefault(component.group.get(self.lang), []).append(component)
        group_ids = _group_ids(list(groups), {c.id for c in self.site.components})
        listed, placed = [], set()
        for component in self.site.components:
            if component.group is None:
                listed.append(self._component(component))
                continue
            name = component.group.get(self.lang)
            if name in placed:
                continue
            placed.add(name)
            members = [dict(self._component(c), group_id=group_ids[name]) for c in groups[name]]
            listed.append({
                "id": group_ids[name], "name": name, "status": worst(m["status"] for m in members),
                "created_at": min(m["created_at"] for m in members),
                "updated_at": max(m["updated_at"] for m in members),
                "description": None, "showcase": False, "start_date": None, "group_id": None,
                "page_id": self.page_id, "group": True, "only_show_if_degraded": False,
                "components": [m["id"] for m in members],
            })
            listed.extend(members)
        return [dict(item, position=position) for position, item in enumerate(listed, 1)]

    def _component(self, component: Component) -> dict:
        """Return one component (no group yet, no position yet) with its state at now."""
        changes = [at for n in incidents(self.build) + maintenances(self.build)
                   if any(cid == component.id for cid, _ in n.components) for at in (n.start, n.end)
                   if at is not None and at <= self.now]
        changes += self._probe_changes(component)
        description = component.description.get(self.lang) if component.description else None
        measured = self.build.uptime.get(component.id)
        since, note = stale_since(component, measured.latest if measured else None, self.now), None
        if since is not None:
            fmt, zone = LocaleFormats(self.lang), self.site.timezone
            when = f"{fmt.short_date_time(since, zone)} ({fmt.zone_name(zone)})"
            note = self.gettext("No recent checks since %(when)s: this is the last known status.") % {"when": when}
        elif awaiting_first_check(self.build, component):
            note = self.gettext("No checks yet: this status comes from the published notices alone.")
        if note is not None:
            description = f"{description.rstrip('.')}. {note}" if description else note
        created = self._created(component)
        return {
            "id": component.id, "name": component.name.get(self.lang),
            "status": component_state(self.build, component, last_known=True), "created_at": _time(created),
            "updated_at": _time(max(changes, default=created)),
            "description": description,
            "showcase": True, "start_date": None, "group_id": None, "page_id": self.page_id, "group": False,
            "only_show_if_degraded": False,
        }

    def _created(self, component: Component) -> datetime:
        """Return when a component is first known to have been on the page (see the module's docstring)."""
        if component.monitored_since is not None:
            return datetime.combine(component.monitored_since, time(0), tzinfo=ZoneInfo(self.site.timezone))
        measured = self.build.uptime.get(component.id)
        known = [measured.first] if measured is not None and measured.first is not None else []
        known += [min(n.date, n.start or n.date) for n in self.site.notices
                  if n.type in ("incident", "maintenance") and any(cid == component.id for cid, _ in n.components)]
        return min(known, default=EPOCH)

    def _probe_changes(self, component: Component) -> list[datetime]:
        """Return the probe's changes of the component by now: the latest result's time when it puts the
        component out of operation, and the instant that result became stale."""
        measured = self.build.uptime.get(component.id)
        latest = measured.latest if measured else None
        found = []
        if latest is not None and probe_state(component, latest, self.now, last_known=True) != "operational":
            found.append(latest.time)
        if stale_since(component, latest, self.now) is not None:
            found.append(latest.time + component.stale_after)
        return found

    def _transitions(self, notice: Notice) -> list[datetime]:
        """Return the instants by now at which a notice changed the page: start, end and its updates."""
        return [at for at in (notice.start, notice.end, *(u.at for u in notice.updates))
                if at is not None and at <= self.now]

    def incident(self, notice: Notice) -> dict:
        """Return an incident that has started, as of now."""
        said = [u for u in notice.updates if u.at <= self.now]
        resolved = notice.end is not None and notice.end <= self.now
        statuses = [u.status for u in said if u.status != "resolved"]
        status = "resolved" if resolved else (statuses[-1] if statuses else "investigating")
        steps = [(u.at, u.status, plain_text(u.text.get(self.lang))) for u in said]
        if not steps:
            steps.append((notice.start or notice.date, "investigating", plain_text(notice.body.get(self.lang))))
        if resolved and not any(u.status == "resolved" for u in said):
            steps.append((notice.end, "resolved", self.automatic["resolved"]))
        monitoring = [u.at for u in said if u.status == "monitoring"]
        return self._event(notice, status, steps, ("investigating", "identified", "monitoring"), "resolved",
                           impact=notice.impact or "none",
                           monitoring_at=_time(monitoring[0]) if monitoring else None,
                           resolved_at=_time(notice.end) if resolved else None)

    def maintenance(self, notice: Notice) -> dict:
        """Return a maintenance window, as of now: scheduled, in progress, verifying or completed."""
        said = [u for u in notice.updates if u.at <= self.now]
        status = maintenance_status(notice, self.now)
        steps = [(u.at, u.status, plain_text(u.text.get(self.lang))) for u in said]
        if not steps:
            steps.append((notice.date, "scheduled", plain_text(notice.body.get(self.lang))))
        # The window starts and ends by itself, as a Statuspage window with auto-transitions does.
        for status_then, at in (("in_progress", notice.start), ("completed", notice.end)):
            if at <= self.now and not any(u.status == status_then for u in said):
                steps.append((at, status_then, self.automatic[status_then]))
        return self._event(notice, status, steps, ("in_progress",), "completed", impact="maintenance",
                           monitoring_at=None,
                           resolved_at=_time(notice.end) if status == "completed" else None,
                           scheduled_for=_time(notice.start), scheduled_until=_time(notice.end))

    def _event(self, notice: Notice, status: str, steps: list, begins: tuple[str, ...], ends: str,
               **fields) -> dict:
        """Return the fields incidents and windows share; updates newest first.

        The first update with a status in `begins` puts the components into the notice's states
        and the first one with the status `ends` puts them back, as Statuspage's
        `affected_components` show.
        """
        steps = [step for _, step in sorted(enumerate(steps), key=lambda item: (item[1][0], item[0]))]
        updates, seen = [], set()
        changes = {"begin": None, "end": None}
        for at, status_then, body in steps:
            # Named by its instant, an update keeps its id when another is inserted before it.
            stem = f"{notice.slug}-{at.astimezone(UTC):%Y%m%dt%H%M%Sz}"
            update_id, n = stem, 1
            while update_id in seen:
                n += 1
                update_id = f"{stem}-{n}"
            seen.add(update_id)
            update = {"id": update_id, "status": status_then, "body": body, "incident_id": notice.slug,
                      "created_at": _time(at), "updated_at": _time(at), "display_at": _time(at),
                      "deliver_notifications": True, "custom_tweet": None, "tweet_id": None}
            change = "begin" if status_then in begins else "end" if status_then == ends else None
            if change and changes[change] is None and (change == "begin" or changes["begin"] is not None):
                changes[change] = update
                update["affected_components"] = [
                    {"code": cid, "name": self.by_id[cid]["name"],
                     "old_status": "operational" if change == "begin" else state,
                     "new_status": state if change == "begin" else "operational"}
                    for cid, state in notice.components if cid in self.by_id]
            updates.append(update)
        newest = max([_edited(notice)] + [at for at, _, _ in steps])
        return dict(fields, **{
            "id": notice.slug, "name": notice.title.get(self.lang), "status": status,
            "created_at": _time(notice.date), "updated_at": _time(newest),
            "started_at": _time(notice.start or notice.date), "shortlink": urls.notice_page_url(self.site, self.lang, notice.slug),
            "page_id": self.page_id, "incident_updates": updates[::-1],
            "components": [self.by_id[cid] for cid, _ in notice.components if cid in self.by_id],
        })


def _uptime(build: Build) -> dict:
    """Return `api/uptime.json`: per component its last 90 local days, its windows and its latest probe result.

    Shape: {"timezone", "updated_at" (newest probe result, or null), "components": [{"id", "name",
    "group", "check": {"type", "target" (null unless public)} | null, "windows": {"24h", "7d", "30d",
    "90d"}, "days": [{"date", "uptime", "source", "checks", "ok", "degraded", "latency_p50",
    "latency_p95", "outage_minutes"}], "latest": {"time", "ok", "latency_ms"} | null}]}. Uptime is a
    fraction (null: no data); latencies are milliseconds. A component nobody measured yet has 90
    days without data. A probe's detail and a check's headers are never published.
    """
    site, lang = build.site, build.site.default_language
    today = build.now.astimezone(ZoneInfo(site.timezone)).date()
    entries, latest_times = [], []
    for component in site.components:
        measured = build.uptime.get(component.id) or ComponentUptime(component.id, tuple(
            UptimeDay(today - timedelta(days=STATUS_DAYS - 1 - n), None, "none") for n in range(STATUS_DAYS)), ())
        check, latest = component.check, measured.latest
        if latest is not None:
            latest_times.append(latest.time)
        windows = {label: None for label in WINDOWS} | dict(measured.windows)
        entries.append({
            "id": component.id, "name": component.name.get(lang),
            "group": component.group.get(lang) if component.group else None,
            # The target only when the check is public; headers and a probe's detail never.
            "check": None if check is None else {"type": check.type,
                                                 "target": check.target() if check.public else None},
            "windows": {label: _round(value, 6) for label, value in windows.items()},
            "days": [{"date": day.day.isoformat(), "uptime": _round(day.uptime, 6), "source": day.source,
                      "checks": day.checks, "ok": day.ok, "degraded": day.degraded,
                      "latency_p50": _round(day.latency_p50, 1), "latency_p95": _round(day.latency_p95, 1),
                      "outage_minutes": _round(day.outage_minutes, 2)} for day in measured.days],
            "latest": None if latest is None else {
                "time": _time(latest.time), "ok": latest.ok, "latency_ms": _round(latest.latency_ms, 1)},
        })
    return {"timezone": site.timezone, "updated_at": _time(max(latest_times)) if latest_times else None,
            "components": entries}


def page_id(base_url: str) -> str:
    """Return the page's id: the host of its base URL, and its path joined with hyphens if it has one."""
    parts = urlsplit(base_url)
    path = "-".join(part for part in parts.path.split("/") if part)
    return parts.netloc.lower() + (f"-{path}" if path else "")


def _group_ids(names: list[str], taken: set[str]) -> dict[str, str]:
    """Return a stable, unique id for each group name: `group-` and the name as an ASCII slug."""
    ids: dict[str, str] = {}
    for number, name in enumerate(names, 1):
        slug = re.sub(r"[^a-z0-9]+", "-", _ascii(name).lower()).strip("-") or str(number)
        candidate, n = f"group-{slug}", 1
        while candidate in taken:
            n += 1
            candidate = f"group-{slug}-{n}"
        taken.add(candidate)
        ids[name] = candidate
    return ids


def _ascii(text: str) -> str:
    """Return text without its accents, as ASCII."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _automatic_text(translations, lang: str, status: str) -> str:
    """Return the text of an update Statuspage would write itself, in `lang`."""
    msgid, fallback = AUTOMATIC[status]
    text = translations.gettext(msgid)
    if text != msgid:
        return text
    locale = babel_locale(lang)
    return fallback.get(locale) or fallback.get(locale.split("_")[0]) or msgid


def _edited(notice: Notice) -> datetime:
    """Return a notice's last edit: its last commit, else `updated`, else its date."""
    return notice.modified or notice.updated or notice.date


def _time(instant: datetime) -> str:
    """Return an aware instant as UTC with milliseconds: `2026-11-05T17:05:00.000Z`."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _round(value: float | None, digits: int) -> float | None:
    """Round a figure for the file, keeping null."""
    return None if value is None else round(value, digits)


def _encode(document: dict) -> bytes:
    """Return a document as the API's JSON bytes: sorted keys, UTF-8, two spaces, final newline."""
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
