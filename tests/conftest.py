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
    """Every report, built from the shipped notebooks and data into a temporary folder, once per test run.

    Under pytest-xdist the workers share one build: the first to get the lock builds, the others wait for it and
    read the same folder (the pattern of xdist's docs: the parent of each worker's base temp is common to all).
    Tests must only read it.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # one process (no xdist, or -p no:xdist): build here
        out = tmp_path_factory.mktemp("reports")
        run_build("--force", "--out", str(out))
        return out
    import fcntl

    shared = tmp_path_factory.getbasetemp().parent
    out, done = shared / "built-reports", shared / "built-reports.done"
    with open(shared / "built-reports.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            run_build("--force", "--out", str(out))
            done.write_text("ok", encoding="utf-8")
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


#: Fixtures that build reports or start processes: a test that uses one is marked ``slow``.
SLOW_FIXTURES = {"built_reports", "injected_reports", "built_project", "project"}
SLOW_MODULES = {"test_build.py", "test_execute.py"}


def pytest_collection_modifyitems(items) -> None:
    """Mark tests by what they use, so `-m "not slow"` or `-m "not browser"` picks a quick subset (CI runs all)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)
        if fixtures & SLOW_FIXTURES or item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
