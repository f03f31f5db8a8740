"""Execution: run each report's notebook and capture its outputs into the notebook.

Two executors with one interface, :meth:`run` (jobs in, one :class:`Outcome` per job out, handed to a
callback in the build's own process as each finishes):

- :class:`WarmExecutor` (the default). The build process imports the heavy libraries once (pandas,
  matplotlib, seaborn, lifelines, geopandas, IPython, nbformat) and loads the data once, then
  ``fork()``\\ s one child per report. The child runs the cells in a fresh IPython shell and captures
  their outputs (display data, results, streams, errors) exactly as a kernel reports them; the
  parent exports the notebook. Each child starts from the parent's pristine state: no notebook ever
  runs in a process another notebook has touched, so globals, rcParams, pandas options and warning
  registries cannot leak. Random seeds are drawn afresh in each child, as in a new interpreter.
- :class:`KernelExecutor`: one Jupyter kernel per report through nbclient. Used where ``fork`` is
  unavailable, and by the tests that prove the two give byte-identical reports.

Failures name the notebook, the cell as the notebook numbers it (1 = its first cell; injected
parameter cells are not counted) and the error.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis.build import procs
from analysis.build.plan import Job
from analysis.build.shell import CELL_TIMEOUT_S, cell_name, run_in_shell
from analysis.schema import DATA_DIR_ENV, READS_FILE_ENV

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: What the warm process imports before forking: what most reports import (and nbformat, which reads every notebook in
#: the report's process). A library only one report needs
#: (lifelines for 02's survival curve, geopandas and shapely for 01's map: about 1.3 s together) is imported by that
#: report's own process, in parallel with the others, instead of holding up every build before its first fork.
WARM_MODULES = (
    "numpy", "pandas", "matplotlib", "matplotlib.pyplot", "seaborn", "scipy.stats", "IPython", "IPython.core.interactiveshell",
    "nbformat", "analysis.load", "analysis.coalition", "analysis.negotiations", "analysis.overview", "analysis.agreements",
    "analysis.claims", "analysis.partners", "analysis.report", "analysis.plots", "analysis.clauses",
    "analysis.guarantees", "analysis.figures", "analysis.labels", "analysis.describe",
)  # fmt: skip
#: A report's wall-clock limit (``--timeout``): past it, the report and everything it started are killed.
REPORT_TIMEOUT_S = 1800
#: Warm up only for builds of at least this many reports.
WARM_FROM_JOBS = 3
#: The environment every notebook runs in (a kernel gets it at start; the warm process before imports).
NOTEBOOK_ENV = {"PYTHONHASHSEED": "0", "MPLBACKEND": INLINE_BACKEND, "OPENBLAS_NUM_THREADS": "1"}


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    message: str = ""
    nb: object = None  # the executed notebook (nbformat node) when ok
    downloads: Path | None = None  # the folder holding the CSV files the report links


def job_env(job: Job, data_dir: Path, downloads: Path) -> dict[str, str]:
    """What a report's code sees of the build: the data folder, and where its CSV downloads go and how
    the report links them (see :func:`analysis.report.download`)."""
    from analysis.report import DOWNLOADS_DIR_ENV, DOWNLOADS_HREF_ENV, REPORT_NAME_ENV

    downloads.mkdir(parents=True, exist_ok=True)
    return {
        DATA_DIR_ENV: str(data_dir),
        READS_FILE_ENV: str(reads_file(downloads)),  # what the report reads is noted there (analysis.schema.note_read)
        DOWNLOADS_DIR_ENV: str(downloads),
        DOWNLOADS_HREF_ENV: "../" * job.output.count("/") + "downloads/",
        REPORT_NAME_ENV: job.name.replace("/", "-"),
    }


def reads_file(downloads: Path) -> Path:
    """Where a report's process records what it read: beside its downloads folder."""
    return downloads.parent / "reads.jsonl"


def quiet_imports() -> None:
    """Skip an optional import that costs about 2 s and serves nothing here.

    jsonschema (under nbformat) imports ``rfc3987_syntax`` when it is installed (JupyterLab brings it)
    only to check IRI formats, which notebook validation never uses; its grammar takes ~2 s to build.
    A ``None`` entry makes that optional import fail fast, as if the package were absent.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def prepare(job: Job):
    """Read the notebook, inject its parameters after the cell tagged ``parameters``, and give every cell a
    stable id (so the HTML does not change between builds). Each code cell remembers its number in the
    notebook file (1-based) for error messages."""
    quiet_imports()
    import nbformat

    nb = nbformat.read(job.notebook, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        cell.metadata["build_number"] = number
    if job.parameters:
        assignments = "\n".join(f"{k} = {v!r}" for k, v in job.parameters)
        cell = nbformat.v4.new_code_cell(f"# Parameters injected by the build\n{assignments}")
        cell.metadata["tags"] = ["injected-parameters"]
        position = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), 0)
        nb.cells.insert(position, cell)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nb


def _strip_build_metadata(nb) -> None:
    for cell in nb.cells:
        cell.metadata.pop("build_number", None)


# --------------------------------------------------------------------------- the warm executor


def fork_available() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


class WarmExecutor:
    """Import once, fork per report (see the module docstring), each report under a supervisor
    (:func:`analysis.build.procs.supervise`): its own process group, a wall-clock limit, nothing left behind."""

    name = "warm"

    def __init__(self, data_dir: Path, workers: int, timeout_s: float = REPORT_TIMEOUT_S):
        self.data_dir = data_dir
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self.children: dict[int, tuple[Job, Path, float]] = {}

    def warm(self, jobs: int) -> None:
        """Import the heavy libraries and load the data once, before any fork (and always compile the notebook
        validator, which every child uses as it reads its notebook).

        For a build of one or two reports the children import what they need themselves: warming up
        everything would cost more than it saves. The reports' bytes are the same either way.
        """
        import importlib

        quiet_imports()
        import nbformat

        # every child validates its notebook as it reads it: compile the schema's validator once, here (0.04 s a child)
        nbformat.validate(nbformat.v4.new_notebook())
        if jobs < WARM_FROM_JOBS:
            return
        for name in WARM_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:
                pass  # a module the project does not have (yet) is simply not pre-imported
        # NOTE: matplotlib_inline must not be imported here: importing it outside IPython skips the
        # inline set-up that each child's first figure performs (and changes the figure dpi).
        assert "matplotlib_inline.backend_inline" not in sys.modules, "the warm import activated the inline backend"
        from analysis.load import load_dataset

        load_dataset(self.data_dir)  # validated and cached: every child inherits it

    def run(self, jobs: list[Job], on_done: Callable[[Outcome], None], on_idle: Callable[[], None] | None = None) -> None:
        """Run every job, ``workers`` at a time; ``on_done`` gets each outcome as it ends, and ``on_idle`` is called
        once, in this process, as soon as a worker is free and no job waits (no fork follows it)."""
        self.warm(len(jobs))
        procs.become_subreaper()
        scratch = procs.new_scratch()
        pending = list(jobs)
        build_pid = os.getpid()
        try:
            while pending or self.children:
                while pending and len(self.children) < self.workers:
                    job = pending.pop(0)
                    work = scratch / f"{len(pending)}-{job.name.replace('/', '_')}"
                    env = job_env(job, self.data_dir, work / "downloads")
                    pid = os.fork()
                    if pid == 0:  # the supervisor never returns from here
                        procs.supervise(build_pid, scratch, work, self.timeout_s, functools.partial(_child_main, job, env, work))
                    self.children[pid] = (job, work, time.perf_counter())
                if on_idle is not None and not pending and len(self.children) < self.workers:
                    idle, on_idle = on_idle, None
                    idle()
                pid, _status = os.waitpid(-1, 0)
                if pid not in self.children:
                    continue  # an orphan handed to the build (a subreaper): already reaped
                job, work, started = self.children.pop(pid)
                procs.end_descendants(keep=set(self.children))
                outcome = _read_result(job, work, time.perf_counter() - started, self.timeout_s)
                outcome.downloads = work / "downloads"
                on_done(outcome)
        finally:
            self.stop()
            shutil.rmtree(scratch, ignore_errors=True)

    def stop(self) -> None:
        """End every report still running (on Ctrl-C or an error): each supervisor ends its report's group."""
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while self.children and time.monotonic() < deadline:
            for pid in list(self.children):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    self.children.pop(pid)
            time.sleep(0.01)
        procs.end_descendants()
        self.children.clear()


def _read_result(job: Job, work: Path, seconds: float, timeout_s: float) -> Outcome:
    import nbformat

    try:
        payload = json.loads((work / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        payload = None
    if payload is not None and payload.get("ok"):
        return Outcome(job, True, seconds, nb=nbformat.from_dict(payload["nb"]))
    try:
        ended = json.loads((work / "ended.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        ended = {"how": "the supervisor ended without a word (killed)"}
    try:
        running = (work / "progress").read_text(encoding="utf-8")
    except OSError:
        running = "the start"
    if ended.get("timed_out"):
        return Outcome(job, False, seconds, f"{running}: the report ran past its time limit of {timeout_s:g} s and was "
                       f"stopped ({ended['how']}, with every process it started)")  # fmt: skip
    if payload is not None:
        return Outcome(job, False, seconds, payload.get("message", "unknown error"))
    return Outcome(job, False, seconds, f"{running}: the notebook's process ended without a result ({ended['how']})")


def _child_main(job: Job, env: dict[str, str], work: Path) -> None:
    """In the report's process: run the notebook, write the result, and leave without running the parent's cleanup."""
    status = 1
    result = work / "result.json"
    try:
        os.environ.update(env)
        os.chdir(job.notebook.parent)
        procs.reseed()
        nb = prepare(job)
        failure = run_in_shell(nb, work / "progress")
        _strip_build_metadata(nb)
        payload = {"ok": failure is None, "message": failure, "nb": nb if failure is None else None}
        result.write_text(json.dumps(payload), encoding="utf-8")
        status = 0
    except BaseException as exc:  # noqa: BLE001 - anything at all must end in a result, not a traceback
        try:
            result.write_text(json.dumps({"ok": False, "message": f"{type(exc).__name__}: {exc}"}), encoding="utf-8")
        except OSError:
            pass
    finally:
        procs.leave(status)


# --------------------------------------------------------------------------- the kernel executor


class KernelExecutor:
    """One Jupyter kernel per report, ``workers`` at a time (the fallback, and the reference for tests)."""

    name = "kernel"

    def __init__(self, data_dir: Path, workers: int, timeout_s: float = REPORT_TIMEOUT_S):
        self.data_dir = data_dir
        self.workers = max(1, workers)
        self.timeout_s = timeout_s

    def run(self, jobs: list[Job], on_done: Callable[[Outcome], None], on_idle: Callable[[], None] | None = None) -> None:
        """As :meth:`WarmExecutor.run`: ``on_idle`` is called once, as soon as a worker is free and no job waits."""
        from concurrent.futures import ThreadPoolExecutor, as_completed

        scratch = procs.new_scratch()
        try:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                futures = [pool.submit(self._run_one, job, scratch / f"{i}") for i, job in enumerate(jobs)]
                try:
                    for done, future in enumerate(as_completed(futures), start=1):
                        on_done(future.result())
                        if on_idle is not None and len(futures) - done < self.workers:
                            idle, on_idle = on_idle, None
                            idle()
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _run_one(self, job: Job, work: Path) -> Outcome:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        env = dict(os.environ, **job_env(job, self.data_dir, work / "downloads"), **NOTEBOOK_ENV)
        started = time.perf_counter()
        nb = prepare(job)
        client = NotebookClient(
            nbformat.v4.new_notebook(),
            timeout=min(CELL_TIMEOUT_S, self.timeout_s),
            kernel_name="python3",
            resources={"metadata": {"path": str(job.notebook.parent)}},
            record_timing=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # the kernel's TCP notice is noise on a local build
        )
        try:
            with client.setup_kernel(env=env):
                client.nb = nb
                for index, cell in enumerate(nb.cells):
                    try:
                        client.execute_cell(cell, index)
                    except CellExecutionError:
                        error = next((o for o in cell.outputs if o.get("output_type") == "error"), {})
                        message = f"{cell_name(cell)}: {error.get('ename', 'Error')}: {error.get('evalue', '')}"
                        return Outcome(job, False, time.perf_counter() - started, message)
        except Exception as exc:  # the kernel died or timed out: report it, never a traceback
            return Outcome(job, False, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
        _strip_build_metadata(nb)
        return Outcome(job, True, time.perf_counter() - started, nb=nb, downloads=work / "downloads")


def executor(kind: str, data_dir: Path, workers: int, timeout_s: float = REPORT_TIMEOUT_S):
    """The executor to use: ``warm`` (default; kernels where fork is unavailable) or ``kernel``."""
    if kind == "warm" and not fork_available():
        print("note: this platform cannot fork; running each report in its own kernel instead", file=sys.stderr)
        kind = "kernel"
    return (WarmExecutor if kind == "warm" else KernelExecutor)(data_dir, workers, timeout_s)
