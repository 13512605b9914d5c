"""Tiny inputs that would cost minutes and gigabytes: each refused by a real check and build, quickly,
with a located message that names the limit, and the previous output left as it was.

Each attack starts from a copy of the example site (site_src/ and notices/) with its output in
public/; then the attack's files are written over it, and `check` and `build` must both refuse it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_example, snapshot

# Each attack runs `check` and `build` in processes of their own, timed.
pytestmark = pytest.mark.slow

NOW = "2026-11-23T10:00:00-03:00"
TIMEOUT = 60        # seconds: an attack that is not refused fails the test rather than hanging it
QUICK = 20          # seconds, interpreter start-up and the example build on a crowded machine included


def run_cli(*args: str, python: tuple[str, ...] = (str(ROOT / "build.py"),)) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *python, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=TIMEOUT)
    return done, time.perf_counter() - started


@pytest.fixture
def site(tmp_path, example_build) -> Path:
    """A copy of the example site, with its output in public/ (a copy of the shared example build)."""
    root = copy_example(tmp_path / "site")
    shutil.copytree(example_build, root / "public")
    return root


def notice(*front: str, body: str = "Aviso.\n") -> str:
    return "---\ntitle: Aviso\ndate: 2026-11-20 10:00\n" + "".join(line + "\n" for line in front) + "---\n" + body


def hours_yaml(lines: list[str]) -> str:
    return "\n".join(["departments:", "  - id: suporte", "    name: Suporte", "    channels:"] + lines) + "\n"


def attack(site: Path, files: dict[str, str], expected: str, check_too: bool = True,
           python: tuple[str, ...] = (str(ROOT / "build.py"),), without_notices: bool = False) -> None:
    """Write the attack over the site (`without_notices`: with no notice, for another hours.yaml);
    `check` and `build` must print `expected` (every problem) and exit 1, quickly, without a
    traceback, leaving public/ exactly as it was."""
    if without_notices:
        shutil.rmtree(site / "notices")
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    before = snapshot(site / "public")
    commands = (("check",), ("build", "--no-cache")) if check_too else (("build", "--no-cache"),)
    for command in commands:
        done, took = run_cli(*command, "--site", str(site), "--now", NOW, python=python)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr
        problems = done.stderr.rsplit("\n", 2)[0] + "\n"
        assert problems == expected, done.stderr
        assert took < QUICK, f"{command[0]} took {took:.1f} s"
    assert "nothing was written" in done.stderr
    assert snapshot(site / "public") == before
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"], "no staging folder is left behind"


def test_a_change_over_a_thousand_years(site):
    attack(site, {"notices/2026-11-20-x.md": notice("changes:", "  - dates: 2026-12-01..2999-12-31",
                                                    "    closed: true")},
           "notices/2026-11-20-x.md:5:12: error: the year 2999 is outside the years a site may name (1970 to 2200)\n")


def test_a_change_over_the_years_allowed_but_more_days_than_the_limit(site):
    attack(site, {"notices/2026-11-20-x.md": notice("changes:", "  - dates: 2026-12-01..2199-12-31",
                                                    "    closed: true")},
           "notices/2026-11-20-x.md:5:12: error: more days that one notice changes than the limit of 400 "
           "(63,218) (limits: change_days)\n"
           "  hint: split the change over several notices, or limits: {change_days: N} in site_src/site.yaml "
           "raises it (at most 3,660)\n")


def test_many_short_changes_add_up_to_the_limit(site):
    changes = [line for year in range(2030, 2032) for line in (f"  - dates: {year}-01-01..{year}-12-31",
                                                               "    closed: true")]
    attack(site, {"notices/2026-11-20-x.md": notice("changes:", *changes)},
           "notices/2026-11-20-x.md:7:5: error: more days that one notice changes than the limit of 400 "
           "(730) (limits: change_days)\n"
           "  hint: split the changes over several notices, or limits: {change_days: N} in site_src/site.yaml "
           "raises it (at most 3,660)\n")


def test_a_far_future_date_is_an_error_not_a_crash(site):
    attack(site, {"notices/2026-11-20-x.md": notice().replace("2026-11-20 10:00", "9999-12-31 23:59")},
           "notices/2026-11-20-x.md:3:7: error: the year 9999 is outside the years a site may name (1970 to 2200)\n")


def test_a_far_future_change_is_an_error_not_a_crash(site):
    attack(site, {"notices/2026-11-20-x.md": notice("changes:", "  - date: 9999-12-31", "    closed: true")},
           "notices/2026-11-20-x.md:5:11: error: the year 9999 is outside the years a site may name (1970 to 2200)\n")


def test_a_far_past_closure_in_site_yaml(site):
    text = (site / "site_src/site.yaml").read_text(encoding="utf-8")
    attack(site, {"site_src/site.yaml": text.replace('"2026-12-30"', '"0001-01-01"')},
           "site_src/site.yaml:15:5: error: the year 1 is outside the years a site may name (1970 to 2200)\n")


def test_thousands_of_intervals_in_a_day(site):
    intervals = ", ".join(f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60 + 1:02d}" for m in range(0, 1440, 2))
    attack(site, {"site_src/hours.yaml": hours_yaml(["      - id: phone", "        type: phone",
                                                     '        contact: "+55 13 3500-0000"',
                                                     f"        hours: {{mon: [{intervals}]}}"])},
           "site_src/hours.yaml:8:127: error: more intervals in one day of one channel than the limit of 8 (720) "
           "(limits: intervals_per_day)\n"
           "  hint: merge intervals that touch, or limits: {intervals_per_day: N} in site_src/site.yaml "
           "raises it (at most 48)\n", without_notices=True)


def test_thousands_of_intervals_in_a_notice(site):
    intervals = ", ".join(f"{h:02d}:00-{h:02d}:30" for h in range(24))
    attack(site, {"notices/2026-11-20-x.md": notice("supersedes: [2026-11-16-natal-e-ano-novo]", "changes:",
                                                    "  - date: 2026-12-24", f"    hours: {{phone: [{intervals}]}}")},
           "notices/2026-11-20-x.md:7:125: error: more intervals in one day of one channel than the limit of 8 (24) "
           "(limits: intervals_per_day)\n"
           "  hint: merge intervals that touch, or limits: {intervals_per_day: N} in site_src/site.yaml "
           "raises it (at most 48)\n")


def test_a_thousand_channels(site):
    channels = [f"      - {{id: c{n}, type: email, contact: c{n}@example.net, hours: 24/7}}" for n in range(1000)]
    attack(site, {"site_src/hours.yaml": hours_yaml(channels)},
           "site_src/hours.yaml:15:9: error: more channels in one department than the limit of 10 (1,000) "
           "(limits: channels)\n"
           "  hint: split the department, or limits: {channels: N} in site_src/site.yaml raises it (at most 50)\n", without_notices=True)


def test_a_thousand_departments(site):
    lines = ["departments:"] + [f"  - {{id: d{n}, name: D{n}, channels: [{{id: c, type: email, "
                                f"contact: c@example.net, hours: 24/7}}]}}" for n in range(1000)]
    attack(site, {"site_src/hours.yaml": "\n".join(lines) + "\n"},
           "site_src/hours.yaml:22:5: error: more departments than the limit of 20 (1,000) (limits: departments)\n"
           "  hint: merge departments, or limits: {departments: N} in site_src/site.yaml raises it (at most 200)\n", without_notices=True)


def test_every_language_babel_knows(site):
    text = (site / "site_src/site.yaml").read_text(encoding="utf-8")
    many = "[pt-BR, en, es, fr, de, it, nl, sv, da, fi, pl, cs]"
    attack(site, {"site_src/site.yaml": text.replace("[pt-BR, en]", many)},
           "".join(("site_src/site.yaml:5:56: error: more languages than the limit of 10 (12) (limits: languages)\n"
                    "  hint: publish fewer languages, or limits: {languages: N} in site_src/site.yaml raises it "
                    "(at most 40)\n" if column == 56 else "")
                   + f"site_src/site.yaml:5:{column}: warning: the interface is not translated to '{tag}'; "
                     "its labels will be in English\n"
                     "  hint: translated: 'pt-BR', 'pt-PT', 'en' and 'es'\n"
                   for column, tag in ((28, "fr"), (32, "de"), (36, "it"), (40, "nl"), (44, "sv"), (48, "da"),
                                       (52, "fi"), (56, "pl"), (60, "cs"))))


def test_more_notices_than_the_limit_are_not_read(site):
    text = (site / "site_src/site.yaml").read_text(encoding="utf-8")
    files = {f"notices/2026-11-{day:02d}-n{n}.md": notice() for day in (21, 22) for n in range(3)}
    attack(site, {"site_src/site.yaml": text + "limits: {notices: 10}\n", **files},
           "notices/2026-11-22-n1.md:1:1: error: more notices than the limit of 10 (12) (limits: notices)\n"
           "  hint: move old notices out of notices/, or limits: {notices: N} in site_src/site.yaml raises it "
           "(at most 100,000)\n")


def test_output_over_the_limit_is_not_published(site):
    text = (site / "site_src/site.yaml").read_text(encoding="utf-8")
    limits = "limits:\n  change_days: 3000\n  output_mb: 1\n"
    attack(site, {"site_src/site.yaml": text + limits,
                  "notices/2026-11-20-x.md": notice("changes:", "  - dates: 2027-02-01..2033-12-31",
                                                    "    closed: true")},
           "site_src/site.yaml:18:14: error: the build's output passes the limit of 1 MB (limits: output_mb) "
           "at notices/2026-11-20-x/index.html (0.4 MB)\n"
           "  hint: write fewer or shorter notices and changes, or limits: {output_mb: N} in site_src/site.yaml "
           "raises it (at most 10,000)\n", check_too=False)


def test_a_limit_cannot_be_raised_past_its_ceiling(site):
    text = (site / "site_src/site.yaml").read_text(encoding="utf-8")
    attack(site, {"site_src/site.yaml": text + "limits: {change_days: 1000000, output_mb: lots, notice: 3}\n"},
           "site_src/site.yaml:16:23: error: limits: change_days may be at most 3,660, not 1,000,000\n"
           "  hint: a larger site needs a change to the generator's ceiling (generator/limits.py)\n"
           "site_src/site.yaml:16:43: error: limits: output_mb must be a whole number above 0, not 'lots'\n"
           "  hint: the default is 500\n"
           "site_src/site.yaml:16:49: error: unknown limit 'notice'\n"
           "  hint: did you mean 'notices'?\n")


def test_a_yaml_alias_bomb(site):
    lines = ["notes:", '  - &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for index, name in enumerate("bcdefghi"):
        lines.append(f"  - &{name} [" + ", ".join(["*" + "abcdefghi"[index]] * 9) + "]")
    attack(site, {"site_src/support.yaml": "\n".join(lines) + "\n"},
           "site_src/support.yaml:2:5: error: this document expands into too many values (more than 100,000)\n"
           "  hint: aliases (*name) that repeat large anchors are refused; write the values out\n")


def test_deep_nesting_with_libyaml(site):
    attack(site, {"site_src/support.yaml": "notes: " + "[" * 5000 + "]" * 5000 + "\n"},
           "site_src/support.yaml:1:1007: error: YAML syntax: exceeded maximum nesting depth "
           "(while increasing flow level)\n"
           "  hint: check the indentation and that text containing ': ' or '#' is quoted\n")


def test_deep_nesting_with_pyyaml_alone(site):
    """PyYAML without libyaml composes recursively: the Python stack must not end the check."""
    without_libyaml = ("-c", "import sys, yaml; del yaml.CSafeLoader; from generator.cli import main; "
                             "sys.exit(main(sys.argv[1:]))")
    attack(site, {"site_src/support.yaml": "notes: " + "[" * 5000 + "]" * 5000 + "\n"},
           "site_src/support.yaml:1:1: error: values are nested more than 64 levels deep\n"
           "  hint: write the values out at fewer levels\n", python=without_libyaml)


def test_a_notice_of_unclosed_tags(site):
    attack(site, {"notices/2026-11-20-x.md": notice(body="<a " * 5_000 + "\n")},
           "notices/2026-11-20-x.md:5:601: error: the text holds more than 200 links and tags ('<' and '[')\n"
           "  hint: link to a page that lists them, or split the notice\n")


def test_a_notice_of_unclosed_links(site):
    attack(site, {"notices/2026-11-20-x.md": notice(body="[a](\n" * 1000)},
           "notices/2026-11-20-x.md:205:1: error: the text holds more than 200 links and tags ('<' and '[')\n"
           "  hint: link to a page that lists them, or split the notice\n")


def test_a_notice_with_one_very_long_line(site):
    attack(site, {"notices/2026-11-20-x.md": notice(body="*a" * 400_000 + "\n")},
           "notices/2026-11-20-x.md:5:32001: error: the text is longer than 32,000 characters (800,001)\n"
           "  hint: split it into several notices, or link to a longer document\n")
