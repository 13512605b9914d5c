"""Dates as staff write them (issue 17): weekdays beside bare day numbers, ranges whose ends carry
weekdays, informal abbreviations; the corpus in tests/prose/informal, and the rules one by one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from generator.errors import ERROR
from generator.validate.dates_in_text import check_dates, find_dates, parse_weekday

CORPUS = Path(__file__).parent / "prose" / "informal"
MARCH_2 = date(2026, 3, 2)        # a Monday; 12 March 2026 is a Thursday


def entries(kind: str):
    for path in sorted(CORPUS.glob("*.yaml")):
        for number, entry in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))[kind]):
            yield pytest.param(entry.get("lang", path.stem), entry, id=f"{path.stem}-{number}")


def period_of(entry):
    return tuple(entry["period"]) if "period" in entry else None


def test_the_corpus_has_fifty_correct_sentences_per_language_and_mistakes_in_each():
    for path in sorted(CORPUS.glob("*.yaml")):
        corpus = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert len(corpus["ok"]) >= 50 and len(corpus["bad"]) >= 6, path.name


@pytest.mark.parametrize("lang, entry", list(entries("ok")))
def test_correct_informal_sentences_raise_nothing_and_their_dates_are_read(lang, entry):
    period = period_of(entry)
    assert check_dates(entry["text"], lang, entry["date"], "n.md", 0, period) == ()
    found = find_dates(entry["text"], lang, entry["date"], period)
    assert sum(f.weekday is not None for f in found) == entry["weekdays"]


@pytest.mark.parametrize("lang, entry", list(entries("bad")))
def test_each_informal_mistake_is_one_error_at_its_place_with_the_intended_date(lang, entry):
    problems = check_dates(entry["text"], lang, entry["date"], "n.md", 0, period_of(entry))
    (error,) = [p for p in problems if p.severity == ERROR]
    assert f"{error.line}:{error.column}: {error.message}" == entry["error"]
    assert error.hint == entry["hint"]


def messages(text: str, lang: str, reference: date = MARCH_2, period=None) -> list[str]:
    return [p.format() for p in check_dates(text, lang, reference, "n.md", 0, period)]


# --- bare day numbers ---------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, expected, hint", [
    ("Fechado na sexta, dia 12.", "pt-BR", "n.md:1:23: error: dia 12 (2026-03-12) is a Thursday (quinta-feira), not sexta",
     "2026-03-13 is a Friday (did you mean the 13th?)"),
    ("Cerrado el viernes día 12.", "es", "n.md:1:24: error: día 12 (2026-03-12) is a Thursday (jueves), not viernes",
     "2026-03-13 is a Friday (did you mean the 13th?)"),
    ("Closed on Monday the 10th.", "en-GB", "n.md:1:22: error: the 10th (2026-03-10) is a Tuesday, not Monday",
     "2026-03-09 is a Monday (did you mean the 9th?)"),
    ("Fechado no dia 13 (quinta).", "pt-PT", "n.md:1:16: error: dia 13 (2026-03-13) is a Friday (sexta-feira), not quinta",
     "2026-03-12 is a Thursday (did you mean the 12th?)"),
])
def test_a_weekday_with_a_bare_day_number_is_checked_in_every_language(text, lang, expected, hint):
    assert messages(text, lang) == [f"{expected}\n  hint: {hint}"]


def test_without_a_period_a_bare_day_is_the_next_such_day_across_the_year_end():
    (found,) = find_dates("Voltamos na segunda, dia 4.", "pt-BR", date(2026, 12, 20))
    assert (found.day, found.weekday, found.year_inferred) == (date(2027, 1, 4), 0, True)
    (found,) = find_dates("Na terça, dia 3, fechamos.", "pt-BR", date(2026, 3, 3))
    assert found.day == date(2026, 3, 3)               # the notice's own date counts


def test_with_a_period_a_bare_day_is_read_inside_it():
    period = (date(2027, 1, 4), date(2027, 1, 8))
    (found,) = find_dates("Fechado na quinta, dia 7.", "pt-BR", date(2026, 11, 2), period)
    assert found.day == date(2027, 1, 7)
    assert messages("Na quarta (dia 8) a central muda.", "pt-BR", date(2026, 11, 2), period) == [
        "n.md:1:16: error: dia 8 (2027-01-08) is a Friday (sexta-feira), not quarta\n"
        "  hint: 2027-01-06 is a Wednesday and lies inside the notice's period"]


def test_a_bare_day_in_the_week_before_the_notice_is_read_there_when_its_weekday_fits():
    (found,) = find_dates("Ontem, quinta, dia 12, a rede caiu.", "pt-BR", date(2026, 3, 13))
    assert found.day == date(2026, 3, 12)
    assert messages("Ontem, quarta, dia 12, a rede caiu.", "pt-BR", date(2026, 3, 13)) == [
        "n.md:1:20: error: dia 12 (2026-04-12) is a Sunday (domingo), not quarta\n"
        "  hint: Wednesday is 8 or 15 April"]


@pytest.mark.parametrize("text, lang", [
    ("No sábado, 3 técnicos ficam de plantão.", "pt-BR"),       # a count
    ("De segunda a sexta, 8 a 18.", "pt-BR"),                   # hours without "h"
    ("Sábado, 9 às 13h.", "pt-BR"),
    ("Sábado, 9 h às 13 h.", "pt-BR"),
    ("| Segunda | 9 | 18 |", "pt-BR"),                         # a table of hours
    ("- Segunda: 9 – 18", "pt-BR"),
    ("Sexta, 13 anos de empresa!", "pt-BR"),
    ("Open Monday–Friday, 9 to 5.", "en-US"),
    ("Friday, 5 pm: last orders.", "en-GB"),
    ("Los lunes, 2 horas de atención extra.", "es"),
    ("Atención de lunes a viernes, 9 a 18 h.", "es"),
    ("Segunda que vem, 16, não.", "pt-BR"),                     # words between: not beside
    ("Quinta da Marinha, 12.", "pt-PT"),
    ("Rua Sexta, 12.", "pt-BR"),
    ("chamado 12, quinta", "pt-BR"),
    ("o boleto deve ter 12 parcelas, sex 13", "pt-BR"),          # "ter" and "sex" in lower case are words
    ("el mar 12 de calma", "es"),
    ("the sun 15 times", "en-US"),
])
def test_numbers_beside_weekday_words_that_are_not_days_raise_nothing(text, lang):
    assert messages(text, lang, date(2026, 3, 2)) == []
    assert messages(text, lang, date(2026, 3, 4)) == []        # whatever the weekdays of the month


def test_a_number_after_a_weekday_without_a_lead_word_is_a_day_only_before_punctuation_or_a_range():
    assert [f.day for f in find_dates("No sábado, 14, abrimos.", "pt-BR", MARCH_2)] == [date(2026, 3, 14)]
    assert find_dates("No sábado, 14 técnicos.", "pt-BR", MARCH_2) == ()
    assert [f.day for f in find_dates("El jueves 12 abrimos.", "es", MARCH_2)] == [date(2026, 3, 12)]


# --- ranges and lists whose ends carry weekdays -------------------------------------------


@pytest.mark.parametrize("text, lang, expected", [
    ("de terça, 9, a quarta, 11 de março", "pt-BR",
     "n.md:1:11: error: 9 de março (2026-03-09) is a Monday (segunda-feira), not terça\n"
     "  hint: 2026-03-10 is a Tuesday (did you mean the 10th?)"),
    ("del martes 9 al miércoles 11 de marzo", "es",
     "n.md:1:12: error: 9 de marzo (2026-03-09) is a Monday (lunes), not martes\n"
     "  hint: 2026-03-10 is a Tuesday (did you mean the 10th?)"),
    ("from Tuesday 9th to Wednesday 11th March", "en-GB",
     "n.md:1:14: error: 9th March (2026-03-09) is a Monday, not Tuesday\n"
     "  hint: 2026-03-10 is a Tuesday (did you mean the 10th?)"),
])
def test_the_first_end_of_a_range_takes_its_month_from_the_last(text, lang, expected):
    assert messages(text, lang) == [expected]


def test_a_range_with_weekdays_on_its_ends_is_read_as_a_range():
    first, last = find_dates("de segunda, 9, a quarta, 11 de março", "pt-BR", MARCH_2)
    assert first.range == last.range == (date(2026, 3, 9), date(2026, 3, 11))
    first, last = find_dates("de sexta, 30, a domingo, 1 de novembro", "pt-BR", date(2026, 10, 20))
    assert first.day == date(2026, 10, 30) and first.range == (date(2026, 10, 30), date(2026, 11, 1))


def test_a_list_of_bare_days_pairs_with_a_list_of_weekdays():
    found = find_dates("Na quinta e sexta, dias 12 e 13, fechado.", "pt-BR", MARCH_2)
    assert [(f.day, f.weekday_written) for f in found] == [(date(2026, 3, 12), "quinta"), (date(2026, 3, 13), "sexta")]
    assert messages("Nos dias 12 e 13 (quinta e sábado).", "pt-BR") == [
        "n.md:1:15: error: 13 (2026-03-13) is a Friday (sexta-feira), not sábado\n"
        "  hint: 2026-03-14 is a Saturday (did you mean the 14th?)"]


# --- informal abbreviations ---------------------------------------------------------------


@pytest.mark.parametrize("word, langs, expected", [
    ("Seg.", "pt-PT", 0), ("Ter.", "pt-PT", 1), ("Qua.", "pt-PT", 2), ("QUI", "pt-PT", 3), ("sex.", "pt-PT", 4),
    ("Sáb", "pt-PT", 5), ("dom", "pt-PT", 6), ("4ª feira", "pt-PT", 2), ("4a-feira", "pt-BR", 2),
    ("Miérc.", "es", 2), ("mierc", "es", 2), ("Juev.", "es", 3), ("vier", "es", 4),
    ("Tues.", "en", 1), ("THUR", "en-GB", 3), ("thurs", "en-US", 3), ("Weds", "en", 2),
    ("Seg.", "es", None), ("Miérc.", "pt-BR", None), ("Lu", "es", None), ("Tu", "en", None),
])
def test_informal_abbreviations_are_weekdays_in_their_language(word, langs, expected):
    assert parse_weekday(word, langs) == expected


@pytest.mark.parametrize("text, lang, written", [
    ("Qui 12/3", "pt-BR", "Qui"), ("Seg. 9/3", "pt-PT", "Seg"), ("qua. 11/03", "pt-PT", "qua"),
    ("Dom 15/3/2026", "pt-BR", "Dom"), ("Miérc. 11/3", "es", "Miérc"), ("Thur 12/3", "en-GB", "Thur"),
    ("Tues., 3/10", "en-US", "Tues"),
])
def test_abbreviated_weekdays_before_numeric_dates_without_a_year(text, lang, written):
    (found,) = find_dates(text, lang, MARCH_2)
    assert found.weekday_written == written and found.weekday == found.day.weekday()


# --- a weekday opening a sentence, and a lower-case abbreviation inside a list of days -----


@pytest.mark.parametrize("text, lang, expected", [
    ("Segunda 17 voltamos ao horário normal.", "pt-BR",
     "n.md:1:9: error: 17 (2026-03-17) is a Tuesday (terça-feira), not Segunda\n"
     "  hint: 2026-03-16 is a Monday (did you mean the 16th?)"),
    ("Aviso: Lunes 17 no abrimos, volvemos el martes.", "es", None),
    ("Obras terminadas. Lunes 17 abrimos.", "es",
     "n.md:1:25: error: 17 (2026-03-17) is a Tuesday (martes), not Lunes\n"
     "  hint: 2026-03-16 is a Monday (did you mean the 16th?)"),
    ("Monday 17 we reopen at 9.", "en-US",
     "n.md:1:8: error: 17 (2026-03-17) is a Tuesday, not Monday\n"
     "  hint: 2026-03-16 is a Monday (did you mean the 16th?)"),
])
def test_a_capitalised_weekday_opening_a_sentence_with_a_number_and_what_happens(text, lang, expected):
    assert messages(text, lang) == ([expected] if expected else [])


@pytest.mark.parametrize("text, lang", [
    ("Sábado 3 técnicos ficam de plantão.", "pt-BR"),          # a count: its noun follows
    ("Sábado 10 cêntimos por minuto.", "pt-PT"),
    ("segunda 17 voltamos", "pt-BR"),                          # not capitalised
    ("Na rua, Segunda 17 voltamos", "pt-BR"),                  # not opening a sentence
    ("Sábado 12 últimos lugares.", "pt-BR"),
])
def test_a_weekday_opening_a_sentence_before_a_count_stays_silent(text, lang):
    assert find_dates(text, lang, MARCH_2) == ()


@pytest.mark.parametrize("text, lang, expected", [
    ("Sáb 22 y dom 22 cerrado.", "es",
     "n.md:1:5: error: 22 (2026-03-22) is a Sunday (domingo), not Sáb\n"
     "  hint: 2026-03-21 is a Saturday (did you mean the 21st?)"),
    ("Sáb 21 y dom 23 cerrado.", "es",
     "n.md:1:14: error: 23 (2026-03-23) is a Monday (lunes), not dom\n"
     "  hint: 2026-03-22 is a Sunday (did you mean the 22nd?)"),
    ("Sex. 13/3 e sex 14/3 sem atendimento.", "pt-BR",
     "n.md:1:17: error: 14/3 (2026-03-14) is a Saturday (sábado), not sex\n"
     "  hint: 2026-03-13 is a Friday (did you mean the 13th?)"),
])
def test_a_lower_case_abbreviation_is_a_weekday_next_in_a_list_of_days(text, lang, expected):
    assert messages(text, lang) == [expected]


def test_the_lower_case_abbreviation_of_a_list_reads_both_days_when_right():
    found = find_dates("Sáb 21 y dom 22 cerrado.", "es", MARCH_2)
    assert [(f.day, f.weekday_written) for f in found] == [(date(2026, 3, 21), "Sáb"), (date(2026, 3, 22), "dom")]
    assert find_dates("o boleto deve ter 12 parcelas, sex 13", "pt-BR", MARCH_2) == ()


@pytest.mark.parametrize("text, lang, expected", [
    ("Dias 16, 17 e 18 (seg, ter e qui).", "pt-BR",
     "n.md:1:15: error: 18 (2026-03-18) is a Wednesday (quarta-feira), not qui\n"
     "  hint: 2026-03-19 is a Thursday (did you mean the 19th?)"),
    ("- Sábado 15: horario normal", "es",
     "n.md:1:10: error: 15 (2026-03-15) is a Sunday (domingo), not Sábado\n"
     "  hint: 2026-03-14 is a Saturday (did you mean the 14th?)"),
    ("Viernes 14 (San José): cerrado.", "es",
     "n.md:1:9: error: 14 (2026-03-14) is a Saturday (sábado), not Viernes\n"
     "  hint: 2026-03-13 is a Friday (did you mean the 13th?)"),
])
def test_a_list_of_lower_case_abbreviations_and_a_day_before_a_colon_or_a_parenthesis(text, lang, expected):
    assert messages(text, lang) == [expected]


@pytest.mark.parametrize("text, lang", [
    ("Sábado, 9 (9h às 13h).", "pt-BR"),            # hours in the parenthesis
    ("Sábado 3 (três) técnicos.", "pt-BR"),         # a parenthesis in lower case is not a name
    ("Sábado 3 (dos 10) técnicos.", "pt-BR"),
    ("Segunda: 9:00 às 18:00", "pt-BR"),
    ("o boleto vai ter 12 parcelas, ter e sex", "pt-BR"),
])
def test_numbers_before_a_colon_or_a_parenthesis_that_are_not_days_stay_silent(text, lang):
    assert messages(text, lang) == []
