"""Running a notebook's cells in an in-process IPython shell, capturing their outputs as a kernel reports them.

Used by the warm executor's report process (see :mod:`analysis.build.execute`). Each code cell runs under an
alarm (the in-cell limit); the supervisor's wall-clock limit (:mod:`analysis.build.procs`) backs it up.
"""

from __future__ import annotations

import base64
import signal
import sys
from pathlib import Path

CELL_TIMEOUT_S = 600


def cell_name(cell) -> str:
    number = cell.metadata.get("build_number")
    return f"cell {number}" if number else "the injected parameters cell"


class _Capture:
    """A text stream that appends what is written to the current cell's outputs, as a kernel does."""

    def __init__(self, name: str, sink: list):
        self.name, self.sink = name, sink
        self.encoding = "utf-8"

    def write(self, text: str) -> int:
        from nbformat.v4 import new_output

        if text:
            last = self.sink[-1] if self.sink else None
            if last is not None and last.get("output_type") == "stream" and last.get("name") == self.name:
                last["text"] += text
            else:
                self.sink.append(new_output("stream", name=self.name, text=text))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def _jsonable(data: dict) -> dict:
    """Display data as a kernel sends it: binary images base64-encoded."""
    return {k: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}


def run_in_shell(nb, progress: Path | None = None) -> str | None:
    """Run every code cell of ``nb`` in a new in-process IPython shell, storing outputs in the cells.

    Returns None, or where and why it failed (``"cell 4: KeyError: 'x'"``). Before each cell, its place is
    written to ``progress`` (if given), so that whoever ends this process can say which cell was running.
    """
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from nbformat.v4 import new_output

    sink: list = []

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
            sink.append(new_output("display_data", data=_jsonable(data), metadata=metadata or {}))

        def clear_output(self, wait=False) -> None:
            sink.clear()

    class Hook(DisplayHook):
        def start_displayhook(self) -> None:
            pass

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict, md_dict=None) -> None:
            sink.append(
                new_output("execute_result", data=_jsonable(format_dict), metadata=md_dict or {}, execution_count=self.prompt_count)
            )

        def finish_displayhook(self) -> None:
            pass

    shell = InteractiveShell.instance(display_pub_class=Publisher, displayhook_class=Hook)
    stdout, stderr = sys.stdout, sys.stderr
    failure = None

    def on_alarm(signum, frame):
        raise TimeoutError(f"the cell ran longer than {CELL_TIMEOUT_S} s")

    previous_alarm = signal.signal(signal.SIGALRM, on_alarm)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            sink = cell.outputs = []
            if progress is not None:
                progress.write_text(cell_name(cell), encoding="utf-8")
            sys.stdout, sys.stderr = _Capture("stdout", sink), _Capture("stderr", sink)
            signal.alarm(CELL_TIMEOUT_S)
            try:
                result = shell.run_cell(cell.source, store_history=True, silent=False)
            finally:
                signal.alarm(0)
                sys.stdout, sys.stderr = stdout, stderr
            cell.execution_count = shell.execution_count - 1
            error = result.error_before_exec or result.error_in_exec
            if error is not None:
                cell.outputs = [o for o in sink if o.get("output_type") != "stream" or o.get("name") != "stderr"]
                cell.outputs.append(new_output("error", ename=type(error).__name__, evalue=str(error), traceback=[]))
                failure = f"{cell_name(cell)}: {type(error).__name__}: {error}"
                break
    finally:
        signal.signal(signal.SIGALRM, previous_alarm)
    return failure
