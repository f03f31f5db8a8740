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


#: Whether the collected tests (in this process) read the built reports; set at collection.
WANTS_REPORTS = False


def _shared_build(tmp_path_factory) -> tuple[Path, Path, Path]:
    """Where the session's one build of every report goes, its log, and its exit status (written when it ends):
    under pytest-xdist, in the folder common to all workers (the parent of each worker's base temp)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return shared / "built-reports", shared / "built-reports.log", shared / "built-reports.status"


def pytest_collection_finish(session) -> None:
    """Note whether any test that will run (after ``-k`` and ``-m``) reads the built reports."""
    global WANTS_REPORTS
    WANTS_REPORTS = any("built_reports" in getattr(item, "fixturenames", ()) for item in session.items)


#: The build this process started in the background, if any (it is waited for at the end of the session).
_BACKGROUND: list[subprocess.Popen] = []


@pytest.fixture(scope="session", autouse=True)
def start_the_shared_build(tmp_path_factory, shared_site_cache):
    """Start the one build of every report as the session starts, in the background, if any collected test reads
    it: the workers run other tests meanwhile instead of waiting idle for it (about 35 s)."""
    if WANTS_REPORTS:
        import fcntl

        out, log, status = _shared_build(tmp_path_factory)
        with open(out.parent / "built-reports.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one worker starts it; the others find it started
            if not log.exists():
                log.touch()  # started: a worker that takes the lock next finds it so
                command = '"$0" -m analysis build --force --out "$1" > "$2" 2>&1; echo $? > "$3.tmp" && mv "$3.tmp" "$3"'
                _BACKGROUND.append(subprocess.Popen(["sh", "-c", command, sys.executable, str(out), str(log), str(status)],
                                                    cwd=ROOT, env=dict(os.environ)))  # fmt: skip
    yield
    for process in _BACKGROUND:
        process.wait()


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory, start_the_shared_build) -> Path:
    """Every report, built from the shipped notebooks and data into a temporary folder, once per test run (started
    by :func:`start_the_shared_build`). Under pytest-xdist the workers share it. Tests must only read it."""
    import time

    out, log, status = _shared_build(tmp_path_factory)
    deadline = time.monotonic() + 900
    while not status.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"the shared build did not finish in 900 s: {log.read_text(encoding='utf-8')[-2000:]}")
        time.sleep(0.2)
    if status.read_text(encoding="utf-8").strip() != "0":
        raise AssertionError(f"build failed:\n{log.read_text(encoding='utf-8')}")
    return out


@pytest.fixture(scope="session", autouse=True)
def shared_site_cache(tmp_path_factory) -> Path:
    """Every build the tests start shares one site cache (``ANALYSIS_SITE_CACHE``): the landing page's charts and map,
    drawn once per data content instead of in each of some forty fresh output folders (about 4 s each)."""
    shared = tmp_path_factory.getbasetemp()
    folder = (shared.parent if os.environ.get("PYTEST_XDIST_WORKER") else shared) / "site-cache"
    os.environ["ANALYSIS_SITE_CACHE"] = str(folder)
    return folder


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
