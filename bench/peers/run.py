"""Time full builds of the same 1,000 notices with Expediente, Hugo and Pelican, in turn.

    python bench/peers/run.py                                   # 1,000 notices, 3 builds of each
    python bench/peers/run.py --runs 5 --profile                # steadier medians, then profile our build
    python bench/peers/run.py --work /tmp/peers --generate-only # write the three sites and stop

Writes one set of Portuguese support notices (seeded: the same text on every machine) as
an Expediente site, a Hugo site and a Pelican site, checks that Expediente accepts them
(`build.py check`), then builds the three in turn (ours, Hugo, Pelican, our no-change
rebuild; again and again) and prints the median wall time of each and their ratios.
Installs nothing: Hugo and Pelican must already be there (see bench/peers/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import yaml
from babel.dates import format_date

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_build import format_table
from conditions import compile_bytecode, settle

sys.path.insert(0, str(ROOT))
from generator.parallel import default_jobs

NOW = "2026-11-23T10:00:00-03:00"
ZONE = ZoneInfo("America/Sao_Paulo")
FIRST_DAY, LAST_DAY = date(2023, 1, 9), date(2026, 11, 20)   # when the notices are published
BASE_URL = "https://status.example.net/"
SITE_NAME = "Example Networks"
FEED_ITEMS = 50   # the entries of our feeds (render/feeds.py); Hugo and Pelican are held to the same

# --- The site: one language, four departments -----------------------------------

CHANNEL_WORDS = {"phone": "telefone", "chat": "chat", "email": "e-mail",
                 "whatsapp": "WhatsApp", "helpdesk": "central de chamados"}
FEMININE = {"helpdesk", "hospedagem"}   # "pela central de chamados", "a Hospedagem"
DEPARTMENTS = {
    "financeiro": ("Financeiro", "Boletos, segunda via, faturas e negociação de débitos.", {
        "phone": ("+55 13 3500-0100", {"mon-fri": ["09:00-12:00", "13:00-18:00"]}),
        "chat": ("https://chat.example.net/financeiro", {"mon-fri": "08:00-20:00"}),
        "email": ("financeiro@example.net", {"mon-fri": "08:00-18:00", "sat": "09:00-13:00"})}),
    "comercial": ("Comercial", "Novos planos, mudança de plano e viabilidade de instalação.", {
        "phone": ("+55 13 3500-0200", {"mon-fri": "09:00-18:00", "sat": "09:00-13:00"}),
        "whatsapp": ("+55 13 99700-0200", {"mon-fri": "08:00-21:00", "sat": "09:00-15:00"}),
        "chat": ("https://chat.example.net/comercial", {"mon-sat": "08:00-20:00"}),
        "email": ("vendas@example.net", {"mon-fri": "08:00-18:00"})}),
    "suporte": ("Suporte Técnico", "Conexão lenta ou sem sinal, equipamentos e visitas técnicas.", {
        "phone": ("+55 13 3500-0300", {"daily": "07:00-23:00", "holidays": "09:00-18:00"}),
        "chat": ("https://chat.example.net/suporte", {"mon-fri": "08:00-22:00", "weekends": "09:00-18:00"}),
        "helpdesk": ("https://central.example.net/chamados", "24/7"),
        "email": ("suporte@example.net", "24/7")}),
    "hospedagem": ("Hospedagem e Domínios", "Sites, e-mail corporativo, domínios e certificados.", {
        "phone": ("+55 13 3500-0400", {"mon-fri": "08:00-18:00"}),
        "chat": ("https://chat.example.net/hospedagem", {"mon-fri": "08:00-20:00", "sat": "09:00-13:00"}),
        "helpdesk": ("https://central.example.net/hospedagem", "24/7"),
        "email": ("hospedagem@example.net", {"mon-fri": "08:00-18:00"})}),
}
CITIES = ("Santos", "Guarujá", "São Vicente", "Praia Grande", "Cubatão", "Bertioga", "Itanhaém", "Peruíbe")
DISTRICTS = ("Gonzaga", "Boqueirão", "Embaré", "Aparecida", "Ponta da Praia", "Vila Mathias", "Campo Grande",
             "Macuco", "Vila Belmiro", "Marapé", "José Menino", "Pompéia", "Enseada", "Pitangueiras")


def write_our_site_files(folder: Path) -> None:
    """Write site_src/site.yaml and site_src/hours.yaml: pt-BR only, like the Hugo and Pelican sites."""
    source = folder / "site_src"
    source.mkdir(parents=True)
    site = {"name": SITE_NAME, "base_url": BASE_URL, "timezone": ZONE.key, "languages": ["pt-BR"],
            "description": "Horários de atendimento e avisos da Example Networks.",
            "holidays": {"country": "BR", "subdivision": "SP"}}
    departments = [{"id": key, "name": name, "description": text, "channels": [
        {"id": channel, "type": channel, "contact": contact, "hours": hours}
        for channel, (contact, hours) in channels.items()]}
        for key, (name, text, channels) in DEPARTMENTS.items()]
    for name, data in (("site.yaml", site), ("hours.yaml", {"departments": departments})):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
        (source / name).write_text(text, encoding="utf-8")


# --- The notices -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Notice:
    """One notice as every generator gets it; `changes` are ours alone (date or range, weekday, hours, note)."""

    slug: str
    published: datetime
    title: str
    body: str
    kind: str                      # "hours" or "info"
    departments: tuple[str, ...]   # empty: every department
    changes: tuple[dict, ...]
    period: tuple[date, date] | None
    updated: datetime | None
    cancelled: bool


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


class NoticeWriter:
    """Draws notices from a seeded generator, keeping the days each department changes apart."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.taken: set[tuple[str, date]] = set()
        self.holidays = holidays.country_holidays("BR", subdiv="SP", years=range(2023, 2028), language="pt_BR")

    def take(self, departments: tuple[str, ...], days: list[date]) -> bool:
        """Take these days for these departments if no notice changes them yet; tell whether it did."""
        if any((dep, d) in self.taken for dep in departments for d in days):
            return False
        self.taken.update((dep, d) for dep in departments for d in days)
        return True

    def free_days(self, departments: tuple[str, ...], first: date, count: int) -> list[date] | None:
        """Take and return `count` consecutive working days from `first` or a little later that are still free."""
        for shift in range(30):
            days = [first + timedelta(days=shift + n) for n in range(count)]
            if not any(d.weekday() >= 5 or d in self.holidays for d in days) and self.take(departments, days):
                return days
        return None

    def some_departments(self, pool=tuple(DEPARTMENTS)) -> tuple[str, ...]:
        """Return one or two departments, in the site's order."""
        chosen = set(self.rng.sample(pool, self.rng.choice((1, 1, 1, 2))))
        return tuple(d for d in DEPARTMENTS if d in chosen)

    def common_channels(self, departments: tuple[str, ...]) -> list[str]:
        """Return the channels every one of these departments has."""
        return [c for c in CHANNEL_WORDS if all(c in DEPARTMENTS[d][2] for d in departments)]

    # Each kind returns (title, paragraphs, departments, changes) or None when no days are free.

    def holiday(self, published: date):
        """A public holiday: closed, or a reduced shift."""
        ahead = [d for d in sorted(self.holidays)
                 if published + timedelta(days=4) <= d <= published + timedelta(days=25)]
        if not ahead:
            return None
        day, name = ahead[0], self.holidays[ahead[0]].split(";")[0]
        departments = self.some_departments()
        if not self.take(departments, [day]):
            return None
        channels = self.common_channels(departments)
        if self.rng.random() < 0.5:
            change = {"date": day, "weekday": weekday(day), "closed": True, "note": name}
            middle = ("Não haverá atendimento por nenhum canal nesse dia. O atendimento volta ao horário "
                      "normal no dia útil seguinte.")
        else:
            hours = {c: self.rng.choice(("09:00-13:00", "09:00-15:00", "10:00-16:00")) for c in channels[:2]}
            change = {"date": day, "weekday": weekday(day), "hours": hours, "note": f"Plantão: {name}"}
            middle = "Nesse dia funcionam somente estes canais:\n\n" + channel_list(hours, departments)
        title = self.rng.choice((f"Atendimento no feriado de {name}", f"Horário no feriado de {name} ({short(day)})",
                                 f"{name}: como fica o atendimento"))
        first = (f"Em razão do feriado de {name}, {on_day(day)}, {names_of(departments)} "
                 f"{'terá' if len(departments) == 1 else 'terão'} horário especial.")
        return title, [first, middle, self.rng.choice(SELF_SERVICE), self.rng.choice(CLOSINGS)], departments, [change]

    def training(self, published: date):
        """A morning of staff training: only the written channels answer, and only part of the day."""
        departments = self.some_departments()
        days = self.free_days(departments, published + timedelta(days=self.rng.randint(3, 15)), 1)
        if not days:
            return None
        day = days[0]
        written = [c for c in ("chat", "email", "whatsapp") if c in self.common_channels(departments)]
        hours = {c: self.rng.choice(("08:00-12:00", "13:00-18:00", "14:00-18:00")) for c in written}
        change = {"date": day, "weekday": weekday(day), "hours": hours, "note": "Treinamento da equipe"}
        title = self.rng.choice(("Atendimento reduzido para treinamento da equipe",
                                 f"Treinamento da equipe em {short(day)}", "Horário especial: treinamento anual"))
        return title, [
            f"{upper_first(on_day(day))}, {'a equipe' if len(departments) == 1 else 'as equipes'} "
            f"{names_of(departments, of=True)} {'participa' if len(departments) == 1 else 'participam'} "
            f"do treinamento anual de atendimento e segurança da informação.",
            "Por isso, nesse dia o atendimento fica assim:\n\n" + channel_list(hours, departments),
            "O telefone volta a funcionar normalmente no dia útil seguinte. " + self.rng.choice(SELF_SERVICE),
            self.rng.choice(CLOSINGS),
        ], departments, [change]

    def stocktaking(self, published: date):
        """A day closed for stocktaking, moving offices or an internal event."""
        departments = self.some_departments()
        days = self.free_days(departments, published + timedelta(days=self.rng.randint(4, 20)), 1)
        if not days:
            return None
        day = days[0]
        reason, why = self.rng.choice((
            ("Inventário", "do inventário semestral de equipamentos e materiais"),
            ("Mudança de sede", "da mudança para a nova sede, na Avenida Ana Costa"),
            ("Confraternização da equipe", "da confraternização anual da equipe"),
            ("Manutenção elétrica", "da manutenção da rede elétrica do prédio, feita pela concessionária"),
        ))
        change = {"date": day, "weekday": weekday(day), "closed": True, "note": reason}
        title = self.rng.choice((f"{reason}: sem atendimento em {short(day)}", f"Sem expediente {on_day(day)}",
                                 f"Aviso de fechamento: {reason.lower()}"))
        return title, [
            f"Informamos que {names_of(departments)} não {'atenderá' if len(departments) == 1 else 'atenderão'} "
            f"{on_day(day, year=True)}, por causa {why}.",
            self.rng.choice(SELF_SERVICE),
            "Pagamentos feitos nesse dia são compensados normalmente, e nenhum prazo de vencimento é alterado.",
            self.rng.choice(CLOSINGS),
        ], departments, [change]

    def extended(self, published: date):
        """Longer hours for a few days: a sales campaign or the days payments fall due."""
        departments = self.some_departments(("financeiro", "comercial"))
        length = self.rng.randint(2, 4)
        days = self.free_days(departments, published + timedelta(days=self.rng.randint(3, 12)), length)
        if not days:
            return None
        hours = {c: self.rng.choice(("08:00-22:00", "07:00-22:00", "08:00-23:00"))
                 for c in self.common_channels(departments) if c != "email"}
        hours["email"] = "08:00-20:00"
        note = "Horário estendido"
        change = {"dates": (days[0], days[-1]), "hours": hours, "note": note}
        when = (f"de {days[0].day} a {day_month(days[-1])}"
                if days[0].month == days[-1].month else f"de {short(days[0])} a {short(days[-1])}")
        title = self.rng.choice(("Horário estendido de atendimento", f"Atendimento até mais tarde {when}",
                                 "Campanha de renegociação: horário estendido"))
        return title, [
            f"Para atender a procura maior, {names_of(departments)} "
            f"{'amplia' if len(departments) == 1 else 'ampliam'} o horário de atendimento {when}.",
            "Nesses dias os canais funcionam assim:\n\n" + channel_list(hours, departments),
            "Aproveite para negociar débitos em atraso com desconto nos juros ou conhecer os planos de fibra "
            "com instalação gratuita.",
            self.rng.choice(CLOSINGS),
        ], departments, [change]

    def phone_outage(self, published: date):
        """The telephone exchange is being replaced: no telephone, the other channels as usual."""
        departments = self.some_departments()
        days = self.free_days(departments, published + timedelta(days=self.rng.randint(3, 15)), 1)
        if not days:
            return None
        day = days[0]
        hours = {c: "08:00-18:00" for c in self.common_channels(departments) if c != "phone"}
        change = {"date": day, "weekday": weekday(day), "hours": hours, "note": "Troca da central telefônica"}
        title = self.rng.choice(("Manutenção da central telefônica", f"Telefone indisponível em {short(day)}",
                                 "Atendimento sem telefone por um dia"))
        return title, [
            f"{upper_first(on_day(day))}, substituiremos a central telefônica, e o telefone "
            f"{names_of(departments, of=True)} ficará fora do ar o dia todo.",
            "Os outros canais atendem nestes horários:\n\n" + channel_list(hours, departments),
            "A nova central traz menos tempo de espera e a opção de receber uma ligação de volta em vez de "
            "aguardar na linha.",
            self.rng.choice(CLOSINGS),
        ], departments, [change]

    def year_end(self, published: date):
        """Christmas and New Year's Eve: reduced hours on the eves, closed on the holidays."""
        year = published.year
        if not (date(year, 11, 15) <= published <= date(year, 12, 15)):
            return None
        departments = self.some_departments()
        eves = [date(year, 12, 24), date(year, 12, 31)]
        closed = [date(year, 12, 25), date(year + 1, 1, 1)]
        wanted = eves + closed
        if not self.take(departments, wanted):
            return None
        hours = {c: "08:00-12:00" for c in self.common_channels(departments)[:2]}
        changes = [{"date": d, "weekday": weekday(d), "hours": hours, "note": "Véspera de feriado"} for d in eves]
        changes += [{"date": d, "weekday": weekday(d), "closed": True, "note": self.holidays.get(d, "Feriado")}
                    for d in closed]
        changes.sort(key=lambda c: c["date"])
        title = self.rng.choice(("Horário de atendimento no Natal e no Ano-Novo", f"Festas de fim de ano de {year}",
                                 "Atendimento nas festas de fim de ano"))
        return title, [
            f"Nas festas de fim de ano, {names_of(departments)} "
            f"{'muda' if len(departments) == 1 else 'mudam'} o horário de atendimento:",
            "\n".join(f"- **{weekday(d)}, {day_month(d)}**: "
                      + ("fechado" if d in closed else "meio período, das 8h às 12h")
                      + (";" if d != max(wanted) else ".") for d in sorted(wanted)),
            "Nos demais dias vale o horário normal. " + self.rng.choice(SELF_SERVICE),
            "A equipe da Example Networks deseja a você boas festas!",
        ], departments, changes

    def new_channel(self, published: date):
        """An announcement: a department answers on a new channel."""
        key = self.rng.choice(tuple(DEPARTMENTS))
        name, _, channels = DEPARTMENTS[key]
        channel = self.rng.choice([c for c in channels if c not in ("phone", "email")])
        contact, _ = channels[channel]
        by = "pela" if channel in FEMININE else "pelo"
        title = self.rng.choice((f"Novo canal: {name} {by} {CHANNEL_WORDS[channel]}",
                                 f"{name} agora atende {by} {CHANNEL_WORDS[channel]}"))
        return title, [
            f"{upper_first(the(key))} agora atende também {by} {CHANNEL_WORDS[channel]}, "
            f"{'no número' if channel == 'whatsapp' else 'no endereço'} **{contact}**.",
            "O novo canal funciona nos mesmos dias do atendimento atual, e as conversas ficam registradas no "
            "seu histórico de atendimento, que pode ser consultado na Central do Assinante.",
            "Para sua segurança, nunca pedimos senhas nem códigos recebidos por SMS em nenhum canal.",
            self.rng.choice(CLOSINGS),
        ], (key,), []

    def network_work(self, published: date):
        """An announcement: planned work on the network in a neighbourhood, at night."""
        day = published + timedelta(days=self.rng.randint(2, 12))
        district, city = self.rng.choice(DISTRICTS), self.rng.choice(CITIES)
        start, end = self.rng.choice((("0h", "5h"), ("1h", "4h"), ("23h", "5h")))
        title = self.rng.choice((f"Manutenção programada na rede: {district}, {city}",
                                 f"Melhorias na rede de fibra em {city}"))
        return title, [
            f"Faremos uma manutenção programada na rede de fibra óptica que atende o bairro {district}, em "
            f"{city}, na madrugada de {weekday(day)}, {short(day)}, entre {start} e {end}.",
            "Durante a janela, a conexão pode cair algumas vezes por poucos minutos. Não é preciso reiniciar o "
            "modem: a conexão volta sozinha ao fim de cada intervenção.",
            "O trabalho troca equipamentos antigos da rede e aumenta a capacidade para os planos acima de "
            "500 Mega.",
            "Se a conexão não voltar até o fim da janela, abra um chamado pela central ou pelo aplicativo.",
        ], ("suporte",), []

    def scam_warning(self, published: date):
        """An announcement: beware of fake payment slips and messages."""
        title = self.rng.choice(("Cuidado com boletos e mensagens falsas", "Alerta de golpe: cobranças falsas",
                                 "Golpe do falso técnico: saiba como se proteger"))
        return title, [
            "Recebemos relatos de clientes que receberam cobranças em nome da Example Networks por mensagens "
            "de celular e e-mail, com boletos e chaves Pix que não são nossos.",
            "Antes de pagar, confira:\n\n- o beneficiário do boleto é sempre **Example Networks Ltda.**;\n"
            "- a chave Pix oficial é o nosso CNPJ, informado na fatura;\n"
            "- nossos técnicos usam crachá e chegam em carro identificado, com visita agendada.",
            "Na dúvida, baixe a segunda via pela Central do Assinante ou fale com o Financeiro.",
            self.rng.choice(CLOSINGS),
        ], ("financeiro",), []

    def price_change(self, published: date):
        """An announcement: the yearly price adjustment from a date."""
        day = date(published.year + (published.month > 10), (published.month + 1) % 12 + 1, 1)
        rate = self.rng.choice(("3,9", "4,2", "4,6", "5,1"))
        title = self.rng.choice(("Reajuste anual dos planos", f"Reajuste de {rate}% a partir de {short(day)}"))
        return title, [
            f"Conforme previsto em contrato, os planos residenciais terão reajuste anual de {rate}%, a partir das "
            f"faturas que vencem em {day_month(day, year=True)}.",
            "O índice usado é o IPCA acumulado nos últimos doze meses. Planos contratados há menos de um ano não "
            "são reajustados.",
            "Se preferir, o Comercial pode sugerir um plano mais adequado ao seu uso, sem multa de fidelidade.",
            self.rng.choice(CLOSINGS),
        ], ("financeiro", "comercial"), []

    def coverage(self, published: date):
        """An announcement: fibre reaches new neighbourhoods."""
        city = self.rng.choice(CITIES)
        districts = self.rng.sample(DISTRICTS, 3)
        title = self.rng.choice((f"Fibra óptica chega a novos bairros de {city}",
                                 f"Nova área de cobertura em {city}"))
        return title, [
            f"A rede de fibra óptica da Example Networks chegou a {districts[0]}, {districts[1]} e {districts[2]}, "
            f"em {city}.",
            "Os novos clientes dessas regiões têm instalação gratuita e o primeiro mês pela metade do preço.",
            "Consulte a viabilidade no seu endereço com o Comercial, pelo telefone ou pelo WhatsApp.",
        ], ("comercial",), []

    def incident_report(self, published: date):
        """An announcement: what happened during an outage a few days ago."""
        day = published - timedelta(days=self.rng.randint(1, 6))
        city = self.rng.choice(CITIES)
        title = self.rng.choice((f"Relatório da instabilidade em {city}", f"O que aconteceu na rede de {city}"))
        return title, [
            f"{upper_first(on_day(day))}, entre 14h10 e 16h40, clientes de {city} ficaram sem conexão ou com "
            f"lentidão por causa do rompimento de um cabo de fibra durante uma obra da prefeitura.",
            "Nossa equipe de campo fez a emenda do cabo e a rede voltou ao normal no mesmo dia. Os clientes "
            "afetados recebem um desconto proporcional na próxima fatura, sem precisar pedir.",
            "Pedimos desculpas pelo transtorno.",
        ], ("suporte",), []

    def mail_migration(self, published: date):
        """An announcement for hosting customers: e-mail moves to new servers."""
        day = published + timedelta(days=self.rng.randint(5, 20))
        title = self.rng.choice(("Migração dos servidores de e-mail", "E-mail corporativo: novos servidores"))
        return title, [
            f"O e-mail corporativo dos planos de hospedagem passa para novos servidores {on_day(day)}.",
            "Depois da migração, confira a configuração do seu programa de e-mail:\n\n"
            "- entrada: `imap.example.net`, porta 993, SSL;\n- saída: `smtp.example.net`, porta 587, STARTTLS.",
            "As mensagens, pastas e contatos são copiados automaticamente. Quem usa o webmail não precisa "
            "fazer nada.",
            self.rng.choice(CLOSINGS),
        ], ("hospedagem",), []

    HOURS_KINDS = ("holiday", "training", "stocktaking", "extended", "phone_outage", "year_end")
    INFO_KINDS = ("new_channel", "network_work", "scam_warning", "price_change", "coverage", "incident_report",
                  "mail_migration")

    def notice(self, published: datetime, used_slugs: set[str]) -> Notice:
        """Return one notice published at `published`: hours (about 45%) or info."""
        drawn = None
        if self.rng.random() < 0.45:
            for kind in ("year_end", "holiday", *self.rng.sample(self.HOURS_KINDS[1:5], 4)):
                if kind in ("year_end", "holiday") and self.rng.random() < 0.4:
                    continue
                drawn = getattr(self, kind)(published.date())
                if drawn:
                    break
        kind = "hours" if drawn else "info"
        if not drawn:
            drawn = getattr(self, self.rng.choice(self.INFO_KINDS))(published.date())
        title, paragraphs, departments, changes = drawn
        base = f"{published.date().isoformat()}-{slugify(title)}"
        slug, number = base, 2
        while slug in used_slugs:
            slug, number = f"{base}-{number}", number + 1
        used_slugs.add(slug)
        days = [c["date"] for c in changes if "date" in c] + [d for c in changes if "dates" in c for d in c["dates"]]
        period = (min(days), max(days)) if days and self.rng.random() < 0.6 else None
        updated = published + timedelta(hours=self.rng.randint(2, 48)) if self.rng.random() < 0.1 else None
        return Notice(slug, published, title, "\n\n".join(paragraphs) + "\n", kind, tuple(departments),
                      tuple(changes), period, updated, cancelled=kind == "hours" and self.rng.random() < 0.02)


def slugify(title: str) -> str:
    """Return the title in lower-case ASCII words joined by hyphens, at most about 60 characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def make_notices(count: int, seed: int) -> list[Notice]:
    """Return `count` notices published between FIRST_DAY and LAST_DAY, oldest first."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    stamps = sorted((rng.randrange(span + 1), rng.randrange(8 * 60, 19 * 60)) for _ in range(count))
    writer, used = NoticeWriter(seed), set()
    return [writer.notice(datetime.combine(FIRST_DAY + timedelta(days=d), datetime.min.time(), ZONE)
                          + timedelta(minutes=m), used) for d, m in stamps]


# --- Writing the three sites -------------------------------------------------------

def quoted(text: str) -> str:
    """Return text as a double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def our_front_matter(notice: Notice) -> str:
    """Return the notice's front matter in our format (docs/format.md)."""
    lines = [f"title: {quoted(notice.title)}", f"date: {notice.published:%Y-%m-%d %H:%M}", f"type: {notice.kind}"]
    if notice.updated:
        lines.append(f"updated: {notice.updated:%Y-%m-%d %H:%M}")
    if notice.departments:
        lines.append(f"departments: [{', '.join(notice.departments)}]")
    if notice.period:
        lines.append(f"period: {notice.period[0]}..{notice.period[1]}")
    if notice.cancelled:
        lines.append("cancelled: true")
    if notice.changes:
        lines.append("changes:")
    for change in notice.changes:
        lines.append(f"  - date: {change['date']}" if "date" in change
                     else f"  - dates: {change['dates'][0]}..{change['dates'][1]}")
        if "weekday" in change:
            lines.append(f"    weekday: {change['weekday']}")
        if change.get("closed"):
            lines.append("    closed: true")
        else:
            lines.append("    hours: {" + ", ".join(f"{c}: {h}" for c, h in change["hours"].items()) + "}")
        lines.append(f"    note: {quoted(change['note'])}")
    return "---\n" + "\n".join(lines) + "\n---\n"


HUGO_CONFIG = f"""baseURL = "{BASE_URL}"
languageCode = "pt-br"
title = "{SITE_NAME}"
timeZone = "{ZONE.key}"
# The same pages as ours: the notices, their index and RSS; no tags, categories or sitemap.
disableKinds = ["taxonomy", "term", "sitemap"]
rssLimit = {FEED_ITEMS}

[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
page = ["HTML"]
"""
HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} – {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}" title="{{ site.Title }}">{{ end }}
</head>
<body>
<header><a href="{{ "notices/" | relURL }}">{{ site.Title }}: avisos</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages }}<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>Publicado em <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006 15:04" }}</time></p></li>
{{ end }}</ul>
{{ end }}
""",
    "single.html": """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p>Publicado em <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006 15:04" }}</time></p>
{{ .Content }}
</article>
{{ end }}
""",
}

PELICAN_TEMPLATES = {
    "base.html": """<!DOCTYPE html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title>
<link rel="alternate" type="application/rss+xml" href="{{ FEED_DOMAIN }}/{{ FEED_ALL_RSS }}" title="{{ SITENAME }}">
</head>
<body>
<header><a href="{{ SITEURL }}/notices/">{{ SITENAME }}: avisos</a></header>
<main>{% block content %}{% endblock %}</main>
</body>
</html>
""",
    "index.html": """{% extends "base.html" %}
{% block title %}Avisos – {{ SITENAME }}{% endblock %}
{% block content %}
<h1>Avisos</h1>
<ul>
{% for article in articles %}<li><h2><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a></h2>
<p>Publicado em <time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time></p></li>
{% endfor %}</ul>
{% endblock %}
""",
    "article.html": """{% extends "base.html" %}
{% block title %}{{ article.title }} – {{ SITENAME }}{% endblock %}
{% block content %}
<article>
<h1>{{ article.title }}</h1>
<p>Publicado em <time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time></p>
{{ article.content }}
</article>
{% endblock %}
""",
}


def pelican_settings(content: Path, theme: Path) -> str:
    """Return a Pelican settings file: the notices as articles at our paths, an index and RSS and Atom."""
    return f"""SITENAME = "{SITE_NAME}"
SITEURL = "{BASE_URL.rstrip('/')}"
AUTHOR = "{SITE_NAME}"
PATH = {str(content)!r}
THEME = {str(theme)!r}
TIMEZONE = "{ZONE.key}"
DEFAULT_LANG = "pt-BR"
DEFAULT_DATE_FORMAT = "%d/%m/%Y %H:%M"
ARTICLE_PATHS = ["notices"]
PAGE_PATHS = []
STATIC_PATHS = []
ARTICLE_URL = "notices/{{slug}}/"
ARTICLE_SAVE_AS = "notices/{{slug}}/index.html"
INDEX_SAVE_AS = "notices/index.html"
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = False
# The same pages as ours: no category, tag, author or archive pages.
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = TAG_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
FEED_DOMAIN = SITEURL
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = "atom.xml"
FEED_MAX_ITEMS = {FEED_ITEMS}
CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None
"""


def write_sites(work: Path, notices: list[Notice]) -> dict[str, Path]:
    """Write the three sites under `work` and return their folders by generator."""
    ours, hugo, pelican = work / "expediente", work / "hugo", work / "pelican"
    write_our_site_files(ours)
    for folder in (ours / "notices", hugo / "content" / "notices", pelican / "content" / "notices"):
        folder.mkdir(parents=True)
    for notice in notices:
        name = f"{notice.slug}.md"
        (ours / "notices" / name).write_text(our_front_matter(notice) + notice.body, encoding="utf-8")
        hugo_front = f"---\ntitle: {quoted(notice.title)}\ndate: {notice.published.isoformat()}\n---\n"
        (hugo / "content" / "notices" / name).write_text(hugo_front + notice.body, encoding="utf-8")
        pelican_meta = (f"Title: {notice.title}\nDate: {notice.published:%Y-%m-%d %H:%M}\n"
                        f"Slug: {notice.slug}\nCategory: Avisos\n\n")
        (pelican / "content" / "notices" / name).write_text(pelican_meta + notice.body, encoding="utf-8")
    (hugo / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (hugo / "content" / "notices" / "_index.md").write_text('---\ntitle: "Avisos"\n---\n', encoding="utf-8")
    (hugo / "layouts" / "_default").mkdir(parents=True)
    for name, text in HUGO_LAYOUTS.items():
        (hugo / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    (pelican / "theme" / "templates").mkdir(parents=True)
    for name, text in PELICAN_TEMPLATES.items():
        (pelican / "theme" / "templates" / name).write_text(text, encoding="utf-8")
    settings = pelican_settings(pelican / "content", pelican / "theme")
    (pelican / "pelicanconf.py").write_text(settings, encoding="utf-8")
    return {"expediente": ours, "hugo": hugo, "pelican": pelican}


# --- Measuring ---------------------------------------------------------------------

INSTALL_HINTS = {"hugo": "apt-get install hugo", "pelican": "pip install pelican markdown"}


@dataclass(frozen=True, slots=True)
class Run:
    """One build: wall and CPU time (user + system, the children included) in seconds, and what it wrote."""

    seconds: float
    cpu_seconds: float
    files: int
    bytes: int


def run_once(command: list[str], out: Path, env: dict[str, str]) -> Run:
    """Run one build command and measure it; raise if it fails."""
    settle()
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        # wait4 gives this child's own rusage, with the processes it waited for (a pool's workers).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            log.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n" + log.read().decode("utf-8", "replace"))
    files = [path for path in out.rglob("*") if path.is_file()]
    return Run(seconds, usage.ru_utime + usage.ru_stime, len(files), sum(path.stat().st_size for path in files))


def find_tools(args: argparse.Namespace) -> dict[str, list[str]] | None:
    """Return the commands that run Hugo and Pelican, or print how to install the missing ones and return None."""
    tools = {}
    for name in ("hugo", "pelican"):
        given = getattr(args, name)
        found = shutil.which(given) if given else shutil.which(name)
        if found:
            tools[name] = [found]
        elif name == "pelican" and not given and can_import("pelican"):
            tools[name] = [sys.executable, "-m", "pelican"]
    missing = [name for name in ("hugo", "pelican") if name not in tools]
    for name in missing:
        print(f"error: {name} is not installed (or not on PATH); install it with `{INSTALL_HINTS[name]}`, "
              f"or name its command with --{name}", file=sys.stderr)
    return None if missing else tools


def can_import(module: str) -> bool:
    """Tell whether this Python can import a module."""
    import importlib.util

    return importlib.util.find_spec(module) is not None


def version_of(command: list[str]) -> str:
    """Return the first line a `--version` (or Hugo's `version`) prints."""
    arguments = ["version"] if Path(command[-1]).name == "hugo" else ["--version"]
    result = subprocess.run(command + arguments, capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr) else "?"


def machine() -> str:
    """Return a line about this machine: cores, CPU model, system."""
    model = "?"
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"machine: {cores} cores (nproc), {model}, {platform.system()} {platform.release()}"


def load_average() -> str:
    """Return the load averages over 1, 5 and 15 minutes: how busy the machine was."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def has_incremental_mode() -> bool:
    """Tell whether our command line offers an incremental build (its help names one, or a build cache)."""
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True, text=True)
    return any(word in result.stdout.lower() for word in ("incremental", "--no-cache"))


def generator_version() -> str:
    """Return the commit of the generator measured, and whether its files differ from it."""
    def git(*arguments: str) -> str:
        result = subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    changed = git("status", "--porcelain", "--", "build.py", "generator", "templates")
    return commit + (" with uncommitted changes to the generator" if changed else "")


def forget_cache(site: Path) -> None:
    """Remove our build cache from the site, so that the next build starts cold, as on a fresh clone."""
    shutil.rmtree(site / OUR_CACHE, ignore_errors=True)


def check_ours(site: Path) -> str:
    """Run `build.py check` on our site; return its verdict, or raise with its output when it fails."""
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--site", str(site), "--now", NOW],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"build.py check refused the generated notices:\n{result.stderr[-4000:]}")
    warnings = result.stderr.count(": warning: ")
    return result.stdout.strip() + ("" if not warnings else f"; {warnings} warnings:\n{result.stderr[-4000:]}")


def commands(sites: dict[str, Path], tools: dict[str, list[str]], work: Path, number: int) -> dict:
    """Return (command, output folder, environment) of each build of round `number`."""
    clean = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    epoch = dict(clean, SOURCE_DATE_EPOCH=str(int(datetime.fromisoformat(NOW).timestamp())))
    ours, hugo, pelican = (work / f"out-{name}-{number}" for name in ("expediente", "hugo", "pelican"))
    build = [sys.executable, str(ROOT / "build.py"), "build", "--site", str(sites["expediente"]),
             "--out", str(ours), "--now", NOW]
    return {
        "expediente": (build, ours, clean),
        # --buildFuture: Hugo skips pages dated after the clock, and the notices run up to NOW.
        "hugo": (tools["hugo"] + ["--source", str(sites["hugo"]), "--destination", str(hugo), "--quiet",
                                  "--buildFuture", "--cacheDir", str(work / "hugo-cache")], hugo, epoch),
        "pelican": (tools["pelican"] + [str(sites["pelican"] / "content"), "--settings",
                                        str(sites["pelican"] / "pelicanconf.py"), "--output", str(pelican),
                                        "--quiet"], pelican, epoch),
        # The same command again into the folder the full build just wrote.
        "rebuild": (build, ours, clean),
    }


ORDER = ("expediente", "hugo", "pelican", "rebuild")
OUR_CACHE = ".expediente-cache"   # generator/read/cache.py: kept in the site folder, ignored by git


def bench(sites: dict[str, Path], tools: dict[str, list[str]], work: Path, runs: int) -> dict[str, list[Run]]:
    """Build the sites in turn, `runs` rounds after one untimed round; return the runs by case."""
    results: dict[str, list[Run]] = {name: [] for name in ORDER}
    for number in range(runs + 1):
        planned = commands(sites, tools, work, number)
        for name in ORDER:
            label = "warm-up" if number == 0 else f"round {number}/{runs}"
            print(f"{label}: {name} ...", file=sys.stderr, flush=True)
            if name == "expediente":
                forget_cache(sites["expediente"])   # a full build: nothing kept from the round before
            run = run_once(*planned[name])
            if number:
                results[name].append(run)
    # The outputs are removed only now: on ext4, files made within minutes of a large deletion
    # are slow to create (the allocator skips recently freed inodes), which would slow the next
    # tool for the previous one's clean-up.
    for number in range(runs + 1):
        for name in ("expediente", "hugo", "pelican"):
            shutil.rmtree(work / f"out-{name}-{number}", ignore_errors=True)
    return results


def report(results: dict[str, list[Run]], incremental: bool) -> list[str]:
    """Return the table and the ratios as lines."""
    medians = {name: statistics.median(run.seconds for run in runs) for name, runs in results.items()}
    labels = {"expediente": "expediente full build", "hugo": "hugo full build", "pelican": "pelican full build",
              "rebuild": "expediente no-change rebuild" + (" (cached)" if incremental else " (plain rebuild)")}
    rows = [["build", "runs", "median s", "min s", "max s", "median CPU s", "files", "output KiB"]]
    for name in ORDER:
        runs = results[name]
        times = [run.seconds for run in runs]
        rows.append([labels[name], str(len(runs)), f"{medians[name]:.3f}", f"{min(times):.3f}", f"{max(times):.3f}",
                     f"{statistics.median(run.cpu_seconds for run in runs):.3f}", str(runs[-1].files),
                     f"{runs[-1].bytes / 1024:.0f}"])
    cpu = {name: statistics.median(run.cpu_seconds for run in runs) for name, runs in results.items()}
    aims = (("ours / hugo (full builds)", "expediente", "hugo", "at most 1.5", lambda r: r <= 1.5),
            ("pelican / ours (full builds)", "pelican", "expediente", "at least 4", lambda r: r >= 4),
            ("our rebuild / hugo's full build", "rebuild", "hugo", "below 1", lambda r: r < 1))
    rows_ratio = [["ratio of medians", "wall", "aim", "", "CPU"]]
    for label, top, bottom, aim, met in aims:
        ratio = medians[top] / medians[bottom]
        rows_ratio.append([label, f"{ratio:.2f}", aim, "met" if met(ratio) else "NOT met",
                           f"{cpu[top] / cpu[bottom]:.2f}"])
    lines = [format_table(rows), "", format_table(rows_ratio), ""]
    if incremental:
        lines.append("note: build.py keeps a build cache in the site folder; it is removed before each full "
                     "build, and the no-change rebuild (same --now, same output folder) is answered from it")
    else:
        lines.append("note: build.py has no incremental mode yet; the no-change rebuild is a plain full build "
                     "into the folder the previous build wrote")
    lines.append("CPU: user + system time of the build and its child processes; wall time is what the aims are "
                 "about, CPU time shows how much of it is work when the machine is shared")
    return lines


# --- Profiling our build -----------------------------------------------------------

def profile_ours(site: Path, work: Path, top: int) -> list[str]:
    """Build our site once under cProfile; return the share of time by module and the top functions."""
    import pstats

    stats_file = work / "expediente.prof"
    forget_cache(site)
    command = [sys.executable, "-m", "cProfile", "-o", str(stats_file), str(ROOT / "build.py"), "build",
               "--site", str(site), "--out", str(work / "out-profile"), "--now", NOW]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"})
    stats = pstats.Stats(str(stats_file))
    table = stats.stats  # (file, line, function) -> (primitive calls, calls, own time, cumulative time, callers)
    total = sum(own for _, _, own, _, _ in table.values())
    by_module: dict[str, float] = {}
    for (file, _, _), (_, _, own, _, _) in table.items():
        by_module[module_of(file)] = by_module.get(module_of(file), 0.0) + own
    lines = [f"profile of one full build under cProfile: {total:.2f} s of own time in all functions "
             f"(cProfile slows the build; compare shares, not seconds)", "",
             "own time by module or package:"]
    rows = [["module", "own s", "share"]]
    for module, own in sorted(by_module.items(), key=lambda item: -item[1])[:top]:
        rows.append([module, f"{own:.3f}", f"{own / total:.1%}"])
    lines += [format_table(rows), "", "functions by cumulative time (time inside them and what they call):"]
    rows = [["function", "calls", "cumulative s", "share", "own s"]]
    ranked = sorted(table.items(), key=lambda item: -item[1][3])
    for (file, line, name), (_, calls, own, cumulative, _) in ranked[:top]:
        rows.append([f"{module_of(file)}:{line}({name})", str(calls), f"{cumulative:.3f}",
                     f"{cumulative / total:.1%}", f"{own:.3f}"])
    lines += [format_table(rows), "", "functions by own time:"]
    rows = [["function", "calls", "own s", "share"]]
    for (file, line, name), (_, calls, own, _, _) in sorted(table.items(), key=lambda item: -item[1][2])[:top]:
        rows.append([f"{module_of(file)}:{line}({name})", str(calls), f"{own:.3f}", f"{own / total:.1%}"])
    return lines + [format_table(rows), "", f"the full profile: python -m pstats {stats_file}"]


def module_of(file: str) -> str:
    """Return our module's path (generator/...), a third-party package's name, or the file as given."""
    path = Path(file)
    if path.is_absolute() and path.is_relative_to(ROOT):
        return str(path.relative_to(ROOT))
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if file == "~":
        return "(built-in functions)"
    if path.is_absolute():
        return "(standard library) " + path.stem
    return file


# --- The command line --------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Parse the command line, write the sites, check ours, build all three in turn and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="notices (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="timed builds of each generator (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the notices (default 1)")
    parser.add_argument("--work", type=Path, help="folder for the sites and builds, kept afterwards "
                                                  "(default: a temporary folder, removed)")
    parser.add_argument("--generate-only", action="store_true", help="write and check the sites, build nothing")
    parser.add_argument("--hugo", help="the hugo command (default: hugo on PATH)")
    parser.add_argument("--pelican", help="the pelican command (default: pelican on PATH, or python -m pelican)")
    parser.add_argument("--profile", action="store_true", help="then profile one of our builds with cProfile")
    parser.add_argument("--top", type=int, default=25, help="rows of each profile table (default 25)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.count < 1:
        parser.error("--runs and --count must be at least 1")
    if args.work and args.work.exists() and any(args.work.iterdir()):
        parser.error(f"{args.work} is not empty; choose a new folder")
    tools = None
    if not args.generate_only:
        tools = find_tools(args)
        if tools is None:
            return 1
    with tempfile.TemporaryDirectory(prefix="expediente-peers-") as temp:
        work = args.work or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        notices = make_notices(args.count, args.seed)
        sites = write_sites(work, notices)
        kinds = sum(1 for n in notices if n.kind == "hours")
        print(f"wrote {len(notices)} notices ({kinds} hours, {len(notices) - kinds} info) into {work}",
              file=sys.stderr)
        try:
            verdict = check_ours(sites["expediente"])
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.generate_only:
            print(verdict)
            return 0
        compile_bytecode()
        started, load_before = datetime.now().astimezone(), load_average()
        results = bench(sites, tools, work, args.runs)
        lines = [f"Expediente vs Hugo vs Pelican: {args.count} notices (seed {args.seed}), {args.runs} timed builds "
                 f"of each after one untimed, in turn: {', '.join(ORDER)}",
                 f"date: {started:%Y-%m-%d %H:%M %Z}", machine(),
                 f"load average (1, 5, 15 min) before: {load_before}; after: {load_average()}",
                 f"Python {platform.python_version()} ({sys.executable}); expediente at {generator_version()}",
                 f"Hugo: {version_of(tools['hugo'])}", f"Pelican: {version_of(tools['pelican'])}",
                 f"ours: build.py build --now {NOW}, {default_jobs()} processes; hugo and pelican with "
                 "SOURCE_DATE_EPOCH of the same instant",
                 "before each timed build: sync (bench/conditions.py); our bytecode compiled once, as installed",
                 f"check: {verdict}", "", *report(results, has_incremental_mode())]
        if args.profile:
            lines += ["", *profile_ours(sites["expediente"], work, args.top)]
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
