"""The command line: ``python -m analysis validate`` prints each problem on one line, or a summary."""

from __future__ import annotations

import os
import sys

from analysis.schema import display_path, resolve_data_dir
from analysis.validation.engine.problems import printable
from analysis.validation.validator import validate


def main(data_dir: str | None = None) -> int:
    """Run the validator and print its findings; the exit status is 1 on any problem.

    The report is printed whole once the run is over (never a partial list), one problem per line.
    """
    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # a terminal that cannot show a character gets \\u escapes
    except (AttributeError, ValueError):
        pass
    try:
        report = validate(data_dir)
        if report.ok:
            print(report.summary())
            return 0
        lines = [str(problem) for problem in report.problems]
        lines.append(f"{report.count:,} problem(s) found in {printable(display_path(resolve_data_dir(data_dir)))}")
        print("\n".join(lines), flush=True)
    except BrokenPipeError:  # the reader stopped early (| head): not an error of the data
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1
