"""A pusher who means harm, against the server hooks `install-server-hooks` installs, with real git.

Each test pushes from a clone to a bare repository and asserts that the push was refused
with a located message, or that the payload did not run (its marker file is absent) and
nothing leaked (the published files do not hold the target file's text).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import MINIMAL_SITE, ROOT
from helpers_push_attacks import Server, assert_refused, git, git_env, make_site_repo, out, remote_lines

# Each test pushes to a repository whose hooks build the site in processes of their own.
pytestmark = [pytest.mark.skipif(shutil.which("git") is None, reason="needs git"), pytest.mark.slow]

WEEKDAY_NOTICE = """\
---
title: Feriado
date: 2026-12-01 10:00
changes:
  - date: 2026-12-08
    weekday: quarta-feira
    closed: true
---
Fechado.
"""


@pytest.fixture(scope="module")
def site_repo(tmp_path_factory) -> Path:
    """A small valid site, committed once for the module."""
    return make_site_repo(tmp_path_factory.mktemp("template") / "site")


@pytest.fixture
def server(tmp_path, site_repo, capsys) -> Server:
    made = Server(tmp_path, site_repo)
    capsys.readouterr()
    return made


# --- The check sees what the build builds ---------------------------------------------------

def test_export_ignore_no_longer_hides_a_notice_from_the_check(server):
    # git archive left this notice out of the check, and the clone of post-receive published it.
    server.commit({".gitattributes": "notices/2026-12-01-feriado.md export-ignore\n",
                   "notices/2026-12-01-feriado.md": WEEKDAY_NOTICE})
    assert_refused(server.push(), server, [
        "notices/2026-12-01-feriado.md:6:14: error: 2026-12-08 is a Tuesday (terça-feira), not quarta-feira",
        "  hint: 2026-12-09 is a Wednesday (did you mean the 9th?)",
    ])


def test_export_ignore_no_longer_hides_a_link_to_a_server_file(server):
    # The attack of the issue: templates/leak.txt -> /etc/hostname, hidden from the check, included by a page.
    server.commit({".gitattributes": "templates/leak.txt export-ignore\n",
                   "templates/style.css": "{% include 'leak.txt' %}\n"})
    server.link("templates/leak.txt", "/etc/hostname")
    server.commit({}, "Leak")
    assert_refused(server.push(), server, [
        "templates/leak.txt: error: a symbolic link to the absolute path '/etc/hostname' is refused",
        "  hint: commit the file itself instead of a link to it",
    ])


def test_export_subst_and_attributes_have_no_effect_on_what_is_built(server):
    # `export-subst` rewrote files in the checked export only; `ident` and `text eol=crlf` would rewrite
    # them in a checkout. All are off: the build reads the committed bytes, as the check did.
    server.commit({".gitattributes": "* export-subst ident text eol=crlf\n",
                   "templates/style.css": "/* $Format:%H$ $Id$ */\n"})
    pushed = server.push()
    assert pushed.returncode == 0, remote_lines(pushed.stderr)
    page = (server.www / "current" / "index.html").read_bytes()
    assert b"/* $Format:%H$ $Id$ */\n" in page and b"\r" not in page


# --- Refused before anything is extracted ----------------------------------------------------

class DiskWatch:
    """Measure, every few milliseconds, how much the hooks' temporary directory holds."""

    def __init__(self, folder: Path):
        self.folder, self.most, self.names = folder, 0, set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for root, dirs, files in os.walk(self.folder):
                self.names.update(os.path.join(root, name) for name in dirs + files)
                for name in files:
                    try:
                        total += os.lstat(os.path.join(root, name)).st_size
                    except OSError:
                        pass
            self.most = max(self.most, total)
            time.sleep(0.005)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def test_a_size_bomb_is_refused_before_one_file_is_extracted(server):
    zeros = server.work / "zeros.bin"
    with open(zeros, "wb") as handle:
        handle.truncate(300_000_000)      # 300 MB of zeros: about 300 KB once git has compressed them
    git(server.work, "add", "zeros.bin")
    git(server.work, "commit", "-q", "-m", "Zeros")
    started = time.perf_counter()
    with DiskWatch(server.tmp) as watch:
        pushed = server.push()
    assert time.perf_counter() - started < 20        # refused quickly, on a crowded machine
    assert_refused(pushed, server, [
        "zeros.bin: error: the pushed tree holds 300.0 MB of files, over the limit of 100 MB "
        "(limits: tree_mb in site_src/site.yaml)",
        "  hint: the largest files are zeros.bin (300.0 MB), site_src/hours.yaml (0.0 MB), site_src/site.yaml "
        "(0.0 MB); keep bulky files out of the site's repository (this server allows up to 500 MB)",
    ])
    assert watch.most == 0 and watch.names == set()     # not one file was written, not even a folder


def test_site_yaml_can_lower_the_size_limit_but_not_raise_it_past_the_server(tmp_path, site_repo, capsys):
    server = Server(tmp_path, site_repo, extra=("--max-tree-mb", "2"))
    capsys.readouterr()
    site_yaml = MINIMAL_SITE + "limits:\n  tree_mb: 100000\n"
    server.commit({"site_src/site.yaml": site_yaml, "big.txt": "x" * 3_000_000})
    assert_refused(server.push(), server, [
        "big.txt: error: the pushed tree holds 3.0 MB of files, over the limit of 2 MB "
        "(limits: tree_mb in site_src/site.yaml)",
        "  hint: the largest files are big.txt (3.0 MB), site_src/hours.yaml (0.0 MB), site_src/site.yaml "
        "(0.0 MB); keep bulky files out of the site's repository (this server allows up to 2 MB)",
    ])


def test_a_bad_limit_in_site_yaml_is_a_located_error(server):
    server.commit({"site_src/site.yaml": MINIMAL_SITE + "limits:\n  tree_mb: lots\n  tree_gb: 1\n"})
    # `limits:` is read before anything is extracted, with the check's own reading: every mistake in it,
    # the tree's limits and the others, stops the push there, each said once.
    assert_refused(server.push(), server, [
        "site_src/site.yaml:9:12: error: limits: tree_mb must be a whole number above 0, not 'lots'",
        "  hint: the default is 100",
        "site_src/site.yaml:10:3: error: unknown limit 'tree_gb'",
        "  hint: did you mean 'tree_mb'?",
    ])


def test_too_many_files_are_refused_before_extraction(tmp_path, site_repo, capsys):
    server = Server(tmp_path, site_repo)
    capsys.readouterr()
    server.commit({"site_src/site.yaml": MINIMAL_SITE + "limits:\n  tree_files: 10\n",
                   **{f"many/{n}.txt": "" for n in range(20)}})
    with DiskWatch(server.tmp) as watch:
        pushed = server.push()
    assert_refused(pushed, server, [
        ".: error: the pushed tree holds more than 10 files, over the limit of 10 (limits: tree_files in "
        "site_src/site.yaml)",
        "  hint: keep generated or bulky files out of the site's repository",
    ])
    assert watch.names == set()


# --- Links that lead out of the tree ----------------------------------------------------------

@pytest.mark.parametrize(("link", "target", "message"), [
    ("templates/leak.txt", "/etc/hostname", "a symbolic link to the absolute path '/etc/hostname' is refused"),
    ("site_src/support.yaml", "/etc/hostname", "a symbolic link to the absolute path '/etc/hostname' is refused"),
    ("site_src/support.yaml", "../../../../../../../../etc/hostname",
     "the symbolic link to '../../../../../../../../etc/hostname' leads out of the site"),
    ("notices", "/etc", "a symbolic link to the absolute path '/etc' is refused"),
    ("templates/config.txt", "../.git/config", "the symbolic link to '../.git/config' leads into .git"),
])
def test_a_link_out_of_the_tree_is_refused(server, link, target, message):
    server.commit({"templates/style.css": "{% include 'leak.txt' %}\n"})
    server.link(link, target)
    server.commit({}, "Link")
    assert_refused(server.push(), server, [f"{link}: error: {message}",
                                           "  hint: commit the file itself instead of a link to it"])


def test_links_are_followed_through_each_other_as_the_kernel_would(server):
    # Each link alone stays inside; together they lead to /etc/hostname.
    server.link("here", ".")
    server.link("templates/leak.txt", "../here/../../../../../../../../etc/hostname")
    server.link("site_src/support.yaml", "../here/../etc/hostname")
    server.commit({}, "Links")
    assert_refused(server.push(), server, [
        "site_src/support.yaml: error: the symbolic link to '../here/../etc/hostname' leads out of the site",
        "  hint: commit the file itself instead of a link to it",
        "templates/leak.txt: error: the symbolic link to '../here/../../../../../../../../etc/hostname' "
        "leads out of the site",
        "  hint: commit the file itself instead of a link to it",
    ])


def test_a_link_loop_is_refused_not_followed_forever(server):
    server.link("site_src/a.yaml", "b.yaml")
    server.link("site_src/b.yaml", "a.yaml")
    server.commit({}, "Loop")
    pushed = server.push()
    assert remote_lines(pushed.stderr)[:2] == [
        "site_src/a.yaml: error: the symbolic link to 'b.yaml' is a loop: following it leads back to it (or "
        "through more than 40 links)",
        "  hint: commit the file itself instead of a link to it",
    ]


def test_a_link_inside_the_tree_is_still_allowed_but_no_template_is_read_through_one(server):
    server.commit({"drafts/aviso.md": "---\ntitle: Aviso comum\ndate: 2026-11-20 10:00\n---\nTexto comum.\n"})
    server.link("notices/2026-11-20-aviso.md", "../drafts/aviso.md")
    server.commit({}, "A notice kept in drafts/")
    pushed = server.push()
    assert pushed.returncode == 0, remote_lines(pushed.stderr)
    assert "Texto comum" in (server.www / "current" / "notices" / "2026-11-20-aviso" / "index.html").read_text()
    server.commit({"templates/partial.txt": "Texto comum\n", "templates/style.css": "{% include 'alias.txt' %}\n"})
    server.link("templates/alias.txt", "partial.txt")
    head = server.commit({}, "An alias")
    pushed = server.push()
    assert pushed.returncode == 1
    assert remote_lines(pushed.stderr) == [
        "templates/alias.txt:1:1: error: the template is a symbolic link: templates are never read through a link",
        "  hint: replace the link with a copy of the template",
        "1 error",
        f"expediente: the push of {head[:10]} to main was refused; nothing was published",
    ]


# --- Submodules and .git ------------------------------------------------------------------------

def test_a_gitmodules_file_is_refused(server):
    server.commit({".gitmodules": '[submodule "x"]\n\tpath = x\n\turl = ../../../etc\n'})
    assert_refused(server.push(), server, [
        ".gitmodules: error: submodules cannot be published; .gitmodules is refused",
        "  hint: remove it with 'git rm .gitmodules'",
    ])


def test_a_gitlink_is_refused(server):
    some_commit = out(git(server.work, "rev-parse", "HEAD"))
    git(server.work, "update-index", "--add", "--cacheinfo", f"160000,{some_commit},vendor/theme")
    git(server.work, "commit", "-q", "-m", "A submodule")
    assert_refused(server.push(), server, [
        "vendor/theme: error: a submodule cannot be published: its files are not in this repository",
        "  hint: remove it with 'git rm --cached theme' and commit its files",
    ])


def make_tree(work: Path, entries: list[tuple[str, str, str, str]]) -> str:
    """Return a tree made with git mktree from (mode, type, oid, name): names git add would refuse."""
    text = "".join(f"{mode} {kind} {oid}\t{name}\n" for mode, kind, oid, name in entries)
    return out(git(work, "mktree", stdin=text))


def test_a_git_folder_or_file_inside_the_tree_is_refused_and_its_hook_never_runs(server):
    marker = server.root / "pwned-by-hook"
    hook = f"#!/bin/sh\ntouch {marker}\n"
    blob = out(git(server.work, "hash-object", "-w", "--stdin", stdin=hook))
    config = out(git(server.work, "hash-object", "-w", "--stdin",
                     stdin=f"[core]\n\thooksPath = .\n\tfsmonitor = touch {marker}\n"))
    hooks = make_tree(server.work, [("100755", "blob", blob, "post-checkout")])
    dot_git = make_tree(server.work, [("040000", "tree", hooks, "hooks"), ("100644", "blob", config, "config")])
    head_tree = out(git(server.work, "rev-parse", "HEAD^{tree}"))
    listing = git(server.work, "ls-tree", head_tree).stdout.decode()
    top = [tuple(line.split(None, 3)) for line in listing.splitlines()]
    top = [(mode, kind, oid, name) for mode, kind, oid, name in top]
    sub = make_tree(server.work, [("100644", "blob", config, ".git")])
    tree = make_tree(server.work, [*top, ("040000", "tree", dot_git, ".GIT"), ("040000", "tree", sub, "sub")])
    commit = out(git(server.work, "commit-tree", tree, "-p", "HEAD", "-m", "A .git inside", env=git_env()))
    git(server.work, "update-ref", "refs/heads/main", commit)
    assert_refused(server.push(), server, [
        ".GIT/config: error: a file or folder named .git cannot be part of the site",
        "  hint: remove it from the commit",
        ".GIT/hooks/post-checkout: error: a file or folder named .git cannot be part of the site",
        "  hint: remove it from the commit",
        "sub/.git: error: a file or folder named .git cannot be part of the site",
        "  hint: remove it from the commit",
    ])
    assert not marker.exists()


def test_a_tree_entry_named_dot_dot_is_refused_with_a_located_message_not_a_traceback(server):
    blob = out(git(server.work, "hash-object", "-w", "--stdin", stdin="hostname\n"))
    inner = make_tree(server.work, [("100644", "blob", blob, "escape.txt")])
    listing = git(server.work, "ls-tree", "HEAD").stdout.decode()
    top = [tuple(line.split(None, 3)) for line in listing.splitlines()]
    tree = make_tree(server.work, [*top, ("040000", "tree", inner, ".."), ("100644", "blob", blob, ".")])
    commit = out(git(server.work, "commit-tree", tree, "-p", "HEAD", "-m", "Dots"))
    git(server.work, "update-ref", "refs/heads/main", commit)
    pushed = server.push()
    assert "Traceback" not in pushed.stderr.decode()
    assert_refused(pushed, server, [
        ".: error: a name in the path is '.', '..' or empty, which no checkout can hold (the tree was made by hand)",
        "  hint: remove the entry from the commit",
        "../escape.txt: error: a name in the path is '.', '..' or empty, which no checkout can hold (the tree "
        "was made by hand)",
        "  hint: remove the entry from the commit",
    ])


# --- Names with shell characters ------------------------------------------------------------------

SHELL_NAME = "$(touch pwned-a)`touch pwned-b`;touch pwned-c"


def markers(root: Path) -> list[str]:
    return sorted(path.name for path in root.rglob("pwned-*") if path.name.startswith("pwned-"))


def test_file_and_folder_names_with_shell_characters_are_data(tmp_path, site_repo, capsys):
    # The publishing folder, the branch and the files all carry shell syntax; none of it runs.
    branch = "x$(touch${IFS}pwned-d)`touch${IFS}pwned-e`;touch${IFS}pwned-f"
    assert git(tmp_path, "check-ref-format", "--branch", branch).returncode == 0
    server = Server(tmp_path, site_repo, branch=branch, www_name=f"www {SHELL_NAME}")
    capsys.readouterr()
    server.commit({f"docs/{SHELL_NAME}.txt": "texto\n", "templates/style.css": f"/* {SHELL_NAME} */\n"})
    pushed = server.push(f"HEAD:refs/heads/{branch}")
    said = remote_lines(pushed.stderr)
    assert pushed.returncode == 0 and said[-1].startswith("expediente: ") and " is live (" in said[-1], said
    assert f"/* {SHELL_NAME} */" in (server.www / "current" / "index.html").read_text()
    # A push to main (not the published branch) is neither checked nor published, and runs nothing either.
    assert server.push("HEAD:refs/heads/main").returncode == 0
    assert markers(tmp_path) == [] and markers(Path.cwd()) == []


def test_a_file_name_with_a_line_break_is_refused_and_shown_quoted(server):
    server.commit({"notices/a\nremote: expediente: fake.md": "x", "site_src/tab\there.txt": "y"})
    assert_refused(server.push(), server, [
        '"notices/a\\nremote: expediente: fake.md": error: the file name holds a control character '
        "(a line break, a tab...)",
        "  hint: rename it",
        '"site_src/tab\\there.txt": error: the file name holds a control character (a line break, a tab...)',
        "  hint: rename it",
    ])


def test_a_file_name_that_is_not_utf8_is_refused(server):
    (server.work / "notices").mkdir()
    (server.work / os.fsdecode(b"notices/caf\xe9.md")).write_bytes(b"x")
    git(server.work, "add", "-A")
    git(server.work, "commit", "-q", "-m", "Latin-1")
    assert_refused(server.push(), server, ['"notices/caf\\351.md": error: the file name is not UTF-8',
                                           "  hint: rename it"])


# --- Caches are never read from the pushed tree ----------------------------------------------------

def test_a_committed_cache_folder_is_never_read_by_the_hooks(server):
    # A rollup that claims every check failed, placed where the build would look inside the checkout.
    marker = server.root / "pwned-cache"
    payload = (b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")   # a pickle that runs a command
    server.commit({".expediente-cache/templates/__jinja2_0000.cache": payload,
                   ".expediente-cache/uptime/x.counts": b"expediente uptime counts 3\n{}\n"})
    pushed = server.push()
    assert pushed.returncode == 0, remote_lines(pushed.stderr)
    assert not marker.exists()
    assert (server.www / "cache").is_dir()          # the hooks' caches, beside releases/
    assert not (server.www / "current" / ".expediente-cache").exists()


# --- Leftovers of killed runs -----------------------------------------------------------------------

HOLDER = """\
import sys, time
from generator.write.leftovers import hold_new_folder
held = hold_new_folder(sys.argv[1], sys.argv[2])
open(held.path + "/half-written", "w").write("x")
print(held.path, flush=True)
time.sleep(600)
"""


def start_holder(parent: Path, prefix: str) -> tuple[subprocess.Popen, Path]:
    """Start a process that makes and holds a working folder as a check or build does; return it and the folder."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(parent), prefix], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)
    folder = Path(proc.stdout.readline().strip())
    assert folder.is_dir()
    return proc, folder


def test_working_folders_of_killed_hooks_are_removed_by_the_next_push(server):
    dead_check, dead_folder = start_holder(server.tmp, "expediente-build-")      # killed in pre-receive
    dead_build, dead_build_folder = start_holder(server.tmp, "expediente-build-")
    alive, alive_folder = start_holder(server.tmp, "expediente-build-")
    try:
        for proc in (dead_check, dead_build):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        pushed = server.push()
        assert pushed.returncode == 0, remote_lines(pushed.stderr)
        assert not dead_folder.exists() and not dead_build_folder.exists()
        assert alive_folder.is_dir()         # its run is alive: left alone
        assert sorted(p.name for p in server.tmp.iterdir()) == [alive_folder.name]
    finally:
        alive.kill()
        alive.wait()


def test_a_staging_folder_of_a_killed_build_is_removed_by_the_next_build(tmp_path, make_site):
    site = make_site({"notices/2026-11-20-aviso.md": "---\ntitle: Aviso\ndate: 2026-11-20 10:00\n---\nTexto.\n"})
    out_dir = tmp_path / "public"
    command = [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out_dir),
               "--now", "2026-11-23T10:00:00-03:00", "--no-cache"]
    killed = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    staging: list[Path] = []
    while not staging and time.monotonic() < deadline and killed.poll() is None:
        staging = list(tmp_path.glob(".public.new-*"))
        time.sleep(0.001)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    if not staging:                          # the build ended before it was seen: leave one as a kill would
        proc, folder = start_holder(tmp_path, ".public.new-")
        proc.kill()
        proc.wait()
        staging = [folder]
    assert staging[0].exists()
    alive, alive_folder = start_holder(tmp_path, ".public.new-")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert not staging[0].exists() and alive_folder.is_dir()
    finally:
        alive.kill()
        alive.wait()
