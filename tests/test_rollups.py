"""Reading the probe's month files: per-day counts, today and 24 h from the files' ends, the cache, bad lines,
and the processes that count a large history."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import generator.pipeline as pipeline
import generator.read.probe_files as probe_files
from generator.errors import WARNING
from generator.model import Check, Component, Site, Text
from generator.pipeline import build_site, load, make_build, read_probe_histories
from generator.schedule.uptime import make_uptime

ROOT = Path(__file__).resolve().parent.parent
SP = ZoneInfo("America/Sao_Paulo")
HEADER = "time,ok,latency_ms,detail\n"


def make_site(zone: str = "America/Sao_Paulo", slow: float | None = 0.25) -> Site:
    """Return a site with one checked component, dns, slow above `slow` seconds."""
    check = Check("dns", 3.0, degraded_after=slow, name="example.net")
    return Site("S", "https://s.example/", zone, ("en",), None, (),
                components=(Component("dns", Text.plain("DNS"), check=check), Component("dc", Text.plain("DC"))))


def row(at: datetime, ok: bool = True, latency: str = "20.0", detail: str = "A 203.0.113.10") -> str:
    """Return one row as the probe writes it."""
    return f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z,{int(ok)},{latency if ok or latency != '20.0' else ''},{detail}\n"


def minutes(first: datetime, last: datetime):
    """Yield every minute from first to last, inclusive, in UTC (so that a repeated hour is counted twice)."""
    at, last = first.astimezone(UTC), last.astimezone(UTC)
    while at <= last:
        yield at
        at += timedelta(minutes=1)


def write_history(site_dir: Path, lines_by_time, component: str = "dns") -> None:
    """Write rows into month files by their UTC month, each file with the header."""
    files: dict[str, list[str]] = {}
    for at, line in lines_by_time:
        files.setdefault(f"{at.astimezone(UTC):%Y-%m}", []).append(line)
    folder = site_dir / "site_src" / "uptime" / component
    folder.mkdir(parents=True, exist_ok=True)
    for month, lines in files.items():
        (folder / f"{month}.csv").write_text(HEADER + "".join(lines), encoding="utf-8")


def outage_history(site_dir: Path) -> None:
    """One check a minute from 2026-11-20 00:00 to 2026-11-22 23:59 local; 14:00-15:29 on the 21st failed.

    Successes take 20 ms, except 350 of the 21st's (from 16:00) that take 300 ms (slow: above 250 ms).
    """
    lines = []
    slow_start = datetime(2026, 11, 21, 16, 0, tzinfo=SP)
    for at in minutes(datetime(2026, 11, 20, tzinfo=SP), datetime(2026, 11, 22, 23, 59, tzinfo=SP)):
        if datetime(2026, 11, 21, 14, 0, tzinfo=SP) <= at < datetime(2026, 11, 21, 15, 30, tzinfo=SP):
            lines.append((at, row(at, ok=False, detail="timed out after 3 s")))
        elif slow_start <= at < slow_start + timedelta(minutes=350):
            lines.append((at, row(at, latency="300.0")))
        else:
            lines.append((at, row(at, detail=f"A 203.0.113.10 at {at.astimezone(SP):%H:%M}")))
    write_history(site_dir, lines)


def histories(site_dir: Path, now: datetime, site: Site | None = None, **options):
    """Return the histories and warnings of the test site at now, read as a build reads them."""
    return read_probe_histories(site_dir, site or make_site(), now, **options)


NOW = datetime(2026, 11, 22, 12, 0, tzinfo=SP)


# --- counts ---------------------------------------------------------------------------------------------

def test_a_day_of_one_minute_checks(tmp_path):
    outage_history(tmp_path)
    found, warnings = histories(tmp_path, NOW)
    assert warnings == ()
    day = found["dns"].days[date(2026, 11, 21)]
    assert (day.checks, day.ok, day.degraded) == (1440, 1350, 350)
    uptime = make_uptime(make_site(), NOW, found)["dns"]
    bar = next(b for b in uptime.days if b.day == date(2026, 11, 21))
    assert bar.uptime == pytest.approx(0.9375)
    assert (bar.latency_p50, bar.latency_p95) == (20.0, 300.0)       # 350 of 1350 are slow: 74 % take 20 ms


def test_today_counts_up_to_now_and_later_rows_are_left_out(tmp_path):
    outage_history(tmp_path)                  # rows go on until 23:59 today
    found, _ = histories(tmp_path, NOW)
    assert found["dns"].days[date(2026, 11, 22)].checks == 721   # 00:00 to 12:00, both included
    latest = found["dns"].latest
    assert latest.time == datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    assert (latest.ok, latest.latency_ms, latest.detail) == (True, 20.0, "A 203.0.113.10 at 12:00")


def test_the_24_hours_before_now(tmp_path):
    outage_history(tmp_path)
    found, _ = histories(tmp_path, NOW)
    recent = found["dns"].recent
    assert recent[date(2026, 11, 21)].checks == 720 and recent[date(2026, 11, 21)].ok == 630
    assert recent[date(2026, 11, 22)].checks == 721
    windows = dict(make_uptime(make_site(), NOW, found)["dns"].windows)
    assert windows["24h"] == pytest.approx((1441 - 90) / 1441)
    assert windows["7d"] == pytest.approx((1440 + 1440 + 721 - 90) / (1440 + 1440 + 721))


def test_a_local_day_spanning_two_month_files(tmp_path):
    # 31 October in São Paulo runs from 03:00 UTC on the 31st to 03:00 UTC on 1 November.
    lines = []
    for at in minutes(datetime(2026, 10, 31, tzinfo=SP), datetime(2026, 10, 31, 23, 59, tzinfo=SP)):
        lines.append((at, row(at, latency="10.0" if at.astimezone(UTC).month == 10 else "500.0")))
    write_history(tmp_path, lines)
    assert sorted(p.name for p in (tmp_path / "site_src/uptime/dns").iterdir()) == ["2026-10.csv", "2026-11.csv"]
    now = datetime(2026, 11, 2, 12, 0, tzinfo=SP)
    found, _ = histories(tmp_path, now)
    day = found["dns"].days[date(2026, 10, 31)]
    assert (day.checks, day.ok, day.degraded) == (1440, 1440, 180)   # 21:00-24:00 local is November in UTC
    bar = next(b for b in make_uptime(make_site(), now, found)["dns"].days if b.day == date(2026, 10, 31))
    assert (bar.latency_p50, bar.latency_p95) == (10.0, 500.0)


@pytest.mark.parametrize("day, checks", [(date(2018, 2, 17), 1500), (date(2017, 10, 15), 1380)])
def test_probe_days_of_25_and_23_hours(tmp_path, day, checks):
    start = datetime.combine(day - timedelta(1), datetime.min.time(), tzinfo=SP)
    end = datetime.combine(day + timedelta(2), datetime.min.time(), tzinfo=SP)
    lines = [(at, row(at)) for at in minutes(start, end)]
    write_history(tmp_path, lines)
    now = datetime.combine(day + timedelta(3), datetime.min.time(), tzinfo=SP)
    found, _ = histories(tmp_path, now)
    assert found["dns"].days[day].checks == checks
    bar = next(b for b in make_uptime(make_site(), now, found)["dns"].days if b.day == day)
    assert (bar.uptime, bar.checks) == (1.0, checks)


def test_components_without_files_and_days_without_rows(tmp_path):
    outage_history(tmp_path)
    found, _ = histories(tmp_path, NOW)
    assert "dc" not in found
    assert min(found["dns"].days) == date(2026, 11, 20)
    uptime = make_uptime(make_site(), NOW, found)
    assert all(b.uptime is None for b in uptime["dns"].days[:-3])
    assert all(b.uptime is None for b in uptime["dc"].days)


def test_no_uptime_folder(tmp_path):
    assert histories(tmp_path, NOW) == ({}, ())


# --- bad lines --------------------------------------------------------------------------------------------

def test_a_torn_last_line_is_skipped_with_a_warning_then_counted_when_complete(tmp_path):
    lines = [(at, row(at)) for at in minutes(datetime(2026, 11, 22, 8, 0, tzinfo=SP),
                                             datetime(2026, 11, 22, 8, 9, tzinfo=SP))]
    write_history(tmp_path, lines)
    path = tmp_path / "site_src/uptime/dns/2026-11.csv"
    with path.open("a", encoding="utf-8") as file:
        file.write("2026-11-22T11:10:00Z,1,2")
    found, warnings = histories(tmp_path, NOW)
    assert [w.format() for w in warnings] == [
        "site_src/uptime/dns/2026-11.csv:12:1: warning: the last line is unfinished (a probe stopped while "
        "writing?); it is skipped\n  hint: the next probe run removes it"]
    assert warnings[0].severity == WARNING
    assert found["dns"].days[date(2026, 11, 22)].checks == 10
    with path.open("a", encoding="utf-8") as file:
        file.write("0.5,A 203.0.113.10\n")
    found, warnings = histories(tmp_path, NOW)
    assert warnings == ()
    assert found["dns"].days[date(2026, 11, 22)].checks == 11
    assert found["dns"].latest.latency_ms == 20.5


def test_malformed_rows_are_skipped_with_their_line_numbers(tmp_path):
    lines = [(at, row(at)) for at in minutes(datetime(2026, 11, 22, 8, 0, tzinfo=SP),
                                             datetime(2026, 11, 22, 8, 4, tzinfo=SP))]
    write_history(tmp_path, lines)
    path = tmp_path / "site_src/uptime/dns/2026-11.csv"
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text[2:2] = ["2026-11-22T11:00:30Z,yes,12,x\n", "2026-11-22T11:00:40Z,1,fast,x\n",
                 "2026-11-22T11:00:50Z,1,12\n", "22/11/2026 11:01,1,12,x\n", "\n",
                 "2026-11-22T08:05:10-03:00,1,12,written with an offset\n"]
    path.write_text("".join(text), encoding="utf-8")
    found, warnings = histories(tmp_path, NOW)
    where = "site_src/uptime/dns/2026-11.csv"
    assert [w.format() for w in warnings] == [
        f"{where}:3:1: error: 'yes' is not 1 or 0\n"
        "  hint: 1 when the check succeeded, 0 when it failed",
        f"{where}:4:1: error: 'fast' is not a latency in milliseconds\n"
        "  hint: write a number such as 182 or 182.4, or nothing when there was no answer",
        f"{where}:5:1: error: expected 4 fields (time,ok,latency_ms,detail), found 3",
        f"{where}:6:1: error: '22/11/2026 11:01' is not a UTC time\n"
        "  hint: write it like 2026-11-23T13:00:05Z",
    ]
    assert found["dns"].days[date(2026, 11, 22)].checks == 6
    assert found["dns"].latest.detail == "written with an offset"


def test_times_that_are_not_utc_and_latencies_that_are_not_numbers_are_errors(tmp_path):
    folder = tmp_path / "site_src/uptime/dns"
    folder.mkdir(parents=True)
    (folder / "2026-11.csv").write_text(HEADER + "2026-11-22T11:00:00Z,1,12,x\n"
                                        "2026-11-31T13:00:05Z,1,5,no such day\n"
                                        "2026-11-22T11:25:05,1,10,no zone\n"
                                        "2026-11-22T11:15:05Z,1,-3,negative\n"
                                        "2026-11-22T11:50:05Z,1,nan,not a number\n"
                                        "2026-11-22T11:55:05Z,0,,timeout\n", encoding="utf-8")
    found, warnings = histories(tmp_path, NOW)
    where = "site_src/uptime/dns/2026-11.csv"
    assert [w.format() for w in warnings] == [
        f"{where}:3:1: error: '2026-11-31T13:00:05Z' is not a UTC time\n  hint: write it like 2026-11-23T13:00:05Z",
        f"{where}:4:1: error: '2026-11-22T11:25:05' is not a UTC time\n  hint: write it like 2026-11-23T13:00:05Z",
        f"{where}:5:1: error: '-3' is not a latency in milliseconds\n"
        "  hint: write a number such as 182 or 182.4, or nothing when there was no answer",
        f"{where}:6:1: error: 'nan' is not a latency in milliseconds\n"
        "  hint: write a number such as 182 or 182.4, or nothing when there was no answer",
    ]
    assert found["dns"].days[date(2026, 11, 22)].checks == 2


def test_a_quote_left_open_ends_with_its_line(tmp_path):
    # A row never spans lines: the rows after an unclosed quote are still counted, on the careful
    # path (a malformed row elsewhere in the file) as on the fast one.
    folder = tmp_path / "site_src/uptime/dns"
    folder.mkdir(parents=True)
    rows = '2026-11-22T11:40:05Z,0,,"unclosed\n2026-11-22T11:55:05Z,0,,timeout\n'
    for careful in (False, True):
        bad = "2026-11-22T11:00:00Z,yes,12,x\n" if careful else ""
        (folder / "2026-11.csv").write_text(HEADER + bad + rows, encoding="utf-8")
        found, warnings = histories(tmp_path, NOW, cache=False)
        assert len(warnings) == careful
        assert found["dns"].days[date(2026, 11, 22)].checks == 2
        assert (found["dns"].latest.time, found["dns"].latest.detail) == (datetime(2026, 11, 22, 11, 55, 5, tzinfo=UTC),
                                                                          "timeout")


def test_an_empty_month_file_reads_as_no_rows(tmp_path):
    folder = tmp_path / "site_src/uptime/dns"
    folder.mkdir(parents=True)
    (folder / "2026-11.csv").write_bytes(b"")
    found, warnings = histories(tmp_path, NOW)
    assert warnings == ()
    assert (dict(found["dns"].days), dict(found["dns"].recent), found["dns"].latest) == ({}, {}, None)


def test_a_wrong_header_leaves_the_file_unread(tmp_path):
    folder = tmp_path / "site_src/uptime/dns"
    folder.mkdir(parents=True)
    (folder / "2026-11.csv").write_text("when,ok,ms\n2026-11-22T11:00:00Z,1,12,x\n", encoding="utf-8")
    found, warnings = histories(tmp_path, NOW)
    assert [w.format() for w in warnings] == [
        "site_src/uptime/dns/2026-11.csv:1:1: error: the first line must be the header "
        "'time,ok,latency_ms,detail', not 'when,ok,ms'\n"
        "  hint: restore the header line; every month file starts with it"]
    assert found["dns"].days == {}


def test_a_folder_for_no_component(tmp_path):
    outage_history(tmp_path)
    (tmp_path / "site_src/uptime/dsn").mkdir()
    _, warnings = histories(tmp_path, NOW)
    assert [w.format() for w in warnings] == [
        "site_src/uptime/dsn: warning: no component 'dsn' in site_src/status.yaml; its probe history is not shown\n"
        "  hint: did you mean 'dns'? Rename the folder after a component id, or remove it"]


def test_rows_out_of_order_quoted_details_and_crlf_count_the_same(tmp_path):
    outage_history(tmp_path)
    expected, _ = histories(tmp_path, NOW, cache=False)
    for path in (tmp_path / "site_src/uptime/dns").iterdir():
        header, *rows = path.read_text(encoding="utf-8").splitlines()
        rows = [line.replace("A 203.0.113.10", '"A, quoted"') for line in reversed(rows)]
        path.write_bytes(("\r\n".join([header] + rows) + "\r\n").encode())
    found, warnings = histories(tmp_path, NOW, cache=False)
    assert warnings == ()
    assert found["dns"].days == expected["dns"].days and found["dns"].recent == expected["dns"].recent
    assert found["dns"].latest.detail == "A, quoted at 12:00"


# --- the cache --------------------------------------------------------------------------------------------

def no_reading(*args, **kwargs):
    raise AssertionError("a file was parsed although the cache had its counts")


def age(path: Path, seconds: int = 60) -> None:
    """Move a file's mtime into the past, out of the cache's "just written" window."""
    when = path.stat().st_mtime_ns - seconds * 1_000_000_000
    os.utime(path, ns=(when, when))


def age_all(site_dir: Path) -> None:
    for path in (site_dir / "site_src/uptime").rglob("*.csv"):
        age(path)


def test_cold_warm_and_uncached_give_the_same_result(tmp_path, monkeypatch):
    outage_history(tmp_path)
    age_all(tmp_path)
    uncached, _ = histories(tmp_path, NOW, cache=False)
    assert not (tmp_path / ".expediente-cache").exists()
    cold, _ = histories(tmp_path, NOW)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / ".expediente-cache").rglob("*")) == [
        ".expediente-cache/uptime", ".expediente-cache/uptime/dns.counts"]
    monkeypatch.setattr(probe_files, "read_part", no_reading)
    warm, _ = histories(tmp_path, NOW)
    assert uncached == cold == warm
    assert make_uptime(make_site(), NOW, warm) == make_uptime(make_site(), NOW, uncached)


def test_appended_rows_are_read_alone_and_counted(tmp_path, monkeypatch):
    outage_history(tmp_path)
    path = tmp_path / "site_src/uptime/dns/2026-11.csv"
    text = path.read_text(encoding="utf-8")
    cut = text.index("2026-11-22T15:00:00Z")                 # 12:00 local on the 22nd
    path.write_text(text[:cut], encoding="utf-8")
    age(path)
    histories(tmp_path, NOW)
    path.write_text(text, encoding="utf-8")                 # the probe appended the rest
    parsed = []
    original = probe_files.read_part

    def spy(data, start, end, first_line, month, context):
        parsed.append(data[start:end].decode())
        return original(data, start, end, first_line, month, context)

    monkeypatch.setattr(probe_files, "read_part", spy)
    appended, _ = histories(tmp_path, NOW)
    assert parsed == [text[cut:]]
    monkeypatch.setattr(probe_files, "read_part", original)
    assert appended == histories(tmp_path, NOW, cache=False)[0]


def test_a_rewritten_file_is_read_again(tmp_path):
    outage_history(tmp_path)
    age_all(tmp_path)
    histories(tmp_path, NOW)
    path = tmp_path / "site_src/uptime/dns/2026-11.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",1,20.0,", ",0,20.0,", 1), encoding="utf-8")
    found, _ = histories(tmp_path, NOW)
    assert found == histories(tmp_path, NOW, cache=False)[0]
    assert found["dns"].days[date(2026, 11, 20)].ok == 1439


def test_a_file_changed_just_after_it_was_read_is_checked_by_its_hash(tmp_path):
    # Same size, same mtime: only the hash can tell, and it is consulted because the first
    # read happened within two seconds of the file's mtime ("racily clean", as git calls it).
    outage_history(tmp_path)
    path = tmp_path / "site_src/uptime/dns/2026-11.csv"
    histories(tmp_path, NOW)
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(",1,20.0,", ",0,20.0,", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    found, _ = histories(tmp_path, NOW)
    assert found["dns"].days[date(2026, 11, 20)].ok == 1439


def test_another_time_zone_or_slowness_limit_is_not_taken_from_the_cache(tmp_path):
    outage_history(tmp_path)
    age_all(tmp_path)
    histories(tmp_path, NOW)
    lisbon = make_site("Europe/Lisbon")
    assert histories(tmp_path, NOW, lisbon) == histories(tmp_path, NOW, lisbon, cache=False)
    faster = make_site(slow=0.01)
    found, _ = histories(tmp_path, NOW, faster)
    assert found == histories(tmp_path, NOW, faster, cache=False)[0]
    assert found["dns"].days[date(2026, 11, 21)].degraded == 1350


def test_a_damaged_cache_file_is_ignored(tmp_path):
    outage_history(tmp_path)
    age_all(tmp_path)
    expected, _ = histories(tmp_path, NOW)
    stored = tmp_path / ".expediente-cache/uptime/dns.counts"
    stored.write_bytes(stored.read_bytes()[:-100])
    assert histories(tmp_path, NOW)[0] == expected
    stored.write_bytes(b"rubbish")
    assert histories(tmp_path, NOW)[0] == expected


def test_a_cache_that_cannot_be_written_is_one_warning_placed_at_the_sites_cache_folder(tmp_path):
    outage_history(tmp_path / "site")
    elsewhere = tmp_path / "server-cache"
    elsewhere.mkdir()
    (elsewhere / "uptime").write_text("a file where the cache's folder goes")
    expected, _ = histories(tmp_path / "site", NOW, cache=False)
    found, problems = histories(tmp_path / "site", NOW, cache_root=elsewhere)
    assert found == expected
    assert [(p.path, p.message, p.severity) for p in problems] == [
        (".expediente-cache/uptime", "could not write the uptime cache: File exists", WARNING)]


def test_several_processes_read_the_same_counts(tmp_path, monkeypatch):
    outage_history(tmp_path)
    write_history(tmp_path, [(at, row(at, latency="7.5")) for at in
                             minutes(datetime(2026, 10, 25, tzinfo=SP), datetime(2026, 11, 2, tzinfo=SP))], "dc")
    serial, _ = histories(tmp_path, NOW, cache=False)
    monkeypatch.setattr(pipeline, "PROBE_PARALLEL_BYTES", 0)
    forked = []
    fork = os.fork

    def counting_fork():
        forked.append(1)
        return fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    parallel, _ = histories(tmp_path, NOW, jobs=2)
    assert forked == [1]            # one worker beside this process: the pipeline's pool, bounded by jobs
    assert parallel == serial
    assert sorted(p.name for p in (tmp_path / ".expediente-cache/uptime").iterdir()) == [
        "dc.counts", "dns.counts"]     # written by this process, from the workers' counts
    assert histories(tmp_path, NOW)[0] == serial


def test_the_jobs_variable_bounds_the_processes(tmp_path, monkeypatch):
    outage_history(tmp_path)
    write_history(tmp_path, [(at, row(at, latency="7.5")) for at in
                             minutes(datetime(2026, 10, 25, tzinfo=SP), datetime(2026, 11, 2, tzinfo=SP))], "dc")
    monkeypatch.setattr(pipeline, "PROBE_PARALLEL_BYTES", 0)
    monkeypatch.setenv("EXPEDIENTE_JOBS", "1")

    def must_not_fork():
        raise AssertionError("a process was forked although EXPEDIENTE_JOBS=1")

    monkeypatch.setattr(os, "fork", must_not_fork)
    found, _ = histories(tmp_path, NOW, cache=False)
    assert found["dc"].days[date(2026, 10, 30)].checks == 1440


# --- through the pipeline -------------------------------------------------------------------------------------

def test_the_example_site():
    site = load(ROOT).site
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SP)
    found: list = []
    build = make_build(site, now, ROOT, cache=False, problems=found)
    assert found == []
    uptime = build.uptime
    assert list(uptime) == ["datacenter", "dns", "email", "link-sp", "website"]
    incident_day = {cid: next(b for b in u.days if b.day == date(2026, 11, 5)) for cid, u in uptime.items()}
    assert incident_day["link-sp"].uptime == pytest.approx(0.9375)          # 18 of 288 checks failed
    assert incident_day["website"].degraded >= 15 and incident_day["website"].latency_p95 > 2000
    assert all(b.uptime is None for b in uptime["datacenter"].days)
    assert next(b for b in uptime["dns"].days if b.day == date(2026, 9, 9)).uptime is None
    assert uptime["website"].latest.time == datetime(2026, 11, 23, 12, 55, 5, tzinfo=UTC)
    assert all(u.days[-1].checks == 120 for cid, u in uptime.items() if cid != "datacenter")


def test_warnings_reach_the_build_result(tmp_path):
    from tests.conftest import MINIMAL_HOURS, MINIMAL_SITE, write_tree

    write_tree(tmp_path, {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS,
                          "site_src/status.yaml": "components:\n  - id: dns\n    name: {pt-BR: DNS, en: DNS}\n",
                          "site_src/uptime/dns/2026-11.csv": HEADER + "2026-11-22T11:00:00Z,1,1"})
    result = build_site(tmp_path, datetime(2026, 11, 23, 10, 0, tzinfo=SP))
    assert result.ok
    assert ("site_src/uptime/dns/2026-11.csv:2:1: warning: the last line is unfinished (a probe stopped while "
            "writing?); it is skipped") in [p.format().splitlines()[0] for p in result.problems]


def test_a_row_in_the_wrong_month_file_is_named(tmp_path):
    lines = [(at, row(at)) for at in minutes(datetime(2026, 11, 22, 8, 0, tzinfo=SP),
                                             datetime(2026, 11, 22, 8, 4, tzinfo=SP))]
    write_history(tmp_path, lines)
    path = tmp_path / "site_src/uptime/dns/2026-11.csv"
    with path.open("a", encoding="utf-8") as file:
        file.write("2099-01-01T00:00:00Z,1,12,x\n")
    found, warnings = histories(tmp_path, NOW)
    assert [w.format() for w in warnings] == [
        "site_src/uptime/dns/2026-11.csv:7:1: error: 2099-01-01T00:00:00Z does not belong in the file of "
        "2026-11\n  hint: move the row to 2099-01.csv"]
    assert found["dns"].days[date(2026, 11, 22)].checks == 5


def no_fork():
    raise OSError(38, "Function not implemented")


def test_without_processes_the_files_are_read_in_this_one(tmp_path, monkeypatch):
    outage_history(tmp_path)
    write_history(tmp_path, [(at, row(at)) for at in minutes(datetime(2026, 11, 1, tzinfo=SP), NOW)], "dc")
    serial, _ = histories(tmp_path, NOW, cache=False)
    monkeypatch.setattr(pipeline, "PROBE_PARALLEL_BYTES", 0)
    monkeypatch.setattr(os, "fork", no_fork)           # a sandbox that forbids fork
    assert histories(tmp_path, NOW, jobs=2)[0] == serial


# --- day folders --------------------------------------------------------------------------------------

def write_days(site_dir: Path, lines_by_time, component: str = "dns") -> None:
    """Write rows into day files by their UTC day, site_src/uptime/<YYYY-MM-DD>/<component>.csv, as the probe does."""
    files: dict[str, list[str]] = {}
    for at, line in lines_by_time:
        files.setdefault(f"{at.astimezone(UTC):%Y-%m-%d}", []).append(line)
    for day, lines in files.items():
        folder = site_dir / "site_src" / "uptime" / day
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{component}.csv").write_text(HEADER + "".join(lines), encoding="utf-8")


def test_day_files_count_as_month_files_do(tmp_path):
    outage_history(tmp_path / "months")
    months, _ = histories(tmp_path / "months", NOW, cache=False)
    site = tmp_path / "days"
    for path in sorted((tmp_path / "months/site_src/uptime/dns").glob("*.csv")):
        lines = path.read_text().splitlines(keepends=True)[1:]
        write_days(site, [(datetime.fromisoformat(line[:20]), line) for line in lines])
    assert len(list((site / "site_src/uptime").iterdir())) == 4       # a local day spans two UTC days
    for cache in (False, True, True):
        found, warnings = histories(site, NOW, cache=cache)
        assert (found, warnings) == (months, ())


def test_odd_day_folders_and_day_files_are_named(tmp_path):
    write_days(tmp_path, [(at, row(at)) for at in minutes(datetime(2026, 11, 22, 8, 0, tzinfo=SP),
                                                          datetime(2026, 11, 22, 8, 4, tzinfo=SP))])
    uptime = tmp_path / "site_src/uptime"
    (uptime / "2026-11-31").mkdir()
    (uptime / "2026-11-31/dns.csv").write_text(HEADER)
    (uptime / "2026-11-22/dsn.csv").write_text(HEADER)
    (uptime / "2026-11-21").mkdir()
    (uptime / "2026-11-21/dsn.csv").write_text(HEADER)
    (uptime / "2026-11-22/notes.txt").write_text("not rows")
    with (uptime / "2026-11-22/dns.csv").open("a", encoding="utf-8") as file:
        file.write("2026-11-23T00:00:00Z,1,12,x\n2026-11-22T12:00:00Z,1,1")
    found, warnings = histories(tmp_path, NOW)
    assert sorted(w.format() for w in warnings) == [
        "site_src/uptime/2026-11-21/dsn.csv:1:1: warning: no component 'dsn' in site_src/status.yaml; its probe "
        "history is not shown\n  hint: did you mean 'dns'? Rename the file after a component id, or remove it",
        "site_src/uptime/2026-11-22/dns.csv:7:1: error: 2026-11-23T00:00:00Z does not belong in the file of "
        "2026-11-22\n  hint: move the row to the folder 2026-11-23",
        "site_src/uptime/2026-11-22/dns.csv:8:1: warning: the last line is unfinished (a probe stopped while "
        "writing?); it is skipped\n  hint: the next probe run removes it",
        "site_src/uptime/2026-11-31/dns.csv:1:1: warning: '2026-11-31' is not a day; the probe's rows in it are not "
        "shown\n  hint: name a day folder after a UTC day, like 2026-11-23"]
    assert found["dns"].days[date(2026, 11, 22)].checks == 5


def test_the_kept_sums_of_days_follow_appended_rewritten_and_removed_files(tmp_path):
    lines = [(at, row(at)) for at in minutes(datetime(2026, 11, 19, tzinfo=SP), datetime(2026, 11, 22, 11, 0, tzinfo=SP))]
    write_days(tmp_path, lines)
    age_all(tmp_path)
    assert histories(tmp_path, NOW)[0] == histories(tmp_path, NOW, cache=False)[0]
    assert (tmp_path / ".expediente-cache/uptime/dns.counts").is_file()
    uptime = tmp_path / "site_src/uptime"
    with (uptime / "2026-11-22/dns.csv").open("a", encoding="utf-8") as file:     # appended: today and yesterday
        file.write(row(datetime(2026, 11, 22, 11, 30, tzinfo=SP), ok=False))
    (uptime / "2026-11-20/dns.csv").unlink()                                      # removed: the 19th and 20th
    rewritten = uptime / "2026-11-21/dns.csv"                                      # rewritten, same size
    rewritten.write_text(rewritten.read_text().replace(",1,20.0,", ",0,20.0,", 3))
    age_all(tmp_path)
    warm, _ = histories(tmp_path, NOW)
    assert warm == histories(tmp_path, NOW, cache=False)[0]
    # The 20th keeps only the rows of the 21st UTC (from 21:00 local), three of which now failed.
    assert (warm["dns"].days[date(2026, 11, 20)].checks, warm["dns"].days[date(2026, 11, 20)].ok) == (180, 177)
    assert warm["dns"].days[date(2026, 11, 19)].checks == 21 * 60         # its last 3 hours were in the 20th UTC
    assert histories(tmp_path, NOW)[0] == warm


def test_one_cache_entry_per_component_drops_removed_files_and_the_older_cache_folder(tmp_path):
    lines = [(at, row(at)) for at in minutes(datetime(2026, 11, 19, tzinfo=SP), datetime(2026, 11, 22, 11, 0, tzinfo=SP))]
    write_days(tmp_path, lines)
    age_all(tmp_path)
    legacy = tmp_path / ".expediente-cache/uptime/dns"
    legacy.mkdir(parents=True)
    (legacy / "2026-11-19.rollup").write_bytes(b"expediente uptime rollup 2\n{}\n")
    assert histories(tmp_path, NOW)[0] == histories(tmp_path, NOW, cache=False)[0]
    stored = tmp_path / ".expediente-cache/uptime/dns.counts"
    assert sorted(p.name for p in stored.parent.iterdir()) == ["dns.counts"]
    assert b"2026-11-20/dns.csv" in stored.read_bytes()
    (tmp_path / "site_src/uptime/2026-11-20/dns.csv").unlink()
    assert histories(tmp_path, NOW)[0] == histories(tmp_path, NOW, cache=False)[0]
    assert b"2026-11-20/dns.csv" not in stored.read_bytes()
