"""Numeric dates written in the other order than the notice's language reads them ("12/16" in pt-BR): an error
beside a weekday or after "dia", silent as a fraction, a score or a version; and a date outside the period whose
other reading lies inside it on its weekday gets that reading as a hint."""

from __future__ import annotations

from datetime import date

import pytest

from generator.validate.dates_in_text import check_dates

REFERENCE = date(2026, 12, 7)


def said(text: str, lang: str, period=None) -> list[tuple[str, str, str | None]]:
    """Return (severity, message, hint) of each problem check_dates finds in `text`."""
    return [(p.severity, p.message, p.hint) for p in check_dates(text, lang, REFERENCE, "x.md", 0, period)]


@pytest.mark.parametrize(("lang", "text", "message", "hint"), [
    ("pt-BR", "Na quarta-feira, 12/16, faremos manutenção.", "12/16 is not a date: there is no month 16",
     "in pt-BR a date is day/month: did you mean 16/12 (quarta-feira, 2026-12-16)?"),
    ("pt-BR", "Qua 12/16 sem atendimento.", "12/16 is not a date: there is no month 16",
     "in pt-BR a date is day/month: did you mean 16/12 (quarta-feira, 2026-12-16)?"),
    ("pt-BR", "Plantão no dia 12/16.", "12/16 is not a date: there is no month 16",
     "in pt-BR a date is day/month: did you mean 16/12 (quarta-feira, 2026-12-16)?"),
    ("es", "El miércoles 12/16 no abrimos.", "12/16 is not a date: there is no month 16",
     "in es a date is day/month: did you mean 16/12 (miércoles, 2026-12-16)?"),
    ("en-US", "On Wednesday 16/12 we close.", "16/12 is not a date: there is no month 16",
     "in en-US a date is month/day: did you mean 12/16 (Wednesday, 2026-12-16)?"),
    # The weekday written is not the other reading's: the hint says what that reading would be, no more.
    ("pt-BR", "Qua 12/15 sem atendimento.", "12/15 is not a date: there is no month 15",
     "in pt-BR a date is day/month: 15/12 would be 2026-12-15, a Tuesday (terça-feira), not Qua"),
])
def test_a_date_in_the_other_order_is_an_error(lang, text, message, hint):
    assert said(text, lang) == [("error", message, hint)]


@pytest.mark.parametrize(("lang", "text"), [
    ("pt-BR", "Na quarta-feira, 16/12, faremos manutenção."),
    ("pt-BR", "A versão 12/16 saiu."),
    ("pt-BR", "O placar foi 12/16."),
    ("pt-BR", "Suporte 24/7, inclusive domingo."),
    ("pt-BR", "Atendimento de segunda a sexta, 8/18h."),
    ("pt-BR", "Sábado 9/13h com plantão."),
    ("pt-BR", "Na segunda, 3/15 dos técnicos estarão em treinamento."),
    ("pt-BR", "Sábado, 1/4 da equipe trabalha."),
    ("pt-BR", "Na terça-feira, 1/2 hora de pausa."),
    ("pt-BR", "O plano 10/20 Mbps muda na sexta."),
    ("pt-BR", "Na sexta, a velocidade sobe para 50/25."),
    ("pt-BR", "Na quinta, o chamado 12/34 foi fechado."),
    ("pt-BR", "Na quarta, o Windows 10/11 recebe atualização."),
    ("pt-BR", "Sexta 7x24 no NOC."),
    ("es", "El viernes la velocidad sube a 50/25."),
    ("es", "Los sábados 9/13h atendemos."),
    ("en-US", "On Wednesday 12/16 we close."),
    ("en-GB", "On Wednesday 16/12 we close."),
])
def test_ordinary_sentences_stay_silent(lang, text):
    assert said(text, lang) == []


def test_a_date_outside_the_period_hints_its_other_reading_inside_it():
    period = (date(2027, 1, 11), date(2027, 1, 22))
    assert said("Na Ter 1/12 retomamos o plantão.", "pt-BR", period) == [
        ("warning", "1/12 (2026-12-01) lies outside the notice's period (2027-01-11 to 2027-01-22)",
         "did you mean 12/1?")]
    # Read the other way, 1/12 is 2027-01-12, a Tuesday: without that weekday there is nothing to go on.
    assert said("Na Qua 1/12 retomamos o plantão.", "pt-BR", period)[0][2] != "did you mean 12/1?"
    assert said("Na Ter 12/1 retomamos o plantão.", "pt-BR", period) == []
