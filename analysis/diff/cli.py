"""``python -m analysis diff OLD NEW``: the command line, its options, and a quiet end when the reader goes away."""

from __future__ import annotations

import argparse
import sys

from analysis.diff.compare import compare_tables
from analysis.diff.package import read_release
from analysis.diff.render import as_csv, as_json, esc, markdown, text
from analysis.diff.source import ReleaseError

FORMATS = ("text", "markdown", "json", "csv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``diff`` (shared by ``python -m analysis diff`` and :func:`main`)."""
    parser.add_argument("old", help="the older release: a data package folder, or git:REV for data/ at a revision")
    parser.add_argument("new", help="the newer release: a data package folder, or git:REV")
    parser.add_argument("--format", choices=FORMATS, default=None, help="text (default), markdown, json or csv")
    parser.add_argument("--markdown", action="store_true", help="the same as --format markdown (as pasted into data/CHANGELOG.md)")
    parser.add_argument("--limit", type=int, default=10, metavar="N", help="name at most N added, removed or changed rows per table (default 10)")


def render(old_spec: str, new_spec: str, fmt: str = "text", limit: int = 10) -> str:
    """The comparison of two releases in one of :data:`FORMATS`; raises :class:`ReleaseError` on bad input."""
    old_pkg, old = read_release(old_spec)
    new_pkg, new = read_release(new_spec)
    diffs = compare_tables(old, new)
    if fmt == "markdown":
        command = f"python -m analysis diff {old_spec} {new_spec} --markdown"
        return markdown(diffs, old_pkg.get("version", "?"), new_pkg.get("version", "?"), command, limit)
    if fmt == "json":
        side = lambda spec, pkg: {"release": spec, "version": pkg.get("version")}  # noqa: E731
        return as_json(diffs, side(old_spec, old_pkg), side(new_spec, new_pkg))
    if fmt == "csv":
        return as_csv(diffs)
    return text(diffs, limit)


def _write(output: str) -> int:
    """Write ``output`` (a reader that closes the pipe early, ``| head``, is handled once for every command by
    ``python -m analysis``)."""
    sys.stdout.write(output + "\n")
    sys.stdout.flush()
    return 0


def run(args: argparse.Namespace) -> int:
    fmt = "markdown" if args.markdown else (args.format or "text")
    if args.markdown and args.format not in (None, "markdown"):
        print(f"error: --markdown and --format {args.format} contradict each other", file=sys.stderr)
        return 2
    if args.limit < 0:
        print("error: --limit must be 0 or more", file=sys.stderr)
        return 2
    try:
        output = render(args.old, args.new, fmt, args.limit)
    except ReleaseError as exc:
        print(f"error: {esc(exc)}", file=sys.stderr)
        return 1
    return _write(output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis diff", description="Compare two data package releases table by table.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
