"""Loading through the kept checks (validate/checked.py, write/notice_cache.py) and the kept git history
(read/git_history.py) gives exactly what loading everything anew gives, whatever was edited in between,
and a kept file that is damaged, foreign or came with the sources is never believed."""

from __future__ import annotations

import hashlib
import pickle
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import copy_example

from generator.errors import has_errors
from generator.pipeline import LoadMemo, load
from generator.read.git_history import GIT_HISTORY_FILE, read_git_history, read_kept_history
from generator.write.notice_cache import FILE_NAME, read_checked, write_checked

CACHE = ".expediente-cache"


@pytest.fixture(autouse=True)
def own_key(tmp_path, monkeypatch):
    """Each test seals with a key of its own (write/template_cache.py keeps it under XDG_CACHE_HOME)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def loads_agree(site: Path, memo: LoadMemo | None = None) -> object:
    """Load the site anew (no cache), through the cache file, and through `memo`; assert all three agree."""
    fresh = load(site, cache=False, jobs=1)
    kept = load(site, jobs=1)
    assert kept == fresh
    assert load(site, jobs=1) == fresh, "the second load through the cache (every check reused) differs"
    if memo is not None:
        assert load(site, jobs=1, cache=False, memo=memo) == fresh
    return fresh


def git(site: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=site,
                          check=True, capture_output=True, text=True).stdout


def notice(title: str, body: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: 2026-11-18 09:00\ntype: info\ndepartments: [comercial]\n{extra}---\n{body}\n"


def test_random_edits_load_as_a_fresh_load_does(tmp_path):
    site = copy_example(tmp_path / "site")
    folder = site / "notices"
    memo = LoadMemo()
    loads_agree(site, memo)
    rng = random.Random(16)
    words = ["prazo", "horário", "sexta-feira, 27 de novembro", "amanhã", "**atenção**", "[link](https://x.example)"]
    for step in range(14):
        mains = sorted(p for p in folder.glob("*.md") if p.name.count(".") == 1)
        action = rng.choice(["body", "title", "add", "remove", "rename", "translate", "untranslate", "break"])
        target = rng.choice(mains)
        if action == "body":
            target.write_text(target.read_text(encoding="utf-8") + f"\n{rng.choice(words)} {step}\n", encoding="utf-8")
        elif action == "title":
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace("title: ", f"title: {step} ", 1), encoding="utf-8")
        elif action == "add":
            (folder / f"2026-11-18-novo-{step}.md").write_text(notice(f"Novo {step}", rng.choice(words)),
                                                                encoding="utf-8")
        elif action == "remove" and len(mains) > 3:
            target.unlink()
        elif action == "rename":
            target.rename(folder / target.name.replace(".md", f"-r{step}.md"))
        elif action == "translate":
            (folder / target.name.replace(".md", ".en.md")).write_text(f"---\ntitle: In English {step}\n---\nText.\n",
                                                                      encoding="utf-8")
        elif action == "untranslate":
            for translation in folder.glob(target.name.replace(".md", ".*.md")):
                translation.unlink()
        elif action == "break":
            target.write_text(target.read_text(encoding="utf-8").replace("date:", "date: 2026-13-40 #", 1),
                              encoding="utf-8")
        loads_agree(site, memo)


def test_a_translation_follows_its_notice_language_and_existence(tmp_path):
    site = copy_example(tmp_path / "site")
    folder = site / "notices"
    memo = LoadMemo()
    main = folder / "2026-11-03-whatsapp-comercial.md"
    loads_agree(site, memo)
    # The notice now says it is in English: its English translation is in its own language.
    main.write_text(main.read_text(encoding="utf-8").replace("type:", "lang: en\ntype:", 1), encoding="utf-8")
    fresh = loads_agree(site, memo)
    assert any("this translation is in en, the notice's own language" in p.message for p in fresh.problems)
    main.unlink()
    fresh = loads_agree(site, memo)
    assert any("which does not exist" in p.message for p in fresh.problems)


def test_supersedes_is_checked_again_when_the_notice_it_names_comes_or_goes(tmp_path):
    site = copy_example(tmp_path / "site")
    folder = site / "notices"
    memo = LoadMemo()
    (folder / "2026-11-18-novo.md").write_text(notice("Novo", "Texto.", "supersedes: [2026-11-17-antigo]\n"),
                                               encoding="utf-8")
    fresh = loads_agree(site, memo)
    assert any("supersedes names '2026-11-17-antigo', which is not a notice" in p.message for p in fresh.problems)
    (folder / "2026-11-17-antigo.md").write_text(notice("Antigo", "Texto."), encoding="utf-8")
    fresh = loads_agree(site, memo)
    assert not has_errors(fresh.problems)
    assert [n.supersedes for n in fresh.site.notices if n.slug == "2026-11-18-novo"] == [("2026-11-17-antigo",)]
    (folder / "2026-11-17-antigo.md").unlink()
    fresh = loads_agree(site, memo)
    assert any("which is not a notice" in p.message for p in fresh.problems)


def test_an_unrelated_new_notice_leaves_every_other_check_kept(tmp_path):
    site = copy_example(tmp_path / "site")
    memo = LoadMemo()
    load(site, jobs=1, memo=memo)
    assert memo.entries.made == 10
    load(site, jobs=1, memo=memo)
    assert memo.entries.made == 0
    (site / "notices" / "2026-11-18-novo.md").write_text(notice("Novo", "Texto."), encoding="utf-8")
    load(site, jobs=1, memo=memo)
    assert memo.entries.made == 1


def test_a_settings_edit_that_breaks_notices_gives_the_same_located_errors(tmp_path):
    site = copy_example(tmp_path / "site")
    memo = LoadMemo()
    loads_agree(site, memo)
    hours = site / "site_src" / "hours.yaml"
    hours.write_text(hours.read_text(encoding="utf-8").replace("- id: suporte", "- id: suporte-tecnico"),
                     encoding="utf-8")
    fresh = loads_agree(site, memo)
    errors = [p.format() for p in fresh.problems if p.path == "notices/2017-10-16-alteracao-de-expediente.md"]
    assert errors and any("suporte" in error for error in errors)
    # A comment added to the settings changes nothing a check reads: every check is kept.
    hours.write_text(hours.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    load(site, jobs=1, memo=memo)
    assert memo.entries.made == 0


@pytest.mark.parametrize("damage", ["flipped", "truncated", "garbage", "empty", "folder", "link"])
def test_a_damaged_cache_file_is_ignored_and_rewritten(tmp_path, damage):
    site = copy_example(tmp_path / "site")
    fresh = load(site, cache=False, jobs=1)
    assert load(site, jobs=1) == fresh
    kept = site / CACHE / FILE_NAME
    data = kept.read_bytes()
    kept.unlink()
    if damage == "flipped":
        kept.write_bytes(data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1:])
    elif damage == "truncated":
        kept.write_bytes(data[:len(data) - 100])
    elif damage == "garbage":
        kept.write_bytes(pickle.dumps({"not": "ours"}))
    elif damage == "empty":
        kept.write_bytes(b"")
    elif damage == "folder":
        kept.mkdir()
    elif damage == "link":
        (tmp_path / "elsewhere").write_bytes(data)
        kept.symlink_to(tmp_path / "elsewhere")
    memo = LoadMemo()
    assert load(site, jobs=1, memo=memo) == fresh
    assert memo.entries.made == 10, "nothing of a damaged file is reused"
    if damage not in ("folder", "link"):
        assert load(site, jobs=1) == fresh and read_checked(site / CACHE)[0], "rewritten whole"


def forge(site: Path) -> None:
    """Seal, with this machine's key, a cache in which the first kept notice has another title."""
    entries, stats, segments = read_checked(site / CACHE)
    assert entries
    for key, (asked, every, segment, position) in entries.items():
        checks = list(pickle.loads(segments[segment]))
        checked = checks[position]
        if getattr(checked, "parts", None) is not None:
            checks[position] = replace(checked, parts=replace(checked.parts, title="FORGED"))
            segments[segment] = pickle.dumps(tuple(checks))
            break
    write_checked(site / CACHE, entries, stats, segments)


def titles(loaded) -> set[str]:
    return {notice.title.values[0][1] for notice in loaded.site.notices}


def test_a_cache_that_came_with_the_sources_is_never_read(tmp_path):
    site = copy_example(tmp_path / "site")
    fresh = load(site, cache=False, jobs=1)
    load(site, jobs=1)
    forge(site)
    assert "FORGED" in titles(load(site, jobs=1)), "a sealed file of this machine's own is believed"
    forge(site)
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "a commit that carries its cache")
    pushed = load(site, jobs=1)
    assert "FORGED" not in titles(pushed) and titles(pushed) == titles(fresh)
    assert load(site, jobs=1, cache=False) == pushed


def test_a_cache_sealed_by_another_key_is_ignored(tmp_path, monkeypatch):
    site = copy_example(tmp_path / "site")
    load(site, jobs=1)
    forge(site)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    assert "FORGED" not in titles(load(site, jobs=1))


def test_kept_git_history_agrees_with_counting_anew(tmp_path):
    site = copy_example(tmp_path / "site")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "first")
    memo = LoadMemo()
    loads_agree(site, memo)
    record = read_kept_history(site / CACHE / GIT_HISTORY_FILE)
    assert record is not None and record["head"] == git(site, "rev-parse", "HEAD").strip()
    edited = site / "notices" / "2026-11-03-whatsapp-comercial.md"
    for step in range(3):
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nMais {step}.\n", encoding="utf-8")
        git(site, "commit", "-qam", f"edit {step}")
        fresh = loads_agree(site, memo)
        # The first commit counts once for the notice and once for its English translation.
        assert [n.revision for n in fresh.site.notices if n.slug == "2026-11-03-whatsapp-comercial"] == [step + 3]
    git(site, "commit", "-q", "--amend", "-m", "rewritten", "--date=2027-01-01T00:00:00")   # not a descendant
    loads_agree(site, memo)
    git(site, "reset", "-q", "--hard", "HEAD~2")
    loads_agree(site, memo)
    assert read_git_history(site, read_kept_history(site / CACHE / GIT_HISTORY_FILE))[0] == read_git_history(site)[0]


@pytest.mark.parametrize("content", ["{", "[]", '{"head": "x", "prefix": "", "counts": {"a": [1]}}',
                                     '{"head": 1, "prefix": "", "counts": {}}'])
def test_a_damaged_git_history_record_is_ignored(tmp_path, content):
    site = copy_example(tmp_path / "site")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "first")
    (site / CACHE).mkdir()
    (site / CACHE / GIT_HISTORY_FILE).write_text(content, encoding="utf-8")
    loads_agree(site)


def test_outside_git_nothing_is_kept_of_the_history(tmp_path):
    site = copy_example(tmp_path / "site")
    loads_agree(site)
    assert not (site / CACHE / GIT_HISTORY_FILE).exists()


def test_a_notice_saved_again_while_a_load_checks_it_is_not_kept_under_its_old_bytes(tmp_path):
    """An editor saves while a load runs (serve): the load took the file's digest, then read the new text.
    Kept under the old digest, that check would be given back once the old text is restored."""
    from generator.pipeline.loading import check_file
    from generator.read.notice_digests import notice_digests
    from generator.read.sources import read_sources
    from generator.validate import validate_settings
    from generator.validate.checked import CheckedEntries, check_and_gather

    site = copy_example(tmp_path / "site")
    target = site / "notices" / "2026-11-03-whatsapp-comercial.md"
    before = target.read_text(encoding="utf-8")
    sources, _ = read_sources(site, git_history=False)
    settings, _ = validate_settings(sources)
    entries = CheckedEntries()
    digests, entries.fresh_stats = notice_digests(sources.notices, {})

    def saved_meanwhile(files, check):
        target.write_text(before.replace("title: ", "title: SAVED MEANWHILE ", 1), encoding="utf-8")
        return [check_file(file, check) for file in files]

    check_and_gather(sources, settings, entries, digests, saved_meanwhile,
                     lambda files, check: [check_file(file, check) for file in files])
    entries.settle()
    target.write_text(before, encoding="utf-8")    # undone, and saved again
    assert load(site, jobs=1, memo=LoadMemo(entries=entries)) == load(site, cache=False, jobs=1)


def same_size(text: str, mark: str) -> str:
    """Return `text` with the title's first character (ASCII) made `mark`: the same number of bytes."""
    at = text.index("title: ") + len("title: ")
    assert text[at].isascii()
    return text[:at] + mark + text[at + 1:]


def test_edits_that_keep_size_and_modification_time_are_seen(tmp_path):
    """Once a file's times are a few seconds old, its digest is taken back from its size, times and inode:
    `touch -r`, `cp -p` and a file replaced by another of the same size and time must all tell."""
    import os
    import shutil
    import time

    site = copy_example(tmp_path / "site")
    folder = site / "notices"
    target = folder / "2026-11-03-whatsapp-comercial.md"
    text = target.read_text(encoding="utf-8")
    memo = LoadMemo()
    time.sleep(3.2)       # read/notice_digests.py: RACY_NS
    loads_agree(site, memo)
    assert memo.entries.stats, "the files' record is kept once they are settled"
    stat = target.stat()
    # The same size, the old modification time restored (touch -r, an editor that keeps it).
    target.write_text(same_size(text, "X"), encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert target.stat().st_size == stat.st_size
    fresh = loads_agree(site, memo)
    assert any(n.title.values[0][1].startswith("X") for n in fresh.site.notices)
    # Another file of the same size copied over it with its times (cp -p), then the first one back.
    spare = tmp_path / "spare.md"
    spare.write_text(same_size(text, "Y"), encoding="utf-8")
    os.utime(spare, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    time.sleep(3.2)
    loads_agree(site, memo)
    shutil.copy2(spare, target)
    loads_agree(site, memo)
    target.unlink()
    shutil.copy2(spare, target)       # a new file, perhaps the same inode, the same size and time
    target.write_text(text, encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    loads_agree(site, memo)


def test_git_moves_shallow_clones_and_unrelated_commits_count_as_counting_anew(tmp_path):
    origin = copy_example(tmp_path / "origin")
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "first")
    for step in range(3):
        edited = origin / "notices" / "2026-11-03-whatsapp-comercial.md"
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nMais {step}.\n", encoding="utf-8")
        git(origin, "commit", "-qam", f"edit {step}")
    git(origin, "config", "uploadpack.allowFilter", "true")
    site = tmp_path / "site"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(site)], check=True,
                   capture_output=True)
    memo = LoadMemo()
    loads_agree(site, memo)
    git(site, "fetch", "-q", "--deepen", "2")     # more history, HEAD where it was
    loads_agree(site, memo)
    git(site, "fetch", "-q", "--unshallow")
    loads_agree(site, memo)
    git(site, "mv", "notices/2026-11-03-whatsapp-comercial.md", "notices/2026-11-03-whatsapp-vendas.md")
    git(site, "mv", "notices/2026-11-03-whatsapp-comercial.en.md", "notices/2026-11-03-whatsapp-vendas.en.md")
    git(site, "commit", "-qm", "renamed")
    loads_agree(site, memo)
    hours = site / "site_src" / "hours.yaml"
    hours.write_text(hours.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    git(site, "commit", "-qam", "only the settings")
    fresh = loads_agree(site, memo)
    assert [n.revision for n in fresh.site.notices if n.slug == "2026-11-03-whatsapp-vendas"] == [2]


def test_a_git_record_that_lies_about_this_head_is_not_believed(tmp_path):
    import json

    site = copy_example(tmp_path / "site")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "first")
    fresh = loads_agree(site)
    record = json.loads((site / CACHE / GIT_HISTORY_FILE).read_text(encoding="utf-8"))
    for lie in ([1, 10 ** 15], [0, 1_700_000_000], [-3, 1_700_000_000]):
        record["counts"] = {name: lie for name in record["counts"]}
        (site / CACHE / GIT_HISTORY_FILE).write_text(json.dumps(record), encoding="utf-8")
        assert load(site, jobs=1) == fresh
    record["head"] = "--all"
    (site / CACHE / GIT_HISTORY_FILE).write_text(json.dumps(record), encoding="utf-8")
    assert load(site, jobs=1) == fresh


def test_a_time_zone_database_update_checks_the_notices_again(tmp_path):
    """An incident's update written in UTC is compared with its start in the site's zone: whether it comes too
    early, and what the message says, depend on the zone's rules, which a tzdata update changes."""
    import shutil
    import zoneinfo

    site = copy_example(tmp_path / "site")
    incident = site / "notices" / "2026-11-05-instabilidade-link-sp.md"
    incident.write_text(incident.read_text(encoding="utf-8").replace(
        "  - at: 2026-11-05 14:10\n", "  - at: 2026-11-05 16:30Z\n", 1), encoding="utf-8")
    rules = {}
    for name, source in (("as-it-is", "America/Sao_Paulo"), ("moved-to-plus-nine", "Asia/Tokyo")):
        folder = tmp_path / name / "America"
        folder.mkdir(parents=True)
        shutil.copyfile(_zone_file(source), folder / "Sao_Paulo")
        rules[name] = str(tmp_path / name)
    try:
        zoneinfo.reset_tzpath(to=[rules["as-it-is"]])
        zoneinfo.ZoneInfo.clear_cache()
        before = loads_agree(site)
        assert any("comes before the incident's start" in p.message for p in before.problems)
        zoneinfo.reset_tzpath(to=[rules["moved-to-plus-nine"]])
        zoneinfo.ZoneInfo.clear_cache()
        after = loads_agree(site)
        assert not any("comes before the incident's start" in p.message for p in after.problems)
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()


def _zone_file(zone: str) -> str:
    """Return the path of the system's compiled rules for `zone`."""
    import zoneinfo

    return next(str(Path(folder, zone)) for folder in zoneinfo.TZPATH if Path(folder, zone).is_file())


@pytest.mark.parametrize("slack", [64, 0])
def test_checks_kept_by_segments_stay_few_and_agree_with_loading_anew(tmp_path, monkeypatch, slack):
    """Each rebuild after an edit adds the checks it made as a segment; past MOST_SEGMENTS (here 3) they are
    merged, and past SEGMENT_SLACK checks no longer used (0: a quarter of them) everything is pickled again."""
    from generator.validate import checked

    monkeypatch.setattr(checked, "SEGMENT_SLACK", slack)
    monkeypatch.setattr(checked, "MOST_SEGMENTS", 3)
    site = copy_example(tmp_path / "site")
    mains = sorted(p for p in (site / "notices").glob("*.md") if p.name.count(".") == 1)
    load(site, jobs=1)
    counts = []
    for step in range(8):
        target = mains[step % len(mains)]
        target.write_text(target.read_text(encoding="utf-8") + f"\nLinha {step}.\n", encoding="utf-8")
        memo = LoadMemo()
        loads_agree(site)
        entries, _, segments = read_checked(site / CACHE)
        counts.append(len(segments))
        assert sorted({segment for _, _, segment, _ in entries.values()}) == list(range(len(segments)))
        pickled = sum(len(pickle.loads(segment)) for segment in segments)
        assert pickled - len(entries) <= max(slack, len(entries) // 4), "too many checks no longer used are kept"
        assert load(site, jobs=1, memo=memo) == load(site, cache=False, jobs=1) and memo.entries.made == 0
    assert counts[0] == 2, "an edit adds the check it made as a segment of its own"
    assert max(counts) <= 3
    if slack:
        assert counts.count(3) < len(counts) - 1 and 3 in counts, "the segments were never merged"
    else:
        assert 1 in counts, "the checks no longer used were never dropped"


def test_a_rebuild_after_one_edit_leaves_the_kept_checks_file_as_it_was(tmp_path):
    site = copy_example(tmp_path / "site")
    fresh = load(site, cache=False, jobs=1)
    load(site, jobs=1)
    first = sorted((site / CACHE).glob("checked-segment-*.sealed"))
    assert len(first) == 1
    was = first[0].stat()
    edited = sorted((site / "notices").glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    memo = LoadMemo()
    assert load(site, jobs=1, memo=memo) == load(site, cache=False, jobs=1) and memo.entries.made == 1
    now = sorted((site / CACHE).glob("checked-segment-*.sealed"))
    assert len(now) == 2 and first[0] in now
    assert (first[0].stat().st_ino, first[0].stat().st_mtime_ns) == (was.st_ino, was.st_mtime_ns), "written again"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAnd another.\n", encoding="utf-8")
    load(site, jobs=1)
    assert len(list((site / CACHE).glob("checked-segment-*.sealed"))) == 2, "the segment no longer named stays"
    assert load(site, jobs=1) == load(site, cache=False, jobs=1) != fresh


@pytest.mark.parametrize("damage", ["flipped", "swapped", "missing"])
def test_a_damaged_segment_file_is_not_reused_and_made_anew(tmp_path, damage):
    site = copy_example(tmp_path / "site")
    edited = sorted((site / "notices").glob("*.md"))[0]
    load(site, jobs=1)
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    load(site, jobs=1)
    big, small = sorted((site / CACHE).glob("checked-segment-*.sealed"), key=lambda path: path.stat().st_size,
                        reverse=True)
    if damage == "flipped":
        data = big.read_bytes()
        big.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif damage == "swapped":      # each sealed by this machine, but under the other's name
        data = big.read_bytes()
        big.write_bytes(small.read_bytes())
        small.write_bytes(data)
    else:
        big.unlink()
    memo = LoadMemo()
    assert load(site, jobs=1, memo=memo) == load(site, cache=False, jobs=1)
    assert memo.entries.made == 10, "nothing of a damaged segment is reused"
    memo = LoadMemo()
    assert load(site, jobs=1, memo=memo) == load(site, cache=False, jobs=1)
    assert memo.entries.made == 0, "the segment was not made anew"


def test_a_segment_that_cannot_be_written_leaves_the_kept_checks_as_they_were(tmp_path):
    # As on a full disk: the new segment is not written (here a folder stands under its name), so the index that
    # would name it is not written either, and the checks kept before stay whole, their segments with them.
    site = copy_example(tmp_path / "site")
    load(site, jobs=1)
    folder = site / CACHE
    before = read_checked(folder)
    assert before[2]
    entries, stats, segments = before
    extra = pickle.dumps(("a check of a build that found the disk full",))
    (folder / f"checked-segment-{hashlib.sha256(extra).hexdigest()[:40]}.sealed").mkdir()
    write_checked(folder, entries, stats, [*segments, extra])
    assert read_checked(folder) == before
    memo = LoadMemo()
    assert load(site, jobs=1, memo=memo) == load(site, cache=False, jobs=1) and memo.entries.made == 0


READER = """
import sys
from generator.write.notice_cache import read_checked
empty = 0
for _ in range(int(sys.argv[2])):
    if not read_checked(sys.argv[1])[2]:
        empty += 1
print(empty)
"""


@pytest.mark.slow
def test_a_load_reading_while_another_writes_always_finds_the_checks(tmp_path):
    # Two builds at once: one reads the index, then its segments, while the other writes an index naming other
    # segments and removes those it no longer names.  The reader must never find a segment gone (which would
    # check every notice again, and remove a segment the other build's index names).
    site = copy_example(tmp_path / "site")
    load(site, jobs=1)
    folder = site / CACHE
    entries, stats, segments = read_checked(folder)
    other = [pickle.dumps(("another build's checks", number)) for number in range(3)]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(folder), "400"], stdout=subprocess.PIPE, text=True)
    while reader.poll() is None:
        write_checked(folder, entries, stats, [*segments, *other])
        write_checked(folder, entries, stats, segments)
    assert reader.stdout.read().strip() == "0"


FULL_DISK = """
import resource, signal, sys
from generator.write.notice_cache import write_checked
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))   # every write past a byte fails
write_checked(sys.argv[1], {}, {}, [])
"""


def test_an_index_that_cannot_be_written_removes_no_segment(tmp_path):
    # The new index could not be written (file size limit, full disk): the one kept before still names its
    # segments, so none may be removed as no longer named.
    site = copy_example(tmp_path / "site")
    load(site, jobs=1)
    before = read_checked(site / CACHE)
    subprocess.run([sys.executable, "-c", FULL_DISK, str(site / CACHE)], check=True)
    assert read_checked(site / CACHE) == before


def test_what_a_killed_build_left_half_written_is_removed_by_the_next_that_keeps_checks(tmp_path):
    # A build killed while writing a segment or the index leaves its temporary file (write/new_files.py:
    # replace_file); over many such builds they would only pile up.  The next build that keeps checks removes them
    # (it holds the folder's lock: no other build is writing one).
    site = copy_example(tmp_path / "site")
    load(site, jobs=1)
    folder = site / CACHE
    left = [folder / f".checked-segment-{'0' * 40}.sealed.k1ll3d_x.tmp", folder / f".{FILE_NAME}.abcdefgh.tmp"]
    for path in left:
        path.write_bytes(b"half of a file" * 1000)
    other = folder / ".notice-digests.sealed.abcdefgh.tmp"    # not the checks': not theirs to remove
    other.write_bytes(b"another writer's")
    edited = sorted((site / "notices").glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert load(site, jobs=1) == load(site, cache=False, jobs=1)
    assert [path.exists() for path in left] == [False, False] and other.exists()


def test_a_first_load_reads_each_notice_once_and_the_next_reads_none(tmp_path, monkeypatch):
    """With nothing kept, each check is kept under the digest of the bytes it read: no file is read and hashed
    beforehand as well; the next load finds every check and the record of every file, and reads no notice."""
    import generator.read.notice_digests as notice_digests

    monkeypatch.setattr(notice_digests, "RACY_NS", -10**12)     # every file's times count as settled
    site = copy_example(tmp_path / "site")
    files = sorted(str(path) for path in (site / "notices").glob("*.md"))
    assert any(".en." in name or ".es." in name for name in files)     # translations are read once too
    opened: list[str] = []

    def note(event: str, args: tuple) -> None:
        if event == "open" and str(args[0]) in files:
            opened.append(str(args[0]))

    sys.addaudithook(note)
    fresh = load(site, cache=False, jobs=1)
    opened.clear()
    assert load(site, jobs=1) == fresh
    assert sorted(opened) == files
    opened.clear()
    assert load(site, jobs=1) == fresh
    assert opened == []
    files.clear()                       # the hook stays for the session: it notes nothing more
