"""The data package as one SQLite database, with Datasette metadata: ``python -m analysis db``.

Everything comes from ``datapackage.json``: each column's SQL type (``string`` and ``date`` as TEXT, ISO dates;
``integer`` as INTEGER; ``number`` as REAL), primary keys and foreign keys (composite ones too), and the table and
column descriptions, licence and sources that Datasette shows. Empty cells are NULL. Full-text search (FTS5) covers
the sources (title, excerpt), the claims and the clause quotes. The tables are read through :mod:`analysis.load`, so
a database is only ever written from data that validates.

The same data gives the same bytes: rows go in key order into a new file, which is then vacuumed.

>>> column_sql({"name": "signed_date", "type": "date", "constraints": {"required": True}})
'"signed_date" TEXT NOT NULL'
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from analysis.paths import REPORTS_DIR

#: The database's file name (Datasette names the database after it, without the suffix).
DB_NAME = "ukraine-security-guarantees"
DEFAULT_DB = REPORTS_DIR / f"{DB_NAME}.db"

SQL_TYPES = {"string": "TEXT", "date": "TEXT", "datetime": "TEXT", "year": "INTEGER", "integer": "INTEGER",
             "number": "REAL", "boolean": "INTEGER"}  # fmt: skip

#: Full-text search: table → the columns searched (Datasette finds the ``<table>_fts`` index by its name).
FULL_TEXT = {
    "sources": ["title", "excerpt"],
    "claims": ["claimant", "claim_text"],
    "clauses": ["quote", "gloss"],
}

#: The column that names a row, shown by Datasette next to a foreign key (a party code shows the party's name).
LABEL_COLUMNS = {
    "parties": "party_name",
    "sources": "title",
    "agreements": "title",
    "declarations": "title",
    "meetings": "description",
    "clause_dimensions": "label",
    "milestones": "label",
    "claims": "claim_text",
}

#: A few questions asked often, as Datasette canned queries (shown on the database page).
CANNED_QUERIES = {
    "who_signed_when": {
        "title": "Who signed a bilateral security agreement with Ukraine, and when",
        "description": "Every agreement in order of signature, with the partner's name, where it was signed and by whom.",
        "sql": """select a.signed_date, a.date_precision, p.party_name as partner, a.title, a.place,
  a.partner_signatory, a.ukraine_signatory, a.agreement_id
from agreements a join parties p on p.party_id = a.party_id
order by a.signed_date, p.party_name""",
    },
    "clauses_by_dimension": {
        "title": "What the agreements promise, dimension by dimension",
        "description": "For each dimension of the clause matrix, how many agreements code each value, and which partners they are.",
        "sql": """select d.position, d.label as dimension, c.value, v.label as value_label, count(*) as agreements,
  group_concat(p.party_name, '; ') as partners
from clauses c
  join clause_dimensions d on d.dimension_id = c.dimension_id
  left join clause_values v on v.dimension_id = c.dimension_id and v.value = c.value
  join agreements a on a.agreement_id = c.agreement_id
  join parties p on p.party_id = a.party_id
group by d.position, d.label, c.value, v.label
order by d.position, v.rank, c.value""",
    },
    "meetings_with_participants": {
        "title": "Meetings and who took part",
        "description": "Each meeting with the number of participants the sources report and the parties recorded as taking part.",
        "sql": """select m.meeting_date, m.meeting_id, m.forum, m.place, m.format, m.parties_reported,
  count(mp.party_id) as parties_recorded, group_concat(p.party_name, '; ') as participants
from meetings m
  left join meeting_participants mp on mp.meeting_id = m.meeting_id
  left join parties p on p.party_id = mp.party_id
group by m.meeting_id
order by m.meeting_date, m.meeting_id""",
    },
    "declaration_joiners": {
        "title": "Who joined each declaration, and when",
        "description": "Every signatory of every declaration, in order of joining, with the role and what the date means.",
        "sql": """select s.joined_date, s.date_precision, d.title as declaration, p.party_name as party, s.role, s.date_basis
from signatories s
  join declarations d on d.declaration_id = s.declaration_id
  join parties p on p.party_id = s.party_id
order by s.declaration_id, s.joined_date, p.party_name""",
    },
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def column_sql(field: dict) -> str:
    """The column's definition in ``CREATE TABLE``: its SQL type, and NOT NULL when the schema requires a value."""
    sql = f"{_quote(field['name'])} {SQL_TYPES.get(field['type'], 'TEXT')}"
    if field.get("constraints", {}).get("required"):
        sql += " NOT NULL"
    return sql


def table_sql(resource: dict) -> str:
    """``CREATE TABLE`` for one resource: columns, primary key and foreign keys as the descriptor declares them.

    >>> print(table_sql({"name": "t", "schema": {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}],
    ...     "primaryKey": ["a"], "foreignKeys": [{"fields": ["a", "b"], "reference": {"resource": "u", "fields": ["x", "y"]}}]}}))
    CREATE TABLE "t" (
      "a" TEXT,
      "b" INTEGER,
      PRIMARY KEY ("a"),
      FOREIGN KEY ("a", "b") REFERENCES "u" ("x", "y")
    )
    """
    schema = resource["schema"]
    lines = [column_sql(f) for f in schema["fields"]]
    if schema.get("primaryKey"):
        lines.append(f"PRIMARY KEY ({', '.join(_quote(c) for c in _as_list(schema['primaryKey']))})")
    for key in schema.get("foreignKeys", []):
        target = key["reference"].get("resource") or resource["name"]  # "" refers to the table itself
        here = ", ".join(_quote(c) for c in _as_list(key["fields"]))
        there = ", ".join(_quote(c) for c in _as_list(key["reference"]["fields"]))
        lines.append(f"FOREIGN KEY ({here}) REFERENCES {_quote(target)} ({there})")
    return f"CREATE TABLE {_quote(resource['name'])} (\n  " + ",\n  ".join(lines) + "\n)"


def _rows(resource: dict, data_dir: Path) -> Iterator[dict]:
    """The table's rows as plain Python values: ISO text for dates, int, float, str; None for an empty cell."""
    import pandas as pd

    from analysis.load import load_table

    frame = load_table(resource["name"], data_dir)
    kinds = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    columns = {}
    for name, kind in kinds.items():
        series = frame[name]
        if kind == "date":
            values = [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in series]
        elif kind in ("integer", "year", "boolean"):
            values = [None if pd.isna(v) else int(v) for v in series]
        elif kind == "number":
            values = [None if pd.isna(v) else float(v) for v in series]
        else:
            values = [None if pd.isna(v) or v == "" else str(v) for v in series]
        columns[name] = values
    names = list(kinds)
    for row in zip(*(columns[n] for n in names)):
        yield dict(zip(names, row))


def write_database(out: str | os.PathLike = DEFAULT_DB, data_dir: str | os.PathLike | None = None) -> Path:
    """Write the data package as a SQLite database at ``out`` (replaced whole), and its Datasette metadata beside it
    (``<name>.metadata.json``). Returns the database's path."""
    import sqlite_utils

    from analysis.load import data_version
    from analysis.schema import load_package, resolve_data_dir

    directory = resolve_data_dir(data_dir)
    data_version(directory)  # raises DataError, naming file, line and column, unless the folder validates
    package = load_package(directory)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.unlink(missing_ok=True)
    connection = sqlite3.connect(tmp)
    # A file no reader sees until it is complete: no journal and no flush to disk after each batch (the default costs
    # more than the inserts), one flush before it takes the database's name.
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    try:
        db = sqlite_utils.Database(connection)
        for resource in package["resources"]:
            db.execute(table_sql(resource))
            db[resource["name"]].insert_all(_rows(resource, directory), batch_size=500)
        for table, columns in FULL_TEXT.items():
            if table in db.table_names():
                db[table].enable_fts(columns, fts_version="FTS5", create_triggers=False)
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    with open(tmp, "rb") as written:
        os.fsync(written.fileno())
    tmp.replace(out)
    metadata = datasette_metadata(package, out.stem)
    _write_text(metadata_path(out), json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    return out


def metadata_path(db: str | os.PathLike) -> Path:
    """Where the Datasette metadata of the database ``db`` is written."""
    db = Path(db)
    return db.with_name(f"{db.stem}.metadata.json")


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def datasette_metadata(package: dict, database: str = DB_NAME) -> dict:
    """Datasette's metadata, from the descriptor: title, licence and sources; each table's description, its columns'
    descriptions and its label column; the canned queries; full-text search settings.

    >>> meta = datasette_metadata({"title": "T", "licenses": [{"title": "CC BY 4.0", "path": "https://x"}],
    ...     "resources": [{"name": "parties", "description": "One row per party.",
    ...                    "schema": {"fields": [{"name": "party_id", "description": "ISO code"}]}}]})
    >>> meta["license"], meta["databases"]["ukraine-security-guarantees"]["tables"]["parties"]["label_column"]
    ('CC BY 4.0', 'party_name')
    """
    licence = (package.get("licenses") or [{}])[0]
    sources = package.get("sources") or []
    source_url = sources[0].get("path", "") if sources else ""
    tables = {}
    for resource in package["resources"]:
        table = {
            "description": resource.get("description", ""),
            "columns": {f["name"]: f["description"] for f in resource["schema"]["fields"] if f.get("description")},
        }
        if resource["name"] in LABEL_COLUMNS:
            table["label_column"] = LABEL_COLUMNS[resource["name"]]
        if resource["name"] in FULL_TEXT:
            table["fts_table"] = f"{resource['name']}_fts"
        tables[resource["name"]] = table
        if resource["name"] in FULL_TEXT:
            tables[f"{resource['name']}_fts"] = {"hidden": True}
    version = package.get("version", "")
    description = f"Data release {version}, cut-off {package.get('cutoff_date', '')}." if version else ""
    return {
        "title": package.get("title", DB_NAME),
        "description": description,
        "license": licence.get("title") or licence.get("name", ""),
        "license_url": licence.get("path", ""),
        "source": sources[0]["title"] if sources else "",
        "source_url": source_url if source_url.startswith(("https://", "http://")) else "",
        "databases": {database: {"tables": tables, "queries": CANNED_QUERIES}},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis db", description="Write the data package as a SQLite database.")
    parser.add_argument("--data-dir", default=None, help="data folder (default: the repository's data/)")
    parser.add_argument("--out", default=str(DEFAULT_DB), help=f"the database file (default: {DEFAULT_DB.name} in reports/)")
    args = parser.parse_args(argv)
    from analysis.validation import DataError

    try:
        path = write_database(args.out, args.data_dir)
    except DataError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"wrote {path} and {metadata_path(path).name}")
    return 0
