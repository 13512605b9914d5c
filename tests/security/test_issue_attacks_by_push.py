"""The six attacks of issue 13, each made as an attacker with push rights would make it: a commit of the
example site pushed with real git to a bare repository whose hooks `install-server-hooks` installed.

Each test asserts that the push was refused with the located message and nothing was published, or
that the payload did not run (its marker file does not exist) and nothing leaked (neither the
published files nor what the pusher reads hold the target's text). Attacks the issue names that
tests/security/test_push_attacks.py already pushes are not repeated here; docs/security.md maps
each attack to its tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from helpers_push_attacks import Server, assert_refused, git, make_site_repo, out, remote_lines
from test_cache_attacks import plant_caches
from test_output_attacks import INJECTED_KEY, runner_commands

# Each test pushes to a repository whose hooks build the site in processes of their own.
pytestmark = [pytest.mark.skipif(shutil.which("git") is None, reason="needs git"), pytest.mark.slow]

QUICK = 20           # seconds for a push that is refused, on a crowded machine
HOURS_NOTICE = "notices/2026-11-10-treinamento-equipe.md"   # type: hours
INFO_NOTICE = "notices/2026-11-03-whatsapp-comercial.md"
SANDBOX_HINT = ("  hint: templates run in a sandbox: they may use the values, filters and tests the pages give them, "
                "not Python's internals (docs/security.md)")
SECRET = "database_password: hunter2\nprobe_token: s3cr3t\n"


@pytest.fixture(scope="module")
def site_repo(tmp_path_factory) -> Path:
    """The example site (site_src/ and notices/), committed once for the module."""
    files = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
             for folder in ("site_src", "notices") for path in sorted((ROOT / folder).rglob("*")) if path.is_file()}
    return make_site_repo(tmp_path_factory.mktemp("example") / "site", files)


@pytest.fixture
def server(tmp_path, site_repo, capsys) -> Server:
    made = Server(tmp_path, site_repo)
    capsys.readouterr()
    return made


def text_of(work: Path, rel: str) -> str:
    return (work / rel).read_text(encoding="utf-8")


def published(server: Server) -> str:
    """Return the text of every file of every release (nothing when none was written)."""
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in sorted((server.www / "releases").rglob("*")) if p.is_file())


def timed_push(server: Server) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    pushed = server.push()
    return pushed, time.perf_counter() - started


def assert_accepted(pushed: subprocess.CompletedProcess, server: Server) -> list[str]:
    """The push went live; return what the pusher read."""
    said = remote_lines(pushed.stderr)
    head = out(git(server.work, "rev-parse", "HEAD"))
    assert pushed.returncode == 0, said
    assert said[-2:] == [f"expediente: {head[:10]} checked and built: no errors",
                         f"expediente: {head[:10]} is live ({server.www / 'current'} -> releases/{head})"], said
    return said


# --- 1. Code on the server through a pushed template ---------------------------------------------

@pytest.mark.parametrize(("payload", "message"), [
    ("{{ cycler.__init__.__globals__.os.popen('touch @MARKER@').read() }}",
     "not allowed in a template: access to attribute '__init__' of 'type' object is unsafe"),
    ("{{ _.__globals__['os'].popen('touch @MARKER@').read() }}",
     "not allowed in a template: access to attribute '__globals__' of 'function' object is unsafe"),
    ("{{ self.__init__.__globals__.__builtins__.__import__('os').popen('touch @MARKER@').read() }}",
     "not allowed in a template: access to attribute '__init__' of 'TemplateReference' object is unsafe"),
])
def test_a_pushed_template_that_runs_code_is_refused_at_the_push(server, payload, message):
    # Before, pre-receive rendered no template: the push was "checked: no errors", and post-receive ran
    # the command and published its output. Now pre-receive builds the site and refuses the push.
    marker = server.root / "MARKER"
    server.commit({"templates/style.css": payload.replace("@MARKER@", str(marker))})
    pushed, took = timed_push(server)
    assert_refused(pushed, server, [f"templates/style.css:1:1: error: {message}", SANDBOX_HINT])
    assert not marker.exists() and took < QUICK


def test_a_template_that_fails_only_when_rendered_is_refused_at_the_push(server):
    # Any failure of a template, not only the sandbox's: pre-receive checks exactly what post-receive does.
    server.commit({"templates/style.css": "body { color: {{ cor_do_texto }} }\n"})
    pushed = server.push()
    assert_refused(pushed, server, [
        "templates/style.css:1:1: error: 'cor_do_texto' is undefined",
    ])


def test_a_template_that_includes_a_server_file_is_refused_and_leaks_nothing(server):
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip()
    server.commit({"templates/style.css": "/* {% include '/etc/hostname' %} */\n"})
    pushed = server.push()
    assert_refused(pushed, server, [
        "templates/style.css:1:1: error: the template name '/etc/hostname' is an absolute path: templates are "
        "named by their path inside templates/, e.g. 'parts/footer.html'",
        "  hint: a template may include, import or extend only the theme's own templates, by their path inside "
        "templates/ (e.g. 'parts/footer.html'), never through a symbolic link",
    ])
    if len(hostname) >= 6:    # a name short enough to appear anywhere by chance proves nothing
        assert hostname not in pushed.stderr.decode()


# --- 2. Code on the server through a committed template cache ---------------------------------------

def test_a_committed_template_cache_runs_neither_on_the_server_nor_on_a_colleagues_machine(server):
    marker = server.root / "MARKER"
    planted = plant_caches(server.work, marker)     # Jinja's pickles and forged sealed files, every name
    git(server.work, "add", "-f", ".expediente-cache")
    assert planted > 30
    server.commit({}, "Speed up the build")
    said = assert_accepted(server.push(), server)
    assert any(line.startswith(".expediente-cache:1:1: warning: the build cache is committed") for line in said)
    assert not marker.exists()
    assert not (server.www / "current" / ".expediente-cache").exists()
    # A colleague clones the published repository and builds it, twice (the second build warm).
    colleague = server.root / "colleague"
    git(server.root, "clone", "-q", str(server.bare), str(colleague))
    env = {**os.environ, "XDG_CACHE_HOME": str(server.root / "colleague-cache")}
    for _ in range(2):
        built = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--site", str(colleague), "--out",
                                str(server.root / "colleague-out")], capture_output=True, text=True, timeout=300,
                               env=env)
        assert built.returncode == 0, built.stderr
        assert ".expediente-cache:1:1: warning: the build cache is committed" in built.stderr
        assert not marker.exists()


# --- 3. Links to server files, and a check that could be skipped --------------------------------------
# export-ignore hiding a notice or a link from the check, and templates/leak.txt -> /etc/hostname:
# test_push_attacks.py::test_export_ignore_no_longer_hides_a_link_to_a_server_file and the others there.

@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_a_support_file_linked_to_a_private_file_is_refused_without_echoing_its_keys(server, how):
    private = server.root / "private.yaml"
    private.write_text(SECRET, encoding="utf-8")
    target = str(private) if how == "absolute" else "../" * 12 + str(private).lstrip("/")
    (server.work / "site_src" / "support.yaml").unlink()
    server.link("site_src/support.yaml", target)
    server.commit({}, "Support from the shared file")
    pushed = server.push()
    message = (f"a symbolic link to the absolute path '{target}' is refused" if how == "absolute"
               else f"the symbolic link to '{target}' leads out of the site")
    assert_refused(pushed, server, [f"site_src/support.yaml: error: {message}",
                                    "  hint: commit the file itself instead of a link to it"])
    for word in ("database_password", "hunter2", "probe_token", "s3cr3t"):
        assert word not in pushed.stderr.decode()


# --- 4. Tiny inputs that cost minutes and gigabytes ------------------------------------------------------
# 300 MB of zeros: test_push_attacks.py::test_a_size_bomb_is_refused_before_one_file_is_extracted.

def test_a_120_byte_notice_over_a_thousand_years_is_refused_quickly(server):
    notice = "---\ntitle: Aviso\ndate: 2026-11-20 10:00\nchanges:\n  - dates: 2026-12-01..2999-12-31\n" \
             "    closed: true\n---\nAviso.\n"
    assert len(notice.encode()) <= 120
    server.commit({"notices/2026-11-20-x.md": notice})
    pushed, took = timed_push(server)
    assert_refused(pushed, server, [
        "notices/2026-11-20-x.md:5:12: error: the year 2999 is outside the years a site may name (1970 to 2200)"])
    assert took < QUICK


def test_ten_thousand_intervals_in_hours_yaml_are_refused_quickly(server):
    day = ", ".join(f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60 + 1:02d}" for m in range(0, 1440, 2))
    week = "{" + ", ".join(f"{name}: [{day}]" for name in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")) + "}"
    channels = [f"      - id: c{n}\n        type: phone\n        contact: \"+55 13 3500-000{n}\"\n        hours: {week}"
                for n in range(2)]
    hours = "departments:\n  - id: suporte\n    name: Suporte\n    channels:\n" + "\n".join(channels) + "\n"
    assert hours.count("-") > 10_000 and len(hours.encode()) > 130_000
    shutil.rmtree(server.work / "notices")
    server.commit({"site_src/hours.yaml": hours})
    pushed, took = timed_push(server)
    said = remote_lines(pushed.stderr)
    assert pushed.returncode == 1 and took < QUICK, said
    assert said[0] == ("site_src/hours.yaml:8:127: error: more intervals in one day of one channel than the limit "
                       "of 8 (720) (limits: intervals_per_day)"), said
    assert said[-1].endswith("was refused; nothing was published") and "internal error" not in said
    assert not (server.www / "current").exists() and published(server) == ""


# --- 5. Content that passed the check and crashed the build ---------------------------------------------

def test_a_form_feed_pasted_into_a_notice_is_dropped_with_a_warning_the_pusher_reads(server):
    text = text_of(server.work, INFO_NOTICE).replace("\n---\n", "\n---\nPágina 1 de 2\x0cPágina 2\n", 1)
    server.commit({INFO_NOTICE: text})
    said = assert_accepted(server.push(), server)
    assert f"{INFO_NOTICE}:7:14: warning: the control character U+000C was dropped from the text" in said
    assert "\x0c" not in published(server) and "Página 1 de 2Página 2" in published(server)


@pytest.mark.parametrize(("rel", "old", "new", "expected"), [
    (HOURS_NOTICE, "title: ", 'title: "\\x07', [
        f"{HOURS_NOTICE}:2:8: error: the text holds the control character U+0007, which pages, feeds and calendars "
        "cannot carry",
        "  hint: remove it: it is written as an escape such as \\f or \\x07 in quotes, or was pasted in with the text"]),
    (HOURS_NOTICE, "title: ", 'title: "Linha\\n', [
        f"{HOURS_NOTICE}:2:8: error: title must be one line; it holds a line break",
        "  hint: write it on one line; in quotes, '\\n' is a line break"]),
    (INFO_NOTICE, "date: 2026-11-03 09:30", "date: 9999-12-31 23:59", [
        f"{INFO_NOTICE}:3:7: error: the year 9999 is outside the years a site may name (1970 to 2200)"]),
], ids=["control_character_in_title", "line_break_in_hours_title", "year_9999"])
def test_content_that_crashed_the_build_is_refused_with_a_located_message(server, rel, old, new, expected):
    text = text_of(server.work, rel)
    line = next(line for line in text.splitlines() if line.startswith(old))
    changed = line.replace(old, new, 1) + ('"' if new.startswith('title: "') else "")
    server.commit({rel: text.replace(line, changed, 1)})
    pushed = server.push()
    assert "internal error" not in pushed.stderr.decode()
    assert_refused(pushed, server, expected)


def test_a_notice_that_is_a_link_loop_is_refused_with_a_located_message(server):
    server.link("notices/2026-11-30-loop.md", "2026-11-30-loop.md")
    server.commit({}, "Loop")
    pushed = server.push()
    assert "internal error" not in pushed.stderr.decode()
    assert_refused(pushed, server, [
        "notices/2026-11-30-loop.md: error: the symbolic link to '2026-11-30-loop.md' is a loop: following it "
        "leads back to it (or through more than 40 links)",
        "  hint: commit the file itself instead of a link to it"])


# --- 6. Workflow-command injection -------------------------------------------------------------------------

def test_a_key_that_would_command_the_ci_runner_commands_nothing(server, site_repo):
    site_yaml = text_of(server.work, "site_src/site.yaml") + f"{INJECTED_KEY}: 1\n"
    head = server.commit({"site_src/site.yaml": site_yaml})
    pushed = server.push()
    said = remote_lines(pushed.stderr)
    # The pusher reads the key on one line, escaped: no forged "remote:" line, and nothing that the runner of
    # a CI job deploying by `git push` would obey (its ##[ is broken as check --format github breaks it).
    assert said == [
        "site_src/site.yaml:16:1: error: the text holds the control character U+000D, which pages, feeds and "
        "calendars cannot carry",
        "  hint: remove it: it is written as an escape such as \\f or \\x07 in quotes, or was pasted in with the text",
        "site_src/site.yaml:16:1: error: unknown key 'x\\n::add-mask::hunter2\\n  ::warning title=forged::all is "
        "well\\r::stop-commands::forever\\n# #[error]forged' in site.yaml",
        "  hint: site.yaml takes 'name', 'base_url', 'timezone', 'languages', 'holidays', 'description' or 'limits'",
        "2 errors",
        f"expediente: the push of {head[:10]} to main was refused; nothing was published"]
    assert runner_commands(pushed.stderr.decode()) == []
    # CI checks the pusher's branch in a clone of it, with --format github.
    clone = server.root / "ci"
    git(server.root, "clone", "-q", str(server.work), str(clone))
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--site", str(clone), "--format",
                           "github"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    # Two annotations (the control character, the unknown key), the folded list, and its stop: nothing else.
    assert runner_commands(done.stdout) == ["error", "error", "group", "stop-commands", "endgroup"]


# --- Output folders that are links ---------------------------------------------------------------------------

def test_a_committed_output_folder_that_is_a_link_is_refused_by_the_push_and_by_a_colleagues_build(server):
    victim = server.root / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("kept\n", encoding="utf-8")
    server.link("public", "../victim")
    server.commit({}, "Build into public/")
    assert_refused(server.push(), server, ["public: error: the symbolic link to '../victim' leads out of the site",
                                           "  hint: commit the file itself instead of a link to it"])
    # A colleague who clones the branch and builds into the committed public/ writes nothing through it.
    colleague = server.root / "colleague"
    git(server.root, "clone", "-q", str(server.work), str(colleague))
    built = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--site", str(colleague), "--out",
                            str(colleague / "public")], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "XDG_CACHE_HOME": str(server.root / "colleague-cache")})
    assert built.returncode == 1
    assert built.stderr == (f"error: {colleague / 'public'} is a symbolic link; the output folder is replaced whole "
                            "on every build, never written through a link: give the folder itself to --out; the "
                            "previous output was left as it was\n")
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in colleague.iterdir()) == [".git", "notices", "public", "site_src"]


def test_a_current_link_that_points_elsewhere_is_replaced_never_written_through(server):
    victim = server.root / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("kept\n", encoding="utf-8")
    os.symlink(victim, server.www / "current")       # left by an earlier set-up of the web server
    head = out(git(server.work, "rev-parse", "HEAD"))
    assert_accepted(server.push(), server)
    assert os.readlink(server.www / "current") == f"releases/{head}"
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]

