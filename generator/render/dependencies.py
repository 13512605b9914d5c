"""What each part of the output is made from: one key per part, so that a rebuild renders only the parts
whose key changed and takes the others from the previous output (pipeline.build, commands/build.py).

A key is a digest of a stable serialisation of everything the part reads: `base` (the theme's
templates, the generator's code and libraries: read/cache.py), the site's settings (everything in
the Site but its notices), the model objects the part reads, and its *time window*, the part of
"now" it depends on.  The model is frozen dataclasses of tuples, strings, numbers and dates, whose
`repr` is the same in every process and every run (no sets, no addresses), so `repr` serves as the
serialisation: about 20 microseconds per notice.

When unsure, a part depends on more:

* a notice's part (its pages in every language, and notice.ics): the notice itself (its translations
  are inside it), the notices it replaces and those that replace it (both are linked from its page,
  and a replaced notice shows as superseded), and its phase at "now" (notice_status: cancelled,
  superseded, upcoming, active, past), and the holidays (conservatively: nothing of a notice reads
  them today).  Its footer shows the notice's own last change, never the
  build's "now" (frame.notice_updated), so a notice's page is the same from one minute to the next.
* every site-wide part (indexes, feeds, hours pages and API, calendars, the status pages, API and
  badges): every notice, the scheduled ones, the holidays, the uptime, and the build's "now" whole:
  these pages print "now" to the minute (their footer) or to the second (the API).  The notice
  index (the largest page: every notice, in every language) depends on what it lists of each
  notice, not on their bodies (_listed, which follows notices.notice_summary).
"""

from __future__ import annotations

import hashlib

from generator.model import Build, Notice
from generator.render.notices import notice_status

NOTICE_PART = "notice:"


def notice_part(notice: Notice) -> str:
    """Return the name of a notice's part: its pages and its calendar."""
    return NOTICE_PART + notice.slug


def _digest(*values: object) -> str:
    return hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def part_keys(build: Build, base: str, site_parts: tuple[str, ...]) -> dict[str, str]:
    """Return the key of every part of the build: each of `site_parts` by name, each notice by notice_part.

    `base` is what every output depends on besides the model (the theme, the code: read/cache.py).
    """
    site = build.site
    # The holidays too, though no notice's page or calendar reads them today: they change once a year.
    settings = _digest(base, site.name, site.base_url, site.timezone, site.languages, site.holiday_rules,
                       site.departments, site.support, site.description, site.components, site.limits,
                       sorted(build.holidays.days.items()))
    own = {notice.slug: _digest(notice) for notice in site.notices}
    keys: dict[str, str] = {}
    replaced_by: dict[str, list[str]] = {}
    for notice in site.notices:
        for slug in notice.supersedes:
            replaced_by.setdefault(slug, []).append(notice.slug)
    for notice in site.notices:
        neighbours = sorted({*notice.supersedes, *replaced_by.get(notice.slug, ())})
        keys[notice_part(notice)] = _digest(settings, own[notice.slug], notice_status(build, notice),
                                            [(slug, own.get(slug)) for slug in neighbours])
    everything = _digest(settings, sorted(own.items()), build.now.isoformat(), build.scheduled,
                         sorted(build.uptime.items()))
    for name in site_parts:
        keys[name] = _digest(everything, name)
    if INDEX in keys:
        keys[INDEX] = _digest(settings, INDEX, build.now.isoformat(), [_listed(build, notice) for notice in site.notices])
    return keys


# The notice index lists every notice by what render/notices.py: notice_summary shows (never the body):
# its own key, so that a body edited is not a reason to list 10,000 notices again.
INDEX = "notice index"


def _listed(build: Build, notice: Notice) -> tuple:
    """Return what notice_summary reads of a notice (and its state at "now")."""
    return (notice.slug, notice.date, notice.title, notice.lang, notice.cancelled, notice.type, notice.changes,
            notice.period, notice.start, notice.end, notice.supersedes, notice_status(build, notice))
