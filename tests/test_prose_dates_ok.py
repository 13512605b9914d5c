"""`prose_dates_ok` acknowledges, in one notice, a date in its text that is meant to lie outside its
period or its changes; the warning says how, and every other date is still checked."""

from __future__ import annotations

from conftest import MINIMAL_HOURS, MINIMAL_SITE, write_tree

from generator.cli import main

NOW = "2026-11-23T10:00:00-03:00"
NOTICE = """\
---
title: Natal
date: 2026-11-16 10:00
type: hours
period: 2026-12-24..2026-12-25
{extra}changes:
  - date: 2026-12-24
    hours: {{phone: 09:00-12:00}}
  - date: 2026-12-25
    closed: true
---
Retomamos o horário habitual no sábado, 26/12/2026.
"""
PATH = "notices/2026-11-16-natal.md"


def check(tmp_path, capsys, extra: str = "", translation: str | None = None) -> tuple[int, str, str]:
    files = {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS,
             PATH: NOTICE.format(extra=extra)}
    if translation:
        files["notices/2026-11-16-natal.en.md"] = translation
    site = write_tree(tmp_path / "site", files)
    status = main(["check", "--site", str(site), "--now", NOW])
    out, err = capsys.readouterr()
    return status, out.replace(str(site), "SITE"), err


def test_the_warning_says_how_to_acknowledge_the_date(tmp_path, capsys):
    assert check(tmp_path, capsys) == (0, "checked SITE: 1 warning\n", (
        f"{PATH}:12:41: warning: 26/12/2026 lies outside the notice's period (2026-12-24 to 2026-12-25)\n"
        "  hint: check the date; if it is meant, add it to the front matter: prose_dates_ok: [2026-12-26]\n"))


def test_an_acknowledged_date_is_quiet_in_the_notice_and_its_translation(tmp_path, capsys):
    translation = "---\ntitle: Christmas\n---\nNormal hours again on Saturday, December 26, 2026.\n"
    assert check(tmp_path, capsys, "prose_dates_ok: [2026-12-26]\n", translation) == (
        0, "checked SITE: no errors\n", "")


def test_other_dates_are_still_checked(tmp_path, capsys):
    status, _, err = check(tmp_path, capsys, "prose_dates_ok: [2026-12-27]\n")
    assert status == 0 and "26/12/2026 lies outside the notice's period" in err


def test_a_wrong_weekday_is_an_error_even_when_acknowledged(tmp_path, capsys):
    files = NOTICE.format(extra="prose_dates_ok: [2026-12-26]\n").replace("sábado, 26/12", "domingo, 26/12")
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS,
                                          PATH: files})
    assert main(["check", "--site", str(site), "--now", NOW]) == 1
    assert "is a Saturday (sábado), not domingo" in capsys.readouterr().err


def test_prose_dates_ok_must_hold_dates(tmp_path, capsys):
    status, _, err = check(tmp_path, capsys, "prose_dates_ok: [2026-12-32]\n")
    assert status == 1
    assert err.startswith(f"{PATH}:6:18: error: prose_dates_ok: 2026-12-32 does not exist")
