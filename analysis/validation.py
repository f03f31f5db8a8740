"""The validator: checks ``data/`` against ``datapackage.json`` and the project's cross-table rules.

Standard library only (``python -m analysis validate`` must start about as fast as ``import pandas``).
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
release's ``cutoff_date``, month- and year-precise dates not on the 1st or on 1 January (``PRECISION_DATES``),
and URLs with characters that must be percent-encoded.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import functools
import io
import itertools
import math
import operator
import os
import re
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from analysis.schema import (
    DESCRIPTOR,
    Descriptor,
    DescriptorError,
    UnreadableFile,
    display_path,
    file_name_problem,
    open_data_file,
    read_descriptor,
    resolve_data_dir,
)

#: The longest cell accepted, in characters. Longer values are reported, and the rest of the file is still read.
MAX_CELL = 100_000
#: A physical line longer than this (bytes) is cut short as it is read, and its record reported and skipped.
MAX_LINE_BYTES = 8 * 1024 * 1024
#: Problems shown per file and column; the rest are counted in one line.
PROBLEMS_PER_COLUMN = 20
#: Rows checked at a time (a chunk is checked column by column), and the most bytes a chunk may span.
CHUNK_ROWS = 4096
CHUNK_BYTES = 32 * 1024 * 1024
#: The days a pandas ``datetime64[ns]`` column can hold (the loaders' date type).
FIRST_DATE, LAST_DATE = "1677-09-22", "2262-04-11"
#: The range of the loaders' integer type (pandas ``Int64``).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Significant digits a float64 keeps for any decimal (a number with more would load as a different value).
FLOAT_DIGITS = 15
#: Column types the validator checks and the loaders convert.
TYPES = ("string", "integer", "number", "date", "boolean")
#: Constraints the validator checks; any other key in ``constraints`` is refused rather than silently ignored.
CONSTRAINTS = ("required", "unique", "enum", "pattern", "minimum", "maximum")
#: Field properties that change how a value is read; the validator and the loaders do not implement them.
UNSUPPORTED_FIELD_KEYS = ("missingValues", "trueValues", "falseValues", "decimalChar", "groupChar", "bareNumber", "floatNumber")
#: The CSV dialect every table is read with (Frictionless names); a descriptor may state it, not change it.
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "lineTerminator": "\n", "skipInitialSpace": False}

#: Event types that happen before signature, in the order a negotiation goes through them.
PRE_SIGNATURE_EVENTS = ("negotiations_opened", "negotiation_round", "text_agreed", "signing_postponed", "reported_negotiating")
#: Event types that can only follow the opening of talks on the same agreement.
AFTER_OPENING_EVENTS = ("negotiation_round", "text_agreed", "signing_postponed")
#: Event types that say who acted (events.side): Ukraine, the partner or both.
SIDED_EVENTS = ("approved", "ratified", "entered_into_force")
#: Event types that can only follow the signature.
POST_SIGNATURE_EVENTS = ("ratified", "entered_into_force")
#: The date columns that a row's ``date_precision`` governs, by table: a month-precise date is the 1st of its
#: month and a year-precise one is 1 January (data/README.md). A table with ``date_precision`` must be listed.
PRECISION_DATES = {
    "memberships": ("joined_date",),
    "signatories": ("joined_date",),
    "agreements": ("signed_date",),
    "events": ("event_date",),
    "claims": ("claim_date",),
    "meetings": ("meeting_date",),
}
#: Columns holding several keys separated by ';', each of which must exist in (table, column).
LIST_FOREIGN_KEYS = {"other_source_ids": ("sources", "source_id")}
#: (parties.party_name is kept: the build names each partner's report from the validator's tables.)
#: Free text: checked cell by cell, then dropped, so that a million descriptions are not held in memory. Every
#: other column is kept for the keys and the cross-table rules; a rule that needs one of these must take it out.
FREE_TEXT_COLUMNS = frozenset(
    {
        "title", "excerpt", "publisher", "place", "label", "description", "note", "ukraine_lead",
        "partner_lead", "partner_signatory", "ukraine_signatory", "commitment_text", "claimant", "qualifier", "claim_text",
    }
)

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT_RE = re.compile(r"-?[0-9]+")
_NUM_RE = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_SEMVER_RE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
#: C0 controls other than tab and line feed, DEL, and C1 controls: never in a value.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Bytes that are not UTF-8 reach the cells as surrogate escapes (U+DC80 to U+DCFF), reported with their column.
_UNDECODED_RE = re.compile("[\udc80-\udcff]+")
#: Characters a URL may not hold unescaped (RFC 3986 excludes them; they also break out of HTML attributes).
_URL_FORBIDDEN_RE = re.compile(r"""[<>"'\\`{}|^\s\x00-\x1f\x7f-\x9f]""")
#: A scheme, then a host (no user@ before it), an optional port, then the path, query or fragment (or nothing).
_URL_START_RE = re.compile(r"https?://[^/?#@:]+(:[0-9]+)?([/?#]|$)")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located by file, line and column."""

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        message = self.message if len(self.message) <= 1000 else f"{self.message[:700]} … {self.message[-250:]}"
        column = _printable(self.column).replace(":", "\\x3a")
        return f"{_printable(self.path)}:{self.line}: {column}: {_printable(message)}"


def _printable(text: str) -> str:
    """``text`` with every non-printing character (controls, line breaks, bidi overrides) escaped, so one problem
    is one line and a value cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _show(value: str, limit: int = 80) -> str:
    """A value as messages quote it: in quotes, non-printing characters escaped, a long value cut in the middle
    (its ends stay visible: that is where stray spaces are)."""
    if len(value) <= limit:
        return repr(value)
    quote = repr(value)[-1]
    head, tail = repr(value[: limit - 25])[1:-1], repr(value[-20:])[1:-1]
    return f"{quote}{head}…{tail}{quote} ({len(value):,} characters)"


class DataError(ValueError):
    """Raised by the loaders when the data does not validate; carries every problem shown."""

    def __init__(self, problems: list[Problem], count: int | None = None):
        self.problems = list(problems)
        self.count = len(self.problems) if count is None else count
        shown = "\n".join(str(p) for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"the data has {self.count} problem(s):\n{shown}{tail}")


# --------------------------------------------------------------------------- rows and tables

_UNKEPT = 1 << 30  # the index of a free-text column that is not kept: past the end of every row


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
        return {name: self[1][i] for name, i in self[2].items() if i != _UNKEPT}


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
        self._index = {f["name"]: _UNKEPT for f in self.fields if f["name"] in present} | {name: i for i, name in enumerate(kept)}

    def column(self, name: str) -> list[str] | None:
        return self._columns.get(name)

    def values(self, column: str) -> Sequence[str]:
        """Every value of a column in row order, the fast way to scan one ("" throughout for a column the table
        does not have; free text is not kept, see ``FREE_TEXT_COLUMNS``)."""
        stored = self._columns.get(column)
        if stored is not None:
            return stored
        if self._index.get(column) == _UNKEPT:
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


class _Slot:
    __slots__ = ("kept", "worst", "hidden", "first_hidden")

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.worst: tuple[int, str] | None = None  # set once the slot is full
        self.hidden = 0
        self.first_hidden = 0


class _Collector:
    """Collects problems, keeping the first ``PROBLEMS_PER_COLUMN`` (by line) of each file and column."""

    def __init__(self, cap: int = PROBLEMS_PER_COLUMN) -> None:
        self.cap = cap
        self.count = 0
        self._slots: dict[tuple[str, str], _Slot] = {}

    def add(self, table: Table | str, line: int, column: str, message: str) -> None:
        path = table.path if isinstance(table, Table) else table
        slot = self._slots.get((path, column))
        if slot is None:
            slot = self._slots[(path, column)] = _Slot()
        if slot.worst is not None and (line, message) >= slot.worst:
            self._hide(slot, line)
            return
        problem = Problem(path, line, column, message)
        if problem in slot.kept:
            return
        self.count += 1
        slot.kept.append(problem)
        if len(slot.kept) > self.cap:
            evicted = max(slot.kept, key=lambda p: (p.line, p.message))
            slot.kept.remove(evicted)
            self.count -= 1
            self._hide(slot, evicted.line)
        if len(slot.kept) == self.cap:
            slot.worst = max((p.line, p.message) for p in slot.kept)

    def _hide(self, slot: _Slot, line: int) -> None:
        self.count += 1
        if not slot.hidden or line < slot.first_hidden:
            slot.first_hidden = line
        slot.hidden += 1

    def add_many(self, table: Table, column: str, found: list[tuple[int, str]]) -> None:
        """Add problems in one column, in line order: once its first lines are full, the rest are only counted."""
        slot = self._slots.get((table.path, column))
        if slot is not None and slot.worst is not None and found and found[0][0] > slot.worst[0]:
            self.count += len(found)
            if not slot.hidden or found[0][0] < slot.first_hidden:
                slot.first_hidden = found[0][0]
            slot.hidden += len(found)
            return
        for line, message in found:
            self.add(table, line, column, message)

    def hidden(self, table: Table | str, line: int, column: str) -> bool:
        """Whether a problem at ``line`` would only be counted (so an expensive message need not be built)."""
        slot = self._slots.get((table.path if isinstance(table, Table) else table, column))
        return slot is not None and slot.worst is not None and line > slot.worst[0]

    def problems(self) -> list[Problem]:
        shown = [p for slot in self._slots.values() for p in slot.kept]
        for (path, column), slot in self._slots.items():
            if slot.hidden:
                noun = "problem" if slot.hidden == 1 else "problems"
                shown.append(Problem(path, slot.first_hidden, column, f"… and {slot.hidden:,} more {noun} in this column"))
        return sorted(shown, key=lambda p: (p.path, p.line, p.column, p.message))


# --------------------------------------------------------------------------- the descriptor


def _json_path(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "-"


@dataclass
class _Release:
    """What the descriptor says about the release as a whole."""

    cutoff: dt.date | None = None


def _check_descriptor(desc: Descriptor, where: str, out: _Collector) -> tuple[list[dict], _Release]:
    """Check the descriptor's shape; return the resources that can be checked (normalised) and the release.

    A resource whose name, path or fields are unusable is left out (its tables are not read); a broken
    constraint, key or foreign key is reported and left out, and the rest of the table is still checked.
    """
    release = _Release()

    def problem(path: tuple, message: str, key: str | None = None) -> None:
        out.add(where, desc.line(path, key), _json_path(path + ((key,) if key is not None else ())), message)

    for path, key in desc.duplicate_keys():
        problem(path, f"key {key!r} appears twice in this object: JSON keeps only the last one, so remove the other", key)
    package = desc.package
    if not isinstance(package, dict):
        problem((), "datapackage.json needs a 'resources' list describing each table (it is not a JSON object)")
        return [], release
    version = package.get("version")
    if version is None:
        problem((), "datapackage.json has no 'version': add the release number, e.g. \"version\": \"1.0.0\"")
    elif not isinstance(version, str) or not _SEMVER_RE.fullmatch(version):
        problem((), f"version {_show(str(version))} is not MAJOR.MINOR.PATCH: write e.g. \"1.0.0\"", "version")
    cutoff = package.get("cutoff_date")
    if cutoff is None:
        problem((), "datapackage.json has no 'cutoff_date': add the release's cut-off, e.g. \"cutoff_date\": \"2026-11-28\"")
    else:
        day = _date(cutoff) if isinstance(cutoff, str) and _DATE_RE.fullmatch(cutoff) else None
        if day is None:
            problem((), f"cutoff_date {_show(str(cutoff))} is not a date: write YYYY-MM-DD, e.g. \"2026-11-28\"", "cutoff_date")
        release.cutoff = day
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        problem((), "datapackage.json needs a 'resources' list describing each table")
        return [], release

    names: dict[str, int] = {}
    paths: dict[str, int] = {}
    checked: list[tuple[int, dict, dict]] = []
    for i, resource in enumerate(resources):
        at = ("resources", i)
        if not isinstance(resource, dict):
            problem(at, "each resource must be an object with a name, a path and a schema")
            continue
        name, path = resource.get("name"), resource.get("path")
        usable = True
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            shown = "is missing" if name is None else f"{_show(str(name))} is not snake_case"
            problem(at, f"the resource name {shown}: name the table in lower case, e.g. \"events\"", "name" if "name" in resource else None)
            usable = False
        elif name in names:
            problem(at, f"resource name '{name}' is used twice (also resources[{names[name]}]): each table needs its own name", "name")
            usable = False
        else:
            names[name] = i
        label = name if isinstance(name, str) and usable else f"resources[{i}]"
        bad_path = file_name_problem(path)
        if bad_path:
            problem(at, f"{label}: path {bad_path}", "path" if "path" in resource else None)
            usable = False
        elif not path.endswith(".csv"):
            problem(at, f"{label}: path '{path}' should end in .csv: every table is a CSV file", "path")
            usable = False
        elif path in paths:
            problem(at, f"{label}: path '{path}' is also the path of resources[{paths[path]}]: each table needs its own file", "path")
            usable = False
        else:
            paths[path] = i
        for key, allowed in (("format", ("csv",)), ("mediatype", ("text/csv",)), ("encoding", ("utf-8", "utf8"))):
            if key in resource and (not isinstance(resource[key], str) or resource[key].lower() not in allowed):
                problem(at, f"{label}: {key} {_show(str(resource[key]))} is not supported: tables are {allowed[0]} (or leave {key} out)", key)
        dialect = resource.get("dialect", {})
        if not isinstance(dialect, dict):
            problem(at, f"{label}: dialect must be an object (or leave it out)", "dialect")
        else:
            for key, value in dialect.items():
                if key not in DIALECT or value != DIALECT[key] or isinstance(value, bool) != isinstance(DIALECT[key], bool):
                    expected = f"{key} {DIALECT[key]!r}" if key in DIALECT else f"no {key}"
                    problem(at + ("dialect",), f"{label}: dialect {key} {value!r} is not supported: every table is read with {expected}", key)
        schema = resource.get("schema")
        if not isinstance(schema, dict):
            problem(at, f"{label} has no schema: add \"schema\": {{\"fields\": [...]}} describing its columns", "schema" if schema is not None else None)
            continue
        fields = _check_fields(schema, at + ("schema",), label, problem)
        if fields is None or not usable:
            continue
        normal = {"name": name, "path": path, "schema": {"fields": fields, "primaryKey": [], "foreignKeys": []}}
        if "description" in resource and isinstance(resource["description"], str):
            normal["description"] = resource["description"]
        field_names = [f["name"] for f in fields]
        key = schema.get("primaryKey")
        if key is not None:
            if isinstance(key, list) and key and all(isinstance(k, str) and k in field_names for k in key) and len(set(key)) == len(key):
                normal["schema"]["primaryKey"] = list(key)
            else:
                problem(at + ("schema",), f"{label}: primaryKey must be a list of this table's columns, e.g. [\"{field_names[0]}\"]", "primaryKey")
        missing = schema.get("missingValues")
        if missing is not None and missing != [""]:
            problem(at + ("schema",), f"{label}: missingValues {missing!r} is not supported: an empty cell is the only missing value (write [\"\"])", "missingValues")
        checked.append((i, schema, normal))

    # Foreign keys, once every table's columns are known.
    columns = {normal["name"]: [f["name"] for f in normal["schema"]["fields"]] for _, _, normal in checked}
    for i, schema, normal in checked:
        label = normal["name"]
        foreign = schema.get("foreignKeys")
        if foreign is None:
            continue
        at = ("resources", i, "schema")
        if not isinstance(foreign, list):
            problem(at, f"{label}: foreignKeys must be a list of {{\"fields\": ..., \"reference\": {{...}}}}", "foreignKeys")
            continue
        for k, fk in enumerate(foreign):
            fat = at + ("foreignKeys", k)
            reference = fk.get("reference") if isinstance(fk, dict) else None
            column = fk.get("fields") if isinstance(fk, dict) else None
            target = reference.get("resource") if isinstance(reference, dict) else None
            target_column = reference.get("fields") if isinstance(reference, dict) else None
            shape = 'write {"fields": "party_id", "reference": {"resource": "parties", "fields": "party_id"}}'
            if (
                isinstance(column, list) and isinstance(target_column, list) and isinstance(target, str)
                and 1 < len(column) == len(target_column) <= 8 and all(isinstance(c, str) for c in column + target_column)
            ):  # fmt: skip
                target_name = target or label
                unknown = [c for c in column if c not in columns[label]]
                if unknown:
                    problem(fat, f"{label}: foreign key columns {unknown} are not columns of {label}", "fields")
                elif target_name not in columns or any(c not in columns[target_name] for c in target_column):
                    problem(fat, f"{label}: foreign key refers to {target_column} of '{target}', which the descriptor does not define", "resource")
                else:
                    normal["schema"].setdefault("compositeKeys", []).append({"fields": column, "reference": {"resource": target, "fields": target_column}})
                continue
            if not all(isinstance(v, str) for v in (column, target, target_column)):
                problem(fat, f"{label}: a foreign key names one column (or a list of columns) and the table and column(s) it refers to: {shape}")
                continue
            target_name = target or label
            if column not in columns[label]:
                problem(fat, f"{label}: foreign key column '{column}' is not a column of {label}", "fields")
            elif target_name not in columns:
                problem(fat, f"{label}: foreign key refers to table '{target}', which the descriptor does not define (or could not be read)", "resource")
            elif target_column not in columns[target_name]:
                problem(fat, f"{label}: foreign key refers to '{target_column}', which is not a column of {target_name}", "fields")
            else:
                normal["schema"]["foreignKeys"].append({"fields": column, "reference": {"resource": target, "fields": target_column}})
    return [normal for _, _, normal in checked], release


def _check_fields(schema: dict, at: tuple, label: str, problem) -> list[dict] | None:
    """The schema's fields, normalised (constraints checked, patterns compiled); None if they cannot be used."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        problem(at, f"{label}: 'fields' must be a non-empty list of columns, each with a name and a type", "fields" if fields is not None else None)
        return None
    normal: list[dict] = []
    usable = True
    for j, spec in enumerate(fields):
        fat = at + ("fields", j)
        if not isinstance(spec, dict):
            problem(fat, f"{label}: each field must be an object with a name and a type")
            usable = False
            continue
        name = spec.get("name")
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            shown = "has no name" if name is None else f"name {_show(str(name))} is not snake_case"
            problem(fat, f"{label}: a field {shown}: name every column in lower case, e.g. \"event_date\"", "name" if name is not None else None)
            usable = False
            continue
        where = f"{label}.{name}"
        if any(f["name"] == name for f in normal):
            problem(fat, f"{where}: the column is defined twice: remove one definition", "name")
            usable = False
            continue
        kind = spec.get("type")
        if kind not in TYPES:
            shown = "has no type" if kind is None else f"type {_show(str(kind))} is not one the validator checks"
            problem(fat, f"{where} {shown}: use one of {', '.join(TYPES)}", "type" if kind is not None else None)
            kind = "string"
        fmt = spec.get("format")
        if fmt not in (None, "default") and not (kind == "date" and fmt == "%Y-%m-%d"):
            problem(fat, f"{where}: format {_show(str(fmt))} is not supported: dates are ISO (%Y-%m-%d), other types have no format", "format")
        for key in UNSUPPORTED_FIELD_KEYS:
            if key in spec:
                problem(fat, f"{where}: {key} is not supported (the loaders would ignore it): remove it", key)
        entry = {"name": name, "type": kind, "constraints": _check_constraints(spec.get("constraints"), kind, fat, where, problem)}
        if isinstance(spec.get("description"), str):
            entry["description"] = spec["description"]
        normal.append(entry)
    return normal if usable else None


def _check_constraints(cons: object, kind: str, at: tuple, where: str, problem) -> dict:
    if cons is None:
        return {}
    if not isinstance(cons, dict):
        problem(at, f"{where}: constraints must be an object, e.g. {{\"required\": true}}", "constraints")
        return {}
    at = at + ("constraints",)
    kept: dict = {}
    for key, value in cons.items():
        if key not in CONSTRAINTS:
            guess = difflib.get_close_matches(str(key), CONSTRAINTS, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            problem(at, f"{where}: constraint {_show(str(key))} is not one the validator checks{hint}: use {', '.join(CONSTRAINTS)}", key)
        elif key in ("required", "unique"):
            if isinstance(value, bool):
                kept[key] = value
            else:
                problem(at, f"{where}: {key} must be true or false, not {value!r}", key)
        elif key == "enum":
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                kept[key] = value
            else:
                problem(at, f"{where}: enum must be a non-empty list of the allowed values, as text (e.g. [\"day\", \"month\"])", key)
        elif key == "pattern":
            message = _pattern_problem(value) if kind == "string" else "applies to string columns only"
            if message is None:
                kept[key] = value
                kept["_pattern"] = re.compile(value)
            else:
                problem(at, f"{where}: pattern {message}", key)
        else:  # minimum, maximum
            number_type = int if kind == "integer" else (int, float)
            if kind not in ("integer", "number"):
                problem(at, f"{where}: {key} applies to integer and number columns only", key)
            elif isinstance(value, bool) or not isinstance(value, number_type) or (isinstance(value, float) and not math.isfinite(value)):
                problem(at, f"{where}: {key} must be a finite {'whole number' if kind == 'integer' else 'number'}, not {value!r}", key)
            else:
                kept[key] = value
    if "minimum" in kept and "maximum" in kept and kept["minimum"] > kept["maximum"]:
        problem(at, f"{where}: minimum {kept['minimum']} is above maximum {kept['maximum']}: no value could pass", "minimum")
    return kept


# --------------------------------------------------------------------------- patterns that could hang

_SAMPLE = [chr(c) for c in range(128)] + ["\xa0", "é", "Ж", "٣", "中", "\u2028"]
_ALL = frozenset(_SAMPLE)


def _pattern_problem(pattern: object) -> str | None:
    """What is wrong with a descriptor ``pattern``, or None: it must compile, and it must not backtrack
    catastrophically (a value of a few dozen characters could otherwise hang the validator)."""
    if not isinstance(pattern, str) or not pattern:
        return f"{pattern!r} is not a regular expression: write it as a string, e.g. \"^[A-Z]{{3}}$\""
    return _string_pattern_problem(pattern)


@functools.lru_cache(maxsize=256)
def _string_pattern_problem(pattern: str) -> str | None:
    if len(pattern) > 1000:
        return f"is {len(pattern):,} characters long: a column's pattern needs far fewer than 1,000"
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"{_show(pattern)} is not a valid regular expression ({exc}): fix its syntax"
    try:
        from re import _parser  # the standard library's own regex parser (private, stable within a Python version)

        risky = _ambiguous(_parser.parse(pattern))
    except Exception:  # the check is a safeguard; a pattern it cannot analyse is not refused for that
        risky = False
    if risky:
        return (
            f"{_show(pattern)} can take exponential time on some values (a repeated part can match the same text in "
            "more than one way, as in (a+)+): make each repetition start with a character the part before it cannot "
            "match, as in ^[a-z0-9]+(-[a-z0-9]+)*$"
        )
    return None


def _ambiguous(seq) -> bool:
    """Whether a parsed pattern nests or chains repeats that can match the same characters (catastrophic backtracking)."""
    from re import _constants as c

    repeats = (c.MAX_REPEAT, c.MIN_REPEAT)
    items = list(seq)
    for i, (op, av) in enumerate(items):
        if op in repeats:
            low, high, body = av
            if high > 1:
                first, nullable = _first(body)
                if nullable:
                    return True  # (a*)*: empty repetitions
                for chars in _variable_parts(body):
                    if chars & first:
                        return True  # (a+)+, (a|aa)+: a part of variable length can run on into the next repetition
                if any(_branches_overlap(av2) for op2, av2 in _walk_items(body) if op2 == c.BRANCH):
                    return True  # (a|ab)*
            if high == c.MAXREPEAT and i + 1 < len(items):
                following, _ = _first(items[i + 1 : i + 2])
                if _chars(body) & following and items[i + 1][0] in repeats and items[i + 1][1][1] == c.MAXREPEAT:
                    return True  # \S+\S+: two unbounded repeats share characters
            if _ambiguous(body):
                return True
        elif op in (c.SUBPATTERN,):
            if _ambiguous(av[3]):
                return True
        elif op == c.BRANCH:
            if any(_ambiguous(branch) for branch in av[1]):
                return True
        elif op in (c.POSSESSIVE_REPEAT, c.ATOMIC_GROUP):
            continue  # never backtracks
    return False


def _walk_items(seq):
    from re import _constants as c

    for op, av in seq:
        yield op, av
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            yield from _walk_items(av[2])
        elif op == c.SUBPATTERN:
            yield from _walk_items(av[3])
        elif op == c.BRANCH:
            for branch in av[1]:
                yield from _walk_items(branch)
        elif op == c.ATOMIC_GROUP:
            yield from _walk_items(av)


def _variable_parts(seq):
    """The characters of each part of a sequence whose length varies: a repeat, an optional part, a branch
    with an empty alternative."""
    from re import _constants as c

    for op, av in _walk_items(seq):
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] != av[1]:
            yield _chars(av[2])
        elif op == c.BRANCH and any(_first(branch)[1] for branch in av[1]):
            yield frozenset().union(*(_chars(branch) for branch in av[1]))


def _branches_overlap(av) -> bool:
    """Whether two alternatives can start with the same character (or both match nothing)."""
    seen: set[str] = set()
    empty = 0
    for branch in av[1]:
        first, nullable = _first(branch)
        empty += nullable
        if first & seen or empty > 1:
            return True
        seen |= first
    return False


def _first(seq) -> tuple[frozenset, bool]:
    """The sample characters a sequence can start with, and whether it can match the empty string."""
    from re import _constants as c

    found: set[str] = set()
    for op, av in seq:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            chars, nullable = _first(av[2])
            nullable = nullable or av[0] == 0
        elif op == c.SUBPATTERN:
            chars, nullable = _first(av[3])
        elif op == c.ATOMIC_GROUP:
            chars, nullable = _first(av)
        elif op == c.BRANCH:
            parts = [_first(branch) for branch in av[1]]
            chars, nullable = frozenset().union(*(p[0] for p in parts)), any(p[1] for p in parts)
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            chars, nullable = frozenset(), True
        elif op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
            chars, nullable = _single(op, av), False
        else:  # back-references and the like: assume the worst
            chars, nullable = _ALL, True
        found |= chars
        if not nullable:
            return frozenset(found), False
    return frozenset(found), True


def _chars(seq) -> frozenset:
    """Every sample character a sequence can consume."""
    from re import _constants as c

    found: set[str] = set()
    for op, av in _walk_items(seq):
        if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
            found |= _single(op, av)
        elif op not in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT, c.SUBPATTERN, c.BRANCH, c.ATOMIC_GROUP, c.AT):
            found |= _ALL
    return frozenset(found)


def _single(op, av) -> frozenset:
    from re import _constants as c

    if op == c.LITERAL:
        return frozenset({chr(av)})
    if op == c.NOT_LITERAL:
        return _ALL - {chr(av)}
    if op == c.ANY:
        return _ALL - {"\n"}
    negate = False
    found: set[str] = set()
    categories = {
        c.CATEGORY_DIGIT: str.isdecimal,
        c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
        c.CATEGORY_SPACE: str.isspace,
        c.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
        c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
        c.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
    }
    for kind, value in av:
        if kind == c.NEGATE:
            negate = True
        elif kind == c.LITERAL:
            found.add(chr(value))
        elif kind == c.RANGE:
            found |= {ch for ch in _SAMPLE if value[0] <= ord(ch) <= value[1]}
        elif kind == c.CATEGORY and value in categories:
            found |= {ch for ch in _SAMPLE if categories[value](ch)}
        else:
            found |= _ALL
    return frozenset(_ALL - found if negate else found)


# --------------------------------------------------------------------------- file level


class _Source(io.RawIOBase):
    """A table's bytes on their way to the decoder, inspected a chunk at a time (never line by line).

    It reports a byte-order mark (and drops it), the first CR, and a missing final newline; and it cuts a line
    longer than ``MAX_LINE_BYTES`` short (its quotes kept balanced), noting it in ``cut`` so that the record is
    reported and dropped, and memory stays bounded whatever the file holds. Invalid UTF-8 passes through as
    surrogate escapes, which the cell checks report with their line and column.
    """

    def __init__(self, fh: BinaryIO, table: Table, out: _Collector):
        self._fh = fh
        self._table = table
        self._out = out
        self.position = 0  # bytes read from the file
        self.lines = 0  # line feeds passed on
        self.cut: list[tuple[int, int]] = []  # (line, its length in bytes) of each line cut short
        self._run = 0  # bytes passed on since the last line feed
        self._dropping = 0  # while cutting a line: its length so far (0: not cutting)
        self._quotes = 0  # quotes in the part of the line dropped
        self._cr = False
        self._last = b"\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            data = self._fh.read(min(len(buffer), 1 << 20))  # a chunk is always shorter than a line may be
            if not data:
                self._end()
                return 0
            if self.position == 0 and data.startswith(b"\xef\xbb\xbf"):
                self._out.add(self._table, 1, "-", "file starts with a byte-order mark: save as UTF-8 without BOM")
                data = data[3:]
            self.position += len(data)
            self._last = data[-1:] or self._last
            if not self._cr and b"\r" in data:
                self._cr = True
                line = self.lines + data[: data.index(b"\r")].count(b"\n") + 1
                self._out.add(self._table, line, "-", "line ends with CR (Windows line endings): use LF only")
            data = self._inspect(data)
            if data:
                buffer[: len(data)] = data
                return len(data)

    def _inspect(self, data: bytes) -> bytes:
        # Only the line running on from the last chunk can be too long: every other line ends within this one.
        first = data.find(b"\n")
        if self._dropping or self._run + (len(data) if first < 0 else first) > MAX_LINE_BYTES:
            return self._cut(data)
        last = data.rfind(b"\n")
        if last < 0:
            self._run += len(data)
        else:
            self.lines += data.count(b"\n")
            self._run = len(data) - last - 1
        return data

    def _cut(self, data: bytes) -> bytes:
        """Pass ``data`` on line by line, cutting every line at MAX_LINE_BYTES (the slow path, for long lines)."""
        kept = bytearray()
        position = 0
        while position < len(data):
            end = data.find(b"\n", position)
            piece = data[position : len(data) if end < 0 else end]
            if self._dropping:
                self._dropping += len(piece)
                self._quotes += piece.count(b'"')
            else:
                room = MAX_LINE_BYTES - self._run
                if len(piece) > room:
                    kept += piece[:room]
                    self._dropping, self._quotes = self._run + len(piece), piece[room:].count(b'"')
                    self._run = MAX_LINE_BYTES
                else:
                    kept += piece
                    self._run += len(piece)
            if end < 0:
                break
            kept += self._close_cut() + b"\n"
            self.lines += 1
            self._run = 0
            position = end + 1
        return bytes(kept)

    def _close_cut(self) -> bytes:
        if not self._dropping:
            return b""
        self.cut.append((self.lines + 1, self._dropping))
        balance = b'"' if self._quotes % 2 else b""  # so that the parser's idea of what is quoted stays right
        self._dropping = self._quotes = 0
        return balance

    def _end(self) -> None:
        if self.position and self._last not in (b"\n", b"\r"):
            self._out.add(self._table, self.lines + 1, "-", "the last line has no final newline: end the file with LF")
        self._close_cut()


def _read_table(data_dir: Path, resource: dict, ctx: _Context) -> Table:
    schema = resource["schema"]
    table = Table(
        name=resource["name"],
        path=display_path(data_dir / resource["path"]),
        fields=schema["fields"],
        primary_key=schema["primaryKey"],
        foreign_keys=[(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"]) for fk in schema["foreignKeys"]],
    )
    out = ctx.out
    try:
        fh = open_data_file(data_dir, resource["path"])
    except FileNotFoundError:
        out.add(table, 1, "-", f"file is missing: {DESCRIPTOR} lists table '{table.name}' at this path")
        table.readable = False
        return table
    except UnreadableFile as exc:
        out.add(table, 1, "-", f"the file {exc}")
        table.readable = False
        return table
    source = _Source(fh, table, out)
    # NOTE: csv's field limit is process-wide; it is raised only while a table is read, so that a long value is
    # reported by its cell check (with its column) instead of derailing the parse.
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, MAX_LINE_BYTES + 1))
    try:
        with fh, io.TextIOWrapper(io.BufferedReader(source, 1 << 20), encoding="utf-8", errors="surrogateescape", newline="") as text:
            _stream(text, source, table, ctx)
    except OSError as exc:  # an I/O error, or a file that shrank while it was read
        out.add(table, source.lines + 1, "-", f"the file could not be read to the end ({exc.strerror or exc}): check the disk and read it again")
    finally:
        csv.field_size_limit(limit)
    return table


def _stream(text: io.TextIOWrapper, source: _Source, table: Table, ctx: _Context) -> None:
    """Parse the records, check them a chunk at a time, and report records that cannot be read."""
    out = ctx.out
    reader = csv.reader(text, strict=True)
    cut = source.cut  # lines cut short, appended by the source as it reads ahead
    checker: _Checker | None = None
    records: list[list[str]] = []
    starts: list[int] = []
    start = 1  # the line on which the next record starts
    flush_at = CHUNK_BYTES
    while True:
        try:
            if checker is None:
                for record in reader:
                    if cut and cut[0][0] <= reader.line_num:
                        _report_cut(source, start, reader.line_num, table, out)
                        start = reader.line_num + 1
                        continue
                    checker = _Checker(table, record, ctx)
                    start = reader.line_num + 1
                    break
                else:
                    break
            width = len(checker.header)
            keep, mark = records.append, starts.append
            # NOTE: the hot loop of the validator (once per record): keep it to the cheapest tests.
            for record in reader:
                if len(record) == width and not cut:
                    keep(record)
                    mark(start)
                    if len(records) >= CHUNK_ROWS or source.position > flush_at:
                        checker.check(records, starts)
                        records, starts = [], []
                        keep, mark = records.append, starts.append
                        flush_at = source.position + CHUNK_BYTES
                elif cut and cut[0][0] <= reader.line_num:
                    _report_cut(source, start, reader.line_num, table, out)
                elif len(record) == width:
                    keep(record)
                    mark(start)
                elif not record:
                    out.add(table, start, "-", "blank line: remove it")
                else:
                    where = checker.header[len(record)] if len(record) < width else f"field {width + 1}"
                    out.add(
                        table,
                        start,
                        where,
                        f"row has {len(record)} fields but the header has {width}: "
                        "check for a missing or extra comma, or quote fields that contain commas",
                    )
                start = reader.line_num + 1
            break
        except csv.Error as exc:
            if cut and cut[0][0] <= reader.line_num:
                _report_cut(source, start, reader.line_num, table, out)
            elif "field larger than field limit" in str(exc):
                out.add(table, start, "-", f"a value is longer than {MAX_LINE_BYTES:,} bytes: look for an unbalanced quote that runs on")
            else:
                message = "a quote is unbalanced; quote the whole field and double any quote inside it"
                out.add(table, start, "-", f"cannot read this record ({exc}): {message}")
            start = reader.line_num + 1
    if cut:
        _report_cut(source, start, source.lines + 1, table, out)
    if checker is None:
        out.add(table, 1, "-", "file is empty: it needs at least the header row")
        table.readable = False
        return
    if records:
        checker.check(records, starts)


def _report_cut(source: _Source, start: int, end: int, table: Table, out: _Collector) -> None:
    """Report the lines cut short up to line ``end``; the record holding them is dropped unchecked."""
    while source.cut and source.cut[0][0] <= end:
        line, size = source.cut.pop(0)
        out.add(
            table,
            line,
            "-",
            f"the line is {size:,} bytes long, over the limit of {MAX_LINE_BYTES:,}: the record from line {start} is "
            "skipped unchecked; a row is a few hundred bytes, so look for a missing line break or a runaway value",
        )


# --------------------------------------------------------------------------- header and cells


def _check_header(header: list[str], table: Table, out: _Collector) -> None:
    expected = [f["name"] for f in table.fields]
    unknown = [h for h in header if h not in expected]
    # NOTE: suggestions compare names pairwise, so they are skipped for a header that is clearly not this table's.
    suggest = len(unknown) <= 100

    def shown(name: str) -> str:
        return name if len(name) <= 80 else name[:80] + "…"

    present = set(header)
    missing = [e for e in expected if e not in present]
    undecoded = next((match for name in header if (match := _UNDECODED_RE.search(name))), None)
    if undecoded:
        out.add(table, 1, "-", f"not valid UTF-8 (bytes {_undecoded_bytes(undecoded.group())!r}): re-save the file as UTF-8")
    for name in header:
        if name != name.strip():
            out.add(table, 1, shown(name.strip()) or "-", f"column name {_show(name)} has spaces around it: write {_show(name.strip())}")
    for name in unknown:
        guess = difflib.get_close_matches(name.strip(), missing, n=1) if suggest and len(name) <= 100 else []
        hint = f": did you mean '{guess[0]}'?" if guess else f": {DESCRIPTOR} defines no such column"
        out.add(table, 1, shown(name) or "-", f"unknown column {_show(name)}{hint}")
    for name in missing:
        guess = difflib.get_close_matches(name, [u for u in unknown if len(u) <= 100], n=1) if suggest else []
        hint = f" (found '{guess[0]}', misspelt?)" if guess else ""
        out.add(table, 1, name, f"column '{name}' is missing{hint}: add it to the header, even if empty")
    if not unknown and not missing and header != expected:
        out.add(table, 1, "-", f"columns are out of order: expected {','.join(expected)}")
    seen = set()
    for name in header:
        if name in seen:
            out.add(table, 1, shown(name), f"column '{shown(name)}' appears twice in the header")
        seen.add(name)


def _undecoded_bytes(escaped: str) -> bytes:
    """The bytes behind a run of surrogate escapes (at most four, for the message)."""
    return bytes(ord(ch) - 0xDC00 for ch in escaped[:4])


def _pct(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))


class _Column:
    """The checks for one column, compiled once; results are cached per distinct value."""

    def __init__(self, spec: dict, index: int, ctx: _Context, kept: bool):
        cons = spec.get("constraints", {})
        self.name = spec["name"]
        self.index = index
        self.kept = kept
        self.kind = spec["type"]
        self.description = spec.get("description", "")
        self.required = bool(cons.get("required"))
        self.enum: list[str] | None = cons.get("enum")
        self.enum_set = frozenset(self.enum) if self.enum else None
        self.source = cons.get("pattern")
        self.pattern = cons.get("_pattern") or (re.compile(self.source) if self.source else None)
        self.minimum, self.maximum = cons.get("minimum"), cons.get("maximum")
        self.url = self.name == "url" or self.name.endswith("_url")
        self.fast = self.kind == "string" and self.enum is None and not self.url
        self.today, self.cutoff = ctx.today, ctx.cutoff
        self._cache: dict[str, tuple[str, ...]] = {}
        self._intern: dict[str, str] = {}

    def check(self, values: tuple[str, ...], starts: list[int], table: Table, out: _Collector) -> Sequence[str]:
        """Report the problems in one chunk of this column; return the values as kept (stripped where reported)."""
        distinct = set(values)
        # Repeated values (codes, dates) are checked once each, from the cache; mostly distinct ones (ids,
        # free text) in one pass over the whole chunk when nothing can be wrong with them.
        if self.fast and len(distinct) * 4 > len(values) and self._plain(values, distinct):
            return self._interned(values, distinct) if self.kept else values
        bad: dict[str, tuple[str, ...]] = {}
        for value in distinct:
            found = self._cache.get(value)
            if found is None:
                found = self.messages(value)
                if len(value) <= 200 and len(self._cache) < 10_000:
                    self._cache[value] = found
            if found:
                bad[value] = found
        if bad:
            get = bad.get
            out.add_many(table, self.name, [(line, m) for value, line in zip(values, starts) for m in get(value, ())])
            if self.kept:
                # Keep the stripped value, so that one slip is one problem; keep nothing of an over-long one.
                values = tuple((v.strip() if len(v) <= MAX_CELL else "") if v in bad else v for v in values)
                distinct = None
        return self._interned(values, distinct) if self.kept else values

    def _plain(self, values: tuple[str, ...], distinct: set[str]) -> bool:
        """A fast pass for a string chunk: True when no value can have a problem (all printable, unpadded,
        present where required, short enough, and matching the pattern)."""
        joined = "".join(values)
        if not joined.isprintable() or tuple(map(str.strip, values)) != values:
            return False
        if (self.required and "" in values) or (len(joined) > MAX_CELL and max(map(len, values)) > MAX_CELL):
            return False
        return self.pattern is None or all(map(self.pattern.fullmatch, filter(None, distinct)))

    def _interned(self, values: Sequence[str], distinct: set[str] | None) -> Sequence[str]:
        """Share repeated values (codes, dates), so a million rows hold a few thousand strings, not millions."""
        distinct = distinct if distinct is not None else set(values)
        if len(distinct) * 2 > len(values):
            return values
        if len(distinct) == 1:  # an empty column, or one code throughout: one string, repeated
            return [next(iter(distinct))] * len(values)
        cache = self._intern
        if len(cache) < 100_000:
            return list(map(cache.setdefault, values, values))
        return [cache.get(v, v) for v in values]

    def messages(self, value: str) -> tuple[str, ...]:
        """Every problem with one cell, each saying what is wrong and what would be right."""
        if self.fast and value and value.isprintable() and value == value.strip() and len(value) <= MAX_CELL:
            if self.pattern is None or self.pattern.fullmatch(value):
                return ()  # the common case, decided without building anything
        if len(value) > MAX_CELL:
            return (f"the value is {len(value):,} characters long, over the limit of {MAX_CELL:,}: shorten it",)
        undecoded = _UNDECODED_RE.search(value)
        if undecoded:
            return (f"not valid UTF-8 (bytes {_undecoded_bytes(undecoded.group())!r}): re-save the file as UTF-8",)
        control = _CONTROL_RE.search(value)
        if control:
            return (
                f"{_show(value)} contains the control character {control.group()!r} (character {control.start() + 1}): "
                "remove it; only tab and line feed may appear in a value",
            )
        found: list[str] = []
        stripped = value.strip()
        if stripped != value:
            found.append(f"{_show(value)} has spaces around it: write {_show(stripped)}")
            value = stripped
        if value == "":
            if self.required:
                found.append(f"a value is required ({self.description})")
            return tuple(found)
        typed = self._typed(value)
        if typed is not None:
            return (*found, typed)
        if self.enum_set is not None and value not in self.enum_set:
            by_lower = {v.lower(): v for v in self.enum}
            if value.lower() in by_lower:
                guess = [by_lower[value.lower()]]
            else:
                guess = difflib.get_close_matches(value, self.enum, n=1) if len(value) <= 100 else []
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            found.append(f"{_show(value)} is not allowed{hint}: use one of {', '.join(self.enum)}")
        if self.pattern is not None and not self.pattern.fullmatch(value):
            found.append(f"{_show(value)} is malformed: it should match {self.source} ({self.description})")
        elif self.url:
            found.extend(self._url(value))
        if self.kind in ("integer", "number"):
            number = int(value) if self.kind == "integer" else float(value)
            if self.minimum is not None and number < self.minimum:
                found.append(f"{value} is below the minimum {self.minimum}")
            if self.maximum is not None and number > self.maximum:
                found.append(f"{value} is above the maximum {self.maximum}")
        return tuple(found)

    def _typed(self, value: str) -> str | None:
        """The problem with a value's type (date, integer, number, boolean), or None if it has the type."""
        kind = self.kind
        if kind == "date":
            if not _DATE_RE.fullmatch(value):
                return f"{_show(value)} is not a date: write YYYY-MM-DD, e.g. 2023-07-12"
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                return f"{_show(value)} is not a real calendar date"
            if not FIRST_DATE <= value <= LAST_DATE:
                return f"{value} is outside the dates the loaders can hold ({FIRST_DATE} to {LAST_DATE}, pandas datetime64[ns]): check the year"
            if day > self.today:
                return f"{value} is in the future (today is {self.today.isoformat()}): record only what has happened"
            if self.cutoff is not None and day > self.cutoff:
                return (
                    f"{value} is after the release's cut-off date {self.cutoff.isoformat()} (cutoff_date in {DESCRIPTOR}): "
                    "raise cutoff_date for the release that adds it, or fix the date"
                )
        elif kind == "integer":
            if not _INT_RE.fullmatch(value):
                return f"{_show(value)} is not a whole number: write digits only, e.g. 10"
            if len(value.lstrip("-").lstrip("0")) > 19 or not INT64_MIN <= int(value) <= INT64_MAX:
                return f"{_show(value)} does not fit in a 64-bit integer (the loaders use Int64, {INT64_MIN:,} to {INT64_MAX:,}): check the value"
        elif kind == "number":
            if not _NUM_RE.fullmatch(value):
                return f"{_show(value)} is not a number: write digits with '.' for decimals, no separators"
            digits = re.split("[eE]", value.lstrip("-"))[0].replace(".", "").strip("0")
            if len(digits) > FLOAT_DIGITS:
                return (
                    f"{_show(value)} has {len(digits)} significant digits, more than a float64 keeps ({FLOAT_DIGITS}): "
                    "round it, or the loaded value would differ"
                )
            number = float(value)
            if not math.isfinite(number):
                return f"{_show(value)} is not a finite number: it is beyond what a float64 holds (about 1.8e308)"
            if digits and abs(number) < sys.float_info.min:
                return f"{_show(value)} is too small for a float64 (it would load as {number!r}): check the exponent"
        elif kind == "boolean" and value not in ("true", "false"):
            return f"{_show(value)} is not a boolean: write true or false"
        return None

    def _url(self, value: str) -> list[str]:
        bad = _URL_FORBIDDEN_RE.search(value)
        if bad:
            return [
                f"{_show(value)} contains {bad.group()!r}, which a URL may not hold as it is: "
                f"percent-encode it ({_pct(bad.group())}) or correct the address"
            ]
        if not _URL_START_RE.match(value):
            return [f"{_show(value)} is not a web address: write http:// or https://, a host name (no user@), then the path"]
        return []


def _precision_problem(precision: str, value: str) -> str | None:
    """The problem with a date given its row's ``date_precision`` (data/README.md), or None."""
    if precision == "month" and value[8:] != "01" and _DATE_RE.fullmatch(value):
        return f"{value} is not the 1st of its month, but date_precision is 'month': write {value[:8]}01 (a month-precise date is the 1st)"
    if precision == "year" and value[5:] != "01-01" and _DATE_RE.fullmatch(value):
        return f"{value} is not 1 January, but date_precision is 'year': write {value[:4]}-01-01 (a year-precise date is 1 January)"
    return None


# --------------------------------------------------------------------------- tables, keys and foreign keys


class _Context:
    """What one validation run shares across tables: the settings, the tables read so far, pending foreign keys."""

    def __init__(self, out: _Collector, today: dt.date, cutoff: dt.date | None, resources: list[dict]):
        self.out = out
        self.today = today
        self.cutoff = cutoff
        self.tables: dict[str, Table] = {}
        self.names = {resource["name"] for resource in resources}
        self._sets: dict[tuple[str, str], set[str] | None] = {}
        # (table, column, target, target column, is a list) → value → lines, for targets not read yet
        self._deferred: dict[tuple[str, str, str, str, bool], dict[str, list[int]]] = {}
        self.referenced: dict[str, set[str]] = defaultdict(set)
        for resource in resources:
            for fk in resource["schema"]["foreignKeys"]:
                self.referenced[fk["reference"]["resource"] or resource["name"]].add(fk["reference"]["fields"])
            for fk in resource["schema"].get("compositeKeys", []):
                self.referenced[fk["reference"]["resource"] or resource["name"]].update(fk["reference"]["fields"])
                self.referenced[resource["name"]].update(fk["fields"])
        for target, target_column in LIST_FOREIGN_KEYS.values():
            self.referenced[target].add(target_column)

    def kept_columns(self, table: Table, present: set[str]) -> list[str]:
        """The columns the keys, foreign keys and cross-table rules read: all but free text (and all that is a key)."""
        keys = set(table.primary_key) | self.referenced[table.name] | {column for column, _, _ in table.foreign_keys}
        keys |= {spec["name"] for spec in table.fields if spec.get("constraints", {}).get("unique")}
        return [f["name"] for f in table.fields if f["name"] in present and (f["name"] not in FREE_TEXT_COLUMNS or f["name"] in keys)]

    def values(self, table_name: str, column: str) -> set[str] | None:
        """Every value of a column of a table read in full (None if it cannot be checked against)."""
        key = (table_name, column)
        if key not in self._sets:
            table = self.tables.get(table_name)
            stored = table.column(column) if table is not None and table.readable else None
            self._sets[key] = set(stored) if stored is not None else None
        return self._sets[key]

    def check_references(self, table: Table, column: str, target: str, target_column: str, values, starts, many: bool) -> None:
        """Check one chunk of a foreign-key column now if its target has been read, else keep it for later."""
        if target == table.name or target not in self.tables:
            pending = self._deferred.setdefault((table.name, column, target, target_column, many), defaultdict(list))
            for value, line in zip(values, starts):
                if value:
                    pending[value].append(line)
            return
        valid = self.values(target, target_column)
        if valid is None:
            return
        distinct = set(values)
        distinct.discard("")
        if many:
            bad = {value: missing for value in distinct if (missing := self._missing(value, valid, True))}
        else:
            bad = {value: [value] for value in distinct - valid}
        if bad:
            for value, line in zip(values, starts):
                for key in bad.get(value, ()):
                    self._report(table, line, column, key, target, target_column)

    @staticmethod
    def _missing(value: str, valid: set[str], many: bool) -> list[str]:
        """The keys in a cell that are not valid (a list column holds several, separated by ';')."""
        if not many:
            return [] if value in valid else [value]
        return [key for key in value.split(";") if key and key not in valid]

    def _report(self, table: Table, line: int, column: str, key: str, target: str, target_column: str) -> None:
        self.out.add(table, line, column, f"'{key}' is not a {target_column} in {self.tables[target].path}: add it there first, or fix the code")

    def finish(self, table: Table) -> None:
        """A table is read in full: check the references that waited for it."""
        self.tables[table.name] = table
        for key in [k for k in self._deferred if k[2] == table.name]:
            name, column, target, target_column, many = key
            pending = self._deferred.pop(key)
            valid = self.values(target, target_column)
            if valid is None:
                continue
            for value, lines in pending.items():
                for missing in self._missing(value, valid, many):
                    for line in lines:
                        self._report(self.tables[name], line, column, missing, target, target_column)


class _Checker:
    """Checks one table's records, a chunk at a time, and keeps the columns later checks need."""

    def __init__(self, table: Table, header: list[str], ctx: _Context):
        self.table = table
        self.ctx = ctx
        self.out = ctx.out
        self.header = header
        table.header = header
        _check_header(header, table, ctx.out)
        position = {name.strip(): i for i, name in enumerate(header)}  # the last of duplicate names wins
        kept = ctx.kept_columns(table, set(position))
        table.keep(kept, set(position))
        self.columns = [_Column(spec, position[spec["name"]], ctx, spec["name"] in kept) for spec in table.fields if spec["name"] in position]
        key = table.primary_key
        self.key = key if key and set(key) <= set(header) else []
        self.seen: set = set()
        self.previous: tuple | None = None
        self.unique = {
            spec["name"]: set()
            for spec in table.fields
            if spec.get("constraints", {}).get("unique") and [spec["name"]] != key and spec["name"] in kept
        }
        self.precision = PRECISION_DATES.get(table.name, ())
        if "date_precision" in kept and not self.precision:
            self.out.add(
                table, 1, "date_precision", f"no date column is declared for date_precision to govern: list {table.name}'s in PRECISION_DATES"
            )

    def check(self, records: list[list[str]], starts: list[int]) -> None:
        table, out = self.table, self.out
        cells = list(zip(*records))
        stored: dict[str, Sequence[str]] = {}
        for column in self.columns:
            values = column.check(cells[column.index], starts, table, out)
            if column.kept:
                stored[column.name] = values
        table._lines.extend(starts)
        for name, values in stored.items():
            table._columns[name].extend(values)
        if self.key:
            self._check_key(stored, starts)
        for name, seen in self.unique.items():
            self._check_unique(name, seen, stored[name], starts)
        for column, target, target_column in table.foreign_keys:
            if column in stored:
                self.ctx.check_references(table, column, target or table.name, target_column, stored[column], starts, False)
        for column, (target, target_column) in LIST_FOREIGN_KEYS.items():
            if column in stored and column in table.header and target in self.ctx.names:
                self.ctx.check_references(table, column, target, target_column, stored[column], starts, True)
        if "date_precision" in stored:
            for column in self.precision:
                if column in stored:
                    self._check_precision(stored["date_precision"], column, stored[column], starts)

    def _check_key(self, stored: dict[str, Sequence[str]], starts: list[int]) -> None:
        table, out, key = self.table, self.out, self.key
        label = ", ".join(key)
        single = len(key) == 1
        # A one-column key is kept as the string itself (a million 1-tuples would cost 64 MB), shown as a tuple.
        keys = list(stored[key[0]]) if single else list(zip(*(stored[k] for k in key)))
        fresh = self.seen.isdisjoint(keys)
        if fresh:  # no key seen in an earlier chunk; check for one used twice in this chunk by the growth
            before = len(self.seen)
            self.seen.update(keys)
            if len(self.seen) - before != len(keys):
                self.seen.difference_update(keys)
                fresh = False
        if not fresh:
            for value, line in zip(keys, starts):
                if value not in self.seen:
                    self.seen.add(value)
                elif out.hidden(table, line, key[0]):
                    out.add(table, line, key[0], "duplicate key")
                else:
                    shown = (value,) if single else value
                    out.add(table, line, key[0], f"duplicate key ({label}) = {shown}: first used on line {self._first_line(value)}")
        previous = self.previous
        if (previous is not None and keys[0] < previous) or keys != sorted(keys):
            for value, line in zip(keys, starts):
                if previous is not None and value < previous:
                    shown, before = ((value,), (previous,)) if single else (value, previous)
                    out.add(table, line, key[0], f"rows are not sorted by ({label}): {shown} should come before {before}")
                previous = value
        self.previous = keys[-1]

    def _first_line(self, value) -> int:
        columns = [self.table.column(k) for k in self.key]
        if len(columns) == 1:
            return self.table._lines[columns[0].index(value)]
        return self.table._lines[next(i for i, row in enumerate(zip(*columns)) if row == value)]

    def _check_unique(self, name: str, seen: set, values: Sequence[str], starts: list[int]) -> None:
        for value, line in zip(values, starts):
            if value and value in seen:
                first = self.table._lines[self.table.column(name).index(value)]
                self.out.add(self.table, line, name, f"'{value}' must be unique: first used on line {first}")
            seen.add(value)

    def _check_precision(self, precision: Sequence[str], column: str, values: Sequence[str], starts: list[int]) -> None:
        bad = {pair: message for pair in set(zip(precision, values)) if (message := _precision_problem(*pair))}
        if bad:
            for pair, line in zip(zip(precision, values), starts):
                if pair in bad:
                    self.out.add(self.table, line, column, bad[pair])


# --------------------------------------------------------------------------- cross-table rules


@functools.lru_cache(maxsize=65536)
def _date(value: str) -> dt.date | None:
    """A valid ISO date the loaders can hold, else None (the cell check has reported it)."""
    if not value or not _DATE_RE.fullmatch(value) or not FIRST_DATE <= value <= LAST_DATE:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _span(row: Row, column: str) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest day a date can mean, given the row's ``date_precision``."""
    try:  # Row.get, inlined: this runs three times per event
        return _span_of(row[1][row[2][column]], row[1][row[2]["date_precision"]])
    except (KeyError, IndexError):
        return _span_of(row.get(column), row.get("date_precision"))


@functools.lru_cache(maxsize=65536)
def _span_of(value: str, precision: str) -> tuple[dt.date, dt.date] | None:
    day = _date(value)
    if day is None:
        return None
    if precision == "year":
        return day, dt.date(day.year, 12, 31)
    if precision == "month":
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return day, following - dt.timedelta(days=1)
    return day, day


def _check_alternatives(table: Table, out: _Collector) -> None:
    """An alternative value needs its source, and must differ from the kept value."""
    pairs = [c for c in table.header if c.startswith("alt_") and c != "alt_source_id"]
    for alt in pairs:
        main = alt[len("alt_") :]
        for row in table.rows:
            has_alt, has_src = bool(row.get(alt)), bool(row.get("alt_source_id"))
            if has_alt and not has_src:
                out.add(table, row.line, "alt_source_id", f"{alt} is given without its source: fill alt_source_id")
            if has_src and not has_alt:
                out.add(
                    table,
                    row.line,
                    alt,
                    f"alt_source_id is given but {alt} is empty: record the alternative value or drop the source",
                )
            if has_alt and row.get(alt) == row.get(main):
                out.add(table, row.line, alt, f"{alt} equals {main}: an alternative must differ, else leave it empty")


def _check_cross_table(tables: dict[str, Table], out: _Collector) -> None:
    declarations = {r.get("declaration_id"): r for r in tables.get("declarations", Table("", "", [], [])).rows}
    agreements = {r.get("agreement_id"): r for r in tables.get("agreements", Table("", "", [], [])).rows}

    if "signatories" in tables:
        sig = tables["signatories"]
        for row in sig.rows:
            decl = declarations.get(row.get("declaration_id"))
            joined, adopted = _date(row.get("joined_date")), _date(decl.get("adopted_date")) if decl else None
            if joined and adopted and joined < adopted:
                out.add(
                    sig,
                    row.line,
                    "joined_date",
                    f"{joined} is before the declaration was adopted ({adopted}): a party cannot join earlier",
                )
            if row.get("role") == "original" and joined and adopted and joined != adopted:
                out.add(
                    sig, row.line, "joined_date", f"an original signatory joins on the adoption date ({adopted}), not {joined}"
                )
            role, basis = row.get("role"), row.get("date_basis")
            if role == "original" and basis != "adoption":
                out.add(sig, row.line, "date_basis", "an original signatory has date_basis 'adoption'")
            if role == "acceded" and basis == "adoption":
                out.add(sig, row.line, "date_basis", "a party that acceded joined after adoption: use the basis of its date, not 'adoption'")
            if role in ("signed", "endorsed") and basis == "adoption" and joined and adopted and joined != adopted:
                out.add(sig, row.line, "joined_date", f"date_basis 'adoption' means the adoption date ({adopted}), not {joined}")

    if "agreements" in tables:
        agr = tables["agreements"]
        for row in agr.rows:
            aid, party = row.get("agreement_id"), row.get("party_id")
            if aid and party and not aid.startswith(party.lower() + "-"):
                out.add(agr, row.line, "agreement_id", f"'{aid}' should start with the partner code '{party.lower()}-'")
            signed = _date(row.get("signed_date"))
            if aid and signed and not aid[4:8] == str(signed.year):
                out.add(agr, row.line, "agreement_id", f"'{aid}' should carry the signing year {signed.year}")
            if bool(row.get("related_agreement_id")) != bool(row.get("relation")):
                out.add(agr, row.line, "relation", "related_agreement_id and relation go together: fill both or neither")
            related = agreements.get(row.get("related_agreement_id"))
            if related is not None:
                earlier = _date(related.get("signed_date"))
                if related.get("party_id") != party:
                    out.add(agr, row.line, "related_agreement_id", "a related agreement must be with the same partner")
                if earlier and signed and earlier >= signed:
                    out.add(
                        agr,
                        row.line,
                        "related_agreement_id",
                        f"the related agreement was signed on {earlier}, not before this one ({signed})",
                    )
            if bool(row.get("commitment_amount")) != bool(row.get("commitment_currency")):
                column = "commitment_currency" if row.get("commitment_amount") else "commitment_amount"
                out.add(agr, row.line, column, "commitment_amount and commitment_currency go together: fill both or neither")
            if row.get("commitment_amount") and not row.get("commitment_scope"):
                out.add(agr, row.line, "commitment_scope", "an amount needs its scope: first_year, annual or multi_year")
        _check_alternatives(agr, out)

    if "events" in tables:
        _check_events(tables["events"], agreements, out)

    for name in ("signatories", "events"):
        if name in tables:
            _check_alternatives(tables[name], out)

    if "memberships" in tables:
        mem = tables["memberships"]
        spells: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for row in mem.rows:
            joined, left = _date(row.get("joined_date")), _date(row.get("left_date"))
            if joined and left and left <= joined:
                out.add(mem, row.line, "left_date", f"{left} is not after joined_date {joined}")
            if joined:
                spells[(row.get("party_id"), row.get("bloc"))].append((joined, left, row.line))
        for (party, bloc), items in spells.items():
            items.sort(key=lambda item: (item[0], item[2]))
            for (_, left, _), (joined, _, line) in zip(items, items[1:]):
                if left is None or joined < left:
                    out.add(mem, line, "joined_date", f"{party} already in {bloc} on {joined}: membership spells overlap")

    _check_meetings(tables, declarations, out)
    _check_clauses(tables, out)
    if "meetings" in tables:
        _check_alternatives(tables["meetings"], out)

    if "sources" in tables:
        _check_sources_cited(tables, out)


def _check_events(ev: Table, agreements: dict[str, Row], out: _Collector) -> None:
    # NOTE: events can run to millions of rows, so this walks columns (Table.records), not row objects.
    columns = ("party_id", "agreement_id", "event_id", "event_type", "event_date", "date_precision")
    opened: dict[tuple[str, str], tuple[dt.date, int]] = {}
    for line, party, aid, eid, kind, day, precision in ev.records(*columns):
        if eid and party and not eid.startswith(party.lower() + "-"):
            out.add(ev, line, "event_id", f"'{eid}' should start with the partner code '{party.lower()}-'")
        when = _date(day)
        span = _span_of(day, precision)
        if kind == "negotiations_opened" and when:
            key = (party, aid)
            if key in opened:
                out.add(
                    ev,
                    line,
                    "event_type",
                    f"talks with {party} were already opened on line {opened[key][1]}: use negotiation_round",
                )
            else:
                opened[key] = (when, line)
        agreement = agreements.get(aid)
        if agreement is not None:
            signed = _date(agreement.get("signed_date"))
            if agreement.get("party_id") != party:
                out.add(ev, line, "agreement_id", f"agreement '{aid}' is with {agreement.get('party_id')}, not {party}")
            if span and signed and kind in PRE_SIGNATURE_EVENTS and span[0] > signed:
                out.add(
                    ev,
                    line,
                    "event_date",
                    f"a {kind} on {when} comes after the agreement was signed ({signed}): check the date or the agreement_id",
                )
            if span and signed and kind in POST_SIGNATURE_EVENTS and span[1] < signed:
                out.add(ev, line, "event_date", f"{kind} on {when} comes before the signature ({signed})")
    for line, party, aid, _, kind, day, precision in ev.records(*columns):
        key = (party, aid)
        span = _span_of(day, precision)
        # NOTE: a month- or year-precise date only conflicts if its whole span lies before the opening.
        if key in opened and span and kind in AFTER_OPENING_EVENTS and span[1] < opened[key][0]:
            out.add(
                ev,
                line,
                "event_date",
                f"a {kind} on {day} comes before talks opened ({opened[key][0]}, line {opened[key][1]})",
            )
    # NOTE: event ids are stable across releases (a later release appends the next free number), so ids are not
    # in date order; sort by event_date for the order of events.
    for line, kind, side, track, aid in ev.records("event_type", "side", "track", "agreement_id"):
        if kind in SIDED_EVENTS and not side:
            out.add(ev, line, "side", f"a {kind} step needs its side: ukraine, partner or both")
        if side and kind not in SIDED_EVENTS:
            out.add(ev, line, "side", f"side is only for {', '.join(SIDED_EVENTS)}; leave it empty for {kind}")
        if track == "us_guarantees" and aid:
            out.add(ev, line, "agreement_id", "the US guarantee track has no signed agreement yet: leave agreement_id empty")


#: The longest quote the clause matrix keeps (the brief says about 300 characters).
MAX_QUOTE = 400


def _check_meetings(tables: dict[str, Table], declarations: dict[str, Row], out: _Collector) -> None:
    """A declaration adopted at a meeting carries the meeting's date."""
    meetings = {r.get("meeting_id"): r for r in tables["meetings"].rows} if "meetings" in tables else {}
    if "declarations" not in tables:
        return
    for row in tables["declarations"].rows:
        meeting = meetings.get(row.get("meeting_id"))
        if meeting is not None and row.get("adopted_date") and row.get("adopted_date") != meeting.get("meeting_date"):
            out.add(
                tables["declarations"],
                row.line,
                "adopted_date",
                f"adopted at meeting '{row.get('meeting_id')}' on {meeting.get('meeting_date')}, not {row.get('adopted_date')}",
            )


def _check_clauses(tables: dict[str, Table], out: _Collector) -> None:
    """not_stated has no quote; any other value has its quote and reference; a disagreement has its resolution."""
    if "clauses" in tables:
        clauses = tables["clauses"]
        for row in clauses.rows:
            stated = row.get("value") != "not_stated"
            for column in ("quote", "reference"):
                if stated and not row.get(column):
                    out.add(clauses, row.line, column, f"a coded value ({row.get('value')}) needs its {column} from the text")
                if not stated and row.get(column):
                    out.add(clauses, row.line, column, f"not_stated means the text does not say it: leave {column} empty")
            if len(row.get("quote")) > MAX_QUOTE:
                out.add(clauses, row.line, "quote", f"quote is {len(row.get('quote'))} characters: keep the decisive words, at most {MAX_QUOTE}")
    if "clause_checks" in tables:
        checks = tables["clause_checks"]
        for row in checks.rows:
            differ = row.get("first_value") != row.get("second_value")
            if differ and not row.get("resolution"):
                out.add(checks, row.line, "resolution", "the two codings differ: say how the disagreement was settled")
            if not differ and row.get("resolution"):
                out.add(checks, row.line, "resolution", "the two codings agree: there is nothing to settle, leave it empty")


def _check_composite_keys(tables: dict[str, Table], composite: list[tuple[str, list[str], str, list[str]]], out: _Collector) -> None:
    """Foreign keys of several columns (a clause's dimension and value must be a pair the codebook lists)."""
    for name, columns, target, targets in composite:
        table, ref = tables.get(name), tables.get(target or name)
        if table is None or ref is None or not table.readable or not ref.readable:
            continue
        valid = set(zip(*(ref.values(c) for c in targets)))
        for line, value in zip(table.lines, zip(*(table.values(c) for c in columns))):
            if all(value) and value not in valid:
                shown = ", ".join(f"{c} '{v}'" for c, v in zip(columns, value))
                out.add(table, line, columns[-1], f"{shown} is not a ({' and '.join(targets)}) pair in {ref.path}: use a value listed there for that dimension")


def _check_sources_cited(tables: dict[str, Table], out: _Collector) -> None:
    cited: set[str] = set()
    for table in tables.values():
        for column in ("source_id", "alt_source_id"):
            if column in table.header and table.name != "sources":
                cited.update(table.values(column))
        if "other_source_ids" in table.header:
            for ids in set(table.values("other_source_ids")):
                cited.update(ids.split(";"))
    src = tables["sources"]
    for row in src.rows:
        if row.get("source_id") and row.get("source_id") not in cited:
            out.add(src, row.line, "source_id", f"'{row.get('source_id')}' is cited by no row: remove it, or cite it")


# --------------------------------------------------------------------------- entry point


def validate(data_dir: str | os.PathLike | None = None, today: dt.date | None = None) -> Report:
    """Check every table in ``data_dir`` and return a :class:`Report` listing every problem.

    >>> validate().ok
    True
    """
    data_dir = resolve_data_dir(data_dir)
    out = _Collector()
    today = today or dt.date.today()
    where = display_path(data_dir / DESCRIPTOR)
    if not data_dir.is_dir():
        what = "does not exist" if not os.path.lexists(data_dir) else "is not a folder"
        out.add(display_path(data_dir), 1, "-", f"the data folder {what}: give the folder that holds {DESCRIPTOR} and the tables")
        return Report(out.problems(), {}, out.count)
    try:
        descriptor = read_descriptor(data_dir)
    except FileNotFoundError:
        out.add(where, 1, "-", "datapackage.json is missing: the data folder needs its descriptor")
        return Report(out.problems(), {}, out.count)
    except UnreadableFile as exc:
        out.add(where, 1, "-", f"datapackage.json {exc}")
        return Report(out.problems(), {}, out.count)
    except DescriptorError as exc:
        out.add(where, exc.line, "-", str(exc))
        return Report(out.problems(), {}, out.count)
    except OSError as exc:
        out.add(where, 1, "-", f"datapackage.json cannot be read ({exc.strerror or exc}): check the file")
        return Report(out.problems(), {}, out.count)
    resources, release = _check_descriptor(descriptor, where, out)
    ctx = _Context(out, today, release.cutoff, resources)
    tables: dict[str, Table] = {}
    for resource in resources:
        table = _read_table(data_dir, resource, ctx)
        tables[table.name] = table
        ctx.finish(table)
    composite = [(r["name"], fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
                 for r in resources for fk in r["schema"].get("compositeKeys", [])]  # fmt: skip
    _check_composite_keys(tables, composite, out)
    _check_cross_table(tables, out)
    return Report(out.problems(), tables, out.count)


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
        lines.append(f"{report.count:,} problem(s) found in {_printable(display_path(resolve_data_dir(data_dir)))}")
        print("\n".join(lines), flush=True)
    except BrokenPipeError:  # the reader stopped early (| head): not an error of the data
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1
