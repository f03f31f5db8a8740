"""Shared fixtures: the repository's paths, and the reports built once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths

ROOT = paths.ROOT
DATA = paths.DATA_DIR
NOTEBOOKS = paths.NOTEBOOK_DIR


def run_build(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``python -m analysis build`` in a subprocess, as a user would."""
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "build", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, **(env or {})),
        timeout=900,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory) -> Path:
    """Every report, built from the shipped notebooks and data into a temporary folder (once per session)."""
    out = tmp_path_factory.mktemp("reports")
    run_build("--force", "--out", str(out))
    return out


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's chromium: installed in CI (CI=true) if missing, else the test is skipped."""
    path = shutil.which("chromium")
    if path is None and os.environ.get("CI") == "true":
        import fcntl
        import tempfile

        # two test workers may both need it: one installs, the other waits for the lock, then finds it installed
        with open(Path(tempfile.gettempdir()) / "ukraine-guarantees-chromium.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path = shutil.which("chromium")
            if path is None:
                subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
                subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True)
                path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed: the browser check needs it (Debian: apt-get install chromium)")
    return path
