"""Fuzzing the YAML and front-matter readers: any input gives placed problems, never an exception."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import MINIMAL_HOURS, MINIMAL_SITE, write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import ERROR
from generator.pipeline import load

# Hundreds of generated inputs through the readers: a search, not an inner-loop check.
pytestmark = pytest.mark.slow

YAMLISH = st.lists(
    st.sampled_from([
        "departments:", "  - id: x", "    name: {pt-BR: a, en: b}", "    channels:", "      - id: phone",
        "        type: phone", "        hours:", "          mon-fri: 09:00-18:00", "          sat: [09:00-12:00]",
        "          sun: closed", "        contact: '+55 11 1234-5678'", "\t- tab", "&a [*a]", "!!python/object:x {}",
        "key: value", "key: value", "- item", "? complex", "'unterminated", "{a: 1", "24:00-25:00", "---", "...",
        "name: Test", "timezone: America/Sao_Paulo", "languages: [pt-BR]", "base_url: https://x.example/",
        "holidays: {country: BR, subdivision: ZZ}", "title: T", "date: 2017-09-31", "changes:",
        "  - date: 2017-10-17", "    weekday: Terça-Feira", "    closed: true", "\u00e9", "\x00", "%YAML 1.1",
    ]),
    max_size=14,
).map("\n".join)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_placed(problems) -> None:
    for problem in problems:
        assert problem.path and problem.line >= 1 and problem.column >= 1, problem
        assert problem.message and "Traceback" not in problem.message
        assert "<class" not in problem.message


def fresh(tmp_path: Path, files: dict) -> Path:
    site = tmp_path / "fuzz"
    shutil.rmtree(site, ignore_errors=True)
    return write_tree(site, files)


@FUZZ
@given(text=YAMLISH | st.text(max_size=300))
def test_hours_yaml_never_raises(tmp_path, text):
    site = fresh(tmp_path, {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": text})
    problems = load(site).problems
    assert_placed(problems)


@FUZZ
@given(text=YAMLISH | st.text(max_size=300))
def test_site_yaml_never_raises(tmp_path, text):
    site = fresh(tmp_path, {"site_src/site.yaml": text, "site_src/hours.yaml": MINIMAL_HOURS})
    loaded = load(site)
    site_model, problems = loaded.site, loaded.problems
    assert_placed(problems)
    assert site_model is not None or problems


@FUZZ
@given(front=YAMLISH, body=st.text(max_size=200), raw=st.binary(max_size=120))
def test_notices_never_raise(tmp_path, front, body, raw):
    files = {
        "site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS,
        "notices/2017-10-16-a.md": f"---\n{front}\n---\n{body}",
        "notices/2017-10-16-a.en.md": raw,
        "notices/2017-10-17-b.md": f"{front}\n{body}",
    }
    site = fresh(tmp_path, files)
    problems = load(site).problems
    assert_placed(problems)
    # The second notice has no front matter, so at least that is always reported.
    assert any(p.path == "notices/2017-10-17-b.md" and p.severity == ERROR for p in problems)
