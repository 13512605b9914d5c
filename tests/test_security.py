"""Hostile or careless input: markup in notices, YAML tricks, huge files, paths that escape the output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, snapshot

from generator.model import Output
from generator.write.staging import WriteError, content_digest, write_site

NOW = "2026-11-23T10:00:00-03:00"


def build(site: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out),
                           "--now", NOW, *extra], capture_output=True, text=True, timeout=120)


def notice(body: str, title: str = "Aviso") -> str:
    return f"---\ntitle: {title}\ndate: 2026-11-20 10:00\ntype: info\n---\n{body}\n"


@pytest.mark.slow
def test_markup_in_a_notice_is_sanitised_and_templates_are_not_evaluated(make_site, tmp_path):
    body = ('Olá <script>alert("x")</script> <img src=x onerror="alert(1)"> '
            '<a href="javascript:alert(2)" onclick="steal()">clique</a> <iframe src="https://evil.example/"></iframe>'
            ' {{ 7 * 7 }} {% raw %} ${7 * 7}')
    site = make_site({"notices/2026-11-20-x.md": notice(body, '"{{ 7*7 }} aviso"')})
    result = build(site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    pages = [p for p in (tmp_path / "out").rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json", ".ics")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert "{{ 7*7 }} aviso" in text and "49 aviso" not in text
    assert "{{ 7 * 7 }} {% raw %} ${7 * 7}" in text
    for needle in ('alert("x")', "onerror", "javascript:alert", "onclick", "<iframe", "steal()"):
        assert needle not in text, needle


@pytest.mark.slow
def test_yaml_tags_that_construct_objects_are_refused(make_site, tmp_path):
    marker = tmp_path / "pwned"
    site = make_site({"site_src/support.yaml": f"notes:\n  - !!python/object/apply:os.system ['touch {marker}']\n"})
    result = build(site, tmp_path / "out")
    assert result.returncode == 1
    assert "site_src/support.yaml:2:5: error: YAML tag !!python/object/apply:os.system is not allowed" in result.stderr
    assert not marker.exists()


@pytest.mark.slow
def test_an_alias_bomb_is_refused_quickly_with_bounded_memory(make_site, tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for index, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[index]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    site = make_site({"site_src/support.yaml": "\n".join(lines) + "\nnotes: *i\n"})
    # The build runs under a small parent of its own, which reports the peak memory of its children
    # alone: this process's RUSAGE_CHILDREN would be the largest of every child the test run waited for.
    measure = ("import resource, subprocess, sys, time; started = time.perf_counter(); "
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stderr.write(done.stderr); "
               "print(done.returncode, time.perf_counter() - started, "
               "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", measure, sys.executable, str(ROOT / "build.py"), "build",
                             "--site", str(site), "--out", str(tmp_path / "out"), "--now", NOW],
                            capture_output=True, text=True, timeout=120)
    status, took, usage = result.stdout.split()
    assert int(status) == 1
    assert "this document expands into too many values" in result.stderr
    assert float(took) < 5, "includes interpreter start-up; the refusal itself takes well under a second"
    usage = int(usage)
    assert usage < 400_000, f"peak memory {usage} KiB"


@pytest.mark.slow
def test_a_huge_notice_gets_a_clear_error(make_site, tmp_path):
    site = make_site()
    path = site / "notices" / "2026-11-20-enorme.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(b"---\ntitle: x\ndate: 2026-11-20 10:00\n---\n")
        handle.truncate(50 * 1024 * 1024)
    result = build(site, tmp_path / "out")
    assert result.returncode == 1
    assert ("notices/2026-11-20-enorme.md:1:1: error: the file is 52.4 MB; sources are limited to 1 MB"
            in result.stderr)


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../b.html", "a\\..\\b.html"])
def test_outputs_that_would_land_outside_the_folder_are_refused(tmp_path, path):
    out = tmp_path / "public"
    with pytest.raises(WriteError):
        write_site((Output(path, b"x"),), out, tmp_path / "site")
    assert not out.exists()
    assert not (tmp_path / "escape.html").exists()


def test_two_outputs_with_one_path_are_refused(tmp_path):
    with pytest.raises(WriteError, match="two outputs would be written to 'index.html'"):
        write_site((Output("index.html", b"a"), Output("index.html", b"b")), tmp_path / "public", tmp_path / "site")


def test_a_symbolic_link_in_the_output_folder_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "public"
    out.mkdir()
    os.symlink(outside, out / "notices")
    write_site((Output("notices/x/index.html", b"new"),), out, tmp_path / "site")
    assert list(outside.iterdir()) == []
    assert (out / "notices" / "x" / "index.html").read_bytes() == b"new"


def test_unchanged_files_are_linked_only_from_inside_the_live_output(tmp_path):
    """An incremental build links unchanged files from the live output: never through a symbolic
    link put there, to a file or a folder outside it."""
    outside = tmp_path / "outside"
    (outside / "y").mkdir(parents=True)
    (outside / "x.html").write_bytes(b"same")
    (outside / "y" / "index.html").write_bytes(b"same")
    out = tmp_path / "public"
    (out / "notices").mkdir(parents=True)
    os.symlink(outside / "x.html", out / "notices" / "x.html")
    os.symlink(outside / "y", out / "notices" / "y")
    (out / "kept.html").write_bytes(b"same")
    same = content_digest(b"same")
    outputs = (Output("kept.html", b"same"), Output("notices/x.html", b"same"), Output("notices/y/index.html", b"same"))
    hashes, written = write_site(outputs, out, tmp_path / "site",
                                 {"kept.html": same, "notices/x.html": same, "notices/y/index.html": same})
    assert written == 2   # kept.html linked; the two behind links written anew
    for path in ("notices/x.html", "notices/y/index.html"):
        assert not (out / path).is_symlink() and (out / path).stat().st_nlink == 1
    assert (outside / "x.html").stat().st_nlink == 1 and (outside / "y" / "index.html").stat().st_nlink == 1
    assert (out / "kept.html").read_bytes() == b"same" and set(hashes) == {o.path for o in outputs}


def test_the_output_folder_may_not_hold_the_sources(make_site, tmp_path):
    site = make_site()
    before = snapshot(site)
    result = build(site, site)
    assert result.returncode == 1
    assert "contains the site's sources" in result.stderr
    assert snapshot(site) == before


@pytest.mark.slow
def test_a_notice_linked_from_outside_the_site_is_refused(make_site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(notice("segredo"), encoding="utf-8")
    site = make_site()
    (site / "notices").mkdir()
    os.symlink(secret, site / "notices" / "2026-11-20-link.md")
    result = build(site, tmp_path / "out")
    assert result.returncode == 1
    assert "notices/2026-11-20-link.md:1:1: error: the notice is a symbolic link to a file outside the site" in result.stderr
