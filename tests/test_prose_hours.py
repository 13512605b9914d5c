"""Hours given in a notice's text ("Na quinta, dia 10, o suporte fecha às 15h") are held against its changes:
a day whose hours the text changes without a change for it, or with a change that says otherwise, is warned
about at the phrase (an error under --strict); usual hours restated, maintenance windows, incidents and times
of day stay silent (tests/prose/hours/corpus.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import write_tree

from generator.cli import main

NOW = "2026-12-07T12:00-03:00"
PATH = "notices/2026-12-07-aviso.md"
CORPUS = yaml.safe_load((Path(__file__).parent / "prose" / "hours" / "corpus.yaml").read_text(encoding="utf-8"))
SITE = "name: T\nbase_url: https://support.test.example/\ntimezone: America/Sao_Paulo\nlanguages: [pt-BR, es, en]\n"
HOURS = """\
departments:
  - id: suporte
    name: {pt-BR: Suporte, en: Support}
    channels:
      - id: phone
        type: phone
        contact: "+55 13 3500-0000"
        hours:
          mon-fri: [09:00-12:00, 14:00-18:00]
          sat: 09:00-12:00
      - id: email
        type: email
        contact: suporte@example.net
        hours: 24/7
  - id: financeiro
    name: {pt-BR: Financeiro, en: Billing}
    channels:
      - id: phone
        type: phone
        contact: "+55 13 3500-0001"
        hours:
          mon-fri: 08:00-17:00
"""


def check(tmp_path, capsys, body: str, front: str = "", *, strict: bool = False, files=None) -> tuple[int, str]:
    """Check a site holding one notice dated 2026-12-07 (a Monday); return the exit status and stderr."""
    notice = f"---\ntitle: Aviso\ndate: 2026-12-07 10:00\n{front}---\n{body}\n"
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": SITE, "site_src/hours.yaml": HOURS,
                                          PATH: notice, **(files or {})})
    status = main(["check", "--site", str(site), "--now", NOW] + (["--strict"] if strict else []))
    return status, capsys.readouterr().err


@pytest.mark.parametrize("entry", CORPUS["ok"], ids=lambda e: e["text"][:40])
def test_ordinary_sentences_stay_silent(tmp_path, capsys, entry):
    assert check(tmp_path, capsys, entry["text"], f"lang: {entry['lang']}\n") == (0, "")


@pytest.mark.parametrize("entry", CORPUS["bad"], ids=lambda e: e["text"][:40])
def test_hours_without_a_change_are_warned_about_at_the_phrase(tmp_path, capsys, entry):
    assert check(tmp_path, capsys, entry["text"], f"lang: {entry['lang']}\n") == (
        0, f"{PATH}:{entry['warning']}\n  hint: {entry['hint']}\n")


def test_the_reported_notice_fails_a_strict_check(tmp_path, capsys):
    status, err = check(tmp_path, capsys, "Na quinta, dia 10, o suporte fecha às 15h.", strict=True)
    assert status == 1
    assert err.startswith(f"{PATH}:5:30: error: the text says the hours of 2026-12-10 (quinta-feira) change "
                          '("fecha às 15h"), but the notice changes no hours that day\n')


def test_a_named_department_is_the_one_the_hint_changes(tmp_path, capsys):
    _, err = check(tmp_path, capsys, "Na quinta, dia 10, o financeiro fecha às 15h.")
    assert err == (
        f'{PATH}:5:33: warning: the text says the hours of 2026-12-10 (quinta-feira) change ("fecha às 15h"), but '
        "the notice changes no hours that day\n  hint: add a change, e.g. departments: [financeiro] and changes: "
        "[{date: 2026-12-10, hours: {phone: 08:00-15:00}}] (see docs/format.md), or list the date in "
        "prose_dates_ok if the text only repeats the usual hours\n")


def test_the_hint_is_a_change_the_checker_accepts(tmp_path, capsys):
    front = "departments: [financeiro]\nchanges: [{date: 2026-12-10, hours: {phone: 08:00-15:00}}]\n"
    assert check(tmp_path, capsys, "Na quinta, dia 10, o financeiro fecha às 15h.", front, strict=True) == (0, "")


def test_a_change_that_says_other_hours_is_warned_about(tmp_path, capsys):
    front = "departments: [suporte]\nchanges:\n  - date: 2026-12-10\n    hours: {phone: 09:00-16:00}\n"
    assert check(tmp_path, capsys, "Na quinta, dia 10, o suporte fecha às 15h.", front) == (0, (
        f'{PATH}:9:30: warning: the text says the hours of 2026-12-10 (quinta-feira) are "fecha às 15h", but the '
        "notice's change that day says phone 09:00-16:00\n  hint: make the text and the change at line 6 agree\n"))


def test_a_closed_day_said_closed_is_quiet(tmp_path, capsys):
    front = "changes: [{date: 2026-12-11, closed: true}]\n"
    assert check(tmp_path, capsys, "Na sexta, dia 11, não haverá atendimento.", front, strict=True) == (0, "")


def test_an_acknowledged_date_is_quiet(tmp_path, capsys):
    assert check(tmp_path, capsys, "Na quinta, dia 10, o suporte fecha às 15h.",
                 "prose_dates_ok: [2026-12-10]\n", strict=True) == (0, "")


def test_a_translation_says_no_second_word_about_a_missing_change(tmp_path, capsys):
    translation = "---\ntitle: Notice\n---\nOn Thursday the 10th support closes at 3 pm.\n"
    _, err = check(tmp_path, capsys, "Na quinta, dia 10, o suporte fecha às 15h.",
                   files={"notices/2026-12-07-aviso.en.md": translation})
    assert err.count("warning:") == 1 and err.startswith(f"{PATH}:5:30: warning:")
