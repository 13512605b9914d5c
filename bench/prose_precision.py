"""Precision and recall of the prose date checker on the informal corpus (tests/prose/informal/*.yaml).

    python bench/prose_precision.py
    PYTHONPATH=/tmp/old-checkout python bench/prose_precision.py   # another checkout's checker

Each `bad` sentence holds one mistake: it is found when the checker reports exactly the
expected error (place, message and hint).  Recall: found / bad sentences.  Precision: errors
that are the expected ones / every error reported, on the `ok` and `bad` sentences together
(an error on a correct sentence is a false alarm).  Prints one line per language and the total.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from generator.dates_in_text import check_dates
from generator.errors import ERROR

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "prose" / "informal"


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


def main() -> int:
    totals = [0, 0, 0, 0, 0]
    print(f"{'corpus':8} {'ok':>4} {'false alarms':>12} {'bad':>4} {'found':>5} {'recall':>7} {'precision':>9}")
    for path in sorted(CORPUS.glob("*.yaml")):
        row = measure(path)
        totals = [a + b for a, b in zip(totals, row)]
        print(line(path.stem, row))
    print(line("total", tuple(totals)))
    return 0


def line(name: str, row) -> str:
    ok, false_alarms, bad, found, reported = row
    precision = f"{found / reported:.1%}" if reported else "n/a"
    return f"{name:8} {ok:>4} {false_alarms:>12} {bad:>4} {found:>5} {found / bad:>7.1%} {precision:>9}"


if __name__ == "__main__":
    sys.exit(main())
