"""A notice's text cannot make the prose check of dates and hours take time or print lines out of proportion to it.

The check reads a notice's text for dates and for hours phrases ("o suporte fecha às 15h"), each held against
its own clause and sentence.  A text of one long sentence holding a phrase every few words ("sexta 27/11 o
suporte fecha às 15h e ...", repeated to the 32,000 characters a notice may hold) once had each phrase read its
clause and sentence again from their start: some 860 phrases each reading up to 32,000 characters, 1.2 s of
processor time per notice, and some 860 warnings (200 KB) printed for it.  A 100 MB push holds 3,000 such
notices: an hour of `check`, and the server's time limit reached on every push.
Real runs of `python build.py check`.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import MINIMAL_HOURS, MINIMAL_SITE, ROOT, write_tree

# Each test runs the command line in a process of its own.
pytestmark = pytest.mark.slow

NOW = "2026-11-23T10:00:00-03:00"
# An hours notice changing one day of November; its text names another, the 27th (a Friday).
HOURS_NOTICE = """---
title: Horário especial
date: 2026-11-10 14:00
type: hours
departments: [suporte]
changes:
  - date: 2026-11-__DAY__
    hours: {phone: 08:00-12:00}
---
"""
# An information notice: the hours its text gives for a day are held against changes it does not have.
INFO_NOTICE = "---\ntitle: Aviso\ndate: 2026-11-20 10:00\n---\n"
ORDINARY = "Na sexta-feira o suporte atende normalmente pelo telefone. "
PHRASES = "sexta 27/11 o suporte fecha às 15h e "


def notices_site(folder: Path, sentence: str, count: int) -> Path:
    """A site with `count` hours notices, each a text of `sentence` repeated to 31,900 characters."""
    files = {f"notices/2026-11-10-aviso-{n}.md": HOURS_NOTICE.replace("__DAY__", f"{n + 2:02d}")
             + f"Aviso {n}: " + (sentence * 1000)[:31_900] for n in range(count)}
    return write_tree(folder, {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS, **files})


def check(site: Path) -> tuple[subprocess.CompletedProcess, float]:
    """Run `python build.py check` on `site`; return the run and the processor time it took (its own and its
    workers'), which other processes on a busy machine change far less than the time on the clock."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--site", str(site), "--now", NOW],
                          capture_output=True, text=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def test_the_prose_check_of_a_notice_takes_time_in_proportion_to_its_text(tmp_path):
    ordinary, ordinary_seconds = check(notices_site(tmp_path / "ordinary", ORDINARY, 4))
    phrases, phrases_seconds = check(notices_site(tmp_path / "phrases", PHRASES, 4))
    assert ordinary.returncode == phrases.returncode == 0, ordinary.stderr + phrases.stderr[-2000:]
    # Before: 5.2 s of processor time against 0.37 s (four notices, the interpreter's start included in both);
    # now 0.65 s.
    assert phrases_seconds < 4 * ordinary_seconds, f"{phrases_seconds:.1f} s against {ordinary_seconds:.1f} s"


def test_the_warnings_of_a_texts_dates_and_hours_stop_at_twenty_with_a_count_of_the_others(tmp_path):
    done, _ = check(notices_site(tmp_path / "site", PHRASES, 1))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    path = "notices/2026-11-10-aviso-0.md"
    # Each "27/11" of line 10 (the body's first), 37 characters apart, names a day the notice does not change.
    warned = [f"{path}:10:{16 + 37 * n}: warning: 27/11 (2026-11-27) is not one of the days this notice changes"
              for n in range(20)]
    hint = ("  hint: add a change for that day, or check the date; if it is meant, add it to the front matter: "
            "prose_dates_ok: [2026-11-27]")
    assert done.stderr.splitlines() == [
        f"{path}:7:5: warning: the change on 2026-11-02 is dated before the notice was published (2026-11-10)",
        *[line for warning in warned for line in (warning, hint)],
        f"{path}:10:756: warning: 842 more warnings about the dates and hours written in this file are not shown",
        "  hint: the first 20 are above: deal with them and check again to see the others",
    ]
    assert done.stdout == f"checked {tmp_path / 'site'}: 22 warnings\n"


def test_the_hints_of_hundreds_of_days_do_not_grow_as_their_square(tmp_path):
    # Each hint lists the changes of the hints before it (a notice has one `changes` list): 800 days' hints
    # once made 18.5 MB of output for this notice of 30,400 characters.
    days = [date(2026, 12, 1) + timedelta(n) for n in range(800)]
    body = "".join(f"Em {day:%d/%m/%Y} o suporte fecha às 15h. " for day in days)
    site = write_tree(tmp_path / "site", {"site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS,
                                          "notices/2026-11-20-aviso.md": INFO_NOTICE + body + "\n"})
    done, _ = check(site)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    path = "notices/2026-11-20-aviso.md"
    # One warning at each of the first 20 phrases ("fecha às 15h", 38 characters apart on the body's first line).
    assert [line.split(" warning: ")[0] for line in lines[0::2]] == [f"{path}:5:{25 + 38 * n}:" for n in range(21)]
    assert lines[39].startswith("  hint: add these 20 days in one changes list, e.g. departments: [suporte] and "
                                "changes: [{date: 2026-12-01, hours: {phone: [09:00-12:00, 14:00-15:00]}}, ")
    assert lines[40:] == [
        f"{path}:5:785: warning: 780 more warnings about the dates and hours written in this file are not shown",
        "  hint: the first 20 are above: deal with them and check again to see the others",
    ]
    assert len(done.stderr) < 20_000


def test_the_errors_of_a_texts_dates_stop_at_twenty_with_a_count_of_the_others(tmp_path):
    # 2,900 x "31/02/2027" (31,899 characters) printed 2,900 errors, 282 KB for one notice; the warnings' cap
    # did not hold errors. Now both stop at 20, and the one line counting the others is an error too: exit 1.
    body = " ".join(["31/02/2027"] * 2900)
    site = write_tree(tmp_path / "site", {
        "site_src/site.yaml": MINIMAL_SITE, "site_src/hours.yaml": MINIMAL_HOURS,
        "notices/2026-11-20-aviso.md": f"{INFO_NOTICE}{body}\n"})
    done, _ = check(site)
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    errors = [line for line in lines if ": error: " in line]
    assert errors[:2] == [
        "notices/2026-11-20-aviso.md:5:1: error: 31/02/2027 does not exist: February 2027 has 28 days",
        "notices/2026-11-20-aviso.md:5:12: error: 31/02/2027 does not exist: February 2027 has 28 days"]
    assert len(errors) == 21
    assert errors[20] == ("notices/2026-11-20-aviso.md:5:221: error: 2880 more errors about the dates and hours "
                          "written in this file are not shown")
    assert lines[lines.index(errors[20]) + 1] == (
        "  hint: the first 20 are above: deal with them and check again to see the others")
    assert len(done.stdout.encode() + done.stderr.encode()) < 20_000
