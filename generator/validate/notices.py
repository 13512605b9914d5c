"""A notice as a whole: its front matter, body and prose checked in one file; translations; relations between notices.

Each file is checked on its own (`validate_notice`, `validate_translation`): the
pipeline spreads them over processes. What depends on several notices comes after,
in `gather_notices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from generator.errors import SourceError
from generator.limits import body_problem
from generator.model import Change, Department, Notice, SiteSettings, Text, pickled_by_fields
from generator.read.sources import NOTICE_NAME, MarkdownSource, NoticeFile, position
from generator.schedule.effective import applying_notices
from generator.validate.dates import parse_date, swapped_date_hint
from generator.validate.dates_in_text.hours_holidays import SiteHolidays
from generator.validate.dates_in_text.hours_said import HoursContext
from generator.validate.fields import (
    Problems,
    check_keys,
    did_you_mean,
    expect_bool,
    expect_line,
    expect_map,
    quote_list,
)
from generator.validate.incidents import STATUS_KEYS, read_status_fields
from generator.validate.markdown_html import render_body
from generator.validate.notice_changes import read_changes
from generator.validate.notice_fields import (
    file_date_problem,
    read_departments,
    read_instant,
    read_language,
    read_range,
    read_revision,
    read_supersedes,
    read_type,
)
from generator.validate.prose import check_prose, read_prose_dates_ok

NOTICE_KEYS = ("title", "date", "type", "lang", "updated", "departments", "period", "supersedes", "cancelled",
               "changes", "check_prose", "prose_dates_ok", "revision") + STATUS_KEYS


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ProseContext:
    """What a notice's prose (and its translations') is checked against: language, date, period, changed days."""

    lang: str
    reference: date
    period: tuple[date, date] | None
    covered: frozenset[date] | None           # the days an hours notice changes
    acknowledged: frozenset[date]             # prose_dates_ok
    changes: tuple[Change, ...] = ()          # what the text's hours are held against
    chosen: tuple[str, ...] | None = None     # the notice's departments (None: all)
    span: tuple[date, date] | None = None     # a maintenance's or an incident's first and last day

    def hours(self, settings: SiteSettings, holidays: SiteHolidays) -> HoursContext:
        """Return what the hours the text gives are checked against, with the site's departments and holidays."""
        return HoursContext(settings.departments, self.chosen, self.changes, self.covered is not None, holidays)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class NoticeParts:
    """What one valid notice file says of itself: everything its Notice holds but the translations and the
    git history, which gather_notices adds when it makes the Notice."""

    slug: str
    lang: str
    title: str                      # in `lang`
    body: str                       # sanitised HTML, in `lang`
    revision: int                   # as the front matter says (0 when it says nothing)
    fields: Mapping[str, object]    # the Notice's other fields, by name


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class CheckedNotice:
    """One notice file checked: its parts (None when invalid), its prose context (None: not checked), problems."""

    parts: NoticeParts | None
    prose: ProseContext | None
    problems: tuple[SourceError, ...]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class CheckedTranslation:
    """One translation checked: (language, title, body HTML) or None, its problems, and its prose's problems
    (kept apart: they count only when the translation is kept)."""

    translated: tuple[str, str, str] | None
    problems: tuple[SourceError, ...]
    prose_problems: tuple[SourceError, ...] = ()


def import_checkers() -> None:
    """Import now what checking a notice imports when first needed (a build about to check many notices in
    several processes, so that each worker does not import it again)."""
    from generator.validate.dates_in_text import hours_phrases  # noqa: F401  (loaded once, before the fork)


def validate_notice(source: MarkdownSource, settings: SiteSettings, slugs: frozenset[str],
                    holidays: SiteHolidays = SiteHolidays()) -> CheckedNotice:
    """Check one read notice against the site's settings, its `holidays` and the other notices' `slugs`; return
    what was found."""
    problems = Problems(source.path)
    parts, prose = _read_notice(source, settings, slugs, problems)
    if prose is not None:
        check_prose(source, prose.lang, prose.reference, prose.period, problems, prose.covered, prose.acknowledged,
                    prose.hours(settings, holidays), span=prose.span)
    return CheckedNotice(parts, prose, tuple(problems.items))


def _read_notice(source: MarkdownSource, settings: SiteSettings, slugs: frozenset[str],
                 problems: Problems) -> tuple[NoticeParts | None, ProseContext | None]:
    """Return the notice's parts (None when invalid) and what its prose is checked against (None: not checked)."""
    front = expect_map(source.front, problems, "the front matter")
    if front is None:
        return None, None
    check_keys(front, problems, "a notice", ("title", "date"), NOTICE_KEYS[2:])
    slug = NOTICE_NAME.match(source.path.rsplit("/", 1)[-1])[1]
    named, error = parse_date(slug[:10])
    if error:
        meant = swapped_date_hint(slug[:10])
        problems.error(source.front, f"the file name starts with a date that does not exist: {error}",
                       meant and f"rename it {meant[len('did you mean '):-1]}{source.path.rsplit('/', 1)[-1][10:]}")
    zone = settings.timezone
    lang = read_language(front.get("lang"), problems, settings)
    title = expect_line(front.get("title"), problems, "title") if front.get("title") is not None else None
    published = read_instant(front.get("date"), problems, "date", zone)
    if named and published and (slip := file_date_problem(named, published.date(), source.path.rsplit("/", 1)[-1])):
        problems.warning(front.get("date"), *slip)
    updated = read_instant(front.get("updated"), problems, "updated", zone)
    if published and updated and updated < published:
        problems.error(front.get("updated"), "updated is earlier than the notice's date")
    kind = read_type(front, problems)
    departments = {d.id: d for d in settings.departments}
    faulty = settings.faulty_departments
    chosen = read_departments(front.get("departments"), problems, kind, tuple(departments), faulty)
    period = read_range(front.get("period"), problems, "period") if front.get("period") is not None else None
    supersedes = read_supersedes(front.get("supersedes"), problems, slug, slugs)
    cancelled = bool(front.get("cancelled") is not None and expect_bool(front.get("cancelled"), problems, "cancelled"))
    prose_on = True
    if front.get("check_prose") is not None:
        prose_on = bool(expect_bool(front.get("check_prose"), problems, "check_prose"))
    revision = read_revision(front.get("revision"), problems)
    acknowledged = read_prose_dates_ok(front.get("prose_dates_ok"), problems)
    changes = ()
    if front.get("changes") is not None:
        if kind is not None and kind != "hours":
            problems.error(front.key_node("changes"), f"a notice of type '{kind}' cannot change hours",
                           "use type: hours")
        # One mistake, one error: channels are checked only against departments that are known and sound.
        sound = chosen is not None and not (set(chosen) & set(faulty) if front.get("departments") is not None else faulty)
        changes = read_changes(front.get("changes"), problems, settings, departments, chosen if sound else None,
                               period, lang, published)
    elif kind == "hours":
        problems.error(front, "an hours notice needs changes", "list the changed days under changes:")
    status_fields = {}
    if kind in ("incident", "maintenance"):
        status_fields = read_status_fields(front, problems, settings, kind, published) or {}
    elif kind is not None:
        for key in STATUS_KEYS:
            if front.get(key) is not None:
                problems.error(front.key_node(key), f"'{key}' belongs to incident and maintenance notices",
                               "use type: incident or type: maintenance")
    check_body(source, problems)
    parts = None
    if not problems.count() and None not in (title, published, kind, chosen):
        parts = NoticeParts(slug, lang, title, render_body(source, problems), revision, dict(
            path=source.path, type=kind, date=published, updated=updated, departments=chosen, period=period,
            supersedes=supersedes, cancelled=cancelled, changes=changes, **status_fields))
    # The prose is checked even when the front matter has errors: report everything at once.
    if not (published and prose_on):
        return parts, None
    covered = None
    if parts is not None and kind == "hours":
        covered = frozenset(day for change in changes for day in change.days())
    chosen_ids = tuple(chosen) if chosen is not None and front.get("departments") is not None else None
    start, end = status_fields.get("start"), status_fields.get("end")
    # An end at midnight closes the day before it.
    span = (start.date(), max(start, (end or start) - timedelta(microseconds=1)).date()) if start is not None else None
    return parts, ProseContext(lang, published.date(), period, covered, acknowledged, changes, chosen_ids, span)


def validate_translation(source: MarkdownSource, settings: SiteSettings, notice: NoticeParts | None,
                         prose: ProseContext | None, holidays: SiteHolidays = SiteHolidays()) -> CheckedTranslation:
    """Check one read translation; its prose is checked as its `notice`'s is (`prose`), when that is valid."""
    problems = Problems(source.path)
    translated = _read_translation(source, settings, problems)
    checked = Problems(source.path)
    if translated is not None and notice is not None and prose is not None and translated[0] != notice.lang:
        check_prose(source, translated[0], prose.reference, prose.period, checked, prose.covered, prose.acknowledged,
                    prose.hours(settings, holidays), own=False, span=prose.span)
    return CheckedTranslation(translated, tuple(problems.items), tuple(checked.items))


def _read_translation(source: MarkdownSource, settings: SiteSettings,
                      problems: Problems) -> tuple[str, str, str] | None:
    """Read a translation file: (language, title, body HTML) or None."""
    lang = NOTICE_NAME.match(source.path.rsplit("/", 1)[-1])[2]
    if lang not in settings.languages:
        problems.error(source.front, f"'{lang}' in the file name is not one of the site's languages",
                       did_you_mean(lang, settings.languages)
                       or f"the site's languages are {quote_list(settings.languages, 'and')}")
        return None
    front = expect_map(source.front, problems, "the front matter")
    if front is None:
        return None
    for key in front.keys():
        if key != "title":
            problems.error(front.key_node(key), f"a translation holds only title and the body, not '{key}'",
                           "everything else comes from the notice itself")
    if front.get("title") is None:
        problems.error(front, "a translation is missing the required key 'title'")
    check_body(source, problems)
    if problems.count():
        return None
    title = expect_line(front.get("title"), problems, "title")
    return (lang, title, render_body(source, problems)) if title else None


def check_body(source: MarkdownSource, problems: Problems) -> None:
    """Report a notice's text that would cost too much to convert (see limits.body_problem)."""
    found = body_problem(source.body)
    if found is not None:
        offset, message, hint = found
        line, column = position(source.body, offset)
        problems.items.append(SourceError(source.path, source.body_line + line - 1, column, message, hint))


def gather_notices(files: tuple[NoticeFile, ...], checked: Mapping[str, CheckedNotice],
                   translations: Mapping[str, CheckedTranslation], settings: SiteSettings,
                   history: Mapping) -> tuple[tuple[Notice, ...], list[SourceError]]:
    """Make each valid notice, with its translations and git history, order them by (date, slug), check the relations.

    `checked` and `translations` hold what validate_notice and validate_translation returned, by the
    file's path relative to the site; `history` holds (commits, last commit) by that path. Return the
    notices and every problem of every file.
    """
    found: list[SourceError] = []
    parts: dict[str, NoticeParts] = {}
    slugs = frozenset(file.slug for file in files if file.lang is None)
    paths_of: dict[str, list[str]] = {}
    for file in files:
        paths_of.setdefault(file.slug, []).append(file.rel)
        if file.lang is None and file.rel in checked:
            found += checked[file.rel].problems
            if (own := checked[file.rel].parts) is not None:
                parts[own.slug] = own
    translated: dict[str, list[tuple[str, str, str]]] = {}
    for file in files:
        if file.lang is None or file.rel not in translations:
            continue
        done = translations[file.rel]
        found += done.problems
        if done.translated is None or file.slug not in parts:
            if done.translated is not None and file.slug not in slugs:
                found.append(SourceError(file.rel, 1, 1, f"a translation of notices/{file.slug}.md, which does not "
                                         "exist", "name the file after its notice: YYYY-MM-DD-slug.<lang>.md"))
            continue
        lang = done.translated[0]
        if lang == parts[file.slug].lang:
            found.append(SourceError(file.rel, 1, 1, f"this translation is in {lang}, the notice's own language"))
            continue
        found += done.prose_problems
        translated.setdefault(file.slug, []).append(done.translated)
    notices = (make_notice(own, translated.get(slug, ()), [history[p] for p in paths_of.get(slug, ()) if p in history])
               for slug, own in parts.items())
    ordered = tuple(sorted(notices, key=lambda n: (n.date, n.slug)))
    found += check_relations(ordered, settings)
    return ordered, found


def make_notice(parts: NoticeParts, translated, commits) -> Notice:
    """Make a notice from its file's parts, its `translated` (language, title, body HTML) and the
    (commits, last commit) of each of its files in git: its revision rises with every commit, and its
    last edit is the last commit (None outside git: then it is `updated`, else `date`)."""
    if not translated and not commits:
        # Most notices, outside git above all: made without the generators below (at 10,000 notices, 30 ms).
        return Notice(slug=parts.slug, lang=parts.lang, title=Text(((parts.lang, parts.title),)),
                      body=Text(((parts.lang, parts.body),)), revision=max(parts.revision, 0), modified=None,
                      **parts.fields)
    langs = (parts.lang, *(lang for lang, _, _ in translated))
    return Notice(slug=parts.slug, lang=parts.lang,
                  title=Text(tuple(zip(langs, (parts.title, *(title for _, title, _ in translated))))),
                  body=Text(tuple(zip(langs, (parts.body, *(body for _, _, body in translated))))),
                  revision=max(parts.revision, sum(count for count, _ in commits)),
                  modified=max((when for _, when in commits), default=None), **parts.fields)


def check_relations(notices: tuple[Notice, ...], settings: SiteSettings) -> list[SourceError]:
    """Report two notices that change the same channel on the same day."""
    found: list[SourceError] = []
    departments = {d.id: d for d in settings.departments}
    owner: dict[tuple, tuple[Notice, Change]] = {}
    reported: set[tuple[str, str]] = set()
    for notice in applying_notices(notices):
        for key, change in _cells(notice, departments):
            if key not in owner:
                owner[key] = (notice, change)
                continue
            other, other_change = owner[key]
            if other.slug == notice.slug or (other.slug, notice.slug) in reported:
                continue
            reported.add((other.slug, notice.slug))
            dept, channel, day = key
            found.append(SourceError(
                notice.path, change.line, 5,
                f"{day.isoformat()} ({dept}/{channel}) is also changed by {other.path} (line {other_change.line})",
                f"add supersedes: [{other.slug}] to this notice, or remove the day from one of them",
            ))
    return found


def _cells(notice: Notice, departments: Mapping[str, Department]):
    """Yield ((department id, channel id, day), change) for every cell a notice changes (notice_cells without
    the Override each cell holds, which no check reads: at 10,000 notices, 15,000 fewer made)."""
    for change in notice.changes:
        days = change.days()
        for dept_id in notice.departments:
            for channel in departments[dept_id].channels:
                channel_id = channel.id
                if channel_id in change.kept:
                    continue    # kept `regular`: the notice leaves it as it is, free for another to change
                for day in days:
                    yield (dept_id, channel_id, day), change
