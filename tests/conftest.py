"""Shared fixtures: the repository's paths, and the reports built once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def once(tmp_path_factory, name: str, make, *, started_here: bool = False) -> str:
    """Run ``make(folder)`` once per test run for all workers (the first to take the lock makes it, the others wait)
    and return what it returned, as a string; ``folder`` is ``name`` in :func:`common_dir`. ``started_here``: only
    start it, from :func:`start_early`, if no process has; a call that needs it then waits for it."""
    import fcntl

    shared = common_dir(tmp_path_factory)
    done = shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (fcntl.LOCK_NB if started_here else 0))
        except BlockingIOError:
            return ""  # another process is making it
        if not done.exists():
            done.write_text(make(shared / name), encoding="utf-8")
    return done.read_text(encoding="utf-8")


def _make_reports(out: Path) -> str:
    return run_build("--force", "--out", str(out), fresh=True) and "ok"


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory, shared_site_cache) -> Path:
    """Every report, built from the shipped notebooks and data into a temporary folder, once per test run and
    shared by the workers (started early: :func:`start_early`). Tests must only read it."""
    once(tmp_path_factory, "built-reports", _make_reports)
    return common_dir(tmp_path_factory) / "built-reports"


#: What this process started in the background (:func:`start_early`), waited for as the session ends.
_EARLY: list = []


@pytest.fixture(scope="session", autouse=True)
def start_early(request, tmp_path_factory, shared_site_cache) -> None:
    """If a collected test reads the built reports, start building them as the session starts, in a thread of
    the first worker to get there, while the workers run other tests. Otherwise the build would start only when the
    first such test comes up: the other worker would wait for it, and the browser checks that follow it would run
    last, on one worker, with the other idle."""
    import threading

    if any("built_reports" in getattr(item, "fixturenames", ()) for item in request.session.items):
        thread = threading.Thread(target=once, args=(tmp_path_factory, "built-reports", _make_reports), kwargs={"started_here": True},
                                  name="built-reports", daemon=True)  # fmt: skip
        thread.start()
        _EARLY.append(thread)


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


def pytest_sessionfinish(session) -> None:
    """Wait for what this process started early; end its browser (tests/browser.py), if a check started one."""
    for thread in _EARLY:
        thread.join()
    if "browser" in sys.modules:
        sys.modules["browser"].close()


#: Fixtures that build reports or start processes: a test that uses one is marked ``slow``.
SLOW_FIXTURES = {"built_reports", "injected_reports", "built_project", "project"}
SLOW_MODULES = {"test_build.py", "test_execute.py"}


def pytest_collection_modifyitems(items) -> None:
    """Mark tests by what they use, so `-m "not slow"` or `-m "not browser"` picks a quick subset (CI runs all); and
    order them for two workers (:func:`_in_working_order`)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)
        if fixtures & SLOW_FIXTURES or item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
    items[:] = _in_working_order(items)


def _in_working_order(items: list) -> list:
    """The tests that read the built reports (started early: :func:`start_early`) halfway through the others, the
    browser checks (the longest) first among them: workers take tests in this order, so these long ones end while
    short ones remain to even out the end, instead of one worker finishing them alone while the other waits."""
    readers = [i for i in items if "built_reports" in getattr(i, "fixturenames", ())]
    others = [i for i in items if "built_reports" not in getattr(i, "fixturenames", ())]
    readers.sort(key=lambda i: "chromium" not in getattr(i, "fixturenames", ()))  # stable: browser checks first
    half = len(others) // 2
    return others[:half] + readers + others[half:]
