"""The site the notices belong to: Example Networks, one language, four departments.

`write_site_files` writes its `site_src/site.yaml` and `site_src/hours.yaml`; the
departments and channels here are also what the notices speak of (words.py,
notices.py), so that every notice names a department and channel the site has.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ZONE = ZoneInfo("America/Sao_Paulo")
BASE_URL = "https://status.example.net/"
SITE_NAME = "Example Networks"

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


def site_yaml() -> str:
    """Return site_src/site.yaml: pt-BR only, Brazilian and São Paulo holidays."""
    site = {"name": SITE_NAME, "base_url": BASE_URL, "timezone": ZONE.key, "languages": ["pt-BR"],
            "description": "Horários de atendimento e avisos da Example Networks.",
            "holidays": {"country": "BR", "subdivision": "SP"}}
    return yaml.safe_dump(site, allow_unicode=True, sort_keys=False, width=120)


def hours_yaml() -> str:
    """Return site_src/hours.yaml: the four departments and their fifteen channels."""
    departments = [{"id": key, "name": name, "description": text, "channels": [
        {"id": channel, "type": channel, "contact": contact, "hours": hours}
        for channel, (contact, hours) in channels.items()]}
        for key, (name, text, channels) in DEPARTMENTS.items()]
    return yaml.safe_dump({"departments": departments}, allow_unicode=True, sort_keys=False, width=120)


def write_site_files(folder: Path) -> None:
    """Write `folder`/site_src/site.yaml and hours.yaml: pt-BR only, like the Hugo and Pelican sites."""
    source = folder / "site_src"
    source.mkdir(parents=True)
    (source / "site.yaml").write_text(site_yaml(), encoding="utf-8")
    (source / "hours.yaml").write_text(hours_yaml(), encoding="utf-8")
