"""The validator: checks ``data/`` against ``datapackage.json`` and the project's cross-table rules.

Standard library only, and google-re2 for patterns (``python -m analysis validate`` must start about as fast as
``import pandas``).
It reads the data and never writes to the data folder, and it reads nothing outside it: a table's path must be a
plain file name, a symbolic link that leads out of the folder is refused unread, and a folder, FIFO or device is
refused without blocking. Every problem is collected, none stops the run, and each reads
``<file>:<line>: <column>: <what is wrong, and what would be right>`` (non-printing characters escaped).

It streams: each table is read in chunks of rows and checked column by column, and every column but free text
(``FREE_TEXT_COLUMNS``: checked, then dropped) is kept for the keys, foreign keys and cross-table rules, as
columns of shared strings. Problems are capped per file and column: the first 20, then one line saying how many
more. Bytes that are not UTF-8 are reported in the cell that holds them.

Beyond the descriptor's types and constraints it refuses what the loaders would crash on or silently alter:
cells over ``MAX_CELL`` characters, control characters (other than tab and line feed), spaces around a value
(the loaders never strip, so a value must be written as it is meant), dates outside what pandas can hold,
integers outside 64 bits, numbers a float64 would round; and it refuses dates in the future or after the
release's ``cutoff_date``, dates not on the first day of their precision's unit (``PRECISION_DATES``; a month-precise
date is the 1st, a year-precise one 1 January: the units are read from ``date_precisions.csv``, which is read first,
``PRECISION_VOCABULARY``), and URLs with characters that must be percent-encoded.

The parts (each a module of this package; the standard library only, and ``google-re2`` for patterns):

- :mod:`.engine`: reading a table, each cell's type and constraints, keys and foreign keys;
- :mod:`.descriptor`: the checks of ``datapackage.json``, split by what they check;
- :mod:`.patterns`: pattern safety (a descriptor's ``pattern`` is matched by RE2, in linear time), with
  :mod:`.backtracking`, which refuses patterns a backtracking engine would run for ever;
- :mod:`.rules`: the project's cross-table rules, one registered function each;
- :mod:`.validator` runs them in turn (:func:`validate`), and :mod:`.cli` is ``python -m analysis validate``.
"""

from __future__ import annotations

import sys
import types

from analysis.validation import settings
from analysis.validation.cli import main
from analysis.validation.engine.problems import DataError, Problem
from analysis.validation.engine.tables import Report, Row, Table
from analysis.validation.settings import (
    CHUNK_BYTES,
    CHUNK_ROWS,
    CONSTRAINTS,
    DIALECT,
    FREE_TEXT_COLUMNS,
    LIST_FOREIGN_KEYS,
    MAX_CELL,
    MAX_LINE_BYTES,
    PRECISION_DATES,
    PRECISION_VOCABULARY,
    PROBLEMS_PER_COLUMN,
    TYPES,
)
from analysis.validation.validator import validate

__all__ = [
    "CHUNK_BYTES", "CHUNK_ROWS", "CONSTRAINTS", "DIALECT", "FREE_TEXT_COLUMNS", "LIST_FOREIGN_KEYS",
    "MAX_CELL", "MAX_LINE_BYTES", "PRECISION_DATES", "PRECISION_VOCABULARY", "PROBLEMS_PER_COLUMN", "TYPES", "DataError", "Problem", "Report", "Row", "Table", "main", "validate",
]  # fmt: skip


class _Package(types.ModuleType):
    """Setting a limit on the package (``monkeypatch.setattr(validation, "CHUNK_ROWS", 2)``) sets it where the engine
    reads it, in :mod:`.settings`."""

    def __setattr__(self, name: str, value: object) -> None:
        if name.isupper() and hasattr(settings, name):
            setattr(settings, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
