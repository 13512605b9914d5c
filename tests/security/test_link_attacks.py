"""Symbolic links (and hard links) pushed into a site: the build never reads the file behind one
that leads out, and says where the link is without echoing the file.  Real builds of a copy of
the example site."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_template_attacks import assert_refused, build, example_site, git, published

# Each test runs `check` or `build` in a process of its own.
pytestmark = pytest.mark.slow

SECRET = "probe_token: s3cr3t-value-1234\ndatabase_password: hunter2\n"
LINK_HINT = "  hint: replace the link with a copy of the file, or with a relative link to a file inside the site"


def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "private.yaml"
    path.write_text(SECRET, encoding="utf-8")
    return path


def assert_nothing_leaked(result: subprocess.CompletedProcess, tmp_path: Path) -> None:
    shown = result.stdout + result.stderr + published(tmp_path)
    for word in ("probe_token", "s3cr3t", "database_password", "hunter2"):
        assert word not in shown, word


def test_a_support_file_linked_to_a_private_file_is_refused_without_echoing_its_keys(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    (site / "site_src" / "support.yaml").unlink()
    os.symlink(secret_file(tmp_path), site / "site_src" / "support.yaml")
    result = build(site, tmp_path)
    assert_refused(result, "site_src/support.yaml:1:1: error: the file is a symbolic link to a file outside the site")
    assert result.stderr.splitlines()[1] == LINK_HINT
    assert_nothing_leaked(result, tmp_path)


def test_a_relative_link_that_climbs_out_of_the_site_is_refused(tmp_path: Path) -> None:
    secret_file(tmp_path)
    site = example_site(tmp_path)
    (site / "site_src" / "support.yaml").unlink()
    os.symlink("../../private.yaml", site / "site_src" / "support.yaml")
    result = build(site, tmp_path)
    assert_refused(result, "site_src/support.yaml:1:1: error: the file is a symbolic link to a file outside the site")
    assert_nothing_leaked(result, tmp_path)


def test_a_link_into_the_sites_git_folder_is_refused(tmp_path: Path) -> None:
    """.git/config holds the remote's address (on a server, the path of its repositories)."""
    site = example_site(tmp_path)
    git(site, "init", "-q")
    git(site, "config", "remote.origin.url", "ssh://deploy@internal-git.example.net/srv/git/site.git")
    (site / "site_src" / "support.yaml").unlink()
    os.symlink("../.git/config", site / "site_src" / "support.yaml")
    result = build(site, tmp_path)
    assert_refused(result, "site_src/support.yaml:1:1: error: the file is a symbolic link to a file outside the site")
    assert "internal-git" not in result.stdout + result.stderr + published(tmp_path)


def test_an_absolute_link_is_refused_even_to_a_file_of_the_site(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    copy = site / "site_src" / "support-copy.yaml"
    (site / "site_src" / "support.yaml").rename(copy)
    os.symlink(copy, site / "site_src" / "support.yaml")
    result = build(site, tmp_path)
    assert_refused(result, "site_src/support.yaml:1:1: error: the file is a symbolic link to an absolute path; links "
                           "in a site are relative, or the site breaks when it is copied or cloned")


def test_a_notices_folder_linked_out_of_the_site_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "other-notices"
    site = example_site(tmp_path)
    (site / "notices").rename(outside)
    (outside / "2026-11-21-private.md").write_text("---\ntitle: Private\ndate: 2026-11-21 10:00\ntype: info\n---\n"
                                                   "internal-only text\n", encoding="utf-8")
    os.symlink(outside, site / "notices")
    result = build(site, tmp_path)
    assert_refused(result, "notices:1:1: error: the folder is a symbolic link to a folder outside the site")
    assert "  hint: replace the link with the folder itself" in result.stderr.splitlines()
    assert "internal-only" not in result.stdout + result.stderr + published(tmp_path)


def test_a_notice_that_is_a_link_loop_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    os.symlink("2026-11-30-loop.md", site / "notices" / "2026-11-30-loop.md")
    result = build(site, tmp_path)
    assert_refused(result, "notices/2026-11-30-loop.md:1:1: error: the notice is a symbolic link loop: following it "
                           "leads back to it")


def test_a_loop_of_two_links_is_a_located_error_for_each(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    os.symlink("b.yaml", site / "site_src" / "a.yaml")
    os.symlink("a.yaml", site / "site_src" / "b.yaml")
    result = build(site, tmp_path)
    for name in ("a", "b"):
        assert_refused(result, f"site_src/{name}.yaml:1:1: error: the file is a symbolic link loop: following it "
                               "leads back to it")


def test_a_link_to_nothing_is_a_located_error(tmp_path: Path) -> None:
    site = example_site(tmp_path)
    os.symlink("../../../../../../../../tmp/does-not-exist-anywhere", site / "notices" / "2026-11-29-gone.md")
    result = build(site, tmp_path)
    assert_refused(result, "notices/2026-11-29-gone.md:1:1: error: the notice is a symbolic link to nothing: its "
                           "target does not exist")


def test_the_probes_history_linked_out_of_the_site_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "logs"
    site = example_site(tmp_path)
    (site / "site_src" / "uptime").rename(outside)
    os.symlink(outside, site / "site_src" / "uptime")
    result = build(site, tmp_path)
    assert_refused(result, "site_src/uptime:1:1: error: the folder is a symbolic link to a folder outside the site")
    assert "  hint: replace the link with the folder itself" in result.stderr.splitlines()


def test_a_relative_link_between_notices_of_the_site_still_works(tmp_path: Path) -> None:
    """Links that stay inside the site are followed (no false alarm for a site that uses them)."""
    site = example_site(tmp_path)
    (site / "drafts").mkdir()
    (site / "drafts" / "training.md").write_text("---\ntitle: Treinamento\ndate: 2026-11-21 10:00\ntype: info\n---\n"
                                                 "Texto do aviso.\n", encoding="utf-8")
    os.symlink("../drafts/training.md", site / "notices" / "2026-11-21-treinamento.md")
    result = build(site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Texto do aviso." in (tmp_path / "out" / "notices" / "2026-11-21-treinamento" / "index.html").read_text(
        encoding="utf-8")


def test_a_hard_link_does_not_survive_a_push(tmp_path: Path) -> None:
    """Why hard links are not refused (docs/security.md): git stores content, not links, so what
    is published from a checkout is a copy the pusher committed; only someone with a shell on the
    machine could make one, and could read the file anyway."""
    outside = secret_file(tmp_path)
    site = example_site(tmp_path)
    git(site, "init", "-q")
    (site / "site_src" / "support.yaml").unlink()
    os.link(outside, site / "site_src" / "support.yaml")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "content")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(site), str(clone)], check=True, timeout=60)
    linked = clone / "site_src" / "support.yaml"
    assert linked.stat().st_nlink == 1 and linked.stat().st_ino != outside.stat().st_ino
    outside.write_text("changed: after the push\n", encoding="utf-8")
    assert linked.read_text(encoding="utf-8") == SECRET


def test_a_day_folder_or_day_file_linked_out_of_the_site_is_refused(tmp_path: Path) -> None:
    # The probe's day folders are read like its month files: a link out of the site is refused at it.
    outside = tmp_path / "secrets"
    outside.mkdir()
    (outside / "website.csv").write_text("time,ok,latency_ms,detail\n2026-11-23T12:00:00Z,1,1.0,x\n")
    site = example_site(tmp_path)
    os.symlink(outside, site / "site_src" / "uptime" / "2026-11-23")
    assert_refused(build(site, tmp_path), "site_src/uptime/2026-11-23:1:1: error: the folder is a symbolic link to "
                                          "a folder outside the site")
    os.unlink(site / "site_src" / "uptime" / "2026-11-23")
    (site / "site_src" / "uptime" / "2026-11-23").mkdir()
    os.symlink(outside / "website.csv", site / "site_src" / "uptime" / "2026-11-23" / "website.csv")
    assert_refused(build(site, tmp_path), "site_src/uptime/2026-11-23/website.csv:1:1: error: the file is a symbolic "
                                          "link to a file outside the site")
