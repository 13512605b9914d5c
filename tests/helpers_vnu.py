"""External checkers for the tests: find them, and fail (under CI) or skip (elsewhere) when one is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(ok: bool, what: str, how: str) -> None:
    """Stop the test when a checker is missing: fail when the CI variable is set, skip otherwise."""
    if ok:
        return
    message = f"{what} is missing; {how}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(message)


def require_vnu() -> tuple[str, Path]:
    """Return (java, vnu.jar) for the Nu HTML Checker, or stop the test when either is missing."""
    java = shutil.which("java")
    require(java is not None, "java (a Java runtime, 11 or later)",
            "install one, e.g. `apt-get install default-jre-headless`")
    require(VNU_JAR.is_file(), f"the Nu HTML Checker ({VNU_JAR.relative_to(ROOT)})",
            "run `npm ci` in the repository root")
    return java, VNU_JAR


def run_vnu(files: list[Path]) -> subprocess.CompletedProcess:
    """Check every file in one Nu HTML Checker run (the JVM takes seconds to start); errors only, GNU format."""
    java, jar = require_vnu()
    command = [java, "-jar", str(jar), "--errors-only", "--format", "gnu", *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=300)
