"""Times of day in prose that cannot be one (25h, 24:30, 18h75) are errors; durations, ratios and scores are not
times and stay silent."""

from __future__ import annotations

import pytest

from generator.validate.dates_in_text import check_times

HOURS = "hours run from 00 to 23"
MINUTES = "minutes run from 00 to 59"


@pytest.mark.parametrize(("text", "column", "message", "hint"), [
    ("Atendimento das 00h às 25h.", 24, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Plantão até às 25h.", 16, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Das 22h-26h.", 9, f"26h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("De las 8h a las 25h.", 17, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Voltamos às 24:30.", 13, f"24:30 is not a time of day: {HOURS}", "did you mean 00:30? A day's hours run to 23:59"),
    ("Retorno 25:00.", 9, f"25:00 is not a time of day: {HOURS}", "check the hour; 24:00 may end a day"),
    ("We reopen at 25:00.", 14, f"25:00 is not a time of day: {HOURS}", "check the hour; 24:00 may end a day"),
    ("Das 8h às 18h75.", 11, f"18h75 is not a time of day: {MINUTES}", "check the minutes"),
    ("Das 18:75 às 20:00.", 5, f"18:75 is not a time of day: {MINUTES}", "check the minutes"),
])
def test_an_impossible_time_is_an_error(text, column, message, hint):
    problems = check_times(text, "notices/x.md", 4)
    assert [(p.line, p.column, p.severity, p.message, p.hint) for p in problems] == [(5, column, "error", message, hint)]


@pytest.mark.parametrize("text", [
    "Prazo de 48h para resposta.",
    "Resposta em até 72h.",
    "Durante as 48h de teste.",
    "Dentro das 48h seguintes.",
    "De 24h a 48h.",
    "Tempo de resposta: 36h.",
    "Suporte 24h por dia, 7x24.",
    "Atendimento 24h.",
    "Suporte 24/7.",
    "O placar foi 3:1, e o jogo acabou 3x1.",
    "Splitter 1:64 na rede.",
    "Das 8h às 18h.",
    "Das 00h às 24h.",
    "Das 22:00 às 24:00.",
    "Às 12:34:56 caiu o link.",
    "Versão 10.25:30 instalada.",
    "`25:00` em código, e em https://example.com/25:00",
])
def test_ordinary_sentences_stay_silent(text):
    assert check_times(text, "notices/x.md") == ()
