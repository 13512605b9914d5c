"""The open-now script names the day when an opening or closing is not today or soon."""

from __future__ import annotations

import shutil

from conftest import ROOT
from test_render_html import run_live_script

from generator.cli import main


def test_far_openings_carry_their_date_and_later_closings_their_day(tmp_path):
    site = tmp_path / "site"
    for folder in ("site_src", "notices"):
        shutil.copytree(ROOT / folder, site / folder)
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"),
                 "--now", "2026-12-21T10:00:00-03:00"]) == 0
    page = (tmp_path / "out" / "index.html").read_bytes()
    monday, christmas = run_live_script(page, ["2026-12-21T13:00:00Z", "2026-12-25T13:00:00Z"],
                                        "America/Sao_Paulo")
    # E-mail is answered around the clock until the Christmas Eve hours begin on Thursday.
    assert monday["suporte/email"] == [False, "Aberto agora, fecha quinta-feira às 00:00 (Horário de Brasília)"]
    assert monday["suporte/phone"] == [False, "Aberto agora, fecha às 12:00 (Horário de Brasília)"]
    # Closed over Christmas and the New Year; a weekday alone would mean tomorrow's Saturday.
    assert christmas["financeiro/phone"] == [
        False, "Fechado agora, abre sábado, 2 de janeiro às 09:00 (Horário de Brasília)"]
