"""Precision and recall of the prose date checker on the informal corpora of tests/prose/.

    python bench/prose_precision.py
    PYTHONPATH=/tmp/old-checkout python bench/prose_precision.py   # another checkout's checker

Sentences (tests/prose/informal/*.yaml): each `bad` sentence holds one mistake; it is found when
the checker reports exactly the expected error (place, message and hint).
Notices (tests/prose/notices/{ok,bad}/*.md): each is checked alone through `check`, in the site
of its language, as tests/test_prose_notices.py does; a bad notice's mistakes are counted on its
`# corpus:` line, and one is found when an error of its `.expected` file is reported.
Recall: found / mistakes.  Precision: errors that are expected ones / every error reported, on
correct and wrong texts together (an error on a correct text is a false alarm).  Prints one line
per language and the total, for each corpus.
Hours (tests/prose/hours/corpus.yaml): sentences whose text gives a day's hours without a change must
raise exactly their warning, the others nothing (warnings counted here, as that check gives no errors).
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from generator.cli import main as run_command
from generator.errors import ERROR
from generator.validate.dates_in_text import check_dates

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "prose" / "informal"
HOURS = Path(__file__).resolve().parent.parent / "tests" / "prose" / "hours" / "corpus.yaml"
NOTICES = Path(__file__).resolve().parent.parent / "tests" / "prose" / "notices"


def errors_of(entry: dict, lang: str) -> list[str]:
    """Return the errors reported on one corpus sentence, as "line:column: message\\nhint"."""
    period = tuple(entry["period"]) if "period" in entry else None
    problems = check_dates(entry["text"], entry.get("lang", lang), entry["date"], "n.md", 0, period)
    return [f"{p.line}:{p.column}: {p.message}\n{p.hint}" for p in problems if p.severity == ERROR]


def measure(path: Path) -> tuple[int, int, int, int, int]:
    """Return (ok sentences, false alarms, bad sentences, found, errors reported) for one corpus file."""
    corpus = yaml.safe_load(path.read_text(encoding="utf-8"))
    lang = path.stem
    false_alarms = sum(len(errors_of(entry, lang)) for entry in corpus["ok"])
    found = reported = 0
    for entry in corpus["bad"]:
        errors = errors_of(entry, lang)
        reported += len(errors)
        found += f"{entry['error']}\n{entry['hint']}" in errors
    return len(corpus["ok"]), false_alarms, len(corpus["bad"]), found, reported + false_alarms


def notice_errors(path: Path) -> list[str]:
    """Return the errors `check` reports on one corpus notice, each as its located line and hint."""
    text = path.read_text(encoding="utf-8")
    lang = re.search(r"^lang: (\S+)$", text, re.M).group(1)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        shutil.copytree(NOTICES / "sites" / lang, site)
        (site / "notices").mkdir()
        shutil.copy(path, site / "notices" / path.name)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            run_command(["check", "--site", str(site), "--now", f"{path.name[:10]}T23:00:00Z"])
    return [block for block in re.findall(r"^notices/.*\n(?:  .*\n)*", err.getvalue(), re.M) if ": error: " in block]


def measure_notices() -> dict[str, list[int]]:
    """Return, by language, [ok notices, false alarms, mistakes, found, errors reported] on the notice corpus."""
    rows: dict[str, list[int]] = {}
    for kind in ("ok", "bad"):
        for path in sorted((NOTICES / kind).glob("*.md")):
            text = path.read_text(encoding="utf-8")
            row = rows.setdefault(re.search(r"^lang: (\S+)$", text, re.M).group(1), [0, 0, 0, 0, 0])
            errors = notice_errors(path)
            row[4] += len(errors)
            if kind == "ok":
                row[0] += 1
                row[1] += len(errors)
                continue
            expected = path.with_suffix(".expected").read_text(encoding="utf-8")
            row[2] += int(re.search(r"^# corpus: (\d+) mistake", text, re.M).group(1))
            row[3] += sum(error in expected for error in errors)
    return rows


def hours_warnings(entry: dict) -> list[str]:
    """Return the warnings `check` reports on one sentence of the hours corpus, each as "line:column: message\nhint"
    (the site of tests/test_prose_hours.py)."""
    sys.path.insert(0, str(HOURS.parent.parent.parent))
    from test_prose_hours import HOURS as HOURS_YAML
    from test_prose_hours import PATH, SITE
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        for rel, text in {"site_src/site.yaml": SITE, "site_src/hours.yaml": HOURS_YAML, PATH:
                          f"---\ntitle: Aviso\ndate: 2026-12-07 10:00\nlang: {entry['lang']}\n---\n{entry['text']}\n"}.items():
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_text(text, encoding="utf-8")
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            run_command(["check", "--site", str(site), "--now", "2026-12-07T12:00-03:00"])
    return [block[len(PATH) + 1:].replace("\n  hint: ", "\n").rstrip("\n")
            for block in re.findall(r"^notices/.*\n(?:  .*\n)*", err.getvalue(), re.M)]


def measure_hours() -> dict[str, list[int]]:
    """Return, by language, [silent sentences, false alarms, sentences to warn, found, warnings] on the hours corpus."""
    corpus = yaml.safe_load(HOURS.read_text(encoding="utf-8")) if HOURS.exists() else {"ok": [], "bad": []}
    rows: dict[str, list[int]] = {}
    for kind in ("ok", "bad"):
        for entry in corpus[kind]:
            row = rows.setdefault(entry["lang"], [0, 0, 0, 0, 0])
            warnings = hours_warnings(entry)
            row[4] += len(warnings)
            if kind == "ok":
                row[0] += 1
                row[1] += len(warnings)
            else:
                row[2] += 1
                row[3] += f"{entry['warning']}\n{entry['hint']}" in warnings
    return rows


def main() -> int:
    header = f"{'ok':>4} {'false alarms':>12} {'bad':>4} {'found':>5} {'recall':>7} {'precision':>9}"
    totals = [0, 0, 0, 0, 0]
    print(f"{'sentences':9} {header}")
    for path in sorted(CORPUS.glob("*.yaml")):
        row = measure(path)
        totals = [a + b for a, b in zip(totals, row)]
        print(line(path.stem, row))
    print(line("total", tuple(totals)))
    print(f"\n{'notices':9} {header.replace(' bad', 'mist')}")
    totals = [0, 0, 0, 0, 0]
    for lang, row in sorted(measure_notices().items()):
        totals = [a + b for a, b in zip(totals, row)]
        print(line(lang, tuple(row)))
    print(line("total", tuple(totals)))
    print(f"\n{'hours':9} {header}")
    totals = [0, 0, 0, 0, 0]
    for lang, row in sorted(measure_hours().items()):
        totals = [a + b for a, b in zip(totals, row)]
        print(line(lang, tuple(row)))
    print(line("total", tuple(totals)) if totals[2] else "total     (no hours corpus in this checkout)")
    return 0


def line(name: str, row) -> str:
    ok, false_alarms, bad, found, reported = row
    precision = f"{found / reported:.1%}" if reported else "n/a"
    return f"{name:9} {ok:>4} {false_alarms:>12} {bad:>4} {found:>5} {found / bad:>7.1%} {precision:>9}"


if __name__ == "__main__":
    sys.exit(main())
