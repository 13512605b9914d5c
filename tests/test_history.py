"""The probe's appender: the exact rows written, read back by the build, torn lines, locking and failed writes."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.model import Component, ProbeResult, Site, Text
from generator.pipeline import read_probe_histories
from generator.probe.csv_file import HEADER, HistoryWriteError, append_rows, day_path, format_row

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC)
ROW = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,[01],(\d+\.\d)?,[^\n]*\n$')


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def messages(problems) -> list[str]:
    return [p.format() for p in problems]


def read_back(site: Path, now: datetime, components=("website",)):
    """Return what a build reads of the site's history at `now`: each component's history and the problems."""
    model = Site("S", "https://s.example/", "UTC", ("en",), None, (),
                 components=tuple(Component(c, Text.plain(c)) for c in components))
    return read_probe_histories(site, model, now, cache=False)


def checks(history) -> int:
    return sum(day.checks for day in history.days.values())


def write_day(site: Path, text: str, component: str = "website", day: str = "2026-11-23") -> Path:
    path = site / "site_src" / "uptime" / day / f"{component}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# Writing ---------------------------------------------------------------------------------------

def test_a_new_file_gets_the_header_then_whole_rows(tmp_path):
    warnings = append_rows(tmp_path, [
        ("website", ProbeResult(T0, True, 182.44, "HTTP 200")),
        ("email", ProbeResult(T0, False, None, "connection refused")),
    ])
    assert warnings == ()
    append_rows(tmp_path, [("website", ProbeResult(at(5), False, None, "timeout"))])
    assert (tmp_path / "site_src/uptime/2026-11-23/website.csv").read_text() == (
        "time,ok,latency_ms,detail\n"
        "2026-11-23T13:00:05Z,1,182.4,HTTP 200\n"
        "2026-11-23T13:05:05Z,0,,timeout\n"
    )
    assert (tmp_path / "site_src/uptime/2026-11-23/email.csv").read_text() == (
        "time,ok,latency_ms,detail\n"
        "2026-11-23T13:00:05Z,0,,connection refused\n"
    )


def test_rows_go_to_the_day_of_their_utc_time(tmp_path):
    # 21:30 on 30 November in São Paulo is already 1 December in UTC.
    local = datetime(2026, 11, 30, 21, 30, tzinfo=timezone(timedelta(hours=-3)))
    append_rows(tmp_path, [("website", ProbeResult(local, True, 3, "HTTP 200")),
                           ("website", ProbeResult(local - timedelta(hours=1), True, 12.25, "HTTP 200"))])
    uptime = tmp_path / "site_src/uptime"
    assert sorted(uptime.rglob("*.csv")) == [uptime / "2026-11-30/website.csv", uptime / "2026-12-01/website.csv"]
    assert day_path(tmp_path, "website", local) == uptime / "2026-12-01/website.csv"
    assert (uptime / "2026-12-01/website.csv").read_text() == (
        "time,ok,latency_ms,detail\n2026-12-01T00:30:00Z,1,3.0,HTTP 200\n")
    assert (uptime / "2026-11-30/website.csv").read_text() == (
        "time,ok,latency_ms,detail\n2026-11-30T23:30:00Z,1,12.2,HTTP 200\n")
    found, problems = read_back(tmp_path, datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    assert problems == () and checks(found["website"]) == 2


def test_details_are_quoted_kept_on_one_line_and_read_back_by_the_csv_module(tmp_path):
    details = ['refused, retrying', 'said "no"', "two\nlines\r\nand\ttab", "  padded  ", "x" * 300]
    append_rows(tmp_path, [("website", ProbeResult(at(n), False, None, d)) for n, d in enumerate(details)])
    text = (tmp_path / "site_src/uptime/2026-11-23/website.csv").read_text()
    assert text.splitlines()[1:5] == [
        '2026-11-23T13:00:05Z,0,,"refused, retrying"',
        '2026-11-23T13:01:05Z,0,,"said ""no"""',
        "2026-11-23T13:02:05Z,0,,two lines and tab",
        "2026-11-23T13:03:05Z,0,,padded",
    ]
    assert text.count("\n") == 6
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == HEADER.split(",")
    assert [row[3] for row in parsed[1:]] == [
        "refused, retrying", 'said "no"', "two lines and tab", "padded", "x" * 199 + "…"]
    found, problems = read_back(tmp_path, at(10))
    assert problems == ()
    assert checks(found["website"]) == 5 and found["website"].latest.detail == "x" * 199 + "…"


def test_invalid_rows_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="'../x' is not a component id"):
        append_rows(tmp_path, [("../x", ProbeResult(T0, True, 1.0, "HTTP 200"))])
    with pytest.raises(ValueError, match="has no time zone"):
        append_rows(tmp_path, [("website", ProbeResult(T0.replace(tzinfo=None), True, 1.0, "HTTP 200"))])
    assert not (tmp_path / "site_src").exists()
    assert format_row(ProbeResult(T0, True, 0, "")) == "2026-11-23T13:00:05Z,1,0.0,\n"


def test_a_link_put_where_a_day_file_goes_is_never_written_through(tmp_path):
    # What the probe checks before it starts (links out of the site refused) cannot see a link put in place
    # while it runs (a push landing meanwhile): the append itself refuses to follow one.
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    site = tmp_path / "site"
    path = day_path(site, "website", T0)
    path.parent.mkdir(parents=True)
    path.symlink_to(outside)
    with pytest.raises(HistoryWriteError) as raised:
        append_rows(site, [("website", ProbeResult(T0, True, 1.0, "HTTP 200"))])
    assert messages(raised.value.problems) == [
        "site_src/uptime/2026-11-23/website.csv: error: cannot append 1 row: too many levels of symbolic links"
        "\n  hint: a symbolic link stands where the probe's file or folder should be: the probe never writes "
        "through one; remove it",
    ]
    assert outside.read_text() == "keep me\n" and path.is_symlink()


@pytest.mark.parametrize("linked", ["site_src/uptime/2026-11-23", "site_src/uptime", "site_src"])
def test_a_link_put_where_a_folder_of_the_history_goes_is_never_written_through(tmp_path, linked):
    # The same for a folder on the way: a day folder, the history's folder or site_src itself replaced by a link
    # to a folder outside after the check (which refuses such links) takes no row, no lock and no .gitignore.
    outside = tmp_path / "outside"
    outside.mkdir()
    site = tmp_path / "site"
    (site / linked).parent.mkdir(parents=True)
    (site / linked).symlink_to(outside, target_is_directory=True)
    with pytest.raises(HistoryWriteError) as raised:
        append_rows(site, [("website", ProbeResult(T0, True, 1.0, "HTTP 200"))])
    assert "too many levels of symbolic links" in messages(raised.value.problems)[0]
    assert list(outside.iterdir()) == []


# Reading ---------------------------------------------------------------------------------------

# Torn lines ------------------------------------------------------------------------------------

GOOD = "time,ok,latency_ms,detail\n2026-11-23T13:00:05Z,1,182.4,HTTP 200\n2026-11-23T13:05:05Z,0,,timeout\n"


def test_a_torn_last_line_is_skipped_by_the_reader_and_cut_by_the_next_append(tmp_path):
    path = write_day(tmp_path, GOOD + "2026-11-23T13:10:05Z,1,1")
    found, problems = read_back(tmp_path, at(20))
    assert checks(found["website"]) == 2 and found["website"].latest == ProbeResult(at(5), False, None, "timeout")
    assert messages(problems) == [
        "site_src/uptime/2026-11-23/website.csv:4:1: warning: the last line is unfinished (a probe stopped while "
        "writing?); it is skipped\n  hint: the next probe run removes it",
    ]
    warnings = append_rows(tmp_path, [("website", ProbeResult(at(15), True, 90, "HTTP 200"))])
    assert messages(warnings) == [
        "site_src/uptime/2026-11-23/website.csv:4:1: warning: removed an unfinished last line "
        "(24 bytes: '2026-11-23T13:10:05Z,1,1'), left by a probe stopped while writing\n"
        "  hint: the rows before it are intact",
    ]
    assert path.read_text() == GOOD + "2026-11-23T13:15:05Z,1,90.0,HTTP 200\n"
    found, problems = read_back(tmp_path, at(20))
    assert problems == () and checks(found["website"]) == 3


def test_a_torn_header_is_replaced_by_a_whole_one(tmp_path):
    path = write_day(tmp_path, "time,ok,lat")
    warnings = append_rows(tmp_path, [("website", ProbeResult(at(0), True, 1, "HTTP 200"))])
    assert [w.line for w in warnings] == [1]
    assert path.read_text() == "time,ok,latency_ms,detail\n2026-11-23T13:00:05Z,1,1.0,HTTP 200\n"


KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from generator.probe.csv_file import LOCK_NAME, acquire_lock, uptime_dir
    site = Path(sys.argv[2])
    acquire_lock(uptime_dir(site) / LOCK_NAME, 5)          # held, like a probe in the middle of its appends
    fd = os.open(uptime_dir(site) / "2026-11-23" / "website.csv", os.O_WRONLY | os.O_APPEND)
    os.write(fd, b"2026-11-23T13:10:05Z,1,18")
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_a_writer_killed_mid_line_loses_nothing_and_leaves_no_lock_behind(tmp_path):
    path = write_day(tmp_path, GOOD)
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(ROOT), str(tmp_path)], timeout=30)
    assert killed.returncode == -signal.SIGKILL
    assert path.read_text() == GOOD + "2026-11-23T13:10:05Z,1,18"
    found, problems = read_back(tmp_path, at(20))
    assert checks(found["website"]) == 2 and [p.severity for p in problems] == ["warning"]
    # The kernel released the dead writer's flock: the next append neither waits nor fails.
    warnings = append_rows(tmp_path, [("website", ProbeResult(at(15), True, 90, "HTTP 200"))])
    assert [w.severity for w in warnings] == ["warning"]
    assert path.read_text() == GOOD + "2026-11-23T13:15:05Z,1,90.0,HTTP 200\n"


# Concurrency -----------------------------------------------------------------------------------

APPENDER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, sys.argv[1])
    from datetime import datetime, timedelta, timezone
    from generator.probe.csv_file import append_rows
    from generator.model import ProbeResult
    site, me, rows = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    while not os.path.exists(os.path.join(site, "go")):    # start together, to race for every new file
        time.sleep(0.001)
    start = datetime(2026, 11, 30, 23, 59, 30, tzinfo=timezone.utc)
    for n in range(rows):
        when = start + timedelta(seconds=n)     # crosses into December
        detail = f"writer {me}, row {n}:" + "x" * (n % 50)
        append_rows(site, [(f"c{n}", ProbeResult(when, True, n / 10, detail)),
                           ("website", ProbeResult(when, n % 2 == 0, None, detail))])
""")


def test_concurrent_appenders_write_whole_lines_and_one_header(tmp_path):
    writers, rows = 4, 60
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(ROOT), str(tmp_path), str(me), str(rows)])
             for me in range(writers)]
    time.sleep(0.5)
    (tmp_path / "go").touch()
    assert [p.wait(timeout=60) for p in procs] == [0] * writers
    expected = {f"c{n}": sorted(f"writer {me}, row {n}:" + "x" * (n % 50) for me in range(writers))
                for n in range(rows)}
    expected["website"] = sorted(f"writer {me}, row {n}:" + "x" * (n % 50)
                                 for me in range(writers) for n in range(rows))
    for component, details in expected.items():
        seen = []
        for path in sorted((tmp_path / "site_src/uptime").glob(f"*/{component}.csv")):
            lines = path.read_text().splitlines(keepends=True)
            assert lines[0] == HEADER + "\n"
            assert all(ROW.match(line) for line in lines[1:]), [l for l in lines[1:] if not ROW.match(l)][:3]
            seen += [row[3] for row in csv.reader(io.StringIO("".join(lines[1:])))]
        assert sorted(seen) == details
    found, problems = read_back(tmp_path, datetime(2026, 12, 1, 0, 1, tzinfo=UTC), tuple(expected))
    assert problems == ()
    assert {component: checks(history) for component, history in found.items()} == {
        component: len(details) for component, details in expected.items()}


# Failed writes ---------------------------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                    reason="a device node that answers every write with ENOSPC (Linux's full, 1:7) is made by root")
def test_a_full_disk_is_an_error_naming_the_file_and_other_files_are_still_written(tmp_path):
    folder = tmp_path / "site_src/uptime/2026-11-23"
    folder.mkdir(parents=True)
    # The day file is that device itself (a link to /dev/full would be refused: the probe follows no link).
    os.mknod(folder / "website.csv", stat.S_IFCHR | 0o600, os.makedev(1, 7))
    with pytest.raises(HistoryWriteError) as raised:
        append_rows(tmp_path, [("website", ProbeResult(T0, True, 1, "HTTP 200")),
                               ("email", ProbeResult(T0, True, 2, "connected"))])
    assert messages(raised.value.problems) == [
        "site_src/uptime/2026-11-23/website.csv: error: cannot append 1 row: no space left on device\n"
        "  hint: free some space on the disk that holds the site",
    ]
    assert (tmp_path / "site_src/uptime/2026-11-23/email.csv").read_text() == (
        "time,ok,latency_ms,detail\n2026-11-23T13:00:05Z,1,2.0,connected\n")


def test_a_file_where_a_folder_belongs_is_an_error(tmp_path):
    (tmp_path / "site_src/uptime").mkdir(parents=True)
    (tmp_path / "site_src/uptime/2026-11-23").write_text("oops")
    with pytest.raises(HistoryWriteError) as raised:
        append_rows(tmp_path, [("website", ProbeResult(T0, True, 1, "HTTP 200"))])
    assert messages(raised.value.problems) == [
        "site_src/uptime/2026-11-23/website.csv: error: cannot append 1 row: not a directory\n"
        "  hint: something that should be a folder is a file; move it away",
    ]


HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from generator.probe.csv_file import LOCK_NAME, acquire_lock, uptime_dir
    acquire_lock(uptime_dir(Path(sys.argv[2])) / LOCK_NAME, 5)
    print("held", flush=True)
    time.sleep(60)
""")


def test_an_append_waits_while_another_process_holds_the_lock(tmp_path):
    import threading

    (tmp_path / "site_src/uptime").mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(ROOT), str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        appender = threading.Thread(target=append_rows, args=(tmp_path, [("website", ProbeResult(T0, True, 1, ""))]))
        appender.start()
        appender.join(0.4)
        assert appender.is_alive() and not list((tmp_path / "site_src/uptime").glob("*/*.csv"))
    finally:
        holder.kill()
        holder.wait()
    appender.join(5)
    assert (tmp_path / "site_src/uptime/2026-11-23/website.csv").read_text() == f"{HEADER}\n2026-11-23T13:00:05Z,1,1.0,\n"


def test_a_probe_cache_entry_nested_past_the_json_parser_s_depth_is_damaged_not_a_traceback():
    from generator.read.probe_cache import CACHE_MAGIC, decode_entry

    assert decode_entry(CACHE_MAGIC + b"[" * 200_000 + b"\n", {}) is None
    assert decode_entry(CACHE_MAGIC + b'{"key": {}, "files": ' + b"[" * 200_000 + b"\n", {}) is None
