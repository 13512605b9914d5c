"""Whole notices written the way support staff write them (issue 17), checked through `check`.

tests/prose/notices/ok/ holds correct notices: `check` reports nothing about them, and the dates
and weekdays counted in their `# corpus:` line are read from the body.  tests/prose/notices/bad/
holds notices with informal mistakes (most are an ok notice with one or two slips): `check`
reports exactly what the `.expected` file beside each says, and as many errors as the `# corpus:`
line counts mistakes, less those it says the checker misses.  Each notice is checked alone, in
the site of its language (tests/prose/notices/sites/<lang>/), on the evening of its date.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.cli import main
from generator.validate.dates_in_text import find_dates

NOTICES = Path(__file__).parent / "prose" / "notices"
OK_FILES = sorted((NOTICES / "ok").glob("*.md"))
BAD_FILES = sorted((NOTICES / "bad").glob("*.md"))
LANGUAGES = ("pt-BR", "pt-PT", "es", "en-US", "en-GB")


def front_value(text: str, key: str) -> str | None:
    found = re.search(rf"^{key}: (.*)$", text.split("---\n")[1], re.M)
    return found.group(1).strip() if found else None


def check_notice(path: Path, tmp_path: Path, capsys) -> str:
    """Return what `check` says about one notice of the corpus (problems of other files left out)."""
    site = tmp_path / "site"
    shutil.copytree(NOTICES / "sites" / front_value(path.read_text(encoding="utf-8"), "lang"), site)
    (site / "notices").mkdir()
    shutil.copy(path, site / "notices" / path.name)
    main(["check", "--site", str(site), "--now", f"{path.name[:10]}T23:00:00Z"])
    err = capsys.readouterr().err
    return "".join(re.findall(r"^notices/.*\n(?:  .*\n)*", err, re.M))


def test_the_corpus_has_forty_notices_of_each_kind_in_every_language():
    assert len(OK_FILES) >= 40 and len(BAD_FILES) >= 40
    for files in (OK_FILES, BAD_FILES):
        langs = [front_value(path.read_text(encoding="utf-8"), "lang") for path in files]
        assert set(langs) == set(LANGUAGES)
        assert min(langs.count(lang) for lang in ("pt-BR", "pt-PT", "es")) >= 8
        assert langs.count("en-US") + langs.count("en-GB") >= 8


@pytest.mark.parametrize("path", OK_FILES, ids=lambda p: p.name)
def test_a_correct_notice_raises_nothing_and_its_dates_are_read(path, tmp_path, capsys):
    assert check_notice(path, tmp_path, capsys) == ""
    text = path.read_text(encoding="utf-8")
    dates, weekdays = map(int, re.fullmatch(r"(\d+) dates, (\d+) with weekdays", front_value(text, "# corpus")).groups())
    period = front_value(text, "period")
    found = find_dates(text.split("---\n", 2)[2], front_value(text, "lang"), date.fromisoformat(path.name[:10]),
                       tuple(date.fromisoformat(day) for day in period.split("..")) if period else None)
    # The counts keep "raises nothing" honest: the dates and weekdays were read, not missed.
    assert (len(found), sum(f.weekday is not None for f in found)) == (dates, weekdays)


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_a_notice_with_mistakes_gives_exactly_the_expected_problems(path, tmp_path, capsys, update_golden):
    got = check_notice(path, tmp_path, capsys)
    expected = path.with_suffix(".expected")
    if update_golden:
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")
    counts = re.match(r"(\d+) mistakes?(?:, (\d+) missed)?", front_value(path.read_text(encoding="utf-8"), "# corpus"))
    mistakes, missed = int(counts.group(1)), int(counts.group(2) or 0)
    assert got.count(": error: ") == mistakes - missed


def test_most_notices_with_mistakes_have_their_corrected_version_among_the_correct_ones():
    # Most bad notices are an ok notice with slips: the same file name in ok/ is the corrected one.
    paired = [path for path in BAD_FILES if (NOTICES / "ok" / path.name).exists()]
    assert len(paired) >= 40
