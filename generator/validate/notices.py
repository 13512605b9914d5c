"""Notices: front matter, structured changes with their dates and weekdays, prose dates, conflicts."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Callable

from babel.dates import get_day_names

from generator.errors import SourceError
from generator.limits import body_problem
from generator.markup import render_markdown
from generator.model import NOTICE_TYPES, Change, Notice, Site, Text
from generator.parallel import map_in_parallel
from generator.read.sources import NOTICE_NAME, MarkdownSource, NoticeFile, position, read_notice
from generator.read.yaml_nodes import Map, Node, Scalar, Seq
from generator.validate.dates import parse_date, parse_datetime
from generator.validate.dates_in_text import parse_weekday, weekday_mismatch_hint
from generator.validate.fields import (
    Problems,
    check_keys,
    did_you_mean,
    expect_bool,
    expect_line,
    expect_list,
    expect_localised,
    expect_map,
    expect_text,
    quote_list,
)
from generator.validate.hours import parse_hours_value
from generator.validate.incidents import STATUS_KEYS, read_status_fields
from generator.validate.limits import check_intervals
from generator.validate.numbers import whole_number
from generator.validate.prose import check_prose, read_prose_dates_ok
from generator.validate.site import babel_locale

SUPPORTED_TYPES = NOTICE_TYPES
NOTICE_KEYS = ("title", "date", "type", "lang", "updated", "departments", "period", "supersedes", "cancelled",
               "changes", "check_prose", "prose_dates_ok", "revision") + STATUS_KEYS
CHANGE_KEYS = ("date", "dates", "weekday", "closed", "hours", "note")
RANGE = re.compile(r"^\s*(\S+)\s*\.\.\s*(\S+)\s*$")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_phrase(day: date, lang: str) -> str:
    """Return e.g. 'a Sunday (domingo)': the English name, then the name in the notice's language."""
    english = WEEKDAYS_EN[day.weekday()]
    if lang.split("-")[0] == "en":
        return f"a {english}"
    local = get_day_names("wide", locale=babel_locale(lang))[day.weekday()]
    return f"a {english} ({local})"


def read_day(node: Node, problems: Problems, what: str) -> date | None:
    """Read one YYYY-MM-DD date at its node, saying why a date does not exist."""
    text = expect_text(node, problems, what)
    if text is None:
        return None
    day, error = parse_date(text)
    if error:
        problems.error(node, error)
    return day


def read_range(node: Node, problems: Problems, what: str) -> tuple[date, date] | None:
    """Read `YYYY-MM-DD..YYYY-MM-DD`, reporting a reversed range."""
    text = expect_text(node, problems, what)
    if text is None:
        return None
    found = RANGE.match(text)
    if not found:
        problems.error(node, f"'{text}' is not a range of dates", "write FIRST..LAST, e.g. 2017-10-19..2017-10-21")
        return None
    first, error_first = parse_date(found[1])
    last, error_last = parse_date(found[2])
    for error in (error_first, error_last):
        if error:
            problems.error(node, error)
    if first is None or last is None:
        return None
    if last < first:
        problems.error(node, f"the range {text.strip()} runs backwards", f"write {found[2]}..{found[1]}")
        return None
    return first, last


class NoticeReader:
    """Validates one notice file against the site; collects its problems."""

    def __init__(self, source: MarkdownSource, site: Site, problems: Problems, slugs: frozenset[str]):
        self.prose_context: tuple[str, date, tuple[date, date] | None] | None = None
        self.published_day: date | None = None
        self.slugs = slugs
        self.source = source
        self.site = site
        self.problems = problems
        self.departments = {d.id: d for d in site.departments}

    def read(self) -> tuple[Notice | None, bool]:
        """Return the notice (None when invalid) and whether its prose should be checked."""
        problems = self.problems
        front = expect_map(self.source.front, problems, "the front matter")
        if front is None:
            return None, False
        check_keys(front, problems, "a notice", ("title", "date"), NOTICE_KEYS[2:])
        slug = NOTICE_NAME.match(self.source.path.rsplit("/", 1)[-1])[1]
        name_day, error = parse_date(slug[:10])
        if error:
            problems.error(self.source.front, f"the file name starts with a date that does not exist: {error}")
        zone = self.site.timezone
        lang = self.site.default_language
        if (node := front.get("lang")) is not None and (text := expect_text(node, problems, "lang")):
            if text in self.site.languages:
                lang = text
            else:
                problems.error(node, f"'{text}' is not one of the site's languages",
                               did_you_mean(text, self.site.languages)
                               or f"the site's languages are {quote_list(self.site.languages, 'and')}")
        title = expect_line(front.get("title"), problems, "title") if front.get("title") is not None else None
        published = self.read_instant(front.get("date"), "date", zone)
        self.published_day = published.date() if published else None
        updated = self.read_instant(front.get("updated"), "updated", zone)
        if published and updated and updated < published:
            problems.error(front.get("updated"), "updated is earlier than the notice's date")
        kind = self.read_type(front)
        departments = self.read_departments(front.get("departments"), kind)
        period = read_range(front.get("period"), problems, "period") if front.get("period") is not None else None
        supersedes = self.read_supersedes(front.get("supersedes"))
        cancelled = bool(front.get("cancelled") is not None and expect_bool(front.get("cancelled"), problems, "cancelled"))
        check_prose = True
        if front.get("check_prose") is not None:
            check_prose = bool(expect_bool(front.get("check_prose"), problems, "check_prose"))
        revision = self.read_revision(front.get("revision"))
        self.prose_dates_ok = read_prose_dates_ok(front.get("prose_dates_ok"), problems)
        # The prose is checked even when the front matter has errors: report everything at once.
        self.prose_context = (lang, published.date(), period) if published and check_prose else None
        changes = ()
        if front.get("changes") is not None:
            if kind is not None and kind != "hours":
                problems.error(front.key_node("changes"), f"a notice of type '{kind}' cannot change hours",
                               "use type: hours")
            changes = self.read_changes(front.get("changes"), departments or (), period, lang, published)
        elif kind == "hours":
            problems.error(front, "an hours notice needs changes", "list the changed days under changes:")
        status_fields = {}
        if kind in ("incident", "maintenance"):
            status_fields = read_status_fields(front, problems, self.site, kind, published) or {}
        elif kind is not None:
            for key in STATUS_KEYS:
                if front.get(key) is not None:
                    problems.error(front.key_node(key), f"'{key}' belongs to incident and maintenance notices",
                                   "use type: incident or type: maintenance")
        check_body(self.source, problems)
        if problems.count() or None in (title, published, kind, departments):
            return None, check_prose
        body = Text(((lang, render_markdown(self.source.body)),))
        notice = Notice(slug=slug, path=self.source.path, type=kind, lang=lang, title=Text(((lang, title),)),
                        body=body, date=published, updated=updated, departments=departments, period=period,
                        supersedes=supersedes, cancelled=cancelled, changes=changes, revision=revision,
                        modified=updated or published, **status_fields)
        return notice, check_prose

    def read_instant(self, node: Node | None, what: str, zone: str) -> datetime | None:
        if node is None:
            return None
        text = expect_text(node, self.problems, what)
        if text is None:
            return None
        value, error = parse_datetime(text, zone)
        if error:
            self.problems.error(node, error)
        return value

    def read_type(self, front: Map) -> str | None:
        node = front.get("type")
        if node is None:
            return "hours" if front.get("changes") is not None else "info"
        text = expect_text(node, self.problems, "type")
        if text in SUPPORTED_TYPES:
            return text
        if text is not None:
            self.problems.error(node, f"unknown notice type '{text}'",
                                did_you_mean(text, SUPPORTED_TYPES) or f"use {quote_list(SUPPORTED_TYPES)}")
        return None

    def read_departments(self, node: Node | None, kind: str | None) -> tuple[str, ...] | None:
        if node is None:
            # Incidents and maintenance concern components, not the contact hours of departments.
            return () if kind in ("incident", "maintenance") else tuple(self.departments)
        items = (node,) if isinstance(node, Scalar) else (expect_list(node, self.problems, "departments") or Seq(0, 0, ())).items
        chosen = []
        for item in items:
            text = expect_text(item, self.problems, "a department")
            if text is None:
                continue
            if text not in self.departments:
                self.problems.error(item, f"unknown department '{text}'",
                                    did_you_mean(text, self.departments)
                                    or f"departments are {quote_list(self.departments, 'and')}")
            elif text in chosen:
                self.problems.error(item, f"the department '{text}' is listed twice")
            else:
                chosen.append(text)
        if not items:
            self.problems.error(node, "departments is empty", "remove it to mean every department")
        return tuple(chosen) if chosen else None

    def read_supersedes(self, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        items = (node,) if isinstance(node, Scalar) else (expect_list(node, self.problems, "supersedes") or Seq(0, 0, ())).items
        targets = []
        own = NOTICE_NAME.match(self.source.path.rsplit("/", 1)[-1])[1]
        for item in items:
            target = expect_text(item, self.problems, "supersedes")
            if target is None:
                continue
            target = target.removesuffix(".md").rsplit("/", 1)[-1]
            if target == own:
                self.problems.error(item, "a notice cannot supersede itself")
            elif target not in self.slugs:
                self.problems.error(item, f"supersedes names '{target}', which is not a notice",
                                    did_you_mean(target, sorted(self.slugs)) or "name another notice's file without .md")
            else:
                targets.append(target)
        return tuple(targets)

    def read_revision(self, node: Node | None) -> int:
        if node is None:
            return 0
        text = expect_text(node, self.problems, "revision")
        number = whole_number(text) if text is not None else None
        if number is None:
            self.problems.error(node, "revision must be a whole number, such as 2")
            return 0
        return number

    def read_changes(self, node: Node, department_ids, period, lang, published) -> tuple[Change, ...]:
        seq = expect_list(node, self.problems, "changes")
        if seq is None:
            return ()
        channels = {c.id for d in department_ids for c in self.departments[d].channels}
        seen: dict[date, int] = {}
        changes = []
        limits = self.site.limits
        most = limits["change_days"]
        total = 0
        for item in seq.items:
            change = self.read_change(item, channels, period, lang)
            if change is None:
                continue
            # Counted before a day is listed: every day of a change costs a row on its pages.
            count = (change.last - change.first).days + 1
            total += count
            if count > most:
                self.problems.error(item.get("dates") or item, limits.over("change_days", count),
                                    limits.hint("change_days", "split the change over several notices"))
                return ()
            if total > most:
                self.problems.error(item, limits.over("change_days", total),
                                    limits.hint("change_days", "split the changes over several notices"))
                return ()
            for day in change.days():
                if day in seen:
                    self.problems.error(item, f"{day.isoformat()} is listed twice (first at line {seen[day]})",
                                        "give each day once; one change may list several channels")
                else:
                    seen[day] = item.line
            if published and change.first < published.date():
                self.problems.warning(item, f"the change on {change.first.isoformat()} is dated before the notice "
                                            f"was published ({published.date().isoformat()})")
            changes.append(change)
        if not seq.items:
            self.problems.error(seq, "changes is empty")
        return tuple(sorted(changes, key=lambda c: c.first))

    def read_change(self, node: Node, channels: set[str], period, lang) -> Change | None:
        problems = self.problems
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
                self.check_weekday(weekday, day, lang, period)
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
        hours = self.read_change_hours(item.get("hours"), channels) if item.get("hours") is not None else None
        if closed and item.get("hours") is not None:
            problems.error(item.key_node("hours"), "a change is either closed or has hours, not both")
        if not closed and item.get("hours") is None and item.get("closed") is None:
            problems.error(item, "a change needs closed: true or hours:")
        note = expect_localised(item.get("note"), problems, "note", self.site.languages) \
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
        return Change(span[0], span[1], closed, hours or (), note, node.line)

    def check_weekday(self, node: Node, day: date, lang: str, period) -> None:
        written = expect_text(node, self.problems, "weekday")
        if written is None:
            return
        weekday = parse_weekday(written, (lang, "en"))
        if weekday is None:
            self.problems.error(node, f"'{written}' is not a weekday", "write it as in Terça-Feira, martes or Tuesday")
        elif weekday != day.weekday():
            self.problems.error(node, f"{day.isoformat()} is {weekday_phrase(day, lang)}, not {written}",
                                weekday_mismatch_hint(day, weekday, lang, period, reference=self.published_day))

    def read_change_hours(self, node: Node, channels: set[str]) -> tuple | None:
        mapping = expect_map(node, self.problems, "hours")
        if mapping is None:
            return None
        before = self.problems.count()
        check_intervals(mapping, self.site.limits, self.problems)
        if self.problems.count() > before:
            return None
        result = []
        for key, value in mapping.pairs:
            if key.text not in channels:
                self.problems.error(key, f"no department of this notice has a channel '{key.text}'",
                                    did_you_mean(key.text, sorted(channels))
                                    or f"channels are {quote_list(sorted(channels), 'and')}")
                continue
            intervals = parse_hours_value(value, self.problems)
            if intervals is not None:
                result.append((key.text, intervals))
        if not mapping.pairs:
            self.problems.error(mapping, "hours is empty", "list channel: hours, or write closed: true")
        return tuple(sorted(result)) if len(result) == len(mapping.pairs) else None


def read_translation(source: MarkdownSource, site: Site, problems: Problems) -> tuple[str, str, str] | None:
    """Read a translation file: (language, title, body HTML) or None."""
    lang = NOTICE_NAME.match(source.path.rsplit("/", 1)[-1])[2]
    if lang not in site.languages:
        problems.error(source.front, f"'{lang}' in the file name is not one of the site's languages",
                       did_you_mean(lang, site.languages)
                       or f"the site's languages are {quote_list(site.languages, 'and')}")
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
    return (lang, title, render_markdown(source.body)) if title else None


def check_body(source: MarkdownSource, problems: Problems) -> None:
    """Report a notice's text that would cost too much to convert (see limits.body_problem)."""
    found = body_problem(source.body)
    if found is not None:
        offset, message, hint = found
        line, column = position(source.body, offset)
        problems.items.append(SourceError(source.path, source.body_line + line - 1, column, message, hint))


def with_history(notice: Notice, paths: list[str], history) -> Notice:
    """Return the notice with its revision and last edit taken from git when there is history."""
    from dataclasses import replace

    found = [history[p] for p in paths if p in history]
    commits = sum(count for count, _ in found)
    last = max((when for _, when in found), default=None)
    modified = last or notice.updated or notice.date
    revision = max(notice.revision, commits)
    if revision == notice.revision and modified is notice.modified:
        return notice               # outside git, or no commit of its own: as it was read
    return replace(notice, revision=revision, modified=modified)


def validate_notices(files: tuple[NoticeFile, ...], site: Site, history=None, jobs: int | None = None,
                     meanwhile: Callable[[], object] | None = None) -> tuple[tuple[Notice, ...], list[SourceError]]:
    """Read and validate every notice and its translations, then the relations between notices.

    Each file is read and checked on its own (its Markdown rendered, its prose
    checked), so the files are spread over `jobs` processes (parallel.py); the
    relations come after.  `meanwhile` is called once while the notices are read.
    """
    found: list[SourceError] = []
    notices: dict[str, Notice] = {}
    prose_on: dict[str, tuple] = {}
    main_files = [f for f in files if f.lang is None]
    translations = [f for f in files if f.lang is not None]
    slugs = frozenset(f.slug for f in main_files)

    def read_main(file: NoticeFile) -> tuple[Notice | None, tuple | None, list[SourceError]]:
        source, items = read_notice(file)
        if source is None:
            return None, None, items
        problems = Problems(source.path)
        reader = NoticeReader(source, site, problems, slugs)
        notice, _ = reader.read()
        covered = None
        if notice is not None and notice.type == "hours":
            covered = frozenset(day for change in notice.changes for day in change.days())
        prose = None
        if reader.prose_context is not None:
            check_prose(source, *reader.prose_context, problems, covered, reader.prose_dates_ok)
            prose = reader.prose_context + (covered, reader.prose_dates_ok)
        return notice, prose, items + problems.items

    read = map_in_parallel(read_main, main_files, jobs, meanwhile=meanwhile)
    for file, (notice, prose, items) in zip(main_files, read):
        if prose is not None:
            prose_on[file.slug] = prose
        if notice is not None:
            notices[notice.slug] = notice
        found += items

    def read_other(file: NoticeFile) -> tuple[tuple[str, str, str] | None, list[SourceError], list[SourceError]]:
        source, items = read_notice(file)
        if source is None:
            return None, items, []
        problems = Problems(source.path)
        translated = read_translation(source, site, problems)
        slug = file.slug
        checked = Problems(source.path)
        if translated is not None and slug in notices and slug in prose_on and translated[0] != notices[slug].lang:
            check_prose(source, translated[0], *prose_on[slug][1:3], checked, *prose_on[slug][3:5])
        return translated, items + problems.items, checked.items

    for file, (translated, items, prose_items) in zip(translations,
                                                      map_in_parallel(read_other, translations, jobs)):
        slug = file.slug
        found += items
        if translated is None or slug not in notices:
            if translated is not None and slug not in slugs:
                found.append(SourceError(file.rel, 1, 1, f"a translation of notices/{slug}.md, which does not exist",
                                         "name the file after its notice: YYYY-MM-DD-slug.<lang>.md"))
            continue
        lang, title, body = translated
        notice = notices[slug]
        if lang == notice.lang:
            found.append(SourceError(file.rel, 1, 1, f"this translation is in {lang}, the notice's own language"))
            continue
        found += prose_items
        notices[slug] = replace_text(notice, lang, title, body)
    history = history or {}
    paths_of: dict[str, list[str]] = {}
    for file in files:
        paths_of.setdefault(file.slug, []).append(file.rel)
    for slug, notice in list(notices.items()):
        notices[slug] = with_history(notice, paths_of.get(slug, []), history)
    ordered = tuple(sorted(notices.values(), key=lambda n: (n.date, n.slug)))
    found += check_relations(ordered, site)
    return ordered, found


def replace_text(notice: Notice, lang: str, title: str, body: str) -> Notice:
    """Return the notice with a translation added, languages in the site's order."""
    from dataclasses import replace

    return replace(notice, title=Text(notice.title.values + ((lang, title),)),
                   body=Text(notice.body.values + ((lang, body),)))


def check_relations(notices: tuple[Notice, ...], site: Site) -> list[SourceError]:
    """Report two notices that change the same channel on the same day."""
    from generator.schedule.effective import applying_notices, notice_cells

    found: list[SourceError] = []
    departments = {d.id: d for d in site.departments}
    owner: dict[tuple, tuple[Notice, Change]] = {}
    reported: set[tuple[str, str]] = set()
    for notice in applying_notices(notices):
        for key, _, change in notice_cells(notice, departments):
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
