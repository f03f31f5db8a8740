"""Command line: ``python -m analysis validate`` and ``python -m analysis build``."""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check data/ against datapackage.json and the cross-table rules")
    check.add_argument("--data-dir", default=None, help="data folder (default: the repository's data/)")
    diff = sub.add_parser("diff", help="compare two data releases table by table (folders, or git:REV)")
    from analysis.diff.cli import add_arguments as add_diff_arguments

    add_diff_arguments(diff)
    sub.add_parser("coverage", help="print the table of the latest source per topic and table (Markdown)")
    sub.add_parser("kappa", help="print the agreement between the clause matrix's two coders per dimension (Markdown)")
    dictionary = sub.add_parser("dictionary", help="print the data dictionary (Markdown) generated from datapackage.json")
    dictionary.add_argument("--data-dir", default=None, help="data folder (default: the repository's data/)")
    db = sub.add_parser("db", help="write the data package as a SQLite database, with Datasette metadata beside it")
    db.add_argument("--data-dir", default=None, help="data folder (default: the repository's data/)")
    db.add_argument("--out", default=None, help="the database file (default: reports/ukraine-security-guarantees.db)")
    build = sub.add_parser("build", help="execute the notebooks and write self-contained HTML reports")
    build.add_argument("--data-dir", default=None, help="data folder (default: the repository's data/)")
    build.add_argument("--out", default=None, help="report folder (default: the repository's reports/)")
    build.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: the number of cores)")
    build.add_argument("--notebook-dir", default=None, help="where the notebooks are (default: the repository's notebooks/)")
    build.add_argument("--force", action="store_true", help="rebuild every report, even if its inputs did not change")
    build.add_argument("--executor", choices=["warm", "kernel"], default="warm",
                       help="warm: import once and fork a child per report (default); kernel: one Jupyter kernel per report")
    build.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="each report's wall-clock limit; past it the report and all it started are killed (default 1800)")
    build.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="only these notebooks (name or path)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "validate":
        from analysis.validation import main as validate_main

        return validate_main(args.data_dir)
    if args.command == "diff":
        from analysis.diff.cli import run as run_diff

        return run_diff(args)
    if args.command in ("coverage", "kappa"):
        from analysis.load import load_dataset
        from analysis.schema import DescriptorError, UnreadableFile
        from analysis.validation import DataError

        try:
            ds = load_dataset()
        except DataError as exc:  # one located line (the first problem), never a traceback
            more = f" (and {exc.count - 1} more problem(s): run `python -m analysis validate`)" if exc.count > 1 else ""
            print(f"error: {exc.problems[0] if exc.problems else exc}{more}", file=sys.stderr)
            return 1
        except (UnreadableFile, DescriptorError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.command == "coverage":
            from analysis.overview import coverage_markdown

            print(coverage_markdown(ds))
        else:
            from analysis.clauses import kappa_markdown

            print(kappa_markdown(ds.clause_checks, ds.clause_dimensions))
        return 0
    if args.command == "db":
        from analysis.db import main as db_main

        return db_main((["--data-dir", args.data_dir] if args.data_dir else []) + (["--out", args.out] if args.out else []))
    if args.command == "dictionary":
        from analysis.validation.cli import dictionary

        return dictionary(args.data_dir)
    from analysis.build import main as build_main

    return build_main(
        data_dir=args.data_dir,
        out_dir=args.out,
        jobs=args.jobs,
        force=args.force,
        only=args.notebooks,
        notebook_dir=args.notebook_dir,
        executor=args.executor,
        timeout=args.timeout,
    )


def _quietly(command) -> int:
    """Run a command; a reader that closed the pipe early (``| head``) ends it quietly, whatever the command."""
    try:
        status = command()
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        # NOTE: point stdout at /dev/null so that the interpreter's final flush does not complain again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        status = 0
    return status


if __name__ == "__main__":
    sys.exit(_quietly(main))
