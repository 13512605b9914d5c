"""The probe: run every component's check at once and append one row per check to the history.

`python build.py probe` is run from cron or CI. Each check runs in its own
thread and is given up at its timeout (plus a short grace for the check's own
clean-up), whatever it is blocked on: name resolution has no timeout of its own.

What each check does and records, and the phrases of its details, are in checks.py.

A header whose environment variable EXPEDIENTE_PROBE_SECRETS does not list for
its check's url (host, scheme, path) stops the probe before it measures anything (probe/secrets.py
says why). A check that cannot run because of the probe's own configuration (a
header's environment variable unset or empty) records no row, since the service was not
measured, and makes the command exit 1 after recording the others. So does a target whose
address is not public, unless the operator sets EXPEDIENTE_PROBE_PRIVATE=1 (probe/addresses.py):
the probe's own rule refused it, and a row would publish a misconfiguration as downtime.
Any other exception in a check is that check's failed row (`check failed (ValueError)`):
the other checks still run and record.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.errors import ERROR, SourceError, sort_problems
from generator.model import Component, ProbeResult
from generator.probe.checks import NotRun, run_check
from generator.probe.csv_file import HistoryWriteError, append_rows
from generator.probe.month_close import close_months
from generator.probe.secrets import REFUSED, VARIABLE, secret_problems
from generator.read.sources import read_sources
from generator.validate import validate_settings
from generator.validate.durations import CHECK_CEILING

SITE_FILE, STATUS_FILE = "site_src/site.yaml", "site_src/status.yaml"
HISTORY = "site_src/uptime"     # what the probe writes to: a link there refused by check is refused here too
GRACE = 0.5               # seconds after a check's timeout before the runner stops waiting for it
# The longest a run waits for its checks, whatever their timeouts: the check caps each at CHECK_CEILING, and a
# caller that makes its own Check (or a status.yaml read by an older check) still cannot hold the probe.
LONGEST_RUN = CHECK_CEILING[0] + GRACE


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one component's check: its result, or why it was not run."""

    component: Component
    result: ProbeResult | None
    problem: str | None = None
    hint: str | None = None

    def state(self) -> str:
        """Return 'up', 'slow' (up, but slower than degraded_after), 'down' or 'not checked'."""
        if self.result is None:
            return "not checked"
        if not self.result.ok:
            return "down"
        limit = self.component.check.degraded_after
        if limit is not None and self.result.latency_ms is not None and self.result.latency_ms > limit * 1000:
            return "slow"
        return "up"


def run_checks(components, environ, now: datetime, on_outcome=None, dns_port: int = 53,
               longest: float = LONGEST_RUN) -> tuple[Outcome, ...]:
    """Run the checks of every component that has one, concurrently; return outcomes in component order.

    `on_outcome(outcome)` is called as each check finishes. A check still running
    GRACE seconds after its timeout, or `longest` seconds after the run began, is recorded as a timeout
    and left behind (its thread is a daemon, so it cannot keep the process alive).
    """
    finished: queue.Queue[Outcome] = queue.Queue()

    def work(component: Component) -> None:
        try:
            outcome = Outcome(component, run_check(component.check, environ, now, dns_port))
        except NotRun as exc:
            outcome = Outcome(component, None, str(exc), exc.hint)
        except Exception as exc:     # whatever went wrong, this check failed; the others still run
            outcome = Outcome(component, ProbeResult(now, False, None, f"check failed ({type(exc).__name__})"))
        finished.put(outcome)

    pending: dict[str, tuple[Component, float]] = {}
    last = time.monotonic() + longest
    for component in components:
        if component.check is None:
            continue
        pending[component.id] = (component, min(time.monotonic() + component.check.timeout + GRACE, last))
        threading.Thread(target=work, args=(component,), name=f"probe-{component.id}", daemon=True).start()
    outcomes: dict[str, Outcome] = {}

    def settle(outcome: Outcome) -> None:
        del pending[outcome.component.id]
        outcomes[outcome.component.id] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    while pending:
        wait = min(deadline for _, deadline in pending.values()) - time.monotonic()
        try:
            outcome = finished.get(timeout=max(0.0, wait))
        except queue.Empty:
            moment = time.monotonic()
            for component, deadline in list(pending.values()):
                if deadline <= moment:
                    settle(Outcome(component, ProbeResult(now, False, None, "timeout")))
            continue
        if outcome.component.id in pending:
            settle(outcome)
    return tuple(outcomes[c.id] for c in components if c.id in outcomes)


def load_components(site_dir: Path, environ=None) -> tuple[tuple[Component, ...], str | None,
                                                           tuple[SourceError, ...]]:
    """Read and check the site's settings as the build does (the same files, links refused, limits counted,
    the same messages) and return the components, the site's zone (None when site.yaml has errors) and the
    problems of what the probe uses: site.yaml and status.yaml, a link that keeps site_src/ from being read, and
    a link in site_src/uptime/ that leads out of the site (the rows would be written through it); with `environ`,
    also each header EXPEDIENTE_PROBE_SECRETS there does not let go to its check's url, and its malformed entries.
    A broken notice, hours.yaml or holiday setting must not stop the measurements (the build reports those)."""
    # The settings as load() reads and checks them (read_sources, validate_settings), but without the notices
    # (ten thousand names listed) or the pipeline's imports: the probe starts every minute.
    sources, found = read_sources(site_dir, git_history=False, notices=False)
    # A department's own holidays are not asked of the holidays package (importing it takes 0.1-0.3 s): the probe
    # reports no hours.yaml problem, and every country passes here.
    settings, checked = validate_settings(sources, subdivisions=lambda code: ())
    found += checked
    problems = [problem for problem in found if problem.path in (SITE_FILE, STATUS_FILE, "site_src")
                or in_history(problem.path)]
    if sources.status is None and not os.path.lexists(site_dir / STATUS_FILE):
        # Optional for a build, not for the probe, which would measure nothing.
        problems.append(SourceError(STATUS_FILE, 1, 1, "the file is missing",
                                    f"create {STATUS_FILE}: docs/format.md describes it, and 'init' writes a commented one"))
    if settings is None or any(problem.path == SITE_FILE and problem.severity == ERROR for problem in problems):
        return (), None, sort_problems(problems)
    if environ is not None and not any(problem.severity == ERROR for problem in problems):
        problems += secret_problems(settings.components, sources.status and sources.status.root, environ)
    return settings.components, settings.timezone, sort_problems(problems)


def in_history(path: str) -> bool:
    """Tell whether a problem's path is site_src/uptime or a file or folder in it."""
    return path == HISTORY or path.startswith(HISTORY + "/")


def stopped_because(problems) -> str:
    """Return the line that ends the messages of a probe that measured nothing: which errors stopped it."""
    errors = [p for p in problems if p.severity == ERROR]
    if any(p.path == VARIABLE or p.message.startswith(REFUSED) for p in errors):
        return f"{VARIABLE} does not let every header go where its check sends it; nothing was probed"
    if any(not in_history(p.path) for p in errors):
        return "the status components have errors; nothing was probed"
    return "the probe's history has errors; nothing was probed"


def progress_line(outcome: Outcome, width: int) -> str:
    """Return the line a terminal shows when a check finishes."""
    result = outcome.result
    if result is None:
        return f"{outcome.component.id:<{width}}  {'not checked':<11}  {outcome.problem}"
    latency = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "-"
    return f"{outcome.component.id:<{width}}  {outcome.state():<11}  {latency:>8}  {result.detail}"


def summary_line(outcomes: tuple[Outcome, ...], seconds: float) -> str:
    """Return e.g. 'probed 5 components: 4 up, 1 down in 2.3 s; down: dns (NXDOMAIN)', naming the down and
    slow ones with their row's detail."""
    states = [o.state() for o in outcomes]
    up = sum(1 for s in states if s in ("up", "slow"))
    down = states.count("down")
    skipped = states.count("not checked")
    count = len(outcomes)
    text = f"probed {count} component{'s' * (count != 1)}: {up} up, {down} down"
    if skipped:
        text += f", {skipped} not checked"
    # Run from cron, the probe shows no progress lines: this line alone must say which are down and why.
    named = "; ".join(f"{state}: {named_outcomes(o for o in outcomes if o.state() == state)}"
                      for state in ("down", "slow") if state in states)
    return f"{text} in {seconds:.1f} s" + (f"; {named}" if named else "")


def named_outcomes(outcomes, shown: int = 5, width: int = 60) -> str:
    """Return 'dns (NXDOMAIN), web (HTTP 503)' for at most `shown` outcomes, each detail cut at `width`
    characters, then 'and N more'."""
    outcomes = list(outcomes)
    names = []
    for outcome in outcomes[:shown]:
        detail = " ".join(outcome.result.detail.split())
        if outcome.state() == "slow":   # the detail is the success's own ("HTTP 200"): the latency is why
            detail = f"{outcome.result.latency_ms:.0f} ms, over {outcome.component.check.degraded_after:g} s"
        detail = detail if len(detail) <= width else detail[:width - 1] + "…"
        names.append(f"{outcome.component.id} ({detail})" if detail else outcome.component.id)
    more = len(outcomes) - shown
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def probe_command(site_dir: Path, now: datetime, environ=None, stdout=None, stderr=None,
                  interactive: bool | None = None, dns_port: int = 53) -> int:
    """Probe every component of a site and record the results at `now`; return the exit status (0 or 1)."""
    environ = os.environ if environ is None else environ
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    interactive = stdout.isatty() if interactive is None else interactive
    started = time.perf_counter()
    components, zone, problems = load_components(site_dir, environ)
    for problem in problems:
        print(problem.format(), file=stderr)
    if any(p.severity == ERROR for p in problems):
        print(stopped_because(problems), file=stderr)
        return 1
    checked = tuple(c for c in components if c.check is not None)
    if not checked:
        print("no component in site_src/status.yaml has a check: nothing to probe", file=stderr)
        return 0
    width = max(len(c.id) for c in checked)

    def show(outcome: Outcome) -> None:
        if interactive:
            print(progress_line(outcome, width), file=stdout, flush=True)

    outcomes = run_checks(checked, environ, now, show, dns_port)
    status = 0
    try:
        warnings = append_rows(site_dir, [(o.component.id, o.result) for o in outcomes if o.result is not None])
    except HistoryWriteError as exc:
        warnings = exc.problems
        status = 1
    # Past months close after the rows are in, so that a late row joins its closed month at once.
    closed, found = close_months(site_dir, components, ZoneInfo(zone), now) if zone else ((), ())
    warnings = tuple(warnings) + found
    if any(problem.severity == ERROR for problem in found):
        status = 1          # a link met in the history: as for the appends, a person must remove it
    print(summary_line(outcomes, time.perf_counter() - started), file=stdout, flush=True)
    if closed:
        print(f"closed {len(closed)} past month file{'s' * (len(closed) != 1)} into .csv.xz and .days.json "
              f"({', '.join(closed[:3])}{', ...' if len(closed) > 3 else ''})", file=stdout, flush=True)
    for problem in warnings:
        print(problem.format(), file=stderr)
    for outcome in outcomes:
        if outcome.result is None:
            hint = f"\n  hint: {outcome.hint}" if outcome.hint else ""
            print(f"error: {outcome.component.id}: {outcome.problem}; the check was not run{hint}", file=stderr)
            status = 1
    return status
