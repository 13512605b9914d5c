"""`expediente init`: a new site that checks and builds at once, its workflows and pre-commit configuration
run by the real tools, and a folder that holds anything left untouched."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.commands.init import REPOSITORY_WORKFLOW, SiteOptions, init_command, render_workflow

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-12-07T10:00:00Z"
OPTIONS = ["--name", "Acme Hosting", "--base-url", "https://help.acme.example/", "--language", "pt-PT,en",
           "--timezone", "Europe/Lisbon", "--holidays", "PT", "--now", NOW]


def tool(name: str) -> str:
    """Return a command installed beside this Python (the test extras) or on PATH; fail when missing."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: the locked test environment (requirements/test.txt) installs it")
    return found


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Return every file below `folder` with its content and modification time."""
    return {path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def new_site(tmp_path, capsys) -> Path:
    site = tmp_path / "acme"
    assert main(["init", str(site), *OPTIONS]) == 0
    capsys.readouterr()
    return site


def test_init_makes_a_site_that_checks_clean_and_builds(new_site, tmp_path, capsys):
    assert main(["check", "--site", str(new_site), "--now", NOW]) == 0
    assert capsys.readouterr().out == f"checked {new_site}: no errors\n"
    out = tmp_path / "out"
    assert main(["build", "--site", str(new_site), "--out", str(out), "--now", NOW]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'lang="pt-PT"' in index and "Acme Hosting" in index and "Apoio" in index
    assert "As nossas páginas de apoio estão online" in (out / "notices" / "2026-12-07-welcome" /
                                                         "index.html").read_text(encoding="utf-8")
    assert (out / "en" / "index.html").is_file()


def test_init_writes_every_promised_file_and_no_placeholder(new_site):
    files = sorted(path.relative_to(new_site).as_posix() for path in new_site.rglob("*") if path.is_file())
    assert files == [".github/workflows/check.yml", ".github/workflows/publish.yml", ".gitignore",
                     ".pre-commit-config.yaml", "README.md", "notices/2026-12-07-welcome.en.md",
                     "notices/2026-12-07-welcome.md", "requirements.txt", "site_src/hours.yaml",
                     "site_src/site.yaml", "site_src/status.yaml", "site_src/support.yaml"]
    for name in files:
        text = (new_site / name).read_text(encoding="utf-8")
        assert not re.search(r"__[A-Z_]+__", text), name
        assert "python build.py" not in text, name
    assert (new_site / "requirements.txt").read_text().splitlines()[-1] == "expediente==0.1.0"
    assert "/public/" in (new_site / ".gitignore").read_text().splitlines()
    workflows = (new_site / ".github/workflows/publish.yml").read_text()
    assert "python -m pip install -r requirements.txt" in workflows and "expediente probe" in workflows
    assert "pip install ." not in workflows


def test_second_init_is_refused_and_changes_nothing(new_site, capsys):
    before = snapshot(new_site)
    assert main(["init", str(new_site), *OPTIONS]) == 2
    assert capsys.readouterr().err == (f"expediente: error: {new_site} is not empty: init starts a site in a new or "
                                       "empty folder, and changes nothing in one that holds files\n")
    assert snapshot(new_site) == before


def test_init_refuses_a_folder_with_one_hidden_file(tmp_path, capsys):
    (tmp_path / ".env").write_text("TOKEN=x\n")
    assert main(["init", str(tmp_path), "--now", NOW], prog="python build.py") == 2
    assert capsys.readouterr().err.startswith(f"python build.py: error: {tmp_path} is not empty")
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


def test_init_takes_a_fresh_git_repository(tmp_path, capsys):
    """`git init` first, or the clone of a new, empty repository: the site goes beside .git."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert main(["init", str(tmp_path), "--now", NOW]) == 0
    assert (tmp_path / "site_src" / "site.yaml").is_file() and (tmp_path / ".git" / "HEAD").is_file()


@pytest.mark.slow   # runs python build.py under another TZ
@pytest.mark.parametrize("machine_zone", ["UTC", "Asia/Tokyo"])
def test_a_naive_now_dates_the_welcome_in_the_sites_zone_not_the_machines(tmp_path, machine_zone):
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "init", str(site), "--timezone", "America/Sao_Paulo",
                           "--now", "2026-11-23T10:00"], env={**os.environ, "TZ": machine_zone},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert "\ndate: 2026-11-23 10:00\n" in (site / "notices/2026-11-23-welcome.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("option", "message"), [
    (["--language", "xx-YY"], "--language: 'xx-YY' is not a language tag with locale data, e.g. pt-BR, pt-PT, en, es"),
    (["--language", "pt_PT"], "--language: write the language 'pt_PT' as 'pt-PT'"),
    (["--language", "en,pt-pt"], "--language: write the language 'pt-pt' as 'pt-PT'"),
    (["--timezone", "Europe/Lisboa"], "--timezone: 'Europe/Lisboa' is not an IANA time zone: did you mean "
                                      "'Europe/Lisbon'?"),
    (["--holidays", "XX"], "--holidays: 'XX' is not a country code that the holidays package knows, "
                           "e.g. BR, PT, ES, US"),
    (["--base-url", "help.acme.example"],
     "--base-url: 'help.acme.example' is not an absolute http(s) address, e.g. https://support.example.com/"),
])
def test_init_refuses_bad_options_before_writing(tmp_path, capsys, option, message):
    site = tmp_path / "site"
    assert main(["init", str(site), *option, "--now", NOW]) == 2
    assert capsys.readouterr().err == f"expediente: error: {message}\n"
    assert not site.exists()


def test_init_asks_on_a_terminal_for_what_is_missing(tmp_path):
    # Each wrong answer is explained and asked again; the right one is kept.
    answers = io.StringIO("Rede Exemplo\najuda.exemplo.example\nhttps://ajuda.exemplo.example\npt_BR, es\n"
                          "pt-BR, es\nAmerica/Recif\nAmerica/Recife\nBrasil\nbr\n")
    shown = io.StringIO()
    site = tmp_path / "site"
    from datetime import datetime

    status = init_command(site, SiteOptions(), datetime.fromisoformat(NOW), "expediente", interactive=True,
                          stdin=answers, stdout=shown)
    assert status == 0
    assert shown.getvalue().startswith("The site's name (your company) [Support]: Its address")
    for said in ("  'ajuda.exemplo.example' is not an absolute http(s) address, e.g. https://support.example.com/",
                 "  write the language 'pt_BR' as 'pt-BR'",
                 "  'America/Recif' is not an IANA time zone: did you mean 'America/Recife'?",
                 "  'BRASIL' is not a country code that the holidays package knows, e.g. BR, PT, ES, US"):
        assert said + "\n" in shown.getvalue(), said
    text = (site / "site_src" / "site.yaml").read_text(encoding="utf-8")
    for line in ('name: "Rede Exemplo"', "base_url: https://ajuda.exemplo.example/", "timezone: America/Recife",
                 "languages: [pt-BR, es]", "  country: BR"):
        assert line in text.splitlines()
    assert (site / "notices" / "2026-12-07-welcome.es.md").is_file()
    assert main(["check", "--site", str(site), "--now", NOW]) == 0


def test_init_prints_the_next_commands_as_the_user_runs_them(tmp_path, capsys):
    assert main(["init", str(tmp_path / "my site"), "--now", NOW]) == 0
    assert capsys.readouterr().out == (f"created a new site in '{tmp_path}/my site'; next:\n"
                                       f"  cd '{tmp_path}/my site'\n  expediente serve\n"
                                       "  git init && git add -A && git commit -m 'A new support site'\n")


def test_the_starters_commented_examples_validate_once_uncommented(new_site, capsys):
    """Every commented example in hours.yaml, support.yaml and status.yaml is a working one."""
    for name in ("support.yaml", "status.yaml"):
        path = new_site / "site_src" / name
        path.write_text(re.sub(r"(?m)^# (\s*(?:- )?[a-z_]+:.*|\s+- .*)$", r"\1", path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    hours = new_site / "site_src" / "hours.yaml"
    text = hours.read_text(encoding="utf-8")
    examples = re.findall(r"(?m)^          # (\w[\w,-]*: .+?)(?:[ ]+#.*)?$", text)
    assert len(examples) == 6
    regular = "          mon-fri: 09:00-18:00\n          sat: closed\n          sun: closed\n"
    assert regular in text
    for example in examples:
        hours.write_text(text.replace(regular, f"          {example}\n"), encoding="utf-8")
        assert main(["check", "--site", str(new_site), "--now", NOW, "--strict"]) == 0, example
    chat = re.sub(r"(?m)^      # ", "      ", text)
    hours.write_text(chat, encoding="utf-8")
    assert main(["check", "--site", str(new_site), "--now", NOW, "--strict"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_the_new_sites_workflows_pass_actionlint(new_site):
    shellcheck = tool("shellcheck")
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(shellcheck).parent), os.environ.get("PATH", "")]))
    workflows = sorted(str(p) for p in (new_site / ".github" / "workflows").glob("*.yml"))
    result = subprocess.run([tool("actionlint"), "-no-color", "-oneline", *workflows], cwd=new_site, env=env,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("name", ["check.yml", "publish.yml"])
def test_this_repositorys_workflows_are_the_starters_own(name):
    """One text for both: this repository (itself an example site) runs its own code, a new site the release."""
    assert render_workflow(name, REPOSITORY_WORKFLOW) == (ROOT / ".github" / "workflows" / name).read_text()


def git(site: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=site, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_the_pre_commit_framework_runs_the_check(new_site, tmp_path):
    """`pre-commit run` (the framework, from the new site's .pre-commit-config.yaml) stops a wrong weekday."""
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
               GIT_AUTHOR_NAME="Staff", GIT_AUTHOR_EMAIL="staff@example.com",
               GIT_COMMITTER_NAME="Staff", GIT_COMMITTER_EMAIL="staff@example.com")
    assert git(new_site, "init", "-q", env=env).returncode == 0
    assert git(new_site, "add", "-A", env=env).returncode == 0
    run = [tool("pre-commit"), "run", "--all-files"]
    good = subprocess.run(run, cwd=new_site, env=env, capture_output=True, text=True, timeout=300)
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"expediente check\.+Passed", good.stdout)
    notice = new_site / "notices" / "2026-12-07-natal.md"
    notice.write_text("---\ntitle: Natal\ndate: 2026-12-07 10:00\nperiod: 2026-12-24..2026-12-25\nchanges:\n"
                      "  - date: 2026-12-24\n    weekday: quarta-feira\n    closed: true\n---\nFechados.\n",
                      encoding="utf-8")
    git(new_site, "add", "-A", env=env)
    bad = subprocess.run(run, cwd=new_site, env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1
    assert re.search(r"expediente check\.+Failed", bad.stdout)
    assert ("notices/2026-12-07-natal.md:7:14: error: 2026-12-24 is a Thursday (quinta-feira), not quarta-feira"
            in bad.stdout)


def test_a_language_served_by_its_base_languages_catalog_is_not_warned_about(tmp_path, capsys):
    """'pt' is written with pt-BR's catalog (CLDR's 'pt' is Brazilian) and 'es-MX' with es's: the pages are in
    Portuguese and Spanish, so no warning says their labels will be in English; 'fr' has no catalog and is."""
    site = tmp_path / "site"
    assert main(["init", str(site), "--language", "pt,es-MX,fr", "--timezone", "America/Sao_Paulo",
                 "--now", NOW]) == 0
    capsys.readouterr()
    assert main(["check", "--site", str(site), "--now", NOW]) == 0
    assert capsys.readouterr().err == ("site_src/site.yaml:7:24: warning: the interface is not translated to 'fr'; "
                                       "its labels will be in English\n"
                                       "  hint: translated: 'pt-BR', 'pt-PT', 'en' and 'es'\n")
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'lang="pt"' in index and "Horário" in index


def test_a_site_made_in_the_current_folder_is_not_told_to_cd_into_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init", ".", "--now", NOW]) == 0
    assert capsys.readouterr().out == ("created a new site in .; next:\n  expediente serve\n"
                                       "  git init && git add -A && git commit -m 'A new support site'\n")
    assert (tmp_path / "site_src" / "site.yaml").is_file()
