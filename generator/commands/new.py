"""`expediente new notice|incident|maintenance --title "…"`: start a notice that already validates.

The file is `notices/YYYY-MM-DD-<slug>.md`: the day of publication in the site's
time zone, and a slug made from the title (accents and other marks stripped,
lower case, words joined by hyphens, at most SLUG_LENGTH characters; the kind's
name when nothing is left, as for a title in Greek or Japanese script).  When the
slug is taken that day, by a notice or a translation, `-2`, `-3` … is added; a slug
given with `--slug` is used as it is, or refused when taken.  A file is never
overwritten: it is created exclusively, so that two runs at once cannot clash.

Its front matter is commented for whoever fills it in: the keys that matter for
the kind, this site's departments, channels or components, and commented examples
that also validate once uncommented (an hours change, an update).  The values are
placeholders taken from the site and from the title, so that `expediente check`
passes straight away; the body is an HTML comment, which never reaches a page.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import unicodedata
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from generator.model import INCIDENT_STATUSES, Site
from generator.pipeline import load
from generator.read.sources import NOTICE_NAME
from generator.render.i18n import babel_locale
from generator.report import print_problems
from generator.schedule.zones import in_zone
from generator.validate.dates import parse_datetime
from generator.write.new_files import create_new_file, make_folder

KINDS = ("notice", "incident", "maintenance")
SLUG_LENGTH = 60
SLUG_TEXT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Letters that Unicode does not decompose into a base letter and a mark.
LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                         "ı": "i", "Æ": "ae", "Œ": "oe", "Ø": "o", "Ł": "l", "Đ": "d", "Ð": "d", "Þ": "th"})


class ScaffoldError(Exception):
    """The notice cannot be created; the message says why, the hint what to do."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def slugify(title: str, fallback: str) -> str:
    """Return a file-name slug for `title`: 'Manutenção às 3h' -> 'manutencao-as-3h'; `fallback` when empty."""
    folded = unicodedata.normalize("NFKD", title.translate(LETTERS))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", ascii_only)
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > SLUG_LENGTH:
            break
        slug = longer
    if not slug and words:   # a single word longer than the limit
        slug = words[0][:SLUG_LENGTH]
    return slug or fallback


def taken_slugs(site_dir: Path) -> set[str]:
    """Return the slugs (date included) of every notice and translation in notices/."""
    folder = site_dir / "notices"
    if not folder.is_dir():
        return set()
    return {found[1] for path in folder.iterdir() if (found := NOTICE_NAME.match(path.name))}


def choose_slug(day: str, slug: str, taken: set[str], explicit: bool) -> str:
    """Return `DAY-SLUG`, numbered -2, -3 … past the taken ones; an explicit slug that is taken is refused."""
    wanted = f"{day}-{slug}"
    if wanted not in taken:
        return wanted
    if explicit:
        raise ScaffoldError(f"notices/{wanted}.md already exists (or a translation of it); nothing was written",
                            "choose another --slug, or leave --slug out to have the title's slug numbered")
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"


def read_when(text: str | None, now: datetime, zone: str) -> datetime:
    """Return the publication: `--date` (YYYY-MM-DD[ HH:MM], site zone unless an offset is written) or now."""
    if text is None:   # a naive "now" is a time in the site's zone, whatever the machine's zone is
        return in_zone(now, zone).replace(second=0, microsecond=0)
    value, error = parse_datetime(text, zone)
    if error:
        raise ScaffoldError(f"--date: {error}", "e.g. --date 2026-12-01 or --date '2026-12-01 09:30'")
    return value.astimezone(ZoneInfo(zone))


def instant_text(instant: datetime, zone: str) -> str:
    """Return an instant as a notice writes it: local `YYYY-MM-DD HH:MM`, with its offset when that is ambiguous."""
    local = instant.astimezone(ZoneInfo(zone))
    text = f"{local:%Y-%m-%d %H:%M}"
    again, _ = parse_datetime(text, zone)
    # Compare in UTC: across zones, == is False for any time in a repeated hour (PEP 495).
    if again.astimezone(UTC) != instant.replace(second=0, microsecond=0).astimezone(UTC):   # DST's repeated hour
        offset = local.strftime("%z")
        text += f" {offset[:3]}:{offset[3:]}"
    return text


def quoted(text: str) -> str:
    """Return text as a YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def flow_list(items) -> str:
    """Return a YAML flow list: [a, b, c]."""
    return "[" + ", ".join(items) + "]"


def weekday_name(day, lang: str) -> str:
    """Return the weekday of `day` as the notice's language writes it: 'segunda-feira', 'Monday'."""
    return get_day_names("wide", locale=babel_locale(lang))[day.weekday()]


def header(site: Site, prog: str) -> list[str]:
    """Return the comment lines every kind starts with, naming the command as the user runs it (`prog`)."""
    return [
        f"# Every key is described in docs/format.md; `{prog} check` checks this file.",
        f"# Times are YYYY-MM-DD HH:MM in the site's time zone ({site.timezone}) unless an offset is written.",
    ]


def notice_lines(site: Site, title: str, published: datetime, prog: str) -> list[str]:
    """Return the front matter of an announcement, with a commented change of hours to start from."""
    lang = site.default_language
    first = published.date() + timedelta(1)
    dept = site.departments[0] if site.departments else None
    channel = dept.channels[0].id if dept and dept.channels else None
    lines = [
        "# A notice: news for customers, or a change of contact hours.",
        *header(site, prog),
        f"title: {quoted(title)}",
        f"date: {instant_text(published, site.timezone)}   # publication",
        f"# lang: {lang}   # the language of this file (the site's first when absent)",
        "# Who it concerns (every department when absent): "
        + ", ".join(d.id for d in site.departments) + ".",
        f"# departments: {flow_list(d.id for d in site.departments[:1])}",
    ]
    if channel is not None:
        names = "; ".join(f"{d.id} ({', '.join(c.id for c in d.channels)})" for d in site.departments)
        notes = ", ".join(f"{code}: …" for code in site.languages)
        lines += [
            "#",
            "# To change contact hours, uncomment period and changes: the notice becomes an hours",
            "# notice.  A change replaces the regular hours and holidays of the notice's departments",
            "# on its days, and a channel it does not list is closed then.",
            f"# Channels: {names}.",
            f"# period: {first.isoformat()}..{(first + timedelta(2)).isoformat()}",
            "# changes:",
            f"#   - date: {first.isoformat()}",
            f"#     weekday: {weekday_name(first, lang)}",
            "#     closed: true",
            f"#   - dates: {(first + timedelta(1)).isoformat()}..{(first + timedelta(2)).isoformat()}",
            f"#     hours: {{{channel}: 09:00-12:00}}",
            f"#     note: {{{notes}}}",
        ]
    return lines


def incident_lines(site: Site, title: str, published: datetime, components: tuple[str, ...] = (), prog: str = "expediente") -> list[str]:
    """Return the front matter of an incident that has just begun, with one update, on `components`."""
    concerned = ", ".join(f"{component}: degraded_performance" for component in components or (site.components[0].id,))
    at = instant_text(published, site.timezone)
    end = instant_text(published + timedelta(hours=1), site.timezone)
    return [
        "# An incident: something is broken or slow.  The status page shows it from start, and",
        "# while it has no end it is unresolved.",
        *header(site, prog),
        f"title: {quoted(title)}",
        f"date: {at}   # publication",
        "type: incident",
        "# How much customers notice it: none, minor, major or critical.",
        "impact: minor",
        "# The components concerned and their state while it lasts: degraded_performance,",
        "# partial_outage or major_outage.  Components: " + ", ".join(c.id for c in site.components) + ".",
        f"components: {{{concerned}}}",
        f"start: {at}",
        f"# end: {end}   # when it was resolved; add it with the last update",
        "# What was said, oldest first; status is " + ", ".join(INCIDENT_STATUSES) + ".",
        "updates:",
        f"  - at: {at}",
        "    status: investigating",
        f"    text: {quoted(title)}",
    ]


def maintenance_lines(site: Site, title: str, published: datetime, components: tuple[str, ...] = (), prog: str = "expediente") -> list[str]:
    """Return the front matter of planned maintenance on `components`, with a window the next night to correct."""
    zone = ZoneInfo(site.timezone)
    night = published.date() + timedelta(1)
    start = datetime.combine(night, time(1), tzinfo=zone)
    end = datetime.combine(night, time(3), tzinfo=zone)
    return [
        "# Planned maintenance: its components are under maintenance from start to end, by",
        "# themselves, on the status page and in maintenance.ics.",
        *header(site, prog),
        f"title: {quoted(title)}",
        f"date: {instant_text(published, site.timezone)}   # publication",
        "type: maintenance",
        "# Components: " + ", ".join(c.id for c in site.components) + ".",
        f"components: {flow_list(list(components) or [site.components[0].id])}",
        "# The window: set it to the real one.",
        f"start: {instant_text(start, site.timezone)}",
        f"end: {instant_text(end, site.timezone)}",
        "# What was said, oldest first; status is scheduled, in_progress, verifying or completed.",
        "# updates:",
        f"#   - at: {instant_text(start, site.timezone)}",
        "#     status: in_progress",
        f"#     text: {quoted(title)}",
    ]


BODY = ("<!-- The text of the notice, in Markdown, below this comment (which no page shows).\n"
        "     A translation goes beside this file as the same name with .<language>.md,\n"
        "     holding only a title in its front matter, then the translated text. -->\n")


def render_notice(kind: str, site: Site, title: str, published: datetime, components: tuple[str, ...] = (),
                  prog: str = "expediente") -> str:
    """Return the whole file of a new notice of `kind` (on `components`, for incidents and maintenance);
    its comments name the command as the user runs it (`prog`)."""
    if kind == "notice":
        lines = notice_lines(site, title, published, prog)
    else:
        lines = (incident_lines if kind == "incident" else maintenance_lines)(site, title, published, components,
                                                                              prog)
    return "---\n" + "\n".join(lines) + "\n---\n" + BODY


def _folded(text: str) -> str:
    """Return text lower-cased without accents, its words separated by single spaces."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[\w-]+", plain))


def choose_components(site: Site, kind: str, title: str, given: tuple[str, ...] | None) -> tuple[str, ...]:
    """Return the components an incident or maintenance concerns: `given` (--component), else those the
    title names by id or by name, else the site's only one; otherwise ask, rather than guess one."""
    ids = tuple(c.id for c in site.components)
    if given:
        for component in given:
            if component not in ids:
                close = difflib.get_close_matches(component, ids, n=1)
                raise ScaffoldError(f"--component '{component}' is not a component of this site",
                                    f"did you mean '{close[0]}'?" if close else f"components: {', '.join(ids)}")
        return tuple(dict.fromkeys(given))
    words = f" {_folded(title)} "
    named = tuple(c.id for c in site.components
                  if f" {c.id} " in words or any(f" {_folded(name)} " in words for _, name in c.name.values))
    if named or len(ids) == 1:
        return named or ids
    raise ScaffoldError(f"which components does the {kind} concern? The title names none",
                        f"add --component ID for each of: {', '.join(ids)}")


def create_notice(site_dir: Path, site: Site, kind: str, title: str, published: datetime,
                  slug: str | None = None, components: tuple[str, ...] | None = None,
                  prog: str = "expediente") -> Path:
    """Write a new notice of `kind` and return its path; never overwrite a file."""
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind '{kind}'", f"use {', '.join(KINDS)}")
    title = title.strip()
    if not title or any(unicodedata.category(c) == "Cc" for c in title):
        raise ScaffoldError("--title must be one line of text", 'e.g. --title "Manutenção programada"')
    if kind in ("incident", "maintenance") and not site.components:
        article = "an" if kind == "incident" else "a"
        raise ScaffoldError(f"{article} {kind} notice needs components, and this site has none",
                            "describe them in site_src/status.yaml (see docs/format.md)")
    if kind == "notice" and not site.departments:
        raise ScaffoldError("a notice needs departments, and this site has none",
                            "describe them in site_src/hours.yaml (see docs/format.md)")
    if slug is not None and not SLUG_TEXT.match(slug):
        raise ScaffoldError(f"--slug '{slug}' is not a slug", "use lower-case letters, digits and hyphens")
    day = published.date().isoformat()
    folder = site_dir / "notices"
    name = choose_slug(day, slug or slugify(title, kind), taken_slugs(site_dir), explicit=slug is not None)
    path = folder / f"{name}.md"
    chosen = choose_components(site, kind, title, components) if kind != "notice" else ()
    text = render_notice(kind, site, title, published, chosen, prog)
    make_folder(folder)
    try:
        create_new_file(path, text)
    except FileExistsError:
        raise ScaffoldError(f"notices/{path.name} already exists; nothing was written",
                            "run the command again") from None
    return path


def new_command(site_dir: Path, kind: str, title: str, date_text: str | None, now: datetime,
                slug: str | None = None, stdout=None, stderr=None, components: tuple[str, ...] | None = None,
                prog: str = "expediente") -> int:
    """Create a notice dated `now` unless `date_text` says otherwise; return the exit status (0 created, 1 not)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    # The site's settings, departments and components are all a new notice needs: a broken
    # notice elsewhere must not stop anyone from writing the next one (Loaded.draft).
    loaded = load(site_dir)
    site = loaded.draft
    if site is None:
        print_problems(loaded.problems, stderr)
        print("error: the site's settings have errors; nothing was written", file=stderr)
        return 1
    try:
        published = read_when(date_text, now, site.timezone)
        path = create_notice(site_dir, site, kind, title, published, slug, components, prog)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=stderr)
        return 1
    print(f"created {path}; fill it in, then run: {prog} check", file=stdout)
    return 0
