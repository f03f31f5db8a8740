"""Loading: the one module that reads ``data/``. Every table comes back typed from ``datapackage.json``.

Loading validates the folder first; bad data raises :class:`analysis.validation.DataError`, which carries
the validator's messages (file, line, column), never a pandas traceback. Results are cached within the
process until a file in the folder changes; each call returns a fresh copy, so callers may modify it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.schema import get_resource, load_package, resolve_data_dir, table_names
from analysis.validation import DataError, validate

_PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "float64", "boolean": "boolean"}


class Dataset(dict):
    """All tables by name; also readable as attributes (``ds.signatories``)."""

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no table {name!r}; tables: {', '.join(self)}") from None


def _fingerprint(data_dir: Path) -> tuple:
    """What identifies the folder's current content: every file's name, size and modification time."""
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in data_dir.iterdir() if p.is_file()))


@lru_cache(maxsize=4)
def _validated(data_dir: Path, fingerprint: tuple) -> None:
    report = validate(data_dir)
    if not report.ok:
        raise DataError(report.problems)


@lru_cache(maxsize=64)
def _read(data_dir: Path, name: str, fingerprint: tuple) -> pd.DataFrame:
    _validated(data_dir, fingerprint)
    resource = get_resource(name, data_dir)
    frame = pd.read_csv(data_dir / resource["path"], dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    for spec in resource["schema"]["fields"]:
        column, kind = spec["name"], spec["type"]
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[ns]")
        elif kind == "integer":
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
        else:
            frame[column] = frame[column].astype(_PANDAS_TYPES.get(kind, "string"))
    return frame


def load_table(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table by name, validated and typed.

    >>> load_table("declarations").dtypes["adopted_date"]
    dtype('<M8[ns]')
    """
    directory = resolve_data_dir(data_dir)
    return _read(directory, name, _fingerprint(directory)).copy()


def load_dataset(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Load every table in the package.

    >>> ds = load_dataset()
    >>> ds.signatories.equals(load_table("signatories"))
    True
    """
    return Dataset((name, load_table(name, data_dir)) for name in table_names(data_dir))


def data_version(data_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """The data release (version and cut-off date) from datapackage.json.

    >>> sorted(data_version())
    ['cutoff_date', 'version']
    """
    package = load_package(data_dir)
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
