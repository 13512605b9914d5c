"""An interval past midnight that starts in the daytime and lasts over 16 hours is a warning with a
guess (`09:00-7:00`, meant 19:00); an end marked `+1` says that the next day is meant and silences it."""

from __future__ import annotations

import pytest
from conftest import MINIMAL_SITE, write_tree

from generator.cli import main

HOURS = """\
departments:
  - id: suporte
    name: Suporte
    channels:
      - id: phone
        type: phone
        contact: "+55 13 3500-0000"
        hours:
          sat: {value}
"""
NOW = "2026-11-23T10:00:00-03:00"


def check(tmp_path, value: str, capsys, *extra: str) -> tuple[int, str, str]:
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": MINIMAL_SITE,
                                          "site_src/hours.yaml": HOURS.format(value=value)})
    status = main(["check", "--site", str(site), "--now", NOW, *extra])
    out, err = capsys.readouterr()
    return status, out.replace(str(site), "SITE"), err


@pytest.mark.parametrize("value, message, hint", [
    ("09:00-7:00", "09:00-7:00 runs past midnight and lasts 22 hours",
     "did you mean 09:00-19:00? Write 09:00-7:00+1 if it is meant to end the next day"),
    ("08:30 - 02:00", "08:30 - 02:00 runs past midnight and lasts 17 hours 30 minutes",
     "did you mean 08:30-14:00? Write 08:30-02:00+1 if it is meant to end the next day"),
    # No guess when the end read as evening would still be past midnight.
    ("17:00-15:00", "17:00-15:00 runs past midnight and lasts 22 hours",
     "write 17:00-15:00+1 if it is meant to end the next day"),
])
def test_a_long_daytime_shift_past_midnight_warns_with_a_guess(tmp_path, capsys, value, message, hint):
    status, out, err = check(tmp_path, value, capsys)
    assert status == 0
    assert err == f"site_src/hours.yaml:9:16: warning: {message}\n  hint: {hint}\n"
    assert out == "checked SITE: 1 warning\n"


@pytest.mark.parametrize("value", ["22:00-06:00", "18:00-12:00", "09:00-7:00+1", "09:00-07:00 +1", "09:00-09:00+1",
                                   "09:00-19:00", "05:00-23:00"])
def test_night_shifts_and_marked_ends_are_quiet(tmp_path, capsys, value):
    assert check(tmp_path, value, capsys) == (0, "checked SITE: no errors\n", "")


def test_a_marked_end_is_on_the_next_day(tmp_path):
    from generator.pipeline import load

    site_dir = write_tree(tmp_path / "site", {"site_src/site.yaml": MINIMAL_SITE,
                                              "site_src/hours.yaml": HOURS.format(value="09:00-7:00+1")})
    loaded = load(site_dir)
    site, problems = loaded.site, loaded.problems
    assert problems == ()
    assert site.departments[0].channels[0].hours.days[5][0].label() == "09:00-07:00"
    assert site.departments[0].channels[0].hours.days[5][0].end == 31 * 60


def test_plus_one_on_an_end_after_the_start_is_an_error(tmp_path, capsys):
    status, _, err = check(tmp_path, "09:00-19:00+1", capsys)
    assert status == 1
    assert err == ("site_src/hours.yaml:9:16: error: '+1' marks an end on the next day, but 09:00-19:00+1 ends "
                   "after it starts on the same day\n  hint: remove '+1'\n1 error\n")


def test_a_clean_check_with_two_warnings_says_2_warnings(tmp_path, capsys):
    status, out, err = check(tmp_path, "09:00-7:00\n          sun: 08:00-06:00", capsys)
    assert status == 0
    assert err.count(": warning: ") == 2
    assert out == "checked SITE: 2 warnings\n"
