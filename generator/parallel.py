"""Spreading independent pieces of a build over the machine's cores, with the results of one core.

A site of many notices spends most of its build reading each notice and rendering
each notice's pages, one notice at a time and each independent of the others.
`map_in_parallel` deals such a list out like cards (item i to worker i mod n, so
that work of different kinds listed in turn is shared evenly), hands every hand
but the first to a forked worker process, works on the first itself, and puts the
results back in the original order, so the output is the same byte for byte whatever the number of
workers.  A worker is a fork of the build: it sees the model as it is, nothing is
sent to it, and only its results come back (pickled through a pipe).

Forking is used only where it is safe and cheap: on Linux, from a process running
a single thread (a fork copies only the calling thread, and a lock held by another
one would stay locked in the child forever).  Elsewhere, or with one core, or for
a short list, the work runs in this process as a plain loop.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import traceback
from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items a fork costs more than it saves.
MIN_ITEMS = 64
JOBS_VARIABLE = "EXPEDIENTE_JOBS"


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
                    min_items: int = MIN_ITEMS) -> list[Result]:
    """Return [function(item) for item in items], computed by up to `jobs` processes, in order.

    `function` must be pure as far as the caller can tell: what it changes in a
    worker's memory is lost with the worker.  An exception raised by `function` in a
    worker is raised here.  A worker that dies without an answer has its part
    computed again in this process.
    """
    items = list(items)
    jobs = default_jobs() if jobs is None else jobs
    jobs = min(jobs, len(items) // max(1, min_items // 2) or 1)
    if jobs <= 1 or len(items) < min_items or not can_fork():
        return [function(item) for item in items]
    parts = [items[hand::jobs] for hand in range(jobs)]
    # Flushed now, or a worker's copy of what is still buffered could be written twice.
    sys.stdout.flush()
    sys.stderr.flush()
    workers: list[tuple[int, int]] = []
    try:
        for part in parts[1:]:
            workers.append(_start_worker(function, part))
        hands = [[function(item) for item in parts[0]]]
        for (pid, pipe), part in zip(workers, parts[1:]):
            hands.append(_collect(pid, pipe, function, part))
        workers = []
    finally:
        for pid, pipe in workers:       # only when this process failed: stop the others
            _stop(pid, pipe)
    return [hands[index % jobs][index // jobs] for index in range(len(items))]


def _start_worker(function: Callable, part: list) -> tuple[int, int]:
    """Fork a worker that computes `part` and writes the pickled outcome to a pipe; return (pid, read end)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:                                            # the worker
        os.close(read_end)
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)    # Ctrl-C stops the workers with the build
            try:
                outcome = (True, [function(item) for item in part])
            except BaseException as exc:                    # handed to the parent
                outcome = (False, _portable(exc))
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as stream:
                stream.write(data)
        finally:
            # Never return into the caller's code, never run its exit handlers or flush its buffers.
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, pipe: int, function: Callable, part: list) -> list:
    """Return a worker's results; raise its exception; compute its part here if it died without answering."""
    with os.fdopen(pipe, "rb") as stream:
        data = stream.read()
    os.waitpid(pid, 0)
    try:
        ok, value = pickle.loads(data)
    except Exception:                                       # no answer: do the work here
        return [function(item) for item in part]
    if not ok:
        raise value
    return value


def _portable(exc: BaseException) -> BaseException:
    """Return the exception itself when it survives pickling, else a RuntimeError with its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:                                       # any failure to pickle
        text = "".join(traceback.format_exception(exc))
        return RuntimeError(f"in a build worker:\n{text}")


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
