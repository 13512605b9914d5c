"""The GitHub Actions workflows: linted by actionlint (with ShellCheck for the scripts), their shape
checked, and the shell of the steps that decide things run here against fakes of curl and a remote."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")


def load(name: str) -> dict:
    """Read a workflow with every scalar a string (YAML 1.1 would read the key `on` as True)."""
    return yaml.load((WORKFLOWS / name).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def step(workflow: dict, job: str, step_id: str) -> dict:
    return next(s for s in steps(workflow, job) if s.get("id") == step_id)


def tool(name: str) -> str | None:
    """Return a command installed beside this Python (the test extras) or on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)


# --- Lint ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_actionlint():
    linter, shellcheck = tool("actionlint"), tool("shellcheck")
    missing = [name for name, found in (("actionlint", linter), ("shellcheck", shellcheck)) if found is None]
    if missing:
        message = f"{' and '.join(missing)} not found: pip install -e '.[test]' installs them"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # actionlint runs ShellCheck on every `run:` script when it finds it on PATH.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(shellcheck).parent), os.environ.get("PATH", "")]))
    result = subprocess.run([linter, "-no-color", "-oneline", *map(str, FILES)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


# --- Shape ---------------------------------------------------------------------------------------

def test_the_workflows():
    assert [path.name for path in FILES] == ["check.yml", "publish.yml", "refresh-lock.yml"]


def test_actions_are_pinned_by_major_version():
    used = sorted({s["uses"] for path in FILES for job in load(path.name)["jobs"].values()
                   for s in job["steps"] if "uses" in s})
    assert used == ["actions/checkout@v6", "actions/configure-pages@v6", "actions/deploy-pages@v5",
                    "actions/setup-node@v6", "actions/setup-python@v6", "actions/upload-pages-artifact@v5"]
    assert all(re.fullmatch(r"actions/[a-z-]+@v\d+", name) for name in used)


def test_the_lock_is_refreshed_only_when_the_tests_pass_on_the_newest_versions():
    workflow = load("refresh-lock.yml")
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    job = workflow["jobs"]["refresh"]
    by_name = {s.get("name"): s for s in job["steps"]}
    lock = by_name["Lock the newest allowed versions"]["run"]
    for output in ("requirements/test.txt", "requirements/run.txt"):
        assert f"--output-file {output}" in lock
    assert lock.count("--upgrade --generate-hashes") == 2
    tests = by_name["Run the tests on them"]
    assert (tests["id"], tests["continue-on-error"]) == ("tests", "true") and "bash .ci/run" in tests["run"]
    assert by_name["Open a pull request with the new lock"]["if"] == "steps.tests.outcome == 'success'"
    assert "gh pr create" in by_name["Open a pull request with the new lock"]["run"]
    assert by_name["Open an issue with the failing tests"]["if"] == "steps.tests.outcome == 'failure'"
    assert "gh issue create" in by_name["Open an issue with the failing tests"]["run"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write"}


def test_pull_requests_are_annotated():
    workflow = load("check.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    runs = [s.get("run") for s in steps(workflow, "check")]
    assert "python build.py check --format github" in runs
    assert runs.index("python build.py check --format github") > runs.index("python -m pip install .")


def test_publish_triggers_and_concurrency():
    workflow = load("publish.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["on"]["schedule"] == [{"cron": "*/5 * * * *"}]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": "false"}


def test_publish_builds_then_deploys_to_pages():
    workflow = load("publish.yml")
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "write", "pages": "read"}
    assert steps(workflow, "build")[0] == {"uses": "actions/checkout@v6", "with": {"fetch-depth": "0"}}
    runs = [s.get("run", "") for s in steps(workflow, "build")]
    assert "python build.py build --out _site" in runs
    upload = next(s for s in steps(workflow, "build") if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"] == {"path": "_site"}
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"] for s in deploy["steps"]] == ["actions/deploy-pages@v5"]


def test_publish_probes_only_on_schedule():
    probe = step(load("publish.yml"), "build", "probe")
    assert probe["run"] == "python build.py probe"
    assert probe["if"] == "github.event_name == 'schedule' && hashFiles('site_src/status.yaml') != ''"
    assert probe["continue-on-error"] == "true"


# --- The steps' shell, run here -------------------------------------------------------------------

def run_step(script: str, env: dict[str, str], tmp_path: Path, cwd: Path, fakes: dict[str, str]) -> dict:
    """Run a step's script as GitHub does (bash -eo pipefail) with fake commands first on PATH; return its outputs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in {"python": f'exec "{sys.executable}" "$@"', "sleep": "exit 0", **fakes}.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    full_env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", GITHUB_OUTPUT=str(output),
                    GITHUB_RUN_ID="1", **env)
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                            env=full_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())


UNREACHABLE = 'touch "$0.called"\nexit 22'   # curl's status for an HTTP error, with -f


def served(generated_at: str) -> str:
    """A fake curl that serves an api/hours.json built at `generated_at`, and notes that it was asked."""
    return f"touch \"$0.called\"\necho '{json.dumps({'generated_at': generated_at})}'"


@pytest.mark.slow
@pytest.mark.parametrize("event, probed, curl, due, asked", [
    ("push", "", UNREACHABLE, "true", False),
    ("workflow_dispatch", "", UNREACHABLE, "true", False),
    ("schedule", "true", UNREACHABLE, "true", False),        # new probe rows: always publish
    ("schedule", "", UNREACHABLE, "true", True),             # nothing deployed yet, or unreachable
    ("schedule", "false", served("2020-01-01T00:00:00+00:00"), "true", True),   # a change is overdue
    ("schedule", "false", "LATER", "false", True),           # the next change is still to come
])
def test_whether_to_publish(tmp_path, event, probed, curl, due, asked):
    if curl == "LATER":
        curl = served((datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0).isoformat())
    script = step(load("publish.yml"), "build", "due")["run"]
    outputs = run_step(script, {"EVENT": event, "PROBED": probed, "SITE_URL": "https://example.github.io/site/"},
                       tmp_path, ROOT, {"curl": curl})
    assert outputs == {"due": due}
    assert (tmp_path / "bin" / "curl.called").exists() == asked


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Someone", "-c", "user.email=someone@example.net", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def remote(tmp_path, monkeypatch):
    """A bare repository standing for GitHub, and a clone of it standing for the runner's checkout."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True)
    (work / "site_src" / "uptime" / "website").mkdir(parents=True)
    (work / "site_src" / "uptime" / "website" / "2026-11.csv").write_text("time,ok,latency_ms,detail\n")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Start")
    git(work, "push", "-q", "origin", "HEAD:main")
    return origin, work


@pytest.mark.slow
def test_probe_rows_are_committed_by_the_bot(tmp_path, remote):
    origin, work = remote
    with (work / "site_src/uptime/website/2026-11.csv").open("a") as rows:
        rows.write("2026-11-23T13:00:05Z,1,182.4,HTTP 200\n")
    script = step(load("publish.yml"), "build", "commit")["run"]
    assert run_step(script, {"BRANCH": "main"}, tmp_path, work, {}) == {"changed": "true"}
    log = git(origin, "log", "-1", "--format=%an <%ae>|%cn|%s", "main")
    assert log == f"{BOT[0]} <{BOT[1]}>|{BOT[0]}|Probe results\n"


@pytest.mark.slow
def test_probe_rows_go_on_top_of_a_push_made_meanwhile(tmp_path, remote):
    origin, work = remote
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(origin), str(other)], check=True)
    (other / "notices").mkdir()
    (other / "notices" / "2026-11-23-aviso.md").write_text("---\ntitle: Aviso\ndate: 2026-11-23 10:00\n---\n")
    git(other, "add", ".")
    git(other, "commit", "-q", "-m", "A notice")
    git(other, "push", "-q", "origin", "HEAD:main")
    with (work / "site_src/uptime/website/2026-11.csv").open("a") as rows:
        rows.write("2026-11-23T13:00:05Z,1,182.4,HTTP 200\n")
    script = step(load("publish.yml"), "build", "commit")["run"]
    assert run_step(script, {"BRANCH": "main"}, tmp_path, work, {}) == {"changed": "true"}
    assert git(origin, "log", "--format=%s", "main").splitlines() == ["Probe results", "A notice", "Start"]


@pytest.mark.slow
def test_no_new_rows_no_commit(tmp_path, remote):
    origin, work = remote
    script = step(load("publish.yml"), "build", "commit")["run"]
    assert run_step(script, {"BRANCH": "main"}, tmp_path, work, {}) == {"changed": "false"}
    assert git(origin, "log", "--format=%s", "main").splitlines() == ["Start"]
