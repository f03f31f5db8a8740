"""What every benchmark shares: paths, running and timing a command (:class:`Bench`, :func:`interleave`),
the results (:class:`Row`, :class:`Results`), formatting, and the machine's description."""

from __future__ import annotations

import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.paths import ROOT  # noqa: E402

WORK = ROOT / "benchmarks" / ".work"
NOTEBOOKS = ROOT / "notebooks"
PY = sys.executable

REPS_BUILD = 3
REPS_CHEAP = 5
SUBPROCESS_TIMEOUT_S = 1200


# --------------------------------------------------------------------------- the results


@dataclass
class Row:
    """One line of the results table."""

    number: str
    what: str
    measured: str
    compared: str
    figure: str
    target: str
    status: str


@dataclass
class Results:
    """What a run has found so far; each benchmark appends to it, and the README is written from it."""

    quick: bool = False
    start_load: float = 0.0  # the 1-minute load average before any of our own work
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    #: Markdown lines after the table (e.g. the helpers by size), in the order they were added.
    sections: list[str] = field(default_factory=list)

    @property
    def reps_build(self) -> int:
        return 1 if self.quick else REPS_BUILD

    @property
    def reps_cheap(self) -> int:
        return 1 if self.quick else REPS_CHEAP


# --------------------------------------------------------------------------- running and timing commands


def env() -> dict[str, str]:
    """The environment of every measured command: ours, without ANALYSIS_DATA_DIR (the default data/ is used)."""
    return {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}


def show(path: str | Path) -> str:
    """A path as written in the README: relative to the repository when inside it."""
    p = Path(path)
    try:
        return str(p.relative_to(ROOT)) if p.is_absolute() else str(p)
    except ValueError:
        return str(p)


def shell(cmd: list[str]) -> str:
    """A command as typed from the repository root."""
    return shlex.join([show(cmd[0]), *cmd[1:]])


def fresh(path: Path) -> Callable[[], None]:
    """A ``prepare`` step that empties ``path`` before each run, so every run starts from nothing."""

    def reset() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)

    return reset


def last_line(proc: subprocess.CompletedProcess) -> str:
    """The last line a failed command printed (stderr first), for an error message."""
    lines = ((proc.stderr or "").strip() or (proc.stdout or "").strip()).splitlines()
    return lines[-1] if lines else "no output"


@dataclass
class Bench:
    """One measured command: how to run it, how to prepare for a run, and how to judge its output."""

    label: str
    cmd: list[str]
    cwd: Path = ROOT
    prepare: Callable[[], None] | None = None
    # Returns None when the run is good, "retry" to discard the sample and run again, or an error message.
    check: Callable[[subprocess.CompletedProcess], str | None] | None = None
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last_stdout: str = ""

    @property
    def command(self) -> str:
        """The command as run from the repository root (a subshell ``cd`` when it runs elsewhere)."""
        if self.cwd == ROOT:
            return shell(self.cmd)
        exe = os.path.relpath(self.cmd[0], self.cwd) if Path(self.cmd[0]).is_relative_to(ROOT) else self.cmd[0]
        return f"(cd {show(self.cwd)} && {shlex.join([exe, *self.cmd[1:]])})"

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def runs(self) -> str:
        """``12.3 s (runs: 12.1 s, 12.3 s, 13.0 s)``: the median, then every sample."""
        return f"{fmt_s(self.median)} (runs: {', '.join(fmt_s(t) for t in self.times) or 'none'})"

    def run_once(self, max_retries: int = 2) -> None:
        for _ in range(max_retries + 1):
            if self.prepare:
                self.prepare()
            started = time.perf_counter()
            try:
                proc = subprocess.run(
                    self.cmd, cwd=self.cwd, env=env(), capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S
                )
            except subprocess.TimeoutExpired:
                self.errors.append(f"timed out after {SUBPROCESS_TIMEOUT_S} s")
                return
            elapsed = time.perf_counter() - started
            self.last_stdout = proc.stdout
            verdict = self.check(proc) if self.check else None
            if verdict is None and proc.returncode != 0:
                verdict = f"exit status {proc.returncode}: {last_line(proc)}"
            if verdict == "retry":
                self.notes.append("a run was discarded and repeated (see the check for why)")
                continue
            if verdict:
                self.errors.append(verdict)
            self.times.append(elapsed)
            return
        self.errors.append(f"no valid run after {max_retries + 1} attempts")


def interleave(benches: list[Bench], reps: int) -> None:
    """Run A, B, A, B, … ``reps`` times each, printing each sample, so that noise on the machine hits all alike."""
    for rep in range(reps):
        for bench in benches:
            bench.run_once()
            last = f"{bench.times[-1]:.3f} s" if bench.times else "no time"
            print(f"  [{rep + 1}/{reps}] {bench.label}: {last}", flush=True)


# --------------------------------------------------------------------------- formatting


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def mib(n_bytes: float | None) -> str:
    return "n/a" if n_bytes is None else f"{n_bytes / 2**20:.0f} MiB"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def status(ok: bool | None, errors: list[str] = ()) -> str:
    """``ok``, ``MISSED`` or ``n/a`` (no figure), followed by any errors."""
    text = "n/a" if ok is None else ("ok" if ok else "MISSED")
    return text + (f" (error: {'; '.join(errors)})" if errors else "")


# --------------------------------------------------------------------------- the machine


def _output(cmd: list[str], default: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip() or default
    except (OSError, subprocess.SubprocessError):
        return default


def load_average() -> tuple[float, ...] | None:
    """The 1-, 5- and 15-minute load averages, or None where the system does not say."""
    try:
        return os.getloadavg()
    except OSError:
        return None


def machine(argv: list[str], load: tuple[float, ...] | None) -> dict[str, str]:
    """Date, cores, Python, platform, CPU model, load averages and the command, as shown in the README."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": _output(["date", "-u"], time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())),
        "nproc": _output(["nproc"], str(os.cpu_count())),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "load": ", ".join(f"{x:.2f}" for x in load) if load else "n/a",
        "command": shlex.join([show(PY), "-m", "benchmarks", *argv]),
    }
