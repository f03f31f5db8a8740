"""Comparing two releases table by table.

A table with a primary key is compared row by row by that key: rows added, removed, and changed (with the columns
that changed). A table without one is compared as a multiset of whole rows (over the columns both releases have):
a row whose text changed counts as one removed and one added. Columns added, removed and renamed are reported; a
removed and an added column are a rename when they hold the same values in at least
:data:`RENAME_AGREEMENT` of the rows matched in both releases (by key; without a key, by the values of the
columns both releases share, where those are unique; failing that, the two columns' values as multisets).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

from analysis.diff.package import Table

#: The share of rows in which a removed and an added column must agree for the pair to count as a rename.
RENAME_AGREEMENT = 0.8
#: Rename detection looks at this many matched rows at most (the first by key), so that wide tables stay fast.
RENAME_SAMPLE = 5000


@dataclass
class Row:
    """An added or removed row: its key values (the whole row when compared without a key) and its cells."""

    key: tuple[str, ...]
    cells: dict[str, str]

    @property
    def label(self) -> str:
        return ", ".join(self.key)


@dataclass
class TableDiff:
    """What changed in one table."""

    table: str
    before: int = 0
    after: int = 0
    compared_by: list[str] = field(default_factory=list)  # [] means whole rows
    old_key: list[str] | None = None  # None when the table is not in that release
    new_key: list[str] | None = None
    added: list[Row] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)
    changed: list[tuple[tuple[str, ...], list[tuple[str, str, str]]]] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    duplicates: dict[str, dict[tuple[str, ...], int]] = field(default_factory=dict)  # "old"/"new" -> key -> rows
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.old_key is None:
            return "added"
        if self.new_key is None:
            return "removed"
        touched = self.added or self.removed or self.changed or self.columns_added or self.columns_removed or self.renamed
        return "changed" if touched or self.old_key != self.new_key else "unchanged"


def _agreement(old: Table, new: Table, a: str, b: str, pairs: list[tuple[dict, dict]]) -> float:
    """How far column ``a`` of the old table and ``b`` of the new one hold the same values (0 to 1)."""
    if pairs:
        same = [x[a] == y[b] for x, y in pairs]
        if not any(x[a] for x, y in pairs if x[a] == y[b]):  # agreeing only on empty cells is no evidence
            return 0.0
        return sum(same) / len(same)
    left, right = Counter(r[a] for r in old.rows), Counter(r[b] for r in new.rows)
    common = sum((left & right).values()) - min(left[""], right[""])
    return common / max(len(old.rows), len(new.rows), 1)


def _renames(old: Table, new: Table, pairs) -> list[tuple[str, str]]:
    """Removed and added columns that hold the same values; ``pairs`` is a function giving the matched rows."""
    gone = [c for c in old.columns if c not in new.columns]
    fresh = [c for c in new.columns if c not in old.columns]
    if not gone or not fresh:
        return []
    pairs = pairs()
    scored = sorted((-_agreement(old, new, a, b, pairs), gone.index(a), fresh.index(b), a, b) for a in gone for b in fresh)
    out, used = [], set()
    for score, _, _, a, b in scored:
        if -score >= RENAME_AGREEMENT and a not in used and b not in used:
            out.append((a, b))
            used |= {a, b}
    return sorted(out, key=lambda p: new.columns.index(p[1]))


def _values(columns: list[str]):
    """A function from a row to its values in ``columns``, as a tuple."""
    if len(columns) == 1:
        (only,) = columns
        return lambda row: (row[only],)
    return itemgetter(*columns) if columns else (lambda row: ())


def _index(table: Table, key: list[str]) -> dict[tuple[str, ...], list[dict]]:
    out: dict[tuple[str, ...], list[dict]] = {}
    values = _values(key)
    for row in table.rows:
        out.setdefault(values(row), []).append(row)
    return out


def _choose_key(old: Table, new: Table, diff: TableDiff) -> list[str]:
    """The key to compare by: the new release's, else the old one's, if both tables have its columns; else none."""
    for key in (new.key, old.key):
        if key and all(k in old.columns and k in new.columns for k in key):
            return key
    for name, table in (("old", old), ("new", new)):
        missing = [k for k in table.key if k not in table.columns]
        if missing:
            diff.notes.append(f"the {name} release declares key columns {missing} that the table does not have")
    return []


def _compare_keyed(old: Table, new: Table, key: list[str], diff: TableDiff) -> None:
    before, after = _index(old, key), _index(new, key)
    for side, index in (("old", before), ("new", after)):
        dups = {k: len(v) for k, v in sorted(index.items()) if len(v) > 1}
        if dups:
            diff.duplicates[side] = dups
    shared = lambda: sorted(before.keys() & after.keys())  # noqa: E731
    singles = lambda: [(before[k][0], after[k][0]) for k in shared() if len(before[k]) == len(after[k]) == 1][:RENAME_SAMPLE]  # noqa: E731
    diff.renamed = _renames(old, new, singles)
    mapping = [(c, c) for c in new.columns if c in old.columns] + [(a, b) for a, b in diff.renamed]
    mapping.sort(key=lambda p: new.columns.index(p[1]))
    for k in sorted(after.keys() - before.keys()):
        diff.added += [Row(k, r) for r in after[k]]
    for k in sorted(before.keys() - after.keys()):
        diff.removed += [Row(k, r) for r in before[k]]
    for k in sorted(before.keys() & after.keys()):
        olds, news = before[k], after[k]
        if len(olds) == len(news) == 1:
            fields = [(b, olds[0][a], news[0][b]) for a, b in mapping if olds[0][a] != news[0][b]]
            if fields:
                diff.changed.append((k, fields))
            continue
        a_values, b_values = _values([a for a, _ in mapping]), _values([b for _, b in mapping])
        left, right = Counter(map(a_values, olds)), Counter(map(b_values, news))  # a duplicated key: its rows compared whole
        gone, fresh = left - right, right - left
        diff.removed += [Row(k, r) for r in olds if _take(gone, a_values(r))]
        diff.added += [Row(k, r) for r in news if _take(fresh, b_values(r))]


def _take(pool: Counter, values: tuple[str, ...]) -> bool:
    """True (and one fewer in ``pool``) if ``values`` are still in ``pool``."""
    if pool.get(values, 0) > 0:
        pool[values] -= 1
        return True
    return False


def _unique_pairs(old: Table, new: Table, columns: list[str]) -> list[tuple[dict, dict]]:
    """Rows paired by their values in ``columns``, where those values occur once in each release."""
    if not columns:
        return []
    before, after = _index(old, columns), _index(new, columns)
    shared = sorted(before.keys() & after.keys())
    return [(before[k][0], after[k][0]) for k in shared if len(before[k]) == len(after[k]) == 1][:RENAME_SAMPLE]


def _compare_whole(old: Table, new: Table, diff: TableDiff) -> None:
    # NOTE: without a key, rows are paired for rename detection by the columns both releases share, where unique.
    diff.renamed = _renames(old, new, lambda: _unique_pairs(old, new, [c for c in new.columns if c in old.columns]))
    mapping = [(c, c) for c in new.columns if c in old.columns] + [(a, b) for a, b in diff.renamed]
    mapping.sort(key=lambda p: new.columns.index(p[1]))
    olds, news = _values([a for a, _ in mapping]), _values([b for _, b in mapping])
    left, right = Counter(map(olds, old.rows)), Counter(map(news, new.rows))
    gone, fresh = left - right, right - left
    diff.removed = sorted((Row(olds(r), r) for r in old.rows if _take(gone, olds(r))), key=lambda r: r.key)
    diff.added = sorted((Row(news(r), r) for r in new.rows if _take(fresh, news(r))), key=lambda r: r.key)


def compare_table(name: str, old: Table | None, new: Table | None) -> TableDiff:
    """What changed in table ``name`` from ``old`` to ``new`` (either may be None: the table was added or removed)."""
    diff = TableDiff(name, len(old.rows) if old else 0, len(new.rows) if new else 0)
    diff.old_key, diff.new_key = (old.key if old else None), (new.key if new else None)
    if old is None or new is None:
        table = new or old
        key = table.key if all(k in table.columns for k in table.key) else []
        rows = [Row(tuple(r[k] for k in key) if key else tuple(r.values()), r) for r in table.rows]
        diff.compared_by = key
        (diff.added if new else diff.removed).extend(sorted(rows, key=lambda r: r.key))
        return diff
    key = _choose_key(old, new, diff)
    diff.compared_by = key
    if key:
        _compare_keyed(old, new, key, diff)
    else:
        _compare_whole(old, new, diff)
    renamed_old, renamed_new = {a for a, _ in diff.renamed}, {b for _, b in diff.renamed}
    diff.columns_added = [c for c in new.columns if c not in old.columns and c not in renamed_new]
    diff.columns_removed = [c for c in old.columns if c not in new.columns and c not in renamed_old]
    diff.notes += old.notes + new.notes
    return diff


def compare_tables(old: dict[str, Table], new: dict[str, Table]) -> list[TableDiff]:
    """Every table's differences, by table name."""
    return [compare_table(name, old.get(name), new.get(name)) for name in sorted(set(old) | set(new))]
