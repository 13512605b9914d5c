"""A wrong weekday's hint names the days that weekday falls on around the written date (or the one day inside
the notice's period or its start), not the same day of a past month; checked through real builds of a small
es-MX site published on 7 December 2026."""

from __future__ import annotations

import pytest
from conftest import write_tree

from generator.cli import main

NOW = "2026-12-07T19:30-06:00"
SITE = """\
name: Hospedajes Tlaloc
base_url: https://soporte.tlaloc.mx/
timezone: America/Mexico_City
languages: [es-MX, en]
holidays:
  country: MX
"""
STATUS = """\
components:
  - id: panel
    name: {es-MX: Panel de clientes, en: Customer panel}
"""
HOURS = """\
departments:
  - id: soporte
    name: {es-MX: Soporte, en: Support}
    channels:
      - id: telefono
        type: phone
        contact: "+52 55 5555 0100"
        hours:
          mon-fri: [09:00-14:00, 15:00-19:00]
          sat: 10:00-14:00
"""


def check(tmp_path, capsys, notices: dict[str, str], hours: str = HOURS) -> tuple[int, list[str]]:
    """Check a site with `notices`; return the exit status and the lines written to stderr."""
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": SITE, "site_src/hours.yaml": hours,
                                          "site_src/status.yaml": STATUS, **notices})
    status = main(["check", "--site", str(site), "--now", NOW])
    return status, capsys.readouterr().err.splitlines()


def test_a_day_just_ahead_gets_the_thursdays_around_it_not_november(tmp_path, capsys):
    notice = ("---\ntitle: Sin teléfono\ndate: 2026-12-07 10:00\n---\n"
              "El jueves 12 de diciembre no habrá soporte telefónico.\n")
    assert check(tmp_path, capsys, {"notices/2026-12-07-sin-telefono.md": notice}) == (1, [
        "notices/2026-12-07-sin-telefono.md:5:11: error: 12 de diciembre (2026-12-12) is a Saturday (sábado), "
        "not jueves",
        "  hint: Thursday is 10 or 17 December", "1 error"])


def test_a_maintenance_gets_the_day_it_starts(tmp_path, capsys):
    notice = ("---\ntitle: Mantenimiento del panel\ndate: 2026-12-07 10:00\ntype: maintenance\n"
              "components: [panel]\nstart: 2026-12-13 02:00\nend: 2026-12-13 04:00\n---\n"
              "Habrá mantenimiento programado el domingo 15/12 de 2 a 4 a.m.\n")
    assert check(tmp_path, capsys, {"notices/2026-12-07-panel.md": notice}) == (1, [
        "notices/2026-12-07-panel.md:9:43: error: 15/12 (2026-12-15) is a Tuesday (martes), not domingo",
        "  hint: 2026-12-13 is a Sunday and is the day the notice starts", "1 error"])


def test_an_incident_gets_a_day_between_its_start_and_end(tmp_path, capsys):
    notice = ("---\ntitle: Falla del panel\ndate: 2026-12-07 10:00\ntype: incident\n"
              "components: {panel: major_outage}\nstart: 2026-12-05 22:00\nend: 2026-12-07 09:00\n---\n"
              "El panel falló desde la noche del sábado 6/12 hasta esta mañana.\n")
    assert check(tmp_path, capsys, {"notices/2026-12-07-falla.md": notice}) == (1, [
        "notices/2026-12-07-falla.md:9:42: error: 6/12 (2026-12-06) is a Sunday (domingo), not sábado",
        "  hint: 2026-12-05 is a Saturday and is the day the notice starts", "1 error"])


def test_the_front_matter_weekday_gets_the_thursdays_around_it(tmp_path, capsys):
    notice = ("---\ntitle: Cierre\ndate: 2026-12-07 10:00\ndepartments: [soporte]\nchanges:\n"
              "  - date: 2026-12-12\n    weekday: jueves\n    closed: true\n---\nCerramos.\n")
    assert check(tmp_path, capsys, {"notices/2026-12-07-cierre.md": notice}) == (1, [
        "notices/2026-12-07-cierre.md:7:14: error: 2026-12-12 is a Saturday (sábado), not jueves",
        "  hint: Thursday is 10 or 17 December", "1 error"])


def test_a_copied_notice_whose_month_was_not_updated_still_gets_the_month(tmp_path, capsys):
    # Last year's notice copied with its weekday updated: the day of the month is what is right.
    notice = ("---\ntitle: Aviso\ndate: 2026-12-07 10:00\n---\n"
              "Desde el lunes 7/12/2025 cambia el horario.\n")
    assert check(tmp_path, capsys, {"notices/2026-12-07-aviso.md": notice}) == (1, [
        "notices/2026-12-07-aviso.md:5:16: error: 7/12/2025 is a Sunday (domingo), not lunes",
        "  hint: 2026-12-07 is a Monday (did you mean 2026?)", "1 error"])


# --- day names in hours.yaml --------------------------------------------------------------------------

@pytest.mark.parametrize("written, meant", [
    ("lun-vie", "mon-fri"), ("sáb", "sat"), ("Sab.", "sat"), ("seg-sex", "mon-fri"),
    ("segunda a sexta", "mon-fri"), ("segunda-feira-sexta-feira", "mon-fri"), ("lunes a viernes", "mon-fri"),
    ("lun,mié,vie", "mon,wed,fri"), ("mon,Mie", "mon,wed"), ("Monday-Friday", "mon-fri"), ("Tues", "tue"),
    ("sábado", "sat"), ("Dom", "sun"), ("mar", "tue"), ("2ª-6ª", "mon-fri"), ("weekends,lun", "weekends,mon"),
    ("Lun–Vie", "mon-fri"),
])
def test_a_day_name_in_spanish_portuguese_or_english_gets_its_english_key(tmp_path, capsys, written, meant):
    hours = HOURS.replace("          sat: 10:00-14:00", f"          {written}: 10:00-14:00")
    status, err = check(tmp_path, capsys, {}, hours)
    # The message names the first part that is no English key; the hint translates the whole selector.
    part = next(p for p in written.lower().split(",") if p not in ("mon", "weekends"))
    assert (status, err) == (1, [
        f"site_src/hours.yaml:10:11: error: unknown day selector '{part.lower()}'",
        f"  hint: did you mean '{meant}'? Days are written as the English mon … sun", "1 error"])


@pytest.mark.parametrize("written, hint", [
    ("mon-fry", "did you mean 'mon-fri'?"),     # a typo keeps the nearest key
    ("lundi", "use mon … sun, a range (mon-fri), a list (mon,wed,fri), daily, weekdays, weekends or holidays"),
])
def test_what_names_no_day_keeps_its_old_hint(tmp_path, capsys, written, hint):
    hours = HOURS.replace("          sat: 10:00-14:00", f"          {written}: 10:00-14:00")
    status, err = check(tmp_path, capsys, {}, hours)
    assert (status, err) == (1, [f"site_src/hours.yaml:10:11: error: unknown day selector '{written}'",
                                 f"  hint: {hint}", "1 error"])
