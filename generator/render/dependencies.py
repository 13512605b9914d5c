"""What each part of the output is made from: one key per part, so that a rebuild renders only the parts
whose key changed and takes the others from the previous output (pipeline.build, commands/build.py).

A key is a digest of a stable serialisation of everything the part reads: `base` (the theme's
templates, the generator's code and libraries: read/cache.py), the site's settings (everything in
the Site but its notices), the model objects the part reads, and its *time window*, the part of
"now" it depends on.  The model is frozen dataclasses of tuples, strings, numbers and dates, whose
`repr` is the same in every process and every run (no sets, no addresses), so `repr` serves as the
serialisation: some 60 microseconds per notice.  At 10,000 notices that is most of a rebuild after one
edit, so what is computed of each notice is kept between builds (NoticeDigests) under a digest of what the
notice was made from (validate/checked.py: made_from), and computed again only for a notice made anew.

When unsure, a part depends on more:

* a notice's part (its pages in every language): the notice itself (its translations
  are inside it), the notices it replaces and those that replace it (both are linked from its page,
  and a replaced notice shows as superseded), and its phase at "now" (notice_status: cancelled,
  superseded, upcoming, active, past), how many of its updates are said at "now" (an incident's or
  maintenance's page shows those posted by then), and the holidays (a channel a change keeps `regular`
  shows its holiday hours on a holiday: schedule/effective.notice_cells).  Its footer shows the notice's own last change, never the
  build's "now" (frame.notice_updated), so a notice's page is the same from one minute to the next.
* an hours notice's calendar part (notice.ics): the same but the bodies, which it does not print.
* each site-wide part (indexes, feeds, hours pages and API, calendars, the status pages, API and
  badges): the build's "now" whole (these pages print it to the minute, their footer, or to the
  second, the API), and what its renderer reads of the notices, the overrides and the uptime
  (PART_READS): only the feeds, the notice's own part and the status parts that quote an incident's
  or maintenance's body read bodies; the status parts read incidents and maintenance only; the notice
  index what it lists of each notice (LISTED, which follows notices.notice_summary).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import fields
from typing import Callable, Mapping

from generator.model import Build, Notice
from generator.render.feeds import listed_notices
from generator.render.notices import notice_status, upcoming_notices
from generator.schedule.status import updates_said

NOTICE_PART = "notice:"


NOTICE_CALENDAR_PART = "notice calendar:"


def notice_part(notice: Notice) -> str:
    """Return the name of a notice's part: its pages, one per language."""
    return NOTICE_PART + notice.slug


def notice_calendar_part(notice: Notice) -> str | None:
    """Return the name of a notice's calendar part (notice.ics), None when it has none: only an hours notice has."""
    return NOTICE_CALENDAR_PART + notice.slug if notice.type == "hours" else None


def _digest(*values: object) -> str:
    return hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _joined_digest(*words: str) -> str:
    """Return a digest of a few strings that hold no NUL (digests, part and phase names): what _digest would
    serialise with repr joined by NULs instead, for the keys of the notices that have no neighbours (most):
    at 10,000 notices, 13 ms fewer.  A repr starts with a parenthesis, so neither is ever the other's."""
    return hashlib.blake2b("\0".join(words).encode(), digest_size=20).hexdigest()


class NoticeDigests:
    """What part_keys computes of each notice (the digests of its listed fields, of all but its body, of
    itself, and of what its hours overrides are made of), kept between builds under a digest of what the notice was made from.

    `made_from` gives that digest by slug, for the notices of the build being keyed (validate/checked.py:
    made_from); `known` what earlier builds computed, by that digest.  part_keys takes from `known` what
    it can and leaves in `fresh` what the notices of its build have, to be kept for the next.
    """

    __slots__ = ("made_from", "known", "fresh")

    def __init__(self, made_from: Mapping[str, str], known: Mapping[str, tuple[str, str, str, str]]):
        self.made_from, self.known = made_from, known
        self.fresh: dict[str, tuple[str, str, str, str]] = {}

    def settle(self) -> bool:
        """Add to `fresh` what is known of the notices not keyed (those scheduled for later, see
        model.split_scheduled); return whether it then differs from `known` (worth keeping)."""
        for source in self.made_from.values():
            if source not in self.fresh and source in self.known:
                self.fresh[source] = self.known[source]
        return self.fresh != self.known


def part_keys(build: Build, base: str, site_parts: tuple[str, ...],
              digests: NoticeDigests | None = None) -> dict[str, str]:
    """Return the key of every part of the build: each of `site_parts` by name, each notice by notice_part.

    `base` is what every output depends on besides the model (the theme, the code: read/cache.py);
    `digests` what earlier builds computed of the notices (NoticeDigests), which it updates.
    """
    site = build.site
    # The holidays too: a notice's page and calendar show a channel kept `regular` with its holiday hours.
    settings = _digest(base, site.name, site.base_url, site.timezone, site.languages, site.holiday_rules,
                       site.departments, site.support, site.description, site.components, site.limits,
                       sorted(build.holidays.days.items()),
                       # A department's own holidays (Department.holidays, in site.departments above): their days.
                       sorted((dept, sorted(calendar.days.items()))
                              for dept, calendar in build.department_holidays.items()))
    # Each field of a notice is serialised once, in three groups: what the notice index lists, the rest but the
    # body, and the body.  `listed`, then `plain` (all but the body: what every part but the feeds and its own
    # may read), then `own` (whole) are digests of digests: at 10,000 notices serialising each field twice
    # cost some 0.15 s.
    listed, plain, own, cells = _notice_digests(site.notices, digests)
    keys: dict[str, str] = {}
    replaced_by: dict[str, list[str]] = {}
    for notice in site.notices:
        for slug in notice.supersedes:
            replaced_by.setdefault(slug, []).append(notice.slug)
    status = {notice.slug: notice_status(build, notice) for notice in site.notices}   # once: two parts read it
    for notice in site.notices:
        replacing = replaced_by.get(notice.slug)
        # Most notices replace none and none replaces them: no set to make and sort for those.
        neighbours = sorted({*notice.supersedes, *(replacing or ())}) if replacing or notice.supersedes else ()
        phase = status[notice.slug]
        if notice.updates:
            # Its page says the updates posted by "now" (notices.notice_view, schedule/status.py updates_said), and
            # they go oldest first: how many are said is which, so the page is rendered again as "now" passes one.
            phase = f"{phase} {len(updates_said(notice, build.now))} said"
        if neighbours:
            keys[notice_part(notice)] = _digest(settings, own[notice.slug], phase,
                                                [(slug, own.get(slug)) for slug in neighbours])
        else:
            keys[notice_part(notice)] = _joined_digest(settings, own[notice.slug], phase)
        calendar = notice_calendar_part(notice)
        if calendar is not None:
            # notice.ics reads all of the notice but its body (render/calendars.py notice_events): a typo mended
            # in the text renders the pages alone.
            keys[calendar] = _digest(settings, "calendar", plain[notice.slug], phase,
                                     [(slug, plain.get(slug)) for slug in neighbours]) if neighbours else \
                _joined_digest(settings, "calendar", plain[notice.slug], phase)
    inputs = _site_inputs(build, listed, plain, own, cells, replaced_by, status)
    now = build.now.isoformat()
    for name in site_parts:
        # Every site-wide part prints "now" (footer, API), but those that read nothing of the build at all.
        read = PART_READS.get(name, EVERYTHING)
        keys[name] = _digest(settings, name, now if read else None, [inputs[what]() for what in read])
    return keys


def _notice_digests(notices: tuple[Notice, ...], digests: NoticeDigests | None) -> tuple[dict, dict, dict, dict]:
    """Return by slug the digests of each notice's listed fields, of all its fields but the body, of
    itself, and of what its overrides are made of (CELLS; "" for a notice that makes none), each taken from `digests` when the notice was made from the same as before."""
    listed: dict[str, str] = {}
    plain: dict[str, str] = {}
    own: dict[str, str] = {}
    cells: dict[str, str] = {}
    made_from = digests.made_from if digests is not None else {}
    known = digests.known if digests is not None else {}
    fresh = digests.fresh if digests is not None else {}
    for notice in notices:
        slug = notice.slug
        source = made_from.get(slug)
        kept = known.get(source) if source is not None else None
        if kept is None:
            first = _digest(_listed_fields(notice))
            second = _digest(first, _unlisted_fields(notice))
            # The changes serialised twice, but only for a notice made anew, and only for an hours notice.
            made = _digest(*(getattr(notice, name) for name in CELLS)) if notice.type == "hours" else ""
            kept = (first, second, _digest(second, notice.body), made)
        listed[slug], plain[slug], own[slug], cells[slug] = kept
        if source is not None:
            fresh[source] = kept
    return listed, plain, own, cells


# What each site-wide part reads besides the settings and "now" (every one prints "now"), by the names
# of _site_inputs; a part not named here reads everything.  Read from the renderers:
# - hours pages (html.py): the days' hours (holidays, in the settings, and the overrides the hours
#   notices make: build.overrides is notice_overrides(site.notices, site.departments) (pipeline.make_build),
#   made of the departments, in the settings, of CELLS of each hours notice and of which are superseded,
#   so those stand for it: at 10,000 notices digesting the 15,000 cells themselves cost some 50 ms), the
#   "upcoming" list (notice_summary of upcoming_notices: each shown notice without
#   its body, its state, and the notices that replace it, which it links to), jsonld from the same days;
# - hours api (api.py): the days' hours only (the overrides, as above);
# - subscription calendars (calendars.py): the hours notices without bodies, which are superseded;
# - feeds (feeds.py): the notices they list whole, bodies included (feeds.listed_notices: the 50 newest of the
#   site and of each department); which those are follows from every notice's date, slug and departments;
# - status pages, badges (status_html.py, badges.py, schedule/status.py): incidents and maintenance
#   without bodies (an update's text is not the body), the uptime;
# - statuspage api, component feeds: incidents and maintenance whole, the uptime;
# - maintenance calendar (maintenance_calendar.py): maintenance whole;
# - favicon: the theme only (not even "now").
EVERYTHING = ("all notices", "uptime", "scheduled")
PART_READS: dict[str, tuple[str, ...]] = {
    "hours pages": ("overrides", "upcoming"),
    "hours api": ("overrides",),
    "subscription calendars": ("hours notices", "superseded"),
    "feeds": ("feed notices",),
    "favicon": (),
    "status pages": ("status notices without bodies", "uptime"),
    "badges": ("status notices without bodies", "uptime"),
    "statuspage api": ("status notices", "uptime"),
    "component feeds": ("status notices", "uptime"),
    "maintenance calendar": ("maintenance notices",),
}
STATUS_TYPES = ("incident", "maintenance")


def _site_inputs(build: Build, listed: dict[str, str], plain: dict[str, str], own: dict[str, str],
                 cells: dict[str, str], replaced_by: dict[str, list[str]], status: dict[str, str]) -> dict[str, Callable[[], object]]:
    """Return each input a site-wide part may read, by name, as a function made once when first asked; `status`
    is each notice's notice_status, by slug."""
    site = build.site

    def upcoming() -> list:
        return [(plain[n.slug], status[n.slug], [plain[slug] for slug in sorted(replaced_by.get(n.slug, ()))])
                for n in upcoming_notices(build)]

    made = {
        "all notices": lambda: [own[n.slug] for n in site.notices],
        "feed notices": lambda: [own[n.slug] for n in listed_notices(site)],
        "hours notices": lambda: [plain[n.slug] for n in site.notices if n.type == "hours"],
        "status notices": lambda: [own[n.slug] for n in site.notices if n.type in STATUS_TYPES],
        "maintenance notices": lambda: [own[n.slug] for n in site.notices if n.type == "maintenance"],
        "status notices without bodies": lambda: [plain[n.slug] for n in site.notices if n.type in STATUS_TYPES],
        "superseded": lambda: sorted(build.superseded),
        "overrides": lambda: ([cells[n.slug] for n in site.notices if n.type == "hours"], sorted(build.superseded)),
        "upcoming": upcoming,
        "listed": lambda: [(listed[n.slug], status[n.slug]) for n in site.notices],
        "uptime": lambda: sorted(build.uptime.items()),
        "scheduled": lambda: build.scheduled,
    }
    return {name: functools.cache(function) for name, function in made.items()}


# The notice index lists every notice by what render/notices.py: notice_summary shows (never the body), with
# its state at "now" (notice_status): its own key, so that a body edited is not a reason to list 10,000 notices
# again.
INDEX = "notice index"
PART_READS[INDEX] = ("listed",)
LISTED = ("slug", "date", "title", "lang", "cancelled", "type", "changes", "period", "start", "end", "supersedes")
# What notice_overrides reads of an hours notice (schedule/effective.py: applying_notices, notice_cells, its
# order); which notices are superseded is read beside it.
CELLS = ("slug", "date", "cancelled", "departments", "changes")
# Every other field but the body (a field added later is among them, as it should be).
UNLISTED = tuple(field.name for field in fields(Notice) if field.name not in (*LISTED, "body"))


def _listed_fields(notice: Notice) -> tuple:
    """Return what notice_summary reads of a notice."""
    return tuple(getattr(notice, name) for name in LISTED)


def _unlisted_fields(notice: Notice) -> tuple:
    """Return every field of a notice that notice_summary does not read, but its body."""
    return tuple(getattr(notice, name) for name in UNLISTED)
