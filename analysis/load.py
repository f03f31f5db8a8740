"""Loading: the one module that reads ``data/``. Every table comes back typed from ``datapackage.json``.

Loading validates the folder first; bad data raises :class:`analysis.validation.DataError`, which carries
the validator's messages (file, line, column), never a pandas traceback (pandas' own errors become a
``DataError`` too). Every file is read through the validator's safe open (:func:`analysis.schema.read_data_bytes`).

A dataset is one consistent snapshot: the folder is fingerprinted by content (the SHA-256 of every file)
before validation and again after the tables are read, and each table's bytes must be the ones validated;
if anything changed in between, the load is tried again, then refused with a ``DataError``. Parsed tables
are cached by the SHA-256 of their bytes, so a rewrite of the same size with its modification time
restored is never served stale. Each call returns a fresh copy, so callers may modify it.

What a caller uses is recorded (:func:`analysis.schema.note_read`): :func:`load_table` notes its table when it
returns it, and a :class:`Dataset` notes a table when the table is taken from it (``ds.claims``,
``ds["claims"]``, iterating its values). That is how the build learns which tables a report read.

A value is loaded exactly as written: nothing is stripped, and the validator refuses what a type could not
hold unchanged (dates outside datetime64[ns], integers outside Int64, numbers a float64 would round), so no
value is truncated or altered. Integers are converted from their text, never through float64.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import time
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.schema import (
    UnreadableFile,
    content_digest,
    display_path,
    load_package,
    note_read,
    open_data_file,
    read_data_bytes,
    read_token,
    resolve_data_dir,
    unrecorded,
)
from analysis.validation import DataError, Problem, validate

#: How often a load is tried again when the folder changes while it is read.
_ATTEMPTS = 3
#: Parsed tables kept, keyed by content.
_CACHE_SIZE = 64

_PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "float64", "boolean": "boolean"}


class Dataset(dict):
    """All tables by name; also readable as attributes (``ds.signatories``).

    Taking a table out of it records the table as read (see the module docstring); listing the names does not.
    """

    def __init__(self, frames=(), files: dict[str, tuple[Path, str]] | None = None):
        super().__init__(frames)
        self.__dict__["_files"] = dict(files or {})

    def _note(self, name: str) -> None:
        found = self.__dict__.get("_files", {}).get(name)
        if found is None:
            return
        token = read_token()
        noted = self.__dict__.setdefault("_noted", {})
        if noted.get(name) != token:  # once per table for as long as reads go to the same place (a hot path)
            note_read(*found)
            noted[name] = token

    def __getitem__(self, name: str) -> pd.DataFrame:
        frame = super().__getitem__(name)
        self._note(name)
        return frame

    def get(self, name, default=None):
        return self[name] if name in self else default

    def __iter__(self):  # a Python-level __iter__ makes dict(ds) and {**ds} go through __getitem__
        return iter(list(self.keys()))

    def values(self):
        return [self[name] for name in self.keys()]

    def items(self):
        return [(name, self[name]) for name in self.keys()]

    def copy(self) -> Dataset:
        return Dataset(self.items(), self.__dict__.get("_files"))

    def columns_of(self, name: str) -> list[str]:
        """A table's column names, without recording the table as read (they are the descriptor's fields)."""
        return list(super().__getitem__(name).columns)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no table {name!r}; tables: {', '.join(self.keys())}") from None


#: Files hashed earlier in this process, by path: (what ``lstat`` said, when it was hashed in ns, its SHA-256).
_DIGESTS: dict[str, tuple[tuple, int, str]] = {}
#: A file whose status changed less than this long before it was hashed is hashed again each time: an edit in the
#: same clock tick could leave its times as they were (git's "racy clean" rule).
_RACY_NS = 2_000_000_000


def _file_digest(directory: Path, name: str) -> str:
    """The SHA-256 of a file of the data folder, read through the safe open.

    Hashed again only when its status changed: any write, or a time set back with ``touch``, moves its ctime,
    which no user can set (size or mtime alone could be kept or restored). A helper that looks up labels many
    times in a report then costs a ``stat`` per file, not a read of the folder.
    """
    path = os.path.join(directory, name)
    info = os.lstat(path)
    signature = (info.st_mode, info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    known = _DIGESTS.get(path)
    if known is not None and known[0] == signature and known[1] - info.st_ctime_ns > _RACY_NS:
        return known[2]
    hashed_at = time.time_ns()
    with open_data_file(directory, name) as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    _DIGESTS[path] = (signature, hashed_at, digest)
    return digest


def _fingerprint(data_dir: Path) -> tuple:
    """What identifies the folder's current content: every entry's name and kind, and the SHA-256 of every regular
    file's bytes (read through the safe open; about 1 MB here, a few milliseconds).

    Never raises: an unreadable folder or entry is part of the fingerprint, and the validator then says what is
    wrong with it.
    """
    try:
        names = sorted(os.listdir(data_dir))
    except OSError as exc:
        return (("", type(exc).__name__),)
    entries = []
    for name in names:
        try:
            info = os.stat(data_dir / name)
            if not stat.S_ISREG(info.st_mode):
                entries.append((name, str(stat.S_IFMT(info.st_mode))))
                continue
            entries.append((name, "file", _file_digest(data_dir, name)))
        except (OSError, UnreadableFile) as exc:
            entries.append((name, type(exc).__name__))
    return tuple(entries)


@lru_cache(maxsize=4)
def _validated(data_dir: Path, fingerprint: tuple) -> None:
    with unrecorded():  # the validator reads every file: that is checking the folder, not using it
        report = validate(data_dir)
    if not report.ok:
        raise DataError(report.problems, report.count)


_FRAMES: dict[tuple, pd.DataFrame] = {}


def _located(path: str, exc: BaseException) -> DataError:
    """pandas' own error (or a conversion's) as a DataError naming the file and, where pandas says it, the line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    found = re.search(r"\bline (\d+)", text)
    return DataError([Problem(path, int(found.group(1)) if found else 1, "-", f"cannot be loaded ({type(exc).__name__}): {text}")])


def _parse(directory: Path, resource: dict, raw: bytes, digest: str, descriptor: str) -> pd.DataFrame:
    key = (resource["name"], resource["path"], digest, descriptor)
    if key in _FRAMES:
        return _FRAMES[key]
    try:
        frame = _typed(pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"), resource)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, TypeError, OverflowError, KeyError) as exc:
        raise _located(display_path(directory / resource["path"]), exc) from None
    if len(_FRAMES) >= _CACHE_SIZE:
        _FRAMES.pop(next(iter(_FRAMES)))
    _FRAMES[key] = frame
    return frame


def _typed(frame: pd.DataFrame, resource: dict) -> pd.DataFrame:
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
    """Raise :class:`DataError` unless the folder validates (cached by the folder's content)."""
    _validated(directory, _fingerprint(directory))


def _snapshot(directory: Path, names: list[str] | None = None) -> dict[str, tuple[pd.DataFrame, Path, str]]:
    """The tables ``names`` (all by default) as one consistent, validated snapshot: ``{name: (frame, path, sha256)}``."""
    for _ in range(_ATTEMPTS):
        before = _fingerprint(directory)
        _validated(directory, before)
        digests = {entry[0]: entry[2] for entry in before if isinstance(entry, tuple) and len(entry) == 3}
        try:
            with unrecorded():
                package = load_package(directory)
                descriptor = digests.get("datapackage.json") or content_digest(read_data_bytes(directory, "datapackage.json"))
                resources = [r for r in package["resources"] if names is None or r["name"] in names]
                if names is not None and len(resources) != len(set(names)):
                    missing = sorted(set(names) - {r["name"] for r in resources})
                    raise KeyError(f"no table named {missing[0]!r} in datapackage.json; tables: "
                                   f"{', '.join(r['name'] for r in package['resources'])}")  # fmt: skip
                raws = {r["name"]: read_data_bytes(directory, r["path"]) for r in resources}
        except (OSError, UnreadableFile):
            continue  # it was there when validated: the folder is changing
        read = {name: content_digest(raw) for name, raw in raws.items()}
        consistent = all(digests.get(r["path"], read[r["name"]]) == read[r["name"]] for r in resources)
        if consistent and _fingerprint(directory) == before:
            return {
                r["name"]: (_parse(directory, r, raws[r["name"]], read[r["name"]], descriptor), directory / r["path"], read[r["name"]])
                for r in resources
            }
    raise _changing(directory)


def load_table(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table by name, validated and typed (see the module docstring for the snapshot and the record).

    >>> load_table("declarations").dtypes["adopted_date"]
    dtype('<M8[ns]')
    """
    directory = resolve_data_dir(data_dir)
    frame, path, digest = _snapshot(directory, [name])[name]
    note_read(path, digest)
    return frame.copy()


def load_dataset(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Load every table in the package, as one consistent snapshot.

    >>> ds = load_dataset()
    >>> ds.signatories.equals(load_table("signatories"))
    True
    """
    directory = resolve_data_dir(data_dir)
    tables = _snapshot(directory)
    return Dataset(((name, frame.copy()) for name, (frame, _, _) in tables.items()),
                   {name: (path, digest) for name, (_, path, digest) in tables.items()})  # fmt: skip


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
