"""Process hygiene for the build: every report runs in a process group of its own, under a supervisor
that ends the whole group however the report ends, and nothing outlives the build.

The tree of one warm build (Linux; elsewhere the same without the ``prctl`` guarantees)::

    build process      a child subreaper: orphans of the reports are handed to it, and it ends them
      supervisor       one per report: a child subreaper too; dies with the build (PR_SET_PDEATHSIG)
        report         the notebook's own process, leader of a new process group; dies with its supervisor
          ...          whatever the notebook starts: in the report's group, or an orphan handed upwards

- The supervisor enforces the report's wall-clock limit: when it runs out, the report's group is killed
  (a cell that catches its timeout, or sits in a long call into C, cannot defeat it).
- When the report ends (done, failed, timed out, killed), the supervisor kills the report's group and any
  orphan handed to it, and says how the report ended ("killed by SIGKILL", "exited with status 3").
- When the build dies, even by SIGKILL, each supervisor is told (PR_SET_PDEATHSIG, SIGTERM), ends its
  report's group, and removes the build's scratch folder.
- Standard library only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
#: The scratch folders of builds: ``analysis-build-<pid>-…`` in the temporary folder.
SCRATCH_PREFIX = "analysis-build-"


def _prctl(option: int, value: int) -> bool:
    """Call Linux's prctl(2); False where it is unavailable (another platform, or no libc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Orphaned descendants are handed to this process instead of init, so it can end them."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies; exit now if it already has."""
    _prctl(PR_SET_PDEATHSIG, int(sig))
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def reseed() -> None:
    """Fresh random state in a forked process, as a new interpreter would have (a fork copies the parent's)."""
    import random

    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()


def leave(status: int) -> None:
    """End a forked process with ``status``: its output flushed, none of the parent's cleanup run (``os._exit``)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)


def children_of(pid: int) -> list[int]:
    """The live children of ``pid`` (Linux ``/proc``; empty elsewhere)."""
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def end_descendants(keep: set[int] = frozenset()) -> None:
    """Kill and reap every child of this process not in ``keep`` (orphans handed to a subreaper), with their groups."""
    for _ in range(50):  # orphans of orphans arrive as their parents die
        strays = [pid for pid in children_of(os.getpid()) if pid not in keep]
        if not strays:
            return
        for pid in strays:
            kill_group(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def how_it_ended(status: int) -> str:
    """``os.waitpid`` status in words: "killed by SIGKILL", "exited with status 3"."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"killed by {name}"
    return f"exited with status {os.WEXITSTATUS(status)}"


def new_scratch() -> Path:
    """A scratch folder named after this process; stale ones of dead builds are removed first."""
    import tempfile

    remove_stale_scratch()
    return Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))


def remove_stale_scratch(of_pid: int | None = None) -> None:
    """Remove scratch folders left by builds that no longer run (or by ``of_pid`` only)."""
    import tempfile

    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        parts = folder.name[len(SCRATCH_PREFIX):].split("-", 1)
        if not parts[0].isdigit():
            continue
        pid = int(parts[0])
        if (of_pid is not None and pid != of_pid) or (of_pid is None and _alive(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Ended(Exception):
    """Raised in the supervisor by a signal: the build asks it to stop, or has died."""


def supervise(build_pid: int, scratch: Path, work: Path, timeout_s: float, report: Callable[[], None]) -> None:
    """In a freshly forked child of the build: run ``report()`` in a grandchild of its own group, under a
    wall-clock limit, then end the group and leave. Never returns.

    Writes ``work/ended.json`` (how the report ended, and whether its time ran out) for the build to read.
    """
    status = 1
    try:
        def stop(signum, frame):
            raise _Ended(signum)

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
            signal.signal(sig, stop)
        become_subreaper()
        die_with_parent(build_pid, signal.SIGTERM)
        me = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            die_with_parent(me, signal.SIGKILL)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
                signal.signal(sig, signal.SIG_DFL)
            report()  # never returns
        try:
            os.setpgid(pid, pid)  # also here, so the group exists before anything is sent to it
        except (ProcessLookupError, PermissionError):
            pass
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, max(timeout_s, 0.001))
        ended = {"how": "", "timed_out": False}
        try:
            _, wstatus = os.waitpid(pid, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
            ended["how"] = how_it_ended(wstatus)
        except _Ended as exc:
            signal.setitimer(signal.ITIMER_REAL, 0)
            kill_group(pid)
            _, wstatus = os.waitpid(pid, 0)
            ended["how"] = how_it_ended(wstatus)
            if exc.args[0] != signal.SIGALRM:
                raise
            ended["timed_out"] = True
            ended["seconds"] = round(time.monotonic() - started, 1)
        kill_group(pid)
        end_descendants()
        (work / "ended.json").write_text(json.dumps(ended), encoding="utf-8")
        status = 0
    except _Ended:  # the build asked us to stop, or died: end everything, and its scratch folder if it is gone
        kill_group(pid) if "pid" in locals() and pid else None
        end_descendants()
        if not _alive(build_pid) or os.getppid() != build_pid:
            shutil.rmtree(scratch, ignore_errors=True)
    except BaseException:  # noqa: BLE001 - the supervisor never prints a traceback
        pass
    finally:
        os._exit(status)
