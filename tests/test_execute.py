"""Process hygiene of the build (issue 19): nothing a report starts outlives it, a report cannot defeat its
time limit, and a signal to any build process leaves no process and no scratch folder behind.

Each notebook here starts processes carrying a unique token in their command line; after each fault the test
looks for the token in /proc (what `ps` shows).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, run_build
from test_build import write_notebook

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks read /proc (Linux)")


def survivors(token: str) -> list[str]:
    """Command lines of live processes that carry ``token`` (what `ps -ef | grep token` would list)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if token in cmdline and state != "Z":
            found.append(f"{entry.name}: {cmdline}")
    return found


def no_survivors(token: str, within: float = 5.0) -> list[str]:
    deadline = time.monotonic() + within
    while (left := survivors(token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def scratch_of(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"analysis-build-{pid}-*"))


def sleeper(token: str) -> str:
    """Notebook code that starts a process which would sleep for five minutes."""
    return f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', '{token}'])"


@pytest.fixture
def token():
    return f"hygiene-{uuid.uuid4().hex[:12]}"


def notebooks(tmp_path: Path, *cells: str, name: str = "01_probe") -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    write_notebook(folder / f"{name}.ipynb", *cells)
    return folder


def build_args(folder: Path, tmp_path: Path, *extra: str) -> list[str]:
    return ["--notebook-dir", str(folder), "--out", str(tmp_path / "out"), *extra]


# --------------------------------------------------------------------------- what a report starts ends with it


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param("{sleeper}", id="subprocess"),
        pytest.param("import os, time\nif os.fork() == 0:\n    os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(300)', '{token}'])",
                     id="fork-and-exec"),  # fmt: skip
        pytest.param("import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', '{token}'], start_new_session=True)",
                     id="new-session"),  # fmt: skip
        pytest.param("import subprocess, sys\nsubprocess.Popen(['sh', '-c', '(setsid sh -c \"exec sleep 300 {token}\" &) ; exit 0'])\nimport time; time.sleep(0.5)",
                     id="double-fork-daemon"),  # fmt: skip
    ],
)
def test_processes_a_report_starts_end_with_it(tmp_path, token, cell):
    code = "import sys\n" + cell.format(sleeper=sleeper(token), token=token)
    folder = notebooks(tmp_path, code)
    result = run_build(*build_args(folder, tmp_path), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert no_survivors(token) == []


# --------------------------------------------------------------------------- the deadline cannot be defeated


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param("import time\nwhile True:\n    try:\n        time.sleep(100)\n    except BaseException:\n        pass", id="catches-its-timeout"),
        pytest.param("import re\nre.match(r'(a*)*b', 'a' * 40)", id="long-call-into-C"),
        pytest.param("import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nsignal.alarm = lambda s: 0\ntime.sleep(300)",
                     id="disarms-the-alarm"),  # fmt: skip
    ],
)
# NOTE: these wait for their time limit, mostly asleep: on one worker, while the other keeps the CPU busy
@pytest.mark.xdist_group("waits-for-its-limit")
def test_a_report_past_its_time_limit_is_killed_and_the_message_says_where(tmp_path, token, cell):
    folder = notebooks(tmp_path, sleeper(token), cell)
    started = time.monotonic()
    result = run_build(*build_args(folder, tmp_path, "--timeout", "2"), check=False)
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    assert "cell 3" in result.stderr and "time limit of 2 s" in result.stderr and "killed by SIGKILL" in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert no_survivors(token) == []


def test_a_killed_report_says_which_cell_and_how_it_ended(tmp_path, token):
    folder = notebooks(tmp_path, sleeper(token), "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    result = run_build(*build_args(folder, tmp_path), check=False)
    assert result.returncode == 1
    assert "cell 3" in result.stderr and "killed by SIGKILL" in result.stderr, result.stderr
    assert no_survivors(token) == []


def test_a_report_that_exits_says_its_status(tmp_path):
    folder = notebooks(tmp_path, "import os\nos._exit(3)")
    result = run_build(*build_args(folder, tmp_path), check=False)
    assert result.returncode == 1 and "cell 2" in result.stderr and "exited with status 3" in result.stderr, result.stderr


# --------------------------------------------------------------------------- signals to the build's own processes


def start_build(folder: Path, tmp_path: Path, *, delegate: bool) -> subprocess.Popen:
    """A build in a session of its own. ``delegate=False`` starts the process that forks the reports directly
    (its hash seed already fixed); otherwise the started process hands the work to a child, as a user's does."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    if not delegate:
        env["PYTHONHASHSEED"] = "0"
    return subprocess.Popen([sys.executable, "-m", "analysis", "build", *build_args(folder, tmp_path, "--jobs", "2")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip


def wait_for(token: str, count: int = 1, within: float = 120) -> None:
    deadline = time.monotonic() + within
    while len(survivors(token)) < count:
        assert time.monotonic() < deadline, f"the notebook's processes ({token}) never started"
        time.sleep(0.1)


def long_report(token: str) -> tuple[str, str]:
    return sleeper(token), "import time\ntime.sleep(300)"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_to_the_building_process_leaves_nothing_behind(tmp_path, token, sig):
    folder = notebooks(tmp_path, *long_report(token))
    proc = start_build(folder, tmp_path, delegate=False)
    wait_for(token)
    os.kill(proc.pid, sig)
    out, err = proc.communicate(timeout=30)
    assert no_survivors(token) == [], err
    assert "Traceback" not in out + err
    if sig != signal.SIGKILL:
        assert proc.returncode == 130 and "interrupted" in err
    deadline = time.monotonic() + 5
    while scratch_of(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert scratch_of(proc.pid) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_to_the_users_process_alone_stops_the_build_quickly(tmp_path, token, sig):
    folder = notebooks(tmp_path, *long_report(token))
    before = orphaned_scratch()
    proc = start_build(folder, tmp_path, delegate=True)
    wait_for(token)
    started = time.monotonic()
    os.kill(proc.pid, sig)  # this process only, not its group (unlike Ctrl-C in a terminal)
    proc.communicate(timeout=60)
    assert no_survivors(token, within=10) == []
    assert time.monotonic() - started < 15
    deadline = time.monotonic() + 5
    while (left := orphaned_scratch() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == set()  # the scratch folder of the process that did the work is gone too


def orphaned_scratch() -> set[Path]:
    """Scratch folders (``analysis-build-<pid>-…``) whose build process is gone: other builds may run meanwhile."""
    found = set()
    for folder in Path(tempfile.gettempdir()).glob("analysis-build-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            found.add(folder)
    return found


def test_a_killed_report_process_ends_its_own_children(tmp_path, token):
    pidfile = tmp_path / "report.pid"
    folder = notebooks(tmp_path, sleeper(token), f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\ntime.sleep(300)")
    proc = start_build(folder, tmp_path, delegate=False)
    wait_for(token)
    deadline = time.monotonic() + 60
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    os.kill(int(pidfile.read_text()), signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "killed by SIGKILL" in err, err
    assert no_survivors(token) == []
