"""Hours given in a notice's text ("Na quinta, dia 10, o suporte fecha às 15h") are held against its changes:
a day whose hours the text changes without a change for it, or with a change that says otherwise, is warned
about at the phrase (an error under --strict); usual hours restated, maintenance windows, incidents and times
of day stay silent (tests/prose/hours/corpus.yaml)."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.validate.dates_in_text import hours_phrases
from generator.validate.dates_in_text.finding import find_dates
from generator.validate.dates_in_text.hours_phrases import find_hours_phrases
from generator.validate.dates_in_text.text import prepare

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


# --- Usual split hours restated; public holidays; someone else's hours ---------------------------------------

BR_SITE = SITE + "holidays:\n  country: BR\n"
HOLIDAYS = {"site_src/site.yaml": BR_SITE}


def test_the_usual_split_hours_restated_stay_silent(tmp_path, capsys):
    # Thursday's usual phone hours are 09:00-12:00 and 14:00-18:00: the text repeats both ranges.
    assert check(tmp_path, capsys, "Na quinta, 10/12, atendimento das 9h às 12h e das 14h às 18h.",
                 strict=True) == (0, "")


def test_split_hours_hint_pasted_is_accepted(tmp_path, capsys):
    front = "changes: [{date: 2026-12-10, hours: {phone: [09:00-12:00, 14:00-16:00], email: 00:00-24:00}}]\n"
    assert check(tmp_path, capsys, "Na quinta, 10/12, atendimento das 9h às 12h e das 14h às 16h.", front,
                 strict=True) == (0, "")


def test_a_change_giving_one_range_of_two_is_warned_about(tmp_path, capsys):
    # The morning alone, as the old hint wrote it, closes the afternoon the text keeps open.
    front = "changes: [{date: 2026-12-10, hours: {phone: 09:00-12:00, email: 00:00-24:00}}]\n"
    assert check(tmp_path, capsys, "Na quinta, 10/12, atendimento das 9h às 12h e das 14h às 16h.", front) == (0, (
        f'{PATH}:6:19: warning: the text says the hours of 2026-12-10 (quinta-feira) are "atendimento das 9h às 12h '
        "e das 14h às 16h\", but the notice's change that day says email 00:00-24:00, phone 09:00-12:00\n"
        "  hint: make the text and the change at line 4 agree\n"))


def test_closed_on_a_public_holiday_the_site_already_closes_stays_silent(tmp_path, capsys):
    # 25/12 is a Brazilian public holiday and site.yaml's holidays close every department on it.
    assert check(tmp_path, capsys, "Estaremos fechados no dia 25/12 (Natal).", strict=True,
                 files=HOLIDAYS) == (0, "")


def test_closed_on_a_day_the_site_keeps_open_is_warned_about(tmp_path, capsys):
    assert check(tmp_path, capsys, "Estaremos fechados no dia 25/12 (Natal).") == (0, (
        f'{PATH}:5:1: warning: the text says the hours of 2026-12-25 (sexta-feira) change ("Estaremos fechados"), '
        "but the notice changes no hours that day\n  hint: add a change, e.g. changes: [{date: 2026-12-25, closed: "
        "true}] (see docs/format.md), or list the date in prose_dates_ok if the text only repeats the usual hours\n"))


def hours_with(financeiro: str, suporte_phone: str = "") -> str:
    """Return HOURS with `financeiro`'s own lines (holidays) and more lines for suporte's phone hours."""
    text = HOURS.replace("          sat: 09:00-12:00\n", f"          sat: 09:00-12:00\n{suporte_phone}")
    return text.replace("  - id: financeiro\n", f"  - id: financeiro\n{financeiro}")


def test_a_department_s_own_holidays_are_its_usual_hours(tmp_path, capsys):
    files = {"site_src/hours.yaml": hours_with("    holidays: {country: BR}\n")}
    assert check(tmp_path / "own", capsys, "O financeiro estará fechado no dia 25/12 (Natal).", strict=True,
                 files=files) == (0, "")
    # suporte follows the site's holidays, and the site has none.
    status, err = check(tmp_path / "site's", capsys, "O suporte estará fechado no dia 25/12 (Natal).", files=files)
    assert err.startswith(f'{PATH}:5:11: warning: the text says the hours of 2026-12-25 (sexta-feira) change '
                          '("estará fechado")')


def test_a_department_without_holidays_is_open_on_the_site_s(tmp_path, capsys):
    files = {**HOLIDAYS, "site_src/hours.yaml": hours_with("    holidays: {}\n")}
    assert check(tmp_path, capsys, "O financeiro estará fechado no dia 25/12 (Natal).", files=files) == (0, (
        f'{PATH}:5:14: warning: the text says the hours of 2026-12-25 (sexta-feira) change ("estará fechado"), '
        "but the notice changes no hours that day\n  hint: add a change, e.g. departments: [financeiro] and changes: "
        "[{date: 2026-12-25, closed: true}] (see docs/format.md), or list the date in prose_dates_ok if the text "
        "only repeats the usual hours\n"))


def test_a_channel_s_holiday_hours_are_its_usual_hours_that_day(tmp_path, capsys):
    files = {**HOLIDAYS, "site_src/hours.yaml": hours_with("", "          holidays: 09:00-12:00\n")}
    assert check(tmp_path, capsys, "No dia 25/12 (Natal), o suporte fecha às 12h.", strict=True,
                 files=files) == (0, "")
    _, err = check(tmp_path, capsys, "No dia 25/12 (Natal), o suporte fecha às 11h.", files=files)
    assert err.endswith("hint: add a change, e.g. departments: [suporte] and changes: [{date: 2026-12-25, hours: "
                        "{phone: 09:00-11:00, email: 00:00-24:00}}] (see docs/format.md), or list the date in "
                        "prose_dates_ok if the text only repeats the usual hours\n")


def test_a_holiday_added_or_removed_checks_the_notice_again(tmp_path, capsys):
    # The second check reuses the kept checks of the first (.expediente-cache): the site's holidays are in their key.
    body = "Estaremos fechados no dia 25/12 (Natal)."
    first = check(tmp_path, capsys, body)
    assert first[1].count("warning:") == 1 and (tmp_path / "site" / ".expediente-cache").is_dir()
    assert check(tmp_path, capsys, body, files=HOLIDAYS) == (0, "")
    assert check(tmp_path, capsys, body, files={"site_src/site.yaml": SITE}) == first
    # A department's own holidays, likewise.
    assert check(tmp_path, capsys, body, files={"site_src/hours.yaml": hours_with(
        "    holidays: {country: BR}\n").replace("  - id: suporte\n", "  - id: suporte\n    holidays: {country: BR}\n")}
        ) == (0, "")


def test_another_business_closing_stays_silent(tmp_path, capsys):
    # The banks' hours, not support's: a service word that a qualifier makes someone else's is no service.
    assert check(tmp_path, capsys, "Na quinta, 10/12, as agências bancárias fecham às 16h; pague o boleto antes.",
                 strict=True) == (0, "")


def test_two_days_in_one_sentence_give_one_list_of_changes(tmp_path, capsys):
    # Each hint pasted alone would replace the other's `changes`: the second lists both days.
    text = "Na quinta, 10/12, o suporte fecha às 15h e na sexta, 11/12, abre às 10h."
    thursday = "{date: 2026-12-10, hours: {phone: [09:00-12:00, 14:00-15:00], email: 00:00-24:00}}"
    friday = "{date: 2026-12-11, hours: {phone: [10:00-12:00, 14:00-18:00], email: 00:00-24:00}}"
    tail = " (see docs/format.md), or list the date in prose_dates_ok if the text only repeats the usual hours\n"
    assert check(tmp_path, capsys, text) == (0, (
        f'{PATH}:5:29: warning: the text says the hours of 2026-12-10 (quinta-feira) change ("fecha às 15h"), but '
        f"the notice changes no hours that day\n  hint: add a change, e.g. departments: [suporte] and changes: "
        f"[{thursday}]{tail}"
        f'{PATH}:5:61: warning: the text says the hours of 2026-12-11 (sexta-feira) change ("abre às 10h"), but '
        f"the notice changes no hours that day\n  hint: add both days in one changes list, e.g. departments: "
        f"[suporte] and changes: [{thursday}, {friday}]{tail}"))
    front = f"departments: [suporte]\nchanges: [{thursday}, {friday}]\n"
    assert check(tmp_path, capsys, text, front, strict=True) == (0, "")


def test_only_the_blocks_that_name_a_day_are_read_and_the_others_change_nothing(tmp_path, capsys):
    # A phrase is held against the dates of its own sentence: a paragraph, heading or list item without a date
    # (read no more) says nothing, whatever phrases it holds, and changes nothing of what its neighbours say.
    said = "Na quinta, dia 10, o suporte fecha às 15h."
    alone = check(tmp_path, capsys, said)[1]
    assert alone.startswith(f"{PATH}:5:30: warning: the text says the hours of 2026-12-10")
    body = "\n\n".join(["# Atendimento fechado", "O suporte fecha às 15h.", said, "- fechado\n- abrimos às 10h",
                        "Estaremos fechados."])
    assert check(tmp_path, capsys, body) == (0, alone.replace(f"{PATH}:5:30:", f"{PATH}:9:30:"))


SENTENCES = [entry["text"] for kind in ("ok", "bad") for entry in CORPUS[kind]] + [
    "Fechado.", "Quinta, 10/12: fechado", "closed", "- 10/12: fechado", "# Atendimento", "| 10/12 | fechado |",
    "Sem atendimento no dia.", "Atendimento até as 15h.", "fecha\nàs 15h", "Suporte: das 9h às 12h.", "1. fechado"]
JOINS = ["\n\n", "\n", " ", "\n- ", "\n1. ", "\n# ", "\n> ", "\n| "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SENTENCES), st.sampled_from(JOINS)), min_size=1, max_size=6),
       st.sampled_from(["pt-BR", "es", "en"]))
def test_the_blocks_read_hold_the_phrases_the_whole_text_s_reading_finds_there(pieces, lang):
    """find_hours_phrases given the dates' offsets finds, in the blocks holding a date, what the whole text's
    reading finds there, and nothing elsewhere: no phrase crosses a block's end (text.py's NUL)."""
    text = "".join(sentence + join for sentence, join in pieces).rstrip()
    names = frozenset({"suporte", "financeiro", "phone"})
    near = tuple(found.offset for found in find_dates(text, lang, date(2026, 12, 7)))
    prepared = prepare(text)

    def block(offset: int) -> int:
        return prepared.folded.count("\0", 0, bisect_left(prepared.origin, offset))

    held = {block(offset) for offset in near}
    whole = find_hours_phrases(text, names)
    assert find_hours_phrases(text, names, near) == tuple(p for p in whole if block(p.offset) in held)


def clause_read_from_its_start(folded: str, start: int, names: frozenset[str]) -> bool:
    """The question _Clauses answers, asked as it was first written: the clause before `start` read whole."""
    breaks = [m.end() for m in hours_phrases._CLAUSE_BREAK.finditer(folded, 0, start)]
    clause = hours_phrases._WORD.findall(folded[breaks[-1] if breaks else 0:start])
    words = [w for w in clause if w not in hours_phrases._SUBJECT_SKIP]
    return not words or any((w in hours_phrases.SERVICE_WORDS and not hours_phrases._someone_else_s(clause, i))
                            or w in names for i, w in enumerate(clause) if w not in hours_phrases._SUBJECT_SKIP)


# Services, other businesses' words, words that are no subject, the site's names, and words cut by a phrase's start.
CLAUSE_WORDS = sorted({"suporte", "atendimento", "agencia", "agencias", "bancarias", "dos", "correios", "da",
                       "prefeitura", "post", "office", "the", "o", "a", "na", "quinta", "dia", "janela", "fecha",
                       "financeiro", "phone", "x-fecha", "ab1c", "we're", "rede", "banco", "bank", "nossa",
                       "agencia dos correios", "o atendimento da prefeitura", "as agencias bancarias", "the post office",
                       "o suporte do banco"})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CLAUSE_WORDS), st.sampled_from([" ", " ", ", ", ". ", "\n", ": ", "-", "("])),
                min_size=1, max_size=40))
def test_a_clause_read_once_answers_as_reading_it_from_its_start(pieces):
    """Whether the words before a phrase in its clause speak of a service is answered from each clause's words
    read once (a text of one clause holding hundreds of phrases once read it again for each) as reading the
    clause from its start answers it, at every offset, a word cut there included."""
    folded = prepare("".join(word + join for word, join in pieces)).folded
    names = frozenset({"suporte", "financeiro", "phone"})
    clauses = hours_phrases._Clauses(folded, names)
    assert [clauses.speaks_of_service(start) for start in range(len(folded) + 1)] == [
        clause_read_from_its_start(folded, start, names) for start in range(len(folded) + 1)]
