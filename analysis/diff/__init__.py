"""What changed between two data releases: tables, columns and rows added, removed and changed.

``python -m analysis diff OLD NEW [--format text|markdown|json|csv] [--limit N]``

OLD and NEW are data package folders (with a ``datapackage.json``, ``.yaml`` or ``.yml``), or ``git:REV`` for the
``data/`` folder at a git revision of this repository (``git:df2ccbe``, ``git:HEAD~3``). Tables are read as text
with the standard library, so a release that no longer validates can still be compared; tables from CSV files
(UTF-8 with or without a byte-order mark, LF or CRLF) or inline ``data``. A table with a primary key is compared
by key; one without is compared as a multiset of whole rows, and the output says so.

>>> from analysis.diff.package import Table
>>> old = {"t": Table("t", ["id", "x"], [{"id": "a", "x": "1"}, {"id": "b", "x": "2"}], ["id"])}
>>> new = {"t": Table("t", ["id", "x"], [{"id": "a", "x": "9"}, {"id": "c", "x": "3"}], ["id"])}
>>> d = compare_tables(old, new)[0]
>>> [r.label for r in d.added], [r.label for r in d.removed], d.changed
(['c'], ['b'], [(('a',), [('x', '1', '9')])])

Modules: :mod:`~analysis.diff.source` (folders and git, safe paths), :mod:`~analysis.diff.package` (descriptor and
tables), :mod:`~analysis.diff.compare`, :mod:`~analysis.diff.render` (text, Markdown, JSON, CSV),
:mod:`~analysis.diff.changelog` (the one reader of data/CHANGELOG.md) and :mod:`~analysis.diff.cli`.
"""

from __future__ import annotations

from analysis.diff.changelog import parse_changelog, read_changelog, release_notes, release_summary
from analysis.diff.cli import main, render
from analysis.diff.compare import RENAME_AGREEMENT, TableDiff, compare_table, compare_tables
from analysis.diff.package import Table, read_release
from analysis.diff.render import BEGIN, END, as_csv, as_json, esc
from analysis.diff.source import ReleaseError


def markdown(old_spec: str, new_spec: str, limit: int = 10) -> str:
    """The comparison of two releases as Markdown, as pasted into data/CHANGELOG.md."""
    return render(old_spec, new_spec, "markdown", limit)


__all__ = [
    "BEGIN", "END", "RENAME_AGREEMENT", "ReleaseError", "Table", "TableDiff", "as_csv", "as_json", "compare_table",
    "compare_tables", "esc", "main", "markdown", "parse_changelog", "read_changelog", "read_release", "release_notes",
    "release_summary", "render",
]  # fmt: skip
