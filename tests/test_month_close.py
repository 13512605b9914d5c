"""Closing the probe's past months: the xz file and the summary that replace a month file, the same pages, API
and uptime figures from them as from the rows, and what a damaged or hostile summary or xz file does."""

from __future__ import annotations

import json
import lzma
import shutil
import zlib
from array import array
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import EXAMPLE_NOW, copy_example, snapshot

from generator.cli import main
from generator.commands.probe import load_components
from generator.model import DayCounts, ProbeResult
from generator.pipeline import load, read_probe_histories
from generator.probe.csv_file import append_rows
from generator.probe.month_close import close_months, closes_at
from generator.read.probe_summary import SummaryError, read_archive, reduce_counts
from generator.schedule.uptime import percentiles

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime.fromisoformat(EXAMPLE_NOW)
UPTIME = Path("site_src/uptime")


def close(site: Path, now: datetime = NOW):
    """Close the site's past months as the probe does at `now`; return (files closed, warnings)."""
    components, zone, problems = load_components(site)
    assert not problems and zone == "America/Sao_Paulo"
    return close_months(site, components, ZoneInfo(zone), now)


def build(site: Path, out: Path, now: str = EXAMPLE_NOW, *options: str) -> dict[str, bytes]:
    """Build the site through the command line; return its output by path."""
    assert main(["build", "--site", str(site), "--out", str(out), "--now", now, *options]) == 0
    return snapshot(out)


def month_files(site: Path) -> list[str]:
    """Return the names of the files in site_src/uptime/<component>/, as <component>/<name>."""
    return sorted(p.relative_to(site / UPTIME).as_posix() for p in (site / UPTIME).glob("*/*") if p.is_file())


@pytest.fixture
def closed_example(tmp_path) -> Path:
    """A copy of the example site whose months before November 2026 the probe closed at the example's now."""
    site = copy_example(tmp_path / "site")
    closed, problems = close(site)
    assert problems == ()
    assert closed == ("site_src/uptime/dns/2026-09.csv", "site_src/uptime/dns/2026-10.csv",
                      "site_src/uptime/email/2026-08.csv", "site_src/uptime/email/2026-09.csv",
                      "site_src/uptime/email/2026-10.csv", "site_src/uptime/link-sp/2026-08.csv",
                      "site_src/uptime/link-sp/2026-09.csv", "site_src/uptime/link-sp/2026-10.csv",
                      "site_src/uptime/website/2026-08.csv", "site_src/uptime/website/2026-09.csv",
                      "site_src/uptime/website/2026-10.csv")
    return site


def test_a_month_closes_after_its_last_local_day_and_the_24_hours_after_its_end():
    # October's last instant (UTC) is 31 Oct 20:59:59 in São Paulo: its day ends at 03:00 UTC on
    # 1 November, but the 24 hours before now reach into October until 2 November 00:00 UTC.
    assert closes_at("2026-10", SP) == datetime.fromisoformat("2026-11-02T00:00:00+00:00")
    # East of UTC the month's last local day ends later than 24 hours after the month.
    assert closes_at("2026-10", ZoneInfo("Pacific/Kiritimati")) == datetime.fromisoformat(
        "2026-11-02T00:00:00+00:00")
    assert closes_at("2026-12", ZoneInfo("UTC")) == datetime.fromisoformat("2027-01-02T00:00:00+00:00")


def test_each_closed_month_file_becomes_an_xz_file_of_the_same_bytes_and_a_small_summary(tmp_path, closed_example):
    original = tmp_path / "original"
    copy_example(original)
    names = month_files(closed_example)
    assert "website/2026-10.csv" not in names and "website/2026-11.csv" in names
    assert {"website/2026-10.csv.xz", "website/2026-10.days.json"} <= set(names)
    raw = (original / UPTIME / "website/2026-10.csv").read_bytes()
    assert lzma.decompress((closed_example / UPTIME / "website/2026-10.csv.xz").read_bytes()) == raw
    summary = (closed_example / UPTIME / "website/2026-10.days.json").read_bytes()
    document = json.loads(summary)
    assert document["format"] == "expediente uptime month 1" and document["zone"] == "America/Sao_Paulo"
    assert document["rows"]["bytes"] == len(raw) and document["rows"]["lines"] == raw.count(b"\n")
    assert sum(day[1] for day in document["days"]) == raw.count(b"\n") - 1
    assert len(summary) < len(raw) / 10


def test_the_pages_api_and_uptime_are_the_same_after_the_months_close(tmp_path, closed_example, example_outputs):
    assert build(closed_example, tmp_path / "public") == dict(example_outputs)
    # The same again from the day-count cache, and with no cache at all.
    assert build(closed_example, tmp_path / "again") == dict(example_outputs)
    assert build(closed_example, tmp_path / "no-cache", EXAMPLE_NOW, "--no-cache") == dict(example_outputs)


def test_a_site_whose_months_close_between_two_builds_keeps_its_pages(tmp_path, example_outputs):
    # The day-count cache still holds the month files' counts when their summaries replace them.
    site = copy_example(tmp_path / "site")
    assert build(site, tmp_path / "before") == dict(example_outputs)
    assert close(site)[0]
    assert build(site, tmp_path / "after") == dict(example_outputs)


@pytest.mark.parametrize("now", ["2026-10-01T12:00:00-03:00", "2026-09-15T08:30:00-03:00"])
def test_a_build_at_an_earlier_now_reads_the_closed_rows_it_needs_from_the_xz_files(tmp_path, closed_example, now):
    # At these instants September is still "today" or the 24 hours before now, and its newest row is after now.
    original = copy_example(tmp_path / "original")
    assert build(closed_example, tmp_path / "closed", now) == build(original, tmp_path / "open", now)


def test_a_summary_counted_in_another_zone_is_left_aside_for_the_rows(tmp_path, closed_example):
    original = copy_example(tmp_path / "original")
    for site in (original, closed_example):
        assert not list((site / ".expediente-cache").glob("*"))
    site = replace(load(original).site, timezone="Europe/Lisbon")
    now = NOW.astimezone(ZoneInfo("Europe/Lisbon"))
    expected, problems = read_probe_histories(original, site, now, cache=False)
    assert problems == ()
    found, problems = read_probe_histories(closed_example, site, now, cache=False)
    assert problems == ()
    assert found == expected


def test_the_summary_keeps_the_median_and_95th_percentile_of_a_whole_day():
    for total in range(1, 60):
        counts = DayCounts(total, total, 0, array("I", range(10, 10 + total)), array("I", [1] * total))
        reduced = reduce_counts(counts)
        assert len(reduced.bins) <= 2 and sum(reduced.counts) == total
        assert percentiles(reduced.bins, reduced.counts, (50, 95)) == percentiles(counts.bins, counts.counts, (50, 95))


def damaged(site: Path, text: bytes) -> list[str]:
    """Replace website's October summary with `text`; return the build's problems as printed."""
    (site / UPTIME / "website/2026-10.days.json").write_bytes(text)
    shutil.rmtree(site / ".expediente-cache", ignore_errors=True)
    site_model = load(site).site
    _, problems = read_probe_histories(site, site_model, NOW)
    return [problem.format() for problem in problems]


@pytest.mark.parametrize("text, reason", [
    (b"{not json", "it is not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    (b"[" * 100_000, "it is not JSON (nested too deep)"),
    (b'{"format": "something else"}', "its format is not 'expediente uptime month 1'"),
    (b" " * (1 << 20) + b"{}", "it is larger than a summary's 1,048,576 bytes"),
])
def test_a_damaged_summary_is_a_warning_and_the_rows_are_read_instead(tmp_path, closed_example, example_outputs,
                                                                       text, reason):
    assert damaged(closed_example, text) == [
        f"site_src/uptime/website/2026-10.days.json:1:1: warning: not a summary the probe writes: {reason}; "
        "the month's rows are read from 2026-10.csv.xz instead\n"
        "  hint: remove the file: the next probe run writes it again"]
    assert build(closed_example, tmp_path / "public") == dict(example_outputs)


def test_a_summary_whose_counts_do_not_add_up_is_not_believed(tmp_path, closed_example, example_outputs):
    path = closed_example / UPTIME / "website/2026-10.days.json"
    document = json.loads(path.read_bytes())
    document["days"][3][2] = document["days"][3][1] + 5          # more successes than checks
    assert damaged(closed_example, json.dumps(document).encode())[0].endswith(
        f"the counts of {document['days'][3][0]} do not add up; the month's rows are read from 2026-10.csv.xz "
        "instead\n  hint: remove the file: the next probe run writes it again")
    document["days"][3][2] = document["days"][3][1]
    document["days"][3][0] = "2027-01-01"
    assert "2027-01-01 is not a day of 2026-10" in damaged(closed_example, json.dumps(document).encode())[0]
    assert build(closed_example, tmp_path / "public") == dict(example_outputs)


def test_a_damaged_summary_and_xz_file_are_an_error_at_the_xz_file(closed_example):
    (closed_example / UPTIME / "website/2026-10.csv.xz").write_bytes(b"not xz at all")
    assert damaged(closed_example, b"{}")[1] == (
        "site_src/uptime/website/2026-10.csv.xz: error: cannot read the closed month's rows: it is not an xz file "
        "the probe wrote (Input format not supported by decoder)\n"
        "  hint: restore the file from git (it holds the rows of 2026-10, compressed with xz)")
    assert main(["build", "--site", str(closed_example), "--out", str(closed_example / "public"),
                 "--now", EXAMPLE_NOW]) == 1


def test_an_xz_file_that_unpacks_to_more_than_the_limit_is_refused(tmp_path):
    bomb = tmp_path / "2026-10.csv.xz"
    bomb.write_bytes(lzma.compress(b"0" * 5_000_000))
    assert len(bomb.read_bytes()) < 2000
    with pytest.raises(SummaryError, match=r"^it unpacks to more than the 1,048,576 bytes its summary describes$"):
        read_archive(bomb, 1 << 20)
    bomb.write_bytes(lzma.compress(b"0" * 60_000_000))
    with pytest.raises(SummaryError, match=r"^it unpacks to more than 48 MB, the most a month of the probe's rows "
                                           r"can be$"):
        read_archive(bomb, 1 << 30)
    bomb.write_bytes(lzma.compress(b"0" * 5_000_000)[:400])
    with pytest.raises(SummaryError, match="the file is cut short"):
        read_archive(bomb, 10 << 20)


def test_a_late_row_for_a_closed_month_joins_it_at_the_next_close(tmp_path, closed_example):
    late = datetime.fromisoformat("2026-10-15T12:00:30+00:00")
    append_rows(closed_example, [("website", ProbeResult(late, False, None, "late"))])
    assert (closed_example / UPTIME / "2026-10-15/website.csv").read_text() == \
        "time,ok,latency_ms,detail\n2026-10-15T12:00:30Z,0,,late\n"
    closed, problems = close(closed_example)
    assert closed == ("site_src/uptime/2026-10-*/website.csv",) and problems == ()
    assert not (closed_example / UPTIME / "2026-10-15").exists()
    rows = lzma.decompress((closed_example / UPTIME / "website/2026-10.csv.xz").read_bytes())
    assert rows.endswith(b"\n2026-10-15T12:00:30Z,0,,late\n")
    day = next(day for day in json.loads((closed_example / UPTIME / "website/2026-10.days.json").read_bytes())["days"]
               if day[0] == "2026-10-15")
    original = copy_example(tmp_path / "original")
    site = load(original).site
    histories, _ = read_probe_histories(original, site, datetime.fromisoformat("2026-10-16T12:00:00-03:00"),
                                        cache=False)
    before = histories["website"].days[datetime(2026, 10, 15).date()]
    assert (day[1], day[2]) == (before.checks + 1, before.ok)


def test_a_month_file_with_a_malformed_row_stays_open(closed_example):
    path = closed_example / UPTIME / "dns/2026-11.csv"
    path.write_bytes(path.read_bytes() + b"yesterday,1,20.0,ok\n")
    closed, problems = close(closed_example, datetime.fromisoformat("2026-12-05T00:00:00+00:00"))
    assert "site_src/uptime/dns/2026-11.csv" not in closed and problems == ()
    assert path.exists() and not path.with_name("2026-11.days.json").exists()
    assert "site_src/uptime/email/2026-11.csv" in closed


# --- day folders ------------------------------------------------------------------------------------

def as_day_folders(site: Path, before: str = "") -> dict[str, bytes]:
    """Move the site's rows from the UTC time `before` on (all of them by default) out of the month files into
    day folders, site_src/uptime/<YYYY-MM-DD>/<component>.csv, as the probe writes them; the rows before stay
    in their month file (a site switching over). Return the month files' original bytes by <component>/<name>."""
    original = {}
    for path in sorted((site / UPTIME).glob("*/[0-9][0-9][0-9][0-9]-[0-9][0-9].csv")):
        data = path.read_bytes()
        original[path.relative_to(site / UPTIME).as_posix()] = data
        header, *lines = data.splitlines(keepends=True)
        kept = [line for line in lines if line[:len(before)].decode() < before]
        for line in lines[len(kept):]:
            day = site / UPTIME / line[:10].decode() / f"{path.parent.name}.csv"
            day.parent.mkdir(exist_ok=True)
            with day.open("ab") as file:
                file.write((header if file.tell() == 0 else b"") + line)
        if kept:
            path.write_bytes(header + b"".join(kept))
        else:
            path.unlink()
    return original


def test_the_example_site_in_day_folders_builds_the_same_and_again_when_its_months_close(tmp_path,
                                                                                         example_outputs):
    site = copy_example(tmp_path / "site")
    original = as_day_folders(site)
    assert not list((site / UPTIME).glob("*/[0-9][0-9][0-9][0-9]-[0-9][0-9].csv")) and len(list((site / UPTIME).glob("2026-*/*.csv"))) > 300
    assert build(site, tmp_path / "open") == dict(example_outputs)
    assert build(site, tmp_path / "open-cached") == dict(example_outputs)
    closed, problems = close(site)
    assert problems == () and closed == (
        "site_src/uptime/2026-09-*/dns.csv", "site_src/uptime/2026-10-*/dns.csv", "site_src/uptime/2026-08-*/email.csv",
        "site_src/uptime/2026-09-*/email.csv", "site_src/uptime/2026-10-*/email.csv",
        "site_src/uptime/2026-08-*/link-sp.csv", "site_src/uptime/2026-09-*/link-sp.csv",
        "site_src/uptime/2026-10-*/link-sp.csv", "site_src/uptime/2026-08-*/website.csv",
        "site_src/uptime/2026-09-*/website.csv", "site_src/uptime/2026-10-*/website.csv")
    # The xz file holds the month's rows as its month file did, byte for byte; the closed days' folders are gone.
    for name, data in original.items():
        if name < "website/2026-11" and not name.endswith("2026-11.csv"):
            assert read_archive(site / UPTIME / (name + ".xz"), 1 << 30) == data, name
    assert sorted({p.name[:7] for p in (site / UPTIME).iterdir() if p.name[:2] == "20"}) == ["2026-11"]
    assert build(site, tmp_path / "closed-cached") == dict(example_outputs)
    assert build(site, tmp_path / "closed", EXAMPLE_NOW, "--no-cache") == dict(example_outputs)
    assert build(site, tmp_path / "earlier", "2026-10-01T12:00:00-03:00") == \
        build(copy_example(tmp_path / "months"), tmp_path / "months-earlier", "2026-10-01T12:00:00-03:00")


def test_a_site_switching_over_reads_and_closes_a_month_file_and_day_folders_together(tmp_path, example_outputs):
    # Rows up to 15 October 12:00 UTC stay in month files, the rest are in day folders: the 15th has both.
    site = copy_example(tmp_path / "site")
    original = as_day_folders(site, "2026-10-15T12")
    assert (site / UPTIME / "website/2026-10.csv").exists() and (site / UPTIME / "2026-10-15/website.csv").exists()
    assert build(site, tmp_path / "open") == dict(example_outputs)
    assert close(site)[1] == ()
    assert read_archive(site / UPTIME / "website/2026-10.csv.xz", 1 << 30) == original["website/2026-10.csv"]
    assert not (site / UPTIME / "website/2026-10.csv").exists() and not (site / UPTIME / "2026-10-15").exists()
    assert build(site, tmp_path / "closed") == dict(example_outputs)


def test_day_files_a_stopped_close_left_behind_are_not_folded_in_twice(tmp_path):
    site = copy_example(tmp_path / "site")
    as_day_folders(site)
    kept = {p: p.read_bytes() for p in (site / UPTIME).glob("2026-10-*/*.csv")}
    assert close(site)[1] == ()
    archive = read_archive(site / UPTIME / "website/2026-10.csv.xz", 1 << 30)
    for path, data in kept.items():         # as if the probe had stopped before removing them
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert close(site) == (("site_src/uptime/2026-10-*/dns.csv", "site_src/uptime/2026-10-*/email.csv",
                            "site_src/uptime/2026-10-*/link-sp.csv", "site_src/uptime/2026-10-*/website.csv"), ())
    assert read_archive(site / UPTIME / "website/2026-10.csv.xz", 1 << 30) == archive
    assert not list((site / UPTIME).glob("2026-10-*"))


def test_a_day_file_with_a_malformed_row_keeps_its_month_open(tmp_path):
    site = copy_example(tmp_path / "site")
    as_day_folders(site)
    path = site / UPTIME / "2026-10-20/dns.csv"
    path.write_bytes(path.read_bytes() + b"2026-10-21T00:00:00Z,1,20.0,ok\n")
    closed, problems = close(site)
    assert "site_src/uptime/2026-10-*/dns.csv" not in closed and problems == ()
    assert path.exists() and not (site / UPTIME / "dns/2026-10.days.json").exists()
    assert "site_src/uptime/2026-10-*/email.csv" in closed and (site / UPTIME / "2026-10-20/dns.csv").exists()


def test_a_component_id_named_like_a_day_is_refused(make_site):
    """site_src/uptime/2026-11-23/ is a day's folder of rows: a component of that name could not be told apart."""
    site = make_site({"site_src/status.yaml": "components:\n  - id: 2026-11-23\n    name: Site\n"})
    problems = [p.format() for p in load(site).problems]
    assert ("site_src/status.yaml:2:9: error: a component id '2026-11-23' is named like a day: the probe keeps "
            "each day's rows in site_src/uptime/ in a folder of that name\n"
            "  hint: name the component, e.g. '2026-11-23-service'") in problems


def test_an_xz_file_asking_for_a_huge_dictionary_is_refused_before_it_is_unpacked(tmp_path):
    """A header may ask the unpacker for a 4 GiB dictionary: refused at the memory limit, as a located reason."""
    packed = bytearray(lzma.compress(b"time,ok,latency_ms,detail\n" * 100, format=lzma.FORMAT_XZ))
    # The block header follows the 12-byte stream header: its size byte, flags, then the LZMA2 filter
    # (id 0x21, one byte of properties: the dictionary size), padding and its CRC32.
    start = 12
    header_size = (packed[start] + 1) * 4
    header = packed[start:start + header_size - 4]
    at = bytes(header).index(b"\x21\x01") + 2
    packed[start + at] = 40                                  # 4 GiB - 1, the largest an LZMA2 header can ask
    packed[start + header_size - 4:start + header_size] = zlib.crc32(packed[start:start + header_size - 4]).to_bytes(4, "little")
    bomb = tmp_path / "2026-10.csv.xz"
    bomb.write_bytes(bytes(packed))
    with pytest.raises(SummaryError, match="it is not an xz file the probe wrote .*[Mm]emory"):
        read_archive(bomb, 10 << 20)


@pytest.mark.parametrize("day, when", [("0001-01-01", "before 2000"), ("1970-01-01", "before 2000"),
                                       ("2201-01-01", "after 2200")])
def test_a_day_folder_no_probe_wrote_is_named_and_left_out_of_the_pages_and_of_the_close(tmp_path, example_outputs,
                                                                                          capsys, day, when):
    """A probe names a day folder after the UTC day of its checks, never before 2000 (a machine whose clock
    starts at 1970-01-01 until it syncs writes one) nor after the last year a site may name: the rows of
    such a folder would make the page and the API say that checking began in that year."""
    site = copy_example(tmp_path / "site")
    stray = site / UPTIME / day / "website.csv"
    stray.parent.mkdir()
    stray.write_text(f"time,ok,latency_ms,detail\n{day}T12:00:00Z,1,40.0,HTTP 200\n", encoding="utf-8")
    capsys.readouterr()
    assert build(site, tmp_path / "public") == dict(example_outputs)
    assert capsys.readouterr().err == (
        f"site_src/uptime/{day}/website.csv:1:1: warning: '{day}' is a day {when}, which the probe never "
        f"writes; the rows in it are not shown\n"
        f"  hint: the probe names the folder after the UTC day of its checks: if its machine's clock was wrong, "
        f"remove the folder, or move the rows to the day they were taken\n")
    # The probe's close leaves it where it is (and so named by every build), not folded into a closed month.
    closed, problems = close(site, datetime(2201, 3, 1, tzinfo=ZoneInfo("UTC")))
    assert problems == () and closed and stray.is_file()
    assert not list((site / UPTIME / "website").glob(f"{day[:7]}.*"))


def test_a_month_file_no_probe_wrote_is_named_and_left_out_of_the_pages_and_of_the_close(tmp_path, example_outputs,
                                                                                          capsys):
    """As a day folder: a month file before 2000 (an earlier probe's, its machine's clock at 1970) is no history."""
    site = copy_example(tmp_path / "site")
    stray = site / UPTIME / "website/1970-01.csv"
    stray.write_text("time,ok,latency_ms,detail\n1970-01-01T00:00:07Z,1,40.0,HTTP 200\n", encoding="utf-8")
    capsys.readouterr()
    assert build(site, tmp_path / "public") == dict(example_outputs)
    assert capsys.readouterr().err == (
        "site_src/uptime/website/1970-01.csv:1:1: warning: '1970-01' is a month before 2000, which the probe never "
        "writes; the rows in it are not shown\n"
        "  hint: the probe names the file after the UTC month of its checks: if its machine's clock was wrong, "
        "remove the file, or move the rows to the month they were taken\n")
    closed, problems = close(site)
    assert problems == () and "site_src/uptime/website/1970-01.csv" not in closed and stray.is_file()
    assert not list((site / UPTIME / "website").glob("1970-01.*[nz]"))


def test_a_month_no_probe_wrote_is_not_shown_when_it_falls_in_the_days_shown(tmp_path, capsys):
    """The 90 days shown at the start of 2000 reach back into 1999: a month file of December 1999, named in a
    warning as one whose rows are not shown, is not counted into those days either."""
    site = copy_example(tmp_path / "site")
    now = "2000-01-15T10:00:00-03:00"
    without = build(site, tmp_path / "without", now)
    stray = site / UPTIME / "website/1999-12.csv"
    stray.write_text("time,ok,latency_ms,detail\n1999-12-20T12:00:00Z,0,,connection refused\n", encoding="utf-8")
    capsys.readouterr()
    assert build(site, tmp_path / "public", now) == without
    assert capsys.readouterr().err == (
        "site_src/uptime/website/1999-12.csv:1:1: warning: '1999-12' is a month before 2000, which the probe never "
        "writes; the rows in it are not shown\n"
        "  hint: the probe names the file after the UTC month of its checks: if its machine's clock was wrong, "
        "remove the file, or move the rows to the month they were taken\n")


def test_a_month_of_more_rows_than_the_build_unpacks_is_left_open(tmp_path):
    # The build refuses an xz file of more than 178,560 rows: the probe does not write one, and the month file
    # stays, read by the build as it is. 178,561 rows in time order, 14 seconds apart.
    site = copy_example(tmp_path / "site")
    path = site / UPTIME / "website/2026-10.csv"
    start = datetime.fromisoformat("2026-10-01T00:00:00+00:00").timestamp()
    rows = "".join(f"{datetime.fromtimestamp(start + 14 * n, SP).astimezone(ZoneInfo('UTC')):%Y-%m-%dT%H:%M:%S}Z,1,,\n"
                   for n in range(178_561))
    path.write_text("time,ok,latency_ms,detail\n" + rows)
    closed, problems = close(site)
    assert problems == () and "site_src/uptime/website/2026-10.csv" not in closed
    assert path.is_file() and not (site / UPTIME / "website/2026-10.csv.xz").exists()
    assert "site_src/uptime/website/2026-09.csv" in closed
