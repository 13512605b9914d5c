"""The stages the pipeline composes: read opens, validate checks one file's text at a time, the site is made whole.

Each notice is checked on its own by validate.notices.validate_notice (the pipeline maps it over
processes), so it is tested here as the pipeline calls it, on a real site folder.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from conftest import PACKAGE

from generator.model import HolidayRules, Notice, SiteSettings, Text
from generator.pipeline import load
from generator.read.sources import read_notice, read_sources
from generator.validate import make_site as make_whole_site
from generator.validate import validate_holidays, validate_settings
from generator.validate.notices import gather_notices, validate_notice, validate_translation

NOTICE = """\
---
title: Feriado municipal
date: 2026-11-10 09:00
departments: [suporte]
changes:
  - date: 2026-11-20
    weekday: {weekday}
    closed: true
---
O atendimento estará fechado no dia 20 de novembro.
"""
TRANSLATION = "---\ntitle: Municipal holiday\n---\nSupport is closed on 20 November.\n"


def read_site(site: Path):
    """Return the read sources and the validated settings of a site folder, with no problem found."""
    sources, problems = read_sources(site)
    settings, found = validate_settings(sources)
    assert problems == [] and found == [] and isinstance(settings, SiteSettings)
    return sources, settings


def test_a_notice_and_its_translation_are_checked_file_by_file_then_gathered(make_site):
    site = make_site({"notices/2026-11-10-feriado.md": NOTICE.format(weekday="Sexta-Feira"),
                      "notices/2026-11-10-feriado.en.md": TRANSLATION})
    sources, settings = read_site(site)
    main, translation = sorted(sources.notices, key=lambda file: file.lang is not None)
    source, problems = read_notice(main)
    checked = validate_notice(source, settings, frozenset({"2026-11-10-feriado"}))
    assert problems == [] and checked.problems == ()
    assert checked.parts.slug == "2026-11-10-feriado" and checked.parts.fields["departments"] == ("suporte",)
    assert checked.prose.covered == frozenset({checked.parts.fields["changes"][0].first})
    source, _ = read_notice(translation)
    translated = validate_translation(source, settings, checked.parts, checked.prose)
    assert translated.translated == ("en", "Municipal holiday", "<p>Support is closed on 20 November.</p>")
    notices, found = gather_notices(sources.notices, {main.rel: checked}, {translation.rel: translated}, settings, {})
    assert found == []
    assert notices[0].title == Text((("pt-BR", "Feriado municipal"), ("en", "Municipal holiday")))
    assert (notices[0].revision, notices[0].modified) == (0, None)       # outside git: no last commit
    first, last = (datetime(2026, 11, day, 9, tzinfo=UTC) for day in (3, 5))
    history = {main.rel: (2, first), translation.rel: (1, last)}
    notices, _ = gather_notices(sources.notices, {main.rel: checked}, {translation.rel: translated}, settings, history)
    assert (notices[0].revision, notices[0].modified) == (3, last)       # every commit of its files counts


def test_a_wrong_weekday_is_reported_by_the_one_notice_that_has_it(make_site):
    site = make_site({"notices/2026-11-10-feriado.md": NOTICE.format(weekday="Segunda-Feira")})
    sources, settings = read_site(site)
    source, _ = read_notice(sources.notices[0])
    checked = validate_notice(source, settings, frozenset({"2026-11-10-feriado"}))
    assert checked.parts is None
    assert [problem.format() for problem in checked.problems] == [
        "notices/2026-11-10-feriado.md:7:14: error: 2026-11-20 is a Friday (sexta-feira), not Segunda-Feira\n"
        "  hint: Monday is 16 or 23 November"]


def test_the_site_is_made_whole_with_its_holiday_rules_and_notices(make_site):
    site_dir = make_site({"notices/2026-11-10-feriado.md": NOTICE.format(weekday="Sexta-Feira")})
    loaded = load(site_dir)
    site, problems = loaded.site, loaded.problems
    assert problems == ()
    assert site.holiday_rules == HolidayRules("BR", "SP")
    assert [notice.slug for notice in site.notices] == ["2026-11-10-feriado"]
    sources, settings = read_site(site_dir)
    rules, found = validate_holidays(sources)
    assert found == [] and make_whole_site(settings, rules, site.notices) == site
    assert all(isinstance(notice, Notice) for notice in site.notices)


def imported_modules(path: Path) -> set[str]:
    """Return every module a Python file imports, wherever in the file the import is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_stage_maps_over_processes_and_validation_opens_no_file():
    stages = [path for room in ("read", "validate", "schedule", "render", "write")
              for path in sorted((PACKAGE / room).rglob("*.py"))]
    assert len(stages) > 40
    assert [path.name for path in stages if "generator.parallel" in imported_modules(path)] == []
    opening = {"open", "read_text", "read_bytes", "read_notice", "read_markdown", "read_yaml", "scandir"}
    calls = {(path.relative_to(PACKAGE.parent).as_posix(), node.func.attr if isinstance(node.func, ast.Attribute)
              else node.func.id)
             for path in sorted((PACKAGE / "validate").rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
             and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) in opening}
    # The one file validation reads is the list of time zones the tzdata package ships, not a source.
    assert calls == {("generator/validate/site.py", "read_text")}
