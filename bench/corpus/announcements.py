"""Announcements: notices that change no hours (a new channel, network work, scams, prices, coverage, outages).

Each kind returns (title, paragraphs, departments, changes) with no changes.
"""

from __future__ import annotations

from datetime import date, timedelta

from corpus.site import CHANNEL_WORDS, CITIES, DEPARTMENTS, DISTRICTS, FEMININE
from corpus.words import CLOSINGS, day_month, on_day, short, the, upper_first, weekday


class Announcements:
    """The kinds of announcement; mixed into NoticeWriter, whose `rng` they draw from."""

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

