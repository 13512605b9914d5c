"""Notices that change the hours: holidays, training, stocktaking, longer hours, no telephone, year's end.

Each kind draws from the writer's seeded generator and takes the days it changes
(NoticeWriter.take), so that no two notices change one department on one day;
it returns (title, paragraphs, departments, changes), or None when no day is free.
"""

from __future__ import annotations

from datetime import date, timedelta

from corpus.words import (
    CLOSINGS,
    SELF_SERVICE,
    channel_list,
    day_month,
    names_of,
    on_day,
    short,
    upper_first,
    weekday,
)


class HoursKinds:
    """The kinds of hours notice; mixed into NoticeWriter, whose `rng`, `holidays` and day-taking they use."""

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
