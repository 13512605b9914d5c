"""Notices dated after the build's "now" are scheduled: published nowhere until then, listed by
`check`, named by `next-change`, and shown by `serve` as scheduled.

Each test builds a small site through the command line (generator.cli.main) or starts the
preview server, and reads back every output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MINIMAL_HOURS, MINIMAL_SITE, write_tree
from test_serve import get, start, stop, wait_until_up

from generator.cli import main

# An hours notice written in December for Carnaval: it changes the hours of 2027-02-08 and
# 2027-02-09, within the 90 days of api/hours.json and the calendars of a build in January.
SCHEDULED = "notices/2027-01-15-carnaval.md"
SCHEDULED_TEXT = """\
---
title: Horário no Carnaval
date: 2027-01-15 10:00
type: hours
period: 2027-02-08..2027-02-09
changes:
  - dates: 2027-02-08..2027-02-09
    hours: {phone: 10:00-14:00}
---
Plantão reduzido de Carnaval.
"""
PUBLISHED = "notices/2026-11-16-aviso.md"
PUBLISHED_TEXT = """\
---
title: Novo canal de atendimento
date: 2026-11-16 10:00
type: info
---
Agora também atendemos por chat.
"""
BEFORE = "2027-01-15T09:00:00-03:00"
AT = "2027-01-15T10:00:00-03:00"


@pytest.fixture
def site(tmp_path) -> Path:
    return write_tree(tmp_path / "site", {
        "site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS,
        SCHEDULED: SCHEDULED_TEXT, PUBLISHED: PUBLISHED_TEXT,
    })


def build(site: Path, out: Path, now: str) -> dict[str, str]:
    assert main(["build", "--site", str(site), "--out", str(out), "--now", now, "--no-cache"]) == 0
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*"))
            if p.is_file()}


def test_a_scheduled_notice_is_in_no_output_until_its_date(site, tmp_path):
    before = build(site, tmp_path / "before", BEFORE)
    assert not [path for path in before if "carnaval" in path]
    for path, text in before.items():
        assert "carnaval" not in text.lower(), path           # pages, index, feeds, calendars, API, JSON-LD
    assert any("2026-11-16-aviso" in text for text in before.values())
    hours = json.loads(before["api/hours.json"])
    days = [day for dept in hours["departments"] for channel in dept["channels"] for day in channel["days"]]
    carnival = [day for day in days if day["date"] == "2027-02-08"]
    assert carnival and all(day["reason"] != "notice" for day in carnival)   # effective hours unchanged

    at = build(site, tmp_path / "at", AT)
    assert "notices/2027-01-15-carnaval/index.html" in at
    assert "Horário no Carnaval" in at["index.html"] and "Horário no Carnaval" in at["feed.xml"]
    hours = json.loads(at["api/hours.json"])
    phone = hours["departments"][0]["channels"][0]
    monday = next(day for day in phone["days"] if day["date"] == "2027-02-08")
    assert monday["reason"] == "notice" and monday["notice"] == "2027-01-15-carnaval"


def test_check_lists_scheduled_notices_with_their_publication(site, capsys):
    assert main(["check", "--site", str(site), "--now", BEFORE]) == 0
    assert capsys.readouterr().out == (
        f"{SCHEDULED}: scheduled: published at 2027-01-15T10:00:00-03:00 (America/Sao_Paulo)\n"
        f"checked {site}: no errors\n")
    assert main(["check", "--site", str(site), "--now", AT]) == 0
    assert capsys.readouterr().out == f"checked {site}: no errors\n"


def test_next_change_is_the_publication_of_a_scheduled_notice(site, capsys):
    assert main(["next-change", "--site", str(site), "--now", BEFORE, "--explain"]) == 0
    assert capsys.readouterr().out == (
        "2027-01-15T10:00:00-03:00\n"
        f"  {SCHEDULED}: the scheduled notice is published\n")


@pytest.mark.network
@pytest.mark.slow
def test_serve_marks_scheduled_notices_and_leaves_them_out_of_the_site(site, tmp_path):
    server = start(site, tmp_path / "serve.log")
    try:
        wait_until_up(server)
        status, _, page = get(server, "/")
        assert status == 200
        assert 'id="expediente-scheduled"' in page
        # The banner speaks the page's language: pt-BR at the root, English under /en/.
        assert "<strong>Pré-visualização: 1 aviso agendado, ainda não publicado</strong>" in page
        assert (f"Agendado: Horário no Carnaval (<code>{SCHEDULED}</code>), publicado em "
                '<time datetime="2027-01-15T10:00:00-03:00">2027-01-15T10:00:00-03:00</time>') in page
        status, _, page = get(server, "/en/")
        assert status == 200
        assert "<strong>Preview: 1 scheduled notice, not published yet</strong>" in page
        assert (f"Scheduled: Horário no Carnaval (<code>{SCHEDULED}</code>), published at "
                '<time datetime="2027-01-15T10:00:00-03:00">2027-01-15T10:00:00-03:00</time>') in page
        status, _, _ = get(server, "/notices/2027-01-15-carnaval/")
        assert status == 404
        status, _, feed = get(server, "/feed.xml")
        assert status == 200 and "Carnaval" not in feed and "expediente-scheduled" not in feed
    finally:
        stop(server)
    assert f"{SCHEDULED}: scheduled: published at 2027-01-15T10:00:00-03:00" in server.console()


@pytest.mark.network
@pytest.mark.slow
def test_serve_says_the_banner_in_spanish_on_a_spanish_page(tmp_path):
    site = write_tree(tmp_path / "site", {
        "site_src/site.yaml": MINIMAL_SITE.replace("pt-BR", "es-MX").replace("America/Sao_Paulo", "America/Mexico_City")
        .replace("country: BR\n  subdivision: SP", "country: MX"),
        "site_src/hours.yaml": MINIMAL_HOURS.replace("pt-BR", "es-MX"),
        "notices/2027-01-15-horario.md": SCHEDULED_TEXT.replace("Horário no Carnaval", "Horario de Carnaval")
        .replace("Plantão reduzido de Carnaval.", "Guardia reducida."),
        "notices/2027-01-16-chat.md": "---\ntitle: Nuevo chat\ndate: 2027-01-16 10:00\ntype: info\n---\nChat nuevo.\n",
    })
    server = start(site, tmp_path / "serve.log")
    try:
        wait_until_up(server)
        status, _, page = get(server, "/")
        assert status == 200
        assert "<strong>Vista previa: 2 avisos programados, aún no publicados</strong>" in page
        assert ("Programado: Horario de Carnaval (<code>notices/2027-01-15-horario.md</code>), se publica el "
                '<time datetime="2027-01-15T10:00:00-06:00">2027-01-15T10:00:00-06:00</time>') in page
    finally:
        stop(server)
