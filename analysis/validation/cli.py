"""The command line: ``python -m analysis validate`` prints each problem on one line, or a summary; ``python -m analysis
dictionary`` prints the data dictionary, or why the descriptor cannot give it."""

from __future__ import annotations

import os
import sys

from analysis.schema import DESCRIPTOR, display_path, render_dictionary, resolve_data_dir
from analysis.validation.descriptor import DescriptorProblems, check_descriptor
from analysis.validation.descriptor.dictionary import check_dictionary
from analysis.validation.engine.problems import Collector, printable
from analysis.validation.validator import read_checked, validate


def main(data_dir: str | None = None) -> int:
    """Run the validator and print its findings; the exit status is 1 on any problem.

    The report is printed whole once the run is over (never a partial list), one problem per line.
    """
    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # a terminal that cannot show a character gets \\u escapes
    except (AttributeError, ValueError):
        pass
    try:
        try:
            report = validate(data_dir)
        except Exception as exc:  # a bug of the validator: still one line, and a status that says it failed
            where = printable(display_path(resolve_data_dir(data_dir)))
            print(f"{where}:1: -: the validator stopped on an error it did not expect ({type(exc).__name__}: {printable(str(exc))[:300]})")
            return 2
        if report.ok:
            print(report.summary())
            return 0
        lines = [str(problem) for problem in report.problems]
        lines.append(f"{report.count:,} problem(s) found in {printable(display_path(resolve_data_dir(data_dir)))}")
        print("\n".join(lines), flush=True)
    except BrokenPipeError:  # the reader stopped early (| head): not an error of the data
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def dictionary(data_dir: str | None = None) -> int:
    """Print the data dictionary generated from the descriptor; or each reason it cannot be (exit status 1)."""
    directory = resolve_data_dir(data_dir)
    out = Collector()
    descriptor = read_checked(directory, out)
    if descriptor is not None:
        problem = DescriptorProblems(descriptor, display_path(directory / DESCRIPTOR), out)
        check_descriptor(descriptor, problem.where, out)
        if not out.count:
            check_dictionary(descriptor.package, problem)
    try:
        if out.count:
            print("\n".join(str(p) for p in out.problems()), flush=True)
            return 1
        print(render_dictionary(directory), flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
