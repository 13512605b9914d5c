"""Dates written in notice prose: what is found, what is reported, and what must never be."""

from __future__ import annotations

import time
import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from babel.dates import get_day_names, get_month_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import ERROR, WARNING
from generator.validate.dates_in_text import (
    ProseDate,
    check_dates,
    find_dates,
    infer_year,
    parse_weekday,
    weekday_mismatch_hint,
)
from generator.validate.dates_in_text.text import PREVIOUS_WORD, previous_word

PROSE = Path(__file__).parent / "prose"
OCT_16 = date(2017, 10, 16)
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def read_case(path: Path):
    """Return (lang, body, line_offset, meta) of a corpus file with YAML front matter."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(front)
    return path.name.split(".")[-2], body, front.count("\n") + 2, meta


def period_of(meta):
    return tuple(meta["period"]) if "period" in meta else None


def one(text: str, lang: str = "pt-BR", reference: date = OCT_16) -> ProseDate:
    found = find_dates(text, lang, reference)
    assert len(found) == 1, found
    return found[0]


def messages(text: str, lang: str = "pt-BR", reference: date = OCT_16, period=None) -> list[str]:
    return [p.format() for p in check_dates(text, lang, reference, "n.md", 0, period)]


# --- the corpus -------------------------------------------------------------------------

OK_FILES = sorted((PROSE / "ok").glob("*.md"))
BAD_FILES = sorted((PROSE / "bad").glob("*.md"))


def test_the_correct_corpus_is_large_and_covers_every_language():
    langs = {path.name.split(".")[-2] for path in OK_FILES}
    assert {"pt-BR", "pt-PT", "es", "en-US", "en-GB"} <= langs
    paragraphs = sum(len([p for p in read_case(path)[1].split("\n\n") if p.strip() and not p.startswith("#")])
                     for path in OK_FILES)
    assert paragraphs >= 40


@pytest.mark.parametrize("path", OK_FILES, ids=lambda p: p.name)
def test_correct_notices_raise_nothing_and_their_dates_are_seen(path):
    lang, body, offset, meta = read_case(path)
    assert check_dates(body, lang, meta["date"], path.name, offset, period_of(meta)) == ()
    found = find_dates(body, lang, meta["date"])
    # The counts keep "raises nothing" honest: the dates and weekdays were read, not missed.
    assert (len(found), sum(f.weekday is not None for f in found)) == (meta["dates"], meta["weekdays"])


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_notices_with_mistakes_give_exactly_the_expected_problems(path, update_golden):
    lang, body, offset, meta = read_case(path)
    problems = check_dates(body, lang, meta["date"], f"bad/{path.name}", offset, period_of(meta))
    got = "".join(p.format() + "\n" for p in problems)
    expected_path = path.with_suffix(".expected")
    if update_golden:
        expected_path.write_text(got, encoding="utf-8")
    assert got == expected_path.read_text(encoding="utf-8")
    assert any(p.severity == ERROR for p in problems)


# --- the messages -----------------------------------------------------------------------


def test_the_classic_wrong_month_beside_the_right_weekday():
    text = "Alteração de expediente: fechado em 17 de Setembro de 2017, Terça-Feira"
    (problem,) = check_dates(text, "pt-BR", OCT_16, "notices/x.md", 10)
    assert (problem.line, problem.column, problem.severity) == (11, 37, ERROR)
    assert problem.message == "17 de Setembro de 2017 is a Sunday (domingo), not Terça-Feira"
    assert problem.hint == "2017-10-17 is a Tuesday (did you mean October?)"
    (problem,) = [p for p in check_dates(text, "pt-BR", OCT_16, "x", 0, (OCT_16, date(2017, 10, 31)))
                  if p.severity == ERROR]
    assert problem.hint == "2017-10-17 is a Tuesday and lies inside the notice's period"


@pytest.mark.parametrize("text, lang, reference, expected", [
    ("Fechado em 31/09/2017.", "pt-BR", OCT_16, "n.md:1:12: error: 31/09/2017 does not exist: September 2017 has 30 days"),
    ("Billing runs on 2019-02-29.", "en-US", date(2019, 2, 1),
     "n.md:1:17: error: 2019-02-29 does not exist: February 2019 has 28 days"),
    ("Cerrado el 31 de junio.", "es", date(2018, 6, 1), "n.md:1:12: error: 31 de junio does not exist: June 2018 has 30 days"),
    ("29 de fevereiro", "pt-PT", date(2019, 1, 10), "n.md:1:1: error: 29 de fevereiro does not exist: February 2019 has 28 days"),
    ("dias 29 e 30/02/2020", "pt-BR", OCT_16, "n.md:1:11: error: 30/02/2020 does not exist: February 2020 has 29 days"),
])
def test_a_date_that_does_not_exist(text, lang, reference, expected):
    assert messages(text, lang, reference) == [expected]


def test_29_february_of_a_leap_year_exists():
    assert messages("Fechado em 29/02/2020 (sábado).", "pt-BR") == []


def test_a_bare_day_of_a_list_is_named_with_its_month_in_the_message():
    assert messages("29 e 30 de fevereiro de 2018", "pt-BR") == [
        "n.md:1:1: error: 29 de fevereiro de 2018 does not exist: February 2018 has 28 days",
        "n.md:1:6: error: 30 de fevereiro de 2018 does not exist: February 2018 has 28 days"]


@pytest.mark.parametrize("text, lang, reference, expected, hint", [
    ("Fechado na sexta-feira, 24 de abril de 2025.", "pt-PT", date(2025, 4, 1),
     "n.md:1:25: error: 24 de abril de 2025 is a Thursday (quinta-feira), not sexta-feira",
     "2025-04-25 is a Friday (did you mean the 25th?)"),
    ("Cerrado el martes 17 de octubre de 2018.", "es", date(2018, 10, 1),
     "n.md:1:19: error: 17 de octubre de 2018 is a Wednesday (miércoles), not martes",
     "2018-10-16 is a Tuesday (did you mean the 16th?)"),
    ("Closed on Friday, November 29, 2023.", "en-US", date(2024, 11, 15),
     "n.md:1:19: error: November 29, 2023 is a Wednesday, not Friday",
     "2024-11-29 is a Friday (did you mean 2024?)"),
    ("Closed on Monday 27 May.", "en-GB", date(2025, 5, 1),
     "n.md:1:18: error: 27 May (2025-05-27) is a Tuesday, not Monday",
     "2025-05-26 is a Monday (did you mean the 26th?)"),
    ("Fechado na quarta (17/10).", "pt-BR", OCT_16,
     "n.md:1:20: error: 17/10 (2017-10-17) is a Tuesday (terça-feira), not quarta",
     "2017-10-18 is a Wednesday (did you mean the 18th?)"),
])
def test_a_wrong_weekday_in_each_language(text, lang, reference, expected, hint):
    (problem,) = check_dates(text, lang, reference, "n.md")
    assert problem.format() == f"{expected}\n  hint: {hint}"


def test_a_date_outside_the_period_is_a_warning():
    (problem,) = check_dates("Voltamos em 03/11.", "pt-BR", OCT_16, "n.md", 4, (OCT_16, date(2017, 10, 31)))
    assert problem.severity == WARNING
    assert problem.format() == ("n.md:5:13: warning: 03/11 (2017-11-03) lies outside the notice's period "
                                "(2017-10-16 to 2017-10-31)\n"
                                "  hint: check the date; if it is meant, add it to the front matter: "
                                "prose_dates_ok: [2017-11-03]")


def test_positions_count_characters_of_the_original_text_on_each_line():
    text = "Título\n\nAlteração: fechado na sexta,\n17/10. E\u0301 isso."   # É written decomposed
    (problem,) = check_dates(text, "pt-BR", OCT_16, "n.md", 3)
    assert (problem.line, problem.column) == (7, 1)
    text = "Aviso: E\u0301 fechado na sexta, 17/10."
    assert one(text).column == len("Aviso: E\u0301 fechado na sexta, ") + 1
    assert unicodedata.is_normalized("NFC", text) is False


# --- weekday words ----------------------------------------------------------------------


@pytest.mark.parametrize("word, expected", [
    ("Terça-Feira", 1), ("terca", 1), ("terça feira", 1), ("3ª-feira", 1), ("3a feira", 1), ("3.ª feira", 1),
    ("3ª", 1), ("ter.", 1), ("Tue", 1), ("Tues", 1), ("Tuesday", 1), ("sábado", 5), ("Sabado", 5), ("SÁB.", 5),
    ("2ª", 0), ("6ª-feira", 4), ("segunda", 0), ("qua", 2), ("Thurs", 3), ("Thu", 3), ("domingo", 6),
    ("martes", 1), ("miércoles", 2), ("miercoles", 2), ("mié", 2), ("vie", 4),
    ("7ª", None), ("1ª-feira", None), ("feira", None), ("3ª via", None), ("terças", None), ("", None), ("X", None),
])
def test_parse_weekday(word, expected):
    assert parse_weekday(word, ("pt-BR", "es")) == expected


def test_english_weekdays_are_always_known():
    assert parse_weekday("Wednesday", "pt-PT") == 2
    assert parse_weekday("miércoles", "pt-PT") is None
    assert parse_weekday("3ª-feira", "en") is None      # the ordinal forms are Portuguese


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'xx-YY'"):
        find_dates("17/10", "xx-YY", OCT_16)


# --- shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, written, day, weekday", [
    ("Fechado em 17 de Setembro de 2017, Terça-Feira.", "pt-BR", "17 de Setembro de 2017", date(2017, 9, 17), "Terça-Feira"),
    ("terça-feira, 17 de outubro", "pt-BR", "17 de outubro", date(2017, 10, 17), "terça-feira"),
    ("3ª-feira (17/10)", "pt-BR", "17/10", date(2017, 10, 17), "3ª-feira"),
    ("Sabado 21/10/2017", "pt-BR", "21/10/2017", date(2017, 10, 21), "Sabado"),
    ("Tuesday, October 17, 2017", "en-US", "October 17, 2017", date(2017, 10, 17), "Tuesday"),
    ("Tue 17 Oct", "en-GB", "17 Oct", date(2017, 10, 17), "Tue"),
    ("2017-10-17 (Tuesday)", "pt-BR", "2017-10-17", date(2017, 10, 17), "Tuesday"),
    ("17/10/2017", "pt-BR", "17/10/2017", date(2017, 10, 17), None),
    ("17/10", "es", "17/10", date(2017, 10, 17), None),
    ("17.10.2017", "en-US", "17.10.2017", date(2017, 10, 17), None),
    ("October 17th", "en", "October 17th", date(2017, 10, 17), None),
    ("el martes 17 de octubre de 2017", "es", "17 de octubre de 2017", date(2017, 10, 17), "martes"),
    ("martes, 17 de octubre", "es", "17 de octubre", date(2017, 10, 17), "martes"),
    ("dia 17/10 (terça)", "pt-BR", "17/10", date(2017, 10, 17), "terça"),
    ("Tuesday the 17th of October", "en-GB", "17th of October", date(2017, 10, 17), "Tuesday"),
    ("on Tues., Oct. 17", "en-US", "Oct. 17", date(2017, 10, 17), "Tues"),
    ("1º de maio", "pt-BR", "1º de maio", date(2017, 5, 1), None),
    ("17 de out. de 2017 (ter.)", "pt-BR", "17 de out. de 2017", date(2017, 10, 17), "ter"),
    ("17 de octubre del 2017", "es", "17 de octubre del 2017", date(2017, 10, 17), None),
    ("17-Oct-2017", "en-GB", "17-Oct-2017", date(2017, 10, 17), None),
    ("2017/10/17", "pt-BR", "2017/10/17", date(2017, 10, 17), None),
    ("17-10-2017", "pt-BR", "17-10-2017", date(2017, 10, 17), None),
    ("17/10/17", "pt-BR", "17/10/17", date(2017, 10, 17), None),
    ("2017-10-17T14:00", "en", "2017-10-17", date(2017, 10, 17), None),
    ("**Terça-feira, 17/10:** fechado", "pt-BR", "17/10", date(2017, 10, 17), "Terça-feira"),
    ("| 17/10 | terça-feira | 08h às 12h |", "pt-BR", "17/10", date(2017, 10, 17), "terça-feira"),
    ("- Sábado: 21/10", "pt-BR", "21/10", date(2017, 10, 21), "Sábado"),
    ("Mar 17 de octubre", "es", "17 de octubre", date(2017, 10, 17), "Mar"),   # martes, not March
    ("18 de setiembre de 2017", "es", "18 de setiembre de 2017", date(2017, 9, 18), None),
    ("2.ª feira, 16/10", "pt-PT", "16/10", date(2017, 10, 16), "2.ª feira"),
])
def test_shapes(text, lang, written, day, weekday):
    found = one(text, lang)
    assert (found.text, found.day, found.weekday_written) == (written, day, weekday)
    assert text[found.offset:].startswith(found.text)


@pytest.mark.parametrize("text, lang, days, is_range", [
    ("de 19/10 a 30/10", "pt-BR", ["19/10", "30/10"], True),
    ("19/10-30/10", "pt-BR", ["19/10", "30/10"], True),
    ("19 a 30 de outubro", "pt-BR", ["19", "30 de outubro"], True),
    ("entre 17/10 e 02/11", "pt-BR", ["17/10", "02/11"], True),
    ("del 19 al 30 de octubre", "es", ["19", "30 de octubre"], True),
    ("October 19–30, 2017", "en-US", ["October 19", "30"], True),
    ("from 19 to 30 October", "en-GB", ["19", "30 October"], True),
    ("dias 21 e 22/10", "pt-BR", ["21", "22/10"], False),
    ("17, 18 e 19 de outubro", "pt-BR", ["17", "18", "19 de outubro"], False),
    ("17/10 e 19/10", "pt-BR", ["17/10", "19/10"], False),
])
def test_ranges_and_lists_give_each_of_their_dates(text, lang, days, is_range):
    found = find_dates(text, lang, OCT_16)
    assert [f.text for f in found] == days
    if is_range:
        assert {f.range for f in found} == {(found[0].day, found[-1].day)}
    else:
        assert {f.range for f in found} == {None}


def test_a_bare_day_takes_the_month_and_year_of_the_date_after_it():
    first, last = find_dates("de 28 a 30 de dezembro de 2016", "pt-BR", OCT_16)
    assert (first.day, first.written, first.year_inferred) == (date(2016, 12, 28), "28 de dezembro de 2016", False)
    first, _ = find_dates("October 19–30", "en-US", OCT_16)
    assert (first.text, first.written) == ("October 19", "October 19")


def test_found_dates_expose_what_was_read():
    found = one("Fechado na sexta, 20/10.")
    assert found == ProseDate(line=1, column=19, text="20/10", day=date(2017, 10, 20), weekday_written="sexta",
                              weekday=FRIDAY, written="20/10", parts=(2017, 10, 20), year_inferred=True,
                              offset=18, range=None)


# --- year and order rules ---------------------------------------------------------------


@pytest.mark.parametrize("month, day, reference, year", [
    (10, 17, date(2017, 10, 16), 2017),
    (10, 2, date(2017, 10, 16), 2017),     # a few days before the notice: the same year
    (1, 3, date(2017, 12, 20), 2018),      # early January in a December notice: next year
    (12, 28, date(2018, 1, 5), 2017),      # late December in a January notice: last year
    (4, 15, date(2017, 10, 16), 2018),     # 181 days ahead against 184 behind
    (4, 20, date(2017, 10, 16), 2017),     # 179 days behind against 186 ahead
    (4, 16, date(2017, 10, 16), 2018),     # 182 days either way: the later one
    (2, 29, date(2019, 1, 10), 2019),      # read as 28 February for the distance; then it does not exist
])
def test_infer_year_takes_the_nearest_and_the_later_at_a_tie(month, day, reference, year):
    assert infer_year(month, day, reference) == year


@pytest.mark.parametrize("text, lang, day", [
    ("05/10/2017", "pt-BR", date(2017, 10, 5)),
    ("05/10/2017", "es", date(2017, 10, 5)),
    ("05/10/2017", "en-GB", date(2017, 10, 5)),
    ("05/10/2017", "en-US", date(2017, 5, 10)),
    ("05/10/2017", "en", date(2017, 5, 10)),
    ("17/10/2017", "en-US", date(2017, 10, 17)),   # impossible month first, so day first
    ("10/17/2017", "pt-BR", date(2017, 10, 17)),   # impossible day first, so month first
    ("10-17-2017", "en-US", date(2017, 10, 17)),
    ("05.10.2017", "en-US", date(2017, 10, 5)),    # dotted dates are day first everywhere
])
def test_numeric_order_follows_the_language(text, lang, day):
    assert one(text, lang).day == day


def test_without_a_year_an_impossible_order_is_not_turned_round():
    assert find_dates("17/10", "en-US", OCT_16) == ()
    assert find_dates("10/17", "pt-BR", OCT_16) == ()


# --- tying weekdays to dates ------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Fechado no sábado. 21/10 abrimos.",
    "Fechado no sábado\n\n21/10 abrimos.",
    "Fechado no sábado; 21/10 abrimos.",
    "sábado que vem, 17/10",
    "Terça-feira, 17/10 e 24/10",                 # one weekday for two dates: which one?
    "Sexta-feira Santa, 14/10/2017",               # a holiday's name, not a weekday beside the date
    "Santo Domingo, 17/10",
    "o boleto deve ter 17/10 como vencimento",     # "ter" = to have
    "Emita a 3ª via do boleto, 17/10",
    "Na 2ª chamada (17/10)",
    "Aos sábados, 21/10 e 28/10",                 # plural: every Saturday
    "de segunda a sexta, exceto 18/10",
    "- Fechado no sábado\n- 23/10: normal",      # list items are separate phrases
    "## Sábado\n23/10: normal",                   # so are a heading and what follows it
    "| aberto | terça |\n| 23/10 | x |",           # and table rows
    "Fechado no sábado\n> 23/10: normal",
])
def test_a_weekday_not_right_beside_a_date_is_not_tied(text):
    assert all(found.weekday is None for found in find_dates(text, "pt-BR", OCT_16))
    assert messages(text) == []


@pytest.mark.parametrize("text, lang, pairs", [
    ("sábado\n21/10", "pt-BR", [("21/10", "sábado")]),               # a wrapped line of one paragraph
    ("- Sábado,\n  21/10: fechado", "pt-BR", [("21/10", "Sábado")]),  # a wrapped list item
    ("De segunda a sexta, 16/10 a 20/10", "pt-BR", [("16/10", "segunda"), ("20/10", "sexta")]),
    ("2ª a 6ª, de 16/10 a 20/10", "pt-BR", [("16/10", "2ª"), ("20/10", "6ª")]),
    ("de lunes a viernes, del 16 al 20 de octubre", "es", [("16", "lunes"), ("20 de octubre", "viernes")]),
    ("Mon–Fri, Oct 16–20", "en-US", [("Oct 16", "Mon"), ("20", "Fri")]),
    ("terça a quinta, 17/10, 18/10 e 19/10", "pt-BR", [("17/10", "terça"), ("18/10", None), ("19/10", "quinta")]),
    ("17/10 (terça), 18/10 (quarta)", "pt-BR", [("17/10", "terça"), ("18/10", "quarta")]),
    ("13/10, sexta, 16/10, segunda", "pt-BR", [("13/10", "sexta"), ("16/10", "segunda")]),
    ("Sexta, 13/10, segunda, 16/10", "pt-BR", [("13/10", "Sexta"), ("16/10", "segunda")]),
    ("Saturday, Dec 23 – Monday, Dec 25", "en-US", [("Dec 23", "Saturday"), ("Dec 25", "Monday")]),
    ("17/10, sábado 21/10", "pt-BR", [("17/10", None), ("21/10", "sábado")]),
])
def test_weekdays_pair_with_the_dates_written_beside_them(text, lang, pairs):
    assert [(f.text, f.weekday_written) for f in find_dates(text, lang, OCT_16)] == pairs


def test_a_wrong_weekday_between_two_dates_is_reported_at_the_date_it_follows():
    assert messages("13/10, terça, 16/10, segunda") == [
        "n.md:1:1: error: 13/10 (2017-10-13) is a Friday (sexta-feira), not terça\n"
        "  hint: Tuesday is 10 or 17 October"]


def test_weekday_ranges_beside_date_ranges_are_checked_end_to_end():
    assert messages("De segunda a sexta, 16/10 a 21/10") == [
        "n.md:1:29: error: 21/10 (2017-10-21) is a Saturday (sábado), not sexta\n"
        "  hint: 2017-10-20 is a Friday (did you mean the 20th?)"]


# --- no false alarms --------------------------------------------------------------------


@pytest.mark.parametrize("lang, text", [
    ("pt-BR", "Atendimento 24/7, sábado inclusive."),
    ("pt-BR", "Suporte 24x7 e 24/7 (sábado e domingo)."),
    ("pt-BR", "Versão 1.2.2017 e versão 10.12.2017 do firmware."),
    ("pt-BR", "Das 08:00 às 14:00, ou às 17h10."),
    ("pt-BR", "Ligue +55 13 3500-0000, (11) 4004-1234 ou 0800 771 2030."),
    ("pt-BR", "IP 192.168.10.31, rede 10.10.20.0/24 e 177.12.10.2017."),
    ("pt-BR", "Preço R$ 10,50, R$ 1.250,00 ou R$17,10."),
    ("pt-BR", "Chamado #12345, #17/10 e protocolo 17/10/2017."),
    ("pt-BR", "Veja https://exemplo.com.br/2017/10/17/aviso e www.exemplo.com/17/10."),
    ("pt-BR", "Leia exemplo.com.br/avisos/17-10-2017 ou escreva para suporte.17.10@exemplo.com.br."),
    ("pt-BR", "Metade (1/2) ou 3/4 dos clientes; 16/9 é o formato da tela."),
    ("pt-BR", "Desconto de 50% e 10/10%."),
    ("pt-BR", "Emita a 3ª via do boleto na sexta."),
    ("pt-BR", "Nota 10/10 para o suporte; página 3/12 do contrato."),
    ("pt-BR", "Semana 2017-W42 e trimestre 2017-Q4."),
    ("pt-BR", "Rua 25 de Março, 1.200 e Av. 9 de Julho, 500; Ponte 25 de Abril."),
    ("pt-BR", "Arquivo `aviso-17/10 (quarta).md` e ```31/09/2017```."),
    ("pt-BR", "Planos de 300 Mega a partir de R$ 99,90 por 12 meses, de 8 a 18 horas."),
    ("pt-BR", "Atendimento de segunda a sexta, das 8h às 18h, e 2ª a 6ª no chat."),
    ("pt-BR", "Plano 20/10 Mbps ou 10/10 megas, em 10/12 vezes sem juros."),
    ("pt-BR", "Compatível com Windows 10/11 e Debian 11/12; cabo na porta 1/10."),
    ("es", "Atención 24/7; Santo Domingo y el mar."),
    ("es", "La tarifa sube un 3,5 % el 1/2 de los contratos, versión 2.3.2024."),
    ("en-US", "Open 24/7; call 1-800-555-0199 or +1 (214) 555-0142."),
    ("en-US", "You may 17 times retry; we sat 21 engineers on the wed 2 floor."),
    ("en-US", "Prices from $17.10; 1/2 price; see example.com/2024/10/17."),
    ("en-US", "Release v2.10.2024 and build 10.10.2024 are out."),
    ("en-GB", "Half of faults (1/2) clear; ref ENG-2024-0826; postcode M20 2RN."),
])
def test_numbers_that_are_not_dates_raise_nothing(lang, text):
    assert find_dates(text, lang, OCT_16) == ()
    assert messages(text, lang) == []


@pytest.mark.parametrize("piece, times", [("a", 50_000), ("<", 50_000), ("](", 25_000), ("a@", 25_000), ("a.", 25_000),
                                          (" ", 50_000), ("terça a ", 6_000), ("3ª ", 15_000), ("1 e ", 12_000)])
def test_long_odd_input_takes_linear_time(piece, times):
    started = time.perf_counter()
    find_dates(piece * times + "2 de maio", "pt-BR", OCT_16)
    assert time.perf_counter() - started < 5     # a quadratic scan takes minutes here


_not_dates = st.one_of(
    st.builds("Ligue ({:02d}) {:04d}-{:04d}".format, st.integers(11, 99), st.integers(2000, 9999), st.integers(0, 9999)),
    st.builds("IP {}.{}.{}.{}".format, *[st.integers(0, 255)] * 4),
    st.builds("às {:02d}:{:02d}".format, st.integers(0, 23), st.integers(0, 59)),
    st.builds("R$ {}.{:03d},{:02d}".format, st.integers(1, 99), st.integers(0, 999), st.integers(0, 99)),
    st.builds("versão {}.{}.{}".format, st.integers(0, 30), st.integers(0, 30), st.integers(0, 3000)),
    st.builds("chamado #{}/{}".format, st.integers(1, 31), st.integers(1, 12)),
    st.builds("{}/{} dos clientes".format, st.integers(1, 9), st.integers(1, 9)),
    st.builds("{}% de {}".format, st.integers(0, 100), st.integers(0, 100)),
)


@settings(max_examples=150, deadline=None)
@given(text=_not_dates, lang=st.sampled_from(["pt-BR", "pt-PT", "es", "en-US", "en-GB"]))
def test_generated_numbers_that_are_not_dates_raise_nothing(text, lang):
    assert find_dates(f"Aviso: {text}, sexta-feira.", lang, OCT_16) == ()


# --- hints ------------------------------------------------------------------------------


DEC_7 = date(2026, 12, 7)


@pytest.mark.parametrize("day, weekday, period, reference, hint", [
    # The same day of another month or year, where the written day lies before the notice or far after it.
    (date(2017, 9, 17), TUESDAY, None, OCT_16, "2017-10-17 is a Tuesday (did you mean October?)"),
    (date(2017, 9, 17), TUESDAY, (date(2017, 10, 1), date(2017, 10, 31)), None,
     "2017-10-17 is a Tuesday and lies inside the notice's period"),
    (date(2017, 9, 17), TUESDAY, (date(2017, 9, 18), date(2017, 9, 20)), None,
     "2017-09-19 is a Tuesday and lies inside the notice's period"),      # a day within the week
    (date(2017, 12, 17), WEDNESDAY, None, date(2018, 1, 10), "2018-01-17 is a Wednesday (did you mean January 2018?)"),
    (date(2023, 11, 29), FRIDAY, None, date(2023, 12, 20), "2023-12-29 is a Friday (did you mean December?)"),
    (date(2023, 11, 29), FRIDAY, None, date(2024, 11, 15), "2024-11-29 is a Friday (did you mean 2024?)"),
    (date(2018, 10, 17), TUESDAY, None, date(2017, 10, 2), "2017-10-17 is a Tuesday (did you mean 2017?)"),
    (date(2025, 4, 24), FRIDAY, None, date(2026, 4, 1), "2026-04-24 is a Friday (did you mean 2026?)"),
    # A day one off is named alone; else both days around the written one, never a past month for a day ahead.
    (date(2018, 10, 17), TUESDAY, None, date(2018, 10, 1), "2018-10-16 is a Tuesday (did you mean the 16th?)"),
    (date(2025, 4, 24), FRIDAY, None, date(2025, 4, 1), "2025-04-25 is a Friday (did you mean the 25th?)"),
    (date(2017, 10, 31), WEDNESDAY, None, None, "2017-11-01 is a Wednesday (did you mean November 1?)"),
    (date(2017, 12, 31), MONDAY, None, None, "2018-01-01 is a Monday (did you mean January 1, 2018?)"),
    (date(2026, 12, 12), THURSDAY, None, DEC_7, "Thursday is 10 or 17 December"),
    (date(2026, 12, 15), SUNDAY, None, DEC_7, "Sunday is 13 or 20 December"),
    (date(2026, 12, 8), MONDAY, None, DEC_7, "2026-12-07 is a Monday (did you mean the 7th?)"),  # the notice's day
    (date(2026, 12, 4), THURSDAY, None, DEC_7, "Thursday is 3 or 10 December"),  # one off, but before the notice
    (date(2017, 9, 17), TUESDAY, None, None, "Tuesday is 12 or 19 September"),   # no notice's date: no month slip
    (date(2017, 10, 17), SATURDAY, None, None, "Saturday is 14 or 21 October"),
    (date(2017, 10, 30), WEDNESDAY, None, None, "Wednesday is 25 October or 1 November"),
    (date(2017, 12, 30), MONDAY, None, None, "Monday is 25 December 2017 or 1 January 2018"),
    (date(2017, 10, 17), MONDAY, (date(2017, 12, 1), date(2017, 12, 31)), None,
     "2017-10-16 is a Monday but lies outside the notice's period (2017-12-01 to 2017-12-31): "
     "check the weekday, or the date and the period"),                  # nothing inside: the guess says so
])
def test_weekday_mismatch_hint(day, weekday, period, reference, hint):
    assert weekday_mismatch_hint(day, weekday, "pt-BR", period, reference=reference) == hint


def test_weekday_mismatch_hint_refuses_a_weekday_that_matches():
    with pytest.raises(ValueError, match="2017-10-17 is a Tuesday: there is no mismatch"):
        weekday_mismatch_hint(date(2017, 10, 17), TUESDAY, "en", None)


# --- every shape, every language: right weekday silent, wrong weekday one error ---------

WORDLIKE = {"ter", "dom", "mar", "sun", "sat", "wed", "may"}   # read only capitalised or with a dot


@lru_cache(maxsize=None)
def weekday_words(lang: str, index: int) -> list[str]:
    words = {name for width in ("wide", "abbreviated") for context in ("format", "stand-alone")
             for name in [get_day_names(width, context, lang.replace("-", "_"))[index]]}
    words |= {w.capitalize() for w in words} | {w.title() for w in words}
    if lang.startswith("pt"):
        words |= {unicodedata.normalize("NFD", w).encode("ascii", "ignore").decode() for w in words}
        if index < 5:
            words |= {f"{index + 2}ª-feira", f"{index + 2}ª feira", f"{index + 2}a feira", f"{index + 2}ª"}
    return sorted(w for w in words if w not in WORDLIKE)


@lru_cache(maxsize=None)
def month_words(lang: str, month: int) -> list[str]:
    names = {get_month_names(width, "format", lang.replace("-", "_"))[month] for width in ("wide", "abbreviated")}
    return sorted(names | {n.capitalize() for n in names})


def english_ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# Each shape: (template, writes the year).  {W} weekday, {M} month word, d/m/y numbers.
SHAPES = {
    "pt": [("{W}, {d} de {M} de {y}", True), ("{d} de {M} de {y}, {W}", True), ("{W} ({d:02d}/{m:02d})", False),
           ("{W} {d:02d}/{m:02d}/{y}", True), ("dia {d:02d}/{m:02d} ({W})", False), ("{y}-{m:02d}-{d:02d} ({W})", True),
           ("{W}, {d:02d}.{m:02d}.{y}", True), ("{W}, dia {d} de {M}", False), ("{W} — {d}/{m:02d}", False)],
    "es": [("el {W} {d} de {M} de {y}", True), ("{W}, {d} de {M}", False), ("{W} {d:02d}/{m:02d}/{y}", True),
           ("{d} de {M} de {y} ({W})", True), ("{W} {d}/{m:02d}", False)],
    "en-US": [("{W}, {M} {d}, {y}", True), ("{W} {d} {M}", False), ("{y}-{m:02d}-{d:02d} ({W})", True),
              ("{W}, {m}/{d}/{y}", True), ("{W}, {M} {o}", False), ("{W} the {o} of {M}", False)],
    "en-GB": [("{W} {d} {M} {y}", True), ("{W}, {d:02d}/{m:02d}/{y}", True), ("{W} {d} {M}", False),
              ("on {W}, the {o} of {M} {y}", True)],
}
WRAP = {"pt": "Aviso: {}, o atendimento fecha às 14h.", "es": "Aviso: {}, la oficina cierra a las 14:00.",
        "en-US": "Note: {}, our office closes at 2 PM.", "en-GB": "Note: {}, our office closes at 2 pm."}
LANGS = {"pt-BR": "pt", "pt-PT": "pt", "es": "es", "en-US": "en-US", "en-GB": "en-GB"}


@st.composite
def sentences(draw, wrong: bool):
    lang = draw(st.sampled_from(sorted(LANGS)))
    family = LANGS[lang]
    day = draw(st.dates(date(1990, 1, 1), date(2090, 12, 31)))
    template, year_written = draw(st.sampled_from(SHAPES[family]))
    reference = day + timedelta(days=draw(st.integers(-150, 150)))
    weekday = day.weekday()
    if wrong:
        weekday = draw(st.sampled_from([w for w in range(7) if w != day.weekday()]))
    word = draw(st.sampled_from(weekday_words(lang, weekday)))
    month = draw(st.sampled_from(month_words(lang, day.month)))
    shape = template.format(W=word, M=month, d=day.day, m=day.month, y=day.year, o=english_ordinal(day.day))
    return lang, WRAP[family].format(shape), day, reference, word


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=sentences(wrong=False), before=_not_dates, after=_not_dates)
def test_every_shape_with_the_right_weekday_raises_nothing(case, before, after):
    lang, text, day, reference, word = case
    text = f"{before}. {text} {after}."
    found = find_dates(text, lang, reference)
    assert [(f.day, f.weekday_written) for f in found] == [(day, word.rstrip("."))]   # "ter." is written "ter"
    assert check_dates(text, lang, reference, "n.md") == ()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=sentences(wrong=True))
def test_every_shape_with_a_wrong_weekday_raises_exactly_one_error(case):
    lang, text, day, reference, word = case
    (problem,) = check_dates(text, lang, reference, "n.md")
    english = get_day_names("wide", locale="en")[day.weekday()]
    assert problem.severity == ERROR
    assert f" is a {english}" in problem.message and problem.message.endswith(f", not {word.rstrip('.')}")
    assert text[problem.column - 1:].startswith(find_dates(text, lang, reference)[0].text)


RANGES = {   # lang: (sentence, the second date as written)
    "pt-BR": ("Aviso: de {W1} a {W2}, {d1:02d}/{m1:02d} a {d2:02d}/{m2:02d}, o atendimento fecha às 14h.",
              "{d2:02d}/{m2:02d}"),
    "pt-PT": ("Aviso: {W1} e {W2} ({d1}/{m1:02d} e {d2}/{m2:02d}), encerrado.", "{d2}/{m2:02d}"),
    "es": ("Aviso: de {W1} a {W2}, del {d1:02d}/{m1:02d} al {d2:02d}/{m2:02d}, cerrado.", "{d2:02d}/{m2:02d}"),
    "en-US": ("Note: {W1} to {W2}, {m1}/{d1}/{y1} to {m2}/{d2}/{y2}, closed.", "{m2}/{d2}/{y2}"),
    "en-GB": ("Note: {W1}–{W2}, {d1:02d}/{m1:02d}–{d2:02d}/{m2:02d}, closed.", "{d2:02d}/{m2:02d}"),
}


@settings(max_examples=150, deadline=None)
@given(lang=st.sampled_from(sorted(RANGES)), first=st.dates(date(1990, 1, 1), date(2090, 12, 1)),
       length=st.integers(1, 6), wrong=st.integers(0, 6), data=st.data())
def test_weekday_ranges_pair_with_date_ranges(lang, first, length, wrong, data):
    last = first + timedelta(days=length)
    sentence, second = RANGES[lang]
    numbers = dict(d1=first.day, m1=first.month, y1=first.year, d2=last.day, m2=last.month, y2=last.year)
    text = sentence.format(W1=data.draw(st.sampled_from(weekday_words(lang, first.weekday()))),
                           W2=data.draw(st.sampled_from(weekday_words(lang, (last.weekday() + wrong) % 7))),
                           **numbers)
    problems = check_dates(text, lang, first, "n.md")
    if wrong:
        (problem,) = problems
        assert problem.severity == ERROR and problem.message.startswith(second.format(**numbers) + " ")
    else:
        assert problems == ()


# --- What a check compiles -----------------------------------------------------------------------

def test_a_text_without_digits_and_a_weekday_named_alone_compile_no_date_regexes():
    """A rebuild after one edit checks that notice alone, in a new process: a text with no digit holds no date,
    and a change's `weekday:` is a word to look up, so neither builds the language's date regexes (some 10 ms)."""
    from generator.validate.dates_in_text.vocabulary import vocabulary_of

    vocabulary_of.cache_clear()
    assert check_dates("Fechado na terça-feira, por causa do feriado.", "pt-BR", date(2026, 11, 23), "n.md") == ()
    assert parse_weekday("Terça-Feira", "pt-BR") == 1 and parse_weekday("sáb.", ["en", "es"]) == 5
    assert vocabulary_of.cache_info().currsize == 0
    # Whether a language reads an ordinal ("3ª" is Portuguese) is the weekday regex's answer.
    assert parse_weekday("3ª", ["pt-BR"]) == 1 and parse_weekday("3ª", ["en"]) is None
    assert vocabulary_of.cache_info().currsize == 2
    with pytest.raises(ValueError, match="unknown language 'xx-YY'"):
        check_dates("Sem datas.", "xx-YY", date(2026, 11, 23), "n.md")
    assert [p.message for p in check_dates("Cerrado el 17/11/2026, miércoles.", "es", date(2026, 11, 23), "n.md")
            ] == ["17/11/2026 is a Tuesday (martes), not miércoles"]
    assert vocabulary_of.cache_info().currsize == 3


@pytest.mark.parametrize("lang", ["pt-BR", "pt-PT"])
def test_no_weekday_name_of_a_portuguese_vocabulary_ends_with_a_digit(lang):
    """vocabulary.py writes what may follow an ordinal's digit once, for a match that ends with a digit: a name
    ending with 2 to 6 would be refused by it."""
    from generator.validate.dates_in_text.vocabulary import vocabulary_of

    words = vocabulary_of(lang).weekdays
    assert len(words) > 20 and not [word for word in words if word[-1].isdigit()]
    assert [parse_weekday(word, lang) for word in ("3ª", "3.ª-feira", "4a feira", "terça", "Tue")] == [1, 1, 2, 1, 1]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab9_°.:# \n\t\0-/,ªçé²½\u00a0\u2003")), max_size=40),
       st.integers(min_value=0, max_value=45))
def test_previous_word_reads_what_its_regular_expression_finds(text, start):
    start = min(start, len(text))
    found = PREVIOUS_WORD.search(text[max(0, start - 30):start])
    assert previous_word(text, start) == (found.group(1) if found else "")
