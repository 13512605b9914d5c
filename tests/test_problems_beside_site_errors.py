"""While site.yaml has errors, the other settings files are still checked and their problems printed with
site.yaml's, as README promises (every problem at once); when they cannot be read without site.yaml (its time
zone or languages are wrong), one line says so. Real runs of generator.cli.main."""

from __future__ import annotations

from pathlib import Path

from conftest import MINIMAL_HOURS, MINIMAL_SITE

from generator.cli import main

NOW = "2026-11-23T10:00:00-03:00"
BAD_HOURS = MINIMAL_HOURS.replace("sat: 09:00-12:00", "sab: 09:00-12:00")
BAD_STATUS = "components:\n  - id: web\n    name: Web\n    check: {type: htp, url: 'https://example.net/'}\n"


def check(tmp_path: Path, capsys, site: str, hours: str = BAD_HOURS, status: str | None = None) -> list[str]:
    """Write the site, run `check` (it must fail) and return the lines it printed on stderr."""
    root = tmp_path / "site"
    (root / "site_src").mkdir(parents=True)
    (root / "site_src" / "site.yaml").write_text(site, encoding="utf-8")
    (root / "site_src" / "hours.yaml").write_text(hours, encoding="utf-8")
    if status is not None:
        (root / "site_src" / "status.yaml").write_text(status, encoding="utf-8")
    assert main(["check", "--site", str(root), "--now", NOW]) == 1
    return capsys.readouterr().err.splitlines()


def test_hours_errors_show_beside_a_bad_base_url(tmp_path, capsys):
    lines = check(tmp_path, capsys, MINIMAL_SITE.replace("https://support.test.example/", "support.test.example"))
    assert lines == [
        "site_src/hours.yaml:10:11: error: unknown day selector 'sab'",
        "  hint: did you mean 'sat'? Days are written as the English mon … sun",
        "site_src/site.yaml:2:11: error: base_url must be an absolute http or https address, not "
        "'support.test.example'",
        "  hint: for example https://status.example.net/",
        "2 errors",
    ]


def test_status_errors_show_beside_a_missing_name(tmp_path, capsys):
    lines = check(tmp_path, capsys, MINIMAL_SITE.replace("name: Test ISP\n", ""), hours=MINIMAL_HOURS,
                  status=BAD_STATUS)
    assert lines[0] == "site_src/site.yaml:1:1: error: site.yaml is missing the required key 'name'"
    assert any(line.startswith("site_src/status.yaml:4:19: error: ") for line in lines), lines


def test_hours_that_need_the_sites_time_zone_say_they_were_not_checked(tmp_path, capsys):
    # status.yaml needs only the languages: it is checked.
    lines = check(tmp_path, capsys, MINIMAL_SITE.replace("America/Sao_Paulo", "America/Sao_Paolo"),
                  status=BAD_STATUS)
    assert lines[:3] == [
        "site_src/hours.yaml:1:1: warning: not checked: it is read in site.yaml's time zone and languages, "
        "which have errors",
        "site_src/site.yaml:3:11: error: unknown time zone 'America/Sao_Paolo'",
        "  hint: did you mean 'America/Sao_Paulo'?",
    ]
    assert lines[3].startswith("site_src/status.yaml:4:19: error: "), lines
    assert lines[-1] == "2 errors, 1 warning"


def test_without_the_sites_languages_no_other_file_is_checked_and_each_says_so(tmp_path, capsys):
    lines = check(tmp_path, capsys, MINIMAL_SITE.replace("[pt-BR, en]", "{pt-BR: yes}"), status=BAD_STATUS)
    assert lines[0] == ("site_src/hours.yaml:1:1: warning: not checked: it is read in site.yaml's time zone and "
                        "languages, which have errors")
    assert lines[1].startswith("site_src/site.yaml:4:")
    assert lines[-2:] == ["site_src/status.yaml:1:1: warning: not checked: it is read in site.yaml's languages, "
                          "which have errors", "1 error, 2 warnings"]
