"""Builds spread over processes give the output and the messages of one process, byte for byte."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from conftest import ROOT, snapshot

from generator import parallel
from generator.parallel import can_fork, map_in_parallel

NOW = "2026-11-23T10:00:00-03:00"
DEPARTMENTS = ("financeiro", "comercial", "suporte")

pytestmark = pytest.mark.skipif(not can_fork(), reason="workers are forked on Linux only")


# --- map_in_parallel ---------------------------------------------------------------

PARENT = os.getpid()


def slow_square(number: int) -> tuple[int, int]:
    """Take a little time, so that every process gets some of the items."""
    time.sleep(0.002)
    return number * number, os.getpid()


def test_results_come_back_in_order_from_several_processes():
    results = map_in_parallel(slow_square, range(300), jobs=3)
    assert [value for value, _ in results] == [n * n for n in range(300)]
    pids = {pid for _, pid in results}
    assert PARENT in pids and len(pids) == 3


def test_more_items_than_the_queue_holds_go_in_runs(monkeypatch):
    monkeypatch.setattr(parallel, "MAX_QUEUED", 16)
    results = map_in_parallel(slow_square, range(200), jobs=2)
    assert [value for value, _ in results] == [n * n for n in range(200)]
    assert len({pid for _, pid in results}) == 2


def test_a_short_list_or_one_job_stays_in_this_process():
    assert {pid for _, pid in map_in_parallel(slow_square, range(10), jobs=4)} == {PARENT}
    assert {pid for _, pid in map_in_parallel(slow_square, range(100), jobs=1)} == {PARENT}


@pytest.mark.parametrize("jobs, count", [(2, 200), (1, 200), (4, 10)])
def test_meanwhile_runs_once_in_this_process_while_the_workers_begin(jobs, count):
    calls = []

    def meanwhile():
        calls.append((os.getpid(), len(threading.enumerate())))
        time.sleep(0.05)    # the workers go on meanwhile

    results = map_in_parallel(slow_square, range(count), jobs=jobs, meanwhile=meanwhile)
    assert [value for value, _ in results] == [n * n for n in range(count)]
    assert calls == [(PARENT, 1)]
    if jobs > 1 and count >= parallel.MIN_ITEMS:
        # While this process slept, the worker took more than its half.
        assert sum(pid != PARENT for _, pid in results) > count // 2


def test_a_failure_meanwhile_stops_the_workers_and_is_raised():
    def meanwhile():
        raise LookupError("meanwhile failed")

    with pytest.raises(LookupError, match="meanwhile failed"):
        map_in_parallel(slow_square, range(200), jobs=2, meanwhile=meanwhile)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)   # no worker left behind


def frozen_count(number: int) -> int:
    time.sleep(0.002)
    return gc.get_freeze_count()


@pytest.mark.slow
def test_objects_are_kept_from_the_collector_while_workers_share_them():
    """A collection would write to every object the processes share (and copy its page)."""
    counts = map_in_parallel(frozen_count, range(200), jobs=2)
    assert min(counts) > 1000                      # in this process and in the worker
    assert gc.get_freeze_count() == 0              # and all given back afterwards


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert {pid for _, pid in map_in_parallel(slow_square, range(100), jobs=2)} == {PARENT}
    finally:
        stop.set()
        thread.join()


def fail_in_worker(number: int) -> int:
    time.sleep(0.002)
    if os.getpid() != PARENT:
        raise ValueError(f"bad item {number} in process {os.getpid()}")
    return number


def test_an_exception_in_a_worker_is_raised_here():
    with pytest.raises(ValueError, match="bad item [0-9]+ in process") as raised:
        map_in_parallel(fail_in_worker, range(300), jobs=2)
    assert f"process {PARENT}" not in str(raised.value)     # it did happen in the worker


class Unpicklable(Exception):
    def __init__(self, lock):
        super().__init__("cannot travel")
        self.lock = lock

    def __reduce__(self):
        raise TypeError("no pickling")


def raise_unpicklable(number: int) -> int:
    time.sleep(0.002)
    if os.getpid() != PARENT:
        raise Unpicklable(threading.Lock())
    return number


def test_an_exception_that_cannot_be_pickled_arrives_as_its_traceback():
    with pytest.raises(RuntimeError, match=r"in a build worker:(.|\n)*Unpicklable: cannot travel"):
        map_in_parallel(raise_unpicklable, range(300), jobs=2)


def die_in_worker(number: int) -> int:
    time.sleep(0.002)
    if os.getpid() != PARENT:
        os._exit(3)
    return number + 1


def test_the_items_of_a_worker_that_dies_are_done_here():
    assert map_in_parallel(die_in_worker, range(200), jobs=2) == list(range(1, 201))


# --- Whole builds ------------------------------------------------------------------

def notice(index: int, day: date) -> str:
    """Return a notice: every fourth closes one department on `day` and names the day in its prose."""
    head = f"---\ntitle: Aviso {index}\ndate: {day - timedelta(days=1)} 09:{index % 60:02d}\n"
    if index % 4:
        return head + f"type: info\n---\nInformamos que o serviço {index} foi atualizado.\n"
    spoken = format_date(day, "full", locale="pt_BR")
    return (head + f"type: hours\ndepartments: [{DEPARTMENTS[index % 3]}]\n"
            f"changes:\n  - date: {day}\n    closed: true\n---\nNa {spoken} o atendimento estará fechado.\n")


def many_notices_site(target: Path, count: int = 160, mistake: bool = False) -> Path:
    """Copy the example site and add `count` notices; with `mistake`, one names a wrong weekday
    and site.yaml a subdivision the holidays package does not know (checked while notices are read)."""
    shutil.copytree(ROOT / "site_src", target / "site_src")
    shutil.copytree(ROOT / "notices", target / "notices")
    first = date(2026, 3, 2)
    for index in range(count):
        day = first + timedelta(days=index)
        (target / "notices" / f"{day - timedelta(days=1)}-aviso-{index}.md").write_text(
            notice(index, day), encoding="utf-8")
    if mistake:
        path = target / "notices" / f"{first + timedelta(days=150)}-aviso-151.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nVoltamos na terça-feira, 3 de agosto de 2026.\n",
                        encoding="utf-8")
        settings = target / "site_src" / "site.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("subdivision: SP", "subdivision: XX"),
                            encoding="utf-8")
    return target


def build(site: Path, out: Path, jobs: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "EXPEDIENTE_JOBS": str(jobs)}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--site", str(site), "--out", str(out),
                           "--now", NOW, "--no-cache"], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.slow
def test_one_or_two_processes_build_the_same_site(tmp_path):
    site = many_notices_site(tmp_path / "site")
    one, two = build(site, tmp_path / "one", 1), build(site, tmp_path / "two", 2)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert one.stderr == two.stderr
    a, b = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert len(a) > 400 and "notices/2026-03-01-aviso-0/notice.ics" in a
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []


@pytest.mark.slow
def test_a_mistake_found_by_a_worker_is_reported_as_by_one_process(tmp_path):
    site = many_notices_site(tmp_path / "site", mistake=True)
    one, two = build(site, tmp_path / "one", 1), build(site, tmp_path / "two", 2)
    assert one.returncode == two.returncode == 1
    assert "notices/2026-07-30-aviso-151.md:" in two.stderr
    assert "is a Monday" in two.stderr                  # 3 August 2026 was not a Tuesday
    assert "site_src/site.yaml:11:16: error: 'XX' is not a subdivision of BR" in two.stderr
    assert "Traceback" not in two.stderr
    assert one.stderr == two.stderr


# --- Where a worker's exception was raised -------------------------------------------

def raise_here_in_worker(number: int) -> int:
    time.sleep(0.002)
    if os.getpid() != PARENT:
        raise KeyError("raised on the line below the marker")   # marker: raise_here_in_worker
    return number


def test_a_worker_exception_keeps_where_it_was_raised():
    with pytest.raises(KeyError) as raised:
        map_in_parallel(raise_here_in_worker, range(300), jobs=2)
    line = next(number for number, text in enumerate(Path(__file__).read_text().splitlines(), 1)
                if "# marker: raise_here_in_worker" in text)
    assert (str(Path(__file__)), line) in parallel.raised_at(raised.value)
    assert any("raised in a build worker" in note for note in raised.value.__notes__)


def test_a_template_error_in_a_worker_names_the_template_line(tmp_path):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from generator.commands.publish import describe_failure

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>fine</p>\n<p>{{ missing.name }}</p>\n")
    env = Environment(loader=FileSystemLoader(str(tmp_path / "templates")), undefined=StrictUndefined)

    def render(number: int) -> str:
        time.sleep(0.002)
        return env.get_template("page.html").render() if os.getpid() != PARENT else "ok"

    with pytest.raises(Exception) as raised:
        map_in_parallel(render, range(300), jobs=2)
    assert describe_failure(raised.value, tmp_path) == "templates/page.html:2: error: 'missing' is undefined"


def unpicklable_result(number: int):
    time.sleep(0.002)
    return threading.Lock() if os.getpid() != PARENT else number


def test_a_result_that_cannot_travel_is_an_error_not_a_silent_redo():
    with pytest.raises(RuntimeError, match="a build worker could not send its results: TypeError"):
        map_in_parallel(unpicklable_result, range(300), jobs=2)


def test_no_queue_means_one_process(monkeypatch):
    monkeypatch.setattr(parallel, "_queue", lambda count: None)
    assert {pid for _, pid in map_in_parallel(slow_square, range(100), jobs=2)} == {PARENT}
