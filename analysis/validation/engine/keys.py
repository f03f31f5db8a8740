"""Keys: what one run shares across tables (:class:`Context`: settings, tables read, foreign keys waiting for their
target), and the checks of one table's chunks (:class:`Checker`: cells, primary key, order, unique columns, foreign
keys, date precision)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from analysis.validation.engine.cells import Column, check_header, precision_problem, precision_units
from analysis.validation.engine.problems import Collector
from analysis.validation.engine.tables import Table
from analysis.validation.settings import FREE_TEXT_COLUMNS, LIST_FOREIGN_KEYS, PRECISION_DATES


class Context:
    """What one validation run shares across tables: the settings, the tables read so far, pending foreign keys."""

    def __init__(self, out: Collector, today: dt.date, cutoff: dt.date | None, resources: list[dict]):
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


class Checker:
    """Checks one table's records, a chunk at a time, and keeps the columns later checks need."""

    def __init__(self, table: Table, header: list[str], ctx: Context):
        self.table = table
        self.ctx = ctx
        self.out = ctx.out
        self.header = header
        table.header = header
        check_header(header, table, ctx.out)
        position = {name.strip(): i for i, name in enumerate(header)}  # the last of duplicate names wins
        kept = ctx.kept_columns(table, set(position))
        table.keep(kept, set(position))
        self.columns = [Column(spec, position[spec["name"]], ctx, spec["name"] in kept) for spec in table.fields if spec["name"] in position]
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
        # NOTE: the vocabulary of precision is read first (validator.validate), so its units are known here.
        self.units = precision_units(ctx.tables) if self.precision else {}
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
        units = self.units
        bad = {pair: message for pair in set(zip(precision, values)) if (message := precision_problem(*pair, units))}
        if bad:
            for pair, line in zip(zip(precision, values), starts):
                if pair in bad:
                    self.out.add(self.table, line, column, bad[pair])


def check_composite_keys(tables: dict[str, Table], composite: list[tuple[str, list[str], str, list[str]]], out: Collector) -> None:
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
