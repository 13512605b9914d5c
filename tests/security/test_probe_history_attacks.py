"""A pusher who means harm, against the probe's history: day folders, closed months' summaries, month files.

Each test builds a copy of the example site through the command line and asserts a located message, never
a traceback, and output bounded in time (the build reads what a push can hold: limits tree_files, tree_mb).
"""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import EXAMPLE_NOW, ROOT, copy_example, snapshot
from test_month_close import close

from generator.cli import main

UPTIME = Path("site_src/uptime")
HEADER = b"time,ok,latency_ms,detail\n"


def build(site: Path, out: Path, capsys) -> tuple[int, str]:
    """Build the site at the example's now; return the exit code and what it printed to stderr."""
    code = main(["build", "--site", str(site), "--out", str(out), "--now", EXAMPLE_NOW])
    return code, capsys.readouterr().err


def day_file(site: Path, day: str, component: str, rows: bytes) -> None:
    """Write a day folder's file as the probe would: the header, then `rows`."""
    (site / UPTIME / day).mkdir(parents=True, exist_ok=True)
    (site / UPTIME / day / f"{component}.csv").write_bytes(HEADER + rows)


@pytest.fixture
def closed_site(tmp_path) -> Path:
    """A copy of the example site whose months before November 2026 the probe closed."""
    site = copy_example(tmp_path / "site")
    assert close(site)[1] == ()
    return site


def forge(site: Path, change) -> None:
    """Rewrite website's October summary through `change(document)`, keeping it well-formed JSON."""
    path = site / UPTIME / "website/2026-10.days.json"
    document = json.loads(path.read_bytes())
    change(document)
    path.write_text(json.dumps(document))


def absurd_checks(document):
    document["days"][3][1] = document["days"][3][2] = 10**30


def a_day_the_rows_lack(document):
    document["days"][-1][1:4] = [999_999, 999_999, 0]


def a_huge_histogram(document):
    document["days"][3][1:6] = [60_000, 60_000, 0, list(range(60_000)), [1] * 60_000]


def more_rows_than_bytes(document):
    document["rows"]["lines"] = document["rows"]["bytes"] + 1


def rows_beyond_the_limit(document):
    document["rows"]["bytes"] = 10**30


@pytest.mark.parametrize("change, reason", [
    (absurd_checks, "its days count more checks than the 8,928 rows it describes"),
    (a_day_the_rows_lack, "its days count more checks than the 8,928 rows it describes"),
    (a_huge_histogram, "its days count more checks than the 8,928 rows it describes"),
    (more_rows_than_bytes, "it claims more lines than its rows have bytes"),
    (rows_beyond_the_limit, "its rows are more than 100 MB (limits: tree_mb)"),
    (lambda document: document["days"][3].__setitem__(1, -5), "'-5' is not a count"),
    (lambda document: document["days"][3].__setitem__(1, float("nan")), "'nan' is not a count"),
])
def test_a_summary_claiming_more_than_its_rows_is_not_believed(tmp_path, closed_site, example_outputs, capsys,
                                                               change, reason):
    # Its counts would have shown 100.00% for 90 days; the rows in the xz file are read instead.
    forge(closed_site, change)
    assert build(closed_site, tmp_path / "public", capsys) == (0, (
        f"site_src/uptime/website/2026-10.days.json:1:1: warning: not a summary the probe writes: {reason}; "
        "the month's rows are read from 2026-10.csv.xz instead\n"
        "  hint: remove the file: the next probe run writes it again\n"))
    assert snapshot(tmp_path / "public") == dict(example_outputs)


def test_a_summary_for_a_component_not_in_status_yaml_is_a_warning(tmp_path, closed_site, capsys):
    (closed_site / UPTIME / "website").rename(closed_site / UPTIME / "ghost")
    code, printed = build(closed_site, tmp_path / "public", capsys)
    assert code == 0 and "site_src/uptime/ghost/2026-11.csv:1:1: warning: no component 'ghost' in " \
        "site_src/status.yaml; its probe history is not shown\n" in printed and "Traceback" not in printed


def test_a_summary_beside_its_open_month_file_is_left_aside_as_documented(tmp_path, example_outputs, capsys):
    # docs/format.md: while both a month file and a summary exist, the build reads the month file.
    site = copy_example(tmp_path / "site")
    (site / UPTIME / "website/2026-11.days.json").write_text('{"format": "expediente uptime month 1", "days": '
                                                              '[["2026-11-02", 1000000, 1000000, 0, [], []]]}')
    assert build(site, tmp_path / "public", capsys) == (0, "")
    assert snapshot(tmp_path / "public") == dict(example_outputs)
    assert "the build reads the month file" in (ROOT / "docs/format.md").read_text().replace("\n  ", " ")


def test_a_row_in_the_file_of_another_day_is_a_located_error(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    day_file(site, "2026-11-20", "website", b"2026-11-21T00:00:05Z,1,10.0,HTTP 200\n")
    assert build(site, tmp_path / "public", capsys) == (1, (
        "site_src/uptime/2026-11-20/website.csv:2:1: error: 2026-11-21T00:00:05Z does not belong in the file of "
        "2026-11-20\n  hint: move the row to the folder 2026-11-21\n1 error; nothing was written\n"))


def test_a_day_folder_that_is_a_file_holds_no_rows(tmp_path, example_outputs, capsys):
    site = copy_example(tmp_path / "site")
    (site / UPTIME / "2026-11-20").write_bytes(b"not a folder")
    assert build(site, tmp_path / "public", capsys) == (0, "")
    assert snapshot(tmp_path / "public") == dict(example_outputs)


def test_days_at_the_ends_of_the_calendar_build_without_a_traceback(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    day_file(site, "0001-01-01", "website", b"0001-01-01T00:00:05Z,1,10.0,HTTP 200\n")
    day_file(site, "9999-12-31", "website", b"9999-12-31T23:59:55Z,1,10.0,HTTP 200\n")
    day_file(site, "2026-13-45", "dns", b"")
    hint = ("  hint: the probe names the folder after the UTC day of its checks: if its machine's clock was wrong, "
            "remove the folder, or move the rows to the day they were taken\n")
    assert build(site, tmp_path / "public", capsys) == (0, (
        "site_src/uptime/0001-01-01/website.csv:1:1: warning: '0001-01-01' is a day before 2000, which the probe "
        "never writes; the rows in it are not shown\n" + hint +
        "site_src/uptime/2026-13-45/dns.csv:1:1: warning: '2026-13-45' is not a day; the probe's rows in it are "
        "not shown\n  hint: name a day folder after a UTC day, like 2026-11-23\n"
        "site_src/uptime/9999-12-31/website.csv:1:1: warning: '9999-12-31' is a day after 2200, which the probe "
        "never writes; the rows in it are not shown\n" + hint))
    # Neither row is shown: checking began with the example's first row, not in the year 1.
    components = json.dumps(json.loads((tmp_path / "public/api/v2/components.json").read_bytes()))
    assert "0001-01-01" not in components and "9999" not in components and "2026-08-26T03:00:05.000Z" in components


def test_as_many_day_folders_as_a_push_may_hold_build_in_bounded_time(tmp_path, capsys):
    # 19,000 day folders (a push holds at most 20,000 files), one row each, from 2000 on (the first day a
    # probe may have written: earlier folders are named and left out, test_days_at_the_ends_of_the_calendar...).
    site = copy_example(tmp_path / "site")
    for n in range(19_000):
        day = (date(2000, 1, 1) + timedelta(n)).isoformat()
        day_file(site, day, "website", f"{day}T12:00:05Z,1,10.0,HTTP 200\n".encode())
    began = time.monotonic()
    assert build(site, tmp_path / "public", capsys) == (0, "")
    assert time.monotonic() - began < 60


def test_as_many_day_folders_no_probe_wrote_as_a_push_may_hold_are_named_in_one_warning(tmp_path, capsys):
    # 19,000 day folders of days before 2000 (a push holds at most 20,000 files): one warning names them all,
    # rather than 19,000 warnings in every build's output; a folder after 2200 has its own.
    site = copy_example(tmp_path / "site")
    for n in range(19_000):
        day = (date(1940, 1, 1) + timedelta(n)).isoformat()
        day_file(site, day, "website", f"{day}T12:00:05Z,1,10.0,HTTP 200\n".encode())
    day_file(site, "2201-01-01", "dns", b"2201-01-01T00:00:05Z,1,10.0,1 A record\n")
    hint = ("  hint: the probe names the folder after the UTC day of its checks: if its machine's clock was wrong, "
            "remove the folder, or move the rows to the day they were taken\n")
    began = time.monotonic()
    assert build(site, tmp_path / "public", capsys) == (0, (
        "site_src/uptime/1940-01-01/website.csv:1:1: warning: '1940-01-01' is a day before 2000, which the probe "
        "never writes; the rows in it are not shown (nor those of 18,999 more such day folders, up to "
        f"'{(date(1940, 1, 1) + timedelta(18_999)).isoformat()}')\n" + hint +
        "site_src/uptime/2201-01-01/dns.csv:1:1: warning: '2201-01-01' is a day after 2200, which the probe never "
        "writes; the rows in it are not shown\n" + hint))
    assert time.monotonic() - began < 60
