"""Shared fixtures: the repository's paths, and the reports built once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import warm

from analysis import paths
from analysis.build.execute import quiet_imports

# Before any test module imports nbformat: skip the optional IRI grammar jsonschema would build (~2.5 s in each test
# process), as every build process does (see quiet_imports).
quiet_imports()

ROOT = paths.ROOT
DATA = paths.DATA_DIR
NOTEBOOKS = paths.NOTEBOOK_DIR


def run_build(*args: str, env: dict | None = None, check: bool = True, fresh: bool = False) -> subprocess.CompletedProcess:
    """Run ``python -m analysis build`` as a user would: in a fork of the warm server (tests/warm.py), or in a fresh
    interpreter (``fresh``), which also hands the build over to a second process as a user's build does."""
    result = warm.run(["build", *args], cwd=ROOT, env=dict(os.environ, **(env or {})), timeout=900, fresh=fresh)
    if check and result.returncode != 0:
        raise AssertionError(f"build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def common_dir(tmp_path_factory) -> Path:
    """A folder every test process of this run shares: under pytest-xdist, the parent of each worker's base temp
    (the pattern of xdist's docs); in a single process, its base temp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once(tmp_path_factory, name: str, make) -> str:
    """Run ``make(folder)`` once per test run for all workers (the first to take the lock makes it, the others wait)
    and return what it returned, as a string; ``folder`` is ``name`` in :func:`common_dir`."""
    import fcntl

    shared = common_dir(tmp_path_factory)
    done = shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            done.write_text(make(shared / name), encoding="utf-8")
    return done.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory, shared_site_cache) -> Path:
    """Every report, built from the shipped notebooks and data into a temporary folder, once per test run and
    shared by the workers. Tests must only read it."""
    once(tmp_path_factory, "built-reports", lambda out: run_build("--force", "--out", str(out), fresh=True) and "ok")
    return common_dir(tmp_path_factory) / "built-reports"


@pytest.fixture(scope="session", autouse=True)
def shared_site_cache(tmp_path_factory) -> Path:
    """Every build the tests start shares one site cache (``ANALYSIS_SITE_CACHE``): the landing page's charts and map,
    drawn once per data content instead of in each of some forty fresh output folders (about 4 s each)."""
    folder = common_dir(tmp_path_factory) / "site-cache"
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
