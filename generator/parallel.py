"""Spreading independent pieces of a build over the machine's cores, with the results of one core.

A site of many notices spends most of its build reading each notice and rendering
each notice's pages, one notice at a time and each independent of the others.
`map_in_parallel` runs such a list in this process and in forked worker processes
at once.  The item numbers wait in a pipe; every process takes the next number
when it is free, so a slow item never leaves the others idle.  Each worker sends
its results back, pickled, through a pipe of its own, and they are put back in
the original order: the output is the same byte for byte whatever the number of
workers and whoever computed what.  A worker is a fork of the build: it sees the
model as it is, and nothing but numbers is sent to it.

Forking is used only where it is safe and cheap: on Linux, from a process running
a single thread (a fork copies only the calling thread, and a lock held by another
one would stay locked in the child forever).  Elsewhere, or with one core, or for
a short list, the work runs in this process as a plain loop.
"""

from __future__ import annotations

import fcntl
import gc
import os
import pickle
import signal
import sys
import tempfile
import threading
import traceback
from functools import partial
from typing import Callable, Sequence, TypeVar

from generator.report import flush_standard_streams

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items a fork costs more than it saves.
MIN_ITEMS = 64
JOBS_VARIABLE = "EXPEDIENTE_JOBS"
# Item numbers in the queue; the pipe holds 64 KiB, so they all fit before anyone reads.
NUMBER_SIZE = 4
MAX_QUEUED = 8192
# Where an exception raised in a worker was raised: (file, line) pairs (see `_portable`).
WORKER_FRAMES = "expediente_worker_frames"


def default_jobs() -> int:
    """Return how many processes a build may use: $EXPEDIENTE_JOBS, else the cores this process may run on."""
    wanted = os.environ.get(JOBS_VARIABLE, "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:          # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Tell whether forking workers is safe here: Linux, and this process runs one thread."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def map_in_parallel(function: Callable[[Item], Result], items: Sequence[Item], jobs: int | None = None,
                    min_items: int = MIN_ITEMS, meanwhile: Callable[[], object] | None = None) -> list[Result]:
    """Return [function(item) for item in items], computed by up to `jobs` processes, in order.

    `function` must be pure as far as the caller can tell: what it changes in a
    worker's memory is lost with the worker.  An exception raised by `function` in a
    worker is raised here.  Items a worker took but did not answer for (it died)
    are computed again in this process.

    `meanwhile`, when given, is called once in this process, while the workers begin
    on the items (first, when there are no workers): work this process needs later
    (importing what comes next, say) then costs no time of its own.
    """
    items = list(items)
    jobs = default_jobs() if jobs is None else jobs
    jobs = min(jobs, len(items) // max(1, min_items // 2) or 1)
    if jobs <= 1 or len(items) < min_items or not can_fork():
        return _serially(function, items, meanwhile)
    if len(items) > MAX_QUEUED:
        # More items than the queue holds: queue runs of neighbouring items instead.
        size = -(-len(items) // MAX_QUEUED)
        runs = [items[start:start + size] for start in range(0, len(items), size)]
        return [result for run in map_in_parallel(partial(_each, function), runs, jobs, min_items=2,
                                                  meanwhile=meanwhile)
                for result in run]
    queue = _queue(len(items))
    if queue is None:
        return _serially(function, items, meanwhile)
    # Flushed now, or a worker's copy of what is still buffered could be written twice.
    flush_standard_streams()
    workers: list[tuple[int, int]] = []
    done: dict[int, object] = {}
    # Every object made so far is left out of the garbage collector's rounds while the
    # workers run: a round reads and writes each object's header, and in a fork that
    # copies every page of the memory the processes share (half a second of a
    # 1,000-notice build went to such copies).
    gc.freeze()
    try:
        for _ in range(jobs - 1):
            worker = _start_worker(function, items, queue)
            if worker is None:      # no fork now (too many processes, no memory): fewer workers
                break
            workers.append(worker)
        if meanwhile is not None:
            meanwhile()
        done = _work(function, items, queue)
        while workers:
            pid, pipe = workers.pop(0)
            done.update(_collect(pid, pipe))
    finally:
        gc.unfreeze()
        os.close(queue)
        for pid, pipe in workers:   # only when this process failed: stop the others
            _stop(pid, pipe)
    return [done[number] if number in done else function(items[number]) for number in range(len(items))]


class SharedCounter:
    """A whole number that this process and the workers it forks afterwards add to, one addition at a time.

    It lives in a temporary file that every fork shares, under a POSIX record lock
    (held per process, unlike flock's, which a fork would share with its parent).
    """

    def __init__(self):
        self._file = tempfile.TemporaryFile()
        os.pwrite(self._file.fileno(), bytes(8), 0)

    def add(self, amount: int) -> int:
        """Add `amount` and return the new total, counting what every process added."""
        descriptor = self._file.fileno()
        fcntl.lockf(descriptor, fcntl.LOCK_EX)
        try:
            total = int.from_bytes(os.pread(descriptor, 8, 0), "big") + amount
            os.pwrite(descriptor, total.to_bytes(8, "big"), 0)
        finally:
            fcntl.lockf(descriptor, fcntl.LOCK_UN)
        return total


def _serially(function: Callable, items: list, meanwhile: Callable[[], object] | None) -> list:
    """Return [function(item) for item in items] in this process, `meanwhile` called first."""
    if meanwhile is not None:
        meanwhile()
    return [function(item) for item in items]


def _queue(count: int) -> int | None:
    """Return the read end of a pipe holding the numbers 0..count-1, or None when they do not fit in it.

    A pipe normally holds 64 KiB, but a user with very many pipes open gets small
    ones: the numbers are written without blocking, and a short write means no queue.
    """
    numbers = b"".join(number.to_bytes(NUMBER_SIZE, "big") for number in range(count))
    read_end, write_end = os.pipe()
    try:
        if hasattr(fcntl, "F_GETPIPE_SZ") and fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) < len(numbers):
            try:
                fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, len(numbers))   # grow a small pipe if allowed
            except OSError:
                pass
        os.set_blocking(write_end, False)
        try:
            written = os.write(write_end, numbers)
        except BlockingIOError:
            written = 0
    finally:
        os.close(write_end)         # once the numbers are taken, a read finds the end of the pipe
    if written != len(numbers):
        os.close(read_end)
        return None
    return read_end


def _each(function: Callable, run: list) -> list:
    """Return [function(item) for item in run]: one queued run of items."""
    return [function(item) for item in run]


def _work(function: Callable, items: list, queue: int) -> dict[int, object]:
    """Take item numbers from the queue until it is empty; return {number: result}."""
    done = {}
    while len(taken := os.read(queue, NUMBER_SIZE)) == NUMBER_SIZE:
        number = int.from_bytes(taken, "big")
        done[number] = function(items[number])
    return done


def _start_worker(function: Callable, items: list, queue: int) -> tuple[int, int] | None:
    """Fork a worker that works on the queue and writes its pickled outcome to a pipe; return (pid, read end).

    Return None when no process can be forked now.
    """
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:                                            # the worker
        os.close(read_end)
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)    # Ctrl-C stops the workers with the build
            try:
                outcome = (True, _work(function, items, queue))
            except BaseException as exc:                    # handed to the parent
                outcome = (False, _portable(exc))
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:                        # a result that cannot travel is a bug: say so
                data = pickle.dumps((False, _portable(RuntimeError(f"a build worker could not send its results: "
                                                                   f"{type(exc).__name__}: {exc}"))))
            with os.fdopen(write_end, "wb") as stream:
                stream.write(data)
        finally:
            # Never return into the caller's code, never run its exit handlers or flush its buffers.
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, pipe: int) -> dict[int, object]:
    """Return a worker's results by item number; raise its exception; nothing if it died without answering."""
    with os.fdopen(pipe, "rb") as stream:
        data = stream.read()
    os.waitpid(pid, 0)
    try:
        ok, value = pickle.loads(data)
    except Exception:                                       # no answer: its items are done by the caller
        return {}
    if not ok:
        raise value
    return value


def _portable(exc: BaseException) -> BaseException:
    """Return the exception ready to travel to the parent, with where it was raised in the worker.

    The traceback itself cannot be pickled: its frames go as (file, line) pairs
    (`raised_at` reads them, so that a template's error is placed in the template
    whoever rendered the page) and as text in a note, which tracebacks print.
    """
    frames = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(exc.__traceback__)]
    text = "".join(traceback.format_exception(exc))
    try:
        setattr(exc, WORKER_FRAMES, frames)
        exc.add_note(f"raised in a build worker:\n{text}")
        copy = pickle.loads(pickle.dumps(exc))
        if getattr(copy, WORKER_FRAMES, None) == frames:
            return exc
    except Exception:                                       # any failure to pickle or to annotate
        pass
    replacement = RuntimeError(f"in a build worker:\n{text}")
    setattr(replacement, WORKER_FRAMES, frames)
    return replacement


def raised_at(exc: BaseException) -> list[tuple[str, int]]:
    """Return (file, line) of each frame an exception went through, those in a worker when it came from one."""
    return getattr(exc, WORKER_FRAMES, None) or [
        (frame.filename, frame.lineno) for frame in traceback.extract_tb(exc.__traceback__)]


def _stop(pid: int, pipe: int) -> None:
    """Kill a worker and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    try:
        os.close(pipe)
    except OSError:
        pass
