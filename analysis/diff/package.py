"""A release read as tables of text: the descriptor (JSON or YAML) and each resource's rows, from a CSV file or
inline ``data``. Values stay text, so a release that no longer validates can still be compared.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from analysis.diff.source import ReleaseError, reader
from analysis.schema import MAX_DESCRIPTOR_BYTES

#: Descriptor file names, in the order they are looked for.
DESCRIPTORS = ("datapackage.json", "datapackage.yaml", "datapackage.yml")


@dataclass
class Table:
    """One resource: its columns, its rows (text, in file order), its declared primary key and where it was read."""

    name: str
    columns: list[str]
    rows: list[dict[str, str]]
    key: list[str] = field(default_factory=list)
    where: str = ""
    notes: list[str] = field(default_factory=list)


def _parse_descriptor(name: str, raw: bytes, where: str) -> object:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReleaseError(f"{where}/{name}: line {line}: not valid UTF-8 (byte {raw[exc.start]:#04x}); save it as UTF-8") from None
    if name.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReleaseError(f"{where}/{name}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise ReleaseError(f"{where}/{name}: nested too deeply to read") from None
    try:
        import yaml
    except ImportError:
        raise ReleaseError(f"{where}/{name}: reading YAML needs PyYAML (pip install pyyaml), or convert it to datapackage.json") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        raise ReleaseError(f"{where}/{name}: {place}not valid YAML ({getattr(exc, 'problem', None) or 'parse error'})") from None
    except RecursionError:
        raise ReleaseError(f"{where}/{name}: nested too deeply to read") from None


def _key(schema: dict, where: str) -> list[str]:
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        raise ReleaseError(f"{where}: primaryKey must be a column name or a list of column names, not {key!r}")
    return key


def _text(value: object) -> str:
    """A JSON/YAML value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _inline(data: object, fields: list[str], where: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of inline ``data``: an array of arrays (the first one the header) or of objects."""
    if not isinstance(data, list):
        raise ReleaseError(f"{where}: inline data must be a list of rows, not {type(data).__name__}")
    if data and all(isinstance(r, dict) for r in data):
        columns = list(fields) or list(dict.fromkeys(k for r in data for k in r))
        return [str(c) for c in columns], [[_text(r.get(c)) for c in columns] for r in data]
    if all(isinstance(r, list) for r in data):
        header = [_text(c) for c in data[0]] if data else list(fields)
        return header, [[_text(v) for v in r] for r in data[1:]]
    raise ReleaseError(f"{where}: inline data must be all arrays or all objects")


def _csv(raw: bytes, path: str, dialect: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file: UTF-8 with or without a byte-order mark, LF or CRLF."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReleaseError(f"{path}: line {line}: not valid UTF-8 (byte {raw[exc.start]:#04x}); save it as UTF-8") from None
    delimiter = dialect.get("delimiter", ",") if isinstance(dialect, dict) else ","
    quote = dialect.get("quoteChar", '"') if isinstance(dialect, dict) else '"'
    if not (isinstance(delimiter, str) and len(delimiter) == 1 and isinstance(quote, str) and len(quote) == 1):
        raise ReleaseError(f"{path}: the dialect's delimiter and quoteChar must each be one character")
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote)
    except (csv.Error, TypeError) as exc:
        raise ReleaseError(f"{path}: the dialect cannot be used ({exc})") from None
    try:
        parsed = [row for row in rows if row]
    except csv.Error as exc:
        raise ReleaseError(f"{path}: line {rows.line_num}: cannot be read as CSV ({exc})") from None
    return (parsed[0], parsed[1:]) if parsed else ([], [])


def _rows(header: list[str], body: list[list[str]], where: str) -> tuple[list[str], list[dict[str, str]], list[str]]:
    """Rows as dicts; a repeated column name gets a suffix and a ragged row is padded or cut, each with a note."""
    notes, columns, seen = [], [], set()
    for name in header:
        unique, n = name, 1
        while unique in seen:
            n += 1
            unique = f"{name} ({n})"
        if unique != name:
            notes.append(f"{where}: column {name!r} appears more than once; the repeat is read as {unique!r}")
        seen.add(unique)
        columns.append(unique)
    ragged = sum(len(r) != len(columns) for r in body)
    if ragged:
        notes.append(f"{where}: {ragged} rows do not have {len(columns)} cells like the header (padded with empty cells or cut)")
    width = len(columns)
    return columns, [dict(zip(columns, r[:width] + [""] * (width - len(r)))) for r in body], notes


def _schema(resource: dict, read, where: str) -> dict:
    schema = resource.get("schema", {})
    if isinstance(schema, str):  # a schema kept in its own file, named by a path
        raw = read(schema, where)
        if raw is None:
            return {}
        schema = _parse_descriptor(schema, raw, f"{where} schema")
    if not isinstance(schema, dict):
        raise ReleaseError(f"{where}: schema must be an object, not {type(schema).__name__}")
    return schema


def _table(resource: object, index: int, read, label: str) -> Table:
    where = f"{label}: resources[{index}]"
    if not isinstance(resource, dict):
        raise ReleaseError(f"{where} is not an object (a resource has a name, a path and a schema)")
    name = resource.get("name", resource.get("path", f"resource-{index}"))
    if not isinstance(name, str) or not name:
        raise ReleaseError(f"{where}: name must be a non-empty text, not {name!r}")
    where = f"{label}: resource {name!r}"
    schema = _schema(resource, read, where)
    fields = schema.get("fields", [])
    fields = [f.get("name", f.get("id", "")) for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []
    if "path" in resource and "data" in resource:
        raise ReleaseError(f"{where} has both path and data: a resource holds one of them")
    if "data" in resource:
        header, body = _inline(resource["data"], fields, where)
        source = f"{where} (inline data)"
    elif "path" in resource:
        path = resource["path"]
        if isinstance(path, list):
            raise ReleaseError(f"{where}: a path in several parts is not supported; join the parts into one file")
        raw = read(path, where)
        if raw is None:
            raise ReleaseError(f"{where}: {path} does not exist in {label}")
        source = f"{label}/{path}"
        header, body = _csv(raw, source, resource.get("dialect", {}))
    else:
        raise ReleaseError(f"{where} has neither path nor data")
    columns, rows, notes = _rows(header, body, source)
    return Table(name, columns, rows, _key(schema, where), source, notes)


def read_release(spec: str, repo=None) -> tuple[dict, dict[str, Table]]:
    """The release's descriptor and its tables by name. ``spec`` is a folder or ``git:REV``."""
    source = reader(spec) if repo is None else reader(spec, repo)
    found = next(((n, raw) for n in DESCRIPTORS if (raw := source.read(n, spec, MAX_DESCRIPTOR_BYTES)) is not None), None)
    if found is None:
        raise ReleaseError(f"{spec} has no datapackage.json (nor datapackage.yaml)")
    package = _parse_descriptor(found[0], found[1], spec)
    if not isinstance(package, dict):
        raise ReleaseError(f"{spec}/{found[0]}: the descriptor must be an object with a list of resources, not {type(package).__name__}")
    resources = package.get("resources")
    if not isinstance(resources, list):
        raise ReleaseError(f"{spec}/{found[0]}: resources must be a list of tables, not {type(resources).__name__}")
    tables: dict[str, Table] = {}
    for index, resource in enumerate(resources):
        table = _table(resource, index, source.read, spec)
        if table.name in tables:
            raise ReleaseError(f"{spec}/{found[0]}: resources[{index}]: a second resource named {table.name!r}")
        tables[table.name] = table
    return package, tables
