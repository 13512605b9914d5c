"""Portuguese as the support staff write it: weekdays, dates, hours, departments with their articles."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from corpus.site import CHANNEL_WORDS, DEPARTMENTS, FEMININE


def weekday(day: date) -> str:
    """Return the weekday in Portuguese: 'sexta-feira'."""
    return format_date(day, "EEEE", locale="pt_BR")


def day_month(day: date, year: bool = False) -> str:
    """Return '27 de novembro', or '27 de novembro de 2026'."""
    return format_date(day, "d 'de' MMMM" + (" 'de' y" if year else ""), locale="pt_BR")


def on_day(day: date, year: bool = False) -> str:
    """Return 'na sexta-feira, 27 de novembro' or 'no sábado, 28 de novembro' (with ' de 2026' when asked)."""
    return f"{'no' if day.weekday() >= 5 else 'na'} {weekday(day)}, {day_month(day, year)}"


def short(day: date) -> str:
    """Return '27/11'."""
    return f"{day.day:02d}/{day.month:02d}"


def spoken(hours: str) -> str:
    """Return '08:00-12:00' as 'das 8h às 12h'."""
    start, end = (f"{int(t[:2])}h" + (t[3:] if t[3:] != "00" else "") for t in hours.split("-"))
    return f"das {start} às {end}"


def the(key: str, of: bool = False) -> str:
    """Return a department or channel with its article: 'o Financeiro', 'a Hospedagem…', 'da central de chamados'."""
    article = ("d" if of else "") + ("a" if key in FEMININE else "o")
    return f"{article} {DEPARTMENTS[key][0] if key in DEPARTMENTS else CHANNEL_WORDS[key]}"


def names_of(departments: tuple[str, ...], of: bool = False) -> str:
    """Return 'o Financeiro e o Comercial' (or 'do Financeiro e do Comercial')."""
    names = [the(d, of) for d in departments]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " e " + names[-1]


def upper_first(text: str) -> str:
    """Return text with its first letter in upper case and the rest as it was ('WhatsApp' stays)."""
    return text[:1].upper() + text[1:]


def channel_list(hours: dict[str, str], departments: tuple[str, ...]) -> str:
    """Return a Markdown list of the channels that open, then the ones that stay closed."""
    lines = [f"- **{upper_first(CHANNEL_WORDS[c])}**: {spoken(h)};" for c, h in hours.items()]
    closed = [CHANNEL_WORDS[c] for c in CHANNEL_WORDS
              if c not in hours and any(c in DEPARTMENTS[d][2] for d in departments)]
    if closed:
        words = closed[0] if len(closed) == 1 else ", ".join(closed[:-1]) + " e " + closed[-1]
        lines.append(f"- {upper_first(words)}: {'fechado' if len(closed) == 1 else 'fechados'} nesse dia.")
    else:
        lines[-1] = lines[-1][:-1] + "."
    return "\n".join(lines)


SELF_SERVICE = (
    "Enquanto isso, a segunda via de boletos, o teste de velocidade e a abertura de chamados continuam "
    "disponíveis na Central do Assinante (https://central.example.net) e no aplicativo, 24 horas por dia.",
    "Pelo aplicativo Example Networks você consulta faturas, pede o desbloqueio em confiança e acompanha "
    "seus chamados a qualquer hora, sem esperar na fila.",
    "Chamados abertos na central (https://central.example.net/chamados) continuam sendo recebidos "
    "normalmente e serão respondidos por ordem de chegada.",
    "Se a sua conexão cair, reinicie o modem e confira as luzes do equipamento antes de abrir um chamado: "
    "na maioria dos casos isso resolve o problema em poucos minutos.",
)
CLOSINGS = ("Agradecemos a compreensão.", "Pedimos desculpas pelo transtorno e agradecemos a compreensão.",
            "Qualquer dúvida, fale conosco pelos demais canais.", "Obrigado por escolher a Example Networks.")

