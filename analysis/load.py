"""Loading: the one module that reads ``data/``. Every table comes back typed from ``datapackage.json``.

Loading validates the folder first; bad data raises :class:`analysis.validation.DataError`, which carries
the validator's messages (file, line, column), never a pandas traceback. Results are cached within the
process until a file in the folder changes; each call returns a fresh copy, so callers may modify it.

A value is loaded exactly as written: nothing is stripped, and the validator refuses what a type could not
hold unchanged (dates outside datetime64[ns], integers outside Int64, numbers a float64 would round), so no
value is truncated or altered. Integers are converted from their text, never through float64.
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.schema import display_path, get_resource, load_package, open_data_file, resolve_data_dir, table_names
from analysis.validation import DataError, Problem, validate

#: How often a load is tried again when the folder changes while it is read.
_ATTEMPTS = 3

_PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "float64", "boolean": "boolean"}


class Dataset(dict):
    """All tables by name; also readable as attributes (``ds.signatories``)."""

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no table {name!r}; tables: {', '.join(self)}") from None


def _fingerprint(data_dir: Path) -> tuple:
    """What identifies the folder's current content: every entry's name, kind, size, inode and modification time.

    Never raises (and never opens a file): an unreadable folder or entry is part of the fingerprint, and the
    validator then says what is wrong with it.
    """
    try:
        names = sorted(os.listdir(data_dir))
    except OSError as exc:
        return (("", type(exc).__name__),)
    entries = []
    for name in names:
        try:
            info = os.stat(data_dir / name)
        except OSError as exc:
            entries.append((name, type(exc).__name__))
            continue
        kind = stat.S_IFMT(info.st_mode)
        entries.append((name, str(kind), info.st_size, info.st_ino, info.st_mtime_ns) if stat.S_ISREG(info.st_mode) else (name, str(kind)))
    return tuple(entries)


@lru_cache(maxsize=4)
def _validated(data_dir: Path, fingerprint: tuple) -> None:
    report = validate(data_dir)
    if not report.ok:
        raise DataError(report.problems, report.count)


@lru_cache(maxsize=64)
def _read(data_dir: Path, name: str, fingerprint: tuple) -> pd.DataFrame:
    _validated(data_dir, fingerprint)
    resource = get_resource(name, data_dir)
    # The same safe open as the validator's: inside the folder, a regular file, never blocking.
    with open_data_file(data_dir, resource["path"]) as fh:
        frame = pd.read_csv(fh, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    for spec in resource["schema"]["fields"]:
        column, kind = spec["name"], spec["type"]
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[ns]")
        elif kind == "integer":
            # NOTE: not pd.to_numeric: with a missing value it goes through float64, and 2**53 + 1 loads as 2**53.
            frame[column] = pd.array([pd.NA if pd.isna(v) else int(v) for v in frame[column]], dtype="Int64")
        elif kind == "boolean":
            frame[column] = frame[column].map({"true": True, "false": False}).astype("boolean")
        else:
            frame[column] = frame[column].astype(_PANDAS_TYPES.get(kind, "string"))
    return frame


def _changing(directory: Path) -> DataError:
    message = "the data folder changed while it was loaded, again and again: load it again once it is still"
    return DataError([Problem(display_path(directory), 1, "-", message)])


def _validate(directory: Path) -> None:
    """Raise :class:`DataError` unless the folder validates (cached until a file changes)."""
    _validated(directory, _fingerprint(directory))


def load_table(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table by name, validated and typed.

    The folder is fingerprinted before validation and again after reading; if a file changed in between,
    what was read may not be what was validated, so the load is done again.

    >>> load_table("declarations").dtypes["adopted_date"]
    dtype('<M8[ns]')
    """
    directory = resolve_data_dir(data_dir)
    for _ in range(_ATTEMPTS):
        before = _fingerprint(directory)
        frame = _read(directory, name, before)
        if _fingerprint(directory) == before:
            return frame.copy()
        _read.cache_clear()
    raise _changing(directory)


def load_dataset(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Load every table in the package.

    >>> ds = load_dataset()
    >>> ds.signatories.equals(load_table("signatories"))
    True
    """
    directory = resolve_data_dir(data_dir)
    _validate(directory)
    return Dataset((name, load_table(name, directory)) for name in table_names(directory))


def data_version(data_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """The data release (version and cut-off date) from datapackage.json, once the folder validates.

    >>> sorted(data_version())
    ['cutoff_date', 'version']
    """
    directory = resolve_data_dir(data_dir)
    _validate(directory)
    package = load_package(directory)
    return {"version": package["version"], "cutoff_date": package["cutoff_date"]}


def _loader(name: str):
    def load(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
        return load_table(name, data_dir)

    load.__name__ = f"load_{name}"
    load.__doc__ = f"Load ``{name}.csv``, validated and typed (see :func:`load_table`)."
    return load


load_sources = _loader("sources")
load_parties = _loader("parties")
load_memberships = _loader("memberships")
load_declarations = _loader("declarations")
load_signatories = _loader("signatories")
load_agreements = _loader("agreements")
load_events = _loader("events")
