"""Times of day in prose that cannot be one (às 25h, at 24:30, das 8h às 18h75) are errors; a number is read as a
time of day only beside a word that says so, so durations, ratios, ports, scores and versions stay silent."""

from __future__ import annotations

import pytest
from conftest import MINIMAL_HOURS, MINIMAL_SITE

from generator.cli import main
from generator.validate.dates_in_text import check_times

HOURS = "hours run from 00 to 23"
MINUTES = "minutes run from 00 to 59"
NOW = "2026-11-23T10:00:00-03:00"


@pytest.mark.parametrize(("text", "column", "message", "hint"), [
    ("Atendimento das 00h às 25h.", 24, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Plantão até às 25h.", 16, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Das 22h-26h.", 9, f"26h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("De las 8h a las 25h.", 17, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Voltamos às 24:30.", 13, f"24:30 is not a time of day: {HOURS}", "did you mean 00:30? A day's hours run to 23:59"),
    ("Retorno às 25:00.", 12, f"25:00 is not a time of day: {HOURS}", "check the hour; 24:00 may end a day"),
    ("Voltamos as 18h às 18h75.", 20, f"18h75 is not a time of day: {MINUTES}", "check the minutes"),
    ("Manutenção das 22h as 25h.", 23, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Janela a partir das 24:15.", 21, f"24:15 is not a time of day: {HOURS}", "did you mean 00:15? A day's hours run to 23:59"),
    ("Ás 25h voltamos.", 4, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Atendemos hasta las 25h.", 21, f"25h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Abierto desde las 7:00 hasta las 24:30.", 34, f"24:30 is not a time of day: {HOURS}",
     "did you mean 00:30? A day's hours run to 23:59"),
    ("De las 25:00 a las 8:00.", 8, f"25:00 is not a time of day: {HOURS}", "check the hour; 24:00 may end a day"),
    ("Maintenance from 22:00 to 25:00.", 27, f"25:00 is not a time of day: {HOURS}",
     "check the hour; 24:00 may end a day"),
    ("Maintenance from 26:00-02:00.", 18, f"26:00 is not a time of day: {HOURS}", "check the hour; 24:00 may end a day"),
    ("Support is closed until 18:60.", 25, f"18:60 is not a time of day: {MINUTES}", "check the minutes"),
    ("Fixed by 24:30 at the latest.", 10, f"24:30 is not a time of day: {HOURS}",
     "did you mean 00:30? A day's hours run to 23:59"),
    ("We reopen at 25:00.", 14, f"25:00 is not a time of day: {HOURS}", "check the hour; 24:00 may end a day"),
    ("Das 8h às 18h75.", 11, f"18h75 is not a time of day: {MINUTES}", "check the minutes"),
    ("Das 18:75 às 20:00.", 5, f"18:75 is not a time of day: {MINUTES}", "check the minutes"),
    # The hour with its abbreviation apart or longer: "25 hrs", "25 hs", "25hrs", "25 h".
    ("Hoy cerramos a las 25 hrs. por inventario.", 20, f"25 hrs is not a time of day: {HOURS}",
     "check the hour; 24h may end a day"),
    ("Atendemos hasta las 26 hs.", 21, f"26 hs is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Plantão até às 25hrs.", 16, f"25hrs is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("De las 20 h a las 25 h.", 19, f"25 h is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
    ("Das 22 hr às 26 hr.", 14, f"26 hr is not a time of day: {HOURS}", "check the hour; 24h may end a day"),
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
    # No word beside them says these are times of day: ratios, ports, scores, durations, stopwatches.
    "Retorno 25:00.",
    "A interrupção durou 26h30 no total; 2h30 de manutenção.",
    "Prazo de 72:00 horas para a resposta.",
    "O teste levou 47:15 (min:s) e a divisão ficou 50:50.",
    "Portas 80:80 e 443:443 liberadas; vôlei 25:20.",
    "Uptime 99:9 no mês, relação 80:20 download/upload.",
    "Atualizamos para a v1.10:3 e o firmware 2.4:35.",
    "Log: [pid 31:87] erro 500 em worker 12:99.",
    "Durante as 48h seguintes, e as 72:00 horas depois, haverá instabilidade.",
    "Dentro das 24h-48h após a abertura do chamado.",
    "A partir das 48h sem conexão o desconto é automático.",
    "Resolveremos el problema en las 48h siguientes.",
    "Durante las 72h posteriores al corte habrá inestabilidad.",
    "Dentro de las 24h-48h siguientes.",
    "Traffic is now split 50:50 between the two routes, and the ratio went from 50:50 to 80:20.",
    "The outage lasted 26:30 and was extended by 48h.",
    "Players 25:30 in the final; the download took 59:59.",
    # Times of day written correctly, beside their words.
    "Atendimento às 8h, às 18h30 e até às 24h.",
    "Das 8h às 12h e das 13h30 às 18h; a partir das 19:00 só plantão.",
    "De las 9:00 a las 18:00, hasta las 24h y desde las 7h.",
    "We reopen at 08:30, by 12:00 at the latest; from 22:00 to 24:00 and until 23:59.",
    "Das 22:00-06:00 fica o plantão.",
    "Cerramos a las 14 hrs. y abrimos a las 9 hs; hasta las 24 hrs atiende el chat.",
    # Hours written out are a duration after "a las" ("48 hours after the fault"), and are left alone.
    "A las 48 horas de la falla el servicio volvió; a las 72 horas de abierto el reclamo se cierra.",
    "Resolveremos el problema en las 48 hrs siguientes; durante las 72 hs posteriores habrá cortes.",
    "A partir das 48 hrs sem conexão o desconto é automático.",
    "We reopen at 25 hrs.",
])
def test_ordinary_sentences_stay_silent(text):
    assert check_times(text, "notices/x.md") == ()


def notice(body: str) -> str:
    return f"---\ntitle: Aviso\ndate: 2026-11-20 10:00\n---\n{body}\n"


# Ordinary support-notice prose holding numbers with a colon or an "h" (ratios, ports, durations, scores,
# Spanish "las 48h"): a false error here blocks every push, so `check` must pass on it.
@pytest.mark.parametrize(("lang", "body"), [
    ("pt-BR", "A divisão do tráfego ficou 50:50 entre as duas rotas."),                 # a ratio
    ("pt-BR", "A proporção download/upload do plano é 80:20."),                          # a ratio
    ("pt-BR", "Liberamos o redirecionamento de portas 80:80 e 443:443 no roteador."),    # a port mapping
    ("pt-BR", "No jogo beneficente o suporte venceu o vôlei por 25:20."),                # a score
    ("pt-BR", "A interrupção durou 26h30 no total."),                                    # a duration
    ("pt-BR", "O download do arquivo de teste levou 47:15 (min:s)."),                    # a stopwatch time
    ("pt-BR", "Prazo de 72:00 horas para a resposta."),                                  # a duration
    ("es", "Resolveremos el problema en las 48h siguientes."),                           # Spanish article + duration
    ("es", "Durante las 72h posteriores al corte habrá inestabilidad."),
    ("es", "A las 48 horas de la falla el servicio volvió; en las 72 hrs siguientes habrá cortes."),
    ("en", "Traffic is now split 50:50 between the two routes."),
])
def test_ordinary_prose_is_no_impossible_time(make_site, capsys, lang, body):
    site_yaml = MINIMAL_SITE.replace("[pt-BR, en]", f"[{lang}]")
    hours = MINIMAL_HOURS.replace("{pt-BR: Suporte, en: Support}", "Suporte")
    site = make_site({"site_src/site.yaml": site_yaml, "site_src/hours.yaml": hours,
                      "notices/2026-11-20-aviso.md": notice(body)})
    code = main(["check", "--site", str(site), "--now", NOW])
    assert "is not a time of day" not in capsys.readouterr().err
    assert code == 0


def test_a_las_25_hrs_is_an_error_in_a_build(make_site, capsys):
    site_yaml = MINIMAL_SITE.replace("[pt-BR, en]", "[es-MX]")
    hours = MINIMAL_HOURS.replace("{pt-BR: Suporte, en: Support}", "Soporte")
    site = make_site({"site_src/site.yaml": site_yaml, "site_src/hours.yaml": hours,
                      "notices/2026-11-20-aviso.md": notice("Hoy cerramos a las 25 hrs. por inventario.")})
    assert main(["check", "--site", str(site), "--now", NOW]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"notices/2026-11-20-aviso.md:5:20: error: 25 hrs is not a time of day: {HOURS}",
        "  hint: check the hour; 24h may end a day", "1 error"]
