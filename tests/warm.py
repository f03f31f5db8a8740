"""``python -m analysis ...`` for the tests, without an interpreter's start and imports each time.

The suite runs about 80 builds of small projects and 60 other commands. A fresh interpreter spends about a second of
CPU on each one importing pandas, matplotlib, IPython, nbformat and nbconvert before it builds anything, and the
suite's time was mostly that. So each test process starts one *warm server* the first time it needs one: a process
that imports those libraries and the ``analysis`` package once, with the environment a build's own process has (see
:data:`analysis.build.execute.NOTEBOOK_ENV`), rehearses one small build (:func:`_rehearse`: what a build makes once
per process, it then makes once per server), and then forks one child per command. The child takes the command's
working folder, environment, arguments and output files, gets fresh random state, runs ``analysis.__main__``
exactly as ``python -m analysis`` does, runs the exit handlers and ends with the command's status.

What a fork does not give, a fresh interpreter does, and the suite keeps both:

- The build hands its work to a process started with ``PYTHONHASHSEED=0`` (``analysis.build.run._delegate``).
  The warm server is such a process, so its builds run in the process that took the lock, as the delegated build
  does. The hand-over itself is covered by the builds that run in a fresh interpreter: the session's full build
  of every report, and the tests that start the command line themselves (Ctrl-C, the lock, signals, the no-op
  build's imports, a terminal that cannot show Unicode, a reader that stops early).
- A command whose environment sets a ``PYTHON*`` variable the server was not started with runs in a fresh
  interpreter, which reads those as it starts.
- ``ANALYSIS_TESTS_FRESH=1`` runs every command in a fresh interpreter instead.

Standard library only; the server's own start is ``python -m warm`` from the tests folder.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

#: Set to 1 to run every command in a fresh interpreter (``python -m analysis ...``), as a user does.
FRESH_ENV = "ANALYSIS_TESTS_FRESH"

_server: subprocess.Popen | None = None
_server_lock = threading.Lock()


def run(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    text: bool = True,
    fresh: bool = False,
) -> subprocess.CompletedProcess:
    """``python -m analysis *argv`` in ``cwd`` with exactly ``env`` (default: this process's); its output as
    ``subprocess.run(..., capture_output=True, text=text)`` gives it.

    Runs in a fork of the warm server, or in a fresh interpreter: if asked (``fresh``, ``ANALYSIS_TESTS_FRESH=1``),
    or if ``env`` sets a ``PYTHON*`` variable differently, since the interpreter reads those only as it starts."""
    env = dict(os.environ) if env is None else env
    command = [sys.executable, "-m", "analysis", *argv]
    if fresh or os.environ.get(FRESH_ENV) == "1" or _startup_differs(env):
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=text, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="warm-run-") as scratch:
        out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
        request = {"argv": argv, "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
        with _server_lock:
            server = _start()
            server.stdin.write((json.dumps(request) + "\n").encode())
            server.stdin.flush()
            pid = json.loads(_reply(server, 30))["pid"]
            try:
                returncode = json.loads(_reply(server, timeout))["returncode"]
            except subprocess.TimeoutExpired:
                _kill(pid)
                json.loads(_reply(server, 30))
                raise subprocess.TimeoutExpired(command, timeout) from None
        stdout, stderr = out.read_bytes(), err.read_bytes()
    if text:  # as subprocess does: the locale's encoding, universal newlines
        stdout, stderr = (_decoded(b) for b in (stdout, stderr))
    return subprocess.CompletedProcess(command, returncode, stdout, stderr)


def _startup_differs(env: dict[str, str]) -> bool:
    """Whether ``env`` sets a variable the interpreter reads at start-up (``PYTHON*``) unlike the server's."""
    names = {k for k in (*env, *os.environ) if k.startswith("PYTHON") and k != "PYTHONHASHSEED"}
    return any(env.get(k) != os.environ.get(k) for k in names)


def _decoded(data: bytes) -> str:
    import io
    import locale

    return io.TextIOWrapper(io.BytesIO(data), encoding=locale.getpreferredencoding(False)).read()


def _start() -> subprocess.Popen:
    global _server, _pending
    if _server is not None and _server.poll() is None:
        return _server
    _pending = b""
    from analysis.build.execute import NOTEBOOK_ENV
    from analysis.paths import ROOT

    env = dict(
        os.environ,
        **NOTEBOOK_ENV,
        PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])),
    )
    _server = subprocess.Popen([sys.executable, "-m", "warm"], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    ready = _reply(_server, 120)
    if ready.strip() != '"ready"':
        raise RuntimeError(f"the warm server did not start: {ready!r}")
    atexit.register(stop)
    return _server


#: What the server wrote that is not read yet: a reply may arrive in the same read as the one before it.
_pending = b""


def _reply(server: subprocess.Popen, timeout: float | None) -> str:
    """The server's next reply line, waiting at most ``timeout`` seconds for it (None: as long as it takes)."""
    global _pending
    deadline = None if timeout is None else time.monotonic() + timeout
    while b"\n" not in _pending:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        readable, _, _ = select.select([server.stdout], [], [], wait)
        if not readable:
            raise subprocess.TimeoutExpired(server.args, timeout)
        chunk = os.read(server.stdout.fileno(), 65536)
        if not chunk:
            raise RuntimeError(f"the warm server ended (status {server.wait()}); run with {FRESH_ENV}=1 to build without it")
        _pending += chunk
    line, _pending = _pending.split(b"\n", 1)
    return line.decode()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop() -> None:
    """End the server (at the end of the test process)."""
    global _server
    if _server is not None:
        _server.stdin.close()
        try:
            _server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _server.kill()
        _server = None


# --------------------------------------------------------------------------- the server


def serve() -> None:
    """Import once, then read one JSON request a line from stdin, fork a child for it and reply with the child's
    pid, then with its status."""
    _warm_up()
    reply = sys.stdout
    print(json.dumps("ready"), file=reply, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps({"pid": pid}), file=reply, flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), file=reply, flush=True)


def _warm_up() -> None:
    import importlib

    from analysis.build.execute import WARM_MODULES, quiet_imports

    quiet_imports()
    build_modules = ("analysis.build.run", "analysis.build.site", "analysis.build.export", "analysis.validation",
                     "analysis.landing", "analysis.datapage", "analysis.db", "analysis.diff.cli", "nbconvert", "nbconvert.exporters")  # fmt: skip
    # NOTE: not analysis.__main__: runpy runs it as __main__, and warns if it was imported before
    for name in (*WARM_MODULES, *build_modules):
        importlib.import_module(name)
    # NOTE: as in the build's warm process, matplotlib_inline must not be imported before a notebook's shell starts
    assert "matplotlib_inline.backend_inline" not in sys.modules, "the warm-up activated the inline backend"
    _rehearse()


def _rehearse() -> None:
    """Build one small notebook from the repository's data into a scratch folder, so that what a build makes once
    per process is made here, once, and not again in every fork: the exporter and its compiled templates, the
    site's templates, the CSS selectors and regular expressions they compile (about 0.6 s of each build's CPU).

    The rehearsal must leave nothing a build would not find in a fresh process:

    - the landing page's charts are not drawn: drawing imports pyplot's inline backend here, outside IPython, and a
      report forked afterwards would skip the inline set-up (its figures would differ); so no picture of it may
      reach the shared site cache either;
    - matplotlib's settings (the site's theme) are put back;
    - what a build sets for its own time (the SIGTERM handler, the data folder's variable) it puts back itself."""
    import matplotlib
    import nbformat

    from analysis import images, landing
    from analysis.build import main
    from analysis.paths import DATA_DIR

    def stand_in(draw, parts, alt, caption, pictures, csv=None):
        image = images.Image(images.STAND_IN_PNG, "image/png", 1, 1, 12.0)
        return {"picture": images.picture({"wide": image, "narrow": image}), "alt": alt, "caption": caption, "csv": csv}

    settings = dict(matplotlib.rcParams)
    drawn, landing._png = landing._png, stand_in
    cache = os.environ.pop("ANALYSIS_SITE_CACHE", None)
    with tempfile.TemporaryDirectory(prefix="warm-rehearsal-") as scratch:
        notebooks = Path(scratch) / "notebooks"
        notebooks.mkdir()
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell("# Rehearsal\n\n## A section\n\nSome *text*."), nbformat.v4.new_code_cell("print(6 * 7)")]
        nbformat.write(nb, notebooks / "01_rehearsal.ipynb")
        saved = os.dup(1), os.dup(2)  # stdout is the reply pipe: nothing of the build may reach it
        log = Path(scratch) / "log"
        try:
            sys.stdout.flush()
            _point((1, log, _APPEND), (2, log, _APPEND))
            with matplotlib.rc_context():
                status = main(data_dir=str(DATA_DIR), out_dir=str(Path(scratch) / "out"), notebook_dir=str(notebooks))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, kept in zip((1, 2), saved):
                os.dup2(kept, fd)
                os.close(kept)
            landing._png = drawn
            if cache is not None:
                os.environ["ANALYSIS_SITE_CACHE"] = cache
        if status != 0:
            said = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"the warm server's rehearsal build failed (status {status}):\n{said}")
    assert "matplotlib_inline.backend_inline" not in sys.modules, "the rehearsal activated the inline backend"
    assert dict(matplotlib.rcParams) == settings, "the rehearsal left matplotlib's settings changed"


def _child(request: dict) -> None:
    """In the fork: become ``python -m analysis *argv`` in the request's folder and environment, then leave."""
    from analysis.build import procs

    status = 1
    try:
        os.chdir(request["cwd"])
        from analysis.build.execute import NOTEBOOK_ENV

        os.environ.clear()
        os.environ.update(request["env"])
        if request["argv"][:1] == ["build"]:
            os.environ.update(NOTEBOOK_ENV)  # what this interpreter was started with, as a delegated build is
        _point((0, os.devnull, os.O_RDONLY), (1, request["stdout"], _NEW), (2, request["stderr"], _NEW))
        import runpy

        procs.reseed()

        sys.argv = [sys.argv[0], *request["argv"]]
        try:
            runpy.run_module("analysis", run_name="__main__", alter_sys=True)
            status = 0
        except SystemExit as exc:
            status = _exit_status(exc.code)
        except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught exception
            import traceback

            traceback.print_exc()
            status = 1
        atexit._run_exitfuncs()
    finally:
        procs.leave(status)


_NEW = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
_APPEND = os.O_WRONLY | os.O_CREAT | os.O_APPEND


def _point(*targets: tuple[int, str | Path, int]) -> None:
    """Point each file descriptor at a file: ``(fd, path, open flags)``."""
    for fd, path, flags in targets:
        opened = os.open(path, flags, 0o644)
        os.dup2(opened, fd)
        os.close(opened)


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    serve()
