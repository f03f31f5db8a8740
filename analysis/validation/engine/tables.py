"""Tables as the validator keeps them: the columns that keys and rules read, with each row's line; and the report."""

from __future__ import annotations

import itertools
import operator
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from analysis.validation.engine.problems import Problem

UNKEPT = 1 << 30  # the index of a free-text column that is not kept: past the end of every row


class Row(tuple):
    """One record as the cross-table rules see it: its first physical line and its kept cells by column name.

    ``get`` returns "" for a column the table does not have, and raises for a free-text column, which is not
    kept (``FREE_TEXT_COLUMNS``), so a new rule cannot silently read empty values.

    NOTE: a row is the tuple ``(line, values, index)``, made by C code while the rows are iterated (a million
    rows are iterated several times; a Python ``__init__`` per row would double the cross-table checks' time).
    """

    __slots__ = ()

    line = property(operator.itemgetter(0), doc="The physical line on which the record starts.")

    def get(self, column: str) -> str:
        try:
            return self[1][self[2][column]]
        except KeyError:  # a column the table does not have
            return ""
        except IndexError:
            raise KeyError(f"column {column!r} is free text, which the validator does not keep: take it out of FREE_TEXT_COLUMNS") from None

    @property
    def cells(self) -> dict[str, str]:
        return {name: self[1][i] for name, i in self[2].items() if i != UNKEPT}


class _Rows(Sequence):
    """The rows of a table, made on demand from its kept columns (a million rows are not a million objects)."""

    def __init__(self, table: Table):
        self._table = table

    def __len__(self) -> int:
        return len(self._table._lines)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        table = self._table
        return Row((table._lines[i], tuple(col[i] for col in table._columns.values()), table._index))

    def __iter__(self) -> Iterator[Row]:
        table = self._table
        values = zip(*table._columns.values()) if table._columns else itertools.repeat(())
        return map(Row, zip(table._lines, values, itertools.repeat(table._index)))


class Table:
    """One table as read: its descriptor facts, its header, and the columns kept for keys and cross-table rules."""

    def __init__(
        self,
        name: str,
        path: str,
        fields: list[dict],
        primary_key: list[str],
        header: list[str] | None = None,
        foreign_keys: list[tuple[str, str, str]] | None = None,
    ):
        self.name = name
        self.path = path  # as shown in messages
        self.fields = fields
        self.primary_key = primary_key
        self.header = list(header or [])
        #: (column, referenced table or "" for itself, referenced column), from the schema's foreignKeys.
        self.foreign_keys = list(foreign_keys or [])
        #: False when the file could not be read at all: nothing is checked against it.
        self.readable = True
        self._lines = array("q")
        self._columns: dict[str, list[str]] = {}
        self._index: dict[str, int] = {}

    @property
    def rows(self) -> _Rows:
        return _Rows(self)

    def keep(self, kept: list[str], present: set[str]) -> None:
        """Store these columns (in this order); the other columns present are free text, not kept."""
        self._columns = {name: [] for name in kept}
        self._index = {f["name"]: UNKEPT for f in self.fields if f["name"] in present} | {name: i for i, name in enumerate(kept)}

    def column(self, name: str) -> list[str] | None:
        return self._columns.get(name)

    def values(self, column: str) -> Sequence[str]:
        """Every value of a column in row order, the fast way to scan one ("" throughout for a column the table
        does not have; free text is not kept, see ``FREE_TEXT_COLUMNS``)."""
        stored = self._columns.get(column)
        if stored is not None:
            return stored
        if self._index.get(column) == UNKEPT:
            raise KeyError(f"column {column!r} is free text, which the validator does not keep: take it out of FREE_TEXT_COLUMNS")
        return [""] * len(self._lines)

    @property
    def lines(self) -> Sequence[int]:
        """The line on which each row starts, in row order (alongside :meth:`values`)."""
        return self._lines

    def records(self, *columns: str) -> Iterator[tuple]:
        """``(line, value, value, ...)`` for each row, with the values of ``columns``: the fast way for a rule to
        walk a big table (no row objects are made)."""
        return zip(self._lines, *(self.values(column) for column in columns))


@dataclass
class Report:
    """The outcome of a validation run: the problems shown (capped per column) and how many were found."""

    problems: list[Problem]
    tables: dict[str, Table]
    count: int | None = None

    def __post_init__(self) -> None:
        if self.count is None:
            self.count = len(self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        rows = sum(len(t.rows) for t in self.tables.values())
        sources = len(self.tables["sources"].rows) if "sources" in self.tables else 0
        return f"data ok: {len(self.tables)} tables, {rows} rows, {sources} sources"
