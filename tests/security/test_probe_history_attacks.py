"""A pusher who means harm, against the probe's history: day folders, closed months' summaries, month files.

Each test builds a copy of the example site through the command line and asserts a located message, never
a traceback, and output bounded in time and memory (the build reads what a push can hold: limits tree_files, tree_mb;
a closed month's xz file no more than a month of the probe's rows can be).
"""

from __future__ import annotations

import io
import json
import lzma
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import (
    EXAMPLE_NOW,
    LOCAL_PROBE,
    MINIMAL_HOURS,
    MINIMAL_SITE,
    ROOT,
    copy_example,
    serving,
    snapshot,
    write_tree,
)
from test_month_close import close
from test_probe import make_site

from generator.cli import main
from generator.commands.probe import probe_command

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


def rows_beyond_a_month(document):
    document["rows"]["bytes"] = 40 << 20
    document["rows"]["lines"] = 200_000


@pytest.mark.parametrize("change, reason", [
    (absurd_checks, "its days count more checks than the 8,928 rows it describes"),
    (a_day_the_rows_lack, "its days count more checks than the 8,928 rows it describes"),
    (a_huge_histogram, "its days count more checks than the 8,928 rows it describes"),
    (more_rows_than_bytes, "it claims more lines than its rows have bytes"),
    (rows_beyond_the_limit, "its rows are more than 48 MB, the most a month of the probe's rows can be"),
    (rows_beyond_a_month, "it describes more than 178,560 rows, the most a month of the probe's rows can be"),
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


# --- a push landing while the probe measures, before it closes past months -------------------------------------

class Pusher(BaseHTTPRequestHandler):
    """Answers every request with a page; before answering the first, makes the change the test set (`push`): a
    push that lands while the probe measures, after its check of the site and before its close of past months."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        push, self.server.push = self.server.push, None
        if push is not None:
            push()
        body = b"<title>Example Networks</title>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pushing_server():
    """An HTTP server on 127.0.0.1 that runs the test's `push` while the probe waits for its answer."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pusher)
    server.daemon_threads, server.block_on_close, server.push = False, True, None   # no thread left behind
    with serving(server):
        yield server


OCTOBER_5 = b"2026-10-05T12:00:00Z,1,20.0,HTTP 200\n"
OCTOBER_6 = b"2026-10-06T12:00:00Z,1,21.0,HTTP 200\n"
VICTIM = b"2026-10-06T13:00:00Z,0,,the victim's row\n"     # rows a link would bring into the site's history
LINK_HINT = ("  hint: a symbolic link stands where the probe's file or folder should be: the probe never writes "
             "through one; remove it\n")


def an_outside_folder(outside: Path) -> Path:
    """Make the folder outside the site that the links lead to: a month file, a day file and another file, each
    of well-formed rows of October that a close would take."""
    outside.mkdir()
    (outside / "2026-10.csv").write_bytes(HEADER + VICTIM.replace(b"-06T", b"-07T"))
    (outside / "website.csv").write_bytes(HEADER + VICTIM)
    (outside / "victim.csv").write_bytes(HEADER + VICTIM)
    return outside


def component_folder_to_a_folder(site: Path, outside: Path) -> str:
    """site_src/uptime/website/ replaced by a link to a folder holding a month file: the xz file and the summary
    would be written there, and its month file removed."""
    shutil.rmtree(site / UPTIME / "website")
    (site / UPTIME / "website").symlink_to(outside, target_is_directory=True)
    return "site_src/uptime/website"


def day_folder_to_a_folder(site: Path, outside: Path) -> str:
    """A day folder replaced by a link to a folder holding the component's day file: its rows would be packed
    into the site's xz file, and the file removed."""
    shutil.rmtree(site / UPTIME / "2026-10-06")
    (site / UPTIME / "2026-10-06").symlink_to(outside, target_is_directory=True)
    return "site_src/uptime/2026-10-06"


def day_file_to_a_file(site: Path, outside: Path) -> str:
    """A day file replaced by a link to a file outside: its rows would be packed into the site's xz file."""
    (site / UPTIME / "2026-10-06/website.csv").unlink()
    (site / UPTIME / "2026-10-06/website.csv").symlink_to(outside / "victim.csv")
    return "site_src/uptime/2026-10-06/website.csv"


def month_file_to_a_file(site: Path, outside: Path) -> str:
    """The month file replaced by a link to a file outside: read and packed as the month's rows."""
    (site / UPTIME / "website/2026-10.csv").unlink()
    (site / UPTIME / "website/2026-10.csv").symlink_to(outside / "victim.csv")
    return "site_src/uptime/website/2026-10.csv"


def tree(folder: Path) -> dict[str, bytes | str]:
    """Return what a folder holds: each file's bytes and each link's target, by relative path."""
    return {path.relative_to(folder).as_posix(): str(path.readlink()) if path.is_symlink()
            else path.read_bytes() if path.is_file() else "folder" for path in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("push", [component_folder_to_a_folder, day_folder_to_a_folder, day_file_to_a_file,
                                  month_file_to_a_file])
def test_a_link_put_in_the_history_while_the_probe_measures_takes_nothing_from_the_month_close(
        tmp_path, pushing_server, push):
    # The probe refuses links in site_src/uptime/ before it measures; one that lands while it measures (a
    # `git pull` of a hostile push) is met by the close of October, which reaches every folder and file from the
    # site's folder down without following a link: it writes, renames, removes and reads nothing through it.
    base = f"http://127.0.0.1:{pushing_server.server_address[1]}/"
    site = make_site(tmp_path / "site", {"website": f"{{type: http, url: '{base}', timeout: 5s}}"})
    (site / UPTIME / "website").mkdir(parents=True)
    (site / UPTIME / "website/2026-10.csv").write_bytes(HEADER + OCTOBER_5)
    day_file(site, "2026-10-06", "website", OCTOBER_6)
    outside = an_outside_folder(tmp_path / "outside")
    link = []
    pushing_server.push = lambda: link.append(push(site, outside))
    before = tree(outside)
    out, err = io.StringIO(), io.StringIO()
    status = probe_command(site, datetime.fromisoformat("2026-11-23T13:00:05+00:00"), dict(LOCAL_PROBE), out, err,
                           interactive=False)
    assert link, "the server was not asked: the push did not land"
    assert (status, err.getvalue()) == (1, f"{link[0]}: error: could not close the month: too many levels of "
                                           f"symbolic links\n{LINK_HINT}")
    assert out.getvalue().startswith("probed 1 component: 1 up, 0 down in ") and out.getvalue().count("\n") == 1
    assert tree(outside) == before
    # Nothing the link leads to was read into the site's history, and the month stays open where it was.
    assert not list((site / UPTIME).rglob("*.csv.xz")) and not list((site / UPTIME).rglob("*.days.json"))
    assert all(b"victim" not in data for name, data in tree(site / UPTIME).items()
               if isinstance(data, bytes) and not (site / UPTIME / name).is_symlink())
    assert (site / UPTIME / "2026-11-23/website.csv").read_bytes().startswith(HEADER + b"2026-11-23T13:00:05Z,1,")


def test_as_many_folders_named_like_no_day_as_a_push_may_hold_are_named_in_one_warning(tmp_path, example_outputs,
                                                                                        capsys):
    # 2,000 folders named like days that are none (2026-13-45): one warning at the first names how many more and
    # the first few, rather than 2,000 warnings in every build's output.
    site = copy_example(tmp_path / "site")
    names = sorted(f"{year}-13-{day:02d}" for year in range(2000, 2020) for day in range(1, 100))
    for name in names:
        day_file(site, name, "dns", b"")
    assert len(names) == 1980
    assert build(site, tmp_path / "public", capsys) == (0, (
        "site_src/uptime/2000-13-01/dns.csv:1:1: warning: '2000-13-01' is not a day; the probe's rows in it are not "
        "shown (nor those of 1,979 more such folders: '2000-13-02', '2000-13-03', '2000-13-04', ...)\n"
        "  hint: name a day folder after a UTC day, like 2026-11-23\n"))
    assert snapshot(tmp_path / "public") == dict(example_outputs)


MONTH_HINT = ("  hint: the probe names the file after the UTC month of its checks: if its machine's clock was wrong, "
              "{what}, or move the rows to the month they were taken\n")


def test_month_files_and_closed_months_no_probe_wrote_are_named_in_one_warning_per_side(tmp_path, example_outputs,
                                                                                         capsys):
    # A component folder holding the months 1900-01 to 1999-12 (month files, and closed months' summaries) and
    # 2201-01 to 2201-03: one warning for those before 2000, one for those after 2200, each at its first.
    site = copy_example(tmp_path / "site")
    folder = site / UPTIME / "website"
    for year in range(1900, 2000):
        for month in range(1, 13):
            (folder / f"{year}-{month:02d}.csv").write_bytes(HEADER + f"{year}-{month:02d}-01T00:00:07Z,1,4.0,ok\n"
                                                             .encode())
    (folder / "1950-06.days.json").write_text("{}")
    for month in range(1, 4):
        (folder / f"2201-{month:02d}.days.json").write_text("{}")
    assert build(site, tmp_path / "public", capsys) == (0, (
        "site_src/uptime/website/1900-01.csv:1:1: warning: '1900-01' is a month before 2000, which the probe never "
        "writes; the rows in it are not shown (nor those of 1,199 more such months: '1900-02', '1900-03', "
        "'1900-04', ...)\n" + MONTH_HINT.format(what="remove the files (a closed month's .days.json with its .csv.xz)")
        + "site_src/uptime/website/2201-01.days.json:1:1: warning: '2201-01' is a month after 2200, which the probe "
        "never writes; the rows in it are not shown (nor those of 2 more such months: '2201-02', '2201-03')\n"
        + MONTH_HINT.format(what="remove the files (a closed month's .days.json with its .csv.xz)")))
    assert snapshot(tmp_path / "public") == dict(example_outputs)


def test_a_month_file_and_the_closed_month_of_the_same_month_no_probe_wrote_are_one_warning(tmp_path, capsys):
    site = copy_example(tmp_path / "site")
    (site / UPTIME / "dns/1999-12.csv").write_bytes(HEADER + b"1999-12-31T23:00:07Z,1,4.0,ok\n")
    (site / UPTIME / "dns/1999-12.days.json").write_text("{}")
    assert build(site, tmp_path / "public", capsys) == (0, (
        "site_src/uptime/dns/1999-12.csv:1:1: warning: '1999-12' is a month before 2000, which the probe never "
        "writes; the rows in it are not shown\n"
        + MONTH_HINT.format(what="remove the files (a closed month's .days.json with its .csv.xz)")))


# --- rows the readers could not hold, and closed months' xz files, through the command line ---------------------
#
# Each runs `python build.py` in a process of its own, as a push's hook does: exit 1, a message at the row or
# the file, never a traceback or "internal error".

NOW = "2026-11-23T10:00:00-03:00"
PORTAL = "components:\n  - id: portal\n    name: Portal\n"


def build_py(site: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `python build.py <args> --site <site> --now NOW` in a process of its own."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=300)


def refused(result: subprocess.CompletedProcess) -> list[str]:
    """Assert exit 1 with no traceback or internal error; return the lines printed."""
    output = result.stdout + result.stderr
    assert "internal error" not in output and "Traceback" not in output, output
    assert result.returncode == 1, output
    return output.splitlines()


def minimal_site(tmp_path: Path, files: dict[str, str | bytes], site_yaml: str = MINIMAL_SITE) -> Path:
    """Write the small site of tests/conftest.py with the component `portal` and `files` added."""
    return write_tree(tmp_path / "site", {"site_src/site.yaml": site_yaml, "site_src/hours.yaml": MINIMAL_HOURS,
                                          "site_src/status.yaml": PORTAL, **files})


@pytest.mark.parametrize("row, message, hint", [
    ("2026-11-20T00:00:05Z,1," + "9" * 5000 + ",A",
     "'" + "9" * 40 + "…' is not a latency in milliseconds",
     "write a number such as 182 or 182.4, or nothing when there was no answer"),
    ("2026-11-20T00:00:05Z,1,\u0663,A", "'\u0663' is not a latency in milliseconds",
     "write a number such as 182 or 182.4, or nothing when there was no answer"),
    ("2026-11-20T00:00:05Z,0,5,\"" + "x" * 200_000 + "\"",
     "a field is longer than the 131,072 characters a row may hold",
     "the probe writes details of at most 200 characters: shorten it"),
    ("2026-11-20T00:00:05Z,0,5\r,\"a\"", "a carriage return inside the row, which the csv module does not read",
     "the probe writes each row on one line: remove the carriage return"),
], ids=["latency-of-5000-digits", "latency-in-arabic-indic-digits", "field-over-the-csv-limit",
        "carriage-return-before-a-quoted-detail"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_history_row_the_readers_cannot_hold_is_a_located_error(tmp_path, row, message, hint, command):
    site = minimal_site(tmp_path, {"site_src/uptime/portal/2026-11.csv": "time,ok,latency_ms,detail\n" + row + "\n"})
    args = (command, "--out", str(tmp_path / "out")) if command == "build" else (command,)
    lines = refused(build_py(site, *args))
    assert f"site_src/uptime/portal/2026-11.csv:2:1: error: {message}" in lines, lines
    assert f"  hint: {hint}" in lines, lines


def closed_month_site(tmp_path: Path, archive: bytes, site_yaml: str = MINIMAL_SITE) -> Path:
    """A site whose component's September 2026 is closed: a summary the build cannot use, and `archive`."""
    return minimal_site(tmp_path, {"site_src/uptime/portal/2026-09.days.json": "{}\n",
                                   "site_src/uptime/portal/2026-09.csv.xz": archive}, site_yaml)


def september(ok: str) -> bytes:
    """Return September 2026's rows, one every 5 minutes, all with `ok`, compressed as the probe does."""
    start = datetime(2026, 9, 1, tzinfo=UTC)
    rows = [f"{(start + timedelta(minutes=5 * n)):%Y-%m-%dT%H:%M:%SZ},{ok},5.5,HTTP 200\n" for n in range(8640)]
    return lzma.compress(("time,ok,latency_ms,detail\n" + "".join(rows)).encode(), preset=6)


SUMMARY_WARNING = ("site_src/uptime/portal/2026-09.days.json:1:1: warning: not a summary the probe writes: its "
                   "format is not 'expediente uptime month 1'; the month's rows are read from 2026-09.csv.xz instead")


def test_a_changed_archive_is_read_again_even_when_its_summary_did_not_change(tmp_path):
    site = closed_month_site(tmp_path, september("1"))
    time.sleep(2.1)      # past the racy window: the first build keeps what it counted
    first = build_py(site, "build", "--out", str(tmp_path / "first"))
    assert first.returncode == 0 and SUMMARY_WARNING in first.stderr.splitlines(), first.stderr
    archive = site / "site_src/uptime/portal/2026-09.csv.xz"
    # The summary is left as it was; the archive is replaced, once by one that is not xz, once by other rows.
    archive.write_bytes(b"not an xz file\n")
    cached = build_py(site, "build", "--out", str(tmp_path / "cached"))
    assert "site_src/uptime/portal/2026-09.csv.xz: error: cannot read the closed month's rows: it is not an xz " \
           "file the probe wrote (Input format not supported by decoder)" in refused(cached)
    shutil.rmtree(site / ".expediente-cache")
    fresh = build_py(site, "build", "--out", str(tmp_path / "fresh"))
    assert refused(fresh) == refused(cached)
    # Rows of the same size, all failed: only the build that reads them again shows September down.
    archive.write_bytes(september("0"))
    time.sleep(2.1)
    for name in ("down", "down-cached"):
        down = build_py(site, "build", "--out", str(tmp_path / name))
        assert down.returncode == 0 and SUMMARY_WARNING in down.stderr.splitlines(), down.stderr
    assert snapshot(tmp_path / "down") == snapshot(tmp_path / "down-cached")
    assert snapshot(tmp_path / "down") != snapshot(tmp_path / "first")


def test_a_small_archive_cannot_make_the_build_take_gigabytes(tmp_path):
    # 400 MB of zeros after the header: 61 KB of xz. `limits: tree_mb` (raised here) does not bound it.
    packer = lzma.LZMACompressor(preset=6)
    archive = packer.compress(b"time,ok,latency_ms,detail\n") + b"".join(
        packer.compress(bytes(1 << 20)) for _ in range(400)) + packer.flush()
    assert len(archive) < 100_000
    site = closed_month_site(tmp_path, archive, MINIMAL_SITE + "limits: {tree_mb: 1000}\n")
    # The peak memory of the build alone, measured by a process that runs nothing else.
    measure = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, "
               "text=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "print(done.returncode); print(done.stdout + done.stderr, end='')")
    done = subprocess.run([sys.executable, "-c", measure, sys.executable, str(ROOT / "build.py"), "build", "--site",
                           str(site), "--out", str(tmp_path / "out"), "--now", NOW],
                          capture_output=True, text=True, timeout=300)
    peak_kb, code, *lines = done.stdout.splitlines()
    peak_mb = int(peak_kb) / 1024
    assert peak_mb < 200, f"a {len(archive):,}-byte archive took {peak_mb:.0f} MB"
    assert code == "1" and "Traceback" not in done.stdout, done.stdout
    assert lines[:2] + lines[-1:] == [
        "site_src/uptime/portal/2026-09.csv.xz: error: cannot read the closed month's rows: it unpacks to more "
        "than 48 MB, the most a month of the probe's rows can be",
        "  hint: restore the file from git (it holds the rows of 2026-09, compressed with xz)",
        "1 error, 1 warning; nothing was written"], lines


def test_an_archive_of_more_rows_than_a_month_can_hold_is_refused(tmp_path):
    # Short rows, so that the row count, not the bytes, bounds it: 5 rows a second of September.
    rows = b"".join(b"2026-09-01T00:00:00Z,1,,\n" for _ in range(200_000))
    site = closed_month_site(tmp_path, lzma.compress(b"time,ok,latency_ms,detail\n" + rows))
    assert "site_src/uptime/portal/2026-09.csv.xz: error: cannot read the closed month's rows: it holds more " \
           "than 178,560 rows, the most a month of the probe's rows can be" in refused(build_py(site, "check"))


@pytest.mark.parametrize("after", [lzma.compress(b"2026-09-30T23:55:00Z,0,5.5,HTTP 500\n"), b"junk", bytes(4)],
                         ids=["second_stream", "junk", "stream_padding"])
def test_data_after_the_first_xz_stream_is_refused_not_dropped(tmp_path, after):
    # `xz -d` and lzma.decompress read concatenated streams as one file; a reader that stops at the end of the
    # first would drop the rest unread, and a month of failed checks in a second stream would show 100 % up.
    site = closed_month_site(tmp_path, september("1") + after)
    assert refused(build_py(site, "check"))[:4] == [
        "site_src/uptime/portal/2026-09.csv.xz: error: cannot read the closed month's rows: it holds data after "
        "the end of its first xz stream (the probe writes one stream)",
        "  hint: restore the file from git (it holds the rows of 2026-09, compressed with xz)",
        SUMMARY_WARNING, "  hint: remove the file: the next probe run writes it again"]
